"""The control plane's hardening as EKS describes it: endpoint access, logging, Secrets encryption and the
support policy, with the rotation of the Secrets key from KMS."""

from __future__ import annotations

from collections.abc import Mapping

from domino_eks.model import CONTROL_PLANE_LOG_TYPES, Hardening, Location
from domino_eks.sources.snapshot.facts import Facts

SUPPORT_TYPES = ("STANDARD", "EXTENDED")


def hardening(facts: Facts, name: str | None) -> Hardening:
    eks = facts.aws_part("cluster")
    if eks is None:
        return Hardening()
    vpc = eks.get("resourcesVpcConfig") or {}
    public = vpc.get("endpointPublicAccess")
    secrets_key = _secrets_key(eks)
    rotation = (facts.aws_part("key_rotation") or {}).get(secrets_key) if secrets_key else None
    support = (eks.get("upgradePolicy") or {}).get("supportType")
    return Hardening(
        endpoint_private=vpc.get("endpointPrivateAccess"),
        endpoint_public=public,
        public_access_cidrs=tuple(vpc["publicAccessCidrs"]) if public and "publicAccessCidrs" in vpc else
        () if public is False else None,
        log_types=_log_types(eks) if "logging" in eks else None,
        secrets_encrypted=secrets_key is not None,
        secrets_key=secrets_key,
        key_rotation=rotation,
        # an endpoint that leaves it out (the emulator) says nothing of it
        support_type=support if support in SUPPORT_TYPES else None,
        location=Location(object=f"Cluster/{name}") if name else None,
    )


def _secrets_key(eks: Mapping) -> str | None:
    return next((c["provider"]["keyArn"] for c in eks.get("encryptionConfig") or ()
                 if "secrets" in c.get("resources", ())), None)


def _log_types(eks: Mapping) -> tuple[str, ...]:
    on = {t for entry in eks["logging"].get("clusterLogging") or () if entry.get("enabled")
          for t in entry.get("types") or ()}
    return tuple(t for t in CONTROL_PLANE_LOG_TYPES if t in on)
