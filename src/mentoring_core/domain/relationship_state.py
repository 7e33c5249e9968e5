"""A relationship's state, its :data:`RELATIONSHIP` decider, and how each event changes it."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

import attrs

from ._building import builder
from ._collections import find, in_force_at
from ._replace import replaced
from .commands import RelationshipCommand
from .decider import Added, Changes, Decider, LatestFact, Replaced
from .events import (
    ExpectationsAgreed,
    FeedbackGiven,
    GoalAbandoned,
    GoalAchieved,
    GoalRevised,
    GoalSet,
    MeetingCancelled,
    MeetingHeld,
    MeetingMissed,
    MeetingRecordCorrected,
    MilestoneReached,
    MilestoneSet,
    PairFormed,
    PairingAccepted,
    PairingDeclined,
    PairingProposed,
    PlanActivityAdded,
    PlanActivityCompleted,
    ProgressEvaluated,
    ReflectionRecorded,
    RelationshipEnded,
    RelationshipEvent,
    RelationshipPaused,
    RelationshipResumed,
    ScheduleAgreed,
    ScheduleChanged,
)
from .values import (
    DeclineReason,
    EndReason,
    FeedbackKind,
    FocusArea,
    GoalProgress,
    GoalStatus,
    MeetingFormat,
    MeetingOutcome,
    MeetingSchedule,
    Rating,
    RelationshipStatus,
    StakeholderFeedback,
)


@attrs.frozen(kw_only=True, weakref_slot=False)
class Goal:
    goal_id: UUID
    title: str
    focus_area: FocusArea
    success_measure: str
    target_date: date
    set_at: datetime
    status: GoalStatus = GoalStatus.OPEN
    closed_at: datetime | None = None
    outcome_note: str | None = None
    """The evidence of achievement or the reason for abandoning."""
    revisions: int = 0
    revised_at: datetime | None = None
    """When it was last revised (None if never): it is revised again, achieved or
    abandoned no earlier."""


@attrs.frozen(kw_only=True, weakref_slot=False)
class PlanActivity:
    activity_id: UUID
    description: str
    due_date: date
    goal_id: UUID | None
    completed_at: datetime | None = None
    notes: str | None = None
    added_at: datetime | None = None
    """When it was added to the plan (None in snapshots of an older shape)."""


@attrs.frozen(kw_only=True, weakref_slot=False)
class Milestone:
    milestone_id: UUID
    description: str
    target_date: date
    goal_id: UUID | None
    reached_at: datetime | None = None
    notes: str | None = None
    set_at: datetime | None = None
    """When it was set (None in snapshots of an older shape)."""


@attrs.frozen(kw_only=True, weakref_slot=False)
class Meeting:
    """A held, missed or cancelled meeting, showing corrected values where corrected."""

    meeting_id: UUID
    outcome: MeetingOutcome
    occurred_at: datetime
    recorded_by_event_id: UUID
    """The event that recorded the meeting; corrections name it."""
    duration_minutes: int | None = None
    format: MeetingFormat | None = None
    topics: tuple[str, ...] = ()
    attendees: tuple[str, ...] = ()
    by: str | None = None
    """Who missed or cancelled it."""
    reason: str | None = None
    corrected_by_event_ids: tuple[UUID, ...] = ()
    in_working_hours: bool | None = None
    """For held ones: in paid working hours (as recorded; for records older than
    ``MeetingHeld`` version 3, as the schedule in force then said)."""
    group_session_id: UUID | None = None
    """For held ones: the group session it was part of, if any."""


@attrs.frozen(kw_only=True, weakref_slot=False)
class Feedback:
    feedback_id: UUID
    from_person: str
    to_person: str
    kind: FeedbackKind
    about_goal_id: UUID | None
    about_meeting_id: UUID | None
    text: str
    given_at: datetime
    private: bool = False
    """Private to the pair (see ``FeedbackGiven.private``)."""


@attrs.frozen(kw_only=True, weakref_slot=False)
class Reflection:
    reflection_id: UUID
    ratings: tuple[Rating, ...]
    text: str
    recorded_at: datetime
    private: bool = False
    """Private to the pair (see ``ReflectionRecorded.private``)."""


@attrs.frozen(kw_only=True, weakref_slot=False)
class Evaluation:
    evaluation_id: UUID
    goal_progress: tuple[GoalProgress, ...]
    evidence: str
    stakeholder_feedback: tuple[StakeholderFeedback, ...]
    evaluated_at: datetime


@attrs.frozen(kw_only=True, weakref_slot=False)
class Ending:
    reason: EndReason
    explanation: str
    ended_at: datetime


@attrs.frozen(kw_only=True, weakref_slot=False)
class Declining:
    declined_by: str
    reason: DeclineReason
    explanation: str
    declined_at: datetime


# The folds build the items through builders (domain/_building.py: what the class
# gives, without attrs' own __init__ of a frozen class, a third of folding an event);
# which is why the items keep no __weakref__ slot.
_new_goal = builder(Goal)
_new_activity = builder(PlanActivity)
_new_milestone = builder(Milestone)
_new_meeting = builder(Meeting)
_new_feedback = builder(Feedback)
_new_reflection = builder(Reflection)
_new_evaluation = builder(Evaluation)
_new_ending = builder(Ending)
_new_declining = builder(Declining)


# Fields in a __dict__, not slots: every command copies its state with changes twice
# (see domain/_replace.py), which a __dict__ allows in two calls.
@attrs.frozen(kw_only=True, slots=False)
class RelationshipState:
    """A relationship as its events so far describe it."""

    relationship_id: UUID | None = None
    version: int = 0
    status: RelationshipStatus = RelationshipStatus.NEW
    programme_id: UUID | None = None
    mentor_id: str = ""
    mentee_id: str = ""
    mentor_experience_years: Decimal = Decimal(0)
    mentee_experience_years: Decimal = Decimal(0)
    gap_override_reason: str | None = None
    proposed_at: datetime | None = None
    formed_at: datetime | None = None
    declined: Declining | None = None
    expectations: tuple[str, ...] = ()
    expectations_since: datetime | None = None
    """When the expectations in force were agreed: they are agreed again no earlier."""
    goals: tuple[Goal, ...] = ()
    plan: tuple[PlanActivity, ...] = ()
    milestones: tuple[Milestone, ...] = ()
    schedule: MeetingSchedule | None = None
    schedule_changes: int = 0
    schedule_since: datetime | None = None
    """When the schedule in force was agreed or last changed: it is changed no earlier."""
    working_hours_since: tuple[tuple[datetime, bool], ...] = ()
    """Each schedule agreed or changed, in order, as (in force from, whether its meetings
    are in working hours): the flag a meeting takes from the schedule in force when it was
    held, however late it is recorded. It grows with the schedule's changes only."""
    meetings: tuple[Meeting, ...] = ()
    feedback: tuple[Feedback, ...] = ()
    reflections: tuple[Reflection, ...] = ()
    evaluations: tuple[Evaluation, ...] = ()
    paused_at: datetime | None = None
    ended: Ending | None = None
    pauses: tuple[tuple[datetime, datetime], ...] = ()
    """The pauses that are over, as (paused at, resumed at); the current one is ``paused_at``."""
    latest_fact_at: datetime | None = None
    """When the latest recorded fact happened, of those an ending may not precede: every
    event but meetings (their current dates are in ``meetings``)."""
    attended_until: datetime | None = None
    """No meeting held with attendees (people other than the pair may be named) is later
    than this; None if none was held. A bound, not the exact latest: a correction may
    have moved a meeting earlier since (its attendees are in ``meetings``, which a state
    without history leaves out). Kept without the history, so that withdrawing someone
    loads whole only the relationships that may hold a meeting they attended after the
    withdrawal's date."""
    complete: bool = True
    """False in a state loaded only to decide a command that reads no history (see
    :data:`HISTORY_LEFT_OUT`): its meetings, feedback, reflections and evaluations are left
    out, so loading it costs the same however long the relationship. Every state the
    service returns to a reader is complete."""

    @property
    def ended_at(self) -> datetime | None:
        return None if self.ended is None else self.ended.ended_at

    @property
    def closed_at(self) -> datetime | None:
        """When it ended, or its proposal was declined; None while it is open."""
        if self.ended is not None:
            return self.ended.ended_at
        return None if self.declined is None else self.declined.declined_at

    def paused_during(self, at: datetime) -> tuple[datetime, datetime | None] | None:
        """The pause ``at`` falls in, as (start, end or None for the current one), if any.

        A pause covers neither its start nor its end: a meeting may be held the moment
        the relationship is paused or resumed."""
        for start, end in self.pauses:
            if start < at < end:
                return (start, end)
        if self.paused_at is not None and at > self.paused_at:
            return (self.paused_at, None)
        return None

    def scheduled_in_working_hours(self, at: datetime) -> bool:
        """What the schedule in force at ``at`` says of its meetings: in paid working
        hours (True before any schedule)."""
        return in_force_at(self.working_hours_since, at, True)

    @property
    def last_meeting_at(self) -> datetime | None:
        """The date of the latest held, missed or cancelled meeting (as corrected)."""
        return max((m.occurred_at for m in self.meetings), default=None)

    @property
    def exists(self) -> bool:
        return self.version > 0

    def goal(self, goal_id: UUID) -> Goal | None:
        return find(self.goals, lambda g: g.goal_id == goal_id)

    def activity(self, activity_id: UUID) -> PlanActivity | None:
        return find(self.plan, lambda a: a.activity_id == activity_id)

    def milestone(self, milestone_id: UUID) -> Milestone | None:
        return find(self.milestones, lambda m: m.milestone_id == milestone_id)

    def meeting(self, meeting_id: UUID) -> Meeting | None:
        return find(self.meetings, lambda m: m.meeting_id == meeting_id)

    def last_attended(self, person_id: str) -> Meeting | None:
        """The latest held meeting (as corrected) naming ``person_id`` among its attendees,
        or None; in a whole state (:attr:`complete`)."""
        attended = (
            m
            for m in self.meetings
            if m.outcome is MeetingOutcome.HELD and person_id in m.attendees
        )
        return max(attended, key=lambda m: m.occurred_at, default=None)

    @property
    def open_goals(self) -> tuple[Goal, ...]:
        return tuple(g for g in self.goals if g.status is GoalStatus.OPEN)


def _goal_changed(state: RelationshipState, goal_id: UUID, **changes: Any) -> Changes:
    return {"goals": Replaced("goal_id", goal_id, lambda g: replaced(g, **changes))}


HISTORY_LEFT_OUT: Changes = {
    "meetings": (),
    "feedback": (),
    "reflections": (),
    "evaluations": (),
    "complete": False,
}
"""What a state without the records that grow with every meeting (meetings, feedback,
reflections, evaluations) changes (``RELATIONSHIP.without_history``): what deciding a
command needs, unless the command names one of those records or gives its own id for a
new one (``needs_history`` in :mod:`.relationship` says which). Snapshots and the
service's cache hold states like this, so loading a relationship to decide costs the
same whatever its length; goals, plan items, milestones and pauses stay (they grow with
the plan, not with meetings)."""


def _later(name: str, current: datetime | None, at: datetime) -> Changes:
    """The date field ``name``, now ``current`` (None: none yet), moved on to ``at`` if
    that is later: a running latest (``attended_until``; the fold keeps ``latest_fact_at``
    itself, see :class:`.decider.LatestFact`)."""
    return {} if current is not None and current >= at else {name: at}


RELATIONSHIP: Decider[RelationshipState] = Decider(
    "relationship",
    initial=RelationshipState(),
    event_type=RelationshipEvent,
    command_type=RelationshipCommand,
    id_field="relationship_id",
    without_history=HISTORY_LEFT_OUT,
    latest_fact=LatestFact(
        "latest_fact_at",
        except_types=(MeetingHeld, MeetingMissed, MeetingCancelled, MeetingRecordCorrected),
    ),
)
"""The relationship aggregate: its rules are registered in :mod:`.relationship` and
:mod:`.pairing`, its folds below."""

evolve_relationship = RELATIONSHIP.evolve
"""The state after an event; events are facts, so nothing is checked here."""


def _opened(state: RelationshipState, event: PairingProposed | PairFormed) -> Changes:
    return {
        "relationship_id": event.aggregate_id,
        "programme_id": event.programme_id,
        "mentor_id": event.mentor_id,
        "mentee_id": event.mentee_id,
        "mentor_experience_years": event.mentor_experience_years,
        "mentee_experience_years": event.mentee_experience_years,
        "gap_override_reason": event.gap_override_reason,
        "proposed_at": event.occurred_at,
    }


def _pairing_proposed(state: RelationshipState, event: PairingProposed) -> Changes:
    return {**_opened(state, event), "status": RelationshipStatus.PROPOSED}


def _pairing_accepted(state: RelationshipState, event: PairingAccepted) -> Changes:
    return {"status": RelationshipStatus.ACTIVE, "formed_at": event.occurred_at}


def _pairing_declined(state: RelationshipState, event: PairingDeclined) -> Changes:
    declining = _new_declining(
        declined_by=event.declined_by,
        reason=event.reason,
        explanation=event.explanation,
        declined_at=event.occurred_at,
    )
    return {"status": RelationshipStatus.DECLINED, "declined": declining}


def _pair_formed(state: RelationshipState, event: PairFormed) -> Changes:
    return {
        **_opened(state, event),
        "status": RelationshipStatus.ACTIVE,
        "formed_at": event.occurred_at,
    }


def _expectations_agreed(state: RelationshipState, event: ExpectationsAgreed) -> Changes:
    return {"expectations": event.expectations, "expectations_since": event.occurred_at}


def _goal_set(state: RelationshipState, event: GoalSet) -> Changes:
    goal = _new_goal(
        goal_id=event.goal_id,
        title=event.title,
        focus_area=event.focus_area,
        success_measure=event.success_measure,
        target_date=event.target_date,
        set_at=event.occurred_at,
    )
    return {"goals": Added(goal)}


def _goal_revised(state: RelationshipState, event: GoalRevised) -> Changes:
    revised = state.goal(event.goal_id)
    return _goal_changed(
        state,
        event.goal_id,
        title=event.title,
        focus_area=event.focus_area,
        success_measure=event.success_measure,
        target_date=event.target_date,
        revisions=(revised.revisions if revised else 0) + 1,
        revised_at=event.occurred_at,
    )


def _goal_achieved(state: RelationshipState, event: GoalAchieved) -> Changes:
    return _goal_changed(
        state,
        event.goal_id,
        status=GoalStatus.ACHIEVED,
        closed_at=event.occurred_at,
        outcome_note=event.evidence,
    )


def _goal_abandoned(state: RelationshipState, event: GoalAbandoned) -> Changes:
    return _goal_changed(
        state,
        event.goal_id,
        status=GoalStatus.ABANDONED,
        closed_at=event.occurred_at,
        outcome_note=event.reason,
    )


def _activity_added(state: RelationshipState, event: PlanActivityAdded) -> Changes:
    activity = _new_activity(
        activity_id=event.activity_id,
        description=event.description,
        due_date=event.due_date,
        goal_id=event.goal_id,
        added_at=event.occurred_at,
    )
    return {"plan": Added(activity)}


def _activity_completed(state: RelationshipState, event: PlanActivityCompleted) -> Changes:
    return {
        "plan": Replaced(
            "activity_id",
            event.activity_id,
            lambda a: replaced(a, completed_at=event.occurred_at, notes=event.notes),
        )
    }


def _milestone_set(state: RelationshipState, event: MilestoneSet) -> Changes:
    milestone = _new_milestone(
        milestone_id=event.milestone_id,
        description=event.description,
        target_date=event.target_date,
        goal_id=event.goal_id,
        set_at=event.occurred_at,
    )
    return {"milestones": Added(milestone)}


def _milestone_reached(state: RelationshipState, event: MilestoneReached) -> Changes:
    return {
        "milestones": Replaced(
            "milestone_id",
            event.milestone_id,
            lambda m: replaced(m, reached_at=event.occurred_at, notes=event.notes),
        )
    }


def _schedule_in_force(event: ScheduleAgreed | ScheduleChanged) -> Changes:
    at = event.occurred_at
    return {
        "schedule": event.schedule,
        "schedule_since": at,
        "working_hours_since": Added((at, event.schedule.in_working_hours)),
    }


def _schedule_agreed(state: RelationshipState, event: ScheduleAgreed) -> Changes:
    return _schedule_in_force(event)


def _schedule_changed(state: RelationshipState, event: ScheduleChanged) -> Changes:
    return {**_schedule_in_force(event), "schedule_changes": state.schedule_changes + 1}


def _meeting_held(state: RelationshipState, event: MeetingHeld) -> Changes:
    meeting = _new_meeting(
        meeting_id=event.meeting_id,
        outcome=MeetingOutcome.HELD,
        occurred_at=event.occurred_at,
        recorded_by_event_id=event.event_id,
        duration_minutes=event.duration_minutes,
        format=event.format,
        topics=event.topics,
        attendees=event.attendees,
        in_working_hours=(
            state.scheduled_in_working_hours(event.occurred_at)
            if event.in_working_hours is None
            else event.in_working_hours
        ),
        group_session_id=event.group_session_id,
    )
    if not event.attendees:
        return {"meetings": Added(meeting)}
    until = _later("attended_until", state.attended_until, event.occurred_at)
    return {"meetings": Added(meeting), **until}


def _meeting_not_held(state: RelationshipState, event: MeetingMissed | MeetingCancelled) -> Changes:
    meeting = _new_meeting(
        meeting_id=event.meeting_id,
        outcome=(
            MeetingOutcome.MISSED if isinstance(event, MeetingMissed) else MeetingOutcome.CANCELLED
        ),
        occurred_at=event.occurred_at,
        recorded_by_event_id=event.event_id,
        by=event.missed_by if isinstance(event, MeetingMissed) else event.cancelled_by,
        reason=event.reason,
    )
    return {"meetings": Added(meeting)}


def _meeting_corrected(state: RelationshipState, event: MeetingRecordCorrected) -> Changes:
    # once a meeting with attendees was held, any meeting moved may be one (a state
    # without history cannot tell which): the bound follows every move later
    until = state.attended_until
    attended = {} if until is None else _later("attended_until", until, event.held_at)
    return {
        **attended,
        "meetings": Replaced(
            "meeting_id",
            event.meeting_id,
            lambda m: replaced(
                m,
                occurred_at=event.held_at,
                duration_minutes=event.duration_minutes,
                format=event.format,
                topics=event.topics,
                corrected_by_event_ids=(*m.corrected_by_event_ids, event.event_id),
            ),
        ),
    }


def _feedback_given(state: RelationshipState, event: FeedbackGiven) -> Changes:
    feedback = _new_feedback(
        feedback_id=event.feedback_id,
        from_person=event.from_person,
        to_person=event.to_person,
        kind=event.kind,
        about_goal_id=event.about_goal_id,
        about_meeting_id=event.about_meeting_id,
        text=event.text,
        given_at=event.occurred_at,
        private=event.private,
    )
    return {"feedback": Added(feedback)}


def _reflection_recorded(state: RelationshipState, event: ReflectionRecorded) -> Changes:
    reflection = _new_reflection(
        reflection_id=event.reflection_id,
        ratings=event.ratings,
        text=event.text,
        recorded_at=event.occurred_at,
        private=event.private,
    )
    return {"reflections": Added(reflection)}


def _progress_evaluated(state: RelationshipState, event: ProgressEvaluated) -> Changes:
    evaluation = _new_evaluation(
        evaluation_id=event.evaluation_id,
        goal_progress=event.goal_progress,
        evidence=event.evidence,
        stakeholder_feedback=event.stakeholder_feedback,
        evaluated_at=event.occurred_at,
    )
    return {"evaluations": Added(evaluation)}


def _paused(state: RelationshipState, event: RelationshipPaused) -> Changes:
    return {"status": RelationshipStatus.PAUSED, "paused_at": event.occurred_at}


def _pause_over(state: RelationshipState, at: datetime) -> Changes:
    """The current pause, if any, over at ``at`` (a pause lasts until a resumption or the end)."""
    if state.paused_at is None:
        return {}
    return {"paused_at": None, "pauses": Added((state.paused_at, at))}


def _resumed(state: RelationshipState, event: RelationshipResumed) -> Changes:
    return {**_pause_over(state, event.occurred_at), "status": RelationshipStatus.ACTIVE}


def _ended(state: RelationshipState, event: RelationshipEnded) -> Changes:
    ending = _new_ending(
        reason=event.reason, explanation=event.explanation, ended_at=event.occurred_at
    )
    return {
        **_pause_over(state, event.occurred_at),
        "status": RelationshipStatus.ENDED,
        "ended": ending,
    }


RELATIONSHIP.folds(
    {
        PairingProposed: _pairing_proposed,
        PairingAccepted: _pairing_accepted,
        PairingDeclined: _pairing_declined,
        PairFormed: _pair_formed,
        ExpectationsAgreed: _expectations_agreed,
        GoalSet: _goal_set,
        GoalRevised: _goal_revised,
        GoalAchieved: _goal_achieved,
        GoalAbandoned: _goal_abandoned,
        PlanActivityAdded: _activity_added,
        PlanActivityCompleted: _activity_completed,
        MilestoneSet: _milestone_set,
        MilestoneReached: _milestone_reached,
        ScheduleAgreed: _schedule_agreed,
        ScheduleChanged: _schedule_changed,
        MeetingHeld: _meeting_held,
        MeetingMissed: _meeting_not_held,
        MeetingCancelled: _meeting_not_held,
        MeetingRecordCorrected: _meeting_corrected,
        FeedbackGiven: _feedback_given,
        ReflectionRecorded: _reflection_recorded,
        ProgressEvaluated: _progress_evaluated,
        RelationshipPaused: _paused,
        RelationshipResumed: _resumed,
        RelationshipEnded: _ended,
    }
)
