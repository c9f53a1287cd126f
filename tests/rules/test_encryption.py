"""C006 judged on specs and eksctl files (what validate sees): the root volumes and the block StorageClass are
encrypted in every case, and each store security.encryption names uses the deployment's key. Each fires on a file
built for it and stays quiet on the defaults."""

from __future__ import annotations

from domino_eks.model import KEY_CREATED_BY_APPLY
from domino_eks.rules import Status
from domino_eks.sources import eksctl
from tests.conftest import PAGE_MULTI_AZ, TODAY
from tests.rules.builders import edit, edit_groups, findings
from tests.rules.test_hardening import KEY, spec_with

ALL_STORES = "security:\n  encryption: {ebs: true, efs: true, s3: true}\n"
OTHER_KEY = "arn:aws:kms:us-west-2:123456789012:key/0000ffff-00ff-00ff-00ff-0000ffff0000"
OWN_CLASS = """\
storage:
  blockStorageClass:
    apiVersion: storage.k8s.io/v1
    kind: StorageClass
    metadata: {name: fast}
    provisioner: ebs.csi.aws.com
    parameters: {type: io2, encrypted: "%s"%s}
"""


def judged(deployment) -> list[tuple[Status, str]]:
    return [(f.status, f.message) for f in findings("C006", deployment)]


def test_the_defaults_encrypt_every_store_with_aws_managed_keys(tmp_path):
    deployment = spec_with(tmp_path, "")
    assert judged(deployment) == [(Status.PASS, "the node root volumes and the block StorageClass are encrypted.")]
    assert {(g.volume_encrypted, g.volume_kms_key_id) for g in deployment.groups} == {(True, None)}
    assert [b.kms_key_id for b in deployment.storage.buckets or ()] == [None, None, None]


def test_every_store_the_spec_names_gets_the_key_apply_creates(tmp_path):
    deployment = spec_with(tmp_path, ALL_STORES)
    assert judged(deployment) == [
        (Status.PASS, "the node root volumes and the block StorageClass are encrypted; EBS, EFS, S3 are encrypted "
                      "with the deployment's KMS key (the key apply creates)."),
    ]
    storage = deployment.storage
    assert {g.volume_kms_key_id for g in deployment.groups} == {KEY_CREATED_BY_APPLY}
    assert storage.block_class is not None and storage.block_class.parameters["kmsKeyId"] == KEY_CREATED_BY_APPLY
    assert storage.efs is not None and storage.efs.kms_key_id == KEY_CREATED_BY_APPLY
    assert {b.kms_key_id for b in storage.buckets or ()} == {KEY_CREATED_BY_APPLY}
    assert deployment.domino.registry is not None and deployment.domino.registry.kms_key_id == KEY_CREATED_BY_APPLY


def test_a_named_key_is_the_one_every_store_uses(tmp_path):
    deployment = spec_with(tmp_path, ALL_STORES + f"  kmsKeyArn: {KEY}\n")
    assert judged(deployment) == [(
        Status.PASS, "the node root volumes and the block StorageClass are encrypted; EBS, EFS, S3 are encrypted "
                     f"with the deployment's KMS key (key {KEY}).")]
    assert {g.volume_kms_key_id for g in deployment.groups} == {KEY}


def test_c006_fires_on_a_block_class_that_turns_encryption_off(tmp_path):
    deployment = spec_with(tmp_path, OWN_CLASS % ("false", ""))
    assert judged(deployment) == [(Status.FAIL, 'block StorageClass fast does not set encrypted: "true": the volumes '
                                                "of Domino's executions are written unencrypted unless the account "
                                                "encrypts EBS by default.")]


def test_c006_fires_on_a_block_class_encrypted_with_another_key_than_the_one_declared(tmp_path):
    deployment = spec_with(tmp_path, OWN_CLASS % ("true", f", kmsKeyId: '{OTHER_KEY}'")
                           + "security:\n  encryption: {ebs: true}\n" + f"  kmsKeyArn: {KEY}\n")
    (finding,) = findings("C006", deployment)
    assert (finding.status, finding.message) == (
        Status.FAIL, f"block StorageClass fast is encrypted with key {OTHER_KEY}, not the deployment's KMS key (key "
                     f"{KEY}) that security.encryption.ebs declares.")
    assert finding.location is not None
    assert (finding.location.path, finding.location.line) == ("storage.blockStorageClass", 13)


def test_c006_fires_on_stores_left_on_aws_managed_keys(tmp_path):
    deployment = spec_with(tmp_path, ALL_STORES)
    unkeyed = edit(deployment, "storage", efs=deployment.storage.efs.model_copy(update={"kms_key_id": None}))
    plain = edit_groups(unkeyed, None, lambda g: g.name == "domino-platform-a", volume_kms_key_id=None)
    assert judged(plain) == [
        (Status.FAIL, "the root volumes of node group domino-platform-a are encrypted with the AWS-managed key "
                      "aws/ebs, not the deployment's KMS key (the key apply creates) that security.encryption.ebs "
                      "declares."),
        (Status.FAIL, "the Datasets file system (planned) is encrypted with the AWS-managed key "
                      "aws/elasticfilesystem, not the deployment's KMS key (the key apply creates) that "
                      "security.encryption.efs declares."),
    ]


def test_c006_fires_on_unencrypted_root_volumes(tmp_path):
    deployment = edit_groups(spec_with(tmp_path, ""), None, lambda g: g.name == "domino-platform-a",
                             volume_encrypted=False)
    assert judged(deployment) == [(Status.FAIL, "the root volumes of node group domino-platform-a are not encrypted: "
                                                "its nodes' disks hold images, logs and the scratch files of "
                                                "executions.")]


def test_an_eksctl_file_without_volume_encryption_leaves_it_to_the_account(tmp_path):
    deployment = eksctl.load(str(PAGE_MULTI_AZ), today=TODAY)
    names = ", ".join(g.name for g in deployment.groups)
    assert judged(deployment) == [
        (Status.SKIP, f"whether the root volumes of node group(s) {names} are encrypted unknown: the ClusterConfig "
                      "leaves volumeEncrypted unset, so the account's EBS encryption default decides; checked live "
                      "by domino-eks check; the block StorageClass's encryption unknown: an eksctl ClusterConfig "
                      "does not declare it; checked live by domino-eks check; the stores the deployment's KMS key "
                      "should encrypt unknown: an eksctl ClusterConfig declares no key for EFS or S3; checked with "
                      "the spec by domino-eks validate."),
    ]
