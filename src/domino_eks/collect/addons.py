"""Gathering the cluster's EKS add-ons with their health (DescribeAddon), and the versions EKS lists for the
cluster's Kubernetes version (DescribeAddonVersions) — for those installed and those the deployment needs."""

from __future__ import annotations

from collections.abc import Iterable

from domino_eks.aws import pages
from domino_eks.collect.recorder import Recorder
from domino_eks.collect.shapes import ADDON_VERSIONS, ADDONS


def addons(r: Recorder, cluster: str, needed: Iterable[str]) -> None:
    eks = r.aws.client("eks")
    with r.recorded("eks", "the cluster's add-ons are not judged"):
        names = list(pages.paginate(eks, "list_addons", "addons", clusterName=cluster))
        r.store(ADDONS, [eks.describe_addon(clusterName=cluster, addonName=name)["addon"] for name in names])
    version = (r.facts.get("cluster") or {}).get("version")
    if ADDONS not in r.facts or not version:
        return
    with r.recorded("eks", "the add-ons' compatible versions are not judged"):
        r.store(ADDON_VERSIONS, [info for name in sorted({*names, *needed})
                                 for info in pages.paginate(eks, "describe_addon_versions", "addons",
                                                            kubernetesVersion=version, addonName=name)])
