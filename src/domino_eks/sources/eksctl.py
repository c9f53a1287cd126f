"""An eksctl ClusterConfig (eksctl.io/v1alpha5), read as strictly as eksctl reads it, then mapped to the model.

eksctl refuses a file with an unknown key anywhere, and decodes labels, tags and the version into
strings, so an unquoted ``true`` or ``1.30`` is an error there too. The schema below names every field
eksctl's ClusterConfig, NodeGroup and ManagedNodeGroup accept (its published JSON Schema), so a valid
file is never refused and a misspelt key never slips through; fields this tool does not read are typed
``Any``. What the file cannot tell (buckets, EFS, the FQDN, policies attached by hand afterwards, a
Calico install) stays unknown in the model.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    StrictStr,
    field_validator,
    model_validator,
)
from pydantic.alias_generators import to_camel
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
    SourceInfo,
    Statement,
    Storage,
    Subnet,
    Taint,
    node_template_tags,
)
from domino_eks.sources import yamlfile

API_VERSION, KIND = eksctl_defaults.API_VERSION, eksctl_defaults.KIND
# What eksctl's iam.withAddonPolicies.autoScaler grants a node group's role: two statements, both on "*".
AUTOSCALER_ADDON_POLICY = (
    Statement(effect="Allow", resources=("*",), actions=(
        "autoscaling:DescribeAutoScalingGroups", "autoscaling:DescribeAutoScalingInstances",
        "autoscaling:DescribeLaunchConfigurations", "autoscaling:DescribeScalingActivities", "autoscaling:DescribeTags",
        "ec2:DescribeInstanceTypes", "ec2:DescribeLaunchTemplateVersions",
    )),
    Statement(effect="Allow", resources=("*",), actions=(
        "autoscaling:SetDesiredCapacity", "autoscaling:TerminateInstanceInAutoScalingGroup", "ec2:DescribeImages",
        "ec2:GetInstanceTypesFromInstanceRequirements", "eks:DescribeNodegroup",
    )),
)

AmiFamily = Literal[
    "AmazonLinux2023", "AmazonLinux2", "UbuntuPro2604", "Ubuntu2604", "UbuntuPro2404", "Ubuntu2404",
    "UbuntuPro2204", "Ubuntu2204", "UbuntuPro2004", "Ubuntu2004", "Bottlerocket", "BottlerocketFips",
    "WindowsServer2019CoreContainer", "WindowsServer2019FullContainer", "WindowsServer2022CoreContainer",
    "WindowsServer2022FullContainer", "WindowsServer2025CoreContainer", "WindowsServer2025FullContainer",
]
VolumeType = Literal["gp2", "gp3", "io1", "io2", "sc1", "st1"]
TaintEffect = Literal["NoSchedule", "PreferNoSchedule", "NoExecute"]


def _string(value: Any) -> Any:
    """eksctl decodes these into Go strings, so YAML's unquoted true or 1.30 (a boolean, a number) is refused."""
    if isinstance(value, str):
        return value
    if not isinstance(value, (bool, int, float)):
        raise ValueError("must be a string")
    kind, spelt = ("a boolean", str(value).lower()) if isinstance(value, bool) else ("a number", str(value))
    raise ValueError(f'must be a string, but YAML reads {spelt} as {kind}: quote it ("{spelt}")')


Text = Annotated[str, BeforeValidator(_string)]


class _Schema(BaseModel):
    """eksctl's camelCase keys; the irregular ones (withOIDC, volumeIOPS, ...) carry an explicit alias."""

    model_config = ConfigDict(extra="forbid", frozen=True, alias_generator=to_camel)

    @model_validator(mode="before")
    @classmethod
    def _null_is_unset(cls, data: Any) -> Any:
        """Go's decoder skips a null, so a key left empty (`labels:`) keeps its default; unknown keys still fail."""
        if not isinstance(data, dict):
            return data
        known = {field.alias or name for name, field in cls.model_fields.items()}
        return {key: value for key, value in data.items() if value is not None or key not in known}


class Metadata(_Schema):
    name: StrictStr
    region: StrictStr
    version: Text | None = None
    force_update_version: Any = None
    rollback_config: Any = None
    tags: dict[str, Text] = Field(default_factory=dict)
    annotations: Any = None


class TaintConfig(_Schema):
    key: StrictStr
    value: Text = ""
    effect: TaintEffect


class AddonPolicies(_Schema):
    image_builder: Any = None
    auto_scaler: StrictBool = False
    external_dns: Any = Field(None, alias="externalDNS")
    cert_manager: Any = None
    app_mesh: Any = None
    app_mesh_preview: Any = None
    ebs: Any = None
    fsx: Any = None
    efs: Any = None
    aws_load_balancer_controller: Any = None
    alb_ingress: Any = None
    x_ray: Any = None
    cloud_watch: Any = None


class NodeGroupIam(_Schema):
    attach_policy: dict[str, Any] | None = None
    attach_policy_arns: Any = Field(None, alias="attachPolicyARNs")
    instance_profile_arn: Any = Field(None, alias="instanceProfileARN")
    instance_role_arn: Any = Field(None, alias="instanceRoleARN")
    instance_role_name: Any = None
    instance_role_permissions_boundary: Any = None
    with_addon_policies: AddonPolicies = Field(default_factory=AddonPolicies)


class GroupConfig(_Schema):
    """The fields self-managed and EKS managed node groups share."""

    name: StrictStr
    ami_family: AmiFamily | None = None
    instance_type: StrictStr | None = None
    availability_zones: list[StrictStr] | None = None
    subnets: list[StrictStr] | None = None
    instance_prefix: Any = None
    instance_name: Any = None
    desired_capacity: StrictInt | None = None
    min_size: StrictInt | None = None
    max_size: StrictInt | None = None
    volume_size: StrictInt = 80
    ssh: Any = None
    labels: dict[str, Text] = Field(default_factory=dict)
    private_networking: StrictBool = False
    tags: dict[str, Text] = Field(default_factory=dict)
    iam: NodeGroupIam = Field(default_factory=NodeGroupIam)
    ami: StrictStr | None = None  # an image id, or one of eksctl's resolvers: auto, auto-ssm, static
    security_groups: Any = None
    max_pods_per_node: Any = None
    asg_suspend_processes: Any = None
    ebs_optimized: Any = None
    volume_type: VolumeType = eksctl_defaults.VOLUME_TYPE
    volume_name: Any = None
    volume_encrypted: Any = None
    volume_kms_key_id: Any = Field(None, alias="volumeKmsKeyID")
    volume_iops: Any = Field(None, alias="volumeIOPS")
    volume_throughput: Any = None
    additional_volumes: Any = None
    pre_bootstrap_commands: list[StrictStr] = Field(default_factory=list)
    override_bootstrap_command: StrictStr | None = None
    propagate_asg_tags: StrictBool = Field(False, alias="propagateASGTags")
    disable_imdsv1: StrictBool = Field(True, alias="disableIMDSv1")
    disable_pod_imds: Any = Field(None, alias="disablePodIMDS")
    placement: Any = None
    efa_enabled: Any = None
    instance_selector: Any = None
    bottlerocket: Any = None
    enable_detailed_monitoring: Any = None
    capacity_reservation: Any = None
    instance_market_options: Any = None
    outpost_arn: Any = Field(None, alias="outpostARN")
    taints: list[TaintConfig] = Field(default_factory=list)
    update_config: Any = None

    @property
    def single_instance_type(self) -> str | None:
        return self.instance_type


class NodeGroupConfig(GroupConfig):
    """A self-managed node group: one Auto Scaling group, the page's recommendation."""

    instances_distribution: Any = None
    asg_metrics_collection: Any = None
    cpu_credits: Any = None
    classic_load_balancer_names: Any = None
    target_group_arns: Any = Field(None, alias="targetGroupARNs")
    cluster_dns: Any = Field(None, alias="clusterDNS")
    kubelet_extra_config: Any = None
    container_runtime: Any = None
    max_instance_lifetime: Any = None
    local_zones: Any = None
    enclave_enabled: Any = None

    @field_validator("taints", mode="before")
    @classmethod
    def _legacy_taint_map(cls, value: Any) -> Any:
        """Self-managed groups also take eksctl's older map form, {key: "value:Effect"}."""
        if not isinstance(value, dict):
            return value
        taints = []
        for key, spec in value.items():
            if not isinstance(spec, str) or ":" not in spec:
                raise ValueError(
                    f'taint {key!r}: expected "value:Effect" (e.g. "true:NoSchedule"); taints must be '
                    "a {key: \"value:Effect\"} map or a list of {key, value, effect}"
                )
            taint_value, _, effect = spec.rpartition(":")
            taints.append({"key": key, "value": taint_value, "effect": effect})
        return taints


class ManagedNodeGroupConfig(GroupConfig):
    """An EKS managed node group."""

    instance_types: list[StrictStr] | None = None
    spot: Any = None
    launch_template: Any = None
    release_version: Any = None
    node_repair_config: Any = None

    @property
    def single_instance_type(self) -> str | None:
        if self.instance_type or not self.instance_types or len(self.instance_types) > 1:
            return self.instance_type
        return self.instance_types[0]


class SubnetConfig(_Schema):
    id: StrictStr | None = None
    az: StrictStr | None = None
    cidr: StrictStr | None = None


class Subnets(_Schema):
    private: dict[str, SubnetConfig] = Field(default_factory=dict)
    public: dict[str, SubnetConfig] = Field(default_factory=dict)


class Nat(_Schema):
    gateway: Literal["HighlyAvailable", "Single", "Disable"] = "Single"


class Vpc(_Schema):
    id: StrictStr | None = None
    cidr: StrictStr | None = None
    ipv6_cidr: Any = None
    ipv6_pool: Any = None
    security_group: Any = None
    subnets: Subnets | None = None
    hostname_type: Any = None
    extra_cidrs: Any = Field(None, alias="extraCIDRs")
    extra_ipv6_cidrs: Any = Field(None, alias="extraIPv6CIDRs")
    shared_node_security_group: Any = None
    manage_shared_node_security_group_rules: Any = None
    auto_allocate_ipv6: Any = Field(None, alias="autoAllocateIPv6")
    nat: Nat | None = None
    cluster_endpoints: Any = None
    public_access_cidrs: Any = Field(None, alias="publicAccessCIDRs")
    control_plane_subnet_ids: Any = Field(None, alias="controlPlaneSubnetIDs")
    control_plane_on_private_subnets: Any = None
    control_plane_security_group_ids: Any = Field(None, alias="controlPlaneSecurityGroupIDs")
    control_plane_egress_mode: Any = None


class WellKnownPolicies(_Schema):
    image_builder: StrictBool | None = None
    auto_scaler: StrictBool | None = None
    aws_load_balancer_controller: StrictBool | None = None
    external_dns: StrictBool | None = Field(None, alias="externalDNS")
    cert_manager: StrictBool | None = None
    ebs_csi_controller: StrictBool | None = Field(None, alias="ebsCSIController")
    efs_csi_controller: StrictBool | None = Field(None, alias="efsCSIController")


class Addon(_Schema):
    name: StrictStr
    version: Any = None
    service_account_role_arn: Any = Field(None, alias="serviceAccountRoleARN")
    attach_policy_arns: Any = Field(None, alias="attachPolicyARNs")
    attach_policy: Any = None
    permissions_boundary: Any = None
    well_known_policies: WellKnownPolicies | None = None
    tags: Any = None
    resolve_conflicts: Any = None
    pod_identity_associations: Any = None
    use_default_pod_identity_associations: Any = None
    configuration_values: StrictStr | None = None  # JSON (or YAML) matching the add-on's configuration schema
    namespace_config: Any = None
    publishers: Any = None
    types: Any = None
    owners: Any = None


class AddonsConfig(_Schema):
    auto_apply_pod_identity_associations: Any = None
    disable_default_addons: StrictBool = False


class ClusterIam(_Schema):
    service_role_arn: Any = Field(None, alias="serviceRoleARN")
    service_role_permissions_boundary: Any = None
    fargate_pod_execution_role_arn: Any = Field(None, alias="fargatePodExecutionRoleARN")
    fargate_pod_execution_role_permissions_boundary: Any = None
    with_oidc: StrictBool | None = Field(None, alias="withOIDC")
    service_accounts: Any = None
    pod_identity_associations: Any = None
    vpc_resource_controller_policy: Any = None


class FargateSelector(_Schema):
    namespace: StrictStr
    labels: dict[str, Text] = Field(default_factory=dict)


class FargateProfileConfig(_Schema):
    name: StrictStr
    pod_execution_role_arn: Any = Field(None, alias="podExecutionRoleARN")
    selectors: list[FargateSelector] = Field(default_factory=list)
    subnets: Any = None
    tags: Any = None
    status: Any = None


class ClusterConfig(_Schema):
    api_version: Literal["eksctl.io/v1alpha5"]
    kind: Literal["ClusterConfig"]
    metadata: Metadata
    upgrade_policy: Any = None
    kubernetes_network_config: Any = None
    auto_mode_config: Any = None
    remote_network_config: Any = None
    iam: ClusterIam | None = None
    iam_identity_mappings: Any = None
    identity_providers: Any = None
    access_config: Any = None
    vpc: Vpc | None = None
    addons: list[Addon] = Field(default_factory=list)
    addons_config: AddonsConfig = Field(default_factory=AddonsConfig)
    private_cluster: Any = None
    node_groups: list[NodeGroupConfig] = Field(default_factory=list)
    managed_node_groups: list[ManagedNodeGroupConfig] = Field(default_factory=list)
    fargate_profiles: list[FargateProfileConfig] = Field(default_factory=list)
    availability_zones: list[StrictStr] | None = None
    local_zones: Any = None
    cloud_watch: Any = None
    secrets_encryption: Any = None
    gitops: Any = None
    karpenter: Any = None
    outpost: Any = None
    control_plane_scaling_config: Any = None
    zonal_shift_config: Any = None
    capabilities: Any = None

    def addon(self, name: str) -> Addon | None:
        return next((a for a in self.addons if a.name == name), None)


def is_cluster_config(document: dict) -> bool:
    return document.get("apiVersion") == API_VERSION or document.get("kind") == KIND


def load(path: str, today: date | None = None) -> Deployment:
    document, file = yamlfile.read(path)
    return from_document(document, file, today)


def from_document(document: dict, file: str, today: date | None = None) -> Deployment:
    """The deployment a parsed file describes; every shape error becomes a located `InputError`."""
    config = yamlfile.validate(ClusterConfig, document, file)
    return to_deployment(config, document, file, today or date.today())


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
    if vpc.nat is not None:
        return vpc.nat.gateway != "Disable"
    # eksctl creates a single NAT gateway in a VPC it creates; an existing VPC's routes are not in the file
    return None if vpc.id else True


def _network(config: ClusterConfig, groups: list[NodeGroup], document: Any, file: str) -> Network:
    vpc = config.vpc or Vpc()
    vpc_cni = config.addon("vpc-cni") is not None or not config.addons_config.disable_default_addons
    settings = _addon_settings(config, document, file, "vpc-cni")
    env = settings.get("env") if isinstance(settings.get("env"), dict) else {}
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
        statements += AUTOSCALER_ADDON_POLICY
    if group.iam.attach_policy:
        statements += iam.statements_from_document(group.iam.attach_policy)
    return statements or None


def _weakest_grants(groups: list[tuple[GroupConfig, NodeGroup]]) -> Grants | None:
    """A pod may land on any of these groups' nodes, so it can count only on the group granting the least."""
    declared = [(group, _declared_statements(config)) for config, group in groups]
    if not declared or any(statements is None for _, statements in declared):
        return None
    group, statements = min(
        declared, key=lambda item: len({a for s in item[1] if s.effect == "Allow" for a in s.actions})
    )
    return Grants(statements=statements, where=f"instance role of node group {group.name}", location=group.location)


def _autoscaler_enabled(groups: list[GroupConfig]) -> bool | None:
    declared = any(
        g.iam.with_addon_policies.auto_scaler or any(k.startswith(AUTOSCALER_TAG_PREFIX) for k in g.tags)
        for g in groups
    )
    return True if declared else None


def to_deployment(config: ClusterConfig, document: Any, file: str, today: date) -> Deployment:
    meta = config.metadata
    version = meta.version or eksctl_defaults.VERSION
    group_lists: list[tuple[str, list[GroupConfig], bool]] = [
        ("nodeGroups", config.node_groups, False), ("managedNodeGroups", config.managed_node_groups, True),
    ]
    configs: list[GroupConfig] = [g for _, gs, _ in group_lists for g in gs]
    groups = [
        _node_group(config, g, managed, yamlfile.location(document, file, key, i))
        for key, gs, managed in group_lists for i, g in enumerate(gs)
    ]
    pools = _pools(groups)
    declared = list(zip(configs, groups))
    platform = [(c, g) for c, g in declared if g.labels.get(NODE_POOL_LABEL) == PLATFORM]
    return Deployment(
        source=SourceInfo(kind="eksctl", file=file),
        cluster=Cluster(
            name=meta.name,
            region=meta.region,
            version=version,
            version_support=eks_versions.support(version, today),
            control_plane_zones=tuple(config.availability_zones) if config.availability_zones else None,
            tags=meta.tags,
            location=yamlfile.location(document, file, "metadata"),
        ),
        pools=pools,
        network=_network(config, groups, document, file),
        storage=Storage(ebs_csi_driver=True if config.addon("aws-ebs-csi-driver") else None),
        access=Access(node_role=_weakest_grants(declared), autoscaler=_weakest_grants(platform)),
        autoscaler=Autoscaler(enabled=_autoscaler_enabled(configs)),
        kubernetes=Kubernetes(fargate_profiles=tuple(
            FargateProfile(name=p.name, namespaces=tuple(s.namespace for s in p.selectors))
            for p in config.fargate_profiles
        )),
    )
