"""The account: its On-Demand vCPU quotas by code, and the zones that offer each instance type looked up."""

from __future__ import annotations

from collections import defaultdict

from domino_eks.collect.shapes import OFFERINGS, VCPU_QUOTAS
from domino_eks.model import Account
from domino_eks.sources.snapshot.facts import Facts


def account(facts: Facts) -> Account:
    quotas = facts.aws_part(VCPU_QUOTAS)
    offerings = facts.aws_part(OFFERINGS)
    return Account(
        vcpu_quotas=None if quotas is None else {q["QuotaCode"]: float(q["Value"]) for q in quotas},
        offered_zones=None if offerings is None else _zones_by_type(offerings),
    )


def _zones_by_type(offerings: list[dict]) -> dict[str, tuple[str, ...]]:
    zones: dict[str, set[str]] = defaultdict(set)
    for offering in offerings:
        if offering.get("LocationType", "availability-zone") == "availability-zone":
            zones[offering["InstanceType"]].add(offering["Location"])
    return {kind: tuple(sorted(where)) for kind, where in zones.items()}
