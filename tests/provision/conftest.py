"""Fixtures for plan/apply/destroy: the embedded emulator for each test module, a fresh deployment per test.

One emulator per module, not per test process: moto's listings and filters go through everything its account
holds, so a server that had served every apply of a test process would make each later test slower."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from domino_eks.aws import emulator
from domino_eks.knowledge import iam
from tests.provision.support import unique_name, write_spec


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    with emulator.running(iam.AWS_MANAGED_POLICIES) as url:
        yield url


@pytest.fixture
def name() -> str:
    return unique_name()


@pytest.fixture
def spec(tmp_path, name):
    return write_spec(tmp_path / "domino.yaml", name)
