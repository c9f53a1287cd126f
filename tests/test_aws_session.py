"""The one session and client cache: a retry mode named per use, one refusal of a profile that is not there."""

from __future__ import annotations

import pytest

from domino_eks.aws import session
from domino_eks.errors import InputError


@pytest.mark.parametrize(("use", "mode", "calls"), [(session.COLLECTING, "standard", 3),
                                                    (session.PROVISIONING, "adaptive", 13)])
def test_every_client_retries_as_its_use_says(use, mode, calls):
    aws = session.Aws(session.static_session("us-west-2"), "http://127.0.0.1:9", retries=use)

    client = aws.client("ec2")

    assert client is aws.client("ec2")  # one client per service, whatever thread asks
    assert client.meta.config.retries == {"mode": mode, "total_max_attempts": calls}
    assert client.meta.endpoint_url == "http://127.0.0.1:9"


def test_a_profile_named_by_the_environment_is_refused_naming_the_variable(tmp_path, monkeypatch):
    monkeypatch.setenv("AWS_PROFILE", "nosuch")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "credentials"))

    with pytest.raises(InputError) as refused:
        session.profile_session(None, "us-west-2")

    assert str(refused.value) == (f"AWS_PROFILE: AWS profile 'nosuch' not found in {tmp_path / 'config'} or "
                                  f"{tmp_path / 'credentials'}")
