"""The rendered eksctl ClusterConfig is the page's sample plus exactly the fixes its header lists."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from domino_eks.knowledge import iam
from domino_eks.model import NODE_POOL_LABEL
from domino_eks.render import eksctl as render_eksctl
from domino_eks.sources import eksctl, spec
from domino_eks.sources.eksctl import published_schema
from tests.conftest import EXAMPLES, PAGE_MULTI_AZ, PAGE_SINGLE_AZ, ROOT, TODAY

GOLDEN = ROOT / "tests" / "golden" / "eksctl"  # shared with the eksctl source's tests
CLUSTER = "domino-test-cluster"
TEMPLATE_TAG = "k8s.io/cluster-autoscaler/{{ cluster_name }}"
ADDONS = [
    {"name": "vpc-cni", "configurationValues": '{"enableNetworkPolicy": "true"}'},
    {"name": "aws-ebs-csi-driver"},
    {"name": "aws-efs-csi-driver"},
    {"name": "eks-pod-identity-agent"},  # hands the associations' pods their roles' credentials
]
MANAGED = "arn:aws:iam::aws:policy/"
NODE_POLICIES = [f"{MANAGED}AmazonEKSWorkerNodePolicy", f"{MANAGED}AmazonEC2ContainerRegistryReadOnly"]


def pod_identity_associations(deployment) -> list[dict]:
    """The controllers' roles apply makes, as eksctl's iam.podIdentityAssociations name them."""
    autoscaler = next(p for p in deployment.access.pod_identities if p.service_account == "cluster-autoscaler")
    return [
        {"namespace": "kube-system", "serviceAccountName": "aws-node", "roleName": f"{CLUSTER}-aws-node",
         "permissionPolicyARNs": [f"{MANAGED}AmazonEKS_CNI_Policy"]},
        {"namespace": "kube-system", "serviceAccountName": "ebs-csi-controller-sa",
         "roleName": f"{CLUSTER}-ebs-csi-controller-sa",
         "permissionPolicyARNs": [f"{MANAGED}service-role/AmazonEBSCSIDriverPolicy"]},
        {"namespace": "kube-system", "serviceAccountName": "efs-csi-controller-sa",
         "roleName": f"{CLUSTER}-efs-csi-controller-sa",
         "permissionPolicyARNs": [f"{MANAGED}service-role/AmazonEFSCSIDriverPolicy"]},
        {"namespace": "kube-system", "serviceAccountName": "cluster-autoscaler",
         "roleName": f"{CLUSTER}-cluster-autoscaler", "permissionPolicy": iam.document(autoscaler.statements)},
    ]


def parse(text: str) -> dict:
    return YAML(typ="safe").load(text)


def page_sample(path: Path) -> dict:
    return parse(path.read_text())


def with_documented_fixes(sample: dict, deployment) -> dict:
    """The page's sample with the fixes the renderer's header documents — and nothing else."""
    config = copy.deepcopy(sample)
    config["metadata"]["version"] = "1.36"  # pin the Kubernetes version (the spec's default on TODAY)
    config["vpc"] = {"cidr": "10.0.0.0/16",  # the VPC range the spec was checked against
                     "clusterEndpoints": {"privateAccess": True, "publicAccess": True}}  # private access on (C001)
    config["cloudWatch"] = {"clusterLogging": {  # every control-plane log, kept a year (C002)
        "enableTypes": ["api", "audit", "authenticator", "controllerManager", "scheduler"],
        "logRetentionInDays": 365}}
    config["upgradePolicy"] = {"supportType": "STANDARD"}  # not eksctl's EXTENDED (C007)
    config["iam"] = {"podIdentityAssociations": pod_identity_associations(deployment)}  # off the node roles (C005)
    config["autoModeConfig"] = {"enabled": False}  # eksctl's announced default would build no node groups
    config["addons"] = ADDONS  # VPC CNI enforcing NetworkPolicy, EBS and EFS CSI drivers
    for group in config["nodeGroups"]:
        tags = group.setdefault("tags", {})
        tags.pop(TEMPLATE_TAG, None)  # no literal {{ cluster_name }} (A003)
        tags["k8s.io/cluster-autoscaler/enabled"] = "true"  # autodiscovery tags on every group
        tags[f"k8s.io/cluster-autoscaler/{CLUSTER}"] = "owned"
        if group["minSize"] == 0:  # a node-template tag for every label (P015): adds nvidia.com/gpu
            tags |= {f"k8s.io/cluster-autoscaler/node-template/label/{k}": v for k, v in group["labels"].items()}
        group.pop("preBootstrapCommands", None)  # the Docker bridge edits are dead on containerd (N005)
        if "ami" in group:  # eksctl refuses a custom AMI without its family
            group["amiFamily"] = "AmazonLinux2023"
        group["privateNetworking"] = True  # private nodes (N004)
        group["volumeEncrypted"] = True  # root volumes encrypted whatever the account's EBS default (C006)
        role = deployment.access.node_role_of(group["name"])  # its pool's role: the platform's or the compute one
        group["iam"] = {"attachPolicyARNs": NODE_POLICIES, "attachPolicy": iam.document(role.statements)}
    return config


def with_current_gpu(config: dict) -> dict:
    """The examples' one departure from the page: a g5.2xlarge on the family's accelerated AMI (P011, P012)."""
    config = copy.deepcopy(config)
    for group in config["nodeGroups"]:
        if group["labels"][NODE_POOL_LABEL] == "default-gpu":
            group["instanceType"] = "g5.2xlarge"
            del group["ami"], group["amiFamily"]
    return config


def rendered(spec_path: Path) -> str:
    return render_eksctl.render(spec.load(str(spec_path), today=TODAY))


@pytest.mark.parametrize(("spec_file", "page_file"), [
    ("page-single-az.spec.yaml", PAGE_SINGLE_AZ),
    ("page-multi-az.spec.yaml", PAGE_MULTI_AZ),
])
def test_a_spec_equivalent_to_a_page_sample_renders_that_sample_with_its_fixes(spec_file, page_file):
    deployment = spec.load(str(GOLDEN / spec_file), today=TODAY)
    assert parse(render_eksctl.render(deployment)) == with_documented_fixes(page_sample(page_file), deployment)


@pytest.mark.parametrize(("example", "page_file"), [
    ("single-az.yaml", PAGE_SINGLE_AZ),
    ("multi-az.yaml", PAGE_MULTI_AZ),
])
def test_the_examples_render_the_page_samples_with_a_current_gpu(example, page_file):
    expected = with_current_gpu(with_documented_fixes(page_sample(page_file), spec.load(str(EXAMPLES / example),
                                                                                        today=TODAY)))
    assert parse(rendered(EXAMPLES / example)) == expected


def header(text: str) -> str:
    """The header comment as one line of prose, so wrapped phrases read whole."""
    return " ".join(line.lstrip("#").strip() for line in text.splitlines() if line.startswith("#"))


def test_the_header_lists_every_fix_with_its_rule():
    text = header(rendered(GOLDEN / "page-multi-az.spec.yaml"))
    for fix in ('metadata.version is "1.36"', "{{ cluster_name }} (A003)", "nvidia.com/gpu (P015)",
                "containerd only", "(N005)", "amiFamily", "privateNetworking: true", "(N004)",
                "iam.attachPolicyARNs, iam.attachPolicy", "(C005)", "iam.podIdentityAssociations", "A001)",
                "eks-pod-identity-agent", "aws-ebs-csi-driver", "(S001)",
                "enableNetworkPolicy", "(N001)", "vpc.cidr is 10.0.0.0/16", "vpc.clusterEndpoints", "(C001)",
                "eksctl utils update-cluster-vpc-config -f cluster.yaml --private-access=true --public-access=false",
                "cloudWatch.clusterLogging", "(C002)", "secretsEncryption is left out", "(C003)",
                "upgradePolicy.supportType is STANDARD", "(C007)", "volumeEncrypted: true on every node group",
                "(C006)"):
        assert fix in text, fix


KEY = "arn:aws:kms:us-west-2:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"


def with_ebs_key(tmp_path: Path, key: str | None) -> str:
    """The golden multi-AZ spec, its root volumes encrypted with the deployment's key (C006): `key`, or apply's."""
    document = parse((GOLDEN / "page-multi-az.spec.yaml").read_text())
    document["security"] = {"encryption": {"ebs": True}, **({"kmsKeyArn": key} if key else {})}
    path = tmp_path / "spec.yaml"
    path.write_text(json.dumps(document))
    return rendered(path)


def test_a_named_key_encrypts_every_node_groups_root_volume(tmp_path):
    text = with_ebs_key(tmp_path, KEY)
    assert published_schema.problems(parse(text), "cluster.yaml") == []
    groups = parse(text)["nodeGroups"]
    assert {(g["volumeEncrypted"], g["volumeKmsKeyID"]) for g in groups} == {(True, KEY)}
    assert f"volumeKmsKeyID encrypts the root volumes with key {KEY} (C006)." in header(text)


def test_the_key_apply_creates_is_left_to_apply_and_the_header_says_so(tmp_path):
    text = with_ebs_key(tmp_path, None)
    groups = parse(text)["nodeGroups"]
    assert all(g["volumeEncrypted"] is True and "volumeKmsKeyID" not in g for g in groups)
    assert ("volumeKmsKeyID is left out: eksctl needs an existing KMS key, and the spec leaves the key to domino-eks "
            "apply; name one in security.kmsKeyArn to have root volumes encrypted with it here (C006).") in header(text)


def test_the_header_mentions_only_fixes_that_apply():
    text = header(rendered(EXAMPLES / "multi-az.yaml"))
    assert "Docker" not in text  # the example has no Docker commands to drop
    assert "pinned ami" not in text  # nor a pinned AMI
    assert "(P015)" in text


@pytest.mark.parametrize("spec_file", ["page-single-az.spec.yaml", "page-multi-az.spec.yaml"])
def test_the_rendered_config_loads_back_through_the_eksctl_source(tmp_path, spec_file):
    deployment = spec.load(str(GOLDEN / spec_file), today=TODAY)
    path = tmp_path / "cluster.yaml"
    path.write_text(render_eksctl.render(deployment))
    loaded = eksctl.load(str(path), today=TODAY)
    assert [p.label for p in loaded.pools] == [p.label for p in deployment.pools]
    assert [g.name for g in loaded.groups] == [g.name for g in deployment.groups]
    assert loaded.network.policy_engine == "vpc-cni" and loaded.storage.ebs_csi_driver is True
    assert loaded.access.autoscaler is not None and loaded.autoscaler.enabled is True
    # A001 follows the autoscaler to its Pod Identity role, which grants what apply's does
    assert loaded.access.autoscaler.where == (f"role {CLUSTER}-cluster-autoscaler (Pod Identity "
                                              "kube-system/cluster-autoscaler)")
    assert [(p.namespace, p.service_account, p.role, p.managed_policies, p.statements)
            for p in loaded.access.pod_identities or ()] == [
        (p.namespace, p.service_account, p.role, p.managed_policies, p.statements)
        for p in deployment.access.pod_identities or ()]
    # each group's role carries exactly its pool role's grants, and nothing eksctl would add is left unlisted
    for group in deployment.groups:
        read, built = loaded.access.node_role_of(group.name), deployment.access.node_role_of(group.name)
        assert read is not None and built is not None and read.unlisted is None
        assert (read.managed_policies, read.statements) == (built.managed_policies, built.statements)


def test_an_eksctl_file_renders_with_the_same_fixes():
    """The page's own multi-AZ file, read and rendered again: its literal template tag is gone."""
    text = render_eksctl.render(eksctl.load(str(PAGE_MULTI_AZ), today=TODAY))
    config = parse(text)
    tags = [g["tags"] for g in config["nodeGroups"]]
    assert all(TEMPLATE_TAG not in t and t[f"k8s.io/cluster-autoscaler/{CLUSTER}"] == "owned" for t in tags)
    assert config["metadata"]["version"] == "1.34"  # what eksctl would have picked for the unversioned file
    assert all("preBootstrapCommands" not in g for g in config["nodeGroups"])
    gpu = [g for g in config["nodeGroups"] if g["name"].startswith("domino-gpu")]
    assert all(g["amiFamily"] == "AmazonLinux2023" for g in gpu)
    assert "is assumed: check it matches the image" in header(text)


def test_docker_commands_stay_on_kubernetes_versions_that_still_run_docker():
    deployment = spec.load(str(GOLDEN / "page-single-az.spec.yaml"), today=TODAY)
    old = deployment.model_copy(update={"cluster": deployment.cluster.model_copy(update={"version": "1.23"})})
    default = next(g for g in render_eksctl.cluster_config(old)["nodeGroups"] if g["name"] == "domino-default")
    default_pool = deployment.pool("default")
    assert default_pool is not None
    assert default["preBootstrapCommands"] == list(default_pool.groups[0].pre_bootstrap_commands)


def test_taints_render_with_their_node_template_tags(tmp_path):
    spec_path = tmp_path / "spec.yaml"
    spec_path.write_text((GOLDEN / "page-single-az.spec.yaml").read_text().replace(
        "    labels:\n      nvidia.com/gpu: \"true\"\n",
        "    labels:\n      nvidia.com/gpu: \"true\"\n"
        "    taints: [{key: nvidia.com/gpu, value: \"true\", effect: NoSchedule}]\n",
    ))
    gpu = render_eksctl.cluster_config(spec.load(str(spec_path), today=TODAY))["nodeGroups"][2]
    assert gpu["taints"] == [{"key": "nvidia.com/gpu", "value": "true", "effect": "NoSchedule"}]
    assert gpu["tags"]["k8s.io/cluster-autoscaler/node-template/taint/nvidia.com/gpu"] == "true:NoSchedule"


def test_managed_pools_render_as_managed_node_groups(tmp_path):
    spec_path = tmp_path / "spec.yaml"
    spec_path.write_text((GOLDEN / "page-multi-az.spec.yaml").read_text().replace(
        "    label: default-gpu\n", "    label: default-gpu\n    managed: true\n"
    ))
    config = render_eksctl.cluster_config(spec.load(str(spec_path), today=TODAY))
    assert [g["name"] for g in config["managedNodeGroups"]] == ["domino-gpu-a", "domino-gpu-b", "domino-gpu-c"]
    assert not any(g["name"].startswith("domino-gpu") for g in config["nodeGroups"])


def test_an_eksctl_file_s_own_choices_survive_a_render(tmp_path):
    source = tmp_path / "source.yaml"
    source.write_text("""\
apiVersion: eksctl.io/v1alpha5
kind: ClusterConfig
metadata: {name: mine, region: us-west-2, version: "1.33"}
vpc:
  id: vpc-0123
  nat: {gateway: Disable}
  subnets:
    private:
      us-west-2a: {id: subnet-a, cidr: 10.0.0.0/23}
      us-west-2b: {id: subnet-b, cidr: 10.0.2.0/23}
addonsConfig: {disableDefaultAddons: true}
managedNodeGroups:
  - name: compute
    instanceType: m5.4xlarge
    availabilityZones: [us-west-2a]
    minSize: 1
    maxSize: 4
    volumeType: gp2
    amiFamily: Bottlerocket
    disableIMDSv1: false
    taints: [{key: dedicated, value: compute, effect: NoSchedule}]
fargateProfiles:
  - name: system
    selectors: [{namespace: kube-system}]
""")
    original = eksctl.load(str(source), today=TODAY)
    again = tmp_path / "cluster.yaml"
    again.write_text(render_eksctl.render(original))
    reloaded = eksctl.load(str(again), today=TODAY)
    assert reloaded.network == original.network.model_copy(update={"location": reloaded.network.location})
    assert [g.model_copy(update={"location": None}) for g in reloaded.groups] == [
        g.model_copy(update={"location": None}) for g in original.groups]
    assert reloaded.kubernetes.fargate_profiles == original.kubernetes.fargate_profiles
    config = parse(again.read_text())
    assert config["addonsConfig"] == {"disableDefaultAddons": True}
    assert "vpc-cni" not in [a["name"] for a in config["addons"]]


def test_a_named_key_and_public_cidrs_are_rendered_as_eksctl_fields(tmp_path):
    key = "arn:aws:kms:us-west-2:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    text = (GOLDEN / "page-multi-az.spec.yaml").read_text()
    document = parse(text)
    document["network"] = {**document.get("network", {}), "apiAccess": {"publicCidrs": ["203.0.113.0/24"]}}
    document["security"] = {"kmsKeyArn": key, "controlPlaneLogs": ["api", "audit"]}
    path = tmp_path / "spec.yaml"
    path.write_text(json.dumps(document))
    output = rendered(path)
    config = parse(output)
    assert config["vpc"]["clusterEndpoints"] == {"privateAccess": True, "publicAccess": True}
    assert config["vpc"]["publicAccessCIDRs"] == ["203.0.113.0/24"]
    assert config["secretsEncryption"] == {"keyARN": key}
    assert config["cloudWatch"]["clusterLogging"]["enableTypes"] == ["api", "audit"]
    assert f"secretsEncryption envelope-encrypts Kubernetes Secrets with key {key} (C003)." in header(output)
    assert "vpc.publicAccessCIDRs limits the public endpoint to 203.0.113.0/24 (C001)." in header(output)


def test_a_pool_with_hop_limit_1_renders_disable_pod_imds_and_loads_back(tmp_path):
    document = parse((GOLDEN / "page-multi-az.spec.yaml").read_text())
    for pool in document["nodePools"]:
        if pool["name"] == "default":
            pool["imdsHopLimit"] = 1
    path = tmp_path / "spec.yaml"
    path.write_text(json.dumps(document))
    output = rendered(path)
    groups = {g["name"]: g.get("disablePodIMDS") for g in parse(output)["nodeGroups"]}
    assert {name for name, blocked in groups.items() if blocked} == {
        "domino-default-a", "domino-default-b", "domino-default-c"}
    assert ("disablePodIMDS: true on the node groups whose spec sets imdsHopLimit 1: their pods never get the node "
            "role's credentials (C004).") in header(output)
    written = tmp_path / "cluster.yaml"
    written.write_text(output)
    eksctl.load(str(written))  # eksctl's published schema takes it
