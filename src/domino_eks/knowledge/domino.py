"""Domino's releases as this tool serves them: which installer config schema each takes, the field names of
that schema that take what this tool knows, and the namespaces each installs into by default.

Sources: shared/reference/anchors-2026-12.md §1.3 and §3 (Domino's Terraform `domino_config_values` and the
current docs), shared/reference/anchors-domino.md §5 (the schema "1.2" fields Domino's CDK wrote).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

InstallerSchema = Literal["1.2", "1.16"]


@dataclass(frozen=True)
class Namespaces:
    """The namespaces Domino's installer creates; `system` is None where the release has none."""

    platform: str
    compute: str
    system: str | None = None

    def names(self) -> tuple[str, ...]:
        return tuple(n for n in (self.platform, self.compute, self.system) if n)


@dataclass(frozen=True)
class Release:
    version: str  # the `version` the installer config names
    schema: InstallerSchema
    installer: str
    namespaces: Namespaces


# The 2022 admin page: "platform", "compute" and "domino-system" (page section "Namespaces").
PAGE_NAMESPACES = Namespaces(platform="platform", compute="compute", system="domino-system")
# Domino 6.x: domino-platform / domino-compute — Domino's Terraform defaults (irsa_external_dns.namespace,
# flyte.{platform,compute}_namespace, external_deployments_operator.namespace; anchors-2026-12.md §1.4). Whether
# 6.x still creates domino-system is unverified there, so none is assumed.
CURRENT_NAMESPACES = Namespaces(platform="domino-platform", compute="domino-compute")

_FLEETCOMMAND = "fleetcommand-agent (domino.yml)"
# "Starting with Domino 6.0.0, the Platform Operator is the only supported path"; `ddlctl create config
# --preset eks` writes the config (https://docs.dominodatalab.com/en/latest/admin_guide/88f534/platform-operator,
# .../c1eec3/deploy-domino).
_PLATFORM_OPERATOR = "Platform Operator (ddlctl create config --preset eks)"
RELEASES: dict[str, Release] = {
    # Schema "1.2" is what Domino's CDK generated for fleetcommand-agent from 2021-05 to 2023-02 (cdk agent.py,
    # anchors-domino.md §5.1); the docs' examples show schema 1.4 from Domino 5.2 on (anchors-domino.md §5.2), so
    # 1.2 serves the releases of the page's era.
    "4.6": Release("4.6.0", "1.2", _FLEETCOMMAND, PAGE_NAMESPACES),
    "5.0": Release("5.0.0", "1.2", _FLEETCOMMAND, PAGE_NAMESPACES),
    "5.1": Release("5.1.0", "1.2", _FLEETCOMMAND, PAGE_NAMESPACES),
    # Configuration reference: schema 1.16, "Supported versions: 6.2.0"
    # (https://docs.dominodatalab.com/en/latest/admin_guide/7f4331/configuration-reference).
    "6.2": Release("6.2.0", "1.16", _PLATFORM_OPERATOR, CURRENT_NAMESPACES),
}
CURRENT = "6.2"  # the newest release the docs list (version menu: Cloud, 6.2, 6.1, 6.0, ...; anchors-2026-12 §3)
# Every namespace some release installs into by default: what a check looks for when it does not know the release.
KNOWN_NAMESPACES: tuple[str, ...] = tuple(dict.fromkeys(n for r in RELEASES.values() for n in r.namespaces.names()))

# The installer config fields each schema gives what this tool knows, as dotted paths; `<store>` stands for each
# blob store (projects, logs, backups). Renderers write exactly these; a test pins them.
# anchors-domino.md §5.1 (cdk agent.py, schema "1.2")
_FIELDS_1_2 = frozenset({
    "schema", "name", "hostname",
    "namespaces.platform.name", "namespaces.compute.name", "namespaces.system.name",
    "storage_classes.block.name", "storage_classes.block.type",
    "storage_classes.shared.name", "storage_classes.shared.type",
    "storage_classes.shared.efs.region", "storage_classes.shared.efs.filesystem_id",
    "storage_classes.shared.efs.access_point_id",
    "blob_storage.<store>.s3.region", "blob_storage.<store>.s3.bucket", "blob_storage.<store>.s3.sse_kms_key_id",
    "internal_docker_registry.s3_override.region", "internal_docker_registry.s3_override.bucket",
    "internal_docker_registry.s3_override.sse_kms_key_id",
    "autoscaler.auto_discovery.cluster_name", "autoscaler.aws.region",
})
SCHEMA_FIELDS: dict[InstallerSchema, frozenset[str]] = {
    "1.2": _FIELDS_1_2,
    # Configuration reference 1.16 (docs 7f4331) and Domino's Terraform `domino_config_values`
    # (examples/deploy/terraform/infra/outputs.tf): 1.2's fields without the system namespace, plus the release,
    # the block class's `parameters.kmsKeyId` and `external_docker_registry` (an ECR repository URI), the other
    # way to give the registry than `internal_docker_registry.s3_override`.
    "1.16": (_FIELDS_1_2 - {"namespaces.system.name"})
    | {"version", "storage_classes.block.parameters.kmsKeyId", "external_docker_registry"},
}
BLOB_STORES = ("projects", "logs", "backups")


def release(version: str) -> Release:
    return RELEASES[version]


# What Domino's pods do with their node's role, which they reach through IMDS only with a hop limit above 1.
# Domino's CDK gives the node role the S3 policy unless it makes IRSA roles, and then makes three:
# "nucleus" (blobs write, logs read) for the platform, "executor" (blobs write) for executions, and "builder"
# (images write) for image builds (shared/reference/anchors-domino.md §3, eks_iam_roles_for_k8s.py).
# Domino's Terraform keeps hop limit 2 for the same reason (anchors-domino.md, modules/nodes/nodes.tf).
PLATFORM_NODE_ROLE_USE = "Domino's platform services (nucleus, the image registry) read and write its S3 buckets"
COMPUTE_NODE_ROLE_USE = ("Domino's executions upload their results to the blob store (the user-data bucket), and "
                         "image builds push to the registry")
# IMDS hop limit: 2 lets a pod (one hop behind the node) reach the node role, as Domino's executions need
NODE_ROLE_HOP_LIMIT = 2
