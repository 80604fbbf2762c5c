"""What the three experiments share: command-line options, a sorn-server to
talk to (a private one on a free loopback port unless --address is given),
and writing results (JSON next to the PNG figures)."""

import argparse
import contextlib
import json
import os
import re
import subprocess
import sys

import sorn_client

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
    process = subprocess.Popen([args.server, "--port=0", "--log_rpcs=false"],
                               stdout=subprocess.PIPE, text=True)
    try:
        line = process.stdout.readline()
        match = re.search(r"listening on (127\.0\.0\.1:\d+)", line)
        if not match:
            sys.exit(f"sorn-server did not start: {line!r}")
        yield sorn_client.connect(match.group(1))
    finally:
        process.terminate()
        process.wait(timeout=30)


def save_json(args, name, results):
    path = os.path.join(args.out, name)
    with open(path, "w") as f:
        json.dump(results, f, indent=1, sort_keys=True)
    print(f"wrote {path}")
