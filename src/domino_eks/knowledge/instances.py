"""Facts about EC2 instance types: vCPUs, memory, GPUs and the VPC CNI's max pods, their architecture,
and which default images drive their GPUs.

The table covers the types Domino's pages and modules name; anything else is looked up in the
instance-type data moto ships (taken from the EC2 API), with max pods computed the way the EKS AMI's
eni-max-pods.txt is: ENIs x (IPv4 addresses per ENI - 1) + 2.
"""

from __future__ import annotations

import gzip
import importlib.util
import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path


@dataclass(frozen=True)
class InstanceType:
    name: str
    vcpus: int
    memory_gib: float
    gpus: int
    max_pods: int


# name: (vCPU, GiB, GPUs, ENIs, IPv4 per ENI) — EC2 DescribeInstanceTypes, incl. retired p2/p3
_KNOWN = {
    "m5.large": (2, 8, 0, 3, 10), "m5.xlarge": (4, 16, 0, 4, 15), "m5.2xlarge": (8, 32, 0, 4, 15),
    "m5.4xlarge": (16, 64, 0, 8, 30), "m5.8xlarge": (32, 128, 0, 8, 30), "m5.12xlarge": (48, 192, 0, 8, 30),
    "m6i.xlarge": (4, 16, 0, 4, 15), "m6i.2xlarge": (8, 32, 0, 4, 15), "m6i.4xlarge": (16, 64, 0, 8, 30),
    "m7i.2xlarge": (8, 32, 0, 4, 15), "m7i-flex.xlarge": (4, 16, 0, 4, 15), "m7i-flex.2xlarge": (8, 32, 0, 4, 15),
    "t3.medium": (2, 4, 0, 3, 6), "t3.large": (2, 8, 0, 3, 12), "t3.xlarge": (4, 16, 0, 4, 15),
    "c5.2xlarge": (8, 16, 0, 4, 15), "r5.2xlarge": (8, 64, 0, 4, 15),
    "p2.xlarge": (4, 61, 1, 4, 15), "p2.8xlarge": (32, 488, 8, 8, 30), "p2.16xlarge": (64, 732, 16, 8, 30),
    "p3.2xlarge": (8, 61, 1, 4, 15), "p3.8xlarge": (32, 244, 4, 8, 30), "p3.16xlarge": (64, 488, 8, 8, 30),
    "g4dn.xlarge": (4, 16, 1, 3, 10), "g4dn.2xlarge": (8, 32, 1, 3, 10),
    "g5.xlarge": (4, 16, 1, 4, 15), "g5.2xlarge": (8, 32, 1, 4, 15), "g5.4xlarge": (16, 64, 1, 8, 30),
    "g6.xlarge": (4, 16, 1, 4, 15), "g6.2xlarge": (8, 32, 1, 4, 15),
}

_GPU_FAMILY = re.compile(r"^(p\d|g\d)")
_GRAVITON_FAMILY = re.compile(r"^[a-z]+\d+g")  # m7g, c6gn, g5g...
# AMI families whose EKS-optimized image has an NVIDIA variant, which eksctl and domino-eks pick on GPU types
ACCELERATED_AMI_FAMILIES = frozenset({"AmazonLinux2023", "AmazonLinux2", "Bottlerocket", "BottlerocketFips"})
# Families current NVIDIA drivers no longer support (p2: Kepler, needs driver <= 470) or that are old.
RETIRED_GPU_FAMILIES = {
    "p2": "Kepler K80 GPUs need NVIDIA driver 470 or older; EKS AMIs ship 535+ and eksctl dropped p2",
}
OLD_GPU_FAMILIES = {"p3": "Volta V100 (2017); driver 595, needed by newer GPUs, no longer supports P3"}


def _max_pods(enis: int, ips_per_eni: int) -> int:
    return enis * (ips_per_eni - 1) + 2


@cache
def _moto_table() -> dict:
    spec = importlib.util.find_spec("moto")
    if spec is None or not spec.submodule_search_locations:
        return {}
    path = Path(spec.submodule_search_locations[0]) / "ec2" / "resources" / "instance_types.json.gz"
    return json.loads(gzip.decompress(path.read_bytes())) if path.exists() else {}


@cache
def lookup(name: str) -> InstanceType | None:
    if name in _KNOWN:
        vcpu, mem, gpus, enis, ips = _KNOWN[name]
        return InstanceType(name, vcpu, mem, gpus, _max_pods(enis, ips))
    raw = _moto_table().get(name)
    if raw is None:
        return None
    net = raw["NetworkInfo"]
    gpus = sum(g.get("Count", 0) for g in raw.get("GpuInfo", {}).get("Gpus", []))
    return InstanceType(
        name,
        raw["VCpuInfo"]["DefaultVCpus"],
        raw["MemoryInfo"]["SizeInMiB"] / 1024,
        gpus,
        _max_pods(net["MaximumNetworkInterfaces"], net["Ipv4AddressesPerInterface"]),
    )


def is_gpu_instance(name: str) -> bool:
    known = lookup(name)
    if known is not None:
        return known.gpus > 0
    return bool(_GPU_FAMILY.match(name))


def family(name: str) -> str:
    """The instance family: p3 of p3.2xlarge."""
    return name.split(".", 1)[0]


def architecture(name: str) -> str:
    """The processor architecture, as EC2 names it: arm64 for Graviton families, else x86_64."""
    return "arm64" if _GRAVITON_FAMILY.match(family(name)) else "x86_64"


def default_image_accelerated(ami_family: str | None, instance_type: str | None) -> bool | None:
    """Whether the default image of `ami_family` on `instance_type` carries NVIDIA drivers; None when unknown."""
    if ami_family not in ACCELERATED_AMI_FAMILIES or instance_type is None:
        return None
    return is_gpu_instance(instance_type)
