"""Kubernetes objects shared by every source that sees them (a spec's own class, a live cluster, a dump)."""

from __future__ import annotations

from collections.abc import Mapping

from domino_eks.model import DEFAULT_CLASS_ANNOTATION, Location, StorageClass

_METADATA_KEYS = {"name", "namespace", "labels", "annotations", "uid", "resourceVersion", "creationTimestamp",
                  "generation", "managedFields", "finalizers", "ownerReferences", "selfLink", "generateName"}
_STORAGE_CLASS_KEYS = {"apiVersion", "kind", "metadata", "provisioner", "parameters", "reclaimPolicy",
                       "volumeBindingMode", "allowVolumeExpansion", "mountOptions", "allowedTopologies"}


def storage_class(obj: Mapping, location: Location | None = None) -> StorageClass:
    """A StorageClass as Kubernetes reads it; keys it would ignore or reject are listed as misplaced."""
    metadata = obj.get("metadata") or {}
    misplaced = {f"metadata.{k}": v for k, v in metadata.items() if k not in _METADATA_KEYS}
    misplaced |= {k: v for k, v in obj.items() if k not in _STORAGE_CLASS_KEYS}
    annotations = metadata.get("annotations") or {}
    return StorageClass(
        name=metadata.get("name"),
        provisioner=obj.get("provisioner"),
        parameters={str(k): str(v) for k, v in (obj.get("parameters") or {}).items()},
        misplaced=tuple(misplaced),
        misplaced_values={k: str(v) for k, v in misplaced.items()},
        default=str(annotations.get(DEFAULT_CLASS_ANNOTATION, "")).lower() == "true",
        location=location,
    )
