"""G006: what EKS cluster insights report, each finding carrying the insight's recommendation."""

from __future__ import annotations

from domino_eks.model import Insight, Location
from domino_eks.rules import Severity, Status
from tests.rules.builders import edit, findings, from_source, only

DEPRECATED_APIS = Insight(
    id="a1b2c3d4-1111-2222-3333-444455556666", name="Deprecated APIs removed in Kubernetes v1.32",
    category="UPGRADE_READINESS", status="ERROR",
    reason="Deprecated API usage detected within last 30 days and your cluster is on Kubernetes v1.31.",
    recommendation="Update manifests and API clients to use newer Kubernetes APIs if applicable before upgrading "
                   "to Kubernetes v1.32.")
KUBELET_SKEW = Insight(id="b2c3d4e5-1111-2222-3333-444455556666", name="Kubelet version skew",
                       category="UPGRADE_READINESS", status="WARNING", reason="Node kubelet versions are behind.",
                       recommendation=None)
PASSING = Insight(id="c3d4e5f6-1111-2222-3333-444455556666", name="Cluster health issues",
                  category="UPGRADE_READINESS", status="PASSING")


def _with(deployment, *insights: Insight):
    return edit(from_source(deployment, "live"), "cluster", insights=insights)


def test_g006_passes_when_every_insight_passes(multi_az):
    assert only("G006", _with(multi_az, PASSING)).message == "every EKS insight of the cluster is passing."
    assert only("G006", _with(multi_az)).message == "EKS reports no insight for the cluster."


def test_g006_is_an_error_for_an_insight_in_error_quoting_its_recommendation(multi_az):
    finding = only("G006", _with(multi_az, PASSING, DEPRECATED_APIS))
    assert (finding.status, finding.severity) == (Status.FAIL, Severity.ERROR)
    assert finding.location == Location(object=f"Insight/{DEPRECATED_APIS.id}")
    assert finding.message == (
        "EKS insight 'Deprecated APIs removed in Kubernetes v1.32' (UPGRADE_READINESS) is ERROR: Deprecated API "
        "usage detected within last 30 days and your cluster is on Kubernetes v1.31. Update manifests and API "
        "clients to use newer Kubernetes APIs if applicable before upgrading to Kubernetes v1.32.")


def test_g006_warns_for_an_insight_in_warning_and_names_where_to_read_more(multi_az):
    finding = only("G006", _with(multi_az, KUBELET_SKEW))
    assert (finding.status, finding.severity) == (Status.FAIL, Severity.WARNING)
    assert finding.message == (
        "EKS insight 'Kubelet version skew' (UPGRADE_READINESS) is WARNING: Node kubelet versions are behind. See "
        f"`aws eks describe-insight --cluster-name domino-test-cluster --id {KUBELET_SKEW.id}`.")


def test_g006_skips_an_insight_eks_has_not_judged_and_a_spec(multi_az):
    unknown = PASSING.model_copy(update={"status": "UNKNOWN"})
    assert only("G006", _with(multi_az, unknown)).status is Status.SKIP
    assert [f.message for f in findings("G006", multi_az)] == [
        "the cluster's EKS insights unknown: insights exist only for a running EKS cluster — checked by domino-eks "
        "check."]


def test_g006_names_no_cluster_in_its_advice_when_the_name_is_unknown(multi_az):
    finding = only("G006", edit(_with(multi_az, KUBELET_SKEW), "cluster", name=None))
    assert finding.message == (
        "EKS insight 'Kubelet version skew' (UPGRADE_READINESS) is WARNING: Node kubelet versions are behind. See "
        f"`aws eks describe-insight --cluster-name NAME --id {KUBELET_SKEW.id}`.")
