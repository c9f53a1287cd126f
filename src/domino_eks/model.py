"""The canonical description of a Domino-on-EKS deployment.

Every source (the tool's own spec, an eksctl ClusterConfig, a live cluster and account, a dump file)
builds one `Deployment`; every rule, renderer and provisioner reads only this. A field that a source
cannot know is ``None`` and means *unknown* — rules that need it skip with a reason, never pass.
Empty collections, by contrast, are facts: ``fargate_profiles == ()`` means "there are none".
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict, Field

from domino_eks.knowledge import domino as releases
from domino_eks.knowledge.domino import KNOWN_NAMESPACES
from domino_eks.knowledge.instances import is_gpu_instance

NODE_POOL_LABEL = "dominodatalab.com/node-pool"
BUILD_NODE_LABEL = "domino/build-node"
GPU_LABEL = "nvidia.com/gpu"
GPU_RESOURCE = "nvidia.com/gpu"  # the extended resource NVIDIA's device plugin advertises (named like the label)
PLATFORM = "platform"
DEFAULT = "default"
DEFAULT_GPU = "default-gpu"
DOMINO_NAMESPACES = KNOWN_NAMESPACES  # every release's defaults: what a source that knows no release looks for
BucketRole = Literal["user_data", "logs", "backups"]  # one S3 bucket each (page: "Blob storage")
BUCKET_ROLES: tuple[BucketRole, ...] = get_args(BucketRole)
EBS_CSI_PROVISIONER = "ebs.csi.aws.com"
EBS_IN_TREE_PROVISIONER = "kubernetes.io/aws-ebs"  # deprecated; served by the CSI driver from Kubernetes 1.23
EFS_CSI_PROVISIONER = "efs.csi.aws.com"
# The EBS CSI driver's StorageClass parameters, lower case: it reads their names case-insensitively.
EBS_CSI_PARAMETERS = frozenset({
    "type", "fstype", "csi.storage.k8s.io/fstype", "encrypted", "kmskeyid", "iops", "iopspergb", "throughput",
    "allowautoiopspergbincrease", "blockexpress", "blocksize", "inodesize", "bytesperinode", "numberofinodes",
})
DEFAULT_CLASS_ANNOTATION = "storageclass.kubernetes.io/is-default-class"
BLOCK_CLASS_NAME = "dominodisk"  # the block StorageClass name Domino's installer uses
# Cluster Autoscaler tags on a node group's ASG: autodiscovery (enabled, and <prefix><cluster name>: owned),
# and the node templates it reads to scale a group up from zero nodes (label/<key>: value, taint/<key>: value:Effect)
AUTOSCALER_TAG_PREFIX = "k8s.io/cluster-autoscaler/"
AUTOSCALER_ENABLED_TAG = AUTOSCALER_TAG_PREFIX + "enabled"
NODE_TEMPLATE_LABEL_TAG = AUTOSCALER_TAG_PREFIX + "node-template/label/"
NODE_TEMPLATE_TAINT_TAG = AUTOSCALER_TAG_PREFIX + "node-template/taint/"


def autodiscovery_cluster(tag: str) -> str | None:
    """The cluster an autodiscovery tag names (<prefix><cluster name>); None for the on/off switch, the node
    templates (which go one level deeper) and every other tag."""
    name = tag.removeprefix(AUTOSCALER_TAG_PREFIX)
    if name == tag or tag == AUTOSCALER_ENABLED_TAG or "/" in name:
        return None
    return name


def node_template_tags(labels: Mapping[str, str], taints: Iterable[Taint]) -> dict[str, str]:
    """The tags from which the cluster autoscaler learns a group's labels and taints while it has no node."""
    tags = {NODE_TEMPLATE_LABEL_TAG + key: value for key, value in labels.items()}
    return tags | {NODE_TEMPLATE_TAINT_TAG + t.key: f"{t.value}:{t.effect}" for t in taints}


def autoscaler_tags(cluster_name: str, labels: Mapping[str, str], taints: Iterable[Taint], min_size: int) -> dict:
    """The tags the cluster autoscaler needs on a group: autodiscovery, plus node templates if it scales from 0."""
    tags = {AUTOSCALER_ENABLED_TAG: "true", AUTOSCALER_TAG_PREFIX + cluster_name: "owned"}
    return tags | node_template_tags(labels, taints) if min_size == 0 else tags


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Location(Frozen):
    """Where a fact came from: a file position, a YAML path, or a live object."""

    file: str | None = None
    line: int | None = None
    column: int | None = None
    path: str | None = None  # eksctl style: nodeGroups[2].volumeSize
    object: str | None = None  # live objects: Node/ip-10-0-1-5

    def describe(self) -> str:
        if self.object:
            return self.object
        parts = [p for p in (self.file, self.line, self.column) if p is not None]
        where = ":".join(str(p) for p in parts)
        return f"{where} ({self.path})" if where and self.path else where or (self.path or "")


class Taint(Frozen):
    key: str
    value: str = ""
    effect: str


# Who launched a node: an Auto Scaling group behind an EKS managed or eksctl node group, Karpenter, EKS Auto
# Mode (Karpenter run by EKS) or Fargate (one node per pod, in no group)
NodeProvisioner = Literal["node-group", "karpenter", "auto-mode", "fargate"]
LAUNCHED_WITHOUT_GROUPS: tuple[NodeProvisioner, ...] = ("karpenter", "auto-mode")  # no Auto Scaling group behind


@dataclass(slots=True)
class Node:
    """A live node (only live sources know these).

    The one part of the model that is no pydantic model: a cluster has thousands of nodes, and validating each
    was about a fifth of checking a dump of 20,000. Its one reader of raw facts, `read_node` in
    sources/snapshot/facts.py, copies it from a node msgspec has type-checked (collect.shapes.NodeFacts);
    pydantic takes the instances as they are (NodeGroup.nodes). Nothing changes a node once read, yet it is not
    a frozen dataclass: that one's __init__ sets each field through object.__setattr__, three times the cost of
    making a node."""

    name: str
    provisioner: NodeProvisioner | None = None  # None: its labels do not say (a self-managed group's, usually)
    os: str | None = None  # kubernetes.io/os: linux or windows
    os_image: str | None = None  # what the kubelet reports: "Bottlerocket OS 1.26.1 (aws-k8s-1.31)"
    zone: str | None = None
    instance_type: str | None = None
    ready: bool | None = None
    schedulable: bool | None = None
    gpu_allocatable: int | None = None  # nvidia.com/gpu allocatable; None: the node advertises no such resource
    labels: dict[str, str] = field(default_factory=dict)  # every label, system ones too (what selectors read)


class NodeGroup(Frozen):
    """One Auto Scaling group (or EKS managed node group); Domino wants one per zone per pool. A live source also
    groups the nodes Karpenter or EKS Auto Mode launched by their NodePool: no Auto Scaling group is behind those
    (see `provisioner`)."""

    name: str
    zones: tuple[str, ...] | None = None
    instance_type: str | None = None
    volume_size_gb: int | None = None
    volume_type: str | None = None
    # rule C006: the root volume is encrypted, and with which KMS key (None: the account's aws/ebs key, or unknown)
    volume_encrypted: bool | None = None
    volume_kms_key_id: str | None = None
    min_size: int | None = None
    desired_capacity: int | None = None
    max_size: int | None = None
    labels: Mapping[str, str] = Field(default_factory=dict)
    taints: tuple[Taint, ...] = ()
    tags: Mapping[str, str] | None = None  # ASG tags; None when the source cannot see them
    managed: bool | None = None
    ami: str | None = None  # a pinned image id, or None for the family's default image
    ami_family: str | None = None
    ami_exists: bool | None = None  # only live sources can tell
    ami_accelerated: bool | None = None  # image carries NVIDIA drivers
    pre_bootstrap_commands: tuple[str, ...] = ()
    bootstrap_arguments: str | None = None  # kubelet / bootstrap.sh extra arguments, user data
    private_networking: bool | None = None
    imdsv2_required: bool | None = None
    # IMDSv2's PUT response hop limit: above 1, the pods of the group's nodes reach the node role's credentials
    metadata_hop_limit: int | None = None
    node_role: str | None = None  # the ARN of the IAM role its nodes assume; None where the source cannot tell
    subnet_ids: tuple[str, ...] | None = None  # the subnets it launches nodes into; None where unknown
    nodes: tuple[Node, ...] | None = None  # live nodes of this group; None offline
    location: Location | None = None
    # the Karpenter NodePool that launches these nodes (no Auto Scaling group, so no ASG tags), and the instance
    # families its requirements allow when they name no single instance type
    karpenter_node_pool: str | None = None
    instance_families: tuple[str, ...] = ()

    @property
    def effective_desired(self) -> int | None:
        """eksctl and the ASG API both start a group without a desired size at its minimum."""
        return self.desired_capacity if self.desired_capacity is not None else self.min_size

    @property
    def provisioner(self) -> NodeProvisioner | None:
        """Who launched the group's nodes, when every node says the same; None offline and for a group without
        nodes (whose Auto Scaling group, if any, is all a source knows of it)."""
        launched = {n.provisioner for n in self.nodes or ()}
        if self.karpenter_node_pool is not None:
            # a NodePool read as a group: Karpenter launches its nodes, EKS's own when they say Auto Mode's
            return "auto-mode" if launched == {"auto-mode"} else "karpenter"
        return launched.pop() if len(launched) == 1 else None

    @property
    def windows(self) -> bool:
        """Every node of the group runs Windows: Domino runs on Linux nodes only, so such a group is none of its
        pools whatever its labels say."""
        return bool(self.nodes) and all(n.os == "windows" for n in self.nodes or ())

    @property
    def is_gpu(self) -> bool:
        """Labelled for GPUs, or on a GPU instance type: either way GPU work is meant to land here."""
        if self.labels.get(GPU_LABEL) == "true" or bool(self.instance_type and is_gpu_instance(self.instance_type)):
            return True
        return bool(self.instance_families) and all(is_gpu_instance(f) for f in self.instance_families)


class NodePool(Frozen):
    """Node groups sharing one ``dominodatalab.com/node-pool`` value (``label``)."""

    name: str
    label: str | None  # the node-pool label value; None for groups that carry none
    groups: tuple[NodeGroup, ...]
    location: Location | None = None

    @property
    def zones(self) -> frozenset[str] | None:
        if any(g.zones is None for g in self.groups):
            return None
        return frozenset(z for g in self.groups for z in g.zones or ())

    @property
    def labels(self) -> Mapping[str, str]:
        """Labels every group of the pool carries."""
        if not self.groups:
            return {}
        common = dict(self.groups[0].labels)
        for g in self.groups[1:]:
            common = {k: v for k, v in common.items() if g.labels.get(k) == v}
        return common

    @property
    def is_gpu(self) -> bool:
        return any(g.is_gpu for g in self.groups)

    @property
    def is_build(self) -> bool:
        return any(g.labels.get(BUILD_NODE_LABEL) == "true" for g in self.groups)


class VersionSupport(Frozen):
    """Where a Kubernetes version stands in the EKS support calendar, on the day it was looked up."""

    status: Literal["standard", "extended", "unsupported", "unknown"]
    end_of_standard: str | None = None  # ISO dates
    end_of_extended: str | None = None
    as_of: str | None = None
    source: str = "table"  # "table" (shipped with the tool) or "api" (eks:DescribeClusterVersions)


class Insight(Frozen):
    """A check EKS runs on the cluster itself (ListInsights / DescribeInsight)."""

    id: str
    name: str
    category: str | None = None  # UPGRADE_READINESS, MISCONFIGURATION
    status: str = "UNKNOWN"  # PASSING, WARNING, ERROR, UNKNOWN
    reason: str | None = None
    recommendation: str | None = None  # DescribeInsight's; ListInsights does not carry it


class Addon(Frozen):
    """An EKS add-on of the cluster as DescribeAddon reports it."""

    name: str
    version: str | None = None
    status: str | None = None  # ACTIVE, DEGRADED, CREATE_FAILED, ...
    health_issues: tuple[str, ...] = ()  # "code: message" of each issue EKS reports
    pod_identity: bool = False  # its roles come from EKS Pod Identity associations (the agent must run)


class AddonVersions(Frozen):
    """The versions of one add-on EKS lists for a Kubernetes version (DescribeAddonVersions), newest first."""

    compatible: tuple[str, ...]
    default: str | None = None  # the version EKS installs when none is named


class Cluster(Frozen):
    # None: unknown, which only a dump or a live cluster can leave it (built by Terraform or the console, or
    # Fargate-only, its nodes carry no eksctl label naming it); a spec and an eksctl file always name it
    name: str | None
    region: str | None
    version: str | None
    version_support: VersionSupport | None = None
    control_plane_zones: tuple[str, ...] | None = None
    tags: Mapping[str, str] = Field(default_factory=dict)
    insights: tuple[Insight, ...] | None = None  # None: not listed (offline, or refused)
    addons: tuple[Addon, ...] | None = None  # the EKS add-ons installed; None: not listed (offline, or refused)
    # the add-on versions EKS lists as compatible with the cluster's Kubernetes version, by add-on name
    addon_versions: Mapping[str, AddonVersions] | None = None
    location: Location | None = None

    @property
    def declared_name(self) -> str:
        """The name of a cluster a spec or eksctl file declares, for what renders or builds one from it: both
        sources require the name, and nothing is rendered or built from a dump."""
        if self.name is None:
            raise ValueError("the cluster's name is unknown: only a spec or an eksctl file can be rendered or built")
        return self.name


class Subnet(Frozen):
    zone: str
    cidr: str
    public: bool
    id: str | None = None
    free_addresses: int | None = None  # live only
    # what its route table sends 0.0.0.0/0 to: a NAT gateway, an internet gateway, or nothing; live only
    egress: Literal["nat", "internet", "none"] | None = None


class Network(Frozen):
    vpc_id: str | None = None
    vpc_cidr: str | None = None
    subnets: tuple[Subnet, ...] | None = None
    cni: Literal["vpc-cni", "calico", "cilium", "other"] | None = None  # who hands out pod IPs
    # who enforces NetworkPolicy: "none" is a fact (nothing does), None is unknown
    policy_engine: Literal["calico", "vpc-cni", "cilium", "other", "none"] | None = None
    prefix_delegation: bool | None = None
    reserved_cidrs: tuple[str, ...] = ()
    private_nodes: bool | None = None
    nat_gateway: bool | None = None
    nat_addresses: tuple[str, ...] | None = None  # the public IPs of the VPC's available NAT gateways; live only
    # the services the VPC has endpoints for, by their short names ("ecr.api", "s3", "sts"); live only
    endpoint_services: tuple[str, ...] | None = None
    location: Location | None = None


class StorageClass(Frozen):
    name: str | None
    provisioner: str | None
    parameters: Mapping[str, str] = Field(default_factory=dict)
    misplaced: tuple[str, ...] = ()  # keys found where Kubernetes does not read them (metadata.type)
    # the values of those keys, by the same path ({"metadata.type": "gp2"}), so a renderer can move them
    misplaced_values: Mapping[str, str] = Field(default_factory=dict)
    default: bool = False
    location: Location | None = None

    def parameter(self, name: str) -> str | None:
        """The parameter `name` (lower case), as the EBS CSI driver reads them: whatever the case it is written in."""
        return next((value for key, value in self.parameters.items() if key.lower() == name), None)


class Efs(Frozen):
    file_system_id: str | None = None
    access_point_id: str | None = None
    encrypted: bool | None = None
    kms_key_id: str | None = None  # the KMS key encrypting it at rest; None: aws/elasticfilesystem, or unknown
    mount_target_zones: tuple[str, ...] | None = None
    admits_nfs_from_nodes: bool | None = None  # TCP 2049 from the shared node security group
    automatic_backups: bool | None = None  # EFS's own backups (AWS Backup's default plan for it) are on
    backup_plan: bool | None = None  # an AWS Backup plan of the account protects the file system
    location: Location | None = None


class Bucket(Frozen):
    role: BucketRole
    name: str
    blocks_public_access: bool | None = None
    encrypted: bool | None = None
    tls_only: bool | None = None
    versioning: bool | None = None
    kms_key_id: str | None = None
    location: Location | None = None


class Statement(Frozen):
    """One IAM policy statement, normalised to lists."""

    effect: Literal["Allow", "Deny"]
    actions: tuple[str, ...]
    resources: tuple[str, ...]
    condition: Mapping[str, Mapping[str, object]] | None = None


class Grants(Frozen):
    """What a principal may do, as the statements of all its policies; ``where`` names the principal."""

    statements: tuple[Statement, ...]
    where: str
    location: Location | None = None


class NodeRole(Frozen):
    """An IAM role that node groups' instances assume, with what it carries (rules C004, C005; access entries).

    `managed_policies` are the AWS-managed policies attached by name; `policies` the documents of the others (live
    sources read every document, the AWS-managed ones too, so they land here)."""

    name: str
    arn: str | None = None  # None before apply creates it
    groups: tuple[str, ...]  # the node groups whose nodes assume it
    managed_policies: tuple[str, ...] = ()
    policies: Mapping[str, tuple[Statement, ...]] = Field(default_factory=dict)
    # why the source cannot list all the role carries, said of its node groups ("attach no policy ARNs, so eksctl
    # gives their roles its default policies..."); None: these are all it carries
    unlisted: str | None = None
    location: Location | None = None

    @property
    def statements(self) -> tuple[Statement, ...]:
        return tuple(s for statements in self.policies.values() for s in statements)


class PodIdentity(Frozen):
    """An EKS Pod Identity association: the pods of one service account get one role's credentials."""

    namespace: str
    service_account: str
    role: str  # the role's name
    managed_policies: tuple[str, ...] = ()
    policies: Mapping[str, tuple[Statement, ...]] = Field(default_factory=dict)

    @property
    def statements(self) -> tuple[Statement, ...]:
        return tuple(s for statements in self.policies.values() for s in statements)
AuthenticationMode = Literal["CONFIG_MAP", "API_AND_CONFIG_MAP", "API"]  # what EKS reads to let principals in
EC2_LINUX = "EC2_LINUX"  # the access entry type that lets a Linux node role join the cluster


class AccessEntry(Frozen):
    principal_arn: str
    type: str | None = None  # EC2_LINUX, EC2_WINDOWS, FARGATE_LINUX, STANDARD, ...


class Access(Frozen):
    node_role: Grants | None = None  # the platform nodes' role (Domino's S3 access)
    autoscaler: Grants | None = None  # the role the autoscaler really runs as: its Pod Identity, or the nodes'
    registry: Grants | None = None  # the nodes' grants on Domino's image registry storage (bucket or repository)
    node_roles: tuple[NodeRole, ...] | None = None  # every role the node groups assume; None where nobody looked
    pod_identities: tuple[PodIdentity, ...] | None = None  # None: not listed (offline, or the API refused)

    def node_role_of(self, group: str) -> NodeRole | None:
        return next((r for r in self.node_roles or () if group in r.groups), None)
    authentication_mode: AuthenticationMode | None = None
    access_entries: tuple[AccessEntry, ...] | None = None  # None: not listed
    # the role ARNs the aws-auth ConfigMap maps into system:nodes; () when it maps none or does not exist
    aws_auth_node_roles: tuple[str, ...] | None = None


def name_covers(certificate_name: str, fqdn: str) -> bool:
    """Exact match, or a wildcard standing for exactly one leftmost label (case-insensitive)."""
    pattern, host = certificate_name.lower().rstrip("."), fqdn.lower().rstrip(".")
    if not pattern.startswith("*."):
        return pattern == host
    first, _, rest = host.partition(".")
    return bool(first) and rest == pattern[2:]


class Certificate(Frozen):
    arn: str | None = None
    # None when nobody has looked (a spec names the ARN: only ACM knows its names); () when a live source looked
    # and no certificate covers the FQDN
    domain_names: tuple[str, ...] | None
    status: str | None = None  # ISSUED, PENDING_VALIDATION, ... ; None when planned
    not_after: str | None = None  # ISO date-time
    days_left: int | None = None  # computed by the live source on the day it looked


class Domain(Frozen):
    fqdn: str | None = None
    certificate: Certificate | None = None
    hosted_zone_id: str | None = None
    location: Location | None = None


class FargateProfile(Frozen):
    name: str
    namespaces: tuple[str, ...]


class NamespaceState(Frozen):
    name: str
    foreign_workloads: tuple[str, ...] = ()  # workloads that are not Domino's


class Toleration(Frozen):
    key: str | None = None  # None with operator Exists: tolerates every taint
    operator: Literal["Equal", "Exists"] = "Equal"
    value: str | None = None
    effect: str | None = None  # None: every effect

    def tolerates(self, taint: Taint) -> bool:
        if self.key is not None and self.key != taint.key:
            return False
        if self.operator == "Equal" and (self.value or "") != taint.value:
            return False
        return self.effect is None or self.effect == taint.effect


class SelectorRequirement(Frozen):
    """One matchExpression of a required node affinity term."""

    key: str
    operator: Literal["In", "NotIn", "Exists", "DoesNotExist", "Gt", "Lt"]
    values: tuple[str, ...] = ()


class DevicePlugin(Frozen):
    """A daemon set that advertises GPUs to the kubelet (NVIDIA's device plugin, alone or by the GPU operator),
    with what decides which nodes it runs on."""

    name: str  # namespace/name
    node_selector: Mapping[str, str] = Field(default_factory=dict)
    # required node affinity: a node must match every requirement of at least one term; () = no affinity
    affinity_terms: tuple[tuple[SelectorRequirement, ...], ...] = ()
    tolerations: tuple[Toleration, ...] = ()


class Kubernetes(Frozen):
    """Facts only a live cluster (or its dump) can supply."""

    storage_classes: tuple[StorageClass, ...] | None = None
    csi_drivers: tuple[str, ...] | None = None
    namespaces: tuple[NamespaceState, ...] | None = None
    fargate_profiles: tuple[FargateProfile, ...] | None = None
    device_plugins: tuple[DevicePlugin, ...] | None = None  # None: the daemon sets were not listed


class Storage(Frozen):
    block_class: StorageClass | None = None
    efs: Efs | None = None
    buckets: tuple[Bucket, ...] | None = None
    ebs_csi_driver: bool | None = None  # the EBS CSI driver is (or will be) installed


class Namespaces(Frozen):
    """The namespaces Domino's installer creates and uses; `system` is None for releases without one."""

    platform: str
    compute: str
    system: str | None = None

    def names(self) -> tuple[str, ...]:
        return tuple(n for n in (self.platform, self.compute, self.system) if n)


class Registry(Frozen):
    """Where Domino's image registry keeps its images: an S3 bucket behind the internal registry, or an ECR
    repository used as the external one."""

    kind: Literal["s3", "ecr"]
    name: str  # bucket name, or ECR repository name
    exists: bool | None = None  # None where nobody has looked (a spec plans it)
    blocks_public_access: bool | None = None
    encrypted: bool | None = None
    tls_only: bool | None = None  # S3 only
    scan_on_push: bool | None = None  # ECR only
    immutable_tags: bool | None = None  # ECR only
    kms_key_id: str | None = None
    uri: str | None = None  # the ECR repository URI, known once it exists
    location: Location | None = None


class DominoInstall(Frozen):
    """What the Domino install itself takes: the release, its namespaces, its registry storage."""

    version: str | None = None  # a key of knowledge.domino.RELEASES; None where the source cannot tell
    namespaces: Namespaces | None = None
    registry: Registry | None = None
    location: Location | None = None


class Autoscaler(Frozen):
    enabled: bool | None = None


LogType = Literal["api", "audit", "authenticator", "controllerManager", "scheduler"]  # EKS's five
CONTROL_PLANE_LOG_TYPES: tuple[LogType, ...] = get_args(LogType)
SupportType = Literal["STANDARD", "EXTENDED"]
KEY_CREATED_BY_APPLY = "created by apply"  # Hardening.secrets_key of a key that does not exist yet
DataStore = Literal["ebs", "efs", "s3"]  # what the deployment's KMS key may encrypt besides Secrets (rule C006)
DATA_STORES: tuple[DataStore, ...] = get_args(DataStore)


class Hardening(Frozen):
    """What a security review asks of the control plane (rules C001-C003, C007); None is unknown."""

    endpoint_private: bool | None = None  # the API endpoint is reachable from inside the VPC
    endpoint_public: bool | None = None
    public_access_cidrs: tuple[str, ...] | None = None  # who may reach the public endpoint; () with it off
    log_types: tuple[str, ...] | None = None  # the control-plane log types turned on
    log_retention_days: int | None = None
    secrets_encrypted: bool | None = None  # the encryption config covers `secrets`
    secrets_key: str | None = None  # the KMS key's ARN; "created by apply" before it exists
    key_rotation: bool | None = None
    # rule C006: the stores the deployment declares its customer-managed key (data_key) for; None where the source
    # cannot tell what was declared (a live cluster shows only which key each store uses)
    data_key: str | None = None
    data_key_stores: tuple[DataStore, ...] | None = None
    support_type: SupportType | None = None
    extended_support_intended: bool = False  # the deployment declares extended support as chosen
    # rule C009: the VPC's flow logs and its default security group (CIS AWS Foundations 5.4)
    vpc_id: str | None = None  # the cluster's VPC; None before apply creates it
    flow_logs: bool | None = None  # the VPC has an active flow log
    flow_log_bucket: str | None = None  # the S3 bucket the flow log writes to; None: a CloudWatch log group
    default_group: str | None = None  # the VPC's default security group, by id
    default_group_rules: tuple[str, ...] | None = None  # its rules, described ("ingress tcp 22 from 0.0.0.0/0")
    location: Location | None = None


class Account(Frozen):
    """Facts of the AWS account and region the deployment lives in: only the account can tell (check, and the
    preflight of plan and apply)."""

    vcpu_quotas: Mapping[str, float] | None = None  # Service Quotas code (L-1216C47A) -> On-Demand vCPUs allowed
    # instance type -> the zones of the region that offer it (DescribeInstanceTypeOfferings), for the pools' types
    offered_zones: Mapping[str, tuple[str, ...]] | None = None


class SourceInfo(Frozen):
    kind: Literal["spec", "eksctl", "live", "dump"]
    file: str | None = None
    # facts the source could not gather, and why: {"aws": "AccessDenied: ..."}; rules cite them
    gaps: Mapping[str, str] = Field(default_factory=dict)


class KarpenterNodePool(Frozen):
    """A Karpenter NodePool (karpenter.sh/v1) as the cluster or a dump holds it: what P016 judges of it."""

    name: str
    node_pool_label: str | None  # spec.template.metadata.labels' dominodatalab.com/node-pool
    zones: tuple[str, ...] | None  # its topology.kubernetes.io/zone requirement (In); None when it sets none
    misplaced: tuple[str, ...] = ()  # fields karpenter.sh/v1 has no place for, by path ("spec.template.spec.limits")
    location: Location | None = None


class Deployment(Frozen):
    source: SourceInfo
    cluster: Cluster
    pools: tuple[NodePool, ...]
    network: Network = Network()
    storage: Storage = Storage()
    access: Access = Access()
    domain: Domain = Domain()
    autoscaler: Autoscaler = Autoscaler()
    kubernetes: Kubernetes = Kubernetes()
    hardening: Hardening = Hardening()
    account: Account = Account()
    domino: DominoInstall = DominoInstall()
    karpenter_node_pools: tuple[KarpenterNodePool, ...] | None = None  # None: not read (offline sources)

    @property
    def install_namespaces(self) -> Namespaces:
        """Where Domino installs: the declared namespaces, else the defaults of its release (the current
        release where the source cannot tell) — what the rendered files name."""
        if self.domino.namespaces is not None:
            return self.domino.namespaces
        defaults = releases.release(self.domino.version or releases.CURRENT).namespaces
        return Namespaces(platform=defaults.platform, compute=defaults.compute, system=defaults.system)

    @property
    def domino_namespaces(self) -> tuple[str, ...]:
        """The namespaces the deployment declares, or every release's defaults when the source cannot tell."""
        return self.domino.namespaces.names() if self.domino.namespaces else DOMINO_NAMESPACES

    @property
    def live(self) -> bool:
        """The facts come from a running cluster and account (directly, or through a dump of them)."""
        return self.source.kind in ("live", "dump")

    def pool(self, label: str) -> NodePool | None:
        return next((p for p in self.pools if p.label == label), None)

    @property
    def domino_pools(self) -> tuple[NodePool, ...]:
        return tuple(p for p in self.pools if p.label is not None)

    @property
    def node_zones(self) -> frozenset[str] | None:
        """Zones used by Domino's node pools; None if any pool's zones are unknown."""
        zones: set[str] = set()
        for pool in self.domino_pools:
            if pool.zones is None:
                return None
            zones |= pool.zones
        return frozenset(zones)

    @property
    def groups(self) -> tuple[NodeGroup, ...]:
        return tuple(g for p in self.pools for g in p.groups)

    @property
    def node_subnet_ids(self) -> frozenset[str] | None:
        """The subnets every node group launches into; None if any group's are unknown."""
        if any(g.subnet_ids is None for g in self.groups):
            return None
        return frozenset(s for g in self.groups for s in g.subnet_ids or ())
