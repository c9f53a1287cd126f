"""The typed decoder of kubectl Lists reads what the general reader reads, or leaves the file to it.

The oracle is `collect.shapes.prune`, the general reader's own pruning (and for nodes, its conversion into
`shapes.NodeFacts`): for any List the typed decoder takes, each object it yields is that object pruned; anything
it declines, `dump.read` still reads as before.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import msgspec
from hypothesis import given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from domino_eks.collect import shapes
from domino_eks.sources import dump, dump_decode
from tests.check.support import CLUSTER_LIST, recorded_list

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-10**6, 10**6) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=8,
)


def pruned(items: list[dict]) -> dict[str, list[Any]]:
    """What the general reader keeps of `items`, by snapshot key: each node as the structure the node readers
    take, each other object pruned."""
    by_key: dict[str, list[Any]] = {}
    for item in items:
        key, shape = shapes.KINDS[item["kind"]]
        kept = shapes.prune(item, shape)
        by_key.setdefault(key, []).append(msgspec.convert(kept, shapes.NodeFacts) if key == "nodes" else kept)
    return by_key


def twins(document: dict, tmp_path: Path) -> tuple[str, str]:
    """The List as JSON and as YAML (which only the general reader reads), in files of the same name, which
    the snapshot cites."""
    as_json, as_yaml = tmp_path / "json" / "cluster.json", tmp_path / "yaml" / "cluster.json"
    as_json.parent.mkdir()
    as_yaml.parent.mkdir()
    as_json.write_text(json.dumps(document, indent=4))
    with open(as_yaml, "w", encoding="utf-8") as handle:
        YAML(typ="safe").dump(document, handle)
    return str(as_json), str(as_yaml)


def test_the_recorded_list_decodes_to_the_objects_pruned():
    listed = dump_decode.kubernetes_list(CLUSTER_LIST.read_bytes())

    assert listed is not None
    assert listed == dump_decode.KubernetesList("List", pruned(recorded_list()["items"]))


def test_a_dump_read_typed_is_the_snapshot_its_yaml_twin_gives(tmp_path):
    as_json, as_yaml = twins(recorded_list(), tmp_path)

    assert dump_decode.kubernetes_list(Path(as_json).read_bytes()) is not None
    assert dump.read(as_json) == dump.read(as_yaml)


def test_a_kind_the_snapshot_does_not_keep_is_left_to_the_general_reader(tmp_path):
    document = recorded_list()
    document["items"].append({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web"}})
    as_json, as_yaml = twins(document, tmp_path)

    assert dump_decode.kubernetes_list(Path(as_json).read_bytes()) is None
    assert dump.read(as_json) == dump.read(as_yaml)


def test_items_without_a_kind_or_metadata_are_left_to_the_general_reader():
    kindless = {"apiVersion": "v1", "kind": "NodeList", "items": [{"metadata": {"name": "a"}}]}
    metadata_missing = {"apiVersion": "v1", "kind": "List", "items": [{"apiVersion": "v1", "kind": "Namespace"}]}
    metadata_a_string = {"apiVersion": "v1", "kind": "List", "items": [{"kind": "Node", "metadata": "a"}]}
    not_an_object = {"apiVersion": "v1", "kind": "List", "items": ["node"]}
    several = json.dumps(metadata_missing) + json.dumps(metadata_missing)

    for document in (kindless, metadata_missing, metadata_a_string, not_an_object):
        assert dump_decode.kubernetes_list(json.dumps(document).encode()) is None
    assert dump_decode.kubernetes_list(several.encode()) is None
    assert dump_decode.kubernetes_list(b"kind: List\n") is None


def test_a_snapshot_file_is_left_to_the_general_reader():
    snapshot = {"kind": shapes.SNAPSHOT_KIND, "version": shapes.SNAPSHOT_VERSION, "kubernetes": {"nodes": []}}

    assert dump_decode.kubernetes_list(json.dumps(snapshot).encode()) is None


@settings(max_examples=200, deadline=None)
@given(kind=st.sampled_from(sorted(shapes.KINDS)), name=st.text(max_size=8),
       spec=JSON_VALUES, status=JSON_VALUES, labels=JSON_VALUES, extra=JSON_VALUES)
def test_any_object_decoded_typed_is_that_object_pruned(kind, name, spec, status, labels, extra):
    item = {"apiVersion": "v1", "kind": kind, "metadata": {"name": name, "labels": labels, "uid": extra},
            "spec": spec, "status": status, "unread": extra}
    document = {"apiVersion": "v1", "kind": "List", "items": [item]}

    listed = dump_decode.kubernetes_list(json.dumps(document).encode())

    assert listed is None or listed == dump_decode.KubernetesList("List", pruned([item]))


# Run in a fresh interpreter: this one has long since loaded ruamel.yaml for other tests.
CHECK_AND_LIST_YAML_MODULES = """
import sys
from domino_eks.cli import main
try:
    main(["check", "--format", "json", "--from-file", sys.argv[1]])
except SystemExit as exit:
    print(exit.code, sorted(m for m in sys.modules if m.startswith("ruamel")))
"""


def test_checking_a_json_dump_loads_no_yaml_parser():
    checked = subprocess.run([sys.executable, "-c", CHECK_AND_LIST_YAML_MODULES, str(CLUSTER_LIST)],
                             capture_output=True, text=True, check=True)
    assert checked.stdout.splitlines()[-1] == "0 []"
