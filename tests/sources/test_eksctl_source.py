"""Reading an eksctl ClusterConfig: as strict as eksctl, then mapped onto the canonical model."""

from __future__ import annotations

from pathlib import Path

import pytest

from domino_eks import sources
from domino_eks.errors import InputError
from domino_eks.knowledge import iam
from domino_eks.model import Taint
from domino_eks.sources import eksctl
from tests.conftest import PAGE_MULTI_AZ, PAGE_SINGLE_AZ, TODAY

GOLDEN = Path(__file__).resolve().parent.parent / "golden" / "eksctl"
ZONES = ("us-west-2a", "us-west-2b", "us-west-2c")
# What a misspelt key is told eksctl allows in its place: every field of the schema, as eksctl names it.
CLUSTER_CONFIG_KEYS = (
    "accessConfig, addons, addonsConfig, apiVersion, autoModeConfig, availabilityZones, capabilities, cloudWatch, "
    "controlPlaneScalingConfig, fargateProfiles, gitops, iam, iamIdentityMappings, identityProviders, karpenter, "
    "kind, kubeAPIServerConfig, kubeControllerManagerConfig, kubeSchedulerConfig, kubernetesNetworkConfig, "
    "localZones, managedNodeGroups, metadata, nodeGroups, outpost, privateCluster, "
    "remoteNetworkConfig, secretsEncryption, upgradePolicy, vpc, zonalShiftConfig"
)
NODE_GROUP_KEYS = (
    "additionalVolumes, ami, amiFamily, asgMetricsCollection, asgSuspendProcesses, availabilityZones, bottlerocket, "
    "capacityReservation, classicLoadBalancerNames, clusterDNS, containerRuntime, cpuCredits, desiredCapacity, "
    "disableIMDSv1, disablePodIMDS, ebsOptimized, efaEnabled, enableDetailedMonitoring, enclaveEnabled, iam, "
    "instanceMarketOptions, instanceName, instancePrefix, instanceSelector, instanceType, instancesDistribution, "
    "kubeletExtraConfig, labels, localZones, maxInstanceLifetime, maxPodsPerNode, maxSize, minSize, name, "
    "outpostARN, overrideBootstrapCommand, placement, preBootstrapCommands, privateNetworking, propagateASGTags, "
    "securityGroups, ssh, subnets, tags, taints, targetGroupARNs, updateConfig, volumeEncrypted, volumeIOPS, "
    "volumeKmsKeyID, volumeName, volumeSize, volumeThroughput, volumeType"
)

HEAD = """\
apiVersion: eksctl.io/v1alpha5
kind: ClusterConfig
metadata:
  name: test
  region: us-west-2
"""


def load_text(tmp_path: Path, text: str):
    path = tmp_path / "cluster.yaml"
    path.write_text(text)
    return eksctl.load(str(path), today=TODAY)


def problems(tmp_path: Path, text: str) -> list[str]:
    with pytest.raises(InputError) as caught:
        load_text(tmp_path, text)
    return [str(p) for p in caught.value.problems]


def group_sizes(pool) -> list[tuple]:
    return [(g.name, g.zones, g.instance_type, g.min_size, g.desired_capacity, g.max_size, g.volume_size_gb)
            for g in pool.groups]


def test_the_page_single_az_sample_loads_verbatim():
    deployment = eksctl.load(str(PAGE_SINGLE_AZ), today=TODAY)
    assert [(p.name, p.label) for p in deployment.pools] == [
        ("platform", "platform"), ("default", "default"), ("default-gpu", "default-gpu")]
    platform, default, gpu = deployment.pools
    assert group_sizes(platform) == [("domino-platform", ("us-west-2a",), "m5.2xlarge", 3, 3, 3, 128)]
    assert group_sizes(default) == [("domino-default", ("us-west-2a",), "m5.2xlarge", 0, 1, 10, 400)]
    assert group_sizes(gpu) == [("domino-gpu", ("us-west-2a",), "p2.8xlarge", 0, None, 5, 400)]
    assert default.labels == {"dominodatalab.com/node-pool": "default", "domino/build-node": "true"}
    assert gpu.labels == {"dominodatalab.com/node-pool": "default-gpu", "nvidia.com/gpu": "true"}
    assert len(default.groups[0].pre_bootstrap_commands) == 4
    assert gpu.groups[0].ami == "ami-0ad9a8dc09680cfc2"
    assert gpu.groups[0].ami_family is None  # eksctl would refuse a pinned AMI without its family
    assert gpu.groups[0].tags == {
        "k8s.io/cluster-autoscaler/node-template/label/dominodatalab.com/node-pool": "default-gpu"}
    assert deployment.cluster.control_plane_zones == ZONES
    assert deployment.cluster.version == "1.34"  # eksctl's default when the file names none
    assert deployment.cluster.version_support is not None
    assert deployment.cluster.version_support.status == "standard"
    assert deployment.groups[1].location is not None
    assert deployment.groups[1].location.describe() == f"{PAGE_SINGLE_AZ}:20:5 (nodeGroups[1])"
    assert deployment.source.kind == "eksctl"


def test_the_page_multi_az_sample_loads_verbatim():
    deployment = eksctl.load(str(PAGE_MULTI_AZ), today=TODAY)
    assert [p.label for p in deployment.pools] == ["platform", "default", "default-gpu"]
    sizes_by_pool = [(1, 1, 3), (0, None, 3), (0, None, 2)]
    for pool, (min_size, desired, max_size) in zip(deployment.pools, sizes_by_pool, strict=True):
        assert pool.zones == frozenset(ZONES)
        sizes = [(g.min_size, g.desired_capacity, g.max_size) for g in pool.groups]
        assert sizes == [(min_size, desired, max_size)] * 3
    gpu = deployment.pool("default-gpu")
    assert gpu is not None
    gpu_b = gpu.groups[1]
    assert gpu_b.name == "domino-gpu-b"
    assert gpu_b.tags is not None
    assert gpu_b.tags["k8s.io/cluster-autoscaler/{{ cluster_name }}"] == "owned"
    assert deployment.autoscaler.enabled is True  # the autoscaler tags say so
    assert deployment.access.autoscaler is None  # the page attaches that policy by hand: unknown here


def test_what_an_eksctl_file_cannot_know_stays_unknown():
    deployment = eksctl.load(str(PAGE_SINGLE_AZ), today=TODAY)
    assert deployment.storage.buckets is None and deployment.storage.efs is None
    assert deployment.storage.block_class is None and deployment.storage.ebs_csi_driver is None
    assert deployment.domain.fqdn is None
    assert deployment.network.policy_engine is None  # Calico may be installed afterwards
    assert deployment.network.subnets is None  # eksctl lays them out
    assert (deployment.network.cni, deployment.network.vpc_cidr) == ("vpc-cni", "192.168.0.0/16")
    assert deployment.network.private_nodes is False and deployment.network.nat_gateway is True
    assert deployment.kubernetes.fargate_profiles == ()


def test_load_file_tells_an_eksctl_file_from_a_spec():
    assert sources.load_file(str(PAGE_MULTI_AZ), today=TODAY).source.kind == "eksctl"


def test_a_misspelt_key_is_refused_with_its_position_and_the_right_name(tmp_path):
    found = problems(tmp_path, HEAD + "nodeGroups:\n  - name: ng\n    instanceTyep: m5.2xlarge\n")
    assert found == [
        f"{tmp_path / 'cluster.yaml'}:8:5: unknown field 'nodeGroups[0].instanceTyep' (did you mean 'instanceType'?) "
        f"(allowed here: {NODE_GROUP_KEYS})"
    ]


def test_a_misspelt_top_level_key_is_refused(tmp_path):
    found = problems(tmp_path, HEAD + "availabilityZone: [us-west-2a, us-west-2b]\n")
    assert found == [
        f"{tmp_path / 'cluster.yaml'}:6:1: unknown field 'availabilityZone' (did you mean 'availabilityZones'?) "
        f"(allowed here: {CLUSTER_CONFIG_KEYS})"
    ]


def test_a_value_of_the_wrong_type_is_refused(tmp_path):
    found = problems(tmp_path, HEAD + "nodeGroups:\n  - name: ng\n    minSize: three\n")
    assert found == [f"{tmp_path / 'cluster.yaml'}:8:5: 'nodeGroups[0].minSize': expected an integer, found a "
                     "string ('three')"]


def test_an_unquoted_boolean_label_is_refused_as_eksctl_does(tmp_path):
    found = problems(tmp_path, HEAD + "nodeGroups:\n  - name: ng\n    labels:\n      domino/build-node: true\n")
    assert found == [
        f"{tmp_path / 'cluster.yaml'}:9:7: 'nodeGroups[0].labels.domino/build-node': must be a string, "
        'but YAML reads true as a boolean: quote it ("true")'
    ]


def test_an_unquoted_version_is_refused_and_quoted_back_as_the_file_wrote_it(tmp_path):
    """YAML reads 1.30 as the float 1.3, which names another Kubernetes version: quote the file's text."""
    assert problems(tmp_path, HEAD + "  version: 1.30\n") == [
        f"{tmp_path / 'cluster.yaml'}:6:3: 'metadata.version': must be a string, but YAML reads 1.30 "
        'as a number: quote it ("1.30")'
    ]


def test_a_wrong_api_version_is_refused(tmp_path):
    found = problems(tmp_path, HEAD.replace("eksctl.io/v1alpha5", "eksctl.io/v1alpha4"))
    assert found == [f"{tmp_path / 'cluster.yaml'}:1:1: 'apiVersion': Input should be 'eksctl.io/v1alpha5' "
                     "(got 'eksctl.io/v1alpha4')"]


def test_an_empty_key_keeps_its_default_as_in_eksctl(tmp_path):
    deployment = load_text(tmp_path, HEAD + "nodeGroups:\n  - name: ng\n    labels:\n    volumeSize:\n")
    assert deployment.groups[0].labels == {} and deployment.groups[0].volume_size_gb == 80


def test_every_field_eksctl_accepts_is_accepted():
    deployment = eksctl.load(str(GOLDEN / "every-field.eksctl.yaml"), today=TODAY)
    assert [g.name for g in deployment.groups] == ["platform", "default"]
    assert deployment.kubernetes.fargate_profiles is not None
    assert deployment.kubernetes.fargate_profiles[0].namespaces == ("kube-system",)


def test_legacy_taint_map_form(tmp_path):
    deployment = load_text(tmp_path, HEAD + (
        "nodeGroups:\n  - name: gpu\n    taints:\n"
        "      nvidia.com/gpu: \"true:NoSchedule\"\n      dedicated: \":NoExecute\"\n"
    ))
    assert deployment.groups[0].taints == (
        Taint(key="nvidia.com/gpu", value="true", effect="NoSchedule"),
        Taint(key="dedicated", value="", effect="NoExecute"),
    )


def test_taint_list_form_and_a_bad_effect(tmp_path):
    text = HEAD + "nodeGroups:\n  - name: gpu\n    taints: [{key: dedicated, value: \"true\", effect: NoSchedule}]\n"
    assert load_text(tmp_path, text).groups[0].taints == (Taint(key="dedicated", value="true", effect="NoSchedule"),)
    found = problems(tmp_path, text.replace("effect: NoSchedule", "effect: Never"))
    assert found == [f"{tmp_path / 'cluster.yaml'}:8:46: 'nodeGroups[0].taints[0].effect': Input should be "
                     "'NoSchedule', 'PreferNoSchedule' or 'NoExecute' (got 'Never')"]


def test_a_taint_map_value_without_an_effect_is_refused(tmp_path):
    found = problems(tmp_path, HEAD + "nodeGroups:\n  - name: gpu\n    taints:\n      nvidia.com/gpu: \"true\"\n")
    assert found == [
        f"{tmp_path / 'cluster.yaml'}:8:5: 'nodeGroups[0].taints': Value error, taint 'nvidia.com/gpu': expected "
        '"value:Effect" (e.g. "true:NoSchedule"); taints must be a {key: "value:Effect"} map or a list of '
        "{key, value, effect}"
    ]


def test_managed_node_groups_join_the_pools_of_their_label(tmp_path):
    deployment = load_text(tmp_path, HEAD + """\
nodeGroups:
  - name: platform-a
    availabilityZones: [us-west-2a]
    labels: {dominodatalab.com/node-pool: platform}
managedNodeGroups:
  - name: platform-b
    availabilityZones: [us-west-2b]
    instanceTypes: [m5.2xlarge]
    labels: {dominodatalab.com/node-pool: platform}
  - name: spare
    instanceTypes: [m5.large, m5.xlarge]
""")
    platform, spare = deployment.pools
    assert [(g.name, g.managed) for g in platform.groups] == [("platform-a", False), ("platform-b", True)]
    assert platform.groups[1].instance_type == "m5.2xlarge"
    assert (spare.name, spare.label, spare.groups[0].instance_type) == ("spare", None, None)  # which type: unknown
    assert spare.groups[0].zones is None  # no zones here or at the top: eksctl picks them


def test_groups_without_zones_span_the_cluster_zones(tmp_path):
    deployment = load_text(tmp_path, HEAD + "availabilityZones: [us-west-2a, us-west-2b]\nnodeGroups:\n  - name: ng\n")
    assert deployment.groups[0].zones == ("us-west-2a", "us-west-2b")


def test_fargate_profiles_are_read(tmp_path):
    deployment = load_text(tmp_path, HEAD + """\
fargateProfiles:
  - name: domino
    selectors: [{namespace: compute}, {namespace: platform, labels: {app: x}}]
""")
    assert [(p.name, p.namespaces) for p in deployment.kubernetes.fargate_profiles] == [
        ("domino", ("compute", "platform"))]


@pytest.mark.parametrize(("values", "engine"), [
    ("'{\"enableNetworkPolicy\": \"true\"}'", "vpc-cni"),
    ("'{\"enableNetworkPolicy\": \"false\"}'", None),
    ("'enableNetworkPolicy: \"true\"'", "vpc-cni"),  # EKS takes YAML configuration values too
])
def test_the_vpc_cni_network_policy_agent(tmp_path, values, engine):
    deployment = load_text(tmp_path, HEAD + f"addons:\n  - name: vpc-cni\n    configurationValues: {values}\n")
    assert deployment.network.policy_engine == engine
    assert deployment.network.cni == "vpc-cni"


def test_configuration_values_that_do_not_parse_are_refused(tmp_path):
    found = problems(tmp_path, HEAD + "addons:\n  - name: vpc-cni\n    configurationValues: '{\"a\": [}'\n")
    assert found == [f"{tmp_path / 'cluster.yaml'}:8:5: 'addons[0].configurationValues' is not valid JSON or YAML: "
                     "expected the node content, but found '}'"]


def test_without_default_addons_the_network_plugin_is_unknown(tmp_path):
    deployment = load_text(tmp_path, HEAD + "addonsConfig: {disableDefaultAddons: true}\n")
    assert deployment.network.cni is None


def test_propagated_asg_tags_are_recorded(tmp_path):
    deployment = load_text(tmp_path, HEAD + """\
nodeGroups:
  - name: gpu
    propagateASGTags: true
    labels: {nvidia.com/gpu: "true"}
    taints: [{key: nvidia.com/gpu, value: "true", effect: NoSchedule}]
    tags: {team: ml}
""")
    assert deployment.groups[0].tags == {
        "k8s.io/cluster-autoscaler/node-template/label/nvidia.com/gpu": "true",
        "k8s.io/cluster-autoscaler/node-template/taint/nvidia.com/gpu": "true:NoSchedule",
        "team": "ml",
    }


def test_the_autoscaler_addon_policy_grants_eksctl_s_actions(tmp_path):
    deployment = load_text(tmp_path, HEAD + """\
nodeGroups:
  - name: platform
    labels: {dominodatalab.com/node-pool: platform}
    iam: {withAddonPolicies: {autoScaler: true}}
""")
    granted = {a for s in deployment.access.autoscaler.statements for a in s.actions}
    assert granted == set(iam.AUTOSCALER_REQUIRED) | set(iam.AUTOSCALER_RECOMMENDED)
    assert deployment.access.autoscaler.where == "instance role of node group platform"
    assert deployment.autoscaler.enabled is True


def test_inline_policies_are_the_node_role_grants(tmp_path):
    deployment = load_text(tmp_path, HEAD + """\
nodeGroups:
  - name: platform
    labels: {dominodatalab.com/node-pool: platform}
    iam:
      attachPolicy:
        Version: "2012-10-17"
        Statement: {Effect: Allow, Action: s3:GetObject, Resource: "arn:aws:s3:::logs/*"}
  - name: default
    labels: {dominodatalab.com/node-pool: default}
    iam:
      attachPolicy:
        Version: "2012-10-17"
        Statement:
          - {Effect: Allow, Action: [s3:GetObject, s3:PutObject], Resource: "arn:aws:s3:::logs/*"}
""")
    # pods may run on either group, so the role granting less is the one that counts
    assert deployment.access.node_role.statements[0].actions == ("s3:GetObject",)
    assert deployment.access.node_role.where == "instance role of node group platform"
    assert deployment.access.autoscaler.statements[0].actions == ("s3:GetObject",)
    assert deployment.autoscaler.enabled is None


def test_a_group_declaring_no_policy_leaves_the_grants_unknown(tmp_path):
    deployment = load_text(tmp_path, HEAD + """\
nodeGroups:
  - name: a
    iam: {attachPolicy: {Statement: [{Effect: Allow, Action: "s3:*", Resource: "*"}]}}
  - name: b
""")
    assert deployment.access.node_role is None


def test_explicit_subnets_and_nat(tmp_path):
    deployment = load_text(tmp_path, HEAD + """\
vpc:
  id: vpc-0123
  nat: {gateway: Disable}
  subnets:
    private:
      us-west-2a: {id: subnet-a, cidr: 10.0.0.0/23}
      b: {id: subnet-b, az: us-west-2b, cidr: 10.0.2.0/23}
""")
    network = deployment.network
    assert (network.vpc_id, network.vpc_cidr, network.nat_gateway) == ("vpc-0123", None, False)
    assert [(s.zone, s.cidr, s.id, s.public) for s in network.subnets] == [
        ("us-west-2a", "10.0.0.0/23", "subnet-a", False), ("us-west-2b", "10.0.2.0/23", "subnet-b", False)]


def test_imds_and_volume_defaults_follow_eksctl(tmp_path):
    group = load_text(tmp_path, HEAD + "nodeGroups:\n  - name: ng\n").groups[0]
    assert (group.volume_size_gb, group.volume_type, group.imdsv2_required) == (80, "gp3", True)
    assert (group.ami, group.ami_family, group.private_networking) == (None, "AmazonLinux2023", False)


def test_load_file_reads_a_file_by_its_kind_when_its_api_version_is_wrong(tmp_path):
    path = tmp_path / "cluster.yaml"
    path.write_text(HEAD.replace("eksctl.io/v1alpha5", "eksctl.io/v1alpha4"))
    with pytest.raises(InputError) as caught:
        sources.load_file(str(path))
    assert [str(p) for p in caught.value.problems] == [
        f"{path}:1:1: 'apiVersion': Input should be 'eksctl.io/v1alpha5' (got 'eksctl.io/v1alpha4')"]


def test_load_file_refuses_a_file_that_is_neither_a_spec_nor_an_eksctl_file(tmp_path):
    path = tmp_path / "other.yaml"
    path.write_text("apiVersion: v1\nkind: ConfigMap\n")
    with pytest.raises(InputError) as caught:
        sources.load_file(str(path))
    assert [str(p) for p in caught.value.problems] == [
        f"{path}:1:1: unrecognised file: apiVersion 'v1', kind 'ConfigMap'; expected a domino-eks spec "
        "(domino-eks.io/v1alpha1, kind DominoCluster) or an eksctl ClusterConfig "
        "(eksctl.io/v1alpha5, kind ClusterConfig)"
    ]
