"""How close apply comes to the least time AWS allows: its wall time against a critical path the engine has no part in.

A model of AWS (bench/aws_model.py) gives each resource type a duration drawn from published timings and derives
what waits for what from AWS's own requirements; the emulator is made to take those durations, scaled down
(bench/slow_aws.py), so apply's waiters poll at their real intervals, scaled alike, add-ons included. Then apply
runs for a Domino-shaped deployment (the multi-AZ example, its GPU pool as EKS managed node groups so both kinds
of node group are made):

    apply_wall_s     what apply's walk took
    critical_path_s  the model's longest chain of waits, each resource weighted by its modelled duration
    sequential_s     every resource one after the other, as modelled
    ratio            apply_wall_s / critical_path_s: 1.00 is as fast as AWS allows; the target is <= 1.05

Run: python bench/apply_critical_path.py [--seed N] [--seconds-per-aws-minute S]
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from tempfile import TemporaryDirectory

import aws_model
from domino_eks.aws import session
from domino_eks.provision import apply, desired, kinds, plan, waiters
from domino_eks.provision.walk import Silent
from domino_eks.sources import spec as spec_source
from slow_aws import SlowAws

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "multi-az.yaml"
# A modelled AWS minute lasts this long here. The emulator's own time per call (tens of milliseconds, far more when
# apply's first burst of calls meets a busy machine) is no part of the model: the ratio measures it as well, so a
# minute must last long enough for it to stay small; a run then takes about a minute and a half.
SECONDS_PER_AWS_MINUTE = 6.0


@contextmanager
def emulator_process() -> Iterator[str]:
    """`domino-eks emulator` in a process of its own, so the emulator's work does not queue behind apply's threads
    for one interpreter lock; yields its endpoint once it listens."""
    server = subprocess.Popen([sys.executable, "-m", "domino_eks.cli", "emulator", "--port", "0"],
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        assert server.stdout is not None
        listening = re.search(r"http://127\.0\.0\.1:\d+", server.stdout.readline())
        if listening is None:
            raise SystemExit("the emulator did not start")
        yield listening.group(0)
    finally:
        server.terminate()
        server.wait(timeout=30)


def bench_spec(directory: Path) -> Path:
    text = EXAMPLE.read_text().replace("label: default-gpu\n", "label: default-gpu\n    managed: true\n")
    path = directory / "bench.yaml"
    path.write_text(text)
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--seconds-per-aws-minute", type=float, default=SECONDS_PER_AWS_MINUTE)
    arguments = parser.parse_args()
    scale = arguments.seconds_per_aws_minute / 60
    durations = aws_model.Durations.draw(arguments.seed)
    with TemporaryDirectory() as directory, emulator_process() as url:
        deployment = spec_source.load(str(bench_spec(Path(directory))))
        raw = session.static_session(deployment.cluster.region)
        graph = desired.build(deployment)
        model = aws_model.Model.of(graph, deployment)
        hosts = frozenset(graph[k].properties["name"] for k in model.hosts if k.type == kinds.AUTO_SCALING_GROUP)
        # before any client is made: each copies the session's hooks
        SlowAws(durations, scale, deployment.cluster.region, hosts).register(raw.events)
        aws = session.Aws(raw, url, retries=session.PROVISIONING)
        survey = plan.survey(aws, deployment)
        with waiters.time_scaled(scale):
            applied = apply.run(aws, survey.graph, survey.found, survey.plan, Silent())
    walk = applied.walk
    if not applied.complete:
        raise SystemExit(f"apply did not complete: {[f'{k}: {e}' for k, e in walk.failures.items()]}")
    # what this endpoint cannot make (access entries, Pod Identity on the emulator) apply skips: it takes no time
    modelled = {key: 0.0 if walk.results[key].note == apply.NOT_SUPPORTED else model.seconds(key, durations) * scale
                for key in model.waits}
    critical, chain = aws_model.critical_path(model.waits, modelled)
    print(f"resources={len(walk.spans)} seed={arguments.seed} "
          f"scale=1 AWS minute -> {arguments.seconds_per_aws_minute:g}s")
    print("critical path: " + " -> ".join(f"{k.type.split('::')[-1]} {k.name} ({modelled[k] / scale:.0f}s)"
                                          for k in chain))
    print(f"apply_wall_s={walk.wall_seconds:.3f}")
    print(f"critical_path_s={critical:.3f}")
    print(f"sequential_s={sum(modelled.values()):.3f}")
    print(f"ratio=apply_wall/critical_path={walk.wall_seconds / critical:.3f}")


if __name__ == "__main__":
    main()
