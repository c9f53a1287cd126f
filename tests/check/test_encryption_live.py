"""C006 judged live: the launch templates' block device mappings (DescribeLaunchTemplateVersions), the block
StorageClass the cluster serves, DescribeFileSystems' KmsKeyId and GetBucketEncryption, shaped as botocore's models
give them, become the model's encryption facts. Which stores the deployment means its key for only the spec says:
with it (check --spec, recorded in the snapshot's target) the rule judges every store's key; without it none is
declared, as C007 takes extended support. Fires on facts built for it, quiet on encrypted ones. The collection
itself runs against the emulator in test_check_command.py."""

from __future__ import annotations

import copy
from typing import Any

from domino_eks.model import KEY_CREATED_BY_APPLY
from domino_eks.rules.base import Status
from tests.check.test_model import items_of, model, recorded_list, snapshot_of
from tests.check.test_node_privilege_live import HARDENED
from tests.rules.builders import findings

KEY = "arn:aws:kms:us-west-2:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
CLUSTER = {"name": "domino-prod", "arn": "arn:aws:eks:us-west-2:123456789012:cluster/domino-prod", "version": "1.35",
           "resourcesVpcConfig": {"subnetIds": []},
           "encryptionConfig": [{"resources": ["secrets"], "provider": {"keyArn": KEY}}]}
FILE_SYSTEM = {"FileSystemId": "fs-0123456789abcdef0", "Encrypted": True, "KmsKeyId": KEY,
               "FileSystemArn": "arn:aws:elasticfilesystem:us-west-2:123456789012:file-system/fs-0123456789abcdef0"}
BUCKETS = {"user_data": "domino-prod-user-data", "logs": "domino-prod-logs", "backups": "domino-prod-backups"}


def root_volume(encrypted: bool | None = True, key: str | None = KEY) -> list[dict]:
    ebs = {"VolumeSize": 128, "VolumeType": "gp3", "DeleteOnTermination": True}
    ebs |= {"Encrypted": encrypted} if encrypted is not None else {}
    return [{"DeviceName": "/dev/xvda", "Ebs": ebs | ({"KmsKeyId": key} if key else {})}]


def bucket(name: str, key: str | None = KEY) -> dict:
    default = {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": key} if key else {"SSEAlgorithm": "AES256"}
    return {"name": name, "exists": True, "encryption": {"Rules": [
        {"ApplyServerSideEncryptionByDefault": default, "BucketKeyEnabled": True}]}}


def judged(change=lambda aws, kube: None, declared: dict | None = None) -> list[tuple[Status, str]]:
    """C006 on the recorded cluster (its nodes seen through their groups) with these AWS facts; `declared` is the
    spec's intent as check --spec records it in the target."""
    document = recorded_list()
    document["items"] = [i for i in document["items"] if i["kind"] != "Node"]
    aws: dict[str, Any] = {**copy.deepcopy(HARDENED),
        "cluster": copy.deepcopy(CLUSTER),
        "efs": {"file_system": dict(FILE_SYSTEM), "mount_targets": [], "access_points": []},
        "buckets": {role: bucket(name) for role, name in BUCKETS.items()}}
    for template in aws["launch_templates"].values():
        template["BlockDeviceMappings"] = root_volume()
    change(aws, document)
    target = {"cluster": "domino-prod", "buckets": BUCKETS, **({"data_key": declared} if declared else {})}
    return [(f.status, f.message) for f in findings("C006", model(snapshot_of(document, aws=aws, target=target),
                                                                  file=None))]


ALL = {"key": KEY_CREATED_BY_APPLY, "stores": ["ebs", "efs", "s3"]}


def test_encrypted_volumes_and_class_pass_and_without_the_spec_no_store_is_held_to_a_key():
    assert judged() == [(Status.PASS, "the node root volumes and the block StorageClass are encrypted.")]


def block_class(kube: dict) -> dict:
    (block,) = [c for c in items_of(kube, "StorageClass") if c["metadata"]["name"] == "dominodisk"]
    return block


def test_with_the_spec_every_store_on_the_clusters_key_passes():
    def keyed(aws, kube):
        block_class(kube)["parameters"]["kmsKeyId"] = KEY

    assert judged(keyed, declared=ALL) == [(
        Status.PASS, "the node root volumes and the block StorageClass are encrypted; EBS, EFS, S3 are encrypted with "
                     f"the deployment's KMS key (key {KEY}).")]


def test_with_the_spec_a_store_on_an_aws_managed_key_fires():
    def plain(aws, kube):
        aws["buckets"]["logs"] = bucket(BUCKETS["logs"], key=None)
        del aws["efs"]["file_system"]["KmsKeyId"]

    # the block class the cluster serves names no kmsKeyId either: the recorded one is the page's
    assert judged(plain, declared=ALL) == [
        (Status.FAIL, "block StorageClass dominodisk is encrypted with the AWS-managed key aws/ebs, not the "
                      f"deployment's KMS key (key {KEY}) that security.encryption.ebs declares."),
        (Status.FAIL, "the Datasets file system fs-0123456789abcdef0 is encrypted with the AWS-managed key "
                      f"aws/elasticfilesystem, not the deployment's KMS key (key {KEY}) that "
                      "security.encryption.efs declares."),
        (Status.FAIL, "bucket domino-prod-logs is encrypted with S3-managed keys, not the deployment's KMS key (key "
                      f"{KEY}) that security.encryption.s3 declares."),
    ]


def test_an_unencrypted_root_volume_and_an_unencrypted_block_class_fire():
    def unencrypted(aws, kube):
        aws["launch_templates"]["domino-default-a"]["BlockDeviceMappings"] = root_volume(False, key=None)
        block_class(kube)["parameters"]["encrypted"] = "false"

    assert judged(unencrypted) == [
        (Status.FAIL, "the root volumes of node group domino-default-a are not encrypted: its nodes' disks hold "
                      "images, logs and the scratch files of executions."),
        (Status.FAIL, 'block StorageClass dominodisk does not set encrypted: "true": the volumes of Domino\'s '
                      "executions are written unencrypted unless the account encrypts EBS by default."),
    ]


def test_a_template_that_leaves_encryption_to_the_account_is_unknown():
    def unsaid(aws, kube):
        aws["launch_templates"]["domino-default-a"]["BlockDeviceMappings"] = root_volume(None, key=None)

    assert judged(unsaid, declared={"key": KEY, "stores": []}) == [(
        Status.SKIP, "whether the root volumes of node group(s) domino-default-a are encrypted unknown: their launch "
                     "templates do not say (none, or a block device mapping that leaves Encrypted to the image and "
                     "the account's EBS default).")]
