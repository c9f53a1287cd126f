"""The fast way to read the common dump: one kubectl List whose items all carry a kind the snapshot keeps.

The documented command (`kubectl get nodes,storageclasses,namespaces,daemonsets,csidrivers -A -o json`)
prints such a List. msgspec decodes it straight from the file's bytes into dicts typed from `collect.shapes`
(TypedDicts, so no structure is converted after): the fields the rules never read (managed fields, images,
annotations, timestamps) are skipped in C and never become Python objects, and each item comes out already
pruned. Whatever does not fit
those types — YAML, several documents, typed lists whose items carry no kind, kinds the snapshot does not keep,
garbage items, a value of an unexpected shape — makes `kubernetes_list` answer None, and the general reader in
`sources.dump` reads the file as before, with its messages; so this module changes how fast a dump is read,
never what is read from it.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any, Literal, NamedTuple, Union

import msgspec
from typing_extensions import NotRequired, Required, TypedDict

from domino_eks.collect import shapes

KIND = "kind"


class KubernetesList(NamedTuple):
    kind: str  # "List", or a typed list's kind ("NodeList")
    by_key: dict[str, list[dict]]  # the pruned objects by snapshot key ("nodes"), as `shapes.prune` keeps them


def _typed(name: str, shape: Mapping, kind: str | None = None) -> type:
    """A TypedDict of the keys `shape` names, so msgspec builds the pruned dict itself (no structure to convert
    after): like `shapes.prune`, a shaped value may be an object or a list of them, a key kept whole holds any
    JSON, and a key the JSON lacks stays absent. An item's type (`kind` given) also requires its metadata, an
    object, and its kind, which must be `kind`."""
    keys: dict[str, Any] = {}
    for key, sub in shape.items():
        if sub is shapes.WHOLE:
            keys[key] = Any
        elif kind is not None and key == "metadata":
            keys[key] = Required[_typed(f"{name}_{key}", sub)]
        else:
            member: Any = _typed(f"{name}_{key}", sub)
            keys[key] = NotRequired[Union[member, list[member], None]]  # noqa: UP007
    if kind is not None:
        keys[KIND] = Required[Literal[kind]]
    return TypedDict(name, keys, total=False)  # type: ignore[operator]


# one decoder per kept kind; an item is the kind whose decoder takes it. kubectl lists the objects kind by kind,
# so the kind of the item before is tried first, and another only where the kinds change. An object without
# metadata, or with metadata that is no object, is the general reader's to refuse.
_ITEM_DECODERS: dict[str, msgspec.json.Decoder[dict]] = {
    kind: msgspec.json.Decoder(_typed(kind, shape, kind)) for kind, (_, shape) in shapes.KINDS.items()}
_KEEPS_KIND = {kind for kind, (_, shape) in shapes.KINDS.items() if KIND in shape}


# the list's items stay undecoded (slices of the file's bytes) until each is decoded on its own, so no tree of
# the whole file's objects is ever built
class _List(msgspec.Struct, rename="camel"):
    kind: str
    api_version: str
    items: list[msgspec.Raw]


_LIST_DECODER = msgspec.json.Decoder(_List)


def kubernetes_list(raw: bytes) -> KubernetesList | None:
    """The pruned objects of `raw` when it is one JSON List of kinds the snapshot keeps, else None."""
    try:
        listed = _LIST_DECODER.decode(raw)
        if not listed.kind.endswith("List"):
            return None
        by_key: dict[str, list[dict]] = {}
        kind = next(iter(_ITEM_DECODERS))
        for encoded in listed.items:
            kind, item = _decoded(encoded, kind)
            if kind not in _KEEPS_KIND:
                del item[KIND]
            by_key.setdefault(shapes.KINDS[kind][0], []).append(item)
    except (msgspec.DecodeError, msgspec.ValidationError, RecursionError):  # the general reader says where
        return None
    return KubernetesList(listed.kind, by_key)


def _decoded(encoded: msgspec.Raw, likely: str) -> tuple[str, dict]:
    """(kind, pruned object) of one item, its kind tried first as `likely`; ValidationError if no kind's."""
    try:
        return likely, _ITEM_DECODERS[likely].decode(encoded)
    except msgspec.ValidationError:
        for kind, decoder in _ITEM_DECODERS.items():
            if kind != likely:
                try:
                    return kind, decoder.decode(encoded)
                except msgspec.ValidationError:
                    continue
        raise


@contextmanager
def paused_gc() -> Iterator[None]:
    """No cyclic garbage collection while a dump becomes objects: they are all kept, so the collector's passes
    over them would find nothing. On the way out they are frozen (moved out of the collector's sight; reference
    counting still frees them), or the first collection after it resumes would walk every one of them once more:
    a tenth of a second at 20,000 nodes."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()
