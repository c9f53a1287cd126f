"""Reading YAML with positions, and turning shape errors into file:line:column problems.

ruamel.yaml keeps the line and column of every key; pydantic reports the path of every shape error.
Joining the two gives eksctl-style messages (`nodePools[0].instanceTyep`) at the right place, with a
did-you-mean drawn from the fields the model allows at that path.
"""

from __future__ import annotations

import difflib
import typing
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError
from ruamel.yaml.representer import RoundTripRepresenter

from domino_eks.errors import InputError, Problem, did_you_mean
from domino_eks.model import Location

Loc = tuple[str | int, ...]
Model = TypeVar("Model", bound=BaseModel)


def read(path: str | Path) -> tuple[Any, str]:
    """Parse a YAML file; returns (document, file name). Raises InputError for every way this fails."""
    name = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError([Problem(name, "no such file")]) from None
    except IsADirectoryError:
        raise InputError([Problem(name, "is a directory, expected a YAML file")]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError([Problem(name, f"cannot read: {exc}")]) from None
    try:
        document = YAML(typ="rt").load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = " ".join(str(p) for p in (exc.context, exc.problem) if p)
        line, column = (mark.line + 1, mark.column + 1) if mark else (None, None)
        raise InputError([Problem(name, f"invalid YAML: {problem}", line, column)]) from None
    if document is None:
        raise InputError([Problem(name, "the file is empty; expected a YAML mapping", 1, 1)])
    if not isinstance(document, dict):
        raise InputError([Problem(name, f"expected a YAML mapping at the top, found {type(document).__name__}", 1, 1)])
    return document, name


def is_of_kind(document: dict, api_version: str, kind: str) -> bool:
    """The file says it is of this kind by its apiVersion or by its kind: either is enough, so that a file with
    the other one wrong is read as this kind, and its schema says which field is wrong and how."""
    return document.get("apiVersion") == api_version or document.get("kind") == kind


def position(document: Any, loc: Loc) -> tuple[int | None, int | None]:
    """1-based line and column of the deepest part of `loc` that exists in the document."""
    node, found = document, (None, None)
    for part in loc:
        if isinstance(node, CommentedMap) and part in node:
            line, col = node.lc.key(part)
            found, node = (line + 1, col + 1), node[part]
        elif isinstance(node, CommentedSeq) and isinstance(part, int) and 0 <= part < len(node):
            line, col = node.lc.item(part)
            found, node = (line + 1, col + 1), node[part]
        else:
            break
    if found == (None, None) and hasattr(document, "lc"):
        found = (document.lc.line + 1, document.lc.col + 1)
    return found


def location(document: Any, file: str, *loc: str | int) -> Location:
    """Where `loc` sits in the document, as the model records it."""
    line, column = position(document, loc)
    return Location(file=file, line=line, column=column, path=yaml_path(loc))


def yaml_path(loc: Loc) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def as_written(scalar: bool | int | float) -> str:
    """A boolean or number as YAML spells it: ruamel keeps how the file wrote a number (1.30, 0x1F, 1_000),
    which Python's str() loses (1.3, 31, 1000)."""
    return RoundTripRepresenter().represent_data(scalar).value


def model_inside(annotation: Any) -> type[BaseModel] | None:
    """The pydantic model inside Optional[...], list[...], tuple[...], dict[str, ...]."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    if typing.get_origin(annotation) is not None:
        for arg in typing.get_args(annotation):
            found = model_inside(arg)
            if found is not None:
                return found
    return None


def allowed_keys(model: type[BaseModel], loc: Loc) -> list[str]:
    """The keys the model accepts at `loc` (a path to a mapping)."""
    current: type[BaseModel] | None = model
    for part in loc:
        if current is None:
            return []
        if isinstance(part, int):
            continue
        field = next((f for n, f in current.model_fields.items() if (f.alias or n) == part), None)
        if field is None:
            return []
        current = model_inside(field.annotation)
    return [f.alias or n for n, f in current.model_fields.items()] if current else []


def _document_loc(error: ErrorDetails) -> Loc:
    # pydantic appends union-member and validator names to loc; keep only document keys and indexes
    return tuple(p for p in error["loc"] if isinstance(p, int) or not str(p).startswith(("function-", "union[")))


def _likely_meant(model: type[BaseModel], loc: Loc) -> str | None:
    close = difflib.get_close_matches(str(loc[-1]), allowed_keys(model, loc[:-1]), n=1, cutoff=0.6)
    return close[0] if close else None


def _message(model: type[BaseModel], error: ErrorDetails) -> tuple[Loc, str]:
    loc = _document_loc(error)
    path = yaml_path(loc)
    kind = error["type"]
    if kind == "extra_forbidden":
        allowed = allowed_keys(model, loc[:-1])
        hint = did_you_mean(str(loc[-1]), allowed)
        return loc, f"unknown field '{path}'{hint} (allowed here: {', '.join(sorted(allowed))})"
    if kind == "missing":
        return loc, f"'{path}' is required"
    return loc, f"'{path}': {error['msg']}{_got(error.get('input'))}"


def _got(value: Any) -> str:
    """The value refused, when it is a scalar: a number as the file wrote it, anything else as Python shows it."""
    if value is None or isinstance(value, (dict, list)):
        return ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return f" (got {as_written(value)})"
    return f" (got {value!r})"


def validate(model: type[Model], document: Any, file: str) -> Model:
    """Validate a parsed document against a pydantic model; every error becomes a located Problem."""
    try:
        return model.model_validate(document)
    except ValidationError as exc:
        errors = exc.errors()
        # a misspelt required field is one mistake: keep the did-you-mean, drop the "is required"
        misspelt: set[tuple[str | int | None, ...]] = {_document_loc(e)[:-1] + (_likely_meant(model, _document_loc(e)),)
                                                       for e in errors if e["type"] == "extra_forbidden"}
        problems = []
        for error in errors:
            if error["type"] == "missing" and _document_loc(error) in misspelt:
                continue
            loc, message = _message(model, error)
            line, column = position(document, loc)
            problems.append(Problem(file, message, line, column))
        raise InputError(problems) from None
