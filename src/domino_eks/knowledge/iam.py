"""The IAM policy documents Domino needs, built from names — the page's policies, corrected.

The page's S3 and autoscaler policies carry trailing commas (invalid JSON) and give the autoscaler's
write actions to every group in the account. These builders are the single source for the rendered
iam/*.json files, for what `apply` attaches, and for the grants the spec source puts in the model.

`allows` and `covers` are just enough IAM policy evaluation for the rules: which actions a set of
statements allows, and where.

Matching follows IAM: `*` matches any run of characters and `?` one character, in both actions and
resources; actions compare case-insensitively, ARNs case-sensitively. Conditions are not evaluated:
a conditional Allow still counts as a grant (A002 judges how it is scoped), and a conditional Deny
does not cancel one, since it applies only to some requests. An unconditional Deny always wins.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache

from domino_eks.model import AUTOSCALER_TAG_PREFIX, KEY_CREATED_BY_APPLY, Statement

S3_BUCKET_ACTIONS = ("s3:ListBucket", "s3:GetBucketLocation", "s3:ListBucketMultipartUploads")
S3_OBJECT_ACTIONS = (
    "s3:PutObject", "s3:GetObject", "s3:DeleteObject", "s3:ListMultipartUploadParts", "s3:AbortMultipartUpload",
)
# The page's list: what the cluster autoscaler needs at the least.
AUTOSCALER_REQUIRED = (
    "autoscaling:DescribeAutoScalingGroups", "autoscaling:DescribeAutoScalingInstances",
    "autoscaling:DescribeLaunchConfigurations", "autoscaling:DescribeTags",
    "autoscaling:SetDesiredCapacity", "autoscaling:TerminateInstanceInAutoScalingGroup",
    "ec2:DescribeLaunchTemplateVersions",
)
# What current autoscaler releases also read (upstream "full features" policy).
AUTOSCALER_RECOMMENDED = (
    "autoscaling:DescribeScalingActivities", "ec2:DescribeImages", "ec2:DescribeInstanceTypes",
    "ec2:GetInstanceTypesFromInstanceRequirements", "eks:DescribeNodegroup",
)
# What an image registry's client needs on an ECR repository: push (CompleteLayerUpload, UploadLayerPart,
# InitiateLayerUpload, BatchCheckLayerAvailability, PutImage, BatchGetImage) and pull (GetDownloadUrlForLayer too),
# plus an authorization token on "*" (https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-push-iam.html,
# .../image-pull-iam.html).
ECR_REPOSITORY_ACTIONS = (
    "ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:InitiateLayerUpload",
    "ecr:UploadLayerPart", "ecr:CompleteLayerUpload", "ecr:PutImage",
)
ECR_TOKEN_ACTION = "ecr:GetAuthorizationToken"
AUTOSCALER_WRITE = ("autoscaling:SetDesiredCapacity", "autoscaling:TerminateInstanceInAutoScalingGroup")
DEPLOYMENT_TAG = "domino-eks/deployment"  # on everything apply creates; value: the cluster name
# Rule C006, what a role needs of the deployment's KMS key. S3 SSE-KMS: uploading an object needs GenerateDataKey,
# downloading it (and completing a multipart upload) Decrypt ("Using server-side encryption with AWS KMS keys",
# https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html, "Permissions").
S3_KMS_ACTIONS = ("kms:Decrypt", "kms:GenerateDataKey")
# The EBS CSI controller, creating volumes a StorageClass's kmsKeyId encrypts: the key's use, and grants only for
# AWS resources (EBS attaching the volume) -- the driver's KMS policy (kubernetes-sigs/aws-ebs-csi-driver,
# docs/install.md "KMS"; https://docs.aws.amazon.com/eks/latest/userguide/ebs-csi.html, custom KMS key).
EBS_KMS_ACTIONS = ("kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey")
KMS_GRANT_ACTIONS = ("kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant")
FOR_AWS_RESOURCES = {"Bool": {"kms:GrantIsForAWSResource": "true"}}


def bucket_arn(name: str, partition: str = "aws") -> str:
    return f"arn:{partition}:s3:::{name}"


def s3_statements(buckets: list[str]) -> tuple[Statement, ...]:
    return (
        Statement(effect="Allow", actions=S3_BUCKET_ACTIONS, resources=tuple(bucket_arn(b) for b in buckets)),
        Statement(effect="Allow", actions=S3_OBJECT_ACTIONS, resources=tuple(f"{bucket_arn(b)}/*" for b in buckets)),
    )


def ecr_repository_arn(name: str, region: str, partition: str = "aws", account: str = "*") -> str:
    """A repository's ARN; the account is `*` where a spec does not know it yet (its own account's only: an
    identity policy cannot reach into another account's repository without that repository's policy)."""
    return f"arn:{partition}:ecr:{region}:{account}:repository/{name}"


def ecr_statements(repository_arn: str) -> tuple[Statement, ...]:
    return (
        Statement(effect="Allow", actions=ECR_REPOSITORY_ACTIONS, resources=(repository_arn,)),
        Statement(effect="Allow", actions=(ECR_TOKEN_ACTION,), resources=("*",)),
    )


def autoscaler_statements(cluster_name: str) -> tuple[Statement, ...]:
    reads = tuple(a for a in AUTOSCALER_REQUIRED if a not in AUTOSCALER_WRITE) + AUTOSCALER_RECOMMENDED
    return (
        Statement(effect="Allow", actions=reads, resources=("*",)),
        Statement(
            effect="Allow",
            actions=AUTOSCALER_WRITE,
            resources=("*",),
            # only the groups tagged as this cluster's (the autodiscovery tag), not every group in the account
            condition={"StringEquals": {f"aws:ResourceTag/{AUTOSCALER_TAG_PREFIX}{cluster_name}": "owned"}},
        ),
    )


def _key_scope(key: str, cluster_name: str, region: str, partition: str) -> tuple[str, dict]:
    """The key a policy names, and the condition that narrows it: a key apply has yet to create has no ARN, so its
    statements cover the region's keys that carry the deployment's tag (KMS evaluates aws:ResourceTag on keys:
    https://docs.aws.amazon.com/kms/latest/developerguide/abac.html)."""
    if key != KEY_CREATED_BY_APPLY:
        return key, {}
    return (f"arn:{partition}:kms:{region}:*:key/*",
            {"StringEquals": {f"aws:ResourceTag/{DEPLOYMENT_TAG}": cluster_name}})


def s3_kms_statements(key: str, cluster_name: str, region: str, partition: str = "aws") -> tuple[Statement, ...]:
    """A node role's use of the key its buckets' SSE-KMS encrypts with."""
    resource, condition = _key_scope(key, cluster_name, region, partition)
    return (Statement(effect="Allow", actions=S3_KMS_ACTIONS, resources=(resource,), condition=condition or None),)


def ebs_kms_statements(key: str, cluster_name: str, region: str, partition: str = "aws") -> tuple[Statement, ...]:
    """The EBS CSI controller's use of the key the block StorageClass names."""
    resource, condition = _key_scope(key, cluster_name, region, partition)
    return (
        Statement(effect="Allow", actions=EBS_KMS_ACTIONS, resources=(resource,), condition=condition or None),
        Statement(effect="Allow", actions=KMS_GRANT_ACTIONS, resources=(resource,),
                  condition={**condition, **FOR_AWS_RESOURCES}),
    )


AUTO_SCALING_SERVICE_ROLE = "AWSServiceRoleForAutoScaling"  # the name AWS gives EC2 Auto Scaling's service-linked role


def autoscaling_service_role_arn(account: str, partition: str = "aws") -> str:
    """The role EC2 Auto Scaling launches instances as, for managed node groups too: a key encrypting their root
    volumes must name it in its key policy ("Required AWS KMS key policy for use with encrypted volumes",
    https://docs.aws.amazon.com/autoscaling/ec2/userguide/key-policy-requirements-EBS-encryption.html)."""
    return f"arn:{partition}:iam::{account}:role/aws-service-role/autoscaling.amazonaws.com/{AUTO_SCALING_SERVICE_ROLE}"


def tls_only_policy(bucket: str, partition: str) -> dict:
    """A bucket policy that refuses every request not made over TLS."""
    arn = bucket_arn(bucket, partition)
    return {"Version": "2012-10-17", "Statement": [{
        "Sid": "DenyInsecureTransport",
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": [arn, f"{arn}/*"],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }]}


def document(statements: tuple[Statement, ...]) -> dict:
    """An IAM policy document (strict JSON when dumped)."""
    out = []
    for s in statements:
        item: dict = {"Effect": s.effect, "Action": list(s.actions), "Resource": list(s.resources)}
        if s.condition:
            item["Condition"] = {k: dict(v) for k, v in s.condition.items()}
        out.append(item)
    return {"Version": "2012-10-17", "Statement": out}


def statements_from_document(doc: Mapping) -> tuple[Statement, ...]:
    """Normalise a policy document (string-or-list fields) into Statements."""
    raw = doc.get("Statement", [])
    raw = [raw] if isinstance(raw, dict) else raw

    def as_tuple(value) -> tuple[str, ...]:
        return (value,) if isinstance(value, str) else tuple(value or ())

    return tuple(
        Statement(
            effect=s.get("Effect", "Allow"),
            actions=as_tuple(s.get("Action")),
            resources=as_tuple(s.get("Resource")),
            condition=s.get("Condition"),
        )
        for s in raw
    )


ANY_RESOURCE = "*"


@cache
def _pattern(glob: str, case_sensitive: bool) -> re.Pattern[str]:
    body = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in glob)
    return re.compile(body, re.DOTALL if case_sensitive else re.DOTALL | re.IGNORECASE)


def action_matches(pattern: str, action: str) -> bool:
    return _pattern(pattern, False).fullmatch(action) is not None


def resource_matches(pattern: str, resource: str) -> bool:
    return _pattern(pattern, True).fullmatch(resource) is not None


def covers(statement: Statement, action: str, resource: str | None = None) -> bool:
    """The statement names `action` on `resource` (on any resource at all when `resource` is None)."""
    if not any(action_matches(p, action) for p in statement.actions):
        return False
    return resource is None or any(resource_matches(p, resource) for p in statement.resources)


def allows(statements: Iterable[Statement], action: str, resource: str | None = None) -> bool:
    """An Allow grants `action` on `resource` (on some resource when None) and no unconditional Deny takes it back.

    With `resource` None, only a Deny on every resource takes the grant back.
    """
    statements = tuple(statements)
    denied_on = resource if resource is not None else ANY_RESOURCE
    if any(s.effect == "Deny" and not s.condition and covers(s, action, denied_on) for s in statements):
        return False
    return any(s.effect == "Allow" and covers(s, action, resource) for s in statements)


def may_grant_service(statement: Statement, service: str) -> bool:
    """Some action pattern of the statement can match an action of `service` (e.g. "*", "s3:*", "s3:Get*")."""
    return any(action_matches(p.split(":", 1)[0], service) for p in statement.actions)


# EKS Pod Identity: the service principal a pod identity role trusts, and the two actions its trust policy allows
# (https://docs.aws.amazon.com/eks/latest/userguide/pod-id-role.html)
POD_IDENTITY_SERVICE = "pods.eks.amazonaws.com"
POD_IDENTITY_TRUST_ACTIONS = ("sts:AssumeRole", "sts:TagSession")
FLOW_LOGS_SERVICE = "vpc-flow-logs.amazonaws.com"  # the principal a flow log's role trusts


@dataclass(frozen=True)
class Controller:
    """A cluster component that calls AWS: the service account it runs as, the AWS-managed policy that grants what
    it needs (None: ours, built here), and an action only it needs, by which a role is seen to carry its grants."""

    name: str
    namespace: str
    service_account: str
    managed_policy: str | None
    signature_action: str


# The service accounts of the EKS add-ons' controllers, as the add-ons create them
# (https://docs.aws.amazon.com/eks/latest/userguide/cni-iam-role.html, .../ebs-csi.html, .../efs-csi.html), and the
# one the cluster autoscaler's manifests and chart name in kube-system (kubernetes/autoscaler, cluster-autoscaler/
# cloudprovider/aws/README.md).
VPC_CNI = Controller("VPC CNI", "kube-system", "aws-node", "AmazonEKS_CNI_Policy", "ec2:AssignPrivateIpAddresses")
EBS_CSI = Controller("EBS CSI driver", "kube-system", "ebs-csi-controller-sa", "service-role/AmazonEBSCSIDriverPolicy",
                     "ec2:AttachVolume")
EFS_CSI = Controller("EFS CSI driver", "kube-system", "efs-csi-controller-sa", "service-role/AmazonEFSCSIDriverPolicy",
                     "elasticfilesystem:CreateAccessPoint")
CLUSTER_AUTOSCALER = Controller("Cluster Autoscaler", "kube-system", "cluster-autoscaler", None,
                                "autoscaling:SetDesiredCapacity")
CONTROLLERS = (VPC_CNI, EBS_CSI, EFS_CSI, CLUSTER_AUTOSCALER)
# What every node's role needs: join the cluster (WorkerNode) and pull images; nothing an add-on needs
NODE_POLICIES = ("AmazonEKSWorkerNodePolicy", "AmazonEC2ContainerRegistryReadOnly")
CLUSTER_POLICIES = ("AmazonEKSClusterPolicy",)  # what the EKS control plane's role needs
# Every AWS-managed policy apply attaches (the part of the ARN after `policy/`): what an emulator must serve.
AWS_MANAGED_POLICIES = (*CLUSTER_POLICIES, *NODE_POLICIES,
                        *(c.managed_policy for c in CONTROLLERS if c.managed_policy))
PLATFORM_ROLE, COMPUTE_ROLE = "platform-nodes", "compute-nodes"


def managed_policy_arn(name: str, partition: str) -> str:
    return f"arn:{partition}:iam::aws:policy/{name}"


def pool_role_name(cluster_name: str, role: str) -> str:
    """The role the nodes of one kind of pool assume (PLATFORM_ROLE or COMPUTE_ROLE): named here because a spec
    says where its grants will live before `apply` creates the role."""
    return f"{cluster_name}-{role}"


def controller_role_name(cluster_name: str, controller: Controller) -> str:
    return f"{cluster_name}-{controller.service_account}"
