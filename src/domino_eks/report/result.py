"""What `validate` and `check` return: the findings of one run, ready for any renderer."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from domino_eks.errors import ExitCode
from domino_eks.rules.base import Finding, Status


@dataclass(frozen=True)
class FindingsResult:
    command: str
    source: str  # the file, context or dump the facts came from
    findings: tuple[Finding, ...]

    @property
    def summary(self) -> dict[str, int]:
        counts = Counter(f.status.value for f in self.findings)
        fails = Counter(f.severity.value for f in self.findings if f.status is Status.FAIL)
        return {
            "rules": len({f.id for f in self.findings}),
            "pass": counts["pass"],
            "fail": counts["fail"],
            "skip": counts["skip"],
            "errors": fails["error"],
            "warnings": fails["warning"],
            "info": fails["info"],
        }

    def exit_code(self, strict: bool = False) -> int:
        summary = self.summary
        if summary["errors"]:
            return ExitCode.FAILED
        if strict and summary["warnings"]:
            return ExitCode.WARNINGS
        return ExitCode.OK
