"""The emulator made to take as long as AWS would (bench/aws_model.py), scaled down, so apply's waiters poll for real.

moto makes every resource ready at once. This layer, on the botocore session apply runs with (its event hooks,
the way design.md injects latency), stands where AWS's own timing would be:
  - a slow resource (a control plane, a node group, a NAT gateway, EFS, a certificate's validation record) reports
    itself still being made (CREATING, pending, creating, no record yet) in every description until its modelled
    duration has passed since its create call answered;
  - a quick one's create call answers no sooner than its modelled duration after it was made (later if the
    emulator itself takes longer);
  - EKS add-ons, which moto answers with 404, are served here in the JSON shapes of botocore's eks model
    (CreateAddon, DescribeAddon: restJson1, POST and GET /clusters/{name}/addons[/{addonName}]), CREATING until
    their modelled duration has passed, counted for an add-on running a Deployment from when a node of its host
    groups is Ready (modelled from the group's CreateAutoScalingGroup), then ACTIVE.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timezone
from typing import Any

from botocore.awsrequest import AWSResponse

from aws_model import Durations
from domino_eks.knowledge import addons
from domino_eks.provision import kinds

# the call that makes a resource of each type, as botocore names its operations
CREATES = {
    kinds.VPC: "CreateVpc", kinds.SUBNET: "CreateSubnet", kinds.INTERNET_GATEWAY: "CreateInternetGateway",
    kinds.ELASTIC_IP: "AllocateAddress", kinds.ROUTE_TABLE: "CreateRouteTable",
    kinds.SECURITY_GROUP: "CreateSecurityGroup", kinds.SECURITY_GROUP_INGRESS: "AuthorizeSecurityGroupIngress",
    kinds.LAUNCH_TEMPLATE: "CreateLaunchTemplate", kinds.AUTO_SCALING_GROUP: "CreateAutoScalingGroup",
    kinds.IAM_ROLE: "CreateRole", kinds.IAM_POLICY: "CreatePolicy", kinds.INSTANCE_PROFILE: "CreateInstanceProfile",
    kinds.EKS_ACCESS_ENTRY: "CreateAccessEntry", kinds.EKS_POD_IDENTITY: "CreatePodIdentityAssociation",
    kinds.EFS_ACCESS_POINT: "CreateAccessPoint", kinds.S3_BUCKET: "CreateBucket",
    kinds.S3_BUCKET_POLICY: "PutBucketPolicy", kinds.ECR_REPOSITORY: "CreateRepository",
    kinds.DNS_RECORD: "ChangeResourceRecordSets", kinds.KMS_KEY: "CreateKey",
    kinds.LOG_GROUP: "CreateLogGroup", kinds.FLOW_LOG: "CreateFlowLogs",
}
_ADDON_PATH = re.compile(r"/clusters/(?P<cluster>[^/]+)/addons(?:/(?P<name>[^/?]+))?")


class _Body:
    """The raw body botocore reads a response from."""

    def __init__(self, body: bytes):
        self._body = body

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self._body

    def read(self, *_: Any) -> bytes:
        return self._body


class SlowAws:
    """Registered on a boto3 session: every client made from it sees resources take `durations`, times `scale`;
    `hosts` names the Auto Scaling groups whose nodes the add-ons running a Deployment need."""

    def __init__(self, durations: Durations, scale: float, region: str, hosts: frozenset[str]):
        self._durations = durations
        self._scale = scale
        self._region = region
        self._hosts = hosts
        self._ready_at: dict[tuple[str, str], float] = {}  # (type, identifier) -> perf_counter when usable
        self._nodes_ready_at: dict[str, float] = {}  # host group -> perf_counter when its first node is Ready
        self._addons: dict[tuple[str, str], dict] = {}  # (cluster, add-on) -> its Addon object, as created
        self._created_at: dict[tuple[str, str], float] = {}
        self._calls = threading.local()  # when the current thread's call was made
        self._lock = threading.Lock()

    def register(self, events: Any) -> None:
        for kind, operation in CREATES.items():
            events.register(f"before-call.*.{operation}", self._call_made)
            events.register(f"after-call.*.{operation}", self._answering_after(self._durations.of_type(kind)))
        for operation, (kind, identify) in _SLOW_CREATES.items():
            events.register(f"after-call.*.{operation}", self._started(kind, identify))
        for operation, still_making in _DESCRIPTIONS.items():
            events.register(f"after-call.*.{operation}", self._describing(still_making))
        events.register("before-parameter-build.*.CreateAutoScalingGroup", self._nodes_booting)
        events.register("before-send.eks.CreateAddon", self._create_addon)
        events.register("before-send.eks.DescribeAddon", self._describe_addon)

    def _call_made(self, **_: Any) -> None:
        self._calls.made = time.perf_counter()

    def _answering_after(self, seconds: float) -> Callable[..., None]:
        def wait(**_: Any) -> None:
            time.sleep(max(0.0, self._calls.made + seconds * self._scale - time.perf_counter()))
        return wait

    def _nodes_booting(self, params: dict, **_: Any) -> None:
        name = params["AutoScalingGroupName"]
        if name in self._hosts:
            with self._lock:
                self._nodes_ready_at[name] = time.perf_counter() + self._durations.node_ready * self._scale

    def _started(self, kind: str, identify: Callable[[dict], str]) -> Callable[..., None]:
        def record(parsed: dict, **_: Any) -> None:
            if "Error" not in parsed:
                with self._lock:
                    self._ready_at[(kind, identify(parsed))] = (
                        time.perf_counter() + self._durations.of_type(kind) * self._scale)
        return record

    def making(self, kind: str, identifier: str) -> bool:
        with self._lock:
            ready = self._ready_at.get((kind, identifier))
        return ready is not None and time.perf_counter() < ready

    def _describing(self, still_making: Callable[[SlowAws, dict], None]) -> Callable[..., None]:
        def rewrite(parsed: dict, **_: Any) -> None:
            if "Error" not in parsed:
                still_making(self, parsed)
        return rewrite

    def _addon_active(self, cluster: str, name: str) -> bool:
        with self._lock:
            start = self._created_at[(cluster, name)]
            if name not in addons.DAEMON_SETS and self._hosts:
                if self._nodes_ready_at.keys() < self._hosts:
                    return False  # a host group not made yet: no node for its pods
                start = max(start, *self._nodes_ready_at.values())
        return time.perf_counter() >= start + self._durations.addon(name) * self._scale

    def _create_addon(self, request: Any, **_: Any) -> AWSResponse:
        cluster = _ADDON_PATH.search(request.url).group("cluster")
        body = json.loads(request.body)
        name = body["addonName"]
        now = datetime.now(timezone.utc).isoformat()
        addon = {"addonName": name, "clusterName": cluster, "status": "CREATING", "addonVersion": "v1.0.0-eksbuild.1",
                 "health": {"issues": []}, "createdAt": now, "modifiedAt": now, "tags": body.get("tags") or {},
                 "addonArn": f"arn:aws:eks:{self._region}:123456789012:addon/{cluster}/{name}/bench",
                 "configurationValues": body.get("configurationValues", "")}
        with self._lock:
            self._addons[(cluster, name)] = addon
            self._created_at[(cluster, name)] = time.perf_counter()
        return _answer(request, 200, {"addon": addon})

    def _describe_addon(self, request: Any, **_: Any) -> AWSResponse:
        found = _ADDON_PATH.search(request.url)
        cluster, name = found.group("cluster"), found.group("name")
        with self._lock:
            addon = self._addons.get((cluster, name))
        if addon is None:
            return _answer(request, 404, {"message": f"No addon: {name} found in cluster: {cluster}"},
                           error="ResourceNotFoundException")
        status = "ACTIVE" if self._addon_active(cluster, name) else "CREATING"
        return _answer(request, 200, {"addon": {**addon, "status": status}})


def _answer(request: Any, status: int, body: dict, error: str | None = None) -> AWSResponse:
    headers = {"Content-Type": "application/json"}
    if error:
        headers["x-amzn-ErrorType"] = error
    return AWSResponse(request.url, status, headers, _Body(json.dumps(body).encode()))


def _cluster(aws: SlowAws, parsed: dict) -> None:
    if aws.making(kinds.EKS_CLUSTER, parsed["cluster"]["name"]):
        parsed["cluster"]["status"] = "CREATING"


def _nodegroup(aws: SlowAws, parsed: dict) -> None:
    group = parsed["nodegroup"]
    if aws.making(kinds.EKS_NODEGROUP, f"{group['clusterName']}/{group['nodegroupName']}"):
        group["status"] = "CREATING"


def _listed(kind: str, items: str, id_key: str, state_key: str, making: str) -> Callable[[SlowAws, dict], None]:
    """A describer of a listing (`items` of the answer): each item still being made shows `state_key` `making`."""

    def describe(aws: SlowAws, parsed: dict) -> None:
        for item in parsed.get(items, ()):
            if aws.making(kind, item[id_key]):
                item[state_key] = making

    return describe


def _certificate(aws: SlowAws, parsed: dict) -> None:
    certificate = parsed["Certificate"]
    if aws.making(kinds.CERTIFICATE, certificate["CertificateArn"]):
        for option in certificate.get("DomainValidationOptions", ()):
            option.pop("ResourceRecord", None)


# create call -> (type, how its answer names the resource)
_SLOW_CREATES: dict[str, tuple[str, Callable[[dict], str]]] = {
    "CreateCluster": (kinds.EKS_CLUSTER, lambda parsed: parsed["cluster"]["name"]),
    "CreateNodegroup": (kinds.EKS_NODEGROUP,
                        lambda parsed: f"{parsed['nodegroup']['clusterName']}/{parsed['nodegroup']['nodegroupName']}"),
    "CreateNatGateway": (kinds.NAT_GATEWAY, lambda parsed: parsed["NatGateway"]["NatGatewayId"]),
    "CreateFileSystem": (kinds.EFS_FILE_SYSTEM, lambda parsed: parsed["FileSystemId"]),
    "CreateMountTarget": (kinds.EFS_MOUNT_TARGET, lambda parsed: parsed["MountTargetId"]),
    "RequestCertificate": (kinds.CERTIFICATE, lambda parsed: parsed["CertificateArn"]),
}
# description call -> what it shows of a resource still being made
_DESCRIPTIONS: dict[str, Callable[[SlowAws, dict], None]] = {
    "DescribeCluster": _cluster, "DescribeNodegroup": _nodegroup,
    "DescribeNatGateways": _listed(kinds.NAT_GATEWAY, "NatGateways", "NatGatewayId", "State", "pending"),
    "DescribeFileSystems": _listed(kinds.EFS_FILE_SYSTEM, "FileSystems", "FileSystemId", "LifeCycleState", "creating"),
    "DescribeMountTargets": _listed(kinds.EFS_MOUNT_TARGET, "MountTargets", "MountTargetId", "LifeCycleState",
                                    "creating"),
    "DescribeCertificate": _certificate,
}
