"""EKS Pod Identity associations: the add-ons' controllers and the cluster autoscaler get their own roles.

Associations are listed under the cluster discovery found, like add-ons. The emulator does not implement them
and answers 404: discovery and apply report them as not supported there and go on.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from domino_eks.aws.session import Aws
from domino_eks.provision import kinds, tags
from domino_eks.provision.handlers.base import Handler, Scope, ids, retag, tolerating
from domino_eks.provision.handlers.eks import CLUSTER_GONE, _cluster_children, _eks_tags
from domino_eks.provision.resources import Existing


class PodIdentityAssociation(Handler):
    kind = kinds.EKS_POD_IDENTITY
    discovers_with = ("eks",)
    found_through = (kinds.EKS_CLUSTER,)
    properties = frozenset({"cluster_name", "namespace", "service_account", "role_arn", "tags"})
    observed = ("tags", "role_arn")

    def discover(self, aws: Aws, scope: Scope) -> Iterable[Existing]:
        eks = aws.client("eks")
        described = _cluster_children(eks, "list_pod_identity_associations", "associations",
                                      lambda cluster, listed: eks.describe_pod_identity_association(
                                          clusterName=cluster, associationId=listed["associationId"])["association"],
                                      scope)
        for cluster, _, association in described:
            found = association.get("tags") or {}
            if tags.belongs(found, scope.name):
                yield Existing(self.key(found), {"id": association["associationId"], "cluster_name": cluster},
                               {"tags": found, "role_arn": association["roleArn"]},
                               ids((kinds.EKS_CLUSTER, cluster), (kinds.IAM_ROLE, association["roleArn"])))

    def request_create(self, aws: Aws, p: Mapping[str, Any]) -> Mapping[str, Any]:
        association = aws.client("eks").create_pod_identity_association(
            clusterName=p["cluster_name"], namespace=p["namespace"], serviceAccount=p["service_account"],
            roleArn=p["role_arn"], tags=p["tags"],
        )["association"]
        return {"id": association["associationId"], "cluster_name": p["cluster_name"]}

    def update(self, aws: Aws, existing: Existing, p: Mapping[str, Any]) -> Mapping[str, Any]:
        eks = aws.client("eks")
        if existing.observed["role_arn"] != p["role_arn"]:
            eks.update_pod_identity_association(clusterName=existing.outputs["cluster_name"],
                                                associationId=existing.outputs["id"], roleArn=p["role_arn"])
        association_arn = eks.describe_pod_identity_association(
            clusterName=existing.outputs["cluster_name"], associationId=existing.outputs["id"],
        )["association"]["associationArn"]
        retag(existing.observed["tags"], p["tags"], _eks_tags(eks, association_arn))
        return existing.outputs

    def request_delete(self, aws: Aws, existing: Existing) -> None:
        with tolerating(CLUSTER_GONE):
            aws.client("eks").delete_pod_identity_association(clusterName=existing.outputs["cluster_name"],
                                                              associationId=existing.outputs["id"])
