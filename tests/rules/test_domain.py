"""D001-D002: the FQDN Domino serves from and the certificate that covers it."""

from __future__ import annotations

import pytest

from domino_eks.model import Certificate
from domino_eks.rules import Severity, Status
from domino_eks.rules.domain import name_covers
from tests.rules.builders import edit, from_source, only

ARN = "arn:aws:acm:us-west-2:111122223333:certificate/1234"


def test_the_examples_pass_the_domain_rules(single_az, multi_az):
    for deployment in (single_az, multi_az):
        assert only("D001", deployment).status is Status.PASS
        assert only("D002", deployment).status is Status.PASS


# D001 ---------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("fqdn, problem", [
    ("domino", "single label"),
    ("-domino.example.com", "'-domino'"),
    ("domino_1.example.com", "'domino_1'"),
    ("domino..example.com", "empty label"),
    ("domino.example.com.", "empty label"),
    ("a" * 64 + ".example.com", "64 characters, more than 63"),
    ("a." * 127 + "com", "257 characters long"),
    ("10.0.0.1", "IP address"),
])
def test_d001_rejects_names_that_are_not_dns_names(multi_az, fqdn, problem):
    finding = only("D001", edit(multi_az, "domain", fqdn=fqdn))
    assert (finding.status, finding.severity) == (Status.FAIL, Severity.ERROR)
    assert repr(fqdn) in finding.message and problem in finding.message
    assert finding.location == multi_az.domain.location


def test_d001_accepts_mixed_case_and_digits(multi_az):
    assert only("D001", edit(multi_az, "domain", fqdn="Domino-2.data.Example.com")).status is Status.PASS


def test_d001_fails_when_a_spec_sets_no_fqdn(multi_az):
    finding = only("D001", edit(multi_az, "domain", fqdn=None, certificate=None))
    assert (finding.status, finding.severity) == (Status.FAIL, Severity.ERROR)
    assert "serve from a specific FQDN" in finding.message


@pytest.mark.parametrize("kind", ["eksctl", "live"])
def test_d001_skips_where_no_fqdn_can_be_known(multi_az, kind):
    finding = only("D001", from_source(edit(multi_az, "domain", fqdn=None, certificate=None), kind))
    assert finding.status is Status.SKIP and "FQDN unknown" in finding.message


# D002 ---------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name, fqdn, covered", [
    ("domino.example.com", "domino.example.com", True),
    ("DOMINO.example.com", "domino.example.com", True),
    ("*.example.com", "domino.example.com", True),
    ("*.example.com", "a.b.example.com", False),
    ("*.example.com", "example.com", False),
    ("example.com", "domino.example.com", False),
    ("*.domino.example.com", "domino.example.com", False),
])
def test_name_covers(name, fqdn, covered):
    assert name_covers(name, fqdn) is covered


def _certificate(deployment, **fields):
    return edit(deployment, "domain", certificate=Certificate(arn=ARN, **fields))


def test_d002_fails_when_the_certificate_names_another_host(multi_az):
    wildcard = _certificate(multi_az, domain_names=("*.example.com",), status="ISSUED", days_left=200)
    finding = only("D002", edit(wildcard, "domain", fqdn="domino.eu.example.com"))
    assert (finding.status, finding.severity) == (Status.FAIL, Severity.ERROR)
    assert "names *.example.com, not domino.eu.example.com" in finding.message
    assert finding.location == multi_az.domain.location


def test_d002_passes_a_wildcard_certificate(multi_az):
    deployment = _certificate(multi_az, domain_names=("example.com", "*.example.com"), status="ISSUED", days_left=90)
    assert only("D002", deployment).status is Status.PASS


def test_d002_fails_for_a_certificate_not_issued(multi_az):
    finding = only("D002", _certificate(multi_az, domain_names=("domino.example.com",), status="PENDING_VALIDATION"))
    assert (finding.status, finding.severity) == (Status.FAIL, Severity.ERROR)
    assert "is PENDING_VALIDATION, not ISSUED" in finding.message


def test_d002_warns_for_a_certificate_expiring_within_30_days(multi_az):
    finding = only("D002", _certificate(multi_az, domain_names=("domino.example.com",), status="ISSUED",
                                        days_left=12, not_after="2026-12-06T00:00:00Z"))
    assert (finding.status, finding.severity) == (Status.FAIL, Severity.WARNING)
    assert "expires in 12 days (2026-12-06T00:00:00Z)" in finding.message


def test_d002_fails_for_an_expired_certificate(multi_az):
    finding = only("D002", _certificate(multi_az, domain_names=("domino.example.com",), status="ISSUED",
                                        days_left=-3, not_after="2026-11-21T00:00:00Z"))
    assert (finding.status, finding.severity) == (Status.FAIL, Severity.ERROR)
    assert "expired on 2026-11-21T00:00:00Z" in finding.message


def test_d002_skips_when_a_spec_names_an_existing_certificate(multi_az):
    finding = only("D002", edit(multi_az, "domain", certificate=None))
    assert finding.status is Status.SKIP and "certificate ARN is given" in finding.message


def test_d002_skips_without_an_fqdn(multi_az):
    finding = only("D002", edit(multi_az, "domain", fqdn=None))
    assert finding.status is Status.SKIP and "D001" in finding.message
