"""Domino's registry storage through apply on the emulator: an S3 bucket made like the other buckets, or an ECR
repository; the nodes' policy grants exactly that; `apply -o` writes the registry into the installer values."""

from __future__ import annotations

import json

import pytest
from ruamel.yaml import YAML

from domino_eks import cli
from domino_eks.knowledge import iam
from tests.provision.support import REGION, clients, tagged, write_spec


def run_cli(capsys, *args: str) -> tuple[object, str, str]:
    with pytest.raises(SystemExit) as ended:
        cli.main(list(args))
    out, err = capsys.readouterr()
    return ended.value.code, out, err


def applied(capsys, endpoint, path, out_dir) -> dict:
    """Apply, check a second plan has nothing to do, and return the installer values apply wrote."""
    code, _, err = run_cli(capsys, "apply", str(path), "--endpoint-url", endpoint, "--auto-approve",
                           "-o", str(out_dir))
    assert code == 0, err
    code, out, _ = run_cli(capsys, "plan", str(path), "--endpoint-url", endpoint, "--format", "json")
    assert code == 0
    assert [c for c in json.loads(out)["changes"] if c["action"] != "unchanged"] == []
    return YAML(typ="safe").load((out_dir / "installer" / "domino.yml").read_text())


def registry_policy(endpoint, name) -> dict:
    c = clients(endpoint)["iam"]
    # every page: the server is shared, and other tests' policies fill the first ones
    [policy] = [p for page in c.get_paginator("list_policies").paginate(Scope="Local") for p in page["Policies"]
                if p["PolicyName"] == f"{name}-registry-access"]
    attached = c.list_attached_role_policies(RoleName=iam.pool_role_name(name, iam.PLATFORM_ROLE))["AttachedPolicies"]
    assert policy["Arn"] in {a["PolicyArn"] for a in attached}
    return c.get_policy_version(PolicyArn=policy["Arn"], VersionId=policy["DefaultVersionId"])[
        "PolicyVersion"]["Document"]


def destroyed(capsys, endpoint, path, name) -> None:
    code, _, err = run_cli(capsys, "destroy", str(path), "--endpoint-url", endpoint, "--auto-approve")
    assert code == 0, err
    assert tagged(endpoint, name) == {}


def test_an_s3_registry_is_a_private_encrypted_tls_only_bucket_the_nodes_may_use(endpoint, tmp_path, name, capsys):
    path = write_spec(tmp_path / "domino.yaml", name)
    values = applied(capsys, endpoint, path, tmp_path / "out")

    bucket, s3 = f"{name}-registry", clients(endpoint)["s3"]
    assert all(s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"].values())
    [rule] = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"]
    assert rule["ApplyServerSideEncryptionByDefault"] == {"SSEAlgorithm": "AES256"}
    [deny] = json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"])["Statement"]
    assert deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    assert registry_policy(endpoint, name)["Statement"] == [
        {"Effect": "Allow", "Action": list(iam.S3_BUCKET_ACTIONS), "Resource": [f"arn:aws:s3:::{bucket}"]},
        {"Effect": "Allow", "Action": list(iam.S3_OBJECT_ACTIONS), "Resource": [f"arn:aws:s3:::{bucket}/*"]},
    ]
    assert values["internal_docker_registry"] == {"s3_override": {"region": REGION, "bucket": bucket,
                                                                  "sse_kms_key_id": None}}
    assert "external_docker_registry" not in values
    destroyed(capsys, endpoint, path, name)


def test_an_ecr_registry_is_a_scanned_immutable_repository_the_nodes_may_use(endpoint, tmp_path, name, capsys):
    path = write_spec(tmp_path / "domino.yaml", name, registry="ecr")
    values = applied(capsys, endpoint, path, tmp_path / "out")

    [repository] = clients(endpoint)["ecr"].describe_repositories(repositoryNames=[name])["repositories"]
    assert repository["imageScanningConfiguration"] == {"scanOnPush": True}
    assert repository["imageTagMutability"] == "IMMUTABLE"
    assert repository["encryptionConfiguration"]["encryptionType"] == "AES256"
    assert registry_policy(endpoint, name)["Statement"] == [
        {"Effect": "Allow", "Action": list(iam.ECR_REPOSITORY_ACTIONS),
         "Resource": [f"arn:aws:ecr:{REGION}:*:repository/{name}"]},
        {"Effect": "Allow", "Action": [iam.ECR_TOKEN_ACTION], "Resource": ["*"]},
    ]
    assert values["external_docker_registry"] == repository["repositoryUri"]
    assert "internal_docker_registry" not in values
    assert f"{name}-registry" not in {b["Name"] for b in clients(endpoint)["s3"].list_buckets()["Buckets"]}
    destroyed(capsys, endpoint, path, name)
