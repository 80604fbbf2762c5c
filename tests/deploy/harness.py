"""Processes the deployment tests start for real: sorn-server replicas
($SORN_SERVER), Debian's Prometheus and nginx."""

import json
import os
import re
import socket
import subprocess
import time
import urllib.parse
import urllib.request

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """One sorn-server process; `args` are its flags. Reads stdout up to the
    listening line and keeps the addresses it printed."""

    def __init__(self, args):
        self.args = list(args)
        self.process = subprocess.Popen(
            [os.environ["SORN_SERVER"], *self.args], stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL, text=True)
        lines = []
        while not lines or "listening on" not in lines[-1]:
            lines.append(self.process.stdout.readline())
            if not lines[-1]:
                break
        self.banner = "".join(lines)
        listening = re.search(r"listening on ([\d.]+):(\d+)", self.banner)
        metrics = re.search(r"metrics on ([\d.]+):(\d+)", self.banner)
        if not listening:
            self.kill()
            raise RuntimeError(f"sorn-server did not start: {self.banner!r}")
        self.port = int(listening.group(2))
        self.address = f"127.0.0.1:{self.port}"
        self.metrics_port = int(metrics.group(2)) if metrics else None

    def kill(self):
        self.process.kill()
        self.process.wait(timeout=10)

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)


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
