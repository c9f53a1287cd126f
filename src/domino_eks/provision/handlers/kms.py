"""KMS: the customer-managed key that envelope-encrypts the cluster's Kubernetes Secrets.

Its key policy keeps the account in charge of the key (AWS's default statement, without which nobody could
manage it) and lets the principals the deployment names use it. Destroy keeps the key unless asked to delete
data: whatever it encrypted is unreadable without it, so even then it is only scheduled for deletion, after the
longest waiting period KMS allows, and only once everything it encrypts is gone (its users are deleted first).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from domino_eks.aws.session import Aws
from domino_eks.provision import kinds, tags
from domino_eks.provision.handlers.base import Handler, Scope, concurrently, paginate, retag, tolerating
from domino_eks.provision.resources import Existing

DELETION_WINDOW_DAYS = 30  # the longest PendingWindowInDays KMS accepts (7-30)
GONE = ("NotFoundException", "KMSInvalidStateException")
# What EKS needs of the key to encrypt Secrets: "Encrypt Kubernetes secrets with KMS on existing clusters",
# https://docs.aws.amazon.com/eks/latest/userguide/enable-kms.html (the cluster role's policy)
USER_ACTIONS = ("kms:Encrypt", "kms:Decrypt", "kms:ListGrants", "kms:DescribeKey")


def key_policy(account: str, users: Iterable[str]) -> str:
    """The account's administrators manage the key; `users` may use it for Secrets."""
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Sid": "AccountAdministers", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{account}:root"},
         "Action": "kms:*", "Resource": "*"},
        {"Sid": "DeploymentUses", "Effect": "Allow", "Principal": {"AWS": sorted(users)},
         "Action": list(USER_ACTIONS), "Resource": "*"},
    ]})



class Key(Handler):
    kind = kinds.KMS_KEY
    discovers_with = ("kms", "resourcegroupstaggingapi")
    properties = frozenset({"description", "users", "rotation", "tags"})
    observed = ("tags", "rotation")
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
        described = concurrently(lambda arn: kms.describe_key(KeyId=arn)["KeyMetadata"], [arn for arn, _ in ours])
        # a key scheduled for deletion is gone for this deployment (and KMS refuses to read its rotation)
        live = [(found, metadata) for (_, found), metadata in zip(ours, described, strict=True)
                if metadata["KeyManager"] == "CUSTOMER" and metadata["KeyState"] != "PendingDeletion"]
        rotations = concurrently(lambda metadata: kms.get_key_rotation_status(KeyId=metadata["KeyId"]),
                                 [metadata for _, metadata in live])
        for (found, metadata), rotation in zip(live, rotations, strict=True):
            yield Existing(self.key(found), {"id": metadata["KeyId"], "arn": metadata["Arn"]},
                           {"tags": found, "rotation": rotation["KeyRotationEnabled"]})

    def request_create(self, aws: Aws, p: Mapping[str, Any]) -> Mapping[str, Any]:
        kms = aws.client("kms")
        account = aws.client("sts").get_caller_identity()["Account"]
        metadata = kms.create_key(Description=p["description"], Policy=key_policy(account, p["users"]),
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
        return existing.outputs

    def request_delete(self, aws: Aws, existing: Existing) -> None:
        with tolerating(*GONE):
            aws.client("kms").schedule_key_deletion(KeyId=existing.outputs["id"],
                                                    PendingWindowInDays=DELETION_WINDOW_DAYS)
