"""What must hold before plan or apply makes a single AWS call: the spec passes the catalogue.
A command module, not provision: provision never imports the rules.

A value the schema accepts can still be wrong for AWS (a bucket name S3 refuses, zones of another region):
the rules know, so they run first, and an error-severity finding stops the command before anything exists.
"""

from __future__ import annotations

from domino_eks import rules
from domino_eks.model import Deployment
from domino_eks.report.result import FindingsResult


def spec_findings(deployment: Deployment, command: str) -> FindingsResult:
    """Every rule of the catalogue on the spec, as `validate` reports them."""
    findings = rules.REGISTRY.evaluate(deployment)
    return FindingsResult(command=command, source=deployment.source.file or "", findings=tuple(findings))


def refuses(result: FindingsResult) -> bool:
    """Errors always stop provisioning; warnings are the user's call, and only shown."""
    return result.summary["errors"] > 0
