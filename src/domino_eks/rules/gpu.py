"""Rule K003, and what K002 reads of it: a GPU pool needs a device plugin whose pods reach its nodes — selected
by the daemon set's node selector and required affinity, and tolerating the pool's taints."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from functools import partial

from domino_eks.model import Deployment, DevicePlugin, Location, NodeGroup, NodePool, SelectorRequirement, Taint
from domino_eks.rules.base import REGISTRY, Outcome, Severity, failed, passed, skipped
from domino_eks.rules.unknown import Gap, unknown

rule = partial(REGISTRY.rule, section="Beyond the page: GPU nodes")
_NEEDS_A_CLUSTER = dict.fromkeys(("spec", "eksctl"), "it needs a live cluster — checked by domino-eks check")
_BLOCKING_EFFECTS = ("NoSchedule", "NoExecute")  # PreferNoSchedule only discourages


def untolerated(plugin: DevicePlugin, taints: Iterable[Taint]) -> list[Taint]:
    """The taints that keep the plugin's pods off a node."""
    return [t for t in taints if t.effect in _BLOCKING_EFFECTS and not any(o.tolerates(t) for o in plugin.tolerations)]


def unselected(plugin: DevicePlugin, labels: Mapping[str, str]) -> str | None:
    """Why the plugin's node selector or required affinity leaves out a node with `labels`; None if it selects it."""
    wrong = [f"{k}={v}" for k, v in sorted(plugin.node_selector.items()) if labels.get(k) != v]
    if wrong:
        return f"its nodeSelector wants {', '.join(wrong)}"
    if plugin.affinity_terms and not any(all(_matches(r, labels) for r in term) for term in plugin.affinity_terms):
        terms = " or ".join(" and ".join(_requirement(r) for r in term) for term in plugin.affinity_terms)
        return f"its required node affinity wants {terms}"
    return None


def serving(plugins: Iterable[DevicePlugin], labels: Mapping[str, str], taints: Iterable[Taint]) -> bool:
    taints = tuple(taints)
    return any(unselected(p, labels) is None and not untolerated(p, taints) for p in plugins)


def _matches(requirement: SelectorRequirement, labels: Mapping[str, str]) -> bool:
    value, op, values = labels.get(requirement.key), requirement.operator, requirement.values
    if op == "Exists":
        return value is not None
    if op == "DoesNotExist":
        return value is None
    if op == "In":
        return value in values
    if op == "NotIn":
        return value not in values
    if value is None or not value.lstrip("-").isdigit() or not values:
        return False
    return int(value) > int(values[0]) if op == "Gt" else int(value) < int(values[0])


def _requirement(r: SelectorRequirement) -> str:
    return f"{r.key} {r.operator}" + (f" [{', '.join(r.values)}]" if r.values else "")


def _taint(t: Taint) -> str:
    return f"{t.key}={t.value}:{t.effect}"


def _toleration(t: Taint) -> str:
    return f"{{key: {t.key}, operator: Exists, effect: {t.effect}}}"


@rule(
    "K003", Severity.ERROR,
    title="GPU pool has no device plugin that reaches its nodes",
    rationale=(
        "A node advertises nvidia.com/gpu only when NVIDIA's device plugin runs on it — deployed alone or by the "
        "GPU operator. GPU pools are usually tainted so other work stays off them: a plugin whose daemon set does "
        "not tolerate those taints, or whose node selector or affinity leaves the pool's nodes out, never runs "
        "there, and every GPU execution stays Pending. This is the most reported reason GPU nodes show no GPUs."
    ),
    fix="Install the NVIDIA device plugin (its Helm chart or static manifest) or the GPU operator, with "
        "tolerations for the GPU pools' taints and a node selector the pools' nodes match.",
)
def device_plugin_reaches_gpu_pools(d: Deployment) -> Iterator[Outcome]:
    gpu_pools = [p for p in d.domino_pools if p.is_gpu]
    if not gpu_pools:
        yield passed("no GPU pool: no device plugin is needed.")
        return
    plugins = d.kubernetes.device_plugins
    if plugins is None:
        yield unknown(d, "the cluster's daemon sets", _NEEDS_A_CLUSTER, (Gap.KUBERNETES,))
        return
    for pool in gpu_pools:
        if not plugins:
            yield failed(f"GPU pool {pool.name} has no device plugin: no daemon set of NVIDIA's device plugin or the "
                         "GPU operator runs in the cluster, so its nodes advertise no nvidia.com/gpu. Install one "
                         f"(helm install nvdp nvdp/nvidia-device-plugin -n kube-system){_tolerating(pool)}.",
                         pool.location)
            continue
        for group in pool.groups:
            if group.is_gpu:
                yield from _group_served(pool, group, plugins)


def _tolerating(pool: NodePool) -> str:
    taints = sorted({t for g in pool.groups for t in g.taints if t.effect in _BLOCKING_EFFECTS}, key=_taint)
    return f" with the tolerations {', '.join(_toleration(t) for t in taints)}" if taints else ""


def _group_served(pool: NodePool, group: NodeGroup, plugins: tuple[DevicePlugin, ...]) -> Iterator[Outcome]:
    if not group.nodes:
        yield from _future_nodes_served(pool, group, plugins)
        return
    for node in group.nodes:
        if serving(plugins, node.labels, group.taints):
            yield passed(f"device plugin(s) {', '.join(p.name for p in plugins)} reach the GPU nodes.")
        else:
            reasons = "; ".join(_why_not(p, node.labels, group.taints) for p in plugins)
            yield failed(f"GPU node {node.name} of pool {pool.name} gets no device plugin, so it advertises no "
                         f"nvidia.com/gpu: {reasons}.", Location(object=f"Node/{node.name}"))


def _future_nodes_served(pool: NodePool, group: NodeGroup, plugins: tuple[DevicePlugin, ...]) -> Iterator[Outcome]:
    """A group scaled to zero: its taints are known, the labels its nodes will get at boot only partly."""
    tolerating = [p for p in plugins if not untolerated(p, group.taints)]
    if not tolerating:
        reasons = "; ".join(_why_not(p, group.labels, group.taints, selection=False) for p in plugins)
        yield failed(f"node group {group.name} of GPU pool {pool.name} has no nodes yet, and no device plugin will "
                     f"run on those it starts: {reasons}.", group.location)
    elif any(unselected(p, group.labels) is None for p in tolerating):
        yield passed(f"device plugin(s) {', '.join(p.name for p in tolerating)} tolerate and select node group "
                     f"{group.name}.")
    else:
        yield skipped(f"whether {', '.join(p.name for p in tolerating)} select the nodes of group {group.name} is "
                      "unknown: the group has no node yet, and the plugin selects by labels nodes get at boot.")


def _why_not(plugin: DevicePlugin, labels: Mapping[str, str], taints: tuple[Taint, ...], selection: bool = True) -> str:
    problems = []
    missing = untolerated(plugin, taints)
    if missing:
        problems.append(f"it does not tolerate {', '.join(_taint(t) for t in missing)} (add "
                        f"{', '.join(_toleration(t) for t in missing)} to its pods)")
    reason = unselected(plugin, labels) if selection else None
    if reason:
        problems.append(f"{reason}, which the node's labels do not match (label the pool's nodes or change the "
                        "selector)")
    return f"{plugin.name}: {' and '.join(problems)}"
