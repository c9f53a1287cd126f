"""What must hold before plan or apply changes anything. A command module, not provision: provision never
imports the rules.

First the spec: a value the schema accepts can still be wrong for AWS (a bucket name S3 refuses, zones of
another region); the rules know, so they run before any AWS call, and an error-severity finding stops the
command before anything exists (N007 among them: private nodes need the NAT gateway). Then the account: the
account-side rules judge the spec against the target account (its vCPU quotas, the zones offering the pools'
instance types, and — where the cluster already exists — whether the nodes' role can join it), so a quota too
small for the GPU pool stops apply before the VPC exists, not after the cluster.
"""


from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

import click

from domino_eks import rules
from domino_eks.errors import ExitCode
from domino_eks.model import EC2_LINUX, Access, AccessEntry, Deployment
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


def refuses(result: FindingsResult) -> bool:
    """Errors always stop provisioning; warnings are the user's call, and only shown."""
    return result.summary["errors"] > 0


def account_findings(aws: Aws, deployment: Deployment, today: date) -> list[Finding]:
    """The account rules' findings for `deployment` in the account `aws` reaches; a refused read skips its rule
    with the reason."""
    from domino_eks.aws.session import COLLECTING
    from domino_eks.aws.session import Aws as Clients
    from domino_eks.collect import account as collector
    from domino_eks.collect import nodeaccess
    from domino_eks.collect.recorder import Recorder
    from domino_eks.collect.shapes import NODE_ROLE
    from domino_eks.knowledge import iam
    from domino_eks.sources.snapshot import account as reader
    from domino_eks.sources.snapshot import nodeaccess as admission
    from domino_eks.sources.snapshot.facts import Facts

    # read once, as check does: a refusal is a fact to report, not something to retry for minutes
    recorder = Recorder(Clients(aws.session, aws.endpoint_url, retries=COLLECTING))
    collector.gather(recorder, {g.instance_type for g in deployment.groups if g.instance_type})
    nodeaccess.existing(recorder, deployment.cluster.name, iam.node_role_name(deployment.cluster.name))
    facts = Facts.of({"aws": recorder.facts, "errors": recorder.errors}, today)
    gaps = {**deployment.source.gaps, **recorder.errors}
    role = (recorder.facts.get(NODE_ROLE) or {}).get("Arn")
    pools = tuple(p.model_copy(update={"groups": tuple(g.model_copy(update={"node_role": role}) for g in p.groups)})
                  for p in deployment.pools)
    judged = deployment.model_copy(update={"account": reader.account(facts), "pools": pools,
                                           "access": _after_apply(admission.with_admission(facts, deployment.access),
                                                                  role),
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


def refuse_on_errors(findings: list[Finding]) -> None:
    """Each problem on stderr; exit 3 if any is an error, before anything is created."""
    from domino_eks.rules.base import Severity

    problems = [f for f in findings if f.is_problem]
    for finding in problems:
        click.echo(f"{finding.id} {finding.severity.value}: {finding.message}\n  fix: {finding.rule.fix}", err=True)
    if any(f.severity is Severity.ERROR for f in problems):
        click.echo("Preflight failed: nothing was created. Fix the errors above and run again.", err=True)
        raise SystemExit(ExitCode.FAILED)
