"""EFS for Datasets: the file system, a mount target per zone, and Domino's access point.

The file system is found by the creation token apply gives it (one call, however many file systems the
region holds); mount targets carry no tags and are found through the file system they belong to, which
their discovery looks up itself.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from domino_eks.aws import faults
from domino_eks.aws.session import Aws
from domino_eks.knowledge import aws_durations
from domino_eks.provision import kinds, tags
from domino_eks.provision.handlers.base import (
    Handler,
    Scope,
    concurrently,
    ids,
    paginate,
    retag,
    tolerating,
)
from domino_eks.provision.resources import Existing, Key
from domino_eks.provision.waiters import Wait

GONE_STATES = ("deleting", "deleted")
EMPTY_FILE_SYSTEM_BYTES = 6 * 1024  # what EFS meters for a file system nothing was written to


def _efs_tags(efs: Any, resource_id: str) -> Callable[[dict], object]:
    return lambda changed: efs.tag_resource(ResourceId=resource_id, Tags=tags.to_aws(changed))


def automatic_backups(efs: Any, file_system_id: str) -> bool:
    """On once EFS reports the policy ENABLED (ENABLING on the way); a file system never given one has none."""
    try:
        status = efs.describe_backup_policy(FileSystemId=file_system_id).get("BackupPolicy", {}).get("Status")
    except Exception as error:
        if faults.code_of(error) == "PolicyNotFound":
            return False
        raise
    return status in ("ENABLED", "ENABLING")


def _file_systems(efs: Any, scope: Scope) -> list[tuple[dict, dict[str, str]]]:
    """The deployment's live file systems, each with its tags, found by the creation tokens apply gives them."""
    listed = concurrently(lambda token: efs.describe_file_systems(CreationToken=token)["FileSystems"],
                          scope.names(kinds.EFS_FILE_SYSTEM, "creation_token"))
    return [(system, found) for systems in listed for system in systems
            if tags.belongs(found := tags.from_aws(system.get("Tags")), scope.name)
            and system["LifeCycleState"] not in GONE_STATES]


class FileSystem(Handler):
    kind = kinds.EFS_FILE_SYSTEM
    discovers_with = ("efs",)
    # the key (None: aws/elasticfilesystem) is given at creation only; rule C006 judges the one in use
    properties = frozenset({"creation_token", "encrypted", "kms_key", "automatic_backups", "tags"})
    observed = ("tags", "encrypted", "automatic_backups")
    immutable = ("encrypted",)
    ready_waiter = Wait("efs", "FileSystemAvailable", lambda outputs: {"FileSystemId": outputs["id"]},
                        aws_durations.EFS_FILE_SYSTEM)
    gone_waiter = Wait("efs", "FileSystemDeleted", lambda outputs: {"FileSystemId": outputs["id"]})

    def discover(self, aws: Aws, scope: Scope) -> Iterable[Existing]:
        efs = aws.client("efs")
        systems = _file_systems(efs, scope)
        backups = concurrently(lambda system: automatic_backups(efs, system["FileSystemId"]), [s for s, _ in systems])
        for (system, found), backed_up in zip(systems, backups, strict=True):
            yield Existing(self.key(found), {"id": system["FileSystemId"], "arn": system["FileSystemArn"]},
                           {"tags": found, "encrypted": system["Encrypted"], "automatic_backups": backed_up},
                           # the key goes only once the file system it encrypts is gone
                           ids((kinds.KMS_KEY, system.get("KmsKeyId"))))

    def request_create(self, aws: Aws, p: Mapping[str, Any]) -> Mapping[str, Any]:
        key = {"KmsKeyId": p["kms_key"]} if p["encrypted"] and p["kms_key"] else {}
        system = aws.client("efs").create_file_system(
            CreationToken=p["creation_token"], Encrypted=p["encrypted"], PerformanceMode="generalPurpose",
            Backup=p["automatic_backups"], Tags=tags.to_aws(p["tags"]), **key)
        return {"id": system["FileSystemId"], "arn": system["FileSystemArn"]}

    def update(self, aws: Aws, existing: Existing, p: Mapping[str, Any]) -> Mapping[str, Any]:
        efs = aws.client("efs")
        retag(existing.observed["tags"], p["tags"], _efs_tags(efs, existing.outputs["id"]))
        if existing.observed["automatic_backups"] != p["automatic_backups"]:
            status = "ENABLED" if p["automatic_backups"] else "DISABLED"
            efs.put_backup_policy(FileSystemId=existing.outputs["id"], BackupPolicy={"Status": status})
        return self.ready(aws, existing)

    def data(self, aws: Aws, existing: Existing) -> str | None:
        system = aws.client("efs").describe_file_systems(FileSystemId=existing.outputs["id"])["FileSystems"][0]
        size = system.get("SizeInBytes", {}).get("Value", 0)
        return f"holds {size:,} bytes of data" if size > EMPTY_FILE_SYSTEM_BYTES else None

    def request_delete(self, aws: Aws, existing: Existing) -> None:
        with tolerating("FileSystemNotFound"):
            aws.client("efs").delete_file_system(FileSystemId=existing.outputs["id"])


class MountTarget(Handler):
    kind = kinds.EFS_MOUNT_TARGET
    discovers_with = ("efs",)
    properties = frozenset({"file_system_id", "subnet_id", "zone", "security_groups"})
    observed = ("zone", "security_groups")
    at_least = ()
    immutable = ("zone",)
    ready_waiter = Wait("efs", "MountTargetAvailable", lambda outputs: {"MountTargetId": outputs["id"]},
                        aws_durations.EFS_MOUNT_TARGET)
    gone_waiter = Wait("efs", "MountTargetDeleted", lambda outputs: {"MountTargetId": outputs["id"]})

    def comparable(self, properties: Mapping[str, Any]) -> dict[str, Any]:
        return {"zone": properties["zone"], "security_groups": sorted(properties["security_groups"], key=str)}

    def discover(self, aws: Aws, scope: Scope) -> Iterable[Existing]:
        """Through the file systems it lists itself rather than after the file system type, whose backup policies
        are one more round trip: listing, targets and their security groups take three."""
        efs = aws.client("efs")
        systems = [(system["FileSystemId"], found[tags.RESOURCE]) for system, found in _file_systems(efs, scope)]
        listed = concurrently(lambda system: [t for t in paginate(
            efs, "describe_mount_targets", "MountTargets", FileSystemId=system[0])
            if t["LifeCycleState"] not in GONE_STATES], systems)
        targets = [(system, target) for system, of_system in zip(systems, listed, strict=True) for target in of_system]
        security_groups = concurrently(lambda target: sorted(efs.describe_mount_target_security_groups(
            MountTargetId=target["MountTargetId"])["SecurityGroups"]), [target for _, target in targets])
        for ((system_id, system_name), target), groups in zip(targets, security_groups, strict=True):
            zone = target["AvailabilityZoneName"]
            yield Existing(
                Key(self.kind, f"{system_name}-{zone}"), {"id": target["MountTargetId"]},
                {"zone": zone, "security_groups": groups},
                ids((kinds.EFS_FILE_SYSTEM, system_id), (kinds.SUBNET, target["SubnetId"]),
                    (kinds.SECURITY_GROUP, groups)),
            )

    def request_create(self, aws: Aws, p: Mapping[str, Any]) -> Mapping[str, Any]:
        target = aws.client("efs").create_mount_target(FileSystemId=p["file_system_id"], SubnetId=p["subnet_id"],
                                                       SecurityGroups=p["security_groups"])
        return {"id": target["MountTargetId"]}

    def update(self, aws: Aws, existing: Existing, p: Mapping[str, Any]) -> Mapping[str, Any]:
        aws.client("efs").modify_mount_target_security_groups(
            MountTargetId=existing.outputs["id"], SecurityGroups=p["security_groups"])
        return self.ready(aws, existing)

    def request_delete(self, aws: Aws, existing: Existing) -> None:
        with tolerating("MountTargetNotFound"):
            aws.client("efs").delete_mount_target(MountTargetId=existing.outputs["id"])


class AccessPoint(Handler):
    kind = kinds.EFS_ACCESS_POINT
    discovers_with = ("efs",)
    found_through = (kinds.EFS_FILE_SYSTEM,)
    properties = frozenset({"file_system_id", "client_token", "root_directory", "posix_user", "tags"})

    def discover(self, aws: Aws, scope: Scope) -> Iterable[Existing]:
        efs = aws.client("efs")
        systems = scope.of_type(kinds.EFS_FILE_SYSTEM)
        listed = concurrently(lambda system: list(paginate(
            efs, "describe_access_points", "AccessPoints", FileSystemId=system.outputs["id"])), systems)
        for system, points in zip(systems, listed, strict=True):
            for point in points:
                found = tags.from_aws(point.get("Tags"))
                if tags.belongs(found, scope.name) and point["LifeCycleState"] not in GONE_STATES:
                    yield Existing(self.key(found), {"id": point["AccessPointId"], "arn": point["AccessPointArn"]},
                                   {"tags": found}, ids((kinds.EFS_FILE_SYSTEM, system.outputs["id"])))

    def request_create(self, aws: Aws, p: Mapping[str, Any]) -> Mapping[str, Any]:
        point = aws.client("efs").create_access_point(
            ClientToken=p["client_token"], FileSystemId=p["file_system_id"], PosixUser=p["posix_user"],
            RootDirectory=p["root_directory"], Tags=tags.to_aws(p["tags"]),
        )
        return {"id": point["AccessPointId"], "arn": point["AccessPointArn"]}

    def update(self, aws: Aws, existing: Existing, p: Mapping[str, Any]) -> Mapping[str, Any]:
        retag(existing.observed["tags"], p["tags"], _efs_tags(aws.client("efs"), existing.outputs["id"]))
        return existing.outputs

    def request_delete(self, aws: Aws, existing: Existing) -> None:
        with tolerating("AccessPointNotFound"):
            aws.client("efs").delete_access_point(AccessPointId=existing.outputs["id"])
