"""Gathering how the nodes are let into the cluster: its EKS access entries (the authentication mode is on the
cluster's own description), which A004 judges against every node role."""

from __future__ import annotations

from domino_eks.aws import faults, pages
from domino_eks.collect.recorder import Recorder
from domino_eks.collect.shapes import ACCESS_ENTRIES, NODE_ROLE

CONFIG_MAP_ONLY = "CONFIG_MAP"  # the mode in which EKS reads no access entry
API_ONLY = "API"  # the mode in which EKS reads no aws-auth ConfigMap


def authentication_mode(facts: dict) -> str | None:
    """The cluster's authentication mode as DescribeCluster reports it (an endpoint may leave it out)."""
    return ((facts.get("cluster") or {}).get("accessConfig") or {}).get("authenticationMode")


def access_entries(r: Recorder, cluster: str) -> None:
    """Every access entry of the cluster, described for its type (EC2_LINUX lets a node role join)."""
    if authentication_mode(r.facts) == CONFIG_MAP_ONLY:
        return
    eks = r.aws.client("eks")
    with r.recorded("eks", "the node roles' access entries are not judged"):
        principals = list(pages.paginate(eks, "list_access_entries", "accessEntries", clusterName=cluster))
        r.store(ACCESS_ENTRIES, [eks.describe_access_entry(clusterName=cluster, principalArn=principal)
                                 ["accessEntry"] for principal in principals])


def existing(r: Recorder, cluster: str, node_role: str) -> None:
    """What the preflight of plan and apply judges A004 on: the cluster, its access entries and the nodes' role,
    where they already exist (none of them is stored where it does not)."""
    from botocore.exceptions import ClientError

    with r.recorded("eks"):
        try:
            r.store("cluster", r.aws.client("eks").describe_cluster(name=cluster)["cluster"])
        except ClientError as exc:
            if faults.code_of(exc) != "ResourceNotFoundException":
                raise
            return
    access_entries(r, cluster)
    with r.recorded("iam"):
        try:
            r.store(NODE_ROLE, r.aws.client("iam").get_role(RoleName=node_role)["Role"])
        except ClientError as exc:
            if faults.code_of(exc) != "NoSuchEntity":
                raise
