"""A001-A003: the Cluster Autoscaler's permissions, how far its writes reach, and its autodiscovery tags."""

from __future__ import annotations

from domino_eks.knowledge import iam
from domino_eks.model import Autoscaler, Grants
from domino_eks.rules import Severity, Status
from tests.rules.builders import (
    allow,
    edit,
    edit_groups,
    findings,
    from_source,
    only,
    page_multi_az_groups,
)

# The page's example autoscaler policy (trailing comma removed): the seven actions on Resource "*".
PAGE_POLICY = allow(iam.AUTOSCALER_REQUIRED)


def _autoscaler_role(deployment, *statements):
    return edit(deployment, "access", autoscaler=Grants(statements=statements, where="role acme-platform"))


def test_the_examples_pass_a001_and_a002(single_az, multi_az):
    for deployment in (single_az, multi_az):
        for rule_id in ("A001", "A002"):
            assert only(rule_id, deployment).status is Status.PASS, rule_id


# A001 ---------------------------------------------------------------------------------------------------------

def test_a001_fails_when_a_required_action_is_missing(multi_az):
    without_tags = allow(tuple(a for a in iam.AUTOSCALER_REQUIRED if a != "autoscaling:DescribeTags"))
    found = findings("A001", _autoscaler_role(multi_az, without_tags, allow(iam.AUTOSCALER_RECOMMENDED)))
    (finding,) = found
    assert (finding.status, finding.severity) == (Status.FAIL, Severity.ERROR)
    assert "role acme-platform does not allow autoscaling:DescribeTags:" in finding.message


def test_a001_warns_that_the_pages_list_misses_what_current_releases_read(multi_az):
    finding = only("A001", _autoscaler_role(multi_az, PAGE_POLICY))
    assert (finding.status, finding.severity) == (Status.FAIL, Severity.WARNING)
    assert ", ".join(iam.AUTOSCALER_RECOMMENDED) in finding.message


def test_a001_honours_service_wildcards(multi_az):
    deployment = _autoscaler_role(multi_az, allow(("autoscaling:*", "ec2:Describe*", "ec2:Get*", "eks:Describe*")))
    assert only("A001", deployment).status is Status.PASS


def test_a001_passes_when_the_autoscaler_is_not_used(multi_az):
    deployment = edit(_autoscaler_role(multi_az), "autoscaler", enabled=False)
    finding = only("A001", deployment)
    assert finding.status is Status.PASS and "not used" in finding.message


def test_a001_skips_when_nobody_knows_whether_the_autoscaler_runs(multi_az):
    deployment = from_source(multi_az.model_copy(update={"autoscaler": Autoscaler()}), "eksctl")
    finding = only("A001", deployment)
    assert finding.status is Status.SKIP and "autoScaler addon policy" in finding.message


def test_a001_skip_cites_the_live_gap(multi_az):
    deployment = from_source(edit(multi_az, "access", autoscaler=None), "live", {"iam": "AccessDenied: iam:GetRole"})
    finding = only("A001", deployment)
    assert finding.status is Status.SKIP and "iam: AccessDenied: iam:GetRole" in finding.message


# A002 ---------------------------------------------------------------------------------------------------------

def test_a002_warns_for_the_pages_unscoped_writes(multi_az):
    finding = only("A002", _autoscaler_role(multi_az, PAGE_POLICY))
    assert (finding.status, finding.severity) == (Status.FAIL, Severity.WARNING)
    assert ('allows autoscaling:SetDesiredCapacity, autoscaling:TerminateInstanceInAutoScalingGroup on Resource "*"'
            in finding.message)


def test_a002_warns_for_a_service_wildcard_on_every_resource(multi_az):
    finding = only("A002", _autoscaler_role(multi_az, allow(("autoscaling:*",))))
    assert finding.status is Status.FAIL and "every Auto Scaling group in the account" in finding.message


def test_a002_accepts_writes_scoped_to_named_groups(multi_az):
    groups = ("arn:aws:autoscaling:us-west-2:111122223333:autoScalingGroup:*:autoScalingGroupName/domino-*",)
    deployment = _autoscaler_role(multi_az, allow(iam.AUTOSCALER_WRITE, groups))
    assert only("A002", deployment).status is Status.PASS


def test_a002_skips_when_the_grants_are_unknown(multi_az):
    assert only("A002", from_source(edit(multi_az, "access", autoscaler=None), "eksctl")).status is Status.SKIP


# A003 ---------------------------------------------------------------------------------------------------------

def test_a003_fires_on_the_pages_multi_az_template_tag(multi_az):
    page = page_multi_az_groups()
    deployment = edit_groups(multi_az, "default-gpu", tags=page["domino-gpu-b"]["tags"])
    found = findings("A003", deployment)
    assert len(found) == 3  # every gpu group of the edited example carries the sample's tags
    assert {(f.status, f.severity) for f in found} == {(Status.FAIL, Severity.ERROR)}
    assert "'k8s.io/cluster-autoscaler/{{ cluster_name }}', a template left unfilled" in found[0].message
    assert found[0].location == multi_az.pool("default-gpu").groups[0].location


def test_a003_fails_for_a_tag_naming_another_cluster(multi_az):
    deployment = edit_groups(multi_az, "default", tags={"k8s.io/cluster-autoscaler/staging": "owned"})
    found = findings("A003", deployment)
    assert found[0].status is Status.FAIL
    assert "naming cluster 'staging' rather than 'domino-test-cluster'" in found[0].message


def test_a003_fires_on_the_pages_other_placeholder(multi_az):
    deployment = edit_groups(multi_az, "default", tags={"k8s.io/cluster-autoscaler/<cluster_name>": "owned"})
    found = findings("A003", deployment)
    assert found[0].status is Status.FAIL and "a template left unfilled" in found[0].message


def test_a003_passes_the_switch_and_node_template_tags(multi_az):
    tags = {
        "k8s.io/cluster-autoscaler/enabled": "true",
        "k8s.io/cluster-autoscaler/domino-test-cluster": "owned",
        "k8s.io/cluster-autoscaler/node-template/label/dominodatalab.com/node-pool": "default",
        "team": "data-science",
    }
    assert only("A003", edit_groups(multi_az, "default", tags=tags)).status is Status.PASS


def test_a003_takes_no_deeper_autoscaler_tag_for_a_cluster_name(multi_az):
    tags = {"k8s.io/cluster-autoscaler/node-template/resources/ephemeral-storage": "100Gi",
            "k8s.io/cluster-autoscaler/domino-test-cluster": "owned"}
    assert only("A003", edit_groups(multi_az, "default", tags=tags)).status is Status.PASS


def test_a003_passes_the_pages_node_template_tags(multi_az):
    page_default = page_multi_az_groups()["domino-default-a"]["tags"]
    assert only("A003", edit_groups(multi_az, None, tags=page_default)).status is Status.PASS


def test_a003_passes_on_the_tags_the_tool_writes_for_a_spec(multi_az):
    assert only("A003", multi_az).status is Status.PASS


def test_a003_skips_when_no_group_tags_are_known(multi_az):
    finding = only("A003", edit_groups(multi_az, None, tags=None))
    assert finding.status is Status.SKIP


def _unnamed_dump(deployment, tags):
    return edit(from_source(edit_groups(deployment, "default", tags=tags), "dump"), "cluster", name=None)


def test_a003_still_fails_a_template_when_the_clusters_name_is_unknown(multi_az):
    deployment = _unnamed_dump(multi_az, {"k8s.io/cluster-autoscaler/{{ cluster_name }}": "owned"})
    found = findings("A003", deployment)
    assert found[0].status is Status.FAIL
    assert found[0].message == (
        "node group domino-default-a has tag 'k8s.io/cluster-autoscaler/{{ cluster_name }}', a template left "
        "unfilled: the Cluster Autoscaler looks for its cluster's name and never discovers this group.")


def test_a003_skips_a_real_name_when_the_clusters_is_unknown(multi_az):
    deployment = _unnamed_dump(multi_az, {"k8s.io/cluster-autoscaler/staging": "owned"})
    assert only("A003", deployment).message == (
        "the cluster's name (to compare with the autodiscovery tags naming domino-test-cluster, staging) "
        "unknown: the dump holds no EKS facts and no node carries the "
        "alpha.eksctl.io/cluster-name label (a cluster built by Terraform or the console, or one running on "
        "Fargate only); pass --cluster NAME.")


def test_a003_passes_an_unnamed_cluster_whose_tags_name_none(multi_az):
    deployment = _unnamed_dump(multi_az, {"k8s.io/cluster-autoscaler/enabled": "true"})
    for label in ("platform", "default-gpu"):
        deployment = edit_groups(deployment, label, tags={"k8s.io/cluster-autoscaler/enabled": "true"})
    finding = only("A003", deployment)
    assert (finding.status, finding.message) == (
        Status.PASS, "no autodiscovery tag names a cluster, or is a template left unfilled.")
