"""apply -> plan -> destroy against a real moto server over HTTP, through the CLI and through the library.

Emulator behaviour designed around (see design.md): EKS add-ons and access entries answer 404, so they
are reported as not supported and skipped; clusters, NAT gateways and file systems are ready at once.
"""

from __future__ import annotations

import json
import threading

import pytest
from ruamel.yaml import YAML

from domino_eks import cli
from domino_eks.provision import apply, kinds, plan
from domino_eks.provision.walk import Silent
from domino_eks.sources import spec as spec_source
from tests.conftest import EXAMPLES
from tests.provision.support import (
    REGION,
    aws_with_hooks,
    clients,
    expected,
    tagged,
    write_spec,
)


def run_cli(capsys, *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as ended:
        cli.main(list(args))
    out, err = capsys.readouterr()
    assert isinstance(ended.value.code, int)
    return ended.value.code, out, err


def survey(url, path, **hooks):
    return plan.survey(aws_with_hooks(url, **hooks), spec_source.load(str(path)))


def apply_spec(url, path, **hooks) -> apply.Applied:
    aws = aws_with_hooks(url, **hooks)
    found = plan.survey(aws, spec_source.load(str(path)))
    applied = apply.run(aws, found.graph, found.found, found.plan, Silent())
    for walk in applied.walks:  # shown with a failing test, which otherwise says only that apply was incomplete
        print("failures:", walk.failures, "blocked:", walk.blocked, "stopped:", walk.stopped)
    return applied


def pending(url, path) -> list[tuple[str, str, tuple]]:
    return [(c.action, str(c.key), c.details) for c in survey(url, path).plan.pending]


def test_the_multi_az_example_applies_plans_clean_and_destroys_to_nothing(endpoint, name, tmp_path, capsys):
    path = tmp_path / "multi-az.yaml"
    path.write_text((EXAMPLES / "multi-az.yaml").read_text().replace("domino-test-cluster", name))
    target = ["--endpoint-url", endpoint]

    code, _, err = run_cli(capsys, "apply", str(path), *target, "--auto-approve", "-o", str(tmp_path / "out"))
    assert code == 0, err

    code, out, _ = run_cli(capsys, "plan", str(path), *target, "--format", "json")
    changes = json.loads(out)["changes"]
    assert code == 0 and changes and {c["action"] for c in changes} == {"unchanged"}
    assert set(changes[0]) == {"action", "type", "name"}

    values = YAML(typ="safe").load((tmp_path / "out" / "installer" / "domino.yml").read_text())
    pages = clients(endpoint)["efs"].get_paginator("describe_file_systems").paginate()
    ours = next(fs for page in pages for fs in page["FileSystems"]
                if {"Key": "domino-eks/deployment", "Value": name} in fs["Tags"])
    assert values["storage_classes"]["shared"]["efs"]["filesystem_id"] == ours["FileSystemId"]
    assert values["storage_classes"]["shared"]["efs"]["access_point_id"].startswith("fsap-")
    assert values["blob_storage"]["backups"]["s3"]["bucket"] == f"{name}-backups"
    assert values["hostname"] == "domino.example.com"
    assert values["autoscaler"]["auto_discovery"]["cluster_name"] == name

    counted = tagged(endpoint, name)
    assert counted[kinds.AUTO_SCALING_GROUP] == 9 and counted["instances"] == 3  # platform: 1 per zone

    code, _, err = run_cli(capsys, "destroy", str(path), *target, "--auto-approve")
    assert code == 0, err
    assert tagged(endpoint, name) == {}


def test_a_second_apply_changes_nothing_and_duplicates_nothing(endpoint, spec, name):
    first = apply_spec(endpoint, spec)
    assert first.complete
    after_first = tagged(endpoint, name)
    assert {k: v for k, v in after_first.items() if k != "instances"} == expected(survey(endpoint, spec).graph)

    second = apply_spec(endpoint, spec)
    assert second.complete
    assert tagged(endpoint, name) == after_first
    assert pending(endpoint, spec) == []


def test_drift_in_sizes_tags_and_versioning_is_planned_and_repaired(endpoint, spec, name):
    assert apply_spec(endpoint, spec).complete
    c = clients(endpoint)
    group = f"{name}-domino-default"
    c["autoscaling"].update_auto_scaling_group(AutoScalingGroupName=group, MinSize=0, MaxSize=4, DesiredCapacity=2)
    c["autoscaling"].delete_tags(Tags=[{"ResourceId": group, "ResourceType": "auto-scaling-group",
                                        "Key": "k8s.io/cluster-autoscaler/enabled"}])
    c["s3"].put_bucket_versioning(Bucket=f"{name}-backups", VersioningConfiguration={"Status": "Suspended"})

    drift = {key: details for action, key, details in pending(endpoint, spec)}
    assert set(drift) == {f"{kinds.AUTO_SCALING_GROUP} domino-default", f"{kinds.S3_BUCKET} {name}-backups"}
    assert "max_size: 4 -> 10" in drift[f"{kinds.AUTO_SCALING_GROUP} domino-default"]
    assert not any("desired_capacity" in d for d in drift[f"{kinds.AUTO_SCALING_GROUP} domino-default"]), \
        "the cluster autoscaler owns an autoscaled group's size; apply must not undo its scaling"
    assert any("k8s.io/cluster-autoscaler/enabled" in d for d in drift[f"{kinds.AUTO_SCALING_GROUP} domino-default"])
    assert "versioning: False -> True" in drift[f"{kinds.S3_BUCKET} {name}-backups"]

    assert apply_spec(endpoint, spec).complete
    assert pending(endpoint, spec) == []
    described = c["autoscaling"].describe_auto_scaling_groups(AutoScalingGroupNames=[group])["AutoScalingGroups"][0]
    assert (described["MinSize"], described["MaxSize"], described["DesiredCapacity"]) == (0, 10, 2)
    assert c["s3"].get_bucket_versioning(Bucket=f"{name}-backups")["Status"] == "Enabled"


def test_without_the_autoscaler_apply_owns_the_desired_size(endpoint, tmp_path, name):
    path = write_spec(tmp_path / "s.yaml", name, autoscaler=False)
    assert apply_spec(endpoint, path).complete
    group = f"{name}-domino-default"
    clients(endpoint)["autoscaling"].set_desired_capacity(AutoScalingGroupName=group, DesiredCapacity=3)
    drift = {key: details for action, key, details in pending(endpoint, path)}
    assert "desired_capacity: 3 -> 1" in drift[f"{kinds.AUTO_SCALING_GROUP} domino-default"]


def test_a_pool_dropped_from_the_spec_is_deleted_by_the_next_apply(endpoint, tmp_path, name):
    path = write_spec(tmp_path / "s.yaml", name, gpu=True)
    assert apply_spec(endpoint, path).complete
    write_spec(path, name, gpu=False)
    deletions = [key for action, key, _ in pending(endpoint, path) if action == "delete"]
    assert sorted(deletions) == [f"{kinds.AUTO_SCALING_GROUP} domino-gpu", f"{kinds.LAUNCH_TEMPLATE} domino-gpu"]
    # the group goes before its launch template: the group uses it
    assert (deletions.index(f"{kinds.AUTO_SCALING_GROUP} domino-gpu")
            < deletions.index(f"{kinds.LAUNCH_TEMPLATE} domino-gpu"))

    result = apply_spec(endpoint, path)
    assert result.complete and result.deletions is not None
    assert pending(endpoint, path) == []
    assert tagged(endpoint, name)[kinds.AUTO_SCALING_GROUP] == 2


def test_addons_access_entries_and_pod_identity_are_reported_unsupported_by_the_emulator_not_failed(endpoint, spec):
    result = apply_spec(endpoint, spec)
    assert result.complete
    skipped = {str(key) for key, step in result.walk.results.items() if "not supported" in step.note}
    assert skipped == {
        *(f"{kinds.EKS_ADDON} {addon}" for addon in (
            "vpc-cni", "coredns", "kube-proxy", "aws-ebs-csi-driver", "aws-efs-csi-driver", "eks-pod-identity-agent")),
        f"{kinds.EKS_ACCESS_ENTRY} platform-nodes", f"{kinds.EKS_ACCESS_ENTRY} compute-nodes",
        *(f"{kinds.EKS_POD_IDENTITY} kube-system-{account}" for account in (
            "aws-node", "ebs-csi-controller-sa", "efs-csi-controller-sa", "cluster-autoscaler"))}
    assert {str(key) for key, _ in survey(endpoint, spec).plan.unsupported} == skipped


def test_the_certificates_validation_record_lands_in_the_named_hosted_zone(endpoint, tmp_path, name):
    route53 = clients(endpoint)["route53"]
    zone = route53.create_hosted_zone(Name="example.com", CallerReference=name)["HostedZone"]["Id"].split("/")[-1]
    path = write_spec(tmp_path / "s.yaml", name, hosted_zone=zone)
    assert apply_spec(endpoint, path).complete
    assert pending(endpoint, path) == []

    acm = clients(endpoint)["acm"]
    arn = next(s["CertificateArn"] for page in acm.get_paginator("list_certificates").paginate()
               for s in page["CertificateSummaryList"] if s["DomainName"] == f"{name}.example.com")
    wanted = acm.describe_certificate(CertificateArn=arn)["Certificate"]["DomainValidationOptions"][0]["ResourceRecord"]
    records = route53.list_resource_record_sets(HostedZoneId=zone)["ResourceRecordSets"]
    assert any(r["Name"] == wanted["Name"] and r["ResourceRecords"] == [{"Value": wanted["Value"]}] for r in records)


def test_an_existing_vpc_is_used_and_left_alone_by_destroy(endpoint, tmp_path, name, capsys):
    ec2 = clients(endpoint)["ec2"]
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    gateway = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=gateway, VpcId=vpc)
    path = write_spec(tmp_path / "s.yaml", name, vpc_id=vpc)

    assert apply_spec(endpoint, path).complete
    subnets = ec2.describe_subnets(Filters=[{"Name": "tag:domino-eks/deployment", "Values": [name]}])["Subnets"]
    assert {s["VpcId"] for s in subnets} == {vpc}
    assert pending(endpoint, path) == []

    code, _, err = run_cli(capsys, "destroy", str(path), "--endpoint-url", endpoint, "--auto-approve")
    assert code == 0, err
    assert ec2.describe_vpcs(VpcIds=[vpc])["Vpcs"]
    assert ec2.describe_internet_gateways(InternetGatewayIds=[gateway])["InternetGateways"][0]["Attachments"]
    assert tagged(endpoint, name) == {}


def test_a_vpc_id_that_does_not_exist_is_a_clear_error(endpoint, tmp_path, name, capsys):
    path = write_spec(tmp_path / "s.yaml", name, vpc_id="vpc-0000000000000000f")
    code, _, err = run_cli(capsys, "plan", str(path), "--endpoint-url", endpoint)
    assert code == 1
    assert "network.vpcId vpc-0000000000000000f is not a VPC in us-west-2" in err


def test_buckets_and_efs_are_created_while_the_cluster_is_still_being_created(endpoint, spec):
    """The cluster's creation cannot finish until a bucket and the file system were created: a walker that
    made them wait for the cluster would deadlock here (and fail the wait) instead of finishing."""
    started = {"CreateBucket": threading.Event(), "CreateFileSystem": threading.Event()}

    def hold_cluster(event_name: str, **_):
        operation = event_name.rsplit(".", 1)[1]
        if operation in started:
            started[operation].set()
        elif operation == "CreateCluster":
            assert all(e.wait(timeout=30) for e in started.values()), "storage waited for the cluster"

    result = apply_spec(endpoint, spec, **{"before-call": hold_cluster})
    assert result.complete, {str(k): str(e) for k, e in result.walk.failures.items()}


def test_aws_errors_are_reported_per_resource_with_code_and_remedy(endpoint, tmp_path, name, capsys):
    # a bucket of the wanted name exists already, owned by another deployment
    s3 = clients(endpoint)["s3"]
    s3.create_bucket(Bucket=f"{name}-logs", CreateBucketConfiguration={"LocationConstraint": REGION})
    s3.put_bucket_tagging(Bucket=f"{name}-logs", Tagging={"TagSet": [
        {"Key": "domino-eks/deployment", "Value": "someone-else"}, {"Key": "domino-eks/resource", "Value": "x"}]})
    path = write_spec(tmp_path / "s.yaml", name)

    code, _, err = run_cli(capsys, "apply", str(path), "--endpoint-url", endpoint, "--auto-approve",
                           "-o", str(tmp_path / "out"))
    assert code == 1
    assert f"✗ {kinds.S3_BUCKET} {name}-logs: BucketAlreadyOwnedByYou" in err
    assert f"· {kinds.S3_BUCKET_POLICY} {name}-logs: not attempted, it waits on {kinds.S3_BUCKET} {name}-logs" in err
    assert "Traceback" not in err
    assert tagged(endpoint, name)[kinds.EKS_CLUSTER] == 1  # everything independent of the bucket went ahead
