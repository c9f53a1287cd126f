"""C004 and C005 judged on specs (what validate sees), and on eksctl files: each fires on a case built for it and
stays quiet on what apply builds by default."""

from __future__ import annotations

import pytest

from domino_eks.errors import InputError
from domino_eks.model import NodeRole, Statement
from domino_eks.render import eksctl as render_eksctl
from domino_eks.rules import Severity, Status
from domino_eks.sources import eksctl, spec
from tests.conftest import PAGE_MULTI_AZ, TODAY
from tests.rules.builders import edit, findings, only
from tests.sources.test_spec_source import MINIMAL

COMPUTE = """\
  - name: default
    instanceType: m5.2xlarge
    volumeSize: 400
    minSize: 0
    maxSize: 10
"""


def spec_with(tmp_path, pools: str = "", extra: str = ""):
    path = tmp_path / "spec.yaml"
    path.write_text(MINIMAL + pools + extra)
    return spec.load(str(path), today=TODAY)


def test_the_spec_gives_platform_and_compute_pools_roles_of_their_own_and_the_controllers_pod_identity(tmp_path):
    access = spec_with(tmp_path, COMPUTE).access
    assert [(r.name, r.groups, r.managed_policies, tuple(r.policies)) for r in access.node_roles or ()] == [
        ("demo-platform-nodes", ("domino-platform-a", "domino-platform-b", "domino-platform-c"),
         ("AmazonEKSWorkerNodePolicy", "AmazonEC2ContainerRegistryReadOnly"), ("s3-access", "registry-access")),
        ("demo-compute-nodes", ("domino-default-a", "domino-default-b", "domino-default-c"),
         ("AmazonEKSWorkerNodePolicy", "AmazonEC2ContainerRegistryReadOnly"), ("compute-s3-access",)),
    ]
    assert [(p.service_account, p.role) for p in access.pod_identities or ()] == [
        ("aws-node", "demo-aws-node"), ("ebs-csi-controller-sa", "demo-ebs-csi-controller-sa"),
        ("efs-csi-controller-sa", "demo-efs-csi-controller-sa"), ("cluster-autoscaler", "demo-cluster-autoscaler")]
    assert access.autoscaler is not None
    assert access.autoscaler.where == "role demo-cluster-autoscaler (Pod Identity kube-system/cluster-autoscaler)"


def test_c005_passes_on_what_apply_builds(tmp_path):
    result = only("C005", spec_with(tmp_path, COMPUTE))
    assert (result.status, result.message) == (
        Status.PASS, "no node role carries an add-on's or the autoscaler's permissions.")


def test_c005_fires_on_a_node_role_carrying_an_addon_policy_or_the_autoscalers_writes(tmp_path):
    deployment = spec_with(tmp_path, COMPUTE)
    write = Statement(effect="Allow", actions=("autoscaling:SetDesiredCapacity",), resources=("*",))
    roles = (NodeRole(name="demo-nodes", groups=("domino-default-a",),
                      managed_policies=("service-role/AmazonEBSCSIDriverPolicy",), policies={"scaling": (write,)}),)
    result = only("C005", edit(deployment, "access", node_roles=roles))
    assert (result.status, result.severity, result.message) == (
        Status.FAIL, Severity.WARNING, "node role demo-nodes (node groups domino-default-a) carries the permissions "
        "of the EBS CSI driver, Cluster Autoscaler: every pod on those nodes can use them.")


def test_c005_is_unknown_on_an_eksctl_file_whose_groups_leave_their_roles_to_eksctls_defaults():
    result = only("C005", eksctl.load(str(PAGE_MULTI_AZ)))
    assert (result.status, result.message) == (Status.SKIP, (
        "part of the node roles' policies unknown: node groups domino-platform-a, domino-platform-b, "
        "domino-platform-c, domino-default-a, domino-default-b, domino-default-c, domino-gpu-a, domino-gpu-b, "
        "domino-gpu-c attach no policy ARNs, so eksctl gives their roles its default policies, which the file does "
        "not list; checked live by domino-eks check."))


EKSCTL_GROUPS = """\
apiVersion: eksctl.io/v1alpha5
kind: ClusterConfig
metadata: {name: demo, region: us-west-2}
nodeGroups:
  - name: platform
    instanceType: m5.2xlarge
    labels: {dominodatalab.com/node-pool: platform}
    iam:
"""


def eksctl_with(tmp_path, group_iam: str):
    path = tmp_path / "cluster.yaml"
    path.write_text(EKSCTL_GROUPS + group_iam)
    return eksctl.load(str(path), today=TODAY)


@pytest.mark.parametrize(("group_iam", "carried"), [
    ("      withAddonPolicies: {autoScaler: true}\n", "Cluster Autoscaler"),
    ("      attachPolicyARNs: [arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy, "
     "arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy]\n", "VPC CNI"),
    ("      attachPolicyARNs: [arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy]\n"
     "      attachPolicy:\n        Version: '2012-10-17'\n        Statement:\n"
     "          - {Effect: Allow, Action: ['ec2:AttachVolume'], Resource: '*'}\n", "EBS CSI driver"),
])
def test_c005_fires_on_an_eksctl_file_whose_node_group_carries_a_controllers_policy(tmp_path, group_iam, carried):
    result = only("C005", eksctl_with(tmp_path, group_iam))
    assert (result.status, result.message) == (Status.FAIL, (
        "node role instance role of node group platform (node groups platform) carries the permissions of the "
        f"{carried}: every pod on those nodes can use them."))


def test_c005_passes_on_an_eksctl_file_that_lists_every_policy_of_its_node_roles(tmp_path):
    result = only("C005", eksctl_with(tmp_path, "      attachPolicyARNs: "
                                                "[arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy]\n"))
    assert (result.status, result.message) == (
        Status.PASS, "no node role carries an add-on's or the autoscaler's permissions.")


def test_c005_judges_the_eksctl_file_render_writes_and_it_passes(tmp_path):
    path = tmp_path / "cluster.yaml"
    path.write_text(render_eksctl.render(spec_with(tmp_path, COMPUTE)))
    result = only("C005", eksctl.load(str(path), today=TODAY))
    assert (result.status, result.message) == (
        Status.PASS, "no node role carries an add-on's or the autoscaler's permissions.")


def test_c004_by_default_names_what_each_pool_reaches_its_node_role_for(tmp_path):
    results = findings("C004", spec_with(tmp_path, COMPUTE))
    assert [(r.status, r.severity, r.message) for r in results] == [
        (Status.FAIL, Severity.INFO, "pool platform has IMDS hop limit 2, so its pods reach its node role: Domino's "
                                     "platform services (nucleus, the image registry) read and write its S3 buckets."),
        (Status.FAIL, Severity.INFO, "pool default has IMDS hop limit 2, so its pods reach its node role: Domino's "
                                     "executions upload their results to the blob store (the user-data bucket), and "
                                     "image builds push to the registry."),
    ]


def test_c004_passes_with_hop_limit_1_everywhere(tmp_path):
    deployment = spec_with(tmp_path, COMPUTE.replace("maxSize: 10\n", "maxSize: 10\n    imdsHopLimit: 1\n"))
    platform = deployment.pools[0]
    one = tuple(g.model_copy(update={"metadata_hop_limit": 1}) for g in platform.groups)
    deployment = deployment.model_copy(update={"pools": (platform.model_copy(update={"groups": one}),
                                                         *deployment.pools[1:])})
    result = only("C004", deployment)
    assert (result.status, result.message) == (Status.PASS, "every node requires IMDSv2.")


def test_c004_fires_on_a_group_that_accepts_imdsv1(tmp_path):
    deployment = spec_with(tmp_path)
    (pool,) = deployment.pools
    groups = tuple(g.model_copy(update={"imdsv2_required": g.name != "domino-platform-a", "metadata_hop_limit": 1})
                   for g in pool.groups)
    result = only("C004", deployment.model_copy(update={"pools": (pool.model_copy(update={"groups": groups}),)}))
    assert (result.status, result.severity, result.message) == (
        Status.FAIL, Severity.WARNING, "node group domino-platform-a accepts IMDSv1: any pod, or a request forged "
                                       "through one, gets the node role's credentials without a token.")


@pytest.mark.parametrize(("limit", "expected"), [
    (0, "Input should be greater than or equal to 1 (got 0)"),
    (65, "Input should be less than or equal to 64 (got 65)"),
])
def test_a_hop_limit_imds_does_not_take_is_refused(tmp_path, limit, expected):
    with pytest.raises(InputError) as refused:
        spec_with(tmp_path, COMPUTE.replace("maxSize: 10\n", f"maxSize: 10\n    imdsHopLimit: {limit}\n"))
    assert [str(p) for p in refused.value.problems] == [
        f"{tmp_path / 'spec.yaml'}:17:5: 'nodePools[1].imdsHopLimit': {expected}"]
