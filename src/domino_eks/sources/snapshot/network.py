"""The network: the VPC and its subnets, NAT, and the network plugin that actually runs (its daemon sets)."""

from __future__ import annotations

from collections.abc import Mapping

from domino_eks.collect.shapes import VPC_ENDPOINTS, cluster_vpc_id
from domino_eks.model import Location, Network, Subnet
from domino_eks.sources.snapshot.facts import Facts

NETWORK_POLICY_FLAG = "--enable-network-policy=true"
VPC_CNI_DAEMON_SET = "aws-node"
# daemon sets of plugins that enforce NetworkPolicy themselves, by the engine they are
POLICY_ENGINE_DAEMON_SETS = {"calico-node": "calico", "cilium": "cilium"}


def network(facts: Facts) -> Network:
    subnets = facts.aws_part("subnets")
    vpc_id = cluster_vpc_id(facts.aws or {})
    vpc = next((v for v in facts.aws_part("vpcs") or () if v.get("VpcId") == vpc_id), None)
    daemon_sets = facts.kube_part("daemonsets")
    running = None if daemon_sets is None else {d["metadata"]["name"]: d for d in daemon_sets if _running(d)}
    nats = facts.aws_part("nat_gateways")
    tables = facts.aws_part("route_tables") or []
    return Network(
        vpc_id=vpc_id,
        vpc_cidr=(vpc or {}).get("CidrBlock"),
        subnets=tuple(_subnet(s, tables) for s in subnets) if subnets is not None else None,
        cni=_cni(running),
        policy_engine=_policy_engine(running),
        prefix_delegation=_prefix_delegation(running),
        reserved_cidrs=tuple(facts.target.get("reserved_cidrs") or ()),
        private_nodes=not any(n.public for n in facts.nodes) if facts.nodes else None,
        nat_gateway=any(n.get("State") == "available" for n in nats) if nats is not None else None,
        nat_addresses=None if nats is None else tuple(
            a["PublicIp"] for n in nats if n.get("State") == "available"
            for a in n.get("NatGatewayAddresses") or () if a.get("PublicIp")),
        endpoint_services=_endpoint_services(facts.aws_part(VPC_ENDPOINTS)),
        location=Location(object=f"VPC/{vpc_id}") if vpc_id else None,
    )


def _subnet(raw: Mapping, route_tables: list[Mapping]) -> Subnet:
    table = _route_table(raw, route_tables)
    egress = None if table is None else _egress(table)
    return Subnet(zone=raw["AvailabilityZone"], cidr=raw["CidrBlock"],
                  public=bool(raw.get("MapPublicIpOnLaunch")) if table is None else egress == "internet",
                  id=raw["SubnetId"], free_addresses=raw.get("AvailableIpAddressCount"), egress=egress)


def _route_table(subnet: Mapping, route_tables: list[Mapping]) -> Mapping | None:
    """The subnet's route table: the one associated with it, else the VPC's main one."""
    tables = [t for t in route_tables if t.get("VpcId") == subnet.get("VpcId")]
    return next((t for t in tables for a in t.get("Associations") or () if a.get("SubnetId") == subnet["SubnetId"]),
                None) or next((t for t in tables for a in t.get("Associations") or () if a.get("Main")), None)


def _egress(table: Mapping) -> str:
    """Where 0.0.0.0/0 goes: an internet gateway (a public subnet), a NAT gateway, or nowhere. A blackhole
    route (its NAT gateway deleted) leads nowhere."""
    default: Mapping = next((r for r in table.get("Routes") or () if r.get("DestinationCidrBlock") == "0.0.0.0/0"
                    and r.get("State") != "blackhole"), {})
    if str(default.get("GatewayId", "")).startswith("igw-"):
        return "internet"
    return "nat" if default.get("NatGatewayId") else "none"


def _endpoint_services(endpoints: list[Mapping] | None) -> tuple[str, ...] | None:
    """The short service names (ecr.api, s3) of the VPC's endpoints that are available: com.amazonaws.<region>.
    is left out."""
    if endpoints is None:
        return None
    names = {e["ServiceName"].split(".", 3)[-1] for e in endpoints
             if e.get("State", "available").lower() == "available" and e.get("ServiceName", "").count(".") >= 3}
    return tuple(sorted(names))


def _cni(running: Mapping[str, Mapping] | None) -> str | None:
    """Who hands out pod addresses, from the daemon sets that run (not from namespace names)."""
    if running is None:
        return None
    if VPC_CNI_DAEMON_SET in running:
        return "vpc-cni"
    return _self_enforcing_plugin(running) or "other"


def _policy_engine(running: Mapping[str, Mapping] | None) -> str | None:
    """calico-node or cilium enforce policies themselves; the VPC CNI's aws-node does when its network-policy
    agent runs with --enable-network-policy=true, and otherwise nothing does. Any other plugin: unknown."""
    if running is None:
        return None
    engine = _self_enforcing_plugin(running)
    if engine is not None or VPC_CNI_DAEMON_SET not in running:
        return engine
    enforcing = any(NETWORK_POLICY_FLAG in (c.get("args") or ()) for c in _containers(running[VPC_CNI_DAEMON_SET]))
    return "vpc-cni" if enforcing else "none"


def _self_enforcing_plugin(running: Mapping[str, Mapping]) -> str | None:
    return next((engine for name, engine in POLICY_ENGINE_DAEMON_SETS.items() if name in running), None)


def _prefix_delegation(running: Mapping[str, Mapping] | None) -> bool | None:
    if running is None or VPC_CNI_DAEMON_SET not in running:
        return None
    return any(e.get("name") == "ENABLE_PREFIX_DELEGATION" and str(e.get("value")).lower() == "true"
               for c in _containers(running[VPC_CNI_DAEMON_SET]) for e in c.get("env") or ())


def _containers(daemon_set: Mapping) -> list[Mapping]:
    return ((daemon_set.get("spec") or {}).get("template", {}).get("spec", {}).get("containers")) or []


def _running(daemon_set: Mapping) -> bool:
    status = daemon_set.get("status")
    return status is None or (status.get("numberReady") or 0) > 0
