"""Mutated examples, eksctl documents and kubectl Lists: no traceback, a documented exit code, bounded time,
and nothing written on exit 2.

Each example replaces up to three values anywhere in a real document (the bundled examples, the page's own
eksctl samples, a recorded kubectl List) with a value of another type, null, a huge or negative number, deep
nesting or arbitrary unicode, then runs the command in-process, where an uncaught exception is a failure.
"""

from __future__ import annotations

import copy
import io
import json
import tempfile
from contextlib import redirect_stderr, redirect_stdout
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from domino_eks import cli
from tests.check.support import recorded_list
from tests.conftest import EXAMPLES, PAGE_MULTI_AZ, PAGE_SINGLE_AZ

DOCUMENTED_EXITS = {0, 2, 3, 4}
Path_ = tuple[str | int, ...]


def plain(path: Path) -> Any:
    return json.loads(json.dumps(YAML(typ="safe").load(path.read_text())))


BASES = {"single-az spec": plain(EXAMPLES / "single-az.yaml"), "multi-az spec": plain(EXAMPLES / "multi-az.yaml"),
         "single-az eksctl": plain(PAGE_SINGLE_AZ), "multi-az eksctl": plain(PAGE_MULTI_AZ)}
KUBECTL_LIST = recorded_list()


def paths(document: Any, prefix: Path_ = ()) -> list[Path_]:
    """Every place in the document that holds a value."""
    found: list[Path_] = [prefix] if prefix else []
    if isinstance(document, dict):
        for key, value in document.items():
            found += paths(value, (*prefix, key))
    elif isinstance(document, list):
        for index, value in enumerate(document):
            found += paths(value, (*prefix, index))
    return found


def nested(depth: int) -> Any:
    value: Any = "deep"
    for level in range(depth):
        value = [value] if level % 2 else {"k": value}
    return value


VALUES = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(10**40), max_value=10**40),
    st.sampled_from([10**29, -1, 0, 2**31, 2**63, 1e308, -0.0]),
    st.text(max_size=40), st.text(alphabet=st.characters(min_codepoint=0x80), max_size=20),
    st.lists(st.integers(), max_size=3), st.dictionaries(st.text(max_size=5), st.text(max_size=5), max_size=3),
    st.integers(min_value=20, max_value=200).map(nested),
)


@st.composite
def mutated(draw: st.DrawFn, document: Any) -> Any:
    document = copy.deepcopy(document)
    places = paths(document)
    for place in draw(st.lists(st.sampled_from(places), min_size=1, max_size=3)):
        parent = document
        try:
            for part in place[:-1]:
                parent = parent[part]
            parent[place[-1]] = draw(VALUES)
        except (KeyError, IndexError, TypeError):  # an earlier mutation replaced this place's parent
            continue
    return document


def run(*args: str) -> int:
    with redirect_stdout(io.StringIO()), redirect_stderr(io.StringIO()), pytest.raises(SystemExit) as ended:
        cli.main(list(args))
    return int(ended.value.code or 0)


FUZZ = settings(max_examples=60, deadline=timedelta(seconds=20),
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@pytest.mark.parametrize("base", sorted(BASES))
@FUZZ
@given(data=st.data())
def test_a_mutated_spec_or_eksctl_file_renders_or_is_refused_cleanly(base: str, data: st.DataObject) -> None:
    document = data.draw(mutated(BASES[base]))
    with tempfile.TemporaryDirectory() as scratch:
        spec = Path(scratch) / "input.yaml"
        spec.write_text(json.dumps(document, ensure_ascii=False))  # JSON is YAML
        out = Path(scratch) / "out"
        assert run("validate", str(spec)) in DOCUMENTED_EXITS
        code = run("render", str(spec), "-o", str(out))
        assert code in DOCUMENTED_EXITS
        if code == 2:
            assert not out.exists() or not any(out.iterdir())


@FUZZ
@given(data=st.data())
def test_a_mutated_kubectl_list_is_checked_or_refused_cleanly(data: st.DataObject) -> None:
    document = data.draw(mutated(KUBECTL_LIST))
    with tempfile.TemporaryDirectory() as scratch:
        dump = Path(scratch) / "cluster.json"
        dump.write_text(json.dumps(document, ensure_ascii=False))
        assert run("check", "--from-file", str(dump), "--cluster", "domino-test-cluster") in DOCUMENTED_EXITS
