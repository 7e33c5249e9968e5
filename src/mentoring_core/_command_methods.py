"""The service's command surface: what ``execute`` returns, its typed keywords, and one
typed method per command.

Each method builds its command object and calls
:meth:`~mentoring_core.MentoringService.execute`; nothing else happens here, so the
command objects stay the API and these methods the convenience.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any, NotRequired, Required, TypedDict, Unpack
from uuid import UUID

import attrs

from .domain import commands as c
from .domain.events import Event
from .domain.validation import check_sequence
from .domain.values import (
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


class CommandOptions(TypedDict, total=False):
    """The keywords every relationship command method takes (typed, so a misspelt one is a
    type error): who records it, when it happened, the version the caller last saw, and an
    idempotency key. See ``docs/api.md``."""

    actor: Required[str]
    occurred_at: NotRequired[datetime | None]
    expected_version: NotRequired[int | None]
    command_id: NotRequired[UUID | None]


@attrs.frozen(kw_only=True)
class Recorded:
    """What a command recorded."""

    id: UUID
    """The id of what the command created (programme, relationship, goal, meeting...),
    otherwise the id of the programme or relationship it changed."""
    aggregate_id: UUID
    version: int
    """The aggregate's version after the command: pass it as ``expected_version`` next time."""
    events: tuple[Event, ...]
    positions: tuple[int, ...] = ()
    """Where ``events`` stand in the store's log (see :meth:`MentoringService.read`), one
    position each; empty when ``already_recorded`` (the earlier attempt's are not known)."""
    command_id: UUID | None = None
    """The command's identity: the ``command_id`` given, or the one the service chose when
    none was (recorded on each event). Retry with it and the retry is recognised."""
    already_recorded: bool = False
    """True when the ``command_id`` was found already recorded: nothing new was stored,
    and ``events`` are the ones stored by the earlier attempt."""


class CommandMethods(ABC):
    """One typed method per command, each a call of :meth:`execute`."""

    @abstractmethod
    def execute(
        self,
        command: c.Command,
        *,
        actor: str,
        occurred_at: datetime | None = None,
        expected_version: int | None = None,
        command_id: UUID | None = None,
    ) -> Recorded:
        """Record ``command``; see :meth:`mentoring_core.MentoringService.execute`."""

    # --- programme commands ----------------------------------------------------------

    def create_programme(
        self,
        name: str,
        organisation: str,
        *,
        programme_id: UUID | None = None,
        **kw: Unpack[CommandOptions],
    ) -> Recorded:
        command = c.CreateProgramme(programme_id=programme_id, name=name, organisation=organisation)
        return self.execute(command, **kw)

    def set_policy(
        self, programme_id: UUID, policy: ProgrammePolicy, **kw: Unpack[CommandOptions]
    ) -> Recorded:
        return self.execute(c.SetPolicy(programme_id=programme_id, policy=policy), **kw)

    def enrol(
        self,
        programme_id: UUID,
        person_id: str,
        role: Role,
        experience_years: Decimal | int | str,
        *,
        display_name: str | None = None,
        contact: str | None = None,
        expertise: Sequence[FocusArea] = (),
        development_needs: Sequence[FocusArea] = (),
        **kw: Unpack[CommandOptions],
    ) -> Recorded:
        """Enrol ``person_id``; ``display_name`` and ``contact`` are personal data, sealed
        under their key and erased with them. ``expertise`` (a mentor's) and
        ``development_needs`` (a mentee's) are what :meth:`suggest_mentors` matches."""
        command = c.EnrolParticipant(
            programme_id=programme_id,
            person_id=person_id,
            role=role,
            experience_years=experience_years,  # type: ignore[arg-type]
            display_name=display_name,
            contact=contact,
            expertise=_items("expertise", expertise),
            development_needs=_items("development_needs", development_needs),
        )
        return self.execute(command, **kw)

    def update_profile(
        self,
        programme_id: UUID,
        person_id: str,
        *,
        expertise: Sequence[FocusArea] | None = None,
        development_needs: Sequence[FocusArea] | None = None,
        **kw: Unpack[CommandOptions],
    ) -> Recorded:
        """Change an enrolled worker's expertise (a mentor's) or development needs (a
        mentee's); ``None`` keeps what is recorded."""
        command = c.UpdateProfile(
            programme_id=programme_id,
            person_id=person_id,
            expertise=None if expertise is None else _items("expertise", expertise),
            development_needs=None
            if development_needs is None
            else _items("development_needs", development_needs),
        )
        return self.execute(command, **kw)

    def withdraw(
        self, programme_id: UUID, person_id: str, reason: str, **kw: Unpack[CommandOptions]
    ) -> Recorded:
        command = c.WithdrawParticipant(
            programme_id=programme_id, person_id=person_id, reason=reason
        )
        return self.execute(command, **kw)

    def appoint_coordinator(
        self, programme_id: UUID, person_id: str, **kw: Unpack[CommandOptions]
    ) -> Recorded:
        """Make ``person_id`` a coordinator of the programme (an administrator's decision)."""
        return self.execute(
            c.AppointCoordinator(programme_id=programme_id, person_id=person_id), **kw
        )

    def relieve_coordinator(
        self, programme_id: UUID, person_id: str, reason: str, **kw: Unpack[CommandOptions]
    ) -> Recorded:
        """Relieve a coordinator of the programme of the role."""
        command = c.RelieveCoordinator(
            programme_id=programme_id, person_id=person_id, reason=reason
        )
        return self.execute(command, **kw)

    def issue_reminder(
        self,
        programme_id: UUID,
        reminder_id: UUID,
        person_id: str,
        relationship_id: UUID,
        reason: ReminderReason,
        item: str,
        due: datetime,
        channel: str,
        **kw: Unpack[CommandOptions],
    ) -> Recorded:
        """Record that ``person_id`` is to be reminded (before the reminder is sent); once
        per ``reminder_id``."""
        command = c.IssueReminder(
            programme_id=programme_id,
            reminder_id=reminder_id,
            person_id=person_id,
            relationship_id=relationship_id,
            reason=reason,
            item=item,
            due=due,
            channel=channel,
        )
        return self.execute(command, **kw)

    def record_reminder_sent(
        self,
        programme_id: UUID,
        reminder_id: UUID,
        *,
        after_interruption: bool = False,
        **kw: Unpack[CommandOptions],
    ) -> Recorded:
        """Record that an issued reminder was handed over to its channel."""
        command = c.RecordReminderSent(
            programme_id=programme_id,
            reminder_id=reminder_id,
            after_interruption=after_interruption,
        )
        return self.execute(command, **kw)

    def abandon_reminder(
        self, programme_id: UUID, reminder_id: UUID, reason: str, **kw: Unpack[CommandOptions]
    ) -> Recorded:
        """Record that an issued reminder, not yet sent, will not be sent (its channel
        refuses it for good): no reminder run sends it again."""
        command = c.AbandonReminder(
            programme_id=programme_id, reminder_id=reminder_id, reason=reason
        )
        return self.execute(command, **kw)

    # --- opening relationships -------------------------------------------------------

    def propose_pairing(
        self,
        programme_id: UUID,
        mentor_id: str,
        mentee_id: str,
        *,
        gap_override_reason: str | None = None,
        suggestion_override_reason: str | None = None,
        relationship_id: UUID | None = None,
        **kw: Unpack[CommandOptions],
    ) -> Recorded:
        """Propose a mentor to a mentee; the relationship starts when accepted."""
        command = c.OpenRelationship(
            programme_id=programme_id,
            relationship_id=relationship_id,
            mentor_id=mentor_id,
            mentee_id=mentee_id,
            direct=False,
            gap_override_reason=gap_override_reason,
            suggestion_override_reason=suggestion_override_reason,
        )
        return self.execute(command, **kw)

    def form_pair(
        self,
        programme_id: UUID,
        mentor_id: str,
        mentee_id: str,
        *,
        gap_override_reason: str | None = None,
        suggestion_override_reason: str | None = None,
        relationship_id: UUID | None = None,
        **kw: Unpack[CommandOptions],
    ) -> Recorded:
        """Form a pair directly (a coordinator's decision); the relationship is active at once.

        The opening event records the mentor's rank among :meth:`suggest_mentors` for the
        mentee; ``suggestion_override_reason`` says why another than the first was chosen."""
        command = c.OpenRelationship(
            programme_id=programme_id,
            relationship_id=relationship_id,
            mentor_id=mentor_id,
            mentee_id=mentee_id,
            direct=True,
            gap_override_reason=gap_override_reason,
            suggestion_override_reason=suggestion_override_reason,
        )
        return self.execute(command, **kw)

    # --- relationship commands -------------------------------------------------------

    def accept_pairing(
        self, relationship_id: UUID, accepted_by: str, **kw: Unpack[CommandOptions]
    ) -> Recorded:
        return self.execute(
            c.AcceptPairing(relationship_id=relationship_id, accepted_by=accepted_by), **kw
        )

    def decline_pairing(
        self,
        relationship_id: UUID,
        declined_by: str,
        reason: DeclineReason,
        explanation: str,
        **kw: Unpack[CommandOptions],
    ) -> Recorded:
        return self.execute(
            c.DeclinePairing(
                relationship_id=relationship_id,
                declined_by=declined_by,
                reason=reason,
                explanation=explanation,
            ),
            **kw,
        )

    def agree_expectations(
        self, relationship_id: UUID, expectations: Sequence[str], **kw: Unpack[CommandOptions]
    ) -> Recorded:
        return self.execute(
            c.AgreeExpectations(
                relationship_id=relationship_id, expectations=_items("expectations", expectations)
            ),
            **kw,
        )

    def set_goal(
        self,
        relationship_id: UUID,
        title: str,
        focus_area: FocusArea,
        success_measure: str,
        target_date: date,
        *,
        goal_id: UUID | None = None,
        **kw: Unpack[CommandOptions],
    ) -> Recorded:
        return self.execute(
            c.SetGoal(
                relationship_id=relationship_id,
                goal_id=goal_id,
                title=title,
                focus_area=focus_area,
                success_measure=success_measure,
                target_date=target_date,
            ),
            **kw,
        )

    def revise_goal(
        self,
        relationship_id: UUID,
        goal_id: UUID,
        reason: str,
        *,
        title: str | None = None,
        focus_area: FocusArea | None = None,
        success_measure: str | None = None,
        target_date: date | None = None,
        **kw: Unpack[CommandOptions],
    ) -> Recorded:
        return self.execute(
            c.ReviseGoal(
                relationship_id=relationship_id,
                goal_id=goal_id,
                reason=reason,
                title=title,
                focus_area=focus_area,
                success_measure=success_measure,
                target_date=target_date,
            ),
            **kw,
        )

    def achieve_goal(
        self, relationship_id: UUID, goal_id: UUID, evidence: str, **kw: Unpack[CommandOptions]
    ) -> Recorded:
        return self.execute(
            c.AchieveGoal(relationship_id=relationship_id, goal_id=goal_id, evidence=evidence), **kw
        )

    def abandon_goal(
        self, relationship_id: UUID, goal_id: UUID, reason: str, **kw: Unpack[CommandOptions]
    ) -> Recorded:
        return self.execute(
            c.AbandonGoal(relationship_id=relationship_id, goal_id=goal_id, reason=reason), **kw
        )

    def add_plan_activity(
        self,
        relationship_id: UUID,
        description: str,
        due_date: date,
        *,
        goal_id: UUID | None = None,
        activity_id: UUID | None = None,
        **kw: Unpack[CommandOptions],
    ) -> Recorded:
        return self.execute(
            c.AddPlanActivity(
                relationship_id=relationship_id,
                activity_id=activity_id,
                description=description,
                due_date=due_date,
                goal_id=goal_id,
            ),
            **kw,
        )

    def complete_plan_activity(
        self, relationship_id: UUID, activity_id: UUID, notes: str, **kw: Unpack[CommandOptions]
    ) -> Recorded:
        return self.execute(
            c.CompletePlanActivity(
                relationship_id=relationship_id, activity_id=activity_id, notes=notes
            ),
            **kw,
        )

    def set_milestone(
        self,
        relationship_id: UUID,
        description: str,
        target_date: date,
        *,
        goal_id: UUID | None = None,
        milestone_id: UUID | None = None,
        **kw: Unpack[CommandOptions],
    ) -> Recorded:
        return self.execute(
            c.SetMilestone(
                relationship_id=relationship_id,
                milestone_id=milestone_id,
                description=description,
                target_date=target_date,
                goal_id=goal_id,
            ),
            **kw,
        )

    def reach_milestone(
        self, relationship_id: UUID, milestone_id: UUID, notes: str, **kw: Unpack[CommandOptions]
    ) -> Recorded:
        return self.execute(
            c.ReachMilestone(
                relationship_id=relationship_id, milestone_id=milestone_id, notes=notes
            ),
            **kw,
        )

    def agree_schedule(
        self, relationship_id: UUID, schedule: MeetingSchedule, **kw: Unpack[CommandOptions]
    ) -> Recorded:
        return self.execute(
            c.AgreeSchedule(relationship_id=relationship_id, schedule=schedule), **kw
        )

    def change_schedule(
        self,
        relationship_id: UUID,
        schedule: MeetingSchedule,
        reason: str,
        **kw: Unpack[CommandOptions],
    ) -> Recorded:
        return self.execute(
            c.ChangeSchedule(relationship_id=relationship_id, schedule=schedule, reason=reason),
            **kw,
        )

    def record_meeting_held(
        self,
        relationship_id: UUID,
        duration_minutes: int,
        format: MeetingFormat,
        topics: Sequence[str],
        *,
        attendees: Sequence[str] = (),
        meeting_id: UUID | None = None,
        in_working_hours: bool | None = None,
        **kw: Unpack[CommandOptions],
    ) -> Recorded:
        """Record a meeting that took place; ``occurred_at`` is when it started.

        ``in_working_hours``: whether it was held in paid working hours; None: as the
        schedule in force says (in working hours without a schedule)."""
        return self.execute(
            c.RecordMeetingHeld(
                relationship_id=relationship_id,
                meeting_id=meeting_id,
                duration_minutes=duration_minutes,
                format=format,
                topics=_items("topics", topics),
                attendees=_items("attendees", attendees),
                in_working_hours=in_working_hours,
            ),
            **kw,
        )

    def record_group_session(
        self,
        programme_id: UUID,
        mentor_id: str,
        relationship_ids: Sequence[UUID],
        duration_minutes: int,
        topics: Sequence[str],
        *,
        in_working_hours: bool | None = None,
        session_id: UUID | None = None,
        **kw: Unpack[CommandOptions],
    ) -> Recorded:
        """Record a group session once: a meeting (format ``group``, the same
        ``group_session_id``, :attr:`Recorded.id`) on every relationship present, in one
        transaction. The relationships are the mentor's, in the programme, at least two;
        each must admit a meeting then. ``in_working_hours``: None: in working hours unless
        the schedule in force of a relationship present says not."""
        return self.execute(
            c.RecordGroupSession(
                programme_id=programme_id,
                session_id=session_id,
                mentor_id=mentor_id,
                relationship_ids=_items("relationship_ids", relationship_ids),
                duration_minutes=duration_minutes,
                topics=_items("topics", topics),
                in_working_hours=in_working_hours,
            ),
            **kw,
        )

    def correct_group_session(
        self,
        programme_id: UUID,
        session_id: UUID,
        mentor_id: str,
        relationship_ids: Sequence[UUID],
        reason: str,
        *,
        held_at: datetime | None = None,
        duration_minutes: int | None = None,
        topics: Sequence[str] | None = None,
        **kw: Unpack[CommandOptions],
    ) -> Recorded:
        """Correct a group session's time, length or topics on every relationship present
        (all of them, as recorded), in one transaction: a ``MeetingRecordCorrected`` each.
        A correction of one of its meetings alone is refused (``group-session``)."""
        return self.execute(
            c.CorrectGroupSession(
                programme_id=programme_id,
                session_id=session_id,
                mentor_id=mentor_id,
                relationship_ids=_items("relationship_ids", relationship_ids),
                reason=reason,
                held_at=held_at,
                duration_minutes=duration_minutes,
                topics=None if topics is None else _items("topics", topics),
            ),
            **kw,
        )

    def recognise_mentor(
        self,
        programme_id: UUID,
        person_id: str,
        kind: RecognitionKind,
        period_start: date,
        period_end: date,
        reason: str,
        *,
        amount: Decimal | None = None,
        hours: Decimal | None = None,
        **kw: Unpack[CommandOptions],
    ) -> Recorded:
        """Record how a mentor's time was recognised for a period (days included):
        ``amount`` (required for an allowance), ``hours`` (required for time in lieu)."""
        return self.execute(
            c.RecogniseMentor(
                programme_id=programme_id,
                person_id=person_id,
                kind=kind,
                period_start=period_start,
                period_end=period_end,
                reason=reason,
                amount=amount,
                hours=hours,
            ),
            **kw,
        )

    def record_meeting_missed(
        self,
        relationship_id: UUID,
        missed_by: str,
        reason: str,
        *,
        meeting_id: UUID | None = None,
        **kw: Unpack[CommandOptions],
    ) -> Recorded:
        """Record a meeting that did not happen; ``occurred_at`` is when it was due."""
        return self.execute(
            c.RecordMeetingMissed(
                relationship_id=relationship_id,
                meeting_id=meeting_id,
                missed_by=missed_by,
                reason=reason,
            ),
            **kw,
        )

    def record_meeting_cancelled(
        self,
        relationship_id: UUID,
        cancelled_by: str,
        reason: str,
        *,
        meeting_id: UUID | None = None,
        **kw: Unpack[CommandOptions],
    ) -> Recorded:
        """Record a meeting called off beforehand; ``occurred_at`` is when it was due."""
        return self.execute(
            c.RecordMeetingCancelled(
                relationship_id=relationship_id,
                meeting_id=meeting_id,
                cancelled_by=cancelled_by,
                reason=reason,
            ),
            **kw,
        )

    def correct_meeting_record(
        self,
        relationship_id: UUID,
        meeting_id: UUID,
        reason: str,
        *,
        held_at: datetime | None = None,
        duration_minutes: int | None = None,
        format: MeetingFormat | None = None,
        topics: Sequence[str] | None = None,
        **kw: Unpack[CommandOptions],
    ) -> Recorded:
        """Correct a mistake in a held meeting's record; the original event stays in the history."""
        return self.execute(
            c.CorrectMeetingRecord(
                relationship_id=relationship_id,
                meeting_id=meeting_id,
                reason=reason,
                held_at=held_at,
                duration_minutes=duration_minutes,
                format=format,
                topics=None if topics is None else _items("topics", topics),
            ),
            **kw,
        )

    def give_feedback(
        self,
        relationship_id: UUID,
        from_person: str,
        to_person: str,
        kind: FeedbackKind,
        text: str,
        *,
        about_goal_id: UUID | None = None,
        about_meeting_id: UUID | None = None,
        feedback_id: UUID | None = None,
        private: bool = False,
        **kw: Unpack[CommandOptions],
    ) -> Recorded:
        return self.execute(
            c.GiveFeedback(
                relationship_id=relationship_id,
                feedback_id=feedback_id,
                from_person=from_person,
                to_person=to_person,
                kind=kind,
                text=text,
                about_goal_id=about_goal_id,
                about_meeting_id=about_meeting_id,
                private=private,
            ),
            **kw,
        )

    def record_reflection(
        self,
        relationship_id: UUID,
        ratings: Sequence[Rating],
        text: str,
        *,
        reflection_id: UUID | None = None,
        private: bool = False,
        **kw: Unpack[CommandOptions],
    ) -> Recorded:
        return self.execute(
            c.RecordReflection(
                relationship_id=relationship_id,
                reflection_id=reflection_id,
                ratings=_items("ratings", ratings),
                text=text,
                private=private,
            ),
            **kw,
        )

    def evaluate_progress(
        self,
        relationship_id: UUID,
        goal_progress: Sequence[GoalProgress],
        evidence: str,
        *,
        stakeholder_feedback: Sequence[StakeholderFeedback] = (),
        evaluation_id: UUID | None = None,
        **kw: Unpack[CommandOptions],
    ) -> Recorded:
        return self.execute(
            c.EvaluateProgress(
                relationship_id=relationship_id,
                evaluation_id=evaluation_id,
                goal_progress=_items("goal_progress", goal_progress),
                evidence=evidence,
                stakeholder_feedback=_items("stakeholder_feedback", stakeholder_feedback),
            ),
            **kw,
        )

    def pause(self, relationship_id: UUID, reason: str, **kw: Unpack[CommandOptions]) -> Recorded:
        return self.execute(
            c.PauseRelationship(relationship_id=relationship_id, reason=reason), **kw
        )

    def resume(self, relationship_id: UUID, **kw: Unpack[CommandOptions]) -> Recorded:
        return self.execute(c.ResumeRelationship(relationship_id=relationship_id), **kw)

    def end(
        self,
        relationship_id: UUID,
        reason: EndReason,
        explanation: str,
        **kw: Unpack[CommandOptions],
    ) -> Recorded:
        return self.execute(
            c.EndRelationship(
                relationship_id=relationship_id, reason=reason, explanation=explanation
            ),
            **kw,
        )


def _items(field: str, values: Sequence[Any]) -> tuple[Any, ...]:
    """A list field as the tuple a command holds; refuses what is not a list."""
    return check_sequence(field, values, allow_empty=True)
