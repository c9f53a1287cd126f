"""The cluster's EKS add-ons as DescribeAddon reports them, and the versions DescribeAddonVersions lists for the
cluster's Kubernetes version."""

from __future__ import annotations

from collections.abc import Mapping

from domino_eks.collect.shapes import ADDON_VERSIONS, ADDONS
from domino_eks.model import Addon, AddonVersions
from domino_eks.sources.snapshot.facts import Facts


def addons(facts: Facts) -> tuple[Addon, ...] | None:
    listed = facts.aws_part(ADDONS)
    return None if listed is None else tuple(_addon(a) for a in listed)


def _addon(raw: Mapping) -> Addon:
    issues = (raw.get("health") or {}).get("issues") or ()
    return Addon(name=raw["addonName"], version=raw.get("addonVersion"), status=raw.get("status"),
                 health_issues=tuple(f"{i.get('code', 'issue')}: {i.get('message', '')}".rstrip(": ")
                                     for i in issues),
                 pod_identity=bool(raw.get("podIdentityAssociations")))


def addon_versions(facts: Facts, cluster_version: str | None) -> dict[str, AddonVersions] | None:
    """By add-on name: the versions compatible with `cluster_version`, in the order EKS lists them (newest
    first), and the one it marks default."""
    listed = facts.aws_part(ADDON_VERSIONS)
    if listed is None or cluster_version is None:
        return None
    found = {}
    for info in listed:
        compatible = [(v["addonVersion"], c) for v in info.get("addonVersions") or ()
                      for c in v.get("compatibilities") or () if c.get("clusterVersion") == cluster_version]
        found[info["addonName"]] = AddonVersions(
            compatible=tuple(dict.fromkeys(version for version, _ in compatible)),
            default=next((version for version, c in compatible if c.get("defaultVersion")), None))
    return found
