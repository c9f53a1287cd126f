"""A snapshot — the raw facts a live collection or a dump gathered — as the canonical Deployment. Pure.

Facts come from what actually runs: pools from the nodes' `dominodatalab.com/node-pool` label and the
Auto Scaling groups (or EKS node groups) behind them, zones and instance types from the nodes' well-known
labels, the network plugin from its daemon sets, readiness from the Ready condition; pools Karpenter launches from its
NodePools (`sources.karpenter`). A part the snapshot
lacks leaves its model fields None (unknown), and the reason the collector recorded for it goes into
`SourceInfo.gaps` under the service that failed ("s3", "kubernetes", "aws"), which skipped rules cite.
One module per part of the model; `facts` indexes the snapshot for them.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime

from domino_eks.collect.shapes import KUBERNETES_PARTS
from domino_eks.model import (
    AUTOSCALER_ENABLED_TAG,
    BUCKET_ROLES,
    Autoscaler,
    Deployment,
    SourceInfo,
)
from domino_eks.sources import karpenter
from domino_eks.sources.snapshot import (
    account,
    groups,
    hardening,
    identity,
    network,
    nodeaccess,
    objects,
    registry,
    storage,
)
from domino_eks.sources.snapshot.cluster import cluster
from domino_eks.sources.snapshot.facts import Facts, tags

EKSCTL_CLUSTER_LABEL = "alpha.eksctl.io/cluster-name"


def cluster_name(facts: Facts) -> str | None:
    """The cluster's name: asked for, reported by EKS, or on eksctl's node labels; None when none of them says
    (only eksctl labels its nodes with it)."""
    named = facts.target.get("cluster") or (facts.aws_part("cluster") or {}).get("name")
    return named or next((n.model.labels[EKSCTL_CLUSTER_LABEL] for n in facts.nodes or ()
                          if EKSCTL_CLUSTER_LABEL in n.model.labels), None)


def collection_day(snapshot: Mapping) -> date | None:
    """The day the snapshot was taken; a kubectl List does not say."""
    stamp = snapshot.get("collected_at")
    return datetime.fromisoformat(stamp).date() if stamp else None


def to_deployment(snapshot: Mapping, today: date, file: str | None = None) -> Deployment:
    """The Deployment a snapshot describes, as of `today` (certificates' days left, the version calendar);
    `file` is the dump it was read from (None for a live run)."""
    facts = Facts.of(snapshot, today)
    name = cluster_name(facts)  # None for a cluster built by Terraform or the console: the rules needing it skip
    found = nodeaccess.with_node_roles(facts, groups.node_groups(facts))
    node_pools = facts.kube_part("nodepools")
    return Deployment(
        source=SourceInfo(kind="dump" if file else "live", file=file, gaps=_gaps(facts)),
        cluster=cluster(facts, name),
        pools=groups.pools(groups.with_node_pools(
            found, karpenter.node_groups(node_pools or [], facts.kube_part("ec2nodeclasses") or []))),
        karpenter_node_pools=None if node_pools is None else karpenter.judged(node_pools),
        network=network.network(facts),
        storage=storage.storage(facts),
        access=nodeaccess.with_admission(facts, identity.access(facts, found)),
        domain=identity.domain(facts),
        autoscaler=_autoscaler(facts),
        kubernetes=objects.kubernetes(facts),
        hardening=hardening.hardening(facts, name),
        account=account.account(facts),
        domino=registry.domino(facts),
    )


def _autoscaler(facts: Facts) -> Autoscaler:
    """In use when a group is tagged for its autodiscovery; otherwise unknown, not unused: the autoscaler may
    name its groups on its command line, which no snapshot holds."""
    tagged = any(AUTOSCALER_ENABLED_TAG in tags(a) for a in facts.aws_part("auto_scaling_groups") or ())
    return Autoscaler(enabled=True if tagged else None)


def _gaps(facts: Facts) -> dict[str, str]:
    """What was not collected and why, by service as the rules cite them ("s3", "kubernetes", "aws")."""
    gaps = _by_service(facts.errors)
    for service, why in _names_not_given(facts.target).items():
        gaps[service] = f"{gaps[service]}; {why}" if service in gaps else why
    return gaps


def _by_service(errors: Mapping[str, str]) -> dict[str, str]:
    """The collectors' errors; a Kubernetes list refused on its own ("storageclasses") goes under "kubernetes",
    named by its list."""
    gaps = {key: why for key, why in errors.items() if key not in KUBERNETES_PARTS}
    refused = [f"{part}: {errors[part]}" for part in KUBERNETES_PARTS if part in errors]
    if refused:
        whole = [gaps["kubernetes"]] if "kubernetes" in gaps else []
        gaps["kubernetes"] = "; ".join(whole + refused)
    return gaps


def _names_not_given(target: Mapping) -> dict[str, str]:
    """The names nobody gave, so nothing could be looked up."""
    gaps = {}
    if not target.get("fqdn"):
        gaps["domain"] = "no FQDN given: pass --fqdn or --spec"
    unnamed = [role.replace("_", "-") for role in BUCKET_ROLES if role not in (target.get("buckets") or {})]
    if unnamed:
        options = " ".join(f"--bucket {role}=NAME" for role in unnamed)
        gaps["s3"] = f"no bucket name given for {', '.join(unnamed)}: pass {options} or --spec"
    return gaps
