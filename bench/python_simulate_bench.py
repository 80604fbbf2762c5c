"""Simulate streaming into NumPy arrays through the Python client, against the
engine's in-process rate measured in the same run (service_bench
--inprocess). Prints both and their ratio (target >= 0.5).

    SORN_SERVER=build/server/sorn-server PYTHONPATH=client/python:build/python \\
      python3 bench/python_simulate_bench.py --steps=1000000 \\
      --service_bench=build/bench/service_bench
"""

import argparse
import re
import subprocess
import sys
import time

import sorn_client
from sorn_client.server import ServerStartError, start_server


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=1_000_000)
    parser.add_argument("--service_bench", required=True)
    args = parser.parse_args()
    try:
        # $SORN_SERVER (else sorn-server on PATH) on a free port; its stderr
        # (warnings; the RPC log is off) shows as the bench's.
        server = start_server("--log_rpcs=false", echo=sys.stderr)
    except (OSError, ServerStartError) as e:
        sys.exit(f"sorn-server did not start: {e}")
    with server:
        client = sorn_client.Client(server.address)
        session = client.create_session("py-stream", seed=5, ne=200)
        start = time.perf_counter()
        out = session.run(timesteps=args.steps, generated={"kind": "UNIFORM", "seed": 6})
        seconds = time.perf_counter() - start
        assert out["x"].shape == (args.steps, 200), out["x"].shape
        assert out["y"].shape == (args.steps, 40) and out["r"].shape == (args.steps, 200)
        assert out["ee_conn"].shape == (args.steps,)
    rate = args.steps / seconds
    inprocess = subprocess.run([args.service_bench, f"--inprocess={args.steps}"],
                               capture_output=True, text=True, check=True).stdout
    engine = float(re.search(r"([\d.]+) steps/s", inprocess).group(1))
    print(f"{args.steps} steps of x, y, r and counts, ne=200, into NumPy arrays")
    print(f"python client: {rate:.0f} steps/s; in-process Network::Step: {engine:.0f}"
          f" steps/s; ratio {rate / engine:.2f} (target >= 0.5)")


if __name__ == "__main__":
    main()
