"""The catalogue in code is the catalogue of requirements.md: same ids, each once, each documented."""

from __future__ import annotations

import re

import pytest

from domino_eks.report import catalogue
from domino_eks.rules import REGISTRY, Severity
from domino_eks.rules.base import Registry
from tests.conftest import ROOT

REQUIREMENTS = ROOT.parent / "shared" / "requirements.md"
DOCS = ROOT / "docs" / "rules.md"


def catalogue_ids() -> set[str]:
    if not REQUIREMENTS.exists():
        pytest.skip(f"{REQUIREMENTS} is not beside this checkout")
    return set(re.findall(r"^\| ([A-Z]\d{3}) \|", REQUIREMENTS.read_text(), flags=re.MULTILINE))


def test_ids_in_code_equal_ids_in_requirements():
    assert set(REGISTRY.ids()) == catalogue_ids()


def test_ids_are_well_formed():
    assert all(re.fullmatch(r"[A-Z]\d{3}", i) for i in REGISTRY.ids())


def test_an_id_registered_twice_is_refused():
    registry = Registry()
    record = {"title": "t", "rationale": "r", "fix": "f", "section": "s"}
    registry.rule("X001", Severity.ERROR, **record)(lambda d: ())
    with pytest.raises(ValueError, match="X001 registered twice"):
        registry.rule("X001", Severity.WARNING, **record)(lambda d: ())
    assert len(registry) == 1


@pytest.mark.parametrize("rule", list(REGISTRY), ids=lambda r: r.id)
def test_every_rule_is_documented(rule):
    assert rule.title and not rule.title.lower().startswith("ensure"), "titles name the problem, not the fix"
    assert len(rule.rationale) > 40 and len(rule.fix) > 20 and rule.section


def test_docs_are_generated_from_the_records():
    assert DOCS.read_text() == catalogue.markdown(REGISTRY), "run `make docs` to regenerate docs/rules.md"
