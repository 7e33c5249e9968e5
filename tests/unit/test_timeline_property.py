"""For any commands with arbitrary dates, what is accepted is a consistent history.

A checker written from the events alone (not from the deciders' state) rebuilds the
active periods and asserts that every accepted fact falls where it is possible; the
compliance facts folded for reports never see a meeting outside an active period.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

import attrs
from hypothesis import given, settings
from hypothesis import strategies as st
from scenarios import SET_LISTENING_GOAL, relationship_history
from strategies import NOW

from mentoring_core.domain import commands as cmd
from mentoring_core.domain.errors import MentoringError
from mentoring_core.domain.events import (
    FeedbackGiven,
    MeetingCancelled,
    MeetingHeld,
    MeetingMissed,
    MeetingRecordCorrected,
    PairFormed,
    PairingAccepted,
    PairingProposed,
    RelationshipEnded,
    RelationshipPaused,
    RelationshipResumed,
)
from mentoring_core.domain.values import EndReason, FeedbackKind, MeetingFormat
from mentoring_core.reports._facts import fold_relationship_facts

MEETINGS = (MeetingHeld, MeetingMissed, MeetingCancelled)
OPENING = NOW - timedelta(days=30)

moments = st.integers(0, 40 * 24).map(lambda hours: NOW - timedelta(hours=hours))
KINDS = ("held", "missed", "cancelled", "goal", "pause", "resume", "end", "feedback", "move")
steps = st.tuples(st.sampled_from(KINDS), moments, st.integers(0, 50))


def command(kind: str, at: datetime, pick: int, meetings: list[UUID], n: int) -> Any:
    new = UUID(int=0x1000 + n)
    meeting = meetings[pick % len(meetings)] if meetings else new
    match kind:
        case "held":
            return cmd.RecordMeetingHeld(
                meeting_id=new,
                occurred_at=at,
                duration_minutes=60,
                format=MeetingFormat.VIDEO,
                topics=(),
            )
        case "missed":
            return cmd.RecordMeetingMissed(
                meeting_id=new, missed_by="ben", reason="Late", occurred_at=at
            )
        case "cancelled":
            return cmd.RecordMeetingCancelled(
                meeting_id=new, cancelled_by="ana", reason="Ill", occurred_at=at
            )
        case "goal":
            return cmd.SetGoal(
                goal_id=new,
                title=SET_LISTENING_GOAL.title,
                focus_area=SET_LISTENING_GOAL.focus_area,
                success_measure=SET_LISTENING_GOAL.success_measure,
                target_date=SET_LISTENING_GOAL.target_date,
                occurred_at=at,
            )
        case "pause":
            return cmd.PauseRelationship(reason="Leave", occurred_at=at)
        case "resume":
            return cmd.ResumeRelationship(occurred_at=at)
        case "end":
            return cmd.EndRelationship(
                reason=EndReason.COMPLETED, explanation="Done", occurred_at=at
            )
        case "feedback":
            return cmd.GiveFeedback(
                feedback_id=new,
                from_person="ana",
                to_person="ben",
                kind=FeedbackKind.RECOGNITION,
                text="Good",
                about_meeting_id=meeting if pick % 2 else None,
                occurred_at=at,
            )
        case _:
            return cmd.CorrectMeetingRecord(meeting_id=meeting, held_at=at, reason="Wrong day")


def active_periods(events: list[Any]) -> tuple[datetime, datetime | None, list[tuple]]:
    """(formed, ended or None, pauses as (start, end or None)), from the events alone."""
    formed = next(e.occurred_at for e in events if isinstance(e, PairFormed | PairingAccepted))
    ended = next((e.occurred_at for e in events if isinstance(e, RelationshipEnded)), None)
    pauses: list[tuple[datetime, datetime | None]] = []
    for event in events:
        if isinstance(event, RelationshipPaused):
            pauses.append((event.occurred_at, None))
        elif isinstance(event, RelationshipResumed | RelationshipEnded) and pauses:
            start, end = pauses[-1]
            if end is None:
                pauses[-1] = (start, event.occurred_at)
    return formed, ended, pauses


def possible_meeting(at: datetime, formed: datetime, ended: datetime | None, pauses: list) -> bool:
    if at < formed or (ended is not None and at > ended):
        return False
    return not any(start < at and (end is None or at < end) for start, end in pauses)


def timeline_problems(events: list[Any]) -> list[str]:
    """Every contradiction in a relationship's history, judged from its events."""
    formed, ended, pauses = active_periods(events)
    problems = []
    dates: dict[UUID, datetime] = {}
    for event in events:
        if isinstance(event, PairingProposed | PairFormed | PairingAccepted):
            continue
        if isinstance(event, MEETINGS):  # judged below, at their dates as corrected
            dates[event.meeting_id] = event.occurred_at
            continue
        if event.occurred_at < formed:
            problems.append(f"{event} before formation")
        if isinstance(event, MeetingRecordCorrected):
            dates[event.meeting_id] = event.held_at
        elif (
            isinstance(event, FeedbackGiven)
            and event.about_meeting_id is not None
            and event.occurred_at < dates[event.about_meeting_id]
        ):
            problems.append(f"{event} before its meeting")
        late = not isinstance(event, MeetingRecordCorrected)  # only corrections follow the end
        if ended is not None and late and event.occurred_at > ended:
            problems.append(f"{event} after the end")
    for meeting, at in dates.items():
        if not possible_meeting(at, formed, ended, pauses):
            problems.append(f"meeting {meeting} at {at} outside an active period")
    for start, end in pauses:
        if end is not None and end < start:
            problems.append(f"a pause from {start} ends before it began, at {end}")
    return problems


@settings(max_examples=150, deadline=None)
@given(st.lists(steps, max_size=30))
def test_every_accepted_history_is_consistent(drawn: list[tuple[str, datetime, int]]) -> None:
    history = relationship_history()
    meetings: list[UUID] = []
    for n, (kind, at, pick) in enumerate(drawn):
        try:
            (event,) = history.record(command(kind, at, pick, meetings, n))
        except MentoringError:
            continue
        if isinstance(event, MEETINGS):
            meetings.append(event.meeting_id)
    assert timeline_problems(history.events) == []
    facts = fold_relationship_facts(history.events)
    formed, ended, pauses = active_periods(history.events)
    for meeting in facts.meetings:
        assert possible_meeting(meeting.at, formed, ended, pauses), meeting
    assert facts.formed_at == formed == OPENING


def test_the_checker_finds_what_the_deciders_refuse() -> None:
    """The checker is not vacuous: an impossible history (folded, never decided) fails it."""
    history = relationship_history()
    (held,) = history.record(command("held", NOW - timedelta(days=3), 0, [], 0))
    (paused,) = history.record(command("pause", NOW - timedelta(days=2), 0, [], 1))
    inside = attrs.evolve(
        held,
        occurred_at=NOW - timedelta(days=1),
        meeting_id=UUID(int=0xBAD),
        version=paused.version + 1,
    )
    history.apply(inside)
    assert timeline_problems(history.events) == [
        f"meeting {UUID(int=0xBAD)} at {NOW - timedelta(days=1)} outside an active period"
    ]
