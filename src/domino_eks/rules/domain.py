"""Rules D001-D002: the name Domino serves from and the certificate that covers it ("Domain")."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterator
from functools import partial

from domino_eks.model import Certificate, Deployment, name_covers
from domino_eks.rules.base import REGISTRY, Outcome, Severity, failed, passed, skipped
from domino_eks.rules.unknown import Gap, unknown

rule = partial(REGISTRY.rule, section="Domain")
MAX_NAME = 253
MAX_LABEL = 63
EXPIRY_WARNING_DAYS = 30
_LABEL = re.compile(r"[a-z0-9]([a-z0-9-]*[a-z0-9])?")
_NO_FQDN_BEFORE_INSTALL = {
    "eksctl": "an eksctl ClusterConfig knows no FQDN; it is given to Domino's installer",
    "live": "a cluster records no FQDN before Domino is installed; check against a spec that sets domain.fqdn",
    "dump": "a dump records no FQDN before Domino is installed; check against a spec that sets domain.fqdn",
}


@rule(
    "D001", Severity.ERROR,
    title="FQDN missing or not a valid DNS name",
    rationale=(
        "The page says Domino must be configured to serve from a specific FQDN, recorded for the installer. "
        "Users, the load balancer and the TLS certificate all use that name, so it must be a valid DNS name: "
        "labels of 1-63 letters, digits and hyphens, 253 characters in all."
    ),
    fix="Set domain.fqdn to the name users will open, e.g. domino.example.com.",
)
def fqdn_valid(d: Deployment) -> Iterator[Outcome]:
    fqdn = d.domain.fqdn
    if fqdn is None and d.source.kind in _NO_FQDN_BEFORE_INSTALL:
        yield unknown(d, "the FQDN", _NO_FQDN_BEFORE_INSTALL)
    elif fqdn is None:
        yield failed("no FQDN is set: Domino must be configured to serve from a specific FQDN.", d.domain.location)
    elif problem := _dns_name_problem(fqdn):
        yield failed(f"FQDN {fqdn!r} {problem}: it cannot be resolved or put in a certificate.", d.domain.location)
    else:
        yield passed(f"FQDN {fqdn} is a valid DNS name.")


def _dns_name_problem(name: str) -> str | None:
    """Why `name` is not a usable host name, or None."""
    if len(name) > MAX_NAME:
        return f"is {len(name)} characters long, more than {MAX_NAME}"
    if _is_ip_address(name):
        return "is an IP address, not a name"
    labels = name.lower().split(".")
    if len(labels) < 2:
        return "has a single label; a domain such as domino.example.com is needed"
    for label in labels:
        if not label:
            return "has an empty label (two dots in a row, or a leading or trailing dot)"
        if len(label) > MAX_LABEL:
            return f"has the label {label!r} of {len(label)} characters, more than {MAX_LABEL}"
        if not _LABEL.fullmatch(label):
            return f"has the label {label!r}; labels use letters, digits and inner hyphens only"
    return None


def _is_ip_address(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


@rule(
    "D002", Severity.ERROR,
    title="TLS certificate does not cover the FQDN, or is not valid",
    rationale=(
        "To serve Domino over HTTPS the page asks for a certificate covering the chosen name. A certificate "
        "covers a name exactly or through a wildcard for one label (*.example.com covers domino.example.com "
        "but not a.b.example.com). An unissued or expired certificate fails every HTTPS connection; one "
        "expiring within 30 days soon will."
    ),
    fix="Request or import an ACM certificate whose names include the FQDN (domino-eks apply requests one "
        "with DNS validation), and renew it before it expires.",
)
def certificate_covers_fqdn(d: Deployment) -> Iterator[Outcome]:
    fqdn, certificate = d.domain.fqdn, d.domain.certificate
    if fqdn is None:
        yield skipped("no FQDN to cover (D001).")
    elif certificate is None or certificate.domain_names is None:
        yield unknown(d, "the certificate's names and status", {
            "spec": "a certificate ARN is given; its names are checked live by domino-eks check",
            "eksctl": "an eksctl ClusterConfig knows no certificate",
        }, (Gap.ACM, Gap.AWS))
    else:
        yield from _coverage(fqdn, certificate, d)
        yield from _validity(certificate, d)
        yield passed(f"certificate {certificate.arn or '(planned)'} covers {fqdn}.")


def _coverage(fqdn: str, certificate: Certificate, d: Deployment) -> Iterator[Outcome]:
    """A certificate with no names is how a live source says it looked and found none covering the FQDN."""
    if not certificate.domain_names:
        yield failed(f"no certificate covers {fqdn}: browsers and clients reject HTTPS to Domino.",
                     d.domain.location)
    elif not any(name_covers(name, fqdn) for name in certificate.domain_names):
        yield failed(f"certificate {certificate.arn or '(planned)'} names {', '.join(certificate.domain_names)}, "
                     f"not {fqdn}: browsers and clients reject HTTPS to Domino.", d.domain.location)


def _validity(certificate: Certificate, d: Deployment) -> Iterator[Outcome]:
    label = certificate.arn or "(planned)"
    if certificate.status is not None and certificate.status != "ISSUED":
        yield failed(f"certificate {label} is {certificate.status}, not ISSUED: it cannot serve HTTPS.",
                     d.domain.location)
    elif certificate.days_left is not None and certificate.days_left < 0:
        yield failed(f"certificate {label} expired on {certificate.not_after}: every HTTPS connection fails.",
                     d.domain.location)
    elif certificate.days_left is not None and certificate.days_left < EXPIRY_WARNING_DAYS:
        yield failed(f"certificate {label} expires in {certificate.days_left} days ({certificate.not_after}): "
                     "HTTPS fails then unless it is renewed.", d.domain.location, severity=Severity.WARNING)
