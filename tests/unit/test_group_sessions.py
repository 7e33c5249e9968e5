"""Group sessions, working hours per meeting and the recognition of mentors' time: the rules
(issue 14, items 3 to 5), without a store."""

from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import Decimal
from functools import reduce
from typing import Any
from uuid import UUID, uuid4

import attrs
import pytest
from eventsourcing.persistence import JSONTranscoder, StoredEvent
from scenarios import (
    HOUR_ONE_ON_ONE,
    NOW,
    PROGRAMME_ID,
    WEEKLY_HOUR,
    YESTERDAY,
    History,
    programme_history,
    relationship_history,
)
from strategies import decision_context
from test_recognition_rules import recognise as _recognise

from mentoring_core import InvalidValue, Rule, RuleViolation
from mentoring_core.domain import commands as cmd
from mentoring_core.domain import (
    decide_group_session,
    evolve_relationship,
)
from mentoring_core.domain.group import session_meeting_id
from mentoring_core.domain.kinds import needs_history
from mentoring_core.events import MeetingHeld, MentorRecognised
from mentoring_core.reports import fold_relationship_facts
from mentoring_core.serialisation import EventMapper
from mentoring_core.state import RelationshipState
from mentoring_core.values import MeetingFormat, RecognitionKind

ANA_BEN = UUID("a0a0b0b0-0000-4000-8000-0000000000b1")
ANA_ELIF = UUID("a0a0b0b0-0000-4000-8000-0000000000e1")
CARLA_ELIF = UUID("a0a0b0b0-0000-4000-8000-0000000000c1")
SESSION = UUID("5e550000-0000-4000-8000-000000000001")


def _pair(programme: History, relationship_id: UUID, mentor: str, mentee: str) -> History:
    return relationship_history(
        mentor=mentor,
        mentee=mentee,
        programme=programme,
        ctx=decision_context(first_id=relationship_id.int % 10_000 * 100),
        relationship_id=relationship_id,
    )


def _riverside() -> tuple[History, History, History]:
    programme = programme_history()
    return (
        programme,
        _pair(programme, ANA_BEN, "ana", "ben"),
        _pair(programme, ANA_ELIF, "ana", "elif"),
    )


def _session(**changes: Any) -> cmd.RecordGroupSession:
    command = cmd.RecordGroupSession(
        programme_id=PROGRAMME_ID,
        session_id=SESSION,
        mentor_id="ana",
        relationship_ids=(ANA_BEN, ANA_ELIF),
        duration_minutes=90,
        topics=("safeguarding",),
        occurred_at=YESTERDAY,
    )
    return attrs.evolve(command, **changes)


def _decide(programme: History, *pairs: History, **changes: Any) -> tuple[Any, ...]:
    ctx = attrs.evolve(decision_context(first_id=9000), enrolled=frozenset({"ben", "elif"}))
    return decide_group_session(_session(**changes), programme.state, [p.state for p in pairs], ctx)


def test_a_group_session_is_one_meeting_on_every_relationship_present() -> None:
    programme, ben, elif_ = _riverside()
    events = _decide(programme, ben, elif_)
    assert [type(e) for e in events] == [MeetingHeld, MeetingHeld]
    assert [e.aggregate_id for e in events] == [ANA_BEN, ANA_ELIF]
    assert [e.version for e in events] == [ben.state.version + 1, elif_.state.version + 1]
    assert {e.group_session_id for e in events} == {SESSION}
    assert [e.meeting_id for e in events] == [
        session_meeting_id(SESSION, ANA_BEN),
        session_meeting_id(SESSION, ANA_ELIF),
    ]
    assert [e.attendees for e in events] == [("elif",), ("ben",)]
    assert {(e.format, e.duration_minutes, e.occurred_at, e.in_working_hours) for e in events} == {
        (MeetingFormat.GROUP, 90, YESTERDAY, True)
    }
    ben.apply(events[0])
    (meeting,) = ben.state.meetings
    assert (meeting.group_session_id, meeting.in_working_hours) == (SESSION, True)


def test_a_group_session_outside_working_hours_by_one_schedule_or_as_told() -> None:
    programme, ben, elif_ = _riverside()
    elif_.record(cmd.AgreeSchedule(schedule=attrs.evolve(WEEKLY_HOUR, in_working_hours=False),
                                   occurred_at=NOW - timedelta(days=20)))  # fmt: skip
    assert {e.in_working_hours for e in _decide(programme, ben, elif_)} == {False}
    told = _decide(programme, ben, elif_, in_working_hours=True)
    assert {e.in_working_hours for e in told} == {True}


def test_every_relationship_present_is_the_mentors_and_the_programmes() -> None:
    programme, ben, elif_ = _riverside()
    carla = _pair(programme_history(), CARLA_ELIF, "carla", "elif")
    with pytest.raises(RuleViolation) as info:
        _decide(programme, ben, carla, relationship_ids=(ANA_BEN, CARLA_ELIF))
    assert info.value.rule is Rule.GROUP_SESSION
    assert "mentored by 'carla', not by 'ana'" in str(info.value)
    other = attrs.evolve(elif_.state, programme_id=UUID(int=77))
    with pytest.raises(RuleViolation) as info:
        decide_group_session(_session(), programme.state, [ben.state, other], decision_context())
    assert info.value.rule is Rule.GROUP_SESSION
    assert "is not in programme" in str(info.value)


@pytest.mark.parametrize(
    ("ids", "why"),
    [((ANA_BEN,), "from 2 to 100"), ((ANA_BEN, ANA_BEN), "each relationship named once")],
)
def test_a_group_session_names_two_or_more_different_relationships(
    ids: tuple[UUID, ...], why: str
) -> None:
    programme, ben, _ = _riverside()
    with pytest.raises(InvalidValue) as info:
        _decide(programme, *([ben] * len(ids)), relationship_ids=ids)
    assert info.value.field == "relationship_ids" and why in str(info.value)


def test_each_relationship_must_admit_the_meeting_and_a_session_is_recorded_once() -> None:
    programme, ben, elif_ = _riverside()
    elif_.record(cmd.PauseRelationship(reason="leave", occurred_at=NOW - timedelta(days=3)))
    with pytest.raises(RuleViolation) as info:
        _decide(programme, ben, elif_)
    assert info.value.rule is Rule.NO_MEETINGS_WHILE_PAUSED
    programme, ben, elif_ = _riverside()
    for event in _decide(programme, ben, elif_):
        (ben if event.aggregate_id == ANA_BEN else elif_).apply(event)
    with pytest.raises(RuleViolation) as info:
        _decide(programme, ben, elif_)
    assert info.value.rule is Rule.UNIQUE_ID


def test_a_refusal_of_one_relationship_names_it_and_its_mentee() -> None:
    """A session names up to 100 relationships: a refusal by one relationship's own rules
    (here, the session is dated before Elif's pair was formed) says which one."""
    programme, ben, elif_ = _riverside()
    late_state = attrs.evolve(elif_.state, formed_at=YESTERDAY)
    at = YESTERDAY - timedelta(hours=1)
    ctx = attrs.evolve(decision_context(first_id=9000), enrolled=frozenset({"ben", "elif"}))
    with pytest.raises(RuleViolation) as info:
        decide_group_session(_session(occurred_at=at), programme.state, [ben.state, late_state],
                             ctx)  # fmt: skip
    assert info.value.rule is Rule.TIMELINE
    assert str(info.value) == (
        f"rule 'timeline' broken: group session {SESSION}, relationship {ANA_ELIF} (mentee "
        f"'elif'): RecordMeetingHeld dated {at.isoformat()} is before the pair was formed on "
        f"{YESTERDAY.isoformat()}; allowed from {YESTERDAY.isoformat()} on"
    )


def test_a_meeting_held_follows_the_schedule_in_force_unless_told() -> None:
    _, ben, _ = _riverside()
    (first,) = ben.record(HOUR_ONE_ON_ONE)
    assert first.in_working_hours is True  # no schedule: in working hours
    ben.record(cmd.AgreeSchedule(schedule=attrs.evolve(WEEKLY_HOUR, in_working_hours=False),
                                 occurred_at=YESTERDAY))  # fmt: skip
    (second,) = ben.record(attrs.evolve(HOUR_ONE_ON_ONE, meeting_id=UUID(int=5), occurred_at=NOW))
    assert second.in_working_hours is False
    told = attrs.evolve(HOUR_ONE_ON_ONE, meeting_id=UUID(int=6), occurred_at=NOW,
                        in_working_hours=True)  # fmt: skip
    assert ben.record(told)[0].in_working_hours is True
    ben.reject(attrs.evolve(told, meeting_id=UUID(int=7), in_working_hours="yes"),
               "in_working_hours")  # fmt: skip


def _schedules_changed(pair: History) -> None:
    """In working hours from 20 days ago, outside them from 5 days ago."""
    pair.record(cmd.AgreeSchedule(schedule=WEEKLY_HOUR, occurred_at=NOW - timedelta(days=20)))
    evening = attrs.evolve(WEEKLY_HOUR, in_working_hours=False)
    pair.record(cmd.ChangeSchedule(schedule=evening, reason="evening shifts",
                                   occurred_at=NOW - timedelta(days=5)))  # fmt: skip


def test_a_meeting_recorded_late_follows_the_schedule_in_force_when_it_was_held() -> None:
    programme, ben, elif_ = _riverside()
    for pair in (ben, elif_):
        _schedules_changed(pair)
    flags = {}
    for number, days in enumerate((25, 10, 5, 2), start=10):
        held = attrs.evolve(HOUR_ONE_ON_ONE, meeting_id=UUID(int=number),
                            occurred_at=NOW - timedelta(days=days))  # fmt: skip
        (event,) = ben.record(held)
        flags[days] = (event.in_working_hours, ben.state.meetings[-1].in_working_hours)
    # before any schedule, and under the first: in working hours; from the change: not
    assert flags == {25: (True, True), 10: (True, True), 5: (False, False), 2: (False, False)}
    session = _decide(programme, ben, elif_, occurred_at=NOW - timedelta(days=9))
    assert {e.in_working_hours for e in session} == {True}
    assert {e.in_working_hours for e in _decide(programme, ben, elif_)} == {False}


def test_a_correction_moving_a_meeting_keeps_its_working_hours_flag() -> None:
    """The flag is recorded with the meeting (given or from the schedule then), and a
    correction carries none: moved past a change of schedule, the meeting keeps it."""
    _, ben, _ = _riverside()
    _schedules_changed(ben)
    ben.record(attrs.evolve(HOUR_ONE_ON_ONE, occurred_at=NOW - timedelta(days=10)))
    ben.record(cmd.CorrectMeetingRecord(meeting_id=HOUR_ONE_ON_ONE.meeting_id, reason="date",
                                        held_at=NOW - timedelta(days=2)))  # fmt: skip
    (meeting,) = ben.state.meetings
    assert (meeting.occurred_at, meeting.in_working_hours) == (NOW - timedelta(days=2), True)
    facts = fold_relationship_facts(ben.events)
    assert (facts.meetings[-1].at, facts.meetings[-1].in_working_hours) == (
        meeting.occurred_at,
        True,
    )


def test_a_meeting_stored_before_version_3_reads_as_the_schedule_in_force_said() -> None:
    """MeetingHeld version 2 records lack the flag and the session: read as None, and the
    facts take the flag from the schedule in force at the meeting."""
    _, ben, _ = _riverside()
    ben.record(cmd.AgreeSchedule(schedule=attrs.evolve(WEEKLY_HOUR, in_working_hours=False),
                                 occurred_at=NOW - timedelta(days=10)))  # fmt: skip
    (held,) = ben.record(HOUR_ONE_ON_ONE)
    mapper = EventMapper(transcoder=JSONTranscoder())
    stored = mapper.to_stored_event(held)
    data = json.loads(stored.state)
    assert data["class_version"] == 3
    del data["in_working_hours"], data["group_session_id"]
    data["class_version"] = 2
    old = StoredEvent(
        originator_id=stored.originator_id,
        originator_version=stored.originator_version,
        topic=stored.topic,
        state=json.dumps(data).encode(),
    )
    read = mapper.to_domain_event(old)
    assert isinstance(read, MeetingHeld)
    assert (read.in_working_hours, read.group_session_id) == (None, None)
    facts = fold_relationship_facts([*ben.events[:-1], read])
    assert facts.meetings[-1].in_working_hours is False
    state = reduce(evolve_relationship, [*ben.events[:-1], read], RelationshipState())
    assert (state.meetings[-1].in_working_hours, state.meetings[-1].group_session_id) == (
        False,
        None,
    )


def test_a_coordinator_recognises_a_mentors_time() -> None:
    programme = programme_history()
    (event,) = programme.record(_recognise())
    assert isinstance(event, MentorRecognised)
    assert (event.person_id, event.kind, event.amount, event.hours) == (
        "ana", RecognitionKind.ALLOWANCE, Decimal("120.50"), None,
    )  # fmt: skip
    programme.record(_recognise(kind=RecognitionKind.CERTIFICATE, amount=None))


def test_only_a_mentor_is_recognised() -> None:
    programme_history().refuse(_recognise(person_id="ben"), Rule.MENTOR_ENROLLED, "'ben'")


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"amount": None}, "amount"),  # an allowance states its amount
        ({"kind": RecognitionKind.TIME_IN_LIEU}, "hours"),  # time in lieu its hours
        ({"amount": Decimal("1.005")}, "amount"),
        ({"amount": Decimal(-1)}, "amount"),
        ({"hours": "NaN"}, "hours"),
        ({"period_end": date(2024, 12, 31)}, "period_end"),
        ({"kind": "bonus"}, "kind"),
    ],
)
def test_a_recognition_states_what_it_gives_for_a_real_period(
    changes: dict[str, Any], field: str
) -> None:
    programme_history().reject(_recognise(**changes), field)


def test_the_service_asks_one_place_which_commands_need_whole_states() -> None:
    """A group session is a programme command, but what it needs loaded whole are the
    relationships present, and only when its caller gave the session's id; any other
    command is answered by its own aggregate's rules."""
    session = cmd.RecordGroupSession(
        programme_id=uuid4(),
        mentor_id="m",
        relationship_ids=(uuid4(), uuid4()),
        duration_minutes=60,
        topics=("t",),
    )
    assert not needs_history(session)
    assert needs_history(attrs.evolve(session, session_id=uuid4()))
    meeting = cmd.RecordMeetingHeld(
        relationship_id=uuid4(),
        duration_minutes=30,
        format=MeetingFormat.ONE_ON_ONE,
        topics=("t",),
    )
    assert not needs_history(meeting)
    assert needs_history(attrs.evolve(meeting, meeting_id=uuid4()))
