"""The account preflight of plan and apply: a vCPU quota too small, an instance type a zone does not offer, or an
existing cluster the nodes' role cannot join stops them with exit 3 before anything is created; a spec whose
private nodes have no way out (N007) is refused before any AWS call.

The account is the emulator behind `AwsFront` (tests/aws_fake_server.py), which serves the EC2 quotas moto
lacks; the emulator's DescribeInstanceTypeOfferings has real per-zone data (g5.2xlarge: not in us-west-2d).
"""

from __future__ import annotations

import json

import pytest
from pytest_httpserver import HTTPServer

from domino_eks import cli
from domino_eks.knowledge import iam
from tests.aws_fake_server import AwsFront
from tests.provision.support import REGION, clients, tagged, write_spec

ROOMY = {"L-1216C47A": 1000.0, "L-DB2E81BA": 256.0}
QUOTA_MESSAGE = (
    "G004 error: the pools need 16 vCPUs of Running On-Demand G and VT instances at their max sizes, but quota "
    "L-DB2E81BA allows 8: request L-DB2E81BA (Running On-Demand G and VT instances) of at least 20 vCPUs, or lower "
    "the pools' max sizes.\n"
    "  fix: Request the quota increase named in the message (Service Quotas console, or `aws service-quotas "
    "request-service-quota-increase --service-code ec2 --quota-code CODE --desired-value VALUE`), or lower the "
    "pools' max sizes.\n"
    "Preflight failed: nothing was created. Fix the errors above and run again.\n")


@pytest.fixture
def front(endpoint):
    server = HTTPServer(host="127.0.0.1", port=0)
    server.start()
    try:
        yield AwsFront(server, endpoint, REGION, ROOMY)
    finally:
        server.clear()
        server.stop()


def run_cli(capsys, *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as ended:
        cli.main(list(args))
    out, err = capsys.readouterr()
    return int(ended.value.code or 0), out, err


def _in_zone(spec, zone: str):
    document = json.loads(spec.read_text())
    spec.write_text(json.dumps({**document, "availabilityZones": [zone]}))
    return spec


def test_apply_refuses_a_gpu_pool_over_the_vcpu_quota_before_creating_anything(front, endpoint, name, tmp_path,
                                                                                capsys):
    front.quotas["L-DB2E81BA"] = 8.0
    spec = write_spec(tmp_path / "domino.yaml", name, gpu=True)

    code, _, err = run_cli(capsys, "apply", str(spec), "--endpoint-url", front.url, "--auto-approve")

    assert code == 3
    assert err.endswith(QUOTA_MESSAGE)
    assert tagged(endpoint, name) == {}


def test_plan_refuses_the_same_quota_with_exit_3(front, name, tmp_path, capsys):
    front.quotas["L-DB2E81BA"] = 8.0
    spec = write_spec(tmp_path / "domino.yaml", name, gpu=True)

    code, out, err = run_cli(capsys, "plan", str(spec), "--endpoint-url", front.url, "--format", "json")

    assert code == 3 and out == ""
    assert err.endswith(QUOTA_MESSAGE)


def test_apply_refuses_an_instance_type_a_zone_does_not_offer(front, endpoint, name, tmp_path, capsys):
    spec = _in_zone(write_spec(tmp_path / "domino.yaml", name, gpu=True), "us-west-2d")

    code, _, err = run_cli(capsys, "apply", str(spec), "--endpoint-url", front.url, "--auto-approve")

    assert code == 3
    assert "G005 error: node group domino-gpu: g5.2xlarge is not offered in us-west-2d (it is offered in " in err
    assert "): choose another instance type for the group or move it to a zone that offers it.\n" in err
    assert tagged(endpoint, name) == {}


def test_plan_goes_on_when_the_account_has_room(front, name, tmp_path, capsys):
    spec = write_spec(tmp_path / "domino.yaml", name, gpu=True)

    code, out, err = run_cli(capsys, "plan", str(spec), "--endpoint-url", front.url, "--format", "json")

    assert code == 0, err
    assert "Preflight" not in err
    assert {c["action"] for c in json.loads(out)["changes"]} == {"create"}
    assert front.calls == ["GetServiceQuota", "GetServiceQuota"]


def _existing_cluster(endpoint: str, front: AwsFront, name: str, entry_type: str | None) -> str:
    """A cluster of the spec's name already in the account (as a first apply interrupted after it leaves one), in
    API mode, with the nodes' role, and an access entry of `entry_type` for it (none when None). The ARN of the
    role."""
    made = clients(endpoint)
    trust = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]})
    role = made["iam"].create_role(RoleName=iam.node_role_name(name), AssumeRolePolicyDocument=trust)["Role"]["Arn"]
    made["eks"].create_cluster(name=name, version="1.35", roleArn="arn:aws:iam::123456789012:role/eks",
                               resourcesVpcConfig={"subnetIds": []})
    front.authentication_modes[name] = "API"
    front.access_entries[name] = [] if entry_type is None else [{
        "clusterName": name, "principalArn": role, "kubernetesGroups": [], "type": entry_type,
        "accessEntryArn": f"arn:aws:eks:{REGION}:123456789012:access-entry/{name}/role/123456789012/x/1a2b",
        "createdAt": 1764547200, "modifiedAt": 1764547200, "tags": {}, "username": role}]
    return role


def test_apply_refuses_an_existing_cluster_whose_node_role_entry_cannot_join(front, endpoint, name, tmp_path,
                                                                             capsys):
    role = _existing_cluster(endpoint, front, name, "STANDARD")
    spec = write_spec(tmp_path / "domino.yaml", name)
    before = tagged(endpoint, name)  # the cluster already there

    code, _, err = run_cli(capsys, "apply", str(spec), "--endpoint-url", front.url, "--auto-approve")

    assert code == 3
    assert (f"A004 error: node role {role} (node groups domino-default, domino-platform) has an access entry of "
            f"type STANDARD, not EC2_LINUX: its nodes cannot register. Replace it: `aws eks delete-access-entry "
            f"--cluster-name {name} --principal-arn {role}`, then `aws eks create-access-entry --cluster-name {name} "
            f"--principal-arn {role} --type EC2_LINUX`.\n") in err
    assert err.endswith("Preflight failed: nothing was created. Fix the errors above and run again.\n")
    assert tagged(endpoint, name) == before


def test_plan_passes_an_existing_cluster_where_apply_will_create_the_nodes_entry(front, endpoint, name, tmp_path,
                                                                                capsys):
    _existing_cluster(endpoint, front, name, None)
    spec = write_spec(tmp_path / "domino.yaml", name)

    code, _, err = run_cli(capsys, "plan", str(spec), "--endpoint-url", front.url, "--format", "json")

    assert "A004" not in err and "Preflight failed" not in err


def test_apply_refuses_private_nodes_without_a_nat_gateway_before_any_aws_call(front, endpoint, name, tmp_path,
                                                                               capsys):
    spec = write_spec(tmp_path / "domino.yaml", name)
    document = json.loads(spec.read_text())
    spec.write_text(json.dumps({**document, "network": {"natGateway": False}}))

    applied, _, _ = run_cli(capsys, "apply", str(spec), "--endpoint-url", front.url, "--auto-approve")
    planned, out, _ = run_cli(capsys, "plan", str(spec), "--endpoint-url", front.url, "--format", "json")

    assert applied == planned == 3
    assert [f["message"] for f in json.loads(out)["findings"] if f["status"] == "fail" and f["id"] == "N007"] == [
        "the nodes are private and the deployment has no NAT gateway (nor VPC endpoints, which it does not create): "
        "they cannot pull images or get credentials at boot. Turn the NAT gateway on (network.natGateway: true), or "
        "create VPC endpoints for ecr.api, ecr.dkr, s3 and sts."]
    assert front.calls == []
    assert tagged(endpoint, name) == {}
