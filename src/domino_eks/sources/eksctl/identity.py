"""The IAM a ClusterConfig declares for its nodes and controllers: each node group's instance role
(iam.attachPolicyARNs, iam.attachPolicy, iam.withAddonPolicies) and the Pod Identity associations
(iam.podIdentityAssociations), mapped to the model's node roles and pod identities (rules C005, A001)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from domino_eks.knowledge import eksctl_defaults, iam
from domino_eks.model import NodeGroup, NodeRole, PodIdentity, Statement
from domino_eks.sources.eksctl.schema import ClusterConfig, GroupConfig, NodeGroupIam

AWS_MANAGED = ":iam::aws:policy/"  # in the ARN of every AWS-managed policy, before its name


def policy_name(arn: str) -> str:
    """An AWS-managed policy by its name (the model's way); any other policy by its whole ARN."""
    return arn.split(AWS_MANAGED, 1)[1] if AWS_MANAGED in arn else arn


def _role_name(arn: str) -> str:
    return arn.rsplit("/", 1)[-1]


def node_role(config: GroupConfig, group: NodeGroup) -> NodeRole:
    """The role eksctl makes for the group (one per group), with what the file attaches to it."""
    declared = config.iam
    policies: dict[str, tuple[Statement, ...]] = {}
    if declared.attach_policy:
        policies["attachPolicy"] = iam.statements_from_document(declared.attach_policy)
    if declared.with_addon_policies.auto_scaler:
        policies[eksctl_defaults.ADDON_AUTOSCALER] = eksctl_defaults.AUTOSCALER_ADDON_POLICY
    given = declared.instance_role_arn or declared.instance_profile_arn
    return NodeRole(
        name=declared.instance_role_name or (_role_name(given) if given else f"instance role of node group "
                                                                             f"{group.name}"),
        groups=(group.name,),
        managed_policies=tuple(policy_name(arn) for arn in declared.attach_policy_arns or ()),
        policies=policies,
        unlisted=_unlisted(declared),
        location=group.location,
    )


def _unlisted(declared: NodeGroupIam) -> str | None:
    """Why the file cannot list all the role carries: a role made elsewhere, or policies eksctl writes itself."""
    if declared.instance_role_arn or declared.instance_profile_arn:
        return "use a role made outside this file"
    if any(value for name, value in declared.with_addon_policies if name != "auto_scaler"):
        return "turn on withAddonPolicies whose policies eksctl writes itself"
    if declared.attach_policy_arns is None:
        return "attach no policy ARNs, so eksctl gives their roles its default policies, which the file does not list"
    return None


def pod_identities(config: ClusterConfig) -> tuple[PodIdentity, ...]:
    """iam.podIdentityAssociations, each with the role it names and the policies it grants."""
    declared: Sequence[Any] = (config.iam.pod_identity_associations if config.iam else None) or ()
    return tuple(_pod_identity(a) for a in declared if isinstance(a, Mapping))


def _pod_identity(association: Mapping[str, Any]) -> PodIdentity:
    namespace, account = association.get("namespace", ""), association.get("serviceAccountName", "")
    policies: dict[str, tuple[Statement, ...]] = {}
    if association.get("permissionPolicy"):
        policies["permissionPolicy"] = iam.statements_from_document(association["permissionPolicy"])
    if (association.get("wellKnownPolicies") or {}).get("autoScaler"):
        policies["wellKnownPolicies.autoScaler"] = eksctl_defaults.AUTOSCALER_ADDON_POLICY
    role = association.get("roleName") or (_role_name(association["roleARN"]) if association.get("roleARN")
                                           else f"the role eksctl makes for {namespace}/{account}")
    return PodIdentity(namespace=namespace, service_account=account, role=role,
                       managed_policies=tuple(policy_name(a) for a in association.get("permissionPolicyARNs") or ()),
                       policies=policies)
