"""The shipped EKS calendar and the default version it implies: a pure function of the day."""

from __future__ import annotations

from datetime import date

import pytest

from domino_eks.knowledge import eks_versions


@pytest.mark.parametrize(("day", "expected"), [
    (date(2026, 1, 27), "1.34"),  # the day before 1.35 reached EKS
    (date(2026, 1, 28), "1.35"),
    (date(2026, 6, 1), "1.35"),
    (date(2026, 6, 2), "1.36"),  # 1.36 on EKS
    (date(2027, 8, 2), "1.36"),  # its last day of standard support
])
def test_the_default_is_the_newest_version_in_standard_support_that_day(day, expected):
    assert eks_versions.default_version(day) == expected


def test_past_the_table_the_default_is_the_newest_version_it_knows():
    assert eks_versions.default_version(date(2030, 1, 1)) == max(eks_versions.CALENDAR, key=eks_versions.order)


def test_the_calendar_is_ordered_and_each_version_is_supported_26_months():
    for released, end_standard, end_extended in eks_versions.CALENDAR.values():
        released_on, standard_ends, extended_ends = map(date.fromisoformat, (released, end_standard, end_extended))
        assert released_on < standard_ends < extended_ends
        assert (extended_ends.year - standard_ends.year, extended_ends.month - standard_ends.month) == (1, 0)


def test_the_calendar_reaches_the_newest_eks_release():
    assert max(eks_versions.CALENDAR, key=eks_versions.order) == "1.36"
    assert eks_versions.support("1.36", date(2026, 12, 1)).status == "standard"
