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


ADDED_SECTION = "## Added 2026-12"
# Ids of the "Added 2026-12" section that have landed: each issue that implements some adds them here, and when
# the last lands the code's ids equal the catalogue's again.
ADDED_AND_IMPLEMENTED: set[str] = {"A004", "C001", "C002", "C003", "C004", "C005", "C006", "C007", "C008", "C009",
                                    "G004", "G005", "G006", "K003", "K004", "N007", "N008", "P016", "S010"}


def ids_in(text: str) -> set[str]:
    return set(re.findall(r"^\| ([A-Z]\d{3}) \|", text, flags=re.MULTILINE))


def requirement_ids() -> tuple[set[str], set[str]]:
    """(ids above the "Added" section, ids in it); CI always has shared/ beside the checkout."""
    assert REQUIREMENTS.exists(), f"{REQUIREMENTS} is not beside this checkout"
    original, _, added = REQUIREMENTS.read_text().partition(ADDED_SECTION)
    return ids_in(original), ids_in(added)


def test_every_id_in_code_is_in_the_catalogue():
    original, added = requirement_ids()
    assert set(REGISTRY.ids()) - original - added == set()


def test_every_id_above_the_added_section_is_in_code():
    original, _ = requirement_ids()
    assert original - set(REGISTRY.ids()) == set()


def test_the_added_ids_in_code_are_exactly_those_landed():
    _, added = requirement_ids()
    assert added >= ADDED_AND_IMPLEMENTED
    assert set(REGISTRY.ids()) & added == ADDED_AND_IMPLEMENTED


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
