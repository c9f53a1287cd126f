"""The AWS collector against the emulator (a moto server over HTTP on loopback) holding a Domino cluster's account.

Refusals are injected the way the feasibility notes found works with moto: a botocore `before-send` hook on the
session answers one operation with the HTTP error AWS would send, and everything else reaches the emulator.
"""

from __future__ import annotations

import json
from datetime import date

import boto3
import pytest
from botocore.awsrequest import AWSResponse

from domino_eks import rules
from domino_eks.collect.aws import AwsAccess, collect
from domino_eks.errors import ToolError
from domino_eks.knowledge import eks_versions
from domino_eks.rules.base import Status
from domino_eks.sources import snapshot as snapshots
from tests.check.support import (
    BUCKETS,
    CLUSTER,
    FQDN,
    REGION,
    REGISTRY,
    live_nodes,
    snapshot_parts,
)
from tests.rules.builders import only

TARGET = {"cluster": CLUSTER, "fqdn": FQDN, "buckets": BUCKETS, "registry": REGISTRY}


def collected(account, target=TARGET, session=None, cluster=CLUSTER):
    return collect(AwsAccess(region=REGION, endpoint_url=account.url), cluster, target,
                   account.instances.values(), session=session)


def test_the_account_is_collected_fact_by_fact(account, aws_env):
    facts, errors = collected(account)

    assert errors == {
        "eks": "DescribeClusterVersions: not supported by this endpoint (HTTP 404); the EKS calendar shipped with "
               f"the tool (as of {eks_versions.CALENDAR_AS_OF}) is used instead; ListInsights: not supported by "
               "this endpoint (HTTP 404); the cluster's insights are not judged; ListAccessEntries: not supported by "
               "this endpoint (HTTP 404); the node roles' access entries are not judged; ListAddons: not supported "
               "by this endpoint (HTTP 404); the cluster's add-ons are not judged; ListPodIdentityAssociations: not "
               "supported by this endpoint (HTTP 404); the autoscaler's Pod Identity role is not followed",
        # moto has no EC2 quotas in Service Quotas (tests/check/test_account_collector.py serves them)
        "service-quotas": "GetServiceQuota: NoSuchResourceException: This service is not available in the current "
                          "Region. Choose a different Region or a different service.; the vCPU quotas are not judged",
    }
    assert sorted(g["AutoScalingGroupName"] for g in facts["auto_scaling_groups"]) == sorted(
        f"domino-{pool}-{zone}" for pool in ("platform", "default", "default-gpu") for zone in "abc")
    assert facts["launch_templates"]["domino-platform-a"]["BlockDeviceMappings"][0]["Ebs"]["VolumeSize"] == 128
    assert facts["efs"]["file_system"]["FileSystemId"] == account.efs_id
    assert len(facts["efs"]["mount_targets"]) == 3
    assert len({tuple(t["SecurityGroups"]) for t in facts["efs"]["mount_targets"]}) == 1
    assert facts["buckets"]["backups"]["versioning"] == {"Status": "Enabled"}
    assert facts["buckets"]["logs"]["policy"]["Statement"][0]["Sid"] == "DenyPlainHttp"
    assert [p["name"] for p in facts["roles"][f"{CLUSTER}-nodes"]] == ["s3", "registry", f"{CLUSTER}-autoscaler"]
    assert facts["registry"]["repository"]["imageTagMutability"] == "IMMUTABLE"
    assert [(c["DomainName"], c["Status"]) for c in facts["certificates"]] == [(FQDN, "ISSUED")]
    assert {i["InstanceId"] for i in facts["instances"]} == set(account.instances.values())
    assert [v["VpcId"] for v in facts["vpcs"]] == [account.vpc_id]
    assert account.nodes_security_group in {g["GroupId"] for g in facts["security_groups"]}


def test_the_collected_account_reads_as_a_deployment_ready_for_domino(account, aws_env, aws_front):
    facts, errors = collect(AwsAccess(region=REGION, endpoint_url=aws_front.url), CLUSTER, TARGET,
                            account.instances.values())
    kubernetes = snapshot_parts(live_nodes(account))

    deployment = snapshots.to_deployment({"target": TARGET, "kubernetes": kubernetes, "aws": facts, "errors": errors},
                                         today=date.today())

    platform, gpu = deployment.pool("platform"), deployment.pool("default-gpu")
    assert platform is not None and gpu is not None
    assert [(g.name, g.min_size, g.max_size, g.volume_size_gb, len(g.nodes or ())) for g in platform.groups] == [
        (f"domino-platform-{z}", 1, 1, 128, 1) for z in "abc"]
    assert [(g.min_size, g.max_size, g.nodes, g.ami_accelerated) for g in gpu.groups] == [(0, 5, (), True)] * 3
    assert deployment.storage.efs is not None and deployment.storage.buckets is not None
    assert deployment.storage.efs.admits_nfs_from_nodes is True
    assert all(b.blocks_public_access and b.encrypted and b.tls_only and b.versioning
               for b in deployment.storage.buckets)
    assert deployment.domain.certificate is not None and deployment.domain.certificate.days_left is not None
    assert 89 <= deployment.domain.certificate.days_left <= 90
    assert deployment.cluster.control_plane_zones == ("us-west-2a", "us-west-2b", "us-west-2c")
    assert deployment.network.subnets is not None
    assert deployment.network.nat_gateway is True and not any(s.public for s in deployment.network.subnets)
    assert (deployment.network.vpc_id, deployment.storage.efs.file_system_id) == (account.vpc_id, account.efs_id)
    statuses = {f.id: f.status for f in rules.REGISTRY.evaluate(deployment)}
    # the emulator's DescribeCluster has no upgradePolicy (design.md): C007 is judged in test_hardening_live.py
    assert statuses.pop("C007") is Status.SKIP
    assert all(status is not Status.SKIP for status in statuses.values())


def answering(operation: str, status: int, headers: dict, body: bytes) -> boto3.Session:
    """A session whose clients get `body` back for `operation` ('s3.GetBucketEncryption') instead of the
    emulator's answer."""
    class Raw:
        def stream(self, **_):
            yield body

    session = boto3.Session(region_name=REGION)
    session.events.register(f"before-send.{operation}",
                            lambda request, **_: AWSResponse(request.url, status, headers, Raw()))
    return session


def test_a_refused_call_is_recorded_and_the_rules_needing_it_skip_with_the_reason(account, aws_env):
    session = answering("efs.DescribeFileSystems", 403,
                       {"x-amzn-errortype": "AccessDeniedException:", "Content-Type": "application/json"},
                       b'{"message": "User: arn:aws:iam::123456789012:user/auditor is not authorized to perform: '
                       b'elasticfilesystem:DescribeFileSystems"}')

    facts, errors = collected(account, session=session)
    deployment = snapshots.to_deployment({"target": TARGET, "kubernetes": snapshot_parts(live_nodes(account)),
                                          "aws": facts, "errors": errors}, today=date.today())

    assert "efs" not in facts and facts["buckets"]
    assert errors["efs"].startswith("DescribeFileSystems: AccessDeniedException: User: arn:aws:iam")
    s003 = next(f for f in rules.REGISTRY.evaluate(deployment) if f.id == "S003")
    assert s003.status is Status.SKIP and "AccessDeniedException" in s003.message


def test_a_bucket_setting_that_may_not_be_read_is_unknown_not_off(account, aws_env):
    session = answering("s3.GetBucketEncryption", 403, {"Content-Type": "application/xml"},
                       b"<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>")

    facts, errors = collected(account, session=session)

    assert errors["s3"].startswith("GetBucketEncryption: AccessDenied: Access Denied")
    assert all("encryption" not in bucket and "versioning" in bucket for bucket in facts["buckets"].values())


def test_a_bucket_that_does_not_exist_is_a_fact(account, aws_env):
    facts, errors = collected(account, target={**TARGET, "buckets": {**BUCKETS, "logs": "domino-prod-logs-gone"}})

    assert facts["buckets"]["logs"] == {"name": "domino-prod-logs-gone", "exists": False}
    assert "s3" not in errors


def test_a_cluster_eks_does_not_know_is_recorded_under_eks(account, aws_env):
    facts, errors = collected(account, cluster="not-this-one")

    assert "ResourceNotFoundException" in errors["eks"] and "cluster" not in facts
    assert facts["auto_scaling_groups"]  # those of the nodes' instances, still found


def test_without_credentials_the_aws_side_is_missing_with_the_reason(account, monkeypatch, tmp_path):
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")

    facts, errors = collected(account)

    assert facts is None and "Unable to locate credentials" in errors["aws"]


def test_an_endpoint_that_cannot_be_reached_stops_the_run(aws_env):
    with pytest.raises(ToolError, match="cannot reach AWS"):
        collect(AwsAccess(region=REGION, endpoint_url="http://127.0.0.1:9"), CLUSTER, TARGET, [])


def test_a_certificate_whose_summary_hides_some_names_is_described_all_the_same(account, aws_env):
    """ListCertificates shows the first alternative names only; the one covering the FQDN may be further on."""
    arn = next(c["CertificateArn"] for c in account.client("acm").list_certificates()["CertificateSummaryList"]
               if c["DomainName"] == FQDN)
    summary = {"CertificateArn": arn, "DomainName": "intranet.example.org",
               "SubjectAlternativeNameSummaries": ["intranet.example.org"],
               "HasAdditionalSubjectAlternativeNames": True}
    session = answering("acm.ListCertificates", 200, {"Content-Type": "application/x-amz-json-1.1"},
                        json.dumps({"CertificateSummaryList": [summary]}).encode())

    facts, errors = collected(account, session=session)

    assert [c["CertificateArn"] for c in facts["certificates"]] == [arn] and "acm" not in errors


def test_a_certificate_that_cannot_cover_the_fqdn_is_not_described(account, aws_env):
    facts, _ = collected(account, target={**TARGET, "fqdn": "domino.example.org"})

    assert facts["certificates"] == []


def test_the_registry_a_spec_names_is_read_as_domino_s_registry_storage(account, aws_env):
    facts, errors = collected(account)
    deployment = snapshots.to_deployment({"target": TARGET, "aws": facts, "errors": errors}, today=date.today())
    registry = deployment.domino.registry
    assert registry is not None and registry.uri is not None
    assert (registry.kind, registry.exists, registry.scan_on_push, registry.immutable_tags) == ("ecr", True, True, True)
    assert registry.uri.endswith(f".dkr.ecr.{REGION}.amazonaws.com/{REGISTRY['name']}")
    finding = only("S010", deployment)
    assert (finding.status, finding.message) == (
        Status.PASS, "ECR repository domino-prod is private and encrypted, and the nodes may push and pull there.")


@pytest.mark.parametrize(("registry", "message"), [
    ({"kind": "ecr", "name": "domino-prod-gone"},
     "ECR repository domino-prod-gone does not exist: Domino's installer has nowhere to keep its images."),
    ({"kind": "s3", "name": "domino-prod-registry-gone"},
     "registry bucket domino-prod-registry-gone does not exist: Domino's installer has nowhere to keep its images."),
])
def test_a_registry_that_does_not_exist_fails_s010(account, aws_env, registry, message):
    facts, errors = collected(account, target={**TARGET, "registry": registry})
    deployment = snapshots.to_deployment({"target": TARGET, "aws": facts, "errors": errors}, today=date.today())
    finding = only("S010", deployment)
    assert (finding.status, finding.severity, finding.message) == (Status.FAIL, rules.Severity.ERROR, message)


def test_a_registry_bucket_is_read_with_the_settings_of_any_bucket(account, aws_env):
    facts, errors = collected(account, target={**TARGET, "registry": {"kind": "s3", "name": BUCKETS["logs"]}})
    deployment = snapshots.to_deployment({"target": TARGET, "aws": facts, "errors": errors}, today=date.today())
    registry = deployment.domino.registry
    assert registry is not None
    assert (registry.kind, registry.exists, registry.blocks_public_access, registry.encrypted, registry.tls_only) == (
        "s3", True, True, True, True)
