"""`domino-eks init` and `domino-eks schema`: writing a spec, and the schema that checks it."""

from __future__ import annotations

import json

import click

from domino_eks.commands.options import output_option, region_option
from domino_eks.errors import InputError, Problem, did_you_mean, write_output
from domino_eks.knowledge import regions
from domino_eks.sources import spec, starter


@click.command()
@click.option("--zones", type=click.Choice(["1", "3"]), default="3", show_default=True,
              help="Zones for the node pools: 3 for highly available ReplicaSets, 1 for a small install. "
                   "2 is not supported by Domino.")
@click.option("--gpu", is_flag=True, help="Add the optional default-gpu pool (g5.2xlarge, tainted).")
@click.option("--name", default="domino", show_default=True, help="EKS cluster name (prefix of every resource).")
@region_option("AWS region.", default="us-west-2")
@output_option("Write to this file instead of stdout. An existing file is never overwritten.")
def init(zones: str, gpu: bool, name: str, region: str, output: str | None) -> None:
    """Write a commented starter spec with the page's node pools, sized per zone.

    \b
    Examples:
      domino-eks init > domino.yaml
      domino-eks init --zones 1 --gpu --name analytics --region eu-west-1 -o domino.yaml
    """
    if region not in regions.REGIONS:
        raise InputError([Problem("--region", f"unknown AWS region {region!r}{did_you_mean(region, regions.REGIONS)}")])
    text = starter.render(name, region, int(zones), gpu)
    _refuse_unusable_name(name, text)
    if output is None:
        click.echo(text, nl=False)
        return
    write_output(output, text, replace=False)
    click.echo(f"wrote {output}", err=True)


def _refuse_unusable_name(name: str, text: str) -> None:
    """The starter must pass `validate`: a name the schema refuses, or whose bucket names S3 would (S006), is
    refused here, before a file is written."""
    from ruamel.yaml import YAML

    from domino_eks import rules
    from domino_eks.rules.base import Severity, Status

    try:
        deployment = spec.from_document(YAML(typ="rt").load(text), "--name")
    except InputError as refused:
        raise InputError([Problem("--name", f"{name!r}: {p.message}") for p in refused.problems]) from None
    errors = [f for f in rules.REGISTRY.evaluate(deployment)
              if f.status is Status.FAIL and f.severity is Severity.ERROR]
    if errors:
        raise InputError([Problem("--name", f"{name!r}: {f.id} {f.message}") for f in errors])


@click.command()
def schema() -> None:
    """Print the JSON Schema of the spec (for editors: yaml-language-server, IDE validation)."""
    click.echo(json.dumps(spec.json_schema(), indent=2))
