"""Options a typo would turn into a silent pass, or into a spec `validate` rejects, are refused (exit 2)."""

from __future__ import annotations

from tests.conftest import EXAMPLES
from tests.sources.console import run

SPEC = str(EXAMPLES / "single-az.yaml")


def test_a_select_prefix_that_matches_no_rule_is_refused_with_a_did_you_mean():
    done = run("validate", SPEC, "--select", "S0066")
    assert (done.returncode, done.stdout, done.stderr) == (
        2, "", "error: --select: no rule id starts with 'S0066' (did you mean 'S006'?) (see `domino-eks rules`)\n")


def test_a_select_prefix_like_no_rule_is_refused_without_a_guess():
    done = run("validate", SPEC, "--select", "Q")
    assert (done.returncode, done.stderr) == (
        2, "error: --select: no rule id starts with 'Q' (see `domino-eks rules`)\n")


def test_a_select_prefix_that_matches_runs_those_rules_only():
    done = run("validate", SPEC, "--select", "s00", "--format", "json")
    assert done.returncode == 0
    assert '"id": "S001"' in done.stdout and '"id": "Z001"' not in done.stdout


def test_init_refuses_a_name_validate_would_reject_and_writes_nothing(tmp_path):
    out = tmp_path / "domino.yaml"
    done = run("init", "--name", "Analytics", "-o", str(out))
    assert done.returncode == 2
    assert done.stderr == "".join(
        f"error: --name: 'Analytics': S006 bucket name 'Analytics-{bucket}' ({role}) must use only lowercase letters, "
        "digits, hyphens and dots, and start and end with a letter or digit: S3 rejects it.\n"
        for bucket, role in (("user-data", "user_data"), ("logs", "logs"), ("backups", "backups")))
    assert not out.exists()


def test_init_refuses_a_name_the_schema_refuses():
    done = run("init", "--name", "-x")
    assert (done.returncode, done.stdout, done.stderr) == (
        2, "", "error: --name: '-x': 'metadata.name': String should match pattern '^[0-9A-Za-z][A-Za-z0-9_-]*$' "
               "(got '-x')\n")


def test_init_with_a_good_name_writes_a_spec_that_validates(tmp_path):
    out = tmp_path / "domino.yaml"
    assert run("init", "--name", "analytics", "-o", str(out)).returncode == 0
    assert run("validate", str(out)).returncode == 0
