"""The nodes' and controllers' identities collected live and judged by C004, C005 and A001. The emulated account
runs every pool on one node role that carries the autoscaler's policy, as the page builds it. moto answers Pod
Identity with 404, so `aws_front` (tests/aws_fake_server.py) serves the associations in botocore's eks shapes; the
roles they name are real ones in the emulator."""

from __future__ import annotations

import json
import uuid
from datetime import date

from domino_eks import rules
from domino_eks.collect.aws import AwsAccess, collect
from domino_eks.knowledge import iam
from domino_eks.rules.base import Severity, Status
from domino_eks.sources import snapshot as snapshots
from tests.check.support import CLUSTER, REGION, live_nodes, snapshot_parts

TARGET = {"cluster": CLUSTER}
POD_TRUST = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {
    "Service": "pods.eks.amazonaws.com"}, "Action": ["sts:AssumeRole", "sts:TagSession"]}]}


def judged(url: str, account, *rule_ids: str):
    facts, errors = collect(AwsAccess(region=REGION, endpoint_url=url), CLUSTER, TARGET, account.instances.values())
    deployment = snapshots.to_deployment({"target": TARGET, "kubernetes": snapshot_parts(live_nodes(account)),
                                          "aws": facts, "errors": errors}, today=date.today())
    return facts, errors, {rule_id: rules.REGISTRY.evaluate(deployment, [rule_id]) for rule_id in rule_ids}


def autoscaler_role(account) -> str:
    """A Pod Identity role in the emulator carrying the autoscaler's policy."""
    name = f"autoscaler-{uuid.uuid4().hex[:8]}"
    client = account.client("iam")
    client.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(POD_TRUST))
    client.put_role_policy(RoleName=name, PolicyName="autoscaler",
                           PolicyDocument=json.dumps(iam.document(iam.autoscaler_statements(CLUSTER))))
    return client.get_role(RoleName=name)["Role"]["Arn"]


def test_c005_fires_on_the_node_role_carrying_the_autoscaler_and_c004_reads_each_templates_hop_limit(
        account, aws_env):
    facts, errors, found = judged(account.url, account, "C004", "C005")
    assert ("ListPodIdentityAssociations: not supported by this endpoint (HTTP 404); the autoscaler's Pod Identity "
            "role is not followed") in errors["eks"]
    (c005,) = found["C005"]
    assert (c005.status, c005.severity) == (Status.FAIL, Severity.WARNING)
    assert c005.message.startswith(f"node role {CLUSTER}-nodes (node groups ")
    assert c005.message.endswith(") carries the permissions of the Cluster Autoscaler: every pod on those nodes can "
                                 "use them.")
    # the account's templates leave the hop limit to EC2's default, which the template does not state
    assert [(f.status, f.message) for f in found["C004"]] == [(Status.PASS, "every node requires IMDSv2.")]


def test_a001_follows_the_autoscaler_to_the_role_its_pod_identity_association_names(account, aws_env, aws_front):
    role = autoscaler_role(account)
    aws_front.pod_identities[CLUSTER] = [{
        "clusterName": CLUSTER, "namespace": "kube-system", "serviceAccount": "cluster-autoscaler",
        "roleArn": role, "associationId": "a-0123456789abcdef0",
        "associationArn": f"arn:aws:eks:{REGION}:123456789012:podidentityassociation/{CLUSTER}/a-0123456789abcdef0",
        "tags": {}, "createdAt": 1764547200, "modifiedAt": 1764547200}]

    facts, _, found = judged(aws_front.url, account, "A001")

    assert [a["roleArn"] for a in facts["pod_identity_associations"]] == [role]
    (a001,) = found["A001"]
    assert (a001.status, a001.message) == (
        Status.PASS, f"role {role.rsplit('/', 1)[-1]} (Pod Identity kube-system/cluster-autoscaler) allows every "
                     "action the Cluster Autoscaler uses.")
