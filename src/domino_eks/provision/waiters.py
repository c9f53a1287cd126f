"""Waits, by name: the waiters boto3 does not ship, declared as data, and the ones it does.

Each of MODELS names the operation it polls and the acceptors that end the wait, exactly as botocore's
waiters-2.json files do; a failure explains itself ("Waiter FileSystemAvailable failed: ...").
Every other name is one of the service's own waiters, spelled as its waiters-2.json spells it.

A slow resource declares how long AWS takes to make one (knowledge.aws_durations): its wait after a create first
looks once AWS has ever been that quick, then polls at a pace proportional to the time it takes, so the wait ends
soon after the resource does, in a few dozen calls.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from domino_eks.knowledge.aws_durations import Duration

_GONE = "length({list}) == `0`"

MODELS: dict[str, dict] = {
    # autoscaling
    "GroupDeleted": {
        "operation": "DescribeAutoScalingGroups", "delay": 15, "maxAttempts": 80,
        "acceptors": [{"state": "success", "matcher": "path", "expected": True,
                       "argument": _GONE.format(list="AutoScalingGroups")}],
    },
    # ec2
    "InstancesGone": {  # called with filters naming the group and every state short of terminated
        "operation": "DescribeInstances", "delay": 15, "maxAttempts": 60,
        "acceptors": [{"state": "success", "matcher": "path", "expected": True,
                       "argument": _GONE.format(list="Reservations[].Instances[]")}],
    },
    # efs
    "FileSystemAvailable": {
        "operation": "DescribeFileSystems", "delay": 5, "maxAttempts": 60,
        "acceptors": [
            {"state": "success", "matcher": "pathAll", "expected": "available",
             "argument": "FileSystems[].LifeCycleState"},
            {"state": "failure", "matcher": "pathAny", "expected": "error",
             "argument": "FileSystems[].LifeCycleState"},
        ],
    },
    "FileSystemDeleted": {
        "operation": "DescribeFileSystems", "delay": 5, "maxAttempts": 60,
        "acceptors": [{"state": "success", "matcher": "error", "expected": "FileSystemNotFound"}],
    },
    "MountTargetAvailable": {
        "operation": "DescribeMountTargets", "delay": 10, "maxAttempts": 60,
        "acceptors": [
            {"state": "success", "matcher": "pathAll", "expected": "available",
             "argument": "MountTargets[].LifeCycleState"},
            {"state": "failure", "matcher": "pathAny", "expected": "error",
             "argument": "MountTargets[].LifeCycleState"},
        ],
    },
    "MountTargetDeleted": {
        "operation": "DescribeMountTargets", "delay": 10, "maxAttempts": 60,
        "acceptors": [{"state": "success", "matcher": "error", "expected": "MountTargetNotFound"}],
    },
    # acm: the DNS validation record appears a few seconds after the request
    "ValidationRecordReady": {
        "operation": "DescribeCertificate", "delay": 3, "maxAttempts": 40,
        "acceptors": [{"state": "success", "matcher": "path", "expected": True,
                       "argument": "length(Certificate.DomainValidationOptions[?ResourceRecord]) > `0`"}],
    },
}


POLLS_PER_DURATION = 40  # a poll lands at most 1/40 of the typical duration after the resource is ready
GIVE_UP_AFTER = 4  # times the slowest AWS has been (deletions too): then the wait fails, naming its waiter

# Real seconds per second a wait declares: 1 against AWS. The apply bench runs AWS's durations scaled down
# (bench/aws_model.py), and the waits with them, so its waiters poll as they would against AWS.
_clock = {"scale": 1.0}


@contextmanager
def time_scaled(factor: float) -> Iterator[None]:
    """Every wait, and every delay between polls, lasts `factor` times as long while inside."""
    previous, _clock["scale"] = _clock["scale"], factor
    try:
        yield
    finally:
        _clock["scale"] = previous


def scale() -> float:
    return _clock["scale"]


def _waiter(client: Any, name: str) -> Any:
    from botocore import xform_name
    from botocore.waiter import WaiterModel, create_waiter_with_client

    if name in MODELS:
        return create_waiter_with_client(name, WaiterModel({"version": 2, "waiters": {name: MODELS[name]}}), client)
    return client.get_waiter(xform_name(name))


def wait(client: Any, name: str, /, *, delay: float | None = None, attempts: int | None = None,
         **arguments: Any) -> None:
    """Run waiter `name` on `client`: ours from MODELS, else the one botocore ships for the client's service;
    every `delay` seconds (its own when None), at most `attempts` times.

    Positional-only, since waiters take arguments called `name` too (EKS's ClusterActive)."""
    waiter = _waiter(client, name)
    config = {"Delay": (waiter.config.delay if delay is None else delay) * scale(),
              "MaxAttempts": waiter.config.max_attempts if attempts is None else attempts}
    waiter.wait(**arguments, WaiterConfig=config)


def pace(expected: Duration) -> tuple[float, int]:
    """Seconds between polls, proportional to the typical duration (so every wait overshoots by the same small
    share), and how many polls before giving up."""
    delay = max(1.0, (expected.quickest + expected.slowest) / 2 / POLLS_PER_DURATION)
    return delay, math.ceil(GIVE_UP_AFTER * expected.slowest / delay)


@dataclass(frozen=True)
class Wait:
    """A wait a handler declares: which waiter, how its arguments come from the resource's outputs, and for a
    resource slower than the waiter's defaults assume, how long AWS takes to make one."""

    service: str
    name: str  # as `wait` takes it
    arguments: Callable[[Mapping[str, Any]], dict[str, Any]]
    expected: Duration | None = None

    def run(self, client: Any, outputs: Mapping[str, Any], *, created: bool = False) -> None:
        """`created`: the resource was requested just now. One look at once (an emulator makes it at once); if it
        is not ready, the next look waits until AWS could have finished one, then the polls keep their pace."""
        arguments = self.arguments(outputs)
        if self.expected is None:
            wait(client, self.name, **arguments)
            return
        delay, attempts = pace(self.expected)
        if created:
            requested = time.monotonic()
            if _ready_at_first_look(client, self.name, arguments):
                return
            time.sleep(max(0.0, requested + self.expected.quickest * scale() - time.monotonic()))
        wait(client, self.name, delay=delay, attempts=attempts, **arguments)


def _ready_at_first_look(client: Any, name: str, arguments: Mapping[str, Any]) -> bool:
    """One poll: True when ready; False when not yet; raises when the resource failed."""
    from botocore.exceptions import WaiterError

    try:
        wait(client, name, delay=0, attempts=1, **arguments)
    except WaiterError as error:
        if str(error.kwargs.get("reason", "")).startswith("Max attempts exceeded"):
            return False
        raise
    return True
