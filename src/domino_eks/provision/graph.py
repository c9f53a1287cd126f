"""The desired resources of one deployment, and the order they depend on each other in.

A builder adds a resource and gets a Handle back; it hands the Handle's refs (`vpc.id`, `role.arn`) to the
resources that need them. The edges of the graph come from those refs — nobody lists dependencies by name —
and since a ref can only point at a resource already added, the graph cannot have a cycle.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from domino_eks.provision.resources import Key, Ref, Resource


@dataclass(frozen=True)
class Handle:
    key: Key

    def ref(self, output: str) -> Ref:
        return Ref(self.key, output)

    @property
    def id(self) -> Ref:
        return self.ref("id")

    @property
    def arn(self) -> Ref:
        return self.ref("arn")

    @property
    def name(self) -> Ref:
        return self.ref("name")


class Graph:
    def __init__(self) -> None:
        self._resources: dict[Key, Resource] = {}

    def add(
        self, type_: str, name: str, properties: Mapping[str, Any], *,
        after: Iterable[Handle] = (), external: bool = False,
    ) -> Handle:
        resource = Resource(Key(type_, name), dict(properties), frozenset(h.key for h in after), external)
        if resource.key in self._resources:
            raise ValueError(f"{resource.key} is added twice")
        unknown = [str(k) for k in resource.dependencies if k not in self._resources]
        if unknown:
            raise ValueError(f"{resource.key} refers to resources not added yet: {', '.join(sorted(unknown))}")
        self._resources[resource.key] = resource
        return Handle(resource.key)

    def __iter__(self) -> Iterator[Resource]:
        """In the order the builder added them: dependencies first."""
        return iter(self._resources.values())

    def __getitem__(self, key: Key) -> Resource:
        return self._resources[key]

    def __contains__(self, key: object) -> bool:
        return key in self._resources

    def __len__(self) -> int:
        return len(self._resources)

    def dependencies(self) -> dict[Key, frozenset[Key]]:
        """Each resource's direct dependencies, as graphlib.TopologicalSorter takes them."""
        return {key: resource.dependencies for key, resource in self._resources.items()}
