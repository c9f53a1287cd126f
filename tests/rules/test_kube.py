"""K001-K002: Domino's namespaces and the pools' nodes, as a live cluster shows them."""

from __future__ import annotations

import pytest

from domino_eks.model import DominoInstall, Namespaces, NamespaceState
from domino_eks.rules import Finding, Severity, Status
from tests.rules.builders import (
    findings,
    from_source,
    live_deployment,
    live_group,
    node,
    only,
)

PLATFORM = {"dominodatalab.com/node-pool": "platform"}
DEFAULT = {"dominodatalab.com/node-pool": "default", "domino/build-node": "true"}
GPU = {"dominodatalab.com/node-pool": "default-gpu", "nvidia.com/gpu": "true"}


def _object(finding: Finding) -> str | None:
    """The live object a finding points at."""
    assert finding.location is not None, finding
    return finding.location.object


def _healthy_cluster(**extra):
    return live_deployment(
        live_group("domino-platform", PLATFORM, tuple(node(f"ip-10-0-1-{i}") for i in (1, 2, 3)), min_size=3),
        live_group("domino-default", DEFAULT, (node("ip-10-0-2-1"),)),
        live_group("domino-gpu", GPU, (node("ip-10-0-3-1", gpus=1),), min_size=0, instance_type="g5.2xlarge"),
        **extra,
    )


# K001 ---------------------------------------------------------------------------------------------------------

def test_k001_warns_when_a_domino_namespace_holds_foreign_workloads():
    namespaces = (NamespaceState(name="compute", foreign_workloads=("Deployment/jupyterhub",)),
                  NamespaceState(name="default", foreign_workloads=("Deployment/nginx",)))
    finding = only("K001", _healthy_cluster(namespaces=namespaces))
    assert (finding.status, finding.severity) == (Status.FAIL, Severity.WARNING)
    assert "namespace compute" in finding.message and "Deployment/jupyterhub" in finding.message
    assert _object(finding) == "Namespace/compute"


def test_k001_passes_when_domino_namespaces_are_free_or_only_domino_s():
    namespaces = (NamespaceState(name="platform"), NamespaceState(name="kube-system", foreign_workloads=("x",)))
    assert only("K001", _healthy_cluster(namespaces=namespaces)).status is Status.PASS


@pytest.mark.parametrize(("declared", "busy"), [
    (Namespaces(platform="domino-platform", compute="domino-compute"), "domino-compute"),  # 6.x defaults
    (Namespaces(platform="dd-platform", compute="dd-run"), "dd-run"),  # declared in the spec
])
def test_k001_judges_the_namespaces_the_deployment_declares(declared, busy):
    namespaces = (NamespaceState(name=busy, foreign_workloads=("Deployment/jupyterhub",)),
                  NamespaceState(name="compute", foreign_workloads=("Deployment/nginx",)))
    deployment = _healthy_cluster(namespaces=namespaces).model_copy(
        update={"domino": DominoInstall(version="6.2", namespaces=declared)})
    [finding] = [f for f in findings("K001", deployment) if f.status is Status.FAIL]
    assert finding.message == (
        f"namespace {busy} already holds workloads that are not Domino's (Deployment/jupyterhub): Domino's "
        "installer manages this namespace and its policies and cleanup will hit them.")


def test_k001_passes_the_pages_namespaces_when_domino_6_uses_others():
    namespaces = (NamespaceState(name="compute", foreign_workloads=("Deployment/nginx",)),)
    deployment = _healthy_cluster(namespaces=namespaces).model_copy(
        update={"domino": DominoInstall(version="6.2", namespaces=Namespaces(platform="domino-platform",
                                                                             compute="domino-compute"))})
    finding = only("K001", deployment)
    assert (finding.status, finding.message) == (
        Status.PASS, "domino-platform, domino-compute hold no workloads other than Domino's.")


def test_k001_needs_a_live_cluster(multi_az):
    finding = only("K001", multi_az)
    assert finding.status is Status.SKIP and "needs a live cluster" in finding.message


# K002 ---------------------------------------------------------------------------------------------------------

def test_k002_passes_a_healthy_cluster():
    assert only("K002", _healthy_cluster()).status is Status.PASS


def test_k002_fails_for_a_not_ready_and_a_cordoned_node():
    deployment = live_deployment(
        live_group("domino-platform", PLATFORM, (node("ip-10-0-1-1", ready=False), node("ip-10-0-1-2"),
                                                 node("ip-10-0-1-3", schedulable=False)), min_size=3),
    )
    found = findings("K002", deployment)
    assert {(f.status, f.severity) for f in found} == {(Status.FAIL, Severity.ERROR)}
    assert [_object(f) for f in found] == ["Node/ip-10-0-1-1", "Node/ip-10-0-1-3"]
    assert "is NotReady" in found[0].message and "is cordoned" in found[1].message


def test_k002_fails_for_a_group_without_nodes_below_its_minimum():
    deployment = live_deployment(live_group("domino-platform", PLATFORM, (), min_size=3))
    finding = only("K002", deployment)
    assert finding.status is Status.FAIL and "has no nodes though its minimum size is 3" in finding.message
    assert _object(finding) == "AutoScalingGroup/domino-platform"


def test_k002_accepts_an_empty_group_that_scales_from_zero():
    deployment = live_deployment(live_group("domino-gpu", GPU, (), min_size=0, instance_type="g5.2xlarge"))
    assert only("K002", deployment).status is Status.PASS


def test_k002_fails_for_a_gpu_node_without_allocatable_gpus():
    deployment = live_deployment(live_group("domino-gpu", GPU, (node("ip-10-0-3-1", gpus=0),
                                                                node("ip-10-0-3-2", gpus=None)), min_size=0))
    found = findings("K002", deployment)
    assert [_object(f) for f in found] == ["Node/ip-10-0-3-1", "Node/ip-10-0-3-2"]
    driver = ("GPU executions stay Pending; missing: the driver — the device plugin is unknown and its AMI is "
              "unknown, so the NVIDIA driver does not load on the node: run nvidia-smi on it and use a driver that "
              "supports its GPU.")
    assert [f.message for f in found] == [
        f"GPU node ip-10-0-3-1 of pool default-gpu advertises nvidia.com/gpu allocatable 0: {driver}",
        f"GPU node ip-10-0-3-2 of pool default-gpu advertises no nvidia.com/gpu resource: {driver}",
    ]


def test_k002_names_what_is_missing_when_no_node_carries_a_pool_label():
    unlabelled = live_group("eks-workers", {}, (node("ip-10-0-9-1"), node("ip-10-0-9-2")))
    finding = only("K002", live_deployment(unlabelled))
    assert (finding.status, finding.message) == (
        Status.SKIP, "no node pool to judge: none of the cluster's 2 node(s) carries the "
                     "dominodatalab.com/node-pool label (P001 names the pools Domino needs).")


def test_k002_expects_gpus_only_on_the_gpu_groups_of_a_pool():
    cpu = live_group("domino-default-a", DEFAULT, (node("ip-10-0-2-1", gpus=0),))
    gpu = live_group("domino-default-gpu", {**DEFAULT, "nvidia.com/gpu": "true"}, (node("ip-10-0-2-2", gpus=0),))
    found = findings("K002", live_deployment(cpu, gpu))
    assert [_object(f) for f in found] == ["Node/ip-10-0-2-2"]
    assert found[0].status is Status.FAIL


def test_k002_skips_offline(multi_az):
    finding = only("K002", multi_az)
    assert finding.status is Status.SKIP and "needs a live cluster" in finding.message


def test_k002_skip_cites_the_live_gap():
    deployment = from_source(live_deployment(live_group("domino-platform", PLATFORM, None, min_size=3)), "live",
                             {"kubernetes": "Forbidden: nodes is forbidden"})
    finding = only("K002", deployment)
    assert finding.status is Status.SKIP and "nodes is forbidden" in finding.message


def test_k002_says_the_cluster_lists_no_node_rather_than_that_nodes_are_unknown():
    finding = only("K002", live_deployment())
    assert (finding.status, finding.message) == (
        Status.SKIP, "no node pool to judge: the cluster lists no node a pool could hold (a Fargate node belongs to "
                     "none; P001 names the pools Domino needs).")
