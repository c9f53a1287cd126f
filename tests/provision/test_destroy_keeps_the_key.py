"""What destroy does with the key that encrypts the cluster's Secrets: kept unless --delete-data, and then
scheduled for deletion only once the cluster whose Secrets it decrypts is deleted (the order destroy walks)."""

from __future__ import annotations

from domino_eks.provision import desired, destroy, kinds
from domino_eks.provision.resources import Existing, Key

SECRETS_KEY, CLUSTER = Key(kinds.KMS_KEY, "secrets"), Key(kinds.EKS_CLUSTER, "cluster")


def everything_found(deployment):
    graph = desired.build(deployment)
    return graph, {resource.key: Existing(resource.key, {}) for resource in graph}


def test_without_delete_data_the_key_and_the_log_groups_are_kept(multi_az):
    _, found = everything_found(multi_az)
    # among what is kept (keys other work adds for data at rest are kept too)
    assert destroy.kept(found, delete_data=False).items() >= {
        SECRETS_KEY: "the key that decrypts the cluster's Secrets",
        Key(kinds.LOG_GROUP, "control-plane-logs"): "the logs it holds",
        Key(kinds.LOG_GROUP, "flow-logs"): "the logs it holds",
    }.items()
    assert destroy.kept(found, delete_data=True) == {}


def test_with_delete_data_the_key_goes_only_after_the_cluster_it_encrypts(multi_az):
    graph, found = everything_found(multi_az)
    waits = destroy.deletion_order(found, graph)
    assert CLUSTER in waits[SECRETS_KEY]
    order = destroy.in_order(waits)
    assert order.index(CLUSTER) < order.index(SECRETS_KEY)
