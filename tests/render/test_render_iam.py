"""IAM policy files: strict JSON, scoped to the deployment's buckets and cluster."""

from __future__ import annotations

import json

import pytest

from domino_eks.knowledge.iam import (
    AUTOSCALER_REQUIRED,
    AUTOSCALER_WRITE,
    S3_BUCKET_ACTIONS,
    S3_OBJECT_ACTIONS,
)
from domino_eks.model import Cluster, Deployment, SourceInfo
from domino_eks.render import iam
from tests.conftest import load_example

BUCKETS = ("domino-test-cluster-user-data", "domino-test-cluster-logs", "domino-test-cluster-backups")


def eksctl_like() -> Deployment:
    """What an eksctl file tells: a cluster and its node groups, nothing about buckets."""
    cluster = Cluster(name="demo", region="us-west-2", version="1.31")
    return Deployment(source=SourceInfo(kind="eksctl"), cluster=cluster, pools=())


def test_s3_policy_grants_the_three_buckets_and_their_objects_only(multi_az):
    document = json.loads(iam.s3_access_policy(multi_az))
    [on_buckets, on_objects] = document["Statement"]
    assert document["Version"] == "2012-10-17"
    assert sorted(on_buckets["Resource"]) == sorted(f"arn:aws:s3:::{b}" for b in BUCKETS)
    assert sorted(on_objects["Resource"]) == sorted(f"arn:aws:s3:::{b}/*" for b in BUCKETS)
    assert on_buckets["Action"] == list(S3_BUCKET_ACTIONS)
    assert on_objects["Action"] == list(S3_OBJECT_ACTIONS)
    assert all(s["Effect"] == "Allow" and "Condition" not in s for s in document["Statement"])


def test_s3_policy_has_no_wildcard_beyond_the_objects_of_its_buckets(multi_az):
    document = json.loads(iam.s3_access_policy(multi_az))
    for statement in document["Statement"]:
        assert not any("*" in action for action in statement["Action"])
        assert all(r.removesuffix("/*").removeprefix("arn:aws:s3:::") in BUCKETS for r in statement["Resource"])


def test_autoscaler_writes_need_the_clusters_ownership_tag(multi_az):
    document = json.loads(iam.autoscaler_policy(multi_az))
    [reads, writes] = document["Statement"]
    assert set(AUTOSCALER_REQUIRED) <= set(reads["Action"]) | set(writes["Action"])
    assert set(writes["Action"]) == set(AUTOSCALER_WRITE)
    assert writes["Condition"] == {
        "StringEquals": {"aws:ResourceTag/k8s.io/cluster-autoscaler/domino-test-cluster": "owned"}
    }
    assert not set(reads["Action"]) & set(AUTOSCALER_WRITE)


def test_unknown_buckets_are_marked_one_per_role():
    document = json.loads(iam.s3_access_policy(eksctl_like()))
    assert document["Statement"][0]["Resource"] == [
        "arn:aws:s3:::__FILL__-user-data-bucket", "arn:aws:s3:::__FILL__-logs-bucket",
        "arn:aws:s3:::__FILL__-backups-bucket",
    ]



@pytest.mark.parametrize(("registry", "resources"), [
    ("s3", [["arn:aws:s3:::domino-test-cluster-registry"], ["arn:aws:s3:::domino-test-cluster-registry/*"]]),
    ("ecr", [["arn:aws:ecr:us-west-2:*:repository/domino-test-cluster"], ["*"]]),
])
def test_registry_policy_grants_its_storage_only(registry, resources):
    deployment = load_example("multi-az.yaml", domino={"registry": {"type": registry}})
    policy = iam.registry_access_policy(deployment)
    assert policy is not None
    document = json.loads(policy)
    assert [s["Resource"] for s in document["Statement"]] == resources


def test_no_registry_policy_where_the_source_names_no_registry():
    assert iam.registry_access_policy(eksctl_like()) is None
