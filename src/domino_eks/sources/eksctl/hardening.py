"""The control plane's hardening a ClusterConfig declares, with eksctl's own defaults where it is silent:
vpc.clusterEndpoints and publicAccessCIDRs, cloudWatch.clusterLogging, secretsEncryption, upgradePolicy."""

from __future__ import annotations

from typing import Any

from domino_eks.knowledge import eksctl_defaults
from domino_eks.model import CONTROL_PLANE_LOG_TYPES, Hardening, Location
from domino_eks.sources.eksctl.schema import ClusterConfig


def hardening(config: ClusterConfig, location: Location | None) -> Hardening:
    vpc = config.vpc
    endpoints: dict[str, Any] = (vpc.cluster_endpoints if vpc else None) or {}
    public = endpoints.get("publicAccess", eksctl_defaults.ENDPOINT_PUBLIC_ACCESS)
    cidrs = (vpc.public_access_cidrs if vpc else None) or eksctl_defaults.PUBLIC_ACCESS_CIDRS
    logging: dict[str, Any] = (config.cloud_watch or {}).get("clusterLogging") or {}
    key = (config.secrets_encryption or {}).get("keyARN")
    return Hardening(
        endpoint_private=endpoints.get("privateAccess", eksctl_defaults.ENDPOINT_PRIVATE_ACCESS),
        endpoint_public=public,
        public_access_cidrs=tuple(cidrs) if public else (),
        log_types=_log_types(logging.get("enableTypes") or ()),
        log_retention_days=logging.get("logRetentionInDays"),
        secrets_encrypted=key is not None,
        secrets_key=key,
        support_type=(config.upgrade_policy or {}).get("supportType", eksctl_defaults.SUPPORT_TYPE),
        location=location,
    )


def _log_types(enabled: Any) -> tuple[str, ...]:
    if any(t in eksctl_defaults.LOG_TYPES_ALL for t in enabled):
        return CONTROL_PLANE_LOG_TYPES
    return tuple(t for t in CONTROL_PLANE_LOG_TYPES if t in enabled)
