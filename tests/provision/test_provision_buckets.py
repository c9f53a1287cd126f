"""Buckets apply finds already there: it takes over only what an interrupted create of its own left behind."""

from __future__ import annotations

import boto3
import pytest
from botocore.exceptions import ClientError

from domino_eks.aws import session
from domino_eks.provision.handlers.s3 import Bucket

US_EAST_1 = "us-east-1"  # the region whose CreateBucket succeeds for a bucket the caller already owns


def create_props(name: str) -> dict:
    return {"name": name, "region": US_EAST_1, "tags": {"domino-eks/deployment": "mine", "domino-eks/resource": name},
            "versioning": True, "block_public_access": True, "encryption": {"algorithm": "AES256", "key": None}}


@pytest.fixture
def s3_east(endpoint):
    return boto3.client("s3", region_name=US_EAST_1, endpoint_url=endpoint,
                        aws_access_key_id="testing", aws_secret_access_key="testing")


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


def test_an_empty_untagged_bucket_left_by_an_interrupted_create_is_taken_over(endpoint, s3_east, name):
    s3_east.create_bucket(Bucket=name)
    outputs = Bucket().create(aws_east(endpoint), create_props(name))
    assert outputs["name"] == name
    tags = {t["Key"]: t["Value"] for t in s3_east.get_bucket_tagging(Bucket=name)["TagSet"]}
    assert tags["domino-eks/deployment"] == "mine"
