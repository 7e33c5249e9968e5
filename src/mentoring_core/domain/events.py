"""The facts mentoring-core records: one frozen class per event type.

Events are never changed once recorded. A shipped event class changes only by
raising its ``class_version`` and adding a static ``upcast_vN_vN+1(data)`` that
turns a stored dict of version N into version N+1 (see ``serialisation``).

Fields holding personal data are marked with :func:`~.personal.personal`, so a
later encryption layer can find them without a hand-kept list.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import ClassVar
from uuid import UUID

import attrs

from .personal import PersonalData, personal
from .values import (
    DeclineReason,
    EndReason,
    FeedbackKind,
    FocusArea,
    GoalProgress,
    MeetingFormat,
    MeetingSchedule,
    ProgrammePolicy,
    Rating,
    Role,
    StakeholderFeedback,
)


@attrs.frozen(kw_only=True)
class Event:
    """What every recorded fact carries, whatever its type."""

    class_version: ClassVar[int] = 1

    event_id: UUID
    """This event's own id."""
    aggregate_id: UUID
    """The programme or relationship the event belongs to."""
    version: int
    """The event's position in its aggregate's history, from 1."""
    occurred_at: datetime
    """When it happened in the world (aware); may be earlier than ``recorded_at``."""
    recorded_at: datetime
    """When it was recorded, from the service's injected clock (aware, UTC)."""
    actor: str
    """Who recorded it: a user id from the embedding product. Like person ids it is a
    pseudonymous key, kept through erasure so the audit trail stays whole; pass ids,
    not names."""


# --- Programme -----------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class ProgrammeEvent(Event):
    """An event in the history of a programme."""


@attrs.frozen(kw_only=True)
class ProgrammeCreated(ProgrammeEvent):
    """A mentoring programme was set up by an organisation."""

    name: str
    organisation: str


@attrs.frozen(kw_only=True)
class PolicySet(ProgrammeEvent):
    """The programme's policy was set or replaced as a whole."""

    policy: ProgrammePolicy


@attrs.frozen(kw_only=True)
class ParticipantEnrolled(ProgrammeEvent):
    """A worker joined the programme as a mentor or a mentee."""

    person_id: str
    role: Role
    experience_years: Decimal


@attrs.frozen(kw_only=True)
class ParticipantWithdrawn(ProgrammeEvent):
    """A worker left the programme."""

    person_id: str
    reason: str = personal(PersonalData.FREE_TEXT)


@attrs.frozen(kw_only=True)
class RelationshipOpened(ProgrammeEvent):
    """A relationship of this programme was proposed or formed (recorded with its first event)."""

    relationship_id: UUID
    mentor_id: str
    mentee_id: str


# --- Relationship --------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class RelationshipEvent(Event):
    """An event in the history of one mentor-mentee relationship."""


@attrs.frozen(kw_only=True)
class PairingProposed(RelationshipEvent):
    """A mentor and a mentee were proposed to each other; they may accept or decline."""

    programme_id: UUID
    mentor_id: str
    mentee_id: str
    mentor_experience_years: Decimal
    mentee_experience_years: Decimal
    gap_override_reason: str | None = personal(PersonalData.FREE_TEXT)
    """Why the pairing stands although the experience gap is below the programme minimum."""


@attrs.frozen(kw_only=True)
class PairingAccepted(RelationshipEvent):
    """A proposed pairing was accepted: the relationship is active."""

    accepted_by: str


@attrs.frozen(kw_only=True)
class PairingDeclined(RelationshipEvent):
    """A proposed pairing was declined: the relationship never starts."""

    declined_by: str
    reason: DeclineReason
    explanation: str = personal(PersonalData.FREE_TEXT)


@attrs.frozen(kw_only=True)
class PairFormed(RelationshipEvent):
    """A coordinator formed the pair directly: the relationship is active."""

    programme_id: UUID
    mentor_id: str
    mentee_id: str
    mentor_experience_years: Decimal
    mentee_experience_years: Decimal
    gap_override_reason: str | None = personal(PersonalData.FREE_TEXT)


@attrs.frozen(kw_only=True)
class ExpectationsAgreed(RelationshipEvent):
    """Mentor and mentee agreed what each expects of the other (replaces earlier agreements)."""

    expectations: tuple[str, ...] = personal(PersonalData.FREE_TEXT)


@attrs.frozen(kw_only=True)
class GoalSet(RelationshipEvent):
    """A development goal was set."""

    goal_id: UUID
    title: str = personal(PersonalData.FREE_TEXT)
    focus_area: FocusArea
    success_measure: str = personal(PersonalData.FREE_TEXT)
    target_date: date


@attrs.frozen(kw_only=True)
class GoalRevised(RelationshipEvent):
    """An open goal was revised; the event holds the whole revised goal."""

    goal_id: UUID
    title: str = personal(PersonalData.FREE_TEXT)
    focus_area: FocusArea
    success_measure: str = personal(PersonalData.FREE_TEXT)
    target_date: date
    reason: str = personal(PersonalData.FREE_TEXT)


@attrs.frozen(kw_only=True)
class GoalAchieved(RelationshipEvent):
    """An open goal was achieved."""

    goal_id: UUID
    evidence: str = personal(PersonalData.FREE_TEXT)


@attrs.frozen(kw_only=True)
class GoalAbandoned(RelationshipEvent):
    """An open goal was given up."""

    goal_id: UUID
    reason: str = personal(PersonalData.FREE_TEXT)


@attrs.frozen(kw_only=True)
class PlanActivityAdded(RelationshipEvent):
    """An activity was added to the mentoring plan."""

    activity_id: UUID
    description: str = personal(PersonalData.FREE_TEXT)
    due_date: date
    goal_id: UUID | None


@attrs.frozen(kw_only=True)
class PlanActivityCompleted(RelationshipEvent):
    """A plan activity was done."""

    activity_id: UUID
    notes: str = personal(PersonalData.FREE_TEXT)


@attrs.frozen(kw_only=True)
class MilestoneSet(RelationshipEvent):
    """A milestone on the way to the goals was set."""

    milestone_id: UUID
    description: str = personal(PersonalData.FREE_TEXT)
    target_date: date
    goal_id: UUID | None


@attrs.frozen(kw_only=True)
class MilestoneReached(RelationshipEvent):
    """A milestone was reached."""

    milestone_id: UUID
    notes: str = personal(PersonalData.FREE_TEXT)


@attrs.frozen(kw_only=True)
class ScheduleAgreed(RelationshipEvent):
    """The pair agreed its first meeting schedule."""

    schedule: MeetingSchedule


@attrs.frozen(kw_only=True)
class ScheduleChanged(RelationshipEvent):
    """The pair changed its meeting schedule."""

    schedule: MeetingSchedule
    reason: str = personal(PersonalData.FREE_TEXT)


@attrs.frozen(kw_only=True)
class MeetingHeld(RelationshipEvent):
    """A meeting took place at ``occurred_at``."""

    meeting_id: UUID
    duration_minutes: int
    format: MeetingFormat
    topics: tuple[str, ...] = personal(PersonalData.FREE_TEXT)
    attendees: tuple[str, ...]
    """Person ids of those present besides the pair (group sessions); may be empty."""


@attrs.frozen(kw_only=True)
class MeetingMissed(RelationshipEvent):
    """A planned meeting at ``occurred_at`` did not happen and was not called off beforehand."""

    meeting_id: UUID
    missed_by: str
    """Person id of who did not attend."""
    reason: str = personal(PersonalData.FREE_TEXT)


@attrs.frozen(kw_only=True)
class MeetingCancelled(RelationshipEvent):
    """A planned meeting at ``occurred_at`` was called off beforehand."""

    meeting_id: UUID
    cancelled_by: str
    reason: str = personal(PersonalData.FREE_TEXT)


@attrs.frozen(kw_only=True)
class MeetingRecordCorrected(RelationshipEvent):
    """A mistake in a recorded meeting was corrected; the event holds the corrected values.

    The corrected event stays in the history unchanged; the state shows these values.
    """

    corrects_event_id: UUID
    meeting_id: UUID
    held_at: datetime
    duration_minutes: int
    format: MeetingFormat
    topics: tuple[str, ...] = personal(PersonalData.FREE_TEXT)
    reason: str = personal(PersonalData.FREE_TEXT)


@attrs.frozen(kw_only=True)
class FeedbackGiven(RelationshipEvent):
    """Feedback was given by one person to another, about a goal or a meeting or in general."""

    feedback_id: UUID
    from_person: str
    to_person: str
    kind: FeedbackKind
    about_goal_id: UUID | None
    about_meeting_id: UUID | None
    text: str = personal(PersonalData.FREE_TEXT)


@attrs.frozen(kw_only=True)
class ReflectionRecorded(RelationshipEvent):
    """The mentee recorded a self-assessment."""

    reflection_id: UUID
    ratings: tuple[Rating, ...]
    text: str = personal(PersonalData.FREE_TEXT)


@attrs.frozen(kw_only=True)
class ProgressEvaluated(RelationshipEvent):
    """Progress against the goals was reviewed."""

    evaluation_id: UUID
    goal_progress: tuple[GoalProgress, ...]
    evidence: str = personal(PersonalData.FREE_TEXT)
    stakeholder_feedback: tuple[StakeholderFeedback, ...]


@attrs.frozen(kw_only=True)
class RelationshipPaused(RelationshipEvent):
    """The relationship was paused (leave, workload); no meetings until it resumes."""

    reason: str = personal(PersonalData.FREE_TEXT)


@attrs.frozen(kw_only=True)
class RelationshipResumed(RelationshipEvent):
    """A paused relationship resumed."""


@attrs.frozen(kw_only=True)
class RelationshipEnded(RelationshipEvent):
    """The relationship ended; nothing but corrections of past records may follow."""

    reason: EndReason
    explanation: str = personal(PersonalData.FREE_TEXT)


PROGRAMME_EVENT_TYPES: tuple[type[ProgrammeEvent], ...] = (
    ProgrammeCreated,
    PolicySet,
    ParticipantEnrolled,
    ParticipantWithdrawn,
    RelationshipOpened,
)

RELATIONSHIP_EVENT_TYPES: tuple[type[RelationshipEvent], ...] = (
    PairingProposed,
    PairingAccepted,
    PairingDeclined,
    PairFormed,
    ExpectationsAgreed,
    GoalSet,
    GoalRevised,
    GoalAchieved,
    GoalAbandoned,
    PlanActivityAdded,
    PlanActivityCompleted,
    MilestoneSet,
    MilestoneReached,
    ScheduleAgreed,
    ScheduleChanged,
    MeetingHeld,
    MeetingMissed,
    MeetingCancelled,
    MeetingRecordCorrected,
    FeedbackGiven,
    ReflectionRecorded,
    ProgressEvaluated,
    RelationshipPaused,
    RelationshipResumed,
    RelationshipEnded,
)

EVENT_TYPES: dict[str, type[Event]] = {
    cls.__name__: cls for cls in (*PROGRAMME_EVENT_TYPES, *RELATIONSHIP_EVENT_TYPES)
}
"""Every event class by its stored type name: the only classes a stored record can name."""
