"""destroy: delete what apply created, dependents first, and never data unless asked.

The order comes from two sources: what each resource uses in AWS (read by discovery, so it also covers
resources the current spec no longer mentions) and the desired graph's own edges. Buckets and the EFS
file system are checked for data before anything is deleted, so a refusal leaves everything in place.
"""

from __future__ import annotations

from collections.abc import Mapping
from graphlib import TopologicalSorter

from domino_eks.aws import faults
from domino_eks.aws.session import Aws
from domino_eks.errors import ToolError
from domino_eks.provision.graph import Graph
from domino_eks.provision.handlers import HANDLERS
from domino_eks.provision.resources import Existing, Key
from domino_eks.provision.walk import Observer, Step, Walker, WalkResult

WORKERS = 32


class DataAtRisk(Exception):
    """Deleting would lose data, and --delete-data was not given."""

    def __init__(self, holders: list[str]):
        super().__init__("\n".join(holders))
        self.holders = holders


def kept(found: Mapping[Key, Existing], *, delete_data: bool) -> dict[Key, str]:
    """What destroy leaves in place, and what each protects: logs and keys, unless asked to delete data."""
    if delete_data:
        return {}
    return {key: protects for key in found if (protects := HANDLERS[key.type].kept_without_delete_data)}


def deletion_order(found: Mapping[Key, Existing], graph: Graph) -> dict[Key, set[Key]]:
    """For each resource, the resources that must be deleted before it (those that use it)."""
    owner = {identifier: key for key, existing in found.items() for identifier in existing.identifiers}
    waits: dict[Key, set[Key]] = {key: set() for key in found}
    for key, existing in found.items():
        for used in existing.uses:
            if owner.get(used) not in (None, key):
                waits[owner[used]].add(key)
        if key in graph:
            for dependency in graph[key].dependencies:
                if dependency in waits:
                    waits[dependency].add(key)
    return waits


def in_order(waits: Mapping[Key, set[Key]]) -> list[Key]:
    return list(TopologicalSorter(waits).static_order())


def data_at_risk(aws: Aws, found: Mapping[Key, Existing]) -> list[str]:
    """What holds data. A resource whose contents cannot be read stops destroy: no data means known empty."""
    holders, unreadable = [], []
    for key, existing in found.items():
        try:
            held = HANDLERS[key.type].data(aws, existing)
        except Exception as error:
            unreadable.append(f"{key}: {faults.describe(error)}")
            continue
        if held:
            holders.append(f"{key} {held}")
    if unreadable:
        raise ToolError("destroy cannot tell whether deleting would lose data, so nothing was deleted:\n  "
                        + "\n  ".join(unreadable))
    return holders


def run(aws: Aws, found: Mapping[Key, Existing], graph: Graph, observer: Observer, *, delete_data: bool) -> WalkResult:
    """Delete every resource in `found`; with `delete_data`, buckets are emptied first."""
    if not delete_data:
        holders = data_at_risk(aws, found)
        if holders:
            raise DataAtRisk(holders)

    def work(key: Key) -> Step:
        handler, existing = HANDLERS[key.type], found[key]
        held = handler.data(aws, existing) if delete_data else None
        if held:
            handler.empty(aws, existing)
        handler.delete(aws, existing)
        return Step(note=f"deleted with its data ({held})" if held else "")

    return Walker(deletion_order(found, graph), work, workers=WORKERS, observer=observer, stop=aws.stop).run()
