"""How apply waits for the slow resources: each type declares how long AWS takes, and that paces its polling."""

from __future__ import annotations

import math

import pytest

from domino_eks.knowledge import aws_durations
from domino_eks.knowledge.aws_durations import Duration
from domino_eks.provision import kinds, waiters
from domino_eks.provision.handlers import HANDLERS

SLOW_TYPES = {
    kinds.EKS_CLUSTER: aws_durations.CONTROL_PLANE,
    kinds.EKS_NODEGROUP: aws_durations.MANAGED_NODE_GROUP,
    kinds.EKS_ADDON: aws_durations.ADDON,
    kinds.NAT_GATEWAY: aws_durations.NAT_GATEWAY,
    kinds.EFS_FILE_SYSTEM: aws_durations.EFS_FILE_SYSTEM,
    kinds.EFS_MOUNT_TARGET: aws_durations.EFS_MOUNT_TARGET,
    kinds.CERTIFICATE: aws_durations.CERTIFICATE_VALIDATION_RECORD,
}


@pytest.mark.parametrize("kind", SLOW_TYPES)
def test_each_slow_type_declares_how_long_aws_takes_to_make_one(kind):
    waiter = HANDLERS[kind].ready_waiter
    assert waiter is not None
    assert waiter.expected == SLOW_TYPES[kind]


def test_only_the_slow_types_wait_long_enough_to_need_a_pace():
    paced = {kind for kind, handler in HANDLERS.items() if handler.ready_waiter and handler.ready_waiter.expected}
    assert paced == set(SLOW_TYPES)


def test_polls_come_every_fortieth_of_the_typical_duration_and_give_up_at_four_times_the_slowest():
    delay, attempts = waiters.pace(Duration(600.0, 1000.0))
    assert delay == 20.0
    assert attempts == math.ceil(4 * 1000.0 / 20.0)


def test_a_control_plane_is_polled_less_often_than_an_addon_and_nothing_more_than_once_a_second():
    control_plane, _ = waiters.pace(aws_durations.CONTROL_PLANE)
    addon, _ = waiters.pace(aws_durations.ADDON)
    certificate, _ = waiters.pace(aws_durations.CERTIFICATE_VALIDATION_RECORD)
    assert control_plane > addon > certificate == 1.0


def test_every_wait_ends_no_sooner_than_the_slowest_aws_has_been():
    for duration in SLOW_TYPES.values():
        delay, attempts = waiters.pace(duration)
        assert duration.quickest + delay * attempts >= duration.slowest


def test_time_scaling_is_undone_on_the_way_out():
    with waiters.time_scaled(0.01):
        assert waiters.scale() == 0.01
    assert waiters.scale() == 1.0
