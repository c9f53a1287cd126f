"""Rules P001-P015: the node pools Domino needs, their sizes, labels, images and autoscaling tags."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Iterator, Sequence
from fnmatch import fnmatchcase
from functools import partial, wraps
from operator import attrgetter
from typing import TypeVar

from domino_eks.knowledge import instances
from domino_eks.model import (
    BUILD_NODE_LABEL,
    DEFAULT,
    DEFAULT_GPU,
    GPU_LABEL,
    LAUNCHED_WITHOUT_GROUPS,
    NODE_POOL_LABEL,
    NODE_TEMPLATE_LABEL_TAG,
    PLATFORM,
    Deployment,
    NodeGroup,
    NodePool,
)
from domino_eks.rules.base import REGISTRY, Check, Outcome, Severity, failed, passed, skipped
from domino_eks.rules.unknown import Gap, unknown

pools_rule = partial(REGISTRY.rule, section="Node pools")
overview_rule = partial(REGISTRY.rule, section="Domino on EKS")
samples_rule = partial(REGISTRY.rule, section="Sample cluster configuration")
PLATFORM_MIN_NODES = 3
NO_POOL = "no Domino node pool to judge (P001 names the pools Domino needs)."
PLATFORM_MIN_VCPUS = 8
PLATFORM_MIN_MEMORY_GIB = 32
PLATFORM_MIN_VOLUME_GB = 128
EXECUTION_MIN_VOLUME_GB = 400
# where node groups come from: the Auto Scaling groups (autoscaling), their launch templates and images
# (EC2), the EKS managed node groups and Fargate profiles (EKS), or no AWS side at all
_GROUP_GAPS = (Gap.EC2, Gap.AUTOSCALING, Gap.EKS, Gap.AWS)


def karpenter_launched(group: NodeGroup) -> Outcome:
    """Why a rule about Auto Scaling group tags has nothing to judge on a group Karpenter launches."""
    return skipped(f"{group.name} is launched by Karpenter NodePool {group.karpenter_node_pool}, not an Auto "
                   "Scaling group: there are no group tags to judge (P016 judges the NodePool)")

Named = TypeVar("Named", NodeGroup, NodePool)
Key = TypeVar("Key", bound=Hashable)


def _by(items: Iterable[Named], key: Callable[[Named], Key]) -> dict[Key, list[Named]]:
    """Items grouped by a property, in first-seen order: one verdict per distinct value, not per zone."""
    grouped: dict[Key, list[Named]] = {}
    for item in items:
        grouped.setdefault(key(item), []).append(item)
    return grouped


def _names(items: Sequence[Named]) -> str:
    return ", ".join(item.name for item in items)


def _of_platform(check: Callable[[Deployment, NodePool], Iterator[Outcome]]) -> Check:
    """A check of the platform pool, given the pool; without one it skips, since P001 reports the absence."""
    @wraps(check)
    def checked(d: Deployment) -> Iterator[Outcome]:
        platform = d.pool(PLATFORM)
        if platform is None:
            yield skipped("there is no platform pool (see P001).")
        else:
            yield from check(d, platform)
    return checked


def _pool_exists(d: Deployment, label: str, consequence: str) -> Outcome:
    if d.pool(label) is not None:
        return passed(f"a node pool is labelled {NODE_POOL_LABEL}: {label}.")
    # domino_pools are the labelled pools: the `is not None` drops nothing and narrows for mypy
    found = ", ".join(sorted(p.label for p in d.domino_pools if p.label is not None)) or "none"
    return failed(f"no node pool is labelled {NODE_POOL_LABEL}: {label} (pool labels found: {found}); "
                  f"{consequence}.", d.cluster.location)


@pools_rule(
    "P001", Severity.ERROR,
    title="Platform node pool is missing",
    rationale=(
        "The page requires an Auto Scaling group of nodes labelled dominodatalab.com/node-pool: platform: "
        "Domino's installer schedules its durable platform services (the application, metadata, platform "
        "services) onto exactly those nodes."
    ),
    fix="Add a node pool labelled dominodatalab.com/node-pool: platform (m5.2xlarge, 128 GB, 3 nodes).",
)
def platform_pool(d: Deployment) -> Iterator[Outcome]:
    yield _pool_exists(d, PLATFORM, "Domino's platform services have no nodes to run on and the install fails")


@pools_rule(
    "P002", Severity.ERROR,
    title="Platform pool holds fewer than 3 nodes",
    rationale=(
        "The page sizes the platform pool at 3-3: Domino's platform services run replicated across three "
        "nodes, and fewer nodes leave them unschedulable or without a majority. In a multi-zone pool the "
        "minimum sizes of the per-zone groups add up."
    ),
    fix="Raise the platform pool's minSize so the groups together hold at least 3 nodes (3 in one zone, "
        "or 1 in each of three zones).",
)
@_of_platform
def platform_size(d: Deployment, platform: NodePool) -> Iterator[Outcome]:
    sizes = {g.name: g.min_size for g in platform.groups}
    if None in sizes.values() and all(g.nodes is not None for g in platform.groups):
        yield from _ready_platform_nodes(platform)
        return
    if None in sizes.values():
        yield unknown(d, "the minimum size of every platform node group", gaps=_GROUP_GAPS)
        return
    total = sum(size for size in sizes.values() if size is not None)  # none is None: returned above
    per_group = ", ".join(f"{name}: {size}" for name, size in sizes.items())
    if total < PLATFORM_MIN_NODES:
        yield failed(f"the platform pool's minimum size adds up to {total} ({per_group}); Domino's platform "
                     f"needs at least {PLATFORM_MIN_NODES} nodes at all times.", platform.location)
    else:
        yield passed(f"the platform pool holds at least {total} nodes ({per_group}).")


def _ready_platform_nodes(platform: NodePool) -> Iterator[Outcome]:
    """Where group sizes are unknown (a dump, a live cluster without AWS access), the Ready nodes present."""
    nodes = [n for g in platform.groups for n in g.nodes or ()]
    ready = [n for n in nodes if n.ready]
    counted = f"{len(ready)} Ready node{'' if len(ready) == 1 else 's'} of {len(nodes)}"
    if len(ready) < PLATFORM_MIN_NODES:
        yield failed(f"the platform node groups' sizes are unknown here, and the pool has {counted}; Domino's "
                     f"platform needs at least {PLATFORM_MIN_NODES} nodes at all times.", platform.location)
    else:
        yield passed(f"the platform node groups' sizes are unknown here; the pool has {counted}.")


@pools_rule(
    "P003", Severity.WARNING,
    title="Platform instances are smaller than 8 vCPU / 32 GiB",
    rationale=(
        "The page specifies m5.2xlarge (8 vCPU, 32 GiB) for the platform pool. Smaller nodes cannot hold "
        "Domino's platform services with their requests, so pods stay Pending or get evicted under load."
    ),
    fix="Use an instance type with at least 8 vCPU and 32 GiB for the platform pool, e.g. m5.2xlarge, "
        "m6i.2xlarge or m7i.2xlarge.",
)
@_of_platform
def platform_instance_size(d: Deployment, platform: NodePool) -> Iterator[Outcome]:
    for instance_type, groups in _by(platform.groups, attrgetter("instance_type")).items():
        if instance_type is None:
            yield unknown(d, f"the instance type of {_names(groups)}", gaps=_GROUP_GAPS)
        elif (size := instances.lookup(instance_type)) is None:
            yield skipped(f"the tool does not know how many vCPUs and GiB instance type {instance_type!r} "
                          f"({_names(groups)}) has.")
        elif size.vcpus < PLATFORM_MIN_VCPUS or size.memory_gib < PLATFORM_MIN_MEMORY_GIB:
            yield failed(f"platform node group(s) {_names(groups)} use {instance_type} with {size.vcpus} vCPU and "
                         f"{size.memory_gib:g} GiB, below {PLATFORM_MIN_VCPUS} vCPU / {PLATFORM_MIN_MEMORY_GIB} "
                         "GiB: Domino's platform services will not all fit.", groups[0].location)
        else:
            yield passed(f"platform instances ({instance_type}) have {size.vcpus} vCPU and {size.memory_gib:g} GiB.")


def _volume_outcomes(d: Deployment, pool: NodePool, minimum: int, consequence: str) -> Iterator[Outcome]:
    for size, groups in _by(pool.groups, attrgetter("volume_size_gb")).items():
        if size is None:
            yield unknown(d, f"the root volume size of {_names(groups)}", gaps=_GROUP_GAPS)
        elif size < minimum:
            yield failed(f"pool {pool.name} ({_names(groups)}) has {size} GB root volumes, below {minimum} GB: "
                         f"{consequence}.", groups[0].location)
        else:
            yield passed(f"pool {pool.name} has root volumes of {size} GB.")


@pools_rule(
    "P004", Severity.WARNING,
    title="Platform root volume is smaller than 128 GB",
    rationale=(
        "The page gives the platform pool 128 GB disks. Platform nodes hold the images of Domino's services "
        "and their logs; on smaller disks the kubelet starts evicting pods under disk pressure."
    ),
    fix="Set the platform pool's volumeSize to at least 128.",
)
@_of_platform
def platform_volume(d: Deployment, platform: NodePool) -> Iterator[Outcome]:
    yield from _volume_outcomes(d, platform, PLATFORM_MIN_VOLUME_GB,
                                "images and logs fill the disk and the kubelet evicts platform pods")


@pools_rule(
    "P005", Severity.ERROR,
    title="Default compute node pool is missing",
    rationale=(
        "The page requires a second Auto Scaling group labelled dominodatalab.com/node-pool: default: it is "
        "where Domino's default hardware tier runs user executions."
    ),
    fix="Add a node pool labelled dominodatalab.com/node-pool: default (m5.2xlarge, 400 GB, 1-20 nodes).",
)
def default_pool(d: Deployment) -> Iterator[Outcome]:
    yield _pool_exists(d, DEFAULT, "executions on Domino's default hardware tier have no nodes to run on")


@pools_rule(
    "P006", Severity.ERROR,
    title="No node pool runs environment builds",
    rationale=(
        "Domino builds compute environment images on nodes labelled domino/build-node: \"true\"; the page puts "
        "this label on the default pool. Without such a node every environment build stays queued."
    ),
    fix="Add the label domino/build-node: \"true\" (a string) to the default pool.",
)
def build_pool(d: Deployment) -> Iterator[Outcome]:
    builders = [p for p in d.domino_pools if p.is_build]
    if builders:
        yield passed(f"pool(s) {_names(builders)} carry {BUILD_NODE_LABEL}: \"true\".")
        return
    near = sorted({g.labels[BUILD_NODE_LABEL] for p in d.domino_pools for g in p.groups
                   if BUILD_NODE_LABEL in g.labels})
    hint = (f" (found {BUILD_NODE_LABEL}: {', '.join(repr(v) for v in near)}; Domino matches the string "
            "\"true\" exactly)") if near else ""
    default = d.pool(DEFAULT)
    yield failed(f"no node pool carries {BUILD_NODE_LABEL}: \"true\"{hint}; environment builds have no node to "
                 "run on.", default.location if default else d.cluster.location)


@pools_rule(
    "P007", Severity.WARNING,
    title="Execution root volume is smaller than 400 GB",
    rationale=(
        "The page gives the default pool (and so the build nodes) 400 GB disks: executions pull large "
        "environment images and builds write new ones, and smaller disks fill up and get pods evicted."
    ),
    fix="Set volumeSize to at least 400 on the default pool and on every pool labelled domino/build-node.",
)
def execution_volume(d: Deployment) -> Iterator[Outcome]:
    pools = [p for p in d.domino_pools if p.label == DEFAULT or p.is_build]
    if not pools:
        yield skipped("there is neither a default pool nor a build pool (see P005, P006).")
    for pool in pools:
        yield from _volume_outcomes(d, pool, EXECUTION_MIN_VOLUME_GB,
                                    "environment images fill the disk and the kubelet evicts executions")


@pools_rule(
    "P008", Severity.ERROR,
    title="Node group sizes are incoherent",
    rationale=(
        "An Auto Scaling group needs 0 <= minSize <= desiredCapacity <= maxSize; eksctl and the Auto Scaling "
        "API reject anything else, and a group whose maxSize is 0 never starts a node."
    ),
    fix="Set minSize, desiredCapacity and maxSize so that 0 <= min <= desired <= max and max >= 1.",
)
def coherent_sizes(d: Deployment) -> Iterator[Outcome]:
    # Karpenter's and EKS Auto Mode's NodePools have limits, not Auto Scaling sizes
    sized = [g for g in d.groups if g.provisioner not in LAUNCHED_WITHOUT_GROUPS]
    if not sized:
        yield skipped("no node group to judge: the source names none behind an Auto Scaling group.")
    for pool in d.pools:
        sizes = _by([g for g in pool.groups if g in sized], lambda g: (g.min_size, g.effective_desired, g.max_size))
        for (low, desired, high), groups in sizes.items():
            # desired falls back to low, so it is None only when low is: the test narrows it for mypy
            if low is None or high is None or desired is None:
                yield unknown(d, f"the sizes of {_names(groups)}", gaps=_GROUP_GAPS)
            elif problems := _size_problems(low, desired, high):
                yield failed(f"node group(s) {_names(groups)}: {'; '.join(problems)}.", groups[0].location)
            else:
                yield passed("every node group has 0 <= min <= desired <= max and max >= 1.")


def _size_problems(low: int, desired: int, high: int) -> list[str]:
    problems = []
    if low < 0:
        problems.append(f"minSize {low} is negative, which the Auto Scaling API rejects")
    if low > high:
        problems.append(f"minSize {low} is above maxSize {high}, which the Auto Scaling API rejects")
    elif not low <= desired <= high:
        problems.append(f"desiredCapacity {desired} is outside minSize {low} to maxSize {high}, which the Auto "
                        "Scaling API rejects")
    if high < 1:
        problems.append(f"maxSize {high} never lets the group start a node")
    return problems


@pools_rule(
    "P009", Severity.ERROR,
    title="Several node pools share one node-pool label",
    rationale=(
        "Domino targets node pools by the dominodatalab.com/node-pool label alone; the page requires distinct "
        "labels for additional pools. Pools that share a value become one hardware tier that lands on either "
        "pool's instance type at random."
    ),
    fix="Give every additional pool its own dominodatalab.com/node-pool value, e.g. default-gpu or highmem.",
)
def distinct_pool_labels(d: Deployment) -> Iterator[Outcome]:
    if not d.domino_pools:
        yield skipped(NO_POOL)
    for label, pools in _by(d.domino_pools, attrgetter("label")).items():
        if len(pools) > 1:
            yield failed(f"pools {_names(pools)} all carry {NODE_POOL_LABEL}: {label}; Domino cannot tell them "
                         "apart and schedules their executions on either.", pools[1].location)
        else:
            yield passed("every pool has its own node-pool label.")


def _gpu_pools(d: Deployment) -> list[NodePool]:
    return [p for p in d.domino_pools if p.is_gpu or p.label == DEFAULT_GPU]


@pools_rule(
    "P010", Severity.ERROR,
    title="GPU pool is mislabelled or has no GPUs",
    rationale=(
        "The page's optional GPU pool is labelled dominodatalab.com/node-pool: default-gpu and nvidia.com/gpu: "
        "\"true\" on GPU instances. GPU hardware tiers select nodes by these labels: GPU nodes under a CPU "
        "pool's label receive CPU work, and a GPU label on an instance without GPUs makes GPU executions fail."
    ),
    fix="Give GPU node groups their own node-pool label (default-gpu), the label nvidia.com/gpu: \"true\", "
        "and a GPU instance type (g5, g6, p4d, p5 ...).",
)
def gpu_pool_shape(d: Deployment) -> Iterator[Outcome]:
    pools = _gpu_pools(d)
    unlabelled = [g for p in d.pools if p.label is None for g in p.groups if g.is_gpu and not g.windows]
    if unlabelled:
        yield failed(f"GPU node group(s) {_names(unlabelled)} carry no {NODE_POOL_LABEL} label: no hardware tier "
                     "can target them, so their GPUs go unused.", unlabelled[0].location)
    elif not pools:
        yield passed("there is no GPU pool.")
    for pool in pools:
        yield from _gpu_pool_outcomes(d, pool)


def _gpu_pool_outcomes(d: Deployment, pool: NodePool) -> Iterator[Outcome]:
    if pool.label in (PLATFORM, DEFAULT):
        gpu_groups = [g for g in pool.groups if g.is_gpu]
        yield failed(f"GPU node group(s) {_names(gpu_groups)} carry {NODE_POOL_LABEL}: {pool.label}, the label of "
                     "a CPU pool: CPU executions land on GPU nodes and GPU tiers cannot target them.", pool.location)
        return
    unlabelled = [g for g in pool.groups if g.labels.get(GPU_LABEL) != "true"]
    if unlabelled:
        found = ", ".join(sorted({repr(g.labels[GPU_LABEL]) if GPU_LABEL in g.labels else "none" for g in unlabelled}))
        yield failed(f"GPU pool {pool.name}: node group(s) {_names(unlabelled)} lack {GPU_LABEL}: \"true\" "
                     f"(found: {found}); GPU executions never land on them.", unlabelled[0].location)
    for instance_type, groups in _by(pool.groups, attrgetter("instance_type")).items():
        if instance_type is None:
            yield from _gpu_families_outcomes(d, pool, groups)
        elif not instances.is_gpu_instance(instance_type):
            yield failed(f"GPU pool {pool.name} uses {instance_type} ({_names(groups)}), which has no GPU: GPU "
                         "executions scheduled there find no device.", groups[0].location)
        else:
            yield passed(f"GPU pool {pool.name} is labelled {pool.label} and {GPU_LABEL}: \"true\" on GPU instances.")


def _gpu_families_outcomes(d: Deployment, pool: NodePool, groups: Sequence[NodeGroup]) -> Iterator[Outcome]:
    """Groups of no single instance type (a Karpenter NodePool's) are judged by the instance families they allow."""
    for group in groups:
        if not group.instance_families:
            yield unknown(d, f"the instance type of {group.name}", gaps=_GROUP_GAPS)
            continue
        without = [f for f in group.instance_families if not instances.is_gpu_instance(f)]
        if without:
            yield failed(f"GPU pool {pool.name} allows instance families without GPUs ({', '.join(without)}) in "
                         f"{group.name}: GPU executions scheduled there find no device.", group.location)
        else:
            yield passed(f"GPU pool {pool.name} is labelled {pool.label} and {GPU_LABEL}: \"true\" on GPU "
                         "instance families.")


@pools_rule(
    "P011", Severity.WARNING,
    title="GPU pool image may lack NVIDIA drivers",
    rationale=(
        "GPU nodes need NVIDIA drivers in their image; the page recommends Amazon's EKS-optimized accelerated "
        "AMI. eksctl and domino-eks pick that image automatically for GPU instance types of the Amazon Linux and "
        "Bottlerocket families, but not for other families or a standard AMI type chosen for a managed group; "
        "and a pinned AMI id must exist in the cluster's region and carry the drivers. Otherwise nodes fail to "
        "launch or expose no GPU."
    ),
    fix="Use an Amazon Linux or Bottlerocket AMI family without a pinned ami, so the EKS-optimized accelerated "
        "AMI is used, or pin an accelerated AMI that exists in the region (aws ssm get-parameter --name "
        "/aws/service/eks/optimized-ami/<version>/amazon-linux-2023/x86_64/nvidia/recommended/image_id).",
)
def gpu_pool_image(d: Deployment) -> Iterator[Outcome]:
    pools = _gpu_pools(d)
    if not pools:
        yield passed("there is no GPU pool.")
    for pool in pools:
        for (ami, exists, accelerated), groups in _by(
                pool.groups, attrgetter("ami", "ami_exists", "ami_accelerated")).items():
            if ami is None:
                yield _default_image_outcome(d, pool, accelerated, groups)
            else:
                yield _pinned_image_outcome(d, pool, ami, exists, accelerated, groups)


def _default_image_outcome(d: Deployment, pool: NodePool, accelerated: bool | None,
                           groups: list[NodeGroup]) -> Outcome:
    family = groups[0].ami_family or "unknown"
    if accelerated is None:
        return unknown(d, f"whether the default image of GPU pool {pool.name} (AMI family {family}) carries "
                          "NVIDIA drivers", gaps=_GROUP_GAPS)
    if not accelerated:
        return failed(f"GPU pool {pool.name} ({_names(groups)}) uses the default image of AMI family {family}, "
                      "which carries no NVIDIA drivers: its nodes expose no GPU.", groups[0].location)
    return passed(f"GPU pool {pool.name} uses the family's default image, the EKS-optimized accelerated AMI.")


def _pinned_image_outcome(d: Deployment, pool: NodePool, ami: str, exists: bool | None, accelerated: bool | None,
                          groups: list[NodeGroup]) -> Outcome:
    if exists is False:
        return failed(f"GPU pool {pool.name} ({_names(groups)}) pins AMI {ami}, which does not exist in "
                      f"{d.cluster.region}: its nodes cannot launch.", groups[0].location)
    if accelerated is False:
        return failed(f"GPU pool {pool.name} ({_names(groups)}) pins AMI {ami}, which carries no NVIDIA drivers: "
                      "its nodes expose no GPU.", groups[0].location)
    if exists is None or accelerated is None:
        return skipped(f"GPU pool {pool.name} pins AMI {ami}; a pinned AMI can only be checked against the "
                       "account (does it exist in the region, does it carry NVIDIA drivers): domino-eks check.")
    return passed(f"GPU pool {pool.name} pins AMI {ami}, an accelerated image that exists in {d.cluster.region}.")


@pools_rule(
    "P012", Severity.WARNING,
    title="GPU instance family is retired or old",
    rationale=(
        "NVIDIA's current drivers, which the EKS accelerated AMIs ship, no longer support the Kepler GPUs of "
        "p2 instances (eksctl dropped p2), and p3's Volta GPUs are losing support. The page is inconsistent "
        "here: its table names p3.2xlarge while both eksctl samples use p2.8xlarge."
    ),
    fix="Use a current GPU family for the GPU pool, e.g. g5.2xlarge (Domino's own Terraform default), g6 or p5.",
)
def gpu_family(d: Deployment) -> Iterator[Outcome]:
    pools = _gpu_pools(d)
    if not pools:
        yield passed("there is no GPU pool.")
    for pool in pools:
        for instance_type, groups in _by(pool.groups, attrgetter("instance_type")).items():
            family = instances.family(instance_type) if instance_type else None
            if family is None:
                yield unknown(d, f"the instance type of {_names(groups)}", gaps=_GROUP_GAPS)
            elif family in instances.RETIRED_GPU_FAMILIES:
                yield failed(f"GPU pool {pool.name} uses {instance_type}: {instances.RETIRED_GPU_FAMILIES[family]}, "
                             "so its nodes come up without a working GPU driver.", groups[0].location)
            elif family in instances.OLD_GPU_FAMILIES:
                yield failed(f"GPU pool {pool.name} uses {instance_type}: {instances.OLD_GPU_FAMILIES[family]}; "
                             "plan a move to a current family.", groups[0].location)
            else:
                yield passed(f"GPU pool {pool.name} uses a current GPU family ({instance_type}).")


@overview_rule(
    "P013", Severity.INFO,
    title="Node pools are EKS managed or self-managed node groups",
    rationale=(
        "The page recommends custom (self-managed) node groups over EKS managed node groups, for custom machine "
        "images and full control of bootstrap; Domino's current Terraform uses managed node groups only. Both "
        "are supported. Which one a pool uses decides who rolls its image updates and drains its nodes (EKS, "
        "for managed groups; you, for self-managed ones) and where the Cluster Autoscaler reads a scale-from-zero "
        "group's labels from."
    ),
    fix="Nothing to fix: choose per pool with managed: true (EKS managed node groups, as Domino's Terraform) or "
        "managed: false (self-managed, the page's recommendation and the spec's default).",
)
def node_group_kind(d: Deployment) -> Iterator[Outcome]:
    if not d.domino_pools:
        yield skipped(NO_POOL)
        return
    grouped = _grouped(d)
    if any(g.managed is None for g in grouped):
        yield unknown(d, "whether the node groups are EKS managed or self-managed", gaps=_GROUP_GAPS)
        return
    without_groups = []
    for pool in d.domino_pools:
        launched = [g for g in pool.groups if g not in grouped]
        if launched:
            without_groups.append(f"pool {pool.name} runs on nodes {_launcher(launched)} launches from NodePool(s) "
                                  f"{_names(launched)}, not on node groups")
        managed = [g for g in pool.groups if g.managed and g in grouped]
        if managed:
            yield failed(f"pool {pool.name} uses EKS managed node groups ({_names(managed)}), as Domino's current "
                         "Terraform does; the page recommends self-managed ones. Both are supported: EKS rolls "
                         "their image updates and drains their nodes, and the Cluster Autoscaler reads their "
                         "labels from EKS only until they first have nodes, so the node-template tags still "
                         "matter.", managed[0].location, severity=Severity.INFO)
    if grouped:
        which = "the other node pools use" if without_groups else "every node pool uses"
        without_groups.append(f"{which} self-managed node groups, as the page recommends (Domino's current "
                              "Terraform uses EKS managed ones; both are supported)")
    yield passed("; ".join(without_groups) + ".")


@overview_rule(
    "P014", Severity.ERROR,
    title="Fargate profile selects a Domino namespace",
    rationale=(
        "Domino cannot run on EKS Fargate: Fargate does not support stateful workloads with persistent "
        "volumes, and a Fargate profile that selects one of Domino's namespaces (domino-platform, domino-compute "
        "on 6.x; platform, compute, domino-system before; or those the deployment declares) sends Domino's pods "
        "there instead of to the node pools."
    ),
    fix="Delete the Fargate profile, or change its selectors so they match none of Domino's namespaces.",
)
def no_fargate_for_domino(d: Deployment) -> Iterator[Outcome]:
    profiles = d.kubernetes.fargate_profiles
    if profiles is None:
        yield unknown(d, "the cluster's Fargate profiles", gaps=_GROUP_GAPS)
        return
    conflicts = [failed(f"Fargate profile {profile.name} selects {', '.join(selected)}: Domino's pods there run "
                        "on Fargate, which cannot mount their persistent volumes.", d.cluster.location)
                 for profile in profiles
                 if (selected := _selected_domino_namespaces(d.domino_namespaces, profile.namespaces))]
    yield from conflicts or [passed(f"no Fargate profile selects {', '.join(d.domino_namespaces)}.")]


def _grouped(d: Deployment) -> list[NodeGroup]:
    """The Domino pools' node groups behind Auto Scaling groups: Karpenter and EKS Auto Mode launch their
    nodes from a NodePool, which is neither managed nor self-managed and reads no node-template tag."""
    return [g for p in d.domino_pools for g in p.groups if g.provisioner not in LAUNCHED_WITHOUT_GROUPS]


def _launcher(groups: Sequence[NodeGroup]) -> str:
    kinds = {g.provisioner for g in groups}
    return " and ".join(name for kind, name in (("karpenter", "Karpenter"), ("auto-mode", "EKS Auto Mode"))
                        if kind in kinds)


def _selected_domino_namespaces(domino_namespaces: Iterable[str], selectors: Iterable[str]) -> list[str]:
    """Fargate namespace selectors may carry * and ? wildcards."""
    return [ns for ns in domino_namespaces if any(fnmatchcase(ns, selector) for selector in selectors)]


@samples_rule(
    "P015", Severity.WARNING,
    title="Scale-from-zero node group lacks node-template label tags",
    rationale=(
        "A node group at zero nodes has no node the cluster autoscaler can inspect, so it learns the labels a "
        "new node would carry from the group's k8s.io/cluster-autoscaler/node-template/label/<key> tags, as the "
        "page's samples set them. Without a tag for each label, pods that select that label never scale the "
        "group up from zero."
    ),
    fix="Tag every node group whose minSize is 0 with k8s.io/cluster-autoscaler/node-template/label/<key>: "
        "<value> for each of its labels (or set propagateASGTags: true in eksctl).",
)
def scale_from_zero_tags(d: Deployment) -> Iterator[Outcome]:
    outcomes = [karpenter_launched(g) for g in d.groups if g.karpenter_node_pool is not None]
    outcomes += [_template_tags_outcome(d, group) for group in _grouped(d)
                 if group.min_size is None or group.min_size == 0]
    yield from outcomes or [passed("no node group scales from zero.")]


def _template_tags_outcome(d: Deployment, group: NodeGroup) -> Outcome:
    if group.min_size is None:
        return unknown(d, f"the minimum size of {group.name}", gaps=_GROUP_GAPS)
    if group.tags is None:
        return unknown(d, f"the tags of {group.name}", gaps=_GROUP_GAPS)
    missing = [f"{NODE_TEMPLATE_LABEL_TAG}{key}: {value}" for key, value in group.labels.items()
               if group.tags.get(NODE_TEMPLATE_LABEL_TAG + key) != value]
    if missing:
        return failed(f"node group {group.name} scales from zero but lacks the tag(s) {', '.join(missing)}; pods "
                      "that select these labels never scale it up.", group.location)
    return passed("every scale-from-zero node group carries a node-template tag for each of its labels.")
