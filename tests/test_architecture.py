"""Data flows one way: sources -> model -> rules / render / provision -> report. Imports must agree."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "src" / "domino_eks"

# layer: packages it must never import (directly, at any depth of the module)
FORBIDDEN = {
    "model": ("domino_eks.rules", "domino_eks.sources", "domino_eks.render", "domino_eks.provision",
              "domino_eks.commands", "domino_eks.report", "domino_eks.collect", "boto3", "kubernetes"),
    "rules": ("domino_eks.sources", "domino_eks.render", "domino_eks.provision", "domino_eks.commands",
              "domino_eks.report", "domino_eks.collect", "boto3", "botocore", "kubernetes"),
    "render": ("domino_eks.provision", "domino_eks.commands", "domino_eks.collect", "domino_eks.rules",
               "boto3", "kubernetes"),
    "sources": ("domino_eks.render", "domino_eks.provision", "domino_eks.commands", "domino_eks.report",
                "boto3", "botocore", "kubernetes"),
    "report": ("domino_eks.sources", "domino_eks.provision", "domino_eks.commands", "boto3", "kubernetes"),
}


def modules_of(layer: str) -> list[Path]:
    path = PACKAGE / layer
    return sorted(path.rglob("*.py")) if path.is_dir() else [PACKAGE / f"{layer}.py"]


def imported(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_no_layer_imports_against_the_flow(layer):
    offences = [
        f"{path.relative_to(PACKAGE)} imports {name}"
        for path in modules_of(layer)
        for name in imported(path)
        if any(name == bad or name.startswith(bad + ".") for bad in FORBIDDEN[layer])
    ]
    assert offences == []


def test_cli_imports_no_heavy_library_at_start_up():
    assert not {n for n in imported(PACKAGE / "cli.py") if n.split(".")[0] in {"boto3", "kubernetes", "moto"}}
