"""What every resource type knows how to do: find its resources, create, update and delete one.

Each type declares its contract as data, which tests/provision/test_provision_contracts.py checks against
every desired graph the tool builds. `properties` are the keys of a desired resource's properties
(`external_properties` those of one the user gives, which `lookup` reads).

The contract that keeps plan honest: `discover` fills `Existing.observed` with exactly the keys in
`observed`, in the shape `comparable(desired properties)` gives them, so plan compares the two plainly.
Each observed key is a property, or one `comparable` derives from them (`derived`). Keys in `at_least`
are satisfied by a superset (tags others add, policies someone else attached are left alone); keys in
`immutable` can only change by replacing the resource, which apply refuses to do.

`ready_waiter` and `gone_waiter` name the waits, as botocore's waiters, that end once a resource is usable
and once it is gone: `create` and `delete` make a type's own calls (`request_create`, `request_delete`),
then wait for them. A slow type declares in its waits how long AWS takes (waiters.Expected), which paces
the polling.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, ClassVar, TypeVar

from domino_eks.aws import faults
from domino_eks.aws.pages import paginate as paginate  # re-exported: the handlers import it from here
from domino_eks.aws.session import Aws
from domino_eks.model import Deployment
from domino_eks.provision import tags
from domino_eks.provision.resources import Existing, Key
from domino_eks.provision.waiters import Wait

Item = TypeVar("Item")
Answer = TypeVar("Answer")
# per type and step: the 36 node groups of 12 pools in 3 zones in one round; throttling beyond is retried (adaptive)
MAX_CONCURRENT_CALLS = 36


@dataclass(frozen=True)
class Scope:
    """What discovery looks for: one deployment's resources. A type found through others (`found_through`)
    also sees what discovery found of those; `desired` holds the properties of the resources the spec wants,
    whose fixed names (IAM names, an EFS creation token) find them without listing the whole account."""

    deployment: Deployment
    found: Mapping[Key, Existing]
    desired: Mapping[str, Sequence[Mapping[str, Any]]] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.deployment.cluster.declared_name

    def of_type(self, kind: str) -> list[Existing]:
        return [e for k, e in self.found.items() if k.type == kind]

    def names(self, kind: str, name_property: str = "name") -> list[str]:
        """The names the spec gives resources of `kind` (in its `name_property`), each once."""
        named = (p.get(name_property) for p in self.desired.get(kind, ()))
        return sorted({name for name in named if isinstance(name, str)})


def concurrently(call: Callable[[Item], Answer], items: Iterable[Item]) -> list[Answer]:
    """`call` on every item at once, answers in the items' order: discovery's calls within a type are
    independent, so they take one round trip together instead of one each."""
    work = list(items)
    if len(work) <= 1:
        return [call(item) for item in work]
    with ThreadPoolExecutor(max_workers=min(len(work), MAX_CONCURRENT_CALLS)) as pool:
        return list(pool.map(call, work))


def together(reads: Sequence[Callable[[Item], Any]], items: Iterable[Item]) -> list[tuple[Any, ...]]:
    """(each of `reads` on an item) for every item, all at once: the reads about one resource do not depend on
    each other, so they take one round trip with those of every other, not one each in turn."""
    work = [(read, item) for item in items for read in reads]
    answers = concurrently(lambda pair: pair[0](pair[1]), work)
    return [tuple(answers[start:start + len(reads)]) for start in range(0, len(answers), len(reads))]


class Handler:
    kind: ClassVar[str]
    # the types whose discovered resources this one is found through (mount targets through their file
    # system); discovery starts it as soon as those are found, not after every other type
    found_through: ClassVar[tuple[str, ...]] = ()
    # the AWS services `discover` calls: discovery makes their clients before any type starts
    discovers_with: ClassVar[tuple[str, ...]]
    properties: ClassVar[frozenset[str]]
    external_properties: ClassVar[frozenset[str]] = frozenset()
    observed: ClassVar[tuple[str, ...]] = ("tags",)
    derived: ClassVar[frozenset[str]] = frozenset()
    at_least: ClassVar[tuple[str, ...]] = ("tags",)
    immutable: ClassVar[tuple[str, ...]] = ()
    ready_waiter: ClassVar[Wait | None] = None
    gone_waiter: ClassVar[Wait | None] = None
    # what the type protects, for types destroy leaves in place unless asked to delete data (logs, keys)
    kept_without_delete_data: ClassVar[str | None] = None

    def discover(self, aws: Aws, scope: Scope) -> Iterable[Existing]:
        raise NotImplementedError

    def comparable(self, properties: Mapping[str, Any]) -> dict[str, Any]:
        return {name: properties[name] for name in self.observed}

    def create(self, aws: Aws, properties: Mapping[str, Any]) -> Mapping[str, Any]:
        """The new resource's outputs, once it is ready."""
        return self.wait_until_ready(aws, self.request_create(aws, properties), created=True)

    def request_create(self, aws: Aws, properties: Mapping[str, Any]) -> Mapping[str, Any]:
        """The calls that create the resource; its outputs, as far as they are known before it is ready."""
        raise NotImplementedError

    def update(self, aws: Aws, existing: Existing, properties: Mapping[str, Any]) -> Mapping[str, Any]:
        raise NotImplementedError

    def ready(self, aws: Aws, existing: Existing) -> Mapping[str, Any]:
        """The outputs of a resource found already there, once it is usable: an apply that resumes after an
        interruption must not hand a half-made resource to its dependents."""
        return self.wait_until_ready(aws, existing.outputs)

    def wait_until_ready(self, aws: Aws, outputs: Mapping[str, Any], *, created: bool = False) -> Mapping[str, Any]:
        """`created`: requested just now, so the wait first looks once AWS could have finished (waiters.Expected)."""
        if self.ready_waiter is None:
            return outputs
        self.ready_waiter.run(aws.client(self.ready_waiter.service), outputs, created=created)
        return self.ready_outputs(aws, outputs)

    def ready_outputs(self, aws: Aws, outputs: Mapping[str, Any]) -> Mapping[str, Any]:
        """The outputs of a resource that has just become ready; read again by types whose outputs exist only
        then (a cluster's endpoint)."""
        return outputs

    def delete(self, aws: Aws, existing: Existing) -> None:
        """Returns once the resource is gone: until then, what it uses cannot be deleted."""
        self.request_delete(aws, existing)
        if self.gone_waiter is not None:
            self.gone_waiter.run(aws.client(self.gone_waiter.service), existing.outputs)

    def request_delete(self, aws: Aws, existing: Existing) -> None:
        raise NotImplementedError

    def data(self, aws: Aws, existing: Existing) -> str | None:
        """What deleting the resource would lose, in a few words; None when nothing (most types hold no data)."""
        return None

    def empty(self, aws: Aws, existing: Existing) -> None:
        """Delete the data `data` reported, where deleting the resource alone would not (a bucket's objects)."""

    def lookup(self, aws: Aws, properties: Mapping[str, Any]) -> Existing:
        """For external resources (the user's VPC): find the one `properties` names, or say why not."""
        raise NotImplementedError(f"{self.kind} cannot be given from outside")

    def key(self, found_tags: Mapping[str, str]) -> Key:
        return Key(self.kind, found_tags[tags.RESOURCE])


class LookupFailed(Exception):
    """A resource the spec names as existing is not there, or not usable."""


def tag_spec(resource_type: str, resource_tags: Mapping[str, str]) -> list[dict]:
    return [{"ResourceType": resource_type, "Tags": tags.to_aws(resource_tags)}]


def missing_tags(current: Mapping[str, Any], desired: Mapping[str, Any]) -> dict[str, Any]:
    """The desired tags that are absent or different; tags others added are left alone."""
    return {key: value for key, value in desired.items() if current.get(key) != value}


def retag(current: Mapping[str, Any], desired: Mapping[str, Any], write: Callable[[dict[str, Any]], object]) -> None:
    """Write, with the service's own tagging call, only the desired tags that are missing or different."""
    changed = missing_tags(current, desired)
    if changed:
        write(changed)


def ours(items: Iterable[dict], scope: Scope) -> Iterator[tuple[dict, dict[str, str]]]:
    """The listed items that carry the deployment's tag, each with its tags. Listing calls filter on the
    tag as well, but not every endpoint honours such filters (the emulator ignores them for NAT gateways)."""
    for item in items:
        found = tags.from_aws(item.get("Tags"))
        if tags.belongs(found, scope.name):
            yield item, found


@contextmanager
def tolerating(*codes: str) -> Iterator[None]:
    """Treat these AWS error codes as success: the resource is already in the state wanted."""
    try:
        yield
    except Exception as error:
        if faults.code_of(error) not in codes:
            raise


RENAME = "delete or rename it, or choose another metadata.name"


def created_or_own(what: str, name: str, create: Callable[[], Answer],
                   holder: Callable[[], tuple[Answer, Mapping[str, str]]], wanted_tags: Mapping[str, str],
                   *codes: str, remedy: str = RENAME) -> Answer:
    """What `create()` answers. AWS refusing it with one of `codes` means `name` is taken; `holder()` reads what
    holds it, as `create` answers it, and its tags. Discovery found no resource of that name with the deployment's
    tags, and each type using this writes its tags in the create call itself, so a holder tagged as `wanted_tags`
    was made by this very call: an attempt whose answer was lost (botocore retries a call that timed out, and the
    retry finds the name taken). Any other holder is not ours, whoever made it."""
    try:
        return create()
    except Exception as error:
        if faults.code_of(error) not in codes:
            raise
        answer, found = holder()
        if not tags.belongs(found, wanted_tags[tags.DEPLOYMENT]):
            raise faults.NotOurs(what, name, remedy) from error
        return answer


def ids(*pairs: tuple[str, Any]) -> frozenset[tuple[str, str]]:
    """`Existing.uses` from (type, id-or-ids) pairs, skipping what is absent."""
    out = set()
    for kind, value in pairs:
        for item in value if isinstance(value, (list, tuple, set, frozenset)) else [value]:
            if item:
                out.add((kind, item))
    return frozenset(out)
