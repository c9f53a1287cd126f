"""What exists: every resource type finds the deployment's resources by the tag domino-eks/deployment=<cluster>
(in a listing filtered on it, or the Resource Groups Tagging API), or by the fixed names apply gives them
(IAM's names, the cluster's, the file system's creation token) — never by reading the whole account.

The clients of every service discovery calls are made first: a client makes no request, but making one holds
the session's lock (their models' objects then stay out of the garbage collector's sight until discovery
ends). Then every type starts at once, except those found through another (access points through their file
system), which start as soon as that one is found; within a type, the calls about each resource run together.
No chain of calls is longer than three (the cluster, its node groups' listing, then their descriptions beside
the listing of their Auto Scaling groups by EKS's tag); four where those groups lack EKS's tag and are read by
the names the descriptions give.
Resources the spec says exist already (an existing VPC) are looked up rather than discovered. There is no
state file.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from graphlib import TopologicalSorter
from typing import Any

from domino_eks.aws import faults
from domino_eks.aws.session import Aws
from domino_eks.errors import ToolError
from domino_eks.model import Deployment
from domino_eks.provision.graph import Graph
from domino_eks.provision.handlers import HANDLERS
from domino_eks.provision.handlers.base import Handler, LookupFailed, Scope
from domino_eks.provision.resources import Existing, Key, resolve


@dataclass
class Inventory:
    found: dict[Key, Existing] = field(default_factory=dict)
    external: set[Key] = field(default_factory=set)  # the user's, never ours to change or delete
    unsupported: dict[str, str] = field(default_factory=dict)  # type -> why the endpoint cannot handle it

    def outputs_of(self, key: Key) -> dict | None:
        existing = self.found.get(key)
        return dict(existing.outputs) if existing else None

    def add(self, existing: Existing) -> None:
        """Keep the first resource found under a key; a second one is a duplicate, listed so plan deletes it."""
        key = existing.key
        if key in self.found:
            physical_id = next(iter(existing.outputs.values()), "?")
            key = Key(key.type, f"{key.name} (duplicate {physical_id})")
        self.found[key] = Existing(key, existing.outputs, existing.observed, existing.uses)

    @property
    def ours(self) -> dict[Key, Existing]:
        return {key: existing for key, existing in self.found.items() if key not in self.external}


def inventory(aws: Aws, deployment: Deployment, graph: Graph) -> Inventory:
    results = _discover_all(aws, deployment, graph)
    found = Inventory()
    problems: list[str] = []
    for kind, handler in HANDLERS.items():  # in the registry's order, whichever type finished first
        result = results[kind]
        if not isinstance(result, Exception):
            for existing in result:
                found.add(existing)
        elif faults.lacks_api(result):
            found.unsupported[kind] = "not supported by this endpoint"
        else:
            problems.append(f"{handler.kind}: {faults.describe(result)}")
    if problems:
        raise ToolError("cannot read what exists:\n  " + "\n  ".join(problems))
    _look_up_external(aws, graph, found)
    return found


def _discover_all(aws: Aws, deployment: Deployment, graph: Graph) -> dict[str, list[Existing] | Exception]:
    """Each type's resources (or why they could not be read); a type starts once those it is found through
    are in, so no type waits for an unrelated one."""
    desired = _desired_properties(graph)
    services = dict.fromkeys(service for handler in HANDLERS.values() for service in handler.discovers_with)
    with aws.prepared(services):
        order = TopologicalSorter({kind: handler.found_through for kind, handler in HANDLERS.items()})
        order.prepare()
        results: dict[str, list[Existing] | Exception] = {}
        with ThreadPoolExecutor(max_workers=len(HANDLERS)) as pool:
            running: dict[Future[list[Existing] | Exception], str] = {}
            while order.is_active():
                for kind in order.get_ready():
                    scope = Scope(deployment, _found_among(results, HANDLERS[kind].found_through), desired)
                    running[pool.submit(_discover, HANDLERS[kind], aws, scope)] = kind
                finished, _ = wait(running, return_when=FIRST_COMPLETED)
                for future in finished:
                    kind = running.pop(future)
                    results[kind] = future.result()
                    order.done(kind)
    return results


def _found_among(results: Mapping[str, list[Existing] | Exception], kinds: Sequence[str]) -> dict[Key, Existing]:
    parents = Inventory()
    for kind in kinds:
        result = results[kind]
        for existing in () if isinstance(result, Exception) else result:
            parents.add(existing)
    return parents.found


def _desired_properties(graph: Graph) -> dict[str, Sequence[Mapping[str, Any]]]:
    wanted: dict[str, list[Mapping[str, Any]]] = {}
    for resource in graph:
        wanted.setdefault(resource.key.type, []).append(resource.properties)
    return dict(wanted)


def _discover(handler: Handler, aws: Aws, scope: Scope) -> list[Existing] | Exception:
    try:
        return list(handler.discover(aws, scope))
    except Exception as error:  # reported per type by the caller, after every type had its turn
        return error


def _look_up_external(aws: Aws, graph: Graph, found: Inventory) -> None:
    for resource in graph:
        if not resource.external:
            continue
        try:
            existing = HANDLERS[resource.key.type].lookup(aws, resolve(resource.properties, found.outputs_of))
        except LookupFailed as error:
            raise ToolError(str(error)) from None
        except Exception as error:  # an AWS error (permissions, connection): the user's to fix, not a traceback
            raise ToolError(f"cannot look up {resource.key} named in the spec: {faults.describe(error)}") from None
        displaced = found.found.pop(resource.key, None)
        if displaced is not None:  # apply made this before the spec named an existing one: it goes
            found.add(Existing(Key(displaced.key.type, f"{displaced.key.name} (replaced by {existing.outputs['id']})"),
                               displaced.outputs, displaced.observed, displaced.uses))
        found.found[resource.key] = existing
        found.external.add(resource.key)
