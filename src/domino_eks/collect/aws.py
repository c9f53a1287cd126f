"""Gathering the AWS side with boto3: the EKS cluster, its node groups and Auto Scaling groups, the network,
then storage (`storage`) and identity (`identity`).

Each step stores raw describe_* responses (instances pruned to the fields read) and reads ids out of
what earlier steps stored: the nodes' instances name their Auto Scaling groups, those name launch
templates and subnets, the subnets name the VPC. Refused calls become notes (`Recorder`); no credentials
or no region at all is noted under "aws"; an endpoint that cannot be reached stops the run.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from domino_eks.aws import pages
from domino_eks.aws.session import COLLECTING, Aws, profile_session
from domino_eks.collect import (
    account,
    addons,
    egress,
    hardening,
    identity,
    insights,
    nodeaccess,
    shapes,
    storage,
    versions,
)
from domino_eks.collect.recorder import Recorder
from domino_eks.errors import ToolError
from domino_eks.knowledge import addons as needed_addons
from domino_eks.model import AUTOSCALER_TAG_PREFIX

CLUSTER_OWNERSHIP_TAG_PREFIX = "kubernetes.io/cluster/"  # eksctl and EKS tag a cluster's resources with it
INSTANCE = {
    **dict.fromkeys(("InstanceId", "InstanceType", "SubnetId", "VpcId", "Tags", "PublicIpAddress")),
    "Placement": {"AvailabilityZone": None},
    "SecurityGroups": {"GroupId": None},
    "IamInstanceProfile": {"Arn": None},
    "State": {"Name": None},
}


@dataclass(frozen=True)
class AwsAccess:
    region: str | None = None  # None: the profile's or environment's region
    profile: str | None = None
    endpoint_url: str | None = None  # one endpoint for every service: an emulator or a proxy
    refresh_insights: bool = False  # have EKS run its cluster insights again before they are read


def collect(access: AwsAccess, cluster: str | None, expected: Mapping, instance_ids: Iterable[str],
            session=None) -> tuple[dict | None, dict[str, str]]:
    """(AWS facts, errors by service); no facts at all without a cluster name, credentials or region.

    `session`, a boto3 Session, replaces the one `access` describes (with its event hooks: a proxy's
    signing, or injected faults)."""
    from botocore.exceptions import ConnectTimeoutError, EndpointConnectionError, NoCredentialsError, NoRegionError

    if cluster is None:
        return None, {"aws": "the EKS cluster's name is unknown: pass --cluster NAME or --spec FILE"}
    session = session or profile_session(access.profile, access.region)
    if session.region_name is None:
        return None, {"aws": "no AWS region: pass --region or set AWS_REGION"}
    recorder = Recorder(Aws(session, access.endpoint_url, retries=COLLECTING))
    try:
        _gather(recorder, cluster, expected, sorted(set(instance_ids)), access.refresh_insights)
    except (NoCredentialsError, NoRegionError) as exc:
        return None, {"aws": f"{exc}: set AWS credentials (AWS_PROFILE, --profile or environment variables)"}
    except (EndpointConnectionError, ConnectTimeoutError) as exc:
        raise ToolError(f"cannot reach AWS: {exc}") from None
    return recorder.facts, recorder.errors


def _gather(recorder: Recorder, cluster: str, expected: Mapping, instance_ids: list[str],
            refresh_insights: bool) -> None:
    _cluster(recorder, cluster, refresh_insights)
    hardening.secrets_key_rotation(recorder)
    _instances(recorder, instance_ids)
    _auto_scaling_groups(recorder, cluster)
    _launch_templates(recorder)
    account.gather(recorder, account.instance_types_in(recorder.facts))
    _network(recorder)
    hardening.vpc_flow_logs(recorder)
    storage.file_system(recorder, expected.get("efs_id"))
    hardening.file_system_backups(recorder)
    _security_groups(recorder)
    storage.buckets(recorder, expected.get("buckets") or {})
    storage.registry(recorder, expected.get("registry") or {})
    identity.node_roles(recorder)
    identity.pod_identities(recorder, cluster)
    identity.certificates(recorder, expected.get("fqdn"))


def _cluster(r: Recorder, name: str, refresh_insights: bool) -> None:
    eks = r.aws.client("eks")
    with r.recorded("eks"):
        r.store("cluster", eks.describe_cluster(name=name)["cluster"])
    if "cluster" not in r.facts:
        return
    versions.calendar(r)
    insights.insights(r, name, refresh_insights)
    nodeaccess.access_entries(r, name)
    addons.addons(r, name, needed_addons.EVERY)
    with r.recorded("eks"):
        names = pages.paginate(eks, "list_nodegroups", "nodegroups", clusterName=name)
        r.store("nodegroups", [eks.describe_nodegroup(clusterName=name, nodegroupName=n)["nodegroup"] for n in names])
    with r.recorded("eks"):
        names = pages.paginate(eks, "list_fargate_profiles", "fargateProfileNames", clusterName=name)
        r.store("fargate_profiles", [eks.describe_fargate_profile(clusterName=name, fargateProfileName=n)
                                     ["fargateProfile"] for n in names])


def _instances(r: Recorder, instance_ids: list[str]) -> None:
    with r.recorded("ec2"):
        reservations = pages.filtered(r.aws.client("ec2"), "describe_instances", "Reservations", "instance-id",
                                      instance_ids)
        r.store("instances", [shapes.prune(i, INSTANCE) for res in reservations for i in res["Instances"]])


def _auto_scaling_groups(r: Recorder, cluster: str) -> None:
    """The cluster's groups: tagged for it (by eksctl, the autoscaler or EKS), or running its nodes."""
    named = {t["Value"] for i in r.facts.get("instances") or () for t in i.get("Tags") or ()
             if t["Key"] == shapes.ASG_NAME_TAG}
    named |= {a["name"] for n in r.facts.get("nodegroups") or ()
              for a in (n.get("resources") or {}).get("autoScalingGroups") or ()}
    tag_keys = [CLUSTER_OWNERSHIP_TAG_PREFIX + cluster, AUTOSCALER_TAG_PREFIX + cluster]
    tagged = ([{"Name": "tag-key", "Values": tag_keys}], [{"Name": "tag:eks:cluster-name", "Values": [cluster]}])
    autoscaling = r.aws.client("autoscaling")
    with r.recorded("autoscaling"):
        found = {}
        for filters in tagged:
            for group in pages.paginate(autoscaling, "describe_auto_scaling_groups", "AutoScalingGroups",
                                        Filters=filters):
                found[group["AutoScalingGroupName"]] = group
        for names in pages.chunks(sorted(named - set(found)), pages.AUTO_SCALING_GROUP_NAMES_PER_CALL):
            for group in pages.paginate(autoscaling, "describe_auto_scaling_groups", "AutoScalingGroups",
                                        AutoScalingGroupNames=names):
                found[group["AutoScalingGroupName"]] = group
        r.store("auto_scaling_groups", list(found.values()))


def _launch_templates(r: Recorder) -> None:
    """Each group's launch template data (instance type, volumes, image, user data, IMDS), by group name."""
    ec2 = r.aws.client("ec2")
    with r.recorded("ec2"):
        templates = {}
        for group in r.facts.get("auto_scaling_groups") or ():
            spec = group.get("LaunchTemplate") or ((group.get("MixedInstancesPolicy") or {}).get("LaunchTemplate")
                                                   or {}).get("LaunchTemplateSpecification")
            if spec:
                which = {k: spec[k] for k in ("LaunchTemplateId", "LaunchTemplateName") if k in spec}
                found = ec2.describe_launch_template_versions(**which, Versions=[spec.get("Version") or "$Default"])
                templates[group["AutoScalingGroupName"]] = found["LaunchTemplateVersions"][0]["LaunchTemplateData"]
        r.store("launch_templates", templates)
    images = sorted({t["ImageId"] for t in r.facts.get("launch_templates", {}).values() if t.get("ImageId")})
    if images:
        with r.recorded("ec2"):
            r.store("images", list(pages.filtered(ec2, "describe_images", "Images", "image-id", images)))


def _network(r: Recorder) -> None:
    vpc_config = (r.facts.get("cluster") or {}).get("resourcesVpcConfig") or {}
    subnet_ids = set(vpc_config.get("subnetIds") or ())
    subnet_ids |= {s for g in r.facts.get("auto_scaling_groups") or ()
                   for s in (g.get("VPCZoneIdentifier") or "").split(",") if s}
    subnet_ids |= {s for n in r.facts.get("nodegroups") or () for s in n.get("subnets") or ()}
    subnet_ids |= {i["SubnetId"] for i in r.facts.get("instances") or () if i.get("SubnetId")}
    ec2 = r.aws.client("ec2")
    if subnet_ids:
        with r.recorded("ec2"):
            r.store("subnets", list(pages.filtered(ec2, "describe_subnets", "Subnets", "subnet-id",
                                                   sorted(subnet_ids))))
    vpc_id = shapes.cluster_vpc_id(r.facts)
    if vpc_id is None:
        return
    with r.recorded("ec2"):
        r.store("vpcs", ec2.describe_vpcs(VpcIds=[vpc_id])["Vpcs"])
    with r.recorded("ec2"):
        r.store("route_tables", list(pages.filtered(ec2, "describe_route_tables", "RouteTables", "vpc-id", [vpc_id])))
    with r.recorded("ec2"):
        r.store("nat_gateways", list(pages.paginate(ec2, "describe_nat_gateways", "NatGateways",
                                                    Filter=[{"Name": "vpc-id", "Values": [vpc_id]}])))
    egress.vpc_endpoints(r, vpc_id)


def _security_groups(r: Recorder) -> None:
    """The groups of the nodes, of the cluster and of the EFS mount targets (the 2049 rule lives there)."""
    vpc_config = (r.facts.get("cluster") or {}).get("resourcesVpcConfig") or {}
    ids = {g["GroupId"] for i in r.facts.get("instances") or () for g in i.get("SecurityGroups") or ()}
    ids |= {vpc_config.get("clusterSecurityGroupId"), *(vpc_config.get("securityGroupIds") or ())}
    ids |= {g for t in (r.facts.get("efs") or {}).get("mount_targets") or () for g in t.get("SecurityGroups") or ()}
    ids.discard(None)
    if ids:
        with r.recorded("ec2"):
            r.store("security_groups", list(pages.filtered(r.aws.client("ec2"), "describe_security_groups",
                                                           "SecurityGroups", "group-id", sorted(ids))))
