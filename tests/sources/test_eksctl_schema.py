"""The eksctl reader knows every field of eksctl's JSON Schema, and refuses an unknown key anywhere in the file."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from domino_eks.errors import InputError
from domino_eks.sources import yamlfile
from domino_eks.sources.eksctl import published_schema, schema
from tests.conftest import TODAY

REFERENCE = Path(__file__).resolve().parents[3] / "shared" / "reference" / "eksctl-schema.json"
HEAD: dict[str, Any] = {"apiVersion": "eksctl.io/v1alpha5", "kind": "ClusterConfig",
                        "metadata": {"name": "test", "region": "us-west-2"}}
ROOT = published_schema.schema()


def closed_mappings(node: dict, path: tuple = (), seen: frozenset = frozenset()) -> Iterator[tuple[tuple, dict]]:
    """(path of keys and list indexes, schema node) for every mapping of the schema whose keys eksctl checks."""
    ref = node.get("$ref")
    if ref in seen:
        return
    seen = seen | {ref} if ref else seen
    node = published_schema.resolved(node)
    if "items" in node:
        yield from closed_mappings(node["items"], (*path, 0), seen)
    named = published_schema.properties(node)
    if named and published_schema.closed(node):
        yield path, node
    for key, child in named.items():
        yield from closed_mappings(child, (*path, key), seen)
    extra = published_schema.other_values(node)
    if extra:
        yield from closed_mappings(extra, (*path, "us-west-2a"), seen)


MAPPINGS = list(closed_mappings(ROOT))


def nested(path: tuple, leaf: dict) -> dict:
    """The smallest document that reaches `path` and holds `leaf` there."""
    value: Any = leaf
    for part in reversed(path):
        value = [value] if isinstance(part, int) else {part: value}
    document = dict(HEAD)
    for key, item in value.items():
        document[key] = {**document[key], **item} if key == "metadata" else item
    return document


def misspelt(key: str, known: set[str]) -> str:
    for candidate in (key[:-1] + key[-1] * 2, key + "s", key[:-1]):
        if candidate not in known and candidate:
            return candidate
    raise AssertionError(key)


def test_the_shipped_schema_is_eksctl_s_published_one():
    """The reference copy is eksctl's file as released; a new release there must be shipped (and read) here."""
    if not REFERENCE.exists():
        pytest.skip(f"{REFERENCE} is not on this machine")
    assert published_schema.schema() == json.loads(REFERENCE.read_text())


def test_the_schema_is_shipped_with_its_licence():
    reference = Path(published_schema.__file__).parent / "reference"
    assert "Apache License, Version 2.0" in (reference / "eksctl-schema.LICENSE").read_text()


def test_the_reader_knows_every_field_of_the_schema():
    """Every struct of the schema is reached from ClusterConfig and its keys checked (a oneOf variant through the
    mapping it is a variant of): all 422 fields of eksctl 0.230's 77 structs, not a list of ours."""
    definitions = ROOT["definitions"]
    structs = {name for name, node in definitions.items() if node.get("properties")}
    reached = {id(published_schema.resolved(node)) for _, node in MAPPINGS}
    variants = {v["$ref"].rsplit("/", 1)[1]
                for _, node in MAPPINGS for v in node.get("oneOf", ())}
    known = {name for name in structs if id(definitions[name]) in reached} | variants
    assert known == structs
    assert sum(len(definitions[name]["properties"]) for name in known) == 422
    top = published_schema.properties(ROOT)
    assert {"kubeAPIServerConfig", "kubeSchedulerConfig", "kubeControllerManagerConfig"} <= set(top)


def models(model: type[BaseModel], node: dict, seen: set) -> Iterator[tuple[type[BaseModel], str, dict]]:
    if model in seen:
        return
    seen.add(model)
    named = published_schema.properties(node)
    for name, field in model.model_fields.items():
        key = field.alias or name
        yield model, key, named
        inner = yamlfile.model_inside(field.annotation)
        if inner is not None and key in named:
            child = published_schema.resolved(named[key])
            child = published_schema.resolved(child.get("items", child))
            extra = published_schema.other_values(child)
            yield from models(inner, extra if extra and not published_schema.properties(child) else child, seen)


def test_every_field_the_models_read_is_a_field_of_the_schema():
    """A misspelt alias in our models would read nothing, silently: each must name a field of eksctl's schema."""
    checked = list(models(schema.ClusterConfig, ROOT, set()))
    strays = [(model.__name__, key) for model, key, named in checked if key not in named]
    assert strays == []
    assert len(checked) > 200


@pytest.mark.parametrize(("path", "node"), MAPPINGS, ids=[yamlfile.yaml_path(p) or "." for p, _ in MAPPINGS])
def test_a_misspelt_key_is_refused_in_every_mapping_of_the_schema(tmp_path, path, node):
    known = set(published_schema.properties(node))
    key = sorted(known)[0]
    wrong = misspelt(key, known)
    document = nested(path, {wrong: None})
    refused = published_schema.problems(document, "cluster.yaml")
    where = yamlfile.yaml_path((*path, wrong))
    assert [p.message for p in refused] == [
        f"unknown field '{where}' (did you mean '{key}'?) (allowed here: {', '.join(sorted(known))})"]


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(MAPPINGS), st.data())
def test_any_misspelt_key_of_any_mapping_is_refused_with_the_key_it_meant(mapping, data):
    path, node = mapping
    known = set(published_schema.properties(node))
    key = data.draw(st.sampled_from(sorted(known)))
    wrong = misspelt(key, known)
    refused = published_schema.problems(nested(path, {wrong: None}), "cluster.yaml")
    assert len(refused) == 1
    assert refused[0].message.startswith(f"unknown field '{yamlfile.yaml_path((*path, wrong))}'")
    assert "(allowed here: )" not in refused[0].message


def write(tmp_path: Path, text: str) -> str:
    path = tmp_path / "cluster.yaml"
    path.write_text(text)
    return str(path)


def refused(tmp_path: Path, text: str) -> list[str]:
    from domino_eks.sources import eksctl

    path = write(tmp_path, text)
    with pytest.raises(InputError) as caught:
        eksctl.load(path, today=TODAY)
    return [str(p) for p in caught.value.problems]


YAML_HEAD = "apiVersion: eksctl.io/v1alpha5\nkind: ClusterConfig\nmetadata: {name: test, region: us-west-2}\n"


@pytest.mark.parametrize(("block", "line", "message"), [
    ("iam:\n  serviceAccounts:\n    - metadata: {name: a}\n      attachPolicyARN: [x]\n", "7:7",
     "unknown field 'iam.serviceAccounts[0].attachPolicyARN' (did you mean 'attachPolicyARNs'?)"),
    ("accessConfig:\n  authenticationMod: API\n", "5:3",
     "unknown field 'accessConfig.authenticationMod' (did you mean 'authenticationMode'?)"),
    ("autoModeConfig:\n  enable: false\n", "5:3", "unknown field 'autoModeConfig.enable' (did you mean 'enabled'?)"),
    ("cloudWatch:\n  clusterLoging: {enableTypes: [api]}\n", "5:3",
     "unknown field 'cloudWatch.clusterLoging' (did you mean 'clusterLogging'?)"),
    ("managedNodeGroups:\n  - name: m\n    nodeRepairConfig: {enable: true}\n", "6:24",
     "unknown field 'managedNodeGroups[0].nodeRepairConfig.enable' (did you mean 'enabled'?)"),
    ("secretsEncryption:\n  keyArn: arn:aws:kms:us-west-2:123456789012:key/x\n", "5:3",
     "unknown field 'secretsEncryption.keyArn' (did you mean 'keyARN'?)"),
    ("privateCluster:\n  enabled: true\n  skipEndpointCreaton: true\n", "6:3",
     "unknown field 'privateCluster.skipEndpointCreaton' (did you mean 'skipEndpointCreation'?)"),
    ("karpenter:\n  versoin: 1.2.0\n", "5:3", "unknown field 'karpenter.versoin' (did you mean 'version'?)"),
    ("addons:\n  - name: vpc-cni\n    podIdentityAssociations:\n      - {serviceAccountName: aws-node, "
     "permissionPolicyARN: [x]}\n", "7:40",
     "unknown field 'addons[0].podIdentityAssociations[0].permissionPolicyARN' (did you mean "
     "'permissionPolicyARNs'?)"),
    ("vpc:\n  subnets:\n    private:\n      us-west-2a: {idd: subnet-1}\n", "7:20",
     "unknown field 'vpc.subnets.private.us-west-2a.idd' (did you mean 'id'?)"),
])
def test_misspelt_keys_inside_blocks_once_typed_any_are_refused(tmp_path, block, line, message):
    found = refused(tmp_path, YAML_HEAD + block)
    assert len(found) == 1
    assert found[0].startswith(f"{tmp_path / 'cluster.yaml'}:{line}: {message} (allowed here: ")
    assert not found[0].endswith("(allowed here: )")


def test_the_zone_map_names_what_a_subnet_takes(tmp_path):
    found = refused(tmp_path, YAML_HEAD + "vpc:\n  subnets:\n    private:\n      us-west-2a: {idd: subnet-1}\n")
    assert found == [f"{tmp_path / 'cluster.yaml'}:7:20: unknown field 'vpc.subnets.private.us-west-2a.idd' "
                     "(did you mean 'id'?) (allowed here: az, cidr, id)"]


def test_the_control_plane_component_blocks_are_accepted(tmp_path):
    from domino_eks.sources import eksctl

    path = write(tmp_path, YAML_HEAD + (
        "kubeAPIServerConfig: {serviceNodePortRange: {minPort: 30000, maxPort: 32767}}\n"
        "kubeSchedulerConfig: {}\nkubeControllerManagerConfig: {}\n"
    ))
    assert eksctl.load(path, today=TODAY).cluster.name == "test"


@pytest.mark.parametrize(("block", "message"), [
    ("privateCluster: {enabled: yes please}\n", "'privateCluster.enabled': expected a boolean, found a string "
                                                "('yes please')"),
    ("cloudWatch: {clusterLogging: {enableTypes: api}}\n",
     "'cloudWatch.clusterLogging.enableTypes': expected a list, found a string ('api')"),
    ("managedNodeGroups:\n  - name: m\n    maxPodsPerNode: 1.5\n",
     "'managedNodeGroups[0].maxPodsPerNode': expected an integer, found a number (1.5)"),
    ("karpenter: {version: 1.2}\n", "'karpenter.version': must be a string, but YAML reads 1.2 as a number: quote "
                                     'it ("1.2")'),
])
def test_a_value_eksctl_would_not_decode_is_refused_wherever_it_is(tmp_path, block, message):
    found = refused(tmp_path, YAML_HEAD + block)
    assert [f.split(": ", 1)[1] for f in found] == [message]


def test_null_values_and_the_taint_map_form_are_what_eksctl_accepts():
    document = nested(("nodeGroups", 0), {"name": "gpu", "taints": {"nvidia.com/gpu": "true:NoSchedule"},
                                          "labels": None})
    assert published_schema.problems(document, "cluster.yaml") == []
