"""The reference package's per-step loop through the drop-in, side by side
in one run with the same loop when the state travels (a plain dict each step:
ImportState and ExportState, as the drop-in did before state_dicts were
handles) and with a Python Step stream on the same server. ne=200, noise and
every plasticity rule on, one input column per step. Prints steps/s of each
(median of --repeats) and the ratios.

    SORN_SERVER=build/server/sorn-server PYTHONPATH=client/python:build/python \\
      python3 bench/python_dropin_loop_bench.py --steps=500 --repeats=5
"""

import argparse
import statistics
import sys
import time

import numpy as np

import sorn_client
from sorn_client import Simulator
from sorn_client.server import ServerStartError, start_server

NE, NU = 200, 10


def handle_loop(steps, rng):
    state, *_ = Simulator.simulate_sorn(inputs=rng.random((NU, 1)), ne=NE, seed=1,
                                        time_steps=1)
    start = time.perf_counter()
    for _ in range(steps):
        state, E, I, R, C = Simulator.simulate_sorn(inputs=rng.random((NU, 1)),
                                                    matrices=state, time_steps=1)
    return steps / (time.perf_counter() - start)


def travelling_loop(steps, rng):
    state, *_ = Simulator.simulate_sorn(inputs=rng.random((NU, 1)), ne=NE, seed=1,
                                        time_steps=1)
    state = dict(state)
    start = time.perf_counter()
    for _ in range(steps):
        state, E, I, R, C = Simulator.simulate_sorn(inputs=rng.random((NU, 1)),
                                                    matrices=state, time_steps=1)
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


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=500)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    try:
        server = start_server(log_rpcs=False, echo=sys.stderr)
    except (OSError, ServerStartError) as e:
        sys.exit(f"sorn-server did not start: {e}")
    loops = {"drop-in, state on the server": handle_loop,
             "drop-in, state travelling": travelling_loop,
             "Step stream": step_stream}
    rates = {name: [] for name in loops}
    with server:
        client = sorn_client.connect(server.address)
        rng = np.random.default_rng(0)
        for _ in range(args.repeats):  # interleaved: the machine is noisy.
            for name, loop in loops.items():
                rates[name].append(loop(args.steps, rng))
        client.close()
    median = {name: statistics.median(r) for name, r in rates.items()}
    for name, rate in median.items():
        spread = f"{min(rates[name]):.0f}-{max(rates[name]):.0f}"
        print(f"{name}: {rate:.0f} steps/s (median of {args.repeats}; {spread})")
    print(f"ratio state on the server / travelling: "
          f"{median['drop-in, state on the server'] / median['drop-in, state travelling']:.1f}x")
    print(f"ratio state on the server / Step stream: "
          f"{median['drop-in, state on the server'] / median['Step stream']:.2f}x")


if __name__ == "__main__":
    main()
