"""How node roles get into the cluster: each node group's role, the cluster's authentication mode, its access
entries, and the roles the aws-auth ConfigMap maps into `system:nodes` (rule A004)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import get_args

from domino_eks.collect.shapes import ACCESS_ENTRIES, AWS_AUTH
from domino_eks.model import Access, AccessEntry, AuthenticationMode, NodeGroup
from domino_eks.sources.snapshot.facts import Facts
from domino_eks.sources.snapshot.identity import group_roles

NODES_GROUP = "system:nodes"  # the Kubernetes group a node's kubelet must be in to register


def with_node_roles(facts: Facts, groups: list[NodeGroup]) -> list[NodeGroup]:
    arns = {group: role["Arn"] for group, role in group_roles(facts).items() if role.get("Arn")}
    return [g.model_copy(update={"node_role": arns[g.name]}) if g.name in arns else g for g in groups]


def with_admission(facts: Facts, access: Access) -> Access:
    mode = ((facts.aws_part("cluster") or {}).get("accessConfig") or {}).get("authenticationMode")
    entries = facts.aws_part(ACCESS_ENTRIES)
    config_map = facts.kube_part(AWS_AUTH)
    return access.model_copy(update={
        "authentication_mode": mode if mode in get_args(AuthenticationMode) else None,
        "access_entries": None if entries is None else tuple(
            AccessEntry(principal_arn=e["principalArn"], type=e.get("type")) for e in entries),
        "aws_auth_node_roles": None if config_map is None else _mapped_node_roles(config_map),
    })


def _mapped_node_roles(data: Mapping[str, str]) -> tuple[str, ...]:
    """The role ARNs of mapRoles entries that put their role into system:nodes. A mapRoles EKS cannot parse
    maps nobody."""
    from ruamel.yaml import YAML, YAMLError

    try:
        mappings = YAML(typ="safe").load(data.get("mapRoles") or "[]")
    except YAMLError:
        return ()
    if not isinstance(mappings, list):
        return ()
    return tuple(m["rolearn"] for m in mappings if isinstance(m, Mapping) and isinstance(m.get("rolearn"), str)
                 and NODES_GROUP in (m.get("groups") or ()))
