"""Every IAM policy file render writes, linted by parliament (duo-labs' IAM linter, which checks actions,
resources and conditions against AWS's IAM reference). Only the findings listed here are accepted, each with why."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import parliament
import pytest

from domino_eks.render import writer
from domino_eks.sources import spec
from tests.conftest import EXAMPLES, TODAY
from tests.provision.support import write_spec

# (file, parliament issue, actions): the findings accepted, and why
ACCEPTED = {
    # The autoscaler's reads list every group, template and instance type of the account: AWS offers no narrower
    # resource for the Describe* calls, and eks:DescribeNodegroup is called for groups the autoscaler has not yet
    # tied to a node group ARN (upstream's policy grants it on "*" as well).
    ("autoscaler-policy.json", "RESOURCE_STAR", ("eks:DescribeNodegroup",)),
    # The writes are on "*" but under a StringEquals condition on the aws:ResourceTag autodiscovery tag of this
    # cluster, which confines them to its own groups (rule A002); parliament does not weigh conditions.
    ("autoscaler-policy.json", "RESOURCE_STAR", ("autoscaling:SetDesiredCapacity",
                                                 "autoscaling:TerminateInstanceInAutoScalingGroup")),
}
def example(path: Path) -> Callable[[Path], Path]:
    return lambda directory: path


SPECS: dict[str, Callable[[Path], Path]] = {
    **{f"example {path.name}": example(path) for path in sorted(EXAMPLES.glob("*.yaml"))},
    "an ECR registry": lambda directory: write_spec(directory / "ecr.yaml", "ecr", registry="ecr"),
}


def policy_files(path: Path) -> dict[str, str]:
    rendered = writer.artifacts(spec.load(str(path), today=TODAY))
    return {name.removeprefix("iam/"): text for name, text in rendered.items() if name.startswith("iam/")}


@pytest.mark.parametrize("variant", list(SPECS))
def test_parliament_finds_nothing_but_the_accepted_findings(tmp_path, variant):
    files = policy_files(SPECS[variant](tmp_path))
    assert {"s3-access-policy.json", "compute-s3-access-policy.json", "registry-access-policy.json",
            "autoscaler-policy.json"} <= set(files)
    found = {(name, finding.issue, tuple(finding.detail) if isinstance(finding.detail, list) else finding.detail)
             for name, text in files.items() for finding in parliament.analyze_policy_string(text).findings}
    assert found == ACCEPTED


@pytest.mark.parametrize(("action", "resource", "issue"), [
    ("s3:PutObjekt", "arn:aws:s3:::b/*", "UNKNOWN_ACTION"),
    ("s3:PutObject", "*", "RESOURCE_STAR"),
    ("s3:GetObject", "arn:aws:s3:::b", "RESOURCE_MISMATCH"),  # an object action on the bucket itself
])
def test_parliament_does_flag_a_policy_that_is_wrong(action, resource, issue):
    """The linter is live: the mistakes it would catch in our files are findings."""
    text = json.dumps({"Version": "2012-10-17",
                       "Statement": [{"Effect": "Allow", "Action": [action], "Resource": resource}]})
    assert [finding.issue for finding in parliament.analyze_policy_string(text).findings] == [issue]
