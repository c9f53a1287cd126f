"""The cluster: its name, region, version and where that version stands in the EKS calendar."""

from __future__ import annotations

import re
from datetime import datetime

from domino_eks.collect.shapes import SERVER_VERSION
from domino_eks.knowledge import eks_versions
from domino_eks.model import Cluster, Location, VersionSupport
from domino_eks.sources.snapshot.addons import addon_versions, addons
from domino_eks.sources.snapshot.facts import Facts, first
from domino_eks.sources.snapshot.insights import insights

REGION_LABELS = ("topology.kubernetes.io/region", "failure-domain.beta.kubernetes.io/region")
_SUPPORT_STATUS = {"STANDARD_SUPPORT": "standard", "EXTENDED_SUPPORT": "extended", "UNSUPPORTED": "unsupported"}
_MINOR = re.compile(r"v?(\d+)\.(\d+)")


def cluster(facts: Facts, name: str | None) -> Cluster:
    eks = facts.aws_part("cluster") or {}
    version = _version(facts)
    zones = facts.subnet_zones((eks.get("resourcesVpcConfig") or {}).get("subnetIds"))
    return Cluster(
        name=name,
        region=facts.target.get("region") or _arn_region(eks.get("arn")) or _node_region(facts),
        version=version,
        version_support=_support(facts, version) if version else None,
        control_plane_zones=tuple(sorted(zones)) if zones else None,
        tags=eks.get("tags") or {},
        insights=insights(facts),
        addons=addons(facts),
        addon_versions=addon_versions(facts, version),
        location=Location(object=f"Cluster/{name}") if name else None,
    )


def _version(facts: Facts) -> str | None:
    """The control plane's version (EKS, else the API server), else the newest kubelet's."""
    reported = (facts.aws_part("cluster") or {}).get("version") or facts.kube_part(SERVER_VERSION)
    if reported:
        return _minor(reported)
    # a cluster's thousands of nodes run a few kubelet versions: each parsed once
    running = {n.kubelet_version for n in facts.nodes or ()}
    kubelets = {minor for version in running if (minor := _minor(version)) is not None}
    return max(kubelets, key=eks_versions.order, default=None)


def _support(facts: Facts, version: str) -> VersionSupport:
    """EKS's own calendar when DescribeClusterVersions answered, else the one shipped with the tool."""
    listed = next((v for v in facts.aws_part("cluster_versions") or () if v.get("clusterVersion") == version), None)
    if listed is None:
        return eks_versions.support(version, facts.on)
    return VersionSupport(
        status=_SUPPORT_STATUS.get(listed.get("versionStatus"), "unknown"),
        end_of_standard=_day(listed.get("endOfStandardSupportDate")),
        end_of_extended=_day(listed.get("endOfExtendedSupportDate")),
        as_of=facts.on.isoformat(),
        source="api",
    )


def _node_region(facts: Facts) -> str | None:
    return next((region for node in facts.nodes or () if (region := first(node.model.labels, REGION_LABELS))), None)


def _minor(version: str | None) -> str | None:
    """1.31 from v1.31.4-eks-1234567, 1.31.4 or 1.31; None from anything else."""
    match = _MINOR.match(version or "")
    return f"{match.group(1)}.{match.group(2)}" if match else None


def _day(stamp: str | None) -> str | None:
    return datetime.fromisoformat(stamp).date().isoformat() if stamp else None


def _arn_region(arn: str | None) -> str | None:
    parts = (arn or "").split(":")
    return parts[3] if len(parts) > 3 and parts[3] else None
