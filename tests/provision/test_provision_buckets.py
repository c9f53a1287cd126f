"""Buckets apply finds already there: it goes on only with what an interrupted create of its own left behind,
proven by the intent it recorded before CreateBucket; anyone else's bucket, empty or not, is left alone."""

from __future__ import annotations

import time

import boto3
import pytest
from botocore.exceptions import ClientError

from domino_eks.aws import session
from domino_eks.provision import kinds
from domino_eks.provision.handlers import intent
from domino_eks.provision.handlers.s3 import Bucket
from tests.provision.support import REGION, aws_with_hooks

US_EAST_1 = "us-east-1"  # the region whose CreateBucket succeeds for a bucket the caller already owns


def create_props(name: str, region: str = US_EAST_1) -> dict:
    return {"name": name, "region": region, "tags": {"domino-eks/deployment": "mine", "domino-eks/resource": name},
            "versioning": True, "block_public_access": True, "encryption": {"algorithm": "AES256", "key": None}}


@pytest.fixture
def s3_east(endpoint):
    return boto3.client("s3", region_name=US_EAST_1, endpoint_url=endpoint,
                        aws_access_key_id="testing", aws_secret_access_key="testing")


def intent_record(endpoint: str, bucket: str, region: str = US_EAST_1) -> dict | None:
    """The SSM parameter apply writes before CreateBucket, read with plain boto3."""
    ssm = boto3.client("ssm", region_name=region, endpoint_url=endpoint, aws_access_key_id="testing",
                       aws_secret_access_key="testing")
    found = ssm.get_parameters_by_path(Path="/domino-eks/mine/intent", Recursive=True)["Parameters"]
    return next((p for p in found if p["Name"].endswith(f"/{bucket}")), None)


def aws_east(endpoint) -> session.Aws:
    return session.Aws(session.static_session(US_EAST_1), endpoint, retries=session.PROVISIONING)


def test_a_users_bucket_with_data_is_not_taken_over_in_us_east_1(endpoint, s3_east, name):
    s3_east.create_bucket(Bucket=name)
    s3_east.put_object(Bucket=name, Key="precious.csv", Body=b"data")

    with pytest.raises(ClientError, match="will not take it over"):
        Bucket().create(aws_east(endpoint), create_props(name))
    with pytest.raises(ClientError, match="NoSuchTagSet"):  # not tagged as ours: destroy will never touch it
        s3_east.get_bucket_tagging(Bucket=name)
    assert s3_east.get_object(Bucket=name, Key="precious.csv")["Body"].read() == b"data"


def test_an_empty_untagged_bucket_someone_else_made_is_not_taken_over(endpoint, s3_east, name):
    s3_east.create_bucket(Bucket=name)
    with pytest.raises(ClientError) as refused:
        Bucket().create(aws_east(endpoint), create_props(name))
    assert refused.value.response["Error"]["Message"] == (
        f"bucket {name} already exists in this account and this deployment did not create it; domino-eks will not "
        "take it over: name another bucket in storage.buckets, or delete this one")
    with pytest.raises(ClientError, match="NoSuchTagSet"):
        s3_east.get_bucket_tagging(Bucket=name)
    with pytest.raises(ClientError, match="NoSuchBucketPolicy"):
        s3_east.get_bucket_policy(Bucket=name)
    assert intent_record(endpoint, name) is None


def test_a_bucket_made_before_the_recorded_intent_is_not_taken_over(endpoint, s3_east, name):
    s3_east.create_bucket(Bucket=name)
    time.sleep(1.1)  # S3 dates a bucket in whole seconds: the intent must come in a later second to be later
    intent.record(aws_east(endpoint), "mine", kinds.S3_BUCKET, name, name)  # an earlier run, refused or killed
    with pytest.raises(ClientError, match="did not create it"):
        Bucket().create(aws_east(endpoint), create_props(name))
    with pytest.raises(ClientError, match="NoSuchTagSet"):
        s3_east.get_bucket_tagging(Bucket=name)


class KilledAfterCreateBucket(BaseException):
    """The process ending between CreateBucket and the call that tags the bucket."""


def kill_at_tagging(**_) -> None:
    raise KilledAfterCreateBucket()


def test_a_bucket_left_untagged_by_an_interrupted_create_is_finished_by_the_next(endpoint, s3_east, name):
    interrupted = aws_with_hooks(endpoint, **{"before-call.s3.PutBucketTagging": kill_at_tagging})
    with pytest.raises(KilledAfterCreateBucket):
        Bucket().create(interrupted, create_props(name, region=REGION))
    west = boto3.client("s3", region_name=REGION, endpoint_url=endpoint, aws_access_key_id="testing",
                        aws_secret_access_key="testing")
    with pytest.raises(ClientError, match="NoSuchTagSet"):
        west.get_bucket_tagging(Bucket=name)
    assert intent_record(endpoint, name, REGION) is not None

    outputs = Bucket().create(session.Aws(session.static_session(REGION), endpoint, retries=session.PROVISIONING),
                              create_props(name, region=REGION))
    assert outputs["name"] == name
    assert {t["Key"]: t["Value"] for t in west.get_bucket_tagging(Bucket=name)["TagSet"]}["domino-eks/deployment"] \
        == "mine"
    assert intent_record(endpoint, name, REGION) is None  # the tags say whose it is now
