"""Self-managed node groups, as the page recommends: a launch template and an Auto Scaling group per pool per zone;
managed node groups get a launch template too (handlers/eks.py's Nodegroup names it).

A launch template's data is compared through a digest kept in one of its tags: AWS echoes launch data
back with its own defaults filled in, so comparing the data itself would report drift that is not there.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from typing import Any

from domino_eks.aws.session import Aws
from domino_eks.provision import kinds, tags, userdata, waiters
from domino_eks.provision.handlers.base import (
    Handler,
    Scope,
    ids,
    missing_tags,
    ours,
    paginate,
    retag,
    tag_spec,
    tolerating,
)
from domino_eks.provision.resources import UNKNOWN, Existing, is_known
from domino_eks.provision.waiters import Wait

DIGEST_TAG = "domino-eks/launch-data"
# the largest page DescribeLaunchTemplates gives; without a page size the emulator answers 15 templates and
# no continuation token, so discovery would miss the rest
LAUNCH_TEMPLATE_PAGE = 200
NOT_TERMINATED = ["pending", "running", "shutting-down", "stopping", "stopped"]


def launch_data(p: Mapping[str, Any]) -> dict[str, Any]:
    """The template's LaunchTemplateData: the builder's fields plus the user data that joins the cluster, except for
    a managed group's template (no `bootstrap`), whose user data EKS writes itself."""
    bootstrap = p["bootstrap"]
    if bootstrap is None:
        return dict(p["data"])
    user_data = userdata.render(bootstrap["kubelet_flags"], bootstrap["pre_bootstrap_commands"], p["cluster"])
    return {**p["data"], "UserData": user_data}


def digest(p: Mapping[str, Any]) -> Any:
    if not (is_known(p["data"]) and is_known(p["cluster"])):
        return UNKNOWN
    return hashlib.sha256(json.dumps(launch_data(p), sort_keys=True).encode()).hexdigest()[:16]


class LaunchTemplate(Handler):
    kind = kinds.LAUNCH_TEMPLATE
    discovers_with = ("ec2",)
    properties = frozenset({"name", "bootstrap", "cluster", "data", "tags"})
    observed = ("tags", "launch_data")
    derived = frozenset({"launch_data"})

    def comparable(self, properties: Mapping[str, Any]) -> dict[str, Any]:
        return {"tags": properties["tags"], "launch_data": digest(properties)}

    def discover(self, aws: Aws, scope: Scope) -> Iterable[Existing]:
        listed = paginate(aws.client("ec2"), "describe_launch_templates", "LaunchTemplates",
                          Filters=tags.filters(scope.name), PaginationConfig={"PageSize": LAUNCH_TEMPLATE_PAGE})
        for template, found in ours(listed, scope):
            recorded = found.pop(DIGEST_TAG, None)
            yield Existing(self.key(found),
                           {"id": template["LaunchTemplateId"], "name": template["LaunchTemplateName"]},
                           {"tags": found, "launch_data": recorded})

    def request_create(self, aws: Aws, p: Mapping[str, Any]) -> Mapping[str, Any]:
        template = aws.client("ec2").create_launch_template(
            LaunchTemplateName=p["name"], LaunchTemplateData=launch_data(p),
            TagSpecifications=tag_spec("launch-template", {**p["tags"], DIGEST_TAG: digest(p)}),
        )["LaunchTemplate"]
        return {"id": template["LaunchTemplateId"], "name": template["LaunchTemplateName"]}

    def update(self, aws: Aws, existing: Existing, p: Mapping[str, Any]) -> Mapping[str, Any]:
        ec2 = aws.client("ec2")
        template_id = existing.outputs["id"]
        wanted = digest(p)
        if existing.observed["launch_data"] != wanted:
            version = ec2.create_launch_template_version(LaunchTemplateId=template_id,
                                                         LaunchTemplateData=launch_data(p))
            number = version["LaunchTemplateVersion"]["VersionNumber"]
            # Auto Scaling groups launch "$Default": new nodes get the new data, running ones keep theirs
            ec2.modify_launch_template(LaunchTemplateId=template_id, DefaultVersion=str(number))
        changed = missing_tags(existing.observed["tags"], p["tags"]) | {DIGEST_TAG: wanted}
        ec2.create_tags(Resources=[template_id], Tags=tags.to_aws(changed))
        return existing.outputs

    def request_delete(self, aws: Aws, existing: Existing) -> None:
        with tolerating("InvalidLaunchTemplateId.NotFound"):
            aws.client("ec2").delete_launch_template(LaunchTemplateId=existing.outputs["id"])


def _instances_of(outputs: Mapping[str, Any]) -> dict[str, Any]:
    return {"Filters": [{"Name": "tag:aws:autoscaling:groupName", "Values": [outputs["name"]]},
                        {"Name": "instance-state-name", "Values": NOT_TERMINATED}]}


class AutoScalingGroup(Handler):
    kind = kinds.AUTO_SCALING_GROUP
    discovers_with = ("autoscaling",)
    properties = frozenset({"name", "launch_template_id", "subnet_ids", "min_size", "max_size", "initial_desired",
                            "desired_capacity", "propagated", "tags"})
    observed = ("tags", "min_size", "max_size", "desired_capacity", "launch_template_id", "subnet_ids")
    # until its instances are gone, their interfaces hold the subnet and the security group
    gone_waiter = Wait("ec2", "InstancesGone", _instances_of)

    def comparable(self, properties: Mapping[str, Any]) -> dict[str, Any]:
        """Tags as value and whether instances inherit it: both are part of what the page asks for."""
        propagated = set(properties["propagated"])
        compared = super().comparable(properties)
        compared["tags"] = {key: [value, key in propagated] for key, value in properties["tags"].items()}
        compared["subnet_ids"] = sorted(properties["subnet_ids"], key=str)
        return compared

    def discover(self, aws: Aws, scope: Scope) -> Iterable[Existing]:
        for group in paginate(aws.client("autoscaling"), "describe_auto_scaling_groups", "AutoScalingGroups",
                              Filters=[{"Name": f"tag:{tags.DEPLOYMENT}", "Values": [scope.name]}]):
            found = {t["Key"]: [t["Value"], t["PropagateAtLaunch"]] for t in group.get("Tags", [])
                     if not t["Key"].startswith(tags.AWS_RESERVED_PREFIX)}
            if group.get("Status") == "Delete in progress" or not tags.belongs({k: v[0] for k, v in found.items()},
                                                                                scope.name):
                continue
            template = group.get("LaunchTemplate", {}).get("LaunchTemplateId")
            subnets = sorted(s for s in group.get("VPCZoneIdentifier", "").split(",") if s)
            yield Existing(
                self.key({k: v[0] for k, v in found.items()}),
                {"name": group["AutoScalingGroupName"], "arn": group["AutoScalingGroupARN"]},
                {"tags": found, "min_size": group["MinSize"], "max_size": group["MaxSize"],
                 "desired_capacity": group["DesiredCapacity"], "launch_template_id": template, "subnet_ids": subnets},
                ids((kinds.LAUNCH_TEMPLATE, template), (kinds.SUBNET, subnets)),
            )

    @staticmethod
    def _tags(name: str, p: Mapping[str, Any]) -> list[dict]:
        propagated = set(p["propagated"])
        return [{"ResourceId": name, "ResourceType": "auto-scaling-group", "Key": key, "Value": value,
                 "PropagateAtLaunch": key in propagated} for key, value in sorted(p["tags"].items())]

    @staticmethod
    def _shape(p: Mapping[str, Any], desired: int | None) -> dict[str, Any]:
        """Without a desired size AWS keeps the group's own, raised to a new minimum if need be."""
        shape = {
            "LaunchTemplate": {"LaunchTemplateId": p["launch_template_id"], "Version": "$Default"},
            "MinSize": p["min_size"], "MaxSize": p["max_size"], "VPCZoneIdentifier": ",".join(p["subnet_ids"]),
        }
        return shape if desired is None else shape | {"DesiredCapacity": desired}

    def request_create(self, aws: Aws, p: Mapping[str, Any]) -> Mapping[str, Any]:
        autoscaling = aws.client("autoscaling")
        autoscaling.create_auto_scaling_group(AutoScalingGroupName=p["name"], Tags=self._tags(p["name"], p),
                                              **self._shape(p, p["initial_desired"]))
        group = autoscaling.describe_auto_scaling_groups(AutoScalingGroupNames=[p["name"]])["AutoScalingGroups"][0]
        return {"name": p["name"], "arn": group["AutoScalingGroupARN"]}

    def update(self, aws: Aws, existing: Existing, p: Mapping[str, Any]) -> Mapping[str, Any]:
        autoscaling = aws.client("autoscaling")
        name = existing.outputs["name"]
        autoscaling.update_auto_scaling_group(AutoScalingGroupName=name, **self._shape(p, p["desired_capacity"]))
        retag(existing.observed["tags"], self.comparable(p)["tags"], lambda changed: autoscaling.create_or_update_tags(
            Tags=[t for t in self._tags(name, p) if t["Key"] in changed]))
        return existing.outputs

    def request_delete(self, aws: Aws, existing: Existing) -> None:
        autoscaling, name = aws.client("autoscaling"), existing.outputs["name"]
        with tolerating("ValidationError"):  # "AutoScalingGroup name not found"
            autoscaling.delete_auto_scaling_group(AutoScalingGroupName=name, ForceDelete=True)
        # the group uses its launch template until it is gone; its instances outlive it (gone_waiter)
        waiters.wait(autoscaling, "GroupDeleted", AutoScalingGroupNames=[name])
