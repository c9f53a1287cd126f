"""Gathering what the AWS account allows: the On-Demand vCPU quotas of the instance families the pools use
(Service Quotas), and which zones offer their instance types (EC2). `check` asks for the types its snapshot
found; the preflight of plan and apply for the spec's."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from domino_eks.aws import pages
from domino_eks.collect.recorder import Recorder
from domino_eks.collect.shapes import OFFERINGS, VCPU_QUOTAS
from domino_eks.knowledge import quotas


def gather(r: Recorder, instance_types: Iterable[str]) -> None:
    types = sorted(set(instance_types))
    vcpu_quotas(r, types)
    offerings(r, types)


def instance_types_in(facts: Mapping[str, Any]) -> set[str]:
    """The instance types the collected nodes, launch templates and EKS node groups run."""
    found = {i["InstanceType"] for i in facts.get("instances") or () if i.get("InstanceType")}
    found |= {t["InstanceType"] for t in (facts.get("launch_templates") or {}).values() if t.get("InstanceType")}
    return found | {kind for n in facts.get("nodegroups") or () for kind in n.get("instanceTypes") or ()}


def vcpu_quotas(r: Recorder, instance_types: list[str]) -> None:
    """GetServiceQuota for each quota that counts one of the types: the applied value, not the default."""
    codes = sorted({q.code for q in map(quotas.vcpu_quota, instance_types) if q is not None})
    if not codes:
        return
    client = r.aws.client("service-quotas")
    with r.recorded("service-quotas", "the vCPU quotas are not judged"):
        r.store(VCPU_QUOTAS, [client.get_service_quota(ServiceCode=quotas.EC2_SERVICE_CODE, QuotaCode=code)["Quota"]
                              for code in codes])


def offerings(r: Recorder, instance_types: list[str]) -> None:
    if not instance_types:
        return
    with r.recorded("ec2"):
        r.store(OFFERINGS, list(pages.paginate(
            r.aws.client("ec2"), "describe_instance_type_offerings", "InstanceTypeOfferings",
            LocationType="availability-zone", Filters=[{"Name": "instance-type", "Values": instance_types}])))
