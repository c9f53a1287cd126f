"""Drift: a live cluster against the spec it should match — pools missing, in other zones, of other sizes.

These are not rules of the catalogue: a catalogue rule judges one deployment and its id is fixed by the
page, while each of these compares two, the intended and the live. They carry ids of their own
(DRIFT-*), run only when `check` is given `--spec`, and, like catalogue rules, report pass, fail or skip
once per run, so every format renders them alike. A finding points at the pool's entry in the spec.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial

from domino_eks.model import Deployment, NodePool
from domino_eks.rules.base import (
    Finding,
    Outcome,
    Registry,
    Severity,
    failed,
    passed,
    skipped,
)
from domino_eks.rules.unknown import Gap, reported

SECTION = "Drift from the spec (check --spec)"
# each check takes the intended deployment first, then the live one
_COMPARISONS = Registry()
_comparison = partial(_COMPARISONS.rule, section=SECTION)
# where the live pools come from: the nodes (Kubernetes), the Auto Scaling and EKS node groups (AWS)
_POOL_GAPS = (Gap.KUBERNETES, Gap.AUTOSCALING, Gap.EKS, Gap.AWS)


def evaluate(intended: Deployment, live: Deployment) -> list[Finding]:
    """Every drift comparison of `live` against `intended`, as findings."""
    return _COMPARISONS.evaluate(live, context=[intended])


def _pairs(intended: Deployment, live: Deployment) -> Iterator[tuple[NodePool, NodePool | None]]:
    """Each of the spec's pools with the live pool of the same label, or None."""
    for pool in intended.domino_pools:
        assert pool.label is not None  # domino_pools are the labelled pools
        yield pool, live.pool(pool.label)


def _matched(intended: Deployment, live: Deployment) -> Iterator[tuple[NodePool, NodePool]]:
    """The spec's pools that exist live (a missing one is DRIFT-POOL-MISSING's to report)."""
    return ((pool, found) for pool, found in _pairs(intended, live) if found is not None)


def _pools_unseen(live: Deployment) -> list[str]:
    """Why the live pools may not all show: the reasons recorded for the nodes or node groups not collected."""
    return reported(live, _POOL_GAPS)


@_comparison(
    "DRIFT-POOL-MISSING", Severity.ERROR,
    title="A node pool of the spec does not exist in the cluster",
    rationale="The spec says which node pools Domino gets; a pool with no nodes and no node group carrying its "
              "dominodatalab.com/node-pool label means the executions or services meant for it cannot schedule.",
    fix="Create the pool's node groups (domino-eks apply does), or remove the pool from the spec.",
)
def pool_missing(intended: Deployment, live: Deployment) -> Iterator[Outcome]:
    unseen = _pools_unseen(live)
    if not live.pools and unseen:
        yield skipped(f"the live node pools are unknown: none was found, and the nodes or node groups were not "
                      f"all collected ({'; '.join(unseen)}).")
        return
    for pool, found in _pairs(intended, live):
        yield (passed(f"pool {pool.label} exists.") if found else
               failed(f"pool {pool.label} of the spec has no node or node group in the cluster.", pool.location))


@_comparison(
    "DRIFT-POOL-ZONES", Severity.ERROR,
    title="A node pool runs in other zones than the spec says",
    rationale="Zones decide where volumes and pods may meet: a pool missing from a zone the spec gives it "
              "strands the pods whose volumes live there; an extra zone is capacity the design did not plan.",
    fix="Add or remove the pool's per-zone node groups until they match the spec's zones.",
)
def pool_zones(intended: Deployment, live: Deployment) -> Iterator[Outcome]:
    for pool, found in _matched(intended, live):
        if found.zones is None or pool.zones is None:
            yield skipped(f"the zones of pool {pool.label} are unknown.")
        elif found.zones != pool.zones:
            missing, extra = sorted(pool.zones - found.zones), sorted(found.zones - pool.zones)
            yield failed(f"pool {pool.label} runs in {', '.join(sorted(found.zones))}; the spec says "
                         f"{', '.join(sorted(pool.zones))}"
                         + (f" (missing {', '.join(missing)})" if missing else "")
                         + (f" (not in the spec: {', '.join(extra)})" if extra else "") + ".", pool.location)
        else:
            yield passed(f"pool {pool.label} runs in the spec's zones.")


@_comparison(
    "DRIFT-POOL-SIZE", Severity.WARNING,
    title="A node pool's sizes differ from the spec",
    rationale="The spec's minimum and maximum sizes are the capacity Domino was planned with: a smaller maximum "
              "caps executions, a smaller minimum (the platform pool's above all) loses availability.",
    fix="Set the node groups' minimum and maximum sizes to the spec's, or change the spec.",
)
def pool_size(intended: Deployment, live: Deployment) -> Iterator[Outcome]:
    for pool, found in _matched(intended, live):
        planned, actual = _sizes(pool), _sizes(found)
        if actual is None:
            yield skipped(f"the sizes of pool {pool.label}'s node groups are unknown.")
        elif planned != actual:
            assert planned is not None  # a spec declares every pool's minSize and maxSize
            yield failed(f"pool {pool.label} scales {actual[0]}-{actual[1]} nodes in all; the spec says "
                         f"{planned[0]}-{planned[1]}.", pool.location)
        else:
            yield passed(f"pool {pool.label} scales {actual[0]}-{actual[1]} nodes, as the spec says.")


@_comparison(
    "DRIFT-POOL-INSTANCE-TYPE", Severity.WARNING,
    title="A node pool runs other instance types than the spec says",
    rationale="Hardware tiers and the pod-address arithmetic of the subnets assume the spec's instance types.",
    fix="Change the node groups' launch templates to the spec's instance type, or change the spec.",
)
def pool_instance_type(intended: Deployment, live: Deployment) -> Iterator[Outcome]:
    for pool, found in _matched(intended, live):
        planned = {g.instance_type for g in pool.groups}
        actual = {g.instance_type for g in found.groups}
        runs = ", ".join(sorted(t for t in actual if t is not None))  # read only when no type is unknown
        if None in actual:
            yield skipped(f"the instance types of pool {pool.label} are unknown.")
        elif actual != planned:
            yield failed(f"pool {pool.label} runs {runs}; the spec says "
                         f"{', '.join(sorted(t for t in planned if t))}.", pool.location)
        else:
            yield passed(f"pool {pool.label} runs {runs}, as the spec says.")


@_comparison(
    "DRIFT-POOL-UNPLANNED", Severity.INFO,
    title="The cluster has a node pool the spec does not name",
    rationale="A pool outside the spec is not wrong, but its capacity, zones and costs are not part of the plan.",
    fix="Add the pool to the spec, or remove its node groups.",
)
def pool_unplanned(intended: Deployment, live: Deployment) -> Iterator[Outcome]:
    planned = {p.label for p in intended.domino_pools}
    extra = [p for p in live.domino_pools if p.label not in planned]
    for pool in extra:
        yield failed(f"pool {pool.label} runs in the cluster but is not in the spec.",
                     pool.groups[0].location if pool.groups else None)
    if not extra:
        yield passed("every Domino pool of the cluster is in the spec.")


def _sizes(pool: NodePool) -> tuple[int, int] | None:
    """(sum of minimum sizes, sum of maximum sizes) over the pool's groups; None if any is unknown."""
    if any(g.min_size is None or g.max_size is None for g in pool.groups):
        return None
    # none is None (returned above): the `is not None` narrows for mypy
    return (sum(g.min_size for g in pool.groups if g.min_size is not None),
            sum(g.max_size for g in pool.groups if g.max_size is not None))
