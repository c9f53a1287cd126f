"""The control plane's hardening as EKS describes it: endpoint access, logging, Secrets encryption and the
support policy, with the rotation of the Secrets key from KMS, and the VPC's flow logs and default security
group from EC2."""

from __future__ import annotations

from collections.abc import Mapping

from domino_eks.collect.shapes import cluster_vpc_id
from domino_eks.model import CONTROL_PLANE_LOG_TYPES, KEY_CREATED_BY_APPLY, Hardening, Location
from domino_eks.sources.snapshot.facts import Facts

SUPPORT_TYPES = ("STANDARD", "EXTENDED")


def hardening(facts: Facts, name: str | None) -> Hardening:
    eks = facts.aws_part("cluster")
    if eks is None:
        return Hardening()
    vpc = eks.get("resourcesVpcConfig") or {}
    public = vpc.get("endpointPublicAccess")
    secrets_key = _secrets_key(eks)
    rotation = (facts.aws_part("key_rotation") or {}).get(secrets_key) if secrets_key else None
    support = (eks.get("upgradePolicy") or {}).get("supportType")
    return Hardening(
        endpoint_private=vpc.get("endpointPrivateAccess"),
        endpoint_public=public,
        public_access_cidrs=tuple(vpc["publicAccessCidrs"]) if public and "publicAccessCidrs" in vpc else
        () if public is False else None,
        log_types=_log_types(eks) if "logging" in eks else None,
        secrets_encrypted=secrets_key is not None,
        secrets_key=secrets_key,
        key_rotation=rotation,
        **_data_key(facts.target, secrets_key),
        # an endpoint that leaves it out (the emulator) says nothing of it
        support_type=support if support in SUPPORT_TYPES else None,
        **_vpc_traffic(facts),
        location=Location(object=f"Cluster/{name}") if name else None,
    )


def _vpc_traffic(facts: Facts) -> dict:
    """C009's facts; each None when EC2 was not asked or refused (the gap says which)."""
    flow_logs = facts.aws_part("flow_logs")
    default = facts.aws_part("default_security_group")
    return {
        "vpc_id": cluster_vpc_id(facts.aws or {}),
        # a flow log whose delivery fails (FlowLogStatus stays ACTIVE, DeliverLogsStatus FAILED) still records
        # nothing: only an active one that delivers counts
        "flow_logs": None if flow_logs is None else any(
            f.get("FlowLogStatus") == "ACTIVE" and f.get("DeliverLogsStatus", "SUCCESS") == "SUCCESS"
            for f in flow_logs),
        "default_group": default["GroupId"] if default else None,
        "default_group_rules": tuple(_rule(r) for r in default["Rules"]) if default else None,
    }


def _rule(rule: Mapping) -> str:
    """A security-group rule as a finding names it: its id, direction, protocol, ports and peer."""
    protocol = "all traffic" if rule.get("IpProtocol") == "-1" else rule.get("IpProtocol", "?")
    low, high = rule.get("FromPort", -1), rule.get("ToPort", -1)
    ports = "" if low in (-1, None) else f" {low}" if low == high else f" {low}-{high}"
    peer = (rule.get("CidrIpv4") or rule.get("CidrIpv6") or rule.get("PrefixListId")
            or (rule.get("ReferencedGroupInfo") or {}).get("GroupId") or "?")
    direction = f"egress {protocol}{ports} to" if rule.get("IsEgress") else f"ingress {protocol}{ports} from"
    return f"{rule.get('SecurityGroupRuleId', '?')} ({direction} {peer})"


def _data_key(target: Mapping, secrets_key: str | None) -> dict:
    """Rule C006's intent, known only from the spec (check --spec): the stores it encrypts with its key, which is
    the Secrets key where apply created it. Without the spec none is declared (as C007 takes extended support)."""
    declared = target.get("data_key")
    if not declared:
        return {"data_key_stores": ()}
    key = declared.get("key")
    return {"data_key": secrets_key if key == KEY_CREATED_BY_APPLY else key,
            "data_key_stores": tuple(declared.get("stores") or ())}


def _secrets_key(eks: Mapping) -> str | None:
    return next((c["provider"]["keyArn"] for c in eks.get("encryptionConfig") or ()
                 if "secrets" in c.get("resources", ())), None)


def _log_types(eks: Mapping) -> tuple[str, ...]:
    on = {t for entry in eks["logging"].get("clusterLogging") or () if entry.get("enabled")
          for t in entry.get("types") or ()}
    return tuple(t for t in CONTROL_PLANE_LOG_TYPES if t in on)
