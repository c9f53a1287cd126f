"""Dumps of clusters whose nodes do not name them: built by Terraform or the console (EKS managed node groups,
no eksctl labels), or running on Fargate only. The name is unknown, not bad input: the rules that need it skip
saying so, the others judge, and --cluster still names the cluster."""

from __future__ import annotations

import json

import pytest

from tests.check.support import items_of, recorded_list, run_cli

UNNAMED = ("the cluster's name unknown: the dump holds no EKS facts and no node carries the "
           "alpha.eksctl.io/cluster-name label (a cluster built by Terraform or the console, or one running on "
           "Fargate only); pass --cluster NAME (the source reported aws: {file} is a kubectl List, which holds "
           "Kubernetes objects only; `domino-eks snapshot` also collects the AWS side).")


def managed_by_terraform(document: dict) -> None:
    """What terraform-aws-eks and the console build: EKS managed node groups, labelled by EKS, not eksctl."""
    for node in items_of(document, "Node"):
        labels = node["metadata"]["labels"]
        del labels["alpha.eksctl.io/cluster-name"]
        group = labels.pop("alpha.eksctl.io/nodegroup-name")
        labels |= {"eks.amazonaws.com/nodegroup": group, "eks.amazonaws.com/capacityType": "ON_DEMAND",
                   "eks.amazonaws.com/nodegroup-image": "ami-0c2d3e4f5a6b7c8d9",
                   "eks.amazonaws.com/sourceLaunchTemplateId": "lt-0a1b2c3d4e5f67890",
                   "eks.amazonaws.com/sourceLaunchTemplateVersion": "1"}


def fargate_only(document: dict) -> None:
    """A cluster whose every pod runs on Fargate: one node per pod, labelled by EKS, named after its ENI."""
    fargate = []
    for index, node in enumerate(items_of(document, "Node")[:3]):
        zone = node["metadata"]["labels"]["topology.kubernetes.io/zone"]
        name = f"fargate-ip-10-0-{index}-17.us-west-2.compute.internal"
        node["metadata"]["name"] = name
        node["metadata"]["labels"] = {
            "beta.kubernetes.io/arch": "amd64", "beta.kubernetes.io/os": "linux",
            "eks.amazonaws.com/compute-type": "fargate", "failure-domain.beta.kubernetes.io/region": "us-west-2",
            "failure-domain.beta.kubernetes.io/zone": zone, "kubernetes.io/arch": "amd64",
            "kubernetes.io/hostname": name, "kubernetes.io/os": "linux",
            "topology.kubernetes.io/region": "us-west-2", "topology.kubernetes.io/zone": zone}
        node["spec"] = {"providerID": f"aws:///{zone}/0f5e3a3c7a-2b1f4c1e9d8a4f6b8c3e2d1a0b9c8d7e/{name}",
                        "taints": [{"key": "eks.amazonaws.com/compute-type", "value": "fargate",
                                    "effect": "NoSchedule"}]}
        fargate.append(node)
    document["items"] = [i for i in document["items"] if i["kind"] != "Node"] + fargate


def checked(tmp_path, change, *options: str) -> tuple[int, dict[str, list[dict]], str]:
    document = recorded_list()
    change(document)
    path = tmp_path / "cluster.json"
    path.write_text(json.dumps(document, indent=4))
    completed = run_cli("check", "--from-file", str(path), "--format", "json", *options)
    by_id: dict[str, list[dict]] = {}
    for finding in json.loads(completed.stdout or "{}").get("findings", []):
        by_id.setdefault(finding["id"], []).append(finding)
    return completed.returncode, by_id, completed.stderr


@pytest.mark.parametrize("change", [managed_by_terraform, fargate_only])
def test_a_dump_that_names_no_cluster_is_judged_and_only_the_name_skips(tmp_path, change):
    code, found, stderr = checked(tmp_path, change)

    assert code != 2, stderr
    assert "Traceback" not in stderr
    assert [(f["status"], f["message"]) for f in found["G001"]] == [("skip", UNNAMED.format(file="cluster.json"))]
    assert all(f["status"] != "skip" or "cluster's name" not in f["message"]
               for rule, listed in found.items() if rule != "G001" for f in listed)


def test_the_terraform_built_cluster_has_its_pools_judged(tmp_path):
    _, found, _ = checked(tmp_path, managed_by_terraform)

    assert [f["status"] for f in found["P001"]] == ["pass"]


def test_a_fargate_only_cluster_has_no_node_pool(tmp_path):
    _, found, _ = checked(tmp_path, fargate_only)

    assert [(f["status"], f["message"]) for f in found["P001"]] == [(
        "fail", "no node pool is labelled dominodatalab.com/node-pool: platform (pool labels found: none); Domino's "
                "platform services have no nodes to run on and the install fails.")]


def test_cluster_names_the_cluster_the_dump_does_not(tmp_path):
    code, found, stderr = checked(tmp_path, managed_by_terraform, "--cluster", "domino-prod")

    assert "Traceback" not in stderr and code != 2
    assert [(f["status"], f["message"]) for f in found["G001"]] == [
        ("pass", "cluster name 'domino-prod' is a valid EKS name.")]
