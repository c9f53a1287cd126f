"""Installer values: Domino's schema "1.2" field names, the spec's values, and marks for what is unknown."""

from __future__ import annotations

from ruamel.yaml import YAML

from domino_eks.model import Autoscaler, Cluster, Deployment, Efs, SourceInfo
from domino_eks.render import installer

INSTALLER_FIELDS = {
    "schema", "name", "hostname",
    "storage_classes.block.name", "storage_classes.block.type",
    "storage_classes.shared.name", "storage_classes.shared.type",
    "storage_classes.shared.efs.region", "storage_classes.shared.efs.filesystem_id",
    "storage_classes.shared.efs.access_point_id",
    *(f"blob_storage.{store}.s3.{field}"
      for store in ("projects", "logs", "backups") for field in ("region", "bucket", "sse_kms_key_id")),
    "autoscaler.auto_discovery.cluster_name", "autoscaler.aws.region",
}
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


def eksctl_like() -> Deployment:
    """What an eksctl file tells: no buckets, no EFS, no FQDN; its autoscaler tags say the autoscaler runs."""
    cluster = Cluster(name="demo", region="us-west-2", version="1.31")
    return Deployment(source=SourceInfo(kind="eksctl"), cluster=cluster, pools=(), autoscaler=Autoscaler(enabled=True))


def test_field_paths_are_the_installers_plus_the_node_selectors(multi_az):
    assert set(leaves(installer.installer_values(multi_az))) == INSTALLER_FIELDS | NODE_SELECTOR_FIELDS


def test_values_are_the_specs(multi_az):
    values = leaves(installer.installer_values(multi_az))
    assert values["schema"] == "1.2"
    assert values["name"] == values["autoscaler.auto_discovery.cluster_name"] == "domino-test-cluster"
    assert values["hostname"] == "domino.example.com"
    assert {v for k, v in values.items() if k.endswith(".region")} == {"us-west-2"}
    assert values["blob_storage.projects.s3.bucket"] == "domino-test-cluster-user-data"
    assert values["blob_storage.logs.s3.bucket"] == "domino-test-cluster-logs"
    assert values["blob_storage.backups.s3.bucket"] == "domino-test-cluster-backups"
    assert values["blob_storage.projects.s3.sse_kms_key_id"] is None  # S3-managed keys
    assert (values["storage_classes.block.name"], values["storage_classes.block.type"]) == ("dominodisk", "ebs")
    assert (values["storage_classes.shared.name"], values["storage_classes.shared.type"]) == ("dominoshared", "efs")
    assert values["node_pools.default-gpu.node_selector.dominodatalab.com/node-pool"] == "default-gpu"


def test_efs_ids_are_marked_before_apply_and_real_after(multi_az):
    before = installer.installer_values(multi_az)["storage_classes"]["shared"]["efs"]
    assert (before["filesystem_id"], before["access_point_id"]) == ("__FILL__", "__FILL__")

    efs = Efs(file_system_id="fs-0123456789abcdef0", access_point_id="fsap-0123456789abcdef0")
    applied = multi_az.model_copy(update={"storage": multi_az.storage.model_copy(update={"efs": efs})})
    after = installer.installer_values(applied)["storage_classes"]["shared"]["efs"]
    assert (after["filesystem_id"], after["access_point_id"]) == ("fs-0123456789abcdef0", "fsap-0123456789abcdef0")
    assert "__FILL__" not in installer.render(applied)


def test_rendered_text_holds_the_same_values(multi_az):
    assert YAML(typ="safe").load(installer.render(multi_az)) == installer.installer_values(multi_az)


def test_every_mark_has_a_comment_saying_what_fills_it():
    text = installer.render(eksctl_like())
    marked = [line for line in text.splitlines() if "__FILL__" in line and not line.startswith("#")]
    assert len(marked) == 1 + 2 + 3 * 2  # hostname, EFS ids, each bucket's name and KMS key
    assert all("__FILL__  # " in line for line in marked)
    assert "hostname: __FILL__  # FQDN Domino serves from: domain.fqdn in a domino-eks spec" in text
    assert "filesystem_id: __FILL__  # EFS file system id: known after `domino-eks apply`" in text


def test_without_the_autoscaler_there_is_no_autoscaler_section(multi_az):
    without = multi_az.model_copy(update={"autoscaler": Autoscaler(enabled=False)})
    assert "autoscaler" not in installer.installer_values(without)


def test_an_unknown_region_is_marked_wherever_it_is_used():
    unknown_region = eksctl_like().model_copy(update={"cluster": Cluster(name="demo", region=None, version="1.31")})
    text = installer.render(unknown_region)
    assert text.count("region: __FILL__  # AWS region: metadata.region of the source file") == 5
