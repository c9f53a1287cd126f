"""Reading dumps: the kubectl List (decoded item by item, pruned), snapshot files, merging, and bad input."""

from __future__ import annotations

import json
from datetime import date

import msgspec
import pytest

from domino_eks.collect import shapes
from domino_eks.errors import InputError
from domino_eks.model import Taint
from domino_eks.sources import dump
from domino_eks.sources.snapshot.facts import Facts
from tests.check.support import CLUSTER_LIST, items_of, recorded_list


def write(tmp_path, name: str, document, indent: int | None = 4):
    path = tmp_path / name
    path.write_text(document if isinstance(document, str) else json.dumps(document, indent=indent))
    return str(path)


def test_a_kubectl_list_becomes_a_snapshot_of_the_kubernetes_side_only():
    snapshot = dump.read(str(CLUSTER_LIST))

    assert set(snapshot["kubernetes"]) == {"nodes", "storageclasses", "namespaces", "daemonsets", "csidrivers"}
    assert len(snapshot["kubernetes"]["nodes"]) == 9
    assert "aws" not in snapshot
    assert "Kubernetes objects only" in snapshot["errors"]["aws"]


def test_nodes_keep_only_what_the_rules_read():
    node = dump.read(str(CLUSTER_LIST))["kubernetes"]["nodes"][0]

    assert isinstance(node, shapes.NodeFacts) and node.spec and node.status
    assert node.metadata.name == "ip-10-0-0-20.us-west-2.compute.internal"
    assert node.spec.provider_id == "aws:///us-west-2a/i-0a1b2c3d4e5f60000"
    assert shapes.NodeCondition(type="Ready", status="True") in (node.status.conditions or ())
    assert shapes.NODE["status"].keys() == {"conditions", "allocatable", "addresses", "nodeInfo"}  # no images


def test_a_node_of_another_shape_is_refused_with_the_place(tmp_path):
    document = recorded_list()
    first = next(i for i, item in enumerate(document["items"]) if item["kind"] == "Node")
    document["items"][first]["spec"]["taints"] = [{"key": "dedicated", "effect": 7}]

    with pytest.raises(InputError, match=rf"items\[{first}\]\.spec\.taints\[0\]\.effect: expected `str`, got `int`"):
        dump.read(write(tmp_path, "cluster.json", document))


def test_a_snapshot_whose_nodes_are_no_list_is_refused_with_the_place(tmp_path):
    snapshot = {"kind": shapes.SNAPSHOT_KIND, "version": shapes.SNAPSHOT_VERSION, "kubernetes": {"nodes": {}}}

    with pytest.raises(InputError, match=r"kubernetes\.nodes: expected `array`, got `object`"):
        dump.read(write(tmp_path, "snapshot.json", snapshot))


@pytest.mark.parametrize("indent", [None, 0, 2, 8])
def test_the_item_by_item_reader_agrees_with_json_load_however_the_file_is_laid_out(tmp_path, indent):
    document = recorded_list()
    path = write(tmp_path, "cluster.json", document, indent)

    nodes = dump.read(path)["kubernetes"]["nodes"]

    read = [msgspec.convert(shapes.prune(n, shapes.NODE), shapes.NodeFacts) for n in items_of(document, "Node")]
    assert nodes == read


def test_only_the_top_level_items_are_read_one_by_one(tmp_path):
    document = {"apiVersion": "v1", "kind": "List", "metadata": {"items": ["not", "objects"]},
                "items": items_of(recorded_list(), "Namespace")}

    snapshot = dump.read(write(tmp_path, "cluster.json", document))

    assert [n["metadata"]["name"] for n in snapshot["kubernetes"]["namespaces"]] == [
        "default", "kube-node-lease", "kube-public", "kube-system"]


def test_a_list_of_nodes_alone_leaves_the_other_kinds_unknown(tmp_path):
    document = {"apiVersion": "v1", "kind": "List", "items": items_of(recorded_list(), "Node")}

    snapshot = dump.read(write(tmp_path, "nodes.json", document))

    assert set(snapshot["kubernetes"]) == {"nodes"}
    assert set(snapshot["errors"]) == {"storageclasses", "namespaces", "daemonsets", "csidrivers", "aws"}
    assert "kubectl get nodes,storageclasses" in snapshot["errors"]["csidrivers"]


def test_with_namespaces_listed_a_kind_without_items_has_none(tmp_path):
    recorded = recorded_list()
    document = {"apiVersion": "v1", "kind": "List",
                "items": items_of(recorded, "Node") + items_of(recorded, "Namespace")}

    snapshot = dump.read(write(tmp_path, "cluster.json", document))

    assert snapshot["kubernetes"]["csidrivers"] == [] and snapshot["kubernetes"]["storageclasses"] == []


def test_invalid_json_is_reported_with_line_and_column(tmp_path):
    path = write(tmp_path, "broken.json", '{\n  "apiVersion": "v1",\n  "items": [\n    {"kind": "Node",}\n  ]\n}')

    with pytest.raises(InputError) as raised:
        dump.read(path)

    problem = raised.value.problems[0]
    assert (problem.file, problem.line, problem.column) == (path, 4, 21)
    assert "invalid JSON" in problem.message


def test_a_document_that_is_neither_dump_is_refused_naming_both(tmp_path):
    path = write(tmp_path, "deployment.json", {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {}})

    with pytest.raises(InputError) as raised:
        dump.read(path)

    message = raised.value.problems[0].message
    assert "'Deployment'" in message and "domino-eks/snapshot" in message and "kubectl get nodes" in message


def test_a_snapshot_of_another_version_is_refused(tmp_path):
    path = write(tmp_path, "snapshot.json", {"kind": "domino-eks/snapshot", "version": 9})

    with pytest.raises(InputError, match="version 9"):
        dump.read(path)


def test_a_missing_file_is_unusable_input(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        dump.read(str(tmp_path / "absent.json"))


def test_a_kubectl_list_beside_an_aws_snapshot_gives_both_sides(tmp_path):
    aws_only = {"kind": "domino-eks/snapshot", "version": 1, "collected_at": "2026-11-24T08:00:00+00:00",
                "target": {"cluster": "domino-prod"}, "aws": {"vpcs": [{"VpcId": "vpc-1", "CidrBlock": "10.0.0.0/16"}]},
                "errors": {"kubernetes": "no usable kubeconfig context", "s3": "GetBucketPolicy: AccessDenied: no"}}
    files = [str(CLUSTER_LIST), write(tmp_path, "aws.json", aws_only)]

    merged = dump.read_all(files)

    assert merged["kubernetes"]["nodes"] and merged["aws"]["vpcs"][0]["VpcId"] == "vpc-1"
    assert merged["target"] == {"cluster": "domino-prod"} and merged["collected_at"].startswith("2026-11-24")
    assert merged["errors"] == {"s3": "GetBucketPolicy: AccessDenied: no"}


def test_a_taint_written_with_a_null_value_has_an_empty_one(tmp_path):
    document = recorded_list()
    node = next(item for item in document["items"] if item["kind"] == "Node")
    node["spec"]["taints"] = [{"key": "dedicated", "value": None, "effect": "NoSchedule"}]
    snapshot = dump.read(write(tmp_path, "cluster.json", document))

    [read] = [n for n in Facts.of(snapshot, date(2026, 12, 1)).nodes or () if n.model.name == node["metadata"]["name"]]
    assert read.taints == (Taint(key="dedicated", value="", effect="NoSchedule"),)
