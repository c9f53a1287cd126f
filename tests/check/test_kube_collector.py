"""The Kubernetes collector, through the official client, against a local HTTP server serving recorded JSON."""

from __future__ import annotations

import pytest

from domino_eks.collect import shapes
from domino_eks.collect.kube import KubeAccess, collect, eks_cluster_of_context
from domino_eks.errors import ToolError
from tests.check.support import (
    api_list,
    items_of,
    recorded_list,
    serve_cluster,
    write_kubeconfig,
)


def test_every_list_is_read_through_the_client_and_pruned(httpserver, kubeconfig):
    document = recorded_list()
    serve_cluster(httpserver, document)

    facts, errors = collect(KubeAccess(str(kubeconfig)))
    assert facts is not None

    assert errors == {}
    assert facts["server_version"] == "v1.35.0-eks-3cfe0ce"
    assert facts["nodes"] == [shapes.prune(n, shapes.NODE) for n in items_of(document, "Node")]
    assert [c["metadata"]["name"] for c in facts["csidrivers"]] == ["ebs.csi.aws.com", "efs.csi.aws.com"]
    assert len(facts["daemonsets"]) == 5 and facts["pods"] == []
    assert httpserver.log[0][0].headers["Authorization"] == "Bearer probe-token"


def test_long_lists_are_read_page_by_page(httpserver, kubeconfig):
    nodes = items_of(recorded_list(), "Node")
    httpserver.expect_request("/api/v1/nodes", query_string={"limit": "500", "continue": "page-2"}).respond_with_json(
        api_list("Node", nodes[5:]))
    httpserver.expect_request("/api/v1/nodes", query_string={"limit": "500"}).respond_with_json(
        api_list("Node", nodes[:5], continue_token="page-2"))
    serve_cluster(httpserver, recorded_list())

    facts, _ = collect(KubeAccess(str(kubeconfig)))
    assert facts is not None

    assert [n["metadata"]["name"] for n in facts["nodes"]] == [n["metadata"]["name"] for n in nodes]


def test_a_list_the_credentials_may_not_read_is_recorded_not_fatal(httpserver, kubeconfig):
    forbidden = {"kind": "Status", "apiVersion": "v1", "status": "Failure", "reason": "Forbidden", "code": 403,
                 "message": 'csidrivers.storage.k8s.io is forbidden: User "auditor" cannot list resource '
                            '"csidrivers" in API group "storage.k8s.io" at the cluster scope'}
    httpserver.expect_request("/apis/storage.k8s.io/v1/csidrivers").respond_with_json(forbidden, status=403)
    serve_cluster(httpserver, recorded_list())

    facts, errors = collect(KubeAccess(str(kubeconfig)))
    assert facts is not None

    assert "csidrivers" not in facts and len(facts["nodes"]) == 9
    assert errors == {"csidrivers": f"Forbidden: {forbidden['message']}"}


def test_a_server_version_that_may_not_be_read_is_recorded_under_its_own_key(httpserver, kubeconfig):
    httpserver.expect_request("/version/").respond_with_json(
        {"kind": "Status", "apiVersion": "v1", "status": "Failure", "reason": "Forbidden", "code": 403,
         "message": 'forbidden: User "auditor" cannot get path "/version"'}, status=403)
    serve_cluster(httpserver, recorded_list())

    facts, errors = collect(KubeAccess(str(kubeconfig)))
    assert facts is not None

    assert "server_version" not in facts and len(facts["nodes"]) == 9
    assert errors == {"server_version": 'Forbidden: forbidden: User "auditor" cannot get path "/version"'}


def test_pods_are_read_in_the_domino_namespaces_that_exist(httpserver, kubeconfig):
    document = recorded_list()
    platform = dict(items_of(document, "Namespace")[0], metadata={"name": "platform"})
    document["items"].append(platform)
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {
        "name": "grafana-0", "namespace": "platform", "labels": {"app": "grafana"}, "uid": "1",
        "ownerReferences": [{"apiVersion": "apps/v1", "kind": "StatefulSet", "name": "grafana", "uid": "2"}]},
        "spec": {"containers": [{"name": "grafana", "image": "grafana/grafana:11"}]}, "status": {"phase": "Running"}}
    httpserver.expect_request("/api/v1/namespaces/platform/pods").respond_with_json(api_list("Pod", [pod]))
    serve_cluster(httpserver, document)

    facts, _ = collect(KubeAccess(str(kubeconfig)))
    assert facts is not None

    assert facts["pods"] == [{"metadata": {"name": "grafana-0", "namespace": "platform", "labels": {"app": "grafana"},
                                           "ownerReferences": [{"kind": "StatefulSet", "name": "grafana"}]}}]
    assert [r[0].path for r in httpserver.log].count("/api/v1/namespaces/compute/pods") == 0


def test_no_kubeconfig_is_recorded_as_the_kubernetes_side_missing(tmp_path):
    facts, errors = collect(KubeAccess(str(tmp_path / "absent")))

    assert facts is None
    assert "no usable kubeconfig context" in errors["kubernetes"]


def test_an_api_server_that_cannot_be_reached_stops_the_run(tmp_path):
    kubeconfig = write_kubeconfig(tmp_path / "kubeconfig", "http://127.0.0.1:9")

    with pytest.raises(ToolError, match="cannot reach the Kubernetes API at http://127.0.0.1:9"):
        collect(KubeAccess(str(kubeconfig)))


@pytest.mark.parametrize("cluster, expected", [
    ("arn:aws:eks:eu-central-1:123456789012:cluster/domino-prod", ("domino-prod", "eu-central-1")),
    ("domino-prod.us-west-2.eksctl.io", ("domino-prod", "us-west-2")),
    ("kind-local", None),
])
def test_the_eks_cluster_is_read_from_the_contexts_cluster_name(tmp_path, cluster, expected):
    kubeconfig = write_kubeconfig(tmp_path / "kubeconfig", "https://example.invalid", context_cluster=cluster)

    assert eks_cluster_of_context(KubeAccess(str(kubeconfig))) == expected
    assert eks_cluster_of_context(KubeAccess(str(kubeconfig), context="other")) is None
