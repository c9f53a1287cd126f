"""Domino's registry storage as the collector found it: the bucket or ECR repository the spec names."""

from __future__ import annotations

from domino_eks.model import DominoInstall, Location, Registry
from domino_eks.sources.snapshot.facts import Facts
from domino_eks.sources.snapshot.storage import bucket_settings


def domino(facts: Facts) -> DominoInstall:
    """What a live cluster tells of the Domino install: only the registry storage, and only if a spec named it."""
    raw = facts.aws_part("registry")
    if raw is None:
        return DominoInstall()
    return DominoInstall(registry=_bucket(raw) if raw["kind"] == "s3" else _repository(raw))


def _bucket(raw: dict) -> Registry:
    where = Location(object=f"Bucket/{raw['name']}")
    if not raw.get("exists"):
        return Registry(kind="s3", name=raw["name"], exists=False, location=where)
    settings = bucket_settings(raw)
    return Registry(kind="s3", name=raw["name"], exists=True, blocks_public_access=settings.blocks_public_access,
                    encrypted=settings.encrypted, tls_only=settings.tls_only, kms_key_id=settings.kms_key_id,
                    location=where)


def _repository(raw: dict) -> Registry:
    where = Location(object=f"Repository/{raw['name']}")
    if not raw.get("exists"):
        return Registry(kind="ecr", name=raw["name"], exists=False, location=where)
    repository = raw["repository"]
    encryption = repository.get("encryptionConfiguration") or {}
    return Registry(
        kind="ecr",
        name=raw["name"],
        exists=True,
        blocks_public_access=True,  # a private ECR repository: only a repository policy can open it to others
        encrypted=True,  # ECR encrypts every repository at rest (AES256 unless KMS)
        scan_on_push=(repository.get("imageScanningConfiguration") or {}).get("scanOnPush"),
        immutable_tags=repository.get("imageTagMutability") == "IMMUTABLE",
        kms_key_id=encryption.get("kmsKey"),
        uri=repository.get("repositoryUri"),
        location=where,
    )
