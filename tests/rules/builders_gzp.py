"""Edits of the example deployments for the G, Z and P rule tests: models are frozen, so every edit copies."""

from __future__ import annotations

from collections.abc import Callable

import domino_eks.rules  # noqa: F401  (registers the whole catalogue)
from domino_eks.model import Deployment, NodeGroup, NodePool, SourceInfo
from domino_eks.rules.base import REGISTRY, Finding

GroupFilter = Callable[[NodeGroup], bool]


def findings(rule_id: str, deployment: Deployment) -> list[Finding]:
    return REGISTRY.get(rule_id).evaluate(deployment)


def only(rule_id: str, deployment: Deployment) -> Finding:
    """The one finding the rule reports; a second one fails the test."""
    (finding,) = findings(rule_id, deployment)
    return finding


def in_zone(zone: str) -> GroupFilter:
    return lambda group: zone in (group.zones or ())


def with_cluster(deployment: Deployment, **changes) -> Deployment:
    return deployment.model_copy(update={"cluster": deployment.cluster.model_copy(update=changes)})


def with_source(deployment: Deployment, kind: str) -> Deployment:
    return deployment.model_copy(update={"source": SourceInfo(kind=kind)})


def with_pools(deployment: Deployment, *pools: NodePool) -> Deployment:
    return deployment.model_copy(update={"pools": deployment.pools + pools})


def without_pool(deployment: Deployment, label: str) -> Deployment:
    return deployment.model_copy(update={"pools": tuple(p for p in deployment.pools if p.label != label)})


def pool_of(deployment: Deployment, label: str) -> NodePool:
    pool = deployment.pool(label)
    assert pool is not None, f"the example has no {label} pool"
    return pool


def edit_groups(deployment: Deployment, label: str, where: GroupFilter = lambda _: True, **changes) -> Deployment:
    """The groups of the pool labelled `label` that match `where`, with `changes` applied."""
    def edited(pool: NodePool) -> NodePool:
        if pool.label != label:
            return pool
        groups = tuple(g.model_copy(update=changes) if where(g) else g for g in pool.groups)
        return pool.model_copy(update={"groups": groups})

    return deployment.model_copy(update={"pools": tuple(edited(p) for p in deployment.pools)})


def drop_groups(deployment: Deployment, label: str, where: GroupFilter) -> Deployment:
    def kept(pool: NodePool) -> NodePool:
        if pool.label != label:
            return pool
        return pool.model_copy(update={"groups": tuple(g for g in pool.groups if not where(g))})

    return deployment.model_copy(update={"pools": tuple(kept(p) for p in deployment.pools)})


def add_groups(deployment: Deployment, label: str, *groups: NodeGroup) -> Deployment:
    pools = tuple(p.model_copy(update={"groups": p.groups + groups}) if p.label == label else p
                  for p in deployment.pools)
    return deployment.model_copy(update={"pools": pools})
