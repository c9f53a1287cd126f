"""Renderers of a FindingsResult: for people (table) or for machines (json, junit, sarif)."""

from __future__ import annotations

import importlib

from domino_eks.results import FindingsResult

FORMATS = ("table", "json", "junit", "sarif")


def render(result: FindingsResult, fmt: str) -> str:
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
    module = importlib.import_module(f"domino_eks.report.{'terminal' if fmt == 'table' else fmt}")
    return module.render(result)
