"""The starter spec `domino-eks init` writes: the page's pools, commented from the schema's descriptions."""

from __future__ import annotations

import io

from pydantic import BaseModel
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from domino_eks.knowledge import regions
from domino_eks.model import CONTROL_PLANE_LOG_TYPES
from domino_eks.sources.spec import API_VERSION, KIND, Spec
from domino_eks.sources.yamlfile import model_inside


def starter(name: str, region: str, zones: int, gpu: bool) -> dict:
    """The page's table of node pools (sizes per zone), in `zones` zones of `region`."""
    zone_names = regions.zones_of(region)[:zones]
    single_zone = zones == 1
    pools = [
        {"name": "platform", "instanceType": "m5.2xlarge", "volumeSize": 128,
         "minSize": 3 if single_zone else 1, "maxSize": 3, "desiredCapacity": 3 if single_zone else 1},
        {"name": "default", "instanceType": "m5.2xlarge", "volumeSize": 400,
         "minSize": 1 if single_zone else 0, "maxSize": 20 if single_zone else 7, "desiredCapacity": 1,
         "labels": {"domino/build-node": "true"}},
    ]
    if gpu:
        pools.append({"name": "gpu", "label": "default-gpu", "instanceType": "g5.2xlarge", "volumeSize": 400,
                      "minSize": 0, "maxSize": 5 if single_zone else 2, "labels": {"nvidia.com/gpu": "true"},
                      "taints": [{"key": "nvidia.com/gpu", "value": "true", "effect": "NoSchedule"}]})
    return {
        "apiVersion": API_VERSION,
        "kind": KIND,
        "metadata": {"name": name, "region": region},
        "availabilityZones": zone_names,
        "network": {"vpcCidr": "10.0.0.0/16", "networkPolicy": "vpc-cni",
                    "apiAccess": {"private": True, "publicCidrs": []}},
        "nodePools": pools,
        "storage": {"efs": {"encrypted": True}},
        "domain": {"fqdn": f"{name}.example.com"},
        "autoscaler": {"enabled": True},
        "security": {"controlPlaneLogs": list(CONTROL_PLANE_LOG_TYPES), "logRetentionDays": 365,
                     "flowLogs": True, "encryption": {"ebs": False, "efs": False, "s3": False},
                     "extendedSupport": False},
    }


def _commented(value, model: type[BaseModel] | None):
    """Copy `value` into ruamel containers, commenting each key with its field description."""
    if isinstance(value, dict):
        out = CommentedMap()
        fields = {(f.alias or n): f for n, f in model.model_fields.items()} if model else {}
        for key, item in value.items():
            field = fields.get(key)
            out[key] = _commented(item, model_inside(field.annotation) if field else None)
            if field and field.description:
                out.yaml_add_eol_comment(field.description, key)
        return out
    if isinstance(value, list):
        seq = CommentedSeq(_commented(v, model) for v in value)
        if value and not isinstance(value[0], (dict, list)):
            seq.fa.set_flow_style()
        return seq
    return value


def render(name: str, region: str, zones: int, gpu: bool) -> str:
    buffer = io.StringIO()
    yaml = YAML()
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 200
    yaml.dump(_commented(starter(name, region, zones, gpu), Spec), buffer)
    header = (
        "# domino-eks spec: the EKS environment Domino needs, in one file.\n"
        "# Check it:  domino-eks validate THIS_FILE     Every field: domino-eks schema\n"
        "# Node pool sizes are per zone; pools are duplicated in every zone, as the page requires.\n"
    )
    return header + buffer.getvalue()
