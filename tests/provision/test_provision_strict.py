"""--strict makes plan and apply refuse a spec's warnings, and --accept-warning lets named rules' warnings through;
no flag lets an error through.

Through the installed console script, against a moto server over HTTP; what exists is counted with plain boto3.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.provision.support import tagged
from tests.sources.console import run

REFUSED = "refused: the spec has warning findings (above); nothing was created or changed."


def with_small_volumes(spec: Path) -> Path:
    """The platform pool's root volume under the page's 128 GB (P004), the default pool's under 400 GB (P007)."""
    document = json.loads(spec.read_text())
    platform, default = document["nodePools"]
    platform["volumeSize"], default["volumeSize"] = 64, 200
    spec.write_text(json.dumps(document, indent=2))
    return spec


def plan(spec: Path, endpoint: str, *options: str):
    return run("plan", str(spec), "--endpoint-url", endpoint, "--format", "json", *options)


def test_apply_with_strict_refuses_warnings_and_creates_nothing(endpoint, spec, name):
    with_small_volumes(spec)
    done = run("apply", str(spec), "--endpoint-url", endpoint, "--auto-approve", "--strict",
               "-o", str(spec.parent / "out"))
    assert done.returncode == 4, done.stderr
    assert done.stderr.endswith(
        f"apply {REFUSED}\n--strict refuses the warnings of P004, P007: fix them, or accept a rule's warnings with "
        "--accept-warning ID.\n")
    assert re.search(r"│ WARNING +│ P004 +│", done.stdout) and re.search(r"│ WARNING +│ P007 +│", done.stdout)
    assert tagged(endpoint, name) == {}
    assert not (spec.parent / "out").exists()


def test_without_strict_warnings_do_not_stop_plan(endpoint, spec):
    with_small_volumes(spec)
    done = plan(spec, endpoint)
    assert done.returncode == 0, done.stderr
    assert list(json.loads(done.stdout)) == ["changes"]


def test_accepting_one_rule_still_refuses_the_others_warnings(endpoint, spec):
    with_small_volumes(spec)
    done = plan(spec, endpoint, "--strict", "--accept-warning", "P004")
    assert done.returncode == 4
    assert done.stderr.endswith(f"plan {REFUSED}\n--strict refuses the warnings of P007: fix them, or accept a "
                                "rule's warnings with --accept-warning ID.\n")
    assert json.loads(done.stdout)["summary"]["warnings"] == 2  # every finding shown, as validate shows them


def test_accepting_every_warned_rule_goes_on_to_plan(endpoint, spec):
    with_small_volumes(spec)
    done = plan(spec, endpoint, "--strict", "--accept-warning", "p004", "--accept-warning", "P007")
    assert done.returncode == 0, done.stderr
    assert list(json.loads(done.stdout)) == ["changes"]


def test_an_accepted_rule_that_finds_an_error_still_refuses(endpoint, spec, name):
    document = json.loads(spec.read_text())
    document["storage"] = {"buckets": {"logs": "Logs_Bucket"}}  # S006: S3 refuses the name
    spec.write_text(json.dumps(document))
    done = run("apply", str(spec), "--endpoint-url", endpoint, "--auto-approve", "--strict",
               "--accept-warning", "S006", "-o", str(spec.parent / "out"))
    assert done.returncode == 3
    assert done.stderr.endswith("apply refused: the spec has error findings (above); nothing was created or "
                                "changed.\n--accept-warning covers warnings only, not the errors of S006.\n")
    assert tagged(endpoint, name) == {}


@pytest.mark.parametrize(("options", "message"), [
    (("--strict", "--accept-warning", "P0004"),
     "error: --accept-warning: no rule has the id 'P0004' (did you mean 'P004'?) (see `domino-eks rules`)\n"),
    (("--accept-warning", "P004"),
     "error: --accept-warning: only matters with --strict: without it, warnings do not stop plan or apply\n"),
])
def test_an_unknown_id_or_one_without_strict_is_bad_input(endpoint, spec, name, options, message):
    done = run("apply", str(spec), "--endpoint-url", endpoint, "--auto-approve", *options)
    assert (done.returncode, done.stderr) == (2, message)
    assert tagged(endpoint, name) == {}
