"""A snapshot — the raw facts a live collection or a dump gathered — as the canonical Deployment. Pure.

Facts come from what actually runs: pools from the nodes' `dominodatalab.com/node-pool` label and the
Auto Scaling groups (or EKS node groups) behind them, zones and instance types from the nodes' well-known
labels, the network plugin from its daemon sets, readiness from the Ready condition. A part the snapshot
lacks leaves its model fields None (unknown), and the reason the collector recorded for it goes into
`SourceInfo.gaps` under the service or kind that failed ("s3", "nodes", "aws"), which skipped rules cite.
One module per part of the model; `facts` indexes the snapshot for them.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime

from domino_eks.errors import InputError, Problem
from domino_eks.model import Autoscaler, Deployment, SourceInfo
from domino_eks.sources.snapshot import groups, identity, network, objects, storage
from domino_eks.sources.snapshot.cluster import cluster
from domino_eks.sources.snapshot.facts import Facts, tags

EKSCTL_CLUSTER_LABEL = "alpha.eksctl.io/cluster-name"
AUTOSCALER_ENABLED_TAG = "k8s.io/cluster-autoscaler/enabled"


def cluster_name(snapshot: Mapping) -> str | None:
    """The cluster's name: asked for, reported by EKS, or on eksctl's node labels."""
    target, aws, kube = snapshot.get("target") or {}, snapshot.get("aws") or {}, snapshot.get("kubernetes") or {}
    named = target.get("cluster") or (aws.get("cluster") or {}).get("name")
    return named or next((n["metadata"]["labels"][EKSCTL_CLUSTER_LABEL] for n in kube.get("nodes") or ()
                          if EKSCTL_CLUSTER_LABEL in (n.get("metadata", {}).get("labels") or {})), None)


def to_deployment(snapshot: Mapping, file: str | None = None, today: date | None = None) -> Deployment:
    """The Deployment a snapshot describes; `file` is the dump it was read from (None for a live run)."""
    name = cluster_name(snapshot)
    if name is None:
        raise InputError([Problem(
            file or "the live cluster",
            "the cluster's name is unknown (no EKS facts, no alpha.eksctl.io/cluster-name node label); "
            "pass --cluster NAME or --spec FILE",
        )])
    facts = Facts.of(snapshot, today or _collection_day(snapshot) or date.today())
    found = groups.node_groups(facts)
    return Deployment(
        source=SourceInfo(kind="dump" if file else "live", file=file, gaps=_gaps(facts)),
        cluster=cluster(facts, name),
        pools=groups.pools(found),
        network=network.network(facts),
        storage=storage.storage(facts),
        access=identity.access(facts, found),
        domain=identity.domain(facts),
        autoscaler=Autoscaler(enabled=True if any(
            AUTOSCALER_ENABLED_TAG in tags(a) for a in facts.aws_part("auto_scaling_groups") or ()) else None),
        kubernetes=objects.kubernetes(facts),
        live=True,
    )


def _collection_day(snapshot: Mapping) -> date | None:
    stamp = snapshot.get("collected_at")
    return datetime.fromisoformat(stamp).date() if stamp else None


def _gaps(facts: Facts) -> dict[str, str]:
    """What was not collected and why, plus the names nobody gave (so nothing could be looked up)."""
    gaps = dict(facts.errors)
    if not facts.target.get("fqdn"):
        gaps.setdefault("domain", "no FQDN given: pass --fqdn or --spec")
    if not facts.target.get("buckets"):
        gaps.setdefault("s3", "no bucket names given: pass --bucket ROLE=NAME or --spec")
    return gaps
