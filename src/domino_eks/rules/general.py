"""Rules G001-G003: the cluster's name, region and Kubernetes version ("Set up an EKS cluster for Domino")."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import partial

from domino_eks.errors import did_you_mean
from domino_eks.knowledge import eks_versions, regions
from domino_eks.model import Deployment, Location, VersionSupport
from domino_eks.rules.base import REGISTRY, Outcome, Severity, failed, passed, skipped
from domino_eks.rules.unknown import CLUSTER_NAME_WHY, Gap, unknown

rule = partial(REGISTRY.rule, section="Set up an EKS cluster for Domino")
NAME_LIMIT = 100
_NAME = re.compile(r"[A-Za-z][A-Za-z0-9-]*")


@rule(
    "G001", Severity.ERROR,
    title="Cluster name is not a valid EKS cluster name",
    rationale=(
        "EKS accepts cluster names of at most 100 characters, and eksctl and CloudFormation name their stacks "
        "after the cluster, which allows only a leading letter followed by letters, digits and hyphens. Any "
        "other name is rejected before a single resource is created."
    ),
    fix="Rename the cluster (metadata.name) to 1-100 letters, digits and hyphens starting with a letter, "
        "for example domino-prod.",
)
def cluster_name(d: Deployment) -> Iterator[Outcome]:
    name = d.cluster.name
    if name is None:
        yield unknown(d, "the cluster's name", CLUSTER_NAME_WHY, (Gap.AWS,))
        return
    problems = [failed(f"cluster name {name!r} {problem}; EKS and CloudFormation reject it.", d.cluster.location)
                for problem in _name_problems(name)]
    yield from problems or [passed(f"cluster name {name!r} is a valid EKS name.")]


def _name_problems(name: str) -> list[str]:
    problems = []
    if len(name) > NAME_LIMIT:
        problems.append(f"is {len(name)} characters long, more than {NAME_LIMIT}")
    if not _NAME.fullmatch(name):
        problems.append("must start with a letter and contain only letters, digits and hyphens")
    return problems


@rule(
    "G002", Severity.ERROR,
    title="Region or availability zone does not exist",
    rationale=(
        "Every resource of the cluster is created in one AWS region, and a node group or cluster subnet can "
        "only be placed in an availability zone of that region. A mistyped region or a zone of another region "
        "makes eksctl, CloudFormation and the EC2 API fail."
    ),
    fix="Set the region to a real AWS region (e.g. us-west-2) and name only its zones (us-west-2a, us-west-2b, "
        "...) in availabilityZones and the node pools.",
)
def region_and_zones(d: Deployment) -> Iterator[Outcome]:
    region = d.cluster.region
    if region is None:
        yield unknown(d, "the cluster's region")
        return
    if region not in regions.REGIONS:
        yield failed(f"region {region!r} is not an AWS region{did_you_mean(region, regions.REGIONS)}; nothing can be "
                     "created there.", d.cluster.location)
        return
    problems = [failed(f"{owner} names zone {zone!r}, which {problem}.", where)
                for zone, owner, where in _named_zones(d) if (problem := _zone_problem(zone, region))]
    yield from problems or [passed(f"region {region} exists and every zone named belongs to it.")]


def _named_zones(d: Deployment) -> Iterator[tuple[str, str, Location | None]]:
    """(zone, who names it, where) for the control plane and every node group that names zones."""
    for zone in d.cluster.control_plane_zones or ():
        yield zone, "the cluster", d.cluster.location
    for group in d.groups:
        for zone in group.zones or ():
            yield zone, f"node group {group.name}", group.location


def _zone_problem(zone: str, region: str) -> str | None:
    zone_region = regions.zone_region(zone)
    if zone_region is None:
        return "is not an availability zone name (a region followed by a letter, e.g. us-west-2a)"
    if zone_region != region:
        return f"belongs to {zone_region}, not to the cluster's region {region}"
    if not regions.zone_exists(zone):
        return f"does not exist; {region} has {', '.join(regions.zones_of(region))}"
    return None


@rule(
    "G003", Severity.ERROR,
    title="Kubernetes version is not supported by EKS",
    rationale=(
        "EKS supports each Kubernetes version for 14 months of standard support, then 12 months of extended "
        "support at an extra hourly charge per cluster; after that it upgrades clusters automatically and no "
        "longer creates new ones at that version. A version in extended support works but costs more and is "
        "close to a forced upgrade."
    ),
    fix="Choose a version in standard support (metadata.version); `aws eks describe-cluster-versions` lists "
        "each version's status and end dates.",
)
def kubernetes_version(d: Deployment) -> Iterator[Outcome]:
    version, support, where = d.cluster.version, d.cluster.version_support, d.cluster.location
    if version is None:
        yield unknown(d, "the Kubernetes version", gaps=(Gap.EKS, Gap.AWS))
    elif support is None or support.status == "unknown":
        yield _uncalendared(version, support is not None and support.source == "api", where)
    elif support.status == "standard":
        yield passed(f"Kubernetes {version} is in EKS standard support until {support.end_of_standard}"
                     f"{_calendar(support)}.")
    elif support.status == "extended":
        yield failed(f"Kubernetes {version} is only in EKS extended support (standard support ended "
                     f"{support.end_of_standard}, extended support ends {support.end_of_extended}"
                     f"{_calendar(support)}): every cluster hour costs extra until you upgrade.", where,
                     severity=Severity.WARNING)
    else:
        yield failed(f"Kubernetes {version} is no longer supported by EKS (extended support ended "
                     f"{support.end_of_extended}{_calendar(support)}): EKS creates no new clusters at this version "
                     "and upgrades existing ones automatically.", where)


def _calendar(support: VersionSupport) -> str:
    """Which calendar judged: nothing to add for EKS's own; the shipped table's age, which may be out of date."""
    if support.source == "api":
        return ""
    return f"; by the EKS calendar shipped with the tool, as of {eks_versions.CALENDAR_AS_OF}"


def _uncalendared(version: str, listed_by_api: bool, where: Location | None) -> Outcome:
    """A version the support calendar does not list: mistyped, retired, or newer than the shipped table."""
    oldest, newest = (min(eks_versions.CALENDAR, key=eks_versions.order),
                      max(eks_versions.CALENDAR, key=eks_versions.order))
    parsed = eks_versions.parse(version)
    if listed_by_api:
        return failed(f"EKS does not list Kubernetes {version!r} among its versions (eks:DescribeClusterVersions); "
                      "a cluster cannot be created or kept at it.", where)
    if parsed is None or parsed[0] != 1:
        return failed(f"{version!r} is not a Kubernetes version EKS offers; EKS versions look like 1.NN "
                      f"({oldest} to {newest} in the shipped calendar).", where)
    if parsed < eks_versions.order(oldest):
        return failed(f"Kubernetes {version} is older than {oldest}, whose EKS extended support ends "
                      f"{eks_versions.CALENDAR[oldest][2]}: EKS no longer offers it.", where)
    if parsed > eks_versions.order(newest):
        return skipped(f"Kubernetes {version} is newer than the EKS calendar shipped with the tool "
                       f"({oldest} to {newest}); its support is checked live by domino-eks check.")
    return skipped(f"the support status of Kubernetes {version} was not looked up; checked live by "
                   "domino-eks check.")
