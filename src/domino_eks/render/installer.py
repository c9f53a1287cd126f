"""Installer values: what the page says to "record for use when installing Domino", in the field names of the
installer config of the Domino release the deployment names (knowledge.domino):

- schema "1.2", fleetcommand-agent's `domino.yml` of the page's era, as Domino's own provisioning code wrote it;
- schema "1.16", what `ddlctl create config --preset eks` writes for Domino 6.2's Platform Operator, with the
  values Domino's Terraform outputs as `domino_config_values` (which has no hostname) and this tool's hostname.

A value not known yet is never invented: it is written as `__FILL__` with a comment naming what fills it. EFS
ids and the ECR repository URI exist only after `domino-eks apply`, which renders this file again with them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ruamel.yaml.comments import CommentedMap

from domino_eks.knowledge import domino
from domino_eks.model import KEY_CREATED_BY_APPLY, NODE_POOL_LABEL, Deployment
from domino_eks.render import iam
from domino_eks.render.manifests import (
    EFS_ID_UNKNOWN,
    FILL,
    SHARED_CLASS_NAME,
    block_class_name,
    mark_unknown,
    yaml_text,
)

# installer blob store -> the bucket role that holds it
BLOB_STORES = dict(zip(domino.BLOB_STORES, ("user_data", "logs", "backups"), strict=True))
_REGION_UNKNOWN = "AWS region: metadata.region of the source file"
_BLOB_UNKNOWN = {
    "region": _REGION_UNKNOWN,
    "bucket": "{bucket} bucket: storage.buckets in a domino-eks spec",
    "sse_kms_key_id": "KMS key of the {bucket} bucket's default encryption, or null for S3-managed keys (the key "
                      "`domino-eks apply` creates: known after apply)",
}
_REGISTRY = ("internal_docker_registry", "s3_override")
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
    (*_REGISTRY, "region"): _REGION_UNKNOWN,
    (*_REGISTRY, "bucket"): "registry bucket: domino.registry in a domino-eks spec",
    (*_REGISTRY, "sse_kms_key_id"): "KMS key of the registry bucket's default encryption, or null for S3-managed keys "
                                    "(the key `domino-eks apply` creates: known after apply)",
    ("external_docker_registry",): "ECR repository URI: known after `domino-eks apply`",
    ("storage_classes", "block", "parameters", "kmsKeyId"):
        "ARN of the KMS key `domino-eks apply` creates (security.encryption.ebs): known after apply",
    ("autoscaler", "aws", "region"): _REGION_UNKNOWN,
}
_NODE_POOLS_NOTE = ("Informational, not installer fields: node_pools (the node selector of each pool, for hardware "
                    "tiers).")
HEADERS: dict[domino.InstallerSchema, str] = {
    "1.2": """\
Values for Domino's installer, in the field names of its config schema "1.2" (fleetcommand-agent domino.yml):
what the admin page says to record for use when installing Domino. Merge them into the installer's config.""",
    "1.16": """\
Values for Domino {version}'s Platform Operator, in the field names of its config schema "1.16": merge them into
the file `ddlctl create config --preset eks` writes (what Domino's Terraform outputs as domino_config_values,
plus the hostname).""",
}
MARKS_NOTE = f'"{FILL}" marks a value not known yet; the comment beside it says what fills it.'


def release(deployment: Deployment) -> domino.Release:
    """The release the deployment names; the current one where its source cannot tell (an eksctl file)."""
    return domino.release(deployment.domino.version or domino.CURRENT)


def installer_values(deployment: Deployment) -> dict:
    """The values as plain data, `__FILL__` where the deployment does not know them."""
    values = RENDERERS[release(deployment).schema](deployment)
    values["node_pools"] = {
        pool.label: {"node_selector": {NODE_POOL_LABEL: pool.label}} for pool in deployment.domino_pools
    }
    return values


def fleetcommand_values(deployment: Deployment) -> dict:
    """Schema "1.2" (fleetcommand-agent): blob stores, EFS, an S3-backed internal registry, three namespaces."""
    region = _known(deployment.cluster.region)
    registry = deployment.domino.registry
    values: dict[str, Any] = {
        "schema": "1.2",
        "name": deployment.cluster.declared_name,
        "hostname": _known(deployment.domain.fqdn),
        "namespaces": _namespaces(deployment),
        "storage_classes": {
            "block": {"name": block_class_name(deployment), "type": "ebs"},
            "shared": _shared(deployment, region),
        },
        "blob_storage": _blob_storage(deployment, region),
    }
    # schema 1.2 knows only the internal registry; an ECR repository is configured in Domino itself
    if registry is None or registry.kind == "s3":
        values["internal_docker_registry"] = _internal_registry(deployment, region)
    return values | _autoscaler(deployment, region)


def platform_operator_values(deployment: Deployment) -> dict:
    """Schema "1.16" (Domino 6.2): the same stores, the block class's KMS key, and exactly one registry."""
    region = _known(deployment.cluster.region)
    registry = deployment.domino.registry
    block: dict[str, Any] = {"name": block_class_name(deployment), "type": "ebs"}
    if kms_key := _block_kms_key(deployment):
        block["parameters"] = {"kmsKeyId": kms_key}
    values: dict[str, Any] = {
        "schema": "1.16",
        "name": deployment.cluster.declared_name,
        "version": release(deployment).version,
        "hostname": _known(deployment.domain.fqdn),
        "namespaces": _namespaces(deployment),
        "storage_classes": {"block": block, "shared": _shared(deployment, region)},
        "blob_storage": _blob_storage(deployment, region),
    }
    # "Either external_docker_registry or internal_docker_registry must be configured" (configuration reference)
    if registry is not None and registry.kind == "ecr":
        values["external_docker_registry"] = _known(registry.uri)
    else:
        values["internal_docker_registry"] = _internal_registry(deployment, region)
    return values | _autoscaler(deployment, region)


RENDERERS: dict[domino.InstallerSchema, Callable[[Deployment], dict]] = {
    "1.2": fleetcommand_values,
    "1.16": platform_operator_values,
}


def render(deployment: Deployment) -> str:
    """installer/domino.yml: the values with a header, and a comment beside each `__FILL__`."""
    values = installer_values(deployment)
    document = _commented(values, ())
    chosen = release(deployment)
    header = f"{HEADERS[chosen.schema].format(version=chosen.version)}\n{_NODE_POOLS_NOTE}"
    document.yaml_set_start_comment(f"{header}\n{MARKS_NOTE}" if _marked(values) else header)
    return yaml_text([document])


def _known(value: str | None) -> str:
    return value or FILL


def _namespaces(deployment: Deployment) -> dict:
    chosen = deployment.install_namespaces
    named = {"platform": chosen.platform, "compute": chosen.compute, "system": chosen.system}
    return {role: {"name": name} for role, name in named.items() if name}


def _shared(deployment: Deployment, region: str) -> dict:
    efs = deployment.storage.efs
    return {
        "name": SHARED_CLASS_NAME,
        "type": "efs",
        "efs": {
            "region": region,
            "filesystem_id": _known(efs.file_system_id if efs else None),
            "access_point_id": _known(efs.access_point_id if efs else None),
        },
    }


def _blob_storage(deployment: Deployment, region: str) -> dict:
    return {store: {"s3": _s3(deployment, role, region)} for store, role in BLOB_STORES.items()}


def _s3(deployment: Deployment, role: str, region: str) -> dict:
    bucket = next((b for b in deployment.storage.buckets or () if b.role == role), None)
    if bucket is None:
        return {"region": region, "bucket": FILL, "sse_kms_key_id": FILL}
    # no key id on a known bucket means S3-managed keys, which the installer writes as null
    return {"region": region, "bucket": bucket.name, "sse_kms_key_id": _key(bucket.kms_key_id)}


def _internal_registry(deployment: Deployment, region: str) -> dict:
    registry = deployment.domino.registry
    if registry is None:
        return {"s3_override": {"region": region, "bucket": FILL, "sse_kms_key_id": FILL}}
    return {"s3_override": {"region": region, "bucket": registry.name, "sse_kms_key_id": _key(registry.kms_key_id)}}


def _key(key: str | None) -> str | None:
    """A KMS key's ARN; the key apply is to create has none until then (apply's own values carry it)."""
    return FILL if key == KEY_CREATED_BY_APPLY else key


def _block_kms_key(deployment: Deployment) -> str | None:
    """The KMS key the block StorageClass encrypts with."""
    given = deployment.storage.block_class
    return _key(given.parameter("kmskeyid") if given else None)


def _autoscaler(deployment: Deployment, region: str) -> dict:
    if not iam.uses_autoscaler(deployment):
        return {}
    discovery = {"cluster_name": deployment.cluster.declared_name}
    return {"autoscaler": {"auto_discovery": discovery, "aws": {"region": region}}}


def _commented(values: dict, path: tuple[str, ...]) -> CommentedMap:
    out = CommentedMap()
    for key, value in values.items():
        here = (*path, key)
        out[key] = _commented(value, here) if isinstance(value, dict) else value
        if value == FILL:
            mark_unknown(out, key, UNKNOWN_BECAUSE[here], depth=len(path))
    return out


def _marked(values: dict) -> bool:
    return any(_marked(value) if isinstance(value, dict) else value == FILL for value in values.values())
