"""SARIF 2.1.0 of a FindingsResult, in the subset GitHub code scanning ingests.

Every rule of the run is a reporting descriptor (short and full description, help with the fix, default
level); every failure is a result. Code scanning needs a file for each result, so a result sits in the
file its fact came from (a spec line) or else in the run's source (the dump file), with the live object
it concerns (Node/..., Bucket/...) as a logical location. Skipped rules are not alerts: they are tool
notifications saying what could not be checked.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path, PurePath
from urllib.parse import quote

from domino_eks import __version__
from domino_eks.model import Location
from domino_eks.report.result import FindingsResult
from domino_eks.rules.base import Finding, Rule, Severity, Status

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
PROBLEM_SEVERITY = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "recommendation"}
TEXT_LIMIT = 1024  # code scanning's limit for descriptions


def render(result: FindingsResult) -> str:
    rules = list(dict.fromkeys(f.rule for f in result.findings))
    index = {rule.id: i for i, rule in enumerate(rules)}
    run = {
        "tool": {"driver": {"name": "domino-eks", "semanticVersion": __version__,
                            "rules": [_descriptor(rule) for rule in rules]}},
        "invocations": [{
            "executionSuccessful": True,
            "toolExecutionNotifications": [
                {"level": "note", "message": {"text": f"{f.id} skipped: {f.message}"},
                 "associatedRule": {"id": f.id, "index": index[f.id]}}
                for f in result.findings if f.status is Status.SKIP],
        }],
        "results": [_result(f, index[f.id], result.source) for f in result.findings if f.status is Status.FAIL],
    }
    return json.dumps({"$schema": SCHEMA, "version": "2.1.0", "runs": [run]}, indent=2) + "\n"


def _descriptor(rule: Rule) -> dict:
    return {
        "id": rule.id,
        "shortDescription": {"text": rule.title[:TEXT_LIMIT]},
        "fullDescription": {"text": rule.rationale[:TEXT_LIMIT]},
        "help": {"text": f"{rule.fix}\n\nPage section: {rule.section}",
                 "markdown": f"**Fix:** {rule.fix}\n\n*Page section: {rule.section}*"},
        "defaultConfiguration": {"level": LEVEL[rule.severity]},
        "properties": {"tags": ["domino-eks"], "precision": "high",
                       "problem.severity": PROBLEM_SEVERITY[rule.severity]},
    }


def _result(finding: Finding, rule_index: int, source: str) -> dict:
    where = finding.location.describe() if finding.location else ""
    fingerprint = hashlib.sha256(f"{finding.id}|{where}".encode()).hexdigest()[:32]
    return {
        "ruleId": finding.id,
        "ruleIndex": rule_index,
        "level": LEVEL[finding.severity],
        "message": {"text": finding.message},
        "locations": [_location(finding.location, source)],
        "partialFingerprints": {"primaryLocationLineHash": f"{fingerprint}:1"},
    }


def _location(where: Location | None, source: str) -> dict:
    file = where.file if where and where.file else source
    line, column = (where.line or 1, where.column or 1) if where and where.file else (1, 1)
    location: dict = {"physicalLocation": {
        "artifactLocation": {"uri": _uri(file)},
        "region": {"startLine": line, "startColumn": column, "endLine": line, "endColumn": column + 1},
    }}
    named = where and (where.object or where.path)
    if named:
        assert where is not None  # named is only set from a given location
        location["logicalLocations"] = [{"fullyQualifiedName": named,
                                         "kind": "resource" if where.object else "element"}]
    return location


def _uri(file: str) -> str:
    """A URI reference: file:// for an absolute path, else the relative path, percent-encoded."""
    path = PurePath(file)
    if path.is_absolute():
        return Path(file).as_uri()
    return quote(path.as_posix(), safe="/")
