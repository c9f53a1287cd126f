"""The account's vCPU quotas and instance-type offerings, collected live and judged by G004 and G005.

moto has no EC2 quotas in Service Quotas, so `aws_front` (tests/aws_fake_server.py) serves them in botocore's
shapes and passes everything else to the emulator, whose DescribeInstanceTypeOfferings holds real per-zone data.
"""

from __future__ import annotations

import json
from datetime import date

from domino_eks import rules
from domino_eks.collect.aws import AwsAccess, collect
from domino_eks.rules.base import Severity, Status
from domino_eks.sources import snapshot as snapshots
from tests.check.support import BUCKETS, CLUSTER, FQDN, REGION, live_nodes, run_cli, serve_cluster, snapshot_parts

TARGET = {"cluster": CLUSTER, "fqdn": FQDN, "buckets": BUCKETS}


def _deployment(account, front):
    facts, errors = collect(AwsAccess(region=REGION, endpoint_url=front.url), CLUSTER, TARGET,
                            account.instances.values())
    return facts, snapshots.to_deployment({"target": TARGET, "kubernetes": snapshot_parts(live_nodes(account)),
                                           "aws": facts, "errors": errors}, today=date.today())


def _finding(deployment, rule_id):
    (finding,) = rules.REGISTRY.evaluate(deployment, [rule_id])
    return finding


def test_the_quotas_of_the_families_the_pools_run_and_the_offerings_are_collected(account, aws_env, aws_front):
    facts, deployment = _deployment(account, aws_front)

    assert aws_front.calls == ["GetServiceQuota", "GetServiceQuota"]
    assert [(q["QuotaCode"], q["Value"]) for q in facts["vcpu_quotas"]] == [("L-1216C47A", 1000.0),
                                                                             ("L-DB2E81BA", 256.0)]
    assert deployment.account.vcpu_quotas == {"L-1216C47A": 1000.0, "L-DB2E81BA": 256.0}
    assert set(deployment.account.offered_zones) == {"m5.2xlarge", "g5.2xlarge"}
    assert {"us-west-2a", "us-west-2b", "us-west-2c"} <= set(deployment.account.offered_zones["g5.2xlarge"])
    assert _finding(deployment, "G004").status is Status.PASS
    assert _finding(deployment, "G005").status is Status.PASS


def test_a_gpu_quota_too_small_for_the_gpu_pool_fails_g004_live(account, aws_env, aws_front):
    aws_front.quotas["L-DB2E81BA"] = 16.0

    finding = _finding(_deployment(account, aws_front)[1], "G004")

    assert (finding.status, finding.severity) == (Status.FAIL, Severity.ERROR)
    assert finding.message == (
        "the pools need 120 vCPUs of Running On-Demand G and VT instances at their max sizes, but quota L-DB2E81BA "
        "allows 16: request L-DB2E81BA (Running On-Demand G and VT instances) of at least 150 vCPUs, or lower the "
        "pools' max sizes.")


def test_a_quota_service_that_refuses_leaves_g004_skipped_with_the_reason(account, aws_env, aws_front):
    aws_front.quotas.clear()

    finding = _finding(_deployment(account, aws_front)[1], "G004")

    assert finding.status is Status.SKIP
    assert finding.message == (
        "the account's On-Demand vCPU quotas unknown: the live account and cluster did not report it (the source "
        "reported service-quotas: GetServiceQuota: NoSuchResourceException: The request failed because the "
        "specified quota L-1216C47A of service ec2 does not exist.; the vCPU quotas are not judged).")


def test_a_snapshot_carries_the_quotas_so_check_from_file_judges_them_offline(httpserver, kubeconfig, account,
                                                                               aws_env, aws_front, tmp_path):
    serve_cluster(httpserver, live_nodes(account))
    aws_front.quotas["L-DB2E81BA"] = 16.0
    snapshot = tmp_path / "snapshot.json"
    target = ("--fqdn", FQDN, *[f"--bucket={role.replace('_', '-')}={name}" for role, name in BUCKETS.items()])

    taken = run_cli("snapshot", "-o", str(snapshot), "--kubeconfig", str(kubeconfig), "--endpoint-url",
                    aws_front.url, *target, env=aws_env)
    offline = run_cli("check", "--from-file", str(snapshot), "--format", "json")

    assert taken.returncode == 0, taken.stderr
    assert offline.returncode == 3
    g004 = [f for f in json.loads(offline.stdout)["findings"] if f["id"] == "G004"]
    assert [(f["status"], f["severity"]) for f in g004] == [("fail", "error")]
    assert "quota L-DB2E81BA allows 16" in g004[0]["message"]
