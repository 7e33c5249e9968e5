"""On the occurred axis a corrected meeting happened when its correction says, as the
correction says: the state as things had happened by a moment shows it from its corrected
time on, with its corrected values, and not before, whenever the correction was made
(docs/audit.md, section 5)."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import given
from hypothesis import strategies as st
from scenarios import HOUR_ONE_ON_ONE, MEETING_ID, YESTERDAY, relationship_history
from strategies import NOW

from mentoring_core.audit import happened_by, state_at
from mentoring_core.domain import commands as cmd
from mentoring_core.state import RelationshipState

CORRECTED_AT = NOW - timedelta(hours=1)
"""When the record is corrected: after the meeting, at both its times."""


def moved(to: timedelta, minutes: int = 90) -> list[object]:
    """Ana and Ben's meeting held yesterday, its record corrected an hour ago: it was held
    ``to`` later (earlier if negative), for ``minutes``."""
    history = relationship_history()
    history.record(HOUR_ONE_ON_ONE)
    history.record(
        cmd.CorrectMeetingRecord(
            meeting_id=MEETING_ID,
            reason="the wrong time was recorded",
            held_at=YESTERDAY + to,
            duration_minutes=minutes,
            occurred_at=CORRECTED_AT,
        )
    )
    return history.events


def meetings_by(events: list[object], at: object) -> list[tuple[object, int | None]]:
    state = state_at(events, occurred_by=at)  # type: ignore[arg-type]
    assert isinstance(state, RelationshipState)
    return [(m.occurred_at, m.duration_minutes) for m in state.meetings]


def test_a_meeting_moved_later_had_not_happened_at_the_time_first_recorded() -> None:
    events = moved(timedelta(hours=6))
    assert meetings_by(events, YESTERDAY + timedelta(hours=1)) == []
    assert meetings_by(events, YESTERDAY + timedelta(hours=6)) == [
        (YESTERDAY + timedelta(hours=6), 90)
    ]


def test_a_meeting_moved_earlier_had_happened_before_the_time_first_recorded() -> None:
    events = moved(-timedelta(days=2))
    assert meetings_by(events, YESTERDAY - timedelta(days=1)) == [
        (YESTERDAY - timedelta(days=2), 90)
    ]


@given(
    to=st.timedeltas(min_value=-timedelta(days=29), max_value=timedelta(hours=22)),
    at=st.timedeltas(min_value=-timedelta(days=29), max_value=timedelta(hours=23)),
    minutes=st.integers(min_value=1, max_value=600),
)
def test_a_corrected_meeting_shows_from_its_corrected_time_with_its_corrected_values(
    to: timedelta, at: timedelta, minutes: int
) -> None:
    events = moved(to, minutes)
    held = YESTERDAY + to
    expected = [(held, minutes)] if held <= YESTERDAY + at else []
    assert meetings_by(events, YESTERDAY + at) == expected
    applied = happened_by(events, YESTERDAY + at)  # type: ignore[arg-type]
    assert len(applied) == 1 + 2 * len(expected)  # the pair formed, the meeting and its correction
