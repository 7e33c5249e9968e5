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
from typing import Any, ClassVar
from uuid import UUID

import attrs

from .personal import RELATIONSHIP_MENTEE, PersonalData, personal
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


@attrs.frozen(kw_only=True)
class Event:
    """What every recorded fact carries, whatever its type.

    Version 2 of every event type added ``command_id``; version 1 records read back
    with ``command_id=None``.
    """

    class_version: ClassVar[int] = 2

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
    command_id: UUID | None = None
    """The id the caller gave the command that recorded it (an idempotency key), if any:
    a retried command with the same id is reported as already recorded, not recorded twice."""

    @staticmethod
    def upcast_v1_v2(data: dict[str, Any]) -> dict[str, Any]:
        """Version 1 records predate command ids."""
        return {**data, "command_id": None}


# --- Programme -----------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class ProgrammeEvent(Event):
    """An event in the history of a programme."""


@attrs.frozen(kw_only=True)
class ProgrammeCreated(ProgrammeEvent):
    """A mentoring programme was set up by an organisation."""

    name: str
    """The programme's name, as the organisation calls it."""
    organisation: str
    """The organisation running the programme."""


@attrs.frozen(kw_only=True)
class PolicySet(ProgrammeEvent):
    """The programme's policy was set or replaced as a whole."""

    class_version: ClassVar[int] = 4

    policy: ProgrammePolicy
    """The whole policy now in force: cadence tiers, minimum meeting length,
    participation, experience gap, review interval, capacity limits and retention period."""

    @staticmethod
    def upcast_v2_v3(data: dict[str, Any]) -> dict[str, Any]:
        """Version 2 policies predate capacity limits: they set none (no limit)."""
        policy = data.get("policy")
        if not isinstance(policy, dict):
            return data
        limits = {"max_mentees_per_mentor": None, "max_active_mentors_per_mentee": None}
        return {**data, "policy": {**limits, **policy}}

    @staticmethod
    def upcast_v3_v4(data: dict[str, Any]) -> dict[str, Any]:
        """Version 3 policies predate the retention period: they set none."""
        policy = data.get("policy")
        if not isinstance(policy, dict):
            return data
        return {**data, "policy": {"retain_personal_data_years": None, **policy}}


@attrs.frozen(kw_only=True)
class ParticipantEnrolled(ProgrammeEvent):
    """A worker joined the programme as a mentor or a mentee."""

    class_version: ClassVar[int] = 4

    person_id: str
    """The worker's id in the embedding product."""
    role: Role
    """Mentor or mentee."""
    experience_years: Decimal
    """Years of experience in the field when enrolled."""
    display_name: str | None = personal(PersonalData.NAME, about="person_id", default=None)
    """The name the worker is shown by, if given (the id stays a pseudonym)."""
    contact: str | None = personal(PersonalData.CONTACT, about="person_id", default=None)
    """How to reach the worker (an e-mail address, a telephone number), if given."""
    expertise: tuple[FocusArea, ...] = ()
    """A mentor's areas of expertise, from the focus areas (empty for a mentee)."""
    development_needs: tuple[FocusArea, ...] = ()
    """A mentee's development needs, from the focus areas (empty for a mentor)."""

    @staticmethod
    def upcast_v2_v3(data: dict[str, Any]) -> dict[str, Any]:
        """Version 2 enrolments predate display names and contact details: they have none."""
        return {**data, "display_name": None, "contact": None}

    @staticmethod
    def upcast_v3_v4(data: dict[str, Any]) -> dict[str, Any]:
        """Version 3 enrolments predate expertise and development needs: they record none."""
        return {**data, "expertise": [], "development_needs": []}


@attrs.frozen(kw_only=True)
class ParticipantProfileUpdated(ProgrammeEvent):
    """An enrolled worker's expertise (a mentor) or development needs (a mentee) changed;
    the event holds both as they now stand."""

    person_id: str
    """The worker's id in the embedding product."""
    expertise: tuple[FocusArea, ...]
    """A mentor's areas of expertise now (empty for a mentee)."""
    development_needs: tuple[FocusArea, ...]
    """A mentee's development needs now (empty for a mentor)."""


@attrs.frozen(kw_only=True)
class ParticipantWithdrawn(ProgrammeEvent):
    """A worker left the programme."""

    person_id: str
    """The worker's id in the embedding product."""
    reason: str = personal(PersonalData.FREE_TEXT, about="person_id")
    """Why the worker left."""


@attrs.frozen(kw_only=True)
class RelationshipOpened(ProgrammeEvent):
    """A relationship of this programme was proposed or formed (recorded with its first event)."""

    relationship_id: UUID
    """The relationship opened."""
    mentor_id: str
    """The mentor's person id."""
    mentee_id: str
    """The mentee's person id."""


@attrs.frozen(kw_only=True)
class CoordinatorAppointed(ProgrammeEvent):
    """Someone was appointed a coordinator of the programme: they may enrol, pair, set the
    policy, end relationships for the programme and read everything in it (see
    ``docs/http.md``, "Who may do what")."""

    person_id: str
    """The coordinator's id in the embedding product (the subject of their access tokens)."""


@attrs.frozen(kw_only=True)
class CoordinatorRelieved(ProgrammeEvent):
    """A coordinator of the programme was relieved of the role: from now on they have no
    coordinator's rights in it."""

    person_id: str
    """The former coordinator's id in the embedding product."""
    reason: str = personal(PersonalData.FREE_TEXT, about="person_id")
    """Why they were relieved."""


@attrs.frozen(kw_only=True)
class MentorRecognised(ProgrammeEvent):
    """A coordinator recorded the recognition of a mentor's time (an allowance, time in lieu,
    a certificate...) for a period; the mentor-time report shows it."""

    person_id: str
    """The mentor recognised."""
    kind: RecognitionKind
    """Allowance, time in lieu, certificate or other."""
    period_start: date
    """The first day of the period recognised."""
    period_end: date
    """The last day of the period recognised (included)."""
    amount: Decimal | None
    """The sum paid (allowance), in the organisation's currency, if any."""
    hours: Decimal | None
    """The hours given (time in lieu), if any."""
    reason: str = personal(PersonalData.FREE_TEXT, about="person_id")
    """What is recognised, in the coordinator's words."""


@attrs.frozen(kw_only=True)
class ReminderIssued(ProgrammeEvent):
    """Someone is to be reminded of something due in one of the programme's relationships;
    recorded before the reminder is sent (``docs/cli.md``, "Reminders"). At most one per
    ``reminder_id``. Holds no personal data beyond ids: the reminder's text is built from
    these fields alone, so a reminder sent again is the same message."""

    reminder_id: UUID
    """The reminder's stable id, derived from the person, the due item and the reason:
    the id the receiver sees (an e-mail's Message-ID, a webhook's ``webhook-id``)."""
    person_id: str
    """Who is to be reminded."""
    relationship_id: UUID
    """The relationship the due item belongs to."""
    reason: ReminderReason
    """Why: due soon, overdue, or a quiet relationship."""
    item: str
    """What is due: meeting, review, goal, plan activity, milestone; ``relationship`` for a
    quiet relationship."""
    due: datetime
    """When it is (or was) due; for a quiet relationship, when it became quiet."""
    channel: str
    """How the reminder is sent: ``email`` or ``webhook``."""


@attrs.frozen(kw_only=True)
class ReminderSent(ProgrammeEvent):
    """An issued reminder was handed over: the mail server or the webhook receiver
    accepted it."""

    reminder_id: UUID
    """The reminder (its ``ReminderIssued``)."""
    person_id: str
    """Who was reminded."""
    after_interruption: bool
    """Sent by a later run than the one that issued it: the earlier run may have sent it
    already, so the receiver may have it twice, under the same id."""


@attrs.frozen(kw_only=True)
class ReminderAbandoned(ProgrammeEvent):
    """An issued reminder, not yet sent, will not be sent: a coordinator gave it up (its
    channel refuses it for good). No run sends it again."""

    reminder_id: UUID
    """The reminder (its ``ReminderIssued``)."""
    person_id: str
    """Who was to be reminded."""
    reason: str = personal(PersonalData.FREE_TEXT, about="person_id")
    """Why it was given up (such as the mail server's refusal): free text about the
    person, sealed under their key."""


# --- Relationship --------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class RelationshipEvent(Event):
    """An event in the history of one mentor-mentee relationship."""


@attrs.frozen(kw_only=True)
class PairingProposed(RelationshipEvent):
    """A mentor and a mentee were proposed to each other; they may accept or decline."""

    class_version: ClassVar[int] = 3

    programme_id: UUID
    """The programme the relationship belongs to."""
    mentor_id: str
    """The mentor's person id."""
    mentee_id: str
    """The mentee's person id."""
    mentor_experience_years: Decimal
    """The mentor's years of experience, as enrolled."""
    mentee_experience_years: Decimal
    """The mentee's years of experience, as enrolled."""
    gap_override_reason: str | None = personal(PersonalData.FREE_TEXT, about="mentee_id")
    """Why the pairing stands although the experience gap is below the programme minimum."""
    suggestion_rank: int | None = None
    """The chosen mentor's place (1 = first) in the ranking ``suggest_mentors`` gave for this
    mentee when the pairing was decided (see ``docs/cli.md``, "Matching"); None for records
    from before the ranking existed."""
    suggestion_override_reason: str | None = personal(
        PersonalData.FREE_TEXT, about="mentee_id", default=None
    )
    """Why another mentor than the first suggestion was chosen, if a reason was given."""

    @staticmethod
    def upcast_v2_v3(data: dict[str, Any]) -> dict[str, Any]:
        """Version 2 openings predate suggestions: they record no rank and no reason."""
        return {**data, "suggestion_rank": None, "suggestion_override_reason": None}


@attrs.frozen(kw_only=True)
class PairingAccepted(RelationshipEvent):
    """A proposed pairing was accepted: the relationship is active."""

    accepted_by: str
    """Who accepted (a person id)."""


@attrs.frozen(kw_only=True)
class PairingDeclined(RelationshipEvent):
    """A proposed pairing was declined: the relationship never starts."""

    declined_by: str
    """Who declined (a person id)."""
    reason: DeclineReason
    """The structured reason."""
    explanation: str = personal(PersonalData.FREE_TEXT, about="declined_by")
    """Why, in the words of whoever recorded it."""


@attrs.frozen(kw_only=True)
class PairFormed(RelationshipEvent):
    """A coordinator formed the pair directly: the relationship is active."""

    class_version: ClassVar[int] = 3

    programme_id: UUID
    """The programme the relationship belongs to."""
    mentor_id: str
    """The mentor's person id."""
    mentee_id: str
    """The mentee's person id."""
    mentor_experience_years: Decimal
    """The mentor's years of experience, as enrolled."""
    mentee_experience_years: Decimal
    """The mentee's years of experience, as enrolled."""
    gap_override_reason: str | None = personal(PersonalData.FREE_TEXT, about="mentee_id")
    """Why the pairing stands although the experience gap is below the programme minimum."""
    suggestion_rank: int | None = None
    """The chosen mentor's place (1 = first) in the ranking ``suggest_mentors`` gave for this
    mentee when the pairing was decided (see ``docs/cli.md``, "Matching"); None for records
    from before the ranking existed."""
    suggestion_override_reason: str | None = personal(
        PersonalData.FREE_TEXT, about="mentee_id", default=None
    )
    """Why another mentor than the first suggestion was chosen, if a reason was given."""

    @staticmethod
    def upcast_v2_v3(data: dict[str, Any]) -> dict[str, Any]:
        """Version 2 openings predate suggestions: they record no rank and no reason."""
        return {**data, "suggestion_rank": None, "suggestion_override_reason": None}


@attrs.frozen(kw_only=True)
class ExpectationsAgreed(RelationshipEvent):
    """Mentor and mentee agreed what each expects of the other (replaces earlier agreements)."""

    expectations: tuple[str, ...] = personal(PersonalData.FREE_TEXT, about=RELATIONSHIP_MENTEE)
    """The agreed expectations, one per item."""


@attrs.frozen(kw_only=True)
class GoalSet(RelationshipEvent):
    """A development goal was set."""

    goal_id: UUID
    """The goal's id, chosen when it was set."""
    title: str = personal(PersonalData.FREE_TEXT, about=RELATIONSHIP_MENTEE)
    """The goal, in a line."""
    focus_area: FocusArea
    """What the goal develops."""
    success_measure: str = personal(PersonalData.FREE_TEXT, about=RELATIONSHIP_MENTEE)
    """How mentor and mentee will know the goal is achieved."""
    target_date: date
    """When it should be reached."""


@attrs.frozen(kw_only=True)
class GoalRevised(RelationshipEvent):
    """An open goal was revised; the event holds the whole revised goal."""

    goal_id: UUID
    """The goal's id, chosen when it was set."""
    title: str = personal(PersonalData.FREE_TEXT, about=RELATIONSHIP_MENTEE)
    """The goal, in a line (as revised)."""
    focus_area: FocusArea
    """What the goal develops."""
    success_measure: str = personal(PersonalData.FREE_TEXT, about=RELATIONSHIP_MENTEE)
    """How mentor and mentee will know the goal is achieved."""
    target_date: date
    """When it should be reached."""
    reason: str = personal(PersonalData.FREE_TEXT, about=RELATIONSHIP_MENTEE)
    """Why the goal was revised."""


@attrs.frozen(kw_only=True)
class GoalAchieved(RelationshipEvent):
    """An open goal was achieved."""

    goal_id: UUID
    """The goal's id, chosen when it was set."""
    evidence: str = personal(PersonalData.FREE_TEXT, about=RELATIONSHIP_MENTEE)
    """What shows the goal is achieved."""


@attrs.frozen(kw_only=True)
class GoalAbandoned(RelationshipEvent):
    """An open goal was given up."""

    goal_id: UUID
    """The goal's id, chosen when it was set."""
    reason: str = personal(PersonalData.FREE_TEXT, about=RELATIONSHIP_MENTEE)
    """Why the goal was given up."""


@attrs.frozen(kw_only=True)
class PlanActivityAdded(RelationshipEvent):
    """An activity was added to the mentoring plan."""

    activity_id: UUID
    """The plan activity's id."""
    description: str = personal(PersonalData.FREE_TEXT, about=RELATIONSHIP_MENTEE)
    """The activity."""
    due_date: date
    """When it is due."""
    goal_id: UUID | None
    """The goal the activity serves, if any."""


@attrs.frozen(kw_only=True)
class PlanActivityCompleted(RelationshipEvent):
    """A plan activity was done."""

    activity_id: UUID
    """The plan activity's id."""
    notes: str = personal(PersonalData.FREE_TEXT, about=RELATIONSHIP_MENTEE)
    """How it went."""


@attrs.frozen(kw_only=True)
class MilestoneSet(RelationshipEvent):
    """A milestone on the way to the goals was set."""

    milestone_id: UUID
    """The milestone's id."""
    description: str = personal(PersonalData.FREE_TEXT, about=RELATIONSHIP_MENTEE)
    """The milestone."""
    target_date: date
    """When it should be reached."""
    goal_id: UUID | None
    """The goal the milestone leads to, if any."""


@attrs.frozen(kw_only=True)
class MilestoneReached(RelationshipEvent):
    """A milestone was reached."""

    milestone_id: UUID
    """The milestone's id."""
    notes: str = personal(PersonalData.FREE_TEXT, about=RELATIONSHIP_MENTEE)
    """How it was reached."""


@attrs.frozen(kw_only=True)
class ScheduleAgreed(RelationshipEvent):
    """The pair agreed its first meeting schedule."""

    schedule: MeetingSchedule
    """The meeting rhythm agreed."""


@attrs.frozen(kw_only=True)
class ScheduleChanged(RelationshipEvent):
    """The pair changed its meeting schedule."""

    schedule: MeetingSchedule
    """The meeting rhythm now agreed."""
    reason: str = personal(PersonalData.FREE_TEXT, about=RELATIONSHIP_MENTEE)
    """Why the schedule changed."""


@attrs.frozen(kw_only=True)
class MeetingHeld(RelationshipEvent):
    """A meeting took place at ``occurred_at``."""

    class_version: ClassVar[int] = 3

    meeting_id: UUID
    """The meeting's id, chosen when it was recorded."""
    duration_minutes: int
    """How long it lasted, in minutes."""
    format: MeetingFormat
    """One-on-one, group, phone or video."""
    topics: tuple[str, ...] = personal(PersonalData.FREE_TEXT, about=RELATIONSHIP_MENTEE)
    """What was discussed, one topic per item."""
    attendees: tuple[str, ...]
    """Person ids of those present besides the pair (group sessions); may be empty."""
    in_working_hours: bool | None = None
    """Whether the meeting was held in paid working hours: as recorded, else the schedule in
    force said so (True without a schedule). None only on records older than version 3:
    read as the schedule in force at the time said."""
    group_session_id: UUID | None = None
    """The group session this meeting was part of (the same id on every relationship present,
    recorded together by one command); None for a meeting of the pair alone."""

    @staticmethod
    def upcast_v2_v3(data: dict[str, Any]) -> dict[str, Any]:
        """Version 2 meetings predate the working-hours flag and group sessions: the flag is
        unknown (the schedule in force tells) and no meeting was part of a group session."""
        return {**data, "in_working_hours": None, "group_session_id": None}


@attrs.frozen(kw_only=True)
class MeetingMissed(RelationshipEvent):
    """A planned meeting at ``occurred_at`` did not happen and was not called off beforehand."""

    meeting_id: UUID
    """The meeting's id, chosen when it was recorded."""
    missed_by: str
    """Person id of who did not attend."""
    reason: str = personal(PersonalData.FREE_TEXT, about="missed_by")
    """Why it was missed."""


@attrs.frozen(kw_only=True)
class MeetingCancelled(RelationshipEvent):
    """A planned meeting at ``occurred_at`` was called off beforehand."""

    meeting_id: UUID
    """The meeting's id, chosen when it was recorded."""
    cancelled_by: str
    """Who called it off (a person id)."""
    reason: str = personal(PersonalData.FREE_TEXT, about="cancelled_by")
    """Why it was called off."""


@attrs.frozen(kw_only=True)
class MeetingRecordCorrected(RelationshipEvent):
    """A mistake in a recorded meeting was corrected; the event holds the corrected values.

    The corrected event stays in the history unchanged; the state shows these values.
    """

    corrects_event_id: UUID
    """The id of the event whose record this corrects (the MeetingHeld)."""
    meeting_id: UUID
    """The meeting corrected."""
    held_at: datetime
    """When the meeting actually started (corrected or as recorded)."""
    duration_minutes: int
    """The corrected length, in minutes."""
    format: MeetingFormat
    """The corrected format."""
    topics: tuple[str, ...] = personal(PersonalData.FREE_TEXT, about=RELATIONSHIP_MENTEE)
    """The corrected topics."""
    reason: str = personal(PersonalData.FREE_TEXT, about=RELATIONSHIP_MENTEE)
    """What was wrong in the record, and why the correction."""


@attrs.frozen(kw_only=True)
class FeedbackGiven(RelationshipEvent):
    """Feedback was given by one person to another, about a goal or a meeting or in general."""

    class_version: ClassVar[int] = 3

    feedback_id: UUID
    """The feedback's id."""
    from_person: str
    """Who gave the feedback (a person id)."""
    to_person: str
    """Who received it (a person id)."""
    kind: FeedbackKind
    """Constructive (something to improve) or recognition (something done well)."""
    about_goal_id: UUID | None
    """The goal the feedback is about, if any."""
    about_meeting_id: UUID | None
    """The meeting the feedback is about, if any."""
    text: str = personal(PersonalData.FREE_TEXT, about="to_person")
    """The feedback itself."""
    private: bool = False
    """True: private to the pair (its author is one of them): readers applying the
    authorisation policy withhold it from the programme's coordinators; the organisation's
    administrators and auditors read everything."""

    @staticmethod
    def upcast_v2_v3(data: dict[str, Any]) -> dict[str, Any]:
        """Version 2 feedback predates private entries: it was never private."""
        return {**data, "private": False}


@attrs.frozen(kw_only=True)
class ReflectionRecorded(RelationshipEvent):
    """The mentee recorded a self-assessment."""

    class_version: ClassVar[int] = 3

    reflection_id: UUID
    """The reflection's id."""
    ratings: tuple[Rating, ...]
    """The mentee's self-assessment: a score from 1 to 5 per focus area."""
    text: str = personal(PersonalData.FREE_TEXT, about=RELATIONSHIP_MENTEE)
    """The mentee's reflection, in their words."""
    private: bool = False
    """True: private to the pair: readers applying the authorisation policy withhold it
    from the programme's coordinators; the organisation's administrators and auditors read
    everything."""

    @staticmethod
    def upcast_v2_v3(data: dict[str, Any]) -> dict[str, Any]:
        """Version 2 reflections predate private entries: they were never private."""
        return {**data, "private": False}


@attrs.frozen(kw_only=True)
class ProgressEvaluated(RelationshipEvent):
    """Progress against the goals was reviewed."""

    evaluation_id: UUID
    """The evaluation's id."""
    goal_progress: tuple[GoalProgress, ...]
    """Per goal: on track, at risk or off track."""
    evidence: str = personal(PersonalData.FREE_TEXT, about=RELATIONSHIP_MENTEE)
    """The evidence the judgement rests on."""
    stakeholder_feedback: tuple[StakeholderFeedback, ...]
    """What team leaders, colleagues or clients' families said."""


@attrs.frozen(kw_only=True)
class RelationshipPaused(RelationshipEvent):
    """The relationship was paused (leave, workload); no meetings until it resumes."""

    reason: str = personal(PersonalData.FREE_TEXT, about=RELATIONSHIP_MENTEE)
    """Why the relationship paused."""


@attrs.frozen(kw_only=True)
class RelationshipResumed(RelationshipEvent):
    """A paused relationship resumed."""


@attrs.frozen(kw_only=True)
class RelationshipEnded(RelationshipEvent):
    """The relationship ended; nothing but corrections of past records may follow."""

    reason: EndReason
    """How it ended."""
    explanation: str = personal(PersonalData.FREE_TEXT, about=RELATIONSHIP_MENTEE)
    """Why, in the words of whoever recorded it."""


EVENT_TYPES: dict[str, type[Event]] = {}
"""Every event class by its stored type name: the only classes a stored record can name.

Filled as the deciders register how each event type changes a state (see
:meth:`.decider.Decider.evolves`); importing :mod:`mentoring_core.domain` registers all."""
