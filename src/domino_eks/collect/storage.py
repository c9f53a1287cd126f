"""Gathering the storage Domino asks for: the Datasets EFS (with its mount targets and their security
groups) and the three S3 buckets' settings.

The EFS is the one `--efs-id` names, else the one file system with a mount target in the cluster's VPC.
A bucket that does not exist, or a setting never configured (no public-access block, no default
encryption, no policy), is a fact and recorded as such; a setting that may not be read is noted.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from domino_eks.aws import pages
from domino_eks.collect import shapes
from domino_eks.collect.recorder import Recorder

# (fact, S3 operation, the error code meaning "never configured" — None: every bucket answers, how to read it)
BUCKET_SETTINGS = (
    ("public_access_block", "get_public_access_block", "NoSuchPublicAccessBlockConfiguration",
     lambda answer: answer["PublicAccessBlockConfiguration"]),
    ("encryption", "get_bucket_encryption", "ServerSideEncryptionConfigurationNotFoundError",
     lambda answer: answer["ServerSideEncryptionConfiguration"]),
    ("policy", "get_bucket_policy", "NoSuchBucketPolicy", lambda answer: json.loads(answer["Policy"])),
    ("versioning", "get_bucket_versioning", None,
     lambda answer: {k: v for k, v in answer.items() if k != "ResponseMetadata"}),
)
MISSING_BUCKET_CODES = ("404", "NoSuchBucket")


def file_system(r: Recorder, efs_id: str | None) -> None:
    """The Datasets EFS, its mount targets with their security groups, and its access points."""
    with r.recorded("efs"):
        candidates = _named(r, efs_id) if efs_id else _in_cluster_vpc(r)
        if candidates is None:
            return
        if len(candidates) > 1:
            names = ", ".join(fs["FileSystemId"] for fs, _ in candidates)
            r.note("efs", f"several file systems have mount targets in the cluster's VPC ({names}): pass --efs-id")
            return
        chosen, mount_targets = candidates[0] if candidates else (None, [])
        for mount_target in mount_targets:
            mount_target["SecurityGroups"] = r.aws.client("efs").describe_mount_target_security_groups(
                MountTargetId=mount_target["MountTargetId"])["SecurityGroups"]
        access_points = list(pages.paginate(r.aws.client("efs"), "describe_access_points", "AccessPoints",
                                            FileSystemId=chosen["FileSystemId"])) if chosen else []
        r.store("efs", {"file_system": chosen, "mount_targets": mount_targets, "access_points": access_points})


def _named(r: Recorder, efs_id: str) -> list[tuple[dict, list]]:
    from botocore.exceptions import ClientError

    try:
        found = r.aws.client("efs").describe_file_systems(FileSystemId=efs_id)["FileSystems"]
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") == "FileSystemNotFound":
            return []
        raise
    return [(fs, _mount_targets(r, fs["FileSystemId"])) for fs in found]


def _in_cluster_vpc(r: Recorder) -> list[tuple[dict, list]] | None:
    vpc_id = shapes.cluster_vpc_id(r.facts)
    if vpc_id is None:
        r.note("efs", "the cluster's VPC is unknown, so its file system cannot be found: pass --efs-id")
        return None
    found = []
    for fs in pages.paginate(r.aws.client("efs"), "describe_file_systems", "FileSystems"):
        targets = _mount_targets(r, fs["FileSystemId"])
        if any(t.get("VpcId") == vpc_id for t in targets):
            found.append((fs, targets))
    return found


def _mount_targets(r: Recorder, efs_id: str) -> list[dict]:
    return list(pages.paginate(r.aws.client("efs"), "describe_mount_targets", "MountTargets", FileSystemId=efs_id))


def buckets(r: Recorder, names: Mapping[str, str]) -> None:
    """Each named bucket's settings, by role (user_data, logs, backups)."""
    if not names:
        return
    found = {role: _bucket(r, name) for role, name in names.items()}
    r.store("buckets", {role: settings for role, settings in found.items() if settings is not None})


def registry(r: Recorder, named: Mapping[str, str]) -> None:
    """The registry's storage the spec names: its bucket's settings, or its ECR repository as described."""
    if not named:
        return
    if named["kind"] == "s3":
        settings = _bucket(r, named["name"])
        if settings is not None:
            r.store("registry", {"kind": "s3", **settings})
        return
    from botocore.exceptions import ClientError

    with r.recorded("ecr"):
        try:
            [repository] = r.aws.client("ecr").describe_repositories(repositoryNames=[named["name"]])["repositories"]
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") != "RepositoryNotFoundException":
                raise
            r.store("registry", {"kind": "ecr", "name": named["name"], "exists": False})
            return
        r.store("registry", {"kind": "ecr", "name": named["name"], "exists": True, "repository": repository})


def _bucket(r: Recorder, name: str) -> dict | None:
    from botocore.exceptions import ClientError

    s3 = r.aws.client("s3")
    with r.recorded("s3"):
        try:
            s3.head_bucket(Bucket=name)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in MISSING_BUCKET_CODES:
                return {"name": name, "exists": False}
            raise
        settings = {"name": name, "exists": True}
        for fact, operation, never_configured, read in BUCKET_SETTINGS:
            with r.recorded("s3"):
                try:
                    settings[fact] = read(getattr(s3, operation)(Bucket=name))
                except ClientError as exc:
                    if exc.response.get("Error", {}).get("Code") != never_configured:
                        raise
                    settings[fact] = None
        return settings
    return None
