"""K004: the add-ons the deployment needs are installed, ACTIVE, healthy, and at a version EKS lists for the
cluster's Kubernetes version — not behind the default one."""

from __future__ import annotations

from domino_eks.model import Addon, AddonVersions, Location
from domino_eks.rules import Severity, Status
from tests.rules.builders import edit, findings, from_source, only

VERSIONS = {
    "vpc-cni": AddonVersions(compatible=("v1.20.4-eksbuild.1", "v1.20.0-eksbuild.1", "v1.19.6-eksbuild.1"),
                             default="v1.20.0-eksbuild.1"),
    "coredns": AddonVersions(compatible=("v1.12.4-eksbuild.1",), default="v1.12.4-eksbuild.1"),
    "kube-proxy": AddonVersions(compatible=("v1.34.1-eksbuild.2",), default="v1.34.1-eksbuild.2"),
    "aws-ebs-csi-driver": AddonVersions(compatible=("v1.51.0-eksbuild.1",), default="v1.51.0-eksbuild.1"),
    "aws-efs-csi-driver": AddonVersions(compatible=("v2.1.13-eksbuild.1",), default="v2.1.13-eksbuild.1"),
    "eks-pod-identity-agent": AddonVersions(compatible=("v1.3.9-eksbuild.3",), default="v1.3.9-eksbuild.3"),
}


def _installed(*left_out: str, **changed: Addon) -> tuple[Addon, ...]:
    """Every add-on but the Pod Identity agent at its default version, less `left_out`, with `changed` ones."""
    default = {name: Addon(name=name, version=v.default, status="ACTIVE") for name, v in VERSIONS.items()
               if name != "eks-pod-identity-agent"}
    chosen = {**default, **{name.replace("_", "-"): addon for name, addon in changed.items()}}
    return tuple(a for name, a in chosen.items() if name not in left_out)


def _live(deployment, addons, versions=VERSIONS):
    return edit(from_source(deployment, "live"), "cluster", version="1.34", addons=addons, addon_versions=versions)


def test_k004_passes_every_needed_addon_active_at_its_default(multi_az):
    finding = only("K004", _live(multi_az, _installed()))
    assert (finding.status, finding.message) == (
        Status.PASS, "every needed add-on is installed, ACTIVE, healthy and at a compatible version.")


def test_k004_fails_a_missing_addon_naming_the_version_to_install(multi_az):
    finding = only("K004", _live(multi_az, _installed("aws-efs-csi-driver")))
    assert (finding.status, finding.severity) == (Status.FAIL, Severity.ERROR)
    assert finding.message == (
        "add-on aws-efs-csi-driver is not installed: run `aws eks create-addon --cluster-name domino-test-cluster "
        "--addon-name aws-efs-csi-driver --addon-version v2.1.13-eksbuild.1`.")


def test_k004_fails_an_unhealthy_addon_quoting_its_issues(multi_az):
    degraded = Addon(name="coredns", version="v1.12.4-eksbuild.1", status="DEGRADED",
                     health_issues=("InsufficientNumberOfReplicas: The add-on is unhealthy because it doesn't have "
                                    "the desired number of replicas.",))
    finding = only("K004", _live(multi_az, _installed(coredns=degraded)))
    assert finding.location == Location(object="Addon/coredns")
    assert finding.message == (
        "add-on coredns is DEGRADED with health issues: InsufficientNumberOfReplicas: The add-on is unhealthy "
        "because it doesn't have the desired number of replicas. See `aws eks describe-addon --cluster-name "
        "domino-test-cluster --addon-name coredns` and fix what it names.")


def test_k004_fails_an_incompatible_version_naming_the_version_to_move_to(multi_az):
    old = Addon(name="kube-proxy", version="v1.31.2-eksbuild.3", status="ACTIVE")
    finding = only("K004", _live(multi_az, _installed(kube_proxy=old)))
    assert (finding.status, finding.severity) == (Status.FAIL, Severity.ERROR)
    assert finding.message == (
        "add-on kube-proxy v1.31.2-eksbuild.3 is not a version EKS lists for Kubernetes 1.34. Move to "
        "v1.34.1-eksbuild.2: `aws eks update-addon --cluster-name domino-test-cluster --addon-name kube-proxy "
        "--addon-version v1.34.1-eksbuild.2`.")


def test_k004_warns_behind_the_default_and_passes_ahead_of_it(multi_az):
    behind = Addon(name="vpc-cni", version="v1.19.6-eksbuild.1", status="ACTIVE")
    finding = only("K004", _live(multi_az, _installed(vpc_cni=behind)))
    assert (finding.status, finding.severity) == (Status.FAIL, Severity.WARNING)
    assert finding.message == (
        "add-on vpc-cni v1.19.6-eksbuild.1 is behind the default version v1.20.0-eksbuild.1 for Kubernetes 1.34: "
        "`aws eks update-addon --cluster-name domino-test-cluster --addon-name vpc-cni --addon-version "
        "v1.20.0-eksbuild.1`.")
    ahead = Addon(name="vpc-cni", version="v1.20.4-eksbuild.1", status="ACTIVE")
    assert only("K004", _live(multi_az, _installed(vpc_cni=ahead))).status is Status.PASS


def test_k004_needs_the_pod_identity_agent_once_an_addon_uses_pod_identity(multi_az):
    with_pod_identity = Addon(name="aws-ebs-csi-driver", version="v1.51.0-eksbuild.1", status="ACTIVE",
                              pod_identity=True)
    finding = only("K004", _live(multi_az, _installed(aws_ebs_csi_driver=with_pod_identity)))
    assert finding.message.startswith("add-on eks-pod-identity-agent is not installed: ")


def test_k004_skips_a_spec_and_versions_it_could_not_read(multi_az):
    assert [f.message for f in findings("K004", multi_az)] == [
        "the cluster's EKS add-ons unknown: add-ons exist only on a running cluster; checked live by domino-eks "
        "check."]
    (finding,) = findings("K004", _live(multi_az, _installed(), versions=None))
    assert finding.status is Status.SKIP
    assert finding.message.startswith("the versions of add-on vpc-cni EKS lists for Kubernetes 1.34 unknown: ")
