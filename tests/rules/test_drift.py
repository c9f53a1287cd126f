"""Drift: a live deployment compared with the spec it should match (pure functions over the model)."""

from __future__ import annotations

from domino_eks.rules import drift
from domino_eks.rules.base import Severity, Status
from domino_eks.sources import snapshot as snapshots
from tests.check.support import recorded_list, snapshot_parts
from tests.conftest import TODAY, load_example

INTENDED = load_example("multi-az.yaml")  # platform, default and default-gpu in us-west-2a, b and c


def live(change=None):
    document = recorded_list()
    if change:
        document["items"] = [i for i in document["items"] if not change(i)]
    snapshot = {"target": {"cluster": "domino-prod"}, "kubernetes": snapshot_parts(document), "errors": {}}
    return snapshots.to_deployment(snapshot, TODAY, file="cluster.json")


def node_of(pool: str, zone: str | None = None):
    def selects(item: dict) -> bool:
        labels = item["metadata"].get("labels") or {}
        return item["kind"] == "Node" and labels.get("dominodatalab.com/node-pool") == pool and (
            zone is None or labels["topology.kubernetes.io/zone"] == zone)
    return selects


def outcomes(intended, deployment) -> dict[str, list]:
    found: dict[str, list] = {}
    for finding in drift.evaluate(intended, deployment):
        found.setdefault(finding.id, []).append(finding)
    return found


def test_a_cluster_built_as_planned_shows_no_drift_and_what_a_dump_cannot_tell():
    found = outcomes(INTENDED, live())

    assert {i: [f.status for f in fs] for i, fs in found.items()} == {
        "DRIFT-POOL-INSTANCE-TYPE": [Status.PASS], "DRIFT-POOL-MISSING": [Status.PASS],
        "DRIFT-POOL-SIZE": [Status.SKIP], "DRIFT-POOL-UNPLANNED": [Status.PASS], "DRIFT-POOL-ZONES": [Status.PASS]}
    assert "sizes of pool platform's node groups are unknown" in found["DRIFT-POOL-SIZE"][0].message


def test_a_pool_of_the_spec_missing_from_the_cluster_points_at_the_spec():
    missing = outcomes(INTENDED, live(node_of("default-gpu")))["DRIFT-POOL-MISSING"]

    assert [(f.status, f.severity, f.message) for f in missing] == [
        (Status.FAIL, Severity.ERROR, "pool default-gpu of the spec has no node or node group in the cluster.")]
    assert missing[0].location.file.endswith("multi-az.yaml") and missing[0].location.path == "nodePools[2]"


def test_a_pool_missing_a_zone_is_zone_drift():
    zones = outcomes(INTENDED, live(node_of("default", "us-west-2c")))["DRIFT-POOL-ZONES"]

    assert [f.message for f in zones if f.status is Status.FAIL] == [
        "pool default runs in us-west-2a, us-west-2b; the spec says us-west-2a, us-west-2b, us-west-2c "
        "(missing us-west-2c)."]


def test_sizes_are_compared_pool_by_pool_in_all_zones():
    default = INTENDED.pool("default")
    assert default is not None
    resized = default.model_copy(update={"groups": tuple(g.model_copy(update={"max_size": 9}) for g in default.groups)})
    deployment = INTENDED.model_copy(update={"pools": tuple(resized if p is default else p for p in INTENDED.pools)})

    sizes = outcomes(INTENDED, deployment)["DRIFT-POOL-SIZE"]

    assert [(f.status, f.message) for f in sizes if f.status is Status.FAIL] == [
        (Status.FAIL, "pool default scales 0-27 nodes in all; the spec says 0-9.")]
    assert [f.status for f in outcomes(INTENDED, INTENDED)["DRIFT-POOL-SIZE"]] == [Status.PASS]


def test_a_pool_the_spec_does_not_name_is_worth_knowing():
    platform = INTENDED.pool("platform")
    assert platform is not None
    spare = platform.model_copy(update={"name": "spare", "label": "spare"})
    deployment = INTENDED.model_copy(update={"pools": (*INTENDED.pools, spare)})

    unplanned = outcomes(INTENDED, deployment)["DRIFT-POOL-UNPLANNED"]

    assert [(f.status, f.severity) for f in unplanned] == [(Status.FAIL, Severity.INFO)]


def test_without_nodes_or_auto_scaling_groups_the_live_pools_are_unknown():
    snapshot = {"target": {"cluster": "domino-prod"}, "kubernetes": {}, "errors": {"nodes": "Forbidden: no"}}

    found = outcomes(INTENDED, snapshots.to_deployment(snapshot, TODAY, file="cluster.json"))

    assert [f.status for f in found["DRIFT-POOL-MISSING"]] == [Status.SKIP]
    assert "(kubernetes: nodes: Forbidden: no)" in found["DRIFT-POOL-MISSING"][0].message
