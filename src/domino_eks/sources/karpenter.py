"""Karpenter's NodePools (karpenter.sh/v1) and EC2NodeClasses (karpenter.k8s.aws/v1) as Domino pools.

Domino's Terraform can run compute on Karpenter instead of Auto Scaling groups. Each NodePool becomes one node group
of the pool its template labels name (`dominodatalab.com/node-pool` in spec.template.metadata.labels): its zones,
instance type or families and GPUs from spec.template.spec.requirements, its taints from the template, its image
family, volume and metadata options from the EC2NodeClass it references. It has no Auto Scaling group and no sizes
(Karpenter has no minimum; its limits are CPU and memory), so those stay unknown and the rules about them skip; the
nodes it launched join it (`snapshot.groups.with_node_pools`). The NodePool itself is kept for P016, with the
fields karpenter.sh/v1's schema (reference/, Apache-2.0) has no place for.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from functools import cache
from importlib import resources
from typing import Any

from domino_eks.model import NODE_POOL_LABEL, KarpenterNodePool, Location, NodeGroup, Taint

NODE_POOL_API = "karpenter.sh/v1"
NODE_CLASS_API = "karpenter.k8s.aws/v1"
CRD_FILE = "karpenter.sh_nodepools.yaml"
ZONE = "topology.kubernetes.io/zone"
INSTANCE_TYPE = "node.kubernetes.io/instance-type"
INSTANCE_FAMILY = "karpenter.k8s.aws/instance-family"
# an EC2NodeClass's amiSelectorTerms alias (family@version) -> eksctl's family name, as the rest of the model spells it
_ALIAS_FAMILIES = {"al2023": "AmazonLinux2023", "al2": "AmazonLinux2", "bottlerocket": "Bottlerocket"}
_GIB = re.compile(r"^(\d+)(Gi|G)$")


def node_groups(node_pools: list[Mapping], node_classes: list[Mapping]) -> list[NodeGroup]:
    """A node group per v1 NodePool, with what its EC2NodeClass says of the nodes."""
    classes = {c["metadata"]["name"]: c for c in node_classes if c.get("apiVersion") == NODE_CLASS_API}
    return [_node_group(pool, classes) for pool in node_pools if pool.get("apiVersion") == NODE_POOL_API]


def judged(node_pools: list[Mapping]) -> tuple[KarpenterNodePool, ...]:
    """Each NodePool as P016 judges it; objects of other API versions too, whose every field is then misplaced."""
    return tuple(_judged(pool) for pool in node_pools)


def _template(pool: Mapping) -> Mapping:
    return (pool.get("spec") or {}).get("template") or {}


def _requirements(pool: Mapping) -> dict[str, list[str]]:
    """The requirements' In values by key (NotIn, Exists, Gt and Lt narrow nothing this model records)."""
    wanted: dict[str, list[str]] = {}
    for requirement in (_template(pool).get("spec") or {}).get("requirements") or ():
        if requirement.get("operator") == "In":
            wanted.setdefault(requirement["key"], []).extend(requirement.get("values") or ())
    return wanted


def _labels(pool: Mapping) -> dict[str, str]:
    return dict((_template(pool).get("metadata") or {}).get("labels") or {})


def _node_group(pool: Mapping, classes: Mapping[str, Mapping]) -> NodeGroup:
    name = pool["metadata"]["name"]
    spec = _template(pool).get("spec") or {}
    wanted = _requirements(pool)
    node_class = classes.get((spec.get("nodeClassRef") or {}).get("name", ""), {})
    types = wanted.get(INSTANCE_TYPE) or []
    return NodeGroup(
        name=f"karpenter-{name}",
        zones=tuple(wanted[ZONE]) if ZONE in wanted else _class_zones(node_class),
        subnet_ids=_class_subnet_ids(node_class),
        instance_type=types[0] if len(types) == 1 else None,
        instance_families=tuple(wanted.get(INSTANCE_FAMILY) or ()),
        volume_size_gb=_root_volume_gib(node_class),
        labels=_labels(pool),
        taints=tuple(Taint(key=t["key"], value=t.get("value") or "", effect=t["effect"])
                     for t in spec.get("taints") or ()),
        tags=None,
        ami_family=_ami_family(node_class),
        imdsv2_required=_imdsv2(node_class),
        karpenter_node_pool=name,
        location=_where(name),
    )


def _class_zones(node_class: Mapping) -> tuple[str, ...] | None:
    """Where the node class's subnets are (its status, once Karpenter resolved them); None when not known."""
    subnets = (node_class.get("status") or {}).get("subnets")
    return tuple(sorted({s["zone"] for s in subnets if s.get("zone")})) if subnets else None


def _class_subnet_ids(node_class: Mapping) -> tuple[str, ...] | None:
    """The subnets Karpenter launches this class's nodes into, once it resolved them: S003 wants EFS mountable in
    each one's zone."""
    subnets = (node_class.get("status") or {}).get("subnets")
    return tuple(sorted(s["id"] for s in subnets if s.get("id"))) if subnets else None


def _root_volume_gib(node_class: Mapping) -> int | None:
    for mapping in (node_class.get("spec") or {}).get("blockDeviceMappings") or ():
        size = _GIB.match(str((mapping.get("ebs") or {}).get("volumeSize", "")))
        if mapping.get("rootVolume") and size:
            return int(size.group(1))
    return None


def _ami_family(node_class: Mapping) -> str | None:
    aliases = {t["alias"].split("@", 1)[0] for t in (node_class.get("spec") or {}).get("amiSelectorTerms") or ()
               if t.get("alias")}
    return _ALIAS_FAMILIES.get(aliases.pop()) if len(aliases) == 1 else None


def _imdsv2(node_class: Mapping) -> bool | None:
    if not node_class:
        return None
    # Karpenter's default metadataOptions require IMDSv2 (httpTokens: required)
    return ((node_class.get("spec") or {}).get("metadataOptions") or {}).get("httpTokens", "required") == "required"


def _where(name: str) -> Location:
    return Location(object=f"NodePool/{name}")


def _judged(pool: Mapping) -> KarpenterNodePool:
    name = pool["metadata"]["name"]
    wanted = _requirements(pool)
    misplaced = (tuple(_unknown_fields(pool, _schema(), ())) if pool.get("apiVersion") == NODE_POOL_API
                 else (f"apiVersion {pool.get('apiVersion')}",))
    return KarpenterNodePool(name=name, node_pool_label=_labels(pool).get(NODE_POOL_LABEL),
                             zones=tuple(wanted[ZONE]) if ZONE in wanted else None, misplaced=misplaced,
                             location=_where(name))


@cache
def _schema() -> dict:
    """The v1 schema of Karpenter's NodePool CRD, shipped with the package."""
    from ruamel.yaml import YAML  # only when a NodePool is judged: checking a cluster without any loads no YAML parser

    shipped = resources.files("domino_eks.sources").joinpath("reference").joinpath(CRD_FILE)
    crd = YAML(typ="safe").load(shipped.read_text(encoding="utf-8"))
    return next(v for v in crd["spec"]["versions"] if v["name"] == "v1")["schema"]["openAPIV3Schema"]


def _unknown_fields(value: Any, schema: Mapping, path: tuple[str, ...]) -> Iterator[str]:
    """Paths of the keys the structural schema names no place for (the API server prunes them, or refuses them
    under strict field validation), under `spec` only: metadata and status are the API server's and Karpenter's."""
    if isinstance(value, list) and "items" in schema:
        for item in value:
            yield from _unknown_fields(item, schema["items"], path)
        return
    open_ended = "properties" not in schema or schema.get("x-kubernetes-preserve-unknown-fields")
    if not isinstance(value, Mapping) or open_ended:
        return
    named = schema["properties"]
    for key, member in value.items():
        if not path and key != "spec":
            continue
        if key in named:
            yield from _unknown_fields(member, named[key], (*path, key))
        elif not schema.get("additionalProperties"):
            yield ".".join((*path, key))
