"""Rule N007: nodes reach what they need at boot — the cluster's API endpoint (privately, or through the public
endpoint from their NAT addresses) and ECR, S3 and STS (through a NAT gateway or VPC endpoints). Restricting the
public endpoint without private access is a common cause of nodes that never join (anchors-2026-12 §5)."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator
from functools import partial

from domino_eks.model import Deployment, Subnet
from domino_eks.rules.base import REGISTRY, Outcome, Severity, failed, passed
from domino_eks.rules.unknown import Gap, unknown

rule = partial(REGISTRY.rule, section="Beyond the page: the network")
# what a node pulls and calls at boot without internet egress: images (ECR's API and registry, whose layers
# S3 serves) and its role's credentials (STS). Amazon EKS User Guide, "Deploy private clusters with limited
# internet access" (https://docs.aws.amazon.com/eks/latest/userguide/private-clusters.html)
BOOT_SERVICES = ("ecr.api", "ecr.dkr", "s3", "sts")
EVERYWHERE = "0.0.0.0/0"
_NAT_SETTING = {"spec": "network.natGateway: true", "eksctl": "vpc.nat.gateway: Single"}
_WHY_EGRESS = {
    "spec": "the NAT gateway's address exists once apply creates it; checked live by domino-eks check",
    "eksctl": "the NAT gateway's address exists once eksctl creates it; checked live by domino-eks check",
}


@rule(
    "N007", Severity.ERROR,
    title="Nodes cannot reach the API server or the AWS services they boot with",
    rationale=(
        "A node registers with the cluster's API endpoint and pulls its images from ECR (layers from S3) with "
        "credentials from STS before any pod runs. With private endpoint access off, nodes reach the public "
        "endpoint from their NAT gateway's address, which the public access CIDRs must admit; a private subnet "
        "reaches ECR, S3 and STS only through a NAT gateway or VPC endpoints. Otherwise the instances start and "
        "never join."
    ),
    fix="Turn on private endpoint access (`aws eks update-cluster-config --resources-vpc-config "
        "endpointPrivateAccess=true`), or admit the NAT addresses in the public access CIDRs; give each node "
        "subnet a 0.0.0.0/0 route to a NAT gateway, or create VPC endpoints for ecr.api, ecr.dkr, s3 and sts.",
)
def nodes_reach_their_endpoints(d: Deployment) -> Iterator[Outcome]:
    yield from _api_endpoint(d)
    yield from (_boot_services_live(d) if d.live else _boot_services_declared(d))


def _api_endpoint(d: Deployment) -> Iterator[Outcome]:
    h = d.hardening
    if h.endpoint_private:
        yield passed("private endpoint access is on: nodes reach the API server inside the VPC.")
        return
    if h.endpoint_private is None or h.public_access_cidrs is None:
        yield unknown(d, "the cluster's endpoint access", gaps=(Gap.EKS, Gap.AWS))
        return
    if EVERYWHERE in h.public_access_cidrs:
        yield passed("the public endpoint admits every address, the nodes' too.")
        return
    addresses = d.network.nat_addresses
    if addresses is None:
        yield unknown(d, "the NAT gateways' public addresses", _WHY_EGRESS, (Gap.EC2,))
        return
    admitted = [ipaddress.ip_network(c, strict=False) for c in h.public_access_cidrs]
    refused = [a for a in addresses if not any(ipaddress.ip_address(a) in c for c in admitted)]
    cidrs = ", ".join(h.public_access_cidrs) or "nothing"
    where = h.location or d.cluster.location
    if not addresses:
        yield failed(f"private endpoint access is off and the VPC has no NAT gateway: nodes cannot reach the "
                     f"public endpoint, which admits {cidrs}. Turn on private endpoint access: `aws eks "
                     f"update-cluster-config --name {d.cluster.name} --resources-vpc-config "
                     "endpointPrivateAccess=true`.", where)
    elif refused:
        wanted = ",".join([*h.public_access_cidrs, *(f"{a}/32" for a in refused)])
        yield failed(f"private endpoint access is off and the public endpoint admits {cidrs}, not the NAT "
                     f"address(es) {', '.join(refused)} nodes reach it from: they never join. Turn on private "
                     f"endpoint access, or admit them: `aws eks update-cluster-config --name {d.cluster.name} "
                     f"--resources-vpc-config publicAccessCidrs={wanted}`.", where)
    else:
        yield passed(f"the public endpoint admits the NAT address(es) {', '.join(addresses)}.")


def _boot_services_live(d: Deployment) -> Iterator[Outcome]:
    subnets, node_subnets = d.network.subnets, d.node_subnet_ids
    if subnets is None or node_subnets is None:
        yield unknown(d, "the node groups' subnets and their routes", gaps=(Gap.EC2, Gap.AUTOSCALING, Gap.EKS))
        return
    by_id = {s.id: s for s in subnets if s.id}
    for subnet_id in sorted(node_subnets):
        subnet = by_id.get(subnet_id)
        if subnet is None or subnet.egress is None:
            yield unknown(d, f"the routes of node subnet {subnet_id}", gaps=(Gap.EC2,))
        elif subnet.egress in ("nat", "internet"):
            via = "a NAT gateway" if subnet.egress == "nat" else "an internet gateway"
            yield passed(f"every node subnet routes 0.0.0.0/0 through {via} or has the VPC endpoints it needs.")
        else:
            yield from _through_endpoints(d, subnet)


def _through_endpoints(d: Deployment, subnet: Subnet) -> Iterator[Outcome]:
    services = d.network.endpoint_services
    if services is None:
        yield unknown(d, "the VPC's endpoints", gaps=(Gap.EC2,))
        return
    missing = [s for s in BOOT_SERVICES if s not in services]
    if not missing:
        yield passed("every node subnet routes 0.0.0.0/0 through a NAT gateway or has the VPC endpoints it needs.")
        return
    region = d.cluster.region or "REGION"
    create = "; ".join(f"`aws ec2 create-vpc-endpoint --vpc-id {d.network.vpc_id} --service-name "
                       f"com.amazonaws.{region}.{s} --vpc-endpoint-type {'Gateway' if s == 's3' else 'Interface'}`"
                       for s in missing)
    yield failed(f"node subnet {subnet.id} ({subnet.zone}) has no 0.0.0.0/0 route to a NAT gateway and the VPC "
                 f"has no endpoint for {', '.join(missing)}: its nodes cannot pull images or get credentials at "
                 f"boot. Route 0.0.0.0/0 to a NAT gateway, or create the endpoints: {create}.",
                 d.network.location)


def _boot_services_declared(d: Deployment) -> Iterator[Outcome]:
    """A spec or eksctl file declares no VPC endpoints: private nodes need the NAT gateway."""
    private, nat = d.network.private_nodes, d.network.nat_gateway
    if private is False or nat:
        yield passed("the nodes reach ECR, S3 and STS through " + ("a NAT gateway." if nat else "public addresses."))
    elif private is None or nat is None:
        yield unknown(d, "whether the nodes are private and have a NAT gateway")
    else:
        yield failed("the nodes are private and the deployment has no NAT gateway (nor VPC endpoints, which it does "
                     "not create): they cannot pull images or get credentials at boot. Turn the NAT gateway on "
                     f"({_NAT_SETTING[d.source.kind]}), or create VPC endpoints for ecr.api, ecr.dkr, s3 and sts.",
                     d.network.location)
