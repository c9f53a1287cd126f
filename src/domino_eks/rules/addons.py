"""Rule K004: the EKS add-ons the deployment needs are installed, ACTIVE, healthy, and at a version EKS lists for
the cluster's Kubernetes version (DescribeAddonVersions), not behind the default one."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import partial

from domino_eks.knowledge import addons as needed
from domino_eks.model import Addon, AddonVersions, Deployment, Location
from domino_eks.rules.base import REGISTRY, Outcome, Severity, failed, passed
from domino_eks.rules.unknown import Gap, unknown

rule = partial(REGISTRY.rule, section="Beyond the page: the cluster")
_WHY = {
    "spec": "add-ons exist only on a running cluster; checked live by domino-eks check",
    "eksctl": "add-ons exist only on a running cluster; checked live by domino-eks check",
}
ACTIVE = "ACTIVE"


def version_order(version: str) -> tuple[int, ...]:
    """v1.19.2-eksbuild.1 as (1, 19, 2, 1): EKS add-on versions compare by their numbers."""
    return tuple(int(n) for n in re.findall(r"\d+", version))


def needed_addons(d: Deployment) -> tuple[str, ...]:
    """Always the five; the Pod Identity agent too where an add-on takes its role from Pod Identity."""
    uses_pod_identity = any(a.pod_identity for a in d.cluster.addons or ())
    return needed.EVERY if uses_pod_identity else needed.ALWAYS


@rule(
    "K004", Severity.ERROR,
    title="A needed EKS add-on is missing, unhealthy or at an incompatible version",
    rationale=(
        "Pods get addresses from vpc-cni, names from coredns and Services from kube-proxy; Domino's volumes "
        "need the EBS and EFS CSI drivers, and Pod Identity roles the eks-pod-identity-agent. An add-on that "
        "is missing, not ACTIVE or reports health issues breaks those silently (pods stuck ContainerCreating, "
        "volumes that never attach); one at a version EKS does not list for the cluster's Kubernetes version "
        "is untested there and blocks the next upgrade."
    ),
    fix="Install or update the add-on named in the message (`aws eks create-addon` / `aws eks update-addon "
        "--addon-version VERSION`); for health issues, `aws eks describe-addon` names the resources concerned.",
)
def addons_installed_and_current(d: Deployment) -> Iterator[Outcome]:
    installed = d.cluster.addons
    if installed is None:
        yield unknown(d, "the cluster's EKS add-ons", _WHY, (Gap.EKS, Gap.AWS))
        return
    by_name = {a.name: a for a in installed}
    for name in needed_addons(d):
        versions = (d.cluster.addon_versions or {}).get(name)
        addon = by_name.get(name)
        yield from _missing(d, name, versions) if addon is None else _judged(d, addon, versions)


def _missing(d: Deployment, name: str, versions: AddonVersions | None) -> Iterator[Outcome]:
    version = f" --addon-version {versions.default}" if versions and versions.default else ""
    yield failed(f"add-on {name} is not installed: run `aws eks create-addon --cluster-name {d.cluster.name} "
                 f"--addon-name {name}{version}`.", d.cluster.location)


def _judged(d: Deployment, addon: Addon, versions: AddonVersions | None) -> Iterator[Outcome]:
    where = Location(object=f"Addon/{addon.name}")
    if addon.status != ACTIVE or addon.health_issues:
        issues = f" with health issues: {'; '.join(i.rstrip('.') for i in addon.health_issues)}" \
            if addon.health_issues else ""
        yield failed(f"add-on {addon.name} is {addon.status or 'of unknown status'}{issues}. See `aws eks "
                     f"describe-addon --cluster-name {d.cluster.name} --addon-name {addon.name}` and fix what it "
                     "names.", where)
    if versions is None or addon.version is None:
        yield unknown(d, f"the versions of add-on {addon.name} EKS lists for Kubernetes {d.cluster.version}",
                      gaps=(Gap.EKS,))
        return
    target = versions.default or (versions.compatible[0] if versions.compatible else None)
    update = (f"`aws eks update-addon --cluster-name {d.cluster.name} --addon-name {addon.name} --addon-version "
              f"{target}`")
    if addon.version not in versions.compatible:
        move = f" Move to {target}: {update}." if target else " EKS lists no version of it for this Kubernetes."
        yield failed(f"add-on {addon.name} {addon.version} is not a version EKS lists for Kubernetes "
                     f"{d.cluster.version}.{move}", where)
    elif versions.default and version_order(addon.version) < version_order(versions.default):
        yield failed(f"add-on {addon.name} {addon.version} is behind the default version {versions.default} for "
                     f"Kubernetes {d.cluster.version}: {update}.", where, Severity.WARNING)
    else:
        yield passed("every needed add-on is installed, ACTIVE, healthy and at a compatible version.")
