"""Collectors: they gather the live facts — Kubernetes through the official client, AWS through boto3 — into
one snapshot, a JSON-ready dict, and judge nothing; `sources.snapshot` reads a snapshot into the model.

A snapshot: {"kind": "domino-eks/snapshot", "version": 1, "collected_at", "target" (what should exist, by
name), "kubernetes" (pruned lists by kind), "aws" (describe_* responses by fact), "errors" (why a part is
missing, by kind or service)}. A section that could not be collected at all is absent.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from datetime import datetime
from importlib import import_module
from typing import TYPE_CHECKING

from domino_eks.collect import shapes
from domino_eks.collect.shapes import SNAPSHOT_KIND, SNAPSHOT_VERSION

if TYPE_CHECKING:
    from domino_eks.collect.aws import AwsAccess
    from domino_eks.collect.kube import KubeAccess

__all__ = ["SNAPSHOT_KIND", "SNAPSHOT_VERSION", "AwsAccess", "Expected", "KubeAccess", "gather"]

# The collectors load when a live command first names them: `check --from-file` reads `shapes` and `Expected`
# only, and importing every collector would be a tenth of its fixed cost.
_COLLECTORS = {"AwsAccess": "domino_eks.collect.aws", "KubeAccess": "domino_eks.collect.kube"}


def __getattr__(name: str) -> object:
    if name not in _COLLECTORS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(_COLLECTORS[name]), name)


@dataclass(frozen=True)
class Expected:
    """What should exist, by name — from `--spec` or from options — so the collectors know what to look up."""

    cluster: str | None = None
    region: str | None = None
    fqdn: str | None = None
    buckets: dict[str, str] = field(default_factory=dict)  # role (user_data, logs, backups) -> bucket name
    registry: dict[str, str] = field(default_factory=dict)  # {"kind": "s3" | "ecr", "name": bucket or repository}
    efs_id: str | None = None
    block_class: str | None = None  # the EBS StorageClass Domino is to use
    reserved_cidrs: tuple[str, ...] = ()
    # rule C006: the key the spec encrypts data with and the stores it names ({"key": ARN or "created by apply",
    # "stores": ["ebs", ...]}); the collectors read nothing of it, the snapshot source judges with it
    data_key: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        """The names that are set; what a snapshot records under "target"."""
        return {key: value for key, value in asdict(self).items() if value not in (None, {}, (), [])}


def gather(expected: Expected, kube: KubeAccess, aws: AwsAccess, now: datetime) -> dict:
    """One snapshot of the live cluster and account."""
    from domino_eks.collect import aws as aws_collector
    from domino_eks.collect import kube as kube_collector
    from domino_eks.collect import nodeaccess

    kubernetes, errors = kube_collector.collect(kube)
    named = kube_collector.eks_cluster_of_context(kube)
    if named:
        expected = replace(expected, cluster=expected.cluster or named[0], region=expected.region or named[1])
    facts, aws_errors = aws_collector.collect(replace(aws, region=aws.region or expected.region), expected.cluster,
                                              expected.as_dict(), _instance_ids(kubernetes))
    if kubernetes is not None and nodeaccess.authentication_mode(facts or {}) != nodeaccess.API_ONLY:
        found, refused = kube_collector.aws_auth(kube)
        kubernetes, errors = {**kubernetes, **found}, {**errors, **refused}
    snapshot = {"kind": SNAPSHOT_KIND, "version": SNAPSHOT_VERSION, "collected_at": now.isoformat(),
                "target": expected.as_dict(), "errors": {**errors, **aws_errors}}
    if kubernetes is not None:
        snapshot["kubernetes"] = kubernetes
    if facts is not None:
        snapshot["aws"] = facts
    return snapshot


def _instance_ids(kubernetes: dict | None) -> list[str]:
    """The EC2 instances behind the nodes: they lead the AWS collector to the nodes' Auto Scaling groups."""
    ids = (shapes.instance_id((n.get("spec") or {}).get("providerID")) for n in (kubernetes or {}).get("nodes") or ())
    return [i for i in ids if i]
