"""The rule catalogue: one module per area of the page, each registering its rules in `REGISTRY`."""

from domino_eks.rules import access, domain, general, kube, network, pools, storage, zones  # noqa: F401
from domino_eks.rules.base import REGISTRY, Finding, Rule, Severity, Status

__all__ = ["REGISTRY", "Finding", "Rule", "Severity", "Status"]
