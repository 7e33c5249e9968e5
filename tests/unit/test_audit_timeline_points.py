"""The edges of ``state_at``, ``diff`` and ``apply``: which events a point takes in,
how a list that shrinks or empties is told, and an event folded into the wrong kind of
state (docs/audit.md, section 5)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from scenarios import (
    HOUR_ONE_ON_ONE,
    MEETING_ID,
    YESTERDAY,
    programme_history,
    relationship_history,
)
from strategies import NOW

from mentoring_core import InvalidValue
from mentoring_core.audit.timeline import Change, apply, diff, state_at
from mentoring_core.domain import commands as cmd
from mentoring_core.state import ProgrammeState, RelationshipState


def corrected_topics(*steps: tuple[str, ...]) -> list[Any]:
    """Ana and Ben's history: the meeting held yesterday, then its topics corrected to each step."""
    history = relationship_history()
    history.record(HOUR_ONE_ON_ONE)
    for topics in steps:
        history.record(
            cmd.CorrectMeetingRecord(meeting_id=MEETING_ID, reason="typo", topics=topics)
        )
    return history.events


def test_a_moment_on_the_occurred_axis_takes_in_what_happened_at_that_very_moment() -> None:
    events = corrected_topics()
    assert state_at(events, occurred_by=YESTERDAY).meetings[0].meeting_id == MEETING_ID  # type: ignore[union-attr]
    assert state_at(events, occurred_by=YESTERDAY - timedelta(microseconds=1)).meetings == ()  # type: ignore[union-attr]


def test_a_moment_on_the_recorded_axis_takes_in_what_was_recorded_at_that_very_moment() -> None:
    events = corrected_topics()  # both recorded at NOW by the scenario's clock
    assert [e.recorded_at for e in events] == [NOW, NOW]
    assert state_at(events, recorded_by=NOW).version == 2
    assert state_at(events, recorded_by=NOW - timedelta(microseconds=1)).version == 0


def test_giving_no_point_or_two_points_is_refused_with_the_documented_message() -> None:
    message = r"; expected exactly one of version, recorded_by and occurred_by$"
    with pytest.raises(InvalidValue, match=r"^invalid version, recorded_by, occurred_by: nothing"):
        state_at(corrected_topics())
    with pytest.raises(InvalidValue, match=message) as two:
        state_at(corrected_topics(), recorded_by=NOW, occurred_by=NOW)
    assert two.value.field == "recorded_by, occurred_by"


def test_a_list_that_shrinks_is_told_by_the_items_that_went() -> None:
    events = corrected_topics(("handover notes",))
    before, after = state_at(events, version=2), state_at(events, version=3)
    changes = diff(before, after)
    assert (
        Change(path="meetings[0].topics[1]", before="a difficult home visit", after=None) in changes
    )
    assert "meetings[0].topics[0]" not in {c.path for c in changes}


def test_a_list_that_empties_is_told_by_its_items_not_by_its_own_line() -> None:
    events = corrected_topics(("handover notes",), ())
    before, after = state_at(events, version=3), state_at(events, version=4)
    changes = {c.path: c for c in diff(before, after)}
    assert changes["meetings[0].topics[0]"] == Change(
        path="meetings[0].topics[0]", before="handover notes", after=None
    )
    assert "meetings[0].topics" not in changes
    assert set(changes) == {
        "version",
        "meetings[0].topics[0]",
        "meetings[0].corrected_by_event_ids[1]",
    }


def test_an_event_of_the_other_kind_of_aggregate_is_refused_by_name() -> None:
    programme_event = programme_history().events[0]
    relationship_event = relationship_history().events[0]
    with pytest.raises(
        TypeError, match=r"^ProgrammeCreated does not belong to a RelationshipState$"
    ):
        apply(RelationshipState(), programme_event)
    with pytest.raises(TypeError, match=r"^PairFormed does not belong to a ProgrammeState$"):
        apply(ProgrammeState(), relationship_event)
