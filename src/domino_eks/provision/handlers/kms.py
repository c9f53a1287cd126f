"""KMS: the customer-managed key that envelope-encrypts the cluster's Kubernetes Secrets, and the data stores the
spec names (rule C006: EBS, EFS, S3).

Its key policy keeps the account in charge of the key (AWS's default statement, without which nobody could
manage it, and which lets IAM policies grant its use: the node roles' S3 and the EBS CSI controller's) and lets the
principals the deployment names use it: the cluster role, and EC2 Auto Scaling's service-linked role where the
nodes' root volumes are encrypted with it. Destroy keeps the key unless asked to delete
data: whatever it encrypted is unreadable without it, so even then it is only scheduled for deletion, after the
longest waiting period KMS allows, and only once everything it encrypts is gone (its users are deleted first).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from domino_eks.aws import faults
from domino_eks.aws.session import Aws
from domino_eks.knowledge import iam, regions
from domino_eks.provision import kinds, tags
from domino_eks.provision.handlers.base import Handler, Scope, paginate, retag, together, tolerating
from domino_eks.provision.resources import Existing

DELETION_WINDOW_DAYS = 30  # the longest PendingWindowInDays KMS accepts (7-30)
GONE = ("NotFoundException", "KMSInvalidStateException")
# What EKS needs of the key to encrypt Secrets: "Encrypt Kubernetes secrets with KMS on existing clusters",
# https://docs.aws.amazon.com/eks/latest/userguide/enable-kms.html (the cluster role's policy)
USER_ACTIONS = ("kms:Encrypt", "kms:Decrypt", "kms:ListGrants", "kms:DescribeKey")
AUTO_SCALING_SERVICE = "autoscaling.amazonaws.com"
AUTO_SCALING_SID = "AutoScalingEncryptsRootVolumes"
# What EC2 Auto Scaling's service-linked role needs to launch instances whose volumes a customer-managed key
# encrypts: the key's use, and grants for EBS (https://docs.aws.amazon.com/autoscaling/ec2/userguide/
# key-policy-requirements-EBS-encryption.html, example 1)
AUTO_SCALING_ACTIONS = ("kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey")


def key_policy(account: str, users: Iterable[str], auto_scaling: bool = False, partition: str = "aws") -> str:
    """The account's administrators manage the key; `users` may use it for Secrets; with `auto_scaling`, EC2 Auto
    Scaling may launch nodes whose root volumes it encrypts."""
    statements: list[dict] = [
        {"Sid": "AccountAdministers", "Effect": "Allow", "Principal": {"AWS": f"arn:{partition}:iam::{account}:root"},
         "Action": "kms:*", "Resource": "*"},
        {"Sid": "DeploymentUses", "Effect": "Allow", "Principal": {"AWS": sorted(users)},
         "Action": list(USER_ACTIONS), "Resource": "*"},
    ]
    if auto_scaling:
        launcher = {"AWS": iam.autoscaling_service_role_arn(account, partition)}
        statements += [
            {"Sid": AUTO_SCALING_SID, "Effect": "Allow", "Principal": launcher,
             "Action": list(AUTO_SCALING_ACTIONS), "Resource": "*"},
            {"Sid": "AutoScalingGrantsEbs", "Effect": "Allow", "Principal": launcher, "Action": "kms:CreateGrant",
             "Resource": "*", "Condition": iam.FOR_AWS_RESOURCES},
        ]
    return json.dumps({"Version": "2012-10-17", "Statement": statements})


def _answer_or_error(read: Callable[[], Any]) -> Any:
    """What `read` answers, or the AWS error it met: whether that error matters depends on the key's state, which
    another read of the same round trip tells."""
    from botocore.exceptions import ClientError

    try:
        return read()
    except ClientError as error:
        return error


def ensure_auto_scaling_role(aws: Aws) -> None:
    """KMS refuses a key policy naming a role that does not exist, and EC2 Auto Scaling makes its service-linked
    role only at an account's first group: make it now if the account has none (one per account)."""
    client = aws.client("iam")
    try:
        client.get_role(RoleName=iam.AUTO_SCALING_SERVICE_ROLE)
        return
    except Exception as error:
        if faults.code_of(error) != "NoSuchEntity":
            raise
    try:
        client.create_service_linked_role(AWSServiceName=AUTO_SCALING_SERVICE)
    except Exception as error:
        if not _made_meanwhile(error):
            raise


def _made_meanwhile(error: Exception) -> bool:
    """Whether CreateServiceLinkedRole failed because someone made the role since it was read: AWS says so with
    InvalidInput ("Service role name AWSServiceRoleForAutoScaling has been taken in this account"), which it also
    answers to other bad input; the emulator with EntityAlreadyExists."""
    code = faults.code_of(error)
    return code == "EntityAlreadyExists" or (code == "InvalidInput" and "has been taken" in str(error))


class Key(Handler):
    kind = kinds.KMS_KEY
    discovers_with = ("kms", "resourcegroupstaggingapi")
    properties = frozenset({"description", "users", "auto_scaling", "rotation", "tags"})
    observed = ("tags", "rotation", "auto_scaling")
    kept_without_delete_data = "the key that decrypts the cluster's Secrets"

    def discover(self, aws: Aws, scope: Scope) -> Iterable[Existing]:
        kms, tagging = aws.client("kms"), aws.client("resourcegroupstaggingapi")
        # the tagging index answers with the deployment's keys and their tags in one call, however many keys the
        # account holds (it indexes kms:key: https://docs.aws.amazon.com/resourcegroupstagging/latest/APIReference/
        # supported-services.html)
        indexed = [(m["ResourceARN"], tags.from_aws(m.get("Tags"))) for m in paginate(
            tagging, "get_resources", "ResourceTagMappingList", ResourceTypeFilters=["kms:key"],
            TagFilters=[{"Key": tags.DEPLOYMENT, "Values": [scope.name]}])]
        ours = [(arn, found) for arn, found in indexed if tags.belongs(found, scope.name)]
        # a key's three reads go out together: one round trip for every key, not three in turn
        reads = together((
            lambda arn: _answer_or_error(lambda: kms.describe_key(KeyId=arn)["KeyMetadata"]),
            lambda arn: _answer_or_error(lambda: kms.get_key_rotation_status(KeyId=arn)["KeyRotationEnabled"]),
            lambda arn: _answer_or_error(lambda: json.loads(kms.get_key_policy(KeyId=arn, PolicyName="default")[
                "Policy"]))), [arn for arn, _ in ours])
        for (_, found), (metadata, rotation, policy) in zip(ours, reads, strict=True):
            if isinstance(metadata, Exception):
                raise metadata
            # a key scheduled for deletion is gone for this deployment (and KMS refuses to read its rotation)
            if metadata["KeyManager"] != "CUSTOMER" or metadata["KeyState"] == "PendingDeletion":
                continue
            for answer in (rotation, policy):
                if isinstance(answer, Exception):
                    raise answer
            launches = any(s.get("Sid") == AUTO_SCALING_SID for s in policy.get("Statement", ()))
            yield Existing(self.key(found), {"id": metadata["KeyId"], "arn": metadata["Arn"]},
                           {"tags": found, "rotation": rotation, "auto_scaling": launches})

    def request_create(self, aws: Aws, p: Mapping[str, Any]) -> Mapping[str, Any]:
        kms = aws.client("kms")
        metadata = kms.create_key(Description=p["description"], Policy=self._policy(aws, p),
                                  Tags=[{"TagKey": k, "TagValue": v} for k, v in p["tags"].items()])["KeyMetadata"]
        self._rotate(kms, metadata["KeyId"], p["rotation"])
        return {"id": metadata["KeyId"], "arn": metadata["Arn"]}

    @staticmethod
    def _rotate(kms: Any, key_id: str, rotation: bool) -> None:
        if rotation:
            kms.enable_key_rotation(KeyId=key_id)
        else:
            kms.disable_key_rotation(KeyId=key_id)

    def update(self, aws: Aws, existing: Existing, p: Mapping[str, Any]) -> Mapping[str, Any]:
        kms = aws.client("kms")
        key_id = existing.outputs["id"]
        retag(existing.observed["tags"], p["tags"], lambda changed: kms.tag_resource(
            KeyId=key_id, Tags=[{"TagKey": k, "TagValue": v} for k, v in changed.items()]))
        if existing.observed["rotation"] != p["rotation"]:
            self._rotate(kms, key_id, p["rotation"])
        if existing.observed["auto_scaling"] != p["auto_scaling"]:  # the root volumes' key changed (C006)
            kms.put_key_policy(KeyId=key_id, PolicyName="default", Policy=self._policy(aws, p))
        return existing.outputs

    @staticmethod
    def _policy(aws: Aws, p: Mapping[str, Any]) -> str:
        """The key's policy for `p`, once the role it names exists (KMS refuses a policy naming a missing one)."""
        if p["auto_scaling"]:
            ensure_auto_scaling_role(aws)
        return key_policy(aws.account_id(), p["users"], p["auto_scaling"], regions.partition(aws.region))

    def request_delete(self, aws: Aws, existing: Existing) -> None:
        with tolerating(*GONE):
            aws.client("kms").schedule_key_deletion(KeyId=existing.outputs["id"],
                                                    PendingWindowInDays=DELETION_WINDOW_DAYS)
