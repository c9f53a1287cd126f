"""What this deployment did not create is never adopted, changed or deleted; destroy ends by discovering again.

Through the installed console script against a moto server over HTTP; what exists is read with plain boto3.
"""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from domino_eks.aws import session
from domino_eks.commands.provision import _refuse_leftovers
from domino_eks.errors import ToolError
from domino_eks.knowledge import iam
from domino_eks.provision.handlers.s3 import Bucket
from domino_eks.sources import spec as spec_source
from tests.provision.support import REGION, aws_with_hooks, clients, tagged
from tests.sources.console import run


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


def test_an_iam_role_with_a_wanted_name_is_never_taken_over_nor_deleted(endpoint, spec, name, tmp_path):
    raw = clients(endpoint)["iam"]
    role = iam.pool_role_name(name, iam.PLATFORM_ROLE)
    raw.create_role(RoleName=role, AssumeRolePolicyDocument='{"Version": "2012-10-17", "Statement": []}')

    applied = apply(spec, endpoint, tmp_path)
    assert applied.returncode == 1
    assert "EntityAlreadyExists" in applied.stderr and role in applied.stderr
    assert destroy(spec, endpoint).returncode == 0

    assert raw.get_role(RoleName=role)["Role"]["RoleName"] == role
    assert raw.list_role_tags(RoleName=role)["Tags"] == []
    assert raw.list_attached_role_policies(RoleName=role)["AttachedPolicies"] == []


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
