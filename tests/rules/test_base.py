"""The registry: a check gets its context before the deployment, and `select` picks rules by id prefix."""

from __future__ import annotations

from typing import cast

from domino_eks.model import Deployment
from domino_eks.rules.base import Registry, Severity, Status, failed, passed, skipped

RECORD = {"title": "t", "rationale": "r", "fix": "f", "section": "s"}


def _registry() -> Registry:
    """X001 passes when the deployment equals its context; Y001 always passes."""
    registry = Registry()
    registry.rule("X001", Severity.ERROR, **RECORD)(
        lambda expected, d: [passed("as expected.") if d == expected else failed(f"{d} is not {expected}.")])
    registry.rule("Y001", Severity.ERROR, **RECORD)(lambda *_: [passed("always.")])
    return registry


def test_the_context_reaches_each_check_before_the_deployment():
    findings = _registry().evaluate(cast(Deployment, "live"), context=["intended"])

    assert [(f.id, f.status, f.message) for f in findings] == [
        ("X001", Status.FAIL, "live is not intended."), ("Y001", Status.PASS, "always.")]


def test_select_keeps_the_rules_whose_ids_start_with_a_prefix():
    findings = _registry().evaluate(cast(Deployment, "same"), ["x"], context=["same"])

    assert [(f.id, f.status) for f in findings] == [("X001", Status.PASS)]


def test_outcomes_of_one_rule_read_as_one_sentence():
    registry = Registry()
    registry.rule("Z001", Severity.ERROR, **RECORD)(
        lambda d: [skipped("a unknown."), skipped("b unknown."), skipped("a unknown."), passed("c holds.")])
    registry.rule("Z002", Severity.ERROR, **RECORD)(lambda d: [passed("a holds."), passed("b holds.")])

    findings = registry.evaluate(cast(Deployment, "any"))

    assert [(f.status, f.message) for f in findings] == [
        (Status.SKIP, "a unknown; b unknown."), (Status.PASS, "a holds; b holds.")]
