"""Histories told in domain words, states as of a point, and diffs between two points."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from scenarios import (
    GOAL_ID,
    HOUR_ONE_ON_ONE,
    SET_LISTENING_GOAL,
    programme_history,
    relationship_history,
)
from strategies import NOW, decision_context

from mentoring_core.audit.timeline import Change, diff, state_at, timeline
from mentoring_core.domain import commands as cmd
from mentoring_core.state import ProgrammeState
from mentoring_core.values import GoalStatus, RelationshipStatus

LATER = NOW + timedelta(hours=2)


def lived_relationship() -> list[Any]:
    """Formed 30 days ago; goal set and meeting held (recorded NOW); goal achieved (LATER)."""
    history = relationship_history()
    history.record(SET_LISTENING_GOAL)
    history.record(HOUR_ONE_ON_ONE)
    history.ctx = decision_context(now=LATER, actor="ana", first_id=5000)
    history.record(cmd.AchieveGoal(goal_id=GOAL_ID, evidence="Led two family meetings"))
    return history.events


def test_the_timeline_tells_each_event_in_domain_words() -> None:
    entries = timeline(lived_relationship())
    assert [e.version for e in entries] == [1, 2, 3, 4]
    assert [e.event_type for e in entries] == [
        "PairFormed",
        "GoalSet",
        "MeetingHeld",
        "GoalAchieved",
    ]
    assert entries[0].description == (
        "Pair of mentor ana and mentee ben formed by coordinator.cleo"
    )
    assert entries[1].description.startswith(
        "Goal 'Run a family meeting without taking over' (communication, due 2025-06-30) set by"
    )
    assert (
        entries[2].description
        == "Meeting held (60 minutes, one_on_one), recorded by coordinator.cleo"
    )
    # The achievement names the goal by its title, found in the state before the event.
    assert entries[3].description == (
        "Goal 'Run a family meeting without taking over' achieved, recorded by ana"
    )
    assert entries[3].actor == "ana"
    assert entries[3].recorded_at == LATER


def test_a_programme_timeline_names_enrolments() -> None:
    entries = timeline(programme_history().events)
    assert entries[2].description == (
        "ana enrolled as mentor with 12 years of experience by coordinator.cleo"
    )


def test_state_at_a_version_a_recorded_time_and_an_occurred_time() -> None:
    events = lived_relationship()
    assert state_at(events, version=2).goals[0].status is GoalStatus.OPEN  # type: ignore[union-attr]
    as_recorded_now = state_at(events, recorded_by=NOW)
    assert as_recorded_now.version == 3
    assert as_recorded_now.goals[0].status is GoalStatus.OPEN  # type: ignore[union-attr]
    assert state_at(events, recorded_by=LATER).goals[0].status is GoalStatus.ACHIEVED  # type: ignore[union-attr]
    # The meeting happened yesterday; the pair was formed 30 days ago; the goal was set now.
    happened = state_at(events, occurred_by=NOW - timedelta(hours=1))
    assert [e.status for e in [happened]] == [RelationshipStatus.ACTIVE]
    assert len(happened.meetings) == 1  # type: ignore[union-attr]
    assert happened.goals == ()  # type: ignore[union-attr]
    assert state_at([], version=0) == state_at([], recorded_by=NOW)


def test_state_at_needs_exactly_one_point() -> None:
    with pytest.raises(ValueError, match="exactly one"):
        state_at(lived_relationship(), version=1, recorded_by=NOW)


def test_diff_names_the_fields_that_changed() -> None:
    events = lived_relationship()
    before, after = state_at(events, version=3), state_at(events, version=4)
    changes = {c.path: c for c in diff(before, after)}
    assert set(changes) == {
        "version",
        "goals[0].status",
        "goals[0].closed_at",
        "goals[0].outcome_note",
    }
    assert changes["goals[0].status"] == Change(
        path="goals[0].status", before="open", after="achieved"
    )
    assert diff(after, after) == ()


def test_diff_of_programme_states() -> None:
    events = programme_history().events
    changes = diff(state_at(events, version=1), state_at(events, version=2))
    assert "policy.minimum_meeting_minutes" in {c.path for c in changes}
    assert isinstance(state_at(events, version=1), ProgrammeState)


def test_a_list_that_fills_is_told_by_its_items_not_by_its_own_line() -> None:
    history = relationship_history()
    before = history.state
    history.record(SET_LISTENING_GOAL)
    paths = {c.path for c in diff(before, history.state)}
    assert "goals" not in paths
    assert "goals[0].title" in paths


def test_a_history_of_one_event_is_told_and_folded_by_its_own_kind() -> None:
    created = programme_history().events[:1]
    (entry,) = timeline(created)
    assert entry.event_type == "ProgrammeCreated" and entry.version == 1
    state = state_at(created, version=1)
    assert isinstance(state, ProgrammeState)
    assert state.name == "Riverside first-year mentoring"
