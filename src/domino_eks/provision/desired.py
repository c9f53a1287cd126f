"""What the page asks for, as AWS resources: what eksctl creates, and what the page says to do by hand after.

`build` reads as the table of contents; each step adds its resources to the graph and returns the handles
later steps refer to. Names follow eksctl where the page relies on them (the EFS step looks for the
`ClusterSharedNodeSecurityGroup`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from domino_eks.errors import InputError, Problem
from domino_eks.knowledge import addons, iam, instances, regions
from domino_eks.knowledge.domino import NODE_ROLE_HOP_LIMIT
from domino_eks.model import (
    CONTROL_PLANE_LOG_TYPES,
    KEY_CREATED_BY_APPLY,
    Deployment,
    Network,
    NodeGroup,
    NodePool,
    Statement,
)
from domino_eks.provision import kinds, tags, userdata
from domino_eks.provision.graph import Graph, Handle
from domino_eks.provision.handlers.logs import FLOW_LOG_ACTIONS, control_plane_log_group, flow_log_group
from domino_eks.provision.resources import Key, Ref

EVERYWHERE = "0.0.0.0/0"
SUPPORTED_AMI_FAMILY = "AmazonLinux2023"
ROOT_DEVICE = "/dev/xvda"  # the root volume of Amazon Linux 2023 EKS images
# every add-on K004 asks for, coredns and kube-proxy too: created as EKS add-ons (OVERWRITE adopts the
# self-managed ones EKS bootstraps), so EKS reports their health and versions
ADDONS = addons.ALWAYS  # their controllers' roles: Pod Identity
# Domino's own provisioning gives the Datasets access point this root and POSIX identity.
DATASETS_ROOT = {"Path": "/domino", "CreationInfo": {"OwnerUid": 0, "OwnerGid": 0, "Permissions": "777"}}
DATASETS_USER = {"Uid": 0, "Gid": 0}
AMI_TYPE_ARCHITECTURES = {"arm64": "ARM_64", "x86_64": "x86_64"}  # EC2's names, as EKS AMI types spell them
TAINT_EFFECTS = {"NoSchedule": "NO_SCHEDULE", "PreferNoSchedule": "PREFER_NO_SCHEDULE", "NoExecute": "NO_EXECUTE"}
# logical names other modules look up
VPC = "vpc"
DATASETS = "datasets"
DATASETS_ACCESS_POINT = "datasets-domino"
DEPLOYMENT_KEY = "secrets"  # the KMS key apply creates: Secrets, and the stores security.encryption names (C006)


@dataclass(frozen=True)
class NetworkHandles:
    vpc_id: Ref | str
    private: dict[str, Ref]  # zone -> subnet id
    public: dict[str, Ref]
    routes: tuple[Handle, ...]  # nodes reach ECR and the cluster's endpoint only once these route them out

    def node_subnet(self, zone: str, private: bool) -> Ref:
        return (self.private if private else self.public)[zone]


@dataclass(frozen=True)
class SecurityGroupHandles:
    control_plane: Handle
    shared_nodes: Handle
    efs: Handle
    rules: tuple[Handle, ...]  # a node whose traffic to the API server is not yet allowed never joins


@dataclass(frozen=True)
class IdentityHandles:
    cluster_role: Handle
    node_roles: dict[str, Handle]  # role name -> role
    instance_profiles: dict[str, Handle]  # role name -> its instance profile
    controllers: dict[str, Handle]  # service account -> its Pod Identity role

    def of_group(self, deployment: Deployment, group: NodeGroup) -> tuple[Handle, Handle]:
        """The role a node group's nodes assume, and its instance profile (the spec source gives every group one)."""
        role = deployment.access.node_role_of(group.name)
        assert role is not None, group.name
        return self.node_roles[role.name], self.instance_profiles[role.name]


class Builder:
    """Adds one deployment's resources to a graph, tagging each the same way: all but the user's own and the
    types AWS cannot tag."""

    def __init__(self, deployment: Deployment):
        self.deployment = deployment
        self.name = deployment.cluster.declared_name
        self.graph = Graph()

    def add(self, type_: str, logical: str, properties: dict, *, extra_tags: Mapping[str, str] | None = None,
            after: tuple[Handle, ...] = (), external: bool = False) -> Handle:
        if not (external or type_ in kinds.UNTAGGED):
            user_tags = dict(self.deployment.cluster.tags)
            properties = {**properties, "tags": tags.of(self.name, logical, {**user_tags, **(extra_tags or {})})}
        return self.graph.add(type_, logical, properties, after=after, external=external)

    @property
    def cluster_tag(self) -> str:
        return f"kubernetes.io/cluster/{self.name}"


def build(deployment: Deployment) -> Graph:
    """The desired resources of `deployment`, in dependency order; InputError if apply cannot build them."""
    problems = preconditions(deployment)
    if problems:
        raise InputError(problems)
    builder = Builder(deployment)
    network = _network(builder)
    groups = _security_groups(builder, network)
    identity = _identity(builder)
    cluster, node_access = _cluster(builder, network, groups, identity)
    nodes = _node_groups(builder, network, groups, identity, cluster, node_access)
    _datasets(builder, network, groups)
    _buckets(builder)
    _registry(builder)
    _certificate(builder)
    _addons(builder, cluster, nodes)
    return builder.graph


def preconditions(deployment: Deployment) -> list[Problem]:
    """What apply cannot build although a spec may say it: node groups outside the subnets' zones, and image
    settings the kind of node group cannot take. Every problem, as validate reports them, not only the first."""
    subnets = {s.zone for s in deployment.network.subnets or ()}
    return [_problem(group, message) for pool in deployment.pools for group in pool.groups
            for message in _unbuildable(pool, group, subnets)]


def _unbuildable(pool: NodePool, group: NodeGroup, subnets: set[str]) -> Iterator[str]:
    zones = group.zones or ()
    if len(zones) != 1 or zones[0] not in subnets:
        yield (f"node group {group.name} must sit in one zone that has subnets ({', '.join(sorted(subnets))}); "
               f"it names {', '.join(zones) or 'none'}: add its zone to controlPlaneZones")
    if group.managed and (group.ami or group.pre_bootstrap_commands):
        yield (f"pool {pool.name} is managed: EKS picks its image and user data, so "
               "ami and preBootstrapCommands need managed: false (self-managed)")
    if not group.managed and group.ami_family not in (None, SUPPORTED_AMI_FAMILY):
        yield (f"amiFamily {group.ami_family!r} of pool {pool.name}: apply builds "
               f"nodes from {SUPPORTED_AMI_FAMILY} images only (nodeadm user data)")


def _problem(group: NodeGroup, message: str) -> Problem:
    where = group.location
    return Problem(where.file if where and where.file else "spec", message,
                   where.line if where else None, where.column if where else None)


def _network(b: Builder) -> NetworkHandles:
    """A VPC (or the user's), public and private subnets in every control-plane zone, one NAT gateway."""
    net = b.deployment.network
    if net.vpc_id:
        vpc_id: Ref | str = net.vpc_id
        b.add(kinds.VPC, VPC, {"id": net.vpc_id, "cidr": net.vpc_cidr}, external=True)
        gateway = b.add(kinds.INTERNET_GATEWAY, "internet-gateway", {"vpc_id": net.vpc_id}, external=True)
    else:
        vpc = b.add(kinds.VPC, VPC, {"cidr": net.vpc_cidr, "dns_hostnames": True},
                    extra_tags={b.cluster_tag: "shared"})
        vpc_id = vpc.id
        gateway = b.add(kinds.INTERNET_GATEWAY, "internet-gateway", {"vpc_id": vpc_id})
        if b.deployment.hardening.flow_logs:
            _flow_logs(b, vpc_id)
    private: dict[str, Ref] = {}
    public: dict[str, Ref] = {}
    for subnet in net.subnets or ():
        side = "public" if subnet.public else "private"
        load_balancers = "kubernetes.io/role/elb" if subnet.public else "kubernetes.io/role/internal-elb"
        handle = b.add(kinds.SUBNET, f"{side}-{subnet.zone}",
                       {"vpc_id": vpc_id, "cidr": subnet.cidr, "zone": subnet.zone},
                       extra_tags={b.cluster_tag: "shared", load_balancers: "1"})
        (public if subnet.public else private)[subnet.zone] = handle.id
    public_table = b.add(kinds.ROUTE_TABLE, "public-routes", {
        "vpc_id": vpc_id,
        "routes": {EVERYWHERE: {"GatewayId": gateway.id}},
        "subnet_ids": list(public.values()),
    })
    private_routes: dict = {}
    if net.nat_gateway and public:
        address = b.add(kinds.ELASTIC_IP, "nat-address", {})
        # AWS gives a public NAT gateway no route out until the internet gateway is attached
        nat = b.add(kinds.NAT_GATEWAY, "nat-gateway",
                    {"subnet_id": next(iter(public.values())), "allocation_id": address.ref("allocation_id")},
                    after=(gateway,))
        private_routes = {EVERYWHERE: {"NatGatewayId": nat.id}}
    private_table = b.add(kinds.ROUTE_TABLE, "private-routes",
                          {"vpc_id": vpc_id, "routes": private_routes, "subnet_ids": list(private.values())})
    return NetworkHandles(vpc_id, private, public, (public_table, private_table))


def _flow_logs(b: Builder, vpc_id: Ref) -> None:
    """Rule C009: a flow log of all the VPC's traffic, to the S3 bucket the spec names, or else to a log group the
    tool makes (tagged, with the spec's retention) through a role that may write to that group only."""
    region = b.deployment.cluster.region or ""
    partition = regions.partition(region)
    bucket = b.deployment.hardening.flow_log_bucket
    if bucket:
        # the bucket is the user's: no group, no role (S3 delivery needs none, only the bucket policy AWS adds)
        b.add(kinds.FLOW_LOG, "vpc", {"vpc_id": vpc_id, "log_group": None, "role_arn": None,
                                      "bucket_arn": iam.bucket_arn(bucket, partition)})
        return
    name = flow_log_group(b.name)
    log_group = b.add(kinds.LOG_GROUP, "flow-logs", {
        "name": name, "retention_days": b.deployment.hardening.log_retention_days,
    })
    # the group's ARN, and its streams' (`:*`): the account is the role's own, whatever it is
    arn = f"arn:{partition}:logs:{region}:*:log-group:{name}"
    role = _role(b, "flow-logs", f"{b.name}-flow-logs", iam.FLOW_LOGS_SERVICE, (),
                 {"flow-logs": (Statement(effect="Allow", actions=FLOW_LOG_ACTIONS, resources=(arn, f"{arn}:*")),)},
                 partition)
    b.add(kinds.FLOW_LOG, "vpc", {"vpc_id": vpc_id, "log_group": log_group.name, "role_arn": role.arn,
                                  "bucket_arn": None})


def _security_groups(b: Builder, network: NetworkHandles) -> SecurityGroupHandles:
    """eksctl's two cluster groups, the EFS group, and the rules between them (separate, so no group waits on
    another)."""

    def group(logical: str, eksctl_name: str, description: str) -> Handle:
        return b.add(kinds.SECURITY_GROUP, logical, {
            "group_name": tags.bounded(f"{b.name}-{eksctl_name}", 255),
            "description": description,
            "vpc_id": network.vpc_id,
        }, extra_tags={b.cluster_tag: "owned"})

    control_plane, shared_nodes, efs = (
        group("control-plane", "ControlPlaneSecurityGroup",
                            "Communication between the control plane and worker nodes"),
        group("shared-nodes", "ClusterSharedNodeSecurityGroup", "Communication between all nodes in the cluster"),
        group("efs", "EfsSecurityGroup", "NFS from the cluster's nodes to the Datasets file system"),
    )
    names = {control_plane: "control-plane", shared_nodes: "shared-nodes", efs: "efs"}
    # each rule says why it is there (rule C009's review reads the descriptions)
    permissions = (
        (shared_nodes, shared_nodes, "-1", None, "Node to node, any protocol"),
        (shared_nodes, control_plane, "tcp", (443, 443), "Control plane to webhooks served by pods"),
        (shared_nodes, control_plane, "tcp", (1025, 65535), "Control plane to kubelets and metrics"),
        (control_plane, shared_nodes, "tcp", (443, 443), "Nodes to the Kubernetes API server"),
        (efs, shared_nodes, "tcp", (2049, 2049), "NFS from the nodes to the Datasets file system"),
    )
    rules = []
    for target, source, protocol, ports, description in permissions:
        span = "all" if ports is None else (str(ports[0]) if ports[0] == ports[1] else f"{ports[0]}-{ports[1]}")
        rules.append(b.add(kinds.SECURITY_GROUP_INGRESS, f"{names[target]}-from-{names[source]}-{span}", {
            "group_id": target.id,
            "source_group_id": source.id,
            "protocol": protocol,
            "ports": list(ports) if ports else None,
            "description": description,
        }))
    return SecurityGroupHandles(control_plane, shared_nodes, efs, tuple(rules))


def _identity(b: Builder) -> IdentityHandles:
    """The cluster's role; a role and instance profile per kind of pool, with what the model grants each; a
    Pod Identity role per add-on controller and for the autoscaler."""
    partition = regions.partition(b.deployment.cluster.region or "")
    cluster_role = b.add(kinds.IAM_ROLE, "cluster", {
        "name": tags.bounded(f"{b.name}-cluster", 64),
        "service": "eks.amazonaws.com",
        "policy_arns": [iam.managed_policy_arn(name, partition) for name in iam.CLUSTER_POLICIES],
    })
    node_roles, profiles = {}, {}
    for role in b.deployment.access.node_roles or ():
        logical = role.name.removeprefix(f"{b.name}-")
        handle = _role(b, logical, role.name, "ec2.amazonaws.com", role.managed_policies, role.policies, partition)
        node_roles[role.name] = handle
        profiles[role.name] = b.add(kinds.INSTANCE_PROFILE, logical, {
            "name": tags.bounded(role.name, 128), "role_name": handle.name,
        })
    controllers = {identity.service_account: _role(
        b, f"pod-{identity.service_account}", identity.role, iam.POD_IDENTITY_SERVICE, identity.managed_policies,
        identity.policies, partition) for identity in b.deployment.access.pod_identities or ()}
    return IdentityHandles(cluster_role, node_roles, profiles, controllers)


def _role(b: Builder, logical: str, name: str, service: str, managed: tuple[str, ...],
          policies: Mapping[str, tuple[Statement, ...]], partition: str) -> Handle:
    """A role `service` assumes, with the AWS-managed policies and one policy of ours per named statement list."""
    ours = [b.add(kinds.IAM_POLICY, policy, {
        "name": tags.bounded(f"{b.name}-{policy}", 128), "document": iam.document(statements),
    }).arn for policy, statements in policies.items()]
    return b.add(kinds.IAM_ROLE, logical, {
        "name": tags.bounded(name, 64),
        "service": service,
        "policy_arns": [*(iam.managed_policy_arn(m, partition) for m in managed), *ours],
    })


def _cluster(b: Builder, network: NetworkHandles, groups: SecurityGroupHandles,
             identity: IdentityHandles) -> tuple[Handle, tuple[Handle, ...]]:
    """The control plane; the access entries its self-managed nodes join through, and the Pod Identity
    associations, both of which nodes need before they start: aws-node gets its credentials from one."""
    cluster, hardening = b.deployment.cluster, b.deployment.hardening
    subnets = [side[zone] for side in (network.private, network.public) for zone in sorted(side)]
    log_group = b.add(kinds.LOG_GROUP, "control-plane-logs", {
        "name": control_plane_log_group(b.name), "retention_days": hardening.log_retention_days,
    })
    handle = b.add(kinds.EKS_CLUSTER, "cluster", {
        "name": b.name,
        "version": cluster.version,
        "role_arn": identity.cluster_role.arn,
        "subnet_ids": subnets,
        "security_group_ids": [groups.control_plane.id],
        "endpoint_access": {"private": hardening.endpoint_private, "public": hardening.endpoint_public,
                            "public_cidrs": sorted(hardening.public_access_cidrs or ())},
        "log_types": [t for t in CONTROL_PLANE_LOG_TYPES if t in (hardening.log_types or ())],
        "secrets_key_arn": _secrets_key(b, identity),
        "support_type": hardening.support_type,
    }, after=(log_group,))
    self_managed = {g.name for g in b.deployment.groups if not g.managed}
    entries = tuple(b.add(kinds.EKS_ACCESS_ENTRY, role.name.removeprefix(f"{b.name}-"), {
        "cluster_name": handle.name, "principal_arn": identity.node_roles[role.name].arn, "type": "EC2_LINUX",
    }) for role in b.deployment.access.node_roles or () if self_managed & set(role.groups))
    # the agent that hands pods their credentials: a daemon set, ACTIVE only once nodes run it, so nothing waits
    b.add(kinds.EKS_ADDON, addons.POD_IDENTITY_AGENT, {
        "cluster_name": handle.name, "addon": addons.POD_IDENTITY_AGENT, "configuration": None,
    })
    associations = tuple(b.add(kinds.EKS_POD_IDENTITY, f"{pod.namespace}-{pod.service_account}", {
        "cluster_name": handle.name, "namespace": pod.namespace, "service_account": pod.service_account,
        "role_arn": identity.controllers[pod.service_account].arn,
    }) for pod in b.deployment.access.pod_identities or ())
    return handle, (*entries, *associations)


def _secrets_key(b: Builder, identity: IdentityHandles) -> Ref | str:
    """The key the spec names, or one apply creates for the cluster's role to use."""
    named = b.deployment.hardening.secrets_key
    if named and named != KEY_CREATED_BY_APPLY:
        return named
    stores = b.deployment.hardening.data_key_stores or ()
    key = b.add(kinds.KMS_KEY, DEPLOYMENT_KEY, {
        "description": f"Envelope encryption of the Kubernetes Secrets of EKS cluster {b.name}"
                       + (f", and its {', '.join(s.upper() for s in stores)} data" if stores else ""),
        "users": [identity.cluster_role.arn], "rotation": True,
        # EC2 Auto Scaling launches every node (managed groups' too): encrypted roots need it named in the policy
        "auto_scaling": "ebs" in stores,
    })
    return key.arn


def data_key(key: str | None) -> Ref | str | None:
    """The key a store names in the model, as apply passes it: the created key's ARN once it exists."""
    return Ref(Key(kinds.KMS_KEY, DEPLOYMENT_KEY), "arn") if key == KEY_CREATED_BY_APPLY else key


def _node_groups(b: Builder, network: NetworkHandles, groups: SecurityGroupHandles, identity: IdentityHandles,
                 cluster: Handle, node_access: tuple[Handle, ...]) -> list[Handle]:
    """Per pool and zone: a launch template and an Auto Scaling group, or an EKS managed node group.

    Nodes start only once they can reach the cluster: routed out, and let in by the security group rules.
    EKS fails a managed node group whose nodes cannot join; self-managed nodes also need the access entry.
    """
    reachable = (*network.routes, *groups.rules)
    handles = []
    for pool in b.deployment.pools:
        for group in pool.groups:
            (zone,) = group.zones or ()  # preconditions: exactly one
            subnet = network.node_subnet(zone, group.private_networking is not False)
            if group.managed:
                handles.append(_managed_group(b, pool, group, subnet, identity, cluster, (*reachable, *node_access)))
            else:
                template = _launch_template(b, pool, group, groups, identity, cluster)
                handles.append(_auto_scaling_group(b, group, subnet, template, (*reachable, *node_access)))
    return handles


def _image_parameter(pool: NodePool, group: NodeGroup, version: str) -> str:
    """The SSM parameter AWS publishes for the current EKS-optimized Amazon Linux 2023 image of this pool."""
    arch = instances.architecture(group.instance_type or "")
    flavour = "nvidia" if pool.is_gpu else "standard"
    return f"/aws/service/eks/optimized-ami/{version}/amazon-linux-2023/{arch}/{flavour}/recommended/image_id"


def _launch_template(b: Builder, pool: NodePool, group: NodeGroup, groups: SecurityGroupHandles,
                     identity: IdentityHandles, cluster: Handle) -> Handle:
    # resolved by EC2 at each launch, so nodes always start from the current EKS-optimized image
    image = group.ami or f"resolve:ssm:{_image_parameter(pool, group, b.deployment.cluster.version or '')}"
    return b.add(kinds.LAUNCH_TEMPLATE, group.name, {
        "name": tags.bounded(f"{b.name}-{group.name}", 128),
        "bootstrap": {
            "kubelet_flags": userdata.kubelet_flags(group),
            "pre_bootstrap_commands": list(group.pre_bootstrap_commands),
        },
        "cluster": {
            "name": cluster.name, "endpoint": cluster.ref("endpoint"),
            "certificate_authority": cluster.ref("certificate_authority"),
            "service_cidr": cluster.ref("service_cidr"),
        },
        "data": {
            "ImageId": image,
            "InstanceType": group.instance_type,
            "IamInstanceProfile": {"Arn": identity.of_group(b.deployment, group)[1].arn},
            "SecurityGroupIds": [groups.shared_nodes.id],
            **node_launch_data(group),
        },
    })


def node_launch_data(group: NodeGroup) -> dict[str, Any]:
    """What every node of `group` starts with, self-managed or managed: its root volume, encrypted (with the
    deployment's key where the spec asks, C006), and the instance metadata service answering IMDSv2 only (unless
    the pool opts out)."""
    key = data_key(group.volume_kms_key_id)
    return {
        "BlockDeviceMappings": [{"DeviceName": ROOT_DEVICE, "Ebs": {
            "VolumeSize": group.volume_size_gb, "VolumeType": group.volume_type or "gp3",
            "Encrypted": True, "DeleteOnTermination": True, **({"KmsKeyId": key} if key else {}),
        }}],
        "MetadataOptions": {
            "HttpTokens": "required" if group.imdsv2_required is not False else "optional",
            "HttpPutResponseHopLimit": group.metadata_hop_limit or NODE_ROLE_HOP_LIMIT,
            "HttpEndpoint": "enabled",
        },
    }


def _managed_launch_template(b: Builder, group: NodeGroup) -> Handle:
    """A managed group's template holds only what EKS lets it: the volume and metadata options. EKS picks the image
    from the group's AMI type and writes the user data that joins it, so the template names neither, nor an
    instance profile (EKS makes one from the node role)."""
    return b.add(kinds.LAUNCH_TEMPLATE, group.name, {
        "name": tags.bounded(f"{b.name}-{group.name}", 128),
        "bootstrap": None,
        "cluster": None,
        "data": node_launch_data(group),
    })


def _auto_scaling_group(b: Builder, group: NodeGroup, subnet: Ref, template: Handle,
                        after: tuple[Handle, ...]) -> Handle:
    # the autoscaler's tags as the model has them: the ones the rules (P015, A003) judged
    extra = {b.cluster_tag: "owned", **(group.tags or {})}
    # the autoscaler's tags describe the group; every other tag also belongs on its instances
    propagated = sorted(set(tags.of(b.name, group.name, {**b.deployment.cluster.tags, b.cluster_tag: "owned"})))
    return b.add(kinds.AUTO_SCALING_GROUP, group.name, {
        "name": tags.bounded(f"{b.name}-{group.name}", 255),
        "launch_template_id": template.id,
        "subnet_ids": [subnet],
        "min_size": group.min_size,
        "max_size": group.max_size,
        "initial_desired": group.effective_desired,
        # once the cluster autoscaler runs, the group's size is its to choose: apply must not undo it
        "desired_capacity": None if b.deployment.autoscaler.enabled else group.effective_desired,
        "propagated": propagated,
    }, extra_tags=extra, after=after)


def _managed_group(b: Builder, pool: NodePool, group: NodeGroup, subnet: Ref, identity: IdentityHandles,
                   cluster: Handle, after: tuple[Handle, ...]) -> Handle:
    arch = AMI_TYPE_ARCHITECTURES[instances.architecture(group.instance_type or "")]
    template = _managed_launch_template(b, group)
    return b.add(kinds.EKS_NODEGROUP, group.name, {
        "cluster_name": cluster.name,
        "name": tags.bounded(group.name, 63),
        "node_role": identity.of_group(b.deployment, group)[0].arn,
        "subnets": [subnet],
        "instance_types": [group.instance_type],
        "launch_template": template.id,
        # EKS tags the group's instances, not its Auto Scaling group: the autoscaler's tags (node templates for
        # scale-from-zero, as P015 judged them) are written on that group once EKS has made it
        "asg_tags": dict(group.tags or {}),
        "ami_type": f"AL2023_{arch}_{'NVIDIA' if pool.is_gpu else 'STANDARD'}",
        "scaling": {"minSize": group.min_size, "maxSize": group.max_size, "desiredSize": group.effective_desired},
        "labels": dict(group.labels),
        "taints": [{"key": t.key, "value": t.value, "effect": TAINT_EFFECTS[t.effect]} for t in group.taints],
    }, extra_tags=group.tags, after=after)


def _datasets(b: Builder, network: NetworkHandles, groups: SecurityGroupHandles) -> None:
    """EFS for Datasets: encrypted, backed up, a mount target in every zone with nodes, one access point for
    Domino."""
    efs = b.deployment.storage.efs
    if efs is None:
        return
    file_system = b.add(kinds.EFS_FILE_SYSTEM, DATASETS, {
        "creation_token": tags.bounded(f"domino-eks-{b.name}-datasets", 64),
        "encrypted": efs.encrypted is not False,
        "kms_key": data_key(efs.kms_key_id),
        "automatic_backups": efs.automatic_backups is not False,
    })
    # The page says to pick the public subnet; nodes live in the private ones, and a mount target serves
    # its whole zone either way, so it goes where the nodes are.
    for zone in efs.mount_target_zones or ():
        b.add(kinds.EFS_MOUNT_TARGET, f"{DATASETS}-{zone}", {
            "file_system_id": file_system.id,
            "subnet_id": network.private[zone],
            "zone": zone,
            "security_groups": [groups.efs.id],
        })
    b.add(kinds.EFS_ACCESS_POINT, DATASETS_ACCESS_POINT, {
        "file_system_id": file_system.id,
        "client_token": tags.bounded(f"{b.name}-datasets-domino", 64),
        "root_directory": DATASETS_ROOT,
        "posix_user": DATASETS_USER,
    })


def _buckets(b: Builder) -> None:
    """The three buckets: no public access, encrypted by default, versioned as the spec says, TLS only."""
    region = b.deployment.cluster.region
    partition = regions.partition(region or "")
    for bucket in b.deployment.storage.buckets or ():
        handle = b.add(kinds.S3_BUCKET, bucket.name, {
            "name": bucket.name,
            "region": region,
            "block_public_access": bucket.blocks_public_access is not False,
            "encryption": {"algorithm": "aws:kms", "key": data_key(bucket.kms_key_id)} if bucket.kms_key_id
            else {"algorithm": "AES256", "key": None},
            "versioning": bool(bucket.versioning),
        })
        if bucket.tls_only:
            # a bucket policy comes last: it is the one setting that can lock apply itself out
            b.add(kinds.S3_BUCKET_POLICY, bucket.name,
                  {"bucket": handle.name, "document": iam.tls_only_policy(bucket.name, partition)})


def _registry(b: Builder) -> None:
    """Domino's image storage: a bucket made like the others (private, encrypted, TLS only), or an ECR repository
    that scans what is pushed and never lets a tag move."""
    registry = b.deployment.domino.registry
    if registry is None:
        return
    if registry.kind == "ecr":
        b.add(kinds.ECR_REPOSITORY, registry.name, {
            "name": registry.name,
            "scan_on_push": bool(registry.scan_on_push),
            "immutable_tags": bool(registry.immutable_tags),
            "encryption": {"type": "KMS", "key": registry.kms_key_id} if registry.kms_key_id
            else {"type": "AES256", "key": None},
        })
        return
    partition = regions.partition(b.deployment.cluster.region or "")
    handle = b.add(kinds.S3_BUCKET, registry.name, {
        "name": registry.name,
        "region": b.deployment.cluster.region,
        "block_public_access": registry.blocks_public_access is not False,
        "encryption": {"algorithm": "aws:kms", "key": data_key(registry.kms_key_id)} if registry.kms_key_id
        else {"algorithm": "AES256", "key": None},
        # image layers are pushed again by a rebuild: old versions would only hold storage
        "versioning": False,
    })
    if registry.tls_only:
        b.add(kinds.S3_BUCKET_POLICY, registry.name,
              {"bucket": handle.name, "document": iam.tls_only_policy(registry.name, partition)})


def _certificate(b: Builder) -> None:
    """A DNS-validated ACM certificate for the FQDN; its validation record when the spec names the hosted zone."""
    domain = b.deployment.domain
    if not domain.fqdn or domain.certificate is None or domain.certificate.arn:
        return
    token = hashlib.sha256(f"{b.name}/{domain.fqdn}".encode()).hexdigest()[:32]
    certificate = b.add(kinds.CERTIFICATE, domain.fqdn, {"domain_name": domain.fqdn, "idempotency_token": token})
    if domain.hosted_zone_id:
        b.add(kinds.DNS_RECORD, f"validation-{domain.fqdn}", {
            "hosted_zone_id": domain.hosted_zone_id,
            "name": certificate.ref("validation_name"),
            "type": certificate.ref("validation_type"),
            "value": certificate.ref("validation_value"),
        })


def _vpc_cni_configuration(network: Network) -> dict | None:
    configuration: dict = {}
    if network.policy_engine == "vpc-cni":
        configuration["enableNetworkPolicy"] = "true"
    if network.prefix_delegation:
        configuration["env"] = {"ENABLE_PREFIX_DELEGATION": "true"}
    return configuration or None


def _addons(b: Builder, cluster: Handle, nodes: list[Handle]) -> None:
    """EKS add-ons: a DaemonSet add-on waits for the cluster only; one whose Deployment needs a node to become ACTIVE
    waits for the node groups its pods can run on (addon_hosts), not for every group."""
    hosts = addon_hosts(b.deployment, nodes)
    for addon in ADDONS:
        configuration = _vpc_cni_configuration(b.deployment.network) if addon == "vpc-cni" else None
        b.add(kinds.EKS_ADDON, addon, {
            "cluster_name": cluster.name,
            "addon": addon,
            "configuration": configuration,
        }, after=() if addon in addons.DAEMON_SETS else hosts)


def addon_hosts(deployment: Deployment, nodes: Sequence[Handle]) -> tuple[Handle, ...]:
    """The node groups an add-on's untolerating pods can start on: those that start with nodes and carry no taint.
    Every group when none does, so the add-ons still come after the nodes."""
    open_groups = {g.name for g in deployment.groups if (g.effective_desired or 0) > 0 and not g.taints}
    return tuple(h for h in nodes if h.key.name in open_groups) or tuple(nodes)
