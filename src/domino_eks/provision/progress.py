"""What a person watches during apply and destroy: one spinner per resource in flight, one line per resource done,
and, when a run does not finish, per resource the AWS error code and what to do."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)

from domino_eks.aws import faults
from domino_eks.provision.plan import MARKS, Action
from domino_eks.provision.resources import Key
from domino_eks.provision.walk import Step, WalkResult


class Display:
    """An Observer for walk.Walker; `action_of` says what happens to each key (for the marks)."""

    def __init__(self, console: Console, total: int, action_of: Callable[[Key], Action | None], verb: str):
        self._console = console
        self._action_of = action_of
        self._progress = Progress(
            SpinnerColumn(), TextColumn("{task.description}"), BarColumn(bar_width=None),
            MofNCompleteColumn(), TimeElapsedColumn(), console=console, transient=True,
        )
        self._overall = self._progress.add_task(verb, total=total)
        self._tasks: dict[Key, Any] = {}
        self._lock = threading.Lock()

    def __enter__(self) -> Display:
        self._progress.start()
        return self

    def __exit__(self, *_: Any) -> None:
        self._progress.stop()

    def started(self, key: Key) -> None:
        with self._lock:
            self._tasks[key] = self._progress.add_task(escape(f"  {self._action_of(key)} {key}"), total=None)

    def finished(self, key: Key, result: Step, seconds: float) -> None:
        action = self._action_of(key)
        shown = f"[{MARKS[action].style}]{MARKS[action].symbol}[/]" if action else " "
        self._line(key, f"{shown} {escape(str(key))}  [dim]{seconds:.1f}s {escape(result.note)}[/]")

    def failed(self, key: Key, error: BaseException) -> None:
        self._line(key, f"[red]✗[/] {escape(str(key))}  [red]{escape(str(faults.describe(error)))}[/]")

    def _line(self, key: Key, text: str) -> None:
        with self._lock:
            task = self._tasks.pop(key, None)
            if task is not None:
                self._progress.remove_task(task)
            self._progress.advance(self._overall)
        self._console.print(text, highlight=False)


def problems(walk: WalkResult, verb: str, created: set | frozenset = frozenset()) -> str:
    """The failures, what waited on them, and what was cut short; `created`: keys apply was creating."""
    lines = [f"{verb} did not finish: {len(walk.failures)} failed, {len(walk.blocked)} not attempted"]
    for key, error in sorted(walk.failures.items()):
        # a resource someone else made was never begun by apply: nothing of it is apply's to complete
        begun = key in created and not isinstance(error, faults.NotOurs)
        partly = " (it may exist in part; the next apply completes it)" if begun else ""
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
