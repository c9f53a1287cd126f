"""Edits of the example deployments, and small models, for the rule tests: models are frozen, so every edit
copies."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from ruamel.yaml import YAML

import domino_eks.rules  # noqa: F401  (registers the whole catalogue)
from domino_eks.model import (
    NODE_POOL_LABEL,
    Bucket,
    Cluster,
    Deployment,
    Kubernetes,
    Location,
    Node,
    NodeGroup,
    NodePool,
    SourceInfo,
    Statement,
)
from domino_eks.rules.base import REGISTRY, Finding
from tests.conftest import PAGE_MULTI_AZ

GroupFilter = Callable[[NodeGroup], bool]


def findings(rule_id: str, deployment: Deployment) -> list[Finding]:
    rule = REGISTRY.get(rule_id)
    assert rule is not None, rule_id
    return rule.evaluate(deployment)


def only(rule_id: str, deployment: Deployment) -> Finding:
    """The one finding the rule reports; a second one fails the test."""
    (finding,) = findings(rule_id, deployment)
    return finding


def edit(deployment: Deployment, part: str, **changes) -> Deployment:
    """`deployment` with fields of one part (cluster, network, storage, access, domain, ...) changed."""
    return deployment.model_copy(update={part: getattr(deployment, part).model_copy(update=changes)})


def from_source(deployment: Deployment, kind: str, gaps: Mapping[str, str] | None = None) -> Deployment:
    return deployment.model_copy(update={"source": SourceInfo(kind=kind, gaps=dict(gaps or {}))})


# node pools and node groups -------------------------------------------------------------------------------------

def in_zone(zone: str) -> GroupFilter:
    return lambda group: zone in (group.zones or ())


def pool_of(deployment: Deployment, label: str) -> NodePool:
    pool = deployment.pool(label)
    assert pool is not None, f"the example has no {label} pool"
    return pool


def with_pools(deployment: Deployment, *pools: NodePool) -> Deployment:
    return deployment.model_copy(update={"pools": deployment.pools + pools})


def without_pool(deployment: Deployment, label: str) -> Deployment:
    return deployment.model_copy(update={"pools": tuple(p for p in deployment.pools if p.label != label)})


def edit_groups(deployment: Deployment, label: str | None, where: GroupFilter = lambda _: True,
                **changes) -> Deployment:
    """The groups that match `where` in the pool labelled `label` (in every pool when None), with `changes`."""
    def edited(pool: NodePool) -> NodePool:
        if label is not None and pool.label != label:
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


def page_multi_az_groups() -> dict[str, dict]:
    """The node groups of the page's multi-AZ eksctl sample, verbatim, by name."""
    document = YAML(typ="safe").load(PAGE_MULTI_AZ.read_text())
    return {g["name"]: g for g in document["nodeGroups"]}


# buckets and IAM ------------------------------------------------------------------------------------------------

def edit_bucket(deployment: Deployment, role: str, **changes) -> Deployment:
    assert deployment.storage.buckets is not None
    buckets = tuple(b.model_copy(update=changes) if b.role == role else b for b in deployment.storage.buckets)
    return edit(deployment, "storage", buckets=buckets)


def bucket(deployment: Deployment, role: str) -> Bucket:
    assert deployment.storage.buckets is not None
    return next(b for b in deployment.storage.buckets if b.role == role)


def allow(actions: tuple[str, ...], resources: tuple[str, ...] = ("*",), condition=None) -> Statement:
    return Statement(effect="Allow", actions=actions, resources=resources, condition=condition)


def deny(actions: tuple[str, ...], resources: tuple[str, ...] = ("*",), condition=None) -> Statement:
    return Statement(effect="Deny", actions=actions, resources=resources, condition=condition)


# live clusters --------------------------------------------------------------------------------------------------

def node(name: str, *, ready: bool | None = True, schedulable: bool | None = True, gpus: int | None = None) -> Node:
    return Node(name=name, zone="us-west-2a", instance_type="m5.2xlarge", ready=ready, schedulable=schedulable,
                gpu_allocatable=gpus)


def live_group(name: str, labels: Mapping[str, str], nodes: tuple[Node, ...] | None, *, min_size: int = 1,
               instance_type: str = "m5.2xlarge") -> NodeGroup:
    return NodeGroup(name=name, zones=("us-west-2a",), instance_type=instance_type, min_size=min_size, max_size=5,
                     labels=dict(labels), nodes=nodes, location=Location(object=f"AutoScalingGroup/{name}"))


def live_deployment(*groups: NodeGroup, namespaces=None) -> Deployment:
    """A cluster as the live source sees it: one pool per node-pool label, nodes and namespaces read from it."""
    labels = dict.fromkeys(g.labels.get(NODE_POOL_LABEL) for g in groups)
    pools = tuple(
        NodePool(name=label or "unlabelled", label=label,
                 groups=tuple(g for g in groups if g.labels.get(NODE_POOL_LABEL) == label))
        for label in labels
    )
    return Deployment(
        source=SourceInfo(kind="live"),
        cluster=Cluster(name="domino-test-cluster", region="us-west-2", version="1.34"),
        pools=pools,
        kubernetes=Kubernetes(namespaces=namespaces),
    )
