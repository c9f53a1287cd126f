"""K003: a device plugin reaches every GPU pool's nodes; K002 then names what a GPU node without GPUs lacks."""

from __future__ import annotations

from domino_eks.model import DevicePlugin, Location, Node, SelectorRequirement, Taint, Toleration
from domino_eks.rules import Severity, Status
from tests.rules.builders import edit, findings, live_deployment, live_group, only

GPU = {"dominodatalab.com/node-pool": "default-gpu", "nvidia.com/gpu": "true"}
DEFAULT = {"dominodatalab.com/node-pool": "default", "domino/build-node": "true"}
TAINT = Taint(key="nvidia.com/gpu", value="true", effect="NoSchedule")
TOLERATING = DevicePlugin(name="kube-system/nvidia-device-plugin-daemonset",
                          tolerations=(Toleration(key="nvidia.com/gpu", operator="Exists", effect="NoSchedule"),))
INTOLERANT = DevicePlugin(name="kube-system/nvidia-device-plugin-daemonset")
# the Helm chart's default: GPU nodes as node-feature-discovery or the GPU operator label them
BY_FEATURE = DevicePlugin(name="nvidia/nvdp-nvidia-device-plugin", tolerations=TOLERATING.tolerations,
                          affinity_terms=((SelectorRequirement(key="nvidia.com/gpu.present", operator="In",
                                                               values=("true",)),),))


def gpu_node(name: str, gpus: int, **labels: str) -> Node:
    return Node(name=name, zone="us-west-2a", instance_type="g5.2xlarge", ready=True, schedulable=True,
                gpu_allocatable=gpus, labels={**GPU, **labels})


def cluster(*nodes: Node, plugins=(TOLERATING,), accelerated: bool | None = True):
    gpu = live_group("domino-gpu", GPU, nodes, min_size=0, instance_type="g5.2xlarge").model_copy(
        update={"taints": (TAINT,), "ami_accelerated": accelerated})
    deployment = live_deployment(live_group("domino-default", DEFAULT, (), min_size=0), gpu)
    return edit(deployment, "kubernetes", device_plugins=plugins)


def test_k003_passes_when_a_tolerating_plugin_selects_the_gpu_nodes():
    finding = only("K003", cluster(gpu_node("ip-10-0-3-1", 1)))
    assert finding.status is Status.PASS
    assert finding.message == "device plugin(s) kube-system/nvidia-device-plugin-daemonset reach the GPU nodes."


def test_k003_fails_without_any_device_plugin_naming_what_to_install():
    finding = only("K003", cluster(gpu_node("ip-10-0-3-1", 0), plugins=()))
    assert (finding.status, finding.severity) == (Status.FAIL, Severity.ERROR)
    assert finding.message == (
        "GPU pool default-gpu has no device plugin: no daemon set of NVIDIA's device plugin or the GPU operator "
        "runs in the cluster, so its nodes advertise no nvidia.com/gpu. Install one (helm install nvdp "
        "nvdp/nvidia-device-plugin -n kube-system) with the tolerations {key: nvidia.com/gpu, operator: Exists, "
        "effect: NoSchedule}.")


def test_k003_fails_when_the_plugin_does_not_tolerate_the_pools_taint():
    finding = only("K003", cluster(gpu_node("ip-10-0-3-1", 0), plugins=(INTOLERANT,)))
    assert finding.status is Status.FAIL
    assert finding.location == Location(object="Node/ip-10-0-3-1")
    assert finding.message == (
        "GPU node ip-10-0-3-1 of pool default-gpu gets no device plugin, so it advertises no nvidia.com/gpu: "
        "kube-system/nvidia-device-plugin-daemonset: it does not tolerate nvidia.com/gpu=true:NoSchedule (add "
        "{key: nvidia.com/gpu, operator: Exists, effect: NoSchedule} to its pods).")


def test_k003_fails_when_the_plugins_affinity_leaves_the_node_out():
    finding = only("K003", cluster(gpu_node("ip-10-0-3-1", 0), plugins=(BY_FEATURE,)))
    assert finding.message == (
        "GPU node ip-10-0-3-1 of pool default-gpu gets no device plugin, so it advertises no nvidia.com/gpu: "
        "nvidia/nvdp-nvidia-device-plugin: its required node affinity wants nvidia.com/gpu.present In [true], "
        "which the node's labels do not match (label the pool's nodes or change the selector).")


def test_k003_passes_when_the_node_carries_the_label_the_affinity_wants():
    labelled = gpu_node("ip-10-0-3-1", 1, **{"nvidia.com/gpu.present": "true"})
    assert only("K003", cluster(labelled, plugins=(BY_FEATURE,))).status is Status.PASS


def test_k003_judges_a_group_scaled_to_zero_by_its_taints():
    assert only("K003", cluster(plugins=(INTOLERANT,))).message == (
        "node group domino-gpu of GPU pool default-gpu has no nodes yet, and no device plugin will run on those it "
        "starts: kube-system/nvidia-device-plugin-daemonset: it does not tolerate nvidia.com/gpu=true:NoSchedule "
        "(add {key: nvidia.com/gpu, operator: Exists, effect: NoSchedule} to its pods).")
    assert only("K003", cluster(plugins=(TOLERATING,))).status is Status.PASS
    assert only("K003", cluster(plugins=(BY_FEATURE,))).status is Status.SKIP


def test_k003_skips_on_a_spec_and_passes_without_gpu_pools(multi_az, single_az):
    assert only("K003", multi_az).message == ("the cluster's daemon sets unknown: it needs a live cluster — checked "
                                              "by domino-eks check.")
    cpu_only = live_deployment(live_group("domino-default", DEFAULT, ()))
    assert only("K003", cpu_only).message == "no GPU pool: no device plugin is needed."


def test_k002_names_the_device_plugin_as_missing():
    (finding,) = findings("K002", cluster(gpu_node("ip-10-0-3-1", 0), plugins=()))
    assert finding.message == (
        "GPU node ip-10-0-3-1 of pool default-gpu advertises nvidia.com/gpu allocatable 0: GPU executions stay "
        "Pending; missing: the device plugin — no NVIDIA device plugin daemon set runs on this node (see K003 for "
        "what to change).")


def test_k002_names_the_ami_as_missing():
    (finding,) = findings("K002", cluster(gpu_node("ip-10-0-3-1", 0), accelerated=False))
    assert finding.message.endswith(
        "missing: the AMI's NVIDIA driver — node group domino-gpu runs an image without one; use the EKS-optimized "
        "accelerated AMI (AL2023 NVIDIA or Bottlerocket NVIDIA).")


def test_k002_names_the_driver_when_plugin_and_ami_are_there():
    (finding,) = findings("K002", cluster(gpu_node("ip-10-0-3-1", 0)))
    assert finding.message.endswith(
        "missing: the driver — the device plugin runs on it and its AMI is the accelerated one, so the NVIDIA "
        "driver does not load on the node: run nvidia-smi on it and use a driver that supports its GPU.")
