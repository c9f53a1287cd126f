"""Gathering EKS cluster insights: what EKS itself finds wrong with the cluster (upgrade readiness,
misconfiguration), each insight described in full for its recommendation."""

from __future__ import annotations

from domino_eks.aws import pages
from domino_eks.collect.recorder import Recorder
from domino_eks.collect.shapes import INSIGHTS

PASSING = "PASSING"


def insights(r: Recorder, cluster: str) -> None:
    """Every insight of the cluster; those not passing with their recommendation and resources (DescribeInsight)."""
    eks = r.aws.client("eks")
    with r.recorded("eks", "the cluster's insights are not judged"):
        listed = list(pages.paginate(eks, "list_insights", "insights", clusterName=cluster))
        r.store(INSIGHTS, [summary if (summary.get("insightStatus") or {}).get("status") == PASSING
                           else eks.describe_insight(clusterName=cluster, id=summary["id"])["insight"]
                           for summary in listed])
