"""The tool's own spec file: strict schema, then defaults, then the canonical model.

Every field is described once, here; the descriptions feed `domino-eks schema` (JSON Schema) and the
comments of the starter spec `domino-eks init` writes.
"""

from __future__ import annotations

import ipaddress
from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from domino_eks.knowledge import domino, eks_versions, iam, regions, subnet_layout
from domino_eks.knowledge.instances import default_image_accelerated
from domino_eks.model import (
    BLOCK_CLASS_NAME,
    CONTROL_PLANE_LOG_TYPES,
    DATA_STORES,
    EBS_CSI_PROVISIONER,
    KEY_CREATED_BY_APPLY,
    NODE_POOL_LABEL,
    PLATFORM,
    Access,
    Autoscaler,
    Bucket,
    BucketRole,
    Certificate,
    Cluster,
    DataStore,
    Deployment,
    Domain,
    DominoInstall,
    Efs,
    Grants,
    Hardening,
    Kubernetes,
    LogType,
    Namespaces,
    Network,
    NodeGroup,
    NodePool,
    NodeRole,
    PodIdentity,
    Registry,
    SourceInfo,
    Statement,
    Storage,
    StorageClass,
    Taint,
    autoscaler_tags,
)
from domino_eks.sources import manifests, yamlfile, zones
from domino_eks.sources.types import (
    ClusterName,
    GroupSize,
    LabelKey,
    LabelValue,
    PoolName,
    ReservedCidr,
    StorageClassManifest,
    TagKey,
    TagValue,
    VolumeSize,
    VpcCidr,
    Zone,
)

API_VERSION = "domino-eks.io/v1alpha1"
# the retention periods CloudWatch Logs accepts (PutRetentionPolicy's retentionInDays, from botocore's logs model)
LOG_RETENTION_DAYS = (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922,
                      3288, 3653)
KIND = "DominoCluster"


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True, frozen=True)


class Metadata(Strict):
    name: ClusterName = Field(description="EKS cluster name; also the prefix of every resource the tool creates")
    region: str = Field(description="AWS region, e.g. us-west-2")
    version: str | None = Field(None, description="Kubernetes version (EKS); default: the newest in EKS standard "
                                                  "support on the day the tool runs")
    tags: dict[TagKey, TagValue] = Field(default_factory=dict, description="tags added to every AWS resource")

    @field_validator("version", mode="before")
    @classmethod
    def _version_text(cls, value: Any) -> Any:
        return eks_versions.normalise(value) if isinstance(value, (int, float)) else value


class TaintSpec(Strict):
    key: LabelKey
    value: LabelValue = ""
    effect: Literal["NoSchedule", "PreferNoSchedule", "NoExecute"]


class NodePoolSpec(Strict):
    name: PoolName = Field(description="pool name; node groups are named domino-<name>[-<zone letter>]")
    label: LabelValue | None = Field(None, description=f"value of the {NODE_POOL_LABEL} label (default: the pool name)")
    instance_type: str = Field(alias="instanceType", description="EC2 instance type")
    volume_size: VolumeSize = Field(alias="volumeSize", description="root volume size in GiB")
    volume_type: Literal["gp2", "gp3", "io1", "io2"] = Field("gp3", alias="volumeType", description="EBS type")
    min_size: GroupSize = Field(alias="minSize", description="minimum nodes per zone")
    max_size: GroupSize = Field(alias="maxSize", description="maximum nodes per zone")
    desired_capacity: GroupSize | None = Field(None, alias="desiredCapacity", description="initial nodes per zone")
    availability_zones: list[Zone] | None = Field(
        None, alias="availabilityZones", description="zones of this pool (default: the deployment's zones)"
    )
    labels: dict[LabelKey, LabelValue] = Field(default_factory=dict, description="labels besides the node-pool label")
    taints: list[TaintSpec] = Field(default_factory=list, description="node taints")
    managed: bool = Field(False, description="EKS managed node groups instead of self-managed (the page's advice)")
    ami: str | None = Field(None, description="pinned AMI id (default: the EKS-optimized AMI, accelerated for GPUs)")
    ami_family: str = Field("AmazonLinux2023", alias="amiFamily", description="AMI family")
    pre_bootstrap_commands: list[str] = Field(
        default_factory=list, alias="preBootstrapCommands", description="commands run before the node joins"
    )
    imds_hop_limit: int = Field(
        domino.NODE_ROLE_HOP_LIMIT, alias="imdsHopLimit", ge=1, le=64,
        description="IMDSv2 hop limit of the pool's nodes. 2 (the default) lets pods reach the node role: Domino's "
                    "platform services and executions reach S3 with it unless Domino's installer is given IRSA "
                    "roles; then 1 keeps the role from every pod. Add-ons get their own roles (Pod Identity)",
    )


class ApiAccessSpec(Strict):
    private: bool = Field(True, description="the API endpoint is reachable from inside the VPC (nodes join through it)")
    public_cidrs: list[str] = Field(
        default_factory=list, alias="publicCidrs",
        description="CIDRs that may reach the public API endpoint; empty turns public access off (the default)",
    )

    @field_validator("public_cidrs")
    @classmethod
    def _cidrs(cls, value: list[str]) -> list[str]:
        for cidr in value:
            ipaddress.ip_network(cidr)  # ValueError names the bad CIDR
        return value


class NetworkSpec(Strict):
    vpc_cidr: VpcCidr = Field("10.0.0.0/16", alias="vpcCidr", description="CIDR of the VPC the tool creates")
    vpc_id: str | None = Field(None, alias="vpcId", description="use this existing VPC instead of creating one")
    network_policy: Literal["vpc-cni", "calico", "none"] = Field(
        "vpc-cni", alias="networkPolicy",
        description="who enforces NetworkPolicy: the VPC CNI's agent, Calico, or nothing (not supported)",
    )
    prefix_delegation: bool = Field(False, alias="prefixDelegation", description="VPC CNI prefix delegation")
    reserved_cidrs: list[ReservedCidr] = Field(
        default_factory=list, alias="reservedCidrs",
        description="address ranges the VPC must not overlap (peering, VPN, data sources)",
    )
    private_nodes: bool = Field(True, alias="privateNodes", description="nodes get private IPs only")
    nat_gateway: bool = Field(True, alias="natGateway", description="egress through a NAT gateway")
    api_access: ApiAccessSpec = Field(
        default_factory=ApiAccessSpec, alias="apiAccess",
        description="who reaches the EKS API endpoint: private on, public off unless CIDRs are listed",
    )


class BucketsSpec(Strict):
    user_data: str | None = Field(None, alias="userData", description="user data bucket (default <name>-user-data)")
    logs: str | None = Field(None, description="logs bucket (default <name>-logs)")
    backups: str | None = Field(None, description="backups bucket (default <name>-backups)")


class EfsSpec(Strict):
    encrypted: bool = Field(True, description="encrypt the Datasets file system at rest")
    automatic_backups: bool = Field(
        True, alias="automaticBackups",
        description="EFS automatic backups of the Datasets (daily, kept 35 days, in the account's default vault)",
    )


class StorageSpec(Strict):
    buckets: BucketsSpec = Field(default_factory=BucketsSpec, description="the three S3 buckets")
    versioning: bool = Field(True, description="versioning on the buckets (a lost backup stays recoverable)")
    tls_only: bool = Field(True, alias="tlsOnly", description="bucket policies deny requests without TLS")
    efs: EfsSpec = Field(default_factory=EfsSpec, description="EFS for Datasets")
    block_storage_class: StorageClassManifest | None = Field(
        None, alias="blockStorageClass",
        description="your own EBS StorageClass manifest (default: dominodisk, ebs.csi.aws.com, gp3, encrypted)",
    )


class DomainSpec(Strict):
    fqdn: str | None = Field(None, description="the name Domino serves from, e.g. domino.example.com")
    certificate_arn: str | None = Field(
        None, alias="certificateArn", description="existing ACM certificate (default: request one for the FQDN)"
    )
    hosted_zone_id: str | None = Field(
        None, alias="hostedZoneId", description="Route 53 zone for the certificate's DNS validation record"
    )


class AutoscalerSpec(Strict):
    enabled: bool = Field(True, description="run the Kubernetes Cluster Autoscaler")


class NamespacesSpec(Strict):
    platform: str | None = Field(None, description="Domino's services (default: domino-platform on 6.x, platform "
                                                   "before)")
    compute: str | None = Field(None, description="user executions (default: domino-compute on 6.x, compute before)")
    system: str | None = Field(None, description="releases before 6.x only (default: domino-system)")


class RegistrySpec(Strict):
    type: Literal["s3", "ecr"] = Field(
        "s3", description="S3 bucket behind Domino's internal registry, or an ECR repository as its external one"
    )
    name: str | None = Field(None, description="bucket name (default <name>-registry) or ECR repository (default "
                                               "<name>)")


class DominoSpec(Strict):
    version: Literal[tuple(domino.RELEASES)] = Field(  # type: ignore[valid-type]
        domino.CURRENT, description=f"Domino release: {', '.join(domino.RELEASES)} (picks the installer format)"
    )
    namespaces: NamespacesSpec = Field(default_factory=NamespacesSpec, description="Domino's namespaces")
    registry: RegistrySpec = Field(default_factory=RegistrySpec, description="storage of Domino's image registry")

    @field_validator("version", mode="before")
    @classmethod
    def _version_text(cls, value: Any) -> Any:
        return str(value) if isinstance(value, float) else value


class EncryptionSpec(Strict):
    """Rule C006: which data stores the deployment's KMS key encrypts. Every store is encrypted whatever these say
    (root volumes and the block StorageClass with aws/ebs, EFS with aws/elasticfilesystem, buckets with SSE-S3)."""

    ebs: bool = Field(False, description="node root volumes and the block StorageClass's volumes")
    efs: bool = Field(False, description="the Datasets file system (set when apply creates it)")
    s3: bool = Field(False, description="the buckets and the registry's, SSE-KMS with bucket keys")

    def stores(self) -> tuple[DataStore, ...]:
        return tuple(store for store in DATA_STORES if getattr(self, store))


class SecuritySpec(Strict):
    control_plane_logs: list[LogType] = Field(
        default_factory=lambda: list(CONTROL_PLANE_LOG_TYPES), alias="controlPlaneLogs",
        description="control-plane log types sent to CloudWatch (default: all five)",
    )
    log_retention_days: int = Field(
        365, alias="logRetentionDays",
        description="days CloudWatch keeps the control-plane and flow logs (a value it takes)",
    )
    flow_logs: bool = Field(
        True, alias="flowLogs",
        description="VPC flow logs of all traffic in the VPC apply creates, to a CloudWatch log group it creates, "
                    "kept logRetentionDays (default: on)",
    )
    flow_logs_bucket: str | None = Field(
        None, alias="flowLogsBucket",
        description="an existing S3 bucket of this account the flow logs go to instead of CloudWatch; apply neither "
                    "creates nor deletes it, and AWS adds the log delivery service's statements to its policy",
    )
    kms_key_arn: str | None = Field(
        None, alias="kmsKeyArn",
        description="your KMS key for Kubernetes Secrets and the stores `encryption` names (default: apply "
                    "creates one, rotation on)",
    )
    encryption: EncryptionSpec = Field(
        default_factory=EncryptionSpec,
        description="stores the deployment's KMS key (kmsKeyArn, or apply's) encrypts too: ebs, efs, s3 (default: "
                    "AWS-managed keys, still encrypted)",
    )
    extended_support: bool = Field(
        False, alias="extendedSupport",
        description="keep the cluster on EKS extended support past standard support ($0.60 instead of $0.10 an hour)",
    )

    @field_validator("log_retention_days")
    @classmethod
    def _retention(cls, value: int) -> int:
        if value not in LOG_RETENTION_DAYS:
            nearest = min(LOG_RETENTION_DAYS, key=lambda days: abs(days - value))
            raise ValueError(f"CloudWatch keeps logs for one of {', '.join(map(str, LOG_RETENTION_DAYS))} days "
                             f"(did you mean {nearest}?)")
        return value


class Spec(Strict):
    """A Domino-on-EKS deployment."""

    api_version: Literal["domino-eks.io/v1alpha1"] = Field(alias="apiVersion")
    kind: Literal["DominoCluster"]
    metadata: Metadata
    availability_zones: list[Zone] | None = Field(
        None, alias="availabilityZones", description="zones of the node pools: 1 or 3 (default: 3 of the region)"
    )
    control_plane_zones: list[Zone] | None = Field(
        None, alias="controlPlaneZones",
        description="zones of the cluster's subnets, at least 2 (default: the pools' zones, padded to 3)",
    )
    network: NetworkSpec = Field(default_factory=NetworkSpec, description="VPC and network plugin")
    node_pools: list[NodePoolSpec] = Field(alias="nodePools", description="node pools; sizes are per zone")
    storage: StorageSpec = Field(default_factory=StorageSpec, description="EBS, EFS and S3")
    domain: DomainSpec = Field(default_factory=DomainSpec, description="FQDN and TLS certificate")
    autoscaler: AutoscalerSpec = Field(default_factory=AutoscalerSpec, description="Cluster Autoscaler")
    domino: DominoSpec = Field(default_factory=DominoSpec, description="the Domino release and what it installs into")
    security: SecuritySpec = Field(
        default_factory=SecuritySpec,
        description="control-plane logs, Secrets encryption, data keys, support policy",
    )


def json_schema() -> dict:
    return Spec.model_json_schema(by_alias=True)


def is_spec(document: dict) -> bool:
    return yamlfile.is_of_kind(document, API_VERSION, KIND)


def load(path: str, today: date | None = None) -> Deployment:
    document, file = yamlfile.read(path)
    return from_document(document, file, today)


def from_document(document: dict, file: str, today: date | None = None) -> Deployment:
    """The deployment a parsed file describes; every shape error becomes a located `InputError`."""
    spec = yamlfile.validate(Spec, document, file)
    zones.refuse_outside(spec.metadata.region, named_zones(spec), document, file)
    return to_deployment(spec, document, file, today or date.today())


# Defaults derived from the fields, and what domino-eks builds whatever the spec says (render and apply agree).
NODES_REQUIRE_IMDSV2 = True
BUCKETS_BLOCK_PUBLIC_ACCESS = True
BUCKETS_ENCRYPTED = True  # S3 default encryption
DEFAULT_BLOCK_CLASS = StorageClass(
    name=BLOCK_CLASS_NAME,
    provisioner=EBS_CSI_PROVISIONER,
    parameters={"type": "gp3", "csi.storage.k8s.io/fstype": "ext4", "encrypted": "true"},
)


def data_key(spec: Spec, store: DataStore) -> str | None:
    """The KMS key `store` is encrypted with: the deployment's (the spec's, or the one apply creates) where
    security.encryption names the store; None for the AWS-managed key."""
    return deployment_key(spec) if getattr(spec.security.encryption, store) else None


def deployment_key(spec: Spec) -> str:
    """The deployment's KMS key, for Secrets and the stores security.encryption names: the spec's, or apply's."""
    return spec.security.kms_key_arn or KEY_CREATED_BY_APPLY


def named_zones(spec: Spec) -> list[zones.Named]:
    """Every zone the spec names, with its path in the document."""
    named: list[zones.Named] = []
    for field, given in (("availabilityZones", spec.availability_zones),
                         ("controlPlaneZones", spec.control_plane_zones)):
        named += [((field, i), zone) for i, zone in enumerate(given or ())]
    for index, pool in enumerate(spec.node_pools):
        named += [(("nodePools", index, "availabilityZones", i), zone)
                  for i, zone in enumerate(pool.availability_zones or ())]
    return named


def node_zones(spec: Spec) -> list[str]:
    return spec.availability_zones or regions.zones_of(spec.metadata.region)[:3]


def control_plane_zones(spec: Spec) -> list[str]:
    """The pools' zones, padded with the region's next zones to three: EKS needs at least two."""
    if spec.control_plane_zones:
        return spec.control_plane_zones
    zones = list(node_zones(spec))
    for extra in regions.zones_of(spec.metadata.region):
        if len(zones) >= 3:
            break
        if extra not in zones:
            zones.append(extra)
    return zones


def group_name(pool: str, zone: str, zone_count: int) -> str:
    return f"domino-{pool}" if zone_count == 1 else f"domino-{pool}-{zone[-1]}"


def bucket_names(spec: Spec) -> dict[BucketRole, str]:
    name, given = spec.metadata.name, spec.storage.buckets
    return {
        "user_data": given.user_data or f"{name}-user-data",
        "logs": given.logs or f"{name}-logs",
        "backups": given.backups or f"{name}-backups",
    }


def to_deployment(spec: Spec, document: Any, file: str, today: date) -> Deployment:
    pools = tuple(_pool(spec, i, p, document, file) for i, p in enumerate(spec.node_pools))
    return Deployment(
        source=SourceInfo(kind="spec", file=file),
        cluster=_cluster(spec, document, file, today),
        pools=pools,
        network=_network(spec, pools, document, file),
        storage=_storage(spec, pools, document, file),
        access=_access(spec, pools),
        domain=_domain(spec, document, file),
        autoscaler=Autoscaler(enabled=spec.autoscaler.enabled),
        kubernetes=Kubernetes(fargate_profiles=()),
        domino=_domino(spec, document, file),
        hardening=_hardening(spec, document, file),
    )


def _hardening(spec: Spec, document: Any, file: str) -> Hardening:
    """What apply and render build: private endpoint, public only for the listed CIDRs, the spec's logs, Secrets
    encrypted with the spec's key or one apply creates with rotation on."""
    access, security = spec.network.api_access, spec.security
    return Hardening(
        endpoint_private=access.private,
        endpoint_public=bool(access.public_cidrs),
        public_access_cidrs=tuple(access.public_cidrs),
        log_types=tuple(security.control_plane_logs),
        log_retention_days=security.log_retention_days,
        secrets_encrypted=True,
        secrets_key=deployment_key(spec),
        # only the key's account can tell whether a key the user brings rotates
        key_rotation=None if security.kms_key_arn else True,
        data_key=deployment_key(spec),
        data_key_stores=security.encryption.stores(),
        support_type="EXTENDED" if security.extended_support else "STANDARD",
        extended_support_intended=security.extended_support,
        # apply builds flow logs and empties the default group only in a VPC it creates: a user's VPC is its own
        vpc_id=spec.network.vpc_id,
        flow_logs=None if spec.network.vpc_id else security.flow_logs,
        flow_log_bucket=security.flow_logs_bucket,
        default_group_rules=None if spec.network.vpc_id else (),
        location=yamlfile.location(document, file, "security"),
    )


def _cluster(spec: Spec, document: Any, file: str, today: date) -> Cluster:
    meta = spec.metadata
    version = meta.version or eks_versions.default_version(today)
    return Cluster(
        name=meta.name,
        region=meta.region,
        version=version,
        version_support=eks_versions.support(version, today),
        control_plane_zones=tuple(control_plane_zones(spec)),
        tags=meta.tags,
        location=yamlfile.location(document, file, "metadata"),
    )


def _pool(spec: Spec, index: int, pool: NodePoolSpec, document: Any, file: str) -> NodePool:
    label = pool.label or pool.name
    zones = pool.availability_zones or node_zones(spec)
    where = yamlfile.location(document, file, "nodePools", index)
    labels = {NODE_POOL_LABEL: label, **pool.labels}
    taints = tuple(Taint(key=t.key, value=t.value, effect=t.effect) for t in pool.taints)
    # the tags domino-eks writes on every group it creates (render, apply), so the rules judge those
    tags = autoscaler_tags(spec.metadata.name, labels, taints, pool.min_size) if spec.autoscaler.enabled else {}
    groups = tuple(
        NodeGroup(
            name=group_name(pool.name, zone, len(zones)),
            zones=(zone,),
            instance_type=pool.instance_type,
            volume_size_gb=pool.volume_size,
            volume_type=pool.volume_type,
            volume_encrypted=True,
            volume_kms_key_id=data_key(spec, "ebs"),
            min_size=pool.min_size,
            desired_capacity=pool.desired_capacity,
            max_size=pool.max_size,
            labels=labels,
            taints=taints,
            tags=tags,
            managed=pool.managed,
            ami=pool.ami,
            ami_family=pool.ami_family,
            # a pinned image is the user's: only the account can tell what it carries
            ami_accelerated=None if pool.ami else default_image_accelerated(pool.ami_family, pool.instance_type),
            pre_bootstrap_commands=tuple(pool.pre_bootstrap_commands),
            private_networking=spec.network.private_nodes,
            imdsv2_required=NODES_REQUIRE_IMDSV2,
            metadata_hop_limit=pool.imds_hop_limit,
            location=where,
        )
        for zone in zones
    )
    return NodePool(name=pool.name, label=label, groups=groups, location=where)


def _network(spec: Spec, pools: tuple[NodePool, ...], document: Any, file: str) -> Network:
    network = spec.network
    demand = subnet_layout.address_demand(g for p in pools for g in p.groups) or {}
    return Network(
        vpc_id=network.vpc_id,
        vpc_cidr=network.vpc_cidr,
        subnets=subnet_layout.plan_subnets(network.vpc_cidr, control_plane_zones(spec), demand),
        cni="vpc-cni",
        policy_engine=network.network_policy,
        prefix_delegation=network.prefix_delegation,
        reserved_cidrs=tuple(network.reserved_cidrs),
        private_nodes=network.private_nodes,
        nat_gateway=network.nat_gateway,
        location=yamlfile.location(document, file, "network"),
    )


def _storage(spec: Spec, pools: tuple[NodePool, ...], document: Any, file: str) -> Storage:
    storage = spec.storage
    return Storage(
        block_class=_block_class(spec, document, file),
        efs=Efs(
            encrypted=storage.efs.encrypted,
            kms_key_id=data_key(spec, "efs") if storage.efs.encrypted else None,
            mount_target_zones=tuple(sorted({z for p in pools for z in p.zones or ()})),
            admits_nfs_from_nodes=True,
            automatic_backups=storage.efs.automatic_backups,
            # apply makes no AWS Backup plan: without automatic backups, nothing the spec builds backs them up
            backup_plan=None if storage.efs.automatic_backups else False,
            location=yamlfile.location(document, file, "storage", "efs"),
        ),
        buckets=tuple(
            Bucket(
                role=role,
                name=name,
                blocks_public_access=BUCKETS_BLOCK_PUBLIC_ACCESS,
                encrypted=BUCKETS_ENCRYPTED,
                tls_only=storage.tls_only,
                versioning=storage.versioning,
                kms_key_id=data_key(spec, "s3"),
                location=yamlfile.location(document, file, "storage", "buckets"),
            )
            for role, name in bucket_names(spec).items()
        ),
        ebs_csi_driver=True,
    )


def _block_class(spec: Spec, document: Any, file: str) -> StorageClass:
    given = spec.storage.block_storage_class
    chosen = DEFAULT_BLOCK_CLASS if given is None else \
        manifests.storage_class(given, yamlfile.location(document, file, "storage", "blockStorageClass"))
    key = data_key(spec, "ebs")
    if key is None or any(name.lower() == "kmskeyid" for name in chosen.parameters):  # a class's own key stays
        return chosen
    return chosen.model_copy(update={"parameters": {**chosen.parameters, "kmsKeyId": key}})


def _access(spec: Spec, pools: tuple[NodePool, ...]) -> Access:
    """What apply grants: a role for the platform pools (S3 on the three buckets, the registry's) and one for the
    others (S3 on the user-data bucket, an ECR registry's), both able to join and pull images; the add-ons and the
    autoscaler get roles of their own through Pod Identity."""
    cluster = spec.metadata.name
    platform_role = iam.pool_role_name(cluster, iam.PLATFORM_ROLE)
    identities = pod_identities(spec)
    autoscaler = next((i for i in identities if i.service_account == iam.CLUSTER_AUTOSCALER.service_account), None)
    return Access(
        node_role=Grants(statements=iam.s3_statements(list(bucket_names(spec).values())),
                         where=f"role {platform_role}"),
        autoscaler=Grants(statements=autoscaler.statements, where=f"role {autoscaler.role} (Pod Identity "
                          f"{autoscaler.namespace}/{autoscaler.service_account})") if autoscaler else None,
        registry=Grants(statements=registry_statements(spec), where=f"role {platform_role}"),
        node_roles=node_roles(spec, pools),
        pod_identities=identities,
    )


def node_roles(spec: Spec, pools: tuple[NodePool, ...]) -> tuple[NodeRole, ...]:
    """The platform pools' role and the other pools' role, each where some pool uses it."""
    cluster, buckets = spec.metadata.name, bucket_names(spec)
    platform = {"s3-access": iam.s3_statements(list(buckets.values())), "registry-access": registry_statements(spec)}
    compute = {"compute-s3-access": iam.s3_statements([buckets["user_data"]])}
    if spec.domino.registry.type == "ecr":  # image builds on compute nodes push to the repository themselves
        compute["compute-registry-access"] = registry_statements(spec)
    if key := data_key(spec, "s3"):  # both roles read and write SSE-KMS buckets (C006)
        region = spec.metadata.region
        platform["s3-kms"] = compute["compute-s3-kms"] = iam.s3_kms_statements(
            key, cluster, region, regions.partition(region))
    roles = []
    for kind, policies in ((iam.PLATFORM_ROLE, platform), (iam.COMPUTE_ROLE, compute)):
        groups = tuple(g.name for p in pools if (p.label == PLATFORM) == (kind == iam.PLATFORM_ROLE) for g in p.groups)
        if groups:
            roles.append(NodeRole(name=iam.pool_role_name(cluster, kind), groups=groups,
                                  managed_policies=iam.NODE_POLICIES, policies=policies))
    return tuple(roles)


def pod_identities(spec: Spec) -> tuple[PodIdentity, ...]:
    """A role for each add-on's controller, and for the autoscaler if it runs."""
    cluster = spec.metadata.name
    controllers = [c for c in iam.CONTROLLERS if c is not iam.CLUSTER_AUTOSCALER or spec.autoscaler.enabled]
    return tuple(PodIdentity(
        namespace=c.namespace, service_account=c.service_account, role=iam.controller_role_name(cluster, c),
        managed_policies=(c.managed_policy,) if c.managed_policy else (),
        policies=_controller_policies(spec, c),
    ) for c in controllers)


def _controller_policies(spec: Spec, controller: iam.Controller) -> dict[str, tuple[Statement, ...]]:
    """Our policies of a controller's role: the autoscaler's own; the EBS CSI controller's use of the key the
    block StorageClass names (its AWS-managed policy covers only the aws/ebs key)."""
    if controller is iam.CLUSTER_AUTOSCALER:
        return {"autoscaler": iam.autoscaler_statements(spec.metadata.name)}
    key = data_key(spec, "ebs")
    if controller is iam.EBS_CSI and key:
        region = spec.metadata.region
        return {"ebs-csi-kms": iam.ebs_kms_statements(key, spec.metadata.name, region, regions.partition(region))}
    return {}


def registry_statements(spec: Spec) -> tuple[Statement, ...]:
    name, region = registry_name(spec), spec.metadata.region
    if spec.domino.registry.type == "s3":
        return iam.s3_statements([name])
    return iam.ecr_statements(iam.ecr_repository_arn(name, region, regions.partition(region)))


def registry_name(spec: Spec) -> str:
    given = spec.domino.registry
    return given.name or (f"{spec.metadata.name}-registry" if given.type == "s3" else spec.metadata.name)


def _domino(spec: Spec, document: Any, file: str) -> DominoInstall:
    given, defaults = spec.domino, domino.release(spec.domino.version).namespaces
    names = given.namespaces
    registry = given.registry
    return DominoInstall(
        version=given.version,
        namespaces=Namespaces(
            platform=names.platform or defaults.platform,
            compute=names.compute or defaults.compute,
            system=names.system or defaults.system,
        ),
        # what apply builds: a private, encrypted bucket (TLS only, as the spec asks) or a scanned, immutable repo
        registry=Registry(
            kind=registry.type,
            name=registry_name(spec),
            blocks_public_access=True,
            encrypted=True,
            tls_only=spec.storage.tls_only if registry.type == "s3" else None,
            scan_on_push=True if registry.type == "ecr" else None,
            immutable_tags=True if registry.type == "ecr" else None,
            kms_key_id=data_key(spec, "s3") if registry.type == "s3" else None,
            location=yamlfile.location(document, file, "domino", "registry"),
        ),
        location=yamlfile.location(document, file, "domino"),
    )


def _domain(spec: Spec, document: Any, file: str) -> Domain:
    domain = spec.domain
    return Domain(
        fqdn=domain.fqdn,
        certificate=_certificate(domain),
        hosted_zone_id=domain.hosted_zone_id,
        location=yamlfile.location(document, file, "domain"),
    )


def _certificate(domain: DomainSpec) -> Certificate | None:
    """The certificate the spec names, whose names only ACM knows; else the one apply requests for the FQDN."""
    if domain.certificate_arn:
        return Certificate(arn=domain.certificate_arn, domain_names=None)
    return Certificate(domain_names=(domain.fqdn,)) if domain.fqdn else None
