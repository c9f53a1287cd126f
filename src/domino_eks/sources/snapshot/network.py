"""The network: the VPC and its subnets, NAT, and the network plugin that actually runs (its daemon sets)."""

from __future__ import annotations

from collections.abc import Mapping

from domino_eks.model import Location, Network, Subnet
from domino_eks.sources.snapshot.facts import Facts

NETWORK_POLICY_FLAG = "--enable-network-policy=true"


def network(facts: Facts) -> Network:
    vpc_config = (facts.aws_part("cluster") or {}).get("resourcesVpcConfig") or {}
    subnets = facts.aws_part("subnets")
    vpc_id = vpc_config.get("vpcId") or next((s.get("VpcId") for s in subnets or ()), None)
    vpc = next((v for v in facts.aws_part("vpcs") or () if v.get("VpcId") == vpc_id), None)
    cni, engine, prefix = _plugin(facts.kube_part("daemonsets"))
    nats = facts.aws_part("nat_gateways")
    tables = facts.aws_part("route_tables") or []
    return Network(
        vpc_id=vpc_id,
        vpc_cidr=(vpc or {}).get("CidrBlock"),
        subnets=tuple(_subnet(s, tables) for s in subnets) if subnets is not None else None,
        cni=cni,
        policy_engine=engine,
        prefix_delegation=prefix,
        reserved_cidrs=tuple(facts.target.get("reserved_cidrs") or ()),
        private_nodes=not any(n.public for n in facts.nodes) if facts.nodes else None,
        nat_gateway=any(n.get("State") == "available" for n in nats) if nats is not None else None,
        location=Location(object=f"VPC/{vpc_id}") if vpc_id else None,
    )


def _subnet(raw: Mapping, route_tables: list[Mapping]) -> Subnet:
    return Subnet(zone=raw["AvailabilityZone"], cidr=raw["CidrBlock"], public=_routes_to_internet(raw, route_tables),
                  id=raw["SubnetId"], free_addresses=raw.get("AvailableIpAddressCount"))


def _routes_to_internet(subnet: Mapping, route_tables: list[Mapping]) -> bool:
    """Public: its route table (or the VPC's main one) sends 0.0.0.0/0 to an internet gateway."""
    tables = [t for t in route_tables if t.get("VpcId") == subnet.get("VpcId")]
    table = next((t for t in tables for a in t.get("Associations") or () if a.get("SubnetId") == subnet["SubnetId"]),
                 None) or next((t for t in tables for a in t.get("Associations") or () if a.get("Main")), None)
    if table is None:
        return bool(subnet.get("MapPublicIpOnLaunch"))
    return any(r.get("DestinationCidrBlock") == "0.0.0.0/0" and str(r.get("GatewayId", "")).startswith("igw-")
               for r in table.get("Routes") or ())


def _plugin(daemon_sets: list[Mapping] | None) -> tuple[str | None, str | None, bool | None]:
    """(cni, NetworkPolicy engine, prefix delegation) from the daemon sets that run, not from namespace names:
    calico-node or cilium enforce policies themselves; the VPC CNI's aws-node does when its network-policy
    agent runs with --enable-network-policy=true, and otherwise nothing does."""
    if daemon_sets is None:
        return None, None, None
    running = {d["metadata"]["name"]: d for d in daemon_sets if _running(d)}
    aws_node = running.get("aws-node")
    containers = ((aws_node or {}).get("spec", {}).get("template", {}).get("spec", {}).get("containers")) or []
    prefix = any(e.get("name") == "ENABLE_PREFIX_DELEGATION" and str(e.get("value")).lower() == "true"
                 for c in containers for e in c.get("env") or ()) if aws_node else None
    if "calico-node" in running:
        engine = "calico"
    elif "cilium" in running:
        engine = "cilium"
    elif aws_node:
        engine = "vpc-cni" if any(NETWORK_POLICY_FLAG in (c.get("args") or ()) for c in containers) else "none"
    else:
        engine = None
    cni = "vpc-cni" if aws_node else {"calico": "calico", "cilium": "cilium"}.get(engine, "other")
    return cni, engine, prefix


def _running(daemon_set: Mapping) -> bool:
    status = daemon_set.get("status")
    return status is None or (status.get("numberReady") or 0) > 0
