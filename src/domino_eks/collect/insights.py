"""Gathering EKS cluster insights: what EKS itself finds wrong with the cluster (upgrade readiness,
misconfiguration), each insight described in full for its recommendation — after a fresh run of the checks
when asked (EKS otherwise refreshes them once a day)."""

from __future__ import annotations

from domino_eks.aws import pages
from domino_eks.collect.recorder import Recorder
from domino_eks.collect.shapes import INSIGHTS

PASSING = "PASSING"
REFRESHED = "InsightsRefreshed"
# botocore ships no waiter for DescribeInsightsRefresh (eks waiters-2.json, botocore 1.43): one in its format.
# A refresh runs the checks again, a minute or two on a real cluster.
REFRESH_WAITER = {"version": 2, "waiters": {REFRESHED: {
    "operation": "DescribeInsightsRefresh", "delay": 5, "maxAttempts": 60,
    "acceptors": [{"state": "success", "matcher": "path", "argument": "status", "expected": "COMPLETED"},
                  {"state": "failure", "matcher": "path", "argument": "status", "expected": "FAILED"}],
}}}


def insights(r: Recorder, cluster: str, refresh: bool = False) -> None:
    """Every insight of the cluster; those not passing with their recommendation and resources (DescribeInsight)."""
    if refresh:
        refreshed(r, cluster)
    eks = r.aws.client("eks")
    with r.recorded("eks", "the cluster's insights are not judged"):
        listed = list(pages.paginate(eks, "list_insights", "insights", clusterName=cluster))
        r.store(INSIGHTS, [summary if (summary.get("insightStatus") or {}).get("status") == PASSING
                           else eks.describe_insight(clusterName=cluster, id=summary["id"])["insight"]
                           for summary in listed])


def refreshed(r: Recorder, cluster: str) -> None:
    """StartInsightsRefresh, then wait until EKS reports it COMPLETED; a refresh refused or failed is noted, and
    the insights read are then those of EKS's last refresh."""
    from botocore.exceptions import WaiterError
    from botocore.waiter import WaiterModel, create_waiter_with_client

    eks = r.aws.client("eks")
    consequence = "the insights judged are those of EKS's last refresh"
    with r.recorded("eks", consequence):
        eks.start_insights_refresh(clusterName=cluster)
        try:
            create_waiter_with_client(REFRESHED, WaiterModel(REFRESH_WAITER), eks).wait(clusterName=cluster)
        except WaiterError as exc:
            why = (exc.last_response or {}).get("message") or str(exc)
            r.note("eks", f"StartInsightsRefresh: the refresh did not complete ({why}); {consequence}")
