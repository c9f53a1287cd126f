"""Waits, by name: the waiters boto3 does not ship, declared as data, and the ones it does.

Each of MODELS names the operation it polls and the acceptors that end the wait, exactly as botocore's
waiters-2.json files do; a failure explains itself ("Waiter FileSystemAvailable failed: ...").
Every other name is one of the service's own waiters, spelled as its waiters-2.json spells it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

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


def wait(client: Any, name: str, /, **arguments: Any) -> None:
    """Run waiter `name` on `client`: ours from MODELS, else the one botocore ships for the client's service.

    Positional-only, since waiters take arguments called `name` too (EKS's ClusterActive)."""
    from botocore import xform_name
    from botocore.waiter import WaiterModel, create_waiter_with_client

    if name in MODELS:
        model = WaiterModel({"version": 2, "waiters": {name: MODELS[name]}})
        create_waiter_with_client(name, model, client).wait(**arguments)
    else:
        client.get_waiter(xform_name(name)).wait(**arguments)


@dataclass(frozen=True)
class Wait:
    """A wait a handler declares: which waiter, and how its arguments come from the resource's outputs."""

    service: str
    name: str  # as `wait` takes it
    arguments: Callable[[Mapping[str, Any]], dict[str, Any]]
    config: Mapping[str, int] | None = None  # botocore's WaiterConfig, for resources slower than its defaults

    def run(self, client: Any, outputs: Mapping[str, Any]) -> None:
        tuning = {"WaiterConfig": dict(self.config)} if self.config else {}
        wait(client, self.name, **self.arguments(outputs), **tuning)
