"""Z001-Z005: node pools over 1 or 3 zones, per-zone duplicates, and the cluster's own zones."""

from __future__ import annotations

import pytest

from domino_eks.model import Taint
from domino_eks.rules import Severity, Status
from tests.rules.builders import (
    add_groups,
    drop_groups,
    edit,
    edit_groups,
    from_source,
    in_zone,
    only,
    pool_of,
    without_pool,
)

ZONE_RULES = ("Z001", "Z002", "Z003", "Z004", "Z005")


def _without_zone(deployment, zone):
    for label in ("platform", "default", "default-gpu"):
        deployment = drop_groups(deployment, label, in_zone(zone))
    return deployment


def _zones_unknown(deployment):
    return from_source(edit_groups(deployment, "default", zones=None), "eksctl")


@pytest.mark.parametrize("rule_id", ZONE_RULES)
def test_both_examples_pass(single_az, multi_az, rule_id):
    assert only(rule_id, single_az).status is Status.PASS
    assert only(rule_id, multi_az).status is Status.PASS


def test_z001_rejects_two_zones(multi_az):
    finding = only("Z001", _without_zone(multi_az, "us-west-2c"))
    assert (finding.status, finding.severity) == (Status.FAIL, Severity.ERROR)
    assert "2 zones (us-west-2a, us-west-2b)" in finding.message and "even number" in finding.message


def test_z001_rejects_more_than_three_zones(multi_az):
    extra = pool_of(multi_az, "default").groups[0].model_copy(
        update={"name": "domino-default-d", "zones": ("us-west-2d",)})
    finding = only("Z001", add_groups(multi_az, "default", extra))
    assert finding.status is Status.FAIL and "4 zones" in finding.message and "us-west-2d" in finding.message


@pytest.mark.parametrize("rule_id", ("Z001", "Z002", "Z004"))
def test_zone_rules_skip_when_a_pools_zones_are_unknown(multi_az, rule_id):
    finding = only(rule_id, _zones_unknown(multi_az))
    assert finding.status is Status.SKIP
    assert "zones of pool(s) default unknown" in finding.message and "eksctl" in finding.message


def test_z002_rejects_a_compute_pool_missing_from_a_zone(multi_az):
    finding = only("Z002", drop_groups(multi_az, "default-gpu", in_zone("us-west-2c")))
    assert (finding.status, finding.severity) == (Status.FAIL, Severity.ERROR)
    assert "pool gpu" in finding.message and "us-west-2c" in finding.message
    assert finding.location == pool_of(multi_az, "default-gpu").location


def test_z002_leaves_the_platform_pool_to_z004(multi_az):
    deployment = drop_groups(multi_az, "platform", in_zone("us-west-2c"))
    assert only("Z002", deployment).status is Status.PASS
    finding = only("Z004", deployment)
    assert (finding.status, finding.severity) == (Status.FAIL, Severity.WARNING)
    assert "us-west-2c" in finding.message


@pytest.mark.parametrize("change, quoted", [
    ({"instance_type": "m5.4xlarge"}, ("m5.4xlarge", "m5.2xlarge")),
    ({"volume_size_gb": 200}, ("200", "400")),
    ({"labels": {"dominodatalab.com/node-pool": "default", "domino/build-node": "false"}}, ("'false'", "'true'")),
    ({"labels": {"dominodatalab.com/node-pool": "default"}}, ("no domino/build-node", "domino/build-node: 'true'")),
    ({"taints": (Taint(key="dedicated", value="builds", effect="NoSchedule"),)}, ("dedicated=builds:NoSchedule",)),
])
def test_z003_rejects_zone_duplicates_that_differ(multi_az, change, quoted):
    deployment = edit_groups(multi_az, "default", in_zone("us-west-2b"), **change)
    finding = only("Z003", deployment)
    assert (finding.status, finding.severity) == (Status.FAIL, Severity.ERROR)
    assert "domino-default-b" in finding.message and all(q in finding.message for q in quoted)
    assert finding.location == pool_of(deployment, "default").groups[1].location


def test_z003_skips_when_a_duplicate_hides_a_compared_property(multi_az):
    deployment = from_source(edit_groups(multi_az, "default", in_zone("us-west-2c"), instance_type=None), "live")
    finding = only("Z003", deployment)
    assert finding.status is Status.SKIP and "instance type of every node group of pool default" in finding.message


def test_z004_skips_without_a_platform_pool(multi_az):
    assert only("Z004", without_pool(multi_az, "platform")).status is Status.SKIP


def test_z005_rejects_a_cluster_in_one_zone(single_az):
    finding = only("Z005", edit(single_az, "cluster", control_plane_zones=("us-west-2a", "us-west-2a")))
    assert (finding.status, finding.severity) == (Status.FAIL, Severity.ERROR)
    assert "us-west-2a only" in finding.message and finding.location == single_az.cluster.location


def test_z005_skips_when_the_cluster_zones_are_unknown(single_az):
    finding = only("Z005", from_source(edit(single_az, "cluster", control_plane_zones=None), "dump"))
    assert finding.status is Status.SKIP and "cluster's subnets" in finding.message


def test_z003_names_no_taint_as_none_not_as_an_empty_list(multi_az):
    taint = Taint(key="dedicated", value="builds", effect="NoSchedule")
    finding = only("Z003", edit_groups(multi_az, "default", in_zone("us-west-2b"), taints=(taint,)))
    assert finding.message == (
        "pool default: node group domino-default-b has taints dedicated=builds:NoSchedule but domino-default-a has "
        "none; pods of the pool get different nodes depending on the zone.")


def test_z003_blames_the_group_not_the_zone_when_every_group_sits_in_one_zone(single_az):
    first = pool_of(single_az, "default").groups[0]
    twin = first.model_copy(update={"name": f"{first.name}-large", "instance_type": "m5.4xlarge"})
    finding = only("Z003", add_groups(single_az, "default", twin))
    assert finding.message == (
        f"pool default: node group {twin.name} has instance type m5.4xlarge but {first.name} has "
        f"{first.instance_type}; pods of the pool get different nodes depending on the node group they land on.")


def test_z002_skips_when_no_pool_names_a_zone(multi_az):
    finding = only("Z002", from_source(edit_groups(multi_az, None, zones=()), "live"))
    assert (finding.status, finding.message) == (Status.SKIP, "no Domino node pool names a zone.")


def test_z004_says_the_platform_pool_names_no_zone(multi_az):
    finding = only("Z004", edit_groups(multi_az, "platform", zones=()))
    assert finding.message == (
        "the platform pool names no zone, not in us-west-2a, us-west-2b, us-west-2c: losing that zone takes Domino's "
        "platform down.")


def test_z004_skips_when_no_pool_names_a_zone(multi_az):
    finding = only("Z004", from_source(edit_groups(multi_az, None, zones=()), "live"))
    assert (finding.status, finding.message) == (Status.SKIP, "no Domino node pool names a zone.")
