"""Rules G004-G005: what the AWS account must allow before a node can start — enough On-Demand vCPU quota for
every pool at its max size, and each pool's instance type offered in each of its zones."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterator, Mapping
from functools import partial

from domino_eks.knowledge import instances, quotas
from domino_eks.model import Deployment, NodeGroup
from domino_eks.rules.base import REGISTRY, Outcome, Severity, failed, passed, skipped
from domino_eks.rules.unknown import Gap, unknown

rule = partial(REGISTRY.rule, section="Beyond the page: the account")
_WHY = {
    "spec": "the spec cannot know the account's limits; checked by plan and apply before they create anything, "
            "and live by domino-eks check",
    "eksctl": "an eksctl ClusterConfig cannot know the account's limits; checked live by domino-eks check",
}


@rule(
    "G004", Severity.ERROR,
    title="On-Demand vCPU quota too small for the node pools",
    rationale=(
        "EC2 limits the vCPUs of running On-Demand instances per region, one quota per group of families "
        "(Standard, G and VT, P, ...). New accounts start with a few vCPUs for GPU families: a pool that cannot "
        "start its instances leaves its Auto Scaling group failing with VcpuLimitExceeded, and the nodes never "
        "come. Near the quota, one scale-up or a second cluster hits it."
    ),
    fix="Request the quota increase named in the message (Service Quotas console, or `aws service-quotas "
        "request-service-quota-increase --service-code ec2 --quota-code CODE --desired-value VALUE`), or lower "
        "the pools' max sizes.",
)
def vcpu_quotas_cover_pools(d: Deployment) -> Iterator[Outcome]:
    allowed = d.account.vcpu_quotas
    if allowed is None:
        yield unknown(d, "the account's On-Demand vCPU quotas", _WHY, (Gap.SERVICE_QUOTAS, Gap.AWS))
        return
    needed, unsized = _vcpus_by_quota(d)
    if unsized:
        yield unknown(d, f"the max size or vCPUs of node group(s) {', '.join(sorted(unsized))}",
                      gaps=(Gap.AUTOSCALING, Gap.EC2))
    if not needed and not unsized:
        yield skipped("no node group names an instance type.")
    for code, vcpus in sorted(needed.items()):
        yield _judged(quotas.by_code(code), vcpus, allowed.get(code), d)


def _vcpus_by_quota(d: Deployment) -> tuple[dict[str, int], list[str]]:
    """(vCPUs every group needs at its max size, summed by quota code; the groups that cannot be counted)."""
    needed: dict[str, int] = defaultdict(int)
    unsized = []
    for group in d.groups:
        quota = quotas.vcpu_quota(group.instance_type) if group.instance_type else None
        known = instances.lookup(group.instance_type) if group.instance_type else None
        if quota is None or known is None or group.max_size is None:
            unsized.append(group.name)
        else:
            needed[quota.code] += known.vcpus * group.max_size
    return needed, unsized


def _judged(quota: quotas.VcpuQuota | None, needed: int, allowed: float | None, d: Deployment) -> Outcome:
    assert quota is not None  # the codes come from quotas.vcpu_quota
    if allowed is None:
        return unknown(d, f"the quota {quota.code} ({quota.name})", gaps=(Gap.SERVICE_QUOTAS,))
    request = f"request {quota.code} ({quota.name}) of at least {_at_headroom(needed)} vCPUs"
    if needed > allowed:
        return failed(f"the pools need {needed} vCPUs of {quota.name} at their max sizes, but quota {quota.code} "
                      f"allows {allowed:g}: {request}, or lower the pools' max sizes.", d.cluster.location)
    if needed > quotas.HEADROOM_SHARE * allowed:
        return failed(f"the pools need {needed} of the {allowed:g} vCPUs quota {quota.code} ({quota.name}) "
                      f"allows, over {quotas.HEADROOM_SHARE:.0%}: {request}.", d.cluster.location,
                      Severity.WARNING)
    return passed(f"quota {quota.code} allows {allowed:g} vCPUs; the pools need {needed}.")


def _at_headroom(needed: int) -> int:
    """The smallest quota that `needed` stays within the headroom share of (no warning after the increase)."""
    return math.ceil(needed / quotas.HEADROOM_SHARE)


@rule(
    "G005", Severity.ERROR,
    title="Instance type not offered in a pool's zone",
    rationale=(
        "Not every instance type exists in every availability zone (GPU types often skip a zone). A node group "
        "in a zone that does not offer its type never starts a node there: EKS fails the managed node group, "
        "and a self-managed group retries forever, so pods bound to that zone stay Pending."
    ),
    fix="Choose an instance type every zone of the pool offers, or move the pool to zones that offer it "
        "(`aws ec2 describe-instance-type-offerings --location-type availability-zone`).",
)
def instance_types_offered(d: Deployment) -> Iterator[Outcome]:
    offered = d.account.offered_zones
    if offered is None:
        yield unknown(d, "which zones offer the pools' instance types", _WHY, (Gap.EC2, Gap.AWS))
        return
    outcomes = [o for group in d.groups for o in _offered_in_zones(group, offered, d)]
    yield from outcomes or [skipped("no node group names both an instance type and its zones.")]


def _offered_in_zones(group: NodeGroup, offered: Mapping[str, tuple[str, ...]], d: Deployment) -> Iterator[Outcome]:
    if group.instance_type is None or not group.zones:
        yield unknown(d, f"the instance type and zones of node group {group.name}", gaps=(Gap.EC2,))
        return
    where = set(offered.get(group.instance_type, ()))
    missing = sorted(set(group.zones) - where)
    if missing:
        elsewhere = f"it is offered in {', '.join(sorted(where))}" if where else "no zone of the region offers it"
        yield failed(f"node group {group.name}: {group.instance_type} is not offered in {', '.join(missing)} "
                     f"({elsewhere}): choose another instance type for the group or move it to a zone that "
                     "offers it.", group.location)
    else:
        yield passed(f"{group.instance_type} is offered in {', '.join(sorted(group.zones))}.")
