"""Flow logs to an S3 bucket the spec names (security.flowLogsBucket), read back from the emulator: the VPC's flow
log delivers there, apply makes no log group or role for it, and a second plan finds nothing to change."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from domino_eks.provision import apply, kinds, plan
from domino_eks.provision.resources import Key
from domino_eks.provision.walk import Silent
from domino_eks.sources import spec as spec_source
from tests.provision.support import REGION, aws_with_hooks, clients


def test_the_flow_log_goes_to_the_bucket_the_spec_names_and_apply_makes_no_group_or_role_for_it(endpoint, spec, name):
    aws_clients = clients(endpoint)
    s3, ec2, logs, iam = (aws_clients[service] for service in ("s3", "ec2", "logs", "iam"))
    bucket = f"{name}-vpc-flow-logs"
    s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": REGION})
    document = json.loads(spec.read_text())
    spec.write_text(json.dumps({**document, "security": {"flowLogsBucket": bucket}}))
    aws = aws_with_hooks(endpoint)
    survey = plan.survey(aws, spec_source.load(str(spec)))
    assert apply.run(aws, survey.graph, survey.found, survey.plan, Silent()).complete

    (vpc,) = ec2.describe_vpcs(Filters=[{"Name": "tag:domino-eks/deployment", "Values": [name]}])["Vpcs"]
    (flow_log,) = ec2.describe_flow_logs(Filters=[{"Name": "resource-id", "Values": [vpc["VpcId"]]}])["FlowLogs"]
    assert {key: flow_log.get(key) for key in ("TrafficType", "LogDestinationType", "LogDestination",
                                               "DeliverLogsPermissionArn", "FlowLogStatus")} == {
        "TrafficType": "ALL", "LogDestinationType": "s3", "LogDestination": f"arn:aws:s3:::{bucket}",
        "DeliverLogsPermissionArn": None, "FlowLogStatus": "ACTIVE",
    }
    assert logs.describe_log_groups(logGroupNamePrefix=f"/aws/vpc-flow-logs/{name}")["logGroups"] == []
    with pytest.raises(ClientError, match="NoSuchEntity"):
        iam.get_role(RoleName=f"{name}-flow-logs")

    again = plan.survey(aws, spec_source.load(str(spec))).plan
    (change,) = [c for c in again.changes if c.key == Key(kinds.FLOW_LOG, "vpc")]
    assert change.action == "unchanged"
