"""The EKS Kubernetes version calendar shipped with the tool, for offline checks, and the default version it implies.

Live checks read the same facts from eks:DescribeClusterVersions instead (collect/aws.py); a finding judged by this
table says so, with the day the table was last checked (`CALENDAR_AS_OF`).
"""

from __future__ import annotations

import re
from datetime import date

from domino_eks.model import VersionSupport

# version: (release, end of standard support, end of extended support). 1.29-1.35: the EKS user guide's release
# calendar (https://docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions.html) and
# https://endoflife.date/amazon-eks. 1.36: "Kubernetes 1.36 is now available in Amazon EKS"
# (https://docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions-standard.html), released on EKS 2026-06-02
# with standard support through 2027-08-02 (https://devopsdreams.blogspot.com/2026/08/kubernetes-136-on-amazon-eks-upgrade.html);
# extended support is the 12 months after (the user guide: 14 months standard, then 12 extended).
CALENDAR: dict[str, tuple[str, str, str]] = {
    "1.29": ("2024-01-23", "2025-03-23", "2026-03-23"),
    "1.30": ("2024-05-23", "2025-07-23", "2026-07-23"),
    "1.31": ("2024-09-26", "2025-11-26", "2026-11-26"),
    "1.32": ("2025-01-25", "2026-03-23", "2027-03-23"),
    "1.33": ("2025-05-28", "2026-07-29", "2027-07-29"),
    "1.34": ("2025-10-06", "2026-12-02", "2027-12-02"),
    "1.35": ("2026-01-28", "2027-03-27", "2028-03-27"),
    "1.36": ("2026-06-02", "2027-08-02", "2028-08-02"),
}
CALENDAR_AS_OF = "2026-12-01"  # the day the table above was last checked against the sources it cites
CONTAINERD_ONLY_FROM = (1, 24)  # EKS removed dockershim: nodes run containerd, Docker's files and flags are gone
_MAJOR_MINOR = re.compile(r"(\d+)\.(\d+)")


def parse(version: str | None) -> tuple[int, int] | None:
    """(major, minor) of a version such as 1.30, or None when it is unknown or not shaped like that."""
    match = _MAJOR_MINOR.fullmatch(version or "")
    return (int(match.group(1)), int(match.group(2))) if match else None


def order(version: str) -> tuple[int, int]:
    """`parse` of a version known to be shaped like 1.30 (a calendar key, a kubelet's minor): a sort key."""
    parsed = parse(version)
    assert parsed is not None, version
    return parsed


def normalise(version: str | float | int) -> str:
    """YAML turns 1.30 into the float 1.3; undo that."""
    text = str(version)
    major, _, minor = text.partition(".")
    return f"{major}.{minor.ljust(2, '0')}" if minor and len(minor) == 1 and isinstance(version, float) else text


def default_version(on: date) -> str:
    """The version a spec gets when it names none: the newest in standard support on `on` (the longest before a
    paid upgrade), else, on a day past the table's reach, the newest the table knows."""
    in_standard = [v for v, (released, end_standard, _) in CALENDAR.items()
                   if date.fromisoformat(released) <= on <= date.fromisoformat(end_standard)]
    return max(in_standard or CALENDAR, key=order)


def support(version: str, on: date) -> VersionSupport:
    entry = CALENDAR.get(version)
    if entry is None:
        return VersionSupport(status="unknown", as_of=on.isoformat())
    _, end_standard, end_extended = entry
    if on <= date.fromisoformat(end_standard):
        status = "standard"
    elif on <= date.fromisoformat(end_extended):
        status = "extended"
    else:
        status = "unsupported"
    return VersionSupport(status=status, end_of_standard=end_standard, end_of_extended=end_extended,
                          as_of=on.isoformat())
