"""`check --probe` against a local HTTP server playing the Kubernetes API: what the probes create, in which
order, what they conclude from the pods' phases, and that the namespace goes away, also when interrupted.

No cluster can run here, so pods never run: the server answers each watch with the phase a test chooses.
"""

from __future__ import annotations

import json
import os
import re
import signal
import threading
from datetime import date

import pytest
from kubernetes import client
from werkzeug import Request, Response

from domino_eks import probe
from domino_eks.errors import ToolError
from domino_eks.rules.base import Status
from domino_eks.sources import snapshot as snapshots
from tests.check.support import (
    live_nodes,
    recorded_list,
    run_cli,
    serve_cluster,
    snapshot_parts,
)

NAMESPACED = r"/api/v1/namespaces/domino-eks-probe-[0-9a-f]{6}"
UNSCHEDULABLE = {"type": "PodScheduled", "status": "False", "reason": "Unschedulable",
                 "message": "0/9 nodes are available: 9 Insufficient nvidia.com/gpu."}


class FakeCluster:
    """Creates succeed; a watch on pod X reports `phases[X]` once; the pod read afterwards says the same."""

    def __init__(self, httpserver, phases: dict[str, str], on_watch=None) -> None:
        self.phases, self.on_watch = phases, on_watch
        httpserver.expect_request("/api/v1/namespaces", method="POST").respond_with_handler(self.created)
        for kind in ("persistentvolumeclaims", "pods"):
            httpserver.expect_request(re.compile(f"{NAMESPACED}/{kind}"), method="POST").respond_with_handler(
                self.created)
        httpserver.expect_request(re.compile(r"/apis/networking.k8s.io/v1/namespaces/[^/]+/networkpolicies"),
                                  method="POST").respond_with_handler(self.created)
        httpserver.expect_request(re.compile(f"{NAMESPACED}/pods$"), method="GET").respond_with_handler(self.watch)
        httpserver.expect_request(re.compile(f"{NAMESPACED}/pods/[^/]+"), method="GET").respond_with_handler(
            self.read)
        httpserver.expect_request(re.compile(f"{NAMESPACED}$"), method="DELETE").respond_with_json(
            {"kind": "Status", "apiVersion": "v1", "status": "Success"})

    def created(self, request: Request) -> Response:
        body = json.loads(request.data)
        body["metadata"].update(uid="4c1f", resourceVersion="1")
        return Response(json.dumps(body), status=201, content_type="application/json")

    def pod(self, name: str) -> dict:
        phase = self.phases[name]
        return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "resourceVersion": "2"},
                "status": {"phase": phase, "podIP": "10.0.3.7",
                           "conditions": [UNSCHEDULABLE] if phase == "Pending" else []}}

    def watch(self, request: Request) -> Response:
        if self.on_watch:
            self.on_watch()
        name = request.args["fieldSelector"].removeprefix("metadata.name=")
        event = {"type": "MODIFIED", "object": self.pod(name)}
        return Response(json.dumps(event) + "\n", content_type="application/json")

    def read(self, request: Request) -> Response:
        return Response(json.dumps(self.pod(request.path.rsplit("/", 1)[-1])), content_type="application/json")


ALL_WELL = {"block-writer": "Succeeded", "efs-writer-1": "Succeeded", "efs-writer-2": "Succeeded",
            "np-server": "Running", "np-before": "Succeeded", "np-after": "Succeeded", "gpu": "Succeeded"}


@pytest.fixture
def api(httpserver):
    configuration = client.Configuration()
    configuration.host = httpserver.url_for("").rstrip("/")
    with client.ApiClient(configuration) as api_client:
        yield api_client


@pytest.fixture
def deployment():
    snapshot = {"target": {}, "kubernetes": snapshot_parts(recorded_list()), "errors": {}}
    return snapshots.to_deployment(snapshot, date(2026, 11, 24), file="cluster.json")


def requests(httpserver) -> list[tuple[str, str]]:
    return [(request.method, request.path) for request, _ in httpserver.log]


def statuses(findings) -> dict[str, Status]:
    return {f.id: f.status for f in findings}


def test_every_probe_passes_and_the_namespace_is_made_first_and_deleted_last(httpserver, api, deployment):
    FakeCluster(httpserver, ALL_WELL)

    found = probe.run(api, deployment, image="busybox:1.37", timeout=10)

    assert statuses(found) == dict.fromkeys(
        ("PROBE-BLOCK-PVC", "PROBE-EFS-RWX", "PROBE-GPU-SCHEDULE", "PROBE-NETPOL-DENY"), Status.PASS)
    sent = requests(httpserver)
    namespace = json.loads(httpserver.log[0][0].data)["metadata"]["name"]
    assert sent[0] == ("POST", "/api/v1/namespaces") and sent[-1] == ("DELETE", f"/api/v1/namespaces/{namespace}")
    created = [json.loads(r.data) for r, _ in httpserver.log if r.method == "POST"][1:]
    assert {(c["kind"], c["metadata"]["name"]) for c in created} >= {
        ("PersistentVolumeClaim", "block"), ("PersistentVolumeClaim", "shared"), ("NetworkPolicy", "deny-all-ingress")}


def test_what_the_probe_pods_ask_for(httpserver, api, deployment):
    FakeCluster(httpserver, ALL_WELL)

    probe.run(api, deployment, image="registry.example.com/busybox:1.37", timeout=10)

    created = {b["metadata"]["name"]: b for r, _ in httpserver.log if r.method == "POST"
               for b in [json.loads(r.data)]}
    assert created["block"]["spec"]["storageClassName"] == "dominodisk"
    assert created["shared"]["spec"] == {"accessModes": ["ReadWriteMany"], "storageClassName": "dominoshared",
                                         "resources": {"requests": {"storage": "1Gi"}}}
    gpu = created["gpu"]["spec"]
    assert gpu["nodeSelector"] == {"dominodatalab.com/node-pool": "default-gpu"}
    assert gpu["tolerations"] == [{"key": "nvidia.com/gpu", "operator": "Exists"}]
    assert gpu["containers"][0]["resources"] == {"limits": {"nvidia.com/gpu": "1"}}
    assert created["block-writer"]["spec"]["nodeSelector"] == {"dominodatalab.com/node-pool": "default"}
    assert {b["spec"]["containers"][0]["image"] for b in created.values() if b["kind"] == "Pod"} == {
        "registry.example.com/busybox:1.37"}


def test_a_probe_that_fails_says_why(httpserver, api, deployment):
    FakeCluster(httpserver, {**ALL_WELL, "gpu": "Pending", "np-after": "Failed"})

    found = {f.id: f for f in probe.run(api, deployment, image="busybox:1.37", timeout=10)}

    assert found["PROBE-GPU-SCHEDULE"].status is Status.FAIL
    assert f"Unschedulable: {UNSCHEDULABLE['message']}" in found["PROBE-GPU-SCHEDULE"].message
    assert found["PROBE-NETPOL-DENY"].status is Status.FAIL
    assert "does not enforce NetworkPolicy" in found["PROBE-NETPOL-DENY"].message
    assert requests(httpserver)[-1][0] == "DELETE"


def test_a_network_that_carries_nothing_proves_nothing_about_policies(httpserver, api, deployment):
    FakeCluster(httpserver, {**ALL_WELL, "np-before": "Failed"})

    found = {f.id: f for f in probe.run(api, deployment, image="busybox:1.37", timeout=10)}

    assert found["PROBE-NETPOL-DENY"].status is Status.SKIP
    assert not any("networkpolicies" in path for _, path in requests(httpserver))


def test_without_rights_to_make_the_namespace_every_probe_skips_and_nothing_is_deleted(httpserver, api, deployment):
    httpserver.expect_request("/api/v1/namespaces", method="POST").respond_with_json(
        {"kind": "Status", "reason": "Forbidden", "code": 403, "message": "namespaces is forbidden"}, status=403)

    found = probe.run(api, deployment, image="busybox:1.37", timeout=10)

    assert set(statuses(found).values()) == {Status.SKIP}
    assert all("cannot create namespace domino-eks-probe-" in f.message for f in found)
    assert requests(httpserver) == [("POST", "/api/v1/namespaces")]


@pytest.mark.parametrize("signal_number", [signal.SIGINT, signal.SIGTERM])
def test_an_interrupted_probe_still_deletes_its_namespace(httpserver, api, deployment, signal_number):
    assert threading.current_thread() is threading.main_thread()  # where Python delivers signals
    FakeCluster(httpserver, ALL_WELL, on_watch=lambda: os.kill(os.getpid(), signal_number))
    before = signal.getsignal(signal.SIGTERM)

    with pytest.raises(KeyboardInterrupt):
        probe.run(api, deployment, image="busybox:1.37", timeout=10)

    sent = requests(httpserver)
    interrupted = next(i for i, (method, _) in enumerate(sent) if method == "GET")  # the first wait for a pod
    assert sent[interrupted + 1:] == [("DELETE", sent[0][1] + "/" + json.loads(httpserver.log[0][0].data)
                                       ["metadata"]["name"])]
    assert signal.getsignal(signal.SIGTERM) is before


def test_check_probe_reports_the_probes_beside_the_catalogue(httpserver, kubeconfig, account, aws_env):
    serve_cluster(httpserver, live_nodes(account))
    FakeCluster(httpserver, {**ALL_WELL, "np-after": "Failed"})

    completed = run_cli("check", "--kubeconfig", str(kubeconfig), "--endpoint-url", account.url, "--probe",
                        "--probe-timeout", "10", "--format", "json", env=aws_env)

    probes = {f["id"]: f["status"] for f in json.loads(completed.stdout)["findings"] if f["id"].startswith("PROBE-")}
    assert probes == {"PROBE-BLOCK-PVC": "pass", "PROBE-EFS-RWX": "pass", "PROBE-GPU-SCHEDULE": "pass",
                      "PROBE-NETPOL-DENY": "fail"}
    assert completed.returncode == 3


def test_a_namespace_that_cannot_be_deleted_is_named_with_the_command_that_removes_it(httpserver, api, deployment):
    httpserver.expect_request(re.compile(f"{NAMESPACED}$"), method="DELETE").respond_with_json(
        {"kind": "Status", "reason": "InternalError", "code": 500, "message": "etcd timeout"}, status=500)
    FakeCluster(httpserver, ALL_WELL)

    with pytest.raises(ToolError, match=r"kubectl delete namespace domino-eks-probe-[0-9a-f]{6}$"):
        probe.run(api, deployment, image="busybox:1.37", timeout=10)
