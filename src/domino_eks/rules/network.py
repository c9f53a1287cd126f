"""Rules N001-N006: network plugin, subnets, address space, egress and Docker bridge ("Network plugin",
"VPC networking", "Docker bridge")."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterator
from functools import partial

from domino_eks.knowledge import eks_versions, subnet_layout
from domino_eks.model import Deployment, NodeGroup, Subnet
from domino_eks.rules.base import REGISTRY, Outcome, Severity, failed, passed, skipped
from domino_eks.rules.unknown import Gap, unknown

plugin_rule = partial(REGISTRY.rule, section="Network plugin")
vpc_rule = partial(REGISTRY.rule, section="VPC networking")
bridge_rule = partial(REGISTRY.rule, section="Docker bridge")
ENFORCING_ENGINES = ("calico", "vpc-cni", "cilium")
_DOCKER_BRIDGE_FLAG = re.compile(r"--enable-docker-bridge[=\s]+true\b")
# where the network comes from: the cluster's version and VPC config (EKS), the VPC's subnets, routes
# and the nodes' instances (EC2), or no AWS side at all
_NETWORK_GAPS = (Gap.EC2, Gap.EKS, Gap.AWS)


@plugin_rule(
    "N001", Severity.ERROR,
    title="Network plugin does not enforce NetworkPolicy",
    rationale=(
        "Domino relies on Kubernetes NetworkPolicies to isolate execution pods from each other and from the "
        "platform. The page says the cluster must use a networking solution that supports NetworkPolicy, "
        "such as Calico; without one the policies are accepted by the API server and silently ignored."
    ),
    fix="Enable the Amazon VPC CNI's network policy agent (vpc-cni add-on configuration "
        "enableNetworkPolicy: \"true\", network.networkPolicy: vpc-cni in the spec) or install Calico.",
)
def network_policy_enforced(d: Deployment) -> Iterator[Outcome]:
    engine = d.network.policy_engine
    if engine is None:
        yield unknown(d, "who enforces NetworkPolicy", {
            "eksctl": "this ClusterConfig has no vpc-cni add-on with enableNetworkPolicy, and Calico is "
                      "installed after eksctl; checked live by domino-eks check",
        }, (Gap.KUBERNETES,))
    elif engine in ENFORCING_ENGINES:
        yield passed(f"NetworkPolicy is enforced by {engine}.")
    else:
        yield failed(f"network policy engine is {engine!r}: Domino's NetworkPolicies would not be enforced, "
                     "so any pod could reach any other.", d.network.location)


@plugin_rule(
    "N002", Severity.ERROR,
    title="Node subnet too small for the Amazon VPC CNI",
    rationale=(
        "With the Amazon VPC CNI every pod takes an address of its node's subnet. The page asks for subnets "
        f"of at least a /{subnet_layout.NODE_SUBNET_PREFIX_LIMIT} for the cluster; a smaller subnet runs out of "
        "addresses and new pods stay in ContainerCreating."
    ),
    fix=f"Give the nodes subnets of a /{subnet_layout.NODE_SUBNET_PREFIX_LIMIT} or larger (the spec sizes them from "
        "the pools), or add a pod subnet with VPC CNI custom networking.",
)
def node_subnets_large_enough(d: Deployment) -> Iterator[Outcome]:
    if (outcome := _unless_pods_use_node_subnets(d)) is not None:
        yield outcome
    elif d.network.subnets is None:
        yield _unknown_subnets(d)
    else:
        yield from _subnet_sizes(d, _node_subnets(d))


def _unless_pods_use_node_subnets(d: Deployment) -> Outcome | None:
    """The outcome standing in for N002 and N006 when pods do not, or may not, take node subnet addresses."""
    if d.network.cni is None:
        return unknown(d, "the CNI that hands out pod addresses", gaps=_NETWORK_GAPS)
    if d.network.cni != "vpc-cni":
        return passed(f"not applicable: pod addresses come from {d.network.cni}, not from the node subnets.")
    return None


def _unknown_subnets(d: Deployment) -> Outcome:
    return unknown(d, "the cluster's subnets", {"eksctl": "this ClusterConfig names no subnets; eksctl creates them"},
                   _NETWORK_GAPS)


def _subnet_sizes(d: Deployment, subnets: list[Subnet]) -> Iterator[Outcome]:
    if not subnets:
        yield skipped("the nodes' subnets are unknown: no subnet of the nodes' kind (private or public) lies in "
                      "their zones.")
        return
    minimum = subnet_layout.NODE_SUBNET_PREFIX_LIMIT
    for subnet in subnets:
        network = _cidr(subnet.cidr)
        if network is None:
            yield failed(f"node subnet {_describe(subnet)} is not a CIDR such as 10.0.0.0/23.", d.network.location)
        elif network.prefixlen > minimum:
            prefix = network.prefixlen
            yield failed(f"node subnet {_describe(subnet)} is a /{prefix} with {subnet_layout.usable(prefix)} usable "
                         f"addresses, smaller than a /{minimum} ({subnet_layout.usable(minimum)}): with the VPC CNI "
                         "every pod takes one, so pods stop starting as the pools grow.", d.network.location)
    yield passed(f"every node subnet is a /{minimum} or larger.")


def _node_subnets(d: Deployment) -> list[Subnet]:
    """Subnets that nodes take addresses from: private ones unless nodes have public IPs, in the nodes' zones."""
    public = d.network.private_nodes is False
    zones = d.node_zones
    return [s for s in d.network.subnets or () if s.public == public and (zones is None or s.zone in zones)]


def _describe(subnet: Subnet) -> str:
    name = f"{subnet.id} " if subnet.id else ""
    return f"{name}{subnet.cidr} ({subnet.zone})"


@vpc_rule(
    "N003", Severity.ERROR,
    title="VPC address range collides with a reserved range",
    rationale=(
        "The page warns that VPC peering or a site-to-site VPN to data sources or authentication services "
        "needs the cluster VPC's address space to stay clear of theirs. Overlapping ranges cannot be routed "
        "to, and a VPC's CIDR cannot be changed after the cluster is built on it."
    ),
    fix="Choose a VPC CIDR (network.vpcCidr) outside every range listed in network.reservedCidrs.",
)
def vpc_cidr_clear_of_reserved(d: Deployment) -> Iterator[Outcome]:
    network = d.network
    if network.vpc_cidr is None:
        yield unknown(d, "the VPC CIDR", {"eksctl": "this ClusterConfig sets no vpc.cidr"}, _NETWORK_GAPS)
        return
    vpc = _cidr(network.vpc_cidr)
    if vpc is None:
        yield failed(f"VPC CIDR {network.vpc_cidr!r} is not an IPv4 CIDR such as 10.0.0.0/16.", network.location)
        return
    for text in network.reserved_cidrs:
        reserved = _cidr(text)
        if reserved is None:
            yield failed(f"reserved range {text!r} is not a CIDR such as 172.16.0.0/12, so it cannot be "
                         "checked against the VPC.", network.location)
        elif vpc.overlaps(reserved):
            yield failed(f"VPC CIDR {vpc} overlaps reserved range {reserved}: traffic to that range over "
                         "peering or VPN cannot be routed.", network.location)
    listed = ", ".join(network.reserved_cidrs) or "none declared"
    yield passed(f"VPC CIDR {vpc} overlaps no reserved range ({listed}).")


def _cidr(text: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network | None:
    try:
        return ipaddress.ip_network(text, strict=False)
    except ValueError:
        return None


@vpc_rule(
    "N004", Severity.WARNING,
    title="Nodes have public IP addresses",
    rationale=(
        "The page's architecture gives every node a private IP only, with internode traffic on internal "
        "load balancers and, optionally, egress to the Internet through a NAT gateway. Public node "
        "addresses expose the nodes' ports to the Internet, guarded only by security groups."
    ),
    fix="Put the nodes in private subnets (network.privateNodes: true in the spec, privateNetworking: true on "
        "every eksctl node group) and give them egress through a NAT gateway if they need it.",
)
def nodes_private(d: Deployment) -> Iterator[Outcome]:
    public_groups = [g for g in d.groups if g.private_networking is False]
    groups_known = bool(d.groups) and all(g.private_networking is not None for g in d.groups)
    for group in public_groups:
        yield failed(f"node group {group.name} has privateNetworking false: its nodes get public IPs "
                     "reachable from the Internet.", group.location)
    if public_groups:
        return
    if d.network.private_nodes is False:
        yield failed("nodes are not private (privateNodes false): every node gets a public IP reachable from "
                     "the Internet.", d.network.location)
    elif d.network.private_nodes is None and not groups_known:
        yield unknown(d, "whether nodes have public IPs", gaps=_NETWORK_GAPS)
    elif d.network.nat_gateway is False:
        yield failed("nodes are private and have no NAT gateway: they reach nothing outside the VPC, so "
                     "images and packages must come through VPC endpoints or a mirror inside it.",
                     d.network.location, severity=Severity.INFO)
    else:
        egress = "egress through a NAT gateway" if d.network.nat_gateway else "egress not known"
        yield passed(f"nodes have private IPs only ({egress}).")


@bridge_rule(
    "N005", Severity.ERROR,
    title="Build nodes lack Docker bridge networking",
    rationale=(
        "Domino's environment builds need bridge networking for Docker containers, which AWS AMIs leave off; "
        "the page adds --enable-docker-bridge true to the user data, its samples edit daemon.json to set "
        "bridge docker0. From Kubernetes 1.24 EKS AMIs run containerd only: the flag no longer exists and "
        "the daemon.json edit does nothing, so builds need a builder that does not use the node's Docker."
    ),
    fix="On Kubernetes older than 1.24, add --enable-docker-bridge true to the build nodes' bootstrap "
        "arguments; from 1.24 on, drop the flag and the daemon.json edit and use Domino's current image "
        "builder.",
)
def docker_bridge_on_build_nodes(d: Deployment) -> Iterator[Outcome]:
    build_pools = [p for p in d.domino_pools if p.is_build]
    version = eks_versions.parse(d.cluster.version)
    if not build_pools:
        yield passed("not applicable: no pool carries domino/build-node: \"true\" (P006 reports that).")
    elif d.cluster.version is None:
        yield unknown(d, "the Kubernetes version (Docker or containerd runtime)", gaps=_NETWORK_GAPS)
    elif version is None:
        yield skipped(f"Kubernetes version {d.cluster.version!r} is not major.minor, so the node runtime is unknown.")
    elif version >= eks_versions.CONTAINERD_ONLY_FROM:
        for pool in build_pools:
            yield failed(f"pool {pool.name} builds environments on Kubernetes {d.cluster.version}, whose nodes run "
                         "containerd only: --enable-docker-bridge no longer exists and a daemon.json edit does "
                         "nothing, so builds need Domino's current image builder.", pool.location,
                         severity=Severity.INFO)
    else:
        groups = [g for p in build_pools for g in p.groups]
        # a kubectl dump holds no user data, nor a live cluster whose launch templates were not read
        unread = [g.name for g in groups if g.bootstrap_arguments is None] if d.live else []
        if unread:
            holder = "a dump" if d.source.kind == "dump" else "a live cluster"
            yield skipped(f"{holder} holds no bootstrap arguments or user data here, so whether build node group(s) "
                          f"{', '.join(unread)} (Docker runtime, Kubernetes {d.cluster.version}) enable Docker "
                          "bridge networking is unknown: check their launch template's user data for "
                          "--enable-docker-bridge true.")
        for group in groups:
            if group.name in unread:
                continue
            if not _docker_bridged(group):
                yield failed(f"build node group {group.name} (Kubernetes {d.cluster.version}, Docker runtime) "
                             "does not enable Docker bridge networking: environment builds fail on it.",
                             group.location)
        if len(unread) < len(groups):
            yield passed("every build node group enables Docker bridge networking.")


def _docker_bridged(group: NodeGroup) -> bool:
    """The bootstrap flag, or the samples' daemon.json edit that sets bridge to docker0."""
    return bool(_DOCKER_BRIDGE_FLAG.search(group.bootstrap_arguments or "")) or any(
        "docker0" in command for command in group.pre_bootstrap_commands
    )


@plugin_rule(
    "N006", Severity.WARNING,
    title="Node subnets cannot hold every pod at full scale",
    rationale=(
        "With the Amazon VPC CNI in its default secondary-IP mode every pod takes an address of its node's "
        "subnet, so a zone's node subnets must hold, for every pool there, max nodes x (max pods + 1). "
        "Twenty m5.2xlarge nodes (58 pods each) need about 1,180 addresses, more than a /23's 507: the page's "
        "/23 minimum is not always enough, and the autoscaler adds nodes whose pods never start."
    ),
    fix="Use larger node subnets, add a pod subnet (VPC CNI custom networking), or turn on prefix delegation "
        "(network.prefixDelegation: true).",
)
def pod_addresses_fit(d: Deployment) -> Iterator[Outcome]:
    network = d.network
    if (outcome := _unless_pods_use_node_subnets(d)) is not None:
        yield outcome
    elif network.prefix_delegation is None:
        yield unknown(d, "whether the VPC CNI uses prefix delegation", gaps=_NETWORK_GAPS)
    elif network.prefix_delegation:
        yield passed("not applicable: with prefix delegation pods take addresses from /28 prefixes, "
                     "not one secondary IP each.")
    elif network.subnets is None:
        yield _unknown_subnets(d)
    elif (demand := subnet_layout.address_demand(d.groups)) is None:
        yield skipped("pod-address demand unknown: a node group's instance type (or its max pods), max size "
                      "or zones are not known.")
    else:
        yield from _capacity_per_zone(d, demand)


def _capacity_per_zone(d: Deployment, demand: dict[str, int]) -> Iterator[Outcome]:
    subnets = _node_subnets(d)
    for zone, need in sorted(demand.items()):
        here = [s for s in subnets if s.zone == zone]
        have = sum(_addresses(s) for s in here)
        if need > have:
            where = ", ".join(s.cidr for s in here) or "no node subnet"
            yield failed(f"zone {zone}: the pools at full scale need {need} pod addresses, but its node subnets "
                         f"({where}) have {have}: pods beyond that never start. Use a larger subnet, a pod "
                         "subnet or prefix delegation.", d.network.location)
    yield passed("every zone's node subnets hold the pod addresses of all its pools at full scale.")


def _addresses(subnet: Subnet) -> int:
    """Free addresses as the live subnet reports them, else what a new subnet of its size offers."""
    if subnet.free_addresses is not None:
        return subnet.free_addresses
    network = _cidr(subnet.cidr)
    return subnet_layout.usable(network.prefixlen) if network is not None else 0
