"""G004-G005: the account's On-Demand vCPU quotas cover the pools, and each pool's zones offer its instance type."""

from __future__ import annotations

from domino_eks.model import Account
from domino_eks.rules import Severity, Status
from tests.rules.builders import edit_groups, findings, from_source, only

ZONES = ("us-west-2a", "us-west-2b", "us-west-2c")
# the multi-AZ example at max size: platform and default 3 zones x 3 x 8 vCPUs, gpu 3 zones x 2 x 8
ROOMY = {"L-1216C47A": 1000.0, "L-DB2E81BA": 100.0}
EVERYWHERE = {"m5.2xlarge": ZONES, "g5.2xlarge": ZONES}


def _in_account(deployment, vcpu_quotas=None, offered_zones=None):
    account = Account(vcpu_quotas=vcpu_quotas, offered_zones=offered_zones)
    return from_source(deployment, "live").model_copy(update={"account": account})


def test_g004_passes_when_every_quota_covers_the_pools_with_headroom(multi_az):
    finding = only("G004", _in_account(multi_az, ROOMY))
    assert finding.status is Status.PASS
    assert finding.message == ("quota L-1216C47A allows 1000 vCPUs; the pools need 144; "
                               "quota L-DB2E81BA allows 100 vCPUs; the pools need 48.")


def test_g004_fails_when_the_gpu_quota_is_below_the_gpu_pool_at_max_size(multi_az):
    finding = only("G004", _in_account(multi_az, {**ROOMY, "L-DB2E81BA": 16.0}))
    assert (finding.status, finding.severity) == (Status.FAIL, Severity.ERROR)
    assert finding.message == (
        "the pools need 48 vCPUs of Running On-Demand G and VT instances at their max sizes, but quota L-DB2E81BA "
        "allows 16: request L-DB2E81BA (Running On-Demand G and VT instances) of at least 60 vCPUs, or lower the "
        "pools' max sizes.")


def test_g004_warns_above_80_percent_of_a_quota(multi_az):
    finding = only("G004", _in_account(multi_az, {**ROOMY, "L-1216C47A": 160.0}))
    assert (finding.status, finding.severity) == (Status.FAIL, Severity.WARNING)
    assert finding.message == (
        "the pools need 144 of the 160 vCPUs quota L-1216C47A (Running On-Demand Standard (A, C, D, H, I, M, R, T, "
        "Z) instances) allows, over 80%: request L-1216C47A (Running On-Demand Standard (A, C, D, H, I, M, R, T, Z) "
        "instances) of at least 180 vCPUs.")


def test_g004_sums_p_instances_under_their_own_quota(multi_az):
    on_p = edit_groups(multi_az, "default-gpu", instance_type="p3.2xlarge")
    finding = only("G004", _in_account(on_p, {**ROOMY, "L-417A185B": 0.0}))
    assert finding.status is Status.FAIL
    assert finding.message.startswith("the pools need 48 vCPUs of Running On-Demand P instances at their max sizes, "
                                      "but quota L-417A185B allows 0")


def test_g004_skips_a_quota_the_account_did_not_report(multi_az):
    refused = from_source(_in_account(multi_az, {"L-1216C47A": 1000.0}), "live",
                          {"service-quotas": "AccessDenied: servicequotas:GetServiceQuota"})
    finding = only("G004", refused.model_copy(update={"account": Account(vcpu_quotas={"L-1216C47A": 1000.0})}))
    assert finding.status is Status.SKIP
    assert finding.message == ("the quota L-DB2E81BA (Running On-Demand G and VT instances) unknown: the live "
                               "account and cluster did not report it (the source reported service-quotas: "
                               "AccessDenied: servicequotas:GetServiceQuota).")


def test_g004_and_g005_skip_on_a_spec_with_where_they_are_judged(multi_az):
    reason = ("unknown: the spec cannot know the account's limits; checked by plan and apply before they create "
              "anything, and live by domino-eks check.")
    assert [(f.status, f.message) for f in findings("G004", multi_az)] == [
        (Status.SKIP, f"the account's On-Demand vCPU quotas {reason}")]
    assert [(f.status, f.message) for f in findings("G005", multi_az)] == [
        (Status.SKIP, f"which zones offer the pools' instance types {reason}")]


def test_g005_passes_when_every_zone_offers_every_pools_type(multi_az):
    assert only("G005", _in_account(multi_az, offered_zones=EVERYWHERE)).status is Status.PASS


def test_g005_fails_for_the_group_in_a_zone_without_its_type(multi_az):
    offered = {**EVERYWHERE, "g5.2xlarge": ("us-west-2a", "us-west-2b", "us-west-2d")}
    (finding,) = findings("G005", _in_account(multi_az, offered_zones=offered))
    gpu_group = next(g for g in multi_az.groups if g.instance_type == "g5.2xlarge" and "us-west-2c" in g.zones)
    assert finding.status is Status.FAIL
    assert finding.location == gpu_group.location
    assert finding.message == (
        f"node group {gpu_group.name}: g5.2xlarge is not offered in us-west-2c (it is offered in us-west-2a, "
        "us-west-2b, us-west-2d): choose another instance type for the group or move it to a zone that offers it.")


def test_g005_says_when_no_zone_offers_the_type(multi_az):
    offered = {"m5.2xlarge": ZONES}
    failures = findings("G005", _in_account(multi_az, offered_zones=offered))
    assert len(failures) == 3
    assert all("g5.2xlarge is not offered in" in f.message and "(no zone of the region offers it)" in f.message
               for f in failures)
