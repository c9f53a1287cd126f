"""The deployment as an eksctl ClusterConfig: the page's two sample configurations, with their mistakes fixed.

For a spec equivalent to one of the page's samples the output is that sample plus the changes its header
comment lists, each naming the rule (requirements.md) it satisfies. Node groups keep the page's shape —
self-managed, one per pool per zone — and everything comes from the model, so a deployment read from an
eksctl file renders too, with the same fixes applied; given that file (`original`), every key of it is kept
(`preserved`) unless the header names it as changed.
"""

from __future__ import annotations

import io
import json
import re
import textwrap
from collections.abc import Mapping

from ruamel.yaml import YAML

from domino_eks.knowledge import addons as addons_knowledge
from domino_eks.knowledge import eks_versions, eksctl_defaults, iam, regions
from domino_eks.model import (
    AUTOSCALER_ENABLED_TAG,
    AUTOSCALER_TAG_PREFIX,
    KEY_CREATED_BY_APPLY,
    Deployment,
    Hardening,
    Network,
    NodeGroup,
    NodeRole,
    Statement,
    autodiscovery_cluster,
    node_template_tags,
)
from domino_eks.render import preserved
from domino_eks.render.iam import uses_autoscaler

# The page's Docker bridge recipe: editing /etc/docker/daemon.json, restarting docker, or the bootstrap flag.
DOCKER_COMMAND = re.compile(r"/etc/docker|--enable-docker-bridge|\bdockerd\b|systemctl\s+\S+\s+docker\b")

# a path into the ClusterConfig; in a list eksctl names the items of, "*" stands for every item and "name=X" for
# the item named X
Key = tuple[str, ...]


class Change(str):
    """A header line about keys of the config: rendered over an eksctl file, it is printed only where the
    output differs from the file at one of those keys (else the file already said so, and the line is untrue)."""

    keys: tuple[Key, ...]

    def __new__(cls, text: str, *keys: Key) -> Change:
        line = super().__new__(cls, text)
        line.keys = keys
        return line


Changes = list[str]  # header lines, in the order the rendering meets them; a Change where it names keys
GROUP_LISTS = ("nodeGroups", "managedNodeGroups")


def _in_groups(*key: str) -> tuple[Key, ...]:
    return tuple((groups, "*", *key) for groups in GROUP_LISTS)


def _version(deployment: Deployment) -> str:
    return deployment.cluster.version or eksctl_defaults.VERSION


def _containerd_only(version: str) -> bool:
    """False for a version that is not major.minor: then nothing is known to be gone, so nothing is dropped."""
    parsed = eks_versions.parse(version)
    return parsed is not None and parsed >= eks_versions.CONTAINERD_ONLY_FROM


def _is_autodiscovery_tag(key: str) -> bool:
    """enabled, or <prefix><cluster name> — including a name left as a literal template by the page."""
    return key == AUTOSCALER_ENABLED_TAG or autodiscovery_cluster(key) is not None


def _tags(deployment: Deployment, group: NodeGroup, changes: Changes) -> dict[str, str]:
    # Autodiscovery tags are the tool's to write (below, when the autoscaler runs): the source's own, such as
    # the page's literal {{ cluster_name }} or another cluster's name, are not carried over.
    tags = {k: v for k, v in (group.tags or {}).items() if not _is_autodiscovery_tag(k)}
    if not uses_autoscaler(deployment):
        return tags
    if group.min_size == 0 and (group.labels or group.taints):
        tags |= node_template_tags(group.labels, group.taints)
        changes.append(Change(
            "Node groups that scale from zero carry a node-template tag for each of their labels and taints, so "
            "the autoscaler can choose them while they have no nodes; the page's GPU groups lacked "
            "nvidia.com/gpu (P015).",
            *(key for tag in node_template_tags(group.labels, group.taints) for key in _in_groups("tags", tag)),
        ))
    name = deployment.cluster.declared_name
    changes.append(Change(
        f"Every node group carries the autodiscovery tags {AUTOSCALER_ENABLED_TAG} and "
        f"{AUTOSCALER_TAG_PREFIX}{name}; the page's multi-AZ sample had them on one group only, "
        "naming a literal {{ cluster_name }} (A003).",
        *_in_groups("tags", AUTOSCALER_ENABLED_TAG), *_in_groups("tags", AUTOSCALER_TAG_PREFIX + name),
    ))
    return tags | {AUTOSCALER_ENABLED_TAG: "true", AUTOSCALER_TAG_PREFIX + name: "owned"}


def _pre_bootstrap_commands(deployment: Deployment, group: NodeGroup, changes: Changes) -> list[str]:
    version = _version(deployment)
    if not _containerd_only(version):
        return list(group.pre_bootstrap_commands)
    kept = [c for c in group.pre_bootstrap_commands if not DOCKER_COMMAND.search(c)]
    if len(kept) < len(group.pre_bootstrap_commands):
        changes.append(
            "The page's Docker bridge preBootstrapCommands (editing /etc/docker/daemon.json, restarting docker) "
            f"are dropped: Kubernetes {version} nodes run containerd only, where they fail (N005)."
        )
    return kept


def _ami(group: NodeGroup, changes: Changes) -> dict[str, str]:
    if group.ami is None:
        family = group.ami_family if group.ami_family != eksctl_defaults.AMI_FAMILY else None
        return {"amiFamily": family} if family else {}
    changes.append(Change("amiFamily is written beside each pinned ami: eksctl refuses a custom AMI without it.",
                          *_in_groups("amiFamily")))
    if group.ami_family is None:
        changes.append(Change(
            f"A pinned AMI came without its family; {eksctl_defaults.AMI_FAMILY} is assumed: check it matches "
            "the image.", *_in_groups("amiFamily"),
        ))
    return {"ami": group.ami, "amiFamily": group.ami_family or eksctl_defaults.AMI_FAMILY}


def _private(deployment: Deployment, group: NodeGroup, changes: Changes) -> bool | None:
    private = group.private_networking if group.private_networking is not None else deployment.network.private_nodes
    if not private:
        return None
    changes.append(Change("privateNetworking: true — the page wants every node on a private IP; its samples never "
                          "say so (N004).", *_in_groups("privateNetworking")))
    return True


def _iam(deployment: Deployment, group: NodeGroup, changes: Changes) -> dict | None:
    """The node group's role as apply builds it: exactly the AWS-managed policies and the statements the model
    gives the group's pool (eksctl makes one role per group, so each group lists its pool's)."""
    role = deployment.access.node_role_of(group.name)
    if role is None:
        return None
    statements = node_role_statements(role)
    changes.append(Change(
        "Each node group's role gets only what its pool needs (iam.attachPolicyARNs, iam.attachPolicy): joining "
        "the cluster, pulling images, and the pool's own S3 and registry grants, narrower on compute pools. "
        "eksctl's default role also carries the VPC CNI's permissions, which every pod on the node could use; "
        "the add-ons and the autoscaler get Pod Identity roles instead (C005).",
        *_in_groups("iam", "attachPolicyARNs"), *_in_groups("iam", "attachPolicy"),
    ))
    partition = regions.partition(deployment.cluster.region or "")
    return _without_empty({
        "attachPolicyARNs": [_policy_arn(name, partition) for name in role.managed_policies],
        "attachPolicy": iam.document(statements) if statements else None,
    })


def _policy_arn(name: str, partition: str) -> str:
    """An AWS-managed policy by name, or a policy the source named by its whole ARN."""
    return name if name.startswith("arn:") else iam.managed_policy_arn(name, partition)


def node_role_statements(role: NodeRole) -> tuple[Statement, ...]:
    """What a node group's inline policy holds: every statement of the role's own policies, but for those eksctl
    writes itself from iam.withAddonPolicies."""
    return tuple(s for name, statements in role.policies.items() if name not in eksctl_defaults.ADDON_POLICY_NAMES
                 for s in statements)


def _pod_imds(group: NodeGroup, changes: Changes) -> bool | None:
    """disablePodIMDS for a pool whose pods must not reach the node role (hop limit 1 in the spec): eksctl has no
    hop limit setting, but blocks pods that are not on the host network from IMDS (eksctl's schema)."""
    if group.metadata_hop_limit != 1:
        return None
    changes.append("disablePodIMDS: true on the node groups whose spec sets imdsHopLimit 1: their pods never get "
                   "the node role's credentials (C004).")
    return True


def _volume_encryption(group: NodeGroup, changes: Changes) -> dict:
    """volumeEncrypted, and volumeKmsKeyID where the deployment names its key, on a group whose root volume it
    encrypts (C006): eksctl otherwise leaves the volume to the account's EBS encryption default."""
    if not group.volume_encrypted:
        return {}
    changes.append(Change("volumeEncrypted: true on every node group: root volumes are encrypted whatever the "
                          "account's EBS default (C006).", *_in_groups("volumeEncrypted")))
    key = group.volume_kms_key_id
    if key == KEY_CREATED_BY_APPLY:
        changes.append("volumeKmsKeyID is left out: eksctl needs an existing KMS key, and the spec leaves the key to "
                       "domino-eks apply; name one in security.kmsKeyArn to have root volumes encrypted with it "
                       "here (C006).")
        return {"volumeEncrypted": True}
    if key is None:
        return {"volumeEncrypted": True}
    changes.append(Change(f"volumeKmsKeyID encrypts the root volumes with key {key} (C006).",
                          *_in_groups("volumeKmsKeyID")))
    return {"volumeEncrypted": True, "volumeKmsKeyID": key}


def _without_empty(entries: dict) -> dict:
    return {k: v for k, v in entries.items() if v is not None and v != {} and v != []}


def _group(deployment: Deployment, group: NodeGroup, changes: Changes) -> dict:
    return _without_empty({
        "name": group.name,
        "instanceType": group.instance_type,
        "minSize": group.min_size,
        "maxSize": group.max_size,
        "desiredCapacity": group.desired_capacity,
        "volumeSize": group.volume_size_gb,
        "volumeType": group.volume_type if group.volume_type != eksctl_defaults.VOLUME_TYPE else None,
        **_volume_encryption(group, changes),
        "availabilityZones": list(group.zones) if group.zones is not None else None,
        "privateNetworking": _private(deployment, group, changes),
        **_ami(group, changes),
        "labels": dict(group.labels),
        "taints": [_without_empty({"key": t.key, "value": t.value or None, "effect": t.effect}) for t in group.taints],
        "tags": _tags(deployment, group, changes),
        "iam": _iam(deployment, group, changes),
        "preBootstrapCommands": _pre_bootstrap_commands(deployment, group, changes),
        "overrideBootstrapCommand": group.bootstrap_arguments,
        "disableIMDSv1": group.imdsv2_required if group.imdsv2_required != eksctl_defaults.DISABLE_IMDSV1 else None,
        "disablePodIMDS": _pod_imds(group, changes),
    })


def _existing_subnets(network: Network) -> dict | None:
    """An existing VPC's subnets, which eksctl needs named; keyed by id, or by zone when the id is not known."""
    if not network.subnets:
        return None
    return _without_empty({
        kind: {s.id or s.zone: _without_empty({"id": s.id, "az": s.zone, "cidr": s.cidr})
               for s in network.subnets if s.public == public}
        for kind, public in (("private", False), ("public", True))
    })


def _vpc(network: Network, changes: Changes) -> dict | None:
    nat = {"gateway": "Disable"} if network.nat_gateway is False else None
    if network.vpc_id:
        return _without_empty({"id": network.vpc_id, "subnets": _existing_subnets(network), "nat": nat})
    if network.vpc_cidr and network.vpc_cidr != eksctl_defaults.VPC_CIDR:
        changes.append(Change(f"vpc.cidr is {network.vpc_cidr}, the range the deployment was checked against "
                              f"(N003); eksctl would otherwise take {eksctl_defaults.VPC_CIDR}.", ("vpc", "cidr")))
    cidr = network.vpc_cidr if network.vpc_cidr != eksctl_defaults.VPC_CIDR else None
    return _without_empty({"cidr": cidr, "nat": nat}) or None


def _vpc_cni(network: Network, changes: Changes) -> dict:
    settings: dict = {}
    if network.policy_engine == "vpc-cni":
        settings["enableNetworkPolicy"] = "true"
        changes.append(Change("The vpc-cni add-on enforces NetworkPolicy itself (enableNetworkPolicy), in place of "
                              "the page's Calico (N001).", ("addons", "*", "configurationValues")))
    if network.prefix_delegation:
        settings["env"] = {"ENABLE_PREFIX_DELEGATION": "true"}
    return _without_empty({"name": "vpc-cni", "configurationValues": json.dumps(settings) if settings else None})


def _addons(deployment: Deployment, changes: Changes) -> list[dict]:
    changes.append(Change("Added: the EKS add-on aws-ebs-csi-driver: EBS volumes on Kubernetes 1.23 and later need "
                          "the CSI driver (S001).", ("addons", "name=aws-ebs-csi-driver")))
    changes.append(Change("Added: the EKS add-on aws-efs-csi-driver: Datasets on EFS need its driver.",
                          ("addons", "name=aws-efs-csi-driver")))
    network = deployment.network
    addons = [_vpc_cni(network, changes)] if network.cni == "vpc-cni" else []
    addons += [{"name": "aws-ebs-csi-driver"}, {"name": "aws-efs-csi-driver"}]
    if deployment.access.pod_identities:
        changes.append(Change(f"Added: the EKS add-on {addons_knowledge.POD_IDENTITY_AGENT}, which hands the pods "
                              "of the Pod Identity associations below their roles' credentials (C005).",
                              ("addons", f"name={addons_knowledge.POD_IDENTITY_AGENT}")))
        addons.append({"name": addons_knowledge.POD_IDENTITY_AGENT})
    return addons


def _pod_identity_associations(deployment: Deployment, changes: Changes) -> list[dict]:
    """iam.podIdentityAssociations: each controller's role, named and granted as apply makes it."""
    # the autoscaler's only where every other file sets it up too
    identities = [p for p in deployment.access.pod_identities or () if uses_autoscaler(deployment)
                  or p.service_account != iam.CLUSTER_AUTOSCALER.service_account]
    if not identities:
        return []
    changes.append(Change(
        "iam.podIdentityAssociations give the "
        f"{', '.join(f'{p.namespace}/{p.service_account}' for p in identities)} service accounts roles of their "
        "own; on the page their permissions sit on the node role, where every pod on the node can use them "
        "(C005, A001).", ("iam", "podIdentityAssociations"),
    ))
    partition = regions.partition(deployment.cluster.region or "")
    return [_without_empty({
        "namespace": p.namespace,
        "serviceAccountName": p.service_account,
        "roleName": p.role,
        "permissionPolicyARNs": [_policy_arn(name, partition) for name in p.managed_policies],
        "permissionPolicy": iam.document(p.statements) if p.statements else None,
    }) for p in identities]


def _endpoint_access(hardening: Hardening, changes: Changes) -> dict:
    """vpc.clusterEndpoints and publicAccessCIDRs. eksctl cannot create a private-only endpoint, since it joins
    the nodes through the public one ("Cluster Access", https://docs.aws.amazon.com/eks/latest/eksctl/
    vpc-cluster-access.html): the file keeps it on for creation and the header says how to turn it off after."""
    if hardening.endpoint_private is None or hardening.endpoint_public is None:
        return {}
    cidrs = list(hardening.public_access_cidrs or ())
    changes.append(Change(
        "vpc.clusterEndpoints turns private endpoint access on; eksctl's default is a public endpoint only, open to "
        "every address (C001).", ("vpc", "clusterEndpoints", "privateAccess"),
    ))
    if hardening.endpoint_public:
        changes.append(Change(f"vpc.publicAccessCIDRs limits the public endpoint to {', '.join(cidrs)} (C001).",
                              ("vpc", "publicAccessCIDRs")))
    else:
        changes.append(
            "eksctl cannot create a cluster whose endpoint is private only: once the nodes have joined, turn public "
            "access off with: eksctl utils update-cluster-vpc-config -f cluster.yaml --private-access=true "
            "--public-access=false --approve (C001)."
        )
    return _without_empty({"clusterEndpoints": {"privateAccess": hardening.endpoint_private, "publicAccess": True},
                           "publicAccessCIDRs": cidrs if tuple(cidrs) != eksctl_defaults.PUBLIC_ACCESS_CIDRS else None})


def _cluster_logging(hardening: Hardening, changes: Changes) -> dict | None:
    if not hardening.log_types:
        return None
    changes.append(Change(
        f"cloudWatch.clusterLogging sends the control-plane logs ({', '.join(hardening.log_types)}) to CloudWatch, "
        f"kept {hardening.log_retention_days} days; eksctl turns none on (C002).",
        ("cloudWatch", "clusterLogging", "enableTypes"), ("cloudWatch", "clusterLogging", "logRetentionInDays"),
    ))
    return {"clusterLogging": _without_empty({"enableTypes": list(hardening.log_types),
                                              "logRetentionInDays": hardening.log_retention_days})}


def _secrets_encryption(hardening: Hardening, changes: Changes) -> dict | None:
    if not hardening.secrets_encrypted:
        return None
    if hardening.secrets_key in (None, KEY_CREATED_BY_APPLY):
        changes.append(
            "secretsEncryption is left out: eksctl needs an existing KMS key, and the spec leaves the key to "
            "domino-eks apply; name one in security.kmsKeyArn to have Secrets envelope-encrypted here (C003)."
        )
        return None
    changes.append(Change(f"secretsEncryption envelope-encrypts Kubernetes Secrets with key {hardening.secrets_key} "
                          "(C003).", ("secretsEncryption", "keyARN")))
    return {"keyARN": hardening.secrets_key}


def _upgrade_policy(hardening: Hardening, changes: Changes) -> dict | None:
    if hardening.support_type is None:
        return None
    if hardening.support_type == "STANDARD":
        changes.append(Change("upgradePolicy.supportType is STANDARD: eksctl's default, EXTENDED, costs $0.60 "
                              "instead of $0.10 per cluster-hour once the version leaves standard support (C007).",
                              ("upgradePolicy", "supportType")))
    return {"supportType": hardening.support_type}


def _auto_mode(original: Mapping | None, changes: Changes) -> dict | None:
    if original is not None and original.get("autoModeConfig") is not None:
        return None
    # eksctl's deprecation notice (pkg/utils/deprecation/auto_mode.go, since PR #8513, 2025-09-30; see
    # reference/anchors-2026-12.md §2): "Auto Mode will be enabled by default in an upcoming release of eksctl"
    changes.append(
        "autoModeConfig: {enabled: false} is written out: eksctl has announced that Auto Mode will be on by default "
        "when it is unset, and an Auto Mode cluster is built without the node groups this file declares."
    )
    return {"enabled": False}



def _build(deployment: Deployment, original: Mapping | None = None) -> tuple[dict, Changes]:
    cluster, network = deployment.cluster, deployment.network
    changes: Changes = [Change(
        f'metadata.version is "{_version(deployment)}": the page\'s samples leave it out, so eksctl would pick '
        "whatever its release defaults to (G003).", ("metadata", "version"),
    )]
    node_groups = [_group(deployment, g, changes) for g in deployment.groups if not g.managed]
    managed_node_groups = [_group(deployment, g, changes) for g in deployment.groups if g.managed]
    config = _without_empty({
        "apiVersion": eksctl_defaults.API_VERSION,
        "kind": eksctl_defaults.KIND,
        "metadata": _without_empty({
            "name": cluster.declared_name, "region": cluster.region, "version": _version(deployment),
            "tags": dict(cluster.tags),
        }),
        "availabilityZones": list(cluster.control_plane_zones) if cluster.control_plane_zones else None,
        "autoModeConfig": _auto_mode(original, changes),
        "vpc": _without_empty({**(_vpc(network, changes) or {}),
                               **_endpoint_access(deployment.hardening, changes)}) or None,
        "iam": _without_empty({"podIdentityAssociations": _pod_identity_associations(deployment, changes)}) or None,
        "addons": _addons(deployment, changes),
        "addonsConfig": {"disableDefaultAddons": True} if network.cni != "vpc-cni" else None,
        "nodeGroups": node_groups,
        "managedNodeGroups": managed_node_groups,
        "cloudWatch": _cluster_logging(deployment.hardening, changes),
        "secretsEncryption": _secrets_encryption(deployment.hardening, changes),
        "upgradePolicy": _upgrade_policy(deployment.hardening, changes),
        "fargateProfiles": [
            {"name": f.name, "selectors": [{"namespace": ns} for ns in f.namespaces]}
            for f in deployment.kubernetes.fargate_profiles or ()
        ],
    })
    if original is not None:
        config = preserved.overlay(original, config)
        changes = [c for c in changes if not isinstance(c, Change) or _changed(original, config, c.keys)]
        changes.append(f"Every other key of {deployment.source.file} is kept as it was written.")
    return config, list(dict.fromkeys(changes))


def _changed(original: object, rendered: object, keys: tuple[Key, ...]) -> bool:
    return any(_differs(original, rendered, key) for key in keys)


def _differs(original: object, rendered: object, key: Key) -> bool:
    """The rendered config holds something at `key` that the file does not (items of a list matched by name)."""
    if not key:
        return original != rendered
    head, rest = key[0], key[1:]
    if head == "*" or head.startswith("name="):
        before = {i.get("name"): i for i in original if isinstance(i, Mapping)} if isinstance(original, list) else {}
        items = [i for i in rendered if isinstance(i, Mapping)] if isinstance(rendered, list) else []
        chosen = items if head == "*" else [i for i in items if i.get("name") == head.removeprefix("name=")]
        return any(_differs(before.get(i.get("name")), i, rest) for i in chosen)
    return _differs(original.get(head) if isinstance(original, Mapping) else None,
                    rendered.get(head) if isinstance(rendered, Mapping) else None, rest)


def cluster_config(deployment: Deployment, original: Mapping | None = None) -> dict:
    """The ClusterConfig as plain data; `original` is the eksctl file the deployment was read from, if it was."""
    return _build(deployment, original)[0]


def _outside_eksctl(deployment: Deployment) -> list[str]:
    """What `domino-eks apply` builds that no ClusterConfig field asks eksctl for (C009): eksctl's schema has no
    flow-log field, and it leaves the VPC's default security group as EC2 made it."""
    if not deployment.hardening.flow_logs:
        return []
    return ["domino-eks apply also turns on VPC flow logs and empties the VPC's default security group (C009);",
            "eksctl does neither: create a flow log for the VPC (aws ec2 create-flow-logs --resource-type VPC) and",
            "revoke the default group's rules after eksctl create cluster."]


def _header(deployment: Deployment, changes: Changes) -> str:
    lines = [
        f"eksctl ClusterConfig for the Domino cluster {deployment.cluster.declared_name}, rendered by domino-eks.",
        "Create it with: eksctl create cluster -f cluster.yaml",
        "Then create the EFS file system and the S3 buckets, and grant the nodes access (see iam/ and installer/).",
        *_outside_eksctl(deployment),
        "",
        "How this differs from the page's sample configurations:",
    ]
    for change in changes:
        lines += textwrap.wrap(change, width=104, initial_indent="  - ", subsequent_indent="    ",
                               break_long_words=False, break_on_hyphens=False)  # ARNs and commands stay whole
    return "".join(f"# {line}".rstrip() + "\n" for line in lines) + "\n"


def render(deployment: Deployment, original: Mapping | None = None) -> str:
    """The ClusterConfig as YAML, headed by the list of its differences from the page's samples (and from
    `original`, the eksctl file the deployment was read from, whose other keys it keeps)."""
    config, changes = _build(deployment, original)
    yaml = YAML()
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 4096  # keep long commands and tags on one line
    text = io.StringIO()
    yaml.dump(config, text)
    return _header(deployment, changes) + text.getvalue()
