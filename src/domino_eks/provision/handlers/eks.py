"""EKS: the cluster, managed node groups, add-ons and the nodes' access entry.

Node groups, add-ons and access entries are listed under the cluster discovery found, as soon as it is found.
An endpoint that does not implement add-ons or access entries (the emulator) answers 404:
discovery and apply report those as not supported there and go on.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from domino_eks.aws import faults
from domino_eks.aws.pages import AUTO_SCALING_GROUP_NAMES_PER_CALL, chunks
from domino_eks.aws.session import Aws
from domino_eks.knowledge import aws_durations
from domino_eks.model import CONTROL_PLANE_LOG_TYPES
from domino_eks.provision import kinds, tags
from domino_eks.provision.handlers import logs
from domino_eks.provision.handlers.base import (
    Handler,
    Scope,
    concurrently,
    ids,
    missing_tags,
    paginate,
    retag,
    tolerating,
)
from domino_eks.provision.resources import Existing
from domino_eks.provision.waiters import Wait

CLUSTER_GONE = "ResourceNotFoundException"


def _eks_tags(eks: Any, arn: str) -> Callable[[dict], object]:
    return lambda changed: eks.tag_resource(resourceArn=arn, tags=changed)


def _cluster_child(name_argument: str) -> Callable[[Mapping[str, Any]], dict[str, Any]]:
    """The waiter arguments naming a node group or add-on: its cluster, and itself."""
    return lambda outputs: {"clusterName": outputs["cluster_name"], name_argument: outputs["name"]}


class Cluster(Handler):
    kind = kinds.EKS_CLUSTER
    discovers_with = ("eks",)
    properties = frozenset({"name", "version", "role_arn", "subnet_ids", "security_group_ids", "endpoint_access",
                            "log_types", "secrets_key_arn", "support_type", "tags"})
    observed = ("tags", "version", "endpoint_access", "log_types")
    ready_waiter = Wait("eks", "ClusterActive", lambda outputs: {"name": outputs["name"]}, aws_durations.CONTROL_PLANE)
    gone_waiter = Wait("eks", "ClusterDeleted", lambda outputs: {"name": outputs["name"]}, aws_durations.CONTROL_PLANE)

    def discover(self, aws: Aws, scope: Scope) -> Iterable[Existing]:
        try:
            cluster = aws.client("eks").describe_cluster(name=scope.name)["cluster"]
        except Exception as error:
            if faults.code_of(error) == CLUSTER_GONE:
                return
            raise
        found = cluster.get("tags") or {}
        if tags.belongs(found, scope.name) and cluster["status"] != "DELETING":
            vpc = cluster["resourcesVpcConfig"]
            observed = {"tags": found, "version": cluster["version"], "endpoint_access": _endpoint_access(vpc),
                        "log_types": _log_types(cluster)}
            yield Existing(self.key(found), self._outputs(cluster), observed,
                           ids((kinds.IAM_ROLE, cluster["roleArn"]), (kinds.SUBNET, vpc.get("subnetIds", [])),
                               (kinds.SECURITY_GROUP, vpc.get("securityGroupIds", [])),
                               # the key goes only once nothing it encrypts is left
                               (kinds.KMS_KEY, [c["provider"]["keyArn"] for c in cluster.get("encryptionConfig", [])]),
                               (kinds.LOG_GROUP, logs.control_plane_log_group(cluster["name"]))))

    @staticmethod
    def _outputs(cluster: dict) -> dict[str, Any]:
        network = cluster.get("kubernetesNetworkConfig", {})
        return {
            "name": cluster["name"],
            "arn": cluster["arn"],
            "endpoint": cluster.get("endpoint"),
            "certificate_authority": cluster.get("certificateAuthority", {}).get("data"),
            "service_cidr": network.get("serviceIpv4Cidr"),
        }

    def request_create(self, aws: Aws, p: Mapping[str, Any]) -> Mapping[str, Any]:
        aws.client("eks").create_cluster(
            name=p["name"], version=p["version"], roleArn=p["role_arn"],
            resourcesVpcConfig={"subnetIds": p["subnet_ids"], "securityGroupIds": p["security_group_ids"],
                                **_endpoint_config(p["endpoint_access"])},
            # self-managed nodes join through an access entry; aws-auth keeps working for existing tools
            accessConfig={"authenticationMode": "API_AND_CONFIG_MAP", "bootstrapClusterCreatorAdminPermissions": True},
            logging=_logging(p["log_types"]),
            encryptionConfig=[{"resources": ["secrets"], "provider": {"keyArn": p["secrets_key_arn"]}}],
            upgradePolicy={"supportType": p["support_type"]},
            tags=p["tags"],
        )
        return {"name": p["name"]}

    def ready_outputs(self, aws: Aws, outputs: Mapping[str, Any]) -> Mapping[str, Any]:
        """The endpoint and certificate authority exist only once the control plane is active."""
        return self._outputs(aws.client("eks").describe_cluster(name=outputs["name"])["cluster"])

    def update(self, aws: Aws, existing: Existing, p: Mapping[str, Any]) -> Mapping[str, Any]:
        eks = aws.client("eks")
        retag(existing.observed["tags"], p["tags"], _eks_tags(eks, existing.outputs["arn"]))
        if existing.observed["version"] != p["version"]:
            eks.update_cluster_version(name=p["name"], version=p["version"])
        # EKS runs one update of a cluster at a time: each waits for the one before
        if existing.observed["endpoint_access"] != p["endpoint_access"]:
            self.ready(aws, existing)
            eks.update_cluster_config(name=p["name"], resourcesVpcConfig=_endpoint_config(p["endpoint_access"]))
        if existing.observed["log_types"] != p["log_types"]:
            self.ready(aws, existing)
            eks.update_cluster_config(name=p["name"], logging=_logging(p["log_types"]))
        return self.ready(aws, existing)

    def request_delete(self, aws: Aws, existing: Existing) -> None:
        with tolerating(CLUSTER_GONE):
            aws.client("eks").delete_cluster(name=existing.outputs["name"])


def _endpoint_config(access: Mapping[str, Any]) -> dict[str, Any]:
    """resourcesVpcConfig's endpoint keys; the CIDRs only with public access on (EKS ignores them otherwise)."""
    config = {"endpointPrivateAccess": access["private"], "endpointPublicAccess": access["public"]}
    return config | {"publicAccessCidrs": access["public_cidrs"]} if access["public"] else config


def _endpoint_access(vpc: Mapping[str, Any]) -> dict[str, Any]:
    """The endpoint access of a described cluster, shaped as the desired property."""
    public = bool(vpc.get("endpointPublicAccess"))
    return {"private": bool(vpc.get("endpointPrivateAccess")), "public": public,
            "public_cidrs": sorted(vpc.get("publicAccessCidrs") or []) if public else []}


def _logging(enabled: list[str]) -> dict[str, Any]:
    """Every log type, on or off: a type left out of an update keeps its old setting."""
    off = [t for t in CONTROL_PLANE_LOG_TYPES if t not in enabled]
    switched = [{"types": enabled, "enabled": True}] + ([{"types": off, "enabled": False}] if off else [])
    return {"clusterLogging": switched}


def _log_types(cluster: Mapping[str, Any]) -> list[str]:
    """The log types a described cluster has on, in EKS's order."""
    on = {t for entry in (cluster.get("logging") or {}).get("clusterLogging") or () if entry.get("enabled")
          for t in entry.get("types") or ()}
    return [t for t in CONTROL_PLANE_LOG_TYPES if t in on]


def _cluster_children(eks: Any, operation: str, key: str, describe: Callable[[str, Any], Any],
                      scope: Scope) -> list[tuple[str, Any, Any]]:
    """(cluster, listed item, description) of what is listed under the deployment's cluster, if discovery found it,
    described all at once. Only a cluster found: the emulator answers a listing under a missing cluster
    with an internal error, not with ResourceNotFoundException."""
    children = []
    for cluster in (existing.outputs["name"] for existing in scope.of_type(kinds.EKS_CLUSTER)):
        names = list(paginate(eks, operation, key, clusterName=cluster))
        described = concurrently(functools.partial(describe, cluster), names)
        children += [(cluster, name, answer) for name, answer in zip(names, described, strict=True)]
    return children


def _auto_scaling_groups(group: Mapping[str, Any]) -> list[str]:
    """The Auto Scaling groups EKS made for a managed node group (DescribeNodegroup's resources)."""
    return [a["name"] for a in (group.get("resources") or {}).get("autoScalingGroups") or ()]


# the tag EKS gives the Auto Scaling groups of a cluster's managed node groups, beside eks:nodegroup-name (which
# scripts find a node group's Auto Scaling group by: https://gist.github.com/michelesr/8c5bae9d840b00a1bcf7a4fdef7f0632);
# collect/aws.py finds them by it as well. A group without it is still read, by name (Nodegroup.discover).
EKS_CLUSTER_TAG = "eks:cluster-name"


def _auto_scaling_groups_tagged_for(aws: Aws, cluster: str) -> dict[str, dict[str, str]]:
    """The tags of each Auto Scaling group EKS made for a node group of `cluster`, found by EKS's tag."""
    listed = paginate(aws.client("autoscaling"), "describe_auto_scaling_groups", "AutoScalingGroups",
                      Filters=[{"Name": f"tag:{EKS_CLUSTER_TAG}", "Values": [cluster]}])
    return _tags_by_group(listed)


def _node_groups_of(aws: Aws, cluster: str) -> tuple[list[tuple[str, str, dict]], dict[str, dict[str, str]]]:
    """(cluster, name, description) of each of the cluster's node groups, and the tags of the Auto Scaling groups
    EKS made for them, listed by EKS's tag while the node groups are described rather than after."""
    eks = aws.client("eks")
    names = list(paginate(eks, "list_nodegroups", "nodegroups", clusterName=cluster))
    if not names:
        return [], {}
    steps: list[Callable[[], Any]] = [
        lambda: concurrently(lambda name: eks.describe_nodegroup(clusterName=cluster, nodegroupName=name)["nodegroup"],
                             names),
        lambda: _auto_scaling_groups_tagged_for(aws, cluster)]
    groups, tagged = concurrently(lambda step: step(), steps)
    return [(cluster, name, group) for name, group in zip(names, groups, strict=True)], tagged


def _auto_scaling_group_tags(aws: Aws, names: list[str]) -> dict[str, dict[str, str]]:
    """The tags of each named Auto Scaling group that Auto Scaling knows (the emulator's node groups make none),
    read in one round trip for every node group: DescribeAutoScalingGroups takes up to 50 names a call
    (https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_DescribeAutoScalingGroups.html)."""
    autoscaling = aws.client("autoscaling")
    described = concurrently(lambda chunk: list(paginate(autoscaling, "describe_auto_scaling_groups",
                                                         "AutoScalingGroups", AutoScalingGroupNames=chunk)),
                             list(chunks(sorted(set(names)), AUTO_SCALING_GROUP_NAMES_PER_CALL)))
    return _tags_by_group(group for groups in described for group in groups)


def _tags_by_group(groups: Iterable[Mapping[str, Any]]) -> dict[str, dict[str, str]]:
    return {group["AutoScalingGroupName"]: tags.from_aws(group.get("Tags")) for group in groups}


def _shared_tags(tag_sets: list[dict[str, str]]) -> dict[str, str]:
    """The tags all the groups carry alike; {} for no group."""
    if not tag_sets:
        return {}
    return {key: value for key, value in tag_sets[0].items() if all(t.get(key) == value for t in tag_sets[1:])}


class Nodegroup(Handler):
    """An EKS managed node group, with its launch template (encrypted root volume, IMDSv2) and, on the Auto Scaling
    group EKS makes for it, the autoscaler's tags (`asg_tags`): EKS copies a node group's tags to neither."""

    kind = kinds.EKS_NODEGROUP
    discovers_with = ("eks", "autoscaling")
    found_through = (kinds.EKS_CLUSTER,)
    properties = frozenset({"cluster_name", "name", "node_role", "subnets", "instance_types", "launch_template",
                            "asg_tags", "ami_type", "scaling", "labels", "taints", "tags"})
    observed = ("tags", "scaling", "labels", "taints", "launch_template", "asg_tags")
    at_least = ("tags", "asg_tags")
    ready_waiter = Wait("eks", "NodegroupActive", _cluster_child("nodegroupName"), aws_durations.MANAGED_NODE_GROUP)
    gone_waiter = Wait("eks", "NodegroupDeleted", _cluster_child("nodegroupName"), aws_durations.MANAGED_NODE_GROUP)

    def comparable(self, properties: Mapping[str, Any]) -> dict[str, Any]:
        compared = super().comparable(properties)
        return {**compared, "taints": sorted(compared["taints"], key=lambda t: t["key"])}

    def discover(self, aws: Aws, scope: Scope) -> Iterable[Existing]:
        described: list[tuple[str, str, dict]] = []
        asg_tags: dict[str, dict[str, str]] = {}
        for cluster in (existing.outputs["name"] for existing in scope.of_type(kinds.EKS_CLUSTER)):
            groups, tagged = _node_groups_of(aws, cluster)
            described += groups
            asg_tags |= tagged
        live = [(cluster, name, group) for cluster, name, group in described
                if tags.belongs(group.get("tags") or {}, scope.name) and group["status"] != "DELETING"]
        # a group without EKS's tag (one made by hand, or by an emulator) is read by its name, a round trip later
        untagged = [a for _, _, group in live for a in _auto_scaling_groups(group) if a not in asg_tags]
        asg_tags |= _auto_scaling_group_tags(aws, untagged)
        for cluster, name, group in live:
            found = group.get("tags") or {}
            template = (group.get("launchTemplate") or {}).get("id")
            shared = _shared_tags([asg_tags[a] for a in _auto_scaling_groups(group) if a in asg_tags])
            yield Existing(
                self.key(found), {"name": name, "arn": group["nodegroupArn"], "cluster_name": cluster},
                {"tags": found, "scaling": group["scalingConfig"], "labels": group.get("labels") or {},
                 "taints": sorted(group.get("taints") or [], key=lambda t: t["key"]),
                 "launch_template": template, "asg_tags": shared},
                ids((kinds.EKS_CLUSTER, cluster), (kinds.IAM_ROLE, group["nodeRole"]),
                    (kinds.SUBNET, group.get("subnets", [])), (kinds.LAUNCH_TEMPLATE, template)),
            )

    def create(self, aws: Aws, p: Mapping[str, Any]) -> Mapping[str, Any]:
        outputs = super().create(aws, p)
        self._tag_auto_scaling_groups(aws, outputs, p["asg_tags"])
        return outputs

    def request_create(self, aws: Aws, p: Mapping[str, Any]) -> Mapping[str, Any]:
        # the root volume's size is the launch template's: EKS refuses diskSize beside a template
        group = aws.client("eks").create_nodegroup(
            clusterName=p["cluster_name"], nodegroupName=p["name"], nodeRole=p["node_role"], subnets=p["subnets"],
            instanceTypes=p["instance_types"], launchTemplate={"id": p["launch_template"]}, amiType=p["ami_type"],
            scalingConfig=p["scaling"], labels=p["labels"], taints=p["taints"], tags=p["tags"],
        )["nodegroup"]
        return {"name": p["name"], "arn": group["nodegroupArn"], "cluster_name": p["cluster_name"]}

    @staticmethod
    def _tag_auto_scaling_groups(aws: Aws, outputs: Mapping[str, Any], wanted: Mapping[str, str]) -> None:
        """The autoscaler's tags on each Auto Scaling group of the node group that Auto Scaling knows; they describe
        the group (what a node would carry), so they do not propagate to instances."""
        described = aws.client("eks").describe_nodegroup(clusterName=outputs["cluster_name"],
                                                         nodegroupName=outputs["name"])["nodegroup"]
        autoscaling = aws.client("autoscaling")
        names = _auto_scaling_groups(described)
        if not names:  # DescribeAutoScalingGroups with no names describes every group in the account
            return
        for group in autoscaling.describe_auto_scaling_groups(AutoScalingGroupNames=names)["AutoScalingGroups"]:
            autoscaling.create_or_update_tags(Tags=[
                {"ResourceId": group["AutoScalingGroupName"], "ResourceType": "auto-scaling-group", "Key": key,
                 "Value": value, "PropagateAtLaunch": False} for key, value in sorted(wanted.items())])

    def update(self, aws: Aws, existing: Existing, p: Mapping[str, Any]) -> Mapping[str, Any]:
        eks = aws.client("eks")
        seen = existing.observed
        retag(seen["tags"], p["tags"], _eks_tags(eks, existing.outputs["arn"]))
        wanted_taints = {t["key"]: t for t in p["taints"]}
        changes = {
            "scalingConfig": p["scaling"],
            "labels": {"addOrUpdateLabels": p["labels"],
                       "removeLabels": sorted(seen["labels"].keys() - p["labels"].keys())},
            "taints": {"addOrUpdateTaints": p["taints"],
                       "removeTaints": [t for t in seen["taints"] if t["key"] not in wanted_taints]},
        }
        eks.update_nodegroup_config(clusterName=p["cluster_name"], nodegroupName=p["name"],
                                    **{k: v for k, v in changes.items() if self._needed(k, v)})
        outputs = self.ready(aws, existing)
        if missing_tags(seen["asg_tags"], p["asg_tags"]):
            self._tag_auto_scaling_groups(aws, outputs, p["asg_tags"])
        return outputs

    @staticmethod
    def _needed(field: str, change: dict) -> bool:
        return field == "scalingConfig" or any(change.values())

    def request_delete(self, aws: Aws, existing: Existing) -> None:
        with tolerating(CLUSTER_GONE):
            aws.client("eks").delete_nodegroup(clusterName=existing.outputs["cluster_name"],
                                               nodegroupName=existing.outputs["name"])


class Addon(Handler):
    kind = kinds.EKS_ADDON
    discovers_with = ("eks",)
    found_through = (kinds.EKS_CLUSTER,)
    properties = frozenset({"cluster_name", "addon", "configuration", "tags"})
    observed = ("tags", "configuration")
    ready_waiter = Wait("eks", "AddonActive", _cluster_child("addonName"), aws_durations.ADDON)
    gone_waiter = Wait("eks", "AddonDeleted", _cluster_child("addonName"), aws_durations.ADDON)

    def discover(self, aws: Aws, scope: Scope) -> Iterable[Existing]:
        eks = aws.client("eks")
        described = _cluster_children(eks, "list_addons", "addons", lambda cluster, name: eks.describe_addon(
            clusterName=cluster, addonName=name)["addon"], scope)
        for cluster, name, addon in described:
            found = addon.get("tags") or {}
            if tags.belongs(found, scope.name) and addon["status"] != "DELETING":
                configuration = addon.get("configurationValues")
                yield Existing(self.key(found), {"name": name, "arn": addon["addonArn"], "cluster_name": cluster},
                               {"tags": found, "configuration": json.loads(configuration) if configuration else None},
                               ids((kinds.EKS_CLUSTER, cluster)))

    @staticmethod
    def _configuration(p: Mapping[str, Any]) -> dict:
        return {"configurationValues": json.dumps(p["configuration"])} if p["configuration"] else {}

    def request_create(self, aws: Aws, p: Mapping[str, Any]) -> Mapping[str, Any]:
        # OVERWRITE: EKS installed its own vpc-cni at cluster creation; the add-on takes it over
        addon = aws.client("eks").create_addon(clusterName=p["cluster_name"], addonName=p["addon"],
                                               resolveConflicts="OVERWRITE", tags=p["tags"],
                                               **self._configuration(p))["addon"]
        return {"name": p["addon"], "arn": addon["addonArn"], "cluster_name": p["cluster_name"]}

    def ready(self, aws: Aws, existing: Existing) -> Mapping[str, Any]:
        """Not waited for: nothing depends on an add-on, so an apply waits only after a call that changes one."""
        return existing.outputs

    def update(self, aws: Aws, existing: Existing, p: Mapping[str, Any]) -> Mapping[str, Any]:
        eks = aws.client("eks")
        retag(existing.observed["tags"], p["tags"], _eks_tags(eks, existing.outputs["arn"]))
        if existing.observed["configuration"] != p["configuration"]:
            eks.update_addon(clusterName=p["cluster_name"], addonName=p["addon"], resolveConflicts="OVERWRITE",
                             configurationValues=json.dumps(p["configuration"] or {}))
            return self.wait_until_ready(aws, existing.outputs)
        return existing.outputs

    def request_delete(self, aws: Aws, existing: Existing) -> None:
        with tolerating(CLUSTER_GONE):
            aws.client("eks").delete_addon(clusterName=existing.outputs["cluster_name"],
                                           addonName=existing.outputs["name"])


class AccessEntry(Handler):
    kind = kinds.EKS_ACCESS_ENTRY
    discovers_with = ("eks",)
    found_through = (kinds.EKS_CLUSTER,)
    properties = frozenset({"cluster_name", "principal_arn", "type", "tags"})

    def discover(self, aws: Aws, scope: Scope) -> Iterable[Existing]:
        eks = aws.client("eks")
        described = _cluster_children(eks, "list_access_entries", "accessEntries",
                                      lambda cluster, principal: eks.describe_access_entry(
                                          clusterName=cluster, principalArn=principal)["accessEntry"], scope)
        for cluster, principal, entry in described:
            found = entry.get("tags") or {}
            if tags.belongs(found, scope.name):
                yield Existing(self.key(found), {"arn": entry["accessEntryArn"], "principal_arn": principal,
                                                 "cluster_name": cluster},
                               {"tags": found}, ids((kinds.EKS_CLUSTER, cluster), (kinds.IAM_ROLE, principal)))

    def request_create(self, aws: Aws, p: Mapping[str, Any]) -> Mapping[str, Any]:
        entry = aws.client("eks").create_access_entry(
            clusterName=p["cluster_name"], principalArn=p["principal_arn"], type=p["type"], tags=p["tags"],
        )["accessEntry"]
        return {"arn": entry["accessEntryArn"], "principal_arn": p["principal_arn"], "cluster_name": p["cluster_name"]}

    def update(self, aws: Aws, existing: Existing, p: Mapping[str, Any]) -> Mapping[str, Any]:
        retag(existing.observed["tags"], p["tags"], _eks_tags(aws.client("eks"), existing.outputs["arn"]))
        return existing.outputs

    def request_delete(self, aws: Aws, existing: Existing) -> None:
        with tolerating(CLUSTER_GONE):
            aws.client("eks").delete_access_entry(clusterName=existing.outputs["cluster_name"],
                                                  principalArn=existing.outputs["principal_arn"])
