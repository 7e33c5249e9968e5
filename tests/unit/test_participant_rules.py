"""Participants are who they say: people named in a relationship's events belong to it.

Ana mentors Ben (see ``scenarios.py``); Carla and Elif are enrolled in the same programme
but are not in this relationship; Zoe is not enrolled at all.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from uuid import UUID

import attrs
import pytest
from scenarios import (
    HOUR_ONE_ON_ONE,
    RELATIONSHIP_ID,
    YESTERDAY,
    History,
    relationship_history,
)
from strategies import decision_context

from mentoring_core.domain import commands as cmd
from mentoring_core.domain.errors import InvalidValue, Rule
from mentoring_core.domain.values import DeclineReason, EndReason, FeedbackKind, MeetingFormat


def accept(by: str) -> cmd.AcceptPairing:
    return cmd.AcceptPairing(accepted_by=by)


def decline(by: str) -> cmd.DeclinePairing:
    return cmd.DeclinePairing(declined_by=by, reason=DeclineReason.OTHER, explanation="Busy")


def missed(by: str) -> cmd.RecordMeetingMissed:
    return cmd.RecordMeetingMissed(meeting_id=UUID(int=0x3A), missed_by=by, reason="Away")


def feedback(giver: str, receiver: str) -> cmd.GiveFeedback:
    return cmd.GiveFeedback(
        feedback_id=UUID(int=0xF3),
        from_person=giver,
        to_person=receiver,
        kind=FeedbackKind.RECOGNITION,
        text="Calm with the family.",
    )


@pytest.mark.parametrize(
    ("start", "command", "field"),
    [
        (lambda: relationship_history(direct=False), accept, "accepted_by"),
        (lambda: relationship_history(direct=False), decline, "declined_by"),
        (relationship_history, missed, "missed_by"),
        (relationship_history, lambda p: feedback(p, "ben"), "from_person"),
        (relationship_history, lambda p: feedback("ana", p), "to_person"),
    ],
    ids=["accepted_by", "declined_by", "missed_by", "from_person", "to_person"],
)
@pytest.mark.parametrize("outsider", ["carla", "zoe", "Ana", "ana "])
def test_a_person_named_must_be_the_mentor_or_the_mentee(
    start: Any, command: Any, field: str, outsider: str
) -> None:
    history: History = start()
    history.refuse(
        command(outsider),
        Rule.PERSON_IN_RELATIONSHIP,
        field,
        repr(outsider),
        "neither the mentor ('ana') nor the mentee ('ben')",
        RELATIONSHIP_ID,
    )


@pytest.mark.parametrize("person", ["ana", "ben"])
def test_the_mentor_and_the_mentee_may_each_be_named(person: str) -> None:
    relationship_history(direct=False).record(accept(person))
    relationship_history(direct=False).record(decline(person))
    relationship_history().record(missed(person))


def test_feedback_goes_from_one_participant_to_the_other() -> None:
    relationship_history().record(feedback("ana", "ben"))
    relationship_history().record(feedback("ben", "ana"))
    error = relationship_history().refuse(
        feedback("ana", "ana"), Rule.PERSON_IN_RELATIONSHIP, "both 'ana'"
    )
    assert str(error).endswith(
        "both 'ana': feedback goes from one participant to the other (a self-assessment is "
        "a reflection)"
    )


def test_a_meeting_may_be_cancelled_by_anyone() -> None:
    """A coordinator or a facilitator may cancel a session: cancelled_by is not checked."""
    relationship_history().record(
        cmd.RecordMeetingCancelled(
            meeting_id=UUID(int=0x3C), cancelled_by="coordinator.cleo", reason="Room closed"
        )
    )


# --- Attendees: the pair, or people enrolled in the programme ---------------------------


def group(*attendees: str) -> cmd.RecordMeetingHeld:
    return attrs.evolve(
        HOUR_ONE_ON_ONE, format=MeetingFormat.GROUP, attendees=attendees, occurred_at=None
    )


def with_enrolled(*people: str) -> History:
    history = relationship_history()
    history.ctx = attrs.evolve(history.ctx, enrolled=frozenset(people))
    return history


def test_attendees_enrolled_in_the_programme_are_accepted() -> None:
    (event,) = with_enrolled("ana", "ben", "carla", "elif").record(group("carla", "elif"))
    assert event.attendees == ("carla", "elif")


def test_an_attendee_not_enrolled_is_refused() -> None:
    with_enrolled("ana", "ben", "carla").refuse(
        group("carla", "zoe"), Rule.PARTICIPANT_ENROLLED, "attendee 'zoe'", "not enrolled"
    )


def test_an_attendee_named_twice_is_refused() -> None:
    """``("carla", "carla")`` was recorded: a meeting whose attendance counts one person
    twice."""
    with pytest.raises(InvalidValue) as refused:
        with_enrolled("ana", "ben", "carla", "elif").record(group("carla", "elif", "carla"))
    assert refused.value.field == "attendees"
    assert refused.value.expected == "each person once ('carla' is named twice)"


def test_without_the_programme_s_enrolments_only_the_pair_may_attend() -> None:
    relationship_history().record(group("ana", "ben"))
    relationship_history().refuse(group("carla"), Rule.PARTICIPANT_ENROLLED, "'carla'")


def test_a_meeting_moved_by_a_correction_keeps_to_its_attendees_enrolments() -> None:
    """A correction moving a meeting is held to the rules of a new one: its attendees were
    enrolled at the new date (the service gives those enrolled then, as for a meeting)."""
    history = with_enrolled("ana", "ben", "carla")
    (held,) = history.record(attrs.evolve(group("carla"), occurred_at=YESTERDAY))
    moved = cmd.CorrectMeetingRecord(
        meeting_id=held.meeting_id, reason="Wrong day", held_at=YESTERDAY - timedelta(hours=2)
    )
    history.ctx = attrs.evolve(history.ctx, enrolled=frozenset({"ana", "ben"}))  # not carla then
    history.refuse(moved, Rule.PARTICIPANT_ENROLLED, "attendee 'carla'", "not enrolled")
    history.ctx = attrs.evolve(history.ctx, enrolled=frozenset({"ana", "ben", "carla"}))
    history.record(moved)
    unmoved = cmd.CorrectMeetingRecord(
        meeting_id=held.meeting_id, reason="Length", duration_minutes=50
    )
    history.ctx = attrs.evolve(history.ctx, enrolled=None)  # nothing to check without a move
    history.record(unmoved)


# --- Who records an ending must fit its reason ------------------------------------------


def end(reason: EndReason, actor: str) -> History:
    history = relationship_history(ctx=decision_context(actor=actor, first_id=1000))
    history.record(cmd.EndRelationship(reason=reason, explanation="Reviewed"))
    return history


COORDINATOR = "someone who is not a participant (a coordinator)"


@pytest.mark.parametrize(
    ("reason", "actor", "role", "by"),
    [
        (EndReason.CANCELLED_BY_PROGRAMME, "ana", "mentor", COORDINATOR),
        (EndReason.CANCELLED_BY_PROGRAMME, "ben", "mentee", COORDINATOR),
        (EndReason.WITHDRAWN_BY_MENTOR, "ben", "mentee", "the mentor or a coordinator"),
        (EndReason.WITHDRAWN_BY_MENTEE, "ana", "mentor", "the mentee or a coordinator"),
    ],
)
def test_an_ending_is_not_recorded_by_the_wrong_participant(
    reason: EndReason, actor: str, role: str, by: str
) -> None:
    history = relationship_history(ctx=decision_context(actor=actor, first_id=1000))
    error = history.refuse(
        cmd.EndRelationship(reason=reason, explanation="Reviewed"),
        Rule.ENDING_ROLE,
        f"{actor!r} is the {role}",
        str(reason),
    )
    assert str(error).endswith(f"as {reason}; it is recorded by {by}")


@pytest.mark.parametrize(
    ("reason", "actor"),
    [
        (EndReason.CANCELLED_BY_PROGRAMME, "coordinator.cleo"),
        (EndReason.WITHDRAWN_BY_MENTOR, "ana"),
        (EndReason.WITHDRAWN_BY_MENTOR, "coordinator.cleo"),
        (EndReason.WITHDRAWN_BY_MENTEE, "ben"),
        (EndReason.WITHDRAWN_BY_MENTEE, "coordinator.cleo"),
        *(
            (reason, actor)
            for reason in (
                EndReason.COMPLETED,
                EndReason.REMATCHED,
                EndReason.LEFT_ORGANISATION,  # either may have left: anyone records it
            )
            for actor in ("ana", "ben", "coordinator.cleo")
        ),
    ],
)
def test_an_ending_is_recorded_by_whoever_fits_its_reason(reason: EndReason, actor: str) -> None:
    state = end(reason, actor).state
    assert state.ended is not None and state.ended.reason is reason
