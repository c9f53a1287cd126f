"""Node images an eksctl file cannot use: AmazonLinux2 from Kubernetes 1.33 on (eksctl refuses it), and AL2 user data
on AmazonLinux2023 nodes (nodeadm ignores it). Both are located input errors, exit 2."""

from __future__ import annotations

from pathlib import Path

import pytest

from domino_eks.errors import InputError
from domino_eks.sources import eksctl
from tests.conftest import TODAY
from tests.test_cli import run

HEAD = """apiVersion: eksctl.io/v1alpha5
kind: ClusterConfig
metadata:
  name: test
  region: us-west-2
  version: "{version}"
nodeGroups:
  - name: default
    instanceType: m5.2xlarge
"""


def written(tmp_path: Path, version: str, group_lines: str) -> Path:
    path = tmp_path / "cluster.yaml"
    path.write_text(HEAD.format(version=version) + group_lines)
    return path


def problems(path: Path) -> list[str]:
    with pytest.raises(InputError) as caught:
        eksctl.load(str(path), today=TODAY)
    return [str(p) for p in caught.value.problems]


def test_amazon_linux_2_on_1_33_is_refused_where_it_is_written(tmp_path):
    path = written(tmp_path, "1.33", "    amiFamily: AmazonLinux2\n")
    assert problems(path) == [
        f"{path}:10:5: 'nodeGroups[0].amiFamily' is AmazonLinux2, which eksctl refuses on Kubernetes 1.33 "
        "(AmazonLinux2 ends with 1.32: EKS publishes no AL2 image after it); expected AmazonLinux2023 or Bottlerocket"]


def test_amazon_linux_2_on_1_32_loads(tmp_path):
    lines = "    amiFamily: AmazonLinux2\n    overrideBootstrapCommand: /etc/eks/bootstrap.sh test\n"
    deployment = eksctl.load(str(written(tmp_path, "1.32", lines)), today=TODAY)
    assert deployment.pools[0].groups[0].ami_family == "AmazonLinux2"


def test_bootstrap_sh_on_al2023_nodes_is_refused_in_each_place_it_is_called(tmp_path):
    path = written(tmp_path, "1.35", "    overrideBootstrapCommand: |\n"
                                     "      /etc/eks/bootstrap.sh test --kubelet-extra-args '--node-labels=a=b'\n"
                                     "    preBootstrapCommands:\n"
                                     "      - echo ready\n"
                                     "      - /etc/eks/bootstrap.sh test\n")
    ignored = ("calls bootstrap.sh or passes --kubelet-extra-args, but AmazonLinux2023 nodes boot with nodeadm, which "
               "has no bootstrap.sh and ignores both; expected the kubelet flags in a nodeadm NodeConfig "
               "(spec.kubelet.flags), or amiFamily AmazonLinux2 on Kubernetes 1.32 or older")
    assert problems(path) == [f"{path}:10:5: 'nodeGroups[0].overrideBootstrapCommand' {ignored}",
                              f"{path}:14:9: 'nodeGroups[0].preBootstrapCommands[1]' {ignored}"]


def test_al2023_user_data_without_bootstrap_sh_loads(tmp_path):
    deployment = eksctl.load(str(written(tmp_path, "1.35", "    preBootstrapCommands:\n      - echo ready\n")),
                             today=TODAY)
    assert deployment.pools[0].groups[0].pre_bootstrap_commands == ("echo ready",)


def test_validate_exits_2_without_a_traceback(tmp_path):
    path = written(tmp_path, "1.34", "    amiFamily: AmazonLinux2\n")
    result = run("validate", str(path))  # run() also asserts there is no traceback
    assert result.returncode == 2
    assert f"{path}:10:5: 'nodeGroups[0].amiFamily' is AmazonLinux2, which eksctl refuses on Kubernetes 1.34" in (
        result.stderr)
