"""Rules Z001-Z005: how the node pools and the cluster spread over availability zones ("Node pools")."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import partial

from domino_eks.model import PLATFORM, Deployment, NodeGroup, NodePool
from domino_eks.rules.base import REGISTRY, Outcome, Severity, failed, passed, skipped
from domino_eks.rules.unknown import Gap, unknown

rule = partial(REGISTRY.rule, section="Node pools")
# where zones and the per-zone groups' settings come from: the Auto Scaling groups (autoscaling), the
# subnets and launch templates they name (EC2), or no AWS side at all
_ZONE_GAPS = (Gap.EC2, Gap.AUTOSCALING, Gap.AWS)


def _listed(zones: Iterable[str]) -> str:
    return ", ".join(sorted(zones)) or "no zone"


def _unknown_zones(d: Deployment) -> Outcome:
    pools = ", ".join(p.name for p in d.domino_pools if p.zones is None)
    return unknown(d, f"the zones of pool(s) {pools}", {
        "eksctl": "node groups without availabilityZones are spread over the cluster's zones by eksctl; "
                  "checked live by domino-eks check",
    }, _ZONE_GAPS)


@rule(
    "Z001", Severity.ERROR,
    title="Node pools span an unsupported number of availability zones",
    rationale=(
        "Domino supports its node pools in exactly 1 or 3 availability zones. Two zones put an even number of "
        "platform nodes in one failure domain, so losing a zone can break the quorum of Domino's replicated "
        "services; more than three is not a layout Domino documents."
    ),
    fix="Place every node pool in one zone, or in three zones with one node group per pool in each.",
)
def node_zone_count(d: Deployment) -> Iterator[Outcome]:
    zones = d.node_zones
    if zones is None:
        yield _unknown_zones(d)
    elif not zones:
        yield skipped("no Domino node pool names a zone.")
    elif len(zones) in (1, 3):
        yield passed(f"the node pools use {len(zones)} zone(s): {_listed(zones)}.")
    else:
        consequence = ("an even number of nodes in one failure domain, so one zone outage can take the platform's "
                       "majority down" if len(zones) == 2 else "a layout Domino does not document or support")
        yield failed(f"the node pools use {len(zones)} zones ({_listed(zones)}); Domino supports 1 or 3, and "
                     f"{len(zones)} is {consequence}.", d.cluster.location)


@rule(
    "Z002", Severity.ERROR,
    title="Compute pool is missing from a zone other pools use",
    rationale=(
        "Execution volumes are EBS volumes, which live in one zone: a pod whose volume sits in a zone where its "
        "pool has no nodes stays Pending. So every compute pool (every pool except platform) needs node groups "
        "in every zone any other pool uses."
    ),
    fix="Add a node group for the pool in each missing zone, identical to its other groups apart from the zone.",
)
def compute_pools_in_every_zone(d: Deployment) -> Iterator[Outcome]:
    zones = d.node_zones
    if zones is None:
        yield _unknown_zones(d)
        return
    if not zones:
        yield skipped("no Domino node pool names a zone.")
        return
    # zones is known, so every Domino pool's zones are: `is not None` holds for each pool and narrows for mypy
    gaps = [failed(f"pool {pool.name} has no node group in {_listed(zones - pool.zones)}, where other pools "
                   "run: its pods cannot follow their volumes there and stay Pending.", pool.location)
            for pool in d.domino_pools if pool.label != PLATFORM and pool.zones is not None and zones - pool.zones]
    yield from gaps or [passed(f"every compute pool has node groups in {_listed(zones)}.")]


@rule(
    "Z003", Severity.ERROR,
    title="Per-zone node groups of one pool differ",
    rationale=(
        "A pool spread over zones is one logical pool: Domino and the cluster autoscaler treat its node groups as "
        "interchangeable and pick one by the zone of a pod's volume. If they differ in instance type, disk size, "
        "labels or taints, the same hardware tier behaves differently, or cannot schedule at all, depending on "
        "the zone."
    ),
    fix="Make the pool's node groups identical apart from their zone: same instance type, volume size, labels "
        "and taints.",
)
def identical_zone_duplicates(d: Deployment) -> Iterator[Outcome]:
    outcomes = [outcome for pool in d.domino_pools for outcome in _pool_differences(d, pool)]
    yield from outcomes or [passed("every pool's node groups are identical apart from the zone.")]


def _pool_differences(d: Deployment, pool: NodePool) -> Iterator[Outcome]:
    """Each group of the pool compared with its first group."""
    if not pool.groups:
        return
    reference = pool.groups[0]
    # groups that all sit in the same zones differ by which one scales up, not by the zone
    one_zone = pool.zones is not None and all(set(g.zones or ()) == pool.zones for g in pool.groups)
    chosen_by = "the node group they land on" if one_zone else "the zone"
    for group in pool.groups[1:]:
        for field, ours, theirs in _compared(reference, group):
            if ours is None or theirs is None:
                yield unknown(d, f"the {field} of every node group of pool {pool.name}", gaps=_ZONE_GAPS)
            elif ours != theirs:
                yield failed(f"pool {pool.name}: node group {group.name} has {field} {theirs} but "
                             f"{reference.name} has {ours}; pods of the pool get different nodes depending "
                             f"on {chosen_by}.", group.location)


def _compared(reference: NodeGroup, group: NodeGroup) -> Iterator[tuple[str, object, object]]:
    """(what, reference's value, group's value) for each property that must match across zones."""
    yield "instance type", reference.instance_type, group.instance_type
    yield "volume size (GB)", reference.volume_size_gb, group.volume_size_gb
    differing = sorted(k for k in reference.labels.keys() | group.labels.keys()
                       if reference.labels.get(k) != group.labels.get(k))
    yield "labels", _labels(reference, differing), _labels(group, differing)
    yield "taints", _taints(reference), _taints(group)


def _labels(group: NodeGroup, keys: list[str]) -> str:
    return ", ".join(f"{key}: {group.labels[key]!r}" if key in group.labels else f"no {key}" for key in keys)


def _taints(group: NodeGroup) -> str:
    return ", ".join(sorted(f"{t.key}={t.value}:{t.effect}" for t in group.taints)) or "none"


@rule(
    "Z004", Severity.WARNING,
    title="Platform pool does not span all three zones",
    rationale=(
        "With three zones, Domino runs some platform components as highly available ReplicaSets spread across "
        "zones. A platform pool in fewer zones loses that: one zone outage takes the platform down."
    ),
    fix="Give the platform pool a node group in each of the three zones (at least one node each).",
)
def platform_spans_zones(d: Deployment) -> Iterator[Outcome]:
    zones, platform = d.node_zones, d.pool(PLATFORM)
    if zones is None:
        yield _unknown_zones(d)
    elif not zones:
        yield skipped("no Domino node pool names a zone.")
    elif len(zones) != 3:
        yield passed(f"the node pools use {len(zones)} zone(s); the platform spread applies with 3.")
    elif platform is None:
        yield skipped("there is no platform pool to spread (see P001).")
    elif platform.zones != zones:
        assert platform.zones is not None  # zones is known, so every Domino pool's zones are
        runs = f"runs in {_listed(platform.zones)} only" if platform.zones else "names no zone"
        yield failed(f"the platform pool {runs}, not in {_listed(zones - platform.zones)}: losing that zone takes "
                     "Domino's platform down.", platform.location)
    else:
        yield passed(f"the platform pool spans {_listed(zones)}.")


@rule(
    "Z005", Severity.ERROR,
    title="Cluster subnets span fewer than two availability zones",
    rationale=(
        "EKS requires the cluster's subnets in at least two availability zones, even when every node pool sits "
        "in one zone; the page's single-zone sample lists three cluster zones for this reason."
    ),
    fix="List at least two zones (three recommended) for the cluster itself (availabilityZones in eksctl, "
        "controlPlaneZones in the spec), while the node pools keep their own zones.",
)
def control_plane_zones(d: Deployment) -> Iterator[Outcome]:
    zones = d.cluster.control_plane_zones
    if zones is None:
        yield unknown(d, "the zones of the cluster's subnets", gaps=_ZONE_GAPS)
    elif len(set(zones)) < 2:
        yield failed(f"the cluster's subnets are in {_listed(set(zones))} only; EKS refuses to "
                     "create a cluster with fewer than two zones.", d.cluster.location)
    else:
        yield passed(f"the cluster's subnets span {_listed(set(zones))}.")
