"""Month keys as the reports write them: ``YYYY-MM``, whatever moments were asked before
(each key is written once and looked up after)."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from mentoring_core.reports._numbers import month_key


@given(st.lists(st.datetimes(timezones=st.sampled_from([None, UTC])), min_size=2))
def test_a_month_key_is_its_moments_year_and_month_whatever_came_before(
    moments: list[datetime],
) -> None:
    for moment in moments:
        assert month_key(moment) == f"{moment.year:04d}-{moment.month:02d}"


def test_months_next_to_each_other_have_their_own_keys() -> None:
    moments = [
        datetime(year, month, 28) for year in (1, 2025, 2026, 9999) for month in range(1, 13)
    ]
    keys = [month_key(moment) for moment in moments]
    assert keys[:2] == ["0001-01", "0001-02"] and keys[-1] == "9999-12"
    assert len(set(keys)) == len(keys) == 48
