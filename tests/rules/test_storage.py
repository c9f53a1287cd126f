"""S001-S009: EBS StorageClass and driver, EFS for Datasets, the three S3 buckets and the nodes' access to them."""

from __future__ import annotations

import pytest

from domino_eks.knowledge import iam
from domino_eks.model import Grants, StorageClass, Subnet
from domino_eks.rules import Severity, Status
from domino_eks.sources import manifests
from tests.rules.builders import (
    allow,
    bucket,
    deny,
    edit,
    edit_bucket,
    edit_groups,
    findings,
    from_source,
    in_zone,
    only,
)

PAGE_STORAGE_CLASS = {  # the page's "example storage class specification", verbatim
    "apiVersion": "storage.k8s.io/v1",
    "kind": "StorageClass",
    "metadata": {"type": "gp2"},
    "provisioner": "kubernetes.io/aws-ebs",
}
GP2_IN_TREE = StorageClass(name="gp2", provisioner="kubernetes.io/aws-ebs", parameters={"type": "gp2"})
GP3_CSI = StorageClass(name="dominodisk", provisioner="ebs.csi.aws.com", parameters={"type": "gp3"})
EFS_CLASS = StorageClass(name="efs-sc", provisioner="efs.csi.aws.com")


def test_the_examples_pass_the_storage_rules(single_az, multi_az):
    for deployment in (single_az, multi_az):
        for rule_id in ("S001", "S002", "S003", "S004", "S005", "S006", "S007", "S008", "S009"):
            assert only(rule_id, deployment).status is Status.PASS, rule_id


def _live_classes(deployment, classes, drivers):
    return edit(deployment, "kubernetes", storage_classes=classes, csi_drivers=drivers)


# S001 ---------------------------------------------------------------------------------------------------------

def test_s001_fails_without_the_ebs_csi_driver(multi_az):
    finding = only("S001", _live_classes(multi_az, (GP3_CSI,), ("efs.csi.aws.com",)))
    assert (finding.status, finding.severity) == (Status.FAIL, Severity.ERROR)
    assert "ebs.csi.aws.com" in finding.message and "StorageClass dominodisk provisions no volume" in finding.message


def test_s001_fails_without_any_ebs_class(multi_az):
    finding = only("S001", _live_classes(multi_az, (EFS_CLASS,), ("ebs.csi.aws.com",)))
    assert (finding.status, finding.severity) == (Status.FAIL, Severity.ERROR)
    assert "found: efs-sc (efs.csi.aws.com)" in finding.message


def test_s001_warns_when_the_only_ebs_class_is_in_tree(multi_az):
    finding = only("S001", _live_classes(multi_az, (GP2_IN_TREE, EFS_CLASS), ("ebs.csi.aws.com",)))
    assert (finding.status, finding.severity) == (Status.FAIL, Severity.WARNING)
    assert "(gp2)" in finding.message and "kubernetes.io/aws-ebs" in finding.message


def test_s001_spares_the_driver_only_before_csi_migration(multi_az):
    deployment = edit(edit(multi_az, "storage", ebs_csi_driver=False), "cluster", version="1.22")
    assert only("S001", deployment).status is Status.PASS
    assert only("S001", edit(deployment, "cluster", version="1.23")).status is Status.FAIL


def test_s001_skips_when_the_driver_is_unknown(multi_az):
    finding = only("S001", from_source(edit(multi_az, "storage", ebs_csi_driver=None), "eksctl"))
    assert finding.status is Status.SKIP and "aws-ebs-csi-driver add-on" in finding.message


def test_s001_skips_when_no_class_is_known(multi_az):
    finding = only("S001", from_source(edit(multi_az, "storage", block_class=None), "eksctl"))
    assert finding.status is Status.SKIP and "declares no StorageClass" in finding.message


# S002 ---------------------------------------------------------------------------------------------------------

def test_s002_rejects_the_pages_sample_class(multi_az):
    sample = manifests.storage_class(PAGE_STORAGE_CLASS)
    found = findings("S002", edit(multi_az, "storage", block_class=sample))
    assert {(f.status, f.severity) for f in found} == {(Status.FAIL, Severity.ERROR)}
    assert any("no metadata.name" in f.message for f in found)
    assert any("'metadata.type" in f.message and "parameters.type" in f.message for f in found)


def test_s002_quotes_the_misplaced_value_and_where_it_belongs(multi_az):
    misplaced = StorageClass(name="domino", provisioner="ebs.csi.aws.com", misplaced=("metadata.type",),
                             misplaced_values={"metadata.type": "gp2"})
    finding = only("S002", edit(multi_az, "storage", block_class=misplaced))
    assert "domino sets 'metadata.type: gp2', which belongs under parameters (parameters.type)" in finding.message


@pytest.mark.parametrize("key", ["metadata.blockSize", "metadata.fstype"])
def test_s002_names_every_ebs_parameter_the_renderer_moves_as_belonging_under_parameters(multi_az, key):
    misplaced = StorageClass(name="domino", provisioner="ebs.csi.aws.com", misplaced=(key,),
                             misplaced_values={key: "4096"})
    finding = only("S002", edit(multi_az, "storage", block_class=misplaced))
    assert f"belongs under parameters (parameters.{key.removeprefix('metadata.')})" in finding.message


def test_s002_rejects_a_class_without_provisioner(multi_az):
    finding = only("S002", edit(multi_az, "storage", block_class=StorageClass(name="domino", provisioner=None)))
    assert finding.status is Status.FAIL and "domino has no provisioner" in finding.message


def test_s002_passes_a_well_formed_class(multi_az):
    sample = manifests.storage_class({**PAGE_STORAGE_CLASS, "metadata": {"name": "dominodisk"},
                                      "parameters": {"type": "gp3"}})
    assert only("S002", edit(multi_az, "storage", block_class=sample)).status is Status.PASS


def test_s002_skips_without_a_class(multi_az):
    finding = only("S002", from_source(edit(multi_az, "storage", block_class=None), "eksctl"))
    assert finding.status is Status.SKIP


# S003-S005 ----------------------------------------------------------------------------------------------------

def _efs(deployment, **changes):
    return edit(deployment, "storage", efs=deployment.storage.efs.model_copy(update=changes))


def test_s003_fails_without_a_mount_target_where_compute_runs(multi_az):
    finding = only("S003", _efs(multi_az, mount_target_zones=("us-west-2a", "us-west-2b"), file_system_id="fs-1"))
    assert (finding.status, finding.severity) == (Status.FAIL, Severity.ERROR)
    assert "fs-1 has no mount target in us-west-2c" in finding.message
    assert "default, gpu" in finding.message
    assert finding.location == multi_az.storage.efs.location


def test_s003_needs_no_mount_target_where_only_platform_runs(single_az):
    platform_only = edit_groups(single_az, "platform", zones=("us-west-2b",))
    assert only("S003", _efs(platform_only, mount_target_zones=("us-west-2a",))).status is Status.PASS


def test_s003_skips_for_eksctl(multi_az):
    finding = only("S003", from_source(edit(multi_az, "storage", efs=None), "eksctl"))
    assert finding.status is Status.SKIP and "does not declare EFS" in finding.message


def test_s004_fails_when_nfs_is_not_admitted(multi_az):
    finding = only("S004", _efs(multi_az, admits_nfs_from_nodes=False, file_system_id="fs-1"))
    assert (finding.status, finding.severity) == (Status.FAIL, Severity.ERROR)
    assert "fs-1" in finding.message and "TCP 2049" in finding.message


def test_s004_skip_cites_the_live_gap(multi_az):
    deployment = from_source(_efs(multi_az, admits_nfs_from_nodes=None), "live",
                             {"ec2": "UnauthorizedOperation: ec2:DescribeSecurityGroups"})
    finding = only("S004", deployment)
    assert finding.status is Status.SKIP and "ec2:DescribeSecurityGroups" in finding.message


def test_s005_warns_for_an_unencrypted_file_system(multi_az):
    finding = only("S005", _efs(multi_az, encrypted=False, file_system_id="fs-1"))
    assert (finding.status, finding.severity) == (Status.FAIL, Severity.WARNING)
    assert "fs-1 is not encrypted" in finding.message


def test_s005_skips_when_encryption_is_unknown(multi_az):
    assert only("S005", _efs(multi_az, encrypted=None)).status is Status.SKIP


# S006 ---------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name, problem", [
    ("ab", "2 characters long"),
    ("a" * 64, "64 characters long"),
    ("Domino-Logs", "lowercase letters"),
    ("-domino-logs", "start and end with a letter or digit"),
    ("domino_logs", "lowercase letters"),
    ("domino..logs", "two adjacent dots"),
    ("192.168.1.10", "IP address"),
    ("xn--domino", "starts with 'xn--'"),
    ("domino-s3alias", "ends with '-s3alias'"),
])
def test_s006_rejects_names_s3_refuses(multi_az, name, problem):
    finding = only("S006", edit_bucket(multi_az, "logs", name=name))
    assert (finding.status, finding.severity) == (Status.FAIL, Severity.ERROR)
    assert repr(name) in finding.message and problem in finding.message
    assert finding.location == bucket(multi_az, "logs").location


def test_s006_rejects_two_roles_sharing_a_bucket(multi_az):
    finding = only("S006", edit_bucket(multi_az, "backups", name=bucket(multi_az, "logs").name))
    assert finding.status is Status.FAIL and "'domino-test-cluster-logs' serves logs, backups" in finding.message


def test_s006_rejects_a_missing_role(multi_az):
    buckets = tuple(b for b in multi_az.storage.buckets if b.role != "backups")
    finding = only("S006", edit(multi_az, "storage", buckets=buckets))
    assert finding.status is Status.FAIL and "0 buckets have the backups role" in finding.message


def test_s006_skips_for_eksctl(multi_az):
    finding = only("S006", from_source(edit(multi_az, "storage", buckets=None), "eksctl"))
    assert finding.status is Status.SKIP and "created by hand after eksctl" in finding.message


# S007 ---------------------------------------------------------------------------------------------------------

def _node_role(deployment, *statements):
    return edit(deployment, "access", node_role=Grants(statements=statements, where="role acme-nodes"))


def _names(deployment):
    return [b.name for b in deployment.storage.buckets]


def test_s007_accepts_the_pages_policy_once_it_is_valid_json(multi_az):
    page = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": list(iam.S3_BUCKET_ACTIONS),
         "Resource": [iam.bucket_arn(n) for n in _names(multi_az)]},
        {"Effect": "Allow", "Action": list(iam.S3_OBJECT_ACTIONS),
         "Resource": [iam.bucket_arn(n) + "/*" for n in _names(multi_az)]},
    ]}
    assert only("S007", _node_role(multi_az, *iam.statements_from_document(page))).status is Status.PASS


def test_s007_fails_for_a_missing_object_action(multi_az):
    statements = iam.s3_statements(_names(multi_az))
    reads_only = statements[1].model_copy(update={"actions": ("s3:GetObject", "s3:ListMultipartUploadParts")})
    finding = only("S007", _node_role(multi_az, statements[0], reads_only))
    assert (finding.status, finding.severity) == (Status.FAIL, Severity.ERROR)
    assert ("role acme-nodes may not s3:PutObject, s3:DeleteObject, s3:AbortMultipartUpload on "
            "arn:aws:s3:::domino-test-cluster-user-data/*") in finding.message


def test_s007_honours_wildcards_on_the_buckets_themselves(multi_az):
    arns = tuple(iam.bucket_arn(n) for n in _names(multi_az))
    deployment = _node_role(multi_az, allow(("s3:*",), arns + tuple(a + "/*" for a in arns)))
    assert only("S007", deployment).status is Status.PASS


def test_s007_lets_a_deny_take_back_a_grant(multi_az):
    logs_objects = iam.bucket_arn(bucket(multi_az, "logs").name) + "/*"
    deployment = _node_role(multi_az, *iam.s3_statements(_names(multi_az)), deny(("s3:Delete*",), (logs_objects,)))
    finding = only("S007", deployment)
    assert finding.status is Status.FAIL and f"s3:DeleteObject on {logs_objects}" in finding.message


@pytest.mark.parametrize("resource", ["*", "arn:aws:s3:::domino-test-cluster-*"])
def test_s007_warns_for_access_beyond_the_three_buckets(multi_az, resource):
    finding = only("S007", _node_role(multi_az, allow(("s3:*",), (resource,))))
    assert (finding.status, finding.severity) == (Status.FAIL, Severity.WARNING)
    assert f"grants S3 actions on {resource}, beyond Domino's three buckets" in finding.message


def test_s007_ignores_grants_of_other_services(multi_az):
    deployment = _node_role(multi_az, *iam.s3_statements(_names(multi_az)), allow(("ec2:Describe*",)))
    assert only("S007", deployment).status is Status.PASS


def test_s007_skip_cites_the_live_gap(multi_az):
    deployment = from_source(edit(multi_az, "access", node_role=None), "live",
                             {"iam": "AccessDenied: iam:ListAttachedRolePolicies"})
    finding = only("S007", deployment)
    assert finding.status is Status.SKIP and "iam:ListAttachedRolePolicies" in finding.message


# S008-S009 ----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("setting, consequence", [
    ("blocks_public_access", "does not block public access"),
    ("encrypted", "has no default encryption"),
    ("tls_only", "does not deny non-TLS requests"),
])
def test_s008_warns_for_each_missing_protection(multi_az, setting, consequence):
    finding = only("S008", edit_bucket(multi_az, "user_data", **{setting: False}))
    assert (finding.status, finding.severity) == (Status.FAIL, Severity.WARNING)
    assert f"'domino-test-cluster-user-data' (user_data) {consequence}" in finding.message


def test_s008_skips_when_a_setting_is_unknown(multi_az):
    deployment = from_source(edit_bucket(multi_az, "logs", tls_only=None), "live", {"s3": "AccessDenied"})
    finding = only("S008", deployment)
    assert finding.status is Status.SKIP and "domino-test-cluster-logs" in finding.message
    assert "s3: AccessDenied" in finding.message


def test_s009_warns_without_versioning_on_backups(multi_az):
    finding = only("S009", edit_bucket(multi_az, "backups", versioning=False))
    assert (finding.status, finding.severity) == (Status.FAIL, Severity.WARNING)
    assert "'domino-test-cluster-backups' has versioning off" in finding.message


def test_s009_ignores_versioning_of_other_buckets(multi_az):
    assert only("S009", edit_bucket(multi_az, "logs", versioning=False)).status is Status.PASS


def test_s009_skips_when_versioning_is_unknown(multi_az):
    assert only("S009", edit_bucket(multi_az, "backups", versioning=None)).status is Status.SKIP


AUTO_MODE_CLASS = StorageClass(name="auto-ebs-sc", provisioner="ebs.csi.eks.amazonaws.com",
                               parameters={"type": "gp3", "encrypted": "true"})


def test_s001_accepts_eks_auto_mode_s_block_provisioner(multi_az):
    finding = only("S001", _live_classes(multi_az, (AUTO_MODE_CLASS,), ("ebs.csi.eks.amazonaws.com",)))
    assert finding.status is Status.PASS
    assert finding.message == "EBS StorageClass auto-ebs-sc can provision execution volumes."


def test_s001_fails_an_auto_mode_class_without_auto_mode_s_driver(multi_az):
    finding = only("S001", _live_classes(multi_az, (AUTO_MODE_CLASS,), ("efs.csi.aws.com",)))
    assert (finding.status, finding.severity) == (Status.FAIL, Severity.ERROR)


def test_s003_live_wants_a_mount_target_in_the_zone_of_every_compute_node_subnet(multi_az):
    """A group whose pool says us-west-2a but whose subnet lies in us-west-2d (as Karpenter's subnets may): EFS
    must be mountable where the nodes really land."""
    subnets = (Subnet(id="subnet-0a1", zone="us-west-2a", cidr="10.0.0.0/19", public=False),
               Subnet(id="subnet-0d4", zone="us-west-2d", cidr="10.0.96.0/19", public=False))
    live = edit(from_source(multi_az, "live"), "network", subnets=subnets)
    live = edit_groups(edit_groups(live, None, subnet_ids=("subnet-0a1",)), "default", in_zone("us-west-2a"),
                       subnet_ids=("subnet-0a1", "subnet-0d4"))
    finding = only("S003", _efs(live, file_system_id="fs-1",
                                mount_target_zones=("us-west-2a", "us-west-2b", "us-west-2c")))
    assert finding.message == (
        "EFS fs-1 has no mount target in us-west-2d, where compute pools default run (node subnet subnet-0d4): "
        "executions there cannot mount Datasets. Create one: `aws efs create-mount-target --file-system-id fs-1 "
        "--subnet-id subnet-0d4`.")
    every_zone = _efs(live, mount_target_zones=("us-west-2a", "us-west-2b", "us-west-2c", "us-west-2d"))
    assert only("S003", every_zone).status is Status.PASS
