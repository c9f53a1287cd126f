"""AWS regions, the letters of their availability zones (EC2 DescribeAvailabilityZones), and their partitions."""

from __future__ import annotations

import re

REGIONS: dict[str, str] = {
    "us-east-1": "abcdef", "us-east-2": "abc", "us-west-1": "abc", "us-west-2": "abcd",
    "af-south-1": "abc", "ap-east-1": "abc", "ap-east-2": "abc", "ap-south-1": "abc", "ap-south-2": "abc",
    "ap-southeast-1": "abc", "ap-southeast-2": "abc", "ap-southeast-3": "abc", "ap-southeast-4": "abc",
    "ap-southeast-5": "abc", "ap-southeast-7": "abc", "ap-northeast-1": "acd", "ap-northeast-2": "abcd",
    "ap-northeast-3": "abc", "ca-central-1": "abd", "ca-west-1": "abc", "eu-central-1": "abc",
    "eu-central-2": "abc", "eu-west-1": "abc", "eu-west-2": "abc", "eu-west-3": "abc", "eu-south-1": "abc",
    "eu-south-2": "abc", "eu-north-1": "abc", "il-central-1": "abc", "me-south-1": "abc",
    "me-central-1": "abc", "mx-central-1": "abc", "sa-east-1": "abc",
    "us-gov-west-1": "abc", "us-gov-east-1": "abc", "cn-north-1": "ab", "cn-northwest-1": "abc",
}

_ZONE = re.compile(r"^(?P<region>[a-z]{2}(-gov)?-[a-z]+-\d)(?P<letter>[a-z])$")


def zone_region(zone: str) -> str | None:
    """The region a zone name belongs to (us-west-2a -> us-west-2), or None if it is not zone-shaped."""
    match = _ZONE.match(zone)
    return match.group("region") if match else None


def zone_exists(zone: str) -> bool:
    match = _ZONE.match(zone)
    return match is not None and match.group("letter") in REGIONS.get(match.group("region"), "")


def zones_of(region: str) -> list[str]:
    return [region + letter for letter in REGIONS.get(region, "")]


def partition(region: str) -> str:
    """The partition ARNs in `region` name: China and GovCloud regions have their own."""
    return "aws-cn" if region.startswith("cn-") else "aws-us-gov" if region.startswith("us-gov-") else "aws"
