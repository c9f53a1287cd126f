"""Each handler's declared contract against every desired graph the tool can build. No AWS needed.

The emulator skips EKS add-ons and access entries, so for those types this file is what stands between a
misspelt property or a malformed request and a failure on real AWS: every resource is created, updated
and deleted here against clients that check each request against botocore's service model.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from functools import cache, partial
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

import pytest
from botocore import xform_name
from botocore.exceptions import ClientError
from botocore.session import get_session
from botocore.validate import validate_parameters

from domino_eks.aws.session import Aws
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
    "AuthorizeSecurityGroupIngress": {"SecurityGroupRules": [{"SecurityGroupRuleId": "sgr-0123456789abcdef0"}]},
    "CreateLaunchTemplate": {"LaunchTemplate": {"LaunchTemplateId": "lt-0123456789abcdef0",
                                                "LaunchTemplateName": "nodes"}},
    "CreateLaunchTemplateVersion": {"LaunchTemplateVersion": {"VersionNumber": 2}},
    "DescribeAutoScalingGroups": {"AutoScalingGroups": [{"AutoScalingGroupARN": "arn:aws:autoscaling:group"}]},
    "CreatePolicy": {"Policy": {"Arn": "arn:aws:iam::123456789012:policy/p", "PolicyName": "p"}},
    "ListPolicyVersions": {"Versions": []},
    "CreateRole": {"Role": {"RoleName": "r", "Arn": "arn:aws:iam::123456789012:role/r"}},
    "CreateInstanceProfile": {"InstanceProfile": {"Arn": "arn:aws:iam::123456789012:instance-profile/p"}},
    "GetInstanceProfile": {"InstanceProfile": {"Roles": []}},
    "DescribeCluster": {"cluster": {"name": "domino", "arn": "arn:aws:eks:cluster", "endpoint": "https://eks.example",
                                    "certificateAuthority": {"data": "Q0E="},
                                    "kubernetesNetworkConfig": {"serviceIpv4Cidr": "172.20.0.0/16"}}},
    "CreateNodegroup": {"nodegroup": {"nodegroupArn": "arn:aws:eks:nodegroup"}},
    "CreateAddon": {"addon": {"addonArn": "arn:aws:eks:addon"}},
    "CreateAccessEntry": {"accessEntry": {"accessEntryArn": "arn:aws:eks:access-entry"}},
    "CreateFileSystem": {"FileSystemId": "fs-0123456789abcdef0", "FileSystemArn": "arn:aws:elasticfilesystem:fs"},
    "CreateMountTarget": {"MountTargetId": "fsmt-0123456789abcdef0"},
    "CreateAccessPoint": {"AccessPointId": "fsap-0123456789abcdef0",
                          "AccessPointArn": "arn:aws:elasticfilesystem:fsap"},
    "GetBucketTagging": {"TagSet": []},
    "HeadBucket": ClientError({"Error": {"Code": "404"}}, "HeadBucket"),  # not there yet: CreateBucket it is
    "RequestCertificate": {"CertificateArn": "arn:aws:acm:certificate"},
    "DescribeCertificate": {"Certificate": {"CertificateArn": "arn:aws:acm:certificate", "DomainValidationOptions": [
        {"ResourceRecord": {"Name": "_x.domino.example.com.", "Type": "CNAME", "Value": "_y.acm-validations.aws."}}]}},
    "ChangeResourceRecordSets": {"ChangeInfo": {"Id": "/change/C1"}},
    "GetCallerIdentity": {"Account": "123456789012"},
    "CreateKey": {"KeyMetadata": {"KeyId": "1234abcd", "Arn": "arn:aws:kms:us-west-2:123456789012:key/1234abcd"}},
}


class CheckedClient:
    """Stands in for a boto3 client: validates each request against the service model, as botocore would
    before sending it, records it, and answers from ANSWERS."""

    def __init__(self, service: str, calls: list[tuple[str, str]]):
        self.service = service
        self._calls = calls
        self._operations = {xform_name(name): name for name in service_model(service).operation_names}

    def checked(self, operation: str, parameters: Mapping[str, Any]) -> None:
        validate_parameters(dict(parameters), service_model(self.service).operation_model(operation).input_shape)
        self._calls.append((self.service, operation))

    def __getattr__(self, method: str) -> Callable[..., Any]:
        if method not in self._operations:
            raise AttributeError(f"{self.service} has no operation {method}")
        operation = self._operations[method]

        def call(**parameters: Any) -> Any:
            self.checked(operation, parameters)
            answer = ANSWERS.get(operation, {})
            if isinstance(answer, Exception):
                raise answer
            return answer

        return call

    def can_paginate(self, method: str) -> bool:
        return self._operations.get(method) in service_model(self.service).operation_names

    def get_paginator(self, method: str) -> Any:
        """Pages of one: the answer to the listing call itself."""

        def paginate(**parameters: Any) -> Iterator[dict]:
            parameters.pop("PaginationConfig", None)
            yield getattr(self, method)(**parameters)

        return SimpleNamespace(paginate=paginate)


class CheckedAws:
    """Stands in for session.Aws: a checked client per service, every call recorded in one list."""

    def __init__(self, region: str):
        self.region = region
        self.calls: list[tuple[str, str]] = []
        self._clients: dict[str, CheckedClient] = {}

    def client(self, service: str) -> CheckedClient:
        return self._clients.setdefault(service, CheckedClient(service, self.calls))


def checked_wait(client: CheckedClient, name: str, /, **arguments: Any) -> None:
    """Instead of polling: the waiter must exist, and its first request be valid."""
    arguments.pop("WaiterConfig", None)
    client.checked(polled_operation(client.service, name), arguments)


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
    monkeypatch.setattr(waiters, "wait", checked_wait)
    checked = CheckedAws("us-west-2")
    aws = cast(Aws, checked)  # a stand-in: the handlers only ask it for its region and clients
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
    sent = set(checked.calls)
    assert {("eks", "CreateAddon"), ("eks", "UpdateAddon"), ("eks", "DeleteAddon"), ("eks", "DescribeAddon"),
            ("eks", "CreateAccessEntry"), ("eks", "TagResource"), ("eks", "DeleteAccessEntry")} <= sent
