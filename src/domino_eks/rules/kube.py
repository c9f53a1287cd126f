"""Rules K001-K002: Kubernetes objects only a live cluster shows ("Namespaces", "Node pools")."""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial

from domino_eks.model import (
    GPU_RESOURCE,
    NODE_POOL_LABEL,
    Deployment,
    DevicePlugin,
    Location,
    Node,
    NodeGroup,
    NodePool,
)
from domino_eks.rules import gpu
from domino_eks.rules.base import REGISTRY, Outcome, Severity, failed, passed, skipped
from domino_eks.rules.unknown import Gap, unknown

namespaces_rule = partial(REGISTRY.rule, section="Namespaces")
pools_rule = partial(REGISTRY.rule, section="Node pools")
_NEEDS_A_CLUSTER = dict.fromkeys(("spec", "eksctl"), "it needs a live cluster — checked by domino-eks check")


@namespaces_rule(
    "K001", Severity.WARNING,
    title="Domino's namespaces already hold other workloads",
    rationale=(
        "The page says no namespace needs creating before the install: Domino's installer creates its namespaces "
        "itself — those the deployment declares, by default domino-platform and domino-compute on Domino 6.x, "
        "platform, compute and domino-system on the page's releases. If one already exists with workloads that "
        "are not Domino's, the installer's NetworkPolicies, quotas and cleanup apply to them too, and their "
        "objects can collide with Domino's."
    ),
    fix="Move the other workloads out of Domino's namespaces (or declare other ones under domino.namespaces in "
        "the spec, or install into a cluster where they are free) before installing Domino.",
)
def namespaces_free(d: Deployment) -> Iterator[Outcome]:
    namespaces = d.kubernetes.namespaces
    if namespaces is None:
        yield unknown(d, "the cluster's namespaces", _NEEDS_A_CLUSTER, (Gap.KUBERNETES,))
        return
    domino_namespaces = d.domino_namespaces
    for namespace in namespaces:
        if namespace.name in domino_namespaces and namespace.foreign_workloads:
            yield failed(f"namespace {namespace.name} already holds workloads that are not Domino's "
                         f"({', '.join(namespace.foreign_workloads)}): Domino's installer manages this namespace "
                         "and its policies and cleanup will hit them.", Location(object=f"Namespace/{namespace.name}"))
    yield passed(f"{', '.join(domino_namespaces)} hold no workloads other than Domino's.")


@pools_rule(
    "K002", Severity.ERROR,
    title="Pool nodes are not ready, not schedulable, or advertise no GPUs",
    rationale=(
        "Domino schedules its platform and executions onto the node pools by label. A pool whose nodes are "
        "missing, NotReady or cordoned cannot run them, and a GPU node that advertises no nvidia.com/gpu "
        "(NVIDIA device plugin or drivers missing) leaves every GPU execution Pending."
    ),
    fix="Fix the nodes (kubectl describe node shows why they are NotReady), uncordon them, and on GPU pools "
        "use the EKS-optimized accelerated AMI and run the NVIDIA device plugin.",
)
def pool_nodes_usable(d: Deployment) -> Iterator[Outcome]:
    listed = [n for g in d.groups for n in g.nodes or ()]
    if not d.domino_pools and listed:
        yield skipped(f"no node pool to judge: none of the cluster's {len(listed)} node(s) carries the "
                      f"{NODE_POOL_LABEL} label (P001 names the pools Domino needs).")
        return
    if not d.pools and d.live and Gap.KUBERNETES not in d.source.gaps:
        yield skipped("no node pool to judge: the cluster lists no node a pool could hold (a Fargate node belongs "
                      "to none; P001 names the pools Domino needs).")
        return
    if all(g.nodes is None for p in d.domino_pools for g in p.groups):
        yield unknown(d, "the pools' nodes", _NEEDS_A_CLUSTER, (Gap.KUBERNETES,))
        return
    for pool in d.domino_pools:
        for group in pool.groups:
            if group.nodes is None:
                yield unknown(d, f"the nodes of node group {group.name}", _NEEDS_A_CLUSTER, (Gap.KUBERNETES,))
            else:
                yield from _group_nodes(pool, group, d.kubernetes.device_plugins)
    yield passed("every pool's nodes are Ready and schedulable, and GPU nodes advertise their GPUs.")


def _group_nodes(pool: NodePool, group: NodeGroup, plugins: tuple[DevicePlugin, ...] | None) -> Iterator[Outcome]:
    if not group.nodes and (group.min_size or 0) > 0:
        yield failed(f"node group {group.name} of pool {pool.name} has no nodes though its minimum size is "
                     f"{group.min_size}: nothing of that pool can be scheduled.", group.location)
    gpu_group = group.is_gpu  # once per group: a group holds thousands of nodes
    for node in group.nodes or ():
        # most nodes are fine: the common case costs three comparisons, no Location built
        if node.ready is not True or node.schedulable is False or (gpu_group and not node.gpu_allocatable):
            yield from _node_problems(pool, group, gpu_group, node, plugins)


def _node_problems(pool: NodePool, group: NodeGroup, gpu_group: bool, node: Node,
                   plugins: tuple[DevicePlugin, ...] | None) -> Iterator[Outcome]:
    where = Location(object=f"Node/{node.name}")
    if node.ready is None:
        yield skipped(f"the Ready condition of node {node.name} is unknown: the cluster did not report it.")
    if node.ready is False:
        yield failed(f"node {node.name} of pool {pool.name} is NotReady: nothing new is scheduled on it.", where)
    if node.schedulable is False:
        yield failed(f"node {node.name} of pool {pool.name} is cordoned (unschedulable): nothing new is scheduled "
                     "on it.", where)
    if gpu_group and node.ready and not node.gpu_allocatable:
        missing = _missing_gpu_part(group, node, plugins)
        advertised = (f"advertises nvidia.com/gpu allocatable {node.gpu_allocatable}" if node.gpu_allocatable == 0
                      else f"advertises no {GPU_RESOURCE} resource")
        yield failed(f"GPU node {node.name} of pool {pool.name} {advertised}: GPU executions stay Pending; "
                     f"{missing}", where)


def _missing_gpu_part(group: NodeGroup, node: Node, plugins: tuple[DevicePlugin, ...] | None) -> str:
    """Which of device plugin, AMI or driver is missing, in the order a GPU node needs them."""
    if plugins is not None and not gpu.serving(plugins, node.labels, group.taints):
        return ("missing: the device plugin — no NVIDIA device plugin daemon set runs on this node (see K003 for "
                "what to change).")
    if group.ami_accelerated is False:
        return (f"missing: the AMI's NVIDIA driver — node group {group.name} runs an image without one; use the "
                "EKS-optimized accelerated AMI (AL2023 NVIDIA or Bottlerocket NVIDIA).")
    plugin = "the device plugin runs on it" if plugins is not None else "the device plugin is unknown"
    image = "its AMI is the accelerated one" if group.ami_accelerated else "its AMI is unknown"
    return (f"missing: the driver — {plugin} and {image}, so the NVIDIA driver does not load on the node: run "
            "nvidia-smi on it and use a driver that supports its GPU.")
