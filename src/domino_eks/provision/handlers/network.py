"""The network eksctl builds: VPC, subnets, internet gateway, NAT gateway and its address, route tables."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from domino_eks.aws import faults
from domino_eks.aws.session import Aws
from domino_eks.knowledge import aws_durations
from domino_eks.provision import kinds, tags, waiters
from domino_eks.provision.handlers.base import (
    Handler,
    LookupFailed,
    Scope,
    concurrently,
    ids,
    ours,
    paginate,
    retag,
    tag_spec,
    tolerating,
)
from domino_eks.provision.resources import Existing, Key
from domino_eks.provision.waiters import Wait

LIVE_NAT_STATES = ["pending", "available"]  # deleted gateways stay listed, with their tags, for an hour


def ec2_tags(ec2: Any, resource_id: str) -> Callable[[dict], object]:
    return lambda changed: ec2.create_tags(Resources=[resource_id], Tags=tags.to_aws(changed))


class Vpc(Handler):
    kind = kinds.VPC
    discovers_with = ("ec2",)
    properties = frozenset({"cidr", "dns_hostnames", "tags"})
    external_properties = frozenset({"id", "cidr"})
    observed = ("tags", "dns_hostnames")

    def discover(self, aws: Aws, scope: Scope) -> Iterable[Existing]:
        ec2 = aws.client("ec2")
        listed = list(ours(paginate(ec2, "describe_vpcs", "Vpcs", Filters=tags.filters(scope.name)), scope))
        hostnames = concurrently(lambda vpc: ec2.describe_vpc_attribute(
            VpcId=vpc["VpcId"], Attribute="enableDnsHostnames")["EnableDnsHostnames"]["Value"],
            [vpc for vpc, _ in listed])
        for (vpc, found), dns_hostnames in zip(listed, hostnames, strict=True):
            yield Existing(self.key(found), {"id": vpc["VpcId"]}, {"tags": found, "dns_hostnames": dns_hostnames})

    def request_create(self, aws: Aws, p: Mapping[str, Any]) -> Mapping[str, Any]:
        ec2 = aws.client("ec2")
        vpc_id = ec2.create_vpc(CidrBlock=p["cidr"], TagSpecifications=tag_spec("vpc", p["tags"]))["Vpc"]["VpcId"]
        waiters.wait(ec2, "VpcAvailable", VpcIds=[vpc_id])
        self._set_dns(ec2, vpc_id, p)
        empty_default_group(ec2, vpc_id)
        return {"id": vpc_id}

    def update(self, aws: Aws, existing: Existing, p: Mapping[str, Any]) -> Mapping[str, Any]:
        ec2 = aws.client("ec2")
        retag(existing.observed["tags"], p["tags"], ec2_tags(ec2, existing.outputs["id"]))
        self._set_dns(ec2, existing.outputs["id"], p)
        empty_default_group(ec2, existing.outputs["id"])  # a rule added by hand since is revoked again
        return existing.outputs

    @staticmethod
    def _set_dns(ec2: Any, vpc_id: str, p: Mapping[str, Any]) -> None:
        # EKS nodes and private endpoints resolve names inside the VPC
        ec2.modify_vpc_attribute(VpcId=vpc_id, EnableDnsHostnames={"Value": p["dns_hostnames"]})

    def request_delete(self, aws: Aws, existing: Existing) -> None:
        with tolerating("InvalidVpcID.NotFound"):
            aws.client("ec2").delete_vpc(VpcId=existing.outputs["id"])

    def lookup(self, aws: Aws, p: Mapping[str, Any]) -> Existing:
        ec2 = aws.client("ec2")
        try:
            vpc = ec2.describe_vpcs(VpcIds=[p["id"]])["Vpcs"][0]
        except Exception as error:
            if faults.code_of(error) not in ("InvalidVpcID.NotFound", "InvalidVpcID.Malformed"):
                raise
            raise LookupFailed(f"network.vpcId {p['id']} is not a VPC in {aws.region}: "
                               f"{faults.describe(error).message}") from None
        cidrs = {a["CidrBlock"] for a in vpc.get("CidrBlockAssociationSet", [])} | {vpc["CidrBlock"]}
        if p["cidr"] not in cidrs:
            raise LookupFailed(f"VPC {p['id']} has CIDR {', '.join(sorted(cidrs))}, but the subnets are laid out in "
                               f"network.vpcCidr {p['cidr']}: set vpcCidr to the VPC's CIDR")
        return Existing(Key(self.kind, "vpc"), {"id": p["id"]})


def empty_default_group(ec2: Any, vpc_id: str) -> None:
    """Rule C009 (CIS AWS Foundations 5.4): revoke every rule of the VPC's default security group. EC2 gives
    each new VPC one that admits its own members and lets everything out; nothing of the tool's uses it, and an
    instance launched without a group lands in it. The group itself cannot be deleted."""
    (group,) = ec2.describe_security_groups(Filters=[{"Name": "vpc-id", "Values": [vpc_id]},
                                                     {"Name": "group-name", "Values": ["default"]}])["SecurityGroups"]
    rules = list(paginate(ec2, "describe_security_group_rules", "SecurityGroupRules",
                          Filters=[{"Name": "group-id", "Values": [group["GroupId"]]}]))
    ingress = [r["SecurityGroupRuleId"] for r in rules if not r["IsEgress"]]
    egress = [r["SecurityGroupRuleId"] for r in rules if r["IsEgress"]]
    if ingress:
        ec2.revoke_security_group_ingress(GroupId=group["GroupId"], SecurityGroupRuleIds=ingress)
    if egress:
        ec2.revoke_security_group_egress(GroupId=group["GroupId"], SecurityGroupRuleIds=egress)


class InternetGateway(Handler):
    kind = kinds.INTERNET_GATEWAY
    discovers_with = ("ec2",)
    properties = frozenset({"vpc_id", "tags"})
    external_properties = frozenset({"vpc_id"})
    observed = ("tags", "vpc_id")

    def discover(self, aws: Aws, scope: Scope) -> Iterable[Existing]:
        ec2 = aws.client("ec2")
        listed = paginate(ec2, "describe_internet_gateways", "InternetGateways", Filters=tags.filters(scope.name))
        for gateway, found in ours(listed, scope):
            yield self._existing(gateway, self.key(found))

    def _existing(self, gateway: dict, key: Key) -> Existing:
        attached = next((a["VpcId"] for a in gateway.get("Attachments", [])), None)
        # "the internet gateway of VPC x" is what a NAT gateway needs, so the VPC id identifies it too
        return Existing(key, {"id": gateway["InternetGatewayId"], "vpc_id": attached},
                        {"tags": tags.from_aws(gateway.get("Tags")), "vpc_id": attached}, ids((kinds.VPC, attached)))

    def request_create(self, aws: Aws, p: Mapping[str, Any]) -> Mapping[str, Any]:
        ec2 = aws.client("ec2")
        gateway = ec2.create_internet_gateway(TagSpecifications=tag_spec("internet-gateway", p["tags"]))
        gateway_id = gateway["InternetGateway"]["InternetGatewayId"]
        ec2.attach_internet_gateway(InternetGatewayId=gateway_id, VpcId=p["vpc_id"])
        return {"id": gateway_id, "vpc_id": p["vpc_id"]}

    def update(self, aws: Aws, existing: Existing, p: Mapping[str, Any]) -> Mapping[str, Any]:
        ec2 = aws.client("ec2")
        gateway_id = existing.outputs["id"]
        retag(existing.observed["tags"], p["tags"], ec2_tags(ec2, gateway_id))
        if existing.observed["vpc_id"] not in (None, p["vpc_id"]):
            ec2.detach_internet_gateway(InternetGatewayId=gateway_id, VpcId=existing.observed["vpc_id"])
        if existing.observed["vpc_id"] != p["vpc_id"]:
            ec2.attach_internet_gateway(InternetGatewayId=gateway_id, VpcId=p["vpc_id"])
        return {"id": gateway_id, "vpc_id": p["vpc_id"]}

    def request_delete(self, aws: Aws, existing: Existing) -> None:
        ec2 = aws.client("ec2")
        gateway_id = existing.outputs["id"]
        if existing.outputs["vpc_id"]:
            with tolerating("Gateway.NotAttached"):
                ec2.detach_internet_gateway(InternetGatewayId=gateway_id, VpcId=existing.outputs["vpc_id"])
        with tolerating("InvalidInternetGatewayID.NotFound"):
            ec2.delete_internet_gateway(InternetGatewayId=gateway_id)

    def lookup(self, aws: Aws, p: Mapping[str, Any]) -> Existing:
        gateways = aws.client("ec2").describe_internet_gateways(
            Filters=[{"Name": "attachment.vpc-id", "Values": [p["vpc_id"]]}])["InternetGateways"]
        if not gateways:
            raise LookupFailed(f"VPC {p['vpc_id']} has no internet gateway attached: attach one, or leave "
                               "network.vpcId out and apply creates the whole network")
        return self._existing(gateways[0], Key(self.kind, "internet-gateway"))


class Subnet(Handler):
    kind = kinds.SUBNET
    discovers_with = ("ec2",)
    properties = frozenset({"vpc_id", "cidr", "zone", "tags"})
    observed = ("tags", "cidr", "zone")
    immutable = ("cidr", "zone")

    def discover(self, aws: Aws, scope: Scope) -> Iterable[Existing]:
        listed = paginate(aws.client("ec2"), "describe_subnets", "Subnets", Filters=tags.filters(scope.name))
        for subnet, found in ours(listed, scope):
            yield Existing(self.key(found), {"id": subnet["SubnetId"]},
                           {"tags": found, "cidr": subnet["CidrBlock"], "zone": subnet["AvailabilityZone"]},
                           ids((kinds.VPC, subnet["VpcId"])))

    def request_create(self, aws: Aws, p: Mapping[str, Any]) -> Mapping[str, Any]:
        ec2 = aws.client("ec2")
        subnet = ec2.create_subnet(VpcId=p["vpc_id"], CidrBlock=p["cidr"], AvailabilityZone=p["zone"],
                                   TagSpecifications=tag_spec("subnet", p["tags"]))["Subnet"]
        waiters.wait(ec2, "SubnetAvailable", SubnetIds=[subnet["SubnetId"]])
        return {"id": subnet["SubnetId"]}

    def update(self, aws: Aws, existing: Existing, p: Mapping[str, Any]) -> Mapping[str, Any]:
        retag(existing.observed["tags"], p["tags"], ec2_tags(aws.client("ec2"), existing.outputs["id"]))
        return existing.outputs

    def request_delete(self, aws: Aws, existing: Existing) -> None:
        with tolerating("InvalidSubnetID.NotFound"):
            aws.client("ec2").delete_subnet(SubnetId=existing.outputs["id"])


class ElasticIp(Handler):
    kind = kinds.ELASTIC_IP
    discovers_with = ("ec2",)
    properties = frozenset({"tags"})

    def discover(self, aws: Aws, scope: Scope) -> Iterable[Existing]:
        for address, found in ours(aws.client("ec2").describe_addresses(Filters=tags.filters(scope.name))["Addresses"],
                                   scope):
            yield Existing(self.key(found), {"allocation_id": address["AllocationId"]}, {"tags": found})

    def request_create(self, aws: Aws, p: Mapping[str, Any]) -> Mapping[str, Any]:
        address = aws.client("ec2").allocate_address(Domain="vpc", TagSpecifications=tag_spec("elastic-ip", p["tags"]))
        return {"allocation_id": address["AllocationId"]}

    def update(self, aws: Aws, existing: Existing, p: Mapping[str, Any]) -> Mapping[str, Any]:
        retag(existing.observed["tags"], p["tags"], ec2_tags(aws.client("ec2"), existing.outputs["allocation_id"]))
        return existing.outputs

    def request_delete(self, aws: Aws, existing: Existing) -> None:
        with tolerating("InvalidAllocationID.NotFound"):
            aws.client("ec2").release_address(AllocationId=existing.outputs["allocation_id"])


class NatGateway(Handler):
    kind = kinds.NAT_GATEWAY
    discovers_with = ("ec2",)
    properties = frozenset({"subnet_id", "allocation_id", "tags"})
    observed = ("tags", "subnet_id", "allocation_id")
    immutable = ("subnet_id", "allocation_id")
    ready_waiter = Wait("ec2", "NatGatewayAvailable", lambda outputs: {"NatGatewayIds": [outputs["id"]]},
                        aws_durations.NAT_GATEWAY)
    gone_waiter = Wait("ec2", "NatGatewayDeleted", lambda outputs: {"NatGatewayIds": [outputs["id"]]})

    def discover(self, aws: Aws, scope: Scope) -> Iterable[Existing]:
        live = [*tags.filters(scope.name), {"Name": "state", "Values": LIVE_NAT_STATES}]
        for gateway, found in ours(paginate(aws.client("ec2"), "describe_nat_gateways", "NatGateways", Filter=live),
                                   scope):
            allocation = next((a.get("AllocationId") for a in gateway.get("NatGatewayAddresses", [])), None)
            yield Existing(
                self.key(found), {"id": gateway["NatGatewayId"]},
                {"tags": found, "subnet_id": gateway["SubnetId"], "allocation_id": allocation},
                # the internet gateway cannot be detached while the NAT gateway maps a public address
                ids((kinds.SUBNET, gateway["SubnetId"]), (kinds.ELASTIC_IP, allocation),
                    (kinds.INTERNET_GATEWAY, gateway.get("VpcId"))),
            )

    def request_create(self, aws: Aws, p: Mapping[str, Any]) -> Mapping[str, Any]:
        gateway = aws.client("ec2").create_nat_gateway(
            SubnetId=p["subnet_id"], AllocationId=p["allocation_id"],
            TagSpecifications=tag_spec("natgateway", p["tags"]))["NatGateway"]
        return {"id": gateway["NatGatewayId"]}

    def update(self, aws: Aws, existing: Existing, p: Mapping[str, Any]) -> Mapping[str, Any]:
        retag(existing.observed["tags"], p["tags"], ec2_tags(aws.client("ec2"), existing.outputs["id"]))
        return self.ready(aws, existing)

    def request_delete(self, aws: Aws, existing: Existing) -> None:
        with tolerating("NatGatewayNotFound"):
            aws.client("ec2").delete_nat_gateway(NatGatewayId=existing.outputs["id"])


class RouteTable(Handler):
    kind = kinds.ROUTE_TABLE
    discovers_with = ("ec2",)
    properties = frozenset({"vpc_id", "routes", "subnet_ids", "tags"})
    observed = ("tags", "routes", "subnet_ids")

    def comparable(self, properties: Mapping[str, Any]) -> dict[str, Any]:
        return {**super().comparable(properties), "subnet_ids": sorted(properties["subnet_ids"], key=str)}

    def discover(self, aws: Aws, scope: Scope) -> Iterable[Existing]:
        listed = paginate(aws.client("ec2"), "describe_route_tables", "RouteTables", Filters=tags.filters(scope.name))
        for table, found in ours(listed, scope):
            routes, subnets, _ = self._state(table)
            targets = [t for route in routes.values() for t in route.values()]
            yield Existing(
                self.key(found), {"id": table["RouteTableId"]},
                {"tags": found, "routes": routes, "subnet_ids": sorted(subnets)},
                ids((kinds.VPC, table["VpcId"]), (kinds.SUBNET, list(subnets)),
                    (kinds.INTERNET_GATEWAY, [t for t in targets if t.startswith("igw-")]),
                    (kinds.NAT_GATEWAY, [t for t in targets if t.startswith("nat-")])),
            )

    @staticmethod
    def _state(table: dict) -> tuple[dict[str, dict[str, str]], dict[str, str], list[str]]:
        """Routes apply manages (not the VPC's local one), subnet -> association id, and other associations."""
        routes = {
            r["DestinationCidrBlock"]: {k: r[k] for k in ("GatewayId", "NatGatewayId") if r.get(k)}
            for r in table.get("Routes", [])
            if r.get("Origin") == "CreateRoute" and "DestinationCidrBlock" in r
        }
        associations = [a for a in table.get("Associations", []) if not a.get("Main")]
        subnets = {a["SubnetId"]: a["RouteTableAssociationId"] for a in associations if a.get("SubnetId")}
        others = [a["RouteTableAssociationId"] for a in associations if not a.get("SubnetId")]
        return routes, subnets, others

    def request_create(self, aws: Aws, p: Mapping[str, Any]) -> Mapping[str, Any]:
        ec2 = aws.client("ec2")
        table = ec2.create_route_table(VpcId=p["vpc_id"], TagSpecifications=tag_spec("route-table", p["tags"]))
        table_id = table["RouteTable"]["RouteTableId"]
        self._converge(ec2, table_id, p)
        return {"id": table_id}

    def update(self, aws: Aws, existing: Existing, p: Mapping[str, Any]) -> Mapping[str, Any]:
        ec2 = aws.client("ec2")
        retag(existing.observed["tags"], p["tags"], ec2_tags(ec2, existing.outputs["id"]))
        self._converge(ec2, existing.outputs["id"], p)
        return existing.outputs

    def _converge(self, ec2: Any, table_id: str, p: Mapping[str, Any]) -> None:
        routes, subnets, _ = self._state(ec2.describe_route_tables(RouteTableIds=[table_id])["RouteTables"][0])
        for destination, target in p["routes"].items():
            if routes.get(destination) == target:
                continue
            change = ec2.replace_route if destination in routes else ec2.create_route
            change(RouteTableId=table_id, DestinationCidrBlock=destination, **target)
        for destination in routes.keys() - p["routes"].keys():
            ec2.delete_route(RouteTableId=table_id, DestinationCidrBlock=destination)
        for subnet_id in set(p["subnet_ids"]) - subnets.keys():
            ec2.associate_route_table(RouteTableId=table_id, SubnetId=subnet_id)
        for subnet_id in subnets.keys() - set(p["subnet_ids"]):
            ec2.disassociate_route_table(AssociationId=subnets[subnet_id])

    def request_delete(self, aws: Aws, existing: Existing) -> None:
        ec2 = aws.client("ec2")
        with tolerating("InvalidRouteTableID.NotFound"):
            _, subnets, others = self._state(
                ec2.describe_route_tables(RouteTableIds=[existing.outputs["id"]])["RouteTables"][0])
            for association in [*subnets.values(), *others]:
                ec2.disassociate_route_table(AssociationId=association)
            ec2.delete_route_table(RouteTableId=existing.outputs["id"])
