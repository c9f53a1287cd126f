"""Properties of the eksctl rendering for any valid spec: zone coverage, identical duplicates, round trips."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from domino_eks.model import NODE_POOL_LABEL, PLATFORM, Deployment
from domino_eks.render import eksctl as render_eksctl
from domino_eks.sources import eksctl, spec
from tests.conftest import TODAY

REGION_ZONES = ["us-west-2a", "us-west-2b", "us-west-2c", "us-west-2d"]
INSTANCE_TYPES = ["m5.2xlarge", "m5.4xlarge", "r5.2xlarge", "g5.2xlarge", "p3.2xlarge"]
EXTRA_POOLS = ["default-gpu", "highmem", "small"]
LABEL_KEYS = ["domino/build-node", "nvidia.com/gpu", "example.com/team"]


@st.composite
def pools(draw, name: str, zones: list[str]) -> dict:
    min_size = draw(st.integers(0, 3))
    max_size = draw(st.integers(max(min_size, 1), min_size + 5))
    pool = {
        "name": name,
        "instanceType": draw(st.sampled_from(INSTANCE_TYPES)),
        "volumeSize": draw(st.integers(50, 1000)),
        "volumeType": draw(st.sampled_from(["gp3", "gp2"])),
        "minSize": min_size,
        "maxSize": max_size,
        "labels": draw(st.dictionaries(st.sampled_from(LABEL_KEYS), st.sampled_from(["true", "a", "b"]), max_size=2)),
        "managed": draw(st.booleans()),
    }
    if draw(st.booleans()):
        pool["desiredCapacity"] = draw(st.integers(min_size, max_size))
    if draw(st.booleans()):
        pool["taints"] = [{"key": "dedicated", "value": name, "effect": "NoSchedule"}]
    if draw(st.booleans()):
        pool["ami"] = "ami-0123456789abcdef0"
    if name == PLATFORM and len(zones) == 3 and draw(st.booleans()):
        pool["availabilityZones"] = zones[:1]  # the one pool allowed to sit in fewer zones
    return pool


@st.composite
def specs(draw) -> dict:
    zones = draw(st.sampled_from([1, 3]).flatmap(lambda n: st.permutations(REGION_ZONES).map(lambda z: z[:n])))
    extras = draw(st.lists(st.sampled_from(EXTRA_POOLS), max_size=2, unique=True))
    return {
        "apiVersion": spec.API_VERSION,
        "kind": spec.KIND,
        "metadata": {"name": "domino-prop", "region": "us-west-2"},
        "availabilityZones": list(zones),
        "network": {"networkPolicy": draw(st.sampled_from(["vpc-cni", "calico"])),
                    "privateNodes": draw(st.booleans())},
        "autoscaler": {"enabled": draw(st.booleans())},
        "nodePools": [draw(pools(name, list(zones))) for name in [PLATFORM, "default", *extras]],
    }


def deployment_of(document: dict) -> Deployment:
    return spec.to_deployment(spec.Spec.model_validate(document), document, "spec.yaml", TODAY)


def load_rendered(text: str, directory: Path) -> Deployment:
    path = directory / "cluster.yaml"
    path.write_text(text)
    return eksctl.load(str(path), today=TODAY)


def rendered_groups(config: dict) -> list[dict]:
    return config.get("nodeGroups", []) + config.get("managedNodeGroups", [])


def pool_facts(deployment: Deployment) -> dict:
    """What a pool is, whichever source built it; names differ (spec `gpu`, eksctl `default-gpu`), labels not."""
    return {
        pool.label: [
            (g.name, g.zones, g.instance_type, g.volume_size_gb, g.volume_type, g.min_size, g.desired_capacity,
             g.max_size, dict(g.labels), g.taints, g.managed, g.ami, g.ami_family, g.private_networking,
             g.imdsv2_required)
            for g in pool.groups
        ]
        for pool in deployment.pools
    }


@pytest.fixture(scope="module")
def workdir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("render-properties")


@settings(max_examples=40, deadline=None)
@given(specs())
def test_every_compute_pool_has_a_group_in_every_zone_any_pool_uses(document):
    groups = rendered_groups(render_eksctl.cluster_config(deployment_of(document)))
    used = {z for g in groups for z in g["availabilityZones"]}
    for label in {g["labels"][NODE_POOL_LABEL] for g in groups} - {PLATFORM}:
        pool_zones = {z for g in groups if g["labels"][NODE_POOL_LABEL] == label for z in g["availabilityZones"]}
        assert pool_zones == used, label


@settings(max_examples=40, deadline=None)
@given(specs())
def test_the_zone_duplicates_of_a_pool_differ_only_in_name_and_zone(document):
    by_pool: dict[str, list[dict]] = {}
    for group in rendered_groups(render_eksctl.cluster_config(deployment_of(document))):
        rest = {k: v for k, v in group.items() if k not in ("name", "availabilityZones")}
        by_pool.setdefault(group["labels"][NODE_POOL_LABEL], []).append(rest)
    for label, duplicates in by_pool.items():
        assert all(d == duplicates[0] for d in duplicates), label


@settings(max_examples=40, deadline=None)
@given(specs())
def test_the_rendered_config_reads_back_as_the_same_pools(workdir, document):
    deployment = deployment_of(document)
    loaded = load_rendered(render_eksctl.render(deployment), workdir)
    assert pool_facts(loaded) == pool_facts(deployment)
    assert loaded.cluster.control_plane_zones == deployment.cluster.control_plane_zones
    assert loaded.autoscaler.enabled is (True if deployment.autoscaler.enabled else None)


@settings(max_examples=40, deadline=None)
@given(specs())
def test_rendering_what_was_rendered_changes_nothing(workdir, document):
    first = render_eksctl.render(deployment_of(document))
    again = render_eksctl.render(load_rendered(first, workdir))
    assert YAML(typ="safe").load(again) == YAML(typ="safe").load(first)
