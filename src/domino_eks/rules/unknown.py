"""What every rule module says of a fact its source cannot know: which fact, why this kind of source lacks
it, and what the source reported when it tried (its gaps, by the keys of `Gap`)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from enum import Enum

from domino_eks.model import Deployment
from domino_eks.rules.base import Outcome, skipped


class Gap(str, Enum):
    """The keys of `SourceInfo.gaps`: what a live collection or a dump could not gather, by the AWS service
    that refused it, the whole AWS or Kubernetes side, or a name nobody gave. The collectors (collect/) and
    the snapshot and dump sources write them; a skip cites those its fact is read from."""

    AWS = "aws"  # no AWS facts at all: no cluster name, region or credentials, or a kubectl List dump
    EKS = "eks"  # the cluster (version, VPC config), its versions, managed node groups and Fargate profiles
    EC2 = "ec2"  # instances, launch templates, images, subnets, VPC, route tables, NAT gateways, security groups
    SERVICE_QUOTAS = "service-quotas"  # the account's On-Demand vCPU quotas
    AUTOSCALING = "autoscaling"  # the Auto Scaling groups behind the node groups, with their sizes and tags
    EFS = "efs"  # the Datasets file system and its mount targets
    S3 = "s3"  # the buckets' settings, or a bucket whose name nobody gave
    ECR = "ecr"  # the ECR repository Domino's registry uses
    IAM = "iam"  # the node roles and their policies
    BACKUP = "backup"  # AWS Backup's protected resources (looked up when EFS's automatic backups are off)
    KMS = "kms"  # the key that encrypts the cluster's Secrets, and its rotation
    ACM = "acm"  # the certificate for the FQDN
    KUBERNETES = "kubernetes"  # no usable kubeconfig, or a list the API refused (named in the reason)
    DOMAIN = "domain"  # no FQDN given; D001 says so in its own words, so no rule cites it

    def __str__(self) -> str:  # "s3" in messages, not "Gap.S3": from Python 3.12 format() follows str()
        return self.value


_WHY_BY_KIND = {
    "spec": "the spec does not declare it; checked live by domino-eks check",
    "eksctl": "an eksctl ClusterConfig does not declare it; checked live by domino-eks check",
    "live": "the live account and cluster did not report it",
    "dump": "the dump file does not hold it; `domino-eks snapshot` collects it",
}


# why a dump or a live run may not know the cluster's name: EKS facts name it, and eksctl's node label
CLUSTER_NAME_WHY = {
    "dump": "the dump holds no EKS facts and no node carries the alpha.eksctl.io/cluster-name label (a cluster "
            "built by Terraform or the console, or one running on Fargate only); pass --cluster NAME",
    "live": "neither EKS nor the kubeconfig context named the cluster; pass --cluster NAME",
}


def cluster_argument(d: Deployment) -> str:
    """The cluster as an AWS CLI command a finding suggests names it: NAME to fill in where the name is unknown."""
    return d.cluster.name or "NAME"


def unknown(d: Deployment, fact: str, why: Mapping[str, str] | None = None, gaps: Iterable[Gap] = ()) -> Outcome:
    """A skip saying `fact` is unknown: `why[kind]` (or a generic reason) plus any source gap among `gaps`."""
    because = (why or {}).get(d.source.kind) or _WHY_BY_KIND[d.source.kind]
    found = reported(d, gaps)
    suffix = f" (the source reported {'; '.join(found)})" if found else ""
    return skipped(f"{fact} unknown: {because}{suffix}.")


def reported(d: Deployment, gaps: Iterable[Gap]) -> list[str]:
    """'key: reason' for each of `gaps` the source recorded, in the order cited."""
    return [f"{gap}: {d.source.gaps[gap]}" for gap in gaps if gap in d.source.gaps]
