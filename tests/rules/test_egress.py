"""N007: nodes reach the API endpoint (privately, or from NAT addresses the public CIDRs admit) and ECR, S3 and
STS (through a NAT gateway or VPC endpoints)."""

from __future__ import annotations

from domino_eks.model import Location, Subnet
from domino_eks.rules import Severity, Status
from tests.conftest import load_example
from tests.rules.builders import edit, edit_groups, findings, from_source, only

NAT_ADDRESS = "52.12.34.56"
PRIVATE = (Subnet(id="subnet-0a1", zone="us-west-2a", cidr="10.0.0.0/19", public=False, egress="nat"),
           Subnet(id="subnet-0b2", zone="us-west-2b", cidr="10.0.32.0/19", public=False, egress="nat"))
VPC = Location(object="VPC/vpc-0123")
ALL_ENDPOINTS = ("ecr.api", "ecr.dkr", "s3", "sts")


def _live(deployment, *, private=True, cidrs=(), subnets=PRIVATE, endpoints=(), nat=(NAT_ADDRESS,)):
    live = edit_groups(from_source(deployment, "live"), None, subnet_ids=tuple(s.id for s in subnets))
    live = edit(live, "hardening", endpoint_private=private, endpoint_public=not private, public_access_cidrs=cidrs)
    return edit(live, "network", vpc_id="vpc-0123", subnets=subnets, nat_addresses=nat, endpoint_services=endpoints,
                location=VPC)


def _isolated(subnet: Subnet) -> Subnet:
    return subnet.model_copy(update={"egress": "none"})


def test_n007_passes_private_access_and_nat_egress(multi_az):
    finding = only("N007", _live(multi_az))
    assert finding.status is Status.PASS
    assert finding.message == (
        "private endpoint access is on: nodes reach the API server inside the VPC.; every node subnet routes "
        "0.0.0.0/0 through a NAT gateway or has the VPC endpoints it needs.")


def test_n007_passes_a_public_endpoint_that_admits_the_nat_address(multi_az):
    assert only("N007", _live(multi_az, private=False, cidrs=("52.12.34.0/24",))).status is Status.PASS


def test_n007_fails_a_public_endpoint_that_refuses_the_nat_address(multi_az):
    finding = only("N007", _live(multi_az, private=False, cidrs=("203.0.113.0/24",)))
    assert (finding.status, finding.severity) == (Status.FAIL, Severity.ERROR)
    assert finding.message == (
        "private endpoint access is off and the public endpoint admits 203.0.113.0/24, not the NAT address(es) "
        "52.12.34.56 nodes reach it from: they never join. Turn on private endpoint access, or admit them: `aws eks "
        "update-cluster-config --name domino-test-cluster --resources-vpc-config "
        "publicAccessCidrs=203.0.113.0/24,52.12.34.56/32`.")


def test_n007_fails_a_public_only_endpoint_without_a_nat_gateway(multi_az):
    subnets = tuple(s.model_copy(update={"egress": "internet", "public": True}) for s in PRIVATE)
    finding = only("N007", _live(multi_az, private=False, cidrs=("203.0.113.0/24",), subnets=subnets, nat=()))
    assert finding.message == (
        "private endpoint access is off and the VPC has no NAT gateway: nodes cannot reach the public endpoint, "
        "which admits 203.0.113.0/24. Turn on private endpoint access: `aws eks update-cluster-config --name "
        "domino-test-cluster --resources-vpc-config endpointPrivateAccess=true`.")


def test_n007_fails_a_node_subnet_without_egress_or_endpoints_naming_what_to_create(multi_az):
    subnets = (PRIVATE[0], _isolated(PRIVATE[1]))
    finding = only("N007", _live(multi_az, subnets=subnets, endpoints=("s3", "ecr.api")))
    assert (finding.status, finding.location) == (Status.FAIL, VPC)
    assert finding.message == (
        "node subnet subnet-0b2 (us-west-2b) has no 0.0.0.0/0 route to a NAT gateway and the VPC has no endpoint "
        "for ecr.dkr, sts: its nodes cannot pull images or get credentials at boot. Route 0.0.0.0/0 to a NAT "
        "gateway, or create the endpoints: `aws ec2 create-vpc-endpoint --vpc-id vpc-0123 --service-name "
        "com.amazonaws.us-west-2.ecr.dkr --vpc-endpoint-type Interface`; `aws ec2 create-vpc-endpoint --vpc-id "
        "vpc-0123 --service-name com.amazonaws.us-west-2.sts --vpc-endpoint-type Interface`.")


def test_n007_passes_an_isolated_subnet_with_every_endpoint(multi_az):
    subnets = tuple(_isolated(s) for s in PRIVATE)
    assert only("N007", _live(multi_az, subnets=subnets, endpoints=(*ALL_ENDPOINTS, "eks"))).status is Status.PASS


def test_n007_skips_unknown_routes_live(multi_az):
    unknown_routes = tuple(s.model_copy(update={"egress": None}) for s in PRIVATE)
    deployment = from_source(_live(multi_az, subnets=unknown_routes), "live", {"ec2": "DescribeRouteTables: denied"})
    (finding,) = findings("N007", deployment)
    assert finding.status is Status.SKIP
    assert finding.message == (
        "the routes of node subnet subnet-0a1 unknown: the live account and cluster did not report it (the source "
        "reported ec2: DescribeRouteTables: denied).; the routes of node subnet subnet-0b2 unknown: the live account "
        "and cluster did not report it (the source reported ec2: DescribeRouteTables: denied).")


def test_n007_judges_a_spec_s_private_nodes_without_nat(multi_az):
    assert only("N007", multi_az).status is Status.PASS
    without_nat = edit(multi_az, "network", nat_gateway=False)
    finding = only("N007", without_nat)
    assert finding.status is Status.FAIL
    assert finding.message == (
        "the nodes are private and the deployment has no NAT gateway (nor VPC endpoints, which it does not "
        "create): they cannot pull images or get credentials at boot. Turn the NAT gateway on "
        "(network.natGateway: true), or create VPC endpoints for ecr.api, ecr.dkr, s3 and sts.")


def test_n007_skips_a_spec_s_nat_address_it_cannot_know():
    restricted = load_example("multi-az.yaml")
    restricted = edit(restricted, "hardening", endpoint_private=False, endpoint_public=True,
                      public_access_cidrs=("203.0.113.0/24",))
    (finding,) = findings("N007", restricted)
    assert finding.status is Status.SKIP
    assert finding.message == (
        "the NAT gateways' public addresses unknown: the NAT gateway's address exists once apply creates it; "
        "checked live by domino-eks check.")
