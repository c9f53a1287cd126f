"""How `domino-eks check --from-file` scales: a 5,000-node kubectl dump, checked, against a plain json.load of it.

The dump repeats the recorded nodes of tests/check/fixtures/cluster-list.json (real-shaped: labels, images,
managed fields) under new names, zones and instance ids, 10 platform and 300 GPU nodes, the rest `default`.
Prints the best of five timings of each, `ratio=check/parse` (target <= 1.5), and the check's peak memory
above an idle interpreter's as a multiple of the file size (target <= 3), measured in a fresh process.
Not a test: it times things, and the tests never assert on wall-clock time.
"""

from __future__ import annotations

import copy
import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "tests" / "check" / "fixtures" / "cluster-list.json"
NODES = 5000
ROUNDS = 5
ZONES = ("us-west-2a", "us-west-2b", "us-west-2c")
# What a fresh interpreter runs to report the peak memory of one check beyond its imports, in kB. It reads
# VmHWM (Linux): unlike ru_maxrss, which survives execve, it starts afresh with the new process image.
MEMORY_PROBE = """
import re, sys
from click.testing import CliRunner
from domino_eks.cli import cli
import domino_eks.commands.check, domino_eks.sources.snapshot, domino_eks.rules, domino_eks.report.json
def peak():
    with open("/proc/self/status") as status:
        return int(re.search(r"VmHWM:\\s+(\\d+) kB", status.read()).group(1))
before = peak()
outcome = CliRunner().invoke(cli, ["check", "--from-file", sys.argv[1], "--format", "json"])
assert outcome.exit_code in (0, 3, 4), outcome.output
print(peak() - before)
"""


def write_dump(path: Path, count: int) -> Path:
    recorded = json.loads(TEMPLATE.read_text())
    templates = {n["metadata"]["labels"]["dominodatalab.com/node-pool"]: n
                 for n in recorded["items"] if n["kind"] == "Node"}
    others = [i for i in recorded["items"] if i["kind"] != "Node"]
    nodes = [_node(templates[_pool(i)], i) for i in range(count)]
    path.write_text(json.dumps({**recorded, "items": nodes + others}, indent=4))
    return path


def _pool(index: int) -> str:
    return "platform" if index < 10 else "default-gpu" if index < 310 else "default"


def _node(template: dict, index: int) -> dict:
    node = copy.deepcopy(template)
    zone = ZONES[index % 3]
    address = f"10.{index // 65536}.{index // 256 % 256}.{index % 256}"
    name = f"ip-{address.replace('.', '-')}.us-west-2.compute.internal"
    labels = node["metadata"]["labels"]
    labels.update({"kubernetes.io/hostname": name, "topology.kubernetes.io/zone": zone,
                   "failure-domain.beta.kubernetes.io/zone": zone, "topology.ebs.csi.aws.com/zone": zone,
                   "alpha.eksctl.io/nodegroup-name": f"domino-{_pool(index)}-{zone[-1]}"})
    node["metadata"]["name"] = name
    node["spec"]["providerID"] = f"aws:///{zone}/i-{index:017x}"
    node["status"]["addresses"] = [{"address": address, "type": "InternalIP"}, {"address": name, "type": "Hostname"}]
    return node


def best_of(action: Callable[[], object]) -> float:
    timings = []
    for _ in range(ROUNDS):
        start = time.perf_counter()
        action()
        timings.append(time.perf_counter() - start)
    return min(timings)


def parse(path: Path) -> None:
    with open(path, encoding="utf-8") as handle:
        json.load(handle)


def check(path: Path) -> None:
    from click.testing import CliRunner

    from domino_eks.cli import cli

    outcome = CliRunner().invoke(cli, ["check", "--from-file", str(path), "--format", "json"])
    if outcome.exit_code not in (0, 3, 4):
        raise RuntimeError(f"check failed ({outcome.exit_code}): {outcome.output[-2000:]}")


def peak_memory_kb(path: Path) -> int:
    probe = subprocess.run([sys.executable, "-c", MEMORY_PROBE, str(path)], capture_output=True, text=True,
                           check=True)
    return int(probe.stdout.strip().splitlines()[-1])


def main() -> None:
    with tempfile.TemporaryDirectory() as scratch:
        path = write_dump(Path(scratch) / "cluster.json", NODES)
        size = path.stat().st_size
        check(path)  # imports and first-use caches are not what this measures
        parse_seconds, check_seconds = best_of(lambda: parse(path)), best_of(lambda: check(path))
        memory = peak_memory_kb(path) * 1024
    print(f"nodes={NODES} file={size / 1e6:.1f}MB parse={parse_seconds:.3f}s check={check_seconds:.3f}s "
          f"memory={memory / 1e6:.1f}MB")
    print(f"ratio={check_seconds / parse_seconds:.2f} (target <= 1.5)  "
          f"memory/file={memory / size:.2f} (target <= 3)")


if __name__ == "__main__":
    main()
