"""The cluster's EKS insights, as ListInsights and DescribeInsight report them."""

from __future__ import annotations

from collections.abc import Mapping

from domino_eks.collect.shapes import INSIGHTS
from domino_eks.model import Insight
from domino_eks.sources.snapshot.facts import Facts


def insights(facts: Facts) -> tuple[Insight, ...] | None:
    listed = facts.aws_part(INSIGHTS)
    return None if listed is None else tuple(_insight(i) for i in listed)


def _insight(raw: Mapping) -> Insight:
    status = raw.get("insightStatus") or {}
    return Insight(id=raw["id"], name=raw.get("name") or raw["id"], category=raw.get("category"),
                   status=status.get("status") or "UNKNOWN", reason=status.get("reason"),
                   recommendation=raw.get("recommendation"))
