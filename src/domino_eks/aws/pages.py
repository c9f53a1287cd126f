"""Reading a listing whole: every page of an operation, and names split into as many calls as the API caps."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

FILTER_VALUES_LIMIT = 200  # EC2 accepts at most 200 values in one filter


def paginate(client: Any, operation: str, key: str, **arguments: Any) -> Iterator[Any]:
    """Every element of `key` across the pages of an operation, fetched as they are read (one call when the
    operation has no paginator)."""
    if not client.can_paginate(operation):
        yield from getattr(client, operation)(**arguments).get(key) or ()
        return
    for page in client.get_paginator(operation).paginate(**arguments):
        yield from page.get(key) or ()


def filtered(client: Any, operation: str, key: str, name: str, values: Sequence[str],
             **arguments: Any) -> Iterator[Any]:
    """`paginate` with an EC2 filter on `name`; filtering (unlike listing ids) skips ids that no longer exist."""
    for chunk in chunks(values, FILTER_VALUES_LIMIT):
        yield from paginate(client, operation, key, Filters=[{"Name": name, "Values": chunk}], **arguments)


# DescribeAutoScalingGroups takes at most 50 names a call
# (https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_DescribeAutoScalingGroups.html)
AUTO_SCALING_GROUP_NAMES_PER_CALL = 50


def chunks(values: Sequence[str], size: int) -> Iterator[list[str]]:
    """`values` in lists of at most `size`, for APIs that cap how many names one call takes."""
    for start in range(0, len(values), size):
        yield list(values[start:start + size])
