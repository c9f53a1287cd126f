"""Lean kubectl dumps for the check benches: nodes with labels, conditions and capacity only.

Each node copies the labels, conditions and capacity of a recorded node of tests/check/fixtures/cluster-list.json
(its pool's) under a new name, zone and instance id: 10 platform nodes, 300 GPU nodes, the rest `default`. The
recorded list's other objects (namespaces, storage classes, daemon sets, CSI drivers) follow the nodes, as in
`kubectl get nodes,storageclasses,namespaces,daemonsets,csidrivers -A -o json`, which indents by four spaces.
"""

from __future__ import annotations

import json
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "tests" / "check" / "fixtures" / "cluster-list.json"
ZONES = ("us-west-2a", "us-west-2b", "us-west-2c")


def write_lean_dump(path: Path, count: int) -> Path:
    """A kubectl List of `count` lean nodes and the recorded cluster's other objects, written to `path`."""
    recorded = json.loads(TEMPLATE.read_text())
    templates = {n["metadata"]["labels"]["dominodatalab.com/node-pool"]: n
                 for n in recorded["items"] if n["kind"] == "Node"}
    others = [i for i in recorded["items"] if i["kind"] != "Node"]
    nodes = [_lean_node(templates[_pool(i)], i) for i in range(count)]
    path.write_text(json.dumps({**recorded, "items": nodes + others}, indent=4))
    return path


def _pool(index: int) -> str:
    return "platform" if index < 10 else "default-gpu" if index < 310 else "default"


def _lean_node(template: dict, index: int) -> dict:
    zone = ZONES[index % 3]
    address = f"10.{index // 65536}.{index // 256 % 256}.{index % 256}"
    name = f"ip-{address.replace('.', '-')}.us-west-2.compute.internal"
    labels = {**template["metadata"]["labels"],
              "kubernetes.io/hostname": name, "topology.kubernetes.io/zone": zone,
              "failure-domain.beta.kubernetes.io/zone": zone, "topology.ebs.csi.aws.com/zone": zone,
              "alpha.eksctl.io/nodegroup-name": f"domino-{_pool(index)}-{zone[-1]}"}
    return {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {"name": name, "labels": labels},
        "spec": {"providerID": f"aws:///{zone}/i-{index:017x}"},
        "status": {"conditions": template["status"]["conditions"], "capacity": template["status"]["capacity"]},
    }
