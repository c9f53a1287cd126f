"""What apply really builds for the control plane, read back from the emulator with describe calls: endpoint
access, logging, Secrets encryption, the key's rotation and policy, the log group; and what destroy keeps.

The emulator's DescribeCluster has no upgradePolicy (design.md), so the support policy is checked on the
CreateCluster request itself, validated against botocore's eks service model."""

from __future__ import annotations

import json

import pytest
from botocore.session import get_session
from botocore.validate import validate_parameters

from domino_eks import cli
from domino_eks.model import CONTROL_PLANE_LOG_TYPES
from domino_eks.provision import apply, plan
from domino_eks.provision.handlers.kms import USER_ACTIONS
from domino_eks.provision.walk import Silent
from domino_eks.sources import spec as spec_source
from tests.provision.support import aws_with_hooks, clients, one_deployment_per_module, unique_name, write_spec

EKS_MODEL = get_session().get_service_model("eks")


def run_cli(capsys, *args: str) -> tuple[object, str, str]:
    with pytest.raises(SystemExit) as ended:
        cli.main(list(args))
    out, err = capsys.readouterr()
    return ended.value.code, out, err


name, spec = one_deployment_per_module()  # the destroy test makes its own


@pytest.fixture(scope="module")
def created(endpoint, spec) -> dict:
    return applied_recording_create_cluster(endpoint, spec)


def applied_recording_create_cluster(endpoint, spec) -> dict:
    """The CreateCluster request apply sent, after a complete apply."""
    requests: dict = {}

    def record(params, **_):
        requests["CreateCluster"] = dict(params)

    aws = aws_with_hooks(endpoint, **{"provide-client-params.eks.CreateCluster": record})
    survey = plan.survey(aws, spec_source.load(str(spec)))
    assert apply.run(aws, survey.graph, survey.found, survey.plan, Silent()).complete
    return requests["CreateCluster"]


def secrets_key(endpoint, name) -> str:
    (config,) = clients(endpoint)["eks"].describe_cluster(name=name)["cluster"]["encryptionConfig"]
    assert config["resources"] == ["secrets"]
    return config["provider"]["keyArn"]


def test_the_endpoint_is_private_only_and_every_log_type_is_on(endpoint, name, created):
    cluster = clients(endpoint)["eks"].describe_cluster(name=name)["cluster"]
    vpc = cluster["resourcesVpcConfig"]
    assert (vpc["endpointPrivateAccess"], vpc["endpointPublicAccess"]) == (True, False)
    assert cluster["logging"] == {"clusterLogging": [{"types": list(CONTROL_PLANE_LOG_TYPES), "enabled": True}]}


def test_secrets_are_encrypted_with_a_rotating_key_only_the_account_and_the_cluster_role_may_use(
        endpoint, name, created):
    key = secrets_key(endpoint, name)
    kms, iam = clients(endpoint)["kms"], clients(endpoint)["iam"]
    assert kms.get_key_rotation_status(KeyId=key)["KeyRotationEnabled"] is True
    policy = json.loads(kms.get_key_policy(KeyId=key, PolicyName="default")["Policy"])
    cluster_role = clients(endpoint)["eks"].describe_cluster(name=name)["cluster"]["roleArn"]
    assert iam.get_role(RoleName=cluster_role.rsplit("/", 1)[1])["Role"]["Arn"] == cluster_role
    assert [(s["Principal"], s["Action"]) for s in policy["Statement"]] == [
        ({"AWS": "arn:aws:iam::123456789012:root"}, "kms:*"),
        ({"AWS": [cluster_role]}, list(USER_ACTIONS)),
    ]
    tags = {t["TagKey"]: t["TagValue"] for t in kms.list_resource_tags(KeyId=key)["Tags"]}
    assert tags["domino-eks/deployment"] == name


def test_the_log_group_is_the_tools_with_the_specs_retention_and_tags(endpoint, name, created):
    logs = clients(endpoint)["logs"]
    (group,) = logs.describe_log_groups(logGroupNamePrefix=f"/aws/eks/{name}/cluster")["logGroups"]
    assert group["retentionInDays"] == 365
    assert logs.list_tags_log_group(logGroupName=group["logGroupName"])["tags"]["domino-eks/deployment"] == name


def vpc_of(endpoint, name) -> str:
    ec2 = clients(endpoint)["ec2"]
    (vpc,) = ec2.describe_vpcs(Filters=[{"Name": "tag:domino-eks/deployment", "Values": [name]}])["Vpcs"]
    return vpc["VpcId"]


def test_the_vpc_logs_all_its_traffic_to_the_tools_log_group_through_a_role_that_may_write_only_there(
        endpoint, name, created):
    ec2, iam, logs = clients(endpoint)["ec2"], clients(endpoint)["iam"], clients(endpoint)["logs"]
    vpc = vpc_of(endpoint, name)
    (flow_log,) = ec2.describe_flow_logs(Filters=[{"Name": "resource-id", "Values": [vpc]}])["FlowLogs"]
    role_name = f"{name}-flow-logs"
    assert {key: flow_log[key] for key in ("TrafficType", "LogDestinationType", "LogGroupName",
                                           "DeliverLogsPermissionArn", "FlowLogStatus")} == {
        "TrafficType": "ALL", "LogDestinationType": "cloud-watch-logs",
        "LogGroupName": f"/aws/vpc-flow-logs/{name}",
        "DeliverLogsPermissionArn": f"arn:aws:iam::123456789012:role/{role_name}", "FlowLogStatus": "ACTIVE",
    }
    assert {t["Key"]: t["Value"] for t in flow_log["Tags"]}["domino-eks/deployment"] == name
    (group,) = logs.describe_log_groups(logGroupNamePrefix=f"/aws/vpc-flow-logs/{name}")["logGroups"]
    assert group["retentionInDays"] == 365
    assert logs.list_tags_log_group(logGroupName=group["logGroupName"])["tags"]["domino-eks/resource"] == "flow-logs"
    trust = iam.get_role(RoleName=role_name)["Role"]["AssumeRolePolicyDocument"]
    # the confused-deputy guard: the service may assume the role only for this account's own flow logs
    assert trust == {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Service": "vpc-flow-logs.amazonaws.com"}, "Action": "sts:AssumeRole",
        "Condition": {"StringEquals": {"aws:SourceAccount": "123456789012"},
                      "ArnLike": {"aws:SourceArn": "arn:aws:ec2:us-west-2:123456789012:vpc-flow-log/*"}}}]}
    (attached,) = iam.list_attached_role_policies(RoleName=role_name)["AttachedPolicies"]
    policy = iam.get_policy(PolicyArn=attached["PolicyArn"])["Policy"]
    document = iam.get_policy_version(PolicyArn=policy["Arn"], VersionId=policy["DefaultVersionId"])
    arn = f"arn:aws:logs:us-west-2:*:log-group:/aws/vpc-flow-logs/{name}"
    assert document["PolicyVersion"]["Document"] == {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow",
        "Action": ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogGroups", "logs:DescribeLogStreams"],
        "Resource": [arn, f"{arn}:*"],
    }]}


def test_the_default_group_holds_no_rules_and_every_rule_of_the_tools_groups_says_why(endpoint, name, created):
    ec2 = clients(endpoint)["ec2"]
    vpc = vpc_of(endpoint, name)
    (default,) = ec2.describe_security_groups(Filters=[{"Name": "vpc-id", "Values": [vpc]},
                                                       {"Name": "group-name", "Values": ["default"]}])["SecurityGroups"]
    assert ec2.describe_security_group_rules(
        Filters=[{"Name": "group-id", "Values": [default["GroupId"]]}])["SecurityGroupRules"] == []
    ours = ec2.describe_security_groups(
        Filters=[{"Name": "tag:domino-eks/deployment", "Values": [name]}])["SecurityGroups"]
    # read from the groups' permissions: the emulator's DescribeSecurityGroupRules leaves out the description of a
    # rule that admits another group. The egress rule EC2 gives each new group is EC2's; apply adds ingress only.
    assert sorted(pair.get("Description") for g in ours for permission in g["IpPermissions"]
                  for pair in permission["UserIdGroupPairs"]) == [
        "Control plane to kubelets and metrics", "Control plane to webhooks served by pods",
        "NFS from the nodes to the Datasets file system", "Node to node, any protocol",
        "Nodes to the Kubernetes API server",
    ]


def test_the_datasets_file_system_has_automatic_backups(endpoint, name, created):
    efs = clients(endpoint)["efs"]
    # the emulator is shared by every test of the run: its file systems take several pages
    listed = [s for page in efs.get_paginator("describe_file_systems").paginate() for s in page["FileSystems"]]
    (system,) = [s for s in listed if {"Key": "domino-eks/deployment", "Value": name} in s["Tags"]]
    assert efs.describe_backup_policy(FileSystemId=system["FileSystemId"])["BackupPolicy"]["Status"] == "ENABLED"


def test_the_support_policy_is_standard_in_a_request_the_eks_model_accepts(created):
    # not readable back: the emulator's DescribeCluster leaves upgradePolicy out
    validate_parameters(created, EKS_MODEL.operation_model("CreateCluster").input_shape)
    assert created["upgradePolicy"] == {"supportType": "STANDARD"}


def test_destroy_keeps_the_logs_and_the_key_unless_asked_then_schedules_the_key_for_deletion(
        endpoint, tmp_path, capsys):
    name = unique_name()
    spec = write_spec(tmp_path / "domino.yaml", name)
    applied_recording_create_cluster(endpoint, spec)
    key = secrets_key(endpoint, name)
    kms, logs = clients(endpoint)["kms"], clients(endpoint)["logs"]
    log_group, flow_log_group = f"/aws/eks/{name}/cluster", f"/aws/vpc-flow-logs/{name}"
    vpc = vpc_of(endpoint, name)

    code, _, err = run_cli(capsys, "destroy", str(spec), "--endpoint-url", endpoint, "--auto-approve")

    assert code == 0, err
    assert ("Kept AWS::Logs::LogGroup control-plane-logs (the logs it holds): destroy --delete-data deletes "
            "it.") in err
    assert "Kept AWS::KMS::Key secrets (the key that decrypts the cluster's Secrets)" in err
    assert "Kept AWS::Logs::LogGroup flow-logs (the logs it holds): destroy --delete-data deletes it." in err
    assert kms.describe_key(KeyId=key)["KeyMetadata"]["KeyState"] == "Enabled"
    code, _, err = run_cli(capsys, "destroy", str(spec), "--endpoint-url", endpoint, "--auto-approve")
    assert (code, err.splitlines()[-1]) == (0, "Nothing else to destroy.")
    assert [g["logGroupName"] for g in logs.describe_log_groups(logGroupNamePrefix=log_group)["logGroups"]] == [
        log_group]
    assert [g["logGroupName"] for g in logs.describe_log_groups(logGroupNamePrefix=flow_log_group)["logGroups"]] == [
        flow_log_group]
    # the flow log and the role that delivered it are gone with the VPC
    ec2, iam = clients(endpoint)["ec2"], clients(endpoint)["iam"]
    assert ec2.describe_flow_logs(Filters=[{"Name": "resource-id", "Values": [vpc]}])["FlowLogs"] == []
    assert f"{name}-flow-logs" not in [r["RoleName"] for r in iam.list_roles()["Roles"]]

    code, _, err = run_cli(capsys, "destroy", str(spec), "--endpoint-url", endpoint, "--auto-approve",
                           "--delete-data")

    assert code == 0, err
    metadata = kms.describe_key(KeyId=key)["KeyMetadata"]
    assert metadata["KeyState"] == "PendingDeletion"
    assert logs.describe_log_groups(logGroupNamePrefix=log_group)["logGroups"] == []
    assert logs.describe_log_groups(logGroupNamePrefix=flow_log_group)["logGroups"] == []
