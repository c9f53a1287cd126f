"""How long `plan` waits on AWS before it can say anything: discovery's round trips at a real latency.

Every AWS call is delayed 150 ms (a botocore before-send hook, as a client far from its region sees), then
`plan` runs against the emulator (`domino-eks emulator`, in a process of its own, so that serving the calls does
not take the CPU the client needs) for a 12-pool x 3-zone deployment that has just been applied, once with
self-managed node groups (36 launch templates and Auto Scaling groups) and once with EKS managed ones (36 node
groups), each in an empty account and again beside 400 unrelated IAM roles and 40 certificates:

    calls        the AWS calls the plan made
    round_trips  the longest chain of calls each starting after the one before it ended: what the plan
                 waits for one after another (the goal is <= 4); the most of the plans timed
    wall_s       the plan's wall time, the median of PLANS plans (the goal is <= 1.2 s, the same with and without
                 the unrelated resources): one plan alone is one sample of a noisy machine

Each timed plan starts from a new session and first clears the tool's one process-wide cache (the decoded model
files, `models.decoded_model`), so it reads botocore's model files and makes every client again, as a fresh
`domino-eks plan` process does. (botocore's own per-process cache of its operations' Python names, filled by the
applies before, is the one thing a fresh process would still build.)

Run: python bench/plan_latency.py
"""

from __future__ import annotations

import json
import signal
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any

from domino_eks.aws import models, session
from domino_eks.model import Deployment
from domino_eks.provision import apply, kinds, plan
from domino_eks.provision.walk import Silent
from domino_eks.sources import spec as spec_source

LATENCY_SECONDS = 0.150
POOLS = 12
ZONES = ("us-west-2a", "us-west-2b", "us-west-2c")
UNRELATED_ROLES = 400
UNRELATED_CERTIFICATES = 40
PLANS = 3


class Timeline:
    """before-call / after-call hooks that record when each AWS call started and ended."""

    def __init__(self) -> None:
        self.spans: list[tuple[float, float, str]] = []
        self._lock = threading.Lock()

    def started(self, context: dict[str, Any], **_: Any) -> None:
        context["bench_started"] = time.perf_counter()

    def ended(self, context: dict[str, Any], model: Any, **_: Any) -> None:
        with self._lock:
            self.spans.append((context["bench_started"], time.perf_counter(), model.name))

    def critical_path(self) -> list[str]:
        """The longest chain of calls that ran one strictly after another: what the plan waited for in turn."""
        chains: list[tuple[float, list[str]]] = []  # (end of a call, the longest chain ending with it)
        for start, end, name in sorted(self.spans):
            before = max((chain for finished, chain in chains if finished <= start), key=len, default=[])
            chains.append((end, [*before, name]))
        return max((chain for _, chain in chains), key=len, default=[])


@contextmanager
def separate_emulator() -> Iterator[str]:
    """`domino-eks emulator` on a free port, in its own process; its endpoint URL."""
    server = subprocess.Popen([sys.executable, "-m", "domino_eks.cli", "emulator", "--port", "0"],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert server.stdout is not None
        listening = server.stdout.readline()  # "AWS emulator listening on http://127.0.0.1:PORT (Ctrl-C ...)"
        yield listening.split(" on ", 1)[1].split()[0]
    finally:
        server.send_signal(signal.SIGINT)  # what Ctrl-C sends: the emulator stops its server and exits
        server.wait(timeout=30)


def write_spec(directory: Path, name: str, *, managed: bool) -> Path:
    pools = [{"name": f"pool{n:02d}", "instanceType": "m5.2xlarge", "volumeSize": 128, "minSize": 0, "maxSize": 3,
              "labels": {"dominodatalab.com/node-pool": f"pool{n:02d}"}, "managed": managed}
             for n in range(POOLS)]
    spec = {"apiVersion": "domino-eks.io/v1alpha1", "kind": "DominoCluster",
            "metadata": {"name": name, "region": "us-west-2"}, "availabilityZones": list(ZONES),
            "nodePools": pools, "domain": {"fqdn": f"{name}.example.com"}}
    path = directory / f"{name}.yaml"
    path.write_text(json.dumps(spec))
    return path


def applied(url: str, path: Path) -> None:
    """`path` applied; for managed node groups, also the Auto Scaling groups EKS makes for them (the emulator
    makes none), tagged as EKS tags them, with the autoscaler's tags a second apply writes, so that discovery
    reads those too."""
    aws = session.Aws(session.static_session("us-west-2"), url, retries=session.PROVISIONING)
    deployment = spec_source.load(str(path))
    apply_all(aws, deployment, path)
    groups = [group for existing in plan.survey(aws, deployment).found.found.values()
              if existing.key.type == kinds.EKS_NODEGROUP
              for group in [aws.client("eks").describe_nodegroup(clusterName=existing.outputs["cluster_name"],
                                                                 nodegroupName=existing.outputs["name"])["nodegroup"]]]
    for group in groups:
        name = group["resources"]["autoScalingGroups"][0]["name"]
        eks_tags = {"eks:cluster-name": group["clusterName"], "eks:nodegroup-name": group["nodegroupName"]}
        aws.client("autoscaling").create_auto_scaling_group(
            AutoScalingGroupName=name, MinSize=0, MaxSize=3,
            LaunchTemplate={"LaunchTemplateId": group["launchTemplate"]["id"]},
            VPCZoneIdentifier=",".join(group["subnets"]),
            Tags=[{"ResourceId": name, "ResourceType": "auto-scaling-group", "Key": key, "Value": value,
                   "PropagateAtLaunch": True} for key, value in eks_tags.items()])
    if groups:
        apply_all(aws, deployment, path)


def apply_all(aws: session.Aws, deployment: Deployment, path: Path) -> None:
    survey = plan.survey(aws, deployment)
    result = apply.run(aws, survey.graph, survey.found, survey.plan, Silent())
    if not result.complete:
        raise SystemExit(f"apply of {path.name} did not complete")


def clutter(url: str) -> None:
    raw = session.static_session("us-west-2")
    iam = raw.client("iam", endpoint_url=url)
    acm = raw.client("acm", endpoint_url=url)
    for n in range(UNRELATED_ROLES):
        iam.create_role(RoleName=f"unrelated-{n}", AssumeRolePolicyDocument="{}",
                        Tags=[{"Key": "team", "Value": "analytics"}])
    for n in range(UNRELATED_CERTIFICATES):
        acm.request_certificate(DomainName=f"site{n}.example.org", ValidationMethod="DNS",
                                Tags=[{"Key": "team", "Value": "web"}])


def timed_plan(url: str, path: Path) -> tuple[int, list[str], float]:
    models.decoded_model.cache_clear()  # the applies decoded them: `domino-eks plan` is a process that has not
    raw = session.static_session("us-west-2")
    timeline = Timeline()
    raw.events.register("before-send", lambda **_: time.sleep(LATENCY_SECONDS))
    raw.events.register("before-call", timeline.started)
    raw.events.register("after-call", timeline.ended)
    raw.events.register("after-call-error", timeline.ended)
    aws = session.Aws(raw, url, retries=session.PROVISIONING)
    deployment = spec_source.load(str(path))
    started = time.perf_counter()
    survey = plan.survey(aws, deployment)
    wall = time.perf_counter() - started
    if survey.plan.pending:
        raise SystemExit(f"plan of {path.name} right after apply is not empty: {survey.plan.pending[:3]}")
    return len(timeline.spans), timeline.critical_path(), wall


def main() -> None:
    with TemporaryDirectory() as directory, separate_emulator() as url:
        specs = {kind: write_spec(Path(directory), f"bench-{kind}", managed=kind == "managed")
                 for kind in ("self-managed", "managed")}
        for path in specs.values():
            applied(url, path)
        print(f"latency={LATENCY_SECONDS * 1000:.0f}ms pools={POOLS} zones={len(ZONES)}")
        for account in ("empty account", f"+{UNRELATED_ROLES} roles +{UNRELATED_CERTIFICATES} certificates"):
            if account != "empty account":
                clutter(url)
            for kind, path in specs.items():
                plans = [timed_plan(url, path) for _ in range(PLANS)]
                calls, chain, _ = max(plans, key=lambda timed: len(timed[1]))
                wall = statistics.median(wall for _, _, wall in plans)
                print(f"{kind:12} {account:28} calls={calls} round_trips={len(chain)} wall_s={wall:.3f}  "
                      f"({' -> '.join(chain)})")


if __name__ == "__main__":
    main()
