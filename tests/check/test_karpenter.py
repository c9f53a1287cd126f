"""Karpenter NodePools and EC2NodeClasses (karpenter.sh/v1, karpenter.k8s.aws/v1) as Domino pools: from a dump
(`kubectl get nodepools,ec2nodeclasses -o json` beside the documented List) and from the live API through the
official client. The Z and P rules judge them, P015 and A003 skip for them with the reason, P016 judges the
NodePool itself. Objects are shaped as Karpenter's CRDs (shared/reference/karpenter-crds) define them."""

from __future__ import annotations

import copy
import json

from domino_eks import rules
from domino_eks.collect.kube import KubeAccess
from domino_eks.collect.kube import collect as collect_kube
from domino_eks.rules.base import Status
from domino_eks.sources import dump
from domino_eks.sources import snapshot as snapshots
from tests.check.support import (
    CLUSTER_LIST,
    items_of,
    recorded_list,
    run_cli,
    serve_cluster,
    snapshot_parts,
    write_kubeconfig,
)
from tests.conftest import TODAY

ZONES = ["us-west-2a", "us-west-2b", "us-west-2c"]  # the recorded cluster's nodes


def node_pool(name: str, labels: dict, requirements: list[dict], **template_spec) -> dict:
    return {
        "apiVersion": "karpenter.sh/v1", "kind": "NodePool", "metadata": {"name": name, "generation": 1},
        "spec": {
            "template": {
                "metadata": {"labels": labels},
                "spec": {"nodeClassRef": {"group": "karpenter.k8s.aws", "kind": "EC2NodeClass", "name": "domino"},
                         "requirements": requirements, "expireAfter": "720h", **template_spec},
            },
            "limits": {"cpu": "1000", "memory": "4000Gi"},
            "disruption": {"consolidationPolicy": "WhenEmptyOrUnderutilized", "consolidateAfter": "1m"},
        },
    }


def zone_requirement(zones: list[str]) -> dict:
    return {"key": "topology.kubernetes.io/zone", "operator": "In", "values": zones}


NODE_CLASS = {
    "apiVersion": "karpenter.k8s.aws/v1", "kind": "EC2NodeClass", "metadata": {"name": "domino"},
    "spec": {"role": "domino-karpenter-node", "amiSelectorTerms": [{"alias": "al2023@latest"}],
             "subnetSelectorTerms": [{"tags": {"karpenter.sh/discovery": "domino"}}],
             "securityGroupSelectorTerms": [{"tags": {"karpenter.sh/discovery": "domino"}}],
             "metadataOptions": {"httpEndpoint": "enabled", "httpTokens": "required", "httpPutResponseHopLimit": 2},
             "blockDeviceMappings": [{"deviceName": "/dev/xvda", "rootVolume": True,
                                      "ebs": {"volumeSize": "400Gi", "volumeType": "gp3", "encrypted": True}}]},
    "status": {"subnets": [{"id": f"subnet-0{i}", "zone": zone} for i, zone in enumerate(ZONES)]},
}
BURST = node_pool("burst", {"dominodatalab.com/node-pool": "burst"},
                  [zone_requirement(ZONES),
                   {"key": "karpenter.k8s.aws/instance-family", "operator": "In", "values": ["m6i", "m7i"]}])
GPU = node_pool("gpu", {"dominodatalab.com/node-pool": "karpenter-gpu", "nvidia.com/gpu": "true"},
                [zone_requirement(ZONES),
                 {"key": "karpenter.k8s.aws/instance-family", "operator": "In", "values": ["g5", "g6"]}],
                taints=[{"key": "nvidia.com/gpu", "value": "true", "effect": "NoSchedule"}])


def karpenter_list(*objects: dict) -> dict:
    """What `kubectl get nodepools,ec2nodeclasses -o json` prints."""
    return {"apiVersion": "v1", "kind": "List", "metadata": {"resourceVersion": ""}, "items": list(objects)}


def deployment_of(tmp_path, *objects: dict):
    path = tmp_path / "karpenter.json"
    path.write_text(json.dumps(karpenter_list(*objects), indent=4))
    snapshot = dump.read_all([str(CLUSTER_LIST), str(path)])
    return snapshots.to_deployment(snapshot, TODAY, file=str(path))


def finding(deployment, rule_id: str):
    (found,) = [f for f in rules.REGISTRY.evaluate(deployment, [rule_id]) if f.id == rule_id]
    return found


def test_node_pools_in_a_dump_become_domino_pools(tmp_path):
    deployment = deployment_of(tmp_path, BURST, GPU, NODE_CLASS)

    burst, gpu = deployment.pool("burst"), deployment.pool("karpenter-gpu")
    [group] = burst.groups
    assert (group.name, group.zones, group.instance_families, group.karpenter_node_pool) == (
        "karpenter-burst", tuple(ZONES), ("m6i", "m7i"), "burst")
    assert (group.ami_family, group.volume_size_gb, group.imdsv2_required, group.tags) == (
        "AmazonLinux2023", 400, True, None)
    assert group.subnet_ids == ("subnet-00", "subnet-01", "subnet-02")  # where S003 wants EFS mountable
    assert gpu.is_gpu and [t.key for t in gpu.groups[0].taints] == ["nvidia.com/gpu"]
    assert finding(deployment, "P016").status is Status.PASS
    assert finding(deployment, "Z002").status is Status.PASS  # in every zone the other pools use
    assert finding(deployment, "P010").status is Status.PASS  # labelled for GPUs, on GPU families


def burst_node(index: int, zone: str, **labels: str) -> dict:
    """A node the NodePool burst launched: Karpenter's labels, the template's pool label, no node group."""
    node = copy.deepcopy(next(n for n in items_of(recorded_list(), "Node")
                              if n["metadata"]["labels"]["topology.kubernetes.io/zone"] == zone))
    name = f"ip-10-0-9-{index}.us-west-2.compute.internal"
    kept = {k: v for k, v in node["metadata"]["labels"].items() if not k.startswith("alpha.eksctl.io/")}
    node["metadata"] = {"name": name, "labels": {**kept, "kubernetes.io/hostname": name,
                                                 "dominodatalab.com/node-pool": "burst",
                                                 "karpenter.sh/nodepool": "burst", "karpenter.sh/registered": "true",
                                                 **labels}}
    node["spec"]["providerID"] = f"aws:///{zone}/i-0d9e0f1a2b3c4d5e{index}"
    return node


def with_running_nodes(*objects: dict, **labels: str):
    """The recorded cluster, with nodes launched by NodePool burst (carrying `labels` too) and the Karpenter
    objects given."""
    document = recorded_list()
    document["items"] += [burst_node(1, "us-west-2a", **labels), burst_node(2, "us-west-2b", **labels), *objects]
    snapshot = {"kind": "domino-eks/snapshot", "version": 1, "target": {}, "errors": {},
                "kubernetes": snapshot_parts(document)}
    return snapshots.to_deployment(snapshot, TODAY, file="cluster.json")


def test_the_nodes_a_node_pool_runs_are_its_group_not_a_second_one():
    deployment = with_running_nodes(BURST, NODE_CLASS)

    [group] = deployment.pool("burst").groups
    assert (group.name, group.karpenter_node_pool, group.provisioner) == ("karpenter-burst", "burst", "karpenter")
    assert group.zones == tuple(ZONES)  # as the NodePool allows, though its nodes run in two zones so far
    assert [n.name for n in group.nodes or ()] == ["ip-10-0-9-1.us-west-2.compute.internal",
                                                   "ip-10-0-9-2.us-west-2.compute.internal"]
    assert group.private_networking is True  # what only the nodes tell


def test_a_node_pool_whose_nodes_eks_auto_mode_runs_is_auto_modes():
    [group] = with_running_nodes(BURST, NODE_CLASS, **{"eks.amazonaws.com/compute-type": "auto"}).pool("burst").groups

    assert (group.name, group.provisioner) == ("karpenter-burst", "auto-mode")


def test_nodes_of_a_node_pool_not_in_the_dump_are_a_group_of_their_own():
    [group] = with_running_nodes(NODE_CLASS).pool("burst").groups

    assert (group.name, group.karpenter_node_pool, group.location.object) == ("burst", None, "NodePool/burst")
    assert group.zones == ("us-west-2a", "us-west-2b")  # where its nodes run: nothing else says


def test_asg_tag_rules_skip_for_karpenter_pools_with_the_reason(tmp_path):
    deployment = deployment_of(tmp_path, BURST, NODE_CLASS)
    reason = ("karpenter-burst is launched by Karpenter NodePool burst, not an Auto Scaling group: there are no "
              "group tags to judge (P016 judges the NodePool)")
    for rule_id in ("P015", "A003"):
        found = finding(deployment, rule_id)
        assert found.status is Status.SKIP and reason in found.message, (rule_id, found.message)


def test_limits_misplaced_under_the_template_fail_p016(tmp_path):
    broken = copy.deepcopy(BURST)
    broken["spec"]["template"]["spec"]["limits"] = broken["spec"].pop("limits")  # as Domino's examples write it
    found = finding(deployment_of(tmp_path, broken, NODE_CLASS), "P016")
    assert (found.status, found.location.object) == (Status.FAIL, "NodePool/burst")
    assert found.message == ("NodePool burst sets spec.template.spec.limits, which karpenter.sh/v1 does not know: "
                             "karpenter.sh/v1 has it at spec.limits; the API server drops it.")


def test_a_node_pool_without_the_node_pool_label_fails_p016(tmp_path):
    unlabelled = node_pool("spare", {"team": "ml"}, [zone_requirement(ZONES)])
    found = finding(deployment_of(tmp_path, unlabelled, NODE_CLASS), "P016")
    assert found.status is Status.FAIL
    assert found.message == ("NodePool spare does not label its nodes dominodatalab.com/node-pool "
                             "(spec.template.metadata.labels): no Domino workload selects them.")


def test_zones_outside_the_deployments_fail_p016(tmp_path):
    wide = node_pool("burst", {"dominodatalab.com/node-pool": "burst"}, [zone_requirement([*ZONES, "us-west-2d"])])
    found = finding(deployment_of(tmp_path, wide, NODE_CLASS), "P016")
    assert found.status is Status.FAIL
    assert found.message == ("NodePool burst allows zone(s) us-west-2d, outside the deployment's "
                             "(us-west-2a, us-west-2b, us-west-2c).")


def test_a_pool_in_one_zone_is_judged_by_the_zone_rules(tmp_path):
    narrow = node_pool("burst", {"dominodatalab.com/node-pool": "burst"}, [zone_requirement(["us-west-2a"])])
    found = finding(deployment_of(tmp_path, narrow, NODE_CLASS), "Z002")
    assert found.status is Status.FAIL and "burst" in found.message


def test_without_node_pools_in_the_dump_p016_skips_saying_how_to_add_them():
    deployment = snapshots.to_deployment(dump.read_all([str(CLUSTER_LIST)]), TODAY, file=str(CLUSTER_LIST))
    found = finding(deployment, "P016")
    assert found.status is Status.SKIP
    assert "add `kubectl get nodepools,ec2nodeclasses -o json` to it" in found.message


def test_check_merges_the_karpenter_list_with_the_other_dump_files(tmp_path):
    path = tmp_path / "karpenter.json"
    broken = copy.deepcopy(BURST)
    broken["spec"]["template"]["metadata"]["labels"] = {}
    path.write_text(json.dumps(karpenter_list(broken, NODE_CLASS)))
    completed = run_cli("check", "--from-file", str(CLUSTER_LIST), "--from-file", str(path), "--format", "json")
    [p016] = [f for f in json.loads(completed.stdout)["findings"] if f["id"] == "P016"]
    assert (p016["status"], p016["location"]) == ("fail", {"object": "NodePool/burst"})


def test_the_live_collector_reads_node_pools_through_the_custom_objects_api(tmp_path, httpserver):
    document = recorded_list()
    document["items"] += [BURST, NODE_CLASS]
    serve_cluster(httpserver, document)
    kubeconfig = write_kubeconfig(tmp_path / "kubeconfig", httpserver.url_for("/").rstrip("/"))

    facts, errors = collect_kube(KubeAccess(kubeconfig=str(kubeconfig)))

    assert facts is not None
    assert [p["metadata"]["name"] for p in facts["nodepools"]] == ["burst"]
    assert [c["metadata"]["name"] for c in facts["ec2nodeclasses"]] == ["domino"]
    assert "nodepools" not in errors


def test_a_cluster_without_karpenter_has_no_node_pools_rather_than_a_refused_list(tmp_path, httpserver):
    serve_cluster(httpserver, recorded_list())  # the API server answers 404: no Karpenter CRDs
    kubeconfig = write_kubeconfig(tmp_path / "kubeconfig", httpserver.url_for("/").rstrip("/"))

    facts, errors = collect_kube(KubeAccess(kubeconfig=str(kubeconfig)))

    assert facts is not None
    assert (facts["nodepools"], facts["ec2nodeclasses"]) == ([], [])
    assert "nodepools" not in errors and "ec2nodeclasses" not in errors
