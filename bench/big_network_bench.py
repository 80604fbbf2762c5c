"""A network of a million excitatory neurons on one server, end to end: the
memory the server estimates before building it against what the process
really holds, the time to create it, steps/s of its step (one core), and the
time to checkpoint it to --data_dir and to restore it in a fresh server.

E->I and I->E connectivity must be sparse at this size: dense Wie would be
ne x ni = 10^6 x 2 x 10^5 doubles (1.6 TB). Here every inhibitory neuron has
--lambda-ie (100) excitatory inputs and --lambda-ei (40) excitatory targets,
every excitatory neuron lambda_ee = 20 inputs; no input (nu = 0), noise and
every plasticity rule on.

    SORN_SERVER=build/server/sorn-server PYTHONPATH=client/python:build/python \\
      python3 bench/big_network_bench.py --ne=1000000 --steps=100

Resident memory is read from /proc (VmRSS now, VmHWM the peak), so Linux only.
"""

import argparse
import os
import shutil
import tempfile
import time

import sorn_client
from sorn_client.server import start_server
from sorn_client_pb import sorn_pb2 as pb


def memory_mb(pid):
    """(resident, peak resident) of process `pid`, in MB."""
    values = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            key, _, rest = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                values[key] = int(rest.split()[0]) / 1024
    return values["VmRSS"], values["VmHWM"]


def timed(what, call):
    start = time.perf_counter()
    result = call()
    seconds = time.perf_counter() - start
    print(f"{what}: {seconds:.2f} s")
    return result, seconds


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ne", type=int, default=1_000_000)
    parser.add_argument("--steps", type=int, default=100, help="steps timed")
    parser.add_argument("--warmup", type=int, default=20, help="steps before timing")
    parser.add_argument("--lambda-ie", type=int, default=100)
    parser.add_argument("--lambda-ei", type=int, default=40)
    parser.add_argument("--server", default=os.environ.get("SORN_SERVER"))
    args = parser.parse_args()
    data_dir = tempfile.mkdtemp(prefix="sorn-big-")
    flags = ("--log_rpcs=false", f"--max_ne={args.ne}", f"--data_dir={data_dir}",
             f"--max_steps_per_call={max(args.steps, args.warmup)}")
    params = dict(ne=args.ne, nu=0, h_ip=0.1, network_type_ie="SPARSE",
                  lambda_ie=args.lambda_ie, lambda_ei=args.lambda_ei)
    counts = pb.RecordSelection(counts=True)
    try:
        with start_server(*flags, binary=args.server) as server:
            client = sorn_client.connect(server.address)
            session, create_s = timed("create", lambda: client.create_session(
                "big", seed=1, record_buffer_steps=0, **params))
            info = session.created
            rss, peak = memory_mb(server.process.pid)
            print(f"ne {info.ne}, ni {info.ni}; synapses Wee {info.ee_connections:,}, "
                  f"Wei {info.ei_connections:,}, Wie {info.ie_connections:,}")
            print(f"estimated before building: {info.memory_bytes / 2**20:,.0f} MB; "
                  f"resident after: {rss:,.0f} MB (peak while building {peak:,.0f} MB)")
            # Each call ends with a checkpoint (--data_dir): time it apart.
            timed("warm-up and its checkpoint", lambda: session.run(
                timesteps=args.warmup, record=counts))
            out, run_s = timed(f"{args.steps} steps and their checkpoint", lambda: session.run(
                timesteps=args.steps, record=counts))
            size_mb = sum(os.path.getsize(os.path.join(root, f))
                          for root, _, files in os.walk(data_dir) for f in files) / 2**20
            # The checkpoint alone: a call of one step writes it again.
            _, one_s = timed("1 step and its checkpoint", lambda: session.run(
                timesteps=1, record=counts))
            step_rate = args.steps / max(run_s - one_s, 1e-9)
            rss, peak = memory_mb(server.process.pid)
            print(f"steps/s (checkpoint time subtracted): {step_rate:.2f}; "
                  f"checkpoint file {size_mb:,.0f} MB; resident {rss:,.0f} MB, "
                  f"peak {peak:,.0f} MB; mean active {out['x'].mean() if out['x'].size else 0:.4f}")
            before = session.info()
            client.close()
        # The server restores --data_dir's sessions before it listens.
        started = time.perf_counter()
        with start_server(*flags, binary=args.server) as server:
            client = sorn_client.connect(server.address)
            restored = client.session("big").info()
            restore_s = time.perf_counter() - started
            print(f"restart until the session answers: {restore_s:.2f} s")
            assert restored.step == before.step, (restored.step, before.step)
            assert restored.ee_connections == before.ee_connections
            rss, peak = memory_mb(server.process.pid)
            print(f"restored at step {restored.step} with {restored.ee_connections:,} Wee "
                  f"synapses; resident {rss:,.0f} MB, peak {peak:,.0f} MB")
            client.close()
        print(f"summary: ne {args.ne:,}: create {create_s:.1f} s, {step_rate:.2f} steps/s, "
              f"checkpoint {one_s:.1f} s ({size_mb:,.0f} MB), restore {restore_s:.1f} s")
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
