"""Reading YAML with positions, and turning shape errors into file:line:column problems.

ruamel.yaml keeps the line and column of every key; pydantic reports the path of every shape error.
Joining the two gives eksctl-style messages (`nodePools[0].instanceTyep`) at the right place, with a
did-you-mean drawn from the fields the model allows at that path.
"""

from __future__ import annotations

import difflib
import re
import typing
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq, TaggedScalar
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.representer import RoundTripRepresenter
from ruamel.yaml.scanner import RoundTripScanner, ScannerError

from domino_eks.errors import InputError, Problem, did_you_mean
from domino_eks.model import Location
from domino_eks.sources.files import GZIP_MAGIC, NUMBER_TOO_LONG, bounded_bytes

Loc = tuple[str | int, ...]
Model = TypeVar("Model", bound=BaseModel)


# A spec or an eksctl ClusterConfig is a few kilobytes (the page's largest sample is under 10 KB): a file 25 times
# larger is not one, and parsing it would only cost time (ruamel parses about 60 KB a second on a loaded machine).
MAX_BYTES = 256 * 1024
# Deeper than any spec or ClusterConfig nests (a StorageClass parameter is 4 levels down), and far below
# Python's recursion limit, which the YAML parser would otherwise meet as a RecursionError.
MAX_DEPTH = 32
# Every value, counted once for each alias that reaches it: a billion-laughs document (aliases of aliases)
# stops here instead of exhausting memory where the document is walked.
MAX_NODES = 100_000
# YAML's printable set excludes the C0 controls other than tab, line feed and carriage return, and DEL.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# A validation error per unknown key of a 50,000-key file is a minute of did-you-means: the first ones say enough.
MAX_PROBLEMS = 50
STR_TAG = "tag:yaml.org,2002:str"  # `!!str 5`: the round-trip loader keeps it tagged; it is the string "5"
TOO_DEEP = f"nested too deeply: at most {MAX_DEPTH} levels expected"


class TooDeep(ScannerError):
    """Collections nested past a limit, found while scanning: the scanner's cost grows with the square of the
    flow depth, so thousands of brackets would take a minute before the composer met Python's recursion limit."""


def depth_bounded(scanner: Any, limit: int) -> Any:
    """A ruamel scanner class like `scanner` that raises TooDeep past `limit` levels of flow or block nesting."""
    class Bounded(scanner):
        def fetch_flow_collection_start(self, TokenClass: Any, to_push: str) -> None:  # noqa: N803 (ruamel's name)
            if len(self.flow_context) >= limit:
                raise TooDeep(None, None, f"nested too deeply: at most {limit} levels expected",
                              self.reader.get_mark())
            super().fetch_flow_collection_start(TokenClass, to_push)

        def add_indent(self, column: int) -> bool:
            """A block collection indented deeper than the last opens a level."""
            if len(self.indents) >= limit and self.indent < column:
                raise TooDeep(None, None, f"nested too deeply: at most {limit} levels expected",
                              self.reader.get_mark())
            return super().add_indent(column)
    return Bounded


_BoundedScanner = depth_bounded(RoundTripScanner, MAX_DEPTH)


def read(path: str | Path) -> tuple[Any, str]:
    """Parse a YAML file; returns (document, file name). Raises InputError for every way this fails, at once
    for anything that is not a regular file of a bounded size."""
    name = str(path)
    text = _decoded(name, bounded_bytes(name, MAX_BYTES, "a spec or ClusterConfig", "a YAML file"))
    document = _parsed(name, text)
    if document is None:
        raise InputError([Problem(name, "the file is empty; expected a YAML mapping", 1, 1)])
    if not isinstance(document, dict):
        raise InputError([Problem(name, f"expected a YAML mapping at the top, found {_kind_of(document)}", 1, 1)])
    _check_size_and_depth(name, document)
    return document, name


def _line_and_column(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def _decoded(name: str, data: bytes) -> str:
    """UTF-8 text (a byte-order mark allowed) with no control characters, or the place where it is not."""
    if data.startswith(GZIP_MAGIC):
        raise InputError([Problem(name, "is gzip-compressed: expected YAML text (gunzip it first)", 1, 1)])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        good = data[:exc.start].decode("utf-8-sig")
        line, column = _line_and_column(good, len(good))
        raise InputError([Problem(name, f"not UTF-8 text: byte 0x{data[exc.start]:02x} cannot start or continue a "
                                        "character (save the file as UTF-8)", line, column)]) from None
    control = _CONTROL.search(text)
    if control:
        line, column = _line_and_column(text, control.start())
        raise InputError([Problem(name, f"control character U+{ord(control.group()):04X} is not allowed in YAML "
                                        "(remove it, or write it as an escape in a double-quoted string)",
                                  line, column)])
    return text


def _kind_of(value: Any) -> str:
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return "a string"
    return "a boolean" if isinstance(value, bool) else "a number" if isinstance(value, (int, float)) else \
        type(value).__name__


def _parsed(name: str, text: str) -> Any:
    yaml = YAML(typ="rt")
    yaml.Scanner = _BoundedScanner
    try:
        return yaml.load(text)
    except TooDeep as exc:
        mark = exc.problem_mark
        raise InputError([Problem(name, str(exc.problem), mark.line + 1, mark.column + 1)]) from None
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = " ".join(str(p) for p in (exc.context, exc.problem) if p)
        line, column = (mark.line + 1, mark.column + 1) if mark else (None, None)
        raise InputError([Problem(name, f"invalid YAML: {problem}", line, column)]) from None
    except RecursionError:
        raise InputError([Problem(name, TOO_DEEP)]) from None
    except YAMLError as exc:
        raise InputError([Problem(name, f"invalid YAML: {exc}")]) from None
    except ValueError:  # the one other failure of the constructor: an integer of too many digits
        raise InputError([Problem(name, f"invalid YAML: {NUMBER_TOO_LONG}")]) from None


def _check_size_and_depth(name: str, document: Any) -> None:
    """Walk every value as a reader of the document would, aliases expanded, within MAX_NODES and MAX_DEPTH,
    refusing the tags no spec uses (`!Ref`, `!!python/object`) and reading `!!str` values as the strings they are."""
    pending: list[tuple[Any, int, tuple[int | None, int | None]]] = [(document, 1, (1, 1))]
    visited = 0
    while pending:
        node, depth, where = pending.pop()
        visited += 1
        if visited > MAX_NODES:
            raise InputError([Problem(name, f"expands to more than {MAX_NODES:,} values (aliases of aliases?): "
                                            "not a spec or ClusterConfig")])
        if depth > MAX_DEPTH:
            raise InputError([Problem(name, TOO_DEEP, *where)])
        _refuse_tag(name, node, where)
        if isinstance(node, CommentedMap):
            for key, value in node.items():
                if isinstance(value, TaggedScalar) and value.tag.value == STR_TAG:
                    node[key] = value = str(value.value)
                pending.append((value, depth + 1, _one_based((node.lc.data or {}).get(key))))
        elif isinstance(node, CommentedSeq):
            for index, value in enumerate(node):
                if isinstance(value, TaggedScalar) and value.tag.value == STR_TAG:
                    node[index] = value = str(value.value)
                pending.append((value, depth + 1, _one_based((node.lc.data or {}).get(index))))


def _refuse_tag(name: str, node: Any, where: tuple[int | None, int | None]) -> None:
    """A local tag (`!Ref`, CloudFormation's) or a language one (`!!python/object`) means something only to the
    program that wrote it: no spec or ClusterConfig has one, and its value would reach the schema as an object."""
    tag = getattr(node, "tag", None) if isinstance(node, (CommentedMap, CommentedSeq, TaggedScalar)) else None
    written = getattr(tag, "value", None)
    if written and written != STR_TAG:
        shown = "!!" + written.removeprefix("tag:yaml.org,2002:") if written.startswith("tag:yaml.org,2002:") \
            else written
        raise InputError([Problem(name, f"the YAML tag {shown} is not supported: write the plain value", *where)])


def _one_based(mark: list[int] | None) -> tuple[int | None, int | None]:
    """ruamel's 0-based [line, column, ...] of a key or item; none for a key a merge (<<) brought in."""
    return (mark[0] + 1, mark[1] + 1) if mark else (None, None)


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
    # pydantic appends union-member and validator names to loc, and "[key]" when a mapping's key is refused;
    # keep only document keys and indexes
    return tuple(p for p in error["loc"]
                 if isinstance(p, int) or not (str(p).startswith(("function-", "union[")) or p == "[key]"))


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
    """The value refused, when it is a scalar: a number or date as the file wrote it, anything else as Python
    shows it."""
    if value is None or isinstance(value, (dict, list)):
        return ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return f" (got {as_written(value)})"
    if isinstance(value, date):  # a YAML timestamp: quote it to have the string
        return f" (got {value.isoformat()}, a date)"
    return f" (got {value!r})"


def validate(model: type[Model], document: Any, file: str) -> Model:
    """Validate a parsed document against a pydantic model; every error becomes a located Problem."""
    try:
        return model.model_validate(document)
    except ValidationError as exc:
        errors = exc.errors()[:MAX_PROBLEMS]
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
        if exc.error_count() > MAX_PROBLEMS:
            problems.append(Problem(file, f"and {exc.error_count() - MAX_PROBLEMS:,} more problems of the kinds above "
                                          f"(only the first {MAX_PROBLEMS} are listed)"))
        raise InputError(problems) from None
