"""The desired resources built from the model: what the page asks for, and in which order. No AWS needed."""

from __future__ import annotations

import base64
import ipaddress
import json

import pytest

from domino_eks.errors import InputError
from domino_eks.knowledge import addons
from domino_eks.provision import desired, kinds
from domino_eks.provision.handlers.nodes import launch_data
from domino_eks.provision.resources import Key, resolve
from domino_eks.sources import spec as spec_source
from tests.conftest import load_example
from tests.provision.support import ancestors, write_spec

FAKE_CLUSTER = {"name": "c", "endpoint": "https://c.example", "certificate_authority": "Q0E=",
                "service_cidr": "172.20.0.0/16"}


def of_type(graph, kind):
    return [r for r in graph if r.key.type == kind]


def test_buckets_and_efs_do_not_wait_for_the_cluster(multi_az):
    graph = desired.build(multi_az)
    cluster = Key(kinds.EKS_CLUSTER, "cluster")
    for resource in of_type(graph, kinds.S3_BUCKET) + of_type(graph, kinds.EFS_FILE_SYSTEM):
        assert cluster not in ancestors(graph, resource.key)


def test_addons_running_deployments_wait_for_the_groups_their_pods_start_on_and_daemon_sets_for_none(multi_az):
    graph = desired.build(multi_az)
    groups = {r.key for r in of_type(graph, kinds.AUTO_SCALING_GROUP)}
    assert len(groups) == 9
    # the platform pool starts with a node per zone; the default and GPU pools start empty: no pod can start there
    platform = {g for g in groups if g.name.startswith("domino-platform")}
    assert len(platform) == 3
    for addon in of_type(graph, kinds.EKS_ADDON):
        waited = ancestors(graph, addon.key) & groups
        if addon.key.name in addons.DAEMON_SETS:
            assert waited == set(), addon.key
        else:
            assert waited == platform, addon.key
    # aws-node on a new node takes its credentials from its association: it must exist before the node starts
    associations = {r.key for r in of_type(graph, kinds.EKS_POD_IDENTITY)}
    assert len(associations) == 4
    agent = Key(kinds.EKS_ADDON, "eks-pod-identity-agent")
    for group in groups:
        assert associations <= ancestors(graph, group)
        assert agent not in ancestors(graph, group)  # it turns ACTIVE only once nodes run it


def groups_coredns_waits_for(tmp_path, name: str, edit, **spec_options) -> set[str]:
    """The Auto Scaling groups the coredns add-on waits for, in the test spec changed by `edit` (on its JSON)."""
    path = write_spec(tmp_path / "domino.yaml", name, zones=1, **spec_options)
    spec = json.loads(path.read_text())
    edit(spec)
    path.write_text(json.dumps(spec))
    graph = desired.build(spec_source.load(str(path)))
    return {k.name for k in ancestors(graph, Key(kinds.EKS_ADDON, "coredns")) if k.type == kinds.AUTO_SCALING_GROUP}


def test_addons_do_not_wait_for_tainted_groups_even_with_nodes(tmp_path):
    def gpu_starts_with_a_node(spec):
        next(p for p in spec["nodePools"] if p["name"] == "gpu").update(minSize=1, desiredCapacity=1)

    assert groups_coredns_waits_for(tmp_path, "taints", gpu_starts_with_a_node, gpu=True) == {
        "domino-platform", "domino-default"}


def test_addons_wait_for_every_group_when_none_starts_with_nodes(tmp_path):
    def no_pool_starts_with_nodes(spec):
        for pool in spec["nodePools"]:
            pool.update(minSize=0, desiredCapacity=0)

    assert groups_coredns_waits_for(tmp_path, "empty", no_pool_starts_with_nodes) == {
        "domino-platform", "domino-default"}


def test_vpc_cni_addon_enforces_network_policy(single_az):
    addon = desired.build(single_az)[Key(kinds.EKS_ADDON, "vpc-cni")]
    assert addon.properties["configuration"] == {"enableNetworkPolicy": "true"}


def test_control_plane_spans_three_zones_while_pools_use_one(single_az):
    graph = desired.build(single_az)
    cluster_subnets = graph[Key(kinds.EKS_CLUSTER, "cluster")].properties["subnet_ids"]
    zones = {graph[ref.key].properties["zone"] for ref in cluster_subnets}
    assert zones == {"us-west-2a", "us-west-2b", "us-west-2c"}
    asg_subnets = {ref.key for r in of_type(graph, kinds.AUTO_SCALING_GROUP) for ref in r.properties["subnet_ids"]}
    assert asg_subnets == {Key(kinds.SUBNET, "private-us-west-2a")}


def test_private_subnets_are_sized_from_the_pools_not_a_fixed_23(single_az):
    graph = desired.build(single_az)
    private = graph[Key(kinds.SUBNET, "private-us-west-2a")].properties["cidr"]
    # single-AZ: 20 default + 5 gpu + 3 platform nodes of 58-pod types need far more than a /23
    assert ipaddress.ip_network(private).prefixlen < 23
    assert private == next(s.cidr for s in single_az.network.subnets if not s.public and s.zone == "us-west-2a")


def test_one_launch_template_and_group_per_pool_per_zone(multi_az):
    graph = desired.build(multi_az)
    names = {r.key.name for r in of_type(graph, kinds.AUTO_SCALING_GROUP)}
    assert names == {f"domino-{pool}-{zone}" for pool in ("platform", "default", "gpu") for zone in "abc"}
    assert {r.key.name for r in of_type(graph, kinds.LAUNCH_TEMPLATE)} == names


def test_group_tags_carry_autodiscovery_and_node_templates(tmp_path):
    deployment = spec_source.load(str(write_spec(tmp_path / "s.yaml", "tags-test", gpu=True)))
    group = desired.build(deployment)[Key(kinds.AUTO_SCALING_GROUP, "domino-gpu")].properties
    assert group["tags"]["k8s.io/cluster-autoscaler/enabled"] == "true"
    assert group["tags"]["k8s.io/cluster-autoscaler/tags-test"] == "owned"
    assert group["tags"]["k8s.io/cluster-autoscaler/node-template/label/dominodatalab.com/node-pool"] == "default-gpu"
    assert group["tags"]["k8s.io/cluster-autoscaler/node-template/taint/nvidia.com/gpu"] == "true:NoSchedule"
    assert group["tags"]["kubernetes.io/cluster/tags-test"] == "owned"
    assert "kubernetes.io/cluster/tags-test" in group["propagated"]
    assert "k8s.io/cluster-autoscaler/enabled" not in group["propagated"]


def test_launch_template_requires_imdsv2_sizes_the_volume_and_labels_the_kubelet(tmp_path):
    deployment = spec_source.load(str(write_spec(tmp_path / "s.yaml", "lt-test", gpu=True)))
    template = desired.build(deployment)[Key(kinds.LAUNCH_TEMPLATE, "domino-gpu")].properties
    data = launch_data({**resolve(template, lambda key: None), "cluster": FAKE_CLUSTER})
    assert data["MetadataOptions"]["HttpTokens"] == "required"
    assert data["BlockDeviceMappings"][0]["Ebs"] == {"VolumeSize": 400, "VolumeType": "gp3", "Encrypted": True,
                                                     "DeleteOnTermination": True}
    assert data["ImageId"].endswith("/amazon-linux-2023/x86_64/nvidia/recommended/image_id")
    user_data = base64.b64decode(data["UserData"]).decode()
    assert "--node-labels=dominodatalab.com/node-pool=default-gpu,nvidia.com/gpu=true" in user_data
    assert "--register-with-taints=nvidia.com/gpu=true:NoSchedule" in user_data
    assert "application/node.eks.aws" in user_data


def test_efs_admits_nfs_from_the_shared_node_group_only(single_az):
    graph = desired.build(single_az)
    rule = graph[Key(kinds.SECURITY_GROUP_INGRESS, "efs-from-shared-nodes-2049")].properties
    assert rule["ports"] == [2049, 2049] and rule["protocol"] == "tcp"
    assert rule["source_group_id"].key == Key(kinds.SECURITY_GROUP, "shared-nodes")
    shared = graph[Key(kinds.SECURITY_GROUP, "shared-nodes")].properties
    assert shared["group_name"].endswith("ClusterSharedNodeSecurityGroup")


def attached(graph, role: str) -> set:
    """The role's policies: ours by key, the AWS-managed ones by name."""
    arns = graph[Key(kinds.IAM_ROLE, role)].properties["policy_arns"]
    return {ref.key if hasattr(ref, "key") else ref.rsplit("/", 1)[-1] for ref in arns}


def test_platform_nodes_get_the_pages_s3_policy_and_the_registrys_compute_nodes_the_user_data_bucket_only(single_az):
    graph = desired.build(single_az)
    node_policies = {"AmazonEKSWorkerNodePolicy", "AmazonEC2ContainerRegistryReadOnly"}
    assert attached(graph, "platform-nodes") == node_policies | {
        Key(kinds.IAM_POLICY, "s3-access"), Key(kinds.IAM_POLICY, "registry-access")}
    assert attached(graph, "compute-nodes") == node_policies | {Key(kinds.IAM_POLICY, "compute-s3-access")}
    compute = graph[Key(kinds.IAM_POLICY, "compute-s3-access")].properties["document"]
    assert [s["Resource"] for s in compute["Statement"]] == [
        ["arn:aws:s3:::domino-test-cluster-user-data"], ["arn:aws:s3:::domino-test-cluster-user-data/*"]]
    registry = graph[Key(kinds.IAM_POLICY, "registry-access")].properties["document"]
    assert [s["Resource"] for s in registry["Statement"]] == [
        ["arn:aws:s3:::domino-test-cluster-registry"], ["arn:aws:s3:::domino-test-cluster-registry/*"]]
    s3 = graph[Key(kinds.IAM_POLICY, "s3-access")].properties["document"]
    assert "arn:aws:s3:::domino-test-cluster-backups/*" in s3["Statement"][1]["Resource"]


def test_every_bucket_gets_a_tls_only_policy_after_it(single_az):
    graph = desired.build(single_az)
    for bucket in of_type(graph, kinds.S3_BUCKET):
        policy = graph[Key(kinds.S3_BUCKET_POLICY, bucket.key.name)]
        assert policy.dependencies == {bucket.key}
        assert policy.properties["document"]["Statement"][0]["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}


def test_an_existing_vpc_is_looked_up_not_created(tmp_path):
    deployment = spec_source.load(str(write_spec(tmp_path / "s.yaml", "byo", vpc_id="vpc-0123456789abcdef0")))
    graph = desired.build(deployment)
    assert graph[Key(kinds.VPC, "vpc")].external
    assert graph[Key(kinds.INTERNET_GATEWAY, "internet-gateway")].external
    assert graph[Key(kinds.SUBNET, "private-us-west-2a")].properties["vpc_id"] == "vpc-0123456789abcdef0"


def test_managed_pools_become_eks_node_groups(tmp_path):
    deployment = spec_source.load(str(write_spec(tmp_path / "s.yaml", "mng", managed=True)))
    graph = desired.build(deployment)
    group = graph[Key(kinds.EKS_NODEGROUP, "domino-default")].properties
    assert group["labels"] == {"dominodatalab.com/node-pool": "default", "domino/build-node": "true"}
    assert group["ami_type"] == "AL2023_x86_64_STANDARD"
    assert Key(kinds.AUTO_SCALING_GROUP, "domino-default") not in graph


def test_an_image_family_apply_cannot_join_is_refused_with_its_location(tmp_path):
    path = write_spec(tmp_path / "s.yaml", "al2")
    path.write_text(path.read_text().replace('"name": "platform",', '"name": "platform", "amiFamily": "AmazonLinux2",'))
    with pytest.raises(InputError) as refused:
        desired.build(spec_source.load(str(path)))
    assert "AmazonLinux2023" in str(refused.value) and refused.value.problems[0].line is not None


def test_the_graph_has_every_resource_the_page_describes():
    kinds_built = {r.key.type for r in desired.build(load_example("multi-az.yaml"))}
    assert kinds_built >= {
        kinds.VPC, kinds.SUBNET, kinds.INTERNET_GATEWAY, kinds.NAT_GATEWAY, kinds.ROUTE_TABLE, kinds.SECURITY_GROUP,
        kinds.EKS_CLUSTER, kinds.IAM_ROLE, kinds.INSTANCE_PROFILE, kinds.LAUNCH_TEMPLATE, kinds.AUTO_SCALING_GROUP,
        kinds.EFS_FILE_SYSTEM, kinds.EFS_MOUNT_TARGET, kinds.S3_BUCKET, kinds.S3_BUCKET_POLICY, kinds.CERTIFICATE,
        kinds.EKS_ADDON,
    }


def test_node_groups_wait_until_their_nodes_can_reach_the_cluster(single_az):
    graph = desired.build(single_az)
    routes = {r.key for r in of_type(graph, kinds.ROUTE_TABLE)}
    rules = {r.key for r in of_type(graph, kinds.SECURITY_GROUP_INGRESS)}
    node_access = {Key(kinds.EKS_ACCESS_ENTRY, "platform-nodes"), Key(kinds.EKS_ACCESS_ENTRY, "compute-nodes")}
    for group in of_type(graph, kinds.AUTO_SCALING_GROUP):
        assert routes | rules | node_access <= ancestors(graph, group.key)


def test_each_pool_launches_with_its_own_role_and_hop_limit(tmp_path):
    path = write_spec(tmp_path / "s.yaml", "hops", gpu=True)
    path.write_text(path.read_text().replace('"name": "default",', '"name": "default", "imdsHopLimit": 1,'))
    graph = desired.build(spec_source.load(str(path)))
    launched = {}
    for template in of_type(graph, kinds.LAUNCH_TEMPLATE):
        data = template.properties["data"]
        launched[template.key.name] = (data["IamInstanceProfile"]["Arn"].key.name,
                                       data["MetadataOptions"]["HttpTokens"],
                                       data["MetadataOptions"]["HttpPutResponseHopLimit"])
    assert launched == {"domino-platform": ("platform-nodes", "required", 2),
                        "domino-default": ("compute-nodes", "required", 1),
                        "domino-gpu": ("compute-nodes", "required", 2)}


def test_the_controllers_get_pod_identity_roles_trusting_eks_pods(single_az):
    graph = desired.build(single_az)
    roles = {r.key.name: (r.properties["service"], attached(graph, r.key.name))
             for r in of_type(graph, kinds.IAM_ROLE) if r.key.name.startswith("pod-")}
    pods = "pods.eks.amazonaws.com"
    assert roles == {"pod-aws-node": (pods, {"AmazonEKS_CNI_Policy"}),
                     "pod-ebs-csi-controller-sa": (pods, {"AmazonEBSCSIDriverPolicy"}),
                     "pod-efs-csi-controller-sa": (pods, {"AmazonEFSCSIDriverPolicy"}),
                     "pod-cluster-autoscaler": (pods, {Key(kinds.IAM_POLICY, "autoscaler")})}
    bound = {(r.properties["namespace"], r.properties["service_account"], r.properties["role_arn"].key.name)
             for r in of_type(graph, kinds.EKS_POD_IDENTITY)}
    assert bound == {("kube-system", "aws-node", "pod-aws-node"),
                     ("kube-system", "ebs-csi-controller-sa", "pod-ebs-csi-controller-sa"),
                     ("kube-system", "efs-csi-controller-sa", "pod-efs-csi-controller-sa"),
                     ("kube-system", "cluster-autoscaler", "pod-cluster-autoscaler")}


def test_every_apply_only_problem_is_reported_before_anything_is_built(tmp_path):
    path = write_spec(tmp_path / "s.yaml", "two-problems", managed=True)
    path.write_text(path.read_text()
                    .replace('"name": "platform",', '"name": "platform", "amiFamily": "AmazonLinux2",')
                    .replace('"name": "default",', '"name": "default", "ami": "ami-0123456789abcdef0",'))
    deployment = spec_source.load(str(path))
    problems = desired.preconditions(deployment)
    assert [p.message.split(":", 1)[0] for p in problems] == [
        "amiFamily 'AmazonLinux2' of pool platform", "pool default is managed"]
    with pytest.raises(InputError) as refused:
        desired.build(deployment)
    assert refused.value.problems == problems


def test_a_buildable_spec_has_no_preconditions_left(single_az):
    assert desired.preconditions(single_az) == []


def test_graviton_pools_get_arm_images_managed_or_not(tmp_path):
    path = write_spec(tmp_path / "s.yaml", "arm", managed=True)
    path.write_text(path.read_text().replace("m5.2xlarge", "m7g.2xlarge"))
    graph = desired.build(spec_source.load(str(path)))
    assert graph[Key(kinds.EKS_NODEGROUP, "domino-default")].properties["ami_type"] == "AL2023_ARM_64_STANDARD"
    image = graph[Key(kinds.LAUNCH_TEMPLATE, "domino-platform")].properties["data"]["ImageId"]
    assert "/amazon-linux-2023/arm64/standard/" in image


def test_arns_name_the_partition_of_the_region(tmp_path):
    path = write_spec(tmp_path / "s.yaml", "china")
    path.write_text(path.read_text().replace("us-west-2", "cn-northwest-1"))
    graph = desired.build(spec_source.load(str(path)))
    policy = graph[Key(kinds.S3_BUCKET_POLICY, "china-backups")].properties["document"]
    assert policy["Statement"][0]["Resource"] == ["arn:aws-cn:s3:::china-backups", "arn:aws-cn:s3:::china-backups/*"]
    role = graph[Key(kinds.IAM_ROLE, "cluster")].properties
    assert role["policy_arns"] == ["arn:aws-cn:iam::aws:policy/AmazonEKSClusterPolicy"]
