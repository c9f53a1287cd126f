"""JUnit XML of a FindingsResult, as CI systems read test reports: one testcase per rule.

A rule that failed at error or warning severity is a <failure> (its type the severity, its text every
failure with where and how to fix); a skipped rule is <skipped> with the reason; an info-level finding
and a pass are passing testcases whose <system-out> says what was found.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from domino_eks.report.result import FindingsResult
from domino_eks.rules.base import Finding, Severity, Status


def render(result: FindingsResult) -> str:
    by_rule: dict[str, list[Finding]] = {}
    for finding in result.findings:
        by_rule.setdefault(finding.id, []).append(finding)
    cases = [_testcase(result.command, findings) for findings in by_rule.values()]
    counts = {
        "tests": str(len(cases)),
        "failures": str(sum(c.find("failure") is not None for c in cases)),
        "errors": "0",
        "skipped": str(sum(c.find("skipped") is not None for c in cases)),
    }
    root = ET.Element("testsuites", {"name": "domino-eks", **counts})
    suite = ET.SubElement(root, "testsuite", {"name": f"domino-eks {result.command}: {result.source}", **counts})
    suite.extend(cases)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _testcase(command: str, findings: list[Finding]) -> ET.Element:
    rule = findings[0].rule
    case = ET.Element("testcase", name=f"{rule.id} {rule.title}", classname=f"domino-eks.{command}")
    problems = [f for f in findings if f.is_problem]
    if problems:
        worst = Severity.ERROR if any(f.severity is Severity.ERROR for f in problems) else Severity.WARNING
        failure = ET.SubElement(case, "failure", message=problems[0].message, type=worst.value)
        failure.text = "\n".join(_line(f) for f in problems) + f"\nfix: {rule.fix}"
    elif findings[0].status is Status.SKIP:
        ET.SubElement(case, "skipped", message=findings[0].message)
    else:
        ET.SubElement(case, "system-out").text = "\n".join(_line(f) for f in findings)
    return case


def _line(finding: Finding) -> str:
    where = f" ({finding.location.describe()})" if finding.location and finding.location.describe() else ""
    kind = finding.severity.value if finding.status is Status.FAIL else finding.status.value
    return f"{kind}: {finding.message}{where}"
