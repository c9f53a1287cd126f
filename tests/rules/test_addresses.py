"""N008: the node subnets' free addresses hold the pods the pools can still add (live only)."""

from __future__ import annotations

from collections.abc import Mapping

from domino_eks.model import Subnet
from domino_eks.rules import Severity, Status
from tests.rules.builders import edit, edit_groups, from_source, only

ZONES = ("us-west-2a", "us-west-2b", "us-west-2c")
# per zone, the multi-AZ example with no node running: platform and default 3 x 59, gpu 2 x 59 pod addresses
GROWTH = 472


def _live(deployment, free: Mapping[str, int | None], *, cni="vpc-cni", prefix_delegation=False):
    subnets = tuple(Subnet(zone=z, cidr=f"10.0.{i}.0/23", public=False, id=f"subnet-0{i}", free_addresses=free[z])
                    for i, z in enumerate(ZONES))
    empty = edit_groups(from_source(deployment, "live"), None, nodes=())
    return edit(empty, "network", subnets=subnets, cni=cni, prefix_delegation=prefix_delegation, private_nodes=True)


def test_n008_passes_when_every_zone_has_room_to_grow(multi_az):
    finding = only("N008", _live(multi_az, dict.fromkeys(ZONES, GROWTH)))
    assert finding.status is Status.PASS


def test_n008_warns_naming_the_subnet_and_the_addresses_missing(multi_az):
    finding = only("N008", _live(multi_az, {**dict.fromkeys(ZONES, 500), "us-west-2b": 100}))
    assert (finding.status, finding.severity) == (Status.FAIL, Severity.WARNING)
    assert finding.message == (
        f"zone us-west-2b: the pools can still add nodes needing {GROWTH} pod addresses, but subnet-01 "
        "(10.0.1.0/23) has 100 free: release unused addresses there, or add a subnet with at least 372 free "
        "addresses to us-west-2b.")


def test_n008_counts_only_the_nodes_a_group_can_still_add(multi_az):
    full = _live(multi_az, dict.fromkeys(ZONES, 0))
    at_max = edit_groups(full, None, nodes=None, desired_capacity=None)
    at_max = edit_groups(at_max, None, desired_capacity=3)
    at_max = edit_groups(at_max, "default-gpu", desired_capacity=2)
    assert only("N008", at_max).status is Status.PASS


def test_n008_does_not_apply_with_prefix_delegation_or_another_cni(multi_az):
    low = dict.fromkeys(ZONES, 0)
    assert only("N008", _live(multi_az, low, prefix_delegation=True)).status is Status.PASS
    assert only("N008", _live(multi_az, low, cni="calico")).status is Status.PASS


def test_n008_skips_on_a_spec_and_when_a_subnet_does_not_report_its_free_addresses(multi_az):
    assert only("N008", multi_az).message == (
        "the node subnets' free addresses unknown: free addresses exist only in a live account — checked by "
        "domino-eks check (N006 judges the planned sizes).")
    finding = only("N008", _live(multi_az, {**dict.fromkeys(ZONES, GROWTH), "us-west-2c": None}))
    assert finding.status is Status.SKIP
    assert finding.message == ("the free addresses of the node subnets in us-west-2c unknown: the live account and "
                               "cluster did not report it.")
