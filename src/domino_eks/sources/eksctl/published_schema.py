"""eksctl's own JSON Schema for ClusterConfig (reference/eksctl-schema.json, Apache-2.0, eksctl v0.230; licence and
source beside it), walked over a parsed file to find what eksctl's strict decoder refuses: unknown keys and values
of the wrong JSON type, anywhere in the file.

Only keys and types are judged. eksctl itself accepts files that miss its schema in details (enum spellings,
required fields it defaults), so those are left to eksctl's own validation and to `schema`'s models.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterator
from functools import cache
from importlib import resources
from typing import Any

from domino_eks.errors import Problem, did_you_mean
from domino_eks.sources import yamlfile

SCHEMA_FILE = "eksctl-schema.json"
# eksctl decodes `taints` of a self-managed group with its own unmarshaller (taintsWrapper in
# pkg/apis/eksctl.io/v1alpha5/types.go), which also takes the older map form {key: "value:Effect"}.
MAP_OR_LIST = {"#/definitions/taintsWrapper"}

JSON_TYPES = {"string": "a string", "boolean": "a boolean", "integer": "an integer", "number": "a number",
              "array": "a list", "object": "a mapping"}


@cache
def schema() -> dict:
    """The schema file shipped with the package."""
    text = resources.files(__package__).joinpath("reference").joinpath(SCHEMA_FILE).read_text(encoding="utf-8")
    return json.loads(text)


def _definition(ref: str) -> dict:
    return schema()["definitions"][ref.removeprefix("#/definitions/")]


def resolved(node: dict) -> dict:
    """A schema node with its $ref followed (eksctl's schema nests refs one level: {"$ref": ..., "description"})."""
    while "$ref" in node:
        node = _definition(node["$ref"])
    return node


def properties(node: dict) -> dict[str, dict]:
    """The keys a mapping node names, its own and those of the variants it is one of (an identity provider)."""
    node = resolved(node)
    named = dict(node.get("properties", {}))
    for variant in node.get("oneOf", ()):
        named |= properties(variant)
    return named


def closed(node: dict) -> bool:
    """Keys beyond the named ones are refused: Go's strict decoder of a struct (and of its variants)."""
    node = resolved(node)
    return node.get("additionalProperties") is False or any(closed(v) for v in node.get("oneOf", ()))


def other_values(node: dict) -> dict | None:
    """The schema of values under keys the node does not name (a map keyed by zone, tags); None: anything."""
    extra = resolved(node).get("additionalProperties")
    return extra if isinstance(extra, dict) and extra else None


def _json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, (str, datetime.date)):  # an unquoted YAML date reaches Go's decoder as a string
        return "string"
    return "object" if isinstance(value, dict) else "array" if isinstance(value, list) else "unknown"


def _fits(value: Any, expected: str) -> bool:
    found = _json_type(value)
    return found == expected or (expected == "number" and found == "integer")


def _shown(value: Any) -> str:
    if isinstance(value, (dict, list)):
        return ""
    return f" ({yamlfile.as_written(value)})" if isinstance(value, (bool, int, float)) else f" ({value!r})"


def _wrong_type(value: Any, expected: str, path: str) -> str:
    if expected == "string" and isinstance(value, (bool, int, float)):
        kind = "a boolean" if isinstance(value, bool) else "a number"
        spelt = yamlfile.as_written(value)
        return f"'{path}': must be a string, but YAML reads {spelt} as {kind}: quote it (\"{spelt}\")"
    found = JSON_TYPES.get(_json_type(value), "something else")
    return f"'{path}': expected {JSON_TYPES[expected]}, found {found}{_shown(value)}"


def _walk(value: Any, node: dict, loc: yamlfile.Loc) -> Iterator[tuple[yamlfile.Loc, str]]:
    if value is None:
        return  # Go's decoder skips a null: the field keeps its default
    if node.get("$ref") in MAP_OR_LIST and isinstance(value, dict):
        yield from _walk_values(value, {"type": "string"}, loc)
        return
    node = resolved(node)
    expected = node.get("type")
    if isinstance(expected, str) and expected in JSON_TYPES and not _fits(value, expected):
        yield loc, _wrong_type(value, expected, yamlfile.yaml_path(loc))
        return
    if isinstance(value, dict):
        yield from _walk_mapping(value, node, loc)
    elif isinstance(value, list) and "items" in node:
        for index, item in enumerate(value):
            yield from _walk(item, node["items"], (*loc, index))


def _walk_values(value: dict, node: dict, loc: yamlfile.Loc) -> Iterator[tuple[yamlfile.Loc, str]]:
    for key, item in value.items():
        yield from _walk(item, node, (*loc, str(key)))


def _walk_mapping(value: dict, node: dict, loc: yamlfile.Loc) -> Iterator[tuple[yamlfile.Loc, str]]:
    named, other = properties(node), other_values(node)
    for key, item in value.items():
        key_loc = (*loc, str(key))
        if key in named:
            yield from _walk(item, named[key], key_loc)
        elif other is not None:
            yield from _walk(item, other, key_loc)
        elif closed(node):
            allowed = sorted(named)
            yield key_loc, (f"unknown field '{yamlfile.yaml_path(key_loc)}'{did_you_mean(str(key), allowed)} "
                            f"(allowed here: {', '.join(allowed)})")


def problems(document: Any, file: str) -> list[Problem]:
    """Every key eksctl would not know and every value of a type it would not decode, each where it sits."""
    found = []
    for loc, message in _walk(document, schema(), ()):
        line, column = yamlfile.position(document, loc)
        found.append(Problem(file, message, line, column))
    return found
