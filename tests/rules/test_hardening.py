"""C001-C003, C007 judged on specs (what validate sees): each fires on a spec built for it, and stays quiet on
the secure defaults."""

from __future__ import annotations

import pytest

from domino_eks.errors import InputError
from domino_eks.model import KEY_CREATED_BY_APPLY
from domino_eks.rules import Severity, Status
from domino_eks.sources import eksctl, spec
from tests.conftest import PAGE_MULTI_AZ, TODAY
from tests.rules.builders import edit, findings, from_source, only
from tests.sources.test_spec_source import MINIMAL

KEY = "arn:aws:kms:us-west-2:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
HARDENING_RULES = ("C001", "C002", "C003", "C007")


def spec_with(tmp_path, extra: str):
    path = tmp_path / "spec.yaml"
    path.write_text(MINIMAL + extra)
    return spec.load(str(path), today=TODAY)


def problems(tmp_path, extra: str) -> list[str]:
    with pytest.raises(InputError) as caught:
        spec_with(tmp_path, extra)
    return [str(p) for p in caught.value.problems]


@pytest.mark.parametrize("rule_id", HARDENING_RULES)
def test_the_defaults_pass(tmp_path, rule_id):
    assert only(rule_id, spec_with(tmp_path, "")).status is Status.PASS


def test_the_defaults_are_private_all_logs_a_created_rotating_key_and_standard_support(tmp_path):
    hardening = spec_with(tmp_path, "").hardening
    assert (hardening.endpoint_private, hardening.endpoint_public, hardening.public_access_cidrs) == (True, False, ())
    assert hardening.log_types == ("api", "audit", "authenticator", "controllerManager", "scheduler")
    assert (hardening.log_retention_days, hardening.secrets_key, hardening.key_rotation) == (
        365, KEY_CREATED_BY_APPLY, True)
    assert hardening.support_type == "STANDARD"


def test_c001_fires_on_a_public_endpoint_open_to_every_address(tmp_path):
    deployment = spec_with(tmp_path, "network:\n  apiAccess:\n    publicCidrs: [0.0.0.0/0]\n")
    finding = only("C001", deployment)
    assert (finding.status, finding.severity) == (Status.FAIL, Severity.WARNING)
    assert finding.message == "the public API endpoint admits every address (0.0.0.0/0)."


def test_c001_fires_when_private_access_is_off(tmp_path):
    deployment = spec_with(tmp_path, "network:\n  apiAccess:\n    private: false\n    publicCidrs: [203.0.113.0/24]\n")
    assert only("C001", deployment).message == (
        "private endpoint access is off: nodes and tools in the VPC reach the API over the internet.")


def test_c001_accepts_a_public_endpoint_limited_to_declared_cidrs(tmp_path):
    deployment = spec_with(tmp_path, "network:\n  apiAccess:\n    publicCidrs: [203.0.113.0/24]\n")
    finding = only("C001", deployment)
    assert (finding.status, finding.message) == (Status.PASS, "the public API endpoint admits 203.0.113.0/24 only.")


def test_c001_refuses_a_cidr_that_is_not_one(tmp_path):
    assert problems(tmp_path, "network:\n  apiAccess:\n    publicCidrs: [10.0.0.300/8]\n") == [
        f"{tmp_path / 'spec.yaml'}:14:5: 'network.apiAccess.publicCidrs': Value error, "
        "'10.0.0.300/8' does not appear to be an IPv4 or IPv6 network"
    ]


def test_c002_fires_on_missing_log_types(tmp_path):
    finding = only("C002", spec_with(tmp_path, "security:\n  controlPlaneLogs: [api, audit]\n"))
    assert (finding.status, finding.message) == (
        Status.FAIL, "control-plane log types authenticator, controllerManager, scheduler are off: what they "
                     "record is lost.")


def test_a_retention_cloudwatch_does_not_take_is_refused(tmp_path):
    assert problems(tmp_path, "security:\n  logRetentionDays: 366\n") == [
        f"{tmp_path / 'spec.yaml'}:13:3: 'security.logRetentionDays': Value error, CloudWatch keeps logs for one of "
        "1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653 days "
        "(did you mean 365?) (got 366)"
    ]


def test_c003_skips_the_rotation_of_a_key_the_spec_names(tmp_path):
    finding = only("C003", spec_with(tmp_path, f"security:\n  kmsKeyArn: {KEY}\n"))
    assert (finding.status, finding.message) == (
        Status.SKIP, f"whether key {KEY} rotates unknown: the file names its own key, whose rotation only its "
                     "account can tell; checked live by domino-eks check.")


def test_c003_fires_without_secrets_encryption_and_on_a_key_that_does_not_rotate(tmp_path):
    deployment = spec_with(tmp_path, "")
    unencrypted = edit(deployment, "hardening", secrets_encrypted=False)
    assert only("C003", unencrypted).message == (
        "Kubernetes Secrets are not envelope-encrypted: the cluster has no encryption config for secrets.")
    still = edit(deployment, "hardening", secrets_key=KEY, key_rotation=False)
    assert only("C003", still).message == f"Secrets are encrypted with key {KEY}, whose automatic rotation is off."


def test_c007_fires_on_extended_support_nobody_declared(tmp_path):
    deployment = edit(spec_with(tmp_path, ""), "hardening", support_type="EXTENDED")
    finding = only("C007", deployment)
    assert (finding.status, finding.message) == (
        Status.FAIL, "the cluster's support policy is EXTENDED: once its version leaves standard support it costs "
                     "$0.60 instead of $0.10 per cluster-hour.")


def test_c007_accepts_extended_support_the_spec_declares(tmp_path):
    deployment = spec_with(tmp_path, "security:\n  extendedSupport: true\n")
    assert deployment.hardening.support_type == "EXTENDED"
    assert only("C007", deployment).message == "the cluster's support policy is EXTENDED, as the deployment declares."


def test_the_page_samples_get_eksctl_defaults_a_public_endpoint_no_logs_no_encryption_extended_support():
    deployment = eksctl.load(str(PAGE_MULTI_AZ), today=TODAY)
    messages = {rule_id: [f.message for f in findings(rule_id, deployment)] for rule_id in HARDENING_RULES}
    assert messages == {
        "C001": ["private endpoint access is off: nodes and tools in the VPC reach the API over the internet.",
                 "the public API endpoint admits every address (0.0.0.0/0)."],
        "C002": ["control-plane log types api, audit, authenticator, controllerManager, scheduler are off: what "
                 "they record is lost."],
        "C003": ["Kubernetes Secrets are not envelope-encrypted: the cluster has no encryption config for secrets."],
        "C007": ["the cluster's support policy is EXTENDED: once its version leaves standard support it costs $0.60 "
                 "instead of $0.10 per cluster-hour."],
    }
    assert {f.severity for r in HARDENING_RULES for f in findings(r, deployment)} == {Severity.WARNING}


def test_an_eksctl_file_that_declares_them_passes(tmp_path):
    path = tmp_path / "cluster.yaml"
    path.write_text(PAGE_MULTI_AZ.read_text() + f"""
cloudWatch:
  clusterLogging:
    enableTypes: ["*"]
secretsEncryption:
  keyARN: {KEY}
upgradePolicy:
  supportType: STANDARD
vpc:
  clusterEndpoints: {{privateAccess: true, publicAccess: true}}
  publicAccessCIDRs: [203.0.113.0/24]
""")
    config = eksctl.load(str(path), today=TODAY)
    assert [only(rule_id, config).status for rule_id in ("C001", "C002", "C007")] == [Status.PASS] * 3
    assert only("C003", config).status is Status.SKIP  # the key's rotation is the account's to tell


def test_c008_passes_with_automatic_backups_the_default(tmp_path):
    finding = only("C008", spec_with(tmp_path, ""))
    assert (finding.status, finding.message) == (
        Status.PASS, "EFS automatic backups of the Datasets file system are on.")


def test_c008_fires_when_the_spec_turns_automatic_backups_off(tmp_path):
    finding = only("C008", spec_with(tmp_path, "storage:\n  efs:\n    automaticBackups: false\n"))
    assert (finding.status, finding.message) == (
        Status.FAIL, "the Datasets file system has automatic backups off and no AWS Backup plan protects it: a "
                     "deleted or overwritten dataset cannot be recovered.")


def test_c007_does_not_say_eks_described_a_cluster_it_was_never_asked_about(multi_az):
    dump = from_source(edit(multi_az, "hardening", support_type=None, endpoint_private=None), "dump",
                       {"aws": "cluster.json is a kubectl List"})
    assert only("C007", dump).message == (
        "the cluster's support policy (upgradePolicy.supportType) unknown: the dump file does not hold it; "
        "`domino-eks snapshot` collects it (the source reported aws: cluster.json is a kubectl List).")
    described = from_source(edit(multi_az, "hardening", support_type=None, endpoint_private=True), "live")
    assert only("C007", described).message == (
        "the cluster's support policy (upgradePolicy.supportType) unknown: EKS described the cluster without an "
        "upgradePolicy (the emulator leaves it out).")


# C009: the VPC's flow logs and its default security group ------------------------------------------------------

def test_c009_passes_on_the_vpc_apply_creates_with_flow_logs_the_default(tmp_path):
    assert [(f.status, f.message) for f in findings("C009", spec_with(tmp_path, ""))] == [
        (Status.PASS, "the VPC apply creates has flow logs on; the default security group of the VPC apply creates "
                      "holds no rules."),
    ]


def test_c009_fires_when_the_spec_turns_flow_logs_off(tmp_path):
    deployment = spec_with(tmp_path, "security:\n  flowLogs: false\n")
    (first,) = findings("C009", deployment)  # the group's pass is not reported beside the failure
    assert (first.status, first.severity, first.message) == (
        Status.FAIL, Severity.WARNING,
        "the VPC apply creates has no active flow log: its traffic is not recorded. Turn security.flowLogs on, or "
        "create a flow log for the VPC (aws ec2 create-flow-logs --resource-type VPC).")
    assert first.location is not None and first.location.line is not None


def test_c009_skips_a_vpc_the_spec_brings_which_apply_leaves_alone(tmp_path):
    deployment = spec_with(tmp_path, "network:\n  vpcId: vpc-0123456789abcdef0\n")
    because = ("the spec names its own VPC (network.vpcId), which apply leaves as it is; checked live by "
               "domino-eks check.")
    assert [(f.status, f.message) for f in findings("C009", deployment)] == [
        (Status.SKIP, "the flow logs and the default security group's rules of VPC vpc-0123456789abcdef0 unknown: "
                      f"{because}"),
    ]


def test_c009_skips_an_eksctl_config_which_declares_neither():
    deployment = eksctl.load(str(PAGE_MULTI_AZ), today=TODAY)
    because = ("an eksctl ClusterConfig does not declare flow logs or the default group's rules; checked live by "
               "domino-eks check.")
    assert [(f.status, f.message) for f in findings("C009", deployment)] == [
        (Status.SKIP, f"the flow logs and the default security group's rules of the cluster's VPC unknown: {because}"),
    ]


def test_c009_names_the_vpc_the_group_and_each_rule_it_holds(multi_az):
    live = from_source(edit(multi_az, "hardening", vpc_id="vpc-0123456789abcdef0", flow_logs=False,
                            default_group="sg-0123456789abcdef9",
                            default_group_rules=("sgr-01 (ingress all traffic from sg-0123456789abcdef9)",
                                                 "sgr-02 (egress all traffic to 0.0.0.0/0)")), "live")
    assert [(f.status, f.message) for f in findings("C009", live)] == [
        (Status.FAIL, "VPC vpc-0123456789abcdef0 has no active flow log: its traffic is not recorded. Turn "
                      "security.flowLogs on, or create a flow log for vpc-0123456789abcdef0 (aws ec2 create-flow-logs "
                      "--resource-type VPC)."),
        (Status.FAIL, "default security group sg-0123456789abcdef9 of VPC vpc-0123456789abcdef0 holds 2 rule(s): "
                      "sgr-01 (ingress all traffic from sg-0123456789abcdef9); sgr-02 (egress all traffic to "
                      "0.0.0.0/0). Revoke them: nothing should use the default group."),
    ]
