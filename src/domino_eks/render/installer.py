"""Installer values: what the page says to "record for use when installing Domino", in the field names of
Domino's installer config (fleetcommand-agent `domino.yml`, schema "1.2", as Domino's own provisioning
code wrote it).

A value not known yet is never invented: it is written as `__FILL__` with a comment naming what fills
it. EFS ids exist only after `domino-eks apply`, which renders this file again with the real ones.
"""

from __future__ import annotations

from ruamel.yaml.comments import CommentedMap

from domino_eks.model import NODE_POOL_LABEL, Deployment
from domino_eks.render import iam
from domino_eks.render.manifests import (
    EFS_ID_UNKNOWN,
    FILL,
    SHARED_CLASS_NAME,
    block_class_name,
    mark_unknown,
    yaml_text,
)

SCHEMA = "1.2"
# installer blob store -> the bucket role that holds it
BLOB_STORES = {"projects": "user_data", "logs": "logs", "backups": "backups"}
_REGION_UNKNOWN = "AWS region: metadata.region of the source file"
_BLOB_UNKNOWN = {
    "region": _REGION_UNKNOWN,
    "bucket": "{bucket} bucket: storage.buckets in a domino-eks spec",
    "sse_kms_key_id": "KMS key of the {bucket} bucket's default encryption, or null for S3-managed keys",
}
# What fills each value that can be unknown, by its path in the values.
UNKNOWN_BECAUSE: dict[tuple[str, ...], str] = {
    ("hostname",): "FQDN Domino serves from: domain.fqdn in a domino-eks spec",
    ("storage_classes", "shared", "efs", "region"): _REGION_UNKNOWN,
    ("storage_classes", "shared", "efs", "filesystem_id"): EFS_ID_UNKNOWN,
    ("storage_classes", "shared", "efs", "access_point_id"): "EFS access point id: known after `domino-eks apply`",
    **{
        ("blob_storage", store, "s3", field): reason.format(bucket=role.replace("_", " "))
        for store, role in BLOB_STORES.items()
        for field, reason in _BLOB_UNKNOWN.items()
    },
    ("autoscaler", "aws", "region"): _REGION_UNKNOWN,
}
HEADER = f"""\
Values for Domino's installer, in the field names of its config schema "{SCHEMA}" (domino.yml): what
the admin page says to record for use when installing Domino. Merge them into the installer's config.
Installer fields: schema, name, hostname, storage_classes, blob_storage, autoscaler.
Informational, not installer fields: node_pools (the node selector of each pool, for hardware tiers)."""
MARKS_NOTE = f'"{FILL}" marks a value not known yet; the comment beside it says what fills it.'


def installer_values(deployment: Deployment) -> dict:
    """The values as plain data, `__FILL__` where the deployment does not know them."""
    cluster, efs = deployment.cluster, deployment.storage.efs
    region = _known(cluster.region)
    values: dict[str, object] = {
        "schema": SCHEMA,
        "name": cluster.name,
        "hostname": _known(deployment.domain.fqdn),
        "storage_classes": {
            "block": {"name": block_class_name(deployment), "type": "ebs"},
            "shared": {
                "name": SHARED_CLASS_NAME,
                "type": "efs",
                "efs": {
                    "region": region,
                    "filesystem_id": _known(efs.file_system_id if efs else None),
                    "access_point_id": _known(efs.access_point_id if efs else None),
                },
            },
        },
        "blob_storage": {store: {"s3": _s3(deployment, role, region)} for store, role in BLOB_STORES.items()},
    }
    if iam.uses_autoscaler(deployment):
        values["autoscaler"] = {"auto_discovery": {"cluster_name": cluster.name}, "aws": {"region": region}}
    values["node_pools"] = {
        pool.label: {"node_selector": {NODE_POOL_LABEL: pool.label}} for pool in deployment.domino_pools
    }
    return values


def render(deployment: Deployment) -> str:
    """installer/domino.yml: the values with a header, and a comment beside each `__FILL__`."""
    values = installer_values(deployment)
    document = _commented(values, ())
    document.yaml_set_start_comment(f"{HEADER}\n{MARKS_NOTE}" if _marked(values) else HEADER)
    return yaml_text([document])


def _known(value: str | None) -> str:
    return value or FILL


def _s3(deployment: Deployment, role: str, region: str) -> dict:
    bucket = next((b for b in deployment.storage.buckets or () if b.role == role), None)
    if bucket is None:
        return {"region": region, "bucket": FILL, "sse_kms_key_id": FILL}
    # no key id on a known bucket means S3-managed keys, which the installer writes as null
    return {"region": region, "bucket": bucket.name, "sse_kms_key_id": bucket.kms_key_id}


def _commented(values: dict, path: tuple[str, ...]) -> CommentedMap:
    out = CommentedMap()
    for key, value in values.items():
        out[key] = _commented(value, (*path, key)) if isinstance(value, dict) else value
        if value == FILL:
            mark_unknown(out, key, UNKNOWN_BECAUSE[path + (key,)], depth=len(path))
    return out


def _marked(values: dict) -> bool:
    return any(_marked(value) if isinstance(value, dict) else value == FILL for value in values.values())
