"""The embedded emulator as the commands start it: a moto server in a child process, serving the AWS-managed IAM
policies apply attaches (moto's own documents for them, and no others), and gone when its command is."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time

import boto3
import pytest
from moto.iam.aws_managed_policies import aws_managed_policies_data

from domino_eks.aws import emulator
from domino_eks.errors import ToolError
from domino_eks.knowledge import iam
from domino_eks.provision import desired, kinds
from tests.conftest import EXAMPLES, load_example

REGION = "us-west-2"


@pytest.fixture(scope="module")
def iam_client():
    with emulator.running(iam.AWS_MANAGED_POLICIES) as url:
        yield boto3.Session(region_name=REGION, **emulator.CREDENTIALS).client("iam", endpoint_url=url)


def attached_aws_policies(example: str) -> set[str]:
    """The ARNs of the AWS-managed policies the desired graph of `example` attaches to its roles."""
    graph = desired.build(load_example(example))
    return {arn for role in graph if role.key.type == kinds.IAM_ROLE for arn in role.properties["policy_arns"]
            if isinstance(arn, str) and ":iam::aws:policy/" in arn}


@pytest.mark.parametrize("example", sorted(path.name for path in EXAMPLES.glob("*.yaml")))
def test_the_emulator_serves_every_aws_managed_policy_apply_attaches(iam_client, example):
    served = {p["Arn"] for p in iam_client.list_policies(Scope="AWS")["Policies"]}

    assert attached_aws_policies(example) <= served


def test_the_emulator_serves_the_named_aws_managed_policies_and_no_others(iam_client):
    served = {p["Arn"] for p in iam_client.list_policies(Scope="AWS")["Policies"]}

    assert served == {iam.managed_policy_arn(name, "aws") for name in iam.AWS_MANAGED_POLICIES}


@pytest.mark.parametrize("name", iam.AWS_MANAGED_POLICIES)
def test_each_served_policy_has_the_document_moto_carries_for_it(iam_client, name):
    arn = iam.managed_policy_arn(name, "aws")
    known = json.loads(aws_managed_policies_data)[name.rsplit("/", 1)[-1]]

    policy = iam_client.get_policy(PolicyArn=arn)["Policy"]
    version = iam_client.get_policy_version(PolicyArn=arn, VersionId=policy["DefaultVersionId"])["PolicyVersion"]

    assert (policy["Path"], version["Document"]) == (known["Path"], known["Document"])


def test_a_role_gets_an_aws_managed_policy_attached(iam_client):
    trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                     "Principal": {"Service": "ec2.amazonaws.com"}}]}
    iam_client.create_role(RoleName="nodes", AssumeRolePolicyDocument=json.dumps(trust))
    arn = iam.managed_policy_arn("AmazonEKSWorkerNodePolicy", "aws")

    iam_client.attach_role_policy(RoleName="nodes", PolicyArn=arn)

    attached = iam_client.list_attached_role_policies(RoleName="nodes")["AttachedPolicies"]
    assert attached == [{"PolicyName": "AmazonEKSWorkerNodePolicy", "PolicyArn": arn}]


def test_a_port_in_use_is_named_with_why_the_emulator_cannot_start():
    with socket.socket() as taken:
        taken.bind((emulator.LOOPBACK, 0))
        taken.listen()
        port = taken.getsockname()[1]

        with pytest.raises(ToolError) as refused, emulator.running((), port):
            pass

    assert str(refused.value) == (f"cannot start the local AWS emulator on 127.0.0.1: port {port}: "
                                  "Address already in use")


# A command that dies without stopping its emulator (killed, or os._exit as here) closes the child's stdin.
ABANDONING = """
import os
from domino_eks.aws import emulator
context = emulator.started(())
print(context.__enter__().url(), flush=True)
os._exit(0)
"""


def test_the_emulator_ends_when_the_command_that_started_it_ends_without_stopping_it():
    abandoned = subprocess.run([sys.executable, "-c", ABANDONING], capture_output=True, text=True, timeout=120)
    url = abandoned.stdout.strip()
    port = int(url.rsplit(":", 1)[1])

    assert url.startswith("http://127.0.0.1:"), abandoned.stderr
    assert refuses_connections(port)


def refuses_connections(port: int, attempts: int = 300) -> bool:
    """True once nothing listens on `port` (the child may take a moment to notice its stdin closed)."""
    for _ in range(attempts):
        try:
            with socket.create_connection((emulator.LOOPBACK, port), timeout=1):
                pass
        except ConnectionRefusedError:
            return True
        time.sleep(0.1)
    return False


def test_the_emulator_starts_whatever_profile_the_environment_names(monkeypatch, tmp_path):
    """`domino-eks emulator` in a shell with AWS_PROFILE set to a profile of another machine: the emulator reads
    no profile (moto's own boto3 sessions would refuse to start on one that is not configured)."""
    monkeypatch.setenv("AWS_PROFILE", "nosuch")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "config"))

    with emulator.running(()) as url:  # it announces its URL once moto's EC2, which asks boto3 sessions, is loaded
        assert url.startswith("http://127.0.0.1:")


def test_each_warming_call_reaches_its_service(iam_client):
    """A call that moto routed nowhere would warm nothing, silently: each is answered by its own service."""
    port = int(iam_client.meta.endpoint_url.rsplit(":", 1)[1])

    answered = dict(emulator.warm(port))

    # moto has no EC2 quotas (design.md): Service Quotas answers NoSuchResource, as it does to the preflight
    assert answered == {service: 200 for service, *_ in emulator.WARMING} | {"servicequotas": 400}


def test_eks_still_judges_a_role_arns_partition_and_errors_still_name_their_service(iam_client):
    """The emulator hands moto one shared boto3 session for the partitions and service names it looks up: EKS
    still refuses a role ARN of no partition and takes one of a real partition, and an error is still the
    service's own."""
    session = boto3.Session(region_name=REGION, **emulator.CREDENTIALS)
    eks = session.client("eks", endpoint_url=iam_client.meta.endpoint_url)
    subnets = {"subnetIds": ["subnet-1", "subnet-2"]}

    with pytest.raises(eks.exceptions.InvalidParameterException) as refused:
        eks.create_cluster(name="bad", roleArn="arn:nowhere:iam::123456789012:role/r", resourcesVpcConfig=subnets)
    eks.create_cluster(name="good", roleArn="arn:aws-cn:iam::123456789012:role/r", resourcesVpcConfig=subnets)
    with pytest.raises(iam_client.exceptions.NoSuchEntityException):
        iam_client.get_role(RoleName="absent")

    assert refused.value.response["Error"]["Message"] == "Invalid Role Arn: 'arn:nowhere:iam::123456789012:role/r'"
    assert eks.describe_cluster(name="good")["cluster"]["roleArn"] == "arn:aws-cn:iam::123456789012:role/r"
