"""Of equally long stretches without a held meeting, the report names the first."""

from __future__ import annotations

from decimal import Decimal

from test_expected_meeting_edges import day, held, pair, report

from mentoring_core.reports import Gap


def test_of_equal_longest_gaps_the_earliest_is_named() -> None:
    # Formed on day 0, meetings on days 5 and 10, report on day 15: three gaps of 5 days.
    figures = report(pair(meetings=(held(day(5)), held(day(10)))), day(15))
    assert figures.longest_gap == Gap(days=Decimal("5.0"), start=day(0), end=day(5))


def test_a_longer_gap_later_wins_over_an_earlier_one() -> None:
    figures = report(pair(meetings=(held(day(5)), held(day(10)))), day(16))
    assert figures.longest_gap == Gap(days=Decimal("6.0"), start=day(10), end=day(16))
