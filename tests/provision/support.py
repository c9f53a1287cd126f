"""Test support for provisioning: small specs, and independent counts of what exists.

The tests run against the embedded emulator (`domino_eks.aws.emulator`, a moto server in a process of its own:
moto keeps its state per process, and other tests in the same process run moto servers of their own).
Counting goes through plain boto3 calls, never through the discovery code under test.
"""

from __future__ import annotations

import functools
import itertools
import json
import random
import threading
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.awsrequest import AWSResponse
from botocore.exceptions import ReadTimeoutError
from botocore.httpsession import URLLib3Session
from botocore.session import get_session
from werkzeug.exceptions import InternalServerError

from domino_eks.aws import session
from domino_eks.provision import kinds
from domino_eks.provision.graph import Graph
from domino_eks.provision.resources import Key

REGION = "us-west-2"
SERVICES = ("ec2", "iam", "autoscaling", "eks", "efs", "s3", "acm", "route53", "ecr", "ssm", "kms", "logs", "sts")
def unique_name() -> str:
    """A cluster name no other test uses, so tests can share the server (buckets are named after it)."""
    return f"t{uuid.uuid4().hex[:12]}"


def one_deployment_per_module(**options: Any) -> tuple[Any, Any]:
    """Fixtures `name` and `spec` (of `write_spec` with `options`) of module scope, for a module whose tests only read
    what one apply made: assign them to `name, spec` at its top level, where pytest looks for fixtures."""

    @pytest.fixture(scope="module")
    def name() -> str:
        return unique_name()

    @pytest.fixture(scope="module")
    def spec(tmp_path_factory, name):
        return write_spec(tmp_path_factory.mktemp("spec") / "domino.yaml", name, **options)

    return name, spec


def write_spec(path: Path, name: str, *, zones: int = 1, gpu: bool = False, hosted_zone: str | None = None,
               vpc_id: str | None = None, managed: bool = False, autoscaler: bool = True,
               registry: str | None = None) -> Path:
    """A small spec: the page's platform and default pools (and a GPU one), in 1 or 3 zones."""
    zone_list = [f"{REGION}{letter}" for letter in "abc"[:zones]]
    platform_nodes = 3 // zones  # per zone: the platform needs 3 nodes in all (rule P002), which apply enforces
    pools = [
        {"name": "platform", "instanceType": "m5.2xlarge", "volumeSize": 128, "minSize": platform_nodes,
         "maxSize": 3, "desiredCapacity": platform_nodes},
        {"name": "default", "instanceType": "m5.2xlarge", "volumeSize": 400, "minSize": 0, "maxSize": 10,
         "desiredCapacity": 1, "labels": {"domino/build-node": "true"}, "managed": managed},
    ]
    if gpu:
        pools.append({"name": "gpu", "label": "default-gpu", "instanceType": "g5.2xlarge", "volumeSize": 400,
                      "minSize": 0, "maxSize": 2, "labels": {"nvidia.com/gpu": "true"},
                      "taints": [{"key": "nvidia.com/gpu", "value": "true", "effect": "NoSchedule"}]})
    spec = {
        "apiVersion": "domino-eks.io/v1alpha1", "kind": "DominoCluster",
        "metadata": {"name": name, "region": REGION},
        "availabilityZones": zone_list,
        "nodePools": pools,
        "domain": {"fqdn": f"{name}.example.com", **({"hostedZoneId": hosted_zone} if hosted_zone else {})},
        "autoscaler": {"enabled": autoscaler},
    }
    if vpc_id:
        spec["network"] = {"vpcId": vpc_id}
    if registry:
        spec["domino"] = {"registry": {"type": registry}}
    path.write_text(json.dumps(spec, indent=2))  # JSON is YAML
    return path


@functools.cache  # a client is thread-safe and keeps no state of a test: making one parses its service's model
def clients(url: str) -> dict:
    raw = boto3.Session(region_name=REGION, aws_access_key_id="testing", aws_secret_access_key="testing")
    return {name: raw.client(name, endpoint_url=url) for name in SERVICES}


def tagged(url: str, name: str) -> Counter:
    """How many live resources of each type carry the tag domino-eks/deployment=<name>.

    Every item's tags are checked here: the emulator ignores the tag filter of some listings (NAT gateways).
    """
    c = clients(url)

    def listed(service: str, operation: str, key: str, **arguments) -> list:
        pages = c[service].get_paginator(operation).paginate(**arguments)
        return [item for page in pages for item in page[key]]

    def count(items, live=lambda item: True) -> int:
        return sum(_has(item.get("Tags"), name) and live(item) for item in items)

    # the tag filter as well: the emulator stops listing launch templates after its first page
    ours = [{"Name": "tag:domino-eks/deployment", "Values": [name]}]

    counts = Counter({
        kinds.VPC: count(listed("ec2", "describe_vpcs", "Vpcs", Filters=ours)),
        kinds.SUBNET: count(listed("ec2", "describe_subnets", "Subnets", Filters=ours)),
        kinds.INTERNET_GATEWAY: count(listed("ec2", "describe_internet_gateways", "InternetGateways", Filters=ours)),
        kinds.ELASTIC_IP: count(c["ec2"].describe_addresses(Filters=ours)["Addresses"]),
        kinds.NAT_GATEWAY: count(listed("ec2", "describe_nat_gateways", "NatGateways"),
                                 live=lambda n: n["State"] in ("pending", "available")),
        kinds.ROUTE_TABLE: count(listed("ec2", "describe_route_tables", "RouteTables", Filters=ours)),
        kinds.SECURITY_GROUP: count(listed("ec2", "describe_security_groups", "SecurityGroups", Filters=ours)),
        kinds.SECURITY_GROUP_INGRESS: count(listed("ec2", "describe_security_group_rules", "SecurityGroupRules",
                                                   Filters=ours)),
        kinds.LAUNCH_TEMPLATE: count(listed("ec2", "describe_launch_templates", "LaunchTemplates", Filters=ours)),
        kinds.AUTO_SCALING_GROUP: count(listed("autoscaling", "describe_auto_scaling_groups", "AutoScalingGroups",
                                               Filters=ours)),
        "instances": count([i for r in listed("ec2", "describe_instances", "Reservations", Filters=ours)
                            for i in r["Instances"]],
                           live=lambda i: i["State"]["Name"] != "terminated"),
        kinds.EFS_FILE_SYSTEM: count(listed("efs", "describe_file_systems", "FileSystems")),
        kinds.CERTIFICATE: sum(_has(c["acm"].list_tags_for_certificate(CertificateArn=s["CertificateArn"]).get("Tags"),
                                    name)
                               for s in listed("acm", "list_certificates", "CertificateSummaryList")),
        # apply names buckets and IAM objects after the cluster: only those can carry its tag
        kinds.S3_BUCKET: sum(_bucket_is(c["s3"], b["Name"], name) for b in listed("s3", "list_buckets", "Buckets")
                             if b["Name"].startswith(name)),
        kinds.EKS_CLUSTER: name in listed("eks", "list_clusters", "clusters"),
        kinds.ECR_REPOSITORY: sum(_has(c["ecr"].list_tags_for_resource(resourceArn=r["repositoryArn"])["tags"], name)
                                  for r in listed("ecr", "describe_repositories", "repositories")),
        kinds.IAM_ROLE: sum(_has(c["iam"].list_role_tags(RoleName=r["RoleName"])["Tags"], name)
                            for r in listed("iam", "list_roles", "Roles") if r["RoleName"].startswith(name)),
        kinds.IAM_POLICY: sum(_has(c["iam"].list_policy_tags(PolicyArn=p["Arn"])["Tags"], name)
                              for p in listed("iam", "list_policies", "Policies", Scope="Local")
                              if p["PolicyName"].startswith(name)),
    })
    return +counts  # drop the zeros


def _has(tag_list, name: str) -> bool:
    return any(t["Key"] == "domino-eks/deployment" and t["Value"] == name for t in tag_list or ())


def _bucket_is(s3, bucket: str, name: str) -> bool:
    try:
        return _has(s3.get_bucket_tagging(Bucket=bucket)["TagSet"], name)
    except s3.exceptions.ClientError:
        return False


def expected(graph: Graph) -> Counter:
    """What `tagged` should count after a complete apply of `graph` (the types it counts)."""
    counted = {kinds.VPC, kinds.SUBNET, kinds.INTERNET_GATEWAY, kinds.ELASTIC_IP, kinds.NAT_GATEWAY, kinds.ROUTE_TABLE,
               kinds.SECURITY_GROUP, kinds.SECURITY_GROUP_INGRESS, kinds.LAUNCH_TEMPLATE, kinds.AUTO_SCALING_GROUP,
               kinds.EFS_FILE_SYSTEM, kinds.CERTIFICATE, kinds.S3_BUCKET, kinds.EKS_CLUSTER, kinds.IAM_ROLE,
               kinds.IAM_POLICY, kinds.ECR_REPOSITORY}
    return Counter(r.key.type for r in graph if r.key.type in counted and not r.external)


def aws_with_hooks(url: str, **hooks) -> session.Aws:
    """Our client factory over a session carrying botocore event hooks (event name -> handler)."""
    raw = session.static_session(REGION)
    for event, handler in hooks.items():
        raw.events.register(event, handler)
    return session.Aws(raw, url, retries=session.PROVISIONING)


class Killed(BaseException):
    """What a killed process would not survive: not an Exception, so nothing in the code catches it."""


class Killer:
    """A before-call hook that lets `allowed` AWS calls through once armed, then kills every later one."""

    def __init__(self, allowed: int):
        self.allowed = allowed
        self._calls: Iterator[int] | None = None
        self._lock = threading.Lock()

    def arm(self) -> None:
        self._calls = itertools.count(1)

    def __call__(self, **_) -> None:
        if self._calls is None:
            return
        with self._lock:
            call = next(self._calls)
        if call > self.allowed:
            raise Killed(f"killed at AWS call {call}")


_THROTTLED = {  # protocol -> (HTTP status, body): how each AWS protocol says "slow down"
    "ec2": (503, "<Response><Errors><Error><Code>RequestLimitExceeded</Code><Message>Request limit exceeded."
                 "</Message></Error></Errors><RequestID>t</RequestID></Response>"),
    "query": (400, "<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded"
                   "</Message></Error><RequestId>t</RequestId></ErrorResponse>"),
    "json": (400, '{"__type": "ThrottlingException", "message": "Rate exceeded"}'),
    "rest-json": (400, '{"__type": "ThrottlingException", "message": "Rate exceeded"}'),
    "rest-xml": (503, "<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>"),
}


class _Raw:
    """The raw body botocore reads from a response."""

    def __init__(self, body: bytes):
        self._body = body

    def stream(self, **_) -> Iterator[bytes]:
        yield self._body

    def read(self, *_) -> bytes:
        return self._body


class Throttler:
    """A before-send hook that, once armed, answers a share of calls (a seeded draw) with the protocol's
    throttling error."""

    def __init__(self, share: float, seed: int):
        self.share = share
        self.throttled = 0
        self._armed = False
        self._random = random.Random(seed)
        self._lock = threading.Lock()
        models = get_session()
        self._protocols = {
            models.get_service_model(s).service_id.hyphenize(): models.get_service_model(s).metadata["protocol"]
            for s in SERVICES
        }

    def arm(self) -> None:
        self._armed = True

    def __call__(self, request, event_name: str, **_):
        with self._lock:
            if not self._armed or self._random.random() >= self.share:
                return None
            self.throttled += 1
        status, body = _THROTTLED[self._protocols[event_name.split(".")[1]]]
        headers = {"Content-Type": "application/json" if body.startswith("{") else "text/xml",
                   "x-amzn-ErrorType": "ThrottlingException"}
        return AWSResponse(request.url, status, headers, _Raw(body.encode()))


def ancestors(graph: Graph, key: Key) -> frozenset[Key]:
    """Everything `key` waits for in `graph`, directly or not."""
    seen: set[Key] = set()
    pending = list(graph[key].dependencies)
    while pending:
        current = pending.pop()
        if current not in seen:
            seen.add(current)
            pending.extend(graph[current].dependencies)
    return frozenset(seen)


class FirstCalls:
    """Picks the first call of each of `operations`, once each whatever the threads; `met` holds those picked."""

    def __init__(self, *operations: str):
        self.operations = frozenset(operations)
        self.met: set[str] = set()
        self._lock = threading.Lock()

    def first(self, event_name: str) -> bool:
        operation = event_name.rsplit(".", 1)[1]
        with self._lock:
            if operation not in self.operations or operation in self.met:
                return False
            self.met.add(operation)
            return True


class CrashPage(FirstCalls):
    """A before-send hook that answers the first call of each of `operations` with the page moto's server (Flask)
    sends when a request's handler raises, as its IAM does when AttachRolePolicy iterates the account's policies
    while a CreatePolicy of another thread adds one ("dictionary changed size during iteration"). The request
    never reaches the emulator: like moto's, the failure comes before any write."""

    def __call__(self, request, event_name: str, **_):
        if not self.first(event_name):
            return None
        page = InternalServerError()
        return AWSResponse(request.url, page.code, {"Content-Type": "text/html; charset=utf-8"},
                           _Raw(page.get_body().encode()))


class LostAnswer(FirstCalls):
    """A before-send hook that delivers the first call of each of `operations` to the emulator itself, then drops
    the answer as a read timeout would: AWS did what was asked, the client never heard, and botocore retries the
    call, which finds the name taken."""

    def __init__(self, *operations: str):
        super().__init__(*operations)
        self._http = URLLib3Session()

    def __call__(self, request, event_name: str, **_):
        if not self.first(event_name):
            return None
        delivered = self._http.send(request)
        assert delivered.status_code == 200, delivered.content
        raise ReadTimeoutError(endpoint_url=request.url, error="the answer was lost")


class IamAnswers:
    """A before-send hook answering the IAM calls named in `errors` with an IAM error (code, message) as IAM sends
    one (query protocol, HTTP 400); every other call reaches the emulator. `calls` lists every IAM call made."""

    def __init__(self, **errors: tuple[str, str]):
        self.errors = errors
        self.calls: list[str] = []

    def __call__(self, request, event_name: str, **_):
        operation = event_name.rsplit(".", 1)[1]
        if event_name.split(".")[1] != "iam":
            return None
        self.calls.append(operation)
        if operation not in self.errors:
            return None
        code, message = self.errors[operation]
        body = (f"<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message></Error>"
                "<RequestId>r</RequestId></ErrorResponse>")
        return AWSResponse(request.url, 400, {"Content-Type": "text/xml"}, _Raw(body.encode()))
