"""The spec preflight of plan and apply: the catalogue runs on the spec first, and an error `validate` reports
never reaches AWS.

Through the installed console script, against a moto server over HTTP; what exists is counted with plain boto3.
"""

from __future__ import annotations

import json
import re
import socket
from pathlib import Path

import pytest

from tests.provision.support import clients, tagged
from tests.sources.console import run


def rewrite(spec: Path, change) -> Path:
    document = json.loads(spec.read_text())
    change(document)
    spec.write_text(json.dumps(document, indent=2))
    return spec


def bad_bucket(document: dict) -> None:
    document["storage"] = {"buckets": {"logs": "Logs_Bucket"}}  # S3 refuses upper case and underscores


def two_zones(document: dict) -> None:
    # a zone of another region is refused as input (exit 2) before the catalogue runs: tests/sources/test_typed_values
    document["availabilityZones"] = ["us-west-2a", "us-west-2b"]


def buckets_named(url: str, fragment: str) -> list[str]:
    return [b["Name"] for b in clients(url)["s3"].list_buckets()["Buckets"] if fragment in b["Name"]]


@pytest.mark.parametrize(("change", "rule"), [(bad_bucket, "S006"), (two_zones, "Z001")])
def test_apply_refuses_a_spec_with_error_findings_and_creates_nothing(endpoint, spec, name, change, rule):
    rewrite(spec, change)
    done = run("apply", str(spec), "--endpoint-url", endpoint, "--auto-approve", "-o", str(spec.parent / "out"))
    assert done.returncode == 3, done.stderr
    assert "Traceback" not in done.stderr
    assert re.search(rf"│ ERROR +│ {rule} +│", done.stdout)
    assert done.stderr.strip().endswith(
        "apply refused: the spec has error findings (above); nothing was created or changed.")
    assert tagged(endpoint, name) == {}
    assert buckets_named(endpoint, name) == []
    assert not (spec.parent / "out").exists()


def test_plan_refuses_too_and_prints_the_findings_as_validate_json_does(endpoint, spec, name):
    rewrite(spec, bad_bucket)
    done = run("plan", str(spec), "--endpoint-url", endpoint, "--format", "json")
    validated = run("validate", str(spec), "--format", "json")
    assert (done.returncode, validated.returncode) == (3, 3)
    planned, checked = json.loads(done.stdout), json.loads(validated.stdout)
    assert planned["command"] == "plan"
    assert planned["findings"] == checked["findings"]
    assert planned["summary"] == checked["summary"]


def test_a_spec_without_errors_goes_on_to_plan(endpoint, spec):
    done = run("plan", str(spec), "--endpoint-url", endpoint, "--format", "json")
    assert done.returncode == 0, done.stdout + done.stderr
    assert list(json.loads(done.stdout)) == ["changes"]


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_an_endpoint_that_does_not_answer_fails_at_once_with_the_reason(spec):
    url = f"http://127.0.0.1:{closed_port()}"
    done = run("plan", str(spec), "--endpoint-url", url)
    assert done.returncode == 1
    assert done.stderr.splitlines()[-1] == (f"error: the endpoint {url} does not answer (Connection refused): is the "
                                            "emulator running there?")


def test_an_endpoint_that_is_not_a_url_is_bad_input(spec):
    done = run("plan", str(spec), "--endpoint-url", "127.0.0.1:5000")
    assert (done.returncode, done.stderr.splitlines()[-1]) == (
        2, "error: --endpoint-url: expected an http:// or https:// URL, got '127.0.0.1:5000'")
