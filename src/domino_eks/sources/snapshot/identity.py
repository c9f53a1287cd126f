"""Who the nodes are to AWS (the platform nodes' IAM role and its policies) and the certificate for the FQDN."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime

from domino_eks.collect.shapes import ASG_NAME_TAG
from domino_eks.knowledge import iam
from domino_eks.model import (
    NODE_POOL_LABEL,
    PLATFORM,
    Access,
    Certificate,
    Domain,
    Grants,
    Location,
    NodeGroup,
    name_covers,
)
from domino_eks.sources.snapshot.facts import Facts, tags
from domino_eks.sources.snapshot.groups import EKS_NODEGROUP_TAG


def access(facts: Facts, groups: list[NodeGroup]) -> Access:
    """The platform nodes' role, which Domino's services and the autoscaler run as (or the one role all share)."""
    roles = facts.aws_part("roles")
    if roles is None:
        return Access()
    by_group = {group: role["RoleName"] for group, role in group_roles(facts).items()}
    platform = {by_group[g.name] for g in groups if g.labels.get(NODE_POOL_LABEL) == PLATFORM and g.name in by_group}
    chosen = platform or set(by_group.values())
    if len(chosen) != 1:
        return Access()
    role = chosen.pop()
    grants = Grants(
        statements=tuple(s for p in roles.get(role) or () for s in iam.statements_from_document(p["document"])),
        where=f"role {role}",
        location=Location(object=f"Role/{role}"),
    )
    return Access(node_role=grants, autoscaler=grants)


def group_roles(facts: Facts) -> dict[str, Mapping]:
    """Node group name -> the IAM role its nodes assume ({"RoleName", "Arn"}, from the instance profile, launch
    template or EKS node role)."""
    role_of = {key: p["Roles"][0] for p in facts.aws_part("instance_profiles") or () if p.get("Roles")
               for key in (p["Arn"], p["InstanceProfileName"])}
    found: dict[str, Mapping] = {}
    for instance in facts.aws_part("instances") or ():
        tagged = tags(instance)
        group = tagged.get(EKS_NODEGROUP_TAG) or tagged.get(ASG_NAME_TAG)
        profile = (instance.get("IamInstanceProfile") or {}).get("Arn")
        if group and profile in role_of:
            found.setdefault(group, role_of[profile])
    for asg, template in (facts.aws_part("launch_templates") or {}).items():
        profile = template.get("IamInstanceProfile") or {}
        named = profile.get("Arn") or profile.get("Name")
        if named in role_of:
            found.setdefault(asg, role_of[named])
    for nodegroup in facts.aws_part("nodegroups") or ():
        if nodegroup.get("nodeRole"):
            found.setdefault(nodegroup["nodegroupName"], {"RoleName": nodegroup["nodeRole"].rsplit("/", 1)[-1],
                                                          "Arn": nodegroup["nodeRole"]})
    return found


def domain(facts: Facts) -> Domain:
    fqdn = facts.target.get("fqdn")
    listed = facts.aws_part("certificates")
    return Domain(fqdn=fqdn, certificate=_covering(listed, fqdn, facts.on) if fqdn and listed is not None else None)


def _covering(listed: list[Mapping], fqdn: str, on: date) -> Certificate:
    """The best certificate covering the FQDN (issued first, then the latest expiry). When none does, a
    certificate with no names: the model's way of saying the account was searched and holds none."""
    covering = [c for c in listed if any(name_covers(n, fqdn) for n in _names(c))]
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
    names = [certificate.get("DomainName"), *certificate.get("SubjectAlternativeNames", ())]
    return [name for name in dict.fromkeys(names) if name]
