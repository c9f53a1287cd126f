"""A model of how long AWS takes to build a deployment, independent of the engine that builds it.

Each resource type takes a duration drawn from published timings (knowledge/aws_durations.py for the slow ones,
below for the API calls), and waits for what AWS itself requires: the values it is made from (a subnet's VPC id,
a node group's role) and the few readiness needs a value does not carry (NEEDS). The longest path through that
graph, each resource weighted by its duration, is the least time any apply can take; apply's own ordering and
timings play no part in it.

A self-managed node group's nodes boot after its Auto Scaling group is made; apply waits for no node, but an add-on
running a Deployment becomes ACTIVE only once a node for its pods is Ready, so its time counts from there.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from graphlib import TopologicalSorter

from domino_eks.knowledge import addons, aws_durations
from domino_eks.knowledge.aws_durations import Duration
from domino_eks.model import Deployment
from domino_eks.provision import kinds
from domino_eks.provision.graph import Graph
from domino_eks.provision.resources import Key, refs_in

# Until usable, for the types apply makes with one or two API calls and no wait of its own
QUICK = {
    # "Creation complete after 10s" (subnets), "after 1s" (route table associations) and "after 3s" (security
    # group rules) in a published Terraform log (terraform-aws-modules/terraform-aws-eks#2203)
    kinds.SUBNET: Duration(1.0, 10.0),
    kinds.ROUTE_TABLE: Duration(1.0, 2.0),
    kinds.SECURITY_GROUP_INGRESS: Duration(1.0, 3.0),
    kinds.SECURITY_GROUP: Duration(1.0, 3.0),
    # IAM is eventually consistent: a new role, policy or profile is usable everywhere seconds after the call
    # (IAM User Guide, "Troubleshoot IAM: changes that I make are not always immediately visible")
    kinds.IAM_ROLE: Duration(1.0, 5.0),
    kinds.IAM_POLICY: Duration(1.0, 5.0),
    kinds.INSTANCE_PROFILE: Duration(1.0, 5.0),
}
API_CALL = Duration(0.2, 1.0)  # every other type: its calls answer in a fraction of a second each
# from an instance's launch until it is a Ready node: "about 2:25 for a new node to start, join the cluster and start
# taking pods" (awslabs/amazon-eks-ami#417); "~70 seconds ... from instance launch to node registration"
# (aws/karpenter-provider-aws#6128)
NODE_READY = Duration(70.0, 145.0)
SLOW = {
    kinds.EKS_CLUSTER: aws_durations.CONTROL_PLANE,
    kinds.EKS_NODEGROUP: aws_durations.MANAGED_NODE_GROUP,
    kinds.NAT_GATEWAY: aws_durations.NAT_GATEWAY,
    kinds.EFS_FILE_SYSTEM: aws_durations.EFS_FILE_SYSTEM,
    kinds.EFS_MOUNT_TARGET: aws_durations.EFS_MOUNT_TARGET,
    kinds.CERTIFICATE: aws_durations.CERTIFICATE_VALIDATION_RECORD,
}
NODE_GROUPS = (kinds.AUTO_SCALING_GROUP, kinds.EKS_NODEGROUP)
_JOINING = (kinds.ROUTE_TABLE, kinds.SECURITY_GROUP_INGRESS, kinds.EKS_ACCESS_ENTRY, kinds.EKS_POD_IDENTITY)
# What a type waits for beyond the values it is made from: every resource of these types in the deployment
NEEDS: dict[str, tuple[str, ...]] = {
    # "Network vpc-xxxxxxxx has no internet gateway attached": a public NAT gateway fails without one
    # (Amazon VPC User Guide, "Troubleshoot NAT gateways")
    kinds.NAT_GATEWAY: (kinds.INTERNET_GATEWAY,),
    # nodes join only once routed to the API, let through the security groups, let in by their access entry, and
    # with aws-node's credentials (its Pod Identity association); EKS fails a managed group whose nodes do not
    **{group: _JOINING for group in NODE_GROUPS},
}


@dataclass(frozen=True)
class Durations:
    """Seconds per resource type as AWS would take them in one run: drawn once per type (seeded) within its range."""

    by_type: Mapping[str, float]
    daemon_set_addon: float
    deployment_addon: float
    node_ready: float

    @classmethod
    def draw(cls, seed: int) -> Durations:
        uniform = random.Random(seed).uniform

        def draw(duration: Duration) -> float:
            return uniform(duration.quickest, duration.slowest)

        by_type = {kind: draw(duration) for kind, duration in sorted({**QUICK, **SLOW}.items())}
        return cls(by_type, draw(aws_durations.ADDON_DAEMON_SET), draw(aws_durations.ADDON_DEPLOYMENT),
                   draw(NODE_READY))

    def of_type(self, kind: str) -> float:
        return self.by_type.get(kind, (API_CALL.quickest + API_CALL.slowest) / 2)

    def addon(self, name: str) -> float:
        """From its creation, once a node for its pods is Ready, until ACTIVE."""
        return self.daemon_set_addon if name in addons.DAEMON_SETS else self.deployment_addon


@dataclass(frozen=True)
class Model:
    """What waits for what on AWS, for one deployment's desired resources."""

    waits: Mapping[Key, frozenset[Key]]
    hosts: frozenset[Key]  # the node groups whose nodes an add-on running a Deployment needs, one Ready at least

    @classmethod
    def of(cls, graph: Graph, deployment: Deployment) -> Model:
        """Each resource waits for the resources its properties refer to, for what its type NEEDS, and an add-on
        running a Deployment for a node group its pods can start on (with nodes, without taints)."""
        of_type: dict[str, set[Key]] = {}
        for resource in graph:
            of_type.setdefault(resource.key.type, set()).add(resource.key)
        groups = {key for kind in NODE_GROUPS for key in of_type.get(kind, ())}
        open_groups = {g.name for g in deployment.groups if (g.effective_desired or 0) > 0 and not g.taints}
        hosts = frozenset(key for key in groups if key.name in open_groups) or frozenset(groups)
        waits = {}
        for resource in graph:
            needed = {ref.key for ref in refs_in(resource.properties)}
            needed.update(key for kind in NEEDS.get(resource.key.type, ()) for key in of_type.get(kind, ()))
            if _runs_deployment(resource.key):
                needed |= hosts
            waits[resource.key] = frozenset(needed)
        return cls(waits, hosts)

    def seconds(self, key: Key, durations: Durations) -> float:
        """How long AWS takes over `key` once what it waits for is there."""
        if key.type != kinds.EKS_ADDON:
            return durations.of_type(key.type)
        # a managed group is ACTIVE once its nodes are Ready; a self-managed group's nodes still have to boot
        booting = _runs_deployment(key) and any(h.type == kinds.AUTO_SCALING_GROUP for h in self.hosts)
        return durations.addon(key.name) + (durations.node_ready if booting else 0.0)


def _runs_deployment(key: Key) -> bool:
    return key.type == kinds.EKS_ADDON and key.name not in addons.DAEMON_SETS


def critical_path(waits: Mapping[Key, Iterable[Key]], seconds: Mapping[Key, float]) -> tuple[float, list[Key]]:
    """The length and the resources of the longest chain of waits, each resource weighted by its seconds."""
    finish: dict[Key, float] = {}
    before: dict[Key, Key | None] = {}
    for key in TopologicalSorter(waits).static_order():
        slowest = max(waits[key], key=finish.__getitem__, default=None)
        finish[key] = seconds[key] + (0.0 if slowest is None else finish[slowest])
        before[key] = slowest
    last: Key | None = max(finish, key=finish.__getitem__)
    chain = []
    while last is not None:
        chain.append(last)
        last = before[last]
    return max(finish.values()), chain[::-1]
