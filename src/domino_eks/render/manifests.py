"""Kubernetes manifests Domino needs: its two StorageClasses and the NetworkPolicies of `compute`.

The block StorageClass is the page's sample corrected: the page puts `type: gp2` under `metadata`, where
Kubernetes never reads it, and names the in-tree provisioner that works only through the EBS CSI driver.
What every rendered YAML file shares lives here too: the `__FILL__` marker and the YAML writer.
"""

from __future__ import annotations

import io

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap
from ruamel.yaml.representer import RoundTripRepresenter

from domino_eks.model import (
    BLOCK_CLASS_NAME,
    DEFAULT_CLASS_ANNOTATION,
    EBS_CSI_PARAMETERS,
    EBS_CSI_PROVISIONER,
    EBS_IN_TREE_PROVISIONER,
    EFS_CSI_PROVISIONER,
    KEY_CREATED_BY_APPLY,
    Deployment,
    StorageClass,
)

# Marks a value not known yet, in every rendered file: the convention of Domino's own provisioning tools.
FILL = "__FILL__"
EFS_ID_UNKNOWN = "EFS file system id: known after `domino-eks apply`"
KEY_UNKNOWN = "ARN of the KMS key `domino-eks apply` creates (security.encryption.ebs)"

SHARED_CLASS_NAME = "dominoshared"
FSTYPE = "csi.storage.k8s.io/fstype"
# (parameter, default, names that already set it): the driver reads parameter names case-insensitively
# and still honours the in-tree `fsType`, so a user's spelling must not get a second, conflicting default.
BLOCK_DEFAULTS = (
    ("type", "gp3", {"type"}),
    (FSTYPE, "ext4", {FSTYPE, "fstype"}),
    ("encrypted", "true", {"encrypted"}),
)
NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name"  # set by Kubernetes on every namespace


def block_class_name(deployment: Deployment) -> str:
    given = deployment.storage.block_class
    return given.name if given and given.name else BLOCK_CLASS_NAME


def block_storage_class(deployment: Deployment) -> str:
    """The EBS StorageClass for execution volumes, with every correction to the user's class listed on top."""
    given = deployment.storage.block_class
    parameters, moved = _block_parameters(given)
    corrections = (_class_corrections(given) if given else []) + moved
    metadata: dict = {"name": block_class_name(deployment)}
    if given is not None and given.default:
        metadata["annotations"] = {DEFAULT_CLASS_ANNOTATION: "true"}
    created_key = [k for k, v in parameters.items() if k.lower() == "kmskeyid" and v == KEY_CREATED_BY_APPLY]
    parameters = CommentedMap({k: FILL if k in created_key else v for k, v in parameters.items()})
    for key in created_key:
        mark_unknown(parameters, key, KEY_UNKNOWN, depth=1)
    storage_class = CommentedMap(
        apiVersion="storage.k8s.io/v1",
        kind="StorageClass",
        metadata=metadata,
        provisioner=EBS_CSI_PROVISIONER,
        parameters=parameters,
        volumeBindingMode="WaitForFirstConsumer",
        allowVolumeExpansion=True,
    )
    header = [
        'EBS StorageClass for the volumes of Domino executions (page: "Dynamic block storage").',
        "WaitForFirstConsumer creates each volume in the zone of the pod that claims it: EBS volumes are zonal.",
        "Needs the EBS CSI driver (the aws-ebs-csi-driver add-on).",
    ]
    if corrections:
        header += ["Corrections to the StorageClass in the spec:", *(f"  - {c}" for c in corrections)]
    storage_class.yaml_set_start_comment("\n".join(header))
    return yaml_text([storage_class])


def _class_corrections(given: StorageClass) -> list[str]:
    corrections = []
    if given.provisioner == EBS_IN_TREE_PROVISIONER:
        corrections.append(
            f"provisioner {EBS_IN_TREE_PROVISIONER} -> {EBS_CSI_PROVISIONER}: the in-tree name is deprecated, and "
            "since Kubernetes 1.23 the EBS CSI driver makes every EBS volume anyway"
        )
    elif given.provisioner != EBS_CSI_PROVISIONER:
        corrections.append(
            f"provisioner {given.provisioner or '(missing)'} -> {EBS_CSI_PROVISIONER}: Domino's execution volumes "
            "are EBS volumes"
        )
    if not given.name:
        corrections.append(f"metadata.name was missing: named {BLOCK_CLASS_NAME}, the name Domino's installer uses")
    return corrections


def _block_parameters(given: StorageClass | None) -> tuple[dict[str, str], list[str]]:
    """The user's parameters, misplaced ones moved in, defaults added for what is unset."""
    parameters = dict(given.parameters) if given else {}
    corrections = []
    for path in given.misplaced if given else ():
        key = path.removeprefix("metadata.")
        assert given is not None  # the loop runs only over a given class's misplaced keys
        value = given.misplaced_values.get(path)
        if value is not None and key.lower() in EBS_CSI_PARAMETERS and key not in parameters:
            parameters[key] = value
            corrections.append(f"{path}: {value} moved under parameters, the only place Kubernetes reads it")
        else:
            corrections.append(f"{path} left out: Kubernetes does not read it there")
    present = {k.lower() for k in parameters}
    for key, default, names in BLOCK_DEFAULTS:
        if not present & names:
            parameters[key] = default
    # execution volumes are encrypted in every case (rule C006): a class that turns it off is corrected
    for key in [k for k in parameters if k.lower() == "encrypted" and str(parameters[k]).lower() != "true"]:
        corrections.append(f"parameters.{key}: {parameters[key]} -> \"true\": execution volumes hold users' data, "
                           "encrypted at rest in every case (C006)")
        parameters[key] = "true"
    return parameters, corrections


def shared_storage_class(deployment: Deployment) -> str:
    """The EFS StorageClass for Datasets: each volume an access point on the deployment's file system."""
    efs = deployment.storage.efs
    file_system_id = efs.file_system_id if efs and efs.file_system_id else FILL
    storage_class = CommentedMap(
        apiVersion="storage.k8s.io/v1",
        kind="StorageClass",
        metadata={"name": SHARED_CLASS_NAME},
        provisioner=EFS_CSI_PROVISIONER,
        parameters=CommentedMap(
            provisioningMode="efs-ap",
            fileSystemId=file_system_id,
            # only the owner of a Dataset's directory (the access point's uid) may read or write it
            directoryPerms="700",
        ),
    )
    if file_system_id == FILL:
        mark_unknown(storage_class["parameters"], "fileSystemId", EFS_ID_UNKNOWN, depth=1)
    storage_class.yaml_set_start_comment("\n".join([
        'EFS StorageClass for Domino Datasets (page: "Datasets storage").',
        "Each volume is an EFS access point (efs-ap) on the deployment's file system.",
        "Needs the EFS CSI driver, and an EFS mount target in every zone where compute nodes run.",
    ]))
    return yaml_text([storage_class])


def compute_network_policies(deployment: Deployment) -> str:
    """Default deny in the compute namespace, then the traffic Domino's executions need: DNS and the platform."""
    chosen = deployment.install_namespaces
    compute, platform = chosen.compute, chosen.platform
    deny = _network_policy("default-deny", compute, ["Ingress", "Egress"], {})
    deny.yaml_set_start_comment("\n".join([
        f"NetworkPolicies for the {compute} namespace, where Domino runs user executions",
        '(page: "Network plugin"; enforced only by a plugin with NetworkPolicy support).',
        "Nothing reaches or leaves an execution pod unless a policy below allows it. Egress to your own",
        "data sources or package mirrors needs a policy of your own beside these.",
    ]))
    dns = _network_policy("allow-dns", compute, ["Egress"], {"egress": [{
        "to": [_namespace("kube-system")],
        "ports": [{"protocol": "UDP", "port": 53}, {"protocol": "TCP", "port": 53}],
    }]})
    dns.yaml_set_start_comment("Name lookups through the cluster DNS in kube-system.")
    to_platform = _network_policy("allow-platform", compute, ["Ingress", "Egress"], {
        "ingress": [{"from": [_namespace(platform)]}],
        "egress": [{"to": [_namespace(platform)]}],
    })
    to_platform.yaml_set_start_comment(
        f"Domino's services in {platform} start, serve and watch the executions; executions call them back."
    )
    return yaml_text([deny, dns, to_platform])


def _network_policy(name: str, namespace: str, policy_types: list[str], rules: dict) -> CommentedMap:
    return CommentedMap(
        apiVersion="networking.k8s.io/v1",
        kind="NetworkPolicy",
        metadata={"name": name, "namespace": namespace},
        spec={"podSelector": {}, "policyTypes": policy_types, **rules},
    )


def _namespace(name: str) -> dict:
    return {"namespaceSelector": {"matchLabels": {NAMESPACE_NAME_LABEL: name}}}


def mark_unknown(mapping: CommentedMap, key: str, reason: str, depth: int) -> None:
    """A comment beside `key` saying what fills its `__FILL__` value."""
    # ruamel places the '#' at a column: two spaces after the value, as yamllint expects
    column = 2 * depth + len(f"{key}: {mapping[key]}") + 2
    mapping.yaml_add_eol_comment(reason, key, column=column)


class _ExplicitNull(RoundTripRepresenter):
    """Writes `null`: an empty value reads as forgotten."""


_ExplicitNull.add_representer(type(None), lambda r, _: r.represent_scalar("tag:yaml.org,2002:null", "null"))


def yaml_text(documents: list[CommentedMap]) -> str:
    yaml = YAML()
    yaml.width = 4096  # a wrapped comment or value reads worse than a long line
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.Representer = _ExplicitNull
    out = io.StringIO()
    yaml.dump_all(documents, out)
    return out.getvalue()
