"""Subnet layout: node subnets sized from the pools, never below the page's /23, within the VPC."""

from __future__ import annotations

import ipaddress

import pytest

from domino_eks.knowledge import subnet_layout

ZONES = ("us-west-2a", "us-west-2b", "us-west-2c")


@pytest.mark.parametrize("addresses, prefix", [(0, 23), (100, 23), (507, 23), (508, 22), (1180, 21), (70000, 16)])
def test_a_node_subnet_holds_the_demand_and_is_never_smaller_than_a_23(addresses, prefix):
    assert subnet_layout.prefix_for(addresses) == prefix
    assert prefix == 16 or subnet_layout.usable(prefix) >= addresses


def test_small_pools_still_get_23_node_subnets():
    subnets = subnet_layout.plan_subnets("10.0.0.0/16", ZONES, {zone: 100 for zone in ZONES})
    private = [ipaddress.ip_network(s.cidr) for s in subnets if not s.public]
    public = [ipaddress.ip_network(s.cidr) for s in subnets if s.public]
    assert [n.prefixlen for n in private] == [23, 23, 23]
    assert [n.prefixlen for n in public] == [24, 24, 24]
    everything = private + public
    assert not any(a.overlaps(b) for i, a in enumerate(everything) for b in everything[i + 1:])


def test_a_small_vpc_shrinks_the_node_subnets_to_fit():
    subnets = subnet_layout.plan_subnets("10.0.0.0/22", ZONES, {zone: 1180 for zone in ZONES})
    vpc = ipaddress.IPv4Network("10.0.0.0/22")
    assert all(ipaddress.IPv4Network(s.cidr).subnet_of(vpc) for s in subnets)
    assert len({s.cidr for s in subnets}) == 6
