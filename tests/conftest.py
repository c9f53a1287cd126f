"""Shared fixtures: the bundled examples, the page's own samples, and a fixed 'today'."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from domino_eks.model import Deployment
from domino_eks.sources import spec

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
PAGE_SINGLE_AZ = FIXTURES / "page" / "single-az.eksctl.yaml"  # verbatim from the page
PAGE_MULTI_AZ = FIXTURES / "page" / "multi-az.eksctl.yaml"  # verbatim from the page
TODAY = date(2026, 11, 24)  # rules that read the EKS calendar are judged on a fixed day


def load_example(name: str, **top_level: object) -> Deployment:
    """An example spec, with `top_level` keys (e.g. domino={"version": "5.1"}) set as if written in the file."""
    path = EXAMPLES / name
    if not top_level:
        return spec.load(str(path), today=TODAY)
    # appended as YAML text (JSON is YAML), so that every key has a line and column as in a real file
    text = path.read_text() + "".join(f"{key}: {json.dumps(value)}\n" for key, value in top_level.items())
    return spec.from_document(YAML(typ="rt").load(text), str(path), TODAY)


@pytest.fixture
def multi_az() -> Deployment:
    return load_example("multi-az.yaml")


@pytest.fixture
def single_az() -> Deployment:
    return load_example("single-az.yaml")
