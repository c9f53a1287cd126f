"""Rule G006: what EKS's own cluster insights find (upgrade readiness, misconfiguration)."""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial

from domino_eks.model import Deployment, Insight, Location
from domino_eks.rules.base import REGISTRY, Outcome, Severity, failed, passed, skipped
from domino_eks.rules.unknown import Gap, cluster_argument, unknown

rule = partial(REGISTRY.rule, section="Beyond the page: the cluster")
_NEEDS_THE_CLUSTER = dict.fromkeys(("spec", "eksctl"), "insights exist only for a running EKS cluster — checked by "
                                                       "domino-eks check")
_SEVERITY = {"ERROR": Severity.ERROR, "WARNING": Severity.WARNING}


@rule(
    "G006", Severity.WARNING,
    title="EKS cluster insights report a problem",
    rationale=(
        "EKS checks every cluster for what breaks upgrades (deprecated APIs still called, add-ons or kubelets "
        "too old for the next version) and for misconfiguration (nodes that cannot join, hybrid-node setup). "
        "An insight in ERROR is a failure EKS already sees; one in WARNING a failure after the next upgrade."
    ),
    fix="Follow each insight's recommendation (quoted in the finding; `aws eks describe-insight --cluster-name "
        "NAME --id ID` lists the resources concerned), then refresh with `aws eks start-insights-refresh`.",
)
def insights_pass(d: Deployment) -> Iterator[Outcome]:
    found = d.cluster.insights
    if found is None:
        yield unknown(d, "the cluster's EKS insights", _NEEDS_THE_CLUSTER, (Gap.EKS, Gap.AWS))
        return
    for insight in found:
        yield _judged(insight, cluster_argument(d))
    if not found:
        yield passed("EKS reports no insight for the cluster.")


def _judged(insight: Insight, cluster: str) -> Outcome:
    where = Location(object=f"Insight/{insight.id}")
    if insight.status == "PASSING":
        return passed("every EKS insight of the cluster is passing.")
    if insight.status not in _SEVERITY:
        return skipped(f"EKS insight {insight.name} has status {insight.status}: EKS has not judged it yet.")
    reason = f": {insight.reason.rstrip('.')}" if insight.reason else ""
    advice = insight.recommendation or f"See `aws eks describe-insight --cluster-name {cluster} --id {insight.id}`"
    return failed(f"EKS insight {insight.name!r} ({insight.category or 'uncategorised'}) is {insight.status}{reason}. "
                  f"{advice.rstrip('.')}.", where, _SEVERITY[insight.status])
