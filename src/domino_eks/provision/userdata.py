"""User data of self-managed nodes: how a node joins the cluster with its pool's labels and taints.

Amazon Linux 2023 nodes join through nodeadm, which reads a `NodeConfig` from a MIME part of the user
data; the pool's labels and taints go to the kubelet as `--node-labels` / `--register-with-taints`, so a
node carries `dominodatalab.com/node-pool` from its first heartbeat. The pool's pre-bootstrap commands
run first, in a shell-script part, as eksctl's `preBootstrapCommands` do.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping, Sequence
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText

from domino_eks.model import NodeGroup

NODEADM_CONTENT_TYPE = "application/node.eks.aws"


def kubelet_flags(group: NodeGroup) -> list[str]:
    flags = []
    if group.labels:
        flags.append("--node-labels=" + ",".join(f"{k}={v}" for k, v in sorted(group.labels.items())))
    if group.taints:
        flags.append("--register-with-taints=" + ",".join(f"{t.key}={t.value}:{t.effect}" for t in group.taints))
    return flags


def node_config(flags: Sequence[str], cluster: Mapping[str, str]) -> dict:
    """nodeadm's NodeConfig; `cluster` holds the cluster's name, endpoint, certificate authority and service CIDR."""
    return {
        "apiVersion": "node.eks.aws/v1alpha1",
        "kind": "NodeConfig",
        "spec": {
            "cluster": {
                "name": cluster["name"],
                "apiServerEndpoint": cluster["endpoint"],
                "certificateAuthority": cluster["certificate_authority"],
                "cidr": cluster["service_cidr"],
            },
            "kubelet": {"flags": list(flags)},
        },
    }


def render(flags: Sequence[str], commands: Sequence[str], cluster: Mapping[str, str]) -> str:
    """The launch template's UserData: base64 of a MIME multipart document."""
    document = MIMEMultipart(boundary="==DOMINOEKS==")
    if commands:
        script = "\n".join(["#!/bin/bash", "set -euo pipefail", *commands]) + "\n"
        document.attach(MIMEText(script, "x-shellscript"))
    # JSON is YAML, and it keeps label values such as "true" strings for nodeadm
    config = MIMEText(json.dumps(node_config(flags, cluster), indent=2) + "\n")
    config.replace_header("Content-Type", NODEADM_CONTENT_TYPE)
    document.attach(config)
    return base64.b64encode(document.as_bytes()).decode("ascii")
