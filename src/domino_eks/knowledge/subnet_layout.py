"""Subnet layout: public and private subnets per zone, the private ones sized from the node pools.

Rule N006's arithmetic: with the VPC CNI in secondary-IP mode every pod takes an address of its node's
subnet, so a zone's private subnet must hold, for every pool in that zone, max nodes x (max pods + 1).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping

from domino_eks.knowledge.instances import lookup
from domino_eks.model import NodeGroup, Subnet

RESERVED_PER_SUBNET = 5  # AWS keeps the first four addresses and the last one of every subnet
NODE_SUBNET_PREFIX_LIMIT = 23  # the page: node subnets of a /23 or larger with the VPC CNI
PUBLIC_PREFIX = 24
LARGEST_SUBNET_PREFIX = 16  # AWS subnets range from a /16 to a /28
SMALLEST_SUBNET_PREFIX = 28


def usable(prefix: int) -> int:
    return 2 ** (32 - prefix) - RESERVED_PER_SUBNET


def prefix_for(addresses: int) -> int:
    """The longest prefix (smallest subnet) whose usable addresses hold `addresses`, never smaller than the
    page's /23; a /16, the largest subnet AWS allows, when nothing smaller holds them."""
    prefix = NODE_SUBNET_PREFIX_LIMIT
    while prefix > LARGEST_SUBNET_PREFIX and usable(prefix) < addresses:
        prefix -= 1
    return prefix


def plan_subnets(vpc_cidr: str, zones: Iterable[str], demand: Mapping[str, int]) -> tuple[Subnet, ...]:
    """Private subnets sized for the largest zone's demand, then one public /24 per zone.

    When the VPC cannot hold that, the private subnets shrink until it does; rules N002 and N006 then
    report the shortfall rather than the layout failing.
    """
    zones = list(zones)
    network = ipaddress.ip_network(vpc_cidr)
    private_prefix = max(prefix_for(max(demand.values(), default=0)), network.prefixlen + 1)
    while private_prefix < SMALLEST_SUBNET_PREFIX:
        total = len(zones) * (2 ** (32 - private_prefix) + 2 ** (32 - PUBLIC_PREFIX))
        if total <= network.num_addresses:
            break
        private_prefix += 1
    # the networks of one IP version; without the annotation mypy joins the two versions' lists to list[object]
    subnets: list[ipaddress.IPv4Network | ipaddress.IPv6Network] = list(network.subnets(new_prefix=private_prefix))
    private = subnets[: len(zones)]
    public_candidates = (s for s in network.subnets(new_prefix=max(PUBLIC_PREFIX, private_prefix))
                         if not any(s.overlaps(p) for p in private))
    public = [next(public_candidates) for _ in zones]
    return tuple(Subnet(zone=z, cidr=str(c), public=False) for z, c in zip(zones, private, strict=True)) + tuple(
        Subnet(zone=z, cidr=str(c), public=True) for z, c in zip(zones, public, strict=True)
    )


def address_demand(groups: Iterable[NodeGroup]) -> dict[str, int] | None:
    """Pod addresses each zone must hold at full scale; None if a group's size, type or zones are unknown.

    A group spanning several zones may put all its nodes in any one of them, so it counts in full in each.
    """
    demand: dict[str, int] = {}
    for group in groups:
        kind = lookup(group.instance_type) if group.instance_type else None
        if kind is None or group.max_size is None or group.zones is None:
            return None
        for zone in group.zones:
            demand[zone] = demand.get(zone, 0) + group.max_size * (kind.max_pods + 1)
    return demand
