"""The EKS add-ons a Domino deployment needs (rule K004): pod networking, DNS, service routing, and the EBS and
EFS CSI drivers Domino's storage classes use; the Pod Identity agent wherever Pod Identity hands out roles."""

# Amazon EKS User Guide, "Amazon EKS add-ons" (https://docs.aws.amazon.com/eks/latest/userguide/eks-add-ons.html):
# the add-on names as `aws eks describe-addon-versions` lists them
ALWAYS = ("vpc-cni", "coredns", "kube-proxy", "aws-ebs-csi-driver", "aws-efs-csi-driver")
POD_IDENTITY_AGENT = "eks-pod-identity-agent"
EVERY = (*ALWAYS, POD_IDENTITY_AGENT)
