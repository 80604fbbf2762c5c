"""Processes the deployment tests start for real: sorn-server replicas
($SORN_SERVER), Debian's Prometheus and nginx."""

import json
import os
import socket
import subprocess
import time
import urllib.parse
import urllib.request

from sorn_client.server import start_server

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def Server(args):
    """One sorn-server process ($SORN_SERVER); `args` are all its flags, as
    given (port=None: start_server adds no --port). A LocalServer of
    sorn_client.server: .banner is its stdout up to the listening line,
    .address 127.0.0.1:port (also with --host=0.0.0.0), .metrics_port None
    without --metrics_port, .kill() SIGKILL, .stop() SIGTERM; a RuntimeError
    (ServerStartError) when it does not start."""
    return start_server(*args, binary=os.environ["SORN_SERVER"], port=None)


class Prometheus:
    """Debian's Prometheus with the given scrape config text."""

    def __init__(self, directory, config_text):
        self.port = free_port()
        config = os.path.join(directory, "prometheus.yml")
        with open(config, "w") as f:
            f.write(config_text)
        self.process = subprocess.Popen(
            ["prometheus", f"--config.file={config}",
             f"--storage.tsdb.path={os.path.join(directory, 'tsdb')}",
             f"--web.listen-address=127.0.0.1:{self.port}"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def query(self, expr):
        """The result vector of an instant query; [] while starting."""
        url = (f"http://127.0.0.1:{self.port}/api/v1/query?" +
               urllib.parse.urlencode({"query": expr}))
        try:
            with urllib.request.urlopen(url, timeout=5) as r:
                body = json.load(r)
        except OSError:
            return []
        assert body["status"] == "success", body
        return body["data"]["result"]

    def wait_for(self, expr, predicate=bool, seconds=60):
        deadline = time.time() + seconds
        result = []
        while time.time() < deadline:
            result = self.query(expr)
            if predicate(result):
                return result
            time.sleep(0.5)
        return result

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=30)
