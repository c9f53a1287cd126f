"""The snapshot, indexed for the readers of each part of the model, with every node read once."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import NamedTuple

import msgspec

from domino_eks.collect import shapes
from domino_eks.model import GPU_RESOURCE, LAUNCHED_WITHOUT_GROUPS, NODE_POOL_LABEL, Node, NodeProvisioner, Taint

ZONE_LABELS = ("topology.kubernetes.io/zone", "failure-domain.beta.kubernetes.io/zone")
INSTANCE_TYPE_LABELS = ("node.kubernetes.io/instance-type", "beta.kubernetes.io/instance-type")
EKS_NODEGROUP_LABEL = "eks.amazonaws.com/nodegroup"
EKSCTL_NODEGROUP_LABEL = "alpha.eksctl.io/nodegroup-name"
# EKS labels the nodes it runs itself with their compute type: "fargate", or "auto" for EKS Auto Mode
# (https://docs.aws.amazon.com/eks/latest/userguide/associate-workload.html)
COMPUTE_TYPE_LABEL = "eks.amazonaws.com/compute-type"
_COMPUTE_TYPES: dict[str, NodeProvisioner] = {"fargate": "fargate", "auto": "auto-mode"}
# Karpenter labels each node with the NodePool that launched it (v1beta1 on; v1alpha5 named its Provisioner):
# its well-known labels (https://karpenter.sh/docs/concepts/scheduling/#well-known-labels), aws/karpenter#3793
KARPENTER_POOL_LABELS = ("karpenter.sh/nodepool", "karpenter.sh/provisioner-name")
OS_LABELS = ("kubernetes.io/os", "beta.kubernetes.io/os")
# Labels every node carries with per-node values (hostname, zone, instance type...) or that a platform sets
# by itself; a pool is defined by the others, which is what Z003 compares across zones.
_SYSTEM_LABEL_DOMAINS = ("kubernetes.io", "k8s.io", "k8s.aws", "amazonaws.com", "aws.com", "eksctl.io", "karpenter.sh")
# Taints the node lifecycle adds and removes by itself (not-ready, unschedulable, scale-down).
_TRANSIENT_TAINT_PREFIXES = ("node.kubernetes.io/", "node.cloudprovider.kubernetes.io/", "ToBeDeletedBy",
                             "DeletionCandidateOf")


class KubeNode(NamedTuple):
    """What one Kubernetes node tells: its model, and the facts its node group is assembled from."""

    model: Node
    pool: str | None
    labels: dict[str, str]  # the labels that define a pool (system labels left out)
    taints: tuple[Taint, ...]
    group_hint: str | None  # the EKS or eksctl node group name on its labels
    managed_hint: bool | None
    instance_id: str | None
    public: bool
    kubelet_version: str | None


@dataclass(frozen=True)
class Facts:
    kube: Mapping | None
    aws: Mapping | None
    target: Mapping
    errors: Mapping[str, str]
    on: date  # the day the facts were collected: certificates' days left, the version calendar
    nodes: list[KubeNode] | None  # None: the nodes were not collected

    @classmethod
    def of(cls, snapshot: Mapping, on: date) -> Facts:
        kube = snapshot.get("kubernetes")
        raw_nodes = (kube or {}).get("nodes")
        # a dump's nodes come read (shapes.NodeFacts), a live collection's as pruned dicts, which this converts
        # a Fargate node carries one pod on capacity no node group holds: it belongs to no pool
        nodes = None if raw_nodes is None else [
            n for n in map(read_node, msgspec.convert(raw_nodes, list[shapes.NodeFacts]))
            if n.model.provisioner != "fargate"]
        return cls(kube, snapshot.get("aws"), snapshot.get("target") or {}, snapshot.get("errors") or {}, on, nodes)

    def kube_part(self, key: str):
        return None if self.kube is None else self.kube.get(key)

    def aws_part(self, key: str):
        return None if self.aws is None else self.aws.get(key)

    def subnet_zones(self, subnet_ids: Iterable[str] | None) -> set[str] | None:
        """The zones of the subnets named, or None unless every one of them was described."""
        subnets = {s["SubnetId"]: s for s in self.aws_part("subnets") or ()}
        if not subnet_ids or any(i not in subnets for i in subnet_ids):
            return None
        return {subnets[i]["AvailabilityZone"] for i in subnet_ids}


def read_node(raw: shapes.NodeFacts) -> KubeNode:
    """Called once per node, thousands of times for a large cluster: msgspec has checked every type already, and
    what is absent costs one attribute read."""
    metadata, spec, status = raw.metadata, raw.spec or _NO_SPEC, raw.status or _NO_STATUS
    labels = metadata.labels or {}
    allocatable = status.allocatable
    info = status.node_info or _NO_INFO
    hint = labels.get(EKS_NODEGROUP_LABEL) or labels.get(EKSCTL_NODEGROUP_LABEL)
    provisioner = _provisioner(labels, spec.provider_id or "", hint)
    taints = spec.taints
    addresses = status.addresses
    model = Node(
        name=metadata.name,
        provisioner=provisioner,
        os=first(labels, OS_LABELS),
        os_image=info.os_image,
        zone=first(labels, ZONE_LABELS),
        instance_type=first(labels, INSTANCE_TYPE_LABELS),
        ready=_ready(status.conditions),
        schedulable=not spec.unschedulable,
        gpu_allocatable=int(allocatable[GPU_RESOURCE]) if allocatable and GPU_RESOURCE in allocatable else None,
        labels=labels,
    )
    return KubeNode(
        model=model,
        pool=labels.get(NODE_POOL_LABEL),
        labels={key: labels[key] for key in _pool_label_keys(tuple(labels))},
        taints=tuple(Taint(key=t.key, value=t.value or "", effect=t.effect)
                     for t in taints if not t.key.startswith(_TRANSIENT_TAINT_PREFIXES)) if taints else (),
        # Karpenter's nodes group by the NodePool that launched them, as a node group's by its name
        group_hint=hint or (first(labels, KARPENTER_POOL_LABELS) if provisioner in LAUNCHED_WITHOUT_GROUPS else None),
        managed_hint=True if EKS_NODEGROUP_LABEL in labels else (False if hint else None),
        instance_id=shapes.instance_id(spec.provider_id),
        public=any(a.get("type") == "ExternalIP" for a in addresses) if addresses else False,
        kubelet_version=info.kubelet_version,
    )


_NO_SPEC, _NO_STATUS, _NO_INFO = shapes.NodeSpec(), shapes.NodeStatus(), shapes.NodeInfo()


def _ready(conditions: list[shapes.NodeCondition] | None) -> bool | None:
    """The Ready condition's status; None when the node reports no conditions, or none named Ready."""
    for condition in conditions or ():
        if condition.type == "Ready":
            return condition.status == "True"
    return None


def first(labels: Mapping[str, str], keys: Iterable[str]) -> str | None:
    for key in keys:
        if key in labels:
            return labels[key]
    return None


def tags(tagged: Mapping) -> dict[str, str]:
    """Tags of an AWS object, from a list of {Key, Value} or from a map (EKS)."""
    found = tagged.get("Tags", tagged.get("tags")) or {}
    return dict(found) if isinstance(found, Mapping) else {t["Key"]: t["Value"] for t in found}


# the nodes of a pool carry the same label keys, so a cluster of thousands of nodes has a few dozen key sets
@lru_cache(maxsize=4096)
def _pool_label_keys(keys: tuple[str, ...]) -> tuple[str, ...]:
    """The keys that define a pool."""
    return tuple(key for key in keys if not _is_system_label(key))


def _is_system_label(key: str) -> bool:
    domain = key.split("/", 1)[0] if "/" in key else ""
    return domain.endswith(_SYSTEM_LABEL_DOMAINS)


def _provisioner(labels: Mapping[str, str], provider_id: str, group: str | None) -> NodeProvisioner | None:
    """From EKS's compute type (Auto Mode nodes carry Karpenter's labels too), Karpenter's NodePool label, a
    node group's name, else a Fargate providerID (aws:///<zone>/<id>/fargate-ip-...)."""
    if labels.get(COMPUTE_TYPE_LABEL) in _COMPUTE_TYPES:
        return _COMPUTE_TYPES[labels[COMPUTE_TYPE_LABEL]]
    if first(labels, KARPENTER_POOL_LABELS):
        return "karpenter"
    if group:
        return "node-group"
    return "fargate" if provider_id.rsplit("/", 1)[-1].startswith("fargate-") else None
