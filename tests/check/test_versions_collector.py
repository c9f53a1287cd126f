"""The EKS version calendar refreshed live (DescribeClusterVersions) and judged by G003. moto answers that call with
404, so `aws_front` (tests/aws_fake_server.py) serves botocore's eks shapes, in pages; against moto alone the
calendar shipped with the tool judges, and says how old it is."""

from __future__ import annotations

from datetime import date, datetime, timezone

from domino_eks import rules
from domino_eks.collect.aws import AwsAccess, collect
from domino_eks.knowledge import eks_versions
from domino_eks.rules.base import Severity, Status
from domino_eks.sources import snapshot as snapshots
from tests.check.support import CLUSTER, REGION, live_nodes, snapshot_parts

TARGET = {"cluster": CLUSTER}
DAY = date(2026, 11, 24)  # the day the findings are judged on (the emulator's cluster runs 1.35)


def _stamp(day: str) -> float:
    return datetime.fromisoformat(day).replace(tzinfo=timezone.utc).timestamp()


def _version(version: str, status: str, released: str, end_standard: str, end_extended: str) -> dict:
    """A ClusterVersionInformation as EKS returns it (timestamps as epoch seconds, restJson1's default)."""
    return {"clusterVersion": version, "clusterType": "eks", "defaultPlatformVersion": "eks.3",
            "defaultVersion": False, "releaseDate": _stamp(released), "endOfStandardSupportDate": _stamp(end_standard),
            "endOfExtendedSupportDate": _stamp(end_extended), "status": status, "versionStatus": status,
            "kubernetesPatchVersion": f"{version}.2"}


# EKS's answer differs from the shipped table on purpose (1.35 already in extended support), so the test can tell
# which calendar judged
LIVE_CALENDAR = [
    _version("1.36", "STANDARD_SUPPORT", "2026-06-02", "2027-08-02", "2028-08-02"),
    _version("1.35", "EXTENDED_SUPPORT", "2026-01-28", "2026-10-01", "2027-10-01"),
    _version("1.34", "EXTENDED_SUPPORT", "2025-10-06", "2026-09-02", "2027-09-02"),
    _version("1.28", "UNSUPPORTED", "2023-09-26", "2024-11-26", "2025-11-26"),
]


def _judged(url: str, account):
    facts, errors = collect(AwsAccess(region=REGION, endpoint_url=url), CLUSTER, TARGET, account.instances.values())
    deployment = snapshots.to_deployment({"target": TARGET, "kubernetes": snapshot_parts(live_nodes(account)),
                                          "aws": facts, "errors": errors}, today=DAY)
    (finding,) = rules.REGISTRY.evaluate(deployment, ["G003"])
    return facts, errors, finding


def test_the_calendar_is_read_whole_from_eks_and_judges_the_cluster(account, aws_env, aws_front):
    aws_front.cluster_versions = LIVE_CALENDAR

    facts, errors, finding = _judged(aws_front.url, account)

    assert [v["clusterVersion"] for v in facts["cluster_versions"]] == ["1.36", "1.35", "1.34", "1.28"]
    assert len(aws_front.versions_queries) == 2  # two pages of two: the collector followed nextToken
    assert all(q["includeAll"] == "true" for q in aws_front.versions_queries)  # retired versions listed too
    assert "DescribeClusterVersions" not in errors.get("eks", "")
    assert (finding.status, finding.severity) == (Status.FAIL, Severity.WARNING)
    assert finding.message == ("Kubernetes 1.35 is only in EKS extended support (standard support ended 2026-10-01, "
                               "extended support ends 2027-10-01): every cluster hour costs extra until you upgrade.")


def test_without_the_api_the_shipped_calendar_judges_and_says_its_date(account, aws_env):
    facts, errors, finding = _judged(account.url, account)

    assert "cluster_versions" not in facts
    assert ("DescribeClusterVersions: not supported by this endpoint (HTTP 404); the EKS calendar shipped with the "
            f"tool (as of {eks_versions.CALENDAR_AS_OF}) is used instead") in errors["eks"]
    assert finding.status is Status.PASS
    assert finding.message == ("Kubernetes 1.35 is in EKS standard support until 2027-03-27; by the EKS calendar "
                               f"shipped with the tool, as of {eks_versions.CALENDAR_AS_OF}.")
