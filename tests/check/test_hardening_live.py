"""C001-C003, C007 judged live: what EKS's DescribeCluster and KMS's GetKeyRotationStatus answer (shaped as
botocore's eks and kms models give them) becomes the model's hardening, each rule firing on an answer built for
it and quiet on a hardened cluster. The collection itself runs against the emulator in test_check_command.py."""

from __future__ import annotations

import copy

import pytest

from domino_eks.rules.base import Status
from tests.check.test_model import model, snapshot_of
from tests.rules.builders import findings, only

KEY = "arn:aws:kms:us-west-2:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
HARDENED = {
    "name": "domino-prod", "arn": "arn:aws:eks:us-west-2:123456789012:cluster/domino-prod", "version": "1.35",
    "resourcesVpcConfig": {"subnetIds": [], "endpointPublicAccess": False, "endpointPrivateAccess": True,
                           "publicAccessCidrs": ["0.0.0.0/0"]},  # EKS reports the CIDRs even with public access off
    "logging": {"clusterLogging": [{"types": ["api", "audit", "authenticator", "controllerManager", "scheduler"],
                                    "enabled": True}]},
    "encryptionConfig": [{"resources": ["secrets"], "provider": {"keyArn": KEY}}],
    "upgradePolicy": {"supportType": "STANDARD"},
}


def judged(rule_id: str, change=lambda cluster: None, rotation: bool = True):
    cluster = copy.deepcopy(HARDENED)
    change(cluster)
    return only(rule_id, model(snapshot_of(aws={"cluster": cluster, "key_rotation": {KEY: rotation}}), file=None))


@pytest.mark.parametrize("rule_id", ["C001", "C002", "C003", "C007"])
def test_a_hardened_cluster_passes(rule_id):
    assert judged(rule_id).status is Status.PASS


def test_c001_fires_on_a_public_endpoint_open_to_all():
    def public(cluster):
        cluster["resourcesVpcConfig"]["endpointPublicAccess"] = True

    result = judged("C001", public)
    assert (result.status, result.message) == (Status.FAIL, "the public API endpoint admits every address (0.0.0.0/0).")


def test_c002_fires_on_the_default_of_logging_off():
    def off(cluster):
        cluster["logging"] = {"clusterLogging": [{"types": ["api", "audit", "authenticator", "controllerManager",
                                                            "scheduler"], "enabled": False}]}

    assert judged("C002", off).message == (
        "control-plane log types api, audit, authenticator, controllerManager, scheduler are off: what they record "
        "is lost.")


def test_c003_fires_without_an_encryption_config_and_on_a_key_that_does_not_rotate():
    def unencrypted(cluster):
        cluster["encryptionConfig"] = []

    assert judged("C003", unencrypted).status is Status.FAIL
    assert judged("C003", rotation=False).message == (
        f"Secrets are encrypted with key {KEY}, whose automatic rotation is off.")


def test_c007_fires_on_extended_support_and_skips_when_eks_leaves_the_policy_out():
    def extended(cluster):
        cluster["upgradePolicy"] = {"supportType": "EXTENDED"}

    def absent(cluster):
        del cluster["upgradePolicy"]

    assert judged("C007", extended).status is Status.FAIL
    skipped = judged("C007", absent)
    assert (skipped.status, skipped.message) == (
        Status.SKIP, "the cluster's support policy (upgradePolicy.supportType) unknown: EKS described the cluster "
                     "without an upgradePolicy (the emulator leaves it out).")


FILE_SYSTEM_ARN = "arn:aws:elasticfilesystem:us-west-2:123456789012:file-system/fs-0123456789abcdef0"
EFS = {"file_system": {"FileSystemId": "fs-0123456789abcdef0", "FileSystemArn": FILE_SYSTEM_ARN, "Encrypted": True},
       "mount_targets": [], "access_points": []}


def backups_judged(**aws):
    return only("C008", model(snapshot_of(aws={"efs": EFS, **aws}), file=None))


def test_c008_passes_on_automatic_backups_or_a_backup_plan_protecting_the_file_system():
    assert backups_judged(efs_backup_policy="ENABLED").status is Status.PASS
    covered = backups_judged(efs_backup_policy="DISABLED", backup_protected_resources=[FILE_SYSTEM_ARN])
    assert (covered.status, covered.message) == (
        Status.PASS, "an AWS Backup plan protects the Datasets file system.")


def test_c008_fires_when_neither_backs_the_datasets_up():
    result = backups_judged(efs_backup_policy="DISABLED", backup_protected_resources=[])
    assert (result.status, result.message) == (
        Status.FAIL, "the Datasets file system has automatic backups off and no AWS Backup plan protects it: a "
                     "deleted or overwritten dataset cannot be recovered.")


def test_c008_skips_when_aws_backup_could_not_be_asked():
    # what the emulator answers: it has no ListProtectedResources
    result = only("C008", model(snapshot_of(aws={"efs": EFS, "efs_backup_policy": "DISABLED"},
                                            errors={"backup": "ListProtectedResources: not supported by this "
                                                              "endpoint (HTTP 404)"}), file=None))
    assert (result.status, result.message) == (
        Status.SKIP, "an AWS Backup plan covering the Datasets file system (its automatic backups are off) unknown: "
                     "the live account and cluster did not report it (the source reported backup: "
                     "ListProtectedResources: not supported by this endpoint (HTTP 404)).")


# C009 from a snapshot: DescribeFlowLogs and the default group's DescribeSecurityGroupRules, as botocore shapes them
VPC = "vpc-0123456789abcdef0"
DEFAULT_GROUP = "sg-0123456789abcdef9"
FLOW_LOG = {"FlowLogId": "fl-0123456789abcdef0", "FlowLogStatus": "ACTIVE", "DeliverLogsStatus": "SUCCESS",
            "ResourceId": VPC, "TrafficType": "ALL", "LogDestinationType": "cloud-watch-logs"}
EC2_DEFAULT_RULES = [  # what EC2 gives every new VPC's default group
    {"SecurityGroupRuleId": "sgr-0123456789abcdef1", "GroupId": DEFAULT_GROUP, "IsEgress": False,
     "IpProtocol": "-1", "FromPort": -1, "ToPort": -1, "ReferencedGroupInfo": {"GroupId": DEFAULT_GROUP}},
    {"SecurityGroupRuleId": "sgr-0123456789abcdef2", "GroupId": DEFAULT_GROUP, "IsEgress": True,
     "IpProtocol": "-1", "FromPort": -1, "ToPort": -1, "CidrIpv4": "0.0.0.0/0"},
]


def vpc_traffic(flow_logs=(FLOW_LOG,), rules=(), errors=None):
    cluster: dict = copy.deepcopy(HARDENED)
    cluster["resourcesVpcConfig"]["vpcId"] = VPC
    aws: dict = {"cluster": cluster, "key_rotation": {KEY: True}}
    if flow_logs is not None:
        aws["flow_logs"] = list(flow_logs)
    if rules is not None:
        aws["default_security_group"] = {"GroupId": DEFAULT_GROUP, "VpcId": VPC, "Rules": list(rules)}
    snapshot = snapshot_of(aws=aws, errors=errors)
    return [(f.status, f.message) for f in findings("C009", model(snapshot))]


def test_c009_passes_a_vpc_with_a_delivering_flow_log_and_an_empty_default_group():
    assert vpc_traffic() == [(Status.PASS, f"VPC {VPC} has flow logs on; default security group {DEFAULT_GROUP} of "
                                           f"VPC {VPC} holds no rules.")]


def test_c009_fires_on_a_flow_log_that_fails_to_deliver_and_names_each_rule_ec2_left_in_the_default_group():
    failing = {**FLOW_LOG, "DeliverLogsStatus": "FAILED"}
    assert vpc_traffic([failing], EC2_DEFAULT_RULES) == [
        (Status.FAIL, f"VPC {VPC} has no active flow log: its traffic is not recorded. Turn security.flowLogs on, or "
                      f"create a flow log for {VPC} (aws ec2 create-flow-logs --resource-type VPC)."),
        (Status.FAIL, f"default security group {DEFAULT_GROUP} of VPC {VPC} holds 2 rule(s): sgr-0123456789abcdef1 "
                      f"(ingress all traffic from {DEFAULT_GROUP}); sgr-0123456789abcdef2 (egress all traffic to "
                      "0.0.0.0/0). Revoke them: nothing should use the default group."),
    ]


def test_c009_is_unknown_where_ec2_refused_and_cites_the_refusal():
    refused = vpc_traffic(None, None, errors={"ec2": "AccessDenied: ec2:DescribeFlowLogs"})
    assert refused == [(Status.SKIP, f"the flow logs and the default security group's rules of VPC {VPC} unknown: "
                                     "the dump file does not hold it; `domino-eks snapshot` collects it (the source "
                                     "reported ec2: AccessDenied: ec2:DescribeFlowLogs).")]
