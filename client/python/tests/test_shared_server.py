"""A shared server as a lab runs it: TLS, bearer tokens, and metrics scraped
by a real Prometheus (Debian's `prometheus`), all through the Python client."""

import json
import re
import shutil
import socket
import subprocess
import time
import urllib.parse
import urllib.request

import grpc
import pytest

import sorn_client
from sorn_client.server import start_server

TOKEN = "lab-token-0123456789abcdef"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    """A CA and a server certificate for localhost, made with openssl."""
    d = tmp_path_factory.mktemp("pki")
    run = lambda *args: subprocess.run(args, cwd=d, check=True, capture_output=True)
    (d / "san.ext").write_text("subjectAltName=DNS:localhost,IP:127.0.0.1\n")
    run("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
        "-subj", "/CN=lab-ca", "-keyout", "ca.key", "-out", "ca.pem")
    run("openssl", "req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=server",
        "-keyout", "server.key", "-out", "server.csr")
    run("openssl", "x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey",
        "ca.key", "-CAcreateserial", "-days", "2", "-extfile", "san.ext", "-out",
        "server.pem")
    return d


@pytest.fixture(scope="module")
def shared_server(server_binary, pki, tmp_path_factory):
    d = tmp_path_factory.mktemp("shared")
    (d / "tokens").write_text(f"{TOKEN} lab user sessions=10 streams=4\n")
    with start_server(
            "--metrics_port=0", f"--auth_tokens={d / 'tokens'}",
            f"--data_dir={d / 'data'}", f"--tls_cert={pki / 'server.pem'}",
            f"--tls_key={pki / 'server.key'}", binary=server_binary) as server:
        # "loaded ...", "metrics on ...", then "listening on ...".
        m = re.search(r"metrics on 127\.0\.0\.1:(\d+)", server.banner)
        l = re.search(r"listening on 127\.0\.0\.1:(\d+) \(TLS; bearer tokens of 1 tenant",
                      server.banner)
        if not (m and l):
            pytest.fail(f"sorn-server did not start: {server.banner!r}")
        # localhost: the name the certificate is for.
        yield {"address": f"localhost:{server.port}",
               "metrics_port": server.metrics_port, "ca": str(pki / "ca.pem")}


def test_tls_and_token_through_the_python_client(shared_server):
    client = sorn_client.Client(shared_server["address"], token=TOKEN,
                                tls_ca=shared_server["ca"])
    session = client.create_session("tls-run", seed=3, ne=100)
    x = session.run(timesteps=50)["x"]
    assert x.shape == (50, 100)
    info = client.session("tls-run").info()
    assert (info.step, info.tenant) == (50, "lab")

    stranger = sorn_client.Client(shared_server["address"], token="x" * 20,
                                  tls_ca=shared_server["ca"])
    with pytest.raises(grpc.RpcError) as error:
        stranger.session("tls-run").info()
    assert error.value.code() == grpc.StatusCode.UNAUTHENTICATED
    assert "x" * 20 not in error.value.details()


def query(prometheus, expr):
    url = f"http://{prometheus}/api/v1/query?" + urllib.parse.urlencode({"query": expr})
    with urllib.request.urlopen(url, timeout=5) as r:
        body = json.load(r)
    assert body["status"] == "success", body
    return body["data"]["result"]


@pytest.mark.skipif(shutil.which("prometheus") is None,
                    reason="Debian's prometheus is installed by deploy/install-deps.sh")
def test_prometheus_scrapes_the_step_count(shared_server, tmp_path):
    client = sorn_client.Client(shared_server["address"], token=TOKEN,
                                tls_ca=shared_server["ca"])
    session = client.create_session("scraped", seed=4, ne=100)
    session.run(timesteps=1234)
    with session.steps() as stream:
        for _ in range(66):
            stream.step([0.0] * 10)
    # All steps of tenant "lab" so far, from both tests of this module.
    expected = 1234 + 66 + 50

    port = free_port()
    (tmp_path / "prometheus.yml").write_text(
        "global: {scrape_interval: 1s}\n"
        "scrape_configs:\n"
        "  - job_name: sorn\n"
        f"    static_configs: [{{targets: ['127.0.0.1:{shared_server['metrics_port']}']}}]\n")
    prometheus = subprocess.Popen(
        ["prometheus", f"--config.file={tmp_path / 'prometheus.yml'}",
         f"--storage.tsdb.path={tmp_path / 'tsdb'}",
         f"--web.listen-address=127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.time() + 60
        steps = None
        while time.time() < deadline:
            try:
                result = query(f"127.0.0.1:{port}", 'sorn_steps_total{tenant="lab"}')
                if result:
                    steps = float(result[0]["value"][1])
                    if steps == expected:
                        break
            except OSError:
                pass  # Prometheus is still starting.
            time.sleep(0.5)
        assert steps == expected
        ok = query(f"127.0.0.1:{port}",
                   'sorn_rpcs_total{method="Simulate",code="OK"}')
        assert float(ok[0]["value"][1]) == 2
        latency = query(f"127.0.0.1:{port}", "sorn_step_seconds_count")
        assert float(latency[0]["value"][1]) == expected
        sessions = query(f"127.0.0.1:{port}", 'sorn_sessions{tenant="lab"}')
        assert float(sessions[0]["value"][1]) == 2
        checkpoints = query(f"127.0.0.1:{port}", "sorn_checkpoint_seconds_count")
        assert float(checkpoints[0]["value"][1]) >= 4
        streamed = query(f"127.0.0.1:{port}",
                         'sorn_streamed_bytes_total{method="Step"}')
        assert float(streamed[0]["value"][1]) > 66 * (100 // 8)
    finally:
        prometheus.terminate()
        prometheus.wait(timeout=30)
