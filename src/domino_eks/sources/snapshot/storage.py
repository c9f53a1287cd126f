"""Storage: the cluster's StorageClasses and CSI drivers, the Datasets EFS with its NFS rule, the three buckets."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from domino_eks.knowledge import iam
from domino_eks.model import (
    BUCKET_ROLES,
    EBS_CSI_PROVISIONER,
    EBS_IN_TREE_PROVISIONER,
    Bucket,
    Efs,
    Location,
    Storage,
    StorageClass,
)
from domino_eks.sources import manifests
from domino_eks.sources.snapshot.facts import Facts

EBS_PROVISIONERS = (EBS_CSI_PROVISIONER, EBS_IN_TREE_PROVISIONER)  # Domino's preference, first to last
NFS_PORT = 2049
_PUBLIC_ACCESS_FLAGS = ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets")


def storage(facts: Facts) -> Storage:
    classes = storage_classes(facts)
    drivers = facts.kube_part("csidrivers")
    return Storage(
        block_class=_block_class(classes, facts.target.get("block_class")) if classes is not None else None,
        efs=_efs(facts),
        buckets=_buckets(facts),
        ebs_csi_driver=any(d["metadata"]["name"] == EBS_CSI_PROVISIONER for d in drivers)
        if drivers is not None else None,
    )


def storage_classes(facts: Facts) -> tuple[StorageClass, ...] | None:
    listed = facts.kube_part("storageclasses")
    if listed is None:
        return None
    return tuple(manifests.storage_class(c, Location(object=f"StorageClass/{c['metadata'].get('name')}"))
                 for c in listed)


def _block_class(classes: tuple[StorageClass, ...], wanted: str | None) -> StorageClass | None:
    """The class the spec names, else the EBS class Domino would pick: the default one, CSI before in-tree."""
    if wanted:
        return next((c for c in classes if c.name == wanted), None)
    ebs = sorted((c for c in classes if c.provisioner in EBS_PROVISIONERS),
                 key=lambda c: (not c.default, EBS_PROVISIONERS.index(c.provisioner)))
    return ebs[0] if ebs else None


def _efs(facts: Facts) -> Efs | None:
    found = facts.aws_part("efs")
    if found is None:
        return None
    file_system = found.get("file_system")
    if file_system is None:
        return Efs(mount_target_zones=())  # looked for, and there is none
    targets = found.get("mount_targets") or []
    return Efs(
        file_system_id=file_system["FileSystemId"],
        access_point_id=next((a["AccessPointId"] for a in found.get("access_points") or ()), None),
        encrypted=file_system.get("Encrypted"),
        kms_key_id=file_system.get("KmsKeyId"),
        mount_target_zones=tuple(sorted({t["AvailabilityZoneName"] for t in targets})),
        admits_nfs_from_nodes=_admits_nfs(facts, targets),
        automatic_backups=_automatic_backups(facts),
        backup_plan=_backup_plan(facts, file_system.get("FileSystemArn")),
        location=Location(object=f"FileSystem/{file_system['FileSystemId']}"),
    )


def _automatic_backups(facts: Facts) -> bool | None:
    status = facts.aws_part("efs_backup_policy")
    return None if status is None else status in ("ENABLED", "ENABLING")


def _backup_plan(facts: Facts, arn: str | None) -> bool | None:
    """An AWS Backup plan protects the file system; None when nobody looked (automatic backups on) or could."""
    protected = facts.aws_part("backup_protected_resources")
    return None if protected is None or arn is None else arn in protected


def _admits_nfs(facts: Facts, mount_targets: list[Mapping]) -> bool | None:
    """Every mount target has a security group letting TCP 2049 in from the security group all nodes share."""
    groups = {g["GroupId"]: g for g in facts.aws_part("security_groups") or ()}
    sources = _shared_node_security_groups(facts)
    needed = {g for t in mount_targets for g in t.get("SecurityGroups") or ()}
    if not mount_targets or not sources or any(g not in groups for g in needed):
        return None
    return all(any(_admits_nfs_from(groups[g], sources) for g in t.get("SecurityGroups") or ())
               for t in mount_targets)


def _shared_node_security_groups(facts: Facts) -> set[str]:
    """The groups every node's instance has (eksctl's ClusterSharedNodeSecurityGroup), else the cluster's own."""
    instances = facts.aws_part("instances") or []
    if instances:
        return set.intersection(*({g["GroupId"] for g in i.get("SecurityGroups") or ()} for i in instances))
    cluster_group = ((facts.aws_part("cluster") or {}).get("resourcesVpcConfig") or {}).get("clusterSecurityGroupId")
    return {cluster_group} if cluster_group else set()


def _admits_nfs_from(group: Mapping, sources: set[str]) -> bool:
    for permission in group.get("IpPermissions") or ():
        protocol = str(permission.get("IpProtocol"))
        covers = protocol == "-1" or (protocol in ("tcp", "6") and permission.get("FromPort", 0) <= NFS_PORT
                                      <= permission.get("ToPort", 65535))
        if covers and any(p.get("GroupId") in sources for p in permission.get("UserIdGroupPairs") or ()):
            return True
    return False


def _buckets(facts: Facts) -> tuple[Bucket, ...] | None:
    """The buckets that exist, in the roles' order. None unless every role's bucket was named and looked up:
    one that was not would read as missing."""
    found = facts.aws_part("buckets") or {}
    named = facts.target.get("buckets") or {}
    if any(role not in named or role not in found for role in BUCKET_ROLES):
        return None
    return tuple(_bucket(role, found[role]) for role in BUCKET_ROLES if found[role].get("exists"))


def bucket_settings(raw: Mapping) -> Bucket:
    """The settings of a bucket of any use (the registry's too), read as the three buckets' are."""
    return _bucket("user_data", raw)


def _bucket(role: str, raw: Mapping) -> Bucket:
    """A bucket's settings: one the collector could not read is absent (unknown), one never configured is None."""
    rules = (raw.get("encryption") or {}).get("Rules") or []
    default = (rules[0].get("ApplyServerSideEncryptionByDefault") or {}) if rules else {}
    return Bucket(
        role=role,
        name=raw["name"],
        blocks_public_access=_setting(raw, "public_access_block",
                                      lambda block: bool(block and all(block.get(f) for f in _PUBLIC_ACCESS_FLAGS))),
        encrypted=_setting(raw, "encryption", lambda _: bool(rules)),
        tls_only=_setting(raw, "policy", _denies_plain_http),
        versioning=_setting(raw, "versioning", lambda versioning: (versioning or {}).get("Status") == "Enabled"),
        kms_key_id=default.get("KMSMasterKeyID"),
        location=Location(object=f"Bucket/{raw['name']}"),
    )


def _setting(raw: Mapping, key: str, judge: Callable[[Mapping | None], bool]) -> bool | None:
    return judge(raw[key]) if key in raw else None


def _denies_plain_http(policy: Mapping | None) -> bool:
    """The bucket policy denies requests made without TLS (aws:SecureTransport false)."""
    for statement in iam.statements_from_document(policy or {}):
        secure = {k.lower(): v for k, v in ((statement.condition or {}).get("Bool") or {}).items()}
        if statement.effect == "Deny" and str(secure.get("aws:securetransport", "")).lower() == "false":
            return True
    return False
