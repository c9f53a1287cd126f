"""The ECR repository Domino uses as its external image registry: images scanned on push, tags immutable,
encrypted at rest (AES256, or the deployment's KMS key)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from domino_eks.aws import faults
from domino_eks.aws.session import Aws
from domino_eks.provision import kinds, tags
from domino_eks.provision.handlers.base import Handler, Scope, concurrently, created_or_own, retag, tolerating
from domino_eks.provision.resources import Existing

GONE = "RepositoryNotFoundException"


def _outputs(repository: Mapping[str, Any]) -> dict[str, str]:
    return {"name": repository["repositoryName"], "arn": repository["repositoryArn"],
            "uri": repository["repositoryUri"]}


def _with_tags(ecr: Any, repository: Mapping[str, Any]) -> tuple[Mapping[str, Any], dict[str, str]]:
    return repository, tags.from_aws(ecr.list_tags_for_resource(resourceArn=repository["repositoryArn"]).get("tags"))


def _settings(repository: Mapping[str, Any]) -> dict[str, Any]:
    encryption = repository.get("encryptionConfiguration") or {}
    return {
        "scan_on_push": bool((repository.get("imageScanningConfiguration") or {}).get("scanOnPush")),
        "immutable_tags": repository.get("imageTagMutability") == "IMMUTABLE",
        "encryption": {"type": encryption.get("encryptionType", "AES256"), "key": encryption.get("kmsKey")},
    }


def _named(ecr: Any, name: str) -> dict | None:
    try:
        return ecr.describe_repositories(repositoryNames=[name])["repositories"][0]
    except Exception as error:
        if faults.code_of(error) == GONE:
            return None
        raise


class Repository(Handler):
    kind = kinds.ECR_REPOSITORY
    discovers_with = ("ecr",)
    properties = frozenset({"name", "scan_on_push", "immutable_tags", "encryption", "tags"})
    observed = ("tags", "scan_on_push", "immutable_tags", "encryption")
    immutable = ("encryption",)  # ECR fixes a repository's encryption when it is created

    def discover(self, aws: Aws, scope: Scope) -> Iterable[Existing]:
        """By the name the spec gives (domino.registry.name): listing every repository of the account would cost
        a tags call each, and the emulator's tagging index does not hold repositories."""
        ecr = aws.client("ecr")
        named = concurrently(lambda name: _named(ecr, name), scope.names(self.kind))
        repositories = [repository for repository in named if repository is not None]
        for repository, found in concurrently(lambda repository: _with_tags(ecr, repository), repositories):
            if tags.belongs(found, scope.name):
                yield Existing(self.key(found), _outputs(repository), {"tags": found, **_settings(repository)})

    def request_create(self, aws: Aws, p: Mapping[str, Any]) -> Mapping[str, Any]:
        encryption: dict[str, str] = {"encryptionType": p["encryption"]["type"]}
        if p["encryption"]["key"]:
            encryption["kmsKey"] = p["encryption"]["key"]
        # CreateRepository writes the tags with the repository (its `tags` parameter)
        ecr = aws.client("ecr")
        created = created_or_own(
            "ECR repository", p["name"],
            lambda: ecr.create_repository(
                repositoryName=p["name"],
                imageTagMutability="IMMUTABLE" if p["immutable_tags"] else "MUTABLE",
                imageScanningConfiguration={"scanOnPush": p["scan_on_push"]},
                encryptionConfiguration=encryption,
                tags=tags.to_aws(p["tags"]),
            )["repository"],
            lambda: _with_tags(ecr, ecr.describe_repositories(repositoryNames=[p["name"]])["repositories"][0]),
            p["tags"], "RepositoryAlreadyExistsException",
            remedy="delete or rename it, or name another repository in domino.registry.name")
        return _outputs(created)

    def update(self, aws: Aws, existing: Existing, p: Mapping[str, Any]) -> Mapping[str, Any]:
        ecr, name = aws.client("ecr"), existing.outputs["name"]
        ecr.put_image_scanning_configuration(repositoryName=name,
                                             imageScanningConfiguration={"scanOnPush": p["scan_on_push"]})
        ecr.put_image_tag_mutability(repositoryName=name,
                                     imageTagMutability="IMMUTABLE" if p["immutable_tags"] else "MUTABLE")
        retag(existing.observed["tags"], p["tags"], lambda changed: ecr.tag_resource(
            resourceArn=existing.outputs["arn"], tags=tags.to_aws(changed)))
        return existing.outputs

    def data(self, aws: Aws, existing: Existing) -> str | None:
        listed = aws.client("ecr").list_images(repositoryName=existing.outputs["name"], maxResults=1)
        first = (listed.get("imageIds") or [None])[0]
        return f"holds images (for example {first.get('imageTag') or first.get('imageDigest')!r})" if first else None

    def request_delete(self, aws: Aws, existing: Existing) -> None:
        # force: its images are the data `data` reported, which destroy deletes only with --delete-data
        with tolerating(GONE):
            aws.client("ecr").delete_repository(repositoryName=existing.outputs["name"], force=True)
