"""Kubernetes objects Domino cares about: StorageClasses, CSI drivers, its namespaces, Fargate profiles."""

from __future__ import annotations

from collections.abc import Mapping

from domino_eks.model import (
    DOMINO_NAMESPACES,
    FargateProfile,
    Kubernetes,
    NamespaceState,
)
from domino_eks.sources.snapshot.devices import device_plugins
from domino_eks.sources.snapshot.facts import Facts
from domino_eks.sources.snapshot.storage import storage_classes

_OWNER_LABELS = ("app.kubernetes.io/part-of", "app.kubernetes.io/managed-by")


def kubernetes(facts: Facts) -> Kubernetes:
    drivers = facts.kube_part("csidrivers")
    profiles = facts.aws_part("fargate_profiles")
    return Kubernetes(
        storage_classes=storage_classes(facts),
        csi_drivers=tuple(d["metadata"]["name"] for d in drivers) if drivers is not None else None,
        namespaces=_namespaces(facts),
        fargate_profiles=tuple(
            FargateProfile(name=p["fargateProfileName"],
                           namespaces=tuple(s["namespace"] for s in p.get("selectors") or () if "namespace" in s))
            for p in profiles) if profiles is not None else None,
        device_plugins=device_plugins(facts),
    )


def _namespaces(facts: Facts) -> tuple[NamespaceState, ...] | None:
    """Domino's namespaces that already exist, with the workloads in them that are not Domino's."""
    listed = facts.kube_part("namespaces")
    if listed is None:
        return None
    existing = [n["metadata"]["name"] for n in listed if n["metadata"]["name"] in DOMINO_NAMESPACES]
    pods = facts.kube_part("pods")
    workloads = [*(pods or ()), *({**d, "kind": "DaemonSet"} for d in facts.kube_part("daemonsets") or ())]
    states = tuple(NamespaceState(name=ns, foreign_workloads=_foreign(workloads, ns)) for ns in existing)
    if pods is None and existing and not any(s.foreign_workloads for s in states):
        return None  # daemon sets alone cannot show that a namespace holds nothing foreign
    return states


def _foreign(objects: list[Mapping], namespace: str) -> tuple[str, ...]:
    """Workloads in `namespace` that are not Domino's: each pod named by its owner, each daemon set by itself.

    Domino's own objects carry a dominodatalab.com label or name Domino in app.kubernetes.io/part-of or
    managed-by; before Domino is installed, anything in its namespaces is someone else's."""
    found = set()
    for obj in objects:
        metadata = obj.get("metadata") or {}
        if metadata.get("namespace") != namespace or _is_domino(metadata.get("labels") or {}):
            continue
        owner = next(iter(metadata.get("ownerReferences") or ()), None)
        found.add(f"{owner['kind']}/{owner['name']}" if owner else f"{obj.get('kind', 'Pod')}/{metadata.get('name')}")
    return tuple(sorted(found))


def _is_domino(labels: Mapping[str, str]) -> bool:
    return any(k.split("/", 1)[0].endswith("dominodatalab.com") for k in labels) or any(
        "domino" in str(labels.get(k, "")).lower() for k in _OWNER_LABELS)
