"""Rules C004 and C005: what a pod on a node can do with the node's own AWS identity. Every pod that reaches the
instance metadata service holds the node role's credentials, so that role carries only what the nodes need, and
the add-ons' controllers get roles of their own (AWS EKS best practices, "Identity and access management")."""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial

from domino_eks.knowledge import domino, iam
from domino_eks.model import PLATFORM, Deployment, NodePool, NodeRole
from domino_eks.rules.base import REGISTRY, Outcome, Severity, failed, passed
from domino_eks.rules.unknown import Gap, unknown

rule = partial(REGISTRY.rule, section="Cluster hardening (AWS EKS best practices, CIS)")
_NODE_GAPS = (Gap.EC2, Gap.EKS, Gap.AWS)


@rule(
    "C004", Severity.WARNING,
    title="Nodes accept IMDSv1, or let their pods reach the node role",
    rationale=(
        "IMDSv1 answers any request that reaches 169.254.169.254, so a server-side request forgery in any pod "
        "hands out the node role's credentials; IMDSv2 (HttpTokens: required) needs a session token first. Its hop "
        "limit decides who gets one: with 1, only the node itself; with 2, every pod not on the host network. "
        "Keep 2 only on pools whose pods need the node role, and know what they need it for."
    ),
    fix="Require IMDSv2 on every node (HttpTokens: required; disableIMDSv1 in eksctl) and set the hop limit to 1 "
        "on pools whose pods need not reach the node role (nodePools[].imdsHopLimit in the spec).",
)
def instance_metadata(d: Deployment) -> Iterator[Outcome]:
    groups = d.groups
    if not groups or any(g.imdsv2_required is None for g in groups):
        yield unknown(d, "whether every node requires IMDSv2", gaps=_NODE_GAPS)
        return
    for group in groups:
        if not group.imdsv2_required:
            yield failed(f"node group {group.name} accepts IMDSv1: any pod, or a request forged through one, gets "
                         "the node role's credentials without a token.", group.location)
    for pool in d.pools:
        limits = [g.metadata_hop_limit for g in pool.groups if g.metadata_hop_limit is not None]
        if limits and max(limits) > 1:
            yield failed(f"pool {pool.name} has IMDS hop limit {max(limits)}, so its pods reach its node role: "
                         f"{_node_role_use(pool)}.", pool.location, severity=Severity.INFO)
    yield passed("every node requires IMDSv2.")


def _node_role_use(pool: NodePool) -> str:
    """What on the pool needs its node role, as Domino uses it."""
    if pool.label is None:
        return "this pool is not Domino's; its own workloads decide whether they need it"
    return domino.PLATFORM_NODE_ROLE_USE if pool.label == PLATFORM else domino.COMPUTE_NODE_ROLE_USE


@rule(
    "C005", Severity.WARNING,
    title="Add-on or autoscaler permissions sit on a node role",
    rationale=(
        "Every pod on a node that reaches the instance metadata service holds the node role's credentials. The VPC "
        "CNI's permissions let it rewire every network interface, the EBS and EFS CSI drivers' let it attach, "
        "delete and snapshot volumes and file systems, the autoscaler's let it resize and terminate node groups. "
        "On a node role, user code on Domino's compute nodes holds them all. EKS Pod Identity (or IRSA) gives each "
        "controller its own role, which only its service account's pods receive."
    ),
    fix="Give the VPC CNI, the EBS and EFS CSI drivers and the Cluster Autoscaler EKS Pod Identity associations "
        "(with the eks-pod-identity-agent add-on) or IRSA roles, and take their policies off the node roles "
        "(domino-eks apply does both).",
)
def controller_permissions(d: Deployment) -> Iterator[Outcome]:
    roles = d.access.node_roles
    if roles is None:
        yield unknown(d, "the node roles and their policies", gaps=(Gap.IAM, Gap.AWS))
        return
    carrying = [(role, [c.name for c in iam.CONTROLLERS if _carries(role, c)]) for role in roles]
    for role, carried in carrying:
        if carried:
            yield failed(f"node role {role.name} (node groups {', '.join(role.groups)}) carries the permissions of "
                         f"the {', '.join(carried)}: every pod on those nodes can use them.", role.location)
    unlisted: dict[str, list[str]] = {}
    for role in roles:
        if role.unlisted:
            unlisted.setdefault(role.unlisted, []).extend(role.groups)
    if unlisted and not any(carried for _, carried in carrying):
        # what the source lists is clean, but the rest of those roles could carry anything
        why = "; ".join(f"node groups {', '.join(groups)} {reason}" for reason, groups in unlisted.items())
        yield unknown(d, "part of the node roles' policies", {d.source.kind: f"{why}; checked live by domino-eks "
                                                                            "check"}, (Gap.IAM, Gap.AWS))
        return
    yield passed("no node role carries an add-on's or the autoscaler's permissions.")


def _carries(role: NodeRole, controller: iam.Controller) -> bool:
    """The role has the controller's AWS-managed policy, or a policy allowing what only the controller needs."""
    named = controller.managed_policy and controller.managed_policy.rsplit("/", 1)[-1]
    return named in {p.rsplit("/", 1)[-1] for p in (*role.managed_policies, *role.policies)} or iam.allows(
        role.statements, controller.signature_action)
