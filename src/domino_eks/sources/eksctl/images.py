"""Node images a ClusterConfig cannot use: what eksctl refuses, and user data AL2023 nodes would ignore.

Both are located input errors (exit 2): the first file eksctl itself would not take, the second one whose nodes would
boot without what the file asks of them (labels, taints, kubelet flags), silently.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from typing import Any

from domino_eks.errors import Problem
from domino_eks.knowledge import eks_versions, eksctl_defaults
from domino_eks.sources import yamlfile
from domino_eks.sources.eksctl.schema import ClusterConfig, GroupConfig

AL2 = "AmazonLinux2"
AL2023 = "AmazonLinux2023"
# eksctl's `AmazonLinux2EOLVersion`: from 1.33 on its defaulting refuses an explicit AmazonLinux2 with "AmazonLinux2 is
# not supported for Kubernetes version 1.33" (eksctl pkg/apis/eksctl.io/v1alpha5/defaults.go, at 99984adb; see
# shared/reference/anchors-2026-12.md §2), and EKS publishes no AL2 image for 1.33 or later.
AL2_LAST_VERSION = (1, 32)
# AL2023 boots with nodeadm from a NodeConfig and has no /etc/eks/bootstrap.sh (eksctl userdocs
# src/usage/node-bootstrapping.md: nodeadm "dropping the use of /etc/eks/bootstrap.sh"); bootstrap.sh's
# --kubelet-extra-args has no reader there either: kubelet flags go in the NodeConfig's spec.kubelet.flags.
AL2_BOOTSTRAP = re.compile(r"bootstrap\.sh|--kubelet-extra-args")


def problems(config: ClusterConfig, document: Any, file: str) -> list[Problem]:
    version = config.metadata.version or eksctl_defaults.VERSION
    groups: list[tuple[str, Sequence[GroupConfig]]] = [("nodeGroups", config.node_groups),
                                                        ("managedNodeGroups", config.managed_node_groups)]
    return [problem for key, listed in groups for index, group in enumerate(listed)
            for problem in _group_problems(group, version, document, file, (key, index))]


def _group_problems(group: GroupConfig, version: str, document: Any, file: str,
                    at: tuple[str, int]) -> Iterator[Problem]:
    def problem(field: str, message: str) -> Problem:
        where = yamlfile.location(document, file, *at, field)
        return Problem(file, f"'{where.path}' {message}", where.line, where.column)

    pinned = bool(group.ami and group.ami.startswith("ami-"))
    # a pinned image without its family is of a family the file does not say (and eksctl refuses that itself)
    family = group.ami_family or (None if pinned else eksctl_defaults.AMI_FAMILY)
    parsed = eks_versions.parse(version)
    if family == AL2 and parsed is not None and parsed > AL2_LAST_VERSION:
        yield problem("amiFamily", f"is AmazonLinux2, which eksctl refuses on Kubernetes {version} (AmazonLinux2 "
                                   "ends with 1.32: EKS publishes no AL2 image after it); expected AmazonLinux2023 "
                                   "or Bottlerocket")
    if family != AL2023:
        return
    if group.override_bootstrap_command and AL2_BOOTSTRAP.search(group.override_bootstrap_command):
        yield problem("overrideBootstrapCommand", _IGNORED)
    for index, command in enumerate(group.pre_bootstrap_commands):
        if AL2_BOOTSTRAP.search(command):
            where = yamlfile.location(document, file, *at, "preBootstrapCommands", index)
            yield Problem(file, f"'{where.path}' {_IGNORED}", where.line, where.column)


_IGNORED = ("calls bootstrap.sh or passes --kubelet-extra-args, but AmazonLinux2023 nodes boot with nodeadm, which "
            "has no bootstrap.sh and ignores both; expected the kubelet flags in a nodeadm NodeConfig "
            "(spec.kubelet.flags), or amiFamily AmazonLinux2 on Kubernetes 1.32 or older")
