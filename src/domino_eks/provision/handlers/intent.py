"""Proof that a resource whose name the user chose was created by this deployment, when its tags cannot say so.

S3 writes a bucket's tags in a call after CreateBucket, so an apply interrupted between the two leaves an
untagged bucket that only its name connects to the deployment, and a bucket someone else made has that name
just as well. Before CreateBucket, apply records its intent in SSM Parameter Store (which keeps it however the
process ends); a bucket is this deployment's only if that record exists and the bucket was created after it.
Both times are the services' own, so no local clock takes part. The record is removed once the tags are on.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from domino_eks.aws import faults
from domino_eks.aws.session import Aws

PREFIX = "/domino-eks"
GONE = "ParameterNotFound"


def _parameter(deployment: str, kind: str, name: str) -> str:
    """A parameter name of the characters SSM allows (letters, digits, _ . - /): AWS::S3::Bucket -> aws-s3-bucket."""
    return f"{PREFIX}/{deployment}/intent/{kind.lower().replace('::', '-')}/{name}"


def record(aws: Aws, deployment: str, kind: str, name: str, resource: str) -> None:
    """Say, before creating it, that `name` (of type `kind`, the graph's `resource`) is about to be created."""
    value = json.dumps({"name": name, "resource": resource})
    aws.client("ssm").put_parameter(Name=_parameter(deployment, kind, name), Value=value, Type="String",
                                    Overwrite=True)


def claimed(aws: Aws, deployment: str, kind: str, name: str, created: datetime) -> Mapping[str, Any] | None:
    """The intent behind a resource created at `created`: found only if recorded before it was created."""
    try:
        found = aws.client("ssm").get_parameter(Name=_parameter(deployment, kind, name))["Parameter"]
    except Exception as error:
        if faults.code_of(error) == GONE:
            return None
        raise
    intent = json.loads(found["Value"])
    # S3 gives a bucket's creation time in whole seconds: compare at that precision
    recorded = found["LastModifiedDate"].replace(microsecond=0)
    return intent if intent.get("name") == name and recorded <= created else None


def forget(aws: Aws, deployment: str, kind: str, name: str) -> None:
    """The resource carries its tags now: they say whose it is."""
    try:
        aws.client("ssm").delete_parameter(Name=_parameter(deployment, kind, name))
    except Exception as error:
        if faults.code_of(error) != GONE:
            raise
