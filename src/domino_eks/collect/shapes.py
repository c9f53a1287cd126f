"""The parts of each Kubernetes object the rules read, and the pruning that keeps only those parts.

A node as the API returns it carries its image list, managed fields and much else (5-10 kB); a snapshot
keeps its name, labels, taints, provider id, conditions, allocatable resources, addresses and node info
(well under 1 kB). The live collector and the dump reader prune alike, so a snapshot reads the same
whichever way it was made, and a dump of thousands of nodes stays a few times its file size in memory.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

WHOLE = None  # keep the value as it is


def _keep(*keys: str) -> dict[str, None]:
    return dict.fromkeys(keys, WHOLE)


NODE = {
    "metadata": _keep("name", "labels"),
    "spec": _keep("providerID", "taints", "unschedulable"),
    "status": {
        "conditions": _keep("type", "status"),
        "allocatable": WHOLE,
        "addresses": WHOLE,
        "nodeInfo": _keep("kubeletVersion", "osImage", "containerRuntimeVersion"),
    },
}
STORAGE_CLASS = {
    **_keep("apiVersion", "kind", "provisioner", "parameters", "reclaimPolicy", "volumeBindingMode",
            "allowVolumeExpansion", "mountOptions", "allowedTopologies"),
    "metadata": _keep("name", "labels", "annotations"),
}
CSI_DRIVER = {"metadata": _keep("name")}
NAMESPACE = {"metadata": _keep("name", "labels"), "status": _keep("phase")}
DAEMON_SET = {
    "metadata": _keep("name", "namespace", "labels"),
    "spec": {"template": {"spec": {"containers": _keep("name", "args", "env")}}},
    "status": _keep("desiredNumberScheduled", "numberReady"),
}
POD = {"metadata": {**_keep("name", "namespace", "labels"), "ownerReferences": _keep("kind", "name")}}

# kind -> (the snapshot's key under "kubernetes", what of it to keep)
KINDS: dict[str, tuple[str, dict]] = {
    "Node": ("nodes", NODE),
    "StorageClass": ("storageclasses", STORAGE_CLASS),
    "CSIDriver": ("csidrivers", CSI_DRIVER),
    "Namespace": ("namespaces", NAMESPACE),
    "DaemonSet": ("daemonsets", DAEMON_SET),
    "Pod": ("pods", POD),
}


def prune(value: Any, shape: Mapping | None) -> Any:
    """`value` with only the keys `shape` names; lists are pruned item by item."""
    if shape is WHOLE:
        return value
    if isinstance(value, list):
        return [prune(item, shape) for item in value]
    if isinstance(value, dict):
        return {key: prune(value[key], sub) for key, sub in shape.items() if key in value}
    return value
