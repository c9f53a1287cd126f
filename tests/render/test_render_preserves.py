"""A render of an eksctl file keeps every key and value of it, apart from the fixes its header names."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from domino_eks.model import AUTOSCALER_ENABLED_TAG, Deployment, autodiscovery_cluster
from domino_eks.render import eksctl as render_eksctl
from domino_eks.sources import eksctl, yamlfile
from domino_eks.sources.eksctl import published_schema
from tests.conftest import PAGE_MULTI_AZ, PAGE_SINGLE_AZ, ROOT, TODAY

FIXTURES = ROOT / "tests" / "fixtures" / "eksctl"
CONFIGS = [FIXTURES / "every-block.eksctl.yaml", ROOT / "tests" / "golden" / "eksctl" / "every-field.eksctl.yaml",
           PAGE_SINGLE_AZ, PAGE_MULTI_AZ]
GROUP_LISTS = ("nodeGroups", "managedNodeGroups")
Path_ = tuple[Any, ...]


def safe(text: str) -> dict:
    return YAML(typ="safe").load(text)


def leaves(value: Any, path: Path_ = ()) -> dict[Path_, Any]:
    """Every key of a document down to its values; a list of scalars is one value."""
    if isinstance(value, dict) and value:
        return {leaf: v for key, item in value.items() for leaf, v in leaves(item, (*path, key)).items()}
    if isinstance(value, list) and any(isinstance(item, (dict, list)) for item in value):
        return {leaf: v for i, item in enumerate(value) for leaf, v in leaves(item, (*path, i)).items()}
    return {path: value}


def is_listed_fix(path: Path_, before: Any, after: Any) -> bool:
    """The changes the header names: autodiscovery tags for the real cluster, Docker edits dropped on containerd,
    nodes put on private IPs."""
    if len(path) < 3 or path[0] not in GROUP_LISTS:
        return False
    key = path[2]
    if key == "tags" and len(path) == 4:
        return path[3] == AUTOSCALER_ENABLED_TAG or autodiscovery_cluster(path[3]) is not None
    if key == "preBootstrapCommands":
        kept = [c for c in before if not render_eksctl.DOCKER_COMMAND.search(c)]
        return (after or []) == kept
    return key == "privateNetworking" and after is True


def lost_keys(original_text: str, rendered_text: str) -> dict[Path_, tuple[Any, Any]]:
    before, after = leaves(safe(original_text)), leaves(safe(rendered_text))
    filled = {leaf[:i] for leaf in after for i in range(len(leaf))}  # an empty mapping the render filled is kept
    return {path: (value, after.get(path)) for path, value in before.items()
            if after.get(path, KeyError) != value and not (value in ({}, []) and path in filled)
            and not is_listed_fix(path, value, after.get(path))}


def read_and_render(path: Path) -> tuple[Deployment, str]:
    deployment, document = eksctl.load(str(path), today=TODAY), yamlfile.read(path)[0]
    return deployment, render_eksctl.render(deployment, document)


def comparable(deployment: Deployment) -> dict:
    """The model without what the listed fixes change and where things sit in the file."""
    groups = [g.model_dump(exclude={"location", "tags", "pre_bootstrap_commands", "private_networking",
                                    "ami_family", "ami_accelerated"}) for g in deployment.groups]
    return {
        "groups": groups,
        "pools": [(p.name, p.label) for p in deployment.pools],
        "cluster": deployment.cluster.model_dump(exclude={"location"}),
        "network": deployment.network.model_dump(exclude={"location", "private_nodes"}),
        "storage": deployment.storage.model_dump(exclude={"ebs_csi_driver"}),  # the render adds the EBS CSI driver
        "kubernetes": deployment.kubernetes,
    }


@pytest.mark.parametrize("config", CONFIGS, ids=[p.name for p in CONFIGS])
def test_a_render_loses_no_key_of_the_eksctl_file(config):
    _, text = read_and_render(config)
    assert lost_keys(config.read_text(), text) == {}


@pytest.mark.parametrize("config", CONFIGS, ids=[p.name for p in CONFIGS])
def test_the_render_reads_back_as_the_same_deployment(tmp_path, config):
    deployment, text = read_and_render(config)
    again = tmp_path / "cluster.yaml"
    again.write_text(text)
    assert comparable(eksctl.load(str(again), today=TODAY)) == comparable(deployment)


@pytest.mark.parametrize("config", CONFIGS, ids=[p.name for p in CONFIGS])
def test_the_render_is_valid_under_eksctl_s_schema(config):
    rendered = safe(read_and_render(config)[1])
    # keys and types only: eksctl accepts configs its schema refuses in details (its own OIDC example, nulls)
    assert published_schema.problems(rendered, "cluster.yaml") == []


def test_the_keys_security_reviews_ask_for_survive():
    """The keys a render dropped before: KMS secrets, private cluster, endpoint CIDRs, encrypted volumes,
    permission boundaries, access entries, the IP family, Auto Mode."""
    rendered = safe(read_and_render(FIXTURES / "every-block.eksctl.yaml")[1])
    assert rendered["secretsEncryption"] == {
        "keyARN": "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"}
    assert rendered["privateCluster"]["additionalEndpointServices"] == ["autoscaling"]
    assert rendered["vpc"]["publicAccessCIDRs"] == ["198.51.100.0/24"]
    assert rendered["nodeGroups"][0]["volumeEncrypted"] is True
    assert rendered["managedNodeGroups"][0]["iam"]["instanceRolePermissionsBoundary"].endswith("policy/eks-boundary")
    assert rendered["accessConfig"]["authenticationMode"] == "API"
    assert rendered["kubernetesNetworkConfig"]["ipFamily"] == "IPv4"
    assert rendered["autoModeConfig"] == {"enabled": False}
    assert "instanceType" not in rendered["managedNodeGroups"][0]  # it lists instanceTypes


def header(text: str) -> str:
    return "".join(line for line in text.splitlines(keepends=True) if line.startswith("#"))


def test_an_unset_auto_mode_is_written_off_with_the_reason():
    text = read_and_render(PAGE_SINGLE_AZ)[1]
    assert safe(text)["autoModeConfig"] == {"enabled": False}
    assert re.sub(r"\s*#\s*", " ", header(text)).count(
        "autoModeConfig: {enabled: false} is written out: eksctl has announced that Auto Mode will be on by default "
        "when it is unset, and an Auto Mode cluster is built without the node groups this file declares.") == 1


def test_an_auto_mode_the_file_sets_is_kept_without_a_note():
    text = read_and_render(FIXTURES / "every-block.eksctl.yaml")[1]
    assert "autoModeConfig" not in header(text)
    assert f"Every other key of {FIXTURES / 'every-block.eksctl.yaml'} is kept as it was written." in re.sub(
        r"\s*#\s*", " ", header(text))


BLOCKS = safe((FIXTURES / "every-block.eksctl.yaml").read_text())
OPTIONAL_BLOCKS = sorted(k for k in BLOCKS if k not in ("apiVersion", "kind", "metadata", "nodeGroups",
                                                          "managedNodeGroups", "availabilityZones"))
GROUP_EXTRAS = {
    "volumeEncrypted": st.booleans(),
    "ssh": st.just({"allow": False}),
    "kubeletExtraConfig": st.just({"kubeReserved": {"cpu": "300m"}}),
    "iam": st.just({"instanceRolePermissionsBoundary": "arn:aws:iam::123456789012:policy/b",
                    "withAddonPolicies": {"cloudWatch": True}}),
    "updateConfig": st.just({"maxUnavailable": 1}),
    "amiFamily": st.sampled_from(["AmazonLinux2023", "Bottlerocket", "Ubuntu2404"]),
    "preBootstrapCommands": st.lists(st.sampled_from(
        ["echo hello", "sed -i 's/x/y/' /etc/docker/daemon.json", "systemctl restart docker", "yum -y update"]),
        max_size=3),
    "tags": st.dictionaries(st.sampled_from(["team", "k8s.io/cluster-autoscaler/{{ cluster_name }}",
                                             "k8s.io/cluster-autoscaler/enabled", "cost-center"]),
                            st.sampled_from(["true", "owned", "ml"]), max_size=3),
    "privateNetworking": st.booleans(),
    "taints": st.just([{"key": "dedicated", "value": "gpu", "effect": "NoSchedule"}]),
}
LABELS = st.fixed_dictionaries({"dominodatalab.com/node-pool": st.sampled_from(["platform", "default", "gpu"])},
                               optional={"domino/build-node": st.just("true")})


SELF_MANAGED_ONLY = {"kubeletExtraConfig"}


@st.composite
def node_group(draw: st.DrawFn, name: str) -> dict:
    minimum = draw(st.integers(0, 3))
    group = {"name": name, "instanceType": draw(st.sampled_from(["m5.2xlarge", "m6i.4xlarge", "g5.2xlarge"])),
             "minSize": minimum, "maxSize": minimum + draw(st.integers(0, 5)), "labels": draw(LABELS)}
    allowed = sorted(GROUP_EXTRAS if name.startswith("ng-") else GROUP_EXTRAS.keys() - SELF_MANAGED_ONLY)
    extras = draw(st.lists(st.sampled_from(allowed), unique=True, max_size=5))
    return group | {key: draw(GROUP_EXTRAS[key]) for key in extras}


@st.composite
def cluster_configs(draw: st.DrawFn) -> dict:
    names = draw(st.lists(st.sampled_from(["ng-a", "ng-b", "ng-c", "mng-a", "mng-b"]), unique=True, min_size=1))
    config: dict[str, Any] = {"apiVersion": "eksctl.io/v1alpha5", "kind": "ClusterConfig",
              "metadata": {"name": "prop", "region": "us-east-1", "version": draw(st.sampled_from(["1.23", "1.33"]))},
              "availabilityZones": ["us-east-1a", "us-east-1b", "us-east-1c"]}
    for block in draw(st.lists(st.sampled_from(OPTIONAL_BLOCKS), unique=True, max_size=8)):
        config[block] = BLOCKS[block]
    for key, prefix in (("nodeGroups", "ng-"), ("managedNodeGroups", "mng-")):
        groups = [draw(node_group(name)) for name in names if name.startswith(prefix)]
        if groups:
            config[key] = groups
    return config


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cluster_configs())
def test_read_render_read_keeps_the_model_and_every_raw_key(tmp_path, config):
    """For any config the reader accepts: the same model, the same raw keys, plus the listed fixes."""
    source = tmp_path / "source.yaml"
    yaml = YAML()
    yaml.representer.ignore_aliases = lambda *_: True  # hypothesis shares objects; a file as people write it
    with source.open("w") as handle:
        yaml.dump(config, handle)
    deployment, text = read_and_render(source)
    assert lost_keys(source.read_text(), text) == {}
    again = tmp_path / "again.yaml"
    again.write_text(text)
    assert comparable(eksctl.load(str(again), today=TODAY)) == comparable(deployment)


def header_lines(text: str) -> list[str]:
    """The header's change list, one entry per line however it was wrapped."""
    joined = re.sub(r"\n#     ", " ", header(text))
    return [line.removeprefix("#   - ") for line in joined.splitlines() if line.startswith("#   - ")]


def test_the_header_says_only_what_the_render_changed_in_the_file():
    path = FIXTURES / "every-block.eksctl.yaml"
    assert header_lines(read_and_render(path)[1]) == [
        "Every node group carries the autodiscovery tags k8s.io/cluster-autoscaler/enabled and "
        "k8s.io/cluster-autoscaler/analytics-prod; the page's multi-AZ sample had them on one group only, naming a "
        "literal {{ cluster_name }} (A003).",
        "Node groups that scale from zero carry a node-template tag for each of their labels and taints, so the "
        "autoscaler can choose them while they have no nodes; the page's GPU groups lacked nvidia.com/gpu (P015).",
        "Added: the EKS add-on aws-efs-csi-driver: Datasets on EFS need its driver.",
        f"Every other key of {path} is kept as it was written.",
    ]


def test_a_version_the_file_leaves_out_is_named_and_one_it_sets_is_not(tmp_path):
    unset = header_lines(read_and_render(PAGE_SINGLE_AZ)[1])
    assert unset[0] == ('metadata.version is "1.34": the page\'s samples leave it out, so eksctl would pick whatever '
                        "its release defaults to (G003).")
    document = safe(PAGE_SINGLE_AZ.read_text())
    document["metadata"]["version"] = "1.34"
    versioned = tmp_path / "versioned.eksctl.yaml"
    with versioned.open("w") as handle:
        YAML().dump(document, handle)
    assert not any(line.startswith("metadata.version") for line in header_lines(read_and_render(versioned)[1]))
