"""Rule S010: storage for Domino's image registry ("Blob storage"; current Domino's installer requires it)."""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial

from domino_eks.knowledge import iam, regions
from domino_eks.model import Deployment, Registry, Statement
from domino_eks.rules.base import REGISTRY, Outcome, Severity, failed, passed
from domino_eks.rules.unknown import Gap, unknown

blob_rule = partial(REGISTRY.rule, section="Blob storage")
_NOT_DECLARED = {
    "eksctl": "an eksctl ClusterConfig does not declare it; declare domino.registry in a domino-eks spec, or "
              "check live with --spec",
    "live": "no spec or option names it: pass --spec with domino.registry, or --registry KIND=NAME",
    "dump": "the dump holds no registry storage: take it with `domino-eks snapshot --spec` (or --registry)",
}


@blob_rule(
    "S010", Severity.ERROR,
    title="Domino's image registry has no private, encrypted storage the nodes may use",
    rationale=(
        "Domino builds an image for every environment and model and keeps it in its registry. Domino 6.x's "
        "installer refuses a configuration without one: either the internal registry on an S3 bucket, or an "
        "external registry such as an ECR repository. The images hold users' code and packages, so the storage "
        "must be private and encrypted, and the nodes' role must be able to push and pull there."
    ),
    fix="Declare domino.registry in the spec (type s3, the default, or ecr) and let domino-eks apply create it "
        "with the nodes' registry policy; for storage of your own, block public access, turn on encryption and "
        "grant the node role the actions iam/registry-access-policy.json lists.",
)
def registry_storage(d: Deployment) -> Iterator[Outcome]:
    registry = d.domino.registry
    if registry is None:
        yield unknown(d, "the registry storage", _NOT_DECLARED, (Gap.S3, Gap.ECR, Gap.AWS))
        return
    what = _described(registry)
    if registry.exists is False:
        yield failed(f"{what} does not exist: Domino's installer has nowhere to keep its images.", registry.location)
        return
    settings = (
        (registry.blocks_public_access, "is not private: public access is not blocked"),
        (registry.encrypted, "is not encrypted at rest"),
    )
    problems = [failed(f"{what} {consequence}.", registry.location)
                for value, consequence in settings if value is False]
    if any(value is None for value, _ in settings):
        yield unknown(d, f"the settings of {what}", gaps=(Gap.S3, Gap.ECR, Gap.AWS))
        return
    statements = _node_statements(d)
    if statements is None:
        yield from problems
        yield unknown(d, "the node role's policies", gaps=(Gap.IAM, Gap.AWS))
        return
    missing = [f"{action} on {resource}" for action, resource in _needed(d, registry)
               if not iam.allows(statements, action, resource)]
    if missing:
        problems.append(failed(f"the nodes' role may not {'; '.join(missing)}: Domino cannot push or pull its "
                               f"images in {what}.", registry.location))
    yield from problems or [passed(f"{what} is private and encrypted, and the nodes may push and pull there.")]


def _described(registry: Registry) -> str:
    return f"registry bucket {registry.name}" if registry.kind == "s3" else f"ECR repository {registry.name}"


def _node_statements(d: Deployment) -> tuple[Statement, ...] | None:
    """Every statement the nodes' role holds: its registry grants and the rest (a live role holds all in one)."""
    grants = [g for g in (d.access.registry, d.access.node_role) if g is not None]
    return tuple(s for g in grants for s in g.statements) if grants else None


def _needed(d: Deployment, registry: Registry) -> list[tuple[str, str]]:
    if registry.kind == "s3":
        arn = iam.bucket_arn(registry.name)
        return [(a, arn) for a in iam.S3_BUCKET_ACTIONS] + [(a, f"{arn}/*") for a in iam.S3_OBJECT_ACTIONS]
    region = d.cluster.region or "*"
    arn = iam.ecr_repository_arn(registry.name, region, regions.partition(d.cluster.region or ""),
                                 account=_account(registry))
    return [(a, arn) for a in iam.ECR_REPOSITORY_ACTIONS] + [(iam.ECR_TOKEN_ACTION, "*")]


def _account(registry: Registry) -> str:
    """The repository's account, from its URI (<account>.dkr.ecr.<region>.amazonaws.com/<name>) once known."""
    return registry.uri.split(".", 1)[0] if registry.uri else "*"
