"""Renderers of a FindingsResult: for people (table) or for machines (json, junit, sarif)."""

from __future__ import annotations

from importlib import import_module

from domino_eks.report.result import FindingsResult

# format -> the module rendering it, imported when that format is asked for: the table's (rich) takes longer to
# import than a json check of a small dump takes to run
_RENDERERS = {"table": "terminal", "json": "json", "junit": "junit", "sarif": "sarif"}
FORMATS = tuple(_RENDERERS)


def render(result: FindingsResult, fmt: str) -> str:
    if fmt not in _RENDERERS:
        raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
    rendered: str = import_module(f"{__name__}.{_RENDERERS[fmt]}").render(result)
    return rendered
