"""The JSON envelope of `validate` and `check` (design.md, "Interfaces"): stable keys scripts rely on."""

from __future__ import annotations

import json

from domino_eks import __version__
from domino_eks.model import Location
from domino_eks.report.result import FindingsResult
from domino_eks.rules.base import Finding

ENVELOPE_VERSION = "1"


def location(where: Location | None) -> dict | None:
    if where is None:
        return None
    if where.object:
        return {"object": where.object}
    if where.file is None and where.path is None:
        return None
    return {"file": where.file, "line": where.line, "column": where.column, "path": where.path}


def finding(f: Finding) -> dict:
    return {
        "id": f.id,
        "severity": f.severity.value,
        "status": f.status.value,
        "title": f.rule.title,
        "message": f.message,
        "fix": f.rule.fix,
        "section": f.rule.section,
        "location": location(f.location),
    }


def envelope(result: FindingsResult) -> dict:
    return {
        "tool": "domino-eks",
        "version": __version__,
        "envelope": ENVELOPE_VERSION,
        "command": result.command,
        "source": result.source,
        "findings": [finding(f) for f in result.findings],
        "summary": result.summary,
    }


def render(result: FindingsResult) -> str:
    return json.dumps(envelope(result), indent=2) + "\n"
