"""Options several commands share, declared once so they read and behave the same everywhere."""

from __future__ import annotations

import sys

import click

from domino_eks import report
from domino_eks.report import terminal
from domino_eks.report.result import FindingsResult

format_option = click.option(
    "--format", "fmt", type=click.Choice(report.FORMATS), default="table", show_default=True,
    help="table for people; json (the stable envelope), junit or sarif for CI.",
)
strict_option = click.option(
    "--strict", is_flag=True, help="Exit 4 when there are warnings but no errors (default: warnings exit 0).",
)


def emit(result: FindingsResult, fmt: str, strict: bool) -> None:
    """Print the result in the chosen format and end the command with its exit code."""
    if fmt == "table":
        click.echo(terminal.render(result, color=sys.stdout.isatty()), nl=False)
    else:
        click.echo(report.render(result, fmt), nl=False)
    raise SystemExit(result.exit_code(strict))
