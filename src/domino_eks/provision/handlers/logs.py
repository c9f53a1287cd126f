"""CloudWatch Logs: the log group EKS writes the control-plane logs to, made by the tool so that it has the
spec's retention and the deployment's tags (EKS would create it without either). Destroy keeps it, and the
audit trail in it, unless asked to delete data."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from domino_eks.aws.session import Aws
from domino_eks.provision import kinds, tags
from domino_eks.provision.handlers.base import Handler, Scope, paginate, refusing_foreign, retag, tolerating
from domino_eks.provision.resources import Existing

GONE = "ResourceNotFoundException"
# EKS never deletes the group: a former cluster of this name leaves it behind, untagged unless this tool made it
LEFT_BEHIND = ("the control-plane logs of an earlier cluster of this name, most likely: delete the group once its "
               "logs are no longer needed, or choose another metadata.name")


def control_plane_log_group(cluster: str) -> str:
    """The name EKS sends a cluster's control-plane logs to (it cannot be chosen):
    https://docs.aws.amazon.com/eks/latest/userguide/control-plane-logs.html"""
    return f"/aws/eks/{cluster}/cluster"


class LogGroup(Handler):
    kind = kinds.LOG_GROUP
    properties = frozenset({"name", "retention_days", "tags"})
    observed = ("tags", "retention_days")
    kept_without_delete_data = "the control-plane logs"

    def discover(self, aws: Aws, scope: Scope) -> Iterable[Existing]:
        logs = aws.client("logs")
        name = control_plane_log_group(scope.name)
        for group in paginate(logs, "describe_log_groups", "logGroups", logGroupNamePrefix=name):
            if group["logGroupName"] != name:
                continue
            found = logs.list_tags_log_group(logGroupName=name).get("tags") or {}
            if tags.belongs(found, scope.name):
                yield Existing(self.key(found), {"name": name},
                               {"tags": found, "retention_days": group.get("retentionInDays")})

    def request_create(self, aws: Aws, p: Mapping[str, Any]) -> Mapping[str, Any]:
        logs = aws.client("logs")
        # CreateLogGroup writes the tags with the group (its `tags` parameter): no untagged group of ours exists
        with refusing_foreign("log group", p["name"], "ResourceAlreadyExistsException", remedy=LEFT_BEHIND):
            logs.create_log_group(logGroupName=p["name"], tags=p["tags"])
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
