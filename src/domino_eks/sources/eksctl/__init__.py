"""An eksctl ClusterConfig (eksctl.io/v1alpha5), read through `schema` as strictly as eksctl reads it, then
mapped to the model one part at a time.

What the file cannot tell (buckets, EFS, the FQDN, policies attached by hand afterwards, a Calico install)
stays unknown in the model.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from domino_eks.errors import InputError, Problem
from domino_eks.knowledge import eks_versions, eksctl_defaults, iam, regions
from domino_eks.knowledge.instances import default_image_accelerated
from domino_eks.model import (
    AUTOSCALER_TAG_PREFIX,
    NODE_POOL_LABEL,
    PLATFORM,
    Access,
    Autoscaler,
    Cluster,
    Deployment,
    FargateProfile,
    Grants,
    Kubernetes,
    Location,
    Network,
    NodeGroup,
    NodePool,
    PodIdentity,
    SourceInfo,
    Statement,
    Storage,
    Subnet,
    Taint,
    node_template_tags,
)
from domino_eks.sources import yamlfile
from domino_eks.sources.eksctl import hardening, identity, images, published_schema
from domino_eks.sources.eksctl.schema import ClusterConfig, GroupConfig, Nat, Subnets, Vpc

API_VERSION, KIND = eksctl_defaults.API_VERSION, eksctl_defaults.KIND


def is_cluster_config(document: dict) -> bool:
    return yamlfile.is_of_kind(document, API_VERSION, KIND)


def load(path: str, today: date | None = None) -> Deployment:
    document, file = yamlfile.read(path)
    return from_document(document, file, today)


def from_document(document: dict, file: str, today: date | None = None) -> Deployment:
    """The deployment a parsed file describes; every shape error becomes a located `InputError`: first what eksctl's
    own schema refuses (unknown keys, wrong types, anywhere), then what eksctl's decoding of the read fields does, then
    node images the file cannot use (`images`)."""
    refused = published_schema.problems(document, file)
    if refused:
        raise InputError(refused)
    config = yamlfile.validate(ClusterConfig, document, file)
    unusable = images.problems(config, document, file)
    if unusable:
        raise InputError(unusable)
    return to_deployment(config, document, file, today or date.today())


def to_deployment(config: ClusterConfig, document: Any, file: str, today: date) -> Deployment:
    declared = _declared_groups(config, document, file)
    groups = [group for _, group in declared]
    return Deployment(
        source=SourceInfo(kind="eksctl", file=file),
        cluster=_cluster(config, document, file, today),
        pools=_pools(groups),
        network=_network(config, groups, document, file),
        storage=Storage(ebs_csi_driver=True if config.addon("aws-ebs-csi-driver") else None),
        access=_access(config, declared),
        autoscaler=Autoscaler(enabled=_autoscaler_enabled(config, declared)),
        kubernetes=_kubernetes(config),
        hardening=hardening.hardening(config, yamlfile.location(document, file, "metadata")),
    )


def _cluster(config: ClusterConfig, document: Any, file: str, today: date) -> Cluster:
    meta = config.metadata
    version = meta.version or eksctl_defaults.VERSION
    return Cluster(
        name=meta.name,
        region=meta.region,
        version=version,
        version_support=eks_versions.support(version, today),
        control_plane_zones=tuple(config.availability_zones) if config.availability_zones else None,
        tags=meta.tags,
        location=yamlfile.location(document, file, "metadata"),
    )


def _declared_groups(config: ClusterConfig, document: Any, file: str) -> list[tuple[GroupConfig, NodeGroup]]:
    """Each node group as the file declares it, beside the model's: the self-managed ones, then the managed."""
    group_lists: list[tuple[str, Sequence[GroupConfig], bool]] = [
        ("nodeGroups", config.node_groups, False), ("managedNodeGroups", config.managed_node_groups, True),
    ]
    return [
        (group, _node_group(config, group, managed, yamlfile.location(document, file, key, index)))
        for key, groups, managed in group_lists for index, group in enumerate(groups)
    ]


def _group_zones(config: ClusterConfig, group: GroupConfig) -> tuple[str, ...] | None:
    """A group without zones of its own spans the cluster's; one pinned to subnets sits where they are."""
    if group.availability_zones:
        return tuple(group.availability_zones)
    if group.subnets or not config.availability_zones:
        return None
    return tuple(config.availability_zones)


def _recorded_tags(group: GroupConfig, taints: tuple[Taint, ...]) -> dict[str, str]:
    """The ASG's tags: propagateASGTags adds the autoscaler's node templates; tags written by hand win."""
    if group.propagate_asg_tags:
        return node_template_tags(group.labels, taints) | group.tags
    return dict(group.tags)


def _pinned_ami(group: GroupConfig) -> str | None:
    return group.ami if group.ami and group.ami.startswith("ami-") else None


def _ami_family(group: GroupConfig) -> str | None:
    if group.ami_family:
        return group.ami_family
    # eksctl refuses a pinned AMI without its family, so which image this file meant is unknown
    return None if _pinned_ami(group) else eksctl_defaults.AMI_FAMILY


def _ami_accelerated(group: GroupConfig) -> bool | None:
    if _pinned_ami(group):
        return None
    return default_image_accelerated(_ami_family(group), group.single_instance_type)


def _node_group(config: ClusterConfig, group: GroupConfig, managed: bool, location: Location) -> NodeGroup:
    taints = tuple(Taint(key=t.key, value=t.value, effect=t.effect) for t in group.taints)
    return NodeGroup(
        name=group.name,
        zones=_group_zones(config, group),
        instance_type=group.single_instance_type,
        volume_size_gb=group.volume_size,
        volume_type=group.volume_type,
        # unset, eksctl leaves the root volume to the account's EBS encryption default: unknown here
        volume_encrypted=group.volume_encrypted if isinstance(group.volume_encrypted, bool) else None,
        volume_kms_key_id=group.volume_kms_key_id if isinstance(group.volume_kms_key_id, str) else None,
        min_size=group.min_size,
        desired_capacity=group.desired_capacity,
        max_size=group.max_size,
        labels=dict(group.labels),
        taints=taints,
        tags=_recorded_tags(group, taints),
        managed=managed,
        ami=_pinned_ami(group),
        ami_family=_ami_family(group),
        ami_accelerated=_ami_accelerated(group),
        pre_bootstrap_commands=tuple(group.pre_bootstrap_commands),
        bootstrap_arguments=group.override_bootstrap_command,
        private_networking=group.private_networking,
        imdsv2_required=group.disable_imdsv1,
        location=location,
    )


def _pools(groups: list[NodeGroup]) -> tuple[NodePool, ...]:
    """Groups sharing a node-pool label form one pool; a group without the label is a pool of its own."""
    members: dict[tuple[str, str], list[NodeGroup]] = {}
    for group in groups:
        label = group.labels.get(NODE_POOL_LABEL)
        members.setdefault(("label", label) if label is not None else ("group", group.name), []).append(group)
    return tuple(
        NodePool(name=name, label=name if kind == "label" else None, groups=tuple(gs), location=gs[0].location)
        for (kind, name), gs in members.items()
    )


def _addon_settings(config: ClusterConfig, document: Any, file: str, name: str) -> dict:
    """An add-on's configurationValues, parsed (YAML reads JSON too); {} when it declares none."""
    index, addon = next(((i, a) for i, a in enumerate(config.addons) if a.name == name), (None, None))
    if addon is None or not addon.configuration_values:
        return {}
    try:
        settings = YAML(typ="safe").load(addon.configuration_values)
    except YAMLError as exc:
        assert index is not None  # found together with addon, which is not None here
        where = yamlfile.location(document, file, "addons", index, "configurationValues")
        reason = getattr(exc, "problem", None) or exc
        raise InputError([Problem(file, f"'{where.path}' is not valid JSON or YAML: {reason}",
                                  where.line, where.column)]) from None
    return settings if isinstance(settings, dict) else {}


def _is_true(value: Any) -> bool:
    return str(value).lower() == "true"


def _subnets(subnets: Subnets | None) -> tuple[Subnet, ...] | None:
    """Subnets the file lays out itself; None when eksctl lays them out, or a zone or CIDR is not given."""
    if subnets is None:
        return None
    laid_out = []
    for public, mapping in ((False, subnets.private), (True, subnets.public)):
        for key, spec in mapping.items():
            zone = spec.az or (key if regions.zone_region(key) else None)
            if zone is None or spec.cidr is None:
                return None
            laid_out.append(Subnet(zone=zone, cidr=spec.cidr, public=public, id=spec.id))
    return tuple(laid_out) or None


def _nat_gateway(vpc: Vpc) -> bool | None:
    if vpc.nat is None and vpc.id:
        return None  # eksctl adds NAT gateways only to a VPC it creates; an existing VPC's routes are not in the file
    return (vpc.nat or Nat()).gateway != "Disable"


def _network(config: ClusterConfig, groups: list[NodeGroup], document: Any, file: str) -> Network:
    vpc = config.vpc or Vpc()
    vpc_cni = config.addon("vpc-cni") is not None or not config.addons_config.disable_default_addons
    settings = _addon_settings(config, document, file, "vpc-cni")
    env = settings["env"] if isinstance(settings.get("env"), dict) else {}
    return Network(
        vpc_id=vpc.id,
        vpc_cidr=vpc.cidr or (None if vpc.id else eksctl_defaults.VPC_CIDR),
        subnets=_subnets(vpc.subnets),
        cni="vpc-cni" if vpc_cni else None,
        # without the agent, NetworkPolicy may still come from a Calico installed after eksctl: unknown
        policy_engine="vpc-cni" if _is_true(settings.get("enableNetworkPolicy")) else None,
        prefix_delegation=True if _is_true(env.get("ENABLE_PREFIX_DELEGATION")) else None,
        private_nodes=all(g.private_networking for g in groups) if groups else None,
        nat_gateway=_nat_gateway(vpc),
        location=yamlfile.location(document, file, "vpc") if config.vpc else None,
    )


def _declared_statements(group: GroupConfig) -> tuple[Statement, ...] | None:
    """What the file itself grants the group's instance role; None when it declares nothing (unknown)."""
    statements: tuple[Statement, ...] = ()
    if group.iam.with_addon_policies.auto_scaler:
        statements += eksctl_defaults.AUTOSCALER_ADDON_POLICY
    if group.iam.attach_policy:
        statements += iam.statements_from_document(group.iam.attach_policy)
    return statements or None


def _weakest_grants(groups: list[tuple[GroupConfig, NodeGroup]]) -> Grants | None:
    """A pod may land on any of these groups' nodes, so it can count only on the group granting the least."""
    declared = [(group, _declared_statements(config)) for config, group in groups]
    if not declared or any(statements is None for _, statements in declared):
        return None
    known = [(group, statements) for group, statements in declared if statements is not None]  # all of them
    group, statements = min(
        known, key=lambda item: len({a for s in item[1] if s.effect == "Allow" for a in s.actions})
    )
    return Grants(statements=statements, where=f"instance role of node group {group.name}", location=group.location)


def _access(config: ClusterConfig, declared: list[tuple[GroupConfig, NodeGroup]]) -> Access:
    """The nodes' grants, each group's role, the Pod Identity associations, and the autoscaler's grants: its own
    association's role where the file gives it one, else the platform nodes' role it runs with."""
    platform = [(config, group) for config, group in declared if group.labels.get(NODE_POOL_LABEL) == PLATFORM]
    associations = identity.pod_identities(config)
    own = _autoscaler_identity(associations)
    autoscaler = Grants(statements=own.statements, where=f"role {own.role} (Pod Identity {own.namespace}/"
                        f"{own.service_account})") if own else _weakest_grants(platform)
    return Access(node_role=_weakest_grants(declared), autoscaler=autoscaler,
                  node_roles=tuple(identity.node_role(config, group) for config, group in declared),
                  pod_identities=associations)


def _autoscaler_identity(associations: tuple[PodIdentity, ...]) -> PodIdentity | None:
    controller = iam.CLUSTER_AUTOSCALER
    return next((a for a in associations
                 if (a.namespace, a.service_account) == (controller.namespace, controller.service_account)), None)


def _autoscaler_enabled(config: ClusterConfig, declared: list[tuple[GroupConfig, NodeGroup]]) -> bool | None:
    """In use when a group has the autoscaler's policy or tags, or the file gives the autoscaler a Pod Identity;
    otherwise unknown: it is installed after eksctl."""
    wanted = _autoscaler_identity(identity.pod_identities(config)) is not None or any(
        g.iam.with_addon_policies.auto_scaler or any(k.startswith(AUTOSCALER_TAG_PREFIX) for k in g.tags)
        for g, _ in declared
    )
    return True if wanted else None


def _kubernetes(config: ClusterConfig) -> Kubernetes:
    return Kubernetes(fargate_profiles=tuple(
        FargateProfile(name=p.name, namespaces=tuple(s.namespace for s in p.selectors)) for p in config.fargate_profiles
    ))
