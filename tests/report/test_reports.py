"""JUnit and SARIF renderers, on findings of every kind: located in a spec file, on a live object, or nowhere."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import jsonschema
import pytest

from domino_eks.model import Location
from domino_eks.report import junit, sarif
from domino_eks.report.result import FindingsResult
from domino_eks.rules.base import Finding, Rule, Severity, Status
from tests.check.support import SARIF_SCHEMA


def rule(id: str, severity: Severity = Severity.ERROR) -> Rule:
    return Rule(id, severity, title=f"{id} title", rationale=f"why {id} matters", fix=f"how to fix {id}",
                section="Node pools", check=lambda deployment: ())


SPEC_LINE = Location(file="domino.yaml", line=12, column=5, path="nodePools[0].instanceType")
NODE = Location(object="Node/ip-10-0-1-5.us-west-2.compute.internal")
P003, S003, Z001, N005 = rule("P003", Severity.WARNING), rule("S003"), rule("Z001"), rule("N005", Severity.INFO)
FINDINGS = (
    Finding(P003, Status.FAIL, Severity.WARNING, 'platform runs m5.xlarge: <4 vCPU> & "16 GiB"', SPEC_LINE),
    Finding(P003, Status.FAIL, Severity.ERROR, "platform node is a t3.medium", NODE),
    Finding(S003, Status.SKIP, Severity.ERROR, "the Datasets EFS unknown (efs: AccessDenied)"),
    Finding(Z001, Status.PASS, Severity.ERROR, "the node pools use 3 zones"),
    Finding(N005, Status.FAIL, Severity.INFO, "builds need Domino's current image builder"),
)


def result(source: str = "cluster.json") -> FindingsResult:
    return FindingsResult(command="check", source=source, findings=FINDINGS)


def junit_cases() -> dict[str, ET.Element]:
    root = ET.fromstring(junit.render(result()))
    return {case.attrib["name"].split()[0]: case for case in root.iter("testcase")}


def test_junit_has_one_testcase_per_rule_with_counts_that_add_up():
    root = ET.fromstring(junit.render(result()))
    suite = root.find("testsuite")
    assert suite is not None

    assert [c.get("name") for c in suite] == [f"{i} {i} title" for i in ("P003", "S003", "Z001", "N005")]
    assert {k: suite.get(k) for k in ("tests", "failures", "skipped", "errors")} == {
        "tests": "4", "failures": "1", "skipped": "1", "errors": "0"}
    assert root.get("tests") == "4"


def test_a_rules_failures_are_one_junit_failure_of_the_worst_severity():
    failure = junit_cases()["P003"].find("failure")
    assert failure is not None and failure.text is not None

    assert failure.get("type") == "error"
    assert failure.get("message") == 'platform runs m5.xlarge: <4 vCPU> & "16 GiB"'
    assert failure.text.splitlines() == [
        'warning: platform runs m5.xlarge: <4 vCPU> & "16 GiB" (domino.yaml:12:5 (nodePools[0].instanceType))',
        "error: platform node is a t3.medium (Node/ip-10-0-1-5.us-west-2.compute.internal)",
        "fix: how to fix P003",
    ]


def test_junit_skips_carry_the_reason_and_info_findings_pass():
    cases = junit_cases()

    skipped = cases["S003"].find("skipped")
    assert skipped is not None and skipped.get("message") == "the Datasets EFS unknown (efs: AccessDenied)"
    assert cases["N005"].find("failure") is None
    assert cases["N005"].findtext("system-out") == "info: builds need Domino's current image builder"


def sarif_log(source: str = "cluster.json") -> dict:
    return json.loads(sarif.render(result(source)))


def test_sarif_validates_against_the_schema_with_code_scannings_requirements():
    jsonschema.validate(sarif_log(), json.loads(SARIF_SCHEMA.read_text()),
                        format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER)


def test_sarif_describes_each_rule_once_and_reports_only_failures():
    run = sarif_log()["runs"][0]

    assert [r["id"] for r in run["tool"]["driver"]["rules"]] == ["P003", "S003", "Z001", "N005"]
    assert run["tool"]["driver"]["rules"][0]["defaultConfiguration"] == {"level": "warning"}
    assert [(r["ruleId"], r["ruleIndex"], r["level"]) for r in run["results"]] == [
        ("P003", 0, "warning"), ("P003", 0, "error"), ("N005", 3, "note")]
    assert run["invocations"][0]["toolExecutionNotifications"] == [{
        "level": "note", "message": {"text": "S003 skipped: the Datasets EFS unknown (efs: AccessDenied)"},
        "associatedRule": {"id": "S003", "index": 1}}]


def test_a_finding_in_a_spec_points_at_its_line():
    location = sarif_log()["runs"][0]["results"][0]["locations"][0]

    assert location["physicalLocation"] == {"artifactLocation": {"uri": "domino.yaml"}, "region": {
        "startLine": 12, "startColumn": 5, "endLine": 12, "endColumn": 6}}
    assert location["logicalLocations"] == [{"fullyQualifiedName": "nodePools[0].instanceType", "kind": "element"}]


@pytest.mark.parametrize("source, uri", [
    ("cluster.json", "cluster.json"),
    ("/home/ops/dumps/cluster.json", "file:///home/ops/dumps/cluster.json"),
    ("cluster domino-prod, kubeconfig context (current)",
     "cluster%20domino-prod%2C%20kubeconfig%20context%20%28current%29"),
])
def test_a_live_object_sits_in_the_runs_source_with_the_object_as_logical_location(source, uri):
    location = sarif_log(source)["runs"][0]["results"][1]["locations"][0]

    assert location["physicalLocation"]["artifactLocation"]["uri"] == uri
    assert location["physicalLocation"]["region"]["startLine"] == 1
    assert location["logicalLocations"] == [
        {"fullyQualifiedName": "Node/ip-10-0-1-5.us-west-2.compute.internal", "kind": "resource"}]


def test_sarif_fingerprints_follow_the_rule_and_place_not_the_wording():
    first = sarif_log()["runs"][0]["results"][0]["partialFingerprints"]
    reworded = FindingsResult("check", "cluster.json", (Finding(P003, Status.FAIL, Severity.WARNING, "other words",
                                                               SPEC_LINE),))

    assert json.loads(sarif.render(reworded))["runs"][0]["results"][0]["partialFingerprints"] == first
