"""Fixtures for plan/apply/destroy: one moto server process for the test process, a fresh deployment per test."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from tests.provision.support import moto_server_process, write_spec


@pytest.fixture(scope="session")
def endpoint() -> Iterator[str]:
    with moto_server_process() as url:
        yield url


@pytest.fixture
def name() -> str:
    """A cluster name no other test uses, so tests can share the server (buckets are named after it)."""
    return f"t{uuid.uuid4().hex[:12]}"


@pytest.fixture
def spec(tmp_path, name):
    return write_spec(tmp_path / "domino.yaml", name)
