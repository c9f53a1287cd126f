"""Gathering what the hardening rules read beyond the cluster's own description: whether the key that
encrypts its Secrets rotates (KMS), whether the Datasets file system is backed up (EFS, AWS Backup), and the
flow logs and default security group of the cluster's VPC (EC2)."""

from __future__ import annotations

from domino_eks.aws import pages
from domino_eks.collect import shapes
from domino_eks.collect.recorder import Recorder


def secrets_key_rotation(r: Recorder) -> None:
    """The rotation of each key the cluster's encryption config names, by key ARN."""
    keys = [c["provider"]["keyArn"] for c in (r.facts.get("cluster") or {}).get("encryptionConfig") or ()
            if "secrets" in c.get("resources", ())]
    if not keys:
        return
    kms = r.aws.client("kms")
    with r.recorded("kms"):
        r.store("key_rotation", {key: kms.get_key_rotation_status(KeyId=key)["KeyRotationEnabled"] for key in keys})


def file_system_backups(r: Recorder) -> None:
    """Whether the Datasets file system is backed up: its automatic backups, else any AWS Backup plan protecting
    it (the account's protected resources, looked up only when automatic backups are off)."""
    from botocore.exceptions import ClientError

    chosen = (r.facts.get("efs") or {}).get("file_system")
    if chosen is None:
        return
    with r.recorded("efs"):
        try:
            policy = r.aws.client("efs").describe_backup_policy(FileSystemId=chosen["FileSystemId"])
            status = policy.get("BackupPolicy", {}).get("Status")
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") != "PolicyNotFound":
                raise
            status = "DISABLED"  # a file system never given a backup policy has none
        r.store("efs_backup_policy", status)
    if status in ("ENABLED", "ENABLING"):
        return
    with r.recorded("backup"):
        protected = pages.paginate(r.aws.client("backup"), "list_protected_resources", "Results")
        r.store("backup_protected_resources", [p["ResourceArn"] for p in protected])


def vpc_flow_logs(r: Recorder) -> None:
    """Rule C009: the flow logs of the cluster's VPC, and its default security group with that group's rules."""
    vpc_id = shapes.cluster_vpc_id(r.facts)
    if vpc_id is None:
        return
    ec2 = r.aws.client("ec2")
    with r.recorded("ec2"):
        r.store("flow_logs", list(pages.paginate(ec2, "describe_flow_logs", "FlowLogs",
                                                 Filters=[{"Name": "resource-id", "Values": [vpc_id]}])))
    with r.recorded("ec2"):
        groups = ec2.describe_security_groups(Filters=[{"Name": "vpc-id", "Values": [vpc_id]},
                                                       {"Name": "group-name", "Values": ["default"]}])
        for group in groups["SecurityGroups"]:  # EC2 gives every VPC exactly one
            rules = pages.paginate(ec2, "describe_security_group_rules", "SecurityGroupRules",
                                   Filters=[{"Name": "group-id", "Values": [group["GroupId"]]}])
            r.store("default_security_group", {"GroupId": group["GroupId"], "VpcId": vpc_id, "Rules": list(rules)})
