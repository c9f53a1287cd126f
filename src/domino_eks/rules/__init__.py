"""The rule catalogue: one module per area of the page, each registering its rules in `REGISTRY`."""

from domino_eks.rules import (  # noqa: F401
    access,
    account,
    addons,
    addresses,
    domain,
    egress,
    encryption,
    general,
    gpu,
    hardening,
    insights,
    karpenter,
    kube,
    network,
    node_privilege,
    nodeaccess,
    pools,
    registry,
    storage,
    zones,
)
from domino_eks.rules.base import REGISTRY, Finding, Rule, Severity, Status

__all__ = ["REGISTRY", "Finding", "Rule", "Severity", "Status"]
