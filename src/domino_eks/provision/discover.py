"""What exists: every resource type lists the deployment's resources by the tag domino-eks/deployment=<cluster>.

Types found through a parent (mount targets through their file system) run in a second wave. Resources the
spec says exist already (an existing VPC) are looked up rather than discovered. There is no state file.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from domino_eks.aws import faults
from domino_eks.aws.session import Aws
from domino_eks.errors import ToolError
from domino_eks.model import Deployment
from domino_eks.provision.graph import Graph
from domino_eks.provision.handlers import HANDLERS
from domino_eks.provision.handlers.base import Handler, LookupFailed, Scope
from domino_eks.provision.resources import Existing, Key, resolve

WAVES = (1, 2)


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
    found = Inventory()
    problems: list[str] = []
    with ThreadPoolExecutor(max_workers=len(HANDLERS)) as pool:
        for wave in WAVES:
            scope = Scope(deployment, dict(found.found))
            handlers = [h for h in HANDLERS.values() if h.wave == wave]
            results = pool.map(lambda h, s=scope: _discover(h, aws, s), handlers)
            for handler, result in zip(handlers, results, strict=True):
                if isinstance(result, Exception):
                    if faults.lacks_api(result):
                        found.unsupported[handler.kind] = "not supported by this endpoint"
                    else:
                        problems.append(f"{handler.kind}: {faults.describe(result)}")
                else:
                    for existing in result:
                        found.add(existing)
    if problems:
        raise ToolError("cannot read what exists:\n  " + "\n  ".join(problems))
    _look_up_external(aws, graph, found)
    return found


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
