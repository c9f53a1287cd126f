"""What apply really builds for the nodes' and controllers' AWS identities, read back from the emulator: a role
per kind of pool with only what its nodes need, IMDSv2 required with each pool's hop limit on its launch
templates, and a Pod Identity role per controller trusting EKS's pods.

The emulator does not implement Pod Identity associations or add-ons (it answers 404), so the association
requests apply sends are checked against botocore's eks service model instead."""

from __future__ import annotations

import json

import pytest
from botocore.session import get_session
from botocore.validate import validate_parameters

from domino_eks.knowledge import iam
from domino_eks.provision import apply, plan
from domino_eks.provision.walk import Silent
from domino_eks.sources import spec as spec_source
from tests.provision.support import aws_with_hooks, clients, one_deployment_per_module

EKS_MODEL = get_session().get_service_model("eks")
NODE_POLICIES = ["AmazonEC2ContainerRegistryReadOnly", "AmazonEKSWorkerNodePolicy"]


name, spec = one_deployment_per_module()


@pytest.fixture(scope="module")
def associations(endpoint, spec) -> list[dict]:
    """The CreatePodIdentityAssociation requests a complete apply sent, with a hop limit of 1 on the default pool."""
    spec.write_text(spec.read_text().replace('"name": "default",', '"name": "default", "imdsHopLimit": 1,'))
    sent: list[dict] = []
    aws = aws_with_hooks(endpoint, **{
        "provide-client-params.eks.CreatePodIdentityAssociation": lambda params, **_: sent.append(dict(params))})
    survey = plan.survey(aws, spec_source.load(str(spec)))
    assert apply.run(aws, survey.graph, survey.found, survey.plan, Silent()).complete
    return sent


def attached(endpoint, role: str) -> list[str]:
    listed = clients(endpoint)["iam"].list_attached_role_policies(RoleName=role)["AttachedPolicies"]
    return sorted(p["PolicyName"] for p in listed)


def document(endpoint, policy_name: str) -> dict:
    client = clients(endpoint)["iam"]
    arn = f"arn:aws:iam::123456789012:policy/{policy_name}"
    version = client.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"]
    return client.get_policy_version(PolicyArn=arn, VersionId=version)["PolicyVersion"]["Document"]


def test_platform_and_compute_nodes_have_roles_of_their_own_carrying_no_controller_policy(
        endpoint, name, associations):
    assert attached(endpoint, f"{name}-platform-nodes") == sorted(
        [*NODE_POLICIES, f"{name}-registry-access", f"{name}-s3-access"])
    assert attached(endpoint, f"{name}-compute-nodes") == sorted([*NODE_POLICIES, f"{name}-compute-s3-access"])
    compute = document(endpoint, f"{name}-compute-s3-access")
    assert [s["Resource"] for s in compute["Statement"]] == [
        [f"arn:aws:s3:::{name}-user-data"], [f"arn:aws:s3:::{name}-user-data/*"]]


def test_every_launch_template_requires_imdsv2_with_its_pools_hop_limit_and_role(endpoint, name, associations):
    ec2, iam_client = clients(endpoint)["ec2"], clients(endpoint)["iam"]
    found = {}
    for template in ec2.describe_launch_templates(
            Filters=[{"Name": "tag:domino-eks/deployment", "Values": [name]}])["LaunchTemplates"]:
        (version,) = ec2.describe_launch_template_versions(
            LaunchTemplateId=template["LaunchTemplateId"], Versions=["$Latest"])["LaunchTemplateVersions"]
        data = version["LaunchTemplateData"]
        profile = data["IamInstanceProfile"]["Arn"].rsplit("/", 1)[-1]
        (role,) = iam_client.get_instance_profile(InstanceProfileName=profile)["InstanceProfile"]["Roles"]
        found[template["LaunchTemplateName"]] = (
            data["MetadataOptions"]["HttpTokens"], data["MetadataOptions"]["HttpPutResponseHopLimit"], role["RoleName"])
    assert found == {f"{name}-domino-platform": ("required", 2, f"{name}-platform-nodes"),
                     f"{name}-domino-default": ("required", 1, f"{name}-compute-nodes")}


def test_each_controller_has_a_pod_identity_role_and_an_association_eks_accepts(endpoint, name, associations):
    iam_client = clients(endpoint)["iam"]
    for controller in iam.CONTROLLERS:
        role = iam_client.get_role(RoleName=f"{name}-{controller.service_account}")["Role"]
        trust = role["AssumeRolePolicyDocument"]
        trust = json.loads(trust) if isinstance(trust, str) else trust
        assert trust["Statement"] == [{"Effect": "Allow", "Principal": {"Service": "pods.eks.amazonaws.com"},
                                       "Action": ["sts:AssumeRole", "sts:TagSession"]}]
        expected = [controller.managed_policy.rsplit("/", 1)[-1]] if controller.managed_policy else [
            f"{name}-autoscaler"]
        assert attached(endpoint, role["RoleName"]) == expected
    model = EKS_MODEL.operation_model("CreatePodIdentityAssociation").input_shape
    for request in associations:
        validate_parameters(request, model)  # raises ParamValidationError on a malformed request
    assert sorted((r["namespace"], r["serviceAccount"], r["roleArn"].rsplit("/", 1)[-1]) for r in associations) == \
        sorted(("kube-system", c.service_account, f"{name}-{c.service_account}") for c in iam.CONTROLLERS)
    assert all(r["clusterName"] == name and r["tags"]["domino-eks/deployment"] == name for r in associations)
