"""The IAM policies the page asks for, as strict JSON: node access to the three buckets, and the autoscaler's;
what current Domino adds: node access to its registry storage; and the compute nodes' own, narrower grants.

The statements come from `domino_eks.knowledge.iam`, the same builders `apply` attaches, so the files show
exactly what the tool grants. JSON has no comments: a bucket the source does not name is written as
`__FILL__-<role>-bucket`, which names the bucket to put there.
"""

from __future__ import annotations

import json

from domino_eks.knowledge import iam
from domino_eks.model import BUCKET_ROLES, Deployment
from domino_eks.render.manifests import FILL


def bucket_names(deployment: Deployment) -> list[str]:
    """The three bucket names in role order, a marked placeholder for each one the source does not know."""
    known = {b.role: b.name for b in deployment.storage.buckets or ()}
    return [known.get(role, f"{FILL}-{role.replace('_', '-')}-bucket") for role in BUCKET_ROLES]


def uses_autoscaler(deployment: Deployment) -> bool:
    """Whether the rendered files set the autoscaler up. Unknown (an eksctl file with neither its policy nor its
    tags) counts as not used, in every file alike: an installer told to autodiscover node groups that carry no
    autodiscovery tag would scale nothing, and rendering a rendered file must change nothing."""
    return deployment.autoscaler.enabled is True


def s3_access_policy(deployment: Deployment) -> str:
    return _json(iam.document(iam.s3_statements(bucket_names(deployment))))


def registry_access_policy(deployment: Deployment) -> str | None:
    """What the nodes' role needs on the registry storage; None when the source names none (an eksctl file)."""
    grants = deployment.access.registry
    return _json(iam.document(grants.statements)) if grants is not None else None


def autoscaler_policy(deployment: Deployment) -> str:
    return _json(iam.document(iam.autoscaler_statements(deployment.cluster.declared_name)))


# the policies the page names, written by the functions above whatever the source (eksctl files too)
PAGE_POLICIES = frozenset({"s3-access", "registry-access", "autoscaler"})


def other_policies(deployment: Deployment) -> dict[str, str]:
    """File name -> JSON of each other policy of ours apply attaches: to a node role, the compute nodes' narrower S3
    (and an ECR registry's) grants; to an add-on controller's Pod Identity role beside its AWS-managed one, the EBS
    CSI controller's use of the deployment's KMS key (C006)."""
    held = [role.policies for role in deployment.access.node_roles or ()] + [
        identity.policies for identity in deployment.access.pod_identities or ()]
    return {f"{name}-policy.json": _json(iam.document(statements))
            for policies in held for name, statements in policies.items() if name not in PAGE_POLICIES}


def _json(document: dict) -> str:
    return json.dumps(document, indent=2) + "\n"
