"""Options several commands share, declared once so they read and behave the same everywhere. A command may
word an option's help for itself, through the parameter; it never declares the option a second time.

Only click is imported here: plan, apply and destroy use these options too, and load rich (through
`report`) only when they run.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from domino_eks.report.result import FindingsResult

Option = Callable[[Callable[..., Any]], Callable[..., Any]]  # what click.option returns: it decorates a command

strict_option = click.option(
    "--strict", is_flag=True, help="Exit 4 when there are warnings but no errors (default: warnings exit 0).",
)

# for the commands that change AWS: with --strict their spec's warnings refuse, and this names the ones that may not
accept_warning_option = click.option(
    "--accept-warning", "accept_warnings", multiple=True, metavar="ID",
    help="With --strict, let this rule's warnings through (repeatable: --accept-warning G003). Errors never are.",
)


def in_order(*options: Option) -> Option:
    """Apply click options in the order they are listed (as --help shows them)."""
    def apply(command: Callable[..., Any]) -> Callable[..., Any]:
        for option in reversed(options):
            command = option(command)
        return command
    return apply


def profile_option(help: str) -> Option:
    return click.option("--profile", metavar="NAME", help=help)


def region_option(help: str, default: str | None = None) -> Option:
    return click.option("--region", metavar="REGION", default=default, show_default=default is not None, help=help)


# what `domino-eks emulator` tells the user to export, so every later command reaches the same emulator
ENDPOINT_URL_VARIABLE = "DOMINO_EKS_ENDPOINT_URL"


def endpoint_url_option(help: str) -> Option:
    return click.option("--endpoint-url", metavar="URL", envvar=ENDPOINT_URL_VARIABLE, show_envvar=True, help=help)


def target_option(help: str) -> Option:
    return click.option("--target", "target_kind", type=click.Choice(["local", "aws"]), default=None, help=help)


def format_option(choices: Sequence[str], help: str) -> Option:
    return click.option("--format", "fmt", type=click.Choice(choices), default="table", show_default=True, help=help)


def findings_format_option() -> Option:
    """--format for the commands that print findings: every format `report` renders."""
    from domino_eks import report

    return format_option(report.FORMATS, "table for people; json (the stable envelope), junit or sarif for CI.")


def output_option(help: str, *, directory: bool = False, required: bool = False) -> Option:
    """-o: the FILE a command writes, or (`directory`) the DIR it lays its files out in, ./out unless given."""
    if directory:
        return click.option("-o", "--output", "out_dir", type=click.Path(file_okay=False, path_type=Path),
                            default="out", show_default=True, metavar="DIR", help=help)
    return click.option("-o", "--output", type=click.Path(dir_okay=False), required=required, metavar="FILE",
                        help=help)


def emit(result: FindingsResult, fmt: str, strict: bool) -> None:
    """Print the result in the chosen format and end the command with its exit code."""
    from domino_eks import report

    if fmt == "table":
        from domino_eks.report import terminal

        click.echo(terminal.render(result, color=sys.stdout.isatty()), nl=False)
    else:
        click.echo(report.render(result, fmt), nl=False)
    raise SystemExit(result.exit_code(strict))
