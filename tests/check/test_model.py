"""The snapshot -> Deployment analysis, as pure functions over recorded, real-shaped Kubernetes JSON and
describe-shaped AWS responses: every model fact the rules read, and what stays unknown."""

from __future__ import annotations

import copy
from datetime import date

import pytest

from domino_eks import rules
from domino_eks.model import Taint, autoscaler_tags
from domino_eks.rules.base import Status
from domino_eks.sources import snapshot as snapshots
from tests.check.support import items_of, recorded_list, snapshot_parts

TODAY = date(2026, 11, 24)


def snapshot_of(document: dict | None = None, *, aws: dict | None = None, target: dict | None = None,
                errors: dict | None = None, **kubernetes) -> dict:
    """A snapshot of the recorded cluster (or `document`), its objects pruned as the collectors prune them."""
    snapshot = {"kind": "domino-eks/snapshot", "version": 1, "target": target or {},
                "kubernetes": {**snapshot_parts(document or recorded_list()), **kubernetes}, "errors": errors or {}}
    if aws is not None:
        snapshot["aws"] = aws
    return snapshot


def model(snapshot: dict, file: str | None = "cluster.json"):
    return snapshots.to_deployment(snapshot, file=file, today=TODAY)


def edited(change, kind: str = "Node", where=lambda item: True) -> dict:
    """The recorded List with `change` applied to each item of `kind` that `where` selects."""
    document = recorded_list()
    for item in items_of(document, kind):
        if where(item):
            change(item)
    return document


def in_pool(pool: str, zone: str | None = None):
    def selects(node: dict) -> bool:
        labels = node["metadata"]["labels"]
        return labels["dominodatalab.com/node-pool"] == pool and zone in (None, labels["topology.kubernetes.io/zone"])
    return selects


def finding(deployment, rule_id: str):
    return [f for f in rules.REGISTRY.evaluate(deployment) if f.id == rule_id]


def test_pools_zones_and_instance_types_come_from_the_nodes_well_known_labels():
    deployment = model(snapshot_of())

    pools = {p.label: p for p in deployment.pools}
    assert set(pools) == {"platform", "default", "default-gpu"}
    assert pools["platform"].zones == {"us-west-2a", "us-west-2b", "us-west-2c"}
    assert [g.name for g in pools["default"].groups] == ["domino-default-a", "domino-default-b", "domino-default-c"]
    assert {g.instance_type for g in pools["default-gpu"].groups} == {"g5.2xlarge"}
    assert all(g.managed is False and g.ami_family == "AmazonLinux2023" for g in deployment.groups)


def test_a_pool_is_defined_by_its_labels_without_the_per_node_system_labels():
    default = model(snapshot_of()).pool("default")

    assert dict(default.groups[0].labels) == {
        "dominodatalab.com/node-pool": "default", "domino/build-node": "true", "node-lifecycle": "on-demand"}


def test_readiness_comes_from_the_ready_condition():
    def not_ready(node):
        ready = next(c for c in node["status"]["conditions"] if c["type"] == "Ready")
        ready.update(status="Unknown", reason="NodeStatusUnknown")

    deployment = model(snapshot_of(edited(not_ready, where=in_pool("default", "us-west-2b"))))

    nodes = {n.name: n for g in deployment.pool("default").groups for n in g.nodes}
    assert nodes["ip-10-0-2-41.us-west-2.compute.internal"].ready is False
    assert nodes["ip-10-0-0-40.us-west-2.compute.internal"].ready is True
    assert [f.status for f in finding(deployment, "K002")] == [Status.FAIL]


def test_gpu_readiness_comes_from_the_allocatable_gpus():
    def no_gpus(node):
        node["status"]["allocatable"]["nvidia.com/gpu"] = "0"

    deployment = model(snapshot_of(edited(no_gpus, where=in_pool("default-gpu", "us-west-2c"))))

    gpus = {n.zone: n.gpu_allocatable for g in deployment.pool("default-gpu").groups for n in g.nodes}
    assert gpus == {"us-west-2a": 1, "us-west-2b": 1, "us-west-2c": 0}
    assert {n.gpu_allocatable for g in deployment.pool("platform").groups for n in g.nodes} == {None}


def test_lifecycle_taints_are_not_part_of_a_pool():
    def cordoned(node):
        node["spec"]["unschedulable"] = True
        node["spec"].setdefault("taints", []).append(
            {"key": "node.kubernetes.io/unschedulable", "effect": "NoSchedule"})

    deployment = model(snapshot_of(edited(cordoned, where=in_pool("default-gpu", "us-west-2a"))))

    group = deployment.pool("default-gpu").groups[0]
    assert group.taints == (Taint(key="nvidia.com/gpu", value="true", effect="NoSchedule"),)
    assert group.nodes[0].schedulable is False


def test_fargate_nodes_belong_to_no_pool():
    document = recorded_list()
    fargate = copy.deepcopy(items_of(document, "Node")[0])
    fargate["metadata"]["labels"] = {"eks.amazonaws.com/compute-type": "fargate",
                                     "topology.kubernetes.io/zone": "us-west-2a"}
    fargate["metadata"]["name"] = "fargate-ip-10-0-9-9.us-west-2.compute.internal"
    document["items"].append(fargate)

    deployment = model(snapshot_of(document))

    names = [n.name for g in deployment.groups for n in g.nodes]
    assert len(names) == len(items_of(recorded_list(), "Node")) == 9
    assert not any(name.startswith("fargate-") for name in names)


def test_nodes_without_the_node_pool_label_form_an_unlabelled_pool():
    deployment = model(snapshot_of(edited(lambda n: n["metadata"]["labels"].pop("dominodatalab.com/node-pool"),
                                          where=in_pool("default-gpu"))))

    unlabelled = next(p for p in deployment.pools if p.label is None)
    assert unlabelled.name == "unlabelled" and len(unlabelled.groups) == 3
    assert unlabelled not in deployment.domino_pools


def _aws_node(document: dict) -> dict:
    return next(d for d in items_of(document, "DaemonSet") if d["metadata"]["name"] == "aws-node")


def _policy_flag_off(document: dict) -> dict:
    agent = _aws_node(document)["spec"]["template"]["spec"]["containers"][1]
    agent["args"] = [a.replace("--enable-network-policy=true", "--enable-network-policy=false") for a in agent["args"]]
    return document


def _with_calico(document: dict) -> dict:
    calico = copy.deepcopy(_aws_node(document))
    calico["metadata"].update(name="calico-node", namespace="calico-system")
    document["items"].append(calico)
    return _policy_flag_off(document)


def _aws_node_not_running(document: dict) -> dict:
    _aws_node(document)["status"]["numberReady"] = 0
    return document


def _without_aws_node(document: dict) -> dict:
    document["items"].remove(_aws_node(document))
    return document


@pytest.mark.parametrize("change, cni, engine", [
    (lambda d: d, "vpc-cni", "vpc-cni"),
    (_policy_flag_off, "vpc-cni", "none"),
    (_with_calico, "vpc-cni", "calico"),
    (_aws_node_not_running, "other", None),
    (_without_aws_node, "other", None),
])
def test_the_network_plugin_is_what_actually_runs(change, cni, engine):
    network = model(snapshot_of(change(recorded_list()))).network

    assert (network.cni, network.policy_engine) == (cni, engine)


def test_a_namespace_named_calico_system_alone_is_not_calico():
    document = recorded_list()
    namespace = copy.deepcopy(items_of(document, "Namespace")[0])
    namespace["metadata"]["name"] = "calico-system"
    document["items"].append(namespace)

    assert model(snapshot_of(_policy_flag_off(document))).network.policy_engine == "none"


def test_prefix_delegation_and_private_nodes_come_from_the_cluster():
    def prefix_on(daemon_set):
        env = daemon_set["spec"]["template"]["spec"]["containers"][0]["env"]
        next(e for e in env if e["name"] == "ENABLE_PREFIX_DELEGATION")["value"] = "true"

    def public_ip(node):
        node["status"]["addresses"].append({"address": "54.1.2.3", "type": "ExternalIP"})

    network = model(snapshot_of(edited(prefix_on, "DaemonSet", lambda d: d["metadata"]["name"] == "aws-node"))).network
    public = model(snapshot_of(edited(public_ip, where=in_pool("platform", "us-west-2a"))))

    assert network.prefix_delegation is True and network.private_nodes is True
    assert public.network.private_nodes is False and public.pool("platform").groups[0].private_networking is False


def test_the_block_class_is_the_default_ebs_class_unless_the_spec_names_one():
    assert model(snapshot_of()).storage.block_class.name == "dominodisk"
    assert model(snapshot_of(target={"block_class": "gp2"})).storage.block_class.provisioner == "kubernetes.io/aws-ebs"
    assert model(snapshot_of(target={"block_class": "absent"})).storage.block_class is None


def test_csi_drivers_and_storage_classes_are_read_as_listed():
    document = recorded_list()
    document["items"] = [i for i in document["items"] if i["metadata"]["name"] != "ebs.csi.aws.com"]

    deployment = model(snapshot_of(document))

    assert deployment.storage.ebs_csi_driver is False and deployment.kubernetes.csi_drivers == ("efs.csi.aws.com",)
    assert [c.name for c in deployment.kubernetes.storage_classes] == ["gp2", "dominodisk", "dominoshared"]


def test_workloads_in_dominos_namespaces_that_are_not_dominos_are_named():
    document = recorded_list()
    namespace = copy.deepcopy(items_of(document, "Namespace")[0])
    namespace["metadata"]["name"] = "platform"
    document["items"].append(namespace)
    pods = [
        {"metadata": {"name": "grafana-7d9f-x2", "namespace": "platform", "labels": {"app": "grafana"},
                      "ownerReferences": [{"kind": "ReplicaSet", "name": "grafana-7d9f"}]}},
        {"metadata": {"name": "nucleus-frontend-0", "namespace": "platform",
                      "labels": {"app.kubernetes.io/part-of": "domino"}}},
    ]

    known = model(snapshot_of(document, pods=pods)).kubernetes.namespaces
    unknown = model(snapshot_of(document)).kubernetes.namespaces

    assert [(n.name, n.foreign_workloads) for n in known] == [("platform", ("ReplicaSet/grafana-7d9f",))]
    assert unknown is None  # a kubectl dump lists no pods: what runs in platform is not known


def test_the_version_is_the_control_planes_else_the_newest_kubelets():
    assert model(snapshot_of(server_version="v1.34.2-eks-b707fbb")).cluster.version == "1.34"
    assert model(snapshot_of()).cluster.version == "1.35"


def test_the_support_calendar_comes_from_eks_when_it_answered():
    aws = {"cluster": {"name": "domino-prod", "version": "1.31", "arn": "arn:aws:eks:eu-west-1:1:cluster/domino-prod"},
           "cluster_versions": [{"clusterVersion": "1.31", "versionStatus": "EXTENDED_SUPPORT",
                                 "endOfStandardSupportDate": "2025-11-26T00:00:00+00:00",
                                 "endOfExtendedSupportDate": "2026-11-26T00:00:00+00:00"}]}

    cluster = model(snapshot_of(aws=aws)).cluster

    assert cluster.region == "eu-west-1"
    assert cluster.version_support.model_dump() == {"status": "extended", "end_of_standard": "2025-11-26",
                                                    "end_of_extended": "2026-11-26", "as_of": "2026-11-24",
                                                    "source": "api"}
    assert model(snapshot_of()).cluster.version_support.source == "table"


def test_a_cluster_without_a_name_anywhere_has_its_name_unknown():
    document = edited(lambda n: n["metadata"]["labels"].pop("alpha.eksctl.io/cluster-name"))

    unnamed = model(snapshot_of(document))
    assert (unnamed.cluster.name, unnamed.cluster.location) == (None, None)
    assert model(snapshot_of(document, target={"cluster": "named"})).cluster.name == "named"


def test_what_was_not_collected_is_a_gap_the_rules_cite():
    deployment = model(snapshot_of(errors={"aws": "no AWS credentials", "csidrivers": "Forbidden: no"}))

    assert deployment.source.gaps["aws"] == "no AWS credentials"
    assert "pass --fqdn" in deployment.source.gaps["domain"] and "--bucket" in deployment.source.gaps["s3"]
    assert (deployment.source.kind, deployment.source.file, deployment.live) == ("dump", "cluster.json", True)


def test_a_kubernetes_list_that_was_refused_is_cited_by_the_rules_that_needed_it():
    snapshot = snapshot_of(errors={"storageclasses": "Forbidden: storageclasses is forbidden"})
    del snapshot["kubernetes"]["storageclasses"]

    deployment = model(snapshot)

    assert deployment.source.gaps["kubernetes"] == "storageclasses: Forbidden: storageclasses is forbidden"
    assert "storageclasses" not in deployment.source.gaps  # gaps are by service, as the rules cite them
    s001 = finding(deployment, "S001")
    assert [f.status for f in s001] == [Status.SKIP]
    assert "storageclasses: Forbidden: storageclasses is forbidden" in s001[0].message


def test_the_facts_stand_as_of_the_day_given_not_the_day_they_are_read():
    certificate = [{"CertificateArn": "arn:c", "DomainName": "domino.example.com", "Status": "ISSUED",
                    "NotAfter": "2026-12-04T00:00:00+00:00"}]
    snapshot = snapshot_of(aws={"certificates": certificate}, target={"fqdn": "domino.example.com"})

    before = snapshots.to_deployment(snapshot, date(2026, 11, 24)).domain.certificate
    after = snapshots.to_deployment(snapshot, date(2026, 12, 14)).domain.certificate
    assert before is not None and before.days_left == 10
    assert after is not None and after.days_left == -10
    assert snapshots.collection_day({"collected_at": "2026-11-24T08:00:00+00:00"}) == date(2026, 11, 24)
    assert snapshots.collection_day(snapshot) is None  # a kubectl List does not say when it was taken


# --- the AWS side: describe-shaped responses -------------------------------------------------------------


def asg(name: str, zone: str, low: int, high: int, desired: int, tags: dict) -> dict:
    return {"AutoScalingGroupName": name, "MinSize": low, "MaxSize": high, "DesiredCapacity": desired,
            "AvailabilityZones": [zone], "VPCZoneIdentifier": f"subnet-{zone[-1]}",
            "LaunchTemplate": {"LaunchTemplateId": "lt-1", "Version": "$Latest"},
            "Tags": [{"Key": k, "Value": v, "ResourceId": name, "PropagateAtLaunch": True} for k, v in tags.items()]}


GPU_TAGS = {"k8s.io/cluster-autoscaler/node-template/label/dominodatalab.com/node-pool": "default-gpu",
            "k8s.io/cluster-autoscaler/node-template/label/nvidia.com/gpu": "true",
            "k8s.io/cluster-autoscaler/node-template/taint/nvidia.com/gpu": "true:NoSchedule",
            "k8s.io/cluster-autoscaler/enabled": "true"}


def test_a_pool_scaled_to_zero_is_seen_through_its_auto_scaling_groups():
    template = {"InstanceType": "g5.2xlarge", "ImageId": "ami-1", "MetadataOptions": {"HttpTokens": "required"},
                "BlockDeviceMappings": [{"DeviceName": "/dev/xvda", "Ebs": {"VolumeSize": 400, "VolumeType": "gp3"}}]}
    aws = {"auto_scaling_groups": [asg("domino-gpu-a", "us-west-2a", 0, 5, 0, GPU_TAGS)],
           "launch_templates": {"domino-gpu-a": template},
           "images": [{"ImageId": "ami-1", "Name": "amazon-eks-node-al2023-x86_64-nvidia-1.35-v20261101"}]}
    document = recorded_list()
    document["items"] = [i for i in document["items"] if i["kind"] != "Node" or not in_pool("default-gpu")(i)]

    deployment = model(snapshot_of(document, aws=aws))

    group = deployment.pool("default-gpu").groups[0]
    assert (group.name, group.zones, group.min_size, group.max_size, group.desired_capacity) == (
        "domino-gpu-a", ("us-west-2a",), 0, 5, 0)
    assert (group.instance_type, group.volume_size_gb, group.volume_type) == ("g5.2xlarge", 400, "gp3")
    assert group.taints == (Taint(key="nvidia.com/gpu", value="true", effect="NoSchedule"),)
    assert (group.ami_exists, group.ami_accelerated, group.ami_family, group.imdsv2_required) == (
        True, True, "AmazonLinux2023", True)
    assert group.nodes == () and group.tags["k8s.io/cluster-autoscaler/enabled"] == "true"
    assert deployment.autoscaler.enabled is True


def test_the_scale_from_zero_tags_the_tool_writes_read_back_as_the_groups_labels_and_taints():
    labels = {"dominodatalab.com/node-pool": "default-gpu", "nvidia.com/gpu": "true"}
    taints = (Taint(key="nvidia.com/gpu", value="true", effect="NoSchedule"),)
    tags = autoscaler_tags("domino-prod", labels, taints, 0)
    aws = {"auto_scaling_groups": [asg("gpu-a", "us-west-2a", 0, 5, 0, tags)]}
    document = recorded_list()
    document["items"] = [i for i in document["items"] if i["kind"] != "Node" or not in_pool("default-gpu")(i)]

    group = model(snapshot_of(document, aws=aws)).pool("default-gpu").groups[0]

    assert (dict(group.labels), group.taints, group.nodes) == (labels, taints, ())


def test_nodes_join_the_auto_scaling_group_their_instance_belongs_to():
    aws = {"auto_scaling_groups": [asg("platform-a", "us-west-2a", 1, 1, 1, {})],
           "instances": [{"InstanceId": "i-0a1b2c3d4e5f60000",
                          "Tags": [{"Key": "aws:autoscaling:groupName", "Value": "platform-a"}]}]}

    platform = model(snapshot_of(aws=aws)).pool("platform")

    assert [(g.name, len(g.nodes)) for g in platform.groups] == [
        ("platform-a", 1), ("domino-platform-b", 1), ("domino-platform-c", 1)]


def test_an_eks_managed_node_group_keeps_its_sizes_labels_and_taints():
    nodegroup = {"nodegroupName": "gpu", "scalingConfig": {"minSize": 0, "maxSize": 4, "desiredSize": 0},
                 "instanceTypes": ["g6.xlarge"], "diskSize": 200, "amiType": "AL2023_x86_64_NVIDIA",
                 "labels": {"dominodatalab.com/node-pool": "gpu"}, "subnets": ["subnet-a"],
                 "taints": [{"key": "nvidia.com/gpu", "value": "true", "effect": "NO_SCHEDULE"}],
                 "nodeRole": "arn:aws:iam::1:role/gpu-nodes"}
    aws = {"nodegroups": [nodegroup], "subnets": [{"SubnetId": "subnet-a", "AvailabilityZone": "us-west-2a",
                                                   "CidrBlock": "10.0.0.0/21", "VpcId": "vpc-1"}]}

    group = model(snapshot_of(aws=aws)).pool("gpu").groups[0]

    assert (group.managed, group.min_size, group.max_size, group.instance_type, group.volume_size_gb) == (
        True, 0, 4, "g6.xlarge", 200)
    assert (group.zones, group.ami_family, group.ami_accelerated) == (("us-west-2a",), "AmazonLinux2023", True)
    assert group.taints == (Taint(key="nvidia.com/gpu", value="true", effect="NoSchedule"),)


def test_a_subnet_is_public_when_its_route_table_reaches_an_internet_gateway():
    subnets = [{"SubnetId": s, "AvailabilityZone": "us-west-2a", "CidrBlock": c, "VpcId": "vpc-1",
                "AvailableIpAddressCount": 2000} for s, c in (("subnet-private", "10.0.0.0/21"),
                                                              ("subnet-public", "10.0.100.0/24"))]
    tables = [
        {"VpcId": "vpc-1", "Associations": [{"Main": True}], "Routes": [
            {"DestinationCidrBlock": "0.0.0.0/0", "NatGatewayId": "nat-1"}]},
        {"VpcId": "vpc-1", "Associations": [{"SubnetId": "subnet-public"}], "Routes": [
            {"DestinationCidrBlock": "0.0.0.0/0", "GatewayId": "igw-1"}]},
    ]
    aws = {"subnets": subnets, "route_tables": tables, "vpcs": [{"VpcId": "vpc-1", "CidrBlock": "10.0.0.0/16"}],
           "nat_gateways": [{"NatGatewayId": "nat-1", "State": "available"}]}

    network = model(snapshot_of(aws=aws)).network

    assert {s.id: s.public for s in network.subnets} == {"subnet-private": False, "subnet-public": True}
    assert (network.vpc_id, network.vpc_cidr, network.nat_gateway) == ("vpc-1", "10.0.0.0/16", True)
    assert network.subnets[0].free_addresses == 2000


def efs_facts(rule_source: str) -> dict:
    return {
        "instances": [{"InstanceId": "i-1", "SecurityGroups": [{"GroupId": "sg-nodes"}, {"GroupId": "sg-extra"}]},
                      {"InstanceId": "i-2", "SecurityGroups": [{"GroupId": "sg-nodes"}]}],
        "security_groups": [{"GroupId": "sg-efs", "IpPermissions": [
            {"IpProtocol": "tcp", "FromPort": 2049, "ToPort": 2049, "UserIdGroupPairs": [{"GroupId": rule_source}]}]}],
        "efs": {"file_system": {"FileSystemId": "fs-1", "Encrypted": True},
                "mount_targets": [{"MountTargetId": f"fsmt-{z}", "AvailabilityZoneName": f"us-west-2{z}",
                                   "SecurityGroups": ["sg-efs"]} for z in "abc"],
                "access_points": [{"AccessPointId": "fsap-1"}]},
    }


@pytest.mark.parametrize("rule_source, admits", [("sg-nodes", True), ("sg-extra", False)])
def test_efs_admits_nfs_only_from_the_security_group_every_node_shares(rule_source, admits):
    efs = model(snapshot_of(aws=efs_facts(rule_source))).storage.efs

    assert efs.admits_nfs_from_nodes is admits
    assert (efs.file_system_id, efs.access_point_id, efs.encrypted) == ("fs-1", "fsap-1", True)
    assert efs.mount_target_zones == ("us-west-2a", "us-west-2b", "us-west-2c")


def test_bucket_settings_never_configured_are_off_and_unread_ones_unknown():
    buckets = {
        "user_data": {"name": "d-user-data", "exists": True, "public_access_block": None, "encryption": None,
                      "policy": None, "versioning": {}},
        "logs": {"name": "d-logs", "exists": True, "versioning": {"Status": "Enabled"}},
        "backups": {"name": "d-backups", "exists": False},
    }
    target = {"buckets": {"user_data": "d-user-data", "logs": "d-logs", "backups": "d-backups"}}

    found = {b.role: b for b in model(snapshot_of(aws={"buckets": buckets}, target=target)).storage.buckets}

    assert set(found) == {"user_data", "logs"}  # the backups bucket does not exist
    assert [f.message for f in finding(model(snapshot_of(aws={"buckets": buckets}, target=target)), "S006")] == [
        "0 buckets have the backups role, not exactly one: Domino needs one bucket each for user data, logs and "
        "backups."]
    assert (found["user_data"].blocks_public_access, found["user_data"].encrypted, found["user_data"].tls_only,
            found["user_data"].versioning) == (False, False, False, False)
    assert (found["logs"].blocks_public_access, found["logs"].encrypted, found["logs"].versioning) == (
        None, None, True)


def test_the_certificate_is_the_best_one_covering_the_fqdn():
    certificates = [
        {"CertificateArn": "arn:old", "DomainName": "*.example.com", "Status": "EXPIRED",
         "NotAfter": "2026-01-01T00:00:00+00:00"},
        {"CertificateArn": "arn:good", "DomainName": "example.com", "SubjectAlternativeNames": ["*.example.com"],
         "Status": "ISSUED", "NotAfter": "2026-12-14T12:00:00+00:00"},
        {"CertificateArn": "arn:deeper", "DomainName": "*.a.example.com", "Status": "ISSUED",
         "NotAfter": "2027-12-14T12:00:00+00:00"},
    ]

    covered = model(snapshot_of(aws={"certificates": certificates}, target={"fqdn": "domino.example.com"}))
    uncovered = model(snapshot_of(aws={"certificates": certificates[2:]}, target={"fqdn": "domino.example.com"}))

    assert (covered.domain.certificate.arn, covered.domain.certificate.days_left) == ("arn:good", 20)
    assert uncovered.domain.certificate.domain_names == ()
    assert [(f.status, f.message) for f in finding(uncovered, "D002")] == [
        (Status.FAIL, "no certificate covers domino.example.com: browsers and clients reject HTTPS to Domino.")]


def test_a_certificate_without_a_name_is_passed_over():
    unnamed = {"CertificateArn": "arn:unnamed", "Status": "ISSUED", "NotAfter": "2027-01-01T00:00:00+00:00"}
    named = {"CertificateArn": "arn:named", "DomainName": "domino.example.com", "Status": "ISSUED",
             "NotAfter": "2026-12-14T12:00:00+00:00"}

    certificate = model(snapshot_of(aws={"certificates": [unnamed, named]},
                                    target={"fqdn": "domino.example.com"})).domain.certificate

    assert (certificate.arn, certificate.domain_names) == ("arn:named", ("domino.example.com",))


@pytest.mark.parametrize("named, found, gap", [
    ({"user_data": "d-user-data", "logs": "d-logs"}, {"user_data", "logs"},
     "no bucket name given for backups: pass --bucket backups=NAME or --spec"),
    ({"user_data": "d-user-data", "logs": "d-logs", "backups": "d-backups"}, {"user_data", "logs"}, None),
])
def test_buckets_not_all_looked_up_are_unknown_not_missing(named, found, gap):
    """A bucket nobody named, or whose lookup was refused (the collector notes why), would read as missing."""
    buckets = {role: {"name": name, "exists": True} for role, name in named.items() if role in found}

    deployment = model(snapshot_of(aws={"buckets": buckets}, target={"buckets": named},
                                   errors={} if gap else {"s3": "HeadBucket: AccessDenied: Forbidden"}))

    assert deployment.storage.buckets is None
    assert (gap or "HeadBucket: AccessDenied") in deployment.source.gaps["s3"]
    s006 = finding(deployment, "S006")
    assert [f.status for f in s006] == [Status.SKIP] and deployment.source.gaps["s3"] in s006[0].message


def test_the_platform_nodes_role_grants_s3_and_autoscaling():
    aws = {"auto_scaling_groups": [asg("platform-a", "us-west-2a", 1, 1, 1, {})],
           "launch_templates": {"platform-a": {"IamInstanceProfile": {"Name": "nodes"}}},
           "instance_profiles": [{"Arn": "arn:aws:iam::1:instance-profile/nodes", "InstanceProfileName": "nodes",
                                  "Roles": [{"RoleName": "domino-nodes"}]}],
           "instances": [{"InstanceId": "i-0a1b2c3d4e5f60000",
                          "Tags": [{"Key": "aws:autoscaling:groupName", "Value": "platform-a"}]}],
           "roles": {"domino-nodes": [{"name": "s3", "document": {"Version": "2012-10-17", "Statement": {
               "Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::d-logs"}}}]}}

    access = model(snapshot_of(aws=aws)).access

    assert access.node_role.where == "role domino-nodes" and access.autoscaler == access.node_role
    assert access.node_role.statements[0].actions == ("s3:ListBucket",)
