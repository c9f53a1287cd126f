"""Managed node groups through apply on the emulator: each zone's group with the pool's labels, a launch template
with IMDSv2 and an encrypted root volume, and the autoscaler's node-template tags on the Auto Scaling group EKS makes
for it.

The emulator creates managed node groups without instances and without their Auto Scaling group (DescribeNodegroup
names one that Auto Scaling does not know), so the tags cannot land until that group exists: the test creates it as
EKS would, with the node group's name, and applies again."""

from __future__ import annotations

import json

import pytest

from domino_eks import cli
from domino_eks.provision import apply, kinds, plan
from domino_eks.provision.walk import Silent
from domino_eks.sources import spec as spec_source
from tests.provision.support import REGION, aws_with_hooks, clients, write_spec

ZONES = ("a", "b", "c")


def run_cli(capsys, *args: str) -> tuple[object, str, str]:
    with pytest.raises(SystemExit) as ended:
        cli.main(list(args))
    out, err = capsys.readouterr()
    return ended.value.code, out, err


def changes(capsys, endpoint, path) -> list[dict]:
    code, out, err = run_cli(capsys, "plan", str(path), "--endpoint-url", endpoint, "--format", "json")
    assert code == 0, err
    return [c for c in json.loads(out)["changes"] if c["action"] != "unchanged"]


def test_managed_groups_get_a_hardened_launch_template_labels_and_autoscaler_tags(endpoint, tmp_path, name, capsys):
    path = write_spec(tmp_path / "domino.yaml", name, zones=3, managed=True)
    code, _, err = run_cli(capsys, "apply", str(path), "--endpoint-url", endpoint, "--auto-approve")
    assert code == 0, err
    c = clients(endpoint)

    groups = {z: c["eks"].describe_nodegroup(clusterName=name, nodegroupName=f"domino-default-{z}")["nodegroup"]
              for z in ZONES}
    subnets = {z: c["ec2"].describe_subnets(SubnetIds=g["subnets"])["Subnets"] for z, g in groups.items()}
    assert {z: [s["AvailabilityZone"] for s in found] for z, found in subnets.items()} == {
        z: [f"{REGION}{z}"] for z in ZONES}  # one group per zone, each in its zone's subnet
    for group in groups.values():
        assert group["labels"] == {"dominodatalab.com/node-pool": "default", "domino/build-node": "true"}
        assert group["amiType"] == "AL2023_x86_64_STANDARD"
        [version] = c["ec2"].describe_launch_template_versions(
            LaunchTemplateId=group["launchTemplate"]["id"], Versions=["$Default"])["LaunchTemplateVersions"]
        data = version["LaunchTemplateData"]
        assert data["MetadataOptions"] == {"HttpTokens": "required", "HttpPutResponseHopLimit": 2,
                                           "HttpEndpoint": "enabled"}
        assert data["BlockDeviceMappings"] == [{"DeviceName": "/dev/xvda", "Ebs": {
            "VolumeSize": 400, "VolumeType": "gp3", "Encrypted": True, "DeleteOnTermination": True}}]
        assert "UserData" not in data and "ImageId" not in data  # EKS picks both from the AMI type
    assert not c["autoscaling"].describe_auto_scaling_groups(
        AutoScalingGroupNames=[g["resources"]["autoScalingGroups"][0]["name"] for g in groups.values()]
    )["AutoScalingGroups"]  # the emulator made none
    assert {(ch["type"], ch["name"]) for ch in changes(capsys, endpoint, path)} == {
        (kinds.EKS_NODEGROUP, f"domino-default-{z}") for z in ZONES}  # so their tags are still to write

    for group in groups.values():  # what EKS does when it creates a node group
        c["autoscaling"].create_auto_scaling_group(
            AutoScalingGroupName=group["resources"]["autoScalingGroups"][0]["name"], MinSize=0, MaxSize=10,
            LaunchTemplate={"LaunchTemplateId": group["launchTemplate"]["id"]},
            VPCZoneIdentifier=",".join(group["subnets"]))
    code, _, err = run_cli(capsys, "apply", str(path), "--endpoint-url", endpoint, "--auto-approve")
    assert code == 0, err

    for group in groups.values():
        [asg] = c["autoscaling"].describe_auto_scaling_groups(
            AutoScalingGroupNames=[group["resources"]["autoScalingGroups"][0]["name"]])["AutoScalingGroups"]
        assert {t["Key"]: (t["Value"], t["PropagateAtLaunch"]) for t in asg["Tags"]} == {
            "k8s.io/cluster-autoscaler/enabled": ("true", False),
            f"k8s.io/cluster-autoscaler/{name}": ("owned", False),
            "k8s.io/cluster-autoscaler/node-template/label/dominodatalab.com/node-pool": ("default", False),
            "k8s.io/cluster-autoscaler/node-template/label/domino/build-node": ("true", False),
        }
    assert changes(capsys, endpoint, path) == []

    code, _, err = run_cli(capsys, "destroy", str(path), "--endpoint-url", endpoint, "--auto-approve")
    assert code == 0, err
    assert name not in c["eks"].list_clusters()["clusters"]
    assert not c["ec2"].describe_launch_templates(
        Filters=[{"Name": "tag:domino-eks/deployment", "Values": [name]}])["LaunchTemplates"]


def test_a_node_group_eks_reports_no_auto_scaling_group_for_tags_no_other_group(endpoint, tmp_path, name):
    """DescribeAutoScalingGroups without names describes every group in the account: a node group whose
    DescribeNodegroup names none (EKS before it made one) must leave the account's other groups alone."""
    c = clients(endpoint)
    c["ec2"].create_launch_template(LaunchTemplateName=f"{name}-other", LaunchTemplateData={"InstanceType": "m5.large"})
    other = f"{name}-someone-elses"
    c["autoscaling"].create_auto_scaling_group(
        AutoScalingGroupName=other, MinSize=0, MaxSize=1, AvailabilityZones=[f"{REGION}a"],
        LaunchTemplate={"LaunchTemplateName": f"{name}-other"})

    def no_auto_scaling_groups(parsed, **_):
        parsed["nodegroup"].get("resources", {}).pop("autoScalingGroups", None)

    aws = aws_with_hooks(endpoint, **{"after-call.eks.DescribeNodegroup": no_auto_scaling_groups})
    survey = plan.survey(aws, spec_source.load(str(write_spec(tmp_path / "domino.yaml", name, managed=True))))
    result = apply.run(aws, survey.graph, survey.found, survey.plan, Silent())

    assert result.complete, {str(k): str(e) for k, e in result.walk.failures.items()}
    [group] = c["autoscaling"].describe_auto_scaling_groups(AutoScalingGroupNames=[other])["AutoScalingGroups"]
    assert group["Tags"] == []


def test_auto_scaling_groups_eks_tagged_for_the_cluster_are_listed_beside_the_node_groups_not_read_by_name(
        endpoint, tmp_path, name):
    """EKS tags the Auto Scaling group it makes for each managed node group with eks:cluster-name (and
    eks:nodegroup-name): discovery lists the cluster's groups by that tag while it describes the node groups,
    a round trip sooner than reading them by the names the descriptions give. (The test above, whose groups lack
    the tag, is the by-name way.)"""
    deployment = spec_source.load(str(write_spec(tmp_path / "domino.yaml", name, zones=3, managed=True)))
    aws = aws_with_hooks(endpoint)
    first = plan.survey(aws, deployment)
    assert apply.run(aws, first.graph, first.found, first.plan, Silent()).complete
    c = clients(endpoint)
    for group_name in c["eks"].list_nodegroups(clusterName=name)["nodegroups"]:  # what EKS does
        group = c["eks"].describe_nodegroup(clusterName=name, nodegroupName=group_name)["nodegroup"]
        asg = group["resources"]["autoScalingGroups"][0]["name"]
        c["autoscaling"].create_auto_scaling_group(
            AutoScalingGroupName=asg, MinSize=0, MaxSize=10, VPCZoneIdentifier=",".join(group["subnets"]),
            LaunchTemplate={"LaunchTemplateId": group["launchTemplate"]["id"]},
            Tags=[{"ResourceId": asg, "ResourceType": "auto-scaling-group", "Key": key, "Value": value,
                   "PropagateAtLaunch": True}
                  for key, value in {"eks:cluster-name": name, "eks:nodegroup-name": group_name}.items()])
    second = plan.survey(aws, deployment)
    assert {str(ch.key) for ch in second.plan.pending} == {f"{kinds.EKS_NODEGROUP} domino-default-{z}"
                                                          for z in ZONES}  # the autoscaler's tags, to write
    assert apply.run(aws, second.graph, second.found, second.plan, Silent()).complete

    asked: list[list[str]] = []
    after = plan.survey(aws_with_hooks(endpoint, **{
        "before-parameter-build.autoscaling.DescribeAutoScalingGroups": lambda params, **_: asked.append(
            sorted(params))}), deployment)

    assert [(ch.action, str(ch.key)) for ch in after.plan.pending] == []
    assert asked == [["Filters"], ["Filters"]]  # the self-managed groups' listing, and the node groups'
