"""Dumps in every shape users have: -o json and -o yaml Lists, typed lists whose items carry no kind (kubectl get
--raw, API clients), several documents in one file (kubectl cluster-info dump), several files, gzip; garbage
items are reported by their index."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from domino_eks.errors import InputError
from domino_eks.sources import dump
from tests.check.support import items_of, recorded_list

TYPED = {"Node": ("NodeList", "v1"), "StorageClass": ("StorageClassList", "storage.k8s.io/v1"),
         "Namespace": ("NamespaceList", "v1"), "DaemonSet": ("DaemonSetList", "apps/v1"),
         "CSIDriver": ("CSIDriverList", "storage.k8s.io/v1")}


def typed_list(kind: str) -> dict:
    """What `kubectl get --raw /api/v1/nodes` and API clients return: items without kind or apiVersion."""
    list_kind, api_version = TYPED[kind]
    items = [{k: v for k, v in item.items() if k not in ("kind", "apiVersion")} for item in
             items_of(recorded_list(), kind)]
    return {"kind": list_kind, "apiVersion": api_version, "metadata": {"resourceVersion": "12345"}, "items": items}


def as_json_list_read(tmp_path: Path) -> dict:
    path = tmp_path / "cluster.json"
    path.write_text(json.dumps(recorded_list(), indent=4))
    return dump.read(str(path))["kubernetes"]


def test_a_typed_node_list_keeps_every_node(tmp_path):
    path = tmp_path / "nodes.json"
    path.write_text(json.dumps(typed_list("Node")))
    nodes = dump.read(str(path))["kubernetes"]["nodes"]
    assert len(nodes) == 9
    assert [n.metadata.name for n in nodes] == [n["metadata"]["name"] for n in items_of(recorded_list(), "Node")]


def test_kubectl_cluster_info_dump_prints_typed_lists_one_after_another(tmp_path):
    path = tmp_path / "cluster-info.json"
    path.write_text("\n".join(json.dumps(typed_list(kind), indent=4) for kind in TYPED))
    assert dump.read(str(path))["kubernetes"] == as_json_list_read(tmp_path)


def test_kubectl_get_o_yaml_reads_as_its_json(tmp_path):
    path = tmp_path / "cluster.yaml"
    with path.open("w") as handle:
        YAML(typ="safe", pure=True).dump(recorded_list(), handle)
    assert dump.read(str(path))["kubernetes"] == as_json_list_read(tmp_path)


def test_a_gzipped_dump_reads_as_the_plain_one(tmp_path):
    path = tmp_path / "cluster.json.gz"
    path.write_bytes(gzip.compress(json.dumps(recorded_list()).encode()))
    assert dump.read(str(path))["kubernetes"] == as_json_list_read(tmp_path)


def test_several_typed_list_files_merge(tmp_path):
    paths = []
    for kind in TYPED:
        path = tmp_path / f"{kind}.json"
        path.write_text(json.dumps(typed_list(kind)))
        paths.append(str(path))
    assert dump.read_all(paths)["kubernetes"] == as_json_list_read(tmp_path)


@pytest.mark.parametrize(("garbage", "message"), [
    ("not an object", "items[1]: expected a Kubernetes object, found a string"),
    ({"kind": "Node"}, "items[1]: expected a Kubernetes object with a kind and metadata, found an object with "
                       "keys kind"),
    ({"metadata": {"name": "x"}}, "items[1]: an object without a kind, in a List that does not name its items' "
                                  "kind"),
])
def test_a_garbage_item_is_reported_by_its_index(tmp_path, garbage, message):
    document = {"apiVersion": "v1", "kind": "List", "items": items_of(recorded_list(), "Node")[:1] + [garbage]}
    path = tmp_path / "cluster.json"
    path.write_text(json.dumps(document))
    with pytest.raises(InputError) as caught:
        dump.read(str(path))
    assert [str(p) for p in caught.value.problems] == [f"{path}: {message}"]


def test_a_garbage_item_of_a_later_document_names_the_document(tmp_path):
    second = typed_list("StorageClass")
    second["items"].append(17)
    path = tmp_path / "cluster-info.json"
    path.write_text(json.dumps(typed_list("Node")) + "\n" + json.dumps(second))
    with pytest.raises(InputError) as caught:
        dump.read(str(path))
    assert [str(p) for p in caught.value.problems] == [
        f"{path}: document 2, items[3]: expected a Kubernetes object, found a number"]


def test_a_yaml_file_that_is_no_mapping_is_refused(tmp_path):
    path = tmp_path / "cluster.yaml"
    path.write_text("- just\n- a list\n")
    with pytest.raises(InputError) as caught:
        dump.read(str(path))
    assert [str(p) for p in caught.value.problems] == [
        f"{path}:1:1: expected a JSON object or a YAML mapping (a kubectl List)"]
