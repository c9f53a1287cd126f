"""Reading dump files into a snapshot: one `domino-eks snapshot` wrote, or the lists kubectl and API clients print.

A kubectl List (`kubectl get nodes,storageclasses,namespaces,daemonsets,csidrivers -A -o json`, or `-o yaml`)
holds Kubernetes objects only, so the snapshot made from it says the AWS side was not collected. Typed lists
(NodeList, StorageClassList... from `kubectl get --raw`, API clients, and `kubectl cluster-info dump`, which
prints several one after another) carry no `kind` on their items: the list's kind names it. JSON items are
decoded one at a time and pruned at once (`collect.shapes`), so a dump of thousands of nodes never sits in
memory as one tree of Python objects. A file may be gzipped. Several files merge into one snapshot: a kubectl
List beside a snapshot of the AWS side gives both halves.
"""

from __future__ import annotations

import json
import re
import zlib
from collections.abc import Callable, Iterable
from functools import cache
from pathlib import Path
from typing import Any

import msgspec

from domino_eks.collect import shapes
from domino_eks.collect.shapes import SNAPSHOT_KIND, SNAPSHOT_VERSION
from domino_eks.errors import InputError, Problem
from domino_eks.sources import dump_decode
from domino_eks.sources.files import GZIP_MAGIC, NUMBER_TOO_LONG, bounded_bytes

KUBECTL_COMMAND = "kubectl get nodes,storageclasses,namespaces,daemonsets,csidrivers -A -o json"
# what the documented command lists; a List holding namespaces (every cluster has some) is taken to be its
# output, so a kind it lacks has no objects rather than being unknown
DOCUMENTED_KINDS = ("nodes", "storageclasses", "namespaces", "daemonsets", "csidrivers")
SECTIONS = ("kubernetes", "aws")

# A kubectl List of 5,000 nodes is about 50 MB; a dump five times that is no cluster's, and would sit in memory
# as text. The limit holds for a gzipped file's content too: a small file may inflate a thousandfold.
MAX_DUMP_BYTES = 256 * 1024 * 1024
DUMP = "a dump (kubectl List or snapshot)"
# A Kubernetes object nests a dozen levels at most (managedFields' fieldsV1 the deepest); far below Python's
# recursion limit, which reading a deeper document would otherwise meet as a RecursionError.
MAX_DUMP_DEPTH = 64
TOO_DEEP = f"nested too deeply: at most {MAX_DUMP_DEPTH} levels expected"
NESTED_PAST_RECURSION = "nested too deeply to read: hundreds of levels, where a Kubernetes object has a dozen"
_SPACE = re.compile(r"[ \t\n\r]*")
_MSGSPEC_ERROR = re.compile(r"(.*) - at (`key` in )?`\$(.*)`", re.DOTALL)
_DECODER = json.JSONDecoder()


def read_all(paths: Iterable[str]) -> dict:
    """One snapshot from one or more dump files; a later file fills what the earlier ones lack."""
    merged: dict = {"kind": SNAPSHOT_KIND, "version": SNAPSHOT_VERSION, "target": {}, "errors": {}}
    for path in paths:
        _merge(merged, read(path))
    return merged


def read(path: str) -> dict:
    """A snapshot from one file: a snapshot as written, or one made from the Kubernetes lists it holds."""
    raw = _raw(path)
    listed = dump_decode.kubernetes_list(raw)
    if listed is not None:
        return _from_kubectl_list(path, listed.by_key, mixed=listed.kind == "List")
    text = _text(path, raw)
    items = _Items(path)
    documents = _yaml_documents(path, text, items) if _is_yaml(text) else _json_documents(path, text, items)
    if items.problems:
        raise InputError(items.problems)
    kinds = [members.get("kind") for members in documents]
    if kinds == [SNAPSHOT_KIND]:
        return _checked_snapshot(path, documents[0])
    if kinds and all(_is_list(members) for members in documents):
        return _from_kubectl_list(path, items.by_key, mixed="List" in kinds)
    kind = next((k for k, m in zip(kinds, documents, strict=True) if not _is_list(m)), None)
    raise InputError([Problem(
        path,
        f"unrecognised file: kind {kind!r}; expected a snapshot written by `domino-eks snapshot` (kind "
        f"{SNAPSHOT_KIND}) or the v1 List printed by `{KUBECTL_COMMAND}` (or a typed list such as NodeList)",
    )])


class _Items:
    """The Kubernetes objects of a file's lists, pruned to what the snapshot keeps, by snapshot key ("nodes").

    An item without `kind` waits until its list's kind is known (kubectl writes "items" before "kind"); an item
    that is no Kubernetes object is a problem named by its index, never dropped."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.by_key: dict[str, list] = {}
        self.problems: list[Problem] = []
        self._kindless: list[tuple[int, dict]] = []
        self._index = 0
        self._document = 0

    def take(self, item: object) -> None:
        index, self._index = self._index, self._index + 1
        if not isinstance(item, dict):
            self._refuse(index, f"expected a Kubernetes object, found {_json_name(item)}")
        elif item.get("kind") is None:
            self._kindless.append((index, item))
        else:
            self._keep(item["kind"], index, item)

    def end_of_document(self, members: dict) -> None:
        """A list's own members are read: its kind names the items that carry none."""
        listed = members.pop("items", None)  # what remains under "items" was no array to take one by one
        if listed is not None:  # null is how a Go client writes an empty list
            self._problem(f"items: expected an array of Kubernetes objects, found {_json_name(listed)}")
        list_kind = members.get("kind") if _is_list(members) else None
        item_kind = list_kind.removesuffix("List") if isinstance(list_kind, str) and list_kind != "List" else None
        for index, item in self._kindless:
            if item_kind:
                self._keep(item_kind, index, {"apiVersion": members["apiVersion"], "kind": item_kind, **item})
            else:
                self._refuse(index, "an object without a kind, in a List that does not name its items' kind")
        self._kindless, self._index, self._document = [], 0, self._document + 1

    def _keep(self, kind: object, index: int, item: dict) -> None:
        if not isinstance(kind, str) or not isinstance(item.get("metadata"), dict):
            self._refuse(index, f"expected a Kubernetes object with a kind and metadata, found {_json_name(item)} "
                                f"with keys {', '.join(sorted(map(str, item))) or 'none'}")
        elif kind == "Node":  # the nodes of both readers are alike: `dump_decode` builds the same structure
            try:
                self.by_key.setdefault("nodes", []).append(msgspec.convert(item, shapes.NodeFacts))
            except msgspec.ValidationError as exc:
                self._problem(_invalid(exc, f"items[{index}]"))
        elif kind in shapes.KINDS:
            key, shape = shapes.KINDS[kind]
            self.by_key.setdefault(key, []).append(shapes.prune(item, shape))

    def _refuse(self, index: int, why: str) -> None:
        self._problem(f"items[{index}]: {why}")

    def _problem(self, what: str) -> None:
        where = f"document {self._document + 1}, " if self._document else ""  # the first needs no number
        self.problems.append(Problem(self.path, f"{where}{what}"))


def _invalid(exc: msgspec.ValidationError, within: str) -> str:
    """msgspec's "Expected `str`, got `int` - at `$.metadata.name`" as "<within>.metadata.name: expected `str`,
    got `int`": `within` names the value msgspec calls $. A map's key of the wrong type is "at `key` in `$...`"."""
    found = _MSGSPEC_ERROR.fullmatch(str(exc))
    if found is None:  # msgspec names no place when the value itself is wrong
        return f"{within}: {str(exc)[:1].lower()}{str(exc)[1:]}"
    expected, key, path = found.groups()
    return f"{within}{path}: {expected[:1].lower()}{expected[1:]}{' for a key' if key else ''}"


def _json_name(value: object) -> str:
    names = {dict: "an object", list: "an array", str: "a string", bool: "a boolean", type(None): "null"}
    return names.get(type(value), "a number")


def _is_list(members: dict) -> bool:
    kind = members.get("kind")
    return isinstance(kind, str) and kind.endswith("List") and isinstance(members.get("apiVersion"), str)


def _is_yaml(text: str) -> bool:
    """JSON starts with an object; `kubectl get -o yaml` with a key."""
    return not text.lstrip().startswith("{")


def _json_documents(path: str, text: str, items: _Items) -> list[dict]:
    """The top-level objects of a JSON file (`kubectl cluster-info dump` prints several), their items to `items`."""
    try:
        return decode_json(text, items.take, items.end_of_document)
    except json.JSONDecodeError as exc:
        raise InputError([Problem(path, f"invalid JSON: {exc.msg}", exc.lineno, exc.colno)]) from None
    except RecursionError:
        raise InputError([Problem(path, NESTED_PAST_RECURSION)]) from None
    except ValueError:  # the one other failure of the decoder: an integer of too many digits
        raise InputError([Problem(path, f"invalid JSON: {NUMBER_TOO_LONG}")]) from None


def _yaml_documents(path: str, text: str, items: _Items) -> list[dict]:
    # ruamel.yaml is loaded for a YAML dump only: a JSON one (the common case) need not pay for its import
    from ruamel.yaml import YAML
    from ruamel.yaml.error import MarkedYAMLError

    from domino_eks.sources import yamlfile

    yaml = YAML(typ="safe")
    yaml.Scanner = _dump_scanner()
    try:
        documents = [d for d in yaml.load_all(text) if d is not None]
    except yamlfile.TooDeep as exc:
        raise InputError([Problem(path, TOO_DEEP, exc.problem_mark.line + 1, exc.problem_mark.column + 1)]) from None
    except ValueError:  # an integer of too many digits
        raise InputError([Problem(path, f"invalid YAML: {NUMBER_TOO_LONG}")]) from None
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (None, None)
        raise InputError([Problem(path, f"invalid YAML: {exc.problem or exc}", line, column)]) from None
    if not documents or not all(isinstance(d, dict) for d in documents):
        raise InputError([Problem(path, "expected a JSON object or a YAML mapping (a kubectl List)", 1, 1)])
    for document in documents:
        if isinstance(document.get("items"), list):
            for item in document.pop("items"):
                items.take(item)
        items.end_of_document(document)
    return documents


@cache
def _dump_scanner() -> Any:
    """ruamel's safe scanner, refusing documents nested past MAX_DUMP_DEPTH."""
    from ruamel.yaml.scanner import Scanner

    from domino_eks.sources import yamlfile

    return yamlfile.depth_bounded(Scanner, MAX_DUMP_DEPTH)


def _raw(path: str) -> bytes:
    """The file's bytes, unzipped, within MAX_DUMP_BYTES."""
    raw = bounded_bytes(path, MAX_DUMP_BYTES, DUMP, "a JSON or YAML file")
    return _gunzipped(path, raw) if raw.startswith(GZIP_MAGIC) else raw


def _text(path: str, data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError([Problem(path, f"not UTF-8 text: byte 0x{data[exc.start]:02x} at offset {exc.start:,} "
                                        "cannot start or continue a character")]) from None


def _gunzipped(path: str, raw: bytes) -> bytes:
    """The content of a gzip file (of one member or several, as `cat a.gz b.gz` makes), inflated no further
    than MAX_DUMP_BYTES."""
    data, rest = b"", raw
    while rest:
        inflater = zlib.decompressobj(wbits=zlib.MAX_WBITS | 16)  # 16: a gzip header and trailer
        try:
            data += inflater.decompress(rest, MAX_DUMP_BYTES + 1 - len(data))
        except zlib.error as exc:
            raise InputError([Problem(path, f"not a readable gzip file: {exc}")]) from None
        if len(data) > MAX_DUMP_BYTES:
            raise InputError([Problem(path, f"inflates to over the {MAX_DUMP_BYTES:,}-byte limit for {DUMP}")])
        if not inflater.eof:
            raise InputError([Problem(path, "not a readable gzip file: it ends before its content does")])
        rest = inflater.unused_data
    return data


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
    nodes = (members.get("kubernetes") or {}).get("nodes")
    if nodes is not None:
        try:
            members["kubernetes"]["nodes"] = msgspec.convert(nodes, list[shapes.NodeFacts])
        except msgspec.ValidationError as exc:
            raise InputError([Problem(path, _invalid(exc, "kubernetes.nodes"))]) from None
    return members


def _from_kubectl_list(path: str, items: dict[str, list], mixed: bool) -> dict:
    """`mixed`: a v1 List of several kinds; one listing namespaces is the documented command's output. A typed
    list (a NamespaceList) says nothing of the other kinds."""
    name = Path(path).name
    complete = mixed and "namespaces" in items
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


def decode_json(text: str, on_item: Callable[[object], None], on_end: Callable[[dict], None]) -> list[dict]:
    """The JSON step of reading a dump, in one place: the members of each top-level object of `text` (one, or
    several one after another), except that the elements of an "items" array go one by one to `on_item` instead
    of into the result; `on_end` gets each object's members once it is read. Raises JSONDecodeError (with line
    and column)."""
    documents = []
    position = _skip(text, 0)
    while True:
        members, position = _object_members(text, _expect(text, position, "{", "a JSON object"), on_item)
        on_end(members)
        documents.append(members)
        position = _skip(text, position)
        if position == len(text):
            return documents


def _object_members(text: str, position: int, on_item: Callable[[object], None]) -> tuple[dict, int]:
    position = _skip(text, position)
    members: dict = {}
    if text.startswith("}", position):
        return members, position + 1
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
            return members, _expect(text, position, "}", "',' or '}'")
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


def _skip(text: str, position: int) -> int:
    match = _SPACE.match(text, position)
    assert match is not None  # the pattern matches the empty string, so it matches at any position
    return match.end()


def _expect(text: str, position: int, token: str, what: str) -> int:
    """The position after `token`, which must stand at `position`."""
    if not text.startswith(token, position):
        raise json.JSONDecodeError(f"expected {what}", text, position)
    return position + 1
