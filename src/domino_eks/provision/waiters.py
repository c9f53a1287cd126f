"""Waiters boto3 does not ship, declared as data and run by botocore's own waiter loop.

Each names the operation it polls and the acceptors that end the wait, exactly as botocore's
waiters-2.json files do; a failure explains itself ("Waiter FileSystemAvailable failed: ...").
"""

from __future__ import annotations

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
            {"state": "success", "matcher": "pathAll", "argument": "FileSystems[].LifeCycleState", "expected": "available"},
            {"state": "failure", "matcher": "pathAny", "argument": "FileSystems[].LifeCycleState", "expected": "error"},
        ],
    },
    "FileSystemDeleted": {
        "operation": "DescribeFileSystems", "delay": 5, "maxAttempts": 60,
        "acceptors": [{"state": "success", "matcher": "error", "expected": "FileSystemNotFound"}],
    },
    "MountTargetAvailable": {
        "operation": "DescribeMountTargets", "delay": 10, "maxAttempts": 60,
        "acceptors": [
            {"state": "success", "matcher": "pathAll", "argument": "MountTargets[].LifeCycleState", "expected": "available"},
            {"state": "failure", "matcher": "pathAny", "argument": "MountTargets[].LifeCycleState", "expected": "error"},
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


def wait(client: Any, name: str, **arguments: Any) -> None:
    from botocore.waiter import WaiterModel, create_waiter_with_client

    model = WaiterModel({"version": 2, "waiters": {name: MODELS[name]}})
    create_waiter_with_client(name, model, client).wait(**arguments)
