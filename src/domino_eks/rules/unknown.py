"""What every rule module says of a fact its source cannot know: which fact, why this kind of source lacks
it, and what the source reported when it tried."""

from __future__ import annotations

from collections.abc import Mapping

from domino_eks.model import Deployment
from domino_eks.rules.base import Outcome, skipped

_WHY_BY_KIND = {
    "spec": "the spec does not declare it; checked live by domino-eks check",
    "eksctl": "an eksctl ClusterConfig does not declare it; checked live by domino-eks check",
    "live": "the live account and cluster did not report it",
    "dump": "the dump file does not hold it; `domino-eks snapshot` collects it",
}


def unknown(d: Deployment, fact: str, why: Mapping[str, str] | None = None, gaps: tuple[str, ...] = ()) -> Outcome:
    """A skip saying `fact` is unknown: `why[kind]` (or a generic reason) plus any source gap among `gaps`."""
    because = (why or {}).get(d.source.kind) or _WHY_BY_KIND[d.source.kind]
    reported = [f"{key}: {d.source.gaps[key]}" for key in gaps if key in d.source.gaps]
    suffix = f" (the source reported {'; '.join(reported)})" if reported else ""
    return skipped(f"{fact} unknown: {because}{suffix}.")
