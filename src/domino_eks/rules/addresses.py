"""Rule N008: the addresses really left in the node subnets hold the pods the pools can still add (live)."""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial

from domino_eks.knowledge.instances import lookup
from domino_eks.model import Deployment, NodeGroup, Subnet
from domino_eks.rules.base import REGISTRY, Outcome, Severity, failed, passed, skipped
from domino_eks.rules.unknown import Gap, unknown

rule = partial(REGISTRY.rule, section="VPC networking")
_LIVE_ONLY = dict.fromkeys(("spec", "eksctl"), "free addresses exist only in a live account — checked by "
                                               "domino-eks check (N006 judges the planned sizes)")


def growth_demand(groups: tuple[NodeGroup, ...]) -> dict[str, int] | None:
    """Pod addresses (max pods + 1 per node, VPC CNI secondary-IP mode) of the nodes each zone's groups can still
    add up to their max size; None if a group's type, size, zones or current nodes are unknown. A group over
    several zones may add all its nodes in any one of them, so it counts in full in each."""
    demand: dict[str, int] = {}
    for group in groups:
        kind = lookup(group.instance_type) if group.instance_type else None
        running = len(group.nodes) if group.nodes is not None else group.desired_capacity
        if kind is None or group.max_size is None or group.zones is None or running is None:
            return None
        for zone in group.zones:
            demand[zone] = demand.get(zone, 0) + max(group.max_size - running, 0) * (kind.max_pods + 1)
    return demand


@rule(
    "N008", Severity.WARNING,
    title="Node subnets have too few free addresses for the pools to grow",
    rationale=(
        "With the Amazon VPC CNI in secondary-IP mode every new pod takes a free address of its node's subnet. "
        "Other workloads, load balancers and leaked network interfaces use addresses too, so a subnet that was "
        "big enough on paper (N006) can run out: new nodes join but their pods stay ContainerCreating with "
        "\"failed to assign an IP address\"."
    ),
    fix="Free the subnet's addresses (unused ENIs), add a larger subnet to the pool's zone, a pod subnet (VPC CNI "
        "custom networking) or prefix delegation.",
)
def free_addresses_for_growth(d: Deployment) -> Iterator[Outcome]:
    network = d.network
    if network.subnets is None or not d.live:
        yield unknown(d, "the node subnets' free addresses", _LIVE_ONLY, (Gap.EC2, Gap.AWS))
    elif network.cni is None or network.prefix_delegation is None:
        yield unknown(d, "the CNI and its prefix delegation", gaps=(Gap.KUBERNETES,))
    elif network.cni != "vpc-cni" or network.prefix_delegation:
        yield passed("not applicable: pods do not take one node-subnet address each.")
    elif (demand := growth_demand(d.groups)) is None:
        yield skipped("growth unknown: a node group's instance type, max size, zones or nodes are not known.")
    else:
        yield from _per_zone(d, demand)


def _per_zone(d: Deployment, demand: dict[str, int]) -> Iterator[Outcome]:
    public = d.network.private_nodes is False
    for zone, need in sorted(demand.items()):
        here = [s for s in d.network.subnets or () if s.zone == zone and s.public == public]
        if any(s.free_addresses is None for s in here):
            yield unknown(d, f"the free addresses of the node subnets in {zone}", gaps=(Gap.EC2,))
            continue
        free = sum(s.free_addresses or 0 for s in here)
        if need > free:
            yield failed(f"zone {zone}: the pools can still add nodes needing {need} pod addresses, but "
                         f"{_subnets(here)} {'has' if len(here) == 1 else 'have'} {free} free: release unused "
                         f"addresses there, or add a subnet with at least {need - free} free addresses to {zone}.",
                         d.network.location)
    yield passed("every zone's node subnets have the free addresses the pools need to reach their max sizes.")


def _subnets(subnets: list[Subnet]) -> str:
    if not subnets:
        return "no node subnet"
    return ", ".join(f"{s.id or 'subnet'} ({s.cidr})" for s in subnets)
