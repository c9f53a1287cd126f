"""How long AWS takes to make the slow resources usable, from published timings: what apply's waits are paced by
(provision/waiters.py) and what the apply bench's model of AWS draws from (bench/aws_model.py)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Duration:
    """From the request until the resource is usable, at AWS's quickest and slowest, in seconds."""

    quickest: float
    slowest: float


MINUTE = 60.0

# "Creation complete after 8m33s" (DevopsArtFactory/terraform-provisioning#46) and "after 10m6s"
# (terraform-aws-modules/terraform-aws-eks#3218) in published Terraform logs; "averages 15 minutes"
# (aws/containers-roadmap#1227)
CONTROL_PLANE = Duration(8.5 * MINUTE, 15 * MINUTE)
# until ACTIVE: its instances boot and join the cluster. No measurement in the sources searched; the common
# report is 2-5 minutes, and a group whose nodes cannot join fails after far longer
# (terraform-aws-modules/terraform-aws-eks#1131)
MANAGED_NODE_GROUP = Duration(2 * MINUTE, 5 * MINUTE)
# "It can take up to 10 min for NatGateway to go from Pending to Available" in 2016 (kubernetes/kops#944),
# "up to 5 min" (kubernetes/kops#995); a minute or two today
NAT_GATEWAY = Duration(1 * MINUTE, 5 * MINUTE)
# "The reconciler waits for the mount target to reach the available state (typically 1-2 minutes)"
# (alchemy.run, AWS.EFS.MountTarget)
EFS_MOUNT_TARGET = Duration(1 * MINUTE, 2 * MINUTE)
# a file system is "creating" for seconds (EFS User Guide, "Understanding file system states"); half a minute at most
EFS_FILE_SYSTEM = Duration(5.0, 30.0)
# ACM puts the DNS validation record on the certificate a few seconds after the request
CERTIFICATE_VALIDATION_RECORD = Duration(2.0, 10.0)
# vpc-cni and kube-proxy report ready "soon as the pods passed readiness check"; coredns and the CSI drivers,
# whose pods need a node to run on, took far longer (aws-ia/terraform-aws-eks-blueprints#642; eksctl-io/eksctl#4607)
ADDON_DAEMON_SET = Duration(10.0, 1 * MINUTE)
ADDON_DEPLOYMENT = Duration(1 * MINUTE, 5 * MINUTE)
# an add-on handler waits for either kind
ADDON = Duration(ADDON_DAEMON_SET.quickest, ADDON_DEPLOYMENT.slowest)
