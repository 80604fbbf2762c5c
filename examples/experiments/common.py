"""What the three experiments share: command-line options, a sorn-server to
talk to (a private one on a free loopback port unless --address is given),
and writing results (JSON next to the PNG figures)."""

import argparse
import contextlib
import json
import os
import sys
import tempfile

import sorn_client
from sorn_client.server import ServerStartError, start_server

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def arguments(description, **extra):
    """Parses --address, --server, --out, --quick and the script's own
    options (name -> dict of add_argument keywords)."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--address", help="a running sorn-server (default: start one)")
    parser.add_argument("--server", default=os.environ.get(
        "SORN_SERVER", os.path.join(ROOT, "build", "server", "sorn-server")),
        help="the sorn-server binary to start when --address is not given")
    parser.add_argument("--out", default=os.path.join(ROOT, "docs", "figures"),
                        help="directory for the PNG figures and JSON results")
    parser.add_argument("--quick", action="store_true",
                        help="a short run that checks the pipeline (CI), not the science")
    for name, keywords in extra.items():
        parser.add_argument("--" + name.replace("_", "-"), **keywords)
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    return args


@contextlib.contextmanager
def server(args):
    """A client of --address, or of a private server started for the run."""
    if args.address:
        yield sorn_client.connect(args.address)
        return
    try:
        # The server's stderr (warnings; the RPC log is off) shows as the run's.
        local = start_server("--log_rpcs=false", binary=args.server, echo=sys.stderr)
    except (OSError, ServerStartError) as e:
        sys.exit(f"sorn-server did not start: {e}")
    with local:
        yield sorn_client.connect(local.address)


def save_json(args, name, results):
    path = os.path.join(args.out, name)
    with open(path, "w") as f:
        json.dump(results, f, indent=1, sort_keys=True)
    print(f"wrote {path}")


# ---- added for synaptic_weights.py and avalanches.py (streaming helpers) ----

import numpy as _np  # noqa: E402
from sorn_client_pb import sorn_pb2 as _pb  # noqa: E402

_POPCOUNT = _np.array([bin(i).count("1") for i in range(256)], dtype=_np.uint8)


def session_params(session):
    """The session's effective parameters (every Params field) as a dict."""
    from google.protobuf.json_format import MessageToDict
    return MessageToDict(session.created.params, preserving_proto_field_name=True)


def stream_run(session, steps, ne, activity=False, counts=False, weights_every=0,
               on_snapshot=None, chunk=1_000_000, noise=True):
    """Runs `steps` steps of Simulate on `session` (no input: nu = 0), in calls
    of at most `chunk` steps, reading the stream directly (no dense arrays).
    activity: return a(t), the number of active excitatory neurons after each
    step (uint8 when ne < 256), counted from the packed x bits; counts: return
    ee_conn(t) per step; weights_every = K > 0: call on_snapshot(step, flat)
    with the flat indices (pre * ne + post) of the existing Wee synapses after
    every K-th step of each call (chunk should be a multiple of K) and the
    Wee values, as on_snapshot(step, flat, values). Returns (a, ee_conn)."""
    acts, ees = [], []
    bytes_per_step = (ne + 7) // 8
    done = 0
    while done < steps:
        n = min(chunk, steps - done)
        record = _pb.RecordSelection(x=bool(activity), y=False, r=False, counts=bool(counts),
                                     weights_every=int(weights_every),
                                     snapshot_wee=bool(weights_every), snapshot_wei=False)
        request = _pb.RunRequest(session=session.name, timesteps=n, noise=bool(noise),
                                 record=record, steps_per_message=4096)
        for message in session.client.stub.Simulate(request, metadata=session._md()):
            if activity and message.x:
                raw = _np.frombuffer(message.x, dtype=_np.uint8).reshape(message.steps,
                                                                         bytes_per_step)
                acts.append(_POPCOUNT[raw].sum(axis=1, dtype=_np.int32).astype(
                    _np.uint8 if ne < 256 else _np.int32))
            if counts:
                ees.append(_np.asarray(message.ee_conn, dtype=_np.int32))
            for w in message.weights:
                if on_snapshot is None:
                    continue
                starts = _np.asarray(w.wee.row_start, dtype=_np.int64)
                rows = _np.repeat(_np.arange(w.wee.rows, dtype=_np.int64), _np.diff(starts))
                flat = rows * w.wee.cols + _np.asarray(w.wee.post, dtype=_np.int64)
                on_snapshot(int(w.step), flat, _np.asarray(w.wee.value, dtype=_np.float64))
        done += n
    a = _np.concatenate(acts) if acts else _np.zeros(0, _np.uint8)
    ee = _np.concatenate(ees) if ees else _np.zeros(0, _np.int32)
    return a, ee


def finite_or_none(obj):
    """obj with every non-finite float replaced by None (strict JSON)."""
    if isinstance(obj, dict):
        return {k: finite_or_none(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [finite_or_none(v) for v in obj]
    if isinstance(obj, float) and not _np.isfinite(obj):
        return None
    return obj


def requested_variants(args, known, quick_prefix):
    """The --variants list (all of `known` with --quick, whose data go to a
    fresh temporary --data-dir), checked against `known`; makes --data-dir."""
    if args.quick:
        args.variants = ",".join(known)
        args.data_dir = tempfile.mkdtemp(prefix=quick_prefix)
    os.makedirs(args.data_dir, exist_ok=True)
    requested = [v for v in args.variants.split(",") if v]
    unknown = [v for v in requested if v not in known]
    if unknown:
        sys.exit(f"unknown variant(s) {', '.join(unknown)}; known: {', '.join(known)}")
    return requested
