"""Rules C001-C003 and C007-C009: how the control plane is exposed, what it records, how it keeps Secrets, what
support it pays for, whether the Datasets are backed up, and whether the VPC records its traffic and keeps its
default security group empty (the AWS EKS best-practices guide, CIS Amazon EKS
Benchmark; Domino's own Terraform sets these)."""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial

from domino_eks.model import CONTROL_PLANE_LOG_TYPES, Deployment
from domino_eks.rules.base import REGISTRY, Outcome, Severity, failed, passed
from domino_eks.rules.unknown import Gap, unknown

rule = partial(REGISTRY.rule, section="Cluster hardening (AWS EKS best practices, CIS)")
EVERYWHERE = ("0.0.0.0/0", "::/0")
# EKS pricing, per cluster-hour (https://aws.amazon.com/eks/pricing/): standard and extended support
STANDARD_SUPPORT_PRICE, EXTENDED_SUPPORT_PRICE = 0.10, 0.60
_EKS_GAPS = (Gap.EKS, Gap.AWS)


@rule(
    "C001", Severity.WARNING,
    title="EKS API endpoint is open to the internet",
    rationale=(
        "The Kubernetes API endpoint of an EKS cluster is public to every address unless told otherwise. Anyone "
        "on the internet can then probe it, and a leaked credential works from anywhere. With private access on, "
        "nodes and the tool's own commands reach it from inside the VPC; public access is off, or limited to the "
        "addresses of your offices, VPN or CI."
    ),
    fix="Turn private endpoint access on, and public access off or limited to the CIDRs that need it "
        "(network.apiAccess.publicCidrs in the spec; vpc.clusterEndpoints and vpc.publicAccessCIDRs in eksctl).",
)
def api_endpoint_access(d: Deployment) -> Iterator[Outcome]:
    h = d.hardening
    if h.endpoint_private is None or h.endpoint_public is None:
        yield unknown(d, "the EKS endpoint access", gaps=_EKS_GAPS)
        return
    if not h.endpoint_private:
        yield failed("private endpoint access is off: nodes and tools in the VPC reach the API over the internet.",
                     h.location)
    if not h.endpoint_public:
        yield passed("the API endpoint is private only.")
    elif h.public_access_cidrs is None:
        yield unknown(d, "the CIDRs that may reach the public endpoint", gaps=_EKS_GAPS)
    elif not h.public_access_cidrs or set(h.public_access_cidrs) & set(EVERYWHERE):
        yield failed("the public API endpoint admits every address (0.0.0.0/0).", h.location)
    else:
        yield passed(f"the public API endpoint admits {', '.join(h.public_access_cidrs)} only.")


@rule(
    "C002", Severity.WARNING,
    title="Control-plane logging is incomplete",
    rationale=(
        "EKS records nothing of what its control plane does unless asked. Without the audit and authenticator "
        "logs nobody can tell afterwards who did what in the cluster; the api, controllerManager and scheduler "
        "logs explain failures. All five types go to CloudWatch Logs."
    ),
    fix="Turn on all five log types: api, audit, authenticator, controllerManager, scheduler "
        "(security.controlPlaneLogs in the spec; cloudWatch.clusterLogging.enableTypes in eksctl).",
)
def control_plane_logging(d: Deployment) -> Iterator[Outcome]:
    enabled = d.hardening.log_types
    if enabled is None:
        yield unknown(d, "the control-plane log types", gaps=_EKS_GAPS)
        return
    missing = [t for t in CONTROL_PLANE_LOG_TYPES if t not in enabled]
    if missing:
        yield failed(f"control-plane log types {', '.join(missing)} are off: what they record is lost.",
                     d.hardening.location)
    else:
        yield passed("all five control-plane log types are on.")


@rule(
    "C003", Severity.WARNING,
    title="Kubernetes Secrets are not envelope-encrypted with a KMS key",
    rationale=(
        "EKS encrypts etcd's disks, but a Secret is readable to anyone who gets etcd's data. Envelope encryption "
        "encrypts each Secret with a data key that a KMS key protects, so reading a Secret also needs the key, "
        "whose use CloudTrail records. Rotation renews the key's material every year."
    ),
    fix="Give the cluster an encryption config for `secrets` with a customer-managed KMS key that has rotation on "
        "(security.kmsKeyArn, or let apply create one; secretsEncryption.keyARN in eksctl).",
)
def secrets_encryption(d: Deployment) -> Iterator[Outcome]:
    h = d.hardening
    if h.secrets_encrypted is None:
        yield unknown(d, "the cluster's encryption config", gaps=_EKS_GAPS)
    elif not h.secrets_encrypted:
        yield failed("Kubernetes Secrets are not envelope-encrypted: the cluster has no encryption config for "
                     "secrets.", h.location)
    elif h.key_rotation is None:
        named = "the file names its own key, whose rotation only its account can tell; checked live by domino-eks check"
        yield unknown(d, f"whether key {h.secrets_key} rotates", {"spec": named, "eksctl": named}, (Gap.KMS, Gap.AWS))
    elif not h.key_rotation:
        yield failed(f"Secrets are encrypted with key {h.secrets_key}, whose automatic rotation is off.", h.location)
    else:
        yield passed(f"Secrets are envelope-encrypted with key {h.secrets_key}, rotation on.")


@rule(
    "C007", Severity.WARNING,
    title="Cluster is on the extended support policy without declaring it",
    rationale=(
        "A cluster whose support policy is EXTENDED moves to extended support when its Kubernetes version leaves "
        "standard support, and then costs $0.60 instead of $0.10 per cluster-hour (about $4,380 more a year), "
        "without anyone choosing it. STANDARD upgrades the version at the end of standard support instead."
    ),
    fix="Set the cluster's upgradePolicy.supportType to STANDARD, or declare extended support as intended "
        "(security.extendedSupport: true in the spec).",
)
def support_policy(d: Deployment) -> Iterator[Outcome]:
    h = d.hardening
    if h.support_type is None:
        # EKS always reports the endpoint access of a cluster it describes: without it, EKS was not asked
        described = h.endpoint_private is not None
        no_policy = "EKS described the cluster without an upgradePolicy (the emulator leaves it out)"
        yield unknown(d, "the cluster's support policy (upgradePolicy.supportType)",
                      {"live": no_policy, "dump": no_policy} if described else None, _EKS_GAPS)
    elif h.support_type == "STANDARD":
        yield passed("the cluster's support policy is STANDARD.")
    elif h.extended_support_intended:
        yield passed("the cluster's support policy is EXTENDED, as the deployment declares.")
    else:
        yield failed(f"the cluster's support policy is EXTENDED: once its version leaves standard support it costs "
                     f"${EXTENDED_SUPPORT_PRICE:.2f} instead of ${STANDARD_SUPPORT_PRICE:.2f} per cluster-hour.",
                     h.location)


@rule(
    "C008", Severity.WARNING,
    title="Datasets on EFS are not backed up",
    rationale=(
        "Datasets are users' data, often the only copy: EFS keeps no history of its own, so a deleted or overwritten "
        "file is gone. EFS automatic backups (AWS Backup's daily default plan, kept 35 days) or an AWS Backup plan "
        "of your own that covers the file system make it recoverable."
    ),
    fix="Turn EFS automatic backups on (storage.efs.automaticBackups in the spec; aws efs put-backup-policy "
        "--backup-policy Status=ENABLED), or add the file system to an AWS Backup plan.",
)
def datasets_backed_up(d: Deployment) -> Iterator[Outcome]:
    efs = d.storage.efs
    if efs is None or efs.automatic_backups is None:
        yield unknown(d, "the backups of the Datasets file system", {
            "eksctl": "an eksctl ClusterConfig does not create the Datasets EFS; checked live by domino-eks check",
        }, (Gap.EFS, Gap.AWS))
    elif efs.automatic_backups:
        yield passed("EFS automatic backups of the Datasets file system are on.")
    elif efs.backup_plan is None:
        yield unknown(d, "an AWS Backup plan covering the Datasets file system (its automatic backups are off)",
                      gaps=(Gap.BACKUP, Gap.AWS))
    elif efs.backup_plan:
        yield passed("an AWS Backup plan protects the Datasets file system.")
    else:
        yield failed("the Datasets file system has automatic backups off and no AWS Backup plan protects it: a "
                     "deleted or overwritten dataset cannot be recovered.", efs.location)


@rule(
    "C009", Severity.WARNING,
    title="The VPC logs no traffic, or its default security group holds rules",
    rationale=(
        "Without VPC flow logs nobody can tell afterwards which addresses talked to the cluster's nodes, or what "
        "was refused. The default security group EC2 gives every VPC admits all traffic from its own members and "
        "lets everything out; an instance or endpoint launched without a group of its own lands in it. CIS AWS "
        "Foundations 5.4 asks that it hold no rules."
    ),
    fix="Turn flow logs on for the VPC (security.flowLogs in the spec, on by default; aws ec2 create-flow-logs "
        "--resource-type VPC), and revoke every rule of its default security group (aws ec2 "
        "revoke-security-group-ingress / revoke-security-group-egress --group-id ID --security-group-rule-ids ...).",
)
def vpc_traffic_recorded(d: Deployment) -> Iterator[Outcome]:
    h = d.hardening
    vpc = f"VPC {h.vpc_id}" if h.vpc_id else "the VPC apply creates" if d.source.kind == "spec" else \
        "the cluster's VPC"
    own_vpc = ("the spec names its own VPC (network.vpcId), which apply leaves as it is; checked live by "
               "domino-eks check")
    eksctl = ("an eksctl ClusterConfig does not declare flow logs or the default group's rules; checked live by "
              "domino-eks check")
    why = {"spec": own_vpc, "eksctl": eksctl}
    if h.flow_logs is None and h.default_group_rules is None:  # one source, one reason: said once
        yield unknown(d, f"the flow logs and the default security group's rules of {vpc}", why, (Gap.EC2, Gap.AWS))
        return
    if h.flow_logs is None:
        yield unknown(d, f"the flow logs of {vpc}", why, (Gap.EC2, Gap.AWS))
    elif h.flow_logs:
        yield passed(f"{vpc} has flow logs on.")
    else:
        yield failed(f"{vpc} has no active flow log: its traffic is not recorded. Turn security.flowLogs on, or "
                     f"create a flow log for {h.vpc_id or 'the VPC'} (aws ec2 create-flow-logs --resource-type VPC).",
                     h.location)
    group = f"default security group {h.default_group}" if h.default_group else "the default security group"
    if h.default_group_rules is None:
        yield unknown(d, f"the rules of {group} of {vpc}", why, (Gap.EC2, Gap.AWS))
    elif not h.default_group_rules:
        yield passed(f"{group} of {vpc} holds no rules.")
    else:
        yield failed(f"{group} of {vpc} holds {len(h.default_group_rules)} rule(s): "
                     f"{'; '.join(h.default_group_rules)}. Revoke them: nothing should use the default group.",
                     h.location)
