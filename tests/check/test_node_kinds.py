"""Nodes read for what they are, from the labels, providerIDs and node info real clusters give them: Fargate
(no pool), Karpenter and EKS Auto Mode (launched from a NodePool, behind no Auto Scaling group), Bottlerocket,
and Windows (none of Domino's pools, whatever its labels say)."""

from __future__ import annotations

import copy
import json
from datetime import date

from domino_eks import rules
from domino_eks.rules.base import Status
from domino_eks.sources import snapshot as snapshots
from tests.check.support import items_of, recorded_list, run_cli, snapshot_parts

ZONE = "us-west-2a"


def recorded_node(pool: str, zone: str = ZONE) -> dict:
    return copy.deepcopy(next(n for n in items_of(recorded_list(), "Node")
                              if n["metadata"]["labels"]["dominodatalab.com/node-pool"] == pool
                              and n["metadata"]["labels"]["topology.kubernetes.io/zone"] == zone))


def relabelled(node: dict, name: str, drop: tuple[str, ...] = (), os_image: str | None = None, **labels: str) -> dict:
    node["metadata"]["name"] = name
    kept = {k: v for k, v in node["metadata"]["labels"].items() if k not in drop}
    node["metadata"]["labels"] = {**kept, **labels}
    node["metadata"]["labels"]["kubernetes.io/hostname"] = name
    if os_image:
        node["status"]["nodeInfo"]["osImage"] = os_image
    return node


EKSCTL = ("alpha.eksctl.io/nodegroup-name", "alpha.eksctl.io/cluster-name")


def karpenter_node(index: int, zone: str = ZONE) -> dict:
    """A node Karpenter v1 launched from its NodePool `default`: no node group, Karpenter's own labels."""
    node = recorded_node("default", zone)
    node["spec"]["providerID"] = f"aws:///{zone}/i-0b7c8d9e0f1a2b3c{index}"
    return relabelled(node, f"ip-10-0-1-{index}.us-west-2.compute.internal", drop=EKSCTL,
                      **{"karpenter.sh/nodepool": "default", "karpenter.sh/registered": "true",
                         "karpenter.sh/initialized": "true", "karpenter.sh/capacity-type": "on-demand",
                         "karpenter.k8s.aws/ec2nodeclass": "default", "karpenter.k8s.aws/instance-family": "m5"})


def auto_mode_node() -> dict:
    """A node of EKS Auto Mode's built-in general-purpose NodePool: Karpenter's labels, EKS's compute type."""
    node = recorded_node("platform")
    node["spec"]["providerID"] = f"aws:///{ZONE}/i-0c8d9e0f1a2b3c4d5"
    return relabelled(node, "i-0c8d9e0f1a2b3c4d5", drop=EKSCTL, os_image="Bottlerocket (EKS Auto) 2025.11.20 "
                      "(aws-k8s-1.35)", **{"eks.amazonaws.com/compute-type": "auto",
                                           "karpenter.sh/nodepool": "general-purpose",
                                           "karpenter.sh/registered": "true",
                                           "eks.amazonaws.com/nodeclass": "default"})


def bottlerocket_node() -> dict:
    """A node of an EKS managed node group on Bottlerocket."""
    return relabelled(recorded_node("platform", "us-west-2b"), "ip-10-0-2-90.us-west-2.compute.internal",
                      drop=EKSCTL, os_image="Bottlerocket OS 1.51.0 (aws-k8s-1.35)",
                      **{"eks.amazonaws.com/nodegroup": "platform-bottlerocket",
                         "eks.amazonaws.com/capacityType": "ON_DEMAND"})


def windows_node() -> dict:
    """A Windows node of an EKS managed node group, labelled for a Domino pool by mistake."""
    return relabelled(recorded_node("default", "us-west-2c"), "ip-10-0-4-95.us-west-2.compute.internal",
                      drop=EKSCTL, os_image="Windows Server 2022 Datacenter",
                      **{"kubernetes.io/os": "windows", "beta.kubernetes.io/os": "windows",
                         "node.kubernetes.io/windows-build": "10.0.20348",
                         "eks.amazonaws.com/nodegroup": "windows-workers"})


def fargate_node() -> dict:
    """A Fargate node: one pod, named after its ENI, its providerID naming the Fargate task."""
    node = recorded_node("default")
    name = "fargate-ip-10-0-1-77.us-west-2.compute.internal"
    node["metadata"]["labels"] = {"eks.amazonaws.com/compute-type": "fargate", "kubernetes.io/os": "linux",
                                  "topology.kubernetes.io/zone": ZONE, "kubernetes.io/hostname": name}
    node["metadata"]["name"] = name
    node["spec"] = {"providerID": f"aws:///{ZONE}/0f5e3a3c7a-2b1f4c1e9d8a4f6b8c3e2d1a0b9c8d7e/{name}",
                    "taints": [{"key": "eks.amazonaws.com/compute-type", "value": "fargate",
                                "effect": "NoSchedule"}]}
    return node


def deployment_with(*nodes: dict):
    document = recorded_list()
    document["items"] += list(nodes)
    snapshot = {"kind": "domino-eks/snapshot", "version": 1, "target": {}, "errors": {},
                "kubernetes": snapshot_parts(document)}
    return snapshots.to_deployment(snapshot, date(2026, 11, 24), file="cluster.json")


def node_named(deployment, name: str):
    return next(n for g in deployment.groups for n in g.nodes or () if n.name == name)


def group_holding(deployment, name: str):
    return next(g for g in deployment.groups if any(n.name == name for n in g.nodes or ()))


def test_each_node_says_who_launched_it_and_what_it_runs():
    nodes = (karpenter_node(1), auto_mode_node(), bottlerocket_node(), windows_node())
    deployment = deployment_with(*nodes)

    read = {n["metadata"]["name"]: node_named(deployment, n["metadata"]["name"]) for n in nodes}
    assert [(n.provisioner, n.os, n.os_image) for n in read.values()] == [
        ("karpenter", "linux", "Amazon Linux 2023.7.20250623"),
        ("auto-mode", "linux", "Bottlerocket (EKS Auto) 2025.11.20 (aws-k8s-1.35)"),
        ("node-group", "linux", "Bottlerocket OS 1.51.0 (aws-k8s-1.35)"),
        ("node-group", "windows", "Windows Server 2022 Datacenter"),
    ]
    assert node_named(deployment, "ip-10-0-0-20.us-west-2.compute.internal").provisioner == "node-group"


def test_a_fargate_node_is_in_no_pool():
    deployment = deployment_with(fargate_node())

    assert all(n.name != "fargate-ip-10-0-1-77.us-west-2.compute.internal"
               for g in deployment.groups for n in g.nodes or ())
    assert {p.label for p in deployment.pools} == {"platform", "default", "default-gpu"}


def test_karpenters_nodes_group_by_their_nodepool_behind_no_auto_scaling_group():
    deployment = deployment_with(karpenter_node(1), karpenter_node(2, "us-west-2b"))

    group = group_holding(deployment, "ip-10-0-1-1.us-west-2.compute.internal")
    assert (group.name, group.provisioner, group.location.object) == ("default", "karpenter", "NodePool/default")
    assert [n.name for n in group.nodes] == ["ip-10-0-1-1.us-west-2.compute.internal",
                                             "ip-10-0-1-2.us-west-2.compute.internal"]
    assert (group.zones, group.min_size, group.max_size, group.managed) == (("us-west-2a", "us-west-2b"), None,
                                                                             None, None)
    assert group in deployment.pool("default").groups


def test_an_auto_mode_node_runs_bottlerocket_from_eks_nodepool():
    group = group_holding(deployment_with(auto_mode_node()), "i-0c8d9e0f1a2b3c4d5")

    assert (group.name, group.provisioner, group.ami_family) == ("general-purpose", "auto-mode", "Bottlerocket")


def test_a_bottlerocket_node_group_is_read_as_bottlerocket():
    group = group_holding(deployment_with(bottlerocket_node()), "ip-10-0-2-90.us-west-2.compute.internal")

    assert (group.name, group.ami_family, group.managed) == ("platform-bottlerocket", "Bottlerocket", True)


def test_a_windows_group_is_none_of_dominos_pools_whatever_its_labels():
    deployment = deployment_with(windows_node())

    group = group_holding(deployment, "ip-10-0-4-95.us-west-2.compute.internal")
    pool = next(p for p in deployment.pools if group in p.groups)
    assert (pool.name, pool.label, group.windows) == ("windows", None, True)
    assert pool not in deployment.domino_pools


def findings(deployment, rule_id: str):
    return [(f.status, f.message) for f in rules.REGISTRY.evaluate(deployment, [rule_id])]


def test_a_karpenter_pool_is_neither_managed_nor_self_managed():
    deployment = deployment_with(karpenter_node(1))

    assert findings(deployment, "P013") == [(
        Status.PASS, "pool default runs on nodes Karpenter launches from NodePool(s) default, not on node groups; "
                     "the other node pools use self-managed node groups, as the page recommends (Domino's current "
                     "Terraform uses EKS managed ones; both are supported).")]


def test_a_pool_only_karpenter_launches_says_so_alone():
    deployment = deployment_with(karpenter_node(1))
    only_karpenter = deployment.model_copy(update={"pools": (deployment.pool("default").model_copy(
        update={"groups": (group_holding(deployment, "ip-10-0-1-1.us-west-2.compute.internal"),)}),)})

    assert findings(only_karpenter, "P013") == [(
        Status.PASS, "pool default runs on nodes Karpenter launches from NodePool(s) default, not on node groups.")]


def test_p013_judges_no_pool_where_there_is_none():
    deployment = deployment_with()
    assert findings(deployment.model_copy(update={"pools": ()}), "P013") == [
        (Status.SKIP, "no Domino node pool to judge (P001 names the pools Domino needs).")]


def test_p015_leaves_karpenters_nodepools_alone():
    deployment = deployment_with(karpenter_node(1))
    unlabelled_skip = [m for s, m in findings(deployment, "P015") if "NodePool" in m or "of default " in m]
    assert unlabelled_skip == []


def test_p008_judges_no_auto_scaling_sizes_of_karpenters_nodepools():
    unknown = "unknown: the dump file does not hold it; `domino-eks snapshot` collects it"
    assert findings(deployment_with(karpenter_node(1)), "P008") == [(Status.SKIP, "; ".join(
        f"the sizes of {pool}-a, {pool}-b, {pool}-c {unknown}"
        for pool in ("domino-platform", "domino-default", "domino-default-gpu")) + ".")]


def test_the_labels_karpenter_sets_itself_do_not_define_a_pool():
    group = group_holding(deployment_with(karpenter_node(1)), "ip-10-0-1-1.us-west-2.compute.internal")
    assert dict(group.labels) == {"dominodatalab.com/node-pool": "default", "domino/build-node": "true",
                                  "node-lifecycle": "on-demand"}


def test_a_dump_of_every_kind_of_node_is_checked_through_the_console_script(tmp_path):
    document = recorded_list()
    document["items"] += [karpenter_node(1), auto_mode_node(), bottlerocket_node(), windows_node(), fargate_node()]
    path = tmp_path / "cluster.json"
    path.write_text(json.dumps(document, indent=4))

    completed = run_cli("check", "--from-file", str(path), "--format", "json")

    assert (completed.returncode, completed.stderr) == (0, "")
    found = {f["id"]: f for f in json.loads(completed.stdout)["findings"]}
    assert (found["P002"]["status"], found["P002"]["message"]) == (
        "pass", "the platform node groups' sizes are unknown here; the pool has 5 Ready nodes of 5.")
