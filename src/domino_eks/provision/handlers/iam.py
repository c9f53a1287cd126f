"""IAM: the cluster's role, the nodes' roles and instance profiles, the controllers' Pod Identity roles, and the
page's S3 and autoscaler policies.

IAM lists cannot filter on tags and the Resource Groups Tagging API does not index IAM roles, so discovery
reads the names the spec gives (apply names every IAM resource from the cluster's name) and keeps those
tagged with the deployment: listing every role of an account costs a call per role. Roles get no path:
aws-auth and access entries handle role ARNs with paths badly.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from domino_eks.aws import faults
from domino_eks.aws.session import Aws
from domino_eks.knowledge import regions
from domino_eks.knowledge.iam import FLOW_LOGS_SERVICE, POD_IDENTITY_SERVICE, POD_IDENTITY_TRUST_ACTIONS
from domino_eks.provision import kinds, tags, waiters
from domino_eks.provision.handlers.base import (
    Handler,
    Scope,
    concurrently,
    created_or_own,
    ids,
    paginate,
    retag,
    together,
    tolerating,
)
from domino_eks.provision.resources import Existing

POLICY_VERSIONS = 5  # IAM keeps at most five versions of a managed policy
TAKEN = "EntityAlreadyExists"  # CreateRole, CreatePolicy, CreateInstanceProfile: the name is taken


def _named(read: Callable[[str], Any], names: Iterable[str]) -> list[Any]:
    """What `read` answers for each name that exists, all read at once."""
    return [answer for answer in concurrently(lambda name: _if_there(read, name), names) if answer is not None]


def _named_pairs(first: Callable[[str], Any], second: Callable[[str], Any], names: Iterable[str]
                 ) -> list[tuple[Any, Any]]:
    """(first(name), second(name)) for each name that exists, read together."""
    return [(one, other) for one, other in together(
        (lambda name: _if_there(first, name), lambda name: _if_there(second, name)), names)
        if one is not None and other is not None]


def _if_there(read: Callable[[str], Any], name: str) -> Any:
    try:
        return read(name)
    except Exception as error:
        if faults.code_of(error) == "NoSuchEntity":
            return None
        raise


def _with_tags(entity: Mapping[str, Any]) -> tuple[Mapping[str, Any], dict[str, str]]:
    """An IAM entity and its tags: IAM's Get calls of roles and instance profiles answer both in one."""
    return entity, tags.from_aws(entity.get("Tags"))


def _policy(iam: Any, arn: str) -> Any:
    return iam.get_policy(PolicyArn=arn)["Policy"]


def _policy_tags(iam: Any, arn: str) -> dict[str, str]:
    """A managed policy's tags: unlike a role's, they are not in its Get call's answer."""
    return tags.from_aws(iam.list_policy_tags(PolicyArn=arn)["Tags"])


def _policy_arn(aws: Aws, name: str) -> str:
    """The ARN of this account's policy `name` (IAM's Get calls take a policy by ARN only)."""
    return f"arn:{regions.partition(aws.region)}:iam::{aws.account_id()}:policy/{name}"


def trust(service: str, condition: Mapping[str, Any] | None = None) -> str:
    actions = list(POD_IDENTITY_TRUST_ACTIONS) if service == POD_IDENTITY_SERVICE else "sts:AssumeRole"
    statement = {"Effect": "Allow", "Principal": {"Service": service}, "Action": actions}
    return json.dumps({"Version": "2012-10-17", "Statement": [{**statement, **({"Condition": condition}
                                                                             if condition else {})}]})


def confused_deputy_guard(aws: Aws, service: str) -> dict[str, Any] | None:
    """The condition that lets the flow-logs service assume the role only for this account's own flow logs: "We
    recommend that you use the aws:SourceAccount and aws:SourceArn condition keys to protect yourself against the
    confused deputy problem" (https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs-iam-role.html). The flow
    log's id comes after the role, hence the wildcard the page allows."""
    if service != FLOW_LOGS_SERVICE:
        return None
    account = aws.account_id()
    source = f"arn:{regions.partition(aws.region)}:ec2:{aws.region}:{account}:vpc-flow-log/*"
    return {"StringEquals": {"aws:SourceAccount": account}, "ArnLike": {"aws:SourceArn": source}}


class ManagedPolicy(Handler):
    kind = kinds.IAM_POLICY
    discovers_with = ("iam", "sts")
    properties = frozenset({"name", "document", "tags"})
    observed = ("tags", "document")

    def discover(self, aws: Aws, scope: Scope) -> Iterable[Existing]:
        iam = aws.client("iam")
        names = scope.names(self.kind)
        if not names:
            return
        policies = _named_pairs(lambda name: _policy(iam, _policy_arn(aws, name)),
                                lambda name: _policy_tags(iam, _policy_arn(aws, name)), names)
        ours = [(policy, found) for policy, found in policies if tags.belongs(found, scope.name)]
        documents = concurrently(lambda policy: _document(iam.get_policy_version(
            PolicyArn=policy["Arn"], VersionId=policy["DefaultVersionId"])["PolicyVersion"]["Document"]),
            [policy for policy, _ in ours])
        for (policy, found), document in zip(ours, documents, strict=True):
            yield Existing(self.key(found), {"arn": policy["Arn"], "name": policy["PolicyName"]},
                           {"tags": found, "document": document})

    def request_create(self, aws: Aws, p: Mapping[str, Any]) -> Mapping[str, Any]:
        iam = aws.client("iam")
        # the three IAM creates write the tags with the entity (their Tags parameter)
        policy = created_or_own(
            "IAM policy", p["name"],
            lambda: iam.create_policy(PolicyName=p["name"], PolicyDocument=json.dumps(p["document"]),
                                      Tags=tags.to_aws(p["tags"]))["Policy"],
            lambda: (_policy(iam, _policy_arn(aws, p["name"])), _policy_tags(iam, _policy_arn(aws, p["name"]))),
            p["tags"], TAKEN)
        waiters.wait(iam, "PolicyExists", PolicyArn=policy["Arn"])
        return {"arn": policy["Arn"], "name": policy["PolicyName"]}

    def update(self, aws: Aws, existing: Existing, p: Mapping[str, Any]) -> Mapping[str, Any]:
        iam = aws.client("iam")
        arn = existing.outputs["arn"]
        if existing.observed["document"] != p["document"]:
            versions = iam.list_policy_versions(PolicyArn=arn)["Versions"]
            if len(versions) >= POLICY_VERSIONS:
                oldest = min((v for v in versions if not v["IsDefaultVersion"]), key=lambda v: v["CreateDate"])
                iam.delete_policy_version(PolicyArn=arn, VersionId=oldest["VersionId"])
            iam.create_policy_version(PolicyArn=arn, PolicyDocument=json.dumps(p["document"]), SetAsDefault=True)
        retag(existing.observed["tags"], p["tags"],
              lambda changed: iam.tag_policy(PolicyArn=arn, Tags=tags.to_aws(changed)))
        return existing.outputs

    def request_delete(self, aws: Aws, existing: Existing) -> None:
        iam = aws.client("iam")
        arn = existing.outputs["arn"]
        with tolerating("NoSuchEntity"):
            for role in paginate(iam, "list_entities_for_policy", "PolicyRoles", PolicyArn=arn):
                iam.detach_role_policy(RoleName=role["RoleName"], PolicyArn=arn)
            for version in iam.list_policy_versions(PolicyArn=arn)["Versions"]:
                if not version["IsDefaultVersion"]:
                    iam.delete_policy_version(PolicyArn=arn, VersionId=version["VersionId"])
            iam.delete_policy(PolicyArn=arn)


def _document(document: str | dict) -> dict:
    """boto3 decodes policy documents to dicts; some endpoints return them as (URL-decoded) JSON text."""
    return json.loads(document) if isinstance(document, str) else document


class Role(Handler):
    kind = kinds.IAM_ROLE
    discovers_with = ("iam",)
    properties = frozenset({"name", "service", "policy_arns", "tags"})
    observed = ("tags", "policy_arns")
    at_least = ("tags", "policy_arns")  # a policy someone else attached is theirs to remove

    def comparable(self, properties: Mapping[str, Any]) -> dict[str, Any]:
        return {"tags": properties["tags"], "policy_arns": sorted(properties["policy_arns"], key=str)}

    def discover(self, aws: Aws, scope: Scope) -> Iterable[Existing]:
        iam = aws.client("iam")
        roles = _named(lambda name: iam.get_role(RoleName=name)["Role"], scope.names(self.kind))
        ours = [(role, found) for role in roles if tags.belongs(found := tags.from_aws(role.get("Tags")), scope.name)]
        attached_lists = concurrently(lambda role: sorted(p["PolicyArn"] for p in paginate(
            iam, "list_attached_role_policies", "AttachedPolicies", RoleName=role["RoleName"])),
            [role for role, _ in ours])
        for (role, found), attached in zip(ours, attached_lists, strict=True):
            yield Existing(self.key(found), {"name": role["RoleName"], "arn": role["Arn"]},
                           {"tags": found, "policy_arns": attached}, ids((kinds.IAM_POLICY, attached)))

    def request_create(self, aws: Aws, p: Mapping[str, Any]) -> Mapping[str, Any]:
        iam = aws.client("iam")
        role = created_or_own(
            "IAM role", p["name"],
            lambda: iam.create_role(RoleName=p["name"], AssumeRolePolicyDocument=trust(
                p["service"], confused_deputy_guard(aws, p["service"])), Tags=tags.to_aws(p["tags"]))["Role"],
            lambda: _with_tags(iam.get_role(RoleName=p["name"])["Role"]),
            p["tags"], TAKEN)
        waiters.wait(iam, "RoleExists", RoleName=p["name"])
        for arn in p["policy_arns"]:
            iam.attach_role_policy(RoleName=p["name"], PolicyArn=arn)
        return {"name": role["RoleName"], "arn": role["Arn"]}

    def update(self, aws: Aws, existing: Existing, p: Mapping[str, Any]) -> Mapping[str, Any]:
        iam = aws.client("iam")
        name = existing.outputs["name"]
        for arn in set(p["policy_arns"]) - set(existing.observed["policy_arns"]):
            iam.attach_role_policy(RoleName=name, PolicyArn=arn)
        retag(existing.observed["tags"], p["tags"],
              lambda changed: iam.tag_role(RoleName=name, Tags=tags.to_aws(changed)))
        return existing.outputs

    def request_delete(self, aws: Aws, existing: Existing) -> None:
        iam = aws.client("iam")
        name = existing.outputs["name"]
        with tolerating("NoSuchEntity"):
            for policy in paginate(iam, "list_attached_role_policies", "AttachedPolicies", RoleName=name):
                iam.detach_role_policy(RoleName=name, PolicyArn=policy["PolicyArn"])
            for policy_name in paginate(iam, "list_role_policies", "PolicyNames", RoleName=name):
                iam.delete_role_policy(RoleName=name, PolicyName=policy_name)
            for profile in paginate(iam, "list_instance_profiles_for_role", "InstanceProfiles", RoleName=name):
                iam.remove_role_from_instance_profile(InstanceProfileName=profile["InstanceProfileName"], RoleName=name)
            iam.delete_role(RoleName=name)


class InstanceProfile(Handler):
    kind = kinds.INSTANCE_PROFILE
    discovers_with = ("iam",)
    properties = frozenset({"name", "role_name", "tags"})
    observed = ("tags", "role_name")

    def discover(self, aws: Aws, scope: Scope) -> Iterable[Existing]:
        iam = aws.client("iam")
        # GetInstanceProfile carries the tags; some endpoints lack ListInstanceProfileTags
        profiles = _named(lambda name: iam.get_instance_profile(InstanceProfileName=name)["InstanceProfile"],
                          scope.names(self.kind))
        for profile in profiles:
            found = tags.from_aws(profile.get("Tags"))
            if tags.belongs(found, scope.name):
                role = next((r["RoleName"] for r in profile.get("Roles", [])), None)
                yield Existing(self.key(found), {"name": profile["InstanceProfileName"], "arn": profile["Arn"]},
                               {"tags": found, "role_name": role}, ids((kinds.IAM_ROLE, role)))

    def request_create(self, aws: Aws, p: Mapping[str, Any]) -> Mapping[str, Any]:
        iam = aws.client("iam")
        profile = created_or_own(
            "IAM instance profile", p["name"],
            lambda: iam.create_instance_profile(InstanceProfileName=p["name"],
                                                Tags=tags.to_aws(p["tags"]))["InstanceProfile"],
            lambda: _with_tags(iam.get_instance_profile(InstanceProfileName=p["name"])["InstanceProfile"]),
            p["tags"], TAKEN)
        iam.add_role_to_instance_profile(InstanceProfileName=p["name"], RoleName=p["role_name"])
        waiters.wait(iam, "InstanceProfileExists", InstanceProfileName=p["name"])
        return {"name": p["name"], "arn": profile["Arn"]}

    def update(self, aws: Aws, existing: Existing, p: Mapping[str, Any]) -> Mapping[str, Any]:
        iam = aws.client("iam")
        name, current = existing.outputs["name"], existing.observed["role_name"]
        if current != p["role_name"]:
            if current:
                iam.remove_role_from_instance_profile(InstanceProfileName=name, RoleName=current)
            iam.add_role_to_instance_profile(InstanceProfileName=name, RoleName=p["role_name"])
        retag(existing.observed["tags"], p["tags"],
              lambda changed: iam.tag_instance_profile(InstanceProfileName=name, Tags=tags.to_aws(changed)))
        return existing.outputs

    def request_delete(self, aws: Aws, existing: Existing) -> None:
        iam = aws.client("iam")
        name = existing.outputs["name"]
        with tolerating("NoSuchEntity"):
            for role in iam.get_instance_profile(InstanceProfileName=name)["InstanceProfile"]["Roles"]:
                iam.remove_role_from_instance_profile(InstanceProfileName=name, RoleName=role["RoleName"])
            iam.delete_instance_profile(InstanceProfileName=name)
