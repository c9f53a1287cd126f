"""Rule C006 as apply builds it, read back from the emulator with describe calls: with security.encryption naming
EBS, EFS and S3, the key apply creates encrypts the launch templates' root volumes, the Datasets file system and
every bucket (SSE-KMS with bucket keys); the node roles may use it for S3 and the EBS CSI controller for volumes;
its policy lets EC2 Auto Scaling launch the encrypted nodes; and destroy --delete-data schedules it for deletion only
after everything it encrypts is gone."""

from __future__ import annotations

import json

import pytest

from domino_eks.provision import apply, desired, destroy, kinds, plan, recorded
from domino_eks.provision.handlers.kms import AUTO_SCALING_ACTIONS
from domino_eks.provision.resources import Existing, Key
from domino_eks.provision.walk import Silent
from domino_eks.render import installer
from domino_eks.sources import spec as spec_source
from tests.provision.support import REGION, aws_with_hooks, clients, one_deployment_per_module, unique_name, write_spec

ACCOUNT = "123456789012"  # the emulator's
AUTO_SCALING_ROLE = (f"arn:aws:iam::{ACCOUNT}:role/aws-service-role/autoscaling.amazonaws.com/"
                     "AWSServiceRoleForAutoScaling")


name, spec = one_deployment_per_module(managed=True)  # a managed pool and a self-managed one; the destroy test
# makes its own


@pytest.fixture(scope="module")
def encrypted_spec(spec):
    return encrypting(spec)


@pytest.fixture(scope="module")
def applied(endpoint, encrypted_spec):
    return apply_all(endpoint, encrypted_spec)


def encrypting(path):
    """The spec at `path`, made to encrypt EBS, EFS and S3 with the deployment's key."""
    document = json.loads(path.read_text())
    document["security"] = {"encryption": {"ebs": True, "efs": True, "s3": True}}
    path.write_text(json.dumps(document))
    return path


def apply_all(endpoint, path):
    aws = aws_with_hooks(endpoint)
    deployment = spec_source.load(str(path))
    survey = plan.survey(aws, deployment)
    result = apply.run(aws, survey.graph, survey.found, survey.plan, Silent())
    assert result.complete, {str(key): str(error) for key, error in result.walk.failures.items()}
    return deployment, result


def deployment_key(endpoint, name) -> str:
    (config,) = clients(endpoint)["eks"].describe_cluster(name=name)["cluster"]["encryptionConfig"]
    return config["provider"]["keyArn"]


def policy_documents(iam, role: str) -> dict[str, dict]:
    """Our policies attached to `role`, by name, as IAM holds them."""
    documents = {}
    for attached in iam.list_attached_role_policies(RoleName=role)["AttachedPolicies"]:
        policy = iam.get_policy(PolicyArn=attached["PolicyArn"])["Policy"]
        if ":aws:policy/" not in policy["Arn"]:
            version = iam.get_policy_version(PolicyArn=policy["Arn"], VersionId=policy["DefaultVersionId"])
            documents[attached["PolicyName"]] = version["PolicyVersion"]["Document"]
    return documents


def test_every_launch_template_encrypts_its_root_volume_with_the_deployments_key(endpoint, name, applied):
    key, ec2 = deployment_key(endpoint, name), clients(endpoint)["ec2"]
    templates = ec2.describe_launch_templates(
        Filters=[{"Name": "tag:domino-eks/deployment", "Values": [name]}])["LaunchTemplates"]
    assert len(templates) == 2  # the platform group's (self-managed) and the default group's (managed)
    for template in templates:
        (version,) = ec2.describe_launch_template_versions(
            LaunchTemplateId=template["LaunchTemplateId"], Versions=["$Default"])["LaunchTemplateVersions"]
        (mapping,) = version["LaunchTemplateData"]["BlockDeviceMappings"]
        assert (mapping["DeviceName"], mapping["Ebs"]["Encrypted"], mapping["Ebs"]["KmsKeyId"]) == (
            "/dev/xvda", True, key)


def test_the_datasets_file_system_is_encrypted_with_the_deployments_key(endpoint, name, applied):
    key, efs = deployment_key(endpoint, name), clients(endpoint)["efs"]
    listed = [s for page in efs.get_paginator("describe_file_systems").paginate() for s in page["FileSystems"]]
    (system,) = [s for s in listed if {"Key": "domino-eks/deployment", "Value": name} in s["Tags"]]
    assert (system["Encrypted"], system["KmsKeyId"]) == (True, key)


def test_every_bucket_is_sse_kms_with_the_deployments_key_and_a_bucket_key(endpoint, name, applied):
    key, s3 = deployment_key(endpoint, name), clients(endpoint)["s3"]
    for bucket in (f"{name}-user-data", f"{name}-logs", f"{name}-backups", f"{name}-registry"):
        (rule,) = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"]
        assert rule == {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": key},
                        "BucketKeyEnabled": True}, bucket


def test_the_node_roles_and_the_ebs_csi_controller_may_use_the_key_and_nothing_else_of_kms(endpoint, name, applied):
    iam = clients(endpoint)["iam"]
    # the key apply creates has no ARN when the policies are made: they name the region's keys tagged as this
    # deployment's
    tagged = {"StringEquals": {"aws:ResourceTag/domino-eks/deployment": name}}
    keys = [f"arn:aws:kms:{REGION}:*:key/*"]
    s3_use = {"Effect": "Allow", "Action": ["kms:Decrypt", "kms:GenerateDataKey"], "Resource": keys,
              "Condition": tagged}
    assert policy_documents(iam, f"{name}-platform-nodes")[f"{name}-s3-kms"]["Statement"] == [s3_use]
    assert policy_documents(iam, f"{name}-compute-nodes")[f"{name}-compute-s3-kms"]["Statement"] == [s3_use]
    assert policy_documents(iam, f"{name}-ebs-csi-controller-sa")[f"{name}-ebs-csi-kms"]["Statement"] == [
        {"Effect": "Allow", "Action": ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*",
                                       "kms:DescribeKey"], "Resource": keys, "Condition": tagged},
        {"Effect": "Allow", "Action": ["kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"], "Resource": keys,
         "Condition": {**tagged, "Bool": {"kms:GrantIsForAWSResource": "true"}}},
    ]


def test_the_key_policy_lets_ec2_auto_scaling_launch_the_encrypted_nodes(endpoint, name, applied):
    key, kms, iam = deployment_key(endpoint, name), clients(endpoint)["kms"], clients(endpoint)["iam"]
    policy = json.loads(kms.get_key_policy(KeyId=key, PolicyName="default")["Policy"])
    launcher = [(s["Action"], s.get("Condition")) for s in policy["Statement"]
                if s["Principal"] == {"AWS": AUTO_SCALING_ROLE}]
    assert launcher == [(list(AUTO_SCALING_ACTIONS), None),
                        ("kms:CreateGrant", {"Bool": {"kms:GrantIsForAWSResource": "true"}})]
    # KMS refuses a policy naming a role that does not exist: apply made sure it does
    assert iam.get_role(RoleName="AWSServiceRoleForAutoScaling")["Role"]["Arn"] == AUTO_SCALING_ROLE


def test_the_installer_values_name_the_key(endpoint, name, applied):
    deployment, result = applied
    key = deployment_key(endpoint, name)
    values = installer.installer_values(recorded.with_outputs(deployment, result.outputs))
    assert {store: values["blob_storage"][store]["s3"]["sse_kms_key_id"] for store in ("projects", "logs", "backups")
            } == {"projects": key, "logs": key, "backups": key}
    assert values["internal_docker_registry"]["s3_override"]["sse_kms_key_id"] == key
    assert values["storage_classes"]["block"]["parameters"] == {"kmsKeyId": key}


def test_destroy_with_delete_data_schedules_the_key_for_deletion_after_all_it_encrypts(endpoint, tmp_path):
    name = unique_name()
    deployment, _ = apply_all(endpoint, encrypting(write_spec(tmp_path / "domino.yaml", name, managed=True)))
    key = deployment_key(endpoint, name)
    calls: list[str] = []
    aws = aws_with_hooks(endpoint, **{"before-call": lambda model, **_: calls.append(model.name)})
    survey = plan.survey(aws, deployment)
    assert destroy.run(aws, survey.found.ours, survey.graph, Silent(), delete_data=True).complete
    encrypted = ("DeleteLaunchTemplate", "DeleteFileSystem", "DeleteBucket", "DeleteCluster", "DeleteNodegroup")
    last_encrypted = max(i for i, call in enumerate(calls) if call in encrypted)
    assert calls.index("ScheduleKeyDeletion") > last_encrypted
    metadata = clients(endpoint)["kms"].describe_key(KeyId=key)["KeyMetadata"]
    assert metadata["KeyState"] == "PendingDeletion"


def test_the_key_waits_for_every_store_it_encrypts(encrypted_spec):
    # destroy's order from the desired graph's edges: each launch template, the file system and every bucket
    deployment = spec_source.load(str(encrypted_spec))
    graph = desired.build(deployment)
    found = {resource.key: Existing(resource.key, {}) for resource in graph}
    waits = destroy.deletion_order(found, graph)[Key(kinds.KMS_KEY, desired.DEPLOYMENT_KEY)]
    assert {k.type for k in waits} >= {kinds.LAUNCH_TEMPLATE, kinds.EFS_FILE_SYSTEM, kinds.S3_BUCKET,
                                       kinds.EKS_CLUSTER}
    assert {k.name for k in waits if k.type == kinds.S3_BUCKET} == {
        b.name for b in deployment.storage.buckets or ()} | {f"{deployment.cluster.name}-registry"}
