"""A004: every node role has a way into the cluster — an EC2_LINUX access entry, or an aws-auth mapping where the
authentication mode reads the ConfigMap."""

from __future__ import annotations

from domino_eks.model import AccessEntry, Location
from domino_eks.rules import Severity, Status
from tests.rules.builders import edit, edit_groups, findings, from_source, only

ROLE = "arn:aws:iam::123456789012:role/domino-nodes"
GPU_ROLE = "arn:aws:iam::123456789012:role/domino-gpu-nodes"
NODES_ENTRY = AccessEntry(principal_arn=ROLE, type="EC2_LINUX")
GPU_GROUPS = "domino-gpu-a, domino-gpu-b, domino-gpu-c"


def _live(deployment, mode, entries=None, mapped=None):
    """The deployment as a live cluster sees it: the GPU pool on a role of its own, every other pool on ROLE."""
    live = edit_groups(edit_groups(from_source(deployment, "live"), None, node_role=ROLE), "default-gpu",
                       node_role=GPU_ROLE)
    return edit(live, "access", authentication_mode=mode, access_entries=entries, aws_auth_node_roles=mapped)


def test_a004_passes_when_every_node_role_has_an_ec2_linux_entry(multi_az):
    entries = (NODES_ENTRY, AccessEntry(principal_arn=GPU_ROLE, type="EC2_LINUX"))
    finding = only("A004", _live(multi_az, "API", entries))
    assert (finding.status, finding.message) == (
        Status.PASS, "every node role has an EC2_LINUX access entry or an aws-auth mapping.")


def test_a004_fails_a_pool_role_without_an_entry_naming_the_role_and_the_command(multi_az):
    finding = only("A004", _live(multi_az, "API", (NODES_ENTRY,)))
    assert (finding.status, finding.severity) == (Status.FAIL, Severity.ERROR)
    assert finding.location == Location(object=f"Role/{GPU_ROLE}")
    assert finding.message == (
        f"node role {GPU_ROLE} (node groups {GPU_GROUPS}) has no EKS access entry: its nodes never join. Run `aws "
        f"eks create-access-entry --cluster-name domino-test-cluster --principal-arn {GPU_ROLE} --type EC2_LINUX`.")


def test_a004_fails_an_entry_of_the_wrong_type(multi_az):
    entries = (NODES_ENTRY, AccessEntry(principal_arn=GPU_ROLE, type="STANDARD"))
    assert only("A004", _live(multi_az, "API_AND_CONFIG_MAP", entries, ())).message == (
        f"node role {GPU_ROLE} (node groups {GPU_GROUPS}) has an access entry of type STANDARD, not EC2_LINUX: its "
        f"nodes cannot register. Replace it: `aws eks delete-access-entry --cluster-name domino-test-cluster "
        f"--principal-arn {GPU_ROLE}`, then `aws eks create-access-entry --cluster-name domino-test-cluster "
        f"--principal-arn {GPU_ROLE} --type EC2_LINUX`.")


def test_a004_reads_aws_auth_where_the_mode_does(multi_az):
    mapped = (ROLE, "arn:aws:iam::123456789012:role/some/path/domino-gpu-nodes")  # aws-auth drops a role's path
    assert only("A004", _live(multi_az, "API_AND_CONFIG_MAP", (), mapped)).status is Status.PASS
    assert only("A004", _live(multi_az, "CONFIG_MAP", None, mapped)).status is Status.PASS
    # API mode reads no ConfigMap: the mappings count for nothing there
    assert only("A004", _live(multi_az, "API", (NODES_ENTRY,), mapped)).status is Status.FAIL


def test_a004_in_config_map_mode_names_the_mapping_or_the_switch(multi_az):
    finding = only("A004", _live(multi_az, "CONFIG_MAP", None, (ROLE,)))
    assert finding.message == (
        f"node role {GPU_ROLE} (node groups {GPU_GROUPS}) is not mapped in the aws-auth ConfigMap, the only way in "
        "under the cluster's authentication mode CONFIG_MAP: its nodes never join. Add it to mapRoles with the "
        "groups system:bootstrappers and system:nodes, or switch to API_AND_CONFIG_MAP (`aws eks "
        "update-cluster-config --name domino-test-cluster --access-config authenticationMode=API_AND_CONFIG_MAP`) "
        f"and run `aws eks create-access-entry --cluster-name domino-test-cluster --principal-arn {GPU_ROLE} "
        "--type EC2_LINUX`.")


def test_a004_skips_what_it_cannot_read_and_a_spec(multi_az):
    assert [f.message for f in findings("A004", multi_az)] == [
        "the cluster's authentication mode unknown: the cluster's access entries exist once apply creates it (with "
        "an EC2_LINUX access entry for the nodes' role); checked live by domino-eks check, and by plan and apply "
        "when the cluster exists."]
    refused = from_source(_live(multi_az, "API", None), "live", {"eks": "ListAccessEntries: AccessDenied"})
    refused = edit_groups(edit_groups(refused, None, node_role=ROLE), "default-gpu", node_role=GPU_ROLE)
    (finding,) = findings("A004", edit(refused, "access", authentication_mode="API"))
    assert finding.status is Status.SKIP
    assert finding.message == ("the access entries of cluster domino-test-cluster unknown: the live account and "
                               "cluster did not report it (the source reported eks: ListAccessEntries: AccessDenied).")
