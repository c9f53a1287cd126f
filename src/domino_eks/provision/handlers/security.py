"""Security groups and the ingress rules between them.

Rules are resources of their own, as eksctl's template has them: the control plane and the nodes admit
each other, and a group whose rules lived inside it would wait on the other group — a cycle.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from domino_eks.aws import faults
from domino_eks.aws.session import Aws
from domino_eks.provision import kinds, tags, waiters
from domino_eks.provision.handlers.base import (
    Handler,
    Scope,
    ids,
    ours,
    paginate,
    retag,
    tag_spec,
    tolerating,
)
from domino_eks.provision.handlers.network import ec2_tags
from domino_eks.provision.resources import Existing


class SecurityGroup(Handler):
    kind = kinds.SECURITY_GROUP
    discovers_with = ("ec2",)
    properties = frozenset({"group_name", "description", "vpc_id", "tags"})

    def discover(self, aws: Aws, scope: Scope) -> Iterable[Existing]:
        listed = paginate(aws.client("ec2"), "describe_security_groups", "SecurityGroups",
                          Filters=tags.filters(scope.name))
        for group, found in ours(listed, scope):
            yield Existing(self.key(found), {"id": group["GroupId"]}, {"tags": found},
                           ids((kinds.VPC, group["VpcId"])))

    def request_create(self, aws: Aws, p: Mapping[str, Any]) -> Mapping[str, Any]:
        ec2 = aws.client("ec2")
        group_id = ec2.create_security_group(
            GroupName=p["group_name"], Description=p["description"], VpcId=p["vpc_id"],
            TagSpecifications=tag_spec("security-group", p["tags"]),
        )["GroupId"]
        waiters.wait(ec2, "SecurityGroupExists", GroupIds=[group_id])
        return {"id": group_id}

    def update(self, aws: Aws, existing: Existing, p: Mapping[str, Any]) -> Mapping[str, Any]:
        retag(existing.observed["tags"], p["tags"], ec2_tags(aws.client("ec2"), existing.outputs["id"]))
        return existing.outputs

    def request_delete(self, aws: Aws, existing: Existing) -> None:
        with tolerating("InvalidGroup.NotFound"):
            aws.client("ec2").delete_security_group(GroupId=existing.outputs["id"])


class SecurityGroupIngress(Handler):
    kind = kinds.SECURITY_GROUP_INGRESS
    discovers_with = ("ec2",)
    properties = frozenset({"group_id", "source_group_id", "protocol", "ports", "description", "tags"})

    def discover(self, aws: Aws, scope: Scope) -> Iterable[Existing]:
        listed = paginate(aws.client("ec2"), "describe_security_group_rules", "SecurityGroupRules",
                          Filters=tags.filters(scope.name))
        for rule, found in ours(listed, scope):
            source = rule.get("ReferencedGroupInfo", {}).get("GroupId")
            yield Existing(self.key(found), {"id": rule["SecurityGroupRuleId"], "group_id": rule["GroupId"]},
                           {"tags": found}, ids((kinds.SECURITY_GROUP, [rule["GroupId"], source])))

    @staticmethod
    def _permission(p: Mapping[str, Any]) -> dict:
        # the description lives on the group pair: EC2 keeps it as the rule's Description
        permission: dict[str, Any] = {"IpProtocol": p["protocol"], "UserIdGroupPairs": [
            {"GroupId": p["source_group_id"], "Description": p["description"]}]}
        if p["ports"]:
            permission["FromPort"], permission["ToPort"] = p["ports"]
        return permission

    def request_create(self, aws: Aws, p: Mapping[str, Any]) -> Mapping[str, Any]:
        ec2 = aws.client("ec2")
        try:
            created = ec2.authorize_security_group_ingress(
                GroupId=p["group_id"], IpPermissions=[self._permission(p)],
                TagSpecifications=tag_spec("security-group-rule", p["tags"]),
            )["SecurityGroupRules"][0]
            return {"id": created["SecurityGroupRuleId"], "group_id": p["group_id"]}
        except Exception as error:
            if faults.code_of(error) != "InvalidPermission.Duplicate":
                raise
        # the same rule exists without our tags (added by hand): adopt it rather than fail
        rule_id = self._matching_rule(ec2, p)
        ec2.create_tags(Resources=[rule_id], Tags=tags.to_aws(p["tags"]))
        return {"id": rule_id, "group_id": p["group_id"]}

    def _matching_rule(self, ec2: Any, p: Mapping[str, Any]) -> str:
        from_port, to_port = p["ports"] or (-1, -1)
        for rule in paginate(ec2, "describe_security_group_rules", "SecurityGroupRules",
                             Filters=[{"Name": "group-id", "Values": [p["group_id"]]}]):
            if (not rule["IsEgress"] and rule["IpProtocol"] == p["protocol"]
                    and rule.get("ReferencedGroupInfo", {}).get("GroupId") == p["source_group_id"]
                    and (rule.get("FromPort", -1), rule.get("ToPort", -1)) == (from_port, to_port)):
                return rule["SecurityGroupRuleId"]
        raise LookupError(f"AWS reports a duplicate of rule {p} on {p['group_id']} but lists none")

    def update(self, aws: Aws, existing: Existing, p: Mapping[str, Any]) -> Mapping[str, Any]:
        retag(existing.observed["tags"], p["tags"], ec2_tags(aws.client("ec2"), existing.outputs["id"]))
        return existing.outputs

    def request_delete(self, aws: Aws, existing: Existing) -> None:
        with tolerating("InvalidPermission.NotFound", "InvalidGroup.NotFound", "InvalidSecurityGroupRuleId.NotFound"):
            aws.client("ec2").revoke_security_group_ingress(
                GroupId=existing.outputs["group_id"], SecurityGroupRuleIds=[existing.outputs["id"]])
