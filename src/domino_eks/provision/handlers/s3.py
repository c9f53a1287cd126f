"""The three buckets: public access blocked, default encryption, versioning, and a TLS-only bucket policy.

The policy is a resource of its own, applied after the bucket is configured and removed before a bucket
is emptied: a Deny on every principal is the one setting that can lock apply itself out (the emulator,
which ignores the policy's TLS condition, denies every object call while it is there).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from botocore.exceptions import ClientError

from domino_eks.aws import faults
from domino_eks.aws.session import Aws
from domino_eks.knowledge import iam, regions
from domino_eks.provision import kinds, tags, waiters
from domino_eks.provision.handlers import intent
from domino_eks.provision.handlers.base import Handler, Scope, concurrently, ids, paginate, tolerating
from domino_eks.provision.resources import Existing, Key

NO_TAGS = "NoSuchTagSet"
DELETE_BATCH = 1000  # most keys DeleteObjects takes at once
ALL_BLOCKED = {"BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True,
               "RestrictPublicBuckets": True}
INTENT_OF = "intent_of"  # in the outputs of a bucket found by its intent record: the deployment that recorded it
UNCONFIGURED = ("NoSuchPublicAccessBlockConfiguration", "ServerSideEncryptionConfigurationNotFoundError")


def _outputs(aws: Aws, name: str) -> dict[str, str]:
    return {"name": name, "arn": iam.bucket_arn(name, regions.partition(aws.region))}


def _read(call: Any, **arguments: Any) -> dict | None:
    """A bucket setting, or None when the bucket has none."""
    try:
        return call(**arguments)
    except Exception as error:
        if faults.code_of(error) in UNCONFIGURED:
            return None
        raise


class Bucket(Handler):
    kind = kinds.S3_BUCKET
    discovers_with = ("s3", "resourcegroupstaggingapi")
    properties = frozenset({"name", "region", "block_public_access", "encryption", "versioning", "tags"})
    observed = ("tags", "block_public_access", "encryption", "versioning")

    def discover(self, aws: Aws, scope: Scope) -> Iterable[Existing]:
        s3 = aws.client("s3")
        registry = scope.deployment.domino.registry
        registry_bucket = {registry.name} if registry and registry.kind == "s3" else set()
        named = sorted({bucket.name for bucket in scope.deployment.storage.buckets or ()} | registry_bucket)
        # the spec's buckets' settings are read beside their tags, before knowing whose they are: a round trip
        # less on plan's path, at the price of reads answered "no such bucket" before the first apply
        steps: list[Callable[[], dict[str, Any]]] = [
            lambda: self._indexed(aws, scope),
            lambda: dict(zip(named, concurrently(lambda name: self._tags(s3, name), named), strict=True)),
            lambda: dict(zip(named, concurrently(lambda name: self._settings_if_readable(s3, name), named),
                             strict=True)),
        ]
        indexed, read, early = concurrently(lambda step: step(), steps)
        tagged = {**indexed, **read}  # a bucket's own answer is newer than the index's
        owned = sorted(name for name, found in tagged.items() if tags.belongs(found, scope.name))
        unread = [name for name in owned if early.get(name) is None]
        settings = {**early, **dict(zip(unread, concurrently(lambda name: self._settings(s3, name), unread),
                                        strict=True))}
        for name in owned:
            yield Existing(self.key(tagged[name]), _outputs(aws, name), {"tags": tagged[name], **settings[name]})
        untagged = sorted(name for name, found in read.items() if not found)
        resumed = concurrently(lambda name: _interrupted_create(aws, scope.name, name), untagged)
        for name, resource in zip(untagged, resumed, strict=True):
            if resource:  # ours, its tags not yet written: plan shows them missing, and apply writes them
                yield Existing(Key(self.kind, resource), {**_outputs(aws, name), INTENT_OF: scope.name},
                               {"tags": {}, **(early.get(name) or self._settings(s3, name))})

    @staticmethod
    def _indexed(aws: Aws, scope: Scope) -> dict[str, dict[str, str]]:
        """Buckets the tagging index lists under the deployment's tag, with their tags: it finds buckets a
        former spec named; reading the spec's own bucket names covers buckets too new for the index."""
        tagging = aws.client("resourcegroupstaggingapi")
        listed = paginate(tagging, "get_resources", "ResourceTagMappingList", ResourceTypeFilters=["s3"],
                          TagFilters=[{"Key": tags.DEPLOYMENT, "Values": [scope.name]}])
        return {mapping["ResourceARN"].rsplit(":", 1)[1]: tags.from_aws(mapping.get("Tags")) for mapping in listed}

    @staticmethod
    def _tags(s3: Any, name: str) -> dict[str, str]:
        try:
            return tags.from_aws(s3.get_bucket_tagging(Bucket=name)["TagSet"])
        except Exception as error:
            if faults.code_of(error) in (NO_TAGS, "NoSuchBucket", "AccessDenied"):
                return {}
            raise

    @classmethod
    def _settings_if_readable(cls, s3: Any, name: str) -> dict[str, Any] | None:
        """The settings of bucket `name`, or None where it does not exist or is someone else's."""
        try:
            return cls._settings(s3, name)
        except Exception as error:
            if faults.code_of(error) in ("NoSuchBucket", "AccessDenied", "403", "404"):
                return None
            raise

    @staticmethod
    def _settings(s3: Any, name: str) -> dict[str, Any]:
        block, encryption, versioning = concurrently(lambda read: read(), [
            lambda: _read(s3.get_public_access_block, Bucket=name),
            lambda: _read(s3.get_bucket_encryption, Bucket=name),
            lambda: s3.get_bucket_versioning(Bucket=name)])
        rule = encryption["ServerSideEncryptionConfiguration"]["Rules"][0]["ApplyServerSideEncryptionByDefault"] \
            if encryption else {}
        return {
            "block_public_access": bool(block and block["PublicAccessBlockConfiguration"] == ALL_BLOCKED),
            "encryption": {"algorithm": rule.get("SSEAlgorithm"), "key": rule.get("KMSMasterKeyID")},
            "versioning": versioning.get("Status") == "Enabled",
        }

    def request_create(self, aws: Aws, p: Mapping[str, Any]) -> Mapping[str, Any]:
        s3, name, deployment = aws.client("s3"), p["name"], p["tags"][tags.DEPLOYMENT]
        location = {} if p["region"] == "us-east-1" else {
            "CreateBucketConfiguration": {"LocationConstraint": p["region"]}}
        # us-east-1 answers CreateBucket with success for a bucket the caller already owns: ask before creating
        if _owned(s3, name):
            self._claim(aws, name, deployment)
        else:
            intent.record(aws, deployment, self.kind, name, p["tags"][tags.RESOURCE])
            try:
                s3.create_bucket(Bucket=name, **location)
            except Exception as error:
                if faults.code_of(error) != "BucketAlreadyOwnedByYou":
                    raise
                self._claim(aws, name, deployment)
        waiters.wait(s3, "BucketExists", Bucket=name)
        self._configure(aws, p)
        return _outputs(aws, name)

    def _claim(self, aws: Aws, name: str, deployment: str) -> None:
        """Go on with a bucket already there only if it is this deployment's: tagged as ours, or created after
        our recorded intent. Anyone else's, empty or not, is left as it is: destroy would delete it."""
        if tags.belongs(self._tags(aws.client("s3"), name), deployment) or _interrupted_create(aws, deployment, name):
            return
        intent.forget(aws, deployment, self.kind, name)
        raise ClientError({"Error": {"Code": "BucketAlreadyOwnedByYou", "Message": (
            f"bucket {name} already exists in this account and this deployment did not create it; domino-eks will "
            "not take it over: name another bucket in storage.buckets, or delete this one")}}, "CreateBucket")

    def update(self, aws: Aws, existing: Existing, p: Mapping[str, Any]) -> Mapping[str, Any]:
        self._configure(aws, p)
        return existing.outputs

    def _configure(self, aws: Aws, p: Mapping[str, Any]) -> None:
        """Every setting, each a PUT that replaces the last: running it again changes nothing."""
        s3, name = aws.client("s3"), p["name"]
        current = Bucket._tags(s3, name)
        s3.put_bucket_tagging(Bucket=name, Tagging={"TagSet": tags.to_aws({**current, **p["tags"]})})
        if not tags.belongs(current, p["tags"][tags.DEPLOYMENT]):  # the tags say whose it is from now on
            intent.forget(aws, p["tags"][tags.DEPLOYMENT], self.kind, name)
        if p["block_public_access"]:
            s3.put_public_access_block(Bucket=name, PublicAccessBlockConfiguration=ALL_BLOCKED)
        default = {"SSEAlgorithm": p["encryption"]["algorithm"]}
        if p["encryption"]["key"]:
            default["KMSMasterKeyID"] = p["encryption"]["key"]
        s3.put_bucket_encryption(Bucket=name, ServerSideEncryptionConfiguration={
            "Rules": [{"ApplyServerSideEncryptionByDefault": default, "BucketKeyEnabled": True}]})
        versioning = s3.get_bucket_versioning(Bucket=name).get("Status")
        if p["versioning"] or versioning == "Enabled":  # a bucket never versioned stays so: nothing to suspend
            s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={
                "Status": "Enabled" if p["versioning"] else "Suspended"})

    def data(self, aws: Aws, existing: Existing) -> str | None:
        """Old versions and delete markers count: they are data too."""
        first = _first_object(aws.client("s3"), existing.outputs["name"])
        return f"holds objects (for example {first!r})" if first else None

    def empty(self, aws: Aws, existing: Existing) -> None:
        s3 = aws.client("s3")
        name = existing.outputs["name"]
        for page in s3.get_paginator("list_object_versions").paginate(
                Bucket=name, PaginationConfig={"PageSize": DELETE_BATCH}):
            doomed = [{"Key": v["Key"], "VersionId": v["VersionId"]}
                      for v in (page.get("Versions") or []) + (page.get("DeleteMarkers") or [])]
            if doomed:
                s3.delete_objects(Bucket=name, Delete={"Objects": doomed, "Quiet": True})

    def request_delete(self, aws: Aws, existing: Existing) -> None:
        with tolerating("NoSuchBucket"):
            aws.client("s3").delete_bucket(Bucket=existing.outputs["name"])
        if INTENT_OF in existing.outputs:  # a record outliving its bucket would vouch for the next one so named
            intent.forget(aws, existing.outputs[INTENT_OF], self.kind, existing.outputs["name"])


def _interrupted_create(aws: Aws, deployment: str, name: str) -> str | None:
    """The graph's name for bucket `name` if this deployment recorded its intent before the bucket was created."""
    created = next((b["CreationDate"] for b in aws.client("s3").list_buckets(Prefix=name).get("Buckets", [])
                    if b["Name"] == name), None)
    claim = intent.claimed(aws, deployment, kinds.S3_BUCKET, name, created) if created else None
    return claim["resource"] if claim else None


def _owned(s3: Any, name: str) -> bool:
    """The bucket exists and this account may read it (403: someone else's, which CreateBucket then reports)."""
    try:
        s3.head_bucket(Bucket=name)
    except Exception as error:
        if faults.code_of(error) in ("404", "NoSuchBucket", "403", "AccessDenied"):
            return False
        raise
    return True


def _first_object(s3: Any, name: str) -> str | None:
    """The key of one object, old version or delete marker in the bucket; None when it is empty."""
    page = s3.list_object_versions(Bucket=name, MaxKeys=1)
    first = (page.get("Versions") or page.get("DeleteMarkers") or [None])[0]
    return first["Key"] if first else None


class BucketPolicy(Handler):
    kind = kinds.S3_BUCKET_POLICY
    discovers_with = ("s3",)
    found_through = (kinds.S3_BUCKET,)
    properties = frozenset({"bucket", "document"})
    observed = ("document",)
    at_least = ()

    def discover(self, aws: Aws, scope: Scope) -> Iterable[Existing]:
        s3 = aws.client("s3")

        def policy_of(name: str) -> dict | None:
            try:
                return json.loads(s3.get_bucket_policy(Bucket=name)["Policy"])
            except Exception as error:
                if faults.code_of(error) == "NoSuchBucketPolicy":
                    return None
                raise

        buckets = scope.of_type(kinds.S3_BUCKET)
        for bucket, document in zip(buckets, concurrently(lambda b: policy_of(b.outputs["name"]), buckets),
                                    strict=True):
            if document is not None:
                name = bucket.outputs["name"]
                yield Existing(Key(self.kind, bucket.key.name), {"bucket": name}, {"document": document},
                               ids((kinds.S3_BUCKET, name)))

    def request_create(self, aws: Aws, p: Mapping[str, Any]) -> Mapping[str, Any]:
        aws.client("s3").put_bucket_policy(Bucket=p["bucket"], Policy=json.dumps(p["document"]))
        return {"bucket": p["bucket"]}

    def update(self, aws: Aws, existing: Existing, p: Mapping[str, Any]) -> Mapping[str, Any]:
        return self.create(aws, p)

    def request_delete(self, aws: Aws, existing: Existing) -> None:
        with tolerating("NoSuchBucket"):
            aws.client("s3").delete_bucket_policy(Bucket=existing.outputs["bucket"])
