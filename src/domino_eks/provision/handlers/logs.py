"""CloudWatch Logs: the log group EKS writes the control-plane logs to, made by the tool so that it has the
spec's retention and the deployment's tags (EKS would create it without either), and the VPC's flow log with
the group it writes to (rule C009). Destroy keeps both groups, and the audit trail in them, unless asked to
delete data; it deletes the flow log itself."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from domino_eks.aws import faults
from domino_eks.aws.session import Aws
from domino_eks.provision import kinds, tags
from domino_eks.provision.handlers.base import (
    Handler,
    Scope,
    created_or_own,
    ids,
    ours,
    paginate,
    retag,
    tag_spec,
    together,
    tolerating,
)
from domino_eks.provision.handlers.network import ec2_tags
from domino_eks.provision.resources import Existing

GONE = "ResourceNotFoundException"
# EKS never deletes the group: a former cluster of this name leaves it behind, untagged unless this tool made it
LEFT_BEHIND = ("the control-plane logs of an earlier cluster of this name, most likely: delete the group once its "
               "logs are no longer needed, or choose another metadata.name")


def control_plane_log_group(cluster: str) -> str:
    """The name EKS sends a cluster's control-plane logs to (it cannot be chosen):
    https://docs.aws.amazon.com/eks/latest/userguide/control-plane-logs.html"""
    return f"/aws/eks/{cluster}/cluster"


def flow_log_group(cluster: str) -> str:
    """The group the VPC's flow log writes to: the tool's choice, beside the control-plane logs' name."""
    return f"/aws/vpc-flow-logs/{cluster}"


# what the flow-logs service does with the role, per https://docs.aws.amazon.com/vpc/latest/userguide/
# flow-logs-iam-role.html (less logs:CreateLogGroup: the tool makes the group)
FLOW_LOG_ACTIONS = ("logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogGroups", "logs:DescribeLogStreams")


def _group(logs: Any, name: str) -> dict[str, Any]:
    """The log group of exactly this name ({} when there is none: the listing matches names by prefix)."""
    return next((g for g in paginate(logs, "describe_log_groups", "logGroups", logGroupNamePrefix=name)
                 if g["logGroupName"] == name), {})


def _tags(logs: Any, name: str) -> dict[str, str]:
    try:
        return logs.list_tags_log_group(logGroupName=name).get("tags") or {}
    except Exception as error:
        if faults.code_of(error) == GONE:
            return {}
        raise


class LogGroup(Handler):
    kind = kinds.LOG_GROUP
    discovers_with = ("logs",)
    properties = frozenset({"name", "retention_days", "tags"})
    observed = ("tags", "retention_days")
    kept_without_delete_data = "the logs it holds"

    def discover(self, aws: Aws, scope: Scope) -> Iterable[Existing]:
        logs = aws.client("logs")
        names = [control_plane_log_group(scope.name), flow_log_group(scope.name)]
        # a group's listing and its tags are read by its name, independently: the four calls go at once
        answers = together((lambda name: _group(logs, name), lambda name: _tags(logs, name)), names)
        for name, (group, found) in zip(names, answers, strict=True):
            if group and tags.belongs(found, scope.name):
                yield Existing(self.key(found), {"name": name},
                               {"tags": found, "retention_days": group.get("retentionInDays")})

    def request_create(self, aws: Aws, p: Mapping[str, Any]) -> Mapping[str, Any]:
        logs = aws.client("logs")
        # CreateLogGroup writes the tags with the group (its `tags` parameter): no untagged group of ours exists
        created_or_own("log group", p["name"], lambda: logs.create_log_group(logGroupName=p["name"], tags=p["tags"]),
                       lambda: ({}, _tags(logs, p["name"])), p["tags"], "ResourceAlreadyExistsException",
                       remedy=LEFT_BEHIND)
        logs.put_retention_policy(logGroupName=p["name"], retentionInDays=p["retention_days"])
        return {"name": p["name"]}

    def update(self, aws: Aws, existing: Existing, p: Mapping[str, Any]) -> Mapping[str, Any]:
        logs = aws.client("logs")
        retag(existing.observed["tags"], p["tags"],
              lambda changed: logs.tag_log_group(logGroupName=p["name"], tags=changed))
        if existing.observed["retention_days"] != p["retention_days"]:
            logs.put_retention_policy(logGroupName=p["name"], retentionInDays=p["retention_days"])
        return existing.outputs

    def request_delete(self, aws: Aws, existing: Existing) -> None:
        with tolerating(GONE):
            aws.client("logs").delete_log_group(logGroupName=existing.outputs["name"])


class FlowLog(Handler):
    """A flow log of all the VPC's traffic (accepted and rejected), delivered to CloudWatch Logs by the role, or
    to the S3 bucket `bucket_arn` names."""

    kind = kinds.FLOW_LOG
    discovers_with = ("ec2",)
    properties = frozenset({"vpc_id", "log_group", "role_arn", "bucket_arn", "tags"})
    observed = ("tags", "bucket_arn")
    immutable = ("bucket_arn",)  # EC2 cannot move a flow log to another destination: a change needs a new one

    def discover(self, aws: Aws, scope: Scope) -> Iterable[Existing]:
        listed = paginate(aws.client("ec2"), "describe_flow_logs", "FlowLogs", Filter=tags.filters(scope.name))
        for flow_log, found in ours(listed, scope):
            bucket = flow_log.get("LogDestination") if flow_log.get("LogDestinationType") == "s3" else None
            yield Existing(self.key(found), {"id": flow_log["FlowLogId"]}, {"tags": found, "bucket_arn": bucket},
                           ids((kinds.VPC, flow_log.get("ResourceId"))))

    def request_create(self, aws: Aws, p: Mapping[str, Any]) -> Mapping[str, Any]:
        destination = {"LogDestinationType": "s3", "LogDestination": p["bucket_arn"]} if p["bucket_arn"] else {
            "LogDestinationType": "cloud-watch-logs", "LogGroupName": p["log_group"],
            "DeliverLogsPermissionArn": p["role_arn"]}
        created = aws.client("ec2").create_flow_logs(
            ResourceIds=[p["vpc_id"]], ResourceType="VPC", TrafficType="ALL", **destination,
            TagSpecifications=tag_spec("vpc-flow-log", p["tags"]),
        )
        # EC2 answers 200 with the failure inside (an unknown VPC, a role it may not pass)
        if created.get("Unsuccessful"):
            error = created["Unsuccessful"][0]["Error"]
            raise RuntimeError(f"EC2 created no flow log for {p['vpc_id']}: {error['Code']}: {error['Message']}")
        return {"id": created["FlowLogIds"][0]}

    def update(self, aws: Aws, existing: Existing, p: Mapping[str, Any]) -> Mapping[str, Any]:
        retag(existing.observed["tags"], p["tags"], ec2_tags(aws.client("ec2"), existing.outputs["id"]))
        return existing.outputs

    def request_delete(self, aws: Aws, existing: Existing) -> None:
        with tolerating("InvalidFlowLogId.NotFound"):
            aws.client("ec2").delete_flow_logs(FlowLogIds=[existing.outputs["id"]])
