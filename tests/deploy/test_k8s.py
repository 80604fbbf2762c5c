"""deploy/k8s: every manifest parses, the objects refer to each other
consistently (selectors, labels, ports, probes, volumes, the hash
annotation), and the flags and tokens they give the server start a real
sorn-server."""

import glob
import os
import shutil
import subprocess

import pytest
import yaml

from harness import REPO, Server

K8S = os.path.join(REPO, "deploy", "k8s")


def objects():
    found = {}
    for path in sorted(glob.glob(os.path.join(K8S, "*.yaml"))):
        if path.endswith("kustomization.yaml"):
            continue
        for doc in yaml.safe_load_all(open(path)):
            found[(doc["kind"], doc["metadata"]["name"])] = doc
    return found


def test_kustomization_lists_every_manifest():
    kustomization = yaml.safe_load(open(os.path.join(K8S, "kustomization.yaml")))
    files = {os.path.basename(p) for p in glob.glob(os.path.join(K8S, "*.yaml"))}
    assert set(kustomization["resources"]) == files - {"kustomization.yaml"}
    assert kustomization["namespace"] == "sorn"
    kinds = sorted(kind for kind, _ in objects())
    assert kinds == sorted(["Namespace", "ConfigMap", "Secret", "Service", "Service",
                            "StatefulSet", "PodDisruptionBudget", "Ingress"])


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl not installed")
def test_kubectl_renders_the_kustomization():
    rendered = subprocess.run(["kubectl", "kustomize", K8S], capture_output=True,
                              text=True)
    assert rendered.returncode == 0, rendered.stderr
    docs = list(yaml.safe_load_all(rendered.stdout))
    assert len(docs) == 8
    assert all(d["metadata"].get("namespace") == "sorn"
               for d in docs if d["kind"] != "Namespace")


def test_statefulset_services_and_budget_select_the_same_pods():
    o = objects()
    sts = o[("StatefulSet", "sorn-server")]
    spec = sts["spec"]
    assert spec["replicas"] == 3
    labels = spec["template"]["metadata"]["labels"]
    match = spec["selector"]["matchLabels"]
    assert match.items() <= labels.items()
    headless = o[("Service", spec["serviceName"])]
    assert headless["spec"]["clusterIP"] == "None"
    for service in (headless, o[("Service", "sorn-server")]):
        assert service["spec"]["selector"].items() <= labels.items()
    pdb = o[("PodDisruptionBudget", "sorn-server")]
    assert pdb["spec"]["selector"]["matchLabels"].items() <= labels.items()
    assert pdb["spec"]["maxUnavailable"] == 1
    # One persistent volume per replica, mounted as the data dir.
    claim = spec["volumeClaimTemplates"][0]
    assert claim["spec"]["accessModes"] == ["ReadWriteOnce"]
    container = spec["template"]["spec"]["containers"][0]
    mounts = {m["name"]: m["mountPath"] for m in container["volumeMounts"]}
    assert mounts[claim["metadata"]["name"]] == "/var/lib/sorn"


def test_ports_probes_and_resources():
    o = objects()
    pod = o[("StatefulSet", "sorn-server")]["spec"]["template"]
    container = pod["spec"]["containers"][0]
    ports = {p["name"]: p["containerPort"] for p in container["ports"]}
    assert ports == {"grpc": 50051, "metrics": 9464}
    for name in ("sorn-server", "sorn-server-headless"):
        for port in o[("Service", name)]["spec"]["ports"]:
            assert port["targetPort"] in ports
            assert port["port"] == ports[port["targetPort"]]
    for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
        assert container[probe]["grpc"]["port"] == ports["grpc"], probe
    resources = container["resources"]
    for kind in ("requests", "limits"):
        assert set(resources[kind]) == {"cpu", "memory"}
    assert pod["metadata"]["annotations"]["prometheus.io/port"] == str(ports["metrics"])
    assert pod["spec"]["securityContext"]["runAsNonRoot"] is True
    # Longer than the server's own grace period.
    flags = o[("ConfigMap", "sorn-server-flags")]["data"]["sorn-server.flags"]
    grace = int(next(f for f in flags.split() if f.startswith("--grace_period="))
                .split("=")[1])
    assert pod["spec"]["terminationGracePeriodSeconds"] > grace


def test_ingress_routes_grpc_by_consistent_hash_of_the_session():
    o = objects()
    ingress = o[("Ingress", "sorn-server")]
    a = ingress["metadata"]["annotations"]
    assert a["nginx.ingress.kubernetes.io/backend-protocol"] == "GRPC"
    assert a["nginx.ingress.kubernetes.io/upstream-hash-by"] == "$http_x_sorn_session"
    assert a["nginx.ingress.kubernetes.io/proxy-next-upstream"] == "off"
    assert a["nginx.ingress.kubernetes.io/proxy-body-size"] == "0"
    backend = ingress["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"]
    service = o[("Service", backend["name"])]
    assert backend["port"]["name"] in [p["name"] for p in service["spec"]["ports"]]


def test_configmap_flags_and_secret_tokens_start_a_real_server(tmp_path):
    o = objects()
    sts = o[("StatefulSet", "sorn-server")]["spec"]["template"]["spec"]
    container = sts["containers"][0]
    mounts = {m["name"]: m["mountPath"] for m in container["volumeMounts"]}
    volumes = {v["name"]: v for v in sts["volumes"]}
    config_map = o[("ConfigMap", volumes["flags"]["configMap"]["name"])]
    secret = o[("Secret", volumes["tokens"]["secret"]["secretName"])]
    flagfile_arg = next(a for a in container["args"] if a.startswith("--flagfile="))
    flagfile = flagfile_arg.split("=", 1)[1]
    assert os.path.dirname(flagfile) == mounts["flags"]
    flags = config_map["data"][os.path.basename(flagfile)]
    tokens_flag = next(f for f in flags.split() if f.startswith("--auth_tokens="))
    tokens_path = tokens_flag.split("=", 1)[1]
    assert os.path.dirname(tokens_path) == mounts["tokens"]
    assert "--data_dir=/var/lib/sorn" in flags.split()
    # The same files, at this machine's paths and ports.
    (tmp_path / "tokens").write_text(secret["stringData"][os.path.basename(tokens_path)])
    local = (flags.replace(tokens_path, str(tmp_path / "tokens"))
             .replace("/var/lib/sorn", str(tmp_path / "data"))
             .replace("--port=50051", "--port=0")
             .replace("--metrics_port=9464", "--metrics_port=0")
             .replace("--host=0.0.0.0", "--host=127.0.0.1"))
    (tmp_path / "sorn-server.flags").write_text(local)
    assert "--replica_id=$(POD_NAME)" in container["args"]
    server = Server([f"--flagfile={tmp_path / 'sorn-server.flags'}",
                     "--replica_id=sorn-server-0"])
    try:
        assert "bearer tokens of 2 tenant(s)" in server.banner
        assert "replica sorn-server-0" in server.banner
        assert server.metrics_port is not None
    finally:
        server.stop()
