"""The spec source: strict parsing with located errors, then defaults, then the model."""

from __future__ import annotations

import pytest

from domino_eks.errors import InputError
from domino_eks.model import NODE_POOL_LABEL, Certificate
from domino_eks.provision import recorded
from domino_eks.rules import REGISTRY, Status
from domino_eks.sources import spec
from tests.conftest import EXAMPLES, TODAY

MINIMAL = """\
apiVersion: domino-eks.io/v1alpha1
kind: DominoCluster
metadata:
  name: demo
  region: us-west-2
nodePools:
  - name: platform
    instanceType: m5.2xlarge
    volumeSize: 128
    minSize: 1
    maxSize: 3
"""


def load_text(tmp_path, text: str):
    path = tmp_path / "spec.yaml"
    path.write_text(text)
    return spec.load(str(path), today=TODAY)


def problems(tmp_path, text: str) -> list[str]:
    with pytest.raises(InputError) as caught:
        load_text(tmp_path, text)
    return [str(p) for p in caught.value.problems]


def test_typo_in_a_field_names_the_place_and_the_likely_field(tmp_path):
    assert problems(tmp_path, MINIMAL.replace("instanceType", "instanceTyep")) == [
        f"{tmp_path / 'spec.yaml'}:8:5: unknown field 'nodePools[0].instanceTyep' (did you mean 'instanceType'?) "
        "(allowed here: ami, amiFamily, availabilityZones, desiredCapacity, imdsHopLimit, instanceType, label, labels, "
        "managed, maxSize, minSize, name, preBootstrapCommands, taints, volumeSize, volumeType)"
    ]


def test_every_problem_is_reported_not_only_the_first(tmp_path):
    text = MINIMAL.replace("minSize: 1", "minSize: many").replace("region:", "regoin:")
    # a misspelt field is one problem, not two: no "'metadata.region' is required" besides
    assert problems(tmp_path, text) == [
        f"{tmp_path / 'spec.yaml'}:5:3: unknown field 'metadata.regoin' (did you mean 'region'?) "
        "(allowed here: name, region, tags, version)",
        f"{tmp_path / 'spec.yaml'}:10:5: 'nodePools[0].minSize': Input should be a valid integer, unable to parse "
        "string as an integer (got 'many')",
    ]


def test_unquoted_boolean_label_is_rejected_like_eksctl_does(tmp_path):
    text = MINIMAL + "    labels:\n      domino/build-node: true\n"
    assert problems(tmp_path, text) == [
        f"{tmp_path / 'spec.yaml'}:13:7: 'nodePools[0].labels.domino/build-node': Input should be a valid string "
        "(got True)"
    ]


def test_yaml_syntax_error_has_line_and_column(tmp_path):
    assert problems(tmp_path, MINIMAL.replace("  region: us-west-2", "  region: [us-west-2")) == [
        f"{tmp_path / 'spec.yaml'}:6:10: invalid YAML: while parsing a flow sequence expected ',' or ']', but got ':'"
    ]


@pytest.mark.parametrize(("text", "expected"), [
    ("", ["1:1: the file is empty; expected a YAML mapping"]),
    ("- a\n- b\n", ["1:1: expected a YAML mapping at the top, found a list"]),
    ("kind: Nope\napiVersion: x/v1\n", [
        "2:1: 'apiVersion': Input should be 'domino-eks.io/v1alpha1' (got 'x/v1')",
        "1:1: 'kind': Input should be 'DominoCluster' (got 'Nope')",
        "1:1: 'metadata' is required",
        "1:1: 'nodePools' is required",
    ]),
])
def test_unusable_documents(tmp_path, text, expected):
    assert problems(tmp_path, text) == [f"{tmp_path / 'spec.yaml'}:{message}" for message in expected]


def test_missing_file_is_an_input_error(tmp_path):
    with pytest.raises(InputError) as caught:
        spec.load(str(tmp_path / "absent.yaml"))
    assert [str(p) for p in caught.value.problems] == [f"{tmp_path / 'absent.yaml'}: no such file"]


def test_defaults_fill_what_the_page_implies(tmp_path):
    deployment = load_text(tmp_path, MINIMAL)
    assert deployment.cluster.version == "1.36"  # the newest in standard support on TODAY
    assert deployment.cluster.control_plane_zones == ("us-west-2a", "us-west-2b", "us-west-2c")
    [platform] = deployment.pools
    assert [g.name for g in platform.groups] == ["domino-platform-a", "domino-platform-b", "domino-platform-c"]
    assert all(g.labels[NODE_POOL_LABEL] == "platform" for g in platform.groups)
    assert [b.name for b in deployment.storage.buckets] == ["demo-user-data", "demo-logs", "demo-backups"]


def test_one_zone_pools_still_give_the_cluster_three_zones(single_az):
    assert single_az.node_zones == {"us-west-2a"}
    assert single_az.cluster.control_plane_zones == ("us-west-2a", "us-west-2b", "us-west-2c")
    assert {s.zone for s in single_az.network.subnets} == {"us-west-2a", "us-west-2b", "us-west-2c"}


def test_private_subnets_grow_with_the_pools(tmp_path):
    """20 m5.2xlarge nodes need 20 x 59 addresses: more than a /23 holds (rule N006's arithmetic)."""
    big = load_text(tmp_path, MINIMAL.replace("maxSize: 3", "maxSize: 20"))
    private = [s for s in big.network.subnets if not s.public]
    assert {s.cidr.split("/")[1] for s in private} == {"21"}


def test_yaml_float_version_is_read_as_written(tmp_path):
    deployment = load_text(tmp_path, MINIMAL.replace("  region: us-west-2", "  region: us-west-2\n  version: 1.30"))
    assert deployment.cluster.version == "1.30"


def test_both_examples_load():
    for name in ("single-az.yaml", "multi-az.yaml"):
        assert spec.load(str(EXAMPLES / name), today=TODAY).cluster.name == "domino-test-cluster"


def test_small_pools_get_node_subnets_the_network_rules_accept(tmp_path):
    deployment = load_text(tmp_path, MINIMAL)  # 3 nodes of 59 pod addresses: 177, far below a /23
    private = [s.cidr for s in deployment.network.subnets if not s.public]
    assert private and all(cidr.endswith("/23") for cidr in private)
    assert [f.status for f in REGISTRY.evaluate(deployment, ["N002", "N006"])] == [Status.PASS, Status.PASS]


def test_a_named_certificate_reaches_the_model_and_its_names_are_left_to_a_live_check(tmp_path):
    arn = "arn:aws:acm:us-west-2:111122223333:certificate/1234"
    deployment = load_text(tmp_path, MINIMAL + f"domain:\n  fqdn: domino.example.com\n  certificateArn: {arn}\n")
    assert deployment.domain.certificate == Certificate(arn=arn, domain_names=None)
    [finding] = REGISTRY.evaluate(deployment, ["D002"])
    assert (finding.status, finding.message) == (
        Status.SKIP,
        "the certificate's names and status unknown: a certificate ARN is given; its names are checked live by "
        "domino-eks check.",
    )
    # apply requests no certificate then, and what it records for the installer values keeps this one
    certificate = recorded.with_outputs(deployment, {}).domain.certificate
    assert certificate is not None and certificate.arn == arn


def test_without_a_named_certificate_apply_plans_one_for_the_fqdn(tmp_path):
    deployment = load_text(tmp_path, MINIMAL + "domain:\n  fqdn: domino.example.com\n")
    assert deployment.domain.certificate == Certificate(domain_names=("domino.example.com",))


@pytest.mark.parametrize(("block", "expected"), [
    ("", ("domino-platform", "domino-compute", None)),  # the current release, 6.2
    ("domino: {version: 6.2}\n", ("domino-platform", "domino-compute", None)),
    ("domino: {version: 5.1}\n", ("platform", "compute", "domino-system")),  # the page's
    ("domino: {version: 4.6, namespaces: {compute: runs}}\n", ("platform", "runs", "domino-system")),
    ("domino: {namespaces: {platform: dd-platform, compute: dd-compute}}\n", ("dd-platform", "dd-compute", None)),
])
def test_namespaces_default_by_release_and_can_be_declared(tmp_path, block, expected):
    namespaces = load_text(tmp_path, MINIMAL + block).domino.namespaces
    assert (namespaces.platform, namespaces.compute, namespaces.system) == expected


def test_the_registry_defaults_to_a_private_encrypted_tls_only_bucket(tmp_path):
    registry = load_text(tmp_path, MINIMAL).domino.registry
    assert registry.model_dump(exclude={"location"}) == {
        "kind": "s3", "name": "demo-registry", "exists": None, "blocks_public_access": True, "encrypted": True,
        "tls_only": True, "scan_on_push": None, "immutable_tags": None, "kms_key_id": None, "uri": None}


def test_an_ecr_registry_is_a_scanned_immutable_repository_named_for_the_cluster(tmp_path):
    registry = load_text(tmp_path, MINIMAL + "domino: {registry: {type: ecr}}\n").domino.registry
    assert (registry.kind, registry.name, registry.scan_on_push, registry.immutable_tags, registry.tls_only) == (
        "ecr", "demo", True, True, None)


def test_an_unknown_domino_release_is_a_located_input_error(tmp_path):
    assert problems(tmp_path, MINIMAL + "domino: {version: 7.0}\n") == [
        f"{tmp_path / 'spec.yaml'}:12:10: 'domino.version': Input should be '4.6', '5.0', '5.1' or '6.2' "
        "(got '7.0')"
    ]
