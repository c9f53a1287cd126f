"""apply: make AWS match the plan — creates and updates in parallel along the graph, then the deletions.

Every resource is created with its tags in the same call where AWS allows it, and every multi-step
resource converges from whatever state a previous run left it in; so an apply stopped at any point
and run again finishes the job, with no duplicates and no state file.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from domino_eks.aws import faults
from domino_eks.aws.session import Aws
from domino_eks.provision import destroy
from domino_eks.provision.discover import Inventory
from domino_eks.provision.graph import Graph
from domino_eks.provision.handlers import HANDLERS
from domino_eks.provision.plan import Plan
from domino_eks.provision.resources import Existing, Key, is_known, resolve
from domino_eks.provision.walk import Observer, Step, Walker, WalkResult

WORKERS = 32  # wider than any level of the graph: nothing ready ever waits for a thread
NOT_SUPPORTED = "not supported by this endpoint: skipped"


@dataclass(frozen=True)
class Applied:
    outputs: Mapping[Key, Mapping[str, Any]]  # every resource's outputs after the run
    walk: WalkResult
    deletions: WalkResult | None  # what the spec no longer wants; run only when the rest succeeded

    @property
    def walks(self) -> tuple[WalkResult, ...]:
        return (self.walk,) if self.deletions is None else (self.walk, self.deletions)

    @property
    def complete(self) -> bool:
        return all(w.complete for w in self.walks)


class Unresolvable(Exception):
    """A value the resource needs comes from a resource this endpoint cannot create."""


def run(aws: Aws, graph: Graph, found: Inventory, plan: Plan, observer: Observer,
        workers: int = WORKERS) -> Applied:
    """Stops after the creates and updates if they did not all succeed; the caller reports from the result."""
    outputs: dict[Key, Mapping[str, Any]] = {}
    replacing = {c.key: c.details for c in plan.changes if c.replacement}

    def work(key: Key) -> Step:
        resource = graph[key]
        if resource.external:
            outputs[key] = found.found[key].outputs
            return Step(outputs[key], "given in the spec")
        if key.type in found.unsupported:
            return Step(note=NOT_SUPPORTED)
        properties = resolve(resource.properties, outputs.get)
        if not is_known(properties):
            missing = ", ".join(str(d) for d in resource.dependencies - outputs.keys())
            raise Unresolvable(f"it needs values from {missing}")
        try:
            outputs[key] = _converge(aws, key, properties, found, plan, replacing)
        except Exception as error:
            if faults.lacks_api(error):
                return Step(note=NOT_SUPPORTED)
            raise
        return Step(outputs[key])

    walk = Walker(graph.dependencies(), work, workers=workers, observer=observer, stop=aws.stop).run()
    deletions = None
    doomed = {c.key: found.found[c.key] for c in plan.changes if c.action == "delete"}
    if walk.complete and doomed:
        deletions = Walker(destroy.deletion_order(doomed, graph), _deleter(aws, doomed),
                           workers=workers, observer=observer, stop=aws.stop).run()
    return Applied(outputs, walk, deletions)


def _converge(aws: Aws, key: Key, properties: Mapping[str, Any], found: Inventory, plan: Plan,
              replacing: Mapping[Key, tuple[str, ...]]) -> Mapping[str, Any]:
    handler = HANDLERS[key.type]
    action = plan.action_of(key)
    if action == "create":
        return handler.create(aws, properties)
    if key in replacing:
        raise faults.NeedsReplacement("; ".join(replacing[key]))
    if action == "update":
        return handler.update(aws, found.found[key], properties)
    return handler.ready(aws, found.found[key])


def _deleter(aws: Aws, doomed: Mapping[Key, Existing]):
    """Deletes what the spec no longer wants; data is never deleted here, only by destroy --delete-data."""

    def work(key: Key) -> Step:
        handler = HANDLERS[key.type]
        held = handler.data(aws, doomed[key])
        if held:
            raise destroy.DataAtRisk([f"{key} {held}: apply deletes no data; empty it, or run destroy --delete-data"])
        handler.delete(aws, doomed[key])
        return Step()

    return work
