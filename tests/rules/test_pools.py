"""P001-P015: the node pools Domino needs, their sizes, labels, images and autoscaling tags."""

from __future__ import annotations

import pytest

from domino_eks.model import NODE_POOL_LABEL, Deployment, FargateProfile, Kubernetes, NodeGroup, NodePool
from domino_eks.rules import REGISTRY, Severity, Status
from domino_eks.sources import eksctl
from tests.conftest import PAGE_MULTI_AZ, PAGE_SINGLE_AZ, TODAY, load_example
from tests.rules.builders import (
    edit_groups,
    findings,
    from_source,
    in_zone,
    live_deployment,
    live_group,
    node,
    only,
    pool_of,
    with_pools,
    without_pool,
)

POOL_RULES = [f"P{n:03d}" for n in range(1, 16)]
TEMPLATE = "k8s.io/cluster-autoscaler/node-template/label/"


def _fails(finding, severity, *quoted):
    assert (finding.status, finding.severity) == (Status.FAIL, severity), finding.message
    for text in quoted:
        assert text in finding.message


def _with_fargate(deployment, *namespaces):
    profiles = tuple(FargateProfile(name=f"fp-{i}", namespaces=(ns,)) for i, ns in enumerate(namespaces))
    return deployment.model_copy(update={"kubernetes": Kubernetes(fargate_profiles=profiles)})


@pytest.mark.parametrize("rule_id", POOL_RULES)
def test_both_examples_pass(single_az, multi_az, rule_id):
    assert only(rule_id, single_az).status is Status.PASS
    assert only(rule_id, multi_az).status is Status.PASS


@pytest.mark.parametrize("rule_id, label", [("P001", "platform"), ("P005", "default")])
def test_p001_p005_reject_a_missing_required_pool(multi_az, rule_id, label):
    finding = only(rule_id, without_pool(multi_az, label))
    _fails(finding, Severity.ERROR, f"dominodatalab.com/node-pool: {label}", "pool labels found:")
    assert finding.location == multi_az.cluster.location


@pytest.mark.parametrize("rule_id", ("P002", "P003", "P004"))
def test_platform_rules_skip_without_a_platform_pool(multi_az, rule_id):
    finding = only(rule_id, without_pool(multi_az, "platform"))
    assert finding.status is Status.SKIP and "P001" in finding.message


def test_p002_rejects_a_platform_pool_below_three_nodes(single_az):
    finding = only("P002", edit_groups(single_az, "platform", min_size=2))
    _fails(finding, Severity.ERROR, "adds up to 2", "domino-platform: 2")
    assert finding.location == pool_of(single_az, "platform").location


def test_p002_counts_the_minimum_across_zones(multi_az):
    finding = only("P002", edit_groups(multi_az, "platform", in_zone("us-west-2c"), min_size=0))
    _fails(finding, Severity.ERROR, "adds up to 2", "domino-platform-c: 0")


def test_p002_skips_when_a_minimum_is_unknown(multi_az):
    deployment = from_source(edit_groups(multi_az, "platform", in_zone("us-west-2a"), min_size=None), "live")
    assert only("P002", deployment).status is Status.SKIP


def test_p003_warns_about_small_platform_instances(multi_az):
    finding = only("P003", edit_groups(multi_az, "platform", instance_type="t3.large"))
    _fails(finding, Severity.WARNING, "t3.large", "2 vCPU", "8 GiB")


def test_p003_skips_an_instance_type_it_does_not_know(multi_az):
    finding = only("P003", edit_groups(multi_az, "platform", instance_type="zz9.mega"))
    assert finding.status is Status.SKIP and "'zz9.mega'" in finding.message


def test_p004_warns_about_a_small_platform_volume(multi_az):
    finding = only("P004", edit_groups(multi_az, "platform", volume_size_gb=80))
    _fails(finding, Severity.WARNING, "80 GB", "128 GB")


def test_p004_skips_when_the_volume_size_is_unknown(multi_az):
    finding = only("P004", from_source(edit_groups(multi_az, "platform", volume_size_gb=None), "dump"))
    assert finding.status is Status.SKIP and "root volume size" in finding.message


def test_p006_rejects_a_deployment_without_build_nodes(multi_az):
    finding = only("P006", edit_groups(multi_az, "default", labels={"dominodatalab.com/node-pool": "default"}))
    _fails(finding, Severity.ERROR, 'domino/build-node: "true"')
    assert finding.location == pool_of(multi_az, "default").location


def test_p006_quotes_a_build_label_with_the_wrong_value(multi_az):
    labels = {"dominodatalab.com/node-pool": "default", "domino/build-node": "True"}
    finding = only("P006", edit_groups(multi_az, "default", labels=labels))
    _fails(finding, Severity.ERROR, "'True'")


def test_p007_warns_about_a_small_default_volume(multi_az):
    finding = only("P007", edit_groups(multi_az, "default", volume_size_gb=200))
    _fails(finding, Severity.WARNING, "pool default", "200 GB", "400 GB")


def test_p007_covers_every_build_pool(multi_az):
    builds = NodePool(name="builds", label="builds", groups=(NodeGroup(
        name="domino-builds", zones=("us-west-2a",), volume_size_gb=100, min_size=0, max_size=2,
        labels={"dominodatalab.com/node-pool": "builds", "domino/build-node": "true"}),))
    finding = only("P007", with_pools(multi_az, builds))
    _fails(finding, Severity.WARNING, "pool builds", "100 GB")


@pytest.mark.parametrize("sizes, problem", [
    ({"min_size": 5, "max_size": 3, "desired_capacity": None}, "minSize 5 is above maxSize 3"),
    ({"min_size": 1, "max_size": 3, "desired_capacity": 4}, "desiredCapacity 4 is outside minSize 1 to maxSize 3"),
    ({"min_size": -1, "max_size": 3, "desired_capacity": 0}, "minSize -1 is negative"),
    ({"min_size": 0, "max_size": 0, "desired_capacity": None}, "maxSize 0 never lets the group start a node"),
])
def test_p008_rejects_incoherent_sizes(multi_az, sizes, problem):
    finding = only("P008", edit_groups(multi_az, "default", **sizes))
    _fails(finding, Severity.ERROR, problem, "domino-default-a, domino-default-b, domino-default-c")


def test_p008_checks_groups_outside_domino_pools(multi_az):
    system = NodePool(name="system", label=None, groups=(NodeGroup(name="system", min_size=3, max_size=2),))
    _fails(only("P008", with_pools(multi_az, system)), Severity.ERROR, "system", "minSize 3 is above maxSize 2")


def test_p008_skips_unknown_sizes(multi_az):
    deployment = from_source(edit_groups(multi_az, "default", max_size=None), "live")
    assert only("P008", deployment).status is Status.SKIP


def test_p009_rejects_two_pools_with_one_label(multi_az):
    clone = pool_of(multi_az, "default").model_copy(update={"name": "highmem"})
    finding = only("P009", with_pools(multi_az, clone))
    _fails(finding, Severity.ERROR, "default, highmem", "dominodatalab.com/node-pool: default")


def test_p010_rejects_a_gpu_pool_without_gpus(multi_az):
    finding = only("P010", edit_groups(multi_az, "default-gpu", instance_type="m5.2xlarge"))
    _fails(finding, Severity.ERROR, "m5.2xlarge", "no GPU")


def test_p010_rejects_gpu_nodes_without_the_nvidia_label(multi_az):
    deployment = edit_groups(multi_az, "default-gpu", in_zone("us-west-2b"),
                             labels={"dominodatalab.com/node-pool": "default-gpu"})
    finding = only("P010", deployment)
    _fails(finding, Severity.ERROR, "domino-gpu-b", "found: none")


def test_p010_rejects_gpu_nodes_under_the_default_label(multi_az):
    deployment = edit_groups(multi_az, "default", in_zone("us-west-2a"), instance_type="g5.2xlarge")
    finding = only("P010", deployment)
    _fails(finding, Severity.ERROR, "domino-default-a", "dominodatalab.com/node-pool: default")


def test_p010_rejects_gpu_groups_without_a_node_pool_label(multi_az):
    unlabelled = NodePool(name="gpu-extra", label=None, groups=(NodeGroup(
        name="gpu-extra", zones=("us-west-2a",), instance_type="g5.2xlarge", min_size=0, max_size=2,
        labels={"nvidia.com/gpu": "true"}),))
    finding = only("P010", with_pools(multi_az, unlabelled))
    _fails(finding, Severity.ERROR, "gpu-extra", "no dominodatalab.com/node-pool label")


def test_p010_skips_when_a_gpu_instance_type_is_unknown(multi_az):
    deployment = from_source(edit_groups(multi_az, "default-gpu", instance_type=None), "eksctl")
    assert only("P010", deployment).status is Status.SKIP


def test_p011_passes_the_page_samples_default_image_and_a_verified_pin(multi_az):
    pinned = edit_groups(multi_az, "default-gpu", ami="ami-0abc", ami_exists=True, ami_accelerated=True)
    assert only("P011", pinned).status is Status.PASS


def test_p011_warns_about_a_default_image_without_nvidia_drivers(multi_az):
    deployment = edit_groups(multi_az, "default-gpu", ami_accelerated=False)
    _fails(only("P011", deployment), Severity.WARNING, "default image of AMI family AmazonLinux2023",
           "no NVIDIA drivers")


def test_p011_skips_a_default_image_not_known_to_carry_drivers(multi_az):
    deployment = edit_groups(multi_az, "default-gpu", ami_family="Ubuntu2204", ami_accelerated=None)
    finding = only("P011", from_source(deployment, "eksctl"))
    assert finding.status is Status.SKIP and "AMI family Ubuntu2204" in finding.message


@pytest.mark.parametrize("facts, quoted", [
    ({"ami_exists": False, "ami_accelerated": None}, "does not exist in us-west-2"),
    ({"ami_exists": True, "ami_accelerated": False}, "carries no NVIDIA drivers"),
])
def test_p011_warns_about_a_pinned_ami_that_cannot_run_gpus(multi_az, facts, quoted):
    deployment = edit_groups(multi_az, "default-gpu", ami="ami-0ad9a8dc09680cfc2", **facts)
    _fails(only("P011", deployment), Severity.WARNING, "ami-0ad9a8dc09680cfc2", quoted)


def test_p011_skips_a_pinned_ami_it_cannot_look_up(multi_az):
    finding = only("P011", edit_groups(multi_az, "default-gpu", ami="ami-0ad9a8dc09680cfc2"))
    assert finding.status is Status.SKIP and "domino-eks check" in finding.message


@pytest.mark.parametrize("instance_type, quoted", [("p2.8xlarge", "Kepler"), ("p3.2xlarge", "Volta")])
def test_p012_warns_about_retired_and_old_gpu_families(multi_az, instance_type, quoted):
    finding = only("P012", edit_groups(multi_az, "default-gpu", instance_type=instance_type))
    _fails(finding, Severity.WARNING, instance_type, quoted)


def test_p012_rationale_names_the_pages_discrepancy():
    rule = REGISTRY.get("P012")
    assert rule is not None
    rationale = rule.rationale
    assert "p3.2xlarge" in rationale and "p2.8xlarge" in rationale


def test_p013_says_which_pools_are_managed_node_groups_and_what_follows(multi_az):
    finding = only("P013", edit_groups(multi_az, "default", managed=True))
    assert (finding.status, finding.severity) == (Status.FAIL, Severity.INFO)
    assert finding.message == (
        "pool default uses EKS managed node groups (domino-default-a, domino-default-b, domino-default-c), as "
        "Domino's current Terraform does; the page recommends self-managed ones. Both are supported: EKS rolls "
        "their image updates and drains their nodes, and the Cluster Autoscaler reads their labels from EKS only "
        "until they first have nodes, so the node-template tags still matter.")


def test_p013_passes_self_managed_groups_saying_both_are_supported(multi_az):
    finding = only("P013", multi_az)
    assert (finding.status, finding.message) == (
        Status.PASS, "every node pool uses self-managed node groups, as the page recommends (Domino's current "
                     "Terraform uses EKS managed ones; both are supported).")


def test_p013_skips_when_management_is_unknown(multi_az):
    finding = only("P013", from_source(edit_groups(multi_az, "default", managed=None), "eksctl"))
    assert finding.status is Status.SKIP and "EKS managed or self-managed" in finding.message


@pytest.mark.parametrize("version, selector, selected", [
    ("6.2", "domino-compute", "domino-compute"),
    ("6.2", "domino-*", "domino-platform, domino-compute"),
    ("5.1", "compute", "compute"),  # the page's namespaces on the page's releases
    ("5.1", "domino-*", "domino-system"),
])
def test_p014_rejects_fargate_for_domino_namespaces(version, selector, selected):
    deployment = load_example("multi-az.yaml", domino={"version": version})
    finding = only("P014", _with_fargate(deployment, "kube-system", selector))
    assert (finding.status, finding.severity) == (Status.FAIL, Severity.ERROR)
    assert finding.message == (f"Fargate profile fp-1 selects {selected}: Domino's pods there run on Fargate, which "
                               "cannot mount their persistent volumes.")


def test_p014_lets_fargate_take_the_pages_namespaces_when_domino_6_uses_others(multi_az):
    assert only("P014", _with_fargate(multi_az, "compute", "platform")).status is Status.PASS


def test_p014_passes_fargate_for_other_namespaces(multi_az):
    assert only("P014", _with_fargate(multi_az, "kube-system")).status is Status.PASS


def test_p014_skips_when_fargate_profiles_are_unknown(multi_az):
    deployment = from_source(multi_az.model_copy(update={"kubernetes": Kubernetes()}), "eksctl")
    assert only("P014", deployment).status is Status.SKIP


def _as_eksctl_tagged(deployment, untagged_label=None):
    """As if read from eksctl: every group tagged with a node-template tag per label, except `untagged_label`."""
    def tagged(group):
        tags = {TEMPLATE + key: value for key, value in group.labels.items() if key != untagged_label}
        return group.model_copy(update={"tags": tags})

    pools = tuple(p.model_copy(update={"groups": tuple(tagged(g) for g in p.groups)}) for p in deployment.pools)
    return from_source(deployment.model_copy(update={"pools": pools}), "eksctl")


def test_p015_warns_about_a_scale_from_zero_group_missing_a_tag(single_az):
    # as in the page's single-AZ sample: the GPU group is tagged for its node-pool label only
    finding = only("P015", _as_eksctl_tagged(single_az, untagged_label="nvidia.com/gpu"))
    _fails(finding, Severity.WARNING, "domino-gpu", f"{TEMPLATE}nvidia.com/gpu: true")
    assert "node-pool" not in finding.message


def test_p015_passes_fully_tagged_groups(single_az):
    assert only("P015", _as_eksctl_tagged(single_az)).status is Status.PASS


def test_p015_ignores_groups_that_never_scale_from_zero(single_az):
    deployment = _as_eksctl_tagged(edit_groups(single_az, "default-gpu", min_size=1), untagged_label="nvidia.com/gpu")
    assert only("P015", deployment).status is Status.PASS


def test_p015_passes_on_the_tags_the_tool_writes_for_a_spec(single_az):
    finding = only("P015", single_az)
    assert finding.status is Status.PASS and "carries a node-template tag" in finding.message


def test_p015_skips_groups_whose_tags_are_unknown(single_az):
    finding = only("P015", from_source(edit_groups(single_az, None, tags=None), "eksctl"))
    assert finding.status is Status.SKIP and "tags of domino-default" in finding.message


def test_every_pool_rule_reports_once_on_an_empty_deployment(multi_az):
    empty = multi_az.model_copy(update={"pools": ()})
    assert all(len(findings(rule_id, empty)) == 1 for rule_id in POOL_RULES)


@pytest.mark.parametrize("sample", [PAGE_SINGLE_AZ, PAGE_MULTI_AZ], ids=lambda p: p.name)
def test_the_pages_samples_raise_only_the_expected_warnings(sample):
    deployment = eksctl.load(str(sample), today=TODAY)
    problems = {(f.id, f.severity) for f in REGISTRY.evaluate(deployment, ["G", "Z", "P"]) if f.status is Status.FAIL}
    # p2.8xlarge is retired (P012); the GPU groups lack the nvidia.com/gpu node-template tag (P015)
    assert problems == {("P012", Severity.WARNING), ("P015", Severity.WARNING)}


def _platform_of_nodes(*ready: bool | None) -> Deployment:
    nodes = tuple(node(f"ip-10-0-0-{i}", ready=r) for i, r in enumerate(ready))
    group = live_group("platform", {NODE_POOL_LABEL: "platform"}, nodes).model_copy(update={"min_size": None})
    return live_deployment(group)


def test_p002_judges_the_ready_platform_nodes_where_sizes_are_unknown():
    finding = only("P002", _platform_of_nodes(True, True, False, None))
    assert (finding.status, finding.severity) == (Status.FAIL, Severity.ERROR)
    assert finding.message == ("the platform node groups' sizes are unknown here, and the pool has 2 Ready nodes "
                               "of 4; Domino's platform needs at least 3 nodes at all times.")


def test_p002_passes_three_ready_platform_nodes_where_sizes_are_unknown():
    finding = only("P002", _platform_of_nodes(True, True, True))
    assert finding.status is Status.PASS
    assert finding.message == "the platform node groups' sizes are unknown here; the pool has 3 Ready nodes of 3."


def test_p008_and_p009_say_there_is_nothing_to_judge_without_pools():
    empty = live_deployment()
    assert [(f.status, f.message) for f in findings("P008", empty) + findings("P009", empty)] == [
        (Status.SKIP, "no node group to judge: the source names none behind an Auto Scaling group."),
        (Status.SKIP, "no Domino node pool to judge (P001 names the pools Domino needs)."),
    ]
