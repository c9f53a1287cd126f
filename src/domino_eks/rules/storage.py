"""Rules S001-S009: block storage for executions, EFS for Datasets, S3 for blobs ("Dynamic block storage",
"Datasets storage", "Blob storage")."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator
from functools import partial

from domino_eks.knowledge import eks_versions, iam
from domino_eks.model import (
    BUCKET_ROLES,
    EBS_CSI_PARAMETERS,
    EBS_CSI_PROVISIONER,
    EBS_IN_TREE_PROVISIONER,
    PLATFORM,
    Bucket,
    Deployment,
    Grants,
    Location,
    NodePool,
    StorageClass,
)
from domino_eks.rules.base import REGISTRY, Outcome, Severity, failed, passed, skipped
from domino_eks.rules.unknown import Gap, unknown

block_rule = partial(REGISTRY.rule, section="Dynamic block storage")
datasets_rule = partial(REGISTRY.rule, section="Datasets storage")
blob_rule = partial(REGISTRY.rule, section="Blob storage")
CSI_MIGRATION_FROM = (1, 23)  # from here in-tree EBS volumes are served by the CSI driver
_BUCKET_NAME = re.compile(r"[a-z0-9][a-z0-9.-]*[a-z0-9]")
_IP_SHAPED = re.compile(r"\d+\.\d+\.\d+\.\d+")
# Prefixes and suffixes S3 keeps for its own names (access point aliases, directory and table buckets...).
_RESERVED_PREFIXES = ("xn--", "sthree-", "amzn-s3-demo-")
_RESERVED_SUFFIXES = ("-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3")
_EKSCTL_CLASSES = ("an eksctl ClusterConfig declares no StorageClass; it is applied after eksctl — checked live "
                   "by domino-eks check")
_EKSCTL_BUCKETS = ("an eksctl ClusterConfig does not declare buckets; they are created by hand after eksctl "
                   "(or by domino-eks apply) — checked live by domino-eks check")
_EKSCTL_EFS = ("an eksctl ClusterConfig does not declare EFS; the page creates it by hand after eksctl (or "
               "domino-eks apply does) — checked live by domino-eks check")


# EKS Auto Mode's own block storage driver: "EKS Auto Mode does not create a StorageClass for you", and its classes
# name this provisioner (https://docs.aws.amazon.com/eks/latest/userguide/create-storage-class.html; reference
# anchors-2026-12.md §2.2)
AUTO_MODE_EBS_PROVISIONER = "ebs.csi.eks.amazonaws.com"
EBS_CSI_PROVISIONERS = (EBS_CSI_PROVISIONER, AUTO_MODE_EBS_PROVISIONER)


@block_rule(
    "S001", Severity.ERROR,
    title="No EBS StorageClass that can provision execution volumes",
    rationale=(
        "The page requires an EBS-backed StorageClass from which Domino provisions the ephemeral volumes of "
        "user executions. Since Kubernetes 1.23 EKS serves every EBS volume, in-tree kubernetes.io/aws-ebs "
        "classes included, through the EBS CSI driver: without the driver no volume is created and "
        "executions stay Pending. The in-tree provisioner the page names is deprecated."
    ),
    fix="Install the aws-ebs-csi-driver add-on and use a StorageClass with provisioner ebs.csi.aws.com "
        "(the spec's default dominodisk class, type gp3).",
)
def ebs_class_provisions(d: Deployment) -> Iterator[Outcome]:
    classes = _storage_classes(d)
    if classes is None:
        yield unknown(d, "the cluster's StorageClasses", {"eksctl": _EKSCTL_CLASSES}, (Gap.KUBERNETES,))
        return
    ebs = [c for c in classes if c.provisioner in (*EBS_CSI_PROVISIONERS, EBS_IN_TREE_PROVISIONER)]
    if not ebs:
        found = ", ".join(f"{c.name} ({c.provisioner})" for c in classes) or "none"
        yield failed(f"no StorageClass uses {EBS_CSI_PROVISIONER} or {EBS_IN_TREE_PROVISIONER} (found: {found}): "
                     "Domino cannot provision execution volumes.", _first_location(classes))
        return
    yield from _csi_driver_present(d, ebs)
    if not any(c.provisioner in EBS_CSI_PROVISIONERS for c in ebs):
        names = ", ".join(str(c.name) for c in ebs)
        yield failed(f"the only EBS StorageClass ({names}) uses the deprecated in-tree provisioner "
                     f"{EBS_IN_TREE_PROVISIONER}; use {EBS_CSI_PROVISIONER}.", ebs[0].location,
                     severity=Severity.WARNING)
    yield passed(f"EBS StorageClass {ebs[0].name} can provision execution volumes.")


def _csi_driver_present(d: Deployment, ebs: list[StorageClass]) -> Iterator[Outcome]:
    # Every version EKS still offers is past CSI migration, so only a known older version spares the driver.
    version = eks_versions.parse(d.cluster.version)
    if version is not None and version < CSI_MIGRATION_FROM:
        return
    # an in-tree class is served by the EBS CSI driver; an Auto Mode class by Auto Mode's own
    needed = {c.provisioner if c.provisioner in EBS_CSI_PROVISIONERS else EBS_CSI_PROVISIONER for c in ebs}
    installed = (bool(needed & set(d.kubernetes.csi_drivers)) if d.kubernetes.csi_drivers is not None
                 else d.storage.ebs_csi_driver)
    if installed is None:
        yield unknown(d, "whether the EBS CSI driver is installed", {
            "eksctl": "this ClusterConfig has no aws-ebs-csi-driver add-on, and it may be installed after "
                      "eksctl — checked live by domino-eks check",
        }, (Gap.KUBERNETES, Gap.EKS))
    elif not installed:
        yield failed(f"the EBS CSI driver ({', '.join(sorted(needed))}) is not installed: on Kubernetes "
                     f"{d.cluster.version} "
                     f"StorageClass {ebs[0].name} provisions no volume, so executions stay Pending.",
                     ebs[0].location)


def _storage_classes(d: Deployment) -> tuple[StorageClass, ...] | None:
    """The live cluster's classes when known, else the one the spec or file declares."""
    if d.kubernetes.storage_classes is not None:
        return d.kubernetes.storage_classes
    return (d.storage.block_class,) if d.storage.block_class is not None else None


def _first_location(items: Iterable[StorageClass | Bucket]) -> Location | None:
    """Where a finding about several classes or buckets points: the first of them whose place is known."""
    return next((item.location for item in items if item.location is not None), None)


@block_rule(
    "S002", Severity.ERROR,
    title="StorageClass is malformed",
    rationale=(
        "A StorageClass needs metadata.name and a provisioner, and the volume type belongs under parameters. "
        "The page's sample puts type: gp2 under metadata and has no name: the API server rejects unknown "
        "fields under strict validation (GA since Kubernetes 1.27), and without strict validation the type "
        "is silently dropped."
    ),
    fix="Give the class metadata.name and provisioner ebs.csi.aws.com, and move type (and fsType) under "
        "parameters, e.g. parameters: {type: gp3, csi.storage.k8s.io/fstype: ext4}.",
)
def storage_class_well_formed(d: Deployment) -> Iterator[Outcome]:
    classes = _storage_classes(d)
    if classes is None:
        yield unknown(d, "the StorageClass manifest", {"eksctl": _EKSCTL_CLASSES}, (Gap.KUBERNETES,))
        return
    for storage_class in classes:
        yield from _class_problems(storage_class)
    yield passed("every StorageClass has a name, a provisioner and its volume type under parameters.")


def _class_problems(storage_class: StorageClass) -> Iterator[Outcome]:
    where, label = storage_class.location, storage_class.name or "the StorageClass"
    if not storage_class.name:
        yield failed("the StorageClass has no metadata.name: Kubernetes rejects it and Domino cannot refer to it.",
                     where)
    if not storage_class.provisioner:
        yield failed(f"{label} has no provisioner: Kubernetes rejects it.", where)
    for key in storage_class.misplaced:
        value = storage_class.misplaced_values.get(key)
        setting = f"{key}: {value}" if value is not None else key
        yield failed(f"{label} sets {setting!r}, which {_belongs(key)}: strict validation rejects the class, "
                     "and otherwise the value is ignored.", where)


def _belongs(key: str) -> str:
    leaf = key.removeprefix("metadata.")
    if leaf.lower() in EBS_CSI_PARAMETERS:
        return f"belongs under parameters (parameters.{leaf})"
    return "is not a StorageClass field"


@datasets_rule(
    "S003", Severity.ERROR,
    title="No EFS mount target where compute nodes run",
    rationale=(
        "Domino stores Datasets on an EFS file system. The page asks for a mount point in each availability "
        "zone Domino compute nodes run in: a node mounts EFS through the mount target of its own zone, so "
        "executions in a zone without one cannot mount their Datasets."
    ),
    fix="Create an EFS file system for Datasets with a mount target in every zone of the compute pools "
        "(domino-eks apply does), and record the mount addresses for the Domino installer.",
)
def efs_in_every_compute_zone(d: Deployment) -> Iterator[Outcome]:
    efs = d.storage.efs
    compute = [p for p in d.domino_pools if p.label != PLATFORM]
    if efs is None or efs.mount_target_zones is None:
        yield unknown(d, "the Datasets EFS and its mount targets", {"eksctl": _EKSCTL_EFS}, (Gap.EFS, Gap.AWS))
    elif any(p.zones is None for p in compute):
        yield skipped("the compute pools' zones are unknown, so the zones that need an EFS mount target are too.")
    else:
        subnet_zones = _compute_subnet_zones(d, compute)
        needed = {z for p in compute for z in p.zones or ()} | set(subnet_zones)
        for zone in sorted(needed - set(efs.mount_target_zones)):
            pools = ", ".join(p.name for p in compute if zone in (p.zones or ()) or zone in _zones_of(p, subnet_zones))
            subnets = subnet_zones.get(zone)
            through = f" (node subnet{'s' if len(subnets) > 1 else ''} {', '.join(subnets)})" if subnets else ""
            create = f" Create one: `aws efs create-mount-target --file-system-id {efs.file_system_id} --subnet-id " \
                     f"{subnets[0]}`." if subnets and efs.file_system_id else ""
            yield failed(f"EFS {efs.file_system_id or '(planned)'} has no mount target in {zone}, where compute "
                         f"pools {pools} run{through}: executions there cannot mount Datasets.{create}", efs.location)
        yield passed(f"EFS has mount targets in {', '.join(efs.mount_target_zones)}, every compute zone.")


def _compute_subnet_zones(d: Deployment, compute: list[NodePool]) -> dict[str, list[str]]:
    """Zone -> the compute node subnets in it, for the subnets the model lists with their zones: a node launched
    into a subnet mounts EFS in that subnet's zone, whatever zones its pool declares."""
    zones = {s.id: s.zone for s in d.network.subnets or () if s.id}
    found: dict[str, list[str]] = {}
    for subnet_id in sorted({s for p in compute for g in p.groups for s in g.subnet_ids or ()}):
        if subnet_id in zones:
            found.setdefault(zones[subnet_id], []).append(subnet_id)
    return found


def _zones_of(pool: NodePool, subnet_zones: dict[str, list[str]]) -> set[str]:
    launched = {s for g in pool.groups for s in g.subnet_ids or ()}
    return {zone for zone, subnets in subnet_zones.items() if launched & set(subnets)}


@datasets_rule(
    "S004", Severity.ERROR,
    title="EFS mount targets do not admit NFS from the nodes",
    rationale=(
        "The page requires the EFS file system to allow TCP 2049 (NFS) from the cluster's shared node "
        "security group (eksctl's ClusterSharedNodeSecurityGroup). Without that rule every Datasets mount "
        "times out."
    ),
    fix="Add an inbound rule for TCP 2049 from the shared node security group to the mount targets' "
        "security group (domino-eks apply creates it).",
)
def efs_admits_nodes(d: Deployment) -> Iterator[Outcome]:
    efs = d.storage.efs
    if efs is None or efs.admits_nfs_from_nodes is None:
        yield unknown(d, "the EFS mount targets' security group rules", {"eksctl": _EKSCTL_EFS},
                      (Gap.EFS, Gap.EC2, Gap.AWS))
    elif not efs.admits_nfs_from_nodes:
        yield failed(f"the security groups of EFS {efs.file_system_id or '(planned)'} do not admit TCP 2049 from "
                     "the shared node security group: Datasets mounts time out.", efs.location)
    else:
        yield passed("EFS mount targets admit TCP 2049 from the shared node security group.")


@datasets_rule(
    "S005", Severity.WARNING,
    title="EFS is not encrypted at rest",
    rationale=(
        "Datasets hold the users' data. EFS encryption at rest can only be chosen when the file system is "
        "created; turning it on later means copying every Dataset to a new file system."
    ),
    fix="Create the file system encrypted (storage.efs.encrypted: true, the spec's default).",
)
def efs_encrypted(d: Deployment) -> Iterator[Outcome]:
    efs = d.storage.efs
    if efs is None or efs.encrypted is None:
        yield unknown(d, "whether the Datasets EFS is encrypted", {"eksctl": _EKSCTL_EFS}, (Gap.EFS, Gap.AWS))
    elif not efs.encrypted:
        yield failed(f"EFS {efs.file_system_id or '(planned)'} is not encrypted at rest, and cannot be made so "
                     "without moving every Dataset to a new file system.", efs.location)
    else:
        yield passed("EFS is encrypted at rest.")


@blob_rule(
    "S006", Severity.ERROR,
    title="S3 buckets missing, shared or badly named",
    rationale=(
        "The page has Domino store user data, logs and backups in three S3 buckets, whose names are recorded "
        "for the installer. S3 rejects names outside its rules (3-63 characters, lowercase letters, digits, "
        "hyphens and dots, no '..', not shaped like an IP address), and two roles sharing one bucket mix "
        "backups with the data they back up."
    ),
    fix="Name three distinct buckets (storage.buckets userData, logs, backups) with valid S3 names, e.g. "
        "<cluster>-user-data, <cluster>-logs, <cluster>-backups.",
)
def three_valid_buckets(d: Deployment) -> Iterator[Outcome]:
    buckets = d.storage.buckets
    if buckets is None:
        yield unknown(d, "the S3 buckets", {"eksctl": _EKSCTL_BUCKETS}, (Gap.S3, Gap.AWS))
        return
    roles = Counter(b.role for b in buckets)
    for role in BUCKET_ROLES:
        if roles[role] != 1:
            yield failed(f"{roles[role]} buckets have the {role} role, not exactly one: Domino needs one bucket "
                         "each for user data, logs and backups.", _first_location(buckets))
    for name, count in Counter(b.name for b in buckets).items():
        if count > 1:
            shared = ", ".join(b.role for b in buckets if b.name == name)
            yield failed(f"bucket {name!r} serves {shared}: each role needs its own bucket.",
                         _first_location(buckets))
    for bucket in buckets:
        if problem := _bucket_name_problem(bucket.name):
            yield failed(f"bucket name {bucket.name!r} ({bucket.role}) {problem}: S3 rejects it.", bucket.location)
    yield passed("three distinct buckets with valid S3 names: " + ", ".join(b.name for b in buckets) + ".")


def _bucket_name_problem(name: str) -> str | None:
    """Why S3 would reject `name` as a general purpose bucket name, or None."""
    if not 3 <= len(name) <= 63:
        return f"is {len(name)} characters long, not 3-63"
    if not _BUCKET_NAME.fullmatch(name):
        return "must use only lowercase letters, digits, hyphens and dots, and start and end with a letter or digit"
    if ".." in name:
        return "has two adjacent dots"
    if _IP_SHAPED.fullmatch(name):
        return "is shaped like an IP address"
    if reserved := next((p for p in _RESERVED_PREFIXES if name.startswith(p)), None):
        return f"starts with {reserved!r}, which S3 reserves"
    if reserved := next((s for s in _RESERVED_SUFFIXES if name.endswith(s)), None):
        return f"ends with {reserved!r}, which S3 reserves"
    return None


@blob_rule(
    "S007", Severity.ERROR,
    title="Node role's S3 access does not match Domino's buckets",
    rationale=(
        "Domino's pods reach S3 with the nodes' IAM role. The page's policy lets it list the three buckets "
        "and read, write and delete their objects; without any of these, Domino cannot store or read blobs. "
        "Grants on other buckets or on every bucket let any pod on any node read data it has no business "
        "with. (The page's JSON also has trailing commas; IAM rejects it as written.)"
    ),
    fix="Attach the S3 policy domino-eks render writes (iam/s3-access.json): bucket actions on the three "
        "bucket ARNs, object actions on their /* ARNs, nothing else.",
)
def node_role_s3_access(d: Deployment) -> Iterator[Outcome]:
    grants, buckets = d.access.node_role, d.storage.buckets
    if buckets is None:
        yield unknown(d, "the S3 buckets the node role must reach", {"eksctl": _EKSCTL_BUCKETS}, (Gap.S3, Gap.AWS))
    elif grants is None:
        yield unknown(d, "the node role's policies", {
            "eksctl": "this ClusterConfig attaches no S3 policy to the node groups; the page attaches it by "
                      "hand after eksctl — checked live by domino-eks check",
        }, (Gap.IAM, Gap.AWS))
    else:
        yield from _missing_s3_access(grants, buckets)
        registry = d.domino.registry
        # the registry bucket's grants are S010's to judge, not grants beyond Domino's buckets
        registry_arns = [iam.bucket_arn(registry.name)] if registry and registry.kind == "s3" else []
        yield from _s3_access_beyond(grants, buckets, registry_arns)
        yield passed(f"{grants.where} has the S3 access Domino needs on its three buckets, and none beyond them.")


def _missing_s3_access(grants: Grants, buckets: tuple[Bucket, ...]) -> Iterator[Outcome]:
    needed = [(action, iam.bucket_arn(b.name)) for b in buckets for action in iam.S3_BUCKET_ACTIONS]
    needed += [(action, f"{iam.bucket_arn(b.name)}/*") for b in buckets for action in iam.S3_OBJECT_ACTIONS]
    missing: dict[str, list[str]] = {}
    for action, resource in needed:
        if not iam.allows(grants.statements, action, resource):
            missing.setdefault(resource, []).append(action)
    if missing:
        listed = "; ".join(f"{', '.join(actions)} on {resource}" for resource, actions in missing.items())
        yield failed(f"{grants.where} may not {listed}: Domino cannot store or read its blobs there.",
                     grants.location)


def _s3_access_beyond(grants: Grants, buckets: tuple[Bucket, ...], also: list[str]) -> Iterator[Outcome]:
    arns = [iam.bucket_arn(b.name) for b in buckets] + also
    s3_grants = [s for s in grants.statements if s.effect == "Allow" and iam.may_grant_service(s, "s3")]
    beyond = sorted({r for s in s3_grants for r in s.resources if not _within_buckets(r, arns)})
    if beyond:
        yield failed(f"{grants.where} grants S3 actions on {', '.join(beyond)}, beyond Domino's three buckets: "
                     "every pod on the nodes can reach that data.", grants.location, severity=Severity.WARNING)


def _within_buckets(resource: str, bucket_arns: list[str]) -> bool:
    """The resource is one of the buckets or (a pattern inside) one bucket's objects."""
    return any(resource == arn or resource.startswith(arn + "/") for arn in bucket_arns)


@blob_rule(
    "S008", Severity.WARNING,
    title="S3 bucket is public-capable, unencrypted or accepts plain HTTP",
    rationale=(
        "Domino's buckets hold user data, logs and backups. Without Block Public Access a single policy or "
        "ACL can expose them; without default encryption objects are stored as written; without a policy "
        "denying aws:SecureTransport false, requests may travel unencrypted."
    ),
    fix="Turn on Block Public Access and default encryption (SSE-S3 or SSE-KMS) and add a bucket policy that "
        "denies requests without TLS (domino-eks apply does all three).",
)
def buckets_hardened(d: Deployment) -> Iterator[Outcome]:
    buckets = d.storage.buckets
    if buckets is None:
        yield unknown(d, "the S3 buckets' settings", {"eksctl": _EKSCTL_BUCKETS}, (Gap.S3, Gap.AWS))
        return
    for bucket in buckets:
        yield from _bucket_settings(d, bucket)
    yield passed("every bucket blocks public access, encrypts by default and denies plain HTTP.")


def _bucket_settings(d: Deployment, bucket: Bucket) -> Iterator[Outcome]:
    settings = (
        (bucket.blocks_public_access, "does not block public access: one policy or ACL can expose its objects"),
        (bucket.encrypted, "has no default encryption: objects are stored unencrypted unless each writer asks"),
        (bucket.tls_only, "does not deny non-TLS requests: data can travel over plain HTTP"),
    )
    for value, consequence in settings:
        if value is None:
            yield unknown(d, f"bucket {bucket.name}'s settings", gaps=(Gap.S3, Gap.AWS))
        elif not value:
            yield failed(f"bucket {bucket.name!r} ({bucket.role}) {consequence}.", bucket.location)


@blob_rule(
    "S009", Severity.WARNING,
    title="Backups bucket keeps no object versions",
    rationale=(
        "The backups bucket holds Domino's backups. Without versioning, a backup deleted or overwritten by a "
        "mistake, a bad job or ransomware is gone; with it, the previous version stays recoverable."
    ),
    fix="Turn on versioning for the backups bucket (storage.versioning: true, the spec's default), with a "
        "lifecycle rule expiring old versions.",
)
def backups_versioned(d: Deployment) -> Iterator[Outcome]:
    buckets = d.storage.buckets
    backups = [b for b in buckets or () if b.role == "backups"]
    if buckets is None:
        yield unknown(d, "the backups bucket", {"eksctl": _EKSCTL_BUCKETS}, (Gap.S3, Gap.AWS))
    elif not backups:
        yield skipped("there is no backups bucket to check (S006 reports it).")
    for bucket in backups:
        if bucket.versioning is None:
            yield unknown(d, f"versioning of bucket {bucket.name}", gaps=(Gap.S3, Gap.AWS))
        elif not bucket.versioning:
            yield failed(f"backups bucket {bucket.name!r} has versioning off: a deleted or overwritten backup "
                         "cannot be recovered.", bucket.location)
        else:
            yield passed(f"backups bucket {bucket.name} keeps object versions.")
