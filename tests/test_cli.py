"""The console script as users run it: every exit code, no tracebacks, output formats."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import EXAMPLES, PAGE_MULTI_AZ, PAGE_SINGLE_AZ

SCRIPT = str(Path(sys.executable).parent / "domino-eks")


def run(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    result = subprocess.run([SCRIPT, *args], capture_output=True, text=True, cwd=cwd, timeout=120,
                            env={**os.environ, **(env or {})})
    assert "Traceback" not in result.stderr, result.stderr
    return result


def write(tmp_path: Path, text: str, name: str = "spec.yaml") -> str:
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def test_help_lists_every_command():
    result = run("--help")
    assert result.returncode == 0
    for command in ("init", "validate", "render", "plan", "apply", "destroy", "check", "snapshot", "explain"):
        assert f"  {command}" in result.stdout


def test_clean_example_exits_0():
    result = run("validate", str(EXAMPLES / "multi-az.yaml"))
    assert result.returncode == 0, result.stdout
    assert "0 errors" in result.stdout


def test_errors_exit_3_and_name_the_rule(tmp_path):
    two_zones = (EXAMPLES / "multi-az.yaml").read_text().replace(
        "[us-west-2a, us-west-2b, us-west-2c]", "[us-west-2a, us-west-2b]")
    result = run("validate", write(tmp_path, two_zones))
    assert result.returncode == 3
    assert "Z001" in result.stdout


def test_warnings_exit_0_or_4_with_strict(tmp_path):
    small_platform_disk = (EXAMPLES / "multi-az.yaml").read_text().replace("volumeSize: 128", "volumeSize: 100")
    path = write(tmp_path, small_platform_disk)
    assert run("validate", path).returncode == 0
    strict = run("validate", "--strict", path)
    assert strict.returncode == 4
    assert "P004" in strict.stdout


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("apiVersion: domino-eks.io/v1alpha1\nkind: DominoCluster\n  bad: [\n", "invalid YAML"),
        ("", "the file is empty"),
    ],
)
def test_unusable_input_exits_2_with_a_located_message(tmp_path, text, expected):
    result = run("validate", write(tmp_path, text))
    assert result.returncode == 2
    assert expected in result.stderr and "spec.yaml:" in result.stderr


def test_typo_exits_2_with_did_you_mean(tmp_path):
    typo = (EXAMPLES / "single-az.yaml").read_text().replace("instanceType: m5.2xlarge", "instanceTyep: m5.2xlarge", 1)
    result = run("validate", write(tmp_path, typo))
    assert result.returncode == 2
    assert "did you mean 'instanceType'?" in result.stderr
    assert "spec.yaml:12:5:" in result.stderr


def test_missing_file_exits_2(tmp_path):
    result = run("validate", str(tmp_path / "nope.yaml"))
    assert result.returncode == 2 and "no such file" in result.stderr


def test_unknown_option_exits_2():
    assert run("validate", "--colour", "x").returncode == 2


def test_unknown_command_suggests_the_closest():
    result = run("valdate", "x")
    assert result.returncode == 2
    assert result.stderr.splitlines()[-1] == "Error: no such command 'valdate' (did you mean 'validate'?). See " \
                                             "'domino-eks --help'."


def test_page_samples_have_no_errors_but_the_template_tag():
    single = json.loads(run("validate", "--format", "json", str(PAGE_SINGLE_AZ)).stdout)
    multi = run("validate", "--format", "json", str(PAGE_MULTI_AZ))
    assert [f["id"] for f in single["findings"] if f["status"] == "fail" and f["severity"] == "error"] == []
    assert multi.returncode == 3
    errors = {f["id"] for f in json.loads(multi.stdout)["findings"]
              if f["status"] == "fail" and f["severity"] == "error"}
    assert errors == {"A003"}


def test_json_envelope_lists_every_rule(tmp_path):
    result = run("validate", "--format", "json", str(EXAMPLES / "single-az.yaml"))
    envelope = json.loads(result.stdout)
    assert envelope["tool"] == "domino-eks" and envelope["source"].endswith("single-az.yaml")
    rules = json.loads(run("rules", "--format", "json").stdout)
    assert {f["id"] for f in envelope["findings"]} == {r["id"] for r in rules}
    for f in envelope["findings"]:
        assert set(f) >= {"id", "severity", "status", "title", "message", "fix", "location"}
        assert f["status"] in {"pass", "fail", "skip"} and f["severity"] in {"error", "warning", "info"}


def test_eksctl_sample_skips_what_eksctl_cannot_know():
    envelope = json.loads(run("validate", "--format", "json", str(PAGE_SINGLE_AZ)).stdout)
    status = {f["id"]: f for f in envelope["findings"]}
    for rule_id in ("S003", "S006", "D001", "N001"):
        assert status[rule_id]["status"] == "skip" and status[rule_id]["message"]


def test_explain_prints_the_record_and_suggests_ids():
    result = run("explain", "z001")
    assert result.returncode == 0 and "Z001" in result.stdout and "Why." in result.stdout
    wrong = run("explain", "Z01")
    assert wrong.returncode == 2
    assert wrong.stderr == "error: explain: no rule 'Z01' (did you mean 'Z001'?) (`domino-eks rules` lists them)\n"


def test_init_writes_a_spec_that_validates(tmp_path):
    target = tmp_path / "domino.yaml"
    assert run("init", "--zones", "1", "--gpu", "-o", str(target)).returncode == 0
    assert run("validate", str(target)).returncode == 0
    again = run("init", "-o", str(target))
    assert again.returncode == 2 and "not overwritten" in again.stderr


def test_init_writes_the_endpoint_access_and_the_security_block_with_their_comments():
    written = run("init", "--zones", "1").stdout.splitlines()
    assert "  apiAccess: # who reaches the EKS API endpoint: private on, public off unless CIDRs are listed" in written
    assert ("    publicCidrs: [] # CIDRs that may reach the public API endpoint; empty turns public access off "
            "(the default)") in written
    assert "security: # control-plane logs, Secrets encryption, data keys, support policy" in written
    assert ("  encryption: # stores the deployment's KMS key (kmsKeyArn, or apply's) encrypts too: ebs, efs, s3 "
            "(default: AWS-managed keys, still encrypted)") in written
    assert "    s3: false # the buckets and the registry's, SSE-KMS with bucket keys" in written


def test_init_suggests_the_region_meant():
    result = run("init", "--region", "us-west-22")
    assert (result.returncode, result.stderr) == (2, "error: --region: unknown AWS region 'us-west-22' (did you mean "
                                                     "'us-west-2'?)\n")


def test_init_into_a_missing_directory_exits_2_naming_the_file(tmp_path):
    target = tmp_path / "no-such-dir" / "domino.yaml"
    result = run("init", "-o", str(target))
    assert result.returncode == 2 and f"{target}: cannot write: No such file or directory" in result.stderr


def test_schema_is_json_schema():
    schema = json.loads(run("schema").stdout)
    assert schema["title"] == "Spec" and "nodePools" in schema["properties"]


def test_an_output_directory_that_cannot_be_made_exits_2_with_the_reason(tmp_path):
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("a file where the output directory should go")
    result = run("render", str(EXAMPLES / "single-az.yaml"), "-o", str(blocker / "out"))
    assert result.returncode == 2
    assert result.stderr == f"error: {blocker / 'out' / 'eksctl' / 'cluster.yaml'}: cannot write: Not a directory\n"


def test_render_writes_every_artifact(tmp_path):
    result = run("render", str(EXAMPLES / "multi-az.yaml"), "-o", str(tmp_path / "out"))
    assert result.returncode == 0
    written = {Path(line).relative_to(tmp_path / "out").as_posix() for line in result.stdout.splitlines()}
    assert {"eksctl/cluster.yaml", "iam/s3-access-policy.json", "installer/domino.yml"} <= written


def test_a_profile_that_is_not_configured_is_the_same_unusable_input_in_every_command(tmp_path):
    files = {"AWS_CONFIG_FILE": str(tmp_path / "config"), "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "credentials")}
    planned = run("plan", str(EXAMPLES / "single-az.yaml"), "--target", "aws", "--profile", "nosuch", env=files)
    checked = run("check", "--profile", "nosuch", "--cluster", "x", "--region", "us-west-2",
                  "--kubeconfig", str(tmp_path / "missing.yaml"), env=files)

    refusal = (f"error: --profile: AWS profile 'nosuch' not found in {tmp_path / 'config'} or "
               f"{tmp_path / 'credentials'}\n")
    assert (planned.returncode, planned.stderr) == (2, "Target: AWS (profile nosuch, region us-west-2)\n" + refusal)
    assert (checked.returncode, checked.stderr) == (2, refusal)
