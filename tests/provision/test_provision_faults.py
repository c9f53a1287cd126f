"""Faults: an apply killed at a random AWS call, then run again; throttling on a fifth of all calls; the emulator's
crash page in answer to a call of each XML protocol.

Both are injected through botocore event hooks on the session the clients come from; moto itself has no
fault injection (design.md, "Known behaviour of the emulator").
"""

from __future__ import annotations

import random

import pytest

from domino_eks.provision import apply, plan
from domino_eks.provision.walk import Silent
from domino_eks.sources import spec as spec_source
from tests.provision.support import (
    CrashPage,
    Killed,
    Killer,
    LostAnswer,
    Throttler,
    aws_with_hooks,
    expected,
    tagged,
    write_spec,
)

APPLY_CALLS = 110  # what the apply of the one-zone test spec calls AWS: kill points are drawn below it


def converged(endpoint, spec, name) -> None:
    """A plain apply finishes the job; then nothing is left to do and nothing exists twice."""
    aws = aws_with_hooks(endpoint)
    survey = plan.survey(aws, spec_source.load(str(spec)))
    result = apply.run(aws, survey.graph, survey.found, survey.plan, Silent())
    assert result.complete, {str(k): str(e) for k, e in result.walk.failures.items()}
    again = plan.survey(aws_with_hooks(endpoint), spec_source.load(str(spec)))
    assert [str(c.key) for c in again.plan.pending] == []
    counts = tagged(endpoint, name)
    assert {k: v for k, v in counts.items() if k != "instances"} == expected(again.graph)


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
def test_an_apply_killed_at_a_random_call_finishes_when_run_again(endpoint, spec, name, seed):
    killer = Killer(allowed=random.Random(seed).randrange(1, APPLY_CALLS))
    aws = aws_with_hooks(endpoint, **{"before-call": killer})
    survey = plan.survey(aws, spec_source.load(str(spec)))
    killer.arm()

    interrupted = apply.run(aws, survey.graph, survey.found, survey.plan, Silent())

    assert isinstance(interrupted.walk.interruption, Killed)
    assert not interrupted.complete
    converged(endpoint, spec, name)


def test_an_apply_converges_when_a_fifth_of_all_calls_are_throttled(endpoint, spec, name):
    throttler = Throttler(share=0.2, seed=7)
    aws = aws_with_hooks(endpoint, **{"before-send": throttler})
    survey = plan.survey(aws, spec_source.load(str(spec)))
    throttler.arm()

    result = apply.run(aws, survey.graph, survey.found, survey.plan, Silent())

    assert result.complete, {str(k): str(e) for k, e in result.walk.failures.items()}
    assert throttler.throttled > 20  # the faults really happened, and adaptive retry absorbed them
    converged(endpoint, spec, name)


def test_a_create_whose_answer_was_lost_is_taken_as_made_when_its_retry_finds_the_name_taken(endpoint, name,
                                                                                              tmp_path):
    # these creates write the deployment's tags with the resource: the one the retry finds is this call's own
    spec = write_spec(tmp_path / "domino.yaml", name, registry="ecr")
    lost = LostAnswer("CreateRole", "CreatePolicy", "CreateInstanceProfile", "CreateLogGroup", "CreateRepository")
    aws = aws_with_hooks(endpoint, **{"before-send": lost})
    survey = plan.survey(aws, spec_source.load(str(spec)))

    result = apply.run(aws, survey.graph, survey.found, survey.plan, Silent())

    assert result.complete, {str(k): str(e) for k, e in result.walk.failures.items()}
    assert lost.met == lost.operations
    again = plan.survey(aws_with_hooks(endpoint), spec_source.load(str(spec)))
    assert [str(c.key) for c in again.plan.pending] == []


def test_an_apply_converges_when_the_emulator_answers_a_call_with_its_crash_page(endpoint, spec, name):
    # AttachRolePolicy: the call moto's IAM crashes on under load; with it, one of each XML protocol botocore
    # parses (query, ec2, rest-xml), which alone failed a crash page at once instead of retrying it
    crash = CrashPage("AttachRolePolicy", "CreateRole", "CreateAutoScalingGroup", "CreateSubnet", "CreateBucket")
    aws = aws_with_hooks(endpoint, **{"before-send": crash})
    survey = plan.survey(aws, spec_source.load(str(spec)))

    result = apply.run(aws, survey.graph, survey.found, survey.plan, Silent())

    assert result.complete, {str(k): str(e) for k, e in result.walk.failures.items()}
    assert crash.met == crash.operations  # each crash really happened, and was retried
    converged(endpoint, spec, name)
