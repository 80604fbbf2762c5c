"""What the three experiments share: command-line options, a sorn-server to
talk to (a private one on a free loopback port unless --address is given),
and writing results (JSON next to the PNG figures)."""

import argparse
import contextlib
import json
import os
import sys

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
