"""The fast way to read the common dump: one kubectl List whose items all carry a kind the snapshot keeps.

The documented command (`kubectl get nodes,storageclasses,namespaces,daemonsets,csidrivers -A -o json`)
prints such a List. msgspec decodes it straight from the file's bytes into structures typed from
`collect.shapes`, so the fields the rules never read (managed fields, images, annotations, timestamps) are
skipped in C and never become Python objects, and each item comes out already pruned. Whatever does not fit
those types — YAML, several documents, typed lists whose items carry no kind, kinds the snapshot does not keep,
garbage items, a value of an unexpected shape — makes `kubernetes_list` answer None, and the general reader in
`sources.dump` reads the file as before, with its messages; so this module changes how fast a dump is read,
never what is read from it.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any, NamedTuple, Union

import msgspec
from msgspec import UNSET, UnsetType

from domino_eks.collect import shapes

KIND = "kind"


class KubernetesList(NamedTuple):
    kind: str  # "List", or a typed list's kind ("NodeList")
    by_key: dict[str, list[dict]]  # the pruned objects by snapshot key ("nodes"), as `shapes.prune` keeps them


def _struct(name: str, shape: Mapping, required: tuple[str, ...] = (), **options: Any) -> type[msgspec.Struct]:
    """A structure holding the keys `shape` names; like `shapes.prune`, a shaped value may be an object or a
    list of them, a key kept whole holds any JSON, and a key the JSON lacks stays absent (UNSET) — unless it is
    `required`, which must be there and be an object."""
    fields: list[tuple[str, Any] | tuple[str, Any, Any]] = []
    for key, sub in shape.items():
        member: Any = Any if sub is shapes.WHOLE else _struct(f"{name}_{key}", sub)
        if key in required:
            fields.append((key, member))
        else:
            kept = member if sub is shapes.WHOLE else Union[member, list[member], None, UnsetType]  # noqa: UP007
            fields.append((key, kept, UNSET))
    return msgspec.defstruct(name, fields, omit_defaults=True, kw_only=True, **options)


# one structure per kept kind, told apart by the item's `kind` (which only the shapes that name it keep); an
# object without metadata, or with metadata that is no object, is the general reader's to refuse
_ITEM_TYPES = {kind: _struct(kind, {k: v for k, v in shape.items() if k != KIND}, required=("metadata",),
                             tag_field=KIND, tag=kind)
               for kind, (_, shape) in shapes.KINDS.items()}
_KIND_OF = {item_type: kind for kind, item_type in _ITEM_TYPES.items()}
_KEEPS_KIND = {kind for kind, (_, shape) in shapes.KINDS.items() if KIND in shape}
_ITEM = Union[tuple(_ITEM_TYPES.values())]  # type: ignore[valid-type]  # noqa: UP007
# the list's items stay undecoded (slices of the file's bytes) until each is decoded and converted on its own,
# so a decoded item and its plain-dict form live together for one item at a time, not for the whole list


class _List(msgspec.Struct, rename="camel"):
    kind: str
    api_version: str
    items: list[msgspec.Raw]


_LIST_DECODER = msgspec.json.Decoder(_List)
_ITEM_DECODER = msgspec.json.Decoder(_ITEM)


def kubernetes_list(raw: bytes) -> KubernetesList | None:
    """The pruned objects of `raw` when it is one JSON List of kinds the snapshot keeps, else None."""
    try:
        listed = _LIST_DECODER.decode(raw)
        if not listed.kind.endswith("List"):
            return None
        by_key: dict[str, list[dict]] = {}
        for encoded in listed.items:
            item = _ITEM_DECODER.decode(encoded)
            kind = _KIND_OF[type(item)]
            pruned = msgspec.to_builtins(item)
            if kind not in _KEEPS_KIND:
                del pruned[KIND]
            by_key.setdefault(shapes.KINDS[kind][0], []).append(pruned)
    except (msgspec.DecodeError, msgspec.ValidationError, RecursionError):  # the general reader says where
        return None
    return KubernetesList(listed.kind, by_key)


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
