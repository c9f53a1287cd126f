"""Fixtures for `check` and `snapshot`: a kubeconfig for the local API server, the emulator, its account."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from tests.aws_fake_server import AwsFront
from tests.check.support import (
    ACCESS_ENTRIES,
    ADDONS,
    AUTHENTICATION_MODE,
    CLUSTER,
    INSIGHTS,
    QUOTAS,
    REGION,
    Account,
    addon_versions,
    build_account,
    write_kubeconfig,
)


@pytest.fixture
def kubeconfig(tmp_path, httpserver) -> Path:
    return write_kubeconfig(tmp_path / "kubeconfig", httpserver.url_for("").rstrip("/"))


@pytest.fixture(scope="session")
def moto_url():
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def aws_env(monkeypatch, moto_url) -> dict:
    """Credentials and region for the emulator, as environment variables (what boto3 reads)."""
    env = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": REGION}
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    return env


@pytest.fixture(scope="session")
def account(moto_url) -> Account:
    """The emulated account of a Domino cluster, built once per test process."""
    return build_account(moto_url)


@pytest.fixture
def aws_front(moto_url) -> Iterator[AwsFront]:
    """One endpoint for the account: what moto lacks — Service Quotas' EC2 quotas, the cluster's EKS insights,
    authentication mode, access entries and add-ons — served with room for every pool, one passing insight, an
    EC2_LINUX entry for the nodes' role and every needed add-on ACTIVE at its default version; the rest by the
    emulator. Tests change them to make rules fail."""
    server = HTTPServer(host="127.0.0.1", port=0)
    server.start()
    try:
        front = AwsFront(server, moto_url, REGION, QUOTAS)
        front.insights[CLUSTER] = list(INSIGHTS)
        front.authentication_modes[CLUSTER] = AUTHENTICATION_MODE
        front.access_entries[CLUSTER] = list(ACCESS_ENTRIES)
        front.addons[CLUSTER] = list(ADDONS)
        front.addon_versions = addon_versions()
        yield front
    finally:
        server.clear()
        server.stop()
