"""EC2's On-Demand vCPU quotas: which Service Quotas code limits an instance type's family.

AWS counts running On-Demand instances in vCPUs, one quota per group of families, per region
(https://docs.aws.amazon.com/ec2/latest/instancetypes/ec2-instance-quotas.html; the codes as
`aws service-quotas get-service-quota --service-code ec2 --quota-code L-1216C47A` names them).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

EC2_SERVICE_CODE = "ec2"
# the share of a quota above which G004 warns: one scale-up or a second cluster away from refusals
HEADROOM_SHARE = 0.8


@dataclass(frozen=True)
class VcpuQuota:
    code: str
    name: str


STANDARD = VcpuQuota("L-1216C47A", "Running On-Demand Standard (A, C, D, H, I, M, R, T, Z) instances")
GPU_G_AND_VT = VcpuQuota("L-DB2E81BA", "Running On-Demand G and VT instances")
GPU_P = VcpuQuota("L-417A185B", "Running On-Demand P instances")
# a family's letters (g in g5, inf in inf2) -> its quota; letters not listed fall back to their first letter
# (im4gn and is4gen are I instances), except those with a quota of their own this table does not hold
_OWN_QUOTA_NOT_LISTED = frozenset({"hpc", "mac", "u"})
_BY_FAMILY = {
    "a": STANDARD, "c": STANDARD, "d": STANDARD, "h": STANDARD, "i": STANDARD, "m": STANDARD, "r": STANDARD,
    "t": STANDARD, "z": STANDARD,
    "g": GPU_G_AND_VT, "vt": GPU_G_AND_VT,
    "p": GPU_P,
    "f": VcpuQuota("L-74FC7D96", "Running On-Demand F instances"),
    "x": VcpuQuota("L-7295265B", "Running On-Demand X instances"),
    "inf": VcpuQuota("L-1945791B", "Running On-Demand Inf instances"),
    "dl": VcpuQuota("L-6E869C2A", "Running On-Demand DL instances"),
    "trn": VcpuQuota("L-2C3B7624", "Running On-Demand Trn instances"),
}
_FAMILY = re.compile(r"^([a-z]+)\d")


def vcpu_quota(instance_type: str) -> VcpuQuota | None:
    """The quota that counts `instance_type`'s vCPUs (g5.2xlarge -> L-DB2E81BA); None for a name of no family."""
    match = _FAMILY.match(instance_type.lower())
    if match is None:
        return None
    letters = match.group(1)
    if letters in _OWN_QUOTA_NOT_LISTED:
        return None
    return _BY_FAMILY.get(letters) or _BY_FAMILY.get(letters[0])


def by_code(code: str) -> VcpuQuota | None:
    return next((q for q in _BY_FAMILY.values() if q.code == code), None)
