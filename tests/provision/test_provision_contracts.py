"""Each handler's declared contract against every desired graph the tool can build. No AWS needed.

The emulator skips EKS add-ons and access entries, so for those types this file is what stands between a
misspelt property or a malformed request and a failure on real AWS: every resource is created, updated
and deleted here through real boto3 clients, which check each request against botocore's service model
before a hook answers it in place of AWS.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Mapping
from functools import cache, partial
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from botocore import xform_name
from botocore.exceptions import ClientError
from botocore.session import get_session

from domino_eks.aws.session import Aws, Retries, static_session
from domino_eks.provision import desired, kinds, waiters
from domino_eks.provision.graph import Graph
from domino_eks.provision.handlers import HANDLERS
from domino_eks.provision.handlers.base import Handler
from domino_eks.provision.resources import Existing, Key, is_known, resolve
from domino_eks.sources import spec, starter
from tests.conftest import EXAMPLES, TODAY
from tests.provision.support import write_spec


def init_spec(directory: Path, *, zones: int, gpu: bool, managed: bool) -> Path:
    """What `domino-eks init` writes, its pools managed node groups if `managed`."""
    written = starter.starter("domino", "us-west-2", zones, gpu)
    for pool in written["nodePools"]:
        pool["managed"] = managed
    path = directory / "domino.yaml"
    path.write_text(json.dumps(written))  # JSON is YAML
    return path


def example_spec(directory: Path, *, path: Path) -> Path:
    """A shipped example, read where it is: nothing is written to `directory`."""
    return path


SPECS: dict[str, Callable[[Path], Path]] = {
    **{f"example {path.name}": partial(example_spec, path=path) for path in sorted(EXAMPLES.glob("*.yaml"))},
    **{f"init --zones {zones}{' --gpu' if gpu else ''}{' managed' if managed else ''}":
       partial(init_spec, zones=zones, gpu=gpu, managed=managed)
       for zones in (1, 3) for gpu in (False, True) for managed in (False, True)},
    "an existing VPC and a hosted zone": lambda directory: write_spec(
        directory / "domino.yaml", "byo", vpc_id="vpc-0123456789abcdef0", hosted_zone="Z0123456789"),
    "an ECR registry": lambda directory: write_spec(directory / "domino.yaml", "ecr", registry="ecr"),
}


def load(variant: str, directory: Path) -> Graph:
    return desired.build(spec.load(str(SPECS[variant](directory)), today=TODAY))


@pytest.fixture(params=list(SPECS))
def graph(request, tmp_path) -> Graph:
    return load(request.param, tmp_path)


def test_the_specs_build_every_type_there_is_a_handler_for(tmp_path):
    built = {resource.key.type for variant in SPECS for resource in load(variant, tmp_path)}
    assert built == set(HANDLERS)


def test_every_resource_has_exactly_the_properties_its_handler_declares(graph):
    for resource in graph:
        handler = HANDLERS[resource.key.type]
        declared = handler.external_properties if resource.external else handler.properties
        assert set(resource.properties) == declared, resource.key


@pytest.mark.parametrize("handler", HANDLERS.values(), ids=list(HANDLERS))
def test_what_a_handler_observes_and_treats_specially_is_among_its_properties(handler: Handler):
    assert set(handler.observed) <= handler.properties | handler.derived
    assert handler.derived <= set(handler.observed) and not handler.derived & handler.properties
    assert set(handler.at_least) <= set(handler.observed)
    assert set(handler.immutable) <= set(handler.observed) & handler.properties
    assert bool(handler.external_properties) == (type(handler).lookup is not Handler.lookup)
    assert ("tags" in handler.properties) == (handler.kind not in kinds.UNTAGGED)


BOTOCORE = get_session()


@cache
def service_model(service: str) -> Any:
    return BOTOCORE.get_service_model(service)


@cache
def polled_operation(service: str, waiter: str) -> str:
    """The operation waiter `waiter` polls, found as `waiters.wait` finds it: ours first, then botocore's."""
    if waiter in waiters.MODELS:
        return waiters.MODELS[waiter]["operation"]
    return BOTOCORE.get_waiter_model(service).get_waiter(waiter).operation


DECLARED_WAITS = {f"{kind} {role}": wait for kind, handler in HANDLERS.items()
                  for role, wait in (("ready", handler.ready_waiter), ("gone", handler.gone_waiter)) if wait}


@pytest.mark.parametrize("wait", DECLARED_WAITS.values(), ids=list(DECLARED_WAITS))
def test_every_declared_waiter_resolves_to_an_operation_of_its_service(wait: waiters.Wait):
    assert polled_operation(wait.service, wait.name) in service_model(wait.service).operation_names


NOT_FOUND = (404, {"Error": {"Code": "404", "Message": "Not Found"}})
# What the checked clients answer: just enough for each handler to read the outputs it returns.
ANSWERS: dict[str, Any] = {
    "CreateVpc": {"Vpc": {"VpcId": "vpc-0123456789abcdef1"}},
    "DescribeVpcs": {"Vpcs": [{"VpcId": "vpc-0123456789abcdef0", "CidrBlock": "10.0.0.0/16"}]},
    "CreateInternetGateway": {"InternetGateway": {"InternetGatewayId": "igw-0123456789abcdef0"}},
    "DescribeInternetGateways": {"InternetGateways": [
        {"InternetGatewayId": "igw-0123456789abcdef0", "Attachments": [{"VpcId": "vpc-0123456789abcdef0"}]}]},
    "CreateSubnet": {"Subnet": {"SubnetId": "subnet-0123456789abcdef0"}},
    "AllocateAddress": {"AllocationId": "eipalloc-0123456789abcdef0"},
    "CreateNatGateway": {"NatGateway": {"NatGatewayId": "nat-0123456789abcdef0"}},
    "CreateRouteTable": {"RouteTable": {"RouteTableId": "rtb-0123456789abcdef0"}},
    "DescribeRouteTables": {"RouteTables": [{"Routes": [], "Associations": []}]},
    "CreateSecurityGroup": {"GroupId": "sg-0123456789abcdef0"},
    # the VPC's default group, holding the two rules EC2 gives it, which apply revokes (C009)
    "DescribeSecurityGroups": {"SecurityGroups": [{"GroupId": "sg-0123456789abcdef9", "GroupName": "default"}]},
    "DescribeSecurityGroupRules": {"SecurityGroupRules": [
        {"SecurityGroupRuleId": "sgr-0123456789abcdef1", "GroupId": "sg-0123456789abcdef9", "IsEgress": False},
        {"SecurityGroupRuleId": "sgr-0123456789abcdef2", "GroupId": "sg-0123456789abcdef9", "IsEgress": True}]},
    "CreateFlowLogs": {"FlowLogIds": ["fl-0123456789abcdef0"]},
    "AuthorizeSecurityGroupIngress": {"SecurityGroupRules": [{"SecurityGroupRuleId": "sgr-0123456789abcdef0"}]},
    "CreateLaunchTemplate": {"LaunchTemplate": {"LaunchTemplateId": "lt-0123456789abcdef0",
                                                "LaunchTemplateName": "nodes"}},
    "CreateLaunchTemplateVersion": {"LaunchTemplateVersion": {"VersionNumber": 2}},
    "DescribeAutoScalingGroups": {"AutoScalingGroups": [{"AutoScalingGroupARN": "arn:aws:autoscaling:group",
                                                         "AutoScalingGroupName": "eks-nodes"}]},
    "CreatePolicy": {"Policy": {"Arn": "arn:aws:iam::123456789012:policy/p", "PolicyName": "p"}},
    "ListPolicyVersions": {"Versions": []},
    "CreateRole": {"Role": {"RoleName": "r", "Arn": "arn:aws:iam::123456789012:role/r"}},
    "CreateInstanceProfile": {"InstanceProfile": {"Arn": "arn:aws:iam::123456789012:instance-profile/p"}},
    "GetInstanceProfile": {"InstanceProfile": {"Roles": []}},
    "DescribeCluster": {"cluster": {"name": "domino", "arn": "arn:aws:eks:cluster", "endpoint": "https://eks.example",
                                    "certificateAuthority": {"data": "Q0E="},
                                    "kubernetesNetworkConfig": {"serviceIpv4Cidr": "172.20.0.0/16"}}},
    "CreateNodegroup": {"nodegroup": {"nodegroupArn": "arn:aws:eks:nodegroup"}},
    "DescribeNodegroup": {"nodegroup": {"resources": {"autoScalingGroups": [{"name": "eks-nodes"}]}}},
    "CreateAddon": {"addon": {"addonArn": "arn:aws:eks:addon"}},
    "CreateAccessEntry": {"accessEntry": {"accessEntryArn": "arn:aws:eks:access-entry"}},
    "CreatePodIdentityAssociation": {"association": {"associationId": "a-0123456789abcdef0"}},
    "DescribePodIdentityAssociation": {"association": {"associationArn": "arn:aws:eks:podidentityassociation"}},
    "CreateFileSystem": {"FileSystemId": "fs-0123456789abcdef0", "FileSystemArn": "arn:aws:elasticfilesystem:fs"},
    "CreateMountTarget": {"MountTargetId": "fsmt-0123456789abcdef0"},
    "CreateAccessPoint": {"AccessPointId": "fsap-0123456789abcdef0",
                          "AccessPointArn": "arn:aws:elasticfilesystem:fsap"},
    "GetBucketTagging": {"TagSet": []},
    "CreateRepository": {"repository": {"repositoryName": "domino", "repositoryArn": "arn:aws:ecr:repository",
                                        "repositoryUri": "123456789012.dkr.ecr.us-west-2.amazonaws.com/domino"}},
    "HeadBucket": NOT_FOUND,  # not there yet: CreateBucket it is
    "RequestCertificate": {"CertificateArn": "arn:aws:acm:certificate"},
    "DescribeCertificate": {"Certificate": {"CertificateArn": "arn:aws:acm:certificate", "DomainValidationOptions": [
        {"ResourceRecord": {"Name": "_x.domino.example.com.", "Type": "CNAME", "Value": "_y.acm-validations.aws."}}]}},
    "ChangeResourceRecordSets": {"ChangeInfo": {"Id": "/change/C1"}},
    "GetCallerIdentity": {"Account": "123456789012"},
    "CreateKey": {"KeyMetadata": {"KeyId": "1234abcd", "Arn": "arn:aws:kms:us-west-2:123456789012:key/1234abcd"}},
}


def answering_aws(region: str) -> tuple[Aws, list[tuple[str, str]]]:
    """The tool's own client cache with real boto3 clients. botocore serializes and validates every request
    against the service model as it does before sending one; then a before-call hook records the call and
    answers it from ANSWERS, so nothing is sent (the endpoint is a closed port, never reached)."""
    calls: list[tuple[str, str]] = []

    def answer(model: Any, **_: Any) -> tuple[Any, Mapping[str, Any]]:
        calls.append((model.service_model.service_name, model.name))
        status, body = NOT_FOUND if ANSWERS.get(model.name) is NOT_FOUND else (200, ANSWERS.get(model.name, {}))
        return SimpleNamespace(status_code=status, headers={}), body

    session = static_session(region)
    aws = Aws(session, "http://127.0.0.1:9", retries=Retries("standard", 0))
    session.events.register("before-call", answer)
    return aws, calls


def first_poll(client: Any, name: str, /, *, delay: float | None = None, attempts: int | None = None,
               **arguments: Any) -> None:
    """Instead of polling (time, not a request): the waiter's operation is sent once, so botocore checks its
    request; what it answers is for the waiter's acceptors, which polling would judge. The pace is not a request."""
    operation = xform_name(polled_operation(client.meta.service_model.service_name, name))
    with contextlib.suppress(ClientError):
        getattr(client, operation)(**arguments)


def drifted(value: Any) -> Any:
    """A different value of the same shape, so that an update sends every call it can."""
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return value + 1
    if isinstance(value, str):
        return ""
    if isinstance(value, Mapping):
        return {}
    if isinstance(value, list):
        return []
    return value


def test_every_request_a_handler_sends_is_one_the_service_accepts(graph, monkeypatch):
    monkeypatch.setattr(waiters, "wait", first_poll)
    aws, calls = answering_aws("us-west-2")
    outputs: dict[Key, Mapping[str, Any]] = {}
    for resource in graph:
        handler = HANDLERS[resource.key.type]
        properties = resolve(resource.properties, outputs.get)
        assert is_known(properties), resource.key
        if resource.external:
            outputs[resource.key] = handler.lookup(aws, properties).outputs
            continue
        outputs[resource.key] = handler.create(aws, properties)
        observed = handler.comparable(properties)
        assert set(observed) == set(handler.observed), resource.key
        existing = Existing(resource.key, outputs[resource.key], {name: drifted(v) for name, v in observed.items()})
        handler.update(aws, existing, properties)
    for resource in reversed(list(graph)):
        if not resource.external:
            HANDLERS[resource.key.type].delete(aws, Existing(resource.key, outputs[resource.key]))
    sent = set(calls)
    assert {("eks", "CreateAddon"), ("eks", "UpdateAddon"), ("eks", "DeleteAddon"), ("eks", "DescribeAddon"),
            ("eks", "TagResource"), ("eks", "CreatePodIdentityAssociation"), ("eks", "UpdatePodIdentityAssociation"),
            ("eks", "DescribePodIdentityAssociation"), ("eks", "DeletePodIdentityAssociation")} <= sent
    # a VPC apply creates gets flow logs and an emptied default group; a user's VPC is left as it is
    if any(r.key.type == kinds.VPC and not r.external for r in graph):
        assert {("ec2", "CreateFlowLogs"), ("ec2", "DeleteFlowLogs"), ("ec2", "RevokeSecurityGroupIngress"),
                ("ec2", "RevokeSecurityGroupEgress")} <= sent
    # EKS makes the access entries of managed node groups' roles itself: only self-managed nodes need one
    if any(r.key.type == kinds.EKS_ACCESS_ENTRY for r in graph):
        assert {("eks", "CreateAccessEntry"), ("eks", "DeleteAccessEntry")} <= sent
