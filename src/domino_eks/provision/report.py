"""What a run that did not finish tells the user: per resource, the AWS error code and what to do."""

from __future__ import annotations

from domino_eks.provision import faults
from domino_eks.provision.walk import WalkResult


def problems(walk: WalkResult, verb: str, created: set | frozenset = frozenset()) -> str:
    """The failures, what waited on them, and what was cut short; `created`: keys apply was creating."""
    lines = [f"{verb} did not finish: {len(walk.failures)} failed, {len(walk.blocked)} not attempted"]
    for key, error in sorted(walk.failures.items()):
        partly = " (it may exist in part; the next apply completes it)" if key in created else ""
        lines.append(f"  ✗ {key}: {faults.describe(error)}{partly}")
    for key, cause in sorted(walk.blocked.items()):
        lines.append(f"  · {key}: not attempted, it waits on {cause}")
    lines.append(f"What succeeded is kept; {faults.RUN_AGAIN}.")
    return "\n".join(lines)


def interruption(walk: WalkResult, verb: str) -> str:
    lines = [f"{verb} interrupted: {len(walk.results)} done, {len(walk.stopped)} stopped mid-way"]
    lines += [f"  · {key}" for key in sorted(walk.stopped)]
    lines.append(f"Nothing is lost: {faults.RESUMES}.")
    return "\n".join(lines)
