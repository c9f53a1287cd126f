"""`domino-eks render`: the set of files written, what it leaves alone, and the command around it."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from ruamel.yaml import YAML

from domino_eks.commands.render import render
from domino_eks.errors import InputError
from domino_eks.model import Autoscaler
from domino_eks.render.writer import render_all
from tests.conftest import EXAMPLES, PAGE_MULTI_AZ
from tests.rules.builders import edit_groups

EXPECTED = [
    "eksctl/cluster.yaml",
    "iam/autoscaler-policy.json",
    "iam/compute-s3-access-policy.json",
    "iam/registry-access-policy.json",
    "iam/s3-access-policy.json",
    "installer/domino.yml",
    "kubernetes/networkpolicy-compute.yaml",
    "kubernetes/storageclass-block.yaml",
    "kubernetes/storageclass-shared.yaml",
]


def relative(paths, root) -> list[str]:
    return [path.relative_to(root).as_posix() for path in paths]


def files_under(root) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


def test_render_all_writes_exactly_the_artifacts_sorted(tmp_path, multi_az):
    written = render_all(multi_az, tmp_path / "out")
    assert relative(written, tmp_path / "out") == EXPECTED
    assert files_under(tmp_path / "out") == EXPECTED


def test_render_all_replaces_its_own_files_and_keeps_others(tmp_path, multi_az):
    out = tmp_path / "out"
    (out / "iam").mkdir(parents=True)
    (out / "iam" / "s3-access-policy.json").write_text("stale")
    (out / "notes.txt").write_text("mine")
    render_all(multi_az, out)
    assert json.loads((out / "iam" / "s3-access-policy.json").read_text())["Version"] == "2012-10-17"
    assert (out / "notes.txt").read_text() == "mine"


def test_without_the_autoscaler_its_policy_is_not_written(tmp_path, multi_az):
    without = multi_az.model_copy(update={"autoscaler": Autoscaler(enabled=False)})
    written = relative(render_all(without, tmp_path), tmp_path)
    assert written == [name for name in EXPECTED if name != "iam/autoscaler-policy.json"]


@pytest.mark.parametrize("enabled", [False, None], ids=["off", "unknown"])
def test_every_artifact_agrees_when_the_autoscaler_is_not_known_to_run(tmp_path, multi_az, enabled):
    untagged = edit_groups(multi_az, None, tags={})
    render_all(untagged.model_copy(update={"autoscaler": Autoscaler(enabled=enabled)}), tmp_path)
    config = YAML(typ="safe").load((tmp_path / "eksctl" / "cluster.yaml").read_text())
    tags = {key for group in config["nodeGroups"] for key in group.get("tags", {})}
    assert not {key for key in tags if key.startswith("k8s.io/cluster-autoscaler/")}
    actions = {a for group in config["nodeGroups"] for s in group["iam"]["attachPolicy"]["Statement"]
               for a in s["Action"]}
    assert actions and not {a for a in actions if a.startswith("autoscaling:")}
    associations = config["iam"]["podIdentityAssociations"]
    assert associations and "cluster-autoscaler" not in {a["serviceAccountName"] for a in associations}
    assert "autoscaler" not in YAML(typ="safe").load((tmp_path / "installer" / "domino.yml").read_text())
    assert not (tmp_path / "iam" / "autoscaler-policy.json").exists()


def test_command_prints_each_written_path_and_exits_0(tmp_path):
    out = tmp_path / "rendered"
    result = CliRunner().invoke(render, [str(EXAMPLES / "single-az.yaml"), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [str(out / name) for name in EXPECTED]
    assert "__FILL__ marks values not known yet" in result.stderr
    assert files_under(out) == EXPECTED


def test_an_eksctl_file_renders_what_it_knows_and_marks_the_rest(tmp_path):
    result = CliRunner().invoke(render, [str(PAGE_MULTI_AZ), "-o", str(tmp_path)])
    assert result.exit_code == 0, result.output
    values = YAML(typ="safe").load((tmp_path / "installer" / "domino.yml").read_text())
    assert values["autoscaler"]["auto_discovery"]["cluster_name"] == "domino-test-cluster"
    assert values["hostname"] == values["blob_storage"]["projects"]["s3"]["bucket"] == "__FILL__"
    policy = json.loads((tmp_path / "iam" / "s3-access-policy.json").read_text())
    assert all("__FILL__" in arn for statement in policy["Statement"] for arn in statement["Resource"])


def test_command_lets_bad_input_reach_the_cli_as_input_error(tmp_path):
    result = CliRunner().invoke(render, [str(tmp_path / "missing.yaml"), "-o", str(tmp_path)])
    assert isinstance(result.exception, InputError)
    assert not any(tmp_path.iterdir())


def test_help_lists_every_artifact():
    result = CliRunner().invoke(render, ["--help"])
    assert result.exit_code == 0
    assert all(name in result.output for name in EXPECTED)


def test_unwritable_output_is_unusable_input_naming_the_path(tmp_path, multi_az):
    (tmp_path / "iam").write_text("a file where a directory must go")
    with pytest.raises(InputError) as refused:
        render_all(multi_az, tmp_path)
    assert str(refused.value) == f"{tmp_path / 'iam' / 'autoscaler-policy.json'}: cannot write: File exists"
