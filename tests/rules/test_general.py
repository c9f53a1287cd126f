"""G001-G003: cluster name, region and zones, Kubernetes version support."""

from __future__ import annotations

import pytest

from domino_eks.knowledge import eks_versions
from domino_eks.model import VersionSupport
from domino_eks.rules import Severity, Status
from tests.conftest import TODAY
from tests.rules.builders import edit, edit_groups, from_source, in_zone, only


def test_every_example_passes_the_general_rules(single_az, multi_az):
    for deployment in (single_az, multi_az):
        for rule_id in ("G001", "G002", "G003"):
            assert only(rule_id, deployment).status is Status.PASS, rule_id


@pytest.mark.parametrize("name, problem", [
    ("1domino", "must start with a letter"),
    ("domino_prod", "only letters, digits and hyphens"),
    ("domino prod", "only letters, digits and hyphens"),
    ("", "must start with a letter"),
    ("d" * 101, "101 characters long"),
])
def test_g001_rejects_names_eks_or_cloudformation_refuse(multi_az, name, problem):
    finding = only("G001", edit(multi_az, "cluster", name=name))
    assert (finding.status, finding.severity) == (Status.FAIL, Severity.ERROR)
    assert repr(name) in finding.message and problem in finding.message
    assert finding.location == multi_az.cluster.location


def test_g001_accepts_the_longest_valid_name(multi_az):
    assert only("G001", edit(multi_az, "cluster", name="d" + "-9" * 49 + "x")).status is Status.PASS


def test_g002_rejects_an_unknown_region_with_a_suggestion(multi_az):
    finding = only("G002", edit(multi_az, "cluster", region="us-west-22"))
    assert (finding.status, finding.severity) == (Status.FAIL, Severity.ERROR)
    assert finding.message == ("region 'us-west-22' is not an AWS region (did you mean 'us-west-2'?); nothing can be "
                               "created there.")


def test_g002_rejects_a_node_group_in_another_region(multi_az):
    deployment = edit_groups(multi_az, "default", in_zone("us-west-2c"), zones=("us-east-1c",))
    finding = only("G002", deployment)
    assert finding.status is Status.FAIL
    assert "'us-east-1c'" in finding.message and "belongs to us-east-1" in finding.message
    assert "domino-default-c" in finding.message
    assert finding.location == multi_az.pool("default").groups[2].location


def test_g002_rejects_a_zone_the_region_does_not_have(multi_az):
    deployment = edit(multi_az, "cluster", control_plane_zones=("us-west-2a", "us-west-2e"))
    finding = only("G002", deployment)
    assert finding.status is Status.FAIL
    assert "'us-west-2e'" in finding.message and "us-west-2a, us-west-2b, us-west-2c, us-west-2d" in finding.message
    assert finding.location == multi_az.cluster.location


def test_g002_rejects_a_name_that_is_not_a_zone(multi_az):
    finding = only("G002", edit(multi_az, "cluster", control_plane_zones=("us-west-2a", "west")))
    assert finding.status is Status.FAIL and "'west'" in finding.message


def test_g002_skips_when_the_region_is_unknown(multi_az):
    finding = only("G002", from_source(edit(multi_az, "cluster", region=None), "dump"))
    assert finding.status is Status.SKIP and "region" in finding.message


def _at_version(deployment, version, support):
    return edit(deployment, "cluster", version=version, version_support=support)


def test_g003_warns_in_extended_support(multi_az):
    finding = only("G003", _at_version(multi_az, "1.31", eks_versions.support("1.31", TODAY)))
    assert (finding.status, finding.severity) == (Status.FAIL, Severity.WARNING)
    assert "1.31" in finding.message and "2025-11-26" in finding.message and "2026-11-26" in finding.message


def test_g003_fails_after_extended_support(multi_az):
    finding = only("G003", _at_version(multi_az, "1.29", eks_versions.support("1.29", TODAY)))
    assert (finding.status, finding.severity) == (Status.FAIL, Severity.ERROR)
    assert "1.29" in finding.message and "2026-03-23" in finding.message


@pytest.mark.parametrize("version, words", [("1.28", "older than 1.29"), ("1.3x", "not a Kubernetes version"),
                                            ("2.0", "not a Kubernetes version")])
def test_g003_fails_for_versions_eks_does_not_offer(multi_az, version, words):
    finding = only("G003", _at_version(multi_az, version, eks_versions.support(version, TODAY)))
    assert (finding.status, finding.severity) == (Status.FAIL, Severity.ERROR)
    assert version in finding.message and words in finding.message


def test_g003_fails_for_a_version_the_live_api_does_not_list(multi_az):
    support = VersionSupport(status="unknown", as_of=TODAY.isoformat(), source="api")
    finding = only("G003", _at_version(multi_az, "1.40", support))
    assert finding.status is Status.FAIL and "'1.40'" in finding.message


def test_g003_skips_a_version_newer_than_the_shipped_calendar(multi_az):
    finding = only("G003", _at_version(multi_az, "1.37", eks_versions.support("1.37", TODAY)))
    assert finding.status is Status.SKIP
    assert "1.37 is newer than the EKS calendar" in finding.message and "domino-eks check" in finding.message


def test_g003_skips_when_the_version_is_unknown(multi_az):
    finding = only("G003", from_source(_at_version(multi_az, None, None), "eksctl"))
    assert finding.status is Status.SKIP and "Kubernetes version" in finding.message


def test_g003_passes_in_standard_support(multi_az):
    finding = only("G003", _at_version(multi_az, "1.34", eks_versions.support("1.34", TODAY)))
    assert finding.status is Status.PASS and "2026-12-02" in finding.message
