"""What apply learned, written back into the model and into the installer values the page says to record."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from domino_eks.errors import write_output
from domino_eks.model import KEY_CREATED_BY_APPLY, Deployment
from domino_eks.provision import desired, kinds
from domino_eks.provision.resources import Key

INSTALLER_FILE = Path("installer") / "domino.yml"


def with_outputs(deployment: Deployment, outputs: Mapping[Key, Mapping[str, Any]]) -> Deployment:
    """`deployment` with the ids AWS assigned: the EFS file system and access point, the certificate, the VPC,
    the ECR repository's URI, the ARN of the KMS key apply created where the installer names it."""
    file_system = outputs.get(Key(kinds.EFS_FILE_SYSTEM, desired.DATASETS)) or {}
    access_point = outputs.get(Key(kinds.EFS_ACCESS_POINT, desired.DATASETS_ACCESS_POINT)) or {}
    vpc = outputs.get(Key(kinds.VPC, desired.VPC)) or {}
    update: dict[str, Any] = {"network": deployment.network.model_copy(update={"vpc_id": vpc.get("id")})}
    if deployment.storage.efs is not None:
        efs = deployment.storage.efs.model_copy(update={
            "file_system_id": file_system.get("id"), "access_point_id": access_point.get("id")})
        update["storage"] = deployment.storage.model_copy(update={"efs": efs})
    certificate = deployment.domain.certificate
    if certificate is not None and certificate.arn is None and deployment.domain.fqdn:
        arn = (outputs.get(Key(kinds.CERTIFICATE, deployment.domain.fqdn)) or {}).get("arn")
        issued = certificate.model_copy(update={"arn": arn})
        update["domain"] = deployment.domain.model_copy(update={"certificate": issued})
    registry = deployment.domino.registry
    if registry is not None and registry.kind == "ecr":
        uri = (outputs.get(Key(kinds.ECR_REPOSITORY, registry.name)) or {}).get("uri")
        update["domino"] = deployment.domino.model_copy(update={"registry": registry.model_copy(update={"uri": uri})})
    updated = deployment.model_copy(update=update)
    key = (outputs.get(Key(kinds.KMS_KEY, desired.DEPLOYMENT_KEY)) or {}).get("arn")
    return _with_created_key(updated, key) if key else updated


def _with_created_key(deployment: Deployment, arn: str) -> Deployment:
    """The key's ARN wherever the installer values name the key apply was to create: the buckets' and the
    registry's SSE-KMS key and the block StorageClass's kmsKeyId (C006)."""

    def named(key: str | None) -> str | None:
        return arn if key == KEY_CREATED_BY_APPLY else key

    storage = deployment.storage
    buckets = tuple(b.model_copy(update={"kms_key_id": named(b.kms_key_id)}) for b in storage.buckets or ())
    block = storage.block_class
    if block is not None:
        block = block.model_copy(update={"parameters": {k: named(v) or v for k, v in block.parameters.items()}})
    update: dict[str, Any] = {"storage": storage.model_copy(update={"buckets": buckets or storage.buckets,
                                                                    "block_class": block})}
    registry = deployment.domino.registry
    if registry is not None:
        update["domino"] = deployment.domino.model_copy(update={
            "registry": registry.model_copy(update={"kms_key_id": named(registry.kms_key_id)})})
    return deployment.model_copy(update=update)


def write_installer_values(deployment: Deployment, out_dir: Path) -> Path:
    from domino_eks.render import installer

    path = out_dir / INSTALLER_FILE
    write_output(path, installer.render(deployment), parents=True)
    return path
