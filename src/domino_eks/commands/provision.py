"""`domino-eks plan | apply | destroy`: the environment the page describes, created for real with boto3.

All three read the spec, find what exists by the tag domino-eks/deployment=<cluster name>, and compare.
The default target is the embedded emulator, so nothing reaches AWS unless `--target aws` says so.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

import click

from domino_eks.commands.options import (
    accept_warning_option,
    endpoint_url_option,
    format_option,
    in_order,
    output_option,
    profile_option,
    region_option,
    strict_option,
    target_option,
)
from domino_eks.errors import ExitCode

if TYPE_CHECKING:  # for the annotations only: boto3 and rich load when a command runs, not for --help
    from rich.console import Console

    from domino_eks.aws.emulator import Emulator
    from domino_eks.aws.session import Aws, Target
    from domino_eks.model import Deployment
    from domino_eks.provision.plan import Plan, Survey
    from domino_eks.provision.resources import Key

PIPE_WIDTH = 160  # rich would wrap at 80 columns when the output is not a terminal
EMULATOR_NOTE = ("To keep the emulator's state from one command to the next, run `domino-eks emulator` in another "
                 "terminal and export the line it prints.")


target_options = in_order(
    target_option("local (default): the embedded AWS emulator, no account, no cost. "
                  "aws: the real AWS, with the normal credential chain."),
    endpoint_url_option("Send every AWS call to this AWS-compatible endpoint (a running moto server, LocalStack)."),
    profile_option("AWS profile (--target aws or --endpoint-url)."),
    region_option("Must match the spec's metadata.region: a guard against a profile set elsewhere."),
)


def _console(stderr: bool = False) -> Console:
    from rich.console import Console

    stream = sys.stderr if stderr else sys.stdout
    return Console(stderr=stderr, width=None if stream.isatty() else PIPE_WIDTH, highlight=False)


def _load(file: str) -> Deployment:
    from domino_eks import sources
    from domino_eks.errors import InputError, Problem

    deployment = sources.load_file(file)
    if deployment.source.kind != "spec":
        raise InputError([Problem(file, "plan, apply and destroy need a domino-eks spec: an eksctl ClusterConfig "
                                        "names no buckets, EFS or FQDN (start one with `domino-eks init`)")])
    return deployment


def _target_kind(kind: str | None, endpoint_url: str | None) -> str:
    """Where the options send the calls: known before the spec is read, so the embedded emulator can start first."""
    if endpoint_url and kind == "aws":
        raise click.UsageError("--endpoint-url sends calls to an emulator or compatible service, --target aws to "
                               "AWS itself: choose one")
    return "endpoint" if endpoint_url else "aws" if kind == "aws" else "local"


def _target(deployment: Deployment, kind: str, endpoint_url: str | None, profile: str | None,
            region: str | None) -> Target:
    """`kind` as `_target_kind` gives it; the region is the spec's."""
    from domino_eks.aws.session import Target

    spec_region = deployment.cluster.region
    assert spec_region is not None  # only a spec's deployment comes here (_load), and a spec requires its region
    if region and region != spec_region:
        raise click.UsageError(f"--region {region} differs from the spec's metadata.region {spec_region}: "
                               "every zone and resource of the spec is in that region")
    if kind == "endpoint":
        return Target("endpoint", spec_region, endpoint_url, profile)
    if kind == "aws":
        return Target("aws", spec_region, profile=profile)
    return Target("local", spec_region)


@dataclass(frozen=True)
class Gate:
    """What stops a command that changes AWS before it starts: errors always; with `strict`, warnings too, but
    those of the `accepted` rules."""

    command: str
    strict: bool = False
    accepted: frozenset[str] = frozenset()


def _refuse_on_findings(deployment: Deployment, gate: Gate, fmt: str) -> None:
    """The catalogue before any AWS call: an error `validate` reports never reaches AWS (exit 3), nor under
    --strict a warning no --accept-warning names (exit 4). The findings print as `validate --format FMT` does."""
    from domino_eks import report
    from domino_eks.commands import preflight
    from domino_eks.report import terminal

    result = preflight.spec_findings(deployment, gate.command)
    code = preflight.refusal(result.findings, gate.strict, gate.accepted)
    if code is not None:
        shown = terminal.render(result, color=sys.stdout.isatty()) if fmt == "table" else report.render(result, fmt)
        click.echo(shown, nl=False)
        kind = "error" if code is ExitCode.FAILED else "warning"
        click.echo(f"{gate.command} refused: the spec has {kind} findings (above); nothing was created or changed.",
                   err=True)
        note = preflight.refusal_note(result.findings, code, gate.accepted)
        if note:
            click.echo(note, err=True)
        raise SystemExit(code)


@contextmanager
def _surveyed(file: str, kind: str | None, endpoint_url: str | None, profile: str | None,
              region: str | None, *, checked_as: Gate | None = None,
              fmt: str = "table") -> Iterator[tuple[Aws, Survey]]:
    """(aws clients, survey of FILE's deployment) for the life of the command. `checked_as` is the gate of a
    command that changes AWS, or plans to: the spec must pass the catalogue first (its findings shown in `fmt`),
    and the account rules judge the target account before anything is discovered or created."""
    from domino_eks.aws import session
    from domino_eks.provision import plan

    target_kind = _target_kind(kind, endpoint_url)
    with _embedded_emulator(target_kind == "local") as local:
        deployment = _load(file)
        if checked_as:
            _refuse_on_findings(deployment, checked_as, fmt)
        target = _target(deployment, target_kind, endpoint_url, profile, region)
        notes = _console(stderr=True)
        notes.print(f"Target: {target.describe()}")
        if local:
            notes.print(f"[dim]{EMULATOR_NOTE}[/]")
            target = replace(target, endpoint_url=local.url())
        with session.connect(target) as aws:
            if checked_as:
                _account_preflight(aws, deployment, checked_as)
            yield aws, plan.survey(aws, deployment)


@contextmanager
def _embedded_emulator(wanted: bool) -> Iterator[Emulator | None]:
    """The embedded emulator, if `wanted`, started before the spec is read: it starts up on the other core
    meanwhile."""
    if not wanted:
        yield None
        return
    from domino_eks.aws import emulator
    from domino_eks.knowledge import iam

    with emulator.started(iam.AWS_MANAGED_POLICIES) as local:
        yield local


def _account_preflight(aws: Aws, deployment: Deployment, gate: Gate) -> None:
    from datetime import date

    from domino_eks.commands import preflight

    preflight.refuse_on_problems(preflight.account_findings(aws, deployment, date.today()), gate.strict,
                                 gate.accepted)


def _gate(command: str, strict: bool, accept_warnings: tuple[str, ...]) -> Gate:
    from domino_eks.commands import preflight

    return Gate(command, strict, preflight.accepted_warnings(accept_warnings, strict))


def _show(the_plan: Plan, console: Console, *, only_pending: bool = False) -> None:
    from rich.table import Table
    from rich.text import Text

    from domino_eks.provision.plan import MARKS

    table = Table(box=None, pad_edge=False)
    for column in ("action", "type", "name", "details"):
        table.add_column(column)
    for change in the_plan.pending if only_pending else the_plan.changes:
        details = "; ".join(change.details) + (" (needs replacement: apply will refuse)" if change.replacement else "")
        # Text, not markup: names and values come from AWS and may hold brackets
        table.add_row(Text(change.action, style=MARKS[change.action].style), change.key.type,
                      Text(change.key.name), Text(details))
    if table.row_count:
        console.print(table)
    counts = the_plan.counts()
    console.print(f"Plan: {counts['create']} to create, {counts['update']} to update, "
                  f"{counts['delete']} to delete, {counts['unchanged']} unchanged.")


def _show_unsupported(the_plan: Plan) -> None:
    if the_plan.unsupported:
        names = ", ".join(str(key) for key, _ in the_plan.unsupported)
        _console(stderr=True).print(f"[dim]Not supported by this endpoint, skipped: {names}[/]")


def _confirm(question: str, auto_approve: bool) -> None:
    if auto_approve:
        return
    if not sys.stdin.isatty():
        raise click.UsageError("this changes AWS and needs a confirmation, but there is no terminal to ask in: "
                               "pass --auto-approve")
    if not click.confirm(question, default=False):
        raise click.exceptions.Abort()


@click.command()
@click.argument("file", type=click.Path(dir_okay=False))
@target_options
@format_option(["table", "json"], 'json prints {"changes": [{"action", "type", "name"}]} for scripts.')
@strict_option
@accept_warning_option
def plan(file: str, target_kind: str | None, endpoint_url: str | None, profile: str | None,
         region: str | None, fmt: str, strict: bool, accept_warnings: tuple[str, ...]) -> None:
    """Show what `apply` would create, update or delete for FILE, computed from what exists in the target.

    What exists is found by the tag domino-eks/deployment=<cluster name>: no state file. After a
    successful apply, plan shows every resource unchanged. As for apply, a spec with error findings
    is refused (exit 3) before any AWS call, and with --strict one with warnings (exit 4).

    \b
    Examples:
      domino-eks plan domino.yaml                         # against the embedded emulator
      domino-eks plan domino.yaml --target aws --profile prod
      domino-eks plan domino.yaml --format json | jq '.changes[] | select(.action != "unchanged")'
    """
    import json

    gate = _gate("plan", strict, accept_warnings)
    with _surveyed(file, target_kind, endpoint_url, profile, region, checked_as=gate, fmt=fmt) as (_, survey):
        if fmt == "json":
            click.echo(json.dumps(survey.plan.as_json(), indent=2))
        else:
            _show(survey.plan, _console())
        _show_unsupported(survey.plan)
    raise SystemExit(ExitCode.OK)


@click.command()
@click.argument("file", type=click.Path(dir_okay=False))
@target_options
@click.option("--auto-approve", is_flag=True, help="Do not ask for confirmation (needed without a terminal).")
@output_option("Where installer/domino.yml gets the real values.", directory=True)
@strict_option
@accept_warning_option
def apply(file: str, target_kind: str | None, endpoint_url: str | None, profile: str | None,
          region: str | None, auto_approve: bool, out_dir: Path, strict: bool,
          accept_warnings: tuple[str, ...]) -> None:
    """Create or update FILE's environment: network, EKS cluster, node groups, EFS, S3, certificate, add-ons.

    Everything independent runs at once along the dependency graph (the buckets and EFS do not wait for
    the cluster). Running it again changes nothing; an apply interrupted at any point (Ctrl-C, a lost
    connection) finishes the job when run again. At the end, DIR/installer/domino.yml holds the values
    the page says to record for Domino's installer: bucket names, EFS ids, region, FQDN, cluster name.

    \b
    The catalogue runs on FILE first, as `validate` does: any error finding stops apply before its first
    AWS call. Warnings do not stop it unless --strict is given; then each does (exit 4), except those of
    the rules named with --accept-warning. No flag lets an error through.

    \b
    Exit codes: 0 done, 1 an AWS call failed (each resource's error code and what to do are listed),
    2 unusable input or no --auto-approve without a terminal, 3 the spec has error findings, 4 it has
    warnings and --strict was given, 130 interrupted.
    """
    from domino_eks.errors import ToolError
    from domino_eks.provision import apply as applying
    from domino_eks.provision import progress, recorded
    from domino_eks.provision.progress import Display

    gate = _gate("apply", strict, accept_warnings)
    with _surveyed(file, target_kind, endpoint_url, profile, region, checked_as=gate) as (aws, survey):
        console, pending = _console(stderr=True), survey.plan.pending
        _show(survey.plan, console, only_pending=True)
        _show_unsupported(survey.plan)
        if pending:
            _confirm(f"Apply these {len(pending)} changes?", auto_approve)
        walked = len(survey.graph) + survey.plan.counts()["delete"]
        with Display(console, walked, survey.plan.action_of, "apply") as display:
            applied = applying.run(aws, survey.graph, survey.found, survey.plan, display)
    creating = {c.key for c in survey.plan.changes if c.action == "create"}
    for walk in applied.walks:
        if walk.interruption is not None:
            console.print(progress.interruption(walk, "apply"))
            raise walk.interruption
        if not walk.complete:
            raise ToolError(progress.problems(walk, "apply", creating))
    path = recorded.write_installer_values(recorded.with_outputs(survey.deployment, applied.outputs), out_dir)
    console.print(f"Applied. Installer values: {path}")
    raise SystemExit(ExitCode.OK)


@click.command()
@click.argument("file", type=click.Path(dir_okay=False))
@target_options
@click.option("--auto-approve", is_flag=True, help="Do not ask for confirmation (needed without a terminal).")
@click.option("--delete-data", is_flag=True,
              help="Also delete buckets that hold objects and an EFS that holds data (refused otherwise).")
def destroy(file: str, target_kind: str | None, endpoint_url: str | None, profile: str | None,
            region: str | None, auto_approve: bool, delete_data: bool) -> None:
    """Delete everything apply created for FILE, dependents first, and nothing it did not create.

    Nothing is lost by default: a bucket holding objects (old versions count) or an EFS holding data
    makes destroy refuse before deleting anything, unless --delete-data is given. The control-plane log
    group and the KMS key that encrypts Secrets (and the stores security.encryption names) are kept unless
    --delete-data is given; the key is then scheduled for deletion (30 days) after everything it encrypts is gone.

    \b
    At the end it discovers again, and names anything of the deployment still there (exit 1).

    \b
    Exit codes: 0 done, 1 an AWS call failed or something remains, 2 unusable input, 3 refused to delete data,
    130 interrupted.
    """
    from domino_eks.errors import ToolError
    from domino_eks.provision import destroy as destroying
    from domino_eks.provision import progress
    from domino_eks.provision.plan import Change, Plan
    from domino_eks.provision.progress import Display

    with _surveyed(file, target_kind, endpoint_url, profile, region) as (aws, survey):
        console, found = _console(stderr=True), survey.found.ours
        kept = destroying.kept(found, delete_data=delete_data)
        doomed = {key: existing for key, existing in found.items() if key not in kept}
        for key, protects in kept.items():
            console.print(f"Kept {key} ({protects}): destroy --delete-data deletes it.")
        if not doomed:
            console.print("Nothing else to destroy." if kept else
                          "Nothing to destroy: no resource carries this deployment's tag.")
            raise SystemExit(ExitCode.OK)
        order = destroying.in_order(destroying.deletion_order(doomed, survey.graph))
        _show(Plan(tuple(Change("delete", key) for key in order)), console)
        holders = [] if delete_data else destroying.data_at_risk(aws, doomed)
        if holders:
            console.print("destroy refused: deleting would lose data\n  " + "\n  ".join(holders) +
                          "\nNothing was deleted. Keep what you need, then run destroy --delete-data.")
            raise SystemExit(ExitCode.FAILED)
        _confirm(f"Delete these {len(doomed)} resources{' and the data they hold' if delete_data else ''}?",
                 auto_approve)
        with Display(console, len(doomed), lambda _: "delete", "destroy") as display:
            walk = destroying.run(aws, doomed, survey.graph, display, delete_data=delete_data)
        if walk.interruption is not None:
            console.print(progress.interruption(walk, "destroy"))
            raise walk.interruption
        if not walk.complete:
            raise ToolError(progress.problems(walk, "destroy"))
        _refuse_leftovers(aws, survey.deployment, kept)
    console.print("Destroyed.")
    raise SystemExit(ExitCode.OK)


def _refuse_leftovers(aws: Aws, deployment: Deployment, kept: Mapping[Key, str]) -> None:
    """Discover again: "Destroyed." is said only when nothing of the deployment is found any more but what
    destroy said it keeps (the log group and the key, without --delete-data)."""
    from domino_eks.errors import ToolError
    from domino_eks.provision import plan

    left = sorted((key for key in plan.survey(aws, deployment).found.ours if key not in kept), key=str)
    if left:
        raise ToolError("destroy finished its deletions, but discovering again still finds this deployment's\n  " +
                        "\n  ".join(str(key) for key in left) +
                        "\nRun destroy again; if they remain, delete them by hand (each is named above).")
