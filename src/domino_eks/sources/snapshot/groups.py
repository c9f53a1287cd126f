"""Node groups and pools: each Auto Scaling group or EKS node group with the nodes it runs, grouped into pools
by the `dominodatalab.com/node-pool` label.

A node joins the group its instance belongs to (the instance's aws:autoscaling:groupName tag), else the
node group its labels name (EKS or eksctl), else a group of its pool in its zone. A group with no node (a
pool scaled to zero) is known from its Auto Scaling group alone: its pool from the autoscaler's
node-template tags, its sizes, instance type, volumes and image from the group and its launch template.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from domino_eks.collect.shapes import ASG_NAME_TAG
from domino_eks.model import (
    LAUNCHED_WITHOUT_GROUPS,
    NODE_POOL_LABEL,
    NODE_TEMPLATE_LABEL_TAG,
    NODE_TEMPLATE_TAINT_TAG,
    Location,
    NodeGroup,
    NodePool,
    Taint,
)
from domino_eks.sources.snapshot.facts import Facts, KubeNode, tags

EKS_NODEGROUP_TAG = "eks:nodegroup-name"
UNLABELLED = "unlabelled"
WINDOWS = "windows"  # the pool of the Windows groups, which Domino cannot use
_EKS_TAINT_EFFECTS = {"NO_SCHEDULE": "NoSchedule", "NO_EXECUTE": "NoExecute", "PREFER_NO_SCHEDULE": "PreferNoSchedule"}
# (what an EKS AMI type, image name or node OS image contains, eksctl's family name), first match wins
_AMI_FAMILIES = (("al2023", "AmazonLinux2023"), ("amazon linux 2023", "AmazonLinux2023"),
                 ("bottlerocket", "Bottlerocket"), ("al2_", "AmazonLinux2"), ("amazon linux 2", "AmazonLinux2"),
                 ("amazon-eks-node-", "AmazonLinux2"), ("amazon-eks-gpu-node-", "AmazonLinux2"))
_UBUNTU = re.compile(r"ubuntu\D*(\d\d)\.?(\d\d)")
_ACCELERATED_AMI_HINTS = ("gpu", "nvidia", "neuron")


@dataclass
class _Draft:
    """A node group being assembled from whichever of its ASG, EKS node group and nodes are known."""

    name: str
    asg: Mapping | None = None
    nodegroup: Mapping | None = None
    nodes: list[KubeNode] = field(default_factory=list)


def _nodes_object(draft: _Draft) -> str:
    """What a group known from its nodes alone stands for: Karpenter's NodePool, else a node group."""
    launched = {n.model.provisioner for n in draft.nodes}
    if launched and launched <= set(LAUNCHED_WITHOUT_GROUPS):
        return f"NodePool/{draft.name}"
    return f"NodeGroup/{draft.name}"


def node_groups(facts: Facts) -> list[NodeGroup]:
    return [_node_group(facts, draft) for draft in _drafts(facts).values()]


def with_node_pools(found: list[NodeGroup], declared: list[NodeGroup]) -> list[NodeGroup]:
    """The groups found, plus the groups `declared` by Karpenter NodePool objects: a NodePool whose nodes are
    running was also found as the group its nodes alone make, so that one takes its place (one group per NodePool,
    configured as the NodePool says, holding its nodes and what they tell)."""
    declared_pools = {g.karpenter_node_pool for g in declared}
    launched: dict[str | None, NodeGroup] = {}
    others = []
    for group in found:
        if group.name in declared_pools and group.provisioner in LAUNCHED_WITHOUT_GROUPS:
            launched[group.name] = group
        else:
            others.append(group)
    return others + [_holding(g, launched[g.karpenter_node_pool]) if g.karpenter_node_pool in launched else g
                     for g in declared]


def _holding(declared: NodeGroup, launched: NodeGroup) -> NodeGroup:
    """The NodePool's group with its running nodes; what the NodePool leaves unknown, as the nodes tell it."""
    return declared.model_copy(update={
        "nodes": launched.nodes,
        "private_networking": launched.private_networking,
        "node_role": declared.node_role or launched.node_role,
        "zones": declared.zones or launched.zones,
        "ami_family": declared.ami_family or launched.ami_family,
        "ami_accelerated": launched.ami_accelerated if declared.ami_accelerated is None else declared.ami_accelerated,
    })


def pools(groups: list[NodeGroup]) -> tuple[NodePool, ...]:
    by_label: dict[tuple[str | None, bool], list[NodeGroup]] = {}
    for group in groups:
        # Domino runs on Linux nodes only: a Windows group is none of its pools, whatever its labels say
        label = None if group.windows else group.labels.get(NODE_POOL_LABEL)
        by_label.setdefault((label, group.windows), []).append(group)
    return tuple(NodePool(name=WINDOWS if windows else label or UNLABELLED, label=label, groups=tuple(members))
                 for (label, windows), members in by_label.items())


def _drafts(facts: Facts) -> dict[tuple[str, str], _Draft]:
    drafts: dict[tuple[str, str], _Draft] = {}
    asgs = {a["AutoScalingGroupName"]: a for a in facts.aws_part("auto_scaling_groups") or ()}
    asg_nodegroup = {name: tags(asg).get(EKS_NODEGROUP_TAG) for name, asg in asgs.items()}
    for nodegroup in facts.aws_part("nodegroups") or ():
        behind = next((asgs[a["name"]] for a in (nodegroup.get("resources") or {}).get("autoScalingGroups") or ()
                       if a.get("name") in asgs), None)
        drafts[("nodegroup", nodegroup["nodegroupName"])] = _Draft(nodegroup["nodegroupName"], behind, nodegroup)
    for name, asg in asgs.items():
        if not asg_nodegroup[name]:
            drafts[("asg", name)] = _Draft(name, asg)
    instance_asg = {i["InstanceId"]: tags(i).get(ASG_NAME_TAG) for i in facts.aws_part("instances") or ()}
    for node in facts.nodes or ():
        asg = instance_asg.get(node.instance_id)
        if asg_nodegroup.get(asg) or (node.managed_hint and ("nodegroup", node.group_hint) in drafts):
            nodegroup_name = asg_nodegroup.get(asg) or node.group_hint
            assert nodegroup_name is not None  # an ASG's node group, or a hint that names a draft (keys are str)
            key = ("nodegroup", nodegroup_name)
        elif asg:
            key = ("asg", asg)
        elif node.group_hint:  # a node group's name on the node, or the Karpenter NodePool that launched it
            key = ("launched" if node.model.provisioner in LAUNCHED_WITHOUT_GROUPS else "labelled", node.group_hint)
        else:
            key = ("zone", f"{node.pool or UNLABELLED}-{node.model.zone or 'unknown-zone'}")
        draft = drafts.get(key)
        if draft is None:  # not setdefault: that would build a draft for each of thousands of nodes
            draft = drafts[key] = _Draft(key[1])
        draft.nodes.append(node)
    return drafts


def _node_group(facts: Facts, draft: _Draft) -> NodeGroup:
    asg, nodegroup, nodes = draft.asg or {}, draft.nodegroup or {}, draft.nodes
    template = (facts.aws_part("launch_templates") or {}).get(asg.get("AutoScalingGroupName")) or {}
    scaling = nodegroup.get("scalingConfig") or {}
    images = facts.aws_part("images")
    image = next((i for i in images or () if i.get("ImageId") == template.get("ImageId")), None)
    root_volume: Mapping = next((m["Ebs"] for m in template.get("BlockDeviceMappings") or () if "Ebs" in m), {})
    return NodeGroup(
        name=draft.name,
        zones=_zones(facts, asg, nodegroup, nodes),
        instance_type=template.get("InstanceType") or _override_type(asg)
        or (nodegroup.get("instanceTypes") or [None])[0] or _most_common(n.model.instance_type for n in nodes),
        volume_size_gb=root_volume.get("VolumeSize") or nodegroup.get("diskSize"),
        volume_type=root_volume.get("VolumeType"),
        # a mapping without Encrypted follows the image's snapshot or the account's EBS default: unknown here
        volume_encrypted=root_volume.get("Encrypted"),
        volume_kms_key_id=root_volume.get("KmsKeyId"),
        min_size=asg.get("MinSize", scaling.get("minSize")),
        desired_capacity=asg.get("DesiredCapacity", scaling.get("desiredSize")),
        max_size=asg.get("MaxSize", scaling.get("maxSize")),
        labels=_common_labels(nodes) if nodes else nodegroup.get("labels") or _template_labels(asg),
        taints=_common_taints(nodes) if nodes else _nodegroup_taints(nodegroup) or _template_taints(asg),
        tags=tags(asg) if asg else None,
        managed=bool(nodegroup) if (asg or nodegroup) else next((n.managed_hint for n in nodes), None),
        ami=template.get("ImageId"),
        ami_family=_ami_family(nodegroup.get("amiType") or (image or {}).get("Name")
                               or next((n.model.os_image for n in nodes if n.model.os_image), None)),
        ami_exists=(image is not None) if template.get("ImageId") and images is not None else None,
        ami_accelerated=_accelerated(nodes, image, nodegroup),
        bootstrap_arguments=_user_data(template.get("UserData")),
        private_networking=not any(n.public for n in nodes) if nodes else None,
        imdsv2_required=(template["MetadataOptions"].get("HttpTokens") == "required")
        if "MetadataOptions" in template else None,
        metadata_hop_limit=(template.get("MetadataOptions") or {}).get("HttpPutResponseHopLimit"),
        subnet_ids=_subnet_ids(asg, nodegroup),
        nodes=tuple(n.model for n in nodes) if facts.nodes is not None else None,
        location=Location(object=f"AutoScalingGroup/{asg['AutoScalingGroupName']}" if asg
                          else f"Nodegroup/{draft.name}" if nodegroup else _nodes_object(draft)),
    )


def _zones(facts: Facts, asg: Mapping, nodegroup: Mapping, nodes: list[KubeNode]) -> tuple[str, ...] | None:
    """The group's zones as configured (its ASG's, its EKS node group's subnets'), else where its nodes run."""
    if asg.get("AvailabilityZones"):
        return tuple(sorted(asg["AvailabilityZones"]))
    zones = facts.subnet_zones(nodegroup.get("subnets")) if nodegroup else None
    if zones:
        return tuple(sorted(zones))
    if nodes and all(n.model.zone for n in nodes):
        return tuple(sorted({n.model.zone for n in nodes if n.model.zone}))  # all of them
    return None


def _subnet_ids(asg: Mapping, nodegroup: Mapping) -> tuple[str, ...] | None:
    """The subnets the group launches into: its ASG's, else its EKS node group's; None for a group known only
    from its nodes."""
    listed = [s for s in (asg.get("VPCZoneIdentifier") or "").split(",") if s] or nodegroup.get("subnets")
    return tuple(sorted(listed)) if listed else None


def _common_labels(nodes: list[KubeNode]) -> dict[str, str]:
    common = dict(nodes[0].labels)
    for node in nodes[1:]:
        if node.labels != common:
            common = {k: v for k, v in common.items() if node.labels.get(k) == v}
    return common


def _common_taints(nodes: list[KubeNode]) -> tuple[Taint, ...]:
    first = nodes[0].taints
    common = set(first)
    for node in nodes[1:]:
        if node.taints != first:  # the nodes of a group mostly carry the same taints, or none
            common &= set(node.taints)
    return tuple(t for t in first if t in common)


def _template_labels(asg: Mapping) -> dict[str, str]:
    """Labels from scale-from-zero tags: `.../node-template/label/<key>: <value>`."""
    return {k.removeprefix(NODE_TEMPLATE_LABEL_TAG): v for k, v in tags(asg).items()
            if k.startswith(NODE_TEMPLATE_LABEL_TAG)}


def _template_taints(asg: Mapping) -> tuple[Taint, ...]:
    """Taints from scale-from-zero tags: `.../node-template/taint/<key>: <value>:<Effect>`."""
    found = []
    for key, text in tags(asg).items():
        if key.startswith(NODE_TEMPLATE_TAINT_TAG) and ":" in text:
            value, effect = text.rsplit(":", 1)
            found.append(Taint(key=key.removeprefix(NODE_TEMPLATE_TAINT_TAG), value=value, effect=effect))
    return tuple(found)


def _nodegroup_taints(nodegroup: Mapping) -> tuple[Taint, ...]:
    return tuple(Taint(key=t["key"], value=t.get("value", ""), effect=_EKS_TAINT_EFFECTS.get(t["effect"], t["effect"]))
                 for t in nodegroup.get("taints") or ())


def _override_type(asg: Mapping) -> str | None:
    overrides = ((asg.get("MixedInstancesPolicy") or {}).get("LaunchTemplate") or {}).get("Overrides") or []
    return next((o["InstanceType"] for o in overrides if "InstanceType" in o), None)


def _most_common(values: Iterable[str | None]) -> str | None:
    counts = Counter(v for v in values if v)
    return counts.most_common(1)[0][0] if counts else None


def _ami_family(described: str | None) -> str | None:
    text = (described or "").lower()
    ubuntu = _UBUNTU.search(text)
    if ubuntu:
        return f"Ubuntu{ubuntu.group(1)}{ubuntu.group(2)}"
    return next((family for hint, family in _AMI_FAMILIES if hint in text), None)


def _accelerated(nodes: list[KubeNode], image: Mapping | None, nodegroup: Mapping) -> bool | None:
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
