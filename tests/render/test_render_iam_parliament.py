"""Every IAM policy file render writes, linted by parliament (duo-labs' IAM linter, which checks actions,
resources and conditions against AWS's IAM reference). Only the findings listed here are accepted, each with why."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import parliament
import pytest

from domino_eks.knowledge import iam
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
KEY = "arn:aws:kms:us-west-2:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"


def encrypted(directory: Path, key: str | None) -> Path:
    """A spec whose EBS, EFS and S3 use the deployment's key (C006): the nodes' and the EBS CSI controller's KMS
    policies are rendered too."""
    path = write_spec(directory / "encrypted.yaml", "encrypted")
    document = json.loads(path.read_text())
    document["security"] = {"encryption": {"ebs": True, "efs": True, "s3": True}, **({"kmsKeyArn": key} if key else {})}
    path.write_text(json.dumps(document))
    return path


def example(path: Path) -> Callable[[Path], Path]:
    return lambda directory: path


SPECS: dict[str, Callable[[Path], Path]] = {
    **{f"example {path.name}": example(path) for path in sorted(EXAMPLES.glob("*.yaml"))},
    "an ECR registry": lambda directory: write_spec(directory / "ecr.yaml", "ecr", registry="ecr"),
    "the key apply creates for EBS, EFS and S3": lambda directory: encrypted(directory, None),
    "a named key for EBS, EFS and S3": lambda directory: encrypted(directory, KEY),
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


def test_the_deployment_keys_policies_are_rendered_as_apply_attaches_them(tmp_path):
    deployment = spec.load(str(encrypted(tmp_path, KEY)), today=TODAY)
    files = policy_files(encrypted(tmp_path, KEY))
    (platform, compute) = deployment.access.node_roles or ()
    ebs_csi = next(p for p in deployment.access.pod_identities or () if p.service_account == "ebs-csi-controller-sa")
    assert json.loads(files["s3-kms-policy.json"]) == iam.document(platform.policies["s3-kms"])
    assert json.loads(files["compute-s3-kms-policy.json"]) == iam.document(compute.policies["compute-s3-kms"])
    assert json.loads(files["ebs-csi-kms-policy.json"]) == iam.document(ebs_csi.policies["ebs-csi-kms"])
    assert json.loads(files["ebs-csi-kms-policy.json"])["Statement"][1] == {
        "Effect": "Allow", "Action": ["kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"], "Resource": [KEY],
        "Condition": {"Bool": {"kms:GrantIsForAWSResource": "true"}}}
