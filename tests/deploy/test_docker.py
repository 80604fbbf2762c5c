"""The Dockerfile and deploy/docker-compose.yml, checked without Docker (it
cannot run on these machines): the image builds as CI does, carries the
libraries the binaries need, and its default command, health check and the
compose file's Prometheus and Grafana work against a real server."""

import json
import os
import re
import shlex
import subprocess
import time

import pytest
import yaml

from harness import REPO, Prometheus, Server

import sorn_client


def dockerfile_stages():
    """[(base, [(instruction, argument text)])] of the Dockerfile."""
    text = open(os.path.join(REPO, "Dockerfile")).read()
    text = re.sub(r"\\\n", " ", text)  # continuation lines
    stages = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        instruction, _, argument = line.partition(" ")
        if instruction.upper() == "FROM":
            stages.append((argument, []))
        else:
            stages[-1][1].append((instruction.upper(), " ".join(argument.split())))
    return stages


def ci_commands():
    """The README test command (as .ci/run reads it), split at &&."""
    lines = open(os.path.join(REPO, "README.md")).read().splitlines()
    marker = lines.index("<!-- test-command -->")
    command = lines[marker + 2]
    return [c.strip() for c in command.split("&&")]


def exec_form(argument):
    return json.loads(argument) if argument.startswith("[") else shlex.split(argument)


def test_build_stage_installs_and_builds_as_ci_does():
    ci = ci_commands()
    install, configure, build = ci[0], ci[1], ci[2]
    assert install == "bash deploy/install-deps.sh"
    assert configure.startswith("cmake -S . -B build")
    assert build.startswith("cmake --build build")
    stages = dockerfile_stages()
    assert len(stages) == 2, "multi-stage: build, then runtime"
    runs = [a for i, a in stages[0][1] if i == "RUN"]
    joined = " && ".join(runs)
    # The same commands, in the same order.
    positions = [joined.find(c) for c in (install, configure, build)]
    assert -1 not in positions, (runs, ci[:3])
    assert positions == sorted(positions)


def runtime_packages_needed():
    """Debian packages of the libraries sorn-server and sornctl link."""
    libraries = set()
    for binary in (os.environ["SORN_SERVER"], os.environ["SORNCTL"]):
        ldd = subprocess.run(["ldd", binary], capture_output=True, text=True,
                             check=True).stdout
        libraries.update(re.findall(r"=> (/\S+)", ldd))
    # dpkg knows a file by the path its package installed it at, which may be
    # under /usr (merged /usr) or the link's target.
    candidates = {lib: {lib, "/usr" + lib, os.path.realpath(lib)} for lib in libraries}
    owners = subprocess.run(["dpkg", "-S", *set().union(*candidates.values())],
                            capture_output=True, text=True).stdout
    owner_of = {}
    for line in owners.splitlines():
        package, _, path = line.partition(": ")
        owner_of[path] = package.split(":")[0]
    packages = set()
    for lib, paths in candidates.items():
        found = [owner_of[p] for p in paths if p in owner_of]
        assert found, f"no Debian package owns {lib}"
        packages.add(found[0])
    # In every Debian base image.
    return packages - {"libc6", "libgcc-s1"}


def test_runtime_stage_has_the_libraries_and_runs_unprivileged():
    base, instructions = dockerfile_stages()[1]
    assert base.startswith("debian:bookworm")
    run = " ".join(a for i, a in instructions if i == "RUN")
    installed = set(re.search(r"apt-get install -y --no-install-recommends ([^&]+)",
                              run).group(1).split())
    assert runtime_packages_needed() <= installed
    assert not any(p.endswith("-dev") for p in installed)
    copies = [a for i, a in instructions if i == "COPY"]
    assert copies == ["--from=build /src/build/server/sorn-server "
                      "/src/build/client/cpp/sornctl /usr/local/bin/"]
    users = [a for i, a in instructions if i == "USER"]
    assert users and users[-1].split(":")[0] not in ("root", "0")
    assert "--uid 10001" in run
    volumes = [a for i, a in instructions if i == "VOLUME"]
    assert volumes == ["/var/lib/sorn"]
    exposed = " ".join(a for i, a in instructions if i == "EXPOSE").split()
    assert exposed == ["50051", "9464"]


def test_default_command_and_health_check_work(tmp_path):
    _, instructions = dockerfile_stages()[1]
    entrypoint = exec_form(dict(instructions)["ENTRYPOINT"])
    command = exec_form(dict(instructions)["CMD"])
    assert entrypoint == ["sorn-server"]
    assert "--data_dir=/var/lib/sorn" in command
    assert "--metrics_port=9464" in command and "--port=50051" in command
    health = dict(instructions)["HEALTHCHECK"]
    probe = exec_form(health[health.index("CMD") + 4:])
    assert probe[0] == "sornctl" and probe[-1] == "health"
    assert "--address=127.0.0.1:50051" in probe
    # The same flags with this machine's paths and free ports.
    local = {"--data_dir": str(tmp_path / "data"), "--port": "0",
             "--metrics_port": "0"}
    flags = [f"{f.split('=')[0]}={local[f.split('=')[0]]}"
             if f.split("=")[0] in local else f for f in command]
    server = Server(flags)
    try:
        assert "listening on 0.0.0.0:" in server.banner
        assert server.metrics_port is not None
        probe = [os.environ["SORNCTL"] if p == "sornctl" else
                 f"--address={server.address}" if p.startswith("--address")
                 else p for p in probe]
        result = subprocess.run(probe, capture_output=True, text=True, timeout=10)
        assert result.returncode == 0, result.stderr
        server.kill()
        result = subprocess.run(probe, capture_output=True, text=True, timeout=30)
        assert result.returncode != 0  # the check fails on a dead server.
    finally:
        server.stop()


def compose():
    return yaml.safe_load(open(os.path.join(REPO, "deploy", "docker-compose.yml")))


def test_compose_wires_server_prometheus_and_grafana():
    c = compose()
    deploy = os.path.join(REPO, "deploy")
    assert set(c["services"]) == {"sorn-server", "prometheus", "grafana"}
    server = c["services"]["sorn-server"]
    context = os.path.normpath(os.path.join(deploy, server["build"]["context"]))
    assert os.path.isfile(os.path.join(context, server["build"]["dockerfile"]))
    assert "50051:50051" in server["ports"]
    assert any(v.endswith(":/var/lib/sorn") for v in server["volumes"])
    assert "--metrics_port=9464" in server["command"]
    for name in ("prometheus", "grafana"):
        for volume in c["services"][name]["volumes"]:
            source = volume.split(":")[0]
            if source.startswith("./"):
                assert os.path.exists(os.path.join(deploy, source)), volume
    config = yaml.safe_load(open(os.path.join(deploy, "prometheus", "prometheus.yml")))
    targets = config["scrape_configs"][0]["static_configs"][0]["targets"]
    assert targets == ["sorn-server:9464"]
    check = subprocess.run(["promtool", "check", "config",
                            os.path.join(deploy, "prometheus", "prometheus.yml")],
                           capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    datasource = yaml.safe_load(open(os.path.join(
        deploy, "grafana", "provisioning", "datasources", "prometheus.yml")))
    assert datasource["datasources"][0]["url"] == "http://prometheus:9090"


def dashboard():
    path = os.path.join(REPO, "deploy", "grafana", "dashboards", "sorn-server.json")
    return json.load(open(path))


def dashboard_queries(instance=".*"):
    """Each panel's queries with the $instance variable set as Grafana would:
    ".*" for All (its allValue), else one instance's regex."""
    return {p["title"]: [t["expr"].replace("$instance", instance) for t in p["targets"]]
            for p in dashboard()["panels"]}


def test_dashboard_has_datasource_and_instance_variables():
    board = dashboard()
    variables = {v["name"]: v for v in board["templating"]["list"]}
    assert variables["datasource"]["type"] == "datasource"
    assert variables["datasource"]["query"] == "prometheus"
    instance = variables["instance"]
    assert instance["definition"] == "label_values(sorn_build_info, instance)"
    assert instance["includeAll"] and instance["allValue"] == ".*"
    for panel in board["panels"]:
        assert panel["datasource"]["uid"] == "${datasource}", panel["title"]
        for target in panel["targets"]:
            assert 'instance=~"$instance"' in target["expr"], (panel["title"], target["expr"])


def test_every_dashboard_panel_shows_data_from_a_real_server(tmp_path):
    panels = dashboard_queries()
    for wanted in ("Steps per second by tenant", "Sessions by tenant",
                   "Step latency", "Errors by code"):
        assert wanted in panels
    server = Server(["--port=0", "--metrics_port=0", "--log_rpcs=false",
                     f"--data_dir={tmp_path / 'data'}", "--checkpoint_every_steps=500"])
    prometheus = Prometheus(str(tmp_path), (
        "global: {scrape_interval: 1s}\n"
        "scrape_configs:\n"
        "  - job_name: sorn-server\n"
        f"    static_configs: [{{targets: ['127.0.0.1:{server.metrics_port}']}}]\n"))
    try:
        assert prometheus.wait_for("up")
        client = sorn_client.Client(server.address)
        session = client.create_session("watched", seed=1, ne=100)
        end = time.time() + 5
        while time.time() < end:  # traffic across several scrapes
            session.run(timesteps=1000)
            with pytest.raises(Exception):
                client.session("missing").info()
            time.sleep(0.2)
        for title, exprs in panels.items():
            for expr in exprs:
                result = prometheus.wait_for(expr, seconds=20)
                assert result, f"panel {title!r}: {expr} has no data"
                for sample in result:
                    assert float(sample["value"][1]) >= 0, (title, sample)
        errors = prometheus.query(panels["Errors by code"][0])
        assert [r["metric"]["code"] for r in errors] == ["NOT_FOUND"]
        # The instance variable's query lists the server, and choosing it
        # (or another instance) scopes the panels.
        instances = prometheus.query("group by (instance) (sorn_build_info)")
        assert [r["metric"]["instance"] for r in instances] == [f"127.0.0.1:{server.metrics_port}"]
        this = dashboard_queries(instance=f"127.0.0.1:{server.metrics_port}")
        assert prometheus.wait_for(this["Steps per second by tenant"][0])
        assert prometheus.wait_for(this["Resident memory by instance"][0])
        other = dashboard_queries(instance="10.9.9.9:1")
        assert prometheus.query(other["Sessions by tenant"][0]) == []
    finally:
        prometheus.stop()
        server.stop()
