"""The fast way to read the common dump: one kubectl List whose items all carry a kind the snapshot keeps.

The documented command (`kubectl get nodes,storageclasses,namespaces,daemonsets,csidrivers -A -o json`)
prints such a List. msgspec decodes the whole file in one call, straight from its bytes, each item by its kind:
a node into `collect.shapes.NodeFacts`, the structure every reader of nodes takes; an object of another kind into
the dict `shapes.prune` would keep of it (its fields typed from `collect.shapes`, TypedDicts, so no structure is
converted after). The fields the rules never read (managed fields, images, annotations, timestamps) are skipped
in C and never become Python objects. Whatever does not fit those types — YAML, several documents, typed lists
whose items carry no kind, kinds the snapshot does not keep, garbage items, a value of an unexpected shape —
makes `kubernetes_list` answer None, and the general reader in `sources.dump` reads the file as before, with its
messages; so this module changes how fast a dump is read, never what is read from it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple, Union

import msgspec
from typing_extensions import NotRequired, TypedDict

from domino_eks.collect import shapes

KIND = "kind"


class KubernetesList(NamedTuple):
    kind: str  # "List", or a typed list's kind ("NodeList")
    by_key: dict[str, list[Any]]  # by snapshot key ("nodes"): what the general reader keeps of each object


def _typed(name: str, shape: Mapping) -> type:
    """A TypedDict of the keys `shape` names, so msgspec builds the pruned dict itself: like `shapes.prune`, a
    shaped value may be an object or a list of them, a key kept whole holds any JSON, and a key the JSON lacks
    stays absent."""
    keys: dict[str, Any] = {}
    for key, sub in shape.items():
        if sub is shapes.WHOLE:
            keys[key] = Any
        else:
            member: Any = _typed(f"{name}_{key}", sub)
            keys[key] = NotRequired[Union[member, list[member], None]]  # noqa: UP007
    return TypedDict(name, keys, total=False)  # type: ignore[operator]


def _item(kind: str, shape: Mapping) -> type[msgspec.Struct]:
    """An object of `kind`, told apart from the other kinds by it: its metadata required, an object; every other
    key `shape` names UNSET when the JSON lacks it, so that `_pruned` leaves it absent."""
    fields = [(key, Any if sub is shapes.WHOLE else _typed(f"{kind}_{key}", sub), msgspec.UNSET)
              for key, sub in shape.items() if key not in (KIND, "metadata")]
    return msgspec.defstruct(kind, [("metadata", _typed(f"{kind}_metadata", shape["metadata"])), *fields],
                             tag_field=KIND, tag=kind)


def _pruned(item: msgspec.Struct) -> dict:
    kind = type(item).__name__
    kept = {key: value for key in item.__struct_fields__ if (value := getattr(item, key)) is not msgspec.UNSET}
    return {KIND: kind, **kept} if KIND in shapes.KINDS[kind][1] else kept


_ITEMS = {kind: shapes.NodeFacts if shape is shapes.NODE else _item(kind, shape)
          for kind, (_, shape) in shapes.KINDS.items()}
_KEYS = {item: shapes.KINDS[kind][0] for kind, item in _ITEMS.items()}


class _List(msgspec.Struct, rename="camel"):
    kind: str
    api_version: str
    items: list[Union[tuple(_ITEMS.values())]]  # type: ignore[valid-type]  # noqa: UP007


_LIST_DECODER = msgspec.json.Decoder(_List)


def kubernetes_list(raw: bytes) -> KubernetesList | None:
    """The objects of `raw` when it is one JSON List of kinds the snapshot keeps, else None."""
    try:
        listed = _LIST_DECODER.decode(raw)
    except (msgspec.DecodeError, msgspec.ValidationError, RecursionError):  # the general reader says where
        return None
    if not listed.kind.endswith("List"):
        return None
    by_key: dict[str, list[Any]] = {}
    for item in listed.items:
        by_key.setdefault(_KEYS[type(item)], []).append(item if type(item) is shapes.NodeFacts else _pruned(item))
    return KubernetesList(listed.kind, by_key)
