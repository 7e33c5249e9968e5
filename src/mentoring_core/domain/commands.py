"""What a user asks the domain to record: one frozen class per command.

A command is a request, not a fact: ``decide`` checks it against the current
state and either returns the events that record it or raises. ``occurred_at``
says when the thing happened in the world; ``None`` means "now" (the clock).
Ids of new things (goals, meetings...) are chosen by the caller, so a retried
command names the same thing; a field declared with :func:`creates` holds such an
id, and the service fills it with a fresh one when the caller leaves it ``None``.

Every command names the aggregate it is for (``programme_id`` or ``relationship_id``):
:meth:`~mentoring_core.MentoringService.execute` needs it. The pure ``decide``
functions take that aggregate's state instead, and check the id when it is given.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid5

import attrs

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
    RecognitionKind,
    ReminderReason,
    Role,
    StakeholderFeedback,
)

_CREATES = "mentoring_core.creates"


def creates() -> Any:
    """Declare a command field holding the id of what the command creates (``None``: the
    service chooses a new id)."""
    return attrs.field(default=None, metadata={_CREATES: True})


_CREATED: dict[type, str | None] = {}
"""Each command class's created field, found once (a class's fields never change, and
it is looked up three times a command)."""


def created_field(command_type: type[Command]) -> str | None:
    """The name of the field holding the id ``command_type`` creates, if it creates one."""
    if command_type not in _CREATED:
        _CREATED[command_type] = next(
            (f.name for f in attrs.fields(command_type) if f.metadata.get(_CREATES)), None
        )
    return _CREATED[command_type]


@attrs.frozen(kw_only=True)
class Command:
    occurred_at: datetime | None = None
    """When it happened in the world; ``None``: now."""


# --- Programme -----------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class ProgrammeCommand(Command):
    """A command on a programme."""

    programme_id: UUID | None = None
    """The programme it is for."""


@attrs.frozen(kw_only=True)
class CreateProgramme(ProgrammeCommand):
    programme_id: UUID | None = creates()
    name: str
    organisation: str


@attrs.frozen(kw_only=True)
class SetPolicy(ProgrammeCommand):
    policy: ProgrammePolicy


@attrs.frozen(kw_only=True)
class EnrolParticipant(ProgrammeCommand):
    person_id: str
    role: Role
    experience_years: Decimal
    display_name: str | None = None
    """The name the worker is shown by (personal data, sealed; erased with them)."""
    contact: str | None = None
    """How to reach them, e.g. an e-mail address (personal data, sealed; erased with them)."""
    expertise: tuple[FocusArea, ...] = ()
    """A mentor's areas of expertise (none for a mentee)."""
    development_needs: tuple[FocusArea, ...] = ()
    """A mentee's development needs (none for a mentor)."""


@attrs.frozen(kw_only=True)
class UpdateProfile(ProgrammeCommand):
    """Change an enrolled worker's expertise or development needs; ``None`` keeps one."""

    person_id: str
    expertise: tuple[FocusArea, ...] | None = None
    development_needs: tuple[FocusArea, ...] | None = None


@attrs.frozen(kw_only=True)
class WithdrawParticipant(ProgrammeCommand):
    person_id: str
    reason: str


@attrs.frozen(kw_only=True)
class AppointCoordinator(ProgrammeCommand):
    """Make someone a coordinator of the programme."""

    person_id: str


@attrs.frozen(kw_only=True)
class RelieveCoordinator(ProgrammeCommand):
    """Relieve a coordinator of the programme of the role."""

    person_id: str
    reason: str


@attrs.frozen(kw_only=True)
class IssueReminder(ProgrammeCommand):
    """Record that someone is to be reminded of a due item, before it is sent."""

    reminder_id: UUID
    person_id: str
    relationship_id: UUID
    reason: ReminderReason
    item: str
    due: datetime
    channel: str


@attrs.frozen(kw_only=True)
class RecordReminderSent(ProgrammeCommand):
    """Record that an issued reminder was handed over to its channel."""

    reminder_id: UUID
    after_interruption: bool = False


@attrs.frozen(kw_only=True)
class AbandonReminder(ProgrammeCommand):
    """Record that an issued reminder will not be sent (a coordinator's act): its
    channel refuses it for good, such as an address that no longer exists."""

    reminder_id: UUID
    reason: str


@attrs.frozen(kw_only=True)
class RecogniseMentor(ProgrammeCommand):
    """Record how a mentor's time was recognised for a period (a coordinator's act)."""

    person_id: str
    kind: RecognitionKind
    period_start: date
    period_end: date
    reason: str
    amount: Decimal | None = None
    hours: Decimal | None = None


@attrs.frozen(kw_only=True)
class RecordGroupSession(ProgrammeCommand):
    """A group session took place: one mentor with the mentees of several of their
    relationships in the programme, recorded once as a meeting of every relationship present
    (all with the same ``session_id``); ``occurred_at`` is when it started."""

    session_id: UUID | None = creates()
    mentor_id: str
    relationship_ids: tuple[UUID, ...]
    duration_minutes: int
    topics: tuple[str, ...]
    in_working_hours: bool | None = None
    """None: in working hours unless the schedule in force of a relationship present says not."""


@attrs.frozen(kw_only=True)
class CorrectGroupSession(ProgrammeCommand):
    """Correct a mistake in a group session's record, on every relationship present at
    once (its meetings share the time, length and topics: a correction of one alone is
    refused, as it would split the session); ``None`` keeps a value as recorded."""

    session_id: UUID
    mentor_id: str
    relationship_ids: tuple[UUID, ...]
    """Every relationship present, as the session was recorded."""
    reason: str
    held_at: datetime | None = None
    duration_minutes: int | None = None
    topics: tuple[str, ...] | None = None


# --- Relationship --------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class RelationshipCommand(Command):
    """A command on a relationship."""

    relationship_id: UUID | None = None
    """The relationship it is for."""


@attrs.frozen(kw_only=True)
class OpenRelationship(RelationshipCommand):
    """Start a relationship: proposed (to be accepted or declined) or formed directly."""

    relationship_id: UUID | None = creates()
    programme_id: UUID | None = None
    """The programme the relationship is opened in."""
    mentor_id: str
    mentee_id: str
    direct: bool
    """True: a coordinator forms the pair now. False: the pairing is proposed."""
    gap_override_reason: str | None = None
    """Needed when the experience gap is below the programme minimum."""
    suggestion_override_reason: str | None = None
    """Why this mentor rather than the first suggestion for the mentee (recorded as given)."""


@attrs.frozen(kw_only=True)
class AcceptPairing(RelationshipCommand):
    accepted_by: str


@attrs.frozen(kw_only=True)
class DeclinePairing(RelationshipCommand):
    declined_by: str
    reason: DeclineReason
    explanation: str


@attrs.frozen(kw_only=True)
class AgreeExpectations(RelationshipCommand):
    expectations: tuple[str, ...]


@attrs.frozen(kw_only=True)
class SetGoal(RelationshipCommand):
    goal_id: UUID | None = creates()
    title: str
    focus_area: FocusArea
    success_measure: str
    target_date: date


@attrs.frozen(kw_only=True)
class ReviseGoal(RelationshipCommand):
    """Change some details of an open goal; ``None`` keeps a detail as it is."""

    goal_id: UUID
    reason: str
    title: str | None = None
    focus_area: FocusArea | None = None
    success_measure: str | None = None
    target_date: date | None = None


@attrs.frozen(kw_only=True)
class AchieveGoal(RelationshipCommand):
    goal_id: UUID
    evidence: str


@attrs.frozen(kw_only=True)
class AbandonGoal(RelationshipCommand):
    goal_id: UUID
    reason: str


@attrs.frozen(kw_only=True)
class AddPlanActivity(RelationshipCommand):
    activity_id: UUID | None = creates()
    description: str
    due_date: date
    goal_id: UUID | None = None


@attrs.frozen(kw_only=True)
class CompletePlanActivity(RelationshipCommand):
    activity_id: UUID
    notes: str


@attrs.frozen(kw_only=True)
class SetMilestone(RelationshipCommand):
    milestone_id: UUID | None = creates()
    description: str
    target_date: date
    goal_id: UUID | None = None


@attrs.frozen(kw_only=True)
class ReachMilestone(RelationshipCommand):
    milestone_id: UUID
    notes: str


@attrs.frozen(kw_only=True)
class AgreeSchedule(RelationshipCommand):
    schedule: MeetingSchedule


@attrs.frozen(kw_only=True)
class ChangeSchedule(RelationshipCommand):
    schedule: MeetingSchedule
    reason: str


@attrs.frozen(kw_only=True)
class RecordMeetingHeld(RelationshipCommand):
    """A meeting took place; ``occurred_at`` is when it started."""

    meeting_id: UUID | None = creates()
    duration_minutes: int
    format: MeetingFormat
    topics: tuple[str, ...]
    attendees: tuple[str, ...] = ()
    in_working_hours: bool | None = None
    """None: as the schedule in force says (in working hours without a schedule)."""


@attrs.frozen(kw_only=True)
class RecordMeetingMissed(RelationshipCommand):
    """A planned meeting did not happen; ``occurred_at`` is when it was due."""

    meeting_id: UUID | None = creates()
    missed_by: str
    reason: str


@attrs.frozen(kw_only=True)
class RecordMeetingCancelled(RelationshipCommand):
    """A planned meeting was called off; ``occurred_at`` is when it was due."""

    meeting_id: UUID | None = creates()
    cancelled_by: str
    reason: str


@attrs.frozen(kw_only=True)
class CorrectMeetingRecord(RelationshipCommand):
    """Correct a mistake in a recorded meeting; ``None`` keeps a value as recorded."""

    meeting_id: UUID
    reason: str
    held_at: datetime | None = None
    duration_minutes: int | None = None
    format: MeetingFormat | None = None
    topics: tuple[str, ...] | None = None


@attrs.frozen(kw_only=True)
class GiveFeedback(RelationshipCommand):
    feedback_id: UUID | None = creates()
    from_person: str
    to_person: str
    kind: FeedbackKind
    text: str
    about_goal_id: UUID | None = None
    about_meeting_id: UUID | None = None
    private: bool = False
    """True: private to the pair (see ``FeedbackGiven.private``)."""


@attrs.frozen(kw_only=True)
class RecordReflection(RelationshipCommand):
    reflection_id: UUID | None = creates()
    ratings: tuple[Rating, ...]
    text: str
    private: bool = False
    """True: private to the pair (see ``ReflectionRecorded.private``)."""


@attrs.frozen(kw_only=True)
class EvaluateProgress(RelationshipCommand):
    evaluation_id: UUID | None = creates()
    goal_progress: tuple[GoalProgress, ...]
    evidence: str
    stakeholder_feedback: tuple[StakeholderFeedback, ...] = ()


@attrs.frozen(kw_only=True)
class PauseRelationship(RelationshipCommand):
    reason: str


@attrs.frozen(kw_only=True)
class ResumeRelationship(RelationshipCommand):
    pass


@attrs.frozen(kw_only=True)
class EndRelationship(RelationshipCommand):
    reason: EndReason
    explanation: str


_REMINDER_ISSUED = UUID("6f1c3c8e-5a3b-4d0e-9b7a-2f4e8d1c0a01")
_REMINDER_SENT = UUID("6f1c3c8e-5a3b-4d0e-9b7a-2f4e8d1c0a02")


def reminder_command_id(reminder_id: UUID, *, sent: bool = False) -> UUID:
    """The id an :class:`IssueReminder` of ``reminder_id`` is always recorded under (with
    ``sent``: its :class:`RecordReminderSent`): each is recorded once per reminder, a
    second answered as already recorded, found by that id (the store keeps each event's
    command id beside it) rather than by a set of every reminder ever issued held in the
    programme's state, which grew with every reminder."""
    return uuid5(_REMINDER_SENT if sent else _REMINDER_ISSUED, str(reminder_id))


_NAMED_BY_A_REMINDER = (IssueReminder, RecordReminderSent)


def natural_command_id(command: Command) -> UUID | None:
    """The id ``command`` is always recorded under, if it is named by one of its fields
    (see :func:`reminder_command_id`); None for every other command. The reminder id is
    not checked here: its decision checks it."""
    if isinstance(command, _NAMED_BY_A_REMINDER) and isinstance(command.reminder_id, UUID):
        sent = isinstance(command, RecordReminderSent)
        return reminder_command_id(command.reminder_id, sent=sent)
    return None
