"""N001-N006: NetworkPolicy enforcement, node subnets, reserved ranges, private nodes, Docker bridge, pod IPs."""

from __future__ import annotations

import pytest

from domino_eks.model import Subnet
from domino_eks.rules import Severity, Status
from tests.rules.builders import (
    edit,
    edit_groups,
    findings,
    from_source,
    only,
    page_multi_az_groups,
)


def test_the_examples_pass_the_network_rules(single_az, multi_az):
    for deployment in (single_az, multi_az):
        for rule_id in ("N001", "N002", "N003", "N004", "N006"):
            assert only(rule_id, deployment).status is Status.PASS, rule_id


# N001 ---------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("engine", ["calico", "vpc-cni", "cilium"])
def test_n001_passes_with_an_enforcing_engine(multi_az, engine):
    finding = only("N001", edit(multi_az, "network", policy_engine=engine))
    assert finding.status is Status.PASS and engine in finding.message


@pytest.mark.parametrize("engine", ["none", "other"])
def test_n001_fails_when_nothing_enforces_network_policy(multi_az, engine):
    finding = only("N001", edit(multi_az, "network", policy_engine=engine))
    assert (finding.status, finding.severity) == (Status.FAIL, Severity.ERROR)
    assert repr(engine) in finding.message and "not be enforced" in finding.message
    assert finding.location == multi_az.network.location


def test_n001_skips_for_an_eksctl_file_without_the_network_policy_addon(multi_az):
    finding = only("N001", from_source(edit(multi_az, "network", policy_engine=None), "eksctl"))
    assert finding.status is Status.SKIP and "enableNetworkPolicy" in finding.message


def test_n001_skip_cites_what_the_live_source_could_not_read(multi_az):
    deployment = from_source(edit(multi_az, "network", policy_engine=None), "live",
                             {"kubernetes": "Forbidden: daemonsets.apps is forbidden"})
    finding = only("N001", deployment)
    assert finding.status is Status.SKIP and "daemonsets.apps is forbidden" in finding.message


# N002 ---------------------------------------------------------------------------------------------------------

def _with_subnet(deployment, zone, cidr, public=False):
    kept = tuple(s for s in deployment.network.subnets if not (s.zone == zone and s.public == public))
    return edit(deployment, "network", subnets=kept + (Subnet(zone=zone, cidr=cidr, public=public),))


def test_n002_fails_for_a_node_subnet_smaller_than_a_23(multi_az):
    finding = only("N002", _with_subnet(multi_az, "us-west-2b", "10.0.2.0/24"))
    assert (finding.status, finding.severity) == (Status.FAIL, Severity.ERROR)
    assert "10.0.2.0/24 (us-west-2b)" in finding.message and "251 usable" in finding.message
    assert finding.location == multi_az.network.location


def test_n002_ignores_subnets_of_zones_without_nodes(single_az):
    assert only("N002", _with_subnet(single_az, "us-west-2c", "10.0.4.0/26")).status is Status.PASS


def test_n002_checks_the_public_subnets_when_nodes_have_public_ips(single_az):
    public_a = next(s for s in single_az.network.subnets if s.public and s.zone == "us-west-2a")
    finding = only("N002", edit(single_az, "network", private_nodes=False))
    assert finding.status is Status.FAIL and f"{public_a.cidr} (us-west-2a) is a /24" in finding.message


def test_n002_does_not_apply_when_calico_hands_out_pod_addresses(multi_az):
    deployment = edit(_with_subnet(multi_az, "us-west-2b", "10.0.2.0/26"), "network", cni="calico")
    finding = only("N002", deployment)
    assert finding.status is Status.PASS and "not applicable" in finding.message


def test_n002_skips_when_the_subnets_are_unknown(multi_az):
    finding = only("N002", from_source(edit(multi_az, "network", subnets=None), "eksctl"))
    assert finding.status is Status.SKIP and "names no subnets" in finding.message


# N003 ---------------------------------------------------------------------------------------------------------

def test_n003_fails_when_the_vpc_overlaps_a_reserved_range(multi_az):
    deployment = edit(multi_az, "network", reserved_cidrs=("172.16.0.0/12", "10.0.128.0/17"))
    finding = only("N003", deployment)
    assert (finding.status, finding.severity) == (Status.FAIL, Severity.ERROR)
    assert "10.0.0.0/16 overlaps reserved range 10.0.128.0/17" in finding.message
    assert finding.location == multi_az.network.location


def test_n003_passes_when_reserved_ranges_are_clear(multi_az):
    finding = only("N003", edit(multi_az, "network", reserved_cidrs=("172.16.0.0/12", "10.1.0.0/16")))
    assert finding.status is Status.PASS and "172.16.0.0/12, 10.1.0.0/16" in finding.message


def test_n003_reports_a_reserved_range_that_is_not_a_cidr(multi_az):
    finding = only("N003", edit(multi_az, "network", reserved_cidrs=("10.0.0/33",)))
    assert finding.status is Status.FAIL and "'10.0.0/33' is not a CIDR" in finding.message


def test_n003_skips_without_a_vpc_cidr(multi_az):
    finding = only("N003", from_source(edit(multi_az, "network", vpc_cidr=None), "eksctl"))
    assert finding.status is Status.SKIP and "vpc.cidr" in finding.message


# N004 ---------------------------------------------------------------------------------------------------------

def test_n004_warns_for_a_node_group_with_public_ips(multi_az):
    deployment = edit_groups(multi_az, "default", private_networking=False)
    found = findings("N004", deployment)
    assert len(found) == 3
    assert {(f.status, f.severity) for f in found} == {(Status.FAIL, Severity.WARNING)}
    assert "domino-default-a has privateNetworking false" in found[0].message
    assert found[0].location == multi_az.pool("default").groups[0].location


def test_n004_warns_when_the_network_gives_nodes_public_ips(multi_az):
    deployment = edit_groups(edit(multi_az, "network", private_nodes=False), None, private_networking=None)
    finding = only("N004", deployment)
    assert (finding.status, finding.severity) == (Status.FAIL, Severity.WARNING)
    assert "privateNodes false" in finding.message


def test_n004_notes_private_nodes_without_egress(multi_az):
    finding = only("N004", edit(multi_az, "network", nat_gateway=False))
    assert (finding.status, finding.severity) == (Status.FAIL, Severity.INFO)
    assert "no NAT gateway" in finding.message and not finding.is_problem


def test_n004_skips_when_nobody_knows_whether_nodes_are_private(multi_az):
    deployment = edit_groups(edit(multi_az, "network", private_nodes=None), None, private_networking=None)
    finding = only("N004", from_source(deployment, "dump"))
    assert finding.status is Status.SKIP and "public IPs unknown" in finding.message


# N005 ---------------------------------------------------------------------------------------------------------

PAGE_DAEMON_JSON_EDIT = tuple(page_multi_az_groups()["domino-default-a"]["preBootstrapCommands"])


def _at(deployment, version):
    return edit(deployment, "cluster", version=version)


def test_n005_is_information_on_containerd_only_versions(multi_az):
    finding = only("N005", edit_groups(multi_az, "default", pre_bootstrap_commands=PAGE_DAEMON_JSON_EDIT))
    assert (finding.status, finding.severity) == (Status.FAIL, Severity.INFO)
    assert f"Kubernetes {multi_az.cluster.version}" in finding.message and "containerd only" in finding.message
    assert finding.location == multi_az.pool("default").location


def test_n005_fails_on_docker_nodes_without_bridge_networking(multi_az):
    found = findings("N005", _at(multi_az, "1.23"))
    assert [f.message.split(" (")[0] for f in found] == [f"build node group domino-default-{z}" for z in "abc"]
    assert {(f.status, f.severity) for f in found} == {(Status.FAIL, Severity.ERROR)}
    assert "Kubernetes 1.23, Docker runtime" in found[0].message and "builds fail" in found[0].message
    assert found[0].location == multi_az.pool("default").groups[0].location


@pytest.mark.parametrize("change", [
    {"pre_bootstrap_commands": PAGE_DAEMON_JSON_EDIT},
    {"bootstrap_arguments": "--kubelet-extra-args '--node-labels=x=y' --enable-docker-bridge true"},
])
def test_n005_passes_when_docker_nodes_enable_the_bridge(multi_az, change):
    assert only("N005", edit_groups(_at(multi_az, "1.23"), "default", **change)).status is Status.PASS


def test_n005_passes_without_build_nodes(multi_az):
    deployment = edit_groups(multi_az, "default", labels={"dominodatalab.com/node-pool": "default"})
    assert only("N005", _at(deployment, "1.23")).status is Status.PASS


def test_n005_skips_without_a_version(multi_az):
    finding = only("N005", from_source(_at(multi_az, None), "dump", {"eks": "AccessDenied: eks:DescribeCluster"}))
    assert finding.status is Status.SKIP and "AccessDenied: eks:DescribeCluster" in finding.message


# N006 ---------------------------------------------------------------------------------------------------------

def test_n006_warns_when_a_zone_cannot_hold_its_pods(multi_az):
    # 3 platform + 20 default + 2 gpu nodes, 59 addresses each (58 pods + the node): 1,475 > a /23's 507
    found = findings("N006", edit_groups(multi_az, "default", max_size=20))
    assert [f.message.split(":")[0] for f in found] == ["zone us-west-2a", "zone us-west-2b", "zone us-west-2c"]
    assert {(f.status, f.severity) for f in found} == {(Status.FAIL, Severity.WARNING)}
    assert "need 1475 pod addresses" in found[0].message and "(10.0.0.0/23) have 507" in found[0].message
    assert "prefix delegation" in found[0].message
    assert found[0].location == multi_az.network.location


def test_n006_counts_the_free_addresses_a_live_subnet_reports(multi_az):
    subnets = tuple(s.model_copy(update={"free_addresses": 100}) for s in multi_az.network.subnets)
    found = findings("N006", edit(multi_az, "network", subnets=subnets))
    assert len(found) == 3 and all("need 472" in f.message and "have 100" in f.message for f in found)


def test_n006_passes_with_prefix_delegation(multi_az):
    deployment = edit(edit_groups(multi_az, "default", max_size=20), "network", prefix_delegation=True)
    assert only("N006", deployment).status is Status.PASS


def test_n006_skips_when_max_pods_are_unknown(multi_az):
    finding = only("N006", edit_groups(multi_az, "default", instance_type="x9.mystery"))
    assert finding.status is Status.SKIP and "instance type" in finding.message


def test_n006_skips_when_prefix_delegation_is_unknown(multi_az):
    finding = only("N006", from_source(edit(multi_az, "network", prefix_delegation=None), "live"))
    assert finding.status is Status.SKIP and "prefix delegation unknown" in finding.message



@pytest.mark.parametrize(("kind", "holder"), [("dump", "a dump"), ("live", "a live cluster")])
def test_n005_skips_on_docker_nodes_where_the_source_holds_no_bootstrap_arguments(multi_az, kind, holder):
    finding = only("N005", from_source(_at(multi_az, "1.23"), kind))
    assert finding.status is Status.SKIP
    assert finding.message == (
        f"{holder} holds no bootstrap arguments or user data here, so whether build node group(s) domino-default-a, "
        "domino-default-b, domino-default-c (Docker runtime, Kubernetes 1.23) enable Docker bridge networking is "
        "unknown: check their launch template's user data for --enable-docker-bridge true.")


def test_n005_judges_the_user_data_a_live_source_read(multi_az):
    unbridged = edit_groups(_at(multi_az, "1.23"), "default", pre_bootstrap_commands=(),
                            bootstrap_arguments="#!/bin/bash\n/etc/eks/bootstrap.sh domino-test-cluster")
    found = findings("N005", from_source(unbridged, "live"))
    assert [(f.status, f.message) for f in found] == [
        (Status.FAIL, f"build node group {name} (Kubernetes 1.23, Docker runtime) does not enable Docker bridge "
                      "networking: environment builds fail on it.")
        for name in ("domino-default-a", "domino-default-b", "domino-default-c")]
