"""The one error describer both halves of the tool use: apply's fault with its hint, a snapshot's note."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from domino_eks.aws import faults


def error(status: int, code: str | None, message: str, operation: str = "DescribeFileSystems") -> ClientError:
    body = {"Error": {"Message": message, **({"Code": code} if code else {})},
            "ResponseMetadata": {"HTTPStatusCode": status}}
    return ClientError(body, operation)


MOTO_MISSING = error(404, "404", "<!DOCTYPE html>\n<title>404 Not Found</title>", "DescribeClusterVersions")
LOCALSTACK_MISSING = error(501, "InternalFailure", "not yet implemented", "DescribeClusterVersions")
HTML_ONLY = error(404, None, "  <html><body>Not Found</body></html>", "DescribeClusterVersions")


@pytest.mark.parametrize("missing", [MOTO_MISSING, LOCALSTACK_MISSING, HTML_ONLY])
def test_an_endpoint_without_the_call_is_told_by_status_or_by_an_html_page(missing):
    assert faults.lacks_api(missing)


def test_an_aws_refusal_is_not_a_missing_call():
    assert not faults.lacks_api(error(403, "AccessDenied", "Access Denied"))
    assert not faults.lacks_api(error(404, "NoSuchBucket", "The specified bucket does not exist"))
    assert not faults.lacks_api(ValueError("not an AWS error"))


def test_a_refusal_reads_with_its_hint_for_apply_and_without_for_a_snapshot():
    fault = faults.describe(error(403, "AccessDeniedException", "User: auditor is not authorized\nsecond line"))

    assert str(fault) == ("AccessDeniedException: User: auditor is not authorized — the credentials lack this "
                          "permission: grant it, or use a profile (--profile) that has it")
    assert fault.as_note() == "DescribeFileSystems: AccessDeniedException: User: auditor is not authorized"


def test_a_missing_call_is_described_as_such_not_by_its_html_page():
    fault = faults.describe(MOTO_MISSING)

    assert fault.as_note() == "DescribeClusterVersions: not supported by this endpoint (HTTP 404)"
    assert str(fault) == f"404: not supported by this endpoint (HTTP 404) — {faults.RUN_AGAIN}"


def test_a_code_without_a_hint_of_its_own_gets_the_general_one():
    assert faults.describe(error(400, "NoSuchThing", "")).hint == faults.RUN_AGAIN
