"""The GPU device plugins that run: NVIDIA's device plugin daemon set, deployed alone (its static manifest or
Helm chart) or by the GPU operator, with the node selector, required affinity and tolerations of its pods."""

from __future__ import annotations

from collections.abc import Mapping

from domino_eks.model import DevicePlugin, SelectorRequirement, Toleration
from domino_eks.sources.snapshot.facts import Facts

# the daemon set names NVIDIA's manifest, Helm chart and GPU operator give it, and the image all of them run
# (https://github.com/NVIDIA/k8s-device-plugin: nvidia-device-plugin-daemonset, image nvcr.io/nvidia/k8s-device-plugin)
DEVICE_PLUGIN_NAME = "nvidia-device-plugin"
DEVICE_PLUGIN_IMAGE = "k8s-device-plugin"


def device_plugins(facts: Facts) -> tuple[DevicePlugin, ...] | None:
    daemon_sets = facts.kube_part("daemonsets")
    if daemon_sets is None:
        return None
    return tuple(_plugin(d) for d in daemon_sets if _is_device_plugin(d))


def _is_device_plugin(daemon_set: Mapping) -> bool:
    name = (daemon_set.get("metadata") or {}).get("name", "")
    images = [c.get("image") or "" for c in _pod_spec(daemon_set).get("containers") or ()]
    return DEVICE_PLUGIN_NAME in name or any(DEVICE_PLUGIN_IMAGE in image for image in images)


def _plugin(daemon_set: Mapping) -> DevicePlugin:
    metadata, pod = daemon_set.get("metadata") or {}, _pod_spec(daemon_set)
    required = (((pod.get("affinity") or {}).get("nodeAffinity") or {})
                .get("requiredDuringSchedulingIgnoredDuringExecution") or {})
    return DevicePlugin(
        name=f"{metadata.get('namespace', 'default')}/{metadata.get('name', '')}",
        node_selector=pod.get("nodeSelector") or {},
        affinity_terms=tuple(
            tuple(SelectorRequirement(key=e["key"], operator=e["operator"], values=tuple(e.get("values") or ()))
                  for e in term.get("matchExpressions") or ())
            for term in required.get("nodeSelectorTerms") or ()),
        tolerations=tuple(Toleration(key=t.get("key") or None, operator=t.get("operator") or "Equal",
                                     value=t.get("value"), effect=t.get("effect") or None)
                          for t in pod.get("tolerations") or ()),
    )


def _pod_spec(daemon_set: Mapping) -> Mapping:
    return ((daemon_set.get("spec") or {}).get("template") or {}).get("spec") or {}
