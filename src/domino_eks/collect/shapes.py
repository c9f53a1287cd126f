"""The shape of a snapshot: the parts of each Kubernetes object the rules read, the pruning that keeps only
those parts, and where its objects name the ids that link them (a node its instance, the cluster its VPC).

A node as the API returns it carries its image list, managed fields and much else (5-10 kB); a snapshot
keeps its name, labels, taints, provider id, conditions, allocatable resources, addresses and node info
(well under 1 kB). The live collector and the dump reader prune alike, so a snapshot reads the same
whichever way it was made, and a dump of thousands of nodes stays a few times its file size in memory.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, get_args

import msgspec

SNAPSHOT_KIND = "domino-eks/snapshot"
SNAPSHOT_VERSION = 1
WHOLE = None  # keep the value as it is


def _keep(*keys: str) -> dict[str, None]:
    return dict.fromkeys(keys, WHOLE)


# A node as the rules read it. Nodes are the one kind a cluster has thousands of, so they are typed structures
# rather than dicts: msgspec builds them from a dump's bytes (or converts a pruned dict into one) checking every
# type in C, and each field read after is an attribute. A field the JSON may leave out has a default (None where
# the API may also write null). Frozen: they are the facts as read. gc=False: they hold no cycles, so the garbage
# collector need not track them.
class NodeMetadata(msgspec.Struct, frozen=True, gc=False):
    name: str = ""
    labels: dict[str, str] | None = None


class NodeTaint(msgspec.Struct, frozen=True, gc=False):
    key: str
    effect: str
    value: str | None = None  # the API leaves an empty value out; clients that write every field write null


class NodeSpec(msgspec.Struct, frozen=True, gc=False):
    provider_id: str | None = msgspec.field(default=None, name="providerID")
    taints: list[NodeTaint] | None = None
    unschedulable: bool | None = None


class NodeCondition(msgspec.Struct, frozen=True, gc=False):
    type: str | None = None
    status: str | None = None


class NodeInfo(msgspec.Struct, frozen=True, gc=False, rename="camel"):
    kubelet_version: str | None = None
    os_image: str | None = None  # what the kubelet reports: "Bottlerocket OS 1.26.1 (aws-k8s-1.31)"
    container_runtime_version: str | None = None


class NodeStatus(msgspec.Struct, frozen=True, gc=False, rename="camel"):
    conditions: list[NodeCondition] | None = None
    allocatable: dict[str, Any] | None = None  # resource name -> quantity
    addresses: list[dict[str, Any]] | None = None
    node_info: NodeInfo | None = None


class NodeFacts(msgspec.Struct, frozen=True, gc=False, tag_field="kind", tag="Node"):
    """The kind is a tag: a kubectl List's items are told apart by it; a pruned node, which keeps none, still
    converts."""

    metadata: NodeMetadata
    spec: NodeSpec | None = None
    status: NodeStatus | None = None


def _shape_of(struct: type[msgspec.Struct]) -> dict:
    """What `prune` keeps of an object read as `struct`: each field by its JSON name, a typed one as its type's."""
    return {f.encode_name: next((_shape_of(t) for t in _types_in(f.type) if issubclass(t, msgspec.Struct)), WHOLE)
            for f in msgspec.structs.fields(struct)}


def _types_in(annotation: Any) -> Iterator[type]:
    """The classes an annotation names, inside unions and containers too."""
    if isinstance(annotation, type) and not get_args(annotation):
        yield annotation
    for argument in get_args(annotation):
        yield from _types_in(argument)


NODE = _shape_of(NodeFacts)
STORAGE_CLASS = {
    **_keep("apiVersion", "kind", "provisioner", "parameters", "reclaimPolicy", "volumeBindingMode",
            "allowVolumeExpansion", "mountOptions", "allowedTopologies"),
    "metadata": _keep("name", "labels", "annotations"),
}
CSI_DRIVER = {"metadata": _keep("name")}
NAMESPACE = {"metadata": _keep("name", "labels"), "status": _keep("phase")}
DAEMON_SET = {
    "metadata": _keep("name", "namespace", "labels"),
    # where its pods may run (device plugins must reach the GPU nodes), and what its containers run with
    "spec": {"template": {"spec": {"containers": _keep("name", "image", "args", "env"),
                                   **_keep("nodeSelector", "affinity", "tolerations")}}},
    "status": _keep("desiredNumberScheduled", "numberReady"),
}
POD = {"metadata": {**_keep("name", "namespace", "labels"), "ownerReferences": _keep("kind", "name")}}
# Karpenter's objects whole under spec: P016 judges their fields, misplaced ones too
NODE_POOL = {**_keep("apiVersion", "kind", "spec"), "metadata": _keep("name")}
EC2_NODE_CLASS = {**_keep("apiVersion", "kind", "spec"), "metadata": _keep("name"), "status": _keep("subnets")}

# kind -> (the snapshot's key under "kubernetes", what of it to keep)
KINDS: dict[str, tuple[str, dict]] = {
    "Node": ("nodes", NODE),
    "StorageClass": ("storageclasses", STORAGE_CLASS),
    "CSIDriver": ("csidrivers", CSI_DRIVER),
    "Namespace": ("namespaces", NAMESPACE),
    "DaemonSet": ("daemonsets", DAEMON_SET),
    "Pod": ("pods", POD),
    "NodePool": ("nodepools", NODE_POOL),
    "EC2NodeClass": ("ec2nodeclasses", EC2_NODE_CLASS),
}
# (group, version, plural) of the custom resources listed through CustomObjectsApi
CUSTOM_RESOURCES = {"NodePool": ("karpenter.sh", "v1", "nodepools"),
                    "EC2NodeClass": ("karpenter.k8s.aws", "v1", "ec2nodeclasses")}
SERVER_VERSION = "server_version"  # the API server's gitVersion, beside the lists
# the kube-system/aws-auth ConfigMap's data ({} when there is none): its mapRoles let node roles join
AWS_AUTH = "aws_auth"
# every key under "kubernetes"; the errors of a part that could not be read are recorded under the same key
KUBERNETES_PARTS = (SERVER_VERSION, *(key for key, _ in KINDS.values()), AWS_AUTH)
# keys of the account's facts under "aws" (collect.account writes them)
VCPU_QUOTAS = "vcpu_quotas"  # GetServiceQuota's Quota objects
OFFERINGS = "instance_type_offerings"  # DescribeInstanceTypeOfferings, by availability zone
INSIGHTS = "insights"  # the cluster's EKS insights: DescribeInsight's for those not passing, else ListInsights
INSIGHTS_REFRESH = "insights_refresh"  # DescribeInsightsRefresh after a refresh asked for (check --refresh-insights)
ACCESS_ENTRIES = "access_entries"  # DescribeAccessEntry of each of the cluster's access entries
ADDONS = "addons"  # DescribeAddon of each EKS add-on installed
ADDON_VERSIONS = "addon_versions"  # DescribeAddonVersions' AddonInfo for the cluster's Kubernetes version
VPC_ENDPOINTS = "vpc_endpoints"  # DescribeVpcEndpoints of the cluster's VPC
NODE_ROLE = "node_role"  # the preflight's GetRole of each node role that already exists, by role name
ASG_NAME_TAG = "aws:autoscaling:groupName"  # the tag AWS puts on each instance an Auto Scaling group launches


def prune(value: Any, shape: Mapping | None) -> Any:
    """`value` with only the keys `shape` names; lists are pruned item by item."""
    if shape is WHOLE:
        return value
    if isinstance(value, list):
        return [prune(item, shape) for item in value]
    if isinstance(value, dict):
        return {key: prune(value[key], sub) for key, sub in shape.items() if key in value}
    return value


def instance_id(provider_id: str | None) -> str | None:
    """The EC2 instance id in a node's spec.providerID (aws:///us-west-2a/i-0123...), if it names one."""
    last = (provider_id or "").rsplit("/", 1)[-1]
    return last if last.startswith("i-") else None


def cluster_vpc_id(aws: Mapping) -> str | None:
    """The cluster's VPC as EKS reports it, else its subnets' (the emulator's EKS reports none)."""
    reported = ((aws.get("cluster") or {}).get("resourcesVpcConfig") or {}).get("vpcId")
    return reported or next((s.get("VpcId") for s in aws.get("subnets") or ()), None)
