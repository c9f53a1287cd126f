"""C004, C005 and A001 judged live: launch templates, instance profiles, the roles' policy documents and the Pod
Identity associations, shaped as botocore's ec2, iam and eks models give them, become the model's node roles,
hop limits and the autoscaler's grants; each rule fires on facts built for it and is quiet on hardened ones.
The collection itself runs against the emulator in test_check_command.py; the emulator answers 404 for Pod
Identity, so its shapes are served here as DescribePodIdentityAssociation returns them."""

from __future__ import annotations

import copy

from domino_eks.knowledge import iam
from domino_eks.model import AUTOSCALER_TAG_PREFIX
from domino_eks.rules.base import Severity, Status
from tests.check.test_model import asg, items_of, model, recorded_list, snapshot_of
from tests.rules.builders import findings, only

ACCOUNT = "123456789012"
POOL_TAG = AUTOSCALER_TAG_PREFIX + "node-template/label/dominodatalab.com/node-pool"
AUTODISCOVERY = {AUTOSCALER_TAG_PREFIX + "enabled": "true", AUTOSCALER_TAG_PREFIX + "domino-prod": "owned"}
CNI_DOCUMENT = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": [
    "ec2:AssignPrivateIpAddresses", "ec2:AttachNetworkInterface", "ec2:CreateNetworkInterface"], "Resource": "*"}]}
WORKER_DOCUMENT = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": [
    "ec2:DescribeInstances", "eks:DescribeCluster"], "Resource": "*"}]}
AUTOSCALER_DOCUMENT = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": list(iam.AUTOSCALER_REQUIRED + iam.AUTOSCALER_RECOMMENDED), "Resource": "*",
     "Condition": {"StringEquals": {f"aws:ResourceTag/{AUTOSCALER_TAG_PREFIX}domino-prod": "owned"}}}]}


def template(profile: str, hop_limit: int = 1, tokens: str = "required") -> dict:
    return {"InstanceType": "m5.2xlarge", "ImageId": "ami-1",
            "IamInstanceProfile": {"Arn": f"arn:aws:iam::{ACCOUNT}:instance-profile/{profile}"},
            "MetadataOptions": {"HttpTokens": tokens, "HttpPutResponseHopLimit": hop_limit, "HttpEndpoint": "enabled"}}


def profile(name: str, role: str) -> dict:
    return {"InstanceProfileName": name, "Arn": f"arn:aws:iam::{ACCOUNT}:instance-profile/{name}",
            "Roles": [{"RoleName": role, "Arn": f"arn:aws:iam::{ACCOUNT}:role/{role}"}]}


def association(service_account: str, role: str) -> dict:
    return {"clusterName": "domino-prod", "namespace": "kube-system", "serviceAccount": service_account,
            "roleArn": f"arn:aws:iam::{ACCOUNT}:role/{role}", "associationId": f"a-{service_account}",
            "associationArn": f"arn:aws:eks:us-west-2:{ACCOUNT}:podidentityassociation/domino-prod/a-{service_account}",
            "tags": {}}


HARDENED = {
    "auto_scaling_groups": [asg("domino-platform-a", "us-west-2a", 1, 3, 1, {POOL_TAG: "platform", **AUTODISCOVERY}),
                            asg("domino-default-a", "us-west-2a", 0, 10, 0, {POOL_TAG: "default", **AUTODISCOVERY})],
    "launch_templates": {"domino-platform-a": template("platform-nodes", 2),
                         "domino-default-a": template("compute-nodes", 1)},
    "instance_profiles": [profile("platform-nodes", "platform-nodes"), profile("compute-nodes", "compute-nodes")],
    "roles": {"platform-nodes": [{"name": "AmazonEKSWorkerNodePolicy", "document": WORKER_DOCUMENT}],
              "compute-nodes": [{"name": "AmazonEKSWorkerNodePolicy", "document": WORKER_DOCUMENT}]},
    "pod_identity_associations": [association("aws-node", "cni"), association("cluster-autoscaler", "autoscaler")],
    "pod_identity_roles": {"cni": [{"name": "AmazonEKS_CNI_Policy", "document": CNI_DOCUMENT}],
                           "autoscaler": [{"name": "domino-prod-autoscaler", "document": AUTOSCALER_DOCUMENT}]},
}


def deployment(change=lambda aws: None):
    """The recorded cluster without its nodes (both pools seen through their groups), with these AWS facts."""
    document = recorded_list()
    document["items"] = [i for i in document["items"] if i["kind"] != "Node"]
    assert not items_of(document, "Node")
    aws = copy.deepcopy(HARDENED)
    change(aws)
    return model(snapshot_of(document, aws=aws, target={"cluster": "domino-prod"}), file=None)


def test_each_group_has_its_role_and_hop_limit_and_the_associations_their_roles():
    access = deployment().access
    assert [(r.name, r.groups) for r in access.node_roles] == [
        ("compute-nodes", ("domino-default-a",)), ("platform-nodes", ("domino-platform-a",))]
    assert [(p.service_account, p.role) for p in access.pod_identities] == [
        ("aws-node", "cni"), ("cluster-autoscaler", "autoscaler")]
    hops = {g.name: g.metadata_hop_limit for g in deployment().groups}
    assert hops == {"domino-platform-a": 2, "domino-default-a": 1}


def test_c004_on_hardened_nodes_says_which_pool_reaches_its_role_and_why():
    (info,) = findings("C004", deployment())
    assert (info.status, info.severity, info.message) == (
        Status.FAIL, Severity.INFO, "pool platform has IMDS hop limit 2, so its pods reach its node role: Domino's "
        "platform services (nucleus, the image registry) read and write its S3 buckets.")


def test_c004_fires_on_a_group_that_accepts_imdsv1():
    def optional(aws):
        aws["launch_templates"]["domino-default-a"] = template("compute-nodes", 1, tokens="optional")

    warning = next(f for f in findings("C004", deployment(optional)) if f.severity is Severity.WARNING)
    assert warning.message == ("node group domino-default-a accepts IMDSv1: any pod, or a request forged through "
                               "one, gets the node role's credentials without a token.")


def test_c005_passes_when_the_controllers_have_their_own_roles():
    result = only("C005", deployment())
    assert (result.status, result.message) == (
        Status.PASS, "no node role carries an add-on's or the autoscaler's permissions.")


def test_c005_fires_on_a_compute_role_carrying_the_cni_and_the_autoscaler():
    def on_node_role(aws):
        aws["roles"]["compute-nodes"] += [{"name": "AmazonEKS_CNI_Policy", "document": CNI_DOCUMENT},
                                          {"name": "autoscaler", "document": AUTOSCALER_DOCUMENT}]

    result = only("C005", deployment(on_node_role))
    assert (result.status, result.message) == (
        Status.FAIL, "node role compute-nodes (node groups domino-default-a) carries the permissions of the VPC CNI, "
                     "Cluster Autoscaler: every pod on those nodes can use them.")


def test_c005_is_unknown_where_the_roles_were_not_read():
    def refused(aws):
        del aws["roles"]

    assert only("C005", deployment(refused)).status is Status.SKIP


def test_a001_follows_the_autoscaler_to_its_pod_identity_role():
    result = only("A001", deployment())
    assert (result.status, result.message) == (
        Status.PASS, "role autoscaler (Pod Identity kube-system/cluster-autoscaler) allows every action the Cluster "
                     "Autoscaler uses.")


def test_a001_without_an_association_judges_the_platform_nodes_role():
    def no_association(aws):
        aws["pod_identity_associations"] = []

    failures = findings("A001", deployment(no_association))
    assert [(f.status, f.message.split(" does not allow ")[0]) for f in failures] == [
        (Status.FAIL, "role platform-nodes"), (Status.FAIL, "role platform-nodes")]
