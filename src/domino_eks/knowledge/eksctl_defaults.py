"""What eksctl decides when a ClusterConfig does not: the values it assumes for a field left out, and the policy
it writes for an add-on policy switched on. Read by the eksctl source, written around by the eksctl renderer,
so both agree on which values are eksctl's own. Named after eksctl's `types.go` where it names them
(`DefaultNodeVolumeSize`, `DefaultNodeVolumeType`, ...)."""

from typing import Final

from domino_eks.model import Statement

API_VERSION = "eksctl.io/v1alpha5"
KIND = "ClusterConfig"
VERSION = "1.34"  # the Kubernetes version eksctl creates when metadata.version is absent
VPC_CIDR = "192.168.0.0/16"  # of the VPC eksctl creates
NAT_GATEWAY: Final = "Single"  # vpc.nat.gateway: one NAT gateway for the VPC eksctl creates
VOLUME_SIZE = 80  # GiB, a node's root volume
VOLUME_TYPE: Final = "gp3"
AMI_FAMILY = "AmazonLinux2023"
DISABLE_IMDSV1 = True  # nodes answer only IMDSv2 requests

# What iam.withAddonPolicies.autoScaler grants a node group's role: two statements, both on "*". The eksctl source
# files them under ADDON_AUTOSCALER among the role's policies, and the renderer leaves them to eksctl.
ADDON_AUTOSCALER = "withAddonPolicies.autoScaler"
ADDON_POLICY_NAMES = (ADDON_AUTOSCALER,)
AUTOSCALER_ADDON_POLICY = (
    Statement(effect="Allow", resources=("*",), actions=(
        "autoscaling:DescribeAutoScalingGroups", "autoscaling:DescribeAutoScalingInstances",
        "autoscaling:DescribeLaunchConfigurations", "autoscaling:DescribeScalingActivities", "autoscaling:DescribeTags",
        "ec2:DescribeInstanceTypes", "ec2:DescribeLaunchTemplateVersions",
    )),
    Statement(effect="Allow", resources=("*",), actions=(
        "autoscaling:SetDesiredCapacity", "autoscaling:TerminateInstanceInAutoScalingGroup", "ec2:DescribeImages",
        "ec2:GetInstanceTypesFromInstanceRequirements", "eks:DescribeNodegroup",
    )),
)

# The control plane eksctl creates when the ClusterConfig is silent. Endpoint: public only, open to every address
# ("Cluster Access", https://docs.aws.amazon.com/eks/latest/eksctl/vpc-cluster-access.html: public=true,
# private=false); no control-plane log type; no Secrets encryption; the support type its schema gives as default
# (UpgradePolicy.supportType, /work/shared/reference/eksctl-schema.json).
ENDPOINT_PRIVATE_ACCESS = False
ENDPOINT_PUBLIC_ACCESS = True
PUBLIC_ACCESS_CIDRS = ("0.0.0.0/0",)
LOG_TYPES_ALL = ("all", "*")  # enableTypes entries that stand for every type
SUPPORT_TYPE = "EXTENDED"
