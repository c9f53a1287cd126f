"""Installer values per Domino release: schema "1.2" (fleetcommand-agent) and "1.16" (Domino 6.2's Platform
Operator), each in the field names knowledge.domino pins, the spec's values, and marks for what is unknown."""

from __future__ import annotations

import pytest
from ruamel.yaml import YAML

from domino_eks.knowledge import domino
from domino_eks.model import (
    Autoscaler,
    Cluster,
    Deployment,
    DominoInstall,
    Efs,
    Namespaces,
    Registry,
    SourceInfo,
    StorageClass,
)
from domino_eks.render import installer

NODE_SELECTOR_FIELDS = {
    f"node_pools.{pool}.node_selector.dominodatalab.com/node-pool" for pool in ("platform", "default", "default-gpu")
}


def leaves(values: dict, prefix: str = "") -> dict[str, object]:
    """{"storage_classes.block.name": "dominodisk", ...}; a node-selector label key stays whole."""
    out: dict[str, object] = {}
    for key, value in values.items():
        path = f"{prefix}{key}"
        out |= leaves(value, f"{path}.") if isinstance(value, dict) and value else {path: value}
    return out


def schema_fields(schema: domino.InstallerSchema) -> set[str]:
    """The facts file's field names, each blob store spelt out."""
    fields = domino.SCHEMA_FIELDS[schema]
    return {f.replace("<store>", store) for f in fields for store in domino.BLOB_STORES}


def on_release(deployment: Deployment, version: str, **domino_fields) -> Deployment:
    """The deployment as if its spec named `version` (and so that release's default namespaces)."""
    defaults = domino.release(version).namespaces
    namespaces = Namespaces(platform=defaults.platform, compute=defaults.compute, system=defaults.system)
    chosen = deployment.domino.model_copy(update={"version": version, "namespaces": namespaces, **domino_fields})
    return deployment.model_copy(update={"domino": chosen})


def with_ecr(deployment: Deployment, uri: str | None = None) -> Deployment:
    return on_release(deployment, deployment.domino.version or domino.CURRENT,
                      registry=Registry(kind="ecr", name="domino-test-cluster", uri=uri))


def eksctl_like() -> Deployment:
    """What an eksctl file tells: no buckets, no EFS, no FQDN, no release; its autoscaler tags say it runs."""
    cluster = Cluster(name="demo", region="us-west-2", version="1.31")
    return Deployment(source=SourceInfo(kind="eksctl"), cluster=cluster, pools=(), autoscaler=Autoscaler(enabled=True))


def test_the_spec_default_is_the_current_release(multi_az):
    assert multi_az.domino.version == domino.CURRENT == "6.2"
    assert installer.installer_values(multi_az)["schema"] == "1.16"


@pytest.mark.parametrize("version", ["4.6", "5.0", "5.1"])
def test_releases_of_the_page_get_schema_1_2_in_its_field_names(multi_az, version):
    values = installer.installer_values(on_release(multi_az, version))
    assert set(leaves(values)) == schema_fields("1.2") | NODE_SELECTOR_FIELDS


def test_domino_6_2_gets_schema_1_16_with_an_internal_registry_on_s3(multi_az):
    fields = set(leaves(installer.installer_values(multi_az)))
    # no KMS key on the block class: kmsKeyId is left out; an S3 registry: no external one
    expected = schema_fields("1.16") - {"storage_classes.block.parameters.kmsKeyId", "external_docker_registry"}
    assert fields == expected | NODE_SELECTOR_FIELDS


def test_domino_6_2_with_ecr_gets_an_external_registry_and_no_internal_one(multi_az):
    fields = set(leaves(installer.installer_values(with_ecr(multi_az))))
    internal = {f for f in schema_fields("1.16") if f.startswith("internal_docker_registry.")}
    expected = schema_fields("1.16") - internal - {"storage_classes.block.parameters.kmsKeyId"}
    assert fields == expected | NODE_SELECTOR_FIELDS


def test_a_block_class_with_a_kms_key_passes_the_key_on(multi_az):
    key = "arn:aws:kms:us-west-2:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    block = StorageClass(name="dominodisk", provisioner="ebs.csi.aws.com",
                         parameters={"type": "gp3", "encrypted": "true", "kmsKeyId": key})
    keyed = multi_az.model_copy(update={"storage": multi_az.storage.model_copy(update={"block_class": block})})
    values = installer.installer_values(keyed)
    assert values["storage_classes"]["block"] == {"name": "dominodisk", "type": "ebs", "parameters": {"kmsKeyId": key}}


def test_values_of_schema_1_16_are_the_specs(multi_az):
    values = leaves(installer.installer_values(multi_az))
    assert (values["schema"], values["version"]) == ("1.16", "6.2.0")
    assert values["name"] == values["autoscaler.auto_discovery.cluster_name"] == "domino-test-cluster"
    assert values["hostname"] == "domino.example.com"
    assert {v for k, v in values.items() if k.endswith(".region")} == {"us-west-2"}
    assert (values["namespaces.platform.name"], values["namespaces.compute.name"]) == (
        "domino-platform", "domino-compute")
    assert values["internal_docker_registry.s3_override.bucket"] == "domino-test-cluster-registry"
    assert values["internal_docker_registry.s3_override.sse_kms_key_id"] is None  # S3-managed keys
    assert values["blob_storage.projects.s3.bucket"] == "domino-test-cluster-user-data"
    assert values["blob_storage.logs.s3.bucket"] == "domino-test-cluster-logs"
    assert values["blob_storage.backups.s3.bucket"] == "domino-test-cluster-backups"


def test_values_of_schema_1_2_are_the_specs(multi_az):
    values = leaves(installer.installer_values(on_release(multi_az, "5.1")))
    assert values["schema"] == "1.2"
    assert values["name"] == values["autoscaler.auto_discovery.cluster_name"] == "domino-test-cluster"
    assert values["hostname"] == "domino.example.com"
    assert {v for k, v in values.items() if k.endswith(".region")} == {"us-west-2"}
    assert [values[f"namespaces.{n}.name"] for n in ("platform", "compute", "system")] == [
        "platform", "compute", "domino-system"]
    assert values["internal_docker_registry.s3_override.bucket"] == "domino-test-cluster-registry"
    assert values["blob_storage.projects.s3.bucket"] == "domino-test-cluster-user-data"
    assert values["blob_storage.projects.s3.sse_kms_key_id"] is None  # S3-managed keys
    assert (values["storage_classes.block.name"], values["storage_classes.block.type"]) == ("dominodisk", "ebs")
    assert (values["storage_classes.shared.name"], values["storage_classes.shared.type"]) == ("dominoshared", "efs")
    assert values["node_pools.default-gpu.node_selector.dominodatalab.com/node-pool"] == "default-gpu"


def test_schema_1_2_has_no_place_for_an_ecr_registry(multi_az):
    values = installer.installer_values(with_ecr(on_release(multi_az, "5.1")))
    assert "internal_docker_registry" not in values and "external_docker_registry" not in values


def test_efs_ids_and_the_ecr_uri_are_marked_before_apply_and_real_after(multi_az):
    before = with_ecr(multi_az)
    values = installer.installer_values(before)
    efs_before = values["storage_classes"]["shared"]["efs"]
    assert (efs_before["filesystem_id"], efs_before["access_point_id"]) == ("__FILL__", "__FILL__")
    assert values["external_docker_registry"] == "__FILL__"
    assert "external_docker_registry: __FILL__  # ECR repository URI: known after `domino-eks apply`" in (
        installer.render(before))

    uri = "123456789012.dkr.ecr.us-west-2.amazonaws.com/domino-test-cluster"
    efs = Efs(file_system_id="fs-0123456789abcdef0", access_point_id="fsap-0123456789abcdef0")
    applied = with_ecr(before, uri=uri)
    applied = applied.model_copy(update={"storage": applied.storage.model_copy(update={"efs": efs})})
    after = installer.installer_values(applied)
    assert (after["storage_classes"]["shared"]["efs"]["filesystem_id"],
            after["storage_classes"]["shared"]["efs"]["access_point_id"]) == ("fs-0123456789abcdef0",
                                                                              "fsap-0123456789abcdef0")
    assert after["external_docker_registry"] == uri
    assert "__FILL__" not in installer.render(applied)


@pytest.mark.parametrize("version", ["5.1", "6.2"])
def test_rendered_text_holds_the_same_values(multi_az, version):
    deployment = on_release(multi_az, version)
    assert YAML(typ="safe").load(installer.render(deployment)) == installer.installer_values(deployment)


def test_the_header_names_the_release_and_its_installer(multi_az):
    assert installer.render(multi_az).startswith(
        "# Values for Domino 6.2.0's Platform Operator, in the field names of its config schema \"1.16\": merge them "
        "into\n# the file `ddlctl create config --preset eks` writes")
    assert installer.render(on_release(multi_az, "4.6")).startswith(
        "# Values for Domino's installer, in the field names of its config schema \"1.2\" (fleetcommand-agent")


def test_every_mark_has_a_comment_saying_what_fills_it():
    text = installer.render(eksctl_like())
    marked = [line for line in text.splitlines() if "__FILL__" in line and not line.startswith("#")]
    # hostname, EFS ids, each bucket's name and KMS key, the registry bucket's name and KMS key
    assert len(marked) == 1 + 2 + 3 * 2 + 2
    assert all("__FILL__  # " in line for line in marked)
    assert "hostname: __FILL__  # FQDN Domino serves from: domain.fqdn in a domino-eks spec" in text
    assert "filesystem_id: __FILL__  # EFS file system id: known after `domino-eks apply`" in text
    assert "bucket: __FILL__  # registry bucket: domino.registry in a domino-eks spec" in text


def test_a_source_without_a_release_gets_the_current_ones_format_and_namespaces():
    values = installer.installer_values(eksctl_like())
    assert values["schema"] == "1.16"
    assert values["namespaces"] == {"platform": {"name": "domino-platform"}, "compute": {"name": "domino-compute"}}


def test_declared_namespaces_are_the_ones_written(multi_az):
    chosen = Namespaces(platform="dd-platform", compute="dd-compute")
    renamed = multi_az.model_copy(update={"domino": DominoInstall(version="6.2", namespaces=chosen)})
    assert installer.installer_values(renamed)["namespaces"] == {
        "platform": {"name": "dd-platform"}, "compute": {"name": "dd-compute"}}


def test_without_the_autoscaler_there_is_no_autoscaler_section(multi_az):
    without = multi_az.model_copy(update={"autoscaler": Autoscaler(enabled=False)})
    assert "autoscaler" not in installer.installer_values(without)


def test_an_unknown_region_is_marked_wherever_it_is_used():
    unknown_region = eksctl_like().model_copy(update={"cluster": Cluster(name="demo", region=None, version="1.31")})
    text = installer.render(unknown_region)
    # EFS, three blob stores, the registry, the autoscaler
    assert text.count("region: __FILL__  # AWS region: metadata.region of the source file") == 6


def test_the_key_apply_creates_is_marked_with_what_fills_it(tmp_path):
    # rule C006: the buckets and the block class on the deployment's key, which has no ARN before apply
    from tests.rules.test_hardening import spec_with

    deployment = spec_with(tmp_path, "security:\n  encryption: {ebs: true, s3: true}\n")
    text = installer.render(deployment)
    values = YAML(typ="safe").load(text)
    assert {values["blob_storage"][store]["s3"]["sse_kms_key_id"] for store in domino.BLOB_STORES} == {"__FILL__"}
    assert values["internal_docker_registry"]["s3_override"]["sse_kms_key_id"] == "__FILL__"
    assert values["storage_classes"]["block"]["parameters"] == {"kmsKeyId": "__FILL__"}
    assert ("kmsKeyId: __FILL__  # ARN of the KMS key `domino-eks apply` creates (security.encryption.ebs): known "
            "after apply") in text


def test_a_named_key_is_every_stores_key(tmp_path):
    from tests.rules.test_hardening import KEY, spec_with

    deployment = spec_with(tmp_path, f"security:\n  kmsKeyArn: {KEY}\n  encryption: {{ebs: true, s3: true}}\n")
    values = installer.installer_values(deployment)
    assert {values["blob_storage"][store]["s3"]["sse_kms_key_id"] for store in domino.BLOB_STORES} == {KEY}
    assert values["storage_classes"]["block"]["parameters"] == {"kmsKeyId": KEY}
