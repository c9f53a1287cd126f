"""What eksctl assumes when a ClusterConfig leaves a field out: read by the eksctl source, written around by
the eksctl renderer, so both agree on which values are eksctl's own."""

API_VERSION = "eksctl.io/v1alpha5"
KIND = "ClusterConfig"
VPC_CIDR = "192.168.0.0/16"
VOLUME_TYPE = "gp3"
AMI_FAMILY = "AmazonLinux2023"
VERSION = "1.34"  # the Kubernetes version eksctl creates when metadata.version is absent
