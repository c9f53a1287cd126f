"""Constrained types for the values a spec holds, checked where they are parsed.

A value the schema lets through reaches code that trusts it (subnet arithmetic, tag writes, kubelet flags), so
each type admits exactly what AWS or Kubernetes accepts and says what it expected otherwise. pydantic reports the
ValueError of a validator at the field's path, which `yamlfile` turns into file:line:column.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field, StringConstraints

# VPC CIDR blocks: "The allowed block size is between a /16 netmask (65,536 IP addresses) and /28 netmask
# (16 IP addresses)" (Amazon VPC User Guide, "VPC CIDR blocks"). domino-eks creates IPv4 VPCs only.
VPC_PREFIX_RANGE = (16, 28)


def _ipv4_network(text: str, what: str) -> ipaddress.IPv4Network:
    try:
        network = ipaddress.ip_network(text, strict=False) if "/" in text else None
    except ValueError:
        network = None
    if network is None:
        raise ValueError(f"expected an IPv4 CIDR such as 10.0.0.0/16 for {what}")
    if isinstance(network, ipaddress.IPv6Network):
        raise ValueError(f"IPv6 is not supported for {what}: expected an IPv4 CIDR such as 10.0.0.0/16")
    if ipaddress.ip_interface(text).ip != network.network_address:
        raise ValueError(f"expected a network address with no host bits set, e.g. {network.with_prefixlen}")
    return network


def _vpc_cidr(text: str) -> str:
    network = _ipv4_network(text, "the VPC")
    low, high = VPC_PREFIX_RANGE
    if not low <= network.prefixlen <= high:
        raise ValueError(f"expected a prefix between /{low} and /{high}, as AWS allows for a VPC")
    return text


def _reserved_cidr(text: str) -> str:
    _ipv4_network(text, "a reserved range")
    return text


VpcCidr = Annotated[str, AfterValidator(_vpc_cidr)]
ReservedCidr = Annotated[str, AfterValidator(_reserved_cidr)]

# A zone is its region's name and a letter (us-west-2a), or a Local Zone's (us-west-2-lax-1a).
_ZONE = re.compile(r"[a-z]{2}(-[a-z]+)+-\d+(-[a-z]+-\d+)?[a-z]")


def _zone(text: str) -> str:
    if not _ZONE.fullmatch(text):
        raise ValueError("expected an availability zone name such as us-west-2a")
    return text


Zone = Annotated[str, AfterValidator(_zone)]

# Auto Scaling sizes and EBS volume sizes are 32-bit integers in the AWS APIs; a larger one fails half way
# through an apply. Volume sizes: gp2/gp3/io1 accept 1-16,384 GiB and io2 Block Express up to 65,536 GiB
# (Amazon EBS User Guide, "Amazon EBS volume types").
INT32_MAX = 2**31 - 1
GroupSize = Annotated[int, Field(ge=0, le=INT32_MAX)]
VolumeSize = Annotated[int, Field(ge=1, le=65_536)]

# Tags: keys 1-128 and values 0-256 Unicode characters of letters, digits, spaces and _ . : / = + - @; the aws:
# prefix is AWS's own and cannot be written (AWS General Reference, "Tagging AWS resources: tag naming limits").
_TAG_TEXT = re.compile(r"[\w .:/=+\-@]*")


def _tag_key(key: str) -> str:
    if not 1 <= len(key) <= 128:
        raise ValueError("expected a tag key of 1 to 128 characters")
    if key.lower().startswith("aws:"):
        raise ValueError("the 'aws:' prefix is reserved for AWS's own tags; choose another key")
    if not _TAG_TEXT.fullmatch(key):
        raise ValueError("expected letters, digits, spaces and _ . : / = + - @ in a tag key")
    return key


def _tag_value(value: str) -> str:
    if len(value) > 256:
        raise ValueError("expected a tag value of at most 256 characters")
    if not _TAG_TEXT.fullmatch(value):
        raise ValueError("expected letters, digits, spaces and _ . : / = + - @ in a tag value")
    return value


TagKey = Annotated[str, AfterValidator(_tag_key)]
TagValue = Annotated[str, AfterValidator(_tag_value)]

# Kubernetes label keys and values ("Labels and Selectors", "Syntax and character set"): an optional DNS
# subdomain prefix of at most 253 characters and '/', then a name of at most 63 characters, alphanumeric at both
# ends with - _ . between; a value is empty or such a name. Taint keys and values follow the same syntax.
_LABEL_NAME = re.compile(r"([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?")
_DNS_SUBDOMAIN = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*")


def _label_name(name: str, what: str) -> None:
    if not name or len(name) > 63 or not _LABEL_NAME.fullmatch(name):
        raise ValueError(f"expected {what} of 1 to 63 letters, digits, '-', '_' or '.', "
                         "beginning and ending with a letter or digit")


def _label_key(key: str) -> str:
    prefix, _, name = key.rpartition("/")
    if "/" in key and (not prefix or len(prefix) > 253 or not _DNS_SUBDOMAIN.fullmatch(prefix)):
        raise ValueError("expected a key prefix that is a DNS subdomain (lowercase, e.g. example.com/) before '/'")
    _label_name(name, "a key name")
    return key


def _label_value(value: str) -> str:
    if value:
        _label_name(value, "a value")
    return value


LabelKey = Annotated[str, AfterValidator(_label_key)]
LabelValue = Annotated[str, AfterValidator(_label_value)]

# Names that become part of AWS resource names and the node-pool label: a DNS label (lowercase letters, digits,
# '-'), which fits every name built from it (node groups, launch templates, ASGs, IAM roles, Kubernetes labels).
PoolName = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", max_length=40)]
# EKS cluster names: 1-100 characters, a letter or digit first, then letters, digits, '-' and '_'
# (EKS API Reference, CreateCluster "name"). Bucket names built from it are judged by S006.
ClusterName = Annotated[str, StringConstraints(pattern=r"^[0-9A-Za-z][A-Za-z0-9_-]*$", max_length=100)]


def _storage_class(value: Any) -> Any:
    """A StorageClass manifest in the shapes Kubernetes reads; keys it ignores are left for rule S002 to name."""
    if not isinstance(value, Mapping):
        raise ValueError("expected a StorageClass manifest (a mapping)")
    metadata = value.get("metadata", {})
    if not isinstance(metadata, Mapping):
        raise ValueError("expected metadata to be a mapping")
    name = metadata.get("name")
    if name is not None and (not isinstance(name, str) or len(name) > 253 or not _DNS_SUBDOMAIN.fullmatch(name)):
        raise ValueError("expected metadata.name to be a DNS subdomain (lowercase letters, digits, '-', '.')")
    if not isinstance(value.get("provisioner", ""), str):
        raise ValueError("expected provisioner to be a string such as ebs.csi.aws.com")
    for key in ("parameters", "annotations"):
        held = value.get(key) if key == "parameters" else metadata.get(key)
        if held is None:
            continue
        if not isinstance(held, Mapping) or any(isinstance(v, (Mapping, list)) for v in held.values()):
            raise ValueError(f"expected {key} to map names to strings")
    return value


StorageClassManifest = Annotated[dict[str, Any], BeforeValidator(_storage_class)]
