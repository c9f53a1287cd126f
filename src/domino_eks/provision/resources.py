"""The vocabulary of provisioning: a resource we want, a resource that exists, and how one refers to another."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, order=True)
class Key:
    """A resource's identity inside one deployment: its type (CloudFormation's names) and a logical name."""

    type: str
    name: str

    def __str__(self) -> str:
        return f"{self.type} {self.name}"


@dataclass(frozen=True)
class Ref:
    """A value another resource produces (its id, ARN, endpoint...): known once that resource exists."""

    key: Key
    output: str


class _Unknown:
    """A value that exists only after apply; it equals nothing, so a resource waiting on it shows as changing."""

    def __repr__(self) -> str:
        return "(known after apply)"


UNKNOWN = _Unknown()


@dataclass(frozen=True)
class Resource:
    """What should exist. `properties` may hold Refs anywhere; they are the resource's dependencies."""

    key: Key
    properties: Mapping[str, Any]
    after: frozenset[Key] = frozenset()  # order no value carries: the add-ons wait for the nodes
    external: bool = False  # given by the user (an existing VPC): looked up, never created or deleted

    @property
    def dependencies(self) -> frozenset[Key]:
        return frozenset(ref.key for ref in refs_in(self.properties)) | self.after


@dataclass(frozen=True)
class Existing:
    """What exists, as discovery read it back.

    `observed` holds the properties apply manages, in the shape `Resource.properties` uses, so that a
    plain comparison finds drift. `uses` names what the resource depends on in AWS — (type, identifier)
    pairs — which orders deletions even for resources the current spec no longer mentions.
    """

    key: Key
    outputs: Mapping[str, Any]
    observed: Mapping[str, Any] = field(default_factory=dict)
    uses: frozenset[tuple[str, str]] = frozenset()

    @property
    def identifiers(self) -> frozenset[tuple[str, str]]:
        return frozenset((self.key.type, value) for value in self.outputs.values() if isinstance(value, str))


def refs_in(value: Any) -> Iterator[Ref]:
    if isinstance(value, Ref):
        yield value
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from refs_in(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from refs_in(item)


def resolve(value: Any, outputs_of: Callable[[Key], Mapping[str, Any] | None]) -> Any:
    """`value` with every Ref replaced by the output it names, or UNKNOWN when that resource does not exist yet."""
    if isinstance(value, Ref):
        outputs = outputs_of(value.key)
        return UNKNOWN if outputs is None else outputs[value.output]
    if isinstance(value, Mapping):
        return {name: resolve(item, outputs_of) for name, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [resolve(item, outputs_of) for item in value]
    return value


def is_known(value: Any) -> bool:
    if value is UNKNOWN:
        return False
    if isinstance(value, Mapping):
        return all(is_known(item) for item in value.values())
    if isinstance(value, (list, tuple)):
        return all(is_known(item) for item in value)
    return True
