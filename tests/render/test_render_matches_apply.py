"""The IAM `render` writes is what `apply` attaches: the iam/*.json files are the documents of the policies the
desired graph creates, each node group's role in cluster.yaml carries its pool role's policies, and each Pod
Identity association in cluster.yaml grants what apply's association role does."""

from __future__ import annotations

import json

import pytest
from ruamel.yaml import YAML

from domino_eks.provision import desired, kinds
from domino_eks.provision.resources import Ref
from domino_eks.render import eksctl as render_eksctl
from domino_eks.render import iam as render_iam
from tests.conftest import load_example

CLUSTER = "domino-test-cluster"  # the examples' metadata.name


def graph(example: str):
    deployment = load_example(example)
    return deployment, desired.build(deployment)


def policies_by_arn(built) -> dict:
    """Our policies, by the Ref a role's policy_arns holds for them, with their documents."""
    return {Ref(r.key, "arn"): r.properties["document"] for r in built if r.key.type == kinds.IAM_POLICY}


def role_grants(built, role_name: str) -> tuple[list[str], list[dict]]:
    """The AWS-managed policy ARNs apply attaches to the role, and the statements of its own policies."""
    documents = policies_by_arn(built)
    role = next(r for r in built if r.key.type == kinds.IAM_ROLE and r.properties["name"] == role_name)
    managed = [arn for arn in role.properties["policy_arns"] if isinstance(arn, str)]
    statements = [s for arn in role.properties["policy_arns"] if isinstance(arn, Ref)
                  for s in documents[arn]["Statement"]]
    return managed, statements


@pytest.mark.parametrize("example", ["multi-az.yaml", "single-az.yaml"])
def test_every_iam_file_is_the_document_of_a_policy_apply_creates(example):
    deployment, built = graph(example)
    created = {r.properties["name"]: r.properties["document"] for r in built if r.key.type == kinds.IAM_POLICY}
    files = {"s3-access": render_iam.s3_access_policy(deployment),
             "registry-access": render_iam.registry_access_policy(deployment),
             "autoscaler": render_iam.autoscaler_policy(deployment)}
    files |= {name.removesuffix("-policy.json"): text
              for name, text in render_iam.other_policies(deployment).items()}
    assert set(files) == {name.removeprefix(f"{CLUSTER}-") for name in created} - {"flow-logs"}
    for name, text in files.items():
        assert text is not None and json.loads(text) == created[f"{CLUSTER}-{name}"], name


@pytest.mark.parametrize("example", ["multi-az.yaml", "single-az.yaml"])
def test_each_node_group_in_cluster_yaml_gets_what_apply_attaches_to_its_pools_role(example):
    deployment, built = graph(example)
    config = YAML(typ="safe").load(render_eksctl.render(deployment))
    assert config["nodeGroups"]
    for group in config["nodeGroups"]:
        role = deployment.access.node_role_of(group["name"])
        assert role is not None
        managed, statements = role_grants(built, role.name)
        assert group["iam"]["attachPolicyARNs"] == managed, group["name"]
        assert group["iam"]["attachPolicy"] == {"Version": "2012-10-17", "Statement": statements}, group["name"]
        assert "withAddonPolicies" not in group["iam"]


def test_platform_and_compute_groups_get_different_roles_and_neither_the_cni_nor_the_autoscaler():
    deployment, _ = graph("multi-az.yaml")
    config = YAML(typ="safe").load(render_eksctl.render(deployment))
    platform = [g for g in config["nodeGroups"] if g["name"].startswith("domino-platform")]
    compute = [g for g in config["nodeGroups"] if not g["name"].startswith("domino-platform")]
    assert platform and compute and platform[0]["iam"] != compute[0]["iam"]
    for group in config["nodeGroups"]:
        assert group["iam"]["attachPolicyARNs"] == ["arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy",
                                                    "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly"]
        actions = {a for s in group["iam"]["attachPolicy"]["Statement"] for a in s["Action"]}
        assert not any(a.startswith(("autoscaling:", "ec2:")) for a in actions), group["name"]


@pytest.mark.parametrize("example", ["multi-az.yaml", "single-az.yaml"])
def test_each_pod_identity_association_grants_what_apply_attaches_to_its_role(example):
    deployment, built = graph(example)
    config = YAML(typ="safe").load(render_eksctl.render(deployment))
    associations = config["iam"]["podIdentityAssociations"]
    created = [r.properties for r in built if r.key.type == kinds.EKS_POD_IDENTITY]
    assert [(a["namespace"], a["serviceAccountName"]) for a in associations] == [
        (c["namespace"], c["service_account"]) for c in created]
    assert [a["serviceAccountName"] for a in associations] == [
        "aws-node", "ebs-csi-controller-sa", "efs-csi-controller-sa", "cluster-autoscaler"]
    for association in associations:
        managed, statements = role_grants(built, association["roleName"])
        assert association.get("permissionPolicyARNs", []) == managed
        assert association.get("permissionPolicy", {"Statement": []})["Statement"] == statements
    assert {"name": "eks-pod-identity-agent"} in config["addons"]
