"""K003 on a kubectl dump: the daemon set of NVIDIA's device plugin read with its tolerations and affinity, and
judged against the GPU nodes' labels and taints offline (`check --from-file`)."""

from __future__ import annotations

import json

from tests.check.support import items_of, recorded_list, run_cli

GPU_TAINT = {"key": "nvidia.com/gpu", "value": "true", "effect": "NoSchedule"}


def _dump(tmp_path, document) -> str:
    path = tmp_path / "cluster.json"
    path.write_text(json.dumps(document))
    return str(path)


def _gpu_tainted(document: dict) -> dict:
    for node in items_of(document, "Node"):
        if node["metadata"]["labels"].get("nvidia.com/gpu") == "true":
            node["spec"]["taints"] = [GPU_TAINT]
    return document


def _plugin(document: dict) -> dict:
    return next(d for d in items_of(document, "DaemonSet") if d["metadata"]["name"] == "nvidia-device-plugin-daemonset")


def _k003(tmp_path, document) -> list[dict]:
    checked = run_cli("check", "--from-file", _dump(tmp_path, document), "--cluster", "domino-prod",
                      "--format", "json")
    return [f for f in json.loads(checked.stdout)["findings"] if f["id"] == "K003"]


def test_the_recorded_plugin_tolerating_every_taint_reaches_the_gpu_nodes(tmp_path):
    assert [f["status"] for f in _k003(tmp_path, _gpu_tainted(recorded_list()))] == ["pass"]


def test_a_plugin_without_the_gpu_toleration_fails_k003_for_each_gpu_node(tmp_path):
    document = _gpu_tainted(recorded_list())
    _plugin(document)["spec"]["template"]["spec"]["tolerations"] = [
        {"key": "CriticalAddonsOnly", "operator": "Exists"}]

    found = _k003(tmp_path, document)

    assert found and all(f["status"] == "fail" for f in found)
    assert all(f["message"].endswith(
        "gets no device plugin, so it advertises no nvidia.com/gpu: kube-system/nvidia-device-plugin-daemonset: it "
        "does not tolerate nvidia.com/gpu=true:NoSchedule (add {key: nvidia.com/gpu, operator: Exists, effect: "
        "NoSchedule} to its pods).") for f in found)
    assert all(f["location"]["object"].startswith("Node/") for f in found)


def test_no_device_plugin_at_all_fails_k003_for_the_gpu_pool(tmp_path):
    document = recorded_list()
    document["items"] = [i for i in document["items"]
                         if not (i["kind"] == "DaemonSet" and i["metadata"]["name"].startswith("nvidia-device"))]

    (finding,) = _k003(tmp_path, document)

    assert finding["status"] == "fail"
    assert finding["message"].startswith("GPU pool default-gpu has no device plugin")
