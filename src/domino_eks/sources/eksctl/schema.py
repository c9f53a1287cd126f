"""eksctl's ClusterConfig (eksctl.io/v1alpha5), as strictly as eksctl decodes it.

eksctl refuses a file with an unknown key anywhere, and decodes labels, tags and the version into
strings, so an unquoted ``true`` or ``1.30`` is an error there too. Unknown keys and wrong types are
found first, everywhere, by `published_schema` from eksctl's own JSON Schema; these models then decode
the fields this tool reads (a test holds every alias here to a field of that schema). Keys they do
not name are ignored here, never dropped from the file: `render` keeps them.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    StrictStr,
    field_validator,
    model_validator,
)
from pydantic.alias_generators import to_camel

from domino_eks.knowledge import eksctl_defaults

AmiFamily = Literal[
    "AmazonLinux2023", "AmazonLinux2", "UbuntuPro2604", "Ubuntu2604", "UbuntuPro2404", "Ubuntu2404",
    "UbuntuPro2204", "Ubuntu2204", "UbuntuPro2004", "Ubuntu2004", "Bottlerocket", "BottlerocketFips",
    "WindowsServer2019CoreContainer", "WindowsServer2019FullContainer", "WindowsServer2022CoreContainer",
    "WindowsServer2022FullContainer", "WindowsServer2025CoreContainer", "WindowsServer2025FullContainer",
]
VolumeType = Literal["gp2", "gp3", "io1", "io2", "sc1", "st1"]
TaintEffect = Literal["NoSchedule", "PreferNoSchedule", "NoExecute"]


# a Go string: `published_schema` has already refused a YAML boolean or number here, with a quoting hint
Text = StrictStr


class _Schema(BaseModel):
    """eksctl's camelCase keys; the irregular ones (withOIDC, volumeIOPS, ...) carry an explicit alias."""

    model_config = ConfigDict(extra="ignore", frozen=True, alias_generator=to_camel)

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
    volume_size: StrictInt = eksctl_defaults.VOLUME_SIZE
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
    disable_imdsv1: StrictBool = Field(eksctl_defaults.DISABLE_IMDSV1, alias="disableIMDSv1")
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
    gateway: Literal["HighlyAvailable", "Single", "Disable"] = eksctl_defaults.NAT_GATEWAY


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
