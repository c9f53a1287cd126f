"""What must hold before plan or apply changes anything. A command module, not provision: provision never
imports the rules.

First the spec: a value the schema accepts can still be wrong for AWS (a bucket name S3 refuses, two zones
where the page allows one or three); the rules know, so they run before any AWS call, and an error-severity
finding stops the command before anything exists (N007 among them: private nodes need the NAT gateway). Then the
account: the account-side rules judge the spec against the target account (its vCPU quotas, the zones offering
the pools' instance types, and — where the cluster already exists — whether the nodes' role can join it), so a
quota too small for the GPU pool stops apply before the VPC exists, not after the cluster.

Warnings stop nothing unless `--strict` is given; then each is a refusal (exit 4, as `validate --strict`) unless
its rule's warnings were accepted by name (`--accept-warning ID`). Errors are never accepted: a rule that found
an error refuses whatever was accepted.
"""


from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

import click

from domino_eks import rules
from domino_eks.errors import ExitCode, InputError, Problem, did_you_mean
from domino_eks.model import EC2_LINUX, Access, AccessEntry, Deployment, NodeGroup
from domino_eks.report.result import FindingsResult

if TYPE_CHECKING:
    from domino_eks.aws.session import Aws
    from domino_eks.rules.base import Finding

ACCOUNT_RULES = ("G004", "G005", "A004")
READS_ACCESS_ENTRIES = ("API", "API_AND_CONFIG_MAP")


def spec_findings(deployment: Deployment, command: str) -> FindingsResult:
    """Every rule of the catalogue on the spec, as `validate` reports them."""
    findings = rules.REGISTRY.evaluate(deployment)
    return FindingsResult(command=command, source=deployment.source.file or "", findings=tuple(findings))


def accepted_warnings(ids: tuple[str, ...], strict: bool) -> frozenset[str]:
    """The rule ids whose warnings `--accept-warning` lets through, each one a rule of the catalogue."""
    if ids and not strict:
        raise InputError([Problem("--accept-warning", "only matters with --strict: without it, warnings do not "
                                                      "stop plan or apply")])
    known = rules.REGISTRY.ids()
    for rule_id in ids:
        if rule_id.upper() not in known:
            raise InputError([Problem("--accept-warning", f"no rule has the id {rule_id!r}"
                                                          f"{did_you_mean(rule_id.upper(), known)} "
                                                          "(see `domino-eks rules`)")])
    return frozenset(rule_id.upper() for rule_id in ids)


def refusal(findings: tuple[Finding, ...] | list[Finding], strict: bool,
            accepted: frozenset[str]) -> ExitCode | None:
    """How provisioning ends on these findings before it starts: exit 3 on an error, exit 4 under --strict on a
    warning no --accept-warning names; None when it may go on."""
    from domino_eks.rules.base import Severity

    problems = [f for f in findings if f.is_problem]
    if any(f.severity is Severity.ERROR for f in problems):
        return ExitCode.FAILED
    if strict and any(f.id not in accepted for f in problems):
        return ExitCode.WARNINGS
    return None


def refusal_note(findings: tuple[Finding, ...] | list[Finding], code: ExitCode, accepted: frozenset[str]) -> str:
    """What to do, for the line after the findings `refusal` refused on."""
    from domino_eks.rules.base import Severity

    if code is ExitCode.WARNINGS:
        unaccepted = ", ".join(sorted({f.id for f in findings if f.is_problem} - accepted))
        return (f"--strict refuses the warnings of {unaccepted}: fix them, or accept a rule's warnings with "
                "--accept-warning ID.")
    uncovered = sorted({f.id for f in findings if f.is_problem and f.severity is Severity.ERROR} & accepted)
    return f"--accept-warning covers warnings only, not the errors of {', '.join(uncovered)}." if uncovered else ""


def account_findings(aws: Aws, deployment: Deployment, today: date) -> list[Finding]:
    """The account rules' findings for `deployment` in the account `aws` reaches; a refused read skips its rule
    with the reason."""
    from domino_eks.aws.session import COLLECTING
    from domino_eks.aws.session import Aws as Clients
    from domino_eks.collect import account as collector
    from domino_eks.collect import nodeaccess
    from domino_eks.collect.recorder import Recorder
    from domino_eks.collect.shapes import NODE_ROLE
    from domino_eks.sources.snapshot import account as reader
    from domino_eks.sources.snapshot import nodeaccess as admission
    from domino_eks.sources.snapshot.facts import Facts

    # read once, as check does: a refusal is a fact to report, not something to retry for minutes
    recorder = Recorder(Clients(aws.session, aws.endpoint_url, retries=COLLECTING))
    collector.gather(recorder, {g.instance_type for g in deployment.groups if g.instance_type})
    # plan and apply read a spec, which names the cluster
    nodeaccess.existing(recorder, deployment.cluster.declared_name,
                        [r.name for r in deployment.access.node_roles or ()])
    facts = Facts.of({"aws": recorder.facts, "errors": recorder.errors}, today)
    gaps = {**deployment.source.gaps, **recorder.errors}
    arns = {name: role["Arn"] for name, role in (recorder.facts.get(NODE_ROLE) or {}).items()}

    def role_of(group: NodeGroup) -> str | None:
        role = deployment.access.node_role_of(group.name)
        return arns.get(role.name) if role else None

    pools = tuple(p.model_copy(update={"groups": tuple(g.model_copy(update={"node_role": role_of(g)})
                                                       for g in p.groups)}) for p in deployment.pools)
    access = admission.with_admission(facts, deployment.access)
    for arn in sorted(arns.values()):
        access = _after_apply(access, arn)
    judged = deployment.model_copy(update={"account": reader.account(facts), "pools": pools, "access": access,
                                           "source": deployment.source.model_copy(update={"gaps": gaps})})
    return rules.REGISTRY.evaluate(judged, ACCOUNT_RULES)


def _after_apply(access: Access, node_role: str | None) -> Access:
    """The cluster's access as apply leaves it: apply creates an EC2_LINUX entry for the nodes' role where the
    authentication mode reads entries and the role has none; an entry the role already has, apply keeps."""
    entries = access.access_entries
    if (node_role is None or entries is None or access.authentication_mode not in READS_ACCESS_ENTRIES
            or any(e.principal_arn == node_role for e in entries)):
        return access
    return access.model_copy(update={"access_entries": (*entries, AccessEntry(principal_arn=node_role,
                                                                               type=EC2_LINUX))})


def refuse_on_problems(findings: list[Finding], strict: bool = False, accepted: frozenset[str] = frozenset()) -> None:
    """Each problem on stderr; exit as `refusal` says, before anything is created."""
    problems = [f for f in findings if f.is_problem]
    for finding in problems:
        click.echo(f"{finding.id} {finding.severity.value}: {finding.message}\n  fix: {finding.rule.fix}", err=True)
    code = refusal(findings, strict, accepted)
    if code is not None:
        click.echo("Preflight failed: nothing was created. Fix the errors above and run again." if code is
                   ExitCode.FAILED else "Preflight failed: nothing was created.", err=True)
        note = refusal_note(findings, code, accepted)
        if note:
            click.echo(note, err=True)
        raise SystemExit(code)
