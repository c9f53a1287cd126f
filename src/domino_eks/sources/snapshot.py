"""A snapshot — the raw facts a live collection or a dump gathered — as the canonical Deployment. Pure.

Facts come from what actually runs: pools from the nodes' `dominodatalab.com/node-pool` label and the
Auto Scaling groups (or EKS node groups) behind them, zones and instance types from the nodes' well-known
labels, the network plugin from its daemon sets, readiness from the Ready condition. A part the snapshot
lacks leaves its model fields None (unknown), and the reason the collector recorded for it goes into
`SourceInfo.gaps` under the service or kind that failed ("s3", "nodes", "aws"), which skipped rules cite.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import NamedTuple

from domino_eks import policies, versions
from domino_eks.errors import InputError, Problem
from domino_eks.model import (
    DOMINO_NAMESPACES, GPU_LABEL, NODE_POOL_LABEL, PLATFORM, Access, Autoscaler, Bucket, Certificate, Cluster,
    Deployment, Domain, Efs, FargateProfile, Grants, Kubernetes, Location, NamespaceState, Network, Node,
    NodeGroup, NodePool, SourceInfo, Storage, StorageClass, Subnet, Taint, VersionSupport,
)
from domino_eks.sources import manifests

ZONE_LABELS = ("topology.kubernetes.io/zone", "failure-domain.beta.kubernetes.io/zone")
REGION_LABELS = ("topology.kubernetes.io/region", "failure-domain.beta.kubernetes.io/region")
INSTANCE_TYPE_LABELS = ("node.kubernetes.io/instance-type", "beta.kubernetes.io/instance-type")
EKS_NODEGROUP_LABEL = "eks.amazonaws.com/nodegroup"
EKSCTL_NODEGROUP_LABEL = "alpha.eksctl.io/nodegroup-name"
EKSCTL_CLUSTER_LABEL = "alpha.eksctl.io/cluster-name"
COMPUTE_TYPE_LABEL = "eks.amazonaws.com/compute-type"
ASG_NAME_TAG = "aws:autoscaling:groupName"
EKS_NODEGROUP_TAG = "eks:nodegroup-name"
TEMPLATE_LABEL_TAG = "k8s.io/cluster-autoscaler/node-template/label/"
TEMPLATE_TAINT_TAG = "k8s.io/cluster-autoscaler/node-template/taint/"
AUTOSCALER_ENABLED_TAG = "k8s.io/cluster-autoscaler/enabled"
UNLABELLED = "unlabelled"
EBS_PROVISIONERS = ("ebs.csi.aws.com", "kubernetes.io/aws-ebs")
EBS_CSI_DRIVER = "ebs.csi.aws.com"
NETWORK_POLICY_FLAG = "--enable-network-policy=true"
# Labels every node carries with per-node values (hostname, zone, instance type...) or that a platform
# sets by itself; a pool is defined by the others, which is what Z003 compares across zones.
_SYSTEM_LABEL_DOMAINS = ("kubernetes.io", "k8s.io", "k8s.aws", "amazonaws.com", "aws.com", "eksctl.io")
# Taints the node lifecycle adds and removes by itself (not-ready, unschedulable, scale-down).
_TRANSIENT_TAINT_PREFIXES = ("node.kubernetes.io/", "node.cloudprovider.kubernetes.io/", "ToBeDeletedBy",
                             "DeletionCandidateOf")
_EKS_TAINT_EFFECTS = {"NO_SCHEDULE": "NoSchedule", "NO_EXECUTE": "NoExecute",
                      "PREFER_NO_SCHEDULE": "PreferNoSchedule"}
_SUPPORT_STATUS = {"STANDARD_SUPPORT": "standard", "EXTENDED_SUPPORT": "extended", "UNSUPPORTED": "unsupported"}
# (what an EKS AMI type, image name or node OS image contains, eksctl's family name), first match wins
_AMI_FAMILIES = (("al2023", "AmazonLinux2023"), ("amazon linux 2023", "AmazonLinux2023"),
                 ("bottlerocket", "Bottlerocket"), ("al2_", "AmazonLinux2"), ("amazon linux 2", "AmazonLinux2"),
                 ("amazon-eks-node-", "AmazonLinux2"), ("amazon-eks-gpu-node-", "AmazonLinux2"))
_UBUNTU = re.compile(r"ubuntu\D*(\d\d)\.?(\d\d)")
_ACCELERATED_AMI_HINTS = ("gpu", "nvidia", "neuron")
_PUBLIC_ACCESS_FLAGS = ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets")


def cluster_name(snapshot: Mapping) -> str | None:
    """The cluster's name: asked for, reported by EKS, or on eksctl's node labels."""
    target, aws, kube = snapshot.get("target") or {}, snapshot.get("aws") or {}, snapshot.get("kubernetes") or {}
    named = target.get("cluster") or (aws.get("cluster") or {}).get("name")
    return named or next((n["metadata"]["labels"][EKSCTL_CLUSTER_LABEL] for n in kube.get("nodes") or ()
                          if EKSCTL_CLUSTER_LABEL in (n.get("metadata", {}).get("labels") or {})), None)


def to_deployment(snapshot: Mapping, file: str | None = None, today: date | None = None) -> Deployment:
    """The Deployment a snapshot describes; `file` is the dump it was read from (None for a live run)."""
    name = cluster_name(snapshot)
    if name is None:
        raise InputError([Problem(
            file or "the live cluster",
            "the cluster's name is unknown (no EKS facts, no alpha.eksctl.io/cluster-name node label); "
            "pass --cluster NAME or --spec FILE",
        )])
    on = today or _collection_day(snapshot) or date.today()
    return _Facts.of(snapshot, on).deployment(name, file)


def _collection_day(snapshot: Mapping) -> date | None:
    stamp = snapshot.get("collected_at")
    return datetime.fromisoformat(stamp).date() if stamp else None


class _Node(NamedTuple):
    """What one Kubernetes node tells: its model, and the facts its node group is assembled from."""

    model: Node
    pool: str | None
    labels: dict[str, str]  # the labels that define a pool (system labels left out)
    taints: tuple[Taint, ...]
    group_hint: str | None  # the EKS or eksctl node group name on its labels
    managed_hint: bool | None
    instance_id: str | None
    public: bool
    kubelet_version: str | None
    os_image: str | None


def _read_node(raw: Mapping) -> _Node:
    metadata, spec, status = raw.get("metadata") or {}, raw.get("spec") or {}, raw.get("status") or {}
    labels = metadata.get("labels") or {}
    conditions = status.get("conditions")
    allocatable = status.get("allocatable")
    provider_id = spec.get("providerID") or ""
    instance_id = provider_id.rsplit("/", 1)[-1]
    info = status.get("nodeInfo") or {}
    hint = labels.get(EKS_NODEGROUP_LABEL) or labels.get(EKSCTL_NODEGROUP_LABEL)
    model = Node(
        name=metadata.get("name", ""),
        zone=_first(labels, ZONE_LABELS),
        instance_type=_first(labels, INSTANCE_TYPE_LABELS),
        ready=next((c.get("status") == "True" for c in conditions if c.get("type") == "Ready"), None)
        if conditions is not None else None,
        schedulable=not spec.get("unschedulable", False),
        gpu_allocatable=int(allocatable.get(GPU_LABEL, 0)) if allocatable is not None else None,
    )
    return _Node(
        model=model,
        pool=labels.get(NODE_POOL_LABEL),
        labels={k: v for k, v in labels.items() if not _is_system_label(k)},
        taints=tuple(Taint(key=t["key"], value=t.get("value", ""), effect=t["effect"])
                     for t in spec.get("taints") or () if not t["key"].startswith(_TRANSIENT_TAINT_PREFIXES)),
        group_hint=hint,
        managed_hint=True if EKS_NODEGROUP_LABEL in labels else (False if hint else None),
        instance_id=instance_id if instance_id.startswith("i-") else None,
        public=any(a.get("type") == "ExternalIP" for a in status.get("addresses") or ()),
        kubelet_version=info.get("kubeletVersion"),
        os_image=info.get("osImage"),
    )


def _first(labels: Mapping[str, str], keys: Iterable[str]) -> str | None:
    return next((labels[k] for k in keys if k in labels), None)


def _is_system_label(key: str) -> bool:
    domain = key.split("/", 1)[0] if "/" in key else ""
    return domain.endswith(_SYSTEM_LABEL_DOMAINS)


def _is_fargate(raw: Mapping) -> bool:
    return ((raw.get("metadata") or {}).get("labels") or {}).get(COMPUTE_TYPE_LABEL) == "fargate"


def _tags(tagged: Mapping) -> dict[str, str]:
    """Tags of an AWS object, from a list of {Key, Value} or from a map (EKS)."""
    tags = tagged.get("Tags", tagged.get("tags")) or {}
    return dict(tags) if isinstance(tags, Mapping) else {t["Key"]: t["Value"] for t in tags}


@dataclass
class _Draft:
    """A node group being assembled from whichever of its ASG, EKS node group and nodes are known."""

    name: str
    asg: Mapping | None = None
    nodegroup: Mapping | None = None
    nodes: list[_Node] = field(default_factory=list)


@dataclass(frozen=True)
class _Facts:
    """The snapshot, indexed; each method builds one part of the model from it."""

    kube: Mapping | None
    aws: Mapping | None
    target: Mapping
    errors: Mapping[str, str]
    on: date
    nodes: list[_Node] | None

    @classmethod
    def of(cls, snapshot: Mapping, on: date) -> _Facts:
        kube = snapshot.get("kubernetes")
        raw_nodes = (kube or {}).get("nodes")
        nodes = None if raw_nodes is None else [_read_node(n) for n in raw_nodes if not _is_fargate(n)]
        return cls(kube, snapshot.get("aws"), snapshot.get("target") or {}, snapshot.get("errors") or {}, on, nodes)

    def kube_part(self, key: str):
        return None if self.kube is None else self.kube.get(key)

    def aws_part(self, key: str):
        return None if self.aws is None else self.aws.get(key)

    def deployment(self, name: str, file: str | None) -> Deployment:
        groups = self.node_groups()
        return Deployment(
            source=SourceInfo(kind="dump" if file else "live", file=file, gaps=self.gaps()),
            cluster=self.cluster(name),
            pools=_pools(groups),
            network=self.network(),
            storage=self.storage(),
            access=self.access(groups),
            domain=self.domain(),
            autoscaler=Autoscaler(enabled=True if any(
                AUTOSCALER_ENABLED_TAG in _tags(a) for a in self.aws_part("auto_scaling_groups") or ()) else None),
            kubernetes=self.kubernetes(),
            live=True,
        )

    def gaps(self) -> dict[str, str]:
        gaps = dict(self.errors)
        if not self.target.get("fqdn"):
            gaps.setdefault("domain", "no FQDN given: pass --fqdn or --spec")
        if not self.target.get("buckets"):
            gaps.setdefault("s3", "no bucket names given: pass --bucket ROLE=NAME or --spec")
        return gaps

    # -- cluster ---------------------------------------------------------------------------------------------

    def cluster(self, name: str) -> Cluster:
        eks = self.aws_part("cluster") or {}
        version = self.version()
        zones = self.subnet_zones((eks.get("resourcesVpcConfig") or {}).get("subnetIds"))
        return Cluster(
            name=name,
            region=self.target.get("region") or _arn_region(eks.get("arn")) or self.node_label(REGION_LABELS),
            version=version,
            version_support=self.version_support(version) if version else None,
            control_plane_zones=tuple(sorted(zones)) if zones else None,
            tags=eks.get("tags") or {},
            location=Location(object=f"Cluster/{name}"),
        )

    def version(self) -> str | None:
        """The control plane's version (EKS, else the API server), else the newest kubelet's minor."""
        reported = (self.aws_part("cluster") or {}).get("version") or self.kube_part("server_version")
        if reported:
            return _minor(reported)
        kubelets = {_minor(n.kubelet_version) for n in self.nodes or () if n.kubelet_version}
        return max(kubelets, key=lambda v: tuple(int(p) for p in v.split(".")), default=None)

    def version_support(self, version: str) -> VersionSupport:
        listed = next((v for v in self.aws_part("cluster_versions") or () if v.get("clusterVersion") == version),
                      None)
        if listed is None:
            return versions.support(version, self.on)
        return VersionSupport(
            status=_SUPPORT_STATUS.get(listed.get("versionStatus"), "unknown"),
            end_of_standard=_day(listed.get("endOfStandardSupportDate")),
            end_of_extended=_day(listed.get("endOfExtendedSupportDate")),
            as_of=self.on.isoformat(),
            source="api",
        )

    def node_label(self, keys: Iterable[str]) -> str | None:
        for node in self.kube_part("nodes") or ():
            value = _first(node.get("metadata", {}).get("labels") or {}, keys)
            if value:
                return value
        return None

    def subnet_zones(self, subnet_ids: Iterable[str] | None) -> set[str] | None:
        subnets = {s["SubnetId"]: s for s in self.aws_part("subnets") or ()}
        if not subnet_ids or not subnets or any(i not in subnets for i in subnet_ids):
            return None
        return {subnets[i]["AvailabilityZone"] for i in subnet_ids}

    # -- node groups -----------------------------------------------------------------------------------------

    def node_groups(self) -> list[NodeGroup]:
        drafts = self.drafts()
        return [self.node_group(d) for d in drafts.values()]

    def drafts(self) -> dict[tuple[str, str], _Draft]:
        drafts: dict[tuple[str, str], _Draft] = {}
        asgs = {a["AutoScalingGroupName"]: a for a in self.aws_part("auto_scaling_groups") or ()}
        asg_nodegroup = {n: _tags(a).get(EKS_NODEGROUP_TAG) for n, a in asgs.items()}
        for nodegroup in self.aws_part("nodegroups") or ():
            behind = next((asgs[a["name"]] for a in (nodegroup.get("resources") or {}).get("autoScalingGroups") or ()
                           if a.get("name") in asgs), None)
            drafts[("nodegroup", nodegroup["nodegroupName"])] = _Draft(nodegroup["nodegroupName"], behind, nodegroup)
        for name, asg in asgs.items():
            if not asg_nodegroup[name]:
                drafts[("asg", name)] = _Draft(name, asg)
        instance_asg = {i["InstanceId"]: _tags(i).get(ASG_NAME_TAG) for i in self.aws_part("instances") or ()}
        for node in self.nodes or ():
            asg = instance_asg.get(node.instance_id)
            if asg_nodegroup.get(asg) or (node.managed_hint and ("nodegroup", node.group_hint) in drafts):
                key = ("nodegroup", asg_nodegroup.get(asg) or node.group_hint)
            elif asg:
                key = ("asg", asg)
            elif node.group_hint:
                key = ("labelled", node.group_hint)
            else:
                key = ("zone", f"{node.pool or UNLABELLED}-{node.model.zone or 'unknown-zone'}")
            drafts.setdefault(key, _Draft(key[1])).nodes.append(node)
        return drafts

    def node_group(self, draft: _Draft) -> NodeGroup:
        asg, nodegroup, nodes = draft.asg or {}, draft.nodegroup or {}, draft.nodes
        template = (self.aws_part("launch_templates") or {}).get(asg.get("AutoScalingGroupName")) or {}
        scaling = nodegroup.get("scalingConfig") or {}
        image = next((i for i in self.aws_part("images") or () if i.get("ImageId") == template.get("ImageId")), None)
        root_volume = _root_volume(template)
        return NodeGroup(
            name=draft.name,
            zones=self.group_zones(asg, nodegroup, nodes),
            instance_type=template.get("InstanceType") or _override_type(asg)
            or (nodegroup.get("instanceTypes") or [None])[0] or _most_common(n.model.instance_type for n in nodes),
            volume_size_gb=root_volume.get("VolumeSize") or nodegroup.get("diskSize"),
            volume_type=root_volume.get("VolumeType"),
            min_size=asg.get("MinSize", scaling.get("minSize")),
            desired_capacity=asg.get("DesiredCapacity", scaling.get("desiredSize")),
            max_size=asg.get("MaxSize", scaling.get("maxSize")),
            labels=_common_labels(nodes) if nodes else nodegroup.get("labels") or _template_labels(asg),
            taints=_common_taints(nodes) if nodes else _nodegroup_taints(nodegroup) or _template_taints(asg),
            tags=_tags(asg) if asg else None,
            managed=bool(nodegroup) if (asg or nodegroup) else next((n.managed_hint for n in nodes), None),
            ami=template.get("ImageId"),
            ami_family=_ami_family(nodegroup.get("amiType") or (image or {}).get("Name")
                                   or next((n.os_image for n in nodes if n.os_image), None)),
            ami_exists=(image is not None) if template.get("ImageId") and self.aws_part("images") is not None
            else None,
            ami_accelerated=_accelerated(nodes, image, nodegroup),
            bootstrap_arguments=_user_data(template.get("UserData")),
            private_networking=not any(n.public for n in nodes) if nodes else None,
            imdsv2_required=(template["MetadataOptions"].get("HttpTokens") == "required")
            if "MetadataOptions" in template else None,
            nodes=tuple(n.model for n in nodes) if self.nodes is not None else None,
            location=Location(object=f"AutoScalingGroup/{asg['AutoScalingGroupName']}" if asg
                              else f"Nodegroup/{draft.name}" if nodegroup else f"NodeGroup/{draft.name}"),
        )

    def group_zones(self, asg: Mapping, nodegroup: Mapping, nodes: list[_Node]) -> tuple[str, ...] | None:
        if asg.get("AvailabilityZones"):
            return tuple(sorted(asg["AvailabilityZones"]))
        zones = self.subnet_zones(nodegroup.get("subnets")) if nodegroup else None
        if zones:
            return tuple(sorted(zones))
        if nodes and all(n.model.zone for n in nodes):
            return tuple(sorted({n.model.zone for n in nodes}))
        return None

    # -- network ---------------------------------------------------------------------------------------------

    def network(self) -> Network:
        eks_vpc = (self.aws_part("cluster") or {}).get("resourcesVpcConfig") or {}
        subnets = self.aws_part("subnets")
        vpc_id = eks_vpc.get("vpcId") or next((s.get("VpcId") for s in subnets or ()), None)
        vpc = next((v for v in self.aws_part("vpcs") or () if v.get("VpcId") == vpc_id), None)
        cni, engine, prefix = _network_plugin(self.kube_part("daemonsets"))
        nats = self.aws_part("nat_gateways")
        return Network(
            vpc_id=vpc_id,
            vpc_cidr=(vpc or {}).get("CidrBlock"),
            subnets=tuple(self.subnet(s) for s in subnets) if subnets is not None else None,
            cni=cni,
            policy_engine=engine,
            prefix_delegation=prefix,
            reserved_cidrs=tuple(self.target.get("reserved_cidrs") or ()),
            private_nodes=not any(n.public for n in self.nodes) if self.nodes else None,
            nat_gateway=any(n.get("State") == "available" for n in nats) if nats is not None else None,
            location=Location(object=f"VPC/{vpc_id}") if vpc_id else None,
        )

    def subnet(self, raw: Mapping) -> Subnet:
        return Subnet(zone=raw["AvailabilityZone"], cidr=raw["CidrBlock"], public=self.routes_to_internet(raw),
                      id=raw["SubnetId"], free_addresses=raw.get("AvailableIpAddressCount"))

    def routes_to_internet(self, subnet: Mapping) -> bool:
        """A subnet is public when its route table (or the VPC's main one) sends 0.0.0.0/0 to an internet gateway."""
        tables = [t for t in self.aws_part("route_tables") or () if t.get("VpcId") == subnet.get("VpcId")]
        table = next((t for t in tables for a in t.get("Associations") or ()
                      if a.get("SubnetId") == subnet["SubnetId"]), None) or next(
            (t for t in tables for a in t.get("Associations") or () if a.get("Main")), None)
        if table is None:
            return bool(subnet.get("MapPublicIpOnLaunch"))
        return any(r.get("DestinationCidrBlock") == "0.0.0.0/0" and str(r.get("GatewayId", "")).startswith("igw-")
                   for r in table.get("Routes") or ())

    # -- storage ---------------------------------------------------------------------------------------------

    def storage(self) -> Storage:
        classes = self.storage_classes()
        drivers = self.kube_part("csidrivers")
        return Storage(
            block_class=_block_class(classes, self.target.get("block_class")) if classes is not None else None,
            efs=self.efs(),
            buckets=self.buckets(),
            ebs_csi_driver=any(d["metadata"]["name"] == EBS_CSI_DRIVER for d in drivers) if drivers is not None
            else None,
        )

    def storage_classes(self) -> tuple[StorageClass, ...] | None:
        raw = self.kube_part("storageclasses")
        if raw is None:
            return None
        return tuple(manifests.storage_class(c, Location(object=f"StorageClass/{c['metadata'].get('name')}"))
                     for c in raw)

    def efs(self) -> Efs | None:
        efs = self.aws_part("efs")
        if efs is None:
            return None
        file_system = efs.get("file_system")
        if file_system is None:
            return Efs(mount_target_zones=())
        targets = efs.get("mount_targets") or []
        return Efs(
            file_system_id=file_system["FileSystemId"],
            access_point_id=next((a["AccessPointId"] for a in efs.get("access_points") or ()), None),
            encrypted=file_system.get("Encrypted"),
            mount_target_zones=tuple(sorted({t["AvailabilityZoneName"] for t in targets})),
            admits_nfs_from_nodes=self.admits_nfs(targets),
            location=Location(object=f"FileSystem/{file_system['FileSystemId']}"),
        )

    def admits_nfs(self, mount_targets: list[Mapping]) -> bool | None:
        """Every mount target has a security group letting TCP 2049 in from the SG all nodes share."""
        groups = {g["GroupId"]: g for g in self.aws_part("security_groups") or ()}
        node_groups = self.shared_node_security_groups()
        needed = {g for t in mount_targets for g in t.get("SecurityGroups") or ()}
        if not mount_targets or not node_groups or any(g not in groups for g in needed):
            return None
        return all(any(_admits_nfs_from(groups[g], node_groups) for g in t.get("SecurityGroups") or ())
                   for t in mount_targets)

    def shared_node_security_groups(self) -> set[str]:
        instances = self.aws_part("instances") or []
        if instances:
            return set.intersection(*({g["GroupId"] for g in i.get("SecurityGroups") or ()} for i in instances))
        cluster_group = ((self.aws_part("cluster") or {}).get("resourcesVpcConfig") or {}).get("clusterSecurityGroupId")
        return {cluster_group} if cluster_group else set()

    def buckets(self) -> tuple[Bucket, ...] | None:
        found = self.aws_part("buckets")
        if found is None or not self.target.get("buckets"):
            return None
        return tuple(_bucket(role, raw) for role, raw in found.items() if raw.get("exists"))

    # -- access ----------------------------------------------------------------------------------------------

    def access(self, groups: list[NodeGroup]) -> Access:
        roles = self.aws_part("roles")
        if roles is None:
            return Access()
        by_group = self.group_roles()
        platform = {by_group[g.name] for g in groups
                    if g.labels.get(NODE_POOL_LABEL) == PLATFORM and g.name in by_group}
        chosen = platform if platform else set(by_group.values())
        if len(chosen) != 1:
            return Access()
        role = chosen.pop()
        grants = Grants(
            statements=tuple(s for p in roles.get(role) or () for s in policies.statements_from_document(p["document"])),
            where=f"role {role}",
            location=Location(object=f"Role/{role}"),
        )
        return Access(node_role=grants, autoscaler=grants)

    def group_roles(self) -> dict[str, str]:
        """Node group name -> the IAM role its nodes assume (instance profile, launch template or EKS)."""
        role_of = {key: p["Roles"][0]["RoleName"] for p in self.aws_part("instance_profiles") or () if p.get("Roles")
                   for key in (p["Arn"], p["InstanceProfileName"])}
        found: dict[str, str] = {}
        for instance in self.aws_part("instances") or ():
            group = _tags(instance).get(EKS_NODEGROUP_TAG) or _tags(instance).get(ASG_NAME_TAG)
            arn = (instance.get("IamInstanceProfile") or {}).get("Arn")
            if group and arn in role_of:
                found.setdefault(group, role_of[arn])
        for asg, template in (self.aws_part("launch_templates") or {}).items():
            profile = template.get("IamInstanceProfile") or {}
            named = profile.get("Arn") or profile.get("Name")
            if named in role_of:
                found.setdefault(asg, role_of[named])
        for nodegroup in self.aws_part("nodegroups") or ():
            if nodegroup.get("nodeRole"):
                found.setdefault(nodegroup["nodegroupName"], nodegroup["nodeRole"].rsplit("/", 1)[-1])
        return found

    # -- domain and Kubernetes objects -----------------------------------------------------------------------

    def domain(self) -> Domain:
        fqdn = self.target.get("fqdn")
        listed = self.aws_part("certificates")
        certificate = _covering_certificate(listed, fqdn, self.on) if fqdn and listed is not None else None
        return Domain(fqdn=fqdn, certificate=certificate)

    def kubernetes(self) -> Kubernetes:
        classes = self.storage_classes()
        drivers = self.kube_part("csidrivers")
        profiles = self.aws_part("fargate_profiles")
        return Kubernetes(
            storage_classes=classes,
            csi_drivers=tuple(d["metadata"]["name"] for d in drivers) if drivers is not None else None,
            namespaces=self.namespaces(),
            fargate_profiles=tuple(
                FargateProfile(name=p["fargateProfileName"],
                               namespaces=tuple(s["namespace"] for s in p.get("selectors") or () if "namespace" in s))
                for p in profiles) if profiles is not None else None,
        )

    def namespaces(self) -> tuple[NamespaceState, ...] | None:
        """Domino's namespaces that already exist, with the workloads in them that are not Domino's."""
        listed = self.kube_part("namespaces")
        if listed is None:
            return None
        existing = [n["metadata"]["name"] for n in listed if n["metadata"]["name"] in DOMINO_NAMESPACES]
        pods, daemon_sets = self.kube_part("pods"), self.kube_part("daemonsets") or ()
        states = tuple(NamespaceState(name=ns, foreign_workloads=_foreign_workloads(
            [*(pods or ()), *({**d, "kind": "DaemonSet"} for d in daemon_sets)], ns)) for ns in existing)
        if pods is None and existing and not any(s.foreign_workloads for s in states):
            return None  # daemon sets alone cannot show a namespace holds nothing foreign
        return states


def _pools(groups: list[NodeGroup]) -> tuple[NodePool, ...]:
    by_label: dict[str | None, list[NodeGroup]] = {}
    for group in groups:
        by_label.setdefault(group.labels.get(NODE_POOL_LABEL), []).append(group)
    return tuple(NodePool(name=label or UNLABELLED, label=label, groups=tuple(members))
                 for label, members in by_label.items())


def _common_labels(nodes: list[_Node]) -> dict[str, str]:
    common = dict(nodes[0].labels)
    for node in nodes[1:]:
        if node.labels != common:
            common = {k: v for k, v in common.items() if node.labels.get(k) == v}
    return common


def _common_taints(nodes: list[_Node]) -> tuple[Taint, ...]:
    common = set(nodes[0].taints)
    for node in nodes[1:]:
        common &= set(node.taints)
    return tuple(t for t in nodes[0].taints if t in common)


def _template_labels(asg: Mapping) -> dict[str, str]:
    return {k[len(TEMPLATE_LABEL_TAG):]: v for k, v in _tags(asg).items() if k.startswith(TEMPLATE_LABEL_TAG)}


def _template_taints(asg: Mapping) -> tuple[Taint, ...]:
    """Taints from scale-from-zero tags: `.../node-template/taint/<key>: <value>:<Effect>`."""
    taints = []
    for key, text in _tags(asg).items():
        if key.startswith(TEMPLATE_TAINT_TAG) and ":" in text:
            value, effect = text.rsplit(":", 1)
            taints.append(Taint(key=key[len(TEMPLATE_TAINT_TAG):], value=value, effect=effect))
    return tuple(taints)


def _nodegroup_taints(nodegroup: Mapping) -> tuple[Taint, ...]:
    return tuple(Taint(key=t["key"], value=t.get("value", ""), effect=_EKS_TAINT_EFFECTS.get(t["effect"], t["effect"]))
                 for t in nodegroup.get("taints") or ())


def _override_type(asg: Mapping) -> str | None:
    overrides = ((asg.get("MixedInstancesPolicy") or {}).get("LaunchTemplate") or {}).get("Overrides") or []
    return next((o["InstanceType"] for o in overrides if "InstanceType" in o), None)


def _root_volume(template: Mapping) -> Mapping:
    return next((m["Ebs"] for m in template.get("BlockDeviceMappings") or () if "Ebs" in m), {})


def _most_common(values: Iterable[str | None]) -> str | None:
    counts = Counter(v for v in values if v)
    return counts.most_common(1)[0][0] if counts else None


def _ami_family(described: str | None) -> str | None:
    text = (described or "").lower()
    ubuntu = _UBUNTU.search(text)
    if ubuntu:
        return f"Ubuntu{ubuntu.group(1)}{ubuntu.group(2)}"
    return next((family for hint, family in _AMI_FAMILIES if hint in text), None)


def _accelerated(nodes: list[_Node], image: Mapping | None, nodegroup: Mapping) -> bool | None:
    """GPUs on offer prove the drivers; otherwise the image or EKS AMI type names an accelerated build."""
    if any((n.model.gpu_allocatable or 0) > 0 for n in nodes):
        return True
    described = (image or {}).get("Name") or nodegroup.get("amiType")
    return any(h in described.lower() for h in _ACCELERATED_AMI_HINTS) if described else None


def _user_data(encoded: str | None) -> str | None:
    if not encoded:
        return None
    try:
        return base64.b64decode(encoded).decode("utf-8", errors="replace")
    except (binascii.Error, ValueError):
        return encoded


def _network_plugin(daemon_sets: list[Mapping] | None) -> tuple[str | None, str | None, bool | None]:
    """(cni, NetworkPolicy engine, prefix delegation) from the daemon sets that actually run."""
    if daemon_sets is None:
        return None, None, None
    running = {d["metadata"]["name"]: d for d in daemon_sets if _running(d)}
    aws_node = running.get("aws-node")
    containers = ((aws_node or {}).get("spec", {}).get("template", {}).get("spec", {}).get("containers")) or []
    vpc_policy = any(NETWORK_POLICY_FLAG in (c.get("args") or ()) for c in containers)
    prefix = any(e.get("name") == "ENABLE_PREFIX_DELEGATION" and str(e.get("value")).lower() == "true"
                 for c in containers for e in c.get("env") or ()) if aws_node else None
    if "calico-node" in running:
        engine = "calico"
    elif "cilium" in running:
        engine = "cilium"
    elif aws_node:
        engine = "vpc-cni" if vpc_policy else "none"
    else:
        engine = None
    cni = "vpc-cni" if aws_node else {"calico": "calico", "cilium": "cilium"}.get(engine, "other")
    return cni, engine, prefix


def _running(daemon_set: Mapping) -> bool:
    status = daemon_set.get("status")
    return status is None or (status.get("numberReady") or 0) > 0


def _block_class(classes: tuple[StorageClass, ...], wanted: str | None) -> StorageClass | None:
    """The class asked for by name, else the EBS class Domino would pick: the default one, then CSI first."""
    if wanted:
        return next((c for c in classes if c.name == wanted), None)
    ebs = sorted((c for c in classes if c.provisioner in EBS_PROVISIONERS),
                 key=lambda c: (not c.default, EBS_PROVISIONERS.index(c.provisioner)))
    return ebs[0] if ebs else None


def _admits_nfs_from(group: Mapping, sources: set[str]) -> bool:
    for rule in group.get("IpPermissions") or ():
        protocol = str(rule.get("IpProtocol"))
        covers = protocol == "-1" or (protocol in ("tcp", "6") and rule.get("FromPort", 0) <= 2049
                                      <= rule.get("ToPort", 65535))
        if covers and any(p.get("GroupId") in sources for p in rule.get("UserIdGroupPairs") or ()):
            return True
    return False


def _bucket(role: str, raw: Mapping) -> Bucket:
    """A bucket's settings; a setting the collector could not read is absent (unknown), one not configured is None."""
    rules = (raw.get("encryption") or {}).get("Rules") or []
    default = (rules[0].get("ApplyServerSideEncryptionByDefault") or {}) if rules else {}
    return Bucket(
        role=role,
        name=raw["name"],
        blocks_public_access=_setting(raw, "public_access_block",
                                      lambda block: bool(block) and all(block.get(f) for f in _PUBLIC_ACCESS_FLAGS)),
        encrypted=_setting(raw, "encryption", lambda _: bool(rules)),
        tls_only=_setting(raw, "policy", _denies_plain_http),
        versioning=_setting(raw, "versioning", lambda v: (v or {}).get("Status") == "Enabled"),
        kms_key_id=default.get("KMSMasterKeyID"),
        location=Location(object=f"Bucket/{raw['name']}"),
    )


def _setting(raw: Mapping, key: str, judge: Callable[[object], bool]) -> bool | None:
    return judge(raw[key]) if key in raw else None


def _denies_plain_http(policy: Mapping | None) -> bool:
    """The bucket policy denies requests made without TLS (aws:SecureTransport false)."""
    for statement in policies.statements_from_document(policy or {}):
        secure = {k.lower(): v for k, v in ((statement.condition or {}).get("Bool") or {}).items()}
        if statement.effect == "Deny" and str(secure.get("aws:securetransport", "")).lower() == "false":
            return True
    return False


def _covering_certificate(listed: list[Mapping], fqdn: str, on: date) -> Certificate:
    """The best certificate covering the FQDN (issued first, then the latest expiry); one with no names if none."""
    covering = [c for c in listed if any(_covers(n, fqdn) for n in _names(c))]
    if not covering:
        return Certificate(domain_names=())
    best = max(covering, key=lambda c: (c.get("Status") == "ISSUED", c.get("NotAfter") or ""))
    not_after = best.get("NotAfter")
    return Certificate(
        arn=best.get("CertificateArn"),
        domain_names=tuple(_names(best)),
        status=best.get("Status"),
        not_after=not_after,
        days_left=(datetime.fromisoformat(not_after).date() - on).days if not_after else None,
    )


def _names(certificate: Mapping) -> list[str]:
    return list(dict.fromkeys([certificate.get("DomainName"), *certificate.get("SubjectAlternativeNames", ())]))


def _covers(name: str | None, fqdn: str) -> bool:
    if not name:
        return False
    if name.startswith("*."):
        head, _, rest = fqdn.partition(".")
        return bool(head) and rest.lower() == name[2:].lower()
    return name.lower() == fqdn.lower()


def _foreign_workloads(objects: list[Mapping], namespace: str) -> tuple[str, ...]:
    """Workloads in `namespace` that are not Domino's: each pod named by its owner, each daemon set by itself.

    Domino's own objects carry a dominodatalab.com label or name Domino in app.kubernetes.io/part-of or
    managed-by; before Domino is installed, anything in its namespaces is someone else's."""
    found = []
    for obj in objects:
        metadata = obj.get("metadata") or {}
        if metadata.get("namespace") != namespace or _is_domino(metadata.get("labels") or {}):
            continue
        owner = next(iter(metadata.get("ownerReferences") or ()), None)
        found.append(f"{owner['kind']}/{owner['name']}" if owner else f"{obj.get('kind', 'Pod')}/{metadata.get('name')}")
    return tuple(sorted(set(found)))


def _is_domino(labels: Mapping[str, str]) -> bool:
    return any(k.split("/", 1)[0].endswith("dominodatalab.com") for k in labels) or any(
        "domino" in str(labels.get(k, "")).lower() for k in ("app.kubernetes.io/part-of", "app.kubernetes.io/managed-by"))


def _minor(version: str) -> str:
    """1.31 from v1.31.4-eks-1234567, 1.31.4 or 1.31."""
    major, _, rest = version.lstrip("v").partition(".")
    return f"{major}.{''.join(ch for ch in rest.split('.')[0] if ch.isdigit())}"


def _day(stamp: str | None) -> str | None:
    return datetime.fromisoformat(stamp).date().isoformat() if stamp else None


def _arn_region(arn: str | None) -> str | None:
    parts = (arn or "").split(":")
    return parts[3] if len(parts) > 3 and parts[3] else None
