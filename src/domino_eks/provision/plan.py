"""The plan: for every resource, create / update / unchanged / delete, from what is wanted and what exists."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal, NamedTuple

from domino_eks.model import Deployment
from domino_eks.provision import desired, destroy, discover
from domino_eks.provision.discover import Inventory
from domino_eks.provision.graph import Graph
from domino_eks.provision.handlers import HANDLERS
from domino_eks.provision.handlers.base import Handler
from domino_eks.provision.resources import UNKNOWN, Key, resolve

Action = Literal["create", "update", "unchanged", "delete"]
ACTIONS: tuple[Action, ...] = ("create", "update", "unchanged", "delete")


class Mark(NamedTuple):
    symbol: str  # beside a resource apply or destroy has finished
    style: str  # rich style of the symbol, and of the action's name in the plan table


MARKS: dict[Action, Mark] = {"create": Mark("+", "green"), "update": Mark("~", "yellow"),
                             "unchanged": Mark("=", "dim"), "delete": Mark("-", "red")}
SHOWN_CHARS = 60


@dataclass(frozen=True)
class Change:
    action: Action
    key: Key
    details: tuple[str, ...] = ()  # for an update: what differs
    replacement: bool = False  # the difference needs a new resource, which apply will not make


@dataclass(frozen=True)
class Plan:
    changes: tuple[Change, ...]
    unsupported: tuple[tuple[Key, str], ...] = ()  # left out: the endpoint lacks the API

    @property
    def pending(self) -> tuple[Change, ...]:
        return tuple(c for c in self.changes if c.action != "unchanged")

    def action_of(self, key: Key) -> Action | None:
        return next((c.action for c in self.changes if c.key == key), None)

    def counts(self) -> dict[str, int]:
        return {action: sum(c.action == action for c in self.changes) for action in ACTIONS}

    def as_json(self) -> dict:
        return {"changes": [{"action": c.action, "type": c.key.type, "name": c.key.name} for c in self.changes]}


@dataclass(frozen=True)
class Survey:
    """What is wanted, what is there, and the plan between them: what every command starts from."""

    deployment: Deployment
    graph: Graph
    found: Inventory
    plan: Plan


def survey(aws, deployment: Deployment) -> Survey:
    graph = desired.build(deployment)
    found = discover.inventory(aws, deployment, graph)
    unwanted = {key: existing for key, existing in found.ours.items() if key not in graph}
    deletions = destroy.in_order(destroy.deletion_order(unwanted, graph))
    return Survey(deployment, graph, found, compute(graph, found, deletions))


def compute(graph: Graph, found: Inventory, deletions: list[Key]) -> Plan:
    """`deletions`: what exists but is no longer wanted, already in the order it must go."""
    changes, unsupported = [], []
    for resource in graph:
        if resource.external:
            continue
        if resource.key.type in found.unsupported:
            unsupported.append((resource.key, found.unsupported[resource.key.type]))
            continue
        existing = found.found.get(resource.key)
        if existing is None:
            changes.append(Change("create", resource.key))
            continue
        handler = HANDLERS[resource.key.type]
        desired = handler.comparable(resolve(resource.properties, found.outputs_of))
        details = differences(handler, desired, existing.observed)
        replacement = any(name in handler.immutable and desired[name] != existing.observed.get(name)
                          for name in handler.observed)
        changes.append(Change("update", resource.key, tuple(details), replacement) if details
                       else Change("unchanged", resource.key))
    changes.extend(Change("delete", key) for key in deletions)
    return Plan(tuple(changes), tuple(unsupported))


def differences(handler: Handler, desired: Mapping[str, Any], observed: Mapping[str, Any]) -> list[str]:
    details = []
    for name in handler.observed:
        want, have = desired[name], observed.get(name)
        if want is None:  # a property apply sets once and then leaves to others (an autoscaled group's size)
            continue
        if name in handler.at_least:
            missing = _missing(want, have)
            if missing:
                details.append(f"{name}: needs {_short(missing)}")
        elif want != have:
            details.append(f"{name}: {_short(have)} -> {_short(want)}")
    return details


def _missing(want: Any, have: Any) -> Any:
    """What of `want` is not already in `have` (dict items or list members)."""
    if isinstance(want, Mapping):
        have = have or {}
        return {k: v for k, v in want.items() if v is UNKNOWN or have.get(k) != v}
    return [item for item in want if item is UNKNOWN or item not in (have or [])]


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= SHOWN_CHARS else text[: SHOWN_CHARS - 3] + "..."
