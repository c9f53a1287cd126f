"""Gathering the EKS version calendar live: every Kubernetes version EKS lists, with its support dates."""

from __future__ import annotations

from domino_eks.aws import pages
from domino_eks.collect.recorder import Recorder
from domino_eks.knowledge import eks_versions

CLUSTER_VERSIONS = "cluster_versions"


def calendar(r: Recorder) -> None:
    """DescribeClusterVersions, all pages, retired versions too (includeAll), so a version EKS no longer offers
    is told apart from one it never had; refused, the shipped calendar stands in and the note says how old it is."""
    eks = r.aws.client("eks")
    with r.recorded("eks", f"the EKS calendar shipped with the tool (as of {eks_versions.CALENDAR_AS_OF}) is used "
                           "instead"):
        r.store(CLUSTER_VERSIONS, list(pages.paginate(eks, "describe_cluster_versions", "clusterVersions",
                                                      includeAll=True)))
