"""Scale-out on one machine, as deploy/k8s runs it: three sorn-server
replicas, each with its own data dir, behind Debian's nginx configured as the
Ingress is (grpc_pass, hash $http_x_sorn_session consistent, no retry on
another replica). Every call of a session reaches one replica (its
x-sorn-replica answer says which); a replica killed with SIGKILL and
restarted has its sessions back, and the other replicas' sessions are served
without a failed call all the while."""

import os
import shutil
import subprocess
import threading
import time

import grpc
import pytest

from harness import Server, free_port

import sorn_client

REPLICAS = 3
SESSIONS = 30


class Nginx:
    """Debian's nginx in front of `ports`, configured like ingress.yaml."""

    def __init__(self, directory, ports):
        self.port = free_port()
        self.address = f"127.0.0.1:{self.port}"
        servers = "\n".join(f"    server 127.0.0.1:{p} max_fails=0;" for p in ports)
        user = "user root;" if os.geteuid() == 0 else ""
        conf = os.path.join(directory, "nginx.conf")
        with open(conf, "w") as f:
            f.write(f"""{user}
worker_processes 1;
daemon off;
pid {directory}/nginx.pid;
error_log {directory}/error.log warn;
events {{ worker_connections 1024; }}
http {{
  # What the test checks: method, x-sorn-session, replica, HTTP status.
  log_format calls '$request_uri|$http_x_sorn_session|$upstream_addr|$status';
  access_log {directory}/access.log calls;
  client_body_temp_path {directory}/client_body;
  proxy_temp_path {directory}/proxy;
  fastcgi_temp_path {directory}/fastcgi;
  uwsgi_temp_path {directory}/uwsgi;
  scgi_temp_path {directory}/scgi;
  upstream sorn {{
    hash $http_x_sorn_session consistent;
{servers}
  }}
  server {{
    listen 127.0.0.1:{self.port} http2;
    client_max_body_size 0;
    location / {{
      grpc_pass grpc://sorn;
      grpc_next_upstream off;
      grpc_read_timeout 3600s;
      grpc_send_timeout 3600s;
    }}
  }}
}}
""")
        self.process = subprocess.Popen(
            [shutil.which("nginx") or "/usr/sbin/nginx", "-p", directory, "-c", conf,
             "-e", os.path.join(directory, "error.log")],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 10
        while not os.path.exists(os.path.join(directory, "nginx.pid")):
            if time.time() > deadline:
                raise RuntimeError(open(os.path.join(directory, "error.log")).read())
            time.sleep(0.1)

        self.log = os.path.join(directory, "access.log")

    def calls(self):
        """[(method, x-sorn-session, upstream address, HTTP status)] so far
        (nginx writes a line when a call ends)."""
        with open(self.log) as f:
            return [tuple(line.rstrip("\n").rsplit("|", 3)) for line in f if line.strip()]

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=10)


def replica_flags(directory, index, port=0):
    return [f"--port={port}", f"--data_dir={directory}/replica-{index}",
            f"--replica_id=replica-{index}", "--log_rpcs=false"]


@pytest.fixture
def cluster(tmp_path):
    replicas = [Server(replica_flags(tmp_path, i)) for i in range(REPLICAS)]
    nginx = Nginx(str(tmp_path), [r.port for r in replicas])
    yield replicas, nginx
    nginx.stop()
    for r in replicas:
        r.stop()


def every_call(client, name, seed):
    """Creates session `name` through the proxy and makes every kind of call
    on it; the set of replicas that answered."""
    seen = set()

    def note():
        seen.add(client.last_replica)

    session = client.create_session(name, seed=seed, ne=60, record_buffer_steps=100)
    note()
    session.run(timesteps=25)  # Simulate
    note()
    session.run(timesteps=5, train=True)  # Train
    note()
    nu = session.info().params.nu
    with session.steps() as stream:  # Step, a bidirectional stream
        for _ in range(3):
            stream.step([0.0] * nu)
    note()
    session.info()
    note()
    session.statistics()
    note()
    session.freeze(["ip"])
    note()
    session.export_state()
    note()
    return seen


def test_sessions_stick_to_replicas_and_survive_a_replica_restart(cluster, tmp_path):
    replicas, nginx = cluster
    client = sorn_client.Client(nginx.address)
    home = {}
    for k in range(SESSIONS):
        name = f"session-{k:02d}"
        seen = every_call(client, name, seed=k)
        assert len(seen) == 1 and None not in seen, (name, seen)
        home[name] = seen.pop()
    assert set(home.values()) == {f"replica-{i}" for i in range(REPLICAS)}
    # The sessions really live where they said: ask each replica directly.
    for i, replica in enumerate(replicas):
        held = {s.name for s in sorn_client.Client(replica.address).list_sessions()}
        assert held == {n for n, h in home.items() if h == f"replica-{i}"}

    victim = 0
    lost = sorted(n for n, h in home.items() if h == f"replica-{victim}")
    kept = sorted(n for n, h in home.items() if h != f"replica-{victim}")
    steps_before = {n: client.session(n).info().step for n in lost}

    # The other replicas' sessions keep running through the kill and restart.
    stop = threading.Event()
    failures, calls = [], []

    def drive(name):
        own = sorn_client.Client(nginx.address)
        session = own.session(name)
        while not stop.is_set():
            try:
                session.run(timesteps=200)
                calls.append((name, own.last_replica, time.time()))
            except grpc.RpcError as e:
                failures.append((name, e.code(), e.details()))

    drivers = [threading.Thread(target=drive, args=(n,)) for n in kept[:4]]
    for d in drivers:
        d.start()
    time.sleep(0.5)
    replicas[victim].kill()  # SIGKILL: no chance to save anything more.
    killed_at = time.time()
    with pytest.raises(grpc.RpcError) as outage:
        client.session(lost[0]).info()
    # Not routed elsewhere (that replica would say NOT_FOUND): unavailable.
    assert outage.value.code() == grpc.StatusCode.UNAVAILABLE
    time.sleep(1.0)
    replicas[victim] = Server(replica_flags(tmp_path, victim, replicas[victim].port))
    restarted_at = time.time()
    for name in lost:
        info = client.session(name).info()
        assert client.last_replica == f"replica-{victim}"
        assert info.step == steps_before[name]
        client.session(name).run(timesteps=10)
        assert client.session(name).info().step == steps_before[name] + 10
    time.sleep(0.5)
    stop.set()
    for d in drivers:
        d.join(timeout=60)
    assert failures == []
    during_outage = [c for c in calls if killed_at < c[2] < restarted_at]
    assert len(during_outage) >= len(drivers)
    for name, replica, _ in calls:
        assert replica == home[name]


# Calls about no one session; every other method names one.
NOT_SESSION_CALLS = {"ListSessions"}


def test_every_client_names_the_session_on_every_session_call(cluster, tmp_path):
    replicas, nginx = cluster
    # Python: every call, and a copy by export + import (routed by each name).
    client = sorn_client.Client(nginx.address)
    every_call(client, "python-client", seed=1)
    data = client.session("python-client").export_state()
    client.import_state(data, "python-copy")
    client.list_sessions()
    client.session("python-copy").delete()
    client.session("python-client").delete()
    # C++: sornctl, through the C++ client library.
    ctl = [os.environ["SORNCTL"], f"--address={nginx.address}"]
    for args in (["create", "cpp-client", "--ne=60", "--seed=2"],
                 ["simulate", "cpp-client", "--steps=20", "--generate=uniform", "--quiet"],
                 ["train", "cpp-client", "--steps=5", "--quiet"],
                 ["freeze", "cpp-client", "--freeze=ip"],
                 ["stats", "cpp-client"],
                 ["get", "cpp-client"],
                 ["export", "cpp-client", str(tmp_path / "cpp.npz")],
                 ["import", str(tmp_path / "cpp.npz"), "cpp-copy"],
                 ["get", "cpp-copy"],
                 ["list"],
                 ["delete", "cpp-copy"],
                 ["delete", "cpp-client"]):
        result = subprocess.run(ctl + args, capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, (args, result.stdout, result.stderr)
    # Node.js.
    node = subprocess.run(
        ["node", os.path.join(os.path.dirname(__file__), "node_session_calls.js"),
         nginx.address, "node-client"], capture_output=True, text=True, timeout=60)
    assert node.returncode == 0, node.stdout + node.stderr

    time.sleep(0.5)  # nginx logs a call when it ends.
    calls = nginx.calls()
    upstreams = {}
    methods = set()
    for uri, session, upstream, status in calls:
        method = uri.rsplit("/", 1)[-1]
        methods.add(method)
        assert status == "200", (uri, session, upstream, status)
        if method in NOT_SESSION_CALLS:
            continue
        assert session not in ("", "-"), f"{uri} without x-sorn-session"
        upstreams.setdefault(session, set()).add(upstream)
    for session, where in upstreams.items():
        assert len(where) == 1, (session, where)
    assert set(upstreams) == {"python-client", "python-copy", "cpp-client",
                              "cpp-copy", "node-client"}
    assert {"CreateSession", "GetSession", "DeleteSession", "Simulate", "Train",
            "Step", "Freeze", "GetStatistics", "ExportState", "ImportState",
            "ListSessions"} <= methods
