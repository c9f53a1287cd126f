"""IAM matching as the S and A rules use it: wildcards in actions and resources, Deny over Allow."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domino_eks.knowledge import iam
from tests.rules.builders import allow, deny

LOGS = "arn:aws:s3:::acme-logs"


@pytest.mark.parametrize("pattern, action, expected", [
    ("s3:GetObject", "s3:GetObject", True),
    ("s3:*", "s3:GetObject", True),
    ("s3:Get*", "s3:GetObject", True),
    ("s3:Get*", "s3:PutObject", False),
    ("S3:getobject", "s3:GetObject", True),  # IAM compares actions case-insensitively
    ("*", "autoscaling:SetDesiredCapacity", True),
    ("s3:?etObject", "s3:GetObject", True),
    ("s3:GetObject", "s3:GetObjectAcl", False),  # no implicit prefix match
])
def test_action_patterns(pattern, action, expected):
    assert iam.action_matches(pattern, action) is expected


@pytest.mark.parametrize("pattern, resource, expected", [
    (LOGS, LOGS, True),
    ("arn:aws:s3:::acme-*", LOGS, True),
    ("arn:aws:s3:::acme-*", "arn:aws:s3:::other-logs", False),
    ("arn:aws:s3:::ACME-logs", LOGS, False),  # ARNs compare case-sensitively
    ("arn:aws:s3:::acme.logs", "arn:aws:s3:::acmeXlogs", False),  # a dot is a dot, not "any character"
    ("arn:aws:s3:::acme-logs/*", f"{LOGS}/*", True),
    ("arn:aws:s3:::acme-logs/reports/*", f"{LOGS}/*", False),  # part of the bucket is not all of it
    ("*", f"{LOGS}/*", True),
])
def test_resource_patterns(pattern, resource, expected):
    assert iam.resource_matches(pattern, resource) is expected


@given(st.text(alphabet=st.characters(blacklist_characters="*?"), min_size=1))
def test_a_pattern_without_wildcards_matches_only_itself(text):
    assert iam.resource_matches(text, text)
    assert not iam.resource_matches(text, text + "x")
    assert iam.resource_matches("*", text)


def test_an_unconditional_deny_overrides_an_allow():
    statements = (allow(("s3:*",), (f"{LOGS}/*",)), deny(("s3:DeleteObject",), (f"{LOGS}/*",)))
    assert iam.allows(statements, "s3:GetObject", f"{LOGS}/*")
    assert not iam.allows(statements, "s3:DeleteObject", f"{LOGS}/*")


def test_a_conditional_deny_applies_to_some_requests_only_and_leaves_the_grant():
    no_tls = {"Bool": {"aws:SecureTransport": "false"}}
    statements = (allow(("s3:GetObject",), (f"{LOGS}/*",)), deny(("s3:*",), ("*",), condition=no_tls))
    assert iam.allows(statements, "s3:GetObject", f"{LOGS}/*")


def test_a_conditional_allow_is_still_a_grant():
    owned = {"StringEquals": {"aws:ResourceTag/k8s.io/cluster-autoscaler/acme": "owned"}}
    assert iam.allows((allow(("autoscaling:SetDesiredCapacity",), condition=owned),), "autoscaling:SetDesiredCapacity")


def test_without_a_resource_any_resource_counts_and_only_a_deny_on_everything_cancels():
    statements = (allow(("autoscaling:SetDesiredCapacity",), ("arn:aws:autoscaling:*:*:autoScalingGroup:*",)),)
    assert iam.allows(statements, "autoscaling:SetDesiredCapacity")
    assert iam.allows(statements + (deny(("autoscaling:*",), ("arn:aws:autoscaling:*:*:x",)),),
                      "autoscaling:SetDesiredCapacity")
    assert not iam.allows(statements + (deny(("autoscaling:*",)),), "autoscaling:SetDesiredCapacity")


def test_nothing_is_allowed_without_an_allow():
    assert not iam.allows((), "s3:GetObject", f"{LOGS}/*")
    assert not iam.allows((allow(("s3:GetObject",), (f"{LOGS}/*",)),), "s3:PutObject", f"{LOGS}/*")


@pytest.mark.parametrize("actions, expected", [
    (("*",), True), (("s3:Get*",), True), (("S3:ListBucket",), True), (("ec2:*", "iam:Get*"), False),
])
def test_may_grant_service(actions, expected):
    assert iam.may_grant_service(allow(actions), "s3") is expected
