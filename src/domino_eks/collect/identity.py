"""Gathering identity: the IAM roles Domino's nodes assume, with every policy document they carry, the Pod
Identity associations with their roles' documents, and the ACM certificates that may cover the FQDN.

Roles are found from the nodes' instance profiles, the launch templates' profiles and the EKS node groups'
node roles; each role's inline and attached policies are stored as documents, which the model reads
with `iam.statements_from_document`.
"""

from __future__ import annotations

import json
from urllib.parse import unquote

from domino_eks.aws import pages
from domino_eks.collect.recorder import Recorder

CERTIFICATE_STATUSES = ["PENDING_VALIDATION", "ISSUED", "INACTIVE", "EXPIRED", "VALIDATION_TIMED_OUT", "REVOKED",
                        "FAILED"]
# ListCertificates leaves out every key type but RSA 1024/2048 unless asked
CERTIFICATE_KEY_TYPES = ["RSA_1024", "RSA_2048", "RSA_3072", "RSA_4096", "EC_prime256v1", "EC_secp384r1",
                         "EC_secp521r1"]


def node_roles(r: Recorder) -> None:
    profiles = {(i.get("IamInstanceProfile") or {}).get("Arn") for i in r.facts.get("instances") or ()}
    profiles |= {(t.get("IamInstanceProfile") or {}).get("Arn") or (t.get("IamInstanceProfile") or {}).get("Name")
                 for t in (r.facts.get("launch_templates") or {}).values()}
    named = {p for p in profiles if p is not None}
    roles = {n["nodeRole"].rsplit("/", 1)[-1] for n in r.facts.get("nodegroups") or () if n.get("nodeRole")}
    iam = r.aws.client("iam")
    with r.recorded("iam"):
        found = [iam.get_instance_profile(InstanceProfileName=p.rsplit("/", 1)[-1])["InstanceProfile"]
                 for p in sorted(named)]
        r.store("instance_profiles", found)
        roles |= {role["RoleName"] for profile in found for role in profile.get("Roles") or ()}
        r.store("roles", {role: _policy_documents(r, role) for role in sorted(roles)})


def pod_identities(r: Recorder, cluster: str) -> None:
    """The cluster's Pod Identity associations, described (for their roles), and every policy of those roles."""
    if "cluster" not in r.facts:
        return
    eks = r.aws.client("eks")
    with r.recorded("eks", "the autoscaler's Pod Identity role is not followed"):
        listed = pages.paginate(eks, "list_pod_identity_associations", "associations", clusterName=cluster)
        r.store("pod_identity_associations", [eks.describe_pod_identity_association(
            clusterName=cluster, associationId=a["associationId"])["association"] for a in listed])
    roles = sorted({a["roleArn"].rsplit("/", 1)[-1] for a in r.facts.get("pod_identity_associations") or ()})
    if roles:
        with r.recorded("iam"):
            r.store("pod_identity_roles", {role: _policy_documents(r, role) for role in roles})


def _policy_documents(r: Recorder, role: str) -> list[dict]:
    iam = r.aws.client("iam")
    documents = [{"name": name, "document": _document(iam.get_role_policy(RoleName=role, PolicyName=name)
                                                      ["PolicyDocument"])}
                 for name in pages.paginate(iam, "list_role_policies", "PolicyNames", RoleName=role)]
    for attached in pages.paginate(iam, "list_attached_role_policies", "AttachedPolicies", RoleName=role):
        policy = iam.get_policy(PolicyArn=attached["PolicyArn"])["Policy"]
        version = iam.get_policy_version(PolicyArn=attached["PolicyArn"], VersionId=policy["DefaultVersionId"])
        documents.append({"name": attached["PolicyName"], "document": _document(version["PolicyVersion"]["Document"])})
    return documents


def _document(document: dict | str) -> dict:
    """IAM returns policy documents URL-encoded; boto3 decodes most of them, not all."""
    return json.loads(unquote(document)) if isinstance(document, str) else document


def certificates(r: Recorder, fqdn: str | None) -> None:
    """The certificates whose names could cover the FQDN (the exact test is the model's), described."""
    if not fqdn:
        return
    acm = r.aws.client("acm")
    with r.recorded("acm"):
        listed = pages.paginate(acm, "list_certificates", "CertificateSummaryList",
                                CertificateStatuses=CERTIFICATE_STATUSES, Includes={"keyTypes": CERTIFICATE_KEY_TYPES})
        candidates = [c["CertificateArn"] for c in listed if _may_cover(c, fqdn)]
        r.store("certificates", [acm.describe_certificate(CertificateArn=arn)["Certificate"] for arn in candidates])


def _may_cover(summary: dict, fqdn: str) -> bool:
    """A loose test that spares describing every certificate of the account. A summary lists only the first
    of many alternative names, so one that has more is described whatever it lists."""
    names = [summary.get("DomainName"), *summary.get("SubjectAlternativeNameSummaries", ())]
    return bool(summary.get("HasAdditionalSubjectAlternativeNames")) or any(
        name and fqdn.lower().endswith(name.lower().removeprefix("*.")) for name in names)
