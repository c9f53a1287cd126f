"""How close apply comes to the ideal: its wall time against the critical path of the resource graph.

Every AWS call is delayed (a botocore before-send hook) by a latency modelled on public AWS timings,
scaled down 100x, then apply runs on the embedded emulator for a Domino-shaped deployment (the multi-AZ
example, its GPU pool as EKS managed node groups so both kinds of node group are timed):

    apply_wall_s     what the walk took
    critical_path_s  the longest chain of dependent resources, each weighted by how long it took
    sequential_s     every resource one after the other
    ratio            apply_wall_s / critical_path_s: 1.00 is perfect; the target is <= 1.05

Run: python bench/apply_critical_path.py [--seed N]
"""

from __future__ import annotations

import argparse
import random
import threading
import time
from graphlib import TopologicalSorter
from pathlib import Path
from tempfile import TemporaryDirectory

from domino_eks.aws import emulator, session
from domino_eks.knowledge import iam
from domino_eks.provision import apply, plan
from domino_eks.provision.resources import Key
from domino_eks.provision.walk import Silent
from domino_eks.sources import spec as spec_source

SCALE = 100
EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "multi-az.yaml"
# operation -> (low, high) seconds on AWS until the resource is usable, from AWS's documentation and
# common reports; the emulator answers at once, so the whole wait is put on the creating call
AWS_SECONDS = {
    "CreateCluster": (9 * 60, 16 * 60),  # EKS control plane
    "CreateNodegroup": (2 * 60, 4 * 60),  # EKS managed node group until ACTIVE
    "CreateNatGateway": (60, 120),  # until available
    "CreateFileSystem": (5, 30),  # EFS until available
    "CreateMountTarget": (60, 180),  # until available, per zone
    "RequestCertificate": (2, 10),  # until ACM shows the DNS validation record
    "CreateRole": (1, 3), "CreatePolicy": (1, 3), "CreateInstanceProfile": (1, 3),  # IAM, with propagation
    "CreateBucket": (1, 3),
}
OTHER_CALL_SECONDS = (0.1, 0.5)  # every other AWS API call


class Latency:
    """A before-send hook that sleeps for the scaled latency of each call (seeded, so runs compare)."""

    def __init__(self, seed: int):
        self._random = random.Random(seed)
        self._lock = threading.Lock()

    def __call__(self, event_name: str, **_) -> None:
        low, high = AWS_SECONDS.get(event_name.rsplit(".", 1)[1], OTHER_CALL_SECONDS)
        with self._lock:
            seconds = self._random.uniform(low, high) / SCALE
        time.sleep(seconds)


def critical_path(dependencies: dict[Key, frozenset[Key]],
                  spans: dict[Key, tuple[float, float]]) -> tuple[float, list[Key]]:
    """Length and resources of the longest chain, each resource weighted by its measured duration."""
    finish: dict[Key, float] = {}
    before: dict[Key, Key | None] = {}
    for key in TopologicalSorter(dependencies).static_order():
        start, end = spans[key]
        slowest = max(dependencies[key], key=finish.__getitem__, default=None)
        finish[key] = (end - start) + (0.0 if slowest is None else finish[slowest])
        before[key] = slowest
    last: Key | None = max(finish, key=finish.get)
    chain = []
    while last is not None:
        chain.append(last)
        last = before[last]
    return max(finish.values()), chain[::-1]


def bench_spec(directory: Path) -> Path:
    text = EXAMPLE.read_text().replace("label: default-gpu\n", "label: default-gpu\n    managed: true\n")
    path = directory / "bench.yaml"
    path.write_text(text)
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=1)
    seed = parser.parse_args().seed
    with TemporaryDirectory() as directory, emulator.running(iam.AWS_MANAGED_POLICIES) as url:
        deployment = spec_source.load(str(bench_spec(Path(directory))))
        raw = session.static_session(deployment.cluster.region)
        raw.events.register("before-send", Latency(seed))
        aws = session.Aws(raw, url, retries=session.PROVISIONING)
        survey = plan.survey(aws, deployment)
        applied = apply.run(aws, survey.graph, survey.found, survey.plan, Silent())
    walk = applied.walk
    if not applied.complete:
        raise SystemExit(f"apply did not complete: {[str(k) for k in walk.failures]}")
    critical, chain = critical_path(survey.graph.dependencies(), walk.spans)
    sequential = sum(end - start for start, end in walk.spans.values())
    print(f"resources={len(walk.spans)} seed={seed} latency_scale=1/{SCALE}")
    print("critical path: " + " -> ".join(f"{k.name} ({walk.spans[k][1] - walk.spans[k][0]:.2f}s)" for k in chain))
    print(f"apply_wall_s={walk.wall_seconds:.3f}")
    print(f"critical_path_s={critical:.3f}")
    print(f"sequential_s={sequential:.3f}")
    print(f"ratio=apply_wall/critical_path={walk.wall_seconds / critical:.3f}")


if __name__ == "__main__":
    main()
