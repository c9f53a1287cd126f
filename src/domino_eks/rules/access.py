"""Rules A001-A003: what the Cluster Autoscaler may do and how it finds the node groups ("Autoscale access")."""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial

from domino_eks.knowledge import iam
from domino_eks.model import (
    AUTOSCALER_TAG_PREFIX,
    Deployment,
    Grants,
    NodeGroup,
    autodiscovery_cluster,
)
from domino_eks.rules.base import REGISTRY, Outcome, Severity, failed, passed
from domino_eks.rules.pools import karpenter_launched
from domino_eks.rules.unknown import CLUSTER_NAME_WHY, Gap, unknown

rule = partial(REGISTRY.rule, section="Autoscale access")
_TEMPLATE_MARKS = ("{{", "}}", "<", ">", "$")
_EKSCTL_GRANTS = ("this ClusterConfig gives the node groups no autoScaler addon policy and attaches no policy; "
                  "the page attaches it to the platform nodes by hand — checked live by domino-eks check")


@rule(
    "A001", Severity.ERROR,
    title="Cluster Autoscaler lacks AWS permissions",
    rationale=(
        "The page says that if the Kubernetes Cluster Autoscaler runs, the instance profile of the platform "
        "nodes must allow its Auto Scaling actions (or its own IRSA / Pod Identity role must). Without them "
        "it cannot list or resize the node groups and the pools never grow. Current autoscaler releases also "
        "read scaling activities, images and instance types; without those it logs errors and cannot scale "
        "a group up from zero."
    ),
    fix="Attach the autoscaler policy domino-eks render writes (iam/autoscaler.json) to the platform nodes' "
        "role or to the autoscaler's IRSA / Pod Identity role.",
)
def autoscaler_permissions(d: Deployment) -> Iterator[Outcome]:
    grants = _autoscaler_grants(d)
    if isinstance(grants, Outcome):
        yield grants
        return
    missing = [a for a in iam.AUTOSCALER_REQUIRED if not iam.allows(grants.statements, a)]
    if missing:
        yield failed(f"{grants.where} does not allow {', '.join(missing)}: the Cluster Autoscaler cannot "
                     "list or resize the node groups.", grants.location)
    lacking = [a for a in iam.AUTOSCALER_RECOMMENDED if not iam.allows(grants.statements, a)]
    if lacking:
        yield failed(f"{grants.where} does not allow {', '.join(lacking)}, which current Cluster Autoscaler "
                     "releases read: it logs errors and cannot size groups that scale from zero.",
                     grants.location, severity=Severity.WARNING)
    yield passed(f"{grants.where} allows every action the Cluster Autoscaler uses.")


def _autoscaler_grants(d: Deployment) -> Grants | Outcome:
    """The autoscaler's grants, or the outcome that stands in for judging them (not used, or unknown)."""
    if d.autoscaler.enabled is None:
        return unknown(d, "whether the Cluster Autoscaler runs", {
            "eksctl": "this ClusterConfig neither gives the node groups the autoScaler addon policy nor tags "
                      "them for autodiscovery",
        }, (Gap.KUBERNETES,))
    if not d.autoscaler.enabled:
        return passed("not applicable: the Cluster Autoscaler is not used.")
    if d.access.autoscaler is None:
        return unknown(d, "the Cluster Autoscaler's IAM permissions", {"eksctl": _EKSCTL_GRANTS}, (Gap.IAM, Gap.AWS))
    return d.access.autoscaler


@rule(
    "A002", Severity.WARNING,
    title="Cluster Autoscaler may resize every Auto Scaling group in the account",
    rationale=(
        "The page's autoscaler policy allows SetDesiredCapacity and TerminateInstanceInAutoScalingGroup on "
        "Resource \"*\". Every process on the platform nodes can then scale or terminate any Auto Scaling "
        "group in the account, not just Domino's. A condition on the group's autodiscovery tag confines "
        "those writes to this cluster."
    ),
    fix="Scope the write actions with a condition such as StringEquals "
        "aws:ResourceTag/k8s.io/cluster-autoscaler/<cluster-name>: owned (the policy domino-eks render writes).",
)
def autoscaler_writes_scoped(d: Deployment) -> Iterator[Outcome]:
    grants = _autoscaler_grants(d)
    if isinstance(grants, Outcome):
        yield grants
        return
    yield from _unscoped_writes(grants)
    yield passed(f"{grants.where} confines the autoscaler's write actions by a condition or resource.")


def _unscoped_writes(grants: Grants) -> Iterator[Outcome]:
    for statement in grants.statements:
        if statement.effect != "Allow" or statement.condition or iam.ANY_RESOURCE not in statement.resources:
            continue
        writes = [a for a in iam.AUTOSCALER_WRITE if iam.covers(statement, a)]
        if writes:
            yield failed(f"{grants.where} allows {', '.join(writes)} on Resource \"*\" with no condition: it can "
                         "resize or terminate every Auto Scaling group in the account.", grants.location)


@rule(
    "A003", Severity.ERROR,
    title="Autodiscovery tag does not name the cluster",
    rationale=(
        "The Cluster Autoscaler discovers the groups it manages by the tags k8s.io/cluster-autoscaler/enabled "
        "and k8s.io/cluster-autoscaler/<cluster-name>. The page's multi-AZ sample leaves the literal "
        "{{ cluster_name }} in that tag: the group is never discovered, so that pool never scales."
    ),
    fix="Tag each group k8s.io/cluster-autoscaler/<cluster-name>: owned with the real cluster name "
        "(domino-eks render and apply write these tags).",
)
def autodiscovery_tags_name_cluster(d: Deployment) -> Iterator[Outcome]:
    launched_by_karpenter = [g for g in d.groups if g.karpenter_node_pool is not None]
    yield from (karpenter_launched(g) for g in launched_by_karpenter)
    tagged = [g for g in d.groups if g.tags is not None]
    if not tagged and not launched_by_karpenter:
        yield unknown(d, "the node groups' Auto Scaling tags", {
            "spec": "the tool writes them itself (k8s.io/cluster-autoscaler/<cluster-name>) when it renders or "
                    "applies the spec",
        }, (Gap.AUTOSCALING, Gap.AWS))
        return
    if not tagged:
        return
    for group in tagged:
        yield from _foreign_cluster_tags(group, d.cluster.name)
    named = sorted({n for g in tagged for key in g.tags or {} if (n := autodiscovery_cluster(key)) is not None
                    and not _is_template(n)})
    if d.cluster.name is None and named:
        yield unknown(d, f"the cluster's name (to compare with the autodiscovery tags naming {', '.join(named)})",
                      CLUSTER_NAME_WHY, (Gap.AWS,))
    yield passed(f"every autodiscovery tag names cluster {d.cluster.name}." if d.cluster.name else
                 "no autodiscovery tag names a cluster, or is a template left unfilled.")


def _is_template(named: str) -> bool:
    return any(mark in named for mark in _TEMPLATE_MARKS)


def _foreign_cluster_tags(group: NodeGroup, cluster: str | None) -> Iterator[Outcome]:
    """A template left unfilled fails whatever the cluster's name; a real name needs the cluster's to judge."""
    for key in group.tags or {}:
        named = autodiscovery_cluster(key)
        if named is None or named == cluster:
            continue
        if _is_template(named):
            wanted = f"{AUTOSCALER_TAG_PREFIX}{cluster}" if cluster else "its cluster's name"
            yield failed(f"node group {group.name} has tag {key!r}, a template left unfilled: the Cluster "
                         f"Autoscaler looks for {wanted} and never discovers this group.", group.location)
        elif cluster is not None:
            yield failed(f"node group {group.name} has tag {key!r}, naming cluster {named!r} rather than "
                         f"{cluster!r}: the Cluster Autoscaler of this cluster never discovers the group.",
                         group.location)

