"""Rule P016: Karpenter NodePools that launch Domino's nodes (Domino's Terraform can run compute on Karpenter)."""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial

from domino_eks.model import NODE_POOL_LABEL, Deployment, KarpenterNodePool
from domino_eks.rules.base import REGISTRY, Outcome, Severity, failed, passed
from domino_eks.rules.unknown import Gap, unknown

rule = partial(REGISTRY.rule, section="Beyond the page: Karpenter")
ZONE = "topology.kubernetes.io/zone"
# where karpenter.sh/v1 has a field that NodePools written for older releases (and Domino's own examples) misplace
_BELONGS = {"spec.template.spec.limits": "spec.limits", "spec.template.spec.disruption": "spec.disruption",
            "spec.template.spec.weight": "spec.weight"}


def _deployment_zones(d: Deployment) -> frozenset[str] | None:
    """The zones Domino's other node groups use, else the control plane's."""
    zones = {z for g in d.groups if g.karpenter_node_pool is None for z in g.zones or ()}
    if zones:
        return frozenset(zones)
    return frozenset(d.cluster.control_plane_zones) if d.cluster.control_plane_zones else None


@rule(
    "P016", Severity.ERROR,
    title="A Karpenter NodePool launches nodes Domino cannot use",
    rationale=(
        "With Karpenter a NodePool, not an Auto Scaling group, decides which nodes join. Domino schedules by the "
        "dominodatalab.com/node-pool label, so a NodePool whose template does not set it launches nodes no Domino "
        "workload selects; one not constrained to the deployment's zones launches nodes where the EFS mount targets "
        "and the executions' volumes are not; and a field karpenter.sh/v1 has no place for (limits under "
        "spec.template.spec, as Domino's own examples write it) is dropped by the API server, so the limit it "
        "meant never holds."
    ),
    fix="In each NodePool set spec.template.metadata.labels dominodatalab.com/node-pool: <pool>, a requirement "
        "topology.kubernetes.io/zone In the deployment's zones, and move misplaced fields where karpenter.sh/v1 "
        "has them (spec.limits, spec.disruption, spec.weight).",
)
def karpenter_node_pools(d: Deployment) -> Iterator[Outcome]:
    if d.karpenter_node_pools is None:
        yield unknown(d, "the cluster's Karpenter NodePools", {
            "spec": "the spec declares no Karpenter NodePools; `check` reads them from the cluster",
            "eksctl": "an eksctl ClusterConfig declares no Karpenter NodePools; `check` reads them from the cluster",
            "dump": "the dump holds no NodePools: add `kubectl get nodepools,ec2nodeclasses -o json` to it",
        }, (Gap.KUBERNETES,))
        return
    zones = _deployment_zones(d)
    for pool in d.karpenter_node_pools:
        yield from _judged(pool, zones)
    yield passed(f"{len(d.karpenter_node_pools)} Karpenter NodePool(s), each labelling its nodes for a Domino pool "
                 "within the deployment's zones." if d.karpenter_node_pools else "no Karpenter NodePools.")


def _judged(pool: KarpenterNodePool, zones: frozenset[str] | None) -> Iterator[Outcome]:
    where = pool.location
    for path in pool.misplaced:
        place = f": karpenter.sh/v1 has it at {_BELONGS[path]}" if path in _BELONGS else ""
        yield failed(f"NodePool {pool.name} sets {path}, which karpenter.sh/v1 does not know{place}; the API server "
                     "drops it.", where)
    if pool.node_pool_label is None:
        yield failed(f"NodePool {pool.name} does not label its nodes {NODE_POOL_LABEL} "
                     "(spec.template.metadata.labels): no Domino workload selects them.", where)
    if pool.zones is None:
        yield failed(f"NodePool {pool.name} has no {ZONE} requirement: Karpenter may launch its nodes in any zone "
                     "of its node class's subnets.", where)
    elif zones is not None and not set(pool.zones) <= zones:
        outside = ", ".join(sorted(set(pool.zones) - zones))
        yield failed(f"NodePool {pool.name} allows zone(s) {outside}, outside the deployment's "
                     f"({', '.join(sorted(zones))}).", where)
