"""Rule C006: data at rest is encrypted. The nodes' root volumes and the block StorageClass's volumes in every
case; with the deployment's customer-managed KMS key wherever it declares one for EBS, EFS or S3 (Domino's own
Terraform encrypts all three with its key; CIS and checkov CKV_AWS_145/184 ask for customer-managed keys)."""

from __future__ import annotations

from collections.abc import Iterator

from domino_eks.model import KEY_CREATED_BY_APPLY, Bucket, Deployment, Location, Registry
from domino_eks.rules.base import REGISTRY, Outcome, Severity, failed, passed
from domino_eks.rules.unknown import Gap, unknown

rule = REGISTRY.rule
AWS_MANAGED = {"ebs": "the AWS-managed key aws/ebs", "efs": "the AWS-managed key aws/elasticfilesystem",
               "s3": "S3-managed keys"}
# a live source knows which stores the deployment means its key for only from the spec (check --spec): without it,
# none is declared, as C007 takes extended support as undeclared
_STORES_WHY = {
    "eksctl": "an eksctl ClusterConfig declares no key for EFS or S3; checked with the spec by domino-eks validate",
}
_LAUNCH_TEMPLATES_SILENT = ("their launch templates do not say (none, or a block device mapping that leaves Encrypted "
                            "to the image and the account's EBS default)")
_ROOT_WHY = {
    "eksctl": "the ClusterConfig leaves volumeEncrypted unset, so the account's EBS encryption default decides; "
              "checked live by domino-eks check",
    "live": _LAUNCH_TEMPLATES_SILENT,
    "dump": _LAUNCH_TEMPLATES_SILENT,
}


def _key(key: str | None, store: str) -> str:
    if key == KEY_CREATED_BY_APPLY:
        return "the key apply creates"
    return f"key {key}" if key else AWS_MANAGED[store]


@rule(
    "C006", Severity.WARNING,
    title="Data at rest is not encrypted, or not with the deployment's KMS key",
    rationale=(
        "A node's root volume holds the images, logs and scratch files of the executions it ran, and the block "
        "StorageClass's volumes hold users' work: both must be encrypted whatever the account's EBS default. A "
        "deployment that declares its own KMS key for EBS, EFS or S3 means that key, whose policy and CloudTrail "
        "record say who read the data, and which it can revoke; a store on an AWS-managed key escapes both."
    ),
    fix="Encrypt the root volumes (launch template Encrypted: true; volumeEncrypted in eksctl) and the block "
        "StorageClass (encrypted: \"true\"), and give each store security.encryption names the key "
        "(security.kmsKeyArn, or the one apply creates): the templates' KmsKeyId, the StorageClass's kmsKeyId, "
        "EFS's KmsKeyId (set at creation only: a new file system), the buckets' SSE-KMS default encryption.",
    section="Cluster hardening (AWS EKS best practices, CIS)",
)
def data_at_rest_encrypted(d: Deployment) -> Iterator[Outcome]:
    always = [*_root_volumes(d), *_block_class(d)]
    yield from always or [passed("the node root volumes and the block StorageClass are encrypted.")]
    keyed = list(_with_the_key(d))
    stores = d.hardening.data_key_stores
    yield from keyed
    if stores and not keyed:
        yield passed(f"{', '.join(s.upper() for s in stores)} are encrypted with the deployment's KMS key "
                     f"({_key(d.hardening.data_key, 'ebs')}).")


def _root_volumes(d: Deployment) -> Iterator[Outcome]:
    groups = d.groups
    unknown_groups = [g.name for g in groups if g.volume_encrypted is None]
    if unknown_groups:
        yield unknown(d, f"whether the root volumes of node group(s) {', '.join(unknown_groups)} are encrypted",
                      _ROOT_WHY, (Gap.EC2, Gap.AUTOSCALING, Gap.AWS))
    for group in groups:
        if group.volume_encrypted is False:
            yield failed(f"the root volumes of node group {group.name} are not encrypted: its nodes' disks hold "
                         "images, logs and the scratch files of executions.", group.location)


def _block_class(d: Deployment) -> Iterator[Outcome]:
    block = d.storage.block_class
    if block is None:
        yield unknown(d, "the block StorageClass's encryption", gaps=(Gap.KUBERNETES,))
        return
    if str(block.parameter("encrypted")).lower() != "true":
        yield failed(f"block StorageClass {block.name} does not set encrypted: \"true\": the volumes of Domino's "
                     "executions are written unencrypted unless the account encrypts EBS by default.", block.location)


def _with_the_key(d: Deployment) -> Iterator[Outcome]:
    """Each store the deployment declares its key for, on another key."""
    h = d.hardening
    if h.data_key_stores is None:
        yield unknown(d, "the stores the deployment's KMS key should encrypt", _STORES_WHY, (Gap.KMS,))
        return
    key = h.data_key
    if key is None and h.data_key_stores:
        yield unknown(d, "the deployment's KMS key (the cluster's Secrets key, which apply creates)",
                      gaps=(Gap.EKS, Gap.AWS))
        return
    if "ebs" in h.data_key_stores:
        yield from (_other_key(f"the root volumes of node group {g.name} are", g.volume_kms_key_id, key, "ebs",
                               g.location)
                    for g in d.groups if g.volume_encrypted and g.volume_kms_key_id != key)
        block = d.storage.block_class
        block_key = block.parameter("kmskeyid") if block else None
        if block is not None and block_key != key:
            yield _other_key(f"block StorageClass {block.name} is", block_key, key, "ebs", block.location)
    efs = d.storage.efs
    if "efs" in h.data_key_stores and efs is not None and efs.encrypted and efs.kms_key_id != key:
        yield _other_key(f"the Datasets file system {efs.file_system_id or '(planned)'} is", efs.kms_key_id, key, "efs",
                         efs.location)
    if "s3" in h.data_key_stores:
        registry = d.domino.registry
        buckets: list[Bucket | Registry] = [*(d.storage.buckets or ()),
                                            *([registry] if registry and registry.kind == "s3" else [])]
        yield from (_other_key(f"bucket {b.name} is", b.kms_key_id, key, "s3", b.location)
                    for b in buckets if b.encrypted and b.kms_key_id != key)


def _other_key(subject: str, used: str | None, declared: str | None, store: str, where: Location | None) -> Outcome:
    """`subject` ("bucket x is") encrypted with `used` where the deployment declares `declared`."""
    return failed(f"{subject} encrypted with {_key(used, store)}, not the deployment's KMS key "
                  f"({_key(declared, store)}) that security.encryption.{store} declares.", where)
