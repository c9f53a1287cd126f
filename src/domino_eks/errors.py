"""Errors a user can act on, and the exit codes they end in. `InputError` (exit 2) lists every problem found
in an input file; an output path that cannot be written is input too (`write_output`)."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass
from enum import IntEnum
from pathlib import Path


class ExitCode(IntEnum):
    """As Replicated's preflight: scripts and CI rely on them (design.md, "Interfaces")."""

    OK = 0  # everything passed (warnings alone too, unless --strict)
    TOOL_FAILED = 1  # the tool itself could not finish
    BAD_INPUT = 2  # unusable input: unreadable file, YAML syntax, wrong shape
    FAILED = 3  # at least one error-severity finding, or a refusal to destroy data
    WARNINGS = 4  # warnings only, and --strict was given


@dataclass(frozen=True)
class Problem:
    file: str
    message: str
    line: int | None = None  # 1-based
    column: int | None = None  # 1-based

    def __str__(self) -> str:
        where = ":".join(str(p) for p in (self.file, self.line, self.column) if p is not None)
        return f"{where}: {self.message}"


class InputError(Exception):
    """The input cannot be used: unreadable, not YAML, or not the expected shape."""

    def __init__(self, problems: list[Problem]):
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


class ToolError(Exception):
    """The tool itself could not finish (exit 1): an AWS call failed, a server would not start."""


def did_you_mean(word: str, choices: Iterable[str], cutoff: float = 0.6) -> str:
    """" (did you mean 'us-west-2'?)" for the choice closest to `word`, or "" when none is close enough: the one
    spelling of every suggestion, placed right after the word it corrects."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=cutoff)
    return f" (did you mean '{close[0]}'?)" if close else ""


def write_output(path: str | Path, text: str, *, replace: bool = True, parents: bool = False) -> None:
    """Write a file the user asked for. A path that cannot be written is the user's to change, so unusable input
    (exit 2): "out/iam/x.json: cannot write: Permission denied". `replace=False` refuses an existing file
    (init never overwrites one); `parents` creates the directories a command lays out under its DIR."""
    path = Path(path)
    try:
        if parents:
            path.parent.mkdir(parents=True, exist_ok=True)
        _write(path, text, replace)
    except OSError as exc:
        raise InputError([Problem(str(path), f"cannot write: {exc.strerror or exc}")]) from None


def _write(path: Path, text: str, replace: bool) -> None:
    try:
        with path.open("w" if replace else "x", encoding="utf-8") as handle:  # "x": refused if it exists
            handle.write(text)
    except FileExistsError:
        raise InputError([Problem(str(path), "already exists; not overwritten (choose another path or delete it)")]) \
            from None
