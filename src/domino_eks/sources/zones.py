"""Zones of the spec's region, checked where the spec is parsed.

A zone's shape is checked by its type (`types.Zone`); whether it belongs to the region takes two fields, so it is
checked once both are parsed. eksctl finds a zone outside the region only when EC2 refuses it at create time
("Invalid availability zone", eksctl-io/eksctl#8174); a spec names the error before anything runs. Rule G002
still judges the sources that cannot be refused this way (eksctl files, dumps) and a region the tool does not know.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from domino_eks.errors import InputError, Problem, did_you_mean
from domino_eks.knowledge import regions
from domino_eks.sources import yamlfile

Named = tuple[tuple[str | int, ...], str]  # (path in the document, zone)


def refuse_outside(region: str, named: Iterable[Named], document: Any, file: str) -> None:
    """Raise InputError, one located problem per zone, for every zone named that `region` does not have."""
    if region not in regions.REGIONS:  # G002 names the region itself, with a did-you-mean
        return
    own = regions.zones_of(region)
    problems = [_problem(region, own, loc, zone, document, file) for loc, zone in named if zone not in own]
    if problems:
        raise InputError(problems)


def _problem(region: str, own: list[str], loc: tuple[str | int, ...], zone: str, document: Any,
             file: str) -> Problem:
    line, column = yamlfile.position(document, loc)
    elsewhere = regions.zone_region(zone)
    why = f"is a zone of {elsewhere}" if elsewhere and elsewhere != region else "is not a zone of it"
    return Problem(file, f"'{yamlfile.yaml_path(loc)}': expected a zone of the region {region} "
                         f"({', '.join(own)}); {zone!r} {why}{did_you_mean(zone, own)}", line, column)
