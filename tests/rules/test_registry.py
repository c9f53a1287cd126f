"""S010: Domino's registry storage exists, is private and encrypted, and the nodes may use it."""

from __future__ import annotations

import pytest

from domino_eks.knowledge import iam
from domino_eks.model import Access, Grants, Registry, Statement
from domino_eks.rules import Severity, Status
from domino_eks.sources import eksctl
from tests.conftest import PAGE_MULTI_AZ, TODAY, load_example
from tests.rules.builders import findings, only

ECR_URI = "123456789012.dkr.ecr.us-west-2.amazonaws.com/domino-test-cluster"


def with_registry(deployment, registry: Registry | None = None, grants: Access | None = None):
    domino = deployment.domino.model_copy(update={"registry": registry or deployment.domino.registry})
    return deployment.model_copy(update={"domino": domino, **({"access": grants} if grants else {})})


@pytest.mark.parametrize("registry", ["s3", "ecr"])
def test_s010_passes_what_apply_builds(registry):
    deployment = load_example("multi-az.yaml", domino={"registry": {"type": registry}})
    finding = only("S010", deployment)
    what = ("registry bucket domino-test-cluster-registry" if registry == "s3"
            else "ECR repository domino-test-cluster")
    assert (finding.status, finding.message) == (
        Status.PASS, f"{what} is private and encrypted, and the nodes may push and pull there.")


def test_s010_fails_a_public_unencrypted_bucket(multi_az):
    assert multi_az.domino.registry is not None
    registry = multi_az.domino.registry.model_copy(update={"blocks_public_access": False, "encrypted": False})
    failures = [f.message for f in findings("S010", with_registry(multi_az, registry)) if f.status is Status.FAIL]
    assert failures == [
        "registry bucket domino-test-cluster-registry is not private: public access is not blocked.",
        "registry bucket domino-test-cluster-registry is not encrypted at rest.",
    ]


def test_s010_fails_when_the_nodes_may_not_push_to_the_repository():
    deployment = load_example("multi-az.yaml", domino={"registry": {"type": "ecr"}})
    assert deployment.domino.registry is not None
    registry = deployment.domino.registry.model_copy(update={"uri": ECR_URI})
    pull_only = Grants(where="role domino-test-cluster-nodes", statements=(
        Statement(effect="Allow", actions=("ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer",
                                           "ecr:BatchCheckLayerAvailability", "ecr:GetAuthorizationToken"),
                  resources=("*",)),))
    access = deployment.access.model_copy(update={"registry": pull_only, "node_role": None})
    finding = only("S010", with_registry(deployment, registry, access))
    arn = "arn:aws:ecr:us-west-2:123456789012:repository/domino-test-cluster"
    assert (finding.status, finding.severity) == (Status.FAIL, Severity.ERROR)
    assert finding.message == (
        f"the nodes' role may not ecr:InitiateLayerUpload on {arn}; ecr:UploadLayerPart on {arn}; "
        f"ecr:CompleteLayerUpload on {arn}; ecr:PutImage on {arn}: Domino cannot push or pull its images in "
        "ECR repository domino-test-cluster.")


def test_s010_reads_the_registry_grants_from_a_live_roles_single_policy_set(multi_az):
    """A live role holds every grant in node_role; the registry's among them count."""
    statements = (*iam.s3_statements(["domino-test-cluster-registry"]),)
    access = Access(node_role=Grants(where="role live-nodes", statements=statements))
    assert only("S010", with_registry(multi_az, grants=access)).status is Status.PASS


def test_s010_skips_an_eksctl_file_which_declares_no_registry():
    finding = only("S010", eksctl.load(str(PAGE_MULTI_AZ), today=TODAY))
    assert (finding.status, finding.message) == (
        Status.SKIP, "the registry storage unknown: an eksctl ClusterConfig does not declare it; declare "
                     "domino.registry in a domino-eks spec, or check live with --spec.")

