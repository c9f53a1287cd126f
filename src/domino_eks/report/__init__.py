"""Renderers of a FindingsResult: for people (table) or for machines (json, junit, sarif)."""

from __future__ import annotations

from domino_eks.report import json as json_report
from domino_eks.report import junit, sarif, terminal
from domino_eks.report.result import FindingsResult

_RENDERERS = {"table": terminal.render, "json": json_report.render, "junit": junit.render, "sarif": sarif.render}
FORMATS = tuple(_RENDERERS)


def render(result: FindingsResult, fmt: str) -> str:
    if fmt not in _RENDERERS:
        raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
    return _RENDERERS[fmt](result)
