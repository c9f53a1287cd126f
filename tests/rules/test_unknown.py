"""The source-gap keys the rules cite (`Gap`) are exactly the keys the collectors and the sources write.

The writers are read, not run: each key is a literal at the call that records it, so the test parses the
modules and gathers those literals. A write whose key is computed would slip past, so the few places that
compute one are pinned.
"""

from __future__ import annotations

import ast
from datetime import date
from pathlib import Path

from domino_eks.collect.shapes import KUBERNETES_PARTS
from domino_eks.rules.unknown import Gap
from domino_eks.sources import dump
from domino_eks.sources import snapshot as snapshots
from tests.conftest import ROOT

PACKAGE = ROOT / "src" / "domino_eks"
# the collectors, the snapshot source (names nobody gave) and the dump reader (a kubectl List has no AWS side)
WRITERS = (*sorted((PACKAGE / "collect").glob("*.py")), PACKAGE / "sources" / "snapshot" / "__init__.py",
           PACKAGE / "sources" / "dump.py")
ERROR_MAPS = ("errors", "gaps")


def _literal(node: ast.expr | None) -> str | None:  # None: a dict display's **splat
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _map_name(node: ast.expr) -> str | None:
    """`errors` for `errors` or `self.errors`."""
    return node.id if isinstance(node, ast.Name) else node.attr if isinstance(node, ast.Attribute) else None


def written_keys(path: Path) -> tuple[set[str], list[str]]:
    """(the literal keys a module writes into errors or gaps, the lines that write a computed key).

    A key is written by a Recorder call (`recorded("ec2")`, `note("efs", ...)`), by an assignment
    (`gaps["domain"] = ...`), or as a key of the errors dict a collector returns (`return None, {"aws": ...}`).
    """
    keys: set[str] = set()
    computed: list[str] = []

    def written(key_node: ast.expr, line: int) -> None:
        key = _literal(key_node)
        if key is None:
            computed.append(f"{path.relative_to(PACKAGE)}:{line}")
        else:
            keys.add(key)

    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in (
                "recorded", "note") and node.args:
            written(node.args[0], node.lineno)
        elif isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Subscript) and _map_name(target.value) in ERROR_MAPS:
                    written(target.slice, node.lineno)
        elif isinstance(node, ast.Return) and isinstance(node.value, ast.Tuple):
            for element in node.value.elts:
                if isinstance(element, ast.Dict):
                    keys.update(key for key in map(_literal, element.keys) if key is not None)
    return keys, computed


def test_the_gap_keys_are_the_keys_the_collectors_and_sources_write():
    found = [written_keys(path) for path in WRITERS]
    written = set().union(*(keys for keys, _ in found))

    assert written == {gap.value for gap in Gap}


def test_only_the_known_writers_compute_their_keys():
    """Three places write a key they are given: the Recorder (its caller's service), the Kubernetes collector
    (a refused list, a Kubernetes part that the snapshot source files under "kubernetes": next test) and the
    snapshot source (the names nobody gave, under the literal keys it wrote them with)."""
    computed = {where.split(":")[0] for path in WRITERS for where in written_keys(path)[1]}

    assert computed == {"collect/recorder.py", "collect/kube.py", "sources/snapshot/__init__.py"}


def test_a_refused_kubernetes_list_is_cited_as_a_kubernetes_gap():
    errors = {part: "Forbidden" for part in KUBERNETES_PARTS}
    target = {"cluster": "domino-test", "fqdn": "domino.example.com",
              "buckets": {"user_data": "u", "logs": "l", "backups": "b"}}

    deployment = snapshots.to_deployment({"target": target, "errors": errors}, today=date(2026, 11, 24))

    assert set(deployment.source.gaps) == {Gap.KUBERNETES}
    assert set(dump.DOCUMENTED_KINDS) <= set(KUBERNETES_PARTS), "the lists a kubectl List lacks fold alike"
