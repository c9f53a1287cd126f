"""EKS cluster insights collected live and judged by G006. moto answers ListInsights with 404, so `aws_front`
(tests/aws_fake_server.py) serves them in botocore's eks shapes."""

from __future__ import annotations

from datetime import date

from domino_eks import rules
from domino_eks.collect.aws import AwsAccess, collect
from domino_eks.rules.base import Severity, Status
from domino_eks.sources import snapshot as snapshots
from tests.check.support import CLUSTER, INSIGHTS, REGION, live_nodes, snapshot_parts

TARGET = {"cluster": CLUSTER}
DEPRECATED_APIS = {
    "id": "a1b2c3d4-1111-2222-3333-444455556666", "name": "Deprecated APIs removed in Kubernetes v1.36",
    "category": "UPGRADE_READINESS", "kubernetesVersion": "1.36", "lastRefreshTime": 1764547200,
    "lastTransitionTime": 1764547200, "description": "Checks for usage of deprecated APIs.",
    "insightStatus": {"status": "ERROR", "reason": "Deprecated API usage detected within last 30 days."},
    "recommendation": "Update manifests and API clients to use newer Kubernetes APIs before upgrading.",
    "additionalInfo": {}, "resources": [],
}


def _collected(url: str, account):
    facts, errors = collect(AwsAccess(region=REGION, endpoint_url=url), CLUSTER, TARGET, account.instances.values())
    deployment = snapshots.to_deployment({"target": TARGET, "kubernetes": snapshot_parts(live_nodes(account)),
                                          "aws": facts, "errors": errors}, today=date.today())
    (finding,) = rules.REGISTRY.evaluate(deployment, ["G006"])
    return facts, errors, finding


def test_insights_are_listed_and_those_not_passing_described_with_their_recommendation(account, aws_env,
                                                                                        aws_front):
    aws_front.insights[CLUSTER] = [*INSIGHTS, DEPRECATED_APIS]

    facts, _, finding = _collected(aws_front.url, account)

    assert [i["id"] for i in facts["insights"]] == [*(i["id"] for i in INSIGHTS), DEPRECATED_APIS["id"]]
    assert "recommendation" not in facts["insights"][0]  # a passing insight is not described
    assert facts["insights"][-1]["recommendation"] == DEPRECATED_APIS["recommendation"]
    assert (finding.status, finding.severity) == (Status.FAIL, Severity.ERROR)
    assert finding.message == (
        "EKS insight 'Deprecated APIs removed in Kubernetes v1.36' (UPGRADE_READINESS) is ERROR: Deprecated API "
        "usage detected within last 30 days. Update manifests and API clients to use newer Kubernetes APIs before "
        "upgrading.")


def test_passing_insights_pass_g006(account, aws_env, aws_front):
    assert _collected(aws_front.url, account)[2].status is Status.PASS


def test_an_endpoint_without_insights_leaves_g006_skipped_with_the_reason(account, aws_env):
    facts, errors, finding = _collected(account.url, account)

    assert "insights" not in facts
    assert "ListInsights: not supported by this endpoint (HTTP 404); the cluster's insights are not judged" in (
        errors["eks"])
    assert finding.status is Status.SKIP and "ListInsights: not supported by this endpoint" in finding.message


def test_a_refresh_asked_for_is_started_and_waited_for_before_the_insights_are_read(account, aws_env, aws_front):
    facts, errors = collect(AwsAccess(region=REGION, endpoint_url=aws_front.url, refresh_insights=True), CLUSTER,
                            TARGET, account.instances.values())

    assert aws_front.refreshes == [CLUSTER]
    assert facts is not None and "insights" in facts and "Insights" not in errors.get("eks", "")


def test_no_refresh_unless_asked(account, aws_env, aws_front):
    _collected(aws_front.url, account)

    assert aws_front.refreshes == []


def test_a_failed_refresh_is_noted_and_the_last_insights_judged(account, aws_env, aws_front):
    aws_front.refresh_status = "FAILED"

    facts, errors = collect(AwsAccess(region=REGION, endpoint_url=aws_front.url, refresh_insights=True), CLUSTER,
                            TARGET, account.instances.values())

    assert ("StartInsightsRefresh: the refresh did not complete (Insights refresh failed); the insights judged are "
            "those of EKS's last refresh") in errors["eks"]
    assert facts is not None and [i["id"] for i in facts["insights"]] == [i["id"] for i in INSIGHTS]


def test_a_refresh_the_endpoint_does_not_serve_is_noted(account, aws_env):
    _, errors = collect(AwsAccess(region=REGION, endpoint_url=account.url, refresh_insights=True), CLUSTER, TARGET,
                        account.instances.values())

    assert ("StartInsightsRefresh: not supported by this endpoint (HTTP 404); the insights judged are those of EKS's "
            "last refresh") in errors["eks"]
