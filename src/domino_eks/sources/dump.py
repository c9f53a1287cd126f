"""Reading dump files into a snapshot: one `domino-eks snapshot` wrote, or the v1 List kubectl prints.

A kubectl List (`kubectl get nodes,storageclasses,namespaces,daemonsets,csidrivers -A -o json`) holds
Kubernetes objects only, so the snapshot made from it says the AWS side was not collected. Its items are
decoded one at a time and pruned at once (`collect.shapes`), so a dump of thousands of nodes never sits
in memory as one tree of Python objects. Several files merge into one snapshot: a kubectl List beside a
snapshot of the AWS side gives both halves.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from pathlib import Path

from domino_eks.collect import shapes
from domino_eks.collect.shapes import SNAPSHOT_KIND, SNAPSHOT_VERSION
from domino_eks.errors import InputError, Problem

KUBECTL_COMMAND = "kubectl get nodes,storageclasses,namespaces,daemonsets,csidrivers -A -o json"
# what the documented command lists; a List holding namespaces (every cluster has some) is taken to be its
# output, so a kind it lacks has no objects rather than being unknown
DOCUMENTED_KINDS = ("nodes", "storageclasses", "namespaces", "daemonsets", "csidrivers")
SECTIONS = ("kubernetes", "aws")

_SPACE = re.compile(r"[ \t\n\r]*")
_DECODER = json.JSONDecoder()


def read_all(paths: Iterable[str]) -> dict:
    """One snapshot from one or more dump files; a later file fills what the earlier ones lack."""
    merged: dict = {"kind": SNAPSHOT_KIND, "version": SNAPSHOT_VERSION, "target": {}, "errors": {}}
    for path in paths:
        _merge(merged, read(path))
    return merged


def read(path: str) -> dict:
    """A snapshot from one file: a snapshot as written, or one made from a kubectl List."""
    text = _text(path)
    items: dict[str, list] = {}

    def keep(item: object) -> None:
        if isinstance(item, dict) and item.get("kind") in shapes.KINDS:
            key, shape = shapes.KINDS[item["kind"]]
            items.setdefault(key, []).append(shapes.prune(item, shape))

    try:
        members = _top_level_members(text, keep)
    except json.JSONDecodeError as exc:
        raise InputError([Problem(path, f"invalid JSON: {exc.msg}", exc.lineno, exc.colno)]) from None
    kind = members.get("kind")
    if kind == SNAPSHOT_KIND:
        return _checked_snapshot(path, members)
    if isinstance(kind, str) and kind.endswith("List") and members.get("apiVersion") == "v1":
        return _from_kubectl_list(path, items)
    raise InputError([Problem(
        path,
        f"unrecognised file: kind {kind!r}; expected a snapshot written by `domino-eks snapshot` (kind "
        f"{SNAPSHOT_KIND}) or the v1 List printed by `{KUBECTL_COMMAND}`",
    )])


def _text(path: str) -> str:
    try:
        with open(path, encoding="utf-8") as handle:
            return handle.read()
    except FileNotFoundError:
        raise InputError([Problem(path, "no such file")]) from None
    except IsADirectoryError:
        raise InputError([Problem(path, "is a directory, expected a JSON file")]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError([Problem(path, f"cannot read: {exc}")]) from None


def _checked_snapshot(path: str, members: dict) -> dict:
    version = members.get("version")
    if version != SNAPSHOT_VERSION:
        raise InputError([Problem(
            path, f"snapshot version {version!r} is not one this tool reads (version {SNAPSHOT_VERSION}); "
                  f"take a new snapshot with this version of domino-eks",
        )])
    for key in (*SECTIONS, "errors", "target"):
        if members.get(key) is not None and not isinstance(members[key], dict):
            raise InputError([Problem(path, f"snapshot key {key!r} must be an object, "
                                            f"found {type(members[key]).__name__}")])
    return members


def _from_kubectl_list(path: str, items: dict[str, list]) -> dict:
    name = Path(path).name
    complete = "namespaces" in items
    kubernetes = {key: items.get(key, []) for key in DOCUMENTED_KINDS if complete or key in items}
    kubernetes.update({key: value for key, value in items.items() if key not in kubernetes})
    errors = {key: f"not in {name}; `{KUBECTL_COMMAND}` lists them" for key in DOCUMENTED_KINDS
              if key not in kubernetes}
    errors["aws"] = (f"{name} is a kubectl List, which holds Kubernetes objects only; `domino-eks snapshot` "
                     f"also collects the AWS side")
    return {"kind": SNAPSHOT_KIND, "version": SNAPSHOT_VERSION, "target": {}, "kubernetes": kubernetes,
            "errors": errors}


def _merge(into: dict, snapshot: dict) -> None:
    for section in SECTIONS:
        if snapshot.get(section) is not None:
            into[section] = {**snapshot[section], **(into.get(section) or {})}
    into["target"] = {**(snapshot.get("target") or {}), **into["target"]}
    into["collected_at"] = into.get("collected_at") or snapshot.get("collected_at")
    errors = {**(snapshot.get("errors") or {}), **into["errors"]}
    collected = set(into.get("kubernetes") or ()) | {s for s in SECTIONS if into.get(s) is not None}
    into["errors"] = {key: why for key, why in errors.items() if key not in collected}


def _top_level_members(text: str, on_item: Callable[[object], None]) -> dict:
    """The members of the document's top-level object, except that the elements of its "items" array go
    one by one to `on_item` instead of into the result. Raises JSONDecodeError (with line and column)."""
    position = _skip(text, _expect(text, _skip(text, 0), "{", "a JSON object"))
    members: dict = {}
    if text.startswith("}", position):
        return _end(text, position + 1, members)
    while True:
        key, position = _DECODER.raw_decode(text, position)
        if not isinstance(key, str):
            raise json.JSONDecodeError("expected a member name", text, position)
        position = _skip(text, _expect(text, _skip(text, position), ":", "':'"))
        if key == "items" and text.startswith("[", position):
            position = _array_elements(text, position + 1, on_item)
        else:
            members[key], position = _DECODER.raw_decode(text, position)
        position = _skip(text, position)
        if not text.startswith(",", position):
            return _end(text, _expect(text, position, "}", "',' or '}'"), members)
        position = _skip(text, position + 1)


def _array_elements(text: str, position: int, on_item: Callable[[object], None]) -> int:
    position = _skip(text, position)
    if text.startswith("]", position):
        return position + 1
    while True:
        item, position = _DECODER.raw_decode(text, position)
        on_item(item)
        position = _skip(text, position)
        if not text.startswith(",", position):
            return _expect(text, position, "]", "',' or ']'")
        position = _skip(text, position + 1)


def _end(text: str, position: int, members: dict) -> dict:
    if _skip(text, position) != len(text):
        raise json.JSONDecodeError("extra data after the top-level object", text, _skip(text, position))
    return members


def _skip(text: str, position: int) -> int:
    match = _SPACE.match(text, position)
    assert match is not None  # the pattern matches the empty string, so it matches at any position
    return match.end()


def _expect(text: str, position: int, token: str, what: str) -> int:
    """The position after `token`, which must stand at `position`."""
    if not text.startswith(token, position):
        raise json.JSONDecodeError(f"expected {what}", text, position)
    return position + 1
