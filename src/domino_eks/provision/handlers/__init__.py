"""One module per AWS service area; each resource type is one Handler, registered here by its type name."""

from __future__ import annotations

from domino_eks.provision.handlers import (
    domain,
    ecr,
    efs,
    eks,
    iam,
    kms,
    logs,
    network,
    nodes,
    podidentity,
    s3,
    security,
)
from domino_eks.provision.handlers.base import Handler

HANDLERS: dict[str, Handler] = {
    handler.kind: handler
    for handler in (
        network.Vpc(), network.InternetGateway(), network.Subnet(), network.ElasticIp(), network.NatGateway(),
        network.RouteTable(), security.SecurityGroup(), security.SecurityGroupIngress(),
        iam.ManagedPolicy(), iam.Role(), iam.InstanceProfile(),
        eks.Cluster(), eks.Nodegroup(), eks.Addon(), eks.AccessEntry(), podidentity.PodIdentityAssociation(),
        nodes.LaunchTemplate(), nodes.AutoScalingGroup(),
        efs.FileSystem(), efs.MountTarget(), efs.AccessPoint(),
        s3.Bucket(), s3.BucketPolicy(), ecr.Repository(),
        domain.Certificate(), domain.DnsRecord(),
        kms.Key(), logs.LogGroup(), logs.FlowLog(),
    )
}
