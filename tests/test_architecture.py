"""Data flows one way: sources -> model -> rules / render / provision -> report. Imports must agree.

Every module of the package belongs to a layer below; a module in no layer fails the test, so a new
package cannot slip past the contracts.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "src" / "domino_eks"

HEAVY = ("boto3", "botocore", "kubernetes", "moto")
OURS = ("rules", "sources", "render", "provision", "commands", "report", "collect", "aws", "knowledge", "probe",
        "demo", "cli")


COLLECTORS = ("domino_eks.collect.aws", "domino_eks.collect.kube", "domino_eks.collect.identity",
              "domino_eks.collect.storage", "domino_eks.collect.recorder", "domino_eks.collect.account",
              "domino_eks.collect.insights")


def _ours(*names: str) -> tuple[str, ...]:
    return tuple(f"domino_eks.{n}" for n in names)


# layer: what it must never import (directly, at any depth of the module)
FORBIDDEN: dict[str, tuple[str, ...]] = {
    # the model may import only knowledge.instances (a pool is a GPU pool by its instance type) and
    # knowledge.domino (a deployment installs into its release's default namespaces)
    "model": (*_ours(*(n for n in OURS if n != "knowledge")), "domino_eks.knowledge.regions",
              "domino_eks.knowledge.eks_versions", "domino_eks.knowledge.iam", "domino_eks.knowledge.subnet_layout",
              "domino_eks.knowledge.eksctl_defaults", *HEAVY),
    "knowledge": (*_ours(*(n for n in OURS if n != "knowledge")), *HEAVY),
    "errors": (*_ours(*OURS), "domino_eks.model", *HEAVY),
    "aws": (*_ours(*(n for n in OURS if n != "aws")), "domino_eks.model", "kubernetes"),
    "rules": (*_ours("sources", "render", "provision", "commands", "report", "collect", "aws", "probe"), *HEAVY),
    "render": (*_ours("provision", "commands", "collect", "rules", "aws", "report", "probe"), *HEAVY),
    # sources read snapshots, whose shape collect.shapes defines; never the collectors themselves
    "sources": (*_ours("render", "provision", "commands", "report", "aws", "probe"), *COLLECTORS, *HEAVY),
    "collect": (*_ours("rules", "sources", "render", "provision", "commands", "report", "probe"),),
    "provision": (*_ours("rules", "sources", "commands", "report", "collect", "probe"), "kubernetes"),
    "report": (*_ours("sources", "provision", "commands", "collect", "aws", "render", "probe"), *HEAVY),
    "probe": (*_ours("sources", "provision", "commands", "collect", "aws", "render"), "boto3", "botocore"),
    "commands": (),  # entry points: they may use every layer, but import the heavy ones lazily (see cli)
    "cli": (*_ours("rules", "sources", "render", "provision", "report", "collect", "aws", "probe"), *HEAVY),
    "demo": (),
    "__init__": (*_ours(*OURS), *HEAVY),
    "memory": (*_ours(*OURS), "domino_eks.model", "domino_eks.errors", *HEAVY),  # beneath every layer
}


def layer_of(path: Path) -> str:
    return path.relative_to(PACKAGE).parts[0].removesuffix(".py")


def imported(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


MODULES = sorted(PACKAGE.rglob("*.py"))


def test_every_module_belongs_to_a_layer():
    assert sorted({str(p.relative_to(PACKAGE)) for p in MODULES if layer_of(p) not in FORBIDDEN}) == []


def test_the_package_root_holds_only_entry_points_and_the_model():
    assert sorted(p.name for p in PACKAGE.glob("*.py")) == [
        "__init__.py", "cli.py", "demo.py", "errors.py", "model.py", "probe.py"]


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_no_layer_imports_against_the_flow(layer):
    offences = [
        f"{path.relative_to(PACKAGE)} imports {name}"
        for path in MODULES if layer_of(path) == layer
        for name in imported(path)
        if any(name == bad or name.startswith(bad + ".") for bad in FORBIDDEN[layer])
    ]
    assert offences == []


def test_cli_imports_no_heavy_library_at_start_up():
    assert not {n for n in imported(PACKAGE / "cli.py") if n.split(".")[0] in {"boto3", "kubernetes", "moto"}}


AWS_CALLERS = ("aws", "collect", "provision", "commands", "demo")  # the layers that talk to AWS


def test_only_the_layers_that_talk_to_aws_import_the_aws_layer():
    offences = [
        f"{path.relative_to(PACKAGE)} imports {name}"
        for path in MODULES if layer_of(path) not in AWS_CALLERS
        for name in imported(path)
        if name == "domino_eks.aws" or name.startswith("domino_eks.aws.")
    ]
    assert offences == []
