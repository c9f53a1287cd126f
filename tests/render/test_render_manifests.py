"""Kubernetes manifests: valid for the API server (strict schema), and the page's StorageClass corrected."""

from __future__ import annotations

import kubernetes_validate
import pytest
from ruamel.yaml import YAML

from domino_eks.model import Efs, Storage, StorageClass
from domino_eks.render import manifests
from domino_eks.sources import spec
from tests.conftest import EXAMPLES, TODAY, load_example

KUBERNETES_VERSIONS = ("1.31", kubernetes_validate.latest_version())
RENDERERS = (manifests.block_storage_class, manifests.shared_storage_class,
             manifests.compute_network_policies)


def documents(text: str) -> list[dict]:
    return list(YAML(typ="safe").load_all(text))


def with_block_class(deployment, block_class: StorageClass):
    return deployment.model_copy(update={"storage": deployment.storage.model_copy(update={"block_class": block_class})})


@pytest.mark.parametrize("example", ["single-az.yaml", "multi-az.yaml"])
@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
@pytest.mark.parametrize("renderer", RENDERERS, ids=["block", "shared", "networkpolicy"])
def test_every_manifest_passes_the_strict_kubernetes_schema(example, version, renderer):
    objects = documents(renderer(load_example(example)))
    assert objects, "the renderer wrote no manifest"
    for obj in objects:
        kubernetes_validate.validate(obj, version, strict=True)


def test_default_block_class_is_encrypted_gp3_on_the_csi_driver_bound_at_first_consumer(multi_az):
    [storage_class] = documents(manifests.block_storage_class(multi_az))
    assert storage_class["metadata"] == {"name": "dominodisk"}
    assert storage_class["provisioner"] == "ebs.csi.aws.com"
    assert storage_class["parameters"] == {"type": "gp3", "csi.storage.k8s.io/fstype": "ext4", "encrypted": "true"}
    assert storage_class["volumeBindingMode"] == "WaitForFirstConsumer"
    assert storage_class["allowVolumeExpansion"] is True


PAGE_SAMPLE_SPEC = (EXAMPLES / "single-az.yaml").read_text() + """\
storage:
  blockStorageClass:
    apiVersion: storage.k8s.io/v1
    kind: StorageClass
    metadata:
      type: gp2
    provisioner: kubernetes.io/aws-ebs
"""


def test_page_sample_class_in_a_spec_renders_in_the_csi_shape_keeping_gp2(tmp_path):
    path = tmp_path / "spec.yaml"
    path.write_text(PAGE_SAMPLE_SPEC)
    text = manifests.block_storage_class(spec.load(str(path), today=TODAY))
    [storage_class] = documents(text)
    kubernetes_validate.validate(storage_class, "1.31", strict=True)
    assert storage_class["metadata"] == {"name": "dominodisk"}
    assert storage_class["provisioner"] == "ebs.csi.aws.com"
    assert storage_class["parameters"]["type"] == "gp2"
    assert "metadata.type: gp2 moved under parameters" in text
    assert "provisioner kubernetes.io/aws-ebs -> ebs.csi.aws.com" in text
    assert "metadata.name was missing" in text


def test_misplaced_volume_type_moves_under_parameters(multi_az):
    given = StorageClass(name=None, provisioner="kubernetes.io/aws-ebs", misplaced=("metadata.type",),
                         misplaced_values={"metadata.type": "gp2"})
    [storage_class] = documents(manifests.block_storage_class(with_block_class(multi_az, given)))
    assert storage_class["parameters"] == {"type": "gp2", "csi.storage.k8s.io/fstype": "ext4", "encrypted": "true"}


def test_misplaced_unknown_key_is_left_out_and_said_so(multi_az):
    given = StorageClass(name="fast", provisioner="ebs.csi.aws.com", misplaced=("metadata.color",),
                         misplaced_values={"metadata.color": "blue"})
    text = manifests.block_storage_class(with_block_class(multi_az, given))
    [storage_class] = documents(text)
    assert "color" not in storage_class["parameters"] and "color" not in storage_class["metadata"]
    assert "metadata.color left out" in text


def test_users_own_parameters_win_and_in_tree_fstype_gets_no_second_default(multi_az):
    given = StorageClass(name="fast", provisioner="ebs.csi.aws.com",
                         parameters={"type": "io2", "fsType": "xfs", "iops": "4000"})
    [storage_class] = documents(manifests.block_storage_class(with_block_class(multi_az, given)))
    assert storage_class["metadata"]["name"] == "fast"
    assert storage_class["parameters"] == {"type": "io2", "fsType": "xfs", "encrypted": "true", "iops": "4000"}


def test_a_class_that_turns_encryption_off_is_encrypted_and_says_so(multi_az):
    # rule C006: execution volumes are encrypted in every case, whatever the user's class says
    given = StorageClass(name="fast", provisioner="ebs.csi.aws.com", parameters={"type": "io2", "Encrypted": "false"})
    text = manifests.block_storage_class(with_block_class(multi_az, given))
    [storage_class] = documents(text)
    assert storage_class["parameters"] == {"type": "io2", "Encrypted": "true", "csi.storage.k8s.io/fstype": "ext4"}
    assert ('#   - parameters.Encrypted: false -> "true": execution volumes hold users\' data, encrypted at rest in '
            'every case (C006)') in text


def test_a_correct_class_gets_no_corrections_and_keeps_being_the_default(multi_az):
    given = StorageClass(name="fast", provisioner="ebs.csi.aws.com", parameters={"type": "gp3"}, default=True)
    text = manifests.block_storage_class(with_block_class(multi_az, given))
    [storage_class] = documents(text)
    assert "Corrections" not in text
    assert storage_class["metadata"]["annotations"] == {"storageclass.kubernetes.io/is-default-class": "true"}


def test_shared_class_marks_the_file_system_until_it_exists(multi_az):
    text = manifests.shared_storage_class(multi_az)
    [storage_class] = documents(text)
    assert storage_class["metadata"] == {"name": "dominoshared"}
    assert storage_class["provisioner"] == "efs.csi.aws.com"
    assert storage_class["parameters"] == {
        "provisioningMode": "efs-ap", "fileSystemId": "__FILL__", "directoryPerms": "700",
    }
    assert "fileSystemId: __FILL__  # EFS file system id: known after `domino-eks apply`" in text


def test_shared_class_carries_the_real_file_system_once_known(multi_az):
    applied = multi_az.model_copy(update={"storage": Storage(efs=Efs(file_system_id="fs-0123456789abcdef0"))})
    text = manifests.shared_storage_class(applied)
    [storage_class] = documents(text)
    assert storage_class["parameters"]["fileSystemId"] == "fs-0123456789abcdef0"
    assert "__FILL__" not in text


@pytest.mark.parametrize(("version", "compute", "platform"), [
    ("6.2", "domino-compute", "domino-platform"),  # Domino 6.x's defaults
    ("5.1", "compute", "platform"),  # the page's
])
def test_compute_is_default_deny_with_dns_and_platform_allowed(version, compute, platform):
    deployment = load_example("multi-az.yaml", domino={"version": version})
    policies = {p["metadata"]["name"]: p for p in documents(manifests.compute_network_policies(deployment))}
    assert {p["metadata"]["namespace"] for p in policies.values()} == {compute}
    deny = policies["default-deny"]["spec"]
    assert deny == {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}

    [dns] = policies["allow-dns"]["spec"]["egress"]
    assert dns["to"] == [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "kube-system"}}}]
    assert sorted((p["protocol"], p["port"]) for p in dns["ports"]) == [("TCP", 53), ("UDP", 53)]

    allow_from = {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": platform}}}
    allow = policies["allow-platform"]["spec"]
    assert allow["policyTypes"] == ["Ingress", "Egress"]
    assert allow["ingress"] == [{"from": [allow_from]}]
    assert allow["egress"] == [{"to": [allow_from]}]


def test_network_policies_use_the_namespaces_the_spec_declares():
    deployment = load_example("multi-az.yaml", domino={"namespaces": {"platform": "dd-platform", "compute": "dd-run"}})
    policies = documents(manifests.compute_network_policies(deployment))
    assert {p["metadata"]["namespace"] for p in policies} == {"dd-run"}
    [allow] = [p for p in policies if p["metadata"]["name"] == "allow-platform"]
    assert allow["spec"]["ingress"] == [
        {"from": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "dd-platform"}}}]}]
