"""The reference package's per-step loop, side by side in one run: the
reference `sorn` itself (when its source is given), the same loop through the
drop-in `sorn_client` with the state on the server, the same loop when the
state travels (a plain dict each step: ImportState and ExportState, as the
drop-in did before state_dicts were handles), and a Python Step stream on the
same server. ne=200, nu=10, noise and every plasticity rule on, one input
column per step. Then a long run: one drop-in simulate_sorn of --long-steps
(10,000) steps against one reference call of --reference-long-steps. Prints
steps/s of each (median of --repeats, loops interleaved) and the ratios.

    SORN_SERVER=build/server/sorn-server PYTHONPATH=client/python:build/python \\
      python3 bench/python_dropin_loop_bench.py --steps=300 --repeats=5 \\
      --reference-git=/path/to/Saran-nns+sorn.git        # or --reference=DIR

The reference (not a dependency) is loaded from a folder holding its `sorn/`
package (--reference=DIR or $SORN_REFERENCE_SRC), or extracted from a git
mirror of https://github.com/Saran-nns/sorn into a temporary folder
(--reference-git=GITDIR, --reference-rev=REV, default HEAD). Its loop is the
README's: `state, _ = Simulator.run(inputs=x, phase="plasticity", state=state,
timesteps=1, noise=True)` (0.7.3 on master); tag v0.7.3 and 0.6.x name it
`simulate_sorn(matrices=...)`, which is called instead when there is no run.
Without a reference the bench says why and measures the rest.
"""

import argparse
import contextlib
import importlib
import importlib.util
import inspect
import io
import logging
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import types

import numpy as np

import sorn_client
from sorn_client import Simulator
from sorn_client.server import ServerStartError, start_server

NE, NU = 200, 10

# --- the drop-in ------------------------------------------------------------

# The reference's own call when the drop-in has it (Simulator.run, returning
# (state, callback_values)), else simulate_sorn. Only the state (the first
# element) is used, so either return shape works.
DROPIN_RUN = hasattr(Simulator, "run")


def dropin_call(x, state, **params):
    if DROPIN_RUN:
        return Simulator.run(inputs=x, phase="plasticity", state=state, timesteps=1,
                             noise=True, **params)[0]
    return Simulator.simulate_sorn(inputs=x, phase="plasticity", matrices=state,
                                   time_steps=1, noise=True, **params)[0]


def handle_loop(steps, rng):
    state = dropin_call(rng.random((NU, 1)), None, ne=NE, nu=NU, seed=1)
    start = time.perf_counter()
    for _ in range(steps):
        state = dropin_call(rng.random((NU, 1)), state)
    return steps / (time.perf_counter() - start)


def travelling_loop(steps, rng):
    state = dict(dropin_call(rng.random((NU, 1)), None, ne=NE, nu=NU, seed=1))
    start = time.perf_counter()
    for _ in range(steps):
        state = dropin_call(rng.random((NU, 1)), state)
        state = dict(state)  # the values, fetched: they travel back next call.
    return steps / (time.perf_counter() - start)


def step_stream(steps, rng):
    client = sorn_client.default_client()
    session = client.create_session(ne=NE, nu=NU, seed=1, ephemeral=True)
    try:
        with session.steps() as stream:
            start = time.perf_counter()
            for _ in range(steps):
                stream.step(rng.random(NU))
            return steps / (time.perf_counter() - start)
    finally:
        session.delete()


def dropin_long(steps, rng, seed):
    """One simulate_sorn of `steps` steps from a new network: creating it,
    running, and the activity returned to Python."""
    inputs = rng.random((NU, steps))
    # Its "Network Initialized" lines (printed, as releases up to 0.6 did)
    # are kept off the bench's output.
    with contextlib.redirect_stdout(io.StringIO()):
        start = time.perf_counter()
        result = Simulator.simulate_sorn(inputs=inputs, phase="plasticity",
                                         time_steps=steps, noise=True, ne=NE, nu=NU,
                                         seed=seed)
        seconds = time.perf_counter() - start
    del result
    return steps / seconds


# --- the reference ----------------------------------------------------------

# Imported by the reference's utils.py for its Plotter only; stubbed (for this
# process) when missing.
_PLOTTING = ["seaborn", "pandas", "networkx", "matplotlib", "matplotlib.pyplot",
             "mpl_toolkits", "mpl_toolkits.axes_grid1",
             "mpl_toolkits.axes_grid1.inset_locator"]


class _Anything:
    """Whatever a stubbed module is asked for (used by the Plotter only)."""

    def __init__(self, *args, **kwargs):
        pass

    def __call__(self, *args, **kwargs):
        return _Anything()

    def __getattr__(self, name):
        return _Anything()


def _stub(name):
    module = types.ModuleType(name)
    module.__path__ = []  # a package, so that its submodules import.
    module.__getattr__ = lambda attr: _Anything()
    sys.modules[name] = module


def _missing(name):
    try:
        return importlib.util.find_spec(name) is None
    except (ImportError, ValueError):
        return True


def _pass_through_tqdm():
    """tqdm replaced by its iterable: the reference wraps every run's step
    range in a progress bar (a bar per call in a per-step loop)."""
    module = types.ModuleType("tqdm")
    module.tqdm = lambda iterable=None, *args, **kwargs: iterable
    module.trange = lambda *args, **kwargs: range(*args)
    sys.modules["tqdm"] = module


class Reference:
    """The reference package, imported from a folder holding `sorn/`."""

    def __init__(self, folder, origin):
        self.origin = origin
        self.notes = []
        for name in ("numpy", "scipy"):
            if _missing(name):
                raise ImportError(f"{name} is not installed (the reference needs it)")
        stubbed = [name for name in _PLOTTING if _missing(name)]
        for name in stubbed:
            _stub(name)
        if stubbed:
            self.notes.append("stub modules for this run (not installed; only its Plotter "
                              "uses them): " + ", ".join(stubbed))
        _pass_through_tqdm()
        self.notes.append("tqdm: a pass-through stub (no progress bar per call)")
        os.environ.setdefault("MPLBACKEND", "Agg")
        root = logging.getLogger()
        handlers, level = list(root.handlers), root.level
        cwd = os.getcwd()
        # Its import calls logging.basicConfig with FileHandler("sorn.log"):
        # in a temporary folder, so that nothing is written to the tree.
        self.logdir = tempfile.TemporaryDirectory(prefix="sorn-reference-log-")
        sys.path.insert(0, folder)
        try:
            os.chdir(self.logdir.name)
            self.module = importlib.import_module("sorn")
        finally:
            os.chdir(cwd)
            sys.path.remove(folder)
            added = [h for h in root.handlers if h not in handlers]
            for handler in added:
                root.removeHandler(handler)
                handler.close()
            root.setLevel(level)
        if not os.path.abspath(self.module.__file__).startswith(os.path.abspath(folder)):
            raise ImportError(f"`import sorn` found {self.module.__file__}, not {folder}")
        self.notes.append(f"logging: the {len(added)} handler(s) its import added (sorn.log "
                          "in a temporary folder, stderr) removed, root level restored "
                          f"to {logging.getLevelName(level)}")
        self.version = getattr(self.module, "__version__", "?")
        self.simulator = self.module.Simulator
        if hasattr(self.simulator, "run"):
            self.api = "Simulator.run(state=...)"
            self._call = lambda **kw: self.simulator.run(
                inputs=kw["inputs"], phase="plasticity", state=kw["state"],
                timesteps=kw["steps"], noise=True, **kw["params"])
        else:
            # Tag v0.7.3 and 0.6.x: simulate_sorn(matrices=...), timesteps or
            # time_steps.
            names = inspect.signature(self.simulator.simulate_sorn).parameters
            steps_name = "timesteps" if "timesteps" in names else "time_steps"
            self.api = f"Simulator.simulate_sorn(matrices=..., {steps_name}=...)"
            self._call = lambda **kw: self.simulator.simulate_sorn(
                inputs=kw["inputs"], phase="plasticity", matrices=kw["state"],
                noise=True, **{steps_name: kw["steps"]}, **kw["params"])

    def call(self, x, state, steps=1, **params):
        return self._call(inputs=x, state=state, steps=steps, params=params)[0]

    # Both keep the reference's prints (0.6 prints "Network Initialized" for
    # a new network) off the bench's output; redirected once per loop.
    def loop(self, steps, rng):
        with contextlib.redirect_stdout(io.StringIO()):
            state = self.call(rng.random((NU, 1)), None, ne=NE, nu=NU)
            start = time.perf_counter()
            for _ in range(steps):
                state = self.call(rng.random((NU, 1)), state)
            return steps / (time.perf_counter() - start)

    def long(self, steps, rng):
        """One call of `steps` steps from a new network, as dropin_long."""
        inputs = rng.random((NU, steps))
        with contextlib.redirect_stdout(io.StringIO()):
            start = time.perf_counter()
            result = self.call(inputs, None, steps=steps, ne=NE, nu=NU)
            seconds = time.perf_counter() - start
        del result
        return steps / seconds


def _git(gitdir, *args):
    return subprocess.run(["git", f"--git-dir={gitdir}", *args], check=True,
                          capture_output=True, text=True).stdout.strip()


@contextlib.contextmanager
def reference_source(args):
    """(folder holding sorn/, description), or (None, why not)."""
    if args.reference_git:
        gitdir, rev = args.reference_git, args.reference_rev
        with tempfile.TemporaryDirectory(prefix="sorn-reference-src-") as tmp:
            try:
                commit = _git(gitdir, "rev-parse", "--verify", f"{rev}^{{commit}}")
                archive = subprocess.run(
                    ["git", f"--git-dir={gitdir}", "archive", commit, "sorn"],
                    check=True, capture_output=True).stdout
                subprocess.run(["tar", "-x", "-C", tmp], input=archive, check=True,
                               capture_output=True)
                described = _git(gitdir, "describe", "--tags", "--always", commit)
                date = _git(gitdir, "log", "-1", "--format=%cs", commit)
            except (OSError, subprocess.CalledProcessError) as e:
                detail = getattr(e, "stderr", b"") or b""
                if isinstance(detail, bytes):
                    detail = detail.decode(errors="replace")
                yield None, (f"could not extract sorn/ at {rev} from {gitdir}: "
                             f"{detail.strip() or e}")
                return
            yield tmp, f"{gitdir} at {rev} = {commit[:7]} ({described}, {date})"
        return
    folder = args.reference or os.environ.get("SORN_REFERENCE_SRC")
    if not folder:
        yield None, ("no --reference=DIR, --reference-git=GITDIR or SORN_REFERENCE_SRC "
                     "given")
        return
    if not os.path.isfile(os.path.join(folder, "sorn", "__init__.py")):
        yield None, f"{folder} holds no sorn/__init__.py"
        return
    yield os.path.abspath(folder), folder


# --- the run ------------------------------------------------------------------


def fmt(rate):
    return f"{rate:,.0f}" if rate >= 100 else f"{rate:.1f}"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--steps", type=int, default=300,
                        help="steps of each per-step loop in a repeat")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--reference-steps", type=int, default=None,
                        help="steps of the reference's per-step loop (default --steps)")
    parser.add_argument("--long-steps", type=int, default=10_000,
                        help="steps of the drop-in's one simulate_sorn (0: no long run)")
    parser.add_argument("--reference-long-steps", type=int, default=1_000,
                        help="steps of the reference's one call (it runs 60-90 steps/s; "
                             "0: not run)")
    parser.add_argument("--reference", metavar="DIR",
                        help="a folder holding the reference's sorn/ package")
    parser.add_argument("--reference-git", metavar="GITDIR",
                        help="a (bare) git mirror of the reference's repository")
    parser.add_argument("--reference-rev", default="HEAD", metavar="REV")
    parser.add_argument("--no-travelling", action="store_true",
                        help="skip the travelling-state loop (~77 steps/s)")
    args = parser.parse_args()
    ref_steps = args.steps if args.reference_steps is None else args.reference_steps

    with contextlib.ExitStack() as stack:
        folder, origin = stack.enter_context(reference_source(args))
        reference = None
        if folder is None:
            print(f"reference: not measured ({origin})")
        else:
            try:
                reference = Reference(folder, origin)
            except Exception as e:  # whatever its import raises.
                print(f"reference: not measured (import failed: {type(e).__name__}: {e})")
        if reference is not None:
            print(f"reference: sorn {reference.version} from {reference.origin}; "
                  f"its loop: {reference.api}, timesteps=1, once per step")
            for note in reference.notes:
                print(f"  {note}")
        print(f"drop-in: sorn_client {'Simulator.run(state=...)' if DROPIN_RUN else 'Simulator.simulate_sorn(matrices=...)'}"
              f", timesteps=1, once per step; long run: simulate_sorn")

        try:
            server = start_server(log_rpcs=False, echo=sys.stderr)
        except (OSError, ServerStartError) as e:
            sys.exit(f"sorn-server did not start: {e}")
        loops = {}
        if reference is not None:
            loops["reference sorn, per step"] = (reference.loop, ref_steps)
        loops["drop-in, state on the server"] = (handle_loop, args.steps)
        if not args.no_travelling:
            loops["drop-in, state travelling"] = (travelling_loop, args.steps)
        loops["Step stream"] = (step_stream, args.steps)
        if args.long_steps:
            loops["drop-in, one simulate_sorn"] = (
                lambda n, rng: dropin_long(n, rng, seed=2), args.long_steps)
        if reference is not None and args.reference_long_steps:
            loops["reference sorn, one call"] = (reference.long, args.reference_long_steps)
        rates = {name: [] for name in loops}
        with server:
            client = sorn_client.connect(server.address)
            rng = np.random.default_rng(0)
            np.random.seed(0)  # the reference draws its noise from these.
            random.seed(0)
            started = time.perf_counter()
            for _ in range(args.repeats):  # interleaved: the machine is noisy.
                for name, (loop, steps) in loops.items():
                    rates[name].append(loop(steps, rng))
            elapsed = time.perf_counter() - started
            client.close()

    median = {name: statistics.median(r) for name, r in rates.items()}
    print(f"ne={NE}, nu={NU}, noise and all plasticity on; median of {args.repeats} "
          f"repeats, loops interleaved ({elapsed:.0f} s):")
    for name, rate in median.items():
        steps = loops[name][1]
        spread = f"{fmt(min(rates[name]))}-{fmt(max(rates[name]))}"
        print(f"{name}: {fmt(rate)} steps/s ({steps} steps; range {spread})")

    def ratio(a, b):
        return median[a] / median[b]

    dropin = "drop-in, state on the server"
    if "drop-in, state travelling" in median:
        print(f"ratio state on the server / travelling: "
              f"{ratio(dropin, 'drop-in, state travelling'):.1f}x")
    print(f"ratio state on the server / Step stream: {ratio(dropin, 'Step stream'):.2f}x"
          f" (goal >= 0.5x)")
    if reference is None:
        print("ratio drop-in / reference per-step loop: not measured (no reference)")
    else:
        r = ratio(dropin, "reference sorn, per step")
        print(f"ratio drop-in / reference per-step loop: {r:.1f}x (goal >= 20x: "
              f"{'met' if r >= 20 else 'NOT met'})")
    if "drop-in, one simulate_sorn" in median and "reference sorn, one call" in median:
        r = ratio("drop-in, one simulate_sorn", "reference sorn, one call")
        print(f"ratio drop-in simulate_sorn of {args.long_steps} steps / reference's one "
              f"call of {args.reference_long_steps} steps, in steps/s: {r:.0f}x "
              f"(goal >= 500x: {'met' if r >= 500 else 'NOT met'})")
    elif args.long_steps:
        print("ratio drop-in simulate_sorn / reference's one call: not measured "
              "(no reference)")


if __name__ == "__main__":
    main()
