"""Rule A004: every node role can join the cluster — an EKS access entry of type EC2_LINUX where the cluster's
authentication mode reads access entries, or an aws-auth mapping into system:nodes where it reads the ConfigMap.
The most common reason nodes never join (public issue trackers, anchors-2026-12 §5)."""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial

from domino_eks.model import EC2_LINUX, AccessEntry, Deployment, Location
from domino_eks.rules.base import REGISTRY, Outcome, Severity, failed, passed, skipped
from domino_eks.rules.unknown import Gap, unknown

rule = partial(REGISTRY.rule, section="Beyond the page: the cluster")
_WHY = {
    "spec": "the cluster's access entries exist once apply creates it (with an EC2_LINUX access entry for the "
            "nodes' role); checked live by domino-eks check, and by plan and apply when the cluster exists",
    "eksctl": "eksctl creates the node groups' access entries itself; checked live by domino-eks check",
}
_READS_ENTRIES = ("API", "API_AND_CONFIG_MAP")
_READS_CONFIG_MAP = ("CONFIG_MAP", "API_AND_CONFIG_MAP")


def same_role(one: str, other: str) -> bool:
    """Role ARNs naming the same role: aws-auth and access entries want the ARN without the role's path."""
    def without_path(arn: str) -> str:
        head, _, rest = arn.partition(":role/")
        return f"{head}:role/{rest.rsplit('/', 1)[-1]}" if rest else arn

    return without_path(one) == without_path(other)


@rule(
    "A004", Severity.ERROR,
    title="A node role has no way into the cluster",
    rationale=(
        "A node's kubelet authenticates as its IAM role. EKS lets that role register the node only through an "
        "access entry of type EC2_LINUX (authentication modes API and API_AND_CONFIG_MAP) or a mapping into "
        "system:nodes in the aws-auth ConfigMap (modes CONFIG_MAP and API_AND_CONFIG_MAP). Without one the "
        "instances start and never become nodes: NodeCreationFailure, or Karpenter's NodeNotFound."
    ),
    fix="Create an EC2_LINUX access entry for the role (`aws eks create-access-entry --cluster-name NAME "
        "--principal-arn ROLE_ARN --type EC2_LINUX`), or, in CONFIG_MAP mode, map the role in aws-auth's "
        "mapRoles with the groups system:bootstrappers and system:nodes.",
)
def node_roles_can_join(d: Deployment) -> Iterator[Outcome]:
    if not d.groups:
        yield skipped("the deployment has no node group.")
        return
    mode = d.access.authentication_mode
    if mode is None:
        yield unknown(d, "the cluster's authentication mode", _WHY, (Gap.EKS, Gap.AWS))
        return
    unnamed = sorted(g.name for g in d.groups if g.node_role is None)
    if unnamed:
        yield unknown(d, f"the node role of node group(s) {', '.join(unnamed)}", _WHY, (Gap.IAM, Gap.EC2))
    groups_by_role: dict[str, list[str]] = {}
    for group in d.groups:
        if group.node_role is not None:
            groups_by_role.setdefault(group.node_role, []).append(group.name)
    for role, groups in sorted(groups_by_role.items()):
        yield _judged(d, mode, role, groups)


def _judged(d: Deployment, mode: str, role: str, groups: list[str]) -> Outcome:
    entries, mapped = d.access.access_entries, d.access.aws_auth_node_roles
    entry = next((e for e in entries or () if same_role(e.principal_arn, role)), None)
    if mode in _READS_ENTRIES and entry is not None and entry.type == EC2_LINUX:
        return passed(f"every node role has an {EC2_LINUX} access entry or an aws-auth mapping.")
    if mode in _READS_CONFIG_MAP and mapped is not None and any(same_role(m, role) for m in mapped):
        return passed(f"every node role has an {EC2_LINUX} access entry or an aws-auth mapping.")
    if mode in _READS_ENTRIES and entries is None:
        return unknown(d, f"the access entries of cluster {d.cluster.name}", _WHY, (Gap.EKS,))
    if mode in _READS_CONFIG_MAP and mapped is None:
        return unknown(d, "the aws-auth ConfigMap's role mappings", _WHY, (Gap.KUBERNETES,))
    return failed(_message(d.cluster.name, mode, role, groups, entry), Location(object=f"Role/{role}"))


def _message(cluster: str, mode: str, role: str, groups: list[str], entry: AccessEntry | None) -> str:
    whose = f"node role {role} (node group{'s' if len(groups) > 1 else ''} {', '.join(sorted(groups))})"
    create = f"`aws eks create-access-entry --cluster-name {cluster} --principal-arn {role} --type {EC2_LINUX}`"
    if mode == "CONFIG_MAP":
        return (f"{whose} is not mapped in the aws-auth ConfigMap, the only way in under the cluster's "
                f"authentication mode CONFIG_MAP: its nodes never join. Add it to mapRoles with the groups "
                f"system:bootstrappers and system:nodes, or switch to API_AND_CONFIG_MAP (`aws eks "
                f"update-cluster-config --name {cluster} --access-config authenticationMode=API_AND_CONFIG_MAP`) "
                f"and run {create}.")
    if entry is not None:
        return (f"{whose} has an access entry of type {entry.type}, not {EC2_LINUX}: its nodes cannot register. "
                f"Replace it: `aws eks delete-access-entry --cluster-name {cluster} --principal-arn {role}`, then "
                f"{create}.")
    missing = "neither an EKS access entry nor an aws-auth mapping" if mode in _READS_CONFIG_MAP else \
        "no EKS access entry"
    return f"{whose} has {missing}: its nodes never join. Run {create}."
