"""The EKS add-ons a Domino deployment needs (rule K004): pod networking, DNS, service routing, and the EBS and
EFS CSI drivers Domino's storage classes use; the Pod Identity agent wherever Pod Identity hands out roles."""

# Amazon EKS User Guide, "Amazon EKS add-ons" (https://docs.aws.amazon.com/eks/latest/userguide/eks-add-ons.html):
# the add-on names as `aws eks describe-addon-versions` lists them
ALWAYS = ("vpc-cni", "coredns", "kube-proxy", "aws-ebs-csi-driver", "aws-efs-csi-driver")
POD_IDENTITY_AGENT = "eks-pod-identity-agent"
EVERY = (*ALWAYS, POD_IDENTITY_AGENT)

# The add-ons that run only a DaemonSet, one pod on each node: EKS reports them ACTIVE with no node yet, so they wait
# for nothing but the cluster (vpc-cni must even be there before nodes can become Ready). The others run Deployments
# (coredns, the CSI drivers' controllers) whose pods need a node to run on: created before one is up, they stay
# DEGRADED (terraform-aws-modules/terraform-aws-eks#3001, eksctl-io/eksctl#4607)
DAEMON_SETS = frozenset({"vpc-cni", "kube-proxy", POD_IDENTITY_AGENT})
