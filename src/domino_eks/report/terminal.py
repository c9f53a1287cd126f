"""The findings as people read them: problems first, with where and how to fix; then what passed."""

from __future__ import annotations

import io

from rich.console import Console
from rich.table import Table
from rich.text import Text

from domino_eks.report.result import FindingsResult
from domino_eks.rules.base import Finding, Severity, Status

_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan", "pass": "green", "skip": "dim"}
_ORDER = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}


def _label(f: Finding) -> Text:
    key = f.severity.value if f.status is Status.FAIL else f.status.value
    return Text(key.upper(), style=_STYLE[key])


def _sort_key(f: Finding) -> tuple:
    status_rank = {Status.FAIL: 0, Status.SKIP: 1, Status.PASS: 2}[f.status]
    return (status_rank, _ORDER[f.severity] if f.status is Status.FAIL else 0, f.id)


def _where(f: Finding, source: str) -> str:
    """The finding's place; the file name is left out when it is the file the whole run is about."""
    if f.location is None:
        return ""
    if f.location.file == source and not f.location.object:
        return f.location.model_copy(update={"file": None}).describe()
    return f.location.describe()


def render(result: FindingsResult, color: bool = False, width: int = 120) -> str:
    buffer = io.StringIO()
    console = Console(file=buffer, width=width, force_terminal=color, no_color=not color, highlight=False)
    table = Table(title=f"domino-eks {result.command}: {result.source}", show_lines=False, expand=True)
    table.add_column("result", no_wrap=True)
    table.add_column("rule", no_wrap=True)
    table.add_column("finding", ratio=3)
    table.add_column("where", ratio=1)
    fix_shown: set[str] = set()
    for f in sorted(result.findings, key=_sort_key):
        detail = Text(f.rule.title, style="bold")
        detail.append(f"\n{f.message}")
        if f.status is Status.FAIL and f.severity is not Severity.INFO and f.id not in fix_shown:
            detail.append(f"\nfix: {f.rule.fix}", style="italic")
            fix_shown.add(f.id)
        table.add_row(_label(f), f.id, detail, _where(f, result.source))
    console.print(table)
    s = result.summary
    console.print(
        f"{s['rules']} rules: {s['pass']} passed, {s['fail']} failed "
        f"({s['errors']} errors, {s['warnings']} warnings, {s['info']} info), {s['skip']} skipped. "
        f"`domino-eks explain ID` tells why a rule exists."
    )
    return buffer.getvalue()
