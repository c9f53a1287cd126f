"""The account preflight of `plan` and `apply`: before anything is created, the account-side rules judge the
spec against the target account (its vCPU quotas, the zones offering the pools' instance types), so a quota
too small for the GPU pool stops apply before the VPC exists, not after the cluster."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

import click

from domino_eks.errors import ExitCode

if TYPE_CHECKING:
    from domino_eks.aws.session import Aws
    from domino_eks.model import Deployment
    from domino_eks.rules.base import Finding

ACCOUNT_RULES = ("G004", "G005")


def account_findings(aws: Aws, deployment: Deployment, today: date) -> list[Finding]:
    """The account rules' findings for `deployment` in the account `aws` reaches; a refused read skips its rule
    with the reason."""
    from domino_eks import rules
    from domino_eks.aws.session import COLLECTING
    from domino_eks.aws.session import Aws as Clients
    from domino_eks.collect import account as collector
    from domino_eks.collect.recorder import Recorder
    from domino_eks.sources.snapshot import account as reader
    from domino_eks.sources.snapshot.facts import Facts

    # read once, as check does: a refusal is a fact to report, not something to retry for minutes
    recorder = Recorder(Clients(aws.session, aws.endpoint_url, retries=COLLECTING))
    collector.gather(recorder, {g.instance_type for g in deployment.groups if g.instance_type})
    facts = Facts.of({"aws": recorder.facts, "errors": recorder.errors}, today)
    gaps = {**deployment.source.gaps, **recorder.errors}
    judged = deployment.model_copy(update={"account": reader.account(facts),
                                           "source": deployment.source.model_copy(update={"gaps": gaps})})
    return rules.REGISTRY.evaluate(judged, ACCOUNT_RULES)


def refuse_on_errors(findings: list[Finding]) -> None:
    """Each problem on stderr; exit 3 if any is an error, before anything is created."""
    from domino_eks.rules.base import Severity

    problems = [f for f in findings if f.is_problem]
    for finding in problems:
        click.echo(f"{finding.id} {finding.severity.value}: {finding.message}\n  fix: {finding.rule.fix}", err=True)
    if any(f.severity is Severity.ERROR for f in problems):
        click.echo("Preflight failed: nothing was created. Fix the errors above and run again.", err=True)
        raise SystemExit(ExitCode.FAILED)
