"""The account a session's calls go to is asked of STS once: key policies, policy ARNs and the flow logs' trust
all name it, and its credentials name one account for the session's life."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from tests.provision.support import aws_with_hooks


def test_the_account_id_is_asked_of_sts_once_per_session_whatever_the_threads(endpoint):
    asked: list[str] = []
    aws = aws_with_hooks(endpoint, **{"before-call.sts.GetCallerIdentity": lambda **_: asked.append("asked")})

    with ThreadPoolExecutor(max_workers=8) as pool:
        accounts = list(pool.map(lambda _: aws.account_id(), range(16)))

    assert accounts == ["123456789012"] * 16
    assert asked == ["asked"]
