"""`domino-eks check` and `snapshot` through the console script: exit codes, every output format parsed as its
consumer would, a live check of the emulated account, the same check offline from a snapshot, and drift."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import jsonschema
import pytest

from domino_eks import rules
from tests.check.support import (
    BUCKETS,
    CLUSTER,
    FQDN,
    REGISTRY,
    SARIF_SCHEMA,
    default_group,
    items_of,
    live_nodes,
    recorded_list,
    run_cli,
    serve_cluster,
)

SPEC = """\
apiVersion: domino-eks.io/v1alpha1
kind: DominoCluster
metadata: {name: domino-prod, region: us-west-2, version: "1.35"}
availabilityZones: [us-west-2a, us-west-2b, us-west-2c]
nodePools:
  - {name: platform, instanceType: m5.2xlarge, volumeSize: 128, minSize: 1, maxSize: 1}
  - {name: default, instanceType: m5.2xlarge, volumeSize: 400, minSize: 1, maxSize: %(default_max)s,
     labels: {domino/build-node: "true"}}
  - {name: gpu, label: default-gpu, instanceType: g5.2xlarge, volumeSize: 400, minSize: 0, maxSize: 5,
     labels: {nvidia.com/gpu: "true"}, taints: [{key: nvidia.com/gpu, value: "true", effect: NoSchedule}]}
%(extra_pool)s
storage:
  buckets: {userData: domino-prod-user-data, logs: domino-prod-logs, backups: domino-prod-backups}
domain: {fqdn: domino.example.com}
domino: {registry: {type: ecr, name: domino-prod}}
"""
LARGE_POOL = "  - {name: large, instanceType: m5.4xlarge, volumeSize: 400, minSize: 0, maxSize: 10}"


def dump(tmp_path, change=None, name: str = "cluster.json") -> str:
    document = recorded_list()
    if change:
        change(document)
    path = tmp_path / name
    path.write_text(json.dumps(document, indent=4))
    return str(path)


def without_platform(document: dict) -> None:
    document["items"] = [i for i in document["items"]
                         if i["kind"] != "Node" or i["metadata"]["labels"]["dominodatalab.com/node-pool"] != "platform"]


def smaller_platform(document: dict) -> None:
    """Platform nodes of 4 vCPU / 16 GiB: a warning (P003), not an error."""
    for node in items_of(document, "Node"):
        labels = node["metadata"]["labels"]
        if labels["dominodatalab.com/node-pool"] == "platform":
            labels["node.kubernetes.io/instance-type"] = labels["beta.kubernetes.io/instance-type"] = "m5.xlarge"


def findings(completed) -> dict[str, list[dict]]:
    by_id: dict[str, list[dict]] = {}
    for finding in json.loads(completed.stdout)["findings"]:
        by_id.setdefault(finding["id"], []).append(finding)
    return by_id


def test_a_cluster_ready_for_domino_exits_0_even_when_strict(tmp_path):
    completed = run_cli("check", "--from-file", dump(tmp_path), "--format", "json", "--strict")

    summary = json.loads(completed.stdout)["summary"]
    assert completed.returncode == 0, completed.stderr
    assert (summary["errors"], summary["warnings"], summary["rules"]) == (0, 0, len(rules.REGISTRY))


def test_an_error_finding_exits_3(tmp_path):
    completed = run_cli("check", "--from-file", dump(tmp_path, without_platform), "--format", "json")

    assert completed.returncode == 3
    assert findings(completed)["P001"][0]["status"] == "fail"


def test_warnings_exit_4_only_with_strict(tmp_path):
    path = dump(tmp_path, smaller_platform)

    lenient, strict = run_cli("check", "--from-file", path), run_cli("check", "--from-file", path, "--strict")

    assert (lenient.returncode, strict.returncode) == (0, 4)
    assert "P003" in lenient.stdout


def test_unusable_input_exits_2_naming_the_file_line_and_column(tmp_path):
    broken = tmp_path / "broken.json"
    broken.write_text('{"apiVersion": "v1",\n "items": [}\n')

    completed = run_cli("check", "--from-file", str(broken))

    assert completed.returncode == 2
    assert f"{broken}:2:12: invalid JSON" in completed.stderr and "Traceback" not in completed.stderr


def test_a_dump_missing_fields_kubectl_always_writes_is_unusable_input(tmp_path):
    path = dump(tmp_path, lambda document: document["items"].append({"apiVersion": "v1", "kind": "Namespace"}))

    completed = run_cli("check", "--from-file", path)

    assert completed.returncode == 2
    assert completed.stderr == (f"error: {path}: items[23]: expected a Kubernetes object with a kind and metadata, "
                                "found an object with keys apiVersion, kind\n")


# a label key can be no string only in YAML (JSON's keys are strings; ruamel makes a sequence key a tuple); node
# facts refuse either, key or value, and say where
@pytest.mark.parametrize(("suffix", "label", "refused"), [
    (".json", '"team": 7', "items[0].metadata.labels[...]: expected `str`, got `int`"),
    (".yaml", "7: team", "items[0].metadata.labels: expected `str`, got `int` for a key"),
    (".yaml", "[a, b]: team", "items[0].metadata.labels: expected `str`, got `array` for a key"),
])
def test_a_node_label_that_is_no_string_is_unusable_input(tmp_path, suffix, label, refused):
    path = tmp_path / f"cluster{suffix}"
    path.write_text('{"apiVersion": "v1", "kind": "List", "items": [{"apiVersion": "v1", "kind": "Node", '
                    f'"metadata": {{"name": "ip-10-0-1-5", "labels": {{{label}}}}}}}]}}' if suffix == ".json" else
                    "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Node\n  metadata:\n"
                    f"    name: ip-10-0-1-5\n    labels: {{{label}}}\n")

    completed = run_cli("check", "--from-file", str(path))

    assert completed.returncode == 2
    assert completed.stderr == f"error: {path}: {refused}\n"




def test_a_dump_cannot_be_probed(tmp_path):
    completed = run_cli("check", "--from-file", dump(tmp_path), "--probe")

    assert completed.returncode == 2 and "cannot be combined with --probe" in completed.stderr


def test_a_dump_cannot_have_its_insights_refreshed(tmp_path):
    completed = run_cli("check", "--from-file", dump(tmp_path), "--refresh-insights")

    assert completed.returncode == 2 and "cannot be combined with --refresh-insights" in completed.stderr


@pytest.mark.parametrize("pair", ["data=domino-prod-data", "logs=", "backups"])
def test_a_bucket_option_of_no_known_role_is_unusable_input_naming_the_roles(tmp_path, pair):
    completed = run_cli("check", "--from-file", dump(tmp_path), "--bucket", pair)

    assert completed.returncode == 2 and "Traceback" not in completed.stderr
    assert f"{pair!r}: expected ROLE=NAME with ROLE one of user-data, logs, backups" in completed.stderr


def test_a_snapshot_is_judged_as_of_the_day_it_was_taken(tmp_path):
    snapshot = {"kind": "domino-eks/snapshot", "version": 1, "collected_at": "2026-11-24T08:00:00+00:00",
                "target": {"cluster": "domino-prod", "fqdn": FQDN}, "errors": {},
                "aws": {"certificates": [{"CertificateArn": "arn:aws:acm:us-west-2:1:certificate/c", "DomainName": FQDN,
                                          "Status": "ISSUED", "NotAfter": "2026-12-04T00:00:00+00:00"}]}}
    path = tmp_path / "snapshot.json"
    path.write_text(json.dumps(snapshot))

    completed = run_cli("check", "--from-file", dump(tmp_path), "--from-file", str(path), "--format", "json")

    d002 = findings(completed)["D002"]
    assert [(f["status"], f["severity"]) for f in d002] == [("fail", "warning")]
    assert "expires in 10 days" in d002[0]["message"]


def test_json_lists_every_rule_once_or_more(tmp_path):
    completed = run_cli("check", "--from-file", dump(tmp_path, smaller_platform), "--format", "json")

    assert set(findings(completed)) == set(rules.REGISTRY.ids())


def test_junit_has_one_testcase_per_rule_and_fails_the_warning(tmp_path):
    completed = run_cli("check", "--from-file", dump(tmp_path, smaller_platform), "--format", "junit")

    suite = ET.fromstring(completed.stdout).find("testsuite")
    assert suite is not None
    cases = {case.attrib["name"].split()[0]: case for case in suite.iter("testcase")}
    assert set(cases) == set(rules.REGISTRY.ids()) and suite.get("tests") == str(len(cases))
    failure = cases["P003"].find("failure")
    assert failure is not None and failure.get("type") == "warning"
    assert int(suite.attrib["failures"]) == sum(c.find("failure") is not None for c in cases.values())
    assert cases["S003"].find("skipped") is not None


def test_sarif_is_valid_and_reports_each_failure_in_the_dump_it_came_from(tmp_path):
    path = dump(tmp_path, smaller_platform)

    completed = run_cli("check", "--from-file", path, "--format", "sarif")

    log = json.loads(completed.stdout)
    jsonschema.validate(log, json.loads(SARIF_SCHEMA.read_text()))
    run = log["runs"][0]
    assert {r["id"] for r in run["tool"]["driver"]["rules"]} == set(rules.REGISTRY.ids())
    p003 = next(r for r in run["results"] if r["ruleId"] == "P003")
    assert p003["level"] == "warning"
    assert p003["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == f"file://{path}"


def check_live(kubeconfig, endpoint: str, aws_env, *extra: str):
    return run_cli("check", "--kubeconfig", str(kubeconfig), "--endpoint-url", endpoint, "--format", "json",
                   *extra, env=aws_env)


LIVE_TARGET = ("--fqdn", FQDN, *[f"--bucket={role.replace('_', '-')}={name}" for role, name in BUCKETS.items()],
               f"--registry={REGISTRY['kind']}={REGISTRY['name']}")


def test_a_live_check_reads_the_cluster_and_the_account(httpserver, kubeconfig, account, aws_env, aws_front):
    serve_cluster(httpserver, live_nodes(account))

    completed = check_live(kubeconfig, aws_front.url, aws_env, *LIVE_TARGET)

    assert completed.returncode == 0, completed.stderr
    statuses = {f["id"]: f["status"] for f in json.loads(completed.stdout)["findings"]}
    # the emulator's DescribeCluster has no upgradePolicy (design.md), so C007 can only skip here;
    # tests/check/test_hardening_live.py judges it on EKS's real answer
    assert statuses.pop("C007") == "skip"
    assert "skip" not in statuses.values()
    assert json.loads(completed.stdout)["source"] == "cluster domino-prod, kubeconfig context (current)"
    group = default_group(account.client("ec2"), account.vpc_id)
    assert [f["message"] for f in findings(completed)["C009"]] == [
        f"VPC {account.vpc_id} has flow logs on; default security group {group} of VPC {account.vpc_id} holds no "
        "rules."]


def test_a_live_check_names_the_rule_a_default_group_holds_and_a_vpc_without_flow_logs(
        httpserver, kubeconfig, account, aws_env, aws_front):
    serve_cluster(httpserver, live_nodes(account))
    ec2 = account.client("ec2")
    group = default_group(ec2, account.vpc_id)
    (flow_log,) = ec2.describe_flow_logs(
        Filters=[{"Name": "resource-id", "Values": [account.vpc_id]}])["FlowLogs"]
    # the account is shared by the tests of the process: what this test changes, it puts back
    (rule,) = ec2.authorize_security_group_ingress(GroupId=group, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])[
        "SecurityGroupRules"]
    ec2.delete_flow_logs(FlowLogIds=[flow_log["FlowLogId"]])
    try:
        completed = check_live(kubeconfig, aws_front.url, aws_env, *LIVE_TARGET)
    finally:
        ec2.revoke_security_group_ingress(GroupId=group, SecurityGroupRuleIds=[rule["SecurityGroupRuleId"]])
        ec2.create_flow_logs(ResourceIds=[account.vpc_id], ResourceType="VPC", TrafficType="ALL",
                             LogDestinationType="cloud-watch-logs", LogGroupName=flow_log["LogGroupName"],
                             DeliverLogsPermissionArn=flow_log["DeliverLogsPermissionArn"])

    assert completed.returncode == 0, completed.stderr  # C009 is a warning
    assert [(f["status"], f["message"]) for f in findings(completed)["C009"]] == [
        ("fail", f"VPC {account.vpc_id} has no active flow log: its traffic is not recorded. Turn security.flowLogs "
                 f"on, or create a flow log for {account.vpc_id} (aws ec2 create-flow-logs --resource-type VPC)."),
        ("fail", f"default security group {group} of VPC {account.vpc_id} holds 1 rule(s): "
                 f"{rule['SecurityGroupRuleId']} (ingress tcp 22 from 0.0.0.0/0). Revoke them: nothing should use "
                 "the default group."),
    ]


def test_a_live_check_refreshes_the_insights_when_asked(httpserver, kubeconfig, account, aws_env, aws_front):
    serve_cluster(httpserver, live_nodes(account))

    completed = check_live(kubeconfig, aws_front.url, aws_env, "--refresh-insights", *LIVE_TARGET)

    assert completed.returncode == 0, completed.stderr
    assert aws_front.refreshes == [CLUSTER]
    assert findings(completed)["G006"][0]["status"] == "pass"


def test_a_snapshot_checked_offline_gives_the_findings_of_the_live_check(httpserver, kubeconfig, account, aws_env,
                                                                         aws_front, tmp_path):
    serve_cluster(httpserver, live_nodes(account))
    snapshot = tmp_path / "snapshot.json"

    taken = run_cli("snapshot", "-o", str(snapshot), "--kubeconfig", str(kubeconfig), "--endpoint-url",
                    aws_front.url, *LIVE_TARGET, env=aws_env)
    offline = run_cli("check", "--from-file", str(snapshot), "--format", "json")
    live = check_live(kubeconfig, aws_front.url, aws_env, *LIVE_TARGET)

    assert taken.returncode == 0 and "6 nodes, AWS facts collected" in taken.stderr
    assert json.loads(snapshot.read_text())["target"]["cluster"] == "domino-prod"
    assert offline.returncode == live.returncode == 0
    assert [(f["id"], f["status"], f["message"]) for f in json.loads(offline.stdout)["findings"]] == [
        (f["id"], f["status"], f["message"]) for f in json.loads(live.stdout)["findings"]]


def test_a_live_check_fails_an_fqdn_no_certificate_covers(httpserver, kubeconfig, account, aws_env):
    serve_cluster(httpserver, live_nodes(account))
    other = "domino.example.org"

    completed = check_live(kubeconfig, account.url, aws_env, "--fqdn", other, *LIVE_TARGET[2:])

    assert completed.returncode == 3, completed.stderr
    assert [(f["status"], f["message"]) for f in findings(completed)["D002"]] == [
        ("fail", f"no certificate covers {other}: browsers and clients reject HTTPS to Domino.")]


@pytest.mark.parametrize("default_max, extra_pool, drifted, returncode", [
    (20, "", set(), 0),
    (10, LARGE_POOL, {"DRIFT-POOL-SIZE", "DRIFT-POOL-MISSING"}, 3),
])
def test_drift_from_the_spec_is_reported_beside_the_catalogue(httpserver, kubeconfig, account, aws_env, tmp_path,
                                                               default_max, extra_pool, drifted, returncode):
    serve_cluster(httpserver, live_nodes(account))
    spec = tmp_path / "domino.yaml"
    spec.write_text(SPEC % {"default_max": default_max, "extra_pool": extra_pool})

    completed = check_live(kubeconfig, account.url, aws_env, "--spec", str(spec))

    drift = {f["id"]: f for f in json.loads(completed.stdout)["findings"] if f["id"].startswith("DRIFT-")}
    assert completed.returncode == returncode, completed.stderr
    assert {i for i, f in drift.items() if f["status"] == "fail"} == drifted
    assert set(drift) == {"DRIFT-POOL-MISSING", "DRIFT-POOL-ZONES", "DRIFT-POOL-SIZE", "DRIFT-POOL-INSTANCE-TYPE",
                          "DRIFT-POOL-UNPLANNED"}
    if drifted:
        assert drift["DRIFT-POOL-MISSING"]["location"]["file"] == str(spec)
        assert drift["DRIFT-POOL-SIZE"]["message"] == "pool default scales 3-60 nodes in all; the spec says 3-30."


def test_check_with_the_spec_judges_each_store_against_the_key_it_declares(httpserver, kubeconfig, account, aws_env,
                                                                          tmp_path):
    # rule C006: which stores the deployment means its key for only the spec says; the emulated account's buckets
    # are on S3-managed keys
    serve_cluster(httpserver, live_nodes(account))
    key = "arn:aws:kms:us-west-2:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    spec = tmp_path / "domino.yaml"
    spec.write_text(SPEC % {"default_max": 20, "extra_pool": ""}
                    + f"security: {{kmsKeyArn: '{key}', encryption: {{s3: true}}}}\n")

    completed = check_live(kubeconfig, account.url, aws_env, "--spec", str(spec))

    assert [(f["status"], f["message"]) for f in findings(completed)["C006"]] == [
        ("fail", f"bucket {bucket} is encrypted with S3-managed keys, not the deployment's KMS key (key {key}) that "
                 "security.encryption.s3 declares.")
        for bucket in ("domino-prod-user-data", "domino-prod-logs", "domino-prod-backups")]
