"""A user's own eksctl file under the rendered ClusterConfig, so a render loses nothing the user wrote.

The model holds only what the rules judge; an eksctl file holds much more (KMS secrets encryption, endpoint
access, permission boundaries, access entries...). The rendered config is laid over the file: every key of
the file stays as written, the render adds what it adds, and only the fixes its header names change the
user's values — a node group's tags (autodiscovery named for the real cluster, node templates) and its
preBootstrapCommands (the Docker edits dead on containerd), replaced whole; `privateNetworking: true`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# lists whose items eksctl names: an item of the file and the rendered item of the same name are one thing
NAMED_LISTS = ("nodeGroups", "managedNodeGroups", "fargateProfiles")
# the file's add-ons stay as declared (a role of their own, pod identity...): the render adds only missing ones
ADDONS = "addons"
GROUP_LISTS = ("nodeGroups", "managedNodeGroups")
# the fixes of a node group's keys: the rendered value replaces the file's, also by leaving the key out
REPLACED_IN_GROUPS = ("tags", "preBootstrapCommands")
RAISED_IN_GROUPS = ("privateNetworking",)  # written only when the render turns it on


def overlay(original: Mapping[str, Any], rendered: Mapping[str, Any]) -> dict[str, Any]:
    """The file's keys, with the render's additions and its named fixes."""
    merged = _merged(original, rendered)
    for key in NAMED_LISTS:
        if key in original or key in rendered:
            fixed = key in GROUP_LISTS
            merged[key] = _named(original.get(key) or [], rendered.get(key) or [], fixed)
    if ADDONS in original or ADDONS in rendered:
        declared = list(original.get(ADDONS) or [])
        names = {addon.get("name") for addon in declared}
        merged[ADDONS] = declared + [a for a in rendered.get(ADDONS) or [] if a.get("name") not in names]
    return merged


def _merged(original: Mapping[str, Any], rendered: Mapping[str, Any]) -> dict[str, Any]:
    """Mappings merge key by key; anywhere else the file's value stands and the render's fills what it lacks."""
    merged = dict(original)
    for key, value in rendered.items():
        if key not in original or original[key] is None:
            merged[key] = value
        elif isinstance(original[key], Mapping) and isinstance(value, Mapping):
            merged[key] = _merged(original[key], value)
    return merged


def _named(original: list, rendered: list, node_groups: bool) -> list:
    by_name = {item.get("name"): item for item in rendered if isinstance(item, Mapping)}
    declared = {item.get("name") for item in original if isinstance(item, Mapping)}
    kept = [_group(item, by_name[item.get("name")]) if node_groups and item.get("name") in by_name
            else _merged(item, by_name.get(item.get("name"), {})) for item in original]
    return kept + [item for item in rendered if item.get("name") not in declared]


def _group(original: Mapping[str, Any], rendered: Mapping[str, Any]) -> dict[str, Any]:
    # a managed group listing instanceTypes already names its type; eksctl refuses instanceType beside it
    additions = {k: v for k, v in rendered.items() if not (k == "instanceType" and "instanceTypes" in original)}
    group = _merged(original, additions)
    for key in REPLACED_IN_GROUPS:
        if key in rendered:
            group[key] = rendered[key]
        elif original.get(key):  # every entry was a fix; an empty one the file wrote stays
            group.pop(key, None)
    for key in RAISED_IN_GROUPS:
        if rendered.get(key):
            group[key] = rendered[key]
    return group
