"""What the check tests share: the recorded kubectl dump of a Domino cluster and its API shapes, a kubeconfig
pointing at a local API server, the console script, and an AWS account in the emulator built the way the page
builds one: self-managed node groups, one Auto Scaling group per pool and zone, EFS with mount targets behind a
2049 rule, three buckets, a certificate.

Emulator behaviour the account works around: an EKS cluster reports no vpcId (the model reads it from the
subnets); instances do not carry the launch template's instance profile (the model reads the template's);
bucket policies' conditions are ignored, so the TLS-only policy denies object calls only.
"""

from __future__ import annotations

import base64
import copy
import datetime
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import boto3

from domino_eks.collect import shapes
from domino_eks.knowledge import iam
from domino_eks.model import CONTROL_PLANE_LOG_TYPES

FIXTURES = Path(__file__).resolve().parent / "fixtures"
CLUSTER_LIST = FIXTURES / "cluster-list.json"
SARIF_SCHEMA = FIXTURES / "sarif-2.1.0-subset.schema.json"
CLUSTER = "domino-prod"
REGION = "us-west-2"
ZONES = ("us-west-2a", "us-west-2b", "us-west-2c")
FQDN = "domino.example.com"
BUCKETS = {"user_data": "domino-prod-user-data", "logs": "domino-prod-logs", "backups": "domino-prod-backups"}
REGISTRY = {"kind": "ecr", "name": "domino-prod"}  # Domino's external registry, as a spec names it
EKS_CONTEXT_CLUSTER = f"arn:aws:eks:{REGION}:123456789012:cluster/{CLUSTER}"
CONSOLE_SCRIPT = Path(sys.executable).parent / "domino-eks"
# (pool, node-pool labels, instance type, root volume GiB, min, max, desired) per zone, as the page's table
POOLS = (
    ("platform", {"dominodatalab.com/node-pool": "platform"}, "m5.2xlarge", 128, 1, 1, 1),
    ("default", {"dominodatalab.com/node-pool": "default", "domino/build-node": "true"}, "m5.2xlarge", 400, 1, 20, 1),
    ("default-gpu", {"dominodatalab.com/node-pool": "default-gpu", "nvidia.com/gpu": "true"}, "g5.2xlarge", 400,
     0, 5, 0),
)
# the account's On-Demand vCPU quotas by code: room for every pool above at its max size (platform and default
# 3 x (1 + 20) x 8 = 504 vCPUs, default-gpu 3 x 5 x 8 = 120), under 80 % of each
QUOTAS = {"L-1216C47A": 1000.0, "L-DB2E81BA": 256.0}
# the cluster's EKS insights the front serves (moto has none): one passing check, as ListInsights lists it
INSIGHTS = [{"id": "c3d4e5f6-1111-2222-3333-444455556666", "name": "Cluster health issues",
             "category": "UPGRADE_READINESS", "kubernetesVersion": "1.35", "lastRefreshTime": 1764547200,
             "lastTransitionTime": 1764547200, "description": "Checks for any cluster health issues.",
             "insightStatus": {"status": "PASSING", "reason": "No cluster health issues detected."}}]
NODE_ROLE_ARN = f"arn:aws:iam::123456789012:role/{CLUSTER}-nodes"  # moto's account id
AUTHENTICATION_MODE = "API_AND_CONFIG_MAP"
# the cluster's access entries the front serves (moto has none): the nodes' role as apply creates it
ACCESS_ENTRIES = [{"clusterName": CLUSTER, "principalArn": NODE_ROLE_ARN, "kubernetesGroups": ["system:nodes"],
                   "accessEntryArn": f"arn:aws:eks:{REGION}:123456789012:access-entry/{CLUSTER}/role/123456789012/"
                                     f"{CLUSTER}-nodes/8ac9b1d2-0d4e-5f6a-7b8c-9d0e1f2a3b4c",
                   "createdAt": 1764547200, "modifiedAt": 1764547200, "tags": {},
                   "username": "system:node:{{EC2PrivateDNSName}}", "type": "EC2_LINUX"}]
# the add-on versions EKS lists for Kubernetes 1.35 (the default first), and older ones listed for 1.34 only
ADDON_RELEASES = {
    "vpc-cni": ("v1.20.4-eksbuild.1", "v1.19.6-eksbuild.1"),
    "coredns": ("v1.12.4-eksbuild.1", "v1.11.4-eksbuild.2"),
    "kube-proxy": ("v1.35.0-eksbuild.2", "v1.34.1-eksbuild.2"),
    "aws-ebs-csi-driver": ("v1.51.0-eksbuild.1", "v1.45.0-eksbuild.2"),
    "aws-efs-csi-driver": ("v2.1.13-eksbuild.1", "v2.1.8-eksbuild.1"),
    "eks-pod-identity-agent": ("v1.3.9-eksbuild.3", "v1.3.4-eksbuild.1"),
}


def addon_versions() -> list[dict]:
    """DescribeAddonVersions' AddonInfo objects: each add-on's newest version, default for 1.35, and an older one
    listed for 1.34 only."""
    def version(number: str, cluster_version: str, default: bool) -> dict:
        return {"addonVersion": number, "architecture": ["amd64", "arm64"], "computeTypes": ["ec2"],
                "compatibilities": [{"clusterVersion": cluster_version, "platformVersions": ["*"],
                                     "defaultVersion": default}],
                "requiresConfiguration": False, "requiresIamPermissions": False}

    return [{"addonName": name, "type": "networking", "publisher": "eks", "owner": "aws",
             "addonVersions": [version(newest, "1.35", True), version(older, "1.34", True)]}
            for name, (newest, older) in ADDON_RELEASES.items()]


def addon(name: str, number: str | None = None, status: str = "ACTIVE", issues: tuple[dict, ...] = ()) -> dict:
    """An Addon object as DescribeAddon returns it; at the default version for 1.35 unless `number` says."""
    return {"addonName": name, "clusterName": CLUSTER, "status": status,
            "addonVersion": number or ADDON_RELEASES[name][0], "health": {"issues": list(issues)},
            "addonArn": f"arn:aws:eks:{REGION}:123456789012:addon/{CLUSTER}/{name}/5ec9b1d2",
            "createdAt": 1764547200, "modifiedAt": 1764547200, "tags": {}}


# the add-ons the front serves for the cluster: every one the deployment needs, ACTIVE at the default version
ADDONS = [addon(name) for name in ("vpc-cni", "coredns", "kube-proxy", "aws-ebs-csi-driver", "aws-efs-csi-driver")]
AWS_AUTH = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "aws-auth", "namespace": "kube-system"},
            "data": {"mapRoles": f"- groups:\n  - system:bootstrappers\n  - system:nodes\n  rolearn: {NODE_ROLE_ARN}"
                                 "\n  username: system:node:{{EC2PrivateDNSName}}\n"}}
API_PATHS = {
    "Node": "/api/v1/nodes",
    "StorageClass": "/apis/storage.k8s.io/v1/storageclasses",
    "CSIDriver": "/apis/storage.k8s.io/v1/csidrivers",
    "Namespace": "/api/v1/namespaces",
    "DaemonSet": "/apis/apps/v1/daemonsets",
}

CUSTOM_RESOURCE_PATHS = {"NodePool": "/apis/karpenter.sh/v1/nodepools",
                         "EC2NodeClass": "/apis/karpenter.k8s.aws/v1/ec2nodeclasses"}


def recorded_list() -> dict:
    """The recorded `kubectl get nodes,storageclasses,namespaces,daemonsets,csidrivers -A -o json`."""
    return json.loads(CLUSTER_LIST.read_text())


def items_of(document: dict, kind: str) -> list[dict]:
    return [item for item in document["items"] if item["kind"] == kind]


def snapshot_parts(document: dict) -> dict:
    """The Kubernetes part of a snapshot of `document`: its objects by kind, pruned as the collectors prune."""
    # what the live collector lists; a cluster without Karpenter's CRDs has no NodePools (404), not unknown ones
    lists: dict = {"nodes": [], "storageclasses": [], "csidrivers": [], "namespaces": [], "daemonsets": [],
                   "nodepools": [], "ec2nodeclasses": []}
    for item in document["items"]:
        key, shape = shapes.KINDS[item["kind"]]
        lists.setdefault(key, []).append(shapes.prune(item, shape))
    return lists


def api_list(kind: str, items: list[dict], continue_token: str | None = None) -> dict:
    """A list as the API server returns it: items without their own kind and apiVersion."""
    metadata = {"resourceVersion": "48213377", **({"continue": continue_token} if continue_token else {})}
    return {"apiVersion": items[0]["apiVersion"] if items else "v1", "kind": f"{kind}List", "metadata": metadata,
            "items": [{k: v for k, v in item.items() if k not in ("kind", "apiVersion")} for item in items]}


def serve_cluster(httpserver, document: dict) -> None:
    """Answer the collector's reads with the objects of a kubectl List; pods of Domino's namespaces are none."""
    httpserver.expect_request("/version/").respond_with_json(
        {"major": "1", "minor": "35", "gitVersion": "v1.35.0-eks-3cfe0ce", "platform": "linux/amd64"})
    for kind, path in API_PATHS.items():
        httpserver.expect_request(path, method="GET").respond_with_json(api_list(kind, items_of(document, kind)))
    for namespace in ("platform", "compute", "domino-system"):
        httpserver.expect_request(f"/api/v1/namespaces/{namespace}/pods").respond_with_json(api_list("Pod", []))
    for kind, path in CUSTOM_RESOURCE_PATHS.items():
        found = items_of(document, kind)
        if found:  # custom resources' lists keep each item's apiVersion and kind
            httpserver.expect_request(path, method="GET").respond_with_json(
                {"apiVersion": found[0]["apiVersion"], "kind": f"{kind}List", "metadata": {"continue": ""},
                 "items": found})
        else:  # a cluster without the CRD
            httpserver.expect_request(path, method="GET").respond_with_json(
                {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                 "message": "the server could not find the requested resource", "reason": "NotFound",
                 "details": {}, "code": 404}, status=404)
    httpserver.expect_request("/api/v1/namespaces/kube-system/configmaps/aws-auth").respond_with_json(AWS_AUTH)


def write_kubeconfig(path: Path, server: str, context_cluster: str = EKS_CONTEXT_CLUSTER) -> Path:
    """A kubeconfig whose one context reaches `server`, its cluster named as `aws eks update-kubeconfig` names it."""
    path.write_text(json.dumps({
        "apiVersion": "v1", "kind": "Config", "current-context": "domino",
        "clusters": [{"name": context_cluster, "cluster": {"server": server}}],
        "users": [{"name": "admin", "user": {"token": "probe-token"}}],
        "contexts": [{"name": "domino", "context": {"cluster": context_cluster, "user": "admin"}}],
    }))
    return path


def run_cli(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    """The console script, as a user runs it."""
    return subprocess.run([str(CONSOLE_SCRIPT), *args], capture_output=True, text=True, timeout=120,
                          env={**os.environ, **(env or {})})


@dataclass(frozen=True)
class Account:
    url: str
    vpc_id: str
    efs_id: str
    nodes_security_group: str
    instances: dict[tuple[str, str], str]  # (pool, zone) -> instance id

    def client(self, service: str):
        return boto3.client(service, endpoint_url=self.url, region_name=REGION, aws_access_key_id="testing",
                            aws_secret_access_key="testing")


def live_nodes(account: Account) -> dict:
    """The recorded nodes, each given the instance id the emulator launched for its pool and zone; the GPU
    pool runs no node (scaled to zero), so only its Auto Scaling groups show it."""
    document = recorded_list()
    nodes = []
    for node in items_of(document, "Node"):
        labels = node["metadata"]["labels"]
        key = (labels["dominodatalab.com/node-pool"], labels["topology.kubernetes.io/zone"])
        if key in account.instances:
            live = copy.deepcopy(node)
            live["spec"]["providerID"] = f"aws:///{key[1]}/{account.instances[key]}"
            nodes.append(live)
    document["items"] = nodes + [i for i in document["items"] if i["kind"] != "Node"]
    return document


def build_account(url: str) -> Account:
    def client(service):
        return boto3.client(service, endpoint_url=url, region_name=REGION, aws_access_key_id="testing",
                            aws_secret_access_key="testing")

    ec2, iam_client = client("ec2"), client("iam")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    private, _ = _subnets(ec2, vpc)
    _flow_logs_and_an_empty_default_group(client, vpc)
    nodes_sg = ec2.create_security_group(GroupName=f"{CLUSTER}-ClusterSharedNodeSecurityGroup",
                                         Description="shared by every node", VpcId=vpc)["GroupId"]
    efs_sg = ec2.create_security_group(GroupName=f"{CLUSTER}-efs", Description="EFS", VpcId=vpc)["GroupId"]
    ec2.authorize_security_group_ingress(GroupId=efs_sg, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 2049, "ToPort": 2049, "UserIdGroupPairs": [{"GroupId": nodes_sg}]}])
    profile = _node_role(iam_client)
    images = {flavour: ec2.register_image(
        Name=f"amazon-eks-node-al2023-x86_64-{flavour}-1.35-v20261101", Architecture="x86_64",
        RootDeviceName="/dev/xvda", BlockDeviceMappings=[{"DeviceName": "/dev/xvda", "Ebs": {"VolumeSize": 20}}],
    )["ImageId"] for flavour in ("standard", "nvidia")}
    autoscaling = client("autoscaling")
    for pool, labels, instance_type, volume, low, high, desired in POOLS:
        image = images["nvidia" if "nvidia.com/gpu" in labels else "standard"]
        template = ec2.create_launch_template(LaunchTemplateName=f"{CLUSTER}-{pool}", LaunchTemplateData={
            "ImageId": image, "InstanceType": instance_type, "SecurityGroupIds": [nodes_sg],
            "IamInstanceProfile": {"Arn": profile}, "MetadataOptions": {"HttpTokens": "required"},
            "BlockDeviceMappings": [{"DeviceName": "/dev/xvda", "Ebs": {"VolumeSize": volume, "VolumeType": "gp3",
                                                                     "Encrypted": True}}],
            "UserData": base64.b64encode(b"#!/bin/bash\n/etc/eks/bootstrap.sh domino-prod\n").decode(),
        })["LaunchTemplate"]["LaunchTemplateId"]
        for zone in ZONES:
            tags = {f"kubernetes.io/cluster/{CLUSTER}": "owned", "k8s.io/cluster-autoscaler/enabled": "true",
                    f"k8s.io/cluster-autoscaler/{CLUSTER}": "owned",
                    **{f"k8s.io/cluster-autoscaler/node-template/label/{k}": v for k, v in labels.items()}}
            autoscaling.create_auto_scaling_group(
                AutoScalingGroupName=f"domino-{pool}-{zone[-1]}", MinSize=low, MaxSize=high, DesiredCapacity=desired,
                LaunchTemplate={"LaunchTemplateId": template, "Version": "$Latest"}, VPCZoneIdentifier=private[zone],
                Tags=[{"Key": k, "Value": v, "PropagateAtLaunch": True} for k, v in tags.items()])
    secrets_key = client("kms").create_key(Description="Secrets of the cluster")["KeyMetadata"]["Arn"]
    client("kms").enable_key_rotation(KeyId=secrets_key)
    client("eks").create_cluster(name=CLUSTER, version="1.35", roleArn="arn:aws:iam::123456789012:role/eks",
                                 resourcesVpcConfig={"subnetIds": list(private.values()),
                                                     "securityGroupIds": [nodes_sg],
                                                     "endpointPrivateAccess": True, "endpointPublicAccess": False},
                                 logging={"clusterLogging": [{"types": list(CONTROL_PLANE_LOG_TYPES),
                                                              "enabled": True}]},
                                 encryptionConfig=[{"resources": ["secrets"], "provider": {"keyArn": secrets_key}}],
                                 upgradePolicy={"supportType": "STANDARD"})
    efs_id = _file_system(client("efs"), private, efs_sg)
    _buckets(client("s3"))
    client("ecr").create_repository(repositoryName=REGISTRY["name"], imageTagMutability="IMMUTABLE",
                                    imageScanningConfiguration={"scanOnPush": True})
    _certificate(client("acm"))
    instances = {}
    for reservation in ec2.describe_instances()["Reservations"]:
        for instance in reservation["Instances"]:
            tags = {t["Key"]: t["Value"] for t in instance.get("Tags") or ()}
            group = tags.get("aws:autoscaling:groupName", "")
            pool, zone = group.removeprefix("domino-")[:-2], f"{REGION}{group[-1:]}"
            if group.startswith("domino-") and instance["State"]["Name"] == "running":
                instances[(pool, zone)] = instance["InstanceId"]
    return Account(url, vpc, efs_id, nodes_sg, instances)


def default_group(ec2, vpc: str) -> str:
    (group,) = ec2.describe_security_groups(Filters=[{"Name": "vpc-id", "Values": [vpc]},
                                                     {"Name": "group-name", "Values": ["default"]}])["SecurityGroups"]
    return group["GroupId"]


def _flow_logs_and_an_empty_default_group(client, vpc: str) -> None:
    """C009 as apply leaves a VPC: a flow log to CloudWatch Logs, and the default group's rules revoked."""
    ec2, logs, iam_client = client("ec2"), client("logs"), client("iam")
    logs.create_log_group(logGroupName=f"/aws/vpc-flow-logs/{CLUSTER}")
    trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                     "Principal": {"Service": "vpc-flow-logs.amazonaws.com"}}]}
    role = iam_client.create_role(RoleName=f"{CLUSTER}-flow-logs", AssumeRolePolicyDocument=json.dumps(trust))
    ec2.create_flow_logs(ResourceIds=[vpc], ResourceType="VPC", TrafficType="ALL",
                         LogDestinationType="cloud-watch-logs", LogGroupName=f"/aws/vpc-flow-logs/{CLUSTER}",
                         DeliverLogsPermissionArn=role["Role"]["Arn"])
    group = default_group(ec2, vpc)
    for rule in ec2.describe_security_group_rules(
            Filters=[{"Name": "group-id", "Values": [group]}])["SecurityGroupRules"]:
        revoke = ec2.revoke_security_group_egress if rule["IsEgress"] else ec2.revoke_security_group_ingress
        revoke(GroupId=group, SecurityGroupRuleIds=[rule["SecurityGroupRuleId"]])


def _subnets(ec2, vpc: str) -> tuple[dict, dict]:
    gateway = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=gateway, VpcId=vpc)
    # a /21 per zone holds every pod of the pools at full scale (26 nodes x 59 addresses)
    private = {z: ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.0.{8 * i}.0/21", AvailabilityZone=z)["Subnet"]["SubnetId"]
               for i, z in enumerate(ZONES)}
    public = {z: ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.0.{100 + i}.0/24",
                                   AvailabilityZone=z)["Subnet"]["SubnetId"] for i, z in enumerate(ZONES)}
    public_table = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    ec2.create_route(RouteTableId=public_table, DestinationCidrBlock="0.0.0.0/0", GatewayId=gateway)
    allocation = ec2.allocate_address(Domain="vpc")["AllocationId"]
    nat = ec2.create_nat_gateway(SubnetId=public[ZONES[0]], AllocationId=allocation)["NatGateway"]["NatGatewayId"]
    private_table = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    ec2.create_route(RouteTableId=private_table, DestinationCidrBlock="0.0.0.0/0", NatGatewayId=nat)
    for zone in ZONES:
        ec2.associate_route_table(RouteTableId=public_table, SubnetId=public[zone])
        ec2.associate_route_table(RouteTableId=private_table, SubnetId=private[zone])
    return private, public


def _node_role(iam_client) -> str:
    trust = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
    iam_client.create_role(RoleName=f"{CLUSTER}-nodes", AssumeRolePolicyDocument=json.dumps(trust))
    iam_client.put_role_policy(RoleName=f"{CLUSTER}-nodes", PolicyName="s3",
                        PolicyDocument=json.dumps(iam.document(iam.s3_statements(list(BUCKETS.values())))))
    registry = iam.ecr_repository_arn(REGISTRY["name"], REGION)
    iam_client.put_role_policy(RoleName=f"{CLUSTER}-nodes", PolicyName="registry",
                               PolicyDocument=json.dumps(iam.document(iam.ecr_statements(registry))))
    autoscaler = iam_client.create_policy(PolicyName=f"{CLUSTER}-autoscaler", PolicyDocument=json.dumps(
        iam.document(iam.autoscaler_statements(CLUSTER))))["Policy"]["Arn"]
    iam_client.attach_role_policy(RoleName=f"{CLUSTER}-nodes", PolicyArn=autoscaler)
    profile = iam_client.create_instance_profile(InstanceProfileName=f"{CLUSTER}-nodes")["InstanceProfile"]["Arn"]
    iam_client.add_role_to_instance_profile(InstanceProfileName=f"{CLUSTER}-nodes", RoleName=f"{CLUSTER}-nodes")
    return profile


def _file_system(efs, private: dict, security_group: str) -> str:
    efs_id = efs.create_file_system(CreationToken=f"{CLUSTER}-datasets", Encrypted=True, Backup=True)["FileSystemId"]
    for subnet in private.values():
        efs.create_mount_target(FileSystemId=efs_id, SubnetId=subnet, SecurityGroups=[security_group])
    efs.create_access_point(FileSystemId=efs_id, PosixUser={"Uid": 12574, "Gid": 12574},
                            RootDirectory={"Path": "/domino", "CreationInfo": {
                                "OwnerUid": 12574, "OwnerGid": 12574, "Permissions": "700"}})
    return efs_id


def _buckets(s3) -> None:
    for name in BUCKETS.values():
        s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": REGION})
        s3.put_public_access_block(Bucket=name, PublicAccessBlockConfiguration=dict.fromkeys(
            ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets"), True))
        s3.put_bucket_encryption(Bucket=name, ServerSideEncryptionConfiguration={
            "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms"}}]})
        s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
        s3.put_bucket_policy(Bucket=name, Policy=json.dumps({"Version": "2012-10-17", "Statement": [{
            "Sid": "DenyPlainHttp", "Effect": "Deny", "Principal": "*", "Action": ["s3:GetObject", "s3:PutObject"],
            "Resource": f"arn:aws:s3:::{name}/*", "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]}))


def _certificate(acm) -> None:
    """An imported certificate for the FQDN, valid for 90 days from now (ISSUED at once, unlike a requested one)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, FQDN)])
    now = datetime.datetime.now(datetime.timezone.utc)
    certificate = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
                   .serial_number(x509.random_serial_number()).not_valid_before(now)
                   .not_valid_after(now + datetime.timedelta(days=90))
                   .add_extension(x509.SubjectAlternativeName([x509.DNSName(FQDN)]), critical=False)
                   .sign(key, hashes.SHA256()))
    acm.import_certificate(
        Certificate=certificate.public_bytes(serialization.Encoding.PEM),
        PrivateKey=key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
                                     serialization.NoEncryption()))
