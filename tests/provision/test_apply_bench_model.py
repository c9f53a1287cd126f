"""The apply bench's model of AWS (bench/aws_model.py) and the emulator made to keep to it (bench/slow_aws.py): the
critical path comes from published durations and AWS's own requirements, never from apply's order or timings."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from domino_eks.aws import session
from domino_eks.knowledge import addons, aws_durations
from domino_eks.provision import desired, kinds
from domino_eks.provision.resources import Key
from tests.provision.support import REGION

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
import aws_model  # noqa: E402  (bench/ holds scripts, not a package)
from slow_aws import SlowAws  # noqa: E402

CLUSTER = Key(kinds.EKS_CLUSTER, "cluster")
NEVER = 1e9  # seconds: a modelled duration that does not pass during a test
AT_ONCE = 0.0  # one that has passed already


def test_the_model_waits_for_what_aws_requires_not_for_the_order_apply_chooses(multi_az):
    graph = desired.build(multi_az)
    waits = aws_model.Model.of(graph, multi_az).waits
    assert set(waits) == {r.key for r in graph}
    # a value it is made from, and a need no value carries: a public NAT gateway fails without the internet gateway
    assert waits[Key(kinds.NAT_GATEWAY, "nat-gateway")] == {
        Key(kinds.SUBNET, "public-us-west-2a"), Key(kinds.ELASTIC_IP, "nat-address"),
        Key(kinds.INTERNET_GATEWAY, "internet-gateway")}
    # apply makes the control plane's log group first (to own its retention); AWS needs no such order
    assert Key(kinds.LOG_GROUP, "control-plane-logs") in graph[CLUSTER].dependencies
    assert Key(kinds.LOG_GROUP, "control-plane-logs") not in waits[CLUSTER]
    # a DaemonSet add-on needs the cluster only; a Deployment's pods a node group that starts with nodes
    assert waits[Key(kinds.EKS_ADDON, "vpc-cni")] == {CLUSTER}
    platform = {Key(kinds.AUTO_SCALING_GROUP, f"domino-platform-{zone}") for zone in "abc"}
    assert waits[Key(kinds.EKS_ADDON, "coredns")] == {CLUSTER, *platform}
    # nodes join only once routed and let in
    routes = {Key(kinds.ROUTE_TABLE, "public-routes"), Key(kinds.ROUTE_TABLE, "private-routes")}
    assert routes <= waits[Key(kinds.AUTO_SCALING_GROUP, "domino-gpu-a")]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_durations_are_drawn_within_the_published_range_of_each_type(seed):
    durations = aws_model.Durations.draw(seed)
    assert durations == aws_model.Durations.draw(seed)
    for kind, published in {**aws_model.QUICK, **aws_model.SLOW}.items():
        assert published.quickest <= durations.of_type(kind) <= published.slowest, kind
    assert durations.of_type(kinds.EKS_CLUSTER) == durations.by_type[kinds.EKS_CLUSTER]
    for addon, published in (("kube-proxy", aws_durations.ADDON_DAEMON_SET),
                             ("aws-ebs-csi-driver", aws_durations.ADDON_DEPLOYMENT)):
        assert published.quickest <= durations.addon(addon) <= published.slowest
    assert aws_model.NODE_READY.quickest <= durations.node_ready <= aws_model.NODE_READY.slowest


def test_a_deployment_addon_on_self_managed_nodes_counts_their_boot_and_a_daemon_set_addon_does_not(multi_az):
    model = aws_model.Model.of(desired.build(multi_az), multi_az)
    durations = aws_model.Durations.draw(1)
    assert model.seconds(Key(kinds.EKS_ADDON, "coredns"), durations) == (
        durations.deployment_addon + durations.node_ready)
    assert model.seconds(Key(kinds.EKS_ADDON, "vpc-cni"), durations) == durations.daemon_set_addon
    assert model.seconds(CLUSTER, durations) == durations.by_type[kinds.EKS_CLUSTER]
    assert model.seconds(Key(kinds.LAUNCH_TEMPLATE, "domino-platform-a"), durations) == (
        (aws_model.API_CALL.quickest + aws_model.API_CALL.slowest) / 2)


def test_the_critical_path_is_the_longest_chain_of_waits_weighted_by_duration():
    a, b, c, d = (Key("T", name) for name in "abcd")
    waits = {a: frozenset(), b: frozenset({a}), c: frozenset({a}), d: frozenset({b, c})}
    length, chain = aws_model.critical_path(waits, {a: 1.0, b: 5.0, c: 2.0, d: 1.0})
    assert (length, chain) == (7.0, [a, b, d])


def _clients(endpoint: str, slow: SlowAws):
    raw = session.static_session(REGION)
    slow.register(raw.events)
    return raw.client("ec2", endpoint_url=endpoint), raw.client("eks", endpoint_url=endpoint)


def _taking(nat_gateway: float = AT_ONCE, addon: float = AT_ONCE, hosts: frozenset[str] = frozenset()) -> SlowAws:
    """The emulator with these modelled durations (the network's other types at once), at full scale."""
    quick = {kinds.VPC: AT_ONCE, kinds.SUBNET: AT_ONCE, kinds.ELASTIC_IP: AT_ONCE}
    durations = aws_model.Durations({**quick, kinds.NAT_GATEWAY: nat_gateway}, addon, addon, AT_ONCE)
    return SlowAws(durations, 1.0, REGION, hosts)


def _nat_gateway_state(ec2) -> str:
    vpc = ec2.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.9.0.0/24")["Subnet"]["SubnetId"]
    address = ec2.allocate_address(Domain="vpc")["AllocationId"]
    gateway = ec2.create_nat_gateway(SubnetId=subnet, AllocationId=address)["NatGateway"]["NatGatewayId"]
    return ec2.describe_nat_gateways(NatGatewayIds=[gateway])["NatGateways"][0]["State"]


def test_a_nat_gateway_is_pending_on_the_emulator_until_its_modelled_duration_has_passed(endpoint):
    ec2, _ = _clients(endpoint, _taking(nat_gateway=NEVER))
    assert _nat_gateway_state(ec2) == "pending"
    ec2, _ = _clients(endpoint, _taking(nat_gateway=AT_ONCE))
    assert _nat_gateway_state(ec2) == "available"


def _addon_status(eks, name: str) -> str:
    return eks.describe_addon(clusterName="c", addonName=name)["addon"]["status"]


def test_addons_are_served_creating_until_their_time_and_for_deployments_until_a_host_group_exists(endpoint):
    _, eks = _clients(endpoint, _taking(addon=NEVER))
    eks.create_addon(clusterName="c", addonName="kube-proxy")
    assert _addon_status(eks, "kube-proxy") == "CREATING"
    _, eks = _clients(endpoint, _taking(addon=AT_ONCE, hosts=frozenset({"c-platform"})))
    eks.create_addon(clusterName="c", addonName="kube-proxy")
    assert _addon_status(eks, "kube-proxy") == "ACTIVE"
    assert "coredns" not in addons.DAEMON_SETS
    eks.create_addon(clusterName="c", addonName="coredns")  # its host group is not made: no node for its pods
    assert _addon_status(eks, "coredns") == "CREATING"
    with pytest.raises(eks.exceptions.ResourceNotFoundException):
        _addon_status(eks, "aws-efs-csi-driver")
