"""The plan/apply/destroy commands as a user or a script meets them: output shapes, refusals, exit codes."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from ruamel.yaml import YAML

from domino_eks import cli
from tests.conftest import PAGE_SINGLE_AZ
from tests.provision.support import tagged


def run_cli(capsys, *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as ended:
        cli.main(list(args))
    out, err = capsys.readouterr()
    assert isinstance(ended.value.code, int)
    return ended.value.code, out, err


def test_plan_json_is_exactly_a_list_of_changes(endpoint, spec, capsys):
    code, out, _ = run_cli(capsys, "plan", str(spec), "--endpoint-url", endpoint, "--format", "json")
    document = json.loads(out)
    assert code == 0
    assert list(document) == ["changes"]
    assert all(list(change) == ["action", "type", "name"] for change in document["changes"])
    assert {c["action"] for c in document["changes"]} == {"create"}
    assert {"type": "AWS::EKS::Cluster", "name": "cluster", "action": "create"} in document["changes"]


def test_plan_table_counts_the_changes(endpoint, spec, capsys):
    code, out, _ = run_cli(capsys, "plan", str(spec), "--endpoint-url", endpoint)
    assert code == 0
    assert "AWS::EC2::SecurityGroup" in out and "shared-nodes" in out
    assert "to create, 0 to update, 0 to delete, 0 unchanged." in out


def test_apply_without_a_terminal_or_auto_approve_refuses_and_creates_nothing(endpoint, spec, name, capsys):
    code, _, err = run_cli(capsys, "apply", str(spec), "--endpoint-url", endpoint)
    assert code == 2
    assert "pass --auto-approve" in err
    assert tagged(endpoint, name) == {}


def test_a_region_other_than_the_specs_is_refused(endpoint, spec, capsys):
    code, _, err = run_cli(capsys, "plan", str(spec), "--endpoint-url", endpoint, "--region", "eu-west-1")
    assert code == 2 and "metadata.region us-west-2" in err


def test_endpoint_url_and_target_aws_exclude_each_other(endpoint, spec, capsys):
    code, _, err = run_cli(capsys, "plan", str(spec), "--endpoint-url", endpoint, "--target", "aws")
    assert code == 2 and "choose one" in err


def test_an_eksctl_file_is_refused_with_the_reason(capsys):
    code, _, err = run_cli(capsys, "plan", str(PAGE_SINGLE_AZ))
    assert code == 2
    assert "need a domino-eks spec" in err and str(PAGE_SINGLE_AZ) in err


def test_the_default_target_is_the_embedded_emulator(spec, tmp_path):
    """No endpoint, no --target: apply runs against an emulator of its own and records real ids."""
    out_dir = tmp_path / "out"
    done = subprocess.run([sys.executable, "-m", "domino_eks.cli", "apply", str(spec), "--auto-approve",
                           "-o", str(out_dir)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "embedded AWS emulator" in done.stderr
    values = YAML(typ="safe").load((out_dir / "installer" / "domino.yml").read_text())
    assert values["storage_classes"]["shared"]["efs"]["filesystem_id"].startswith("fs-")
