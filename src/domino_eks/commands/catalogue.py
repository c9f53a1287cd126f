"""`domino-eks rules` and `domino-eks explain`: the catalogue, from the same records the checks use."""

from __future__ import annotations

import json

import click
from rich.console import Console
from rich.table import Table

from domino_eks.commands.options import format_option
from domino_eks.errors import InputError, Problem, did_you_mean
from domino_eks.report import catalogue
from domino_eks.rules import REGISTRY


@click.command()
@format_option(["table", "json", "markdown"], "markdown is what docs/rules.md is generated from.")
def rules(fmt: str) -> None:
    """List every rule: id, severity, the problem it finds, and the page section it comes from."""
    if fmt == "json":
        click.echo(json.dumps([catalogue.as_dict(r) for r in REGISTRY], indent=2))
    elif fmt == "markdown":
        click.echo(catalogue.markdown(REGISTRY), nl=False)
    else:
        table = Table("id", "severity", "problem", "page section")
        for r in REGISTRY:
            table.add_row(r.id, r.severity.value, r.title, r.section)
        Console(highlight=False).print(table)


@click.command()
@click.argument("rule_id", metavar="ID")
def explain(rule_id: str) -> None:
    """Explain rule ID (e.g. Z001): what it checks, why Domino needs it, and how to fix a failure."""
    found = REGISTRY.get(rule_id)
    if found is None:
        hint = did_you_mean(rule_id.upper(), REGISTRY.ids(), cutoff=0.5)  # four-character ids: two wrong still match
        raise InputError([Problem("explain", f"no rule {rule_id!r}{hint} (`domino-eks rules` lists them)")])
    click.echo(catalogue.explanation(found), nl=False)
