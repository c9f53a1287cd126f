"""What this deployment did not create is never adopted, changed or deleted; destroy ends by discovering again.

Through the installed console script against a moto server over HTTP; what exists is read with plain boto3.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from botocore.exceptions import ClientError

from domino_eks.aws import session
from domino_eks.commands.provision import _refuse_leftovers
from domino_eks.errors import ToolError
from domino_eks.knowledge import iam
from domino_eks.provision.handlers.base import RENAME
from domino_eks.provision.handlers.logs import LEFT_BEHIND, control_plane_log_group
from domino_eks.provision.handlers.s3 import Bucket
from domino_eks.sources import spec as spec_source
from tests.provision.support import REGION, aws_with_hooks, clients, tagged, write_spec
from tests.sources.console import run

EMPTY_TRUST = '{"Version": "2012-10-17", "Statement": []}'
EMPTY_POLICY = '{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "s3:*", "Resource": "*"}]}'


def apply(spec, endpoint, tmp_path):
    return run("apply", str(spec), "--endpoint-url", endpoint, "--auto-approve", "-o", str(tmp_path / "out"))


def destroy(spec, endpoint):
    return run("destroy", str(spec), "--endpoint-url", endpoint, "--auto-approve", "--delete-data")


def test_an_empty_untagged_bucket_with_a_wanted_name_is_never_taken_over_nor_deleted(endpoint, spec, name, tmp_path):
    s3 = clients(endpoint)["s3"]
    theirs = f"{name}-logs"
    s3.create_bucket(Bucket=theirs, CreateBucketConfiguration={"LocationConstraint": REGION})

    applied = apply(spec, endpoint, tmp_path)
    assert applied.returncode == 1
    assert f"bucket {theirs} already exists in this account and this deployment did not create it" in applied.stderr
    destroyed = destroy(spec, endpoint)
    assert destroyed.returncode == 0, destroyed.stderr

    assert theirs in [b["Name"] for b in s3.list_buckets()["Buckets"]]
    with pytest.raises(ClientError, match="NoSuchTagSet"):
        s3.get_bucket_tagging(Bucket=theirs)
    with pytest.raises(ClientError, match="NoSuchBucketPolicy"):
        s3.get_bucket_policy(Bucket=theirs)
    assert tagged(endpoint, name) == {}


@dataclass(frozen=True)
class Foreign:
    """A resource someone made, outside the tool, with a name the spec wants."""

    key: str  # the graph's resource apply would have created; {} stands for the name
    what: str
    name: Callable[[str], str]  # from the cluster's name
    make: Callable[[dict, str], None]  # with plain boto3
    untouched: Callable[[dict, str], bool]  # still there, as it was made
    remedy: str = RENAME
    registry: str | None = None


def make_log_group(raw: dict, group: str) -> None:
    raw["logs"].create_log_group(logGroupName=group)
    raw["logs"].put_retention_policy(logGroupName=group, retentionInDays=7)


def log_group_untouched(raw: dict, group: str) -> bool:
    found = [g for g in raw["logs"].describe_log_groups(logGroupNamePrefix=group)["logGroups"]
             if g["logGroupName"] == group]
    return [g.get("retentionInDays") for g in found] == [7] and \
        raw["logs"].list_tags_log_group(logGroupName=group).get("tags", {}) == {}


def profile_untouched(answer: dict) -> bool:
    # GetInstanceProfile carries the tags: the emulator lacks ListInstanceProfileTags
    return answer["InstanceProfile"]["Roles"] == [] and not answer["InstanceProfile"].get("Tags")


def policy_arn(raw: dict, policy: str) -> str:
    return f"arn:aws:iam::{raw['sts'].get_caller_identity()['Account']}:policy/{policy}"


FOREIGN = {
    "role": Foreign(
        "AWS::IAM::Role platform-nodes", "IAM role", lambda name: iam.pool_role_name(name, iam.PLATFORM_ROLE),
        lambda raw, role: raw["iam"].create_role(RoleName=role, AssumeRolePolicyDocument=EMPTY_TRUST),
        lambda raw, role: raw["iam"].list_role_tags(RoleName=role)["Tags"] == []
        and raw["iam"].list_attached_role_policies(RoleName=role)["AttachedPolicies"] == []),
    "policy": Foreign(
        "AWS::IAM::ManagedPolicy s3-access", "IAM policy", lambda name: f"{name}-s3-access",
        lambda raw, policy: raw["iam"].create_policy(PolicyName=policy, PolicyDocument=EMPTY_POLICY),
        lambda raw, policy: raw["iam"].list_policy_tags(PolicyArn=policy_arn(raw, policy))["Tags"] == []
        and raw["iam"].get_policy(PolicyArn=policy_arn(raw, policy))["Policy"]["AttachmentCount"] == 0),
    "instance profile": Foreign(
        "AWS::IAM::InstanceProfile platform-nodes", "IAM instance profile",
        lambda name: iam.pool_role_name(name, iam.PLATFORM_ROLE),
        lambda raw, profile: raw["iam"].create_instance_profile(InstanceProfileName=profile),
        lambda raw, profile: profile_untouched(raw["iam"].get_instance_profile(InstanceProfileName=profile))),
    "log group": Foreign(
        "AWS::Logs::LogGroup control-plane-logs", "log group", control_plane_log_group, make_log_group,
        log_group_untouched, remedy=LEFT_BEHIND),
    "ecr repository": Foreign(
        "AWS::ECR::Repository {}", "ECR repository", lambda name: name,
        lambda raw, repository: raw["ecr"].create_repository(repositoryName=repository),
        lambda raw, repository: raw["ecr"].list_tags_for_resource(resourceArn=raw["ecr"].describe_repositories(
            repositoryNames=[repository])["repositories"][0]["repositoryArn"]).get("tags", []) == [],
        remedy="delete or rename it, or name another repository in domino.registry.name", registry="ecr"),
}


@pytest.mark.parametrize("case", sorted(FOREIGN))
def test_a_resource_of_a_wanted_name_made_by_someone_else_stops_apply_and_is_never_changed_nor_deleted(
        endpoint, tmp_path, name, case):
    foreign = FOREIGN[case]
    spec = write_spec(tmp_path / "domino.yaml", name, registry=foreign.registry)
    raw, theirs = clients(endpoint), foreign.name(name)
    foreign.make(raw, theirs)

    applied = apply(spec, endpoint, tmp_path)
    assert applied.returncode == 1
    key = foreign.key.format(theirs)
    assert (f"  ✗ {key}: NotOurs: {foreign.what} {theirs} already exists in this account and this deployment did "
            f"not create it; domino-eks will not take it over, change it or delete it — {foreign.remedy}"
            ) in applied.stderr.splitlines()
    destroyed = destroy(spec, endpoint)
    assert destroyed.returncode == 0, destroyed.stderr

    assert foreign.untouched(raw, theirs)
    assert tagged(endpoint, name) == {}


class Killed(BaseException):
    """The process ending between CreateBucket and the call that tags the bucket."""


def kill(**_) -> None:
    raise Killed()


def test_destroy_deletes_a_bucket_an_interrupted_apply_left_untagged(endpoint, spec, name):
    deployment = spec_source.load(str(spec))
    assert deployment.storage.buckets is not None
    bucket = next(b for b in deployment.storage.buckets if b.role == "logs").name
    properties = {"name": bucket, "region": REGION, "versioning": True, "block_public_access": True,
                  "encryption": {"algorithm": "AES256", "key": None},
                  "tags": {"domino-eks/deployment": name, "domino-eks/resource": bucket}}
    with pytest.raises(Killed):
        Bucket().create(aws_with_hooks(endpoint, **{"before-call.s3.PutBucketTagging": kill}), properties)

    destroyed = destroy(spec, endpoint)
    assert destroyed.returncode == 0, destroyed.stderr
    assert destroyed.stderr.strip().endswith("Destroyed.")
    assert bucket not in [b["Name"] for b in clients(endpoint)["s3"].list_buckets()["Buckets"]]
    assert run("destroy", str(spec), "--endpoint-url", endpoint, "--auto-approve").stderr.strip().endswith(
        "Nothing to destroy: no resource carries this deployment's tag.")


def test_destroy_names_what_discovering_again_still_finds(endpoint, spec, name, tmp_path):
    assert apply(spec, endpoint, tmp_path).returncode == 0
    aws = session.Aws(session.static_session(REGION), endpoint, retries=session.PROVISIONING)
    deployment = spec_source.load(str(spec))
    with pytest.raises(ToolError) as left:
        _refuse_leftovers(aws, deployment, {})
    message = str(left.value)
    assert message.startswith("destroy finished its deletions, but discovering again still finds this deployment's\n")
    assert f"\n  AWS::S3::Bucket {name}-logs\n" in message and "\n  AWS::EKS::Cluster cluster\n" in message
    assert message.endswith("\nRun destroy again; if they remain, delete them by hand (each is named above).")

    assert destroy(spec, endpoint).returncode == 0  # --delete-data: nothing is kept
    _refuse_leftovers(aws, deployment, {})  # raises while anything is left
