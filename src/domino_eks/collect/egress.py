"""Gathering the VPC endpoints of the cluster's VPC: with the route tables and NAT gateways (collected with the
network), they tell whether nodes reach ECR, S3 and STS at boot (N007)."""

from __future__ import annotations

from domino_eks.aws import pages
from domino_eks.collect.recorder import Recorder
from domino_eks.collect.shapes import VPC_ENDPOINTS


def vpc_endpoints(r: Recorder, vpc_id: str) -> None:
    with r.recorded("ec2"):
        r.store(VPC_ENDPOINTS, list(pages.filtered(r.aws.client("ec2"), "describe_vpc_endpoints", "VpcEndpoints",
                                                   "vpc-id", [vpc_id])))
