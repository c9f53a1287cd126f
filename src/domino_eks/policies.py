"""The IAM policy documents Domino needs, built from names — the page's policies, corrected.

The page's S3 and autoscaler policies carry trailing commas (invalid JSON) and give the autoscaler's
write actions to every group in the account. These builders are the single source for the rendered
iam/*.json files, for what `apply` attaches, and for the grants the spec source puts in the model.
"""

from __future__ import annotations

from domino_eks.model import AUTOSCALER_TAG_PREFIX, Statement

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
AUTOSCALER_WRITE = ("autoscaling:SetDesiredCapacity", "autoscaling:TerminateInstanceInAutoScalingGroup")


def bucket_arn(name: str) -> str:
    return f"arn:aws:s3:::{name}"


def s3_statements(buckets: list[str]) -> tuple[Statement, ...]:
    return (
        Statement(effect="Allow", actions=S3_BUCKET_ACTIONS, resources=tuple(bucket_arn(b) for b in buckets)),
        Statement(effect="Allow", actions=S3_OBJECT_ACTIONS, resources=tuple(f"{bucket_arn(b)}/*" for b in buckets)),
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


def document(statements: tuple[Statement, ...]) -> dict:
    """An IAM policy document (strict JSON when dumped)."""
    out = []
    for s in statements:
        item: dict = {"Effect": s.effect, "Action": list(s.actions), "Resource": list(s.resources)}
        if s.condition:
            item["Condition"] = {k: dict(v) for k, v in s.condition.items()}
        out.append(item)
    return {"Version": "2012-10-17", "Statement": out}


def statements_from_document(doc: dict) -> tuple[Statement, ...]:
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
