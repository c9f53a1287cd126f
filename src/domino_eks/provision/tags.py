"""How apply marks what it creates, and how discovery recognises it again: tags, and names AWS can hold."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping

from domino_eks.knowledge import iam

DEPLOYMENT = iam.DEPLOYMENT_TAG  # value: the cluster name; discovery filters on it (and the KMS policies, C006)
RESOURCE = "domino-eks/resource"  # value: the logical name, which maps a found resource back to the graph
AWS_RESERVED_PREFIX = "aws:"


def of(deployment: str, logical: str, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The tags of one resource: the user's, then ours (which the user cannot override)."""
    return {
        **(extra or {}),
        "Name": f"{deployment}-{logical}",
        DEPLOYMENT: deployment,
        RESOURCE: logical,
    }


def to_aws(tags: Mapping[str, str]) -> list[dict[str, str]]:
    return [{"Key": key, "Value": value} for key, value in sorted(tags.items())]


def from_aws(tags: Iterable[Mapping[str, str]] | None) -> dict[str, str]:
    """The tags a user or apply set; AWS's own (aws:autoscaling:groupName...) cannot be changed and are left out."""
    return {
        tag["Key"]: tag["Value"] for tag in tags or () if not tag["Key"].startswith(AWS_RESERVED_PREFIX)
    }


def filters(deployment: str) -> list[dict]:
    """The EC2-style filter that finds one deployment's resources."""
    return [{"Name": f"tag:{DEPLOYMENT}", "Values": [deployment]}]


def belongs(tags: Mapping[str, str], deployment: str) -> bool:
    return tags.get(DEPLOYMENT) == deployment and RESOURCE in tags


def bounded(name: str, limit: int) -> str:
    """`name` if AWS accepts its length, else cut and made unique again by a short digest of the whole."""
    if len(name) <= limit:
        return name
    digest = hashlib.sha256(name.encode()).hexdigest()[:8]
    return f"{name[: limit - len(digest) - 1]}-{digest}"
