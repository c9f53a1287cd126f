"""`domino-eks validate`: the catalogue against a spec or an eksctl ClusterConfig, before anything exists."""

from __future__ import annotations

import click

from domino_eks import rules, sources
from domino_eks.commands.options import emit, findings_format_option, strict_option
from domino_eks.errors import InputError, Problem, did_you_mean
from domino_eks.report.result import FindingsResult


def validate_file(path: str, select: tuple[str, ...] = ()) -> FindingsResult:
    _check_selected(select)
    deployment = sources.load_file(path)
    findings = rules.REGISTRY.evaluate(deployment, select)
    return FindingsResult(command="validate", source=path, findings=tuple(findings))


def _check_selected(select: tuple[str, ...]) -> None:
    """A prefix that selects no rule would run none and pass: a typo must not pass CI."""
    ids = rules.REGISTRY.ids()
    for prefix in select:
        if not any(rule_id.startswith(prefix.upper()) for rule_id in ids):
            raise InputError([Problem("--select", f"no rule id starts with {prefix!r}"
                                                  f"{did_you_mean(prefix.upper(), ids)} (see `domino-eks rules`)")])


@click.command()
@click.argument("file", type=click.Path(dir_okay=False))
@findings_format_option()
@strict_option
@click.option("--select", multiple=True, metavar="PREFIX",
              help="Only rules whose id starts with PREFIX (repeatable): --select Z --select P01.")
def validate(file: str, fmt: str, strict: bool, select: tuple[str, ...]) -> None:
    """Check FILE — a domino-eks spec or an eksctl ClusterConfig — against every rule of the catalogue.

    Every rule appears in the output: passed, failed (error, warning or info) or skipped with the reason
    (an eksctl file, for example, says nothing about buckets or the FQDN). The page's own samples can be
    checked as they are: `domino-eks validate cluster.yaml`.

    \b
    Exit codes: 0 no errors, 2 unusable input, 3 errors found, 4 warnings with --strict.
    """
    emit(validate_file(file, select), fmt, strict)
