"""A004, N007 and K004 on the live account and cluster, and on a snapshot of them: what the collectors gather
(access entries, the aws-auth ConfigMap, routes, NAT addresses and VPC endpoints, add-ons and their versions) and
what the rules make of it.

moto answers access entries and add-ons with 404 and describes a cluster without its accessConfig, so `aws_front`
(tests/aws_fake_server.py) serves them in botocore's eks shapes; the routes, NAT gateways and VPC endpoints are
the emulator's own. Kubernetes reads go to a local API server serving the recorded cluster.
"""

from __future__ import annotations

import json
from datetime import date, datetime, timezone

import pytest

from domino_eks import rules
from domino_eks.collect import AwsAccess, Expected, KubeAccess, gather
from domino_eks.rules.base import Severity, Status
from domino_eks.sources import snapshot as snapshots
from tests.check.support import (
    ACCESS_ENTRIES,
    ADDONS,
    AWS_AUTH,
    CLUSTER,
    NODE_ROLE_ARN,
    REGION,
    ZONES,
    addon,
    live_nodes,
    serve_cluster,
)

NODE_GROUPS = ", ".join(f"domino-{pool}-{zone[-1]}" for pool in ("default", "default-gpu", "platform")
                        for zone in ZONES)
CREATE_ENTRY = (f"`aws eks create-access-entry --cluster-name {CLUSTER} --principal-arn {NODE_ROLE_ARN} "
                "--type EC2_LINUX`")


def judged(rule_id: str, httpserver, kubeconfig, account, front, cluster: str = CLUSTER):
    """(the snapshot, the rule's (status, severity, message) per finding): live, and from the snapshot written out
    and read back, which must agree (but for why a fact is unknown, which says where it was looked for). The
    API server serves the recorded cluster's nodes for domino-prod, and none for another cluster."""
    document = live_nodes(account)
    if cluster != CLUSTER:
        document["items"] = [i for i in document["items"] if i["kind"] != "Node"]
    serve_cluster(httpserver, document)
    snapshot = gather(Expected(cluster=cluster, region=REGION), KubeAccess(str(kubeconfig)),
                      AwsAccess(region=REGION, endpoint_url=front.url), datetime.now(timezone.utc))
    live = snapshots.to_deployment(snapshot, today=date.today())
    dumped = snapshots.to_deployment(json.loads(json.dumps(snapshot)), today=date.today(), file="snapshot.json")
    outcomes = [[(f.status, f.severity, f.message) for f in rules.REGISTRY.evaluate(d, [rule_id])]
                for d in (live, dumped)]
    assert [o if o[0] is not Status.SKIP else o[:2] for o in outcomes[0]] == [
        o if o[0] is not Status.SKIP else o[:2] for o in outcomes[1]]
    return snapshot, outcomes[0]


def mapping_nobody(httpserver) -> None:
    """An aws-auth ConfigMap that maps no node role, answered before the recorded cluster's."""
    httpserver.expect_request("/api/v1/namespaces/kube-system/configmaps/aws-auth").respond_with_json(
        {**AWS_AUTH, "data": {"mapRoles": "[]\n"}})


# A004 -----------------------------------------------------------------------------------------------------------

def test_a004_passes_the_nodes_ec2_linux_entry(httpserver, kubeconfig, account, aws_env, aws_front):
    snapshot, outcomes = judged("A004", httpserver, kubeconfig, account, aws_front)

    assert [(e["principalArn"], e["type"]) for e in snapshot["aws"]["access_entries"]] == [
        (e["principalArn"], e["type"]) for e in ACCESS_ENTRIES]
    assert "mapRoles" in snapshot["kubernetes"]["aws_auth"]  # API_AND_CONFIG_MAP reads the ConfigMap too
    assert outcomes == [(Status.PASS, Severity.ERROR,
                         "every node role has an EC2_LINUX access entry or an aws-auth mapping.")]


def test_a004_fails_a_node_role_without_entry_in_api_mode_and_reads_no_config_map(httpserver, kubeconfig, account,
                                                                                  aws_env, aws_front):
    aws_front.authentication_modes[CLUSTER] = "API"
    aws_front.access_entries[CLUSTER] = []

    snapshot, outcomes = judged("A004", httpserver, kubeconfig, account, aws_front)

    assert "aws_auth" not in snapshot["kubernetes"]
    assert outcomes == [(Status.FAIL, Severity.ERROR,
                         f"node role {NODE_ROLE_ARN} (node groups {NODE_GROUPS}) has no EKS access entry: its nodes "
                         f"never join. Run {CREATE_ENTRY}.")]


def test_a004_in_config_map_mode_reads_aws_auth_only(httpserver, kubeconfig, account, aws_env, aws_front):
    aws_front.authentication_modes[CLUSTER] = "CONFIG_MAP"
    aws_front.access_entries[CLUSTER] = []

    snapshot, outcomes = judged("A004", httpserver, kubeconfig, account, aws_front)

    assert "access_entries" not in snapshot["aws"]
    assert [status for status, _, _ in outcomes] == [Status.PASS]


def test_a004_fails_when_neither_entry_nor_mapping_lets_the_role_in(httpserver, kubeconfig, account, aws_env,
                                                                    aws_front):
    aws_front.access_entries[CLUSTER] = []
    mapping_nobody(httpserver)

    snapshot, outcomes = judged("A004", httpserver, kubeconfig, account, aws_front)

    assert snapshot["kubernetes"]["aws_auth"] == {"mapRoles": "[]\n"}
    assert outcomes == [(Status.FAIL, Severity.ERROR,
                         f"node role {NODE_ROLE_ARN} (node groups {NODE_GROUPS}) has neither an EKS access entry nor "
                         f"an aws-auth mapping: its nodes never join. Run {CREATE_ENTRY}.")]


def test_a004_skips_with_the_reason_where_the_endpoint_has_no_access_entries(httpserver, kubeconfig, account,
                                                                             aws_env, aws_front):
    del aws_front.access_entries[CLUSTER]  # the emulator answers: 404
    mapping_nobody(httpserver)

    snapshot, outcomes = judged("A004", httpserver, kubeconfig, account, aws_front)

    assert "ListAccessEntries: not supported by this endpoint (HTTP 404)" in snapshot["errors"]["eks"]
    assert [status for status, _, _ in outcomes] == [Status.SKIP]
    assert "the access entries of cluster domino-prod unknown" in outcomes[0][2]


# K004 -----------------------------------------------------------------------------------------------------------

def test_k004_passes_every_needed_addon_at_its_default(httpserver, kubeconfig, account, aws_env, aws_front):
    snapshot, outcomes = judged("K004", httpserver, kubeconfig, account, aws_front)

    assert [a["addonName"] for a in snapshot["aws"]["addons"]] == [a["addonName"] for a in ADDONS]
    assert {i["addonName"] for i in snapshot["aws"]["addon_versions"]} >= {a["addonName"] for a in ADDONS}
    assert outcomes == [(Status.PASS, Severity.ERROR,
                         "every needed add-on is installed, ACTIVE, healthy and at a compatible version.")]


def test_k004_names_the_missing_the_unhealthy_and_the_version_to_move_to(httpserver, kubeconfig, account, aws_env,
                                                                         aws_front):
    issue = {"code": "InsufficientNumberOfReplicas", "message": "The add-on is unhealthy because it doesn't have "
                                                                "the desired number of replicas.",
             "resourceIds": ["kube-system/coredns"]}
    aws_front.addons[CLUSTER] = [addon("vpc-cni", "v1.19.6-eksbuild.1"), addon("coredns", status="DEGRADED",
                                                                                issues=(issue,)),
                                 addon("kube-proxy"), addon("aws-ebs-csi-driver")]

    _, outcomes = judged("K004", httpserver, kubeconfig, account, aws_front)

    assert outcomes == [
        (Status.FAIL, Severity.ERROR,
         "add-on vpc-cni v1.19.6-eksbuild.1 is not a version EKS lists for Kubernetes 1.35. Move to "
         "v1.20.4-eksbuild.1: `aws eks update-addon --cluster-name domino-prod --addon-name vpc-cni --addon-version "
         "v1.20.4-eksbuild.1`."),
        (Status.FAIL, Severity.ERROR,
         "add-on coredns is DEGRADED with health issues: InsufficientNumberOfReplicas: The add-on is unhealthy "
         "because it doesn't have the desired number of replicas. See `aws eks describe-addon --cluster-name "
         "domino-prod --addon-name coredns` and fix what it names."),
        (Status.FAIL, Severity.ERROR,
         "add-on aws-efs-csi-driver is not installed: run `aws eks create-addon --cluster-name domino-prod "
         "--addon-name aws-efs-csi-driver --addon-version v2.1.13-eksbuild.1`."),
    ]


# N007 -----------------------------------------------------------------------------------------------------------

ISOLATED = "domino-isolated"


@pytest.fixture(scope="module")
def isolated(account) -> dict:
    """A second cluster in the account: public endpoint only, limited to one CIDR; its node subnet routes nowhere
    and its VPC has endpoints for ECR's API and S3 only; one NAT gateway, and the one mount target of its EFS, in
    another subnet of another zone."""
    ec2, autoscaling = account.client("ec2"), account.client("autoscaling")
    vpc = ec2.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
    nodes = ec2.create_subnet(VpcId=vpc, CidrBlock="10.9.0.0/20", AvailabilityZone=ZONES[0])["Subnet"]["SubnetId"]
    edge = ec2.create_subnet(VpcId=vpc, CidrBlock="10.9.100.0/24", AvailabilityZone=ZONES[1])["Subnet"]["SubnetId"]
    efs = account.client("efs")
    file_system = efs.create_file_system(CreationToken=f"{ISOLATED}-datasets", Encrypted=True)["FileSystemId"]
    group = ec2.create_security_group(GroupName=f"{ISOLATED}-efs", Description="EFS", VpcId=vpc)["GroupId"]
    efs.create_mount_target(FileSystemId=file_system, SubnetId=edge, SecurityGroups=[group])
    allocation = ec2.allocate_address(Domain="vpc")
    ec2.create_nat_gateway(SubnetId=edge, AllocationId=allocation["AllocationId"])
    table = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    ec2.associate_route_table(RouteTableId=table, SubnetId=nodes)
    for service in ("ecr.api", "s3"):
        ec2.create_vpc_endpoint(VpcId=vpc, ServiceName=f"com.amazonaws.{REGION}.{service}",
                                VpcEndpointType="Gateway" if service == "s3" else "Interface",
                                **({"RouteTableIds": [table]} if service == "s3" else {"SubnetIds": [nodes]}))
    template = ec2.create_launch_template(LaunchTemplateName=f"{ISOLATED}-default", LaunchTemplateData={
        "ImageId": "ami-12c6146b", "InstanceType": "m5.2xlarge"})["LaunchTemplate"]["LaunchTemplateId"]
    autoscaling.create_auto_scaling_group(
        AutoScalingGroupName=f"{ISOLATED}-default-a", MinSize=0, MaxSize=4, DesiredCapacity=0,
        LaunchTemplate={"LaunchTemplateId": template, "Version": "$Latest"}, VPCZoneIdentifier=nodes,
        Tags=[{"Key": f"kubernetes.io/cluster/{ISOLATED}", "Value": "owned", "PropagateAtLaunch": True},
              {"Key": "k8s.io/cluster-autoscaler/node-template/label/dominodatalab.com/node-pool",
               "Value": "default", "PropagateAtLaunch": True}])
    account.client("eks").create_cluster(
        name=ISOLATED, version="1.35", roleArn="arn:aws:iam::123456789012:role/eks",
        resourcesVpcConfig={"subnetIds": [nodes], "endpointPrivateAccess": False, "endpointPublicAccess": True,
                            "publicAccessCidrs": ["203.0.113.0/24"]})
    return {"vpc": vpc, "nodes": nodes, "nat_address": allocation["PublicIp"], "efs": file_system}


def test_n007_passes_the_private_cluster_whose_nodes_route_through_nat(httpserver, kubeconfig, account, aws_env,
                                                                       aws_front):
    snapshot, outcomes = judged("N007", httpserver, kubeconfig, account, aws_front)

    assert snapshot["aws"]["vpc_endpoints"] == []
    assert [status for status, _, _ in outcomes] == [Status.PASS]


def test_n007_names_the_nat_address_to_admit_and_the_endpoints_to_create(httpserver, kubeconfig, account, aws_env,
                                                                         aws_front, isolated):
    snapshot, outcomes = judged("N007", httpserver, kubeconfig, account, aws_front, cluster=ISOLATED)

    assert sorted(e["ServiceName"] for e in snapshot["aws"]["vpc_endpoints"]) == [
        f"com.amazonaws.{REGION}.ecr.api", f"com.amazonaws.{REGION}.s3"]
    vpc, nat = isolated["vpc"], isolated["nat_address"]
    assert outcomes == [
        (Status.FAIL, Severity.ERROR,
         f"private endpoint access is off and the public endpoint admits 203.0.113.0/24, not the NAT address(es) "
         f"{nat} nodes reach it from: they never join. Turn on private endpoint access, or admit them: `aws eks "
         f"update-cluster-config --name {ISOLATED} --resources-vpc-config publicAccessCidrs=203.0.113.0/24,"
         f"{nat}/32`."),
        (Status.FAIL, Severity.ERROR,
         f"node subnet {isolated['nodes']} ({ZONES[0]}) has no 0.0.0.0/0 route to a NAT gateway and the VPC has no "
         f"endpoint for ecr.dkr, sts: its nodes cannot pull images or get credentials at boot. Route 0.0.0.0/0 to a "
         f"NAT gateway, or create the endpoints: `aws ec2 create-vpc-endpoint --vpc-id {vpc} --service-name "
         f"com.amazonaws.{REGION}.ecr.dkr --vpc-endpoint-type Interface`; `aws ec2 create-vpc-endpoint --vpc-id "
         f"{vpc} --service-name com.amazonaws.{REGION}.sts --vpc-endpoint-type Interface`."),
    ]


# S003 -----------------------------------------------------------------------------------------------------------

def test_s003_wants_a_mount_target_in_the_zone_of_each_node_subnet(httpserver, kubeconfig, account, aws_env,
                                                                   aws_front, isolated):
    _, outcomes = judged("S003", httpserver, kubeconfig, account, aws_front, cluster=ISOLATED)

    efs, subnet = isolated["efs"], isolated["nodes"]
    assert outcomes == [
        (Status.FAIL, Severity.ERROR,
         f"EFS {efs} has no mount target in {ZONES[0]}, where compute pools default run (node subnet {subnet}): "
         f"executions there cannot mount Datasets. Create one: `aws efs create-mount-target --file-system-id {efs} "
         f"--subnet-id {subnet}`.")]
