"""Group sessions: one mentor meets the mentees of several of their relationships at once.

A group session is recorded once (one command, one transaction) as a ``MeetingHeld`` on
every relationship present, all with the same ``group_session_id``, format ``group``, the
same time, length, topics and working-hours flag, and as attendees the other mentees
present. Each relationship's history, cadence and due dates see the meeting; the
figures count the session once for the mentor's and the programme's hours
(``docs/reports.md``, "Group sessions").
"""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID, uuid5

import attrs

from .commands import (
    CorrectGroupSession,
    CorrectMeetingRecord,
    RecordGroupSession,
    RecordMeetingHeld,
)
from .context import DecisionContext
from .decider import Events
from .errors import InvalidValue, Rule, RuleViolation
from .events import Event, MeetingHeld
from .programme import ProgrammeState
from .relationship_state import RELATIONSHIP, Meeting, RelationshipState
from .validation import check_label, check_sequence, check_uuid
from .values import MeetingFormat

GROUP_SESSION_MAX_RELATIONSHIPS = 100
"""The most relationships one group session may name."""


def needs_history(command: RecordGroupSession) -> bool:
    """Whether the relationships present must be loaded whole to decide ``command`` (as
    its caller gave it): when the caller gave the session's id, from which each meeting's
    id is derived, only their whole histories show the session not recorded already. An
    id the service derives from a fresh command id cannot be in use."""
    return command.session_id is not None


def session_meeting_id(session_id: UUID, relationship_id: UUID) -> UUID:
    """The meeting id a group session has in one relationship present: derived from both, so
    the same session cannot be recorded twice in a relationship (``unique-id``)."""
    return uuid5(session_id, str(relationship_id))


def _relationship_ids(command: RecordGroupSession | CorrectGroupSession) -> tuple[UUID, ...]:
    """The relationships named, each once: from 2 to :data:`GROUP_SESSION_MAX_RELATIONSHIPS`
    for a new session; a correction names at least one, and its meetings' attendees then
    show whether it named every relationship present (``group-session``)."""
    items = check_sequence("relationship_ids", command.relationship_ids)
    ids = tuple(check_uuid(f"relationship_ids[{i}]", r) for i, r in enumerate(items))
    fewest = 2 if isinstance(command, RecordGroupSession) else 1
    if not fewest <= len(ids) <= GROUP_SESSION_MAX_RELATIONSHIPS:
        raise InvalidValue(
            "relationship_ids",
            len(ids),
            f"from 2 to {GROUP_SESSION_MAX_RELATIONSHIPS} relationships (a meeting of one "
            "pair is recorded with meeting held)",
        )
    if len(set(ids)) != len(ids):
        raise InvalidValue("relationship_ids", ids, "each relationship named once")
    return ids


def _check_present(
    programme: ProgrammeState, mentor_id: str, state: RelationshipState, relationship_id: UUID
) -> None:
    """A relationship present: of this programme, and this mentor's."""
    if state.programme_id != programme.programme_id:
        raise RuleViolation(
            Rule.GROUP_SESSION,
            f"relationship {relationship_id} is not in programme {programme.name!r}",
        )
    if state.mentor_id != mentor_id:
        raise RuleViolation(
            Rule.GROUP_SESSION,
            f"relationship {relationship_id} is mentored by {state.mentor_id!r}, not by "
            f"{mentor_id!r}: a group session has one mentor",
        )


def _present(
    command: RecordGroupSession | CorrectGroupSession,
    programme: ProgrammeState,
    relationships: Sequence[RelationshipState],
) -> tuple[UUID, tuple[UUID, ...]]:
    """The session's id and the relationships present, each of the programme and of the
    command's mentor."""
    if not programme.exists or programme.programme_id is None:
        raise RuleViolation(Rule.PROGRAMME_EXISTS, "the programme has not been created")
    session_id = check_uuid("session_id", command.session_id)
    mentor_id = check_label("mentor_id", command.mentor_id)
    ids = _relationship_ids(command)
    if len(relationships) != len(ids):
        raise InvalidValue("relationships", len(relationships), f"{len(ids)} states")
    for relationship_id, state in zip(ids, relationships, strict=True):
        _check_present(programme, mentor_id, state, relationship_id)
    return session_id, ids


def _session_meeting(
    session_id: UUID, relationship_id: UUID, state: RelationshipState
) -> tuple[UUID, Meeting]:
    """The group session's meeting in a relationship present (its id, and itself)."""
    meeting_id = session_meeting_id(session_id, relationship_id)
    meeting = state.meeting(meeting_id)
    if meeting is None or meeting.group_session_id != session_id:
        raise RuleViolation(
            Rule.GROUP_SESSION,
            f"relationship {relationship_id} holds no meeting of group session {session_id}",
        )
    return meeting_id, meeting


def decide_group_correction(
    command: CorrectGroupSession,
    programme: ProgrammeState,
    relationships: Sequence[RelationshipState],
    ctx: DecisionContext,
) -> Events:
    """The ``MeetingRecordCorrected`` of every relationship present, or a raised error.

    ``relationships``: the whole states of ``command.relationship_ids``, in that order.
    Each must hold the session's meeting, and they must be all the session's (each
    meeting's attendees are the other mentees present); each correction is decided by
    its relationship's own rules (``ctx.enrolled``: those enrolled at the new time)."""
    session_id, ids = _present(command, programme, relationships)
    mentees = {r.mentee_id for r in relationships}
    ctx = attrs.evolve(ctx, correcting_session=session_id)
    meetings = [
        _session_meeting(session_id, r, state) for r, state in zip(ids, relationships, strict=True)
    ]
    events: list[Event] = []
    for relationship_id, state, (meeting_id, meeting) in zip(
        ids, relationships, meetings, strict=True
    ):
        present = {*meeting.attendees, state.mentee_id}
        if present != mentees:
            raise RuleViolation(
                Rule.GROUP_SESSION,
                f"group session {session_id} was attended by "
                f"{', '.join(repr(m) for m in sorted(present))}, not by "
                f"{', '.join(repr(m) for m in sorted(mentees))}: name every relationship "
                "present, and only those",
            )
        correction = CorrectMeetingRecord(
            relationship_id=relationship_id,
            occurred_at=command.occurred_at,
            meeting_id=meeting_id,
            reason=command.reason,
            held_at=command.held_at,
            duration_minutes=command.duration_minutes,
            topics=command.topics,
        )
        events.extend(_decide_one(correction, state, ctx, session_id))
    return tuple(events)


def _decide_one(
    command: RecordMeetingHeld | CorrectMeetingRecord,
    state: RelationshipState,
    ctx: DecisionContext,
    session_id: UUID,
) -> Events:
    """One relationship's part of a session, decided by its own rules; a refusal that
    does not say which relationship (a session names up to 100) is given its id and
    mentee."""
    relationship_id = command.relationship_id
    try:
        return RELATIONSHIP.decide(command, state, ctx)
    except RuleViolation as error:
        if str(relationship_id) in error.detail:
            raise
        raise RuleViolation(
            error.rule,
            f"group session {session_id}, relationship {relationship_id} (mentee "
            f"{state.mentee_id!r}): {error.detail}",
        ) from error


def decide_group_session(
    command: RecordGroupSession,
    programme: ProgrammeState,
    relationships: Sequence[RelationshipState],
    ctx: DecisionContext,
) -> Events:
    """The ``MeetingHeld`` of every relationship present, or a raised error.

    ``relationships``: the states of ``command.relationship_ids``, in that order (the
    service loads them). Every relationship must be of the programme and of
    ``command.mentor_id``, and admit a meeting at that time (active, not paused, not
    ended: each relationship's own rules decide); ``ctx.enrolled`` must hold the mentees
    present (each is an attendee of the others' meetings).
    """
    session_id, ids = _present(command, programme, relationships)
    mentees = tuple(r.mentee_id for r in relationships)
    held = []
    for relationship_id, state in zip(ids, relationships, strict=True):
        meeting = RecordMeetingHeld(
            relationship_id=relationship_id,
            occurred_at=command.occurred_at,
            meeting_id=session_meeting_id(session_id, relationship_id),
            duration_minutes=command.duration_minutes,
            format=MeetingFormat.GROUP,
            topics=command.topics,
            attendees=tuple(m for m in mentees if m != state.mentee_id),
            in_working_hours=command.in_working_hours,
        )
        (event,) = _decide_one(meeting, state, ctx, session_id)
        assert isinstance(event, MeetingHeld)
        held.append(event)
    # as given, else in working hours unless the schedule in force then of one says not
    flag = all(event.in_working_hours for event in held)
    return tuple(
        attrs.evolve(event, group_session_id=session_id, in_working_hours=flag) for event in held
    )
