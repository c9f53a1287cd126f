"""Shared fixtures: the bundled examples, the page's own samples, and a fixed 'today'."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from domino_eks.model import Deployment
from domino_eks.sources import spec

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
PAGE_SINGLE_AZ = FIXTURES / "page" / "single-az.eksctl.yaml"  # verbatim from the page
PAGE_MULTI_AZ = FIXTURES / "page" / "multi-az.eksctl.yaml"  # verbatim from the page
TODAY = date(2026, 11, 24)  # rules that read the EKS calendar are judged on a fixed day


def load_example(name: str) -> Deployment:
    return spec.load(str(EXAMPLES / name), today=TODAY)


@pytest.fixture
def multi_az() -> Deployment:
    return load_example("multi-az.yaml")


@pytest.fixture
def single_az() -> Deployment:
    return load_example("single-az.yaml")
