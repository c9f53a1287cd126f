"""Every artifact of `domino-eks render`, written into one output directory."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from domino_eks.errors import write_output
from domino_eks.model import Deployment
from domino_eks.render import eksctl, iam, installer, manifests


def artifacts(deployment: Deployment, eksctl_file: Mapping | None = None) -> dict[str, str]:
    """Path inside the output directory -> text: the table of contents of the render. `eksctl_file`: the eksctl
    ClusterConfig the deployment was read from, whose keys cluster.yaml keeps."""
    texts = {
        "eksctl/cluster.yaml": eksctl.render(deployment, eksctl_file),
        "kubernetes/storageclass-block.yaml": manifests.block_storage_class(deployment),
        "kubernetes/storageclass-shared.yaml": manifests.shared_storage_class(deployment),
        "kubernetes/networkpolicy-compute.yaml": manifests.compute_network_policies(deployment),
        "iam/s3-access-policy.json": iam.s3_access_policy(deployment),
        "installer/domino.yml": installer.render(deployment),
    }
    registry_policy = iam.registry_access_policy(deployment)
    if registry_policy is not None:
        texts["iam/registry-access-policy.json"] = registry_policy
    if iam.uses_autoscaler(deployment):
        texts["iam/autoscaler-policy.json"] = iam.autoscaler_policy(deployment)
    texts |= {f"iam/{name}": text for name, text in iam.other_policies(deployment).items()}
    return texts


def render_all(deployment: Deployment, out_dir: Path, eksctl_file: Mapping | None = None) -> list[Path]:
    """Write every artifact under `out_dir`, replacing earlier renders; other files there are left alone."""
    written = []
    for relative, text in sorted(artifacts(deployment, eksctl_file).items()):
        path = out_dir / relative
        write_output(path, text, parents=True)
        written.append(path)
    return written
