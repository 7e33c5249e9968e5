"""The rules a relationship's commands must keep: one small handler per command.

Each handler is registered on the :data:`~.relationship_state.RELATIONSHIP` decider;
``decide_relationship`` runs the common checks (the relationship exists and its status
admits the command), then the command's handler. Opening a relationship needs the
programme too; see :mod:`.pairing`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any
from uuid import UUID

import attrs

from .commands import (
    AbandonGoal,
    AcceptPairing,
    AchieveGoal,
    AddPlanActivity,
    AgreeExpectations,
    AgreeSchedule,
    ChangeSchedule,
    CompletePlanActivity,
    CorrectMeetingRecord,
    DeclinePairing,
    EndRelationship,
    EvaluateProgress,
    GiveFeedback,
    PauseRelationship,
    ReachMilestone,
    RecordMeetingCancelled,
    RecordMeetingHeld,
    RecordMeetingMissed,
    RecordReflection,
    RelationshipCommand,
    ResumeRelationship,
    ReviseGoal,
    SetGoal,
    SetMilestone,
    created_field,
)
from .context import DecisionContext, event_metadata
from .decider import Events, Meta
from .errors import (
    InvalidValue,
    Rule,
    RuleViolation,
    changes_something,
    not_before,
    out_of_time,
)
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
    PairingAccepted,
    PairingDeclined,
    PlanActivityAdded,
    PlanActivityCompleted,
    ProgressEvaluated,
    ReflectionRecorded,
    RelationshipEnded,
    RelationshipPaused,
    RelationshipResumed,
    ScheduleAgreed,
    ScheduleChanged,
)
from .programme import check_cadence
from .relationship_state import RELATIONSHIP, Goal, RelationshipState
from .validation import (
    check_aware,
    check_bool,
    check_date,
    check_enum,
    check_int,
    check_label,
    check_labels,
    check_optional_uuid,
    check_past,
    check_sequence,
    check_text,
    check_title,
    check_titles,
    check_uuid,
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
    ProgressStatus,
    Rating,
    RelationshipStatus,
    StakeholderFeedback,
)

MEETING_MINUTES_MAX = 24 * 60


_MEETING_COMMANDS = (RecordMeetingHeld, RecordMeetingMissed, RecordMeetingCancelled)


def _check_status(command: RelationshipCommand, state: RelationshipState) -> None:
    """The life-cycle rules: which commands each status admits."""
    status = state.status
    if isinstance(command, AcceptPairing | DeclinePairing):
        if status is not RelationshipStatus.PROPOSED:
            raise RuleViolation(
                Rule.PAIRING_PENDING,
                f"relationship {state.relationship_id} is {status}, not a pending proposal",
            )
        return
    if status is RelationshipStatus.ENDED:
        if isinstance(command, CorrectMeetingRecord):
            return
        assert state.ended is not None
        raise RuleViolation(
            Rule.RELATIONSHIP_ENDED,
            f"relationship {state.relationship_id} ended ({state.ended.reason}) on "
            f"{state.ended.ended_at.isoformat()}; only corrections of past records may follow",
        )
    if status not in (RelationshipStatus.ACTIVE, RelationshipStatus.PAUSED):
        raise RuleViolation(
            Rule.RELATIONSHIP_ACTIVE,
            f"relationship {state.relationship_id} is {status}, not active",
        )
    if isinstance(command, PauseRelationship) and status is RelationshipStatus.PAUSED:
        raise RuleViolation(
            Rule.RELATIONSHIP_NOT_PAUSED, f"relationship {state.relationship_id} is already paused"
        )
    if isinstance(command, ResumeRelationship) and status is not RelationshipStatus.PAUSED:
        raise RuleViolation(
            Rule.RELATIONSHIP_PAUSED,
            f"relationship {state.relationship_id} is {status}, not paused",
        )


# --- the timeline ---------------------------------------------------------------------
#
# Every fact must be dated inside the period in which it is possible (docs/events.md, "Rules
# a new fact must keep"). The status rules above say what the relationship admits now; these
# say what it admitted at the fact's ``occurred_at``, so that a backdated fact cannot
# contradict the history around it. Events already stored are never checked (evolve
# never validates): the rules apply to new commands only.


def _iso(at: datetime) -> str:
    return at.isoformat()


def _when_meeting_possible(state: RelationshipState, what: str, at: datetime) -> None:
    """A meeting (or what happened at one) needs an active relationship at ``at``: after it
    was formed, outside every pause and not after the end."""
    not_before(what, at, state.formed_at, "the pair was formed")
    ended_at = state.ended_at
    if ended_at is not None and at > ended_at:
        raise out_of_time(
            what,
            at,
            f"is after the relationship ended on {_iso(ended_at)}",
            f"from {_iso(state.formed_at or ended_at)} to {_iso(ended_at)}",
        )
    pause = state.paused_during(at)
    if pause is None:
        return
    start, end = pause
    if end is None:
        raise RuleViolation(
            Rule.NO_MEETINGS_WHILE_PAUSED,
            f"relationship {state.relationship_id} is paused since {_iso(start)}; "
            "resume it before recording meetings",
        )
    raise out_of_time(
        what,
        at,
        f"falls in the pause from {_iso(start)} to {_iso(end)}",
        f"before {_iso(start)} or from {_iso(end)} on",
    )


def _check_timeline(command: RelationshipCommand, state: RelationshipState, at: datetime) -> None:
    """The checks common to every command's ``occurred_at``; handlers check dates they carry."""
    what = type(command).__name__
    if isinstance(command, AcceptPairing | DeclinePairing):
        not_before(what, at, state.proposed_at, "the pairing was proposed")
        return
    not_before(what, at, state.formed_at, "the pair was formed")
    if isinstance(command, _MEETING_COMMANDS):
        _when_meeting_possible(state, what, at)
    elif isinstance(command, PauseRelationship):
        resumed = state.pauses[-1][1] if state.pauses else None
        not_before(what, at, resumed, "the last pause ended")
        not_before(what, at, _whole(state).last_meeting_at, "the latest recorded meeting")
    elif isinstance(command, ResumeRelationship):
        not_before(what, at, state.paused_at, "the pause began")
    elif isinstance(command, EndRelationship):
        not_before(what, at, state.latest_fact_at, "the latest recorded fact")
        not_before(what, at, _whole(state).last_meeting_at, "the latest recorded meeting")


# --- people -----------------------------------------------------------------------------
#
# A person named in a relationship event is its mentor or its mentee (docs/events.md,
# "Participants"); meeting attendees may be anyone enrolled in the programme; an ending's
# reason must fit who records it.


def _participant(state: RelationshipState, field: str, value: object) -> str:
    """``value``, a person id that must be the relationship's mentor or mentee."""
    person = check_label(field, value)
    if person not in (state.mentor_id, state.mentee_id):
        raise RuleViolation(
            Rule.PERSON_IN_RELATIONSHIP,
            f"{field} {person!r} is neither the mentor ({state.mentor_id!r}) nor the mentee "
            f"({state.mentee_id!r}) of relationship {state.relationship_id}",
        )
    return person


def _attendees(
    state: RelationshipState, value: object, ctx: DecisionContext, held: datetime
) -> tuple[str, ...]:
    """The attendees of a meeting ``held`` then: the pair, and people enrolled then."""
    attendees = check_labels("attendees", value, allow_empty=True)
    allowed = {state.mentor_id, state.mentee_id} | (ctx.enrolled or frozenset())
    for person in attendees:
        if person not in allowed:
            raise RuleViolation(
                Rule.PARTICIPANT_ENROLLED,
                f"attendee {person!r} was not enrolled in programme {state.programme_id} on "
                f"{held.isoformat()}, when the meeting took place (the programme's "
                "participants show who was enrolled when)",
            )
    return attendees


def _once_each(attendees: tuple[str, ...]) -> None:
    """A new meeting names each attendee once (a correction keeps those recorded)."""
    if len(set(attendees)) != len(attendees):
        twice = next(a for i, a in enumerate(attendees) if a in attendees[:i])
        raise InvalidValue("attendees", attendees, f"each person once ({twice!r} is named twice)")


_ENDED_BY = {
    EndReason.CANCELLED_BY_PROGRAMME: ("mentor", "mentee"),
    EndReason.WITHDRAWN_BY_MENTOR: ("mentee",),
    EndReason.WITHDRAWN_BY_MENTEE: ("mentor",),
}
"""Who may not record an ending for each reason: the programme's ending is recorded by
someone who is not a participant (a coordinator); a participant does not record the other's
withdrawal."""


def _check_ending_role(state: RelationshipState, reason: EndReason, actor: str) -> None:
    for role in _ENDED_BY.get(reason, ()):
        person = state.mentor_id if role == "mentor" else state.mentee_id
        if actor == person:
            raise RuleViolation(
                Rule.ENDING_ROLE,
                f"{actor!r} is the {role} of relationship {state.relationship_id} and cannot "
                f"record its ending as {reason}; it is recorded by "
                + (
                    "someone who is not a participant (a coordinator)"
                    if reason is EndReason.CANCELLED_BY_PROGRAMME
                    else f"the {'mentor' if role == 'mentee' else 'mentee'} or a coordinator"
                ),
            )


def _whole(state: RelationshipState) -> RelationshipState:
    """``state``, which the rule about to read its meetings, feedback, reflections or
    evaluations needs whole; the service loads it whole for every command
    :func:`needs_history` names, so a state without them here is a defect of the service."""
    if not state.complete:
        raise RuntimeError(
            f"relationship {state.relationship_id}: a rule that reads its history was given "
            "a state without it (needs_history and the handlers disagree)"
        )
    return state


def _in_history(
    state: RelationshipState, lookup: Callable[[UUID], object]
) -> Callable[[UUID], object]:
    """``lookup`` of a record that grows with the history (a meeting, feedback...): on a state
    without its history, which the service loads only for commands whose new ids it derived
    from a fresh command id (no record can hold one), nothing is found."""
    return lookup if state.complete else lambda _: None


def _new_id(field: str, value: object, used: Callable[[UUID], object]) -> UUID:
    """The id of a new goal, meeting...: a UUID that ``used`` finds nothing under."""
    checked = check_uuid(field, value)
    if used(checked):
        raise RuleViolation(
            Rule.UNIQUE_ID, f"{field} {checked} is already used in this relationship"
        )
    return checked


def _open_goal(
    state: RelationshipState, command: ReviseGoal | AchieveGoal | AbandonGoal, meta: Meta
) -> Goal:
    """The open goal ``command`` names; the command is dated no earlier than the goal."""
    checked = check_uuid("goal_id", command.goal_id)
    goal = state.goal(checked)
    if goal is None:
        raise RuleViolation(Rule.GOAL_EXISTS_AND_OPEN, f"goal {checked} was never set")
    if goal.status is not GoalStatus.OPEN:
        raise RuleViolation(
            Rule.GOAL_EXISTS_AND_OPEN, f"goal {checked} ({goal.title!r}) is already {goal.status}"
        )
    what, at = type(command).__name__, meta["occurred_at"]
    not_before(what, at, goal.set_at, f"goal {checked} was set")
    not_before(what, at, goal.revised_at, f"goal {checked} was last revised")
    if isinstance(command, AchieveGoal | AbandonGoal):
        planned = _latest_plan_for(state, checked)
        if planned is not None:
            not_before(what, at, planned[0], f"{planned[1]} for goal {checked}")
    return goal


def _latest_plan_for(state: RelationshipState, goal_id: UUID) -> tuple[datetime, str] | None:
    """When the latest plan activity or milestone for ``goal_id`` was planned, and which:
    the goal is achieved or abandoned no earlier (work is not planned toward a closed goal)."""
    planned = [
        *(
            (a.added_at, f"plan activity {a.activity_id} was added")
            for a in state.plan
            if a.goal_id == goal_id and a.added_at is not None
        ),
        *(
            (m.set_at, f"milestone {m.milestone_id} was set")
            for m in state.milestones
            if m.goal_id == goal_id and m.set_at is not None
        ),
    ]
    return max(planned, key=lambda item: item[0], default=None)


def _goal_reference(
    state: RelationshipState, field: str, goal_id: object, what: str, at: datetime
) -> UUID | None:
    """``goal_id`` (None if not given), a goal of the relationship set by ``at``, the date
    of the fact ``what`` naming it."""
    checked = check_optional_uuid(field, goal_id)
    if checked is None:
        return None
    goal = state.goal(checked)
    if goal is None:
        raise RuleViolation(Rule.REFERENCE_EXISTS, f"{field} {checked}: no such goal")
    not_before(f"{what} naming {field} {checked}", at, goal.set_at, f"goal {checked} was set")
    return checked


def _planned_goal(
    state: RelationshipState, goal_id: object, what: str, at: datetime
) -> UUID | None:
    """``goal_id`` of a plan activity or milestone ``what`` dated ``at``: a goal set by
    then (:func:`_goal_reference`) and not yet achieved or abandoned, since a closed goal
    is not reopened (new work toward it needs a new goal). Planned while it was open, the
    item may be recorded after the closing."""
    checked = _goal_reference(state, "goal_id", goal_id, what, at)
    goal = None if checked is None else state.goal(checked)
    if goal is None or goal.closed_at is None or at <= goal.closed_at:
        return checked
    raise out_of_time(
        f"{what} naming goal_id {checked}",
        at,
        f"is after goal {checked} was {goal.status} on {_iso(goal.closed_at)}",
        f"from {_iso(goal.set_at)} to {_iso(goal.closed_at)}",
    )


def _check_schedule(schedule: object) -> MeetingSchedule:
    if not isinstance(schedule, MeetingSchedule):
        raise InvalidValue("schedule", schedule, "a MeetingSchedule")
    check_cadence("schedule.cadence", schedule.cadence)
    check_int("schedule.duration_minutes", schedule.duration_minutes, 1, MEETING_MINUTES_MAX)
    check_enum("schedule.format", schedule.format, MeetingFormat)
    check_bool("schedule.in_working_hours", schedule.in_working_hours)
    return schedule


def _check_ratings(ratings: object) -> tuple[Rating, ...]:
    items = check_sequence("ratings", ratings)
    seen: set[FocusArea] = set()
    for i, rating in enumerate(items):
        if not isinstance(rating, Rating):
            raise InvalidValue(f"ratings[{i}]", rating, "a Rating")
        area = check_enum(f"ratings[{i}].focus_area", rating.focus_area, FocusArea)
        check_int(f"ratings[{i}].score", rating.score, 1, 5)
        if area in seen:
            raise InvalidValue(f"ratings[{i}].focus_area", area, "each focus area rated once")
        seen.add(area)
    return tuple(items)  # type: ignore[arg-type]


def _check_goal_progress(
    state: RelationshipState, progress: object, at: datetime
) -> tuple[GoalProgress, ...]:
    items = check_sequence("goal_progress", progress, allow_empty=True)
    seen: set[UUID] = set()
    for i, item in enumerate(items):
        if not isinstance(item, GoalProgress):
            raise InvalidValue(f"goal_progress[{i}]", item, "a GoalProgress")
        goal_id = _goal_reference(
            state,
            f"goal_progress[{i}].goal_id",
            check_uuid(f"goal_progress[{i}].goal_id", item.goal_id),
            "EvaluateProgress",
            at,
        )
        check_enum(f"goal_progress[{i}].status", item.status, ProgressStatus)
        if goal_id in seen:
            raise InvalidValue(f"goal_progress[{i}].goal_id", goal_id, "each goal judged once")
        seen.add(item.goal_id)
    return tuple(items)  # type: ignore[arg-type]


def _check_stakeholders(feedback: object) -> tuple[StakeholderFeedback, ...]:
    items = check_sequence("stakeholder_feedback", feedback, allow_empty=True)
    for i, item in enumerate(items):
        if not isinstance(item, StakeholderFeedback):
            raise InvalidValue(f"stakeholder_feedback[{i}]", item, "a StakeholderFeedback")
        check_title(f"stakeholder_feedback[{i}].source", item.source)
        check_text(f"stakeholder_feedback[{i}].text", item.text)
    return tuple(items)  # type: ignore[arg-type]


decide_relationship = RELATIONSHIP.decide
"""The events that record a relationship command, or a raised error if it must be refused."""


def _prepare(
    command: RelationshipCommand, state: RelationshipState, ctx: DecisionContext
) -> dict[str, Any]:
    """What every relationship command must pass: an opened relationship in a status that
    admits it, and the command naming that relationship (if it names one)."""
    if not state.exists or state.relationship_id is None:
        raise RuleViolation(Rule.RELATIONSHIP_ACTIVE, "the relationship has not been opened")
    named = check_optional_uuid("relationship_id", command.relationship_id)
    if named is not None and named != state.relationship_id:
        raise InvalidValue(
            "relationship_id", named, f"the relationship decided on, {state.relationship_id}"
        )
    _check_status(command, state)
    meta = event_metadata(ctx, state.relationship_id, state.version + 1, command.occurred_at)
    _check_timeline(command, state, meta["occurred_at"])
    if isinstance(command, RecordMeetingHeld):  # the checks that need ctx.enrolled
        _once_each(_attendees(state, command.attendees, ctx, meta["occurred_at"]))
    elif isinstance(command, CorrectMeetingRecord):
        _check_correction(state, command, ctx)
    return meta


def _check_correction(
    state: RelationshipState, command: CorrectMeetingRecord, ctx: DecisionContext
) -> None:
    """The checks of a correction that need the context, on the meeting it names (looked
    up once): a group session's meeting is corrected only with the session's others, at
    once (``ctx.correcting_session``: its time, length and topics are the session's); a
    meeting moved keeps to the rules of a new one, its attendees enrolled at the new date
    (``ctx.enrolled``, those enrolled then, given by the service)."""
    if not isinstance(command.meeting_id, UUID):
        return  # refused by the handler, naming the field
    meeting = _whole(state).meeting(command.meeting_id)
    if meeting is None:
        return  # refused by the handler, naming the meeting
    session = meeting.group_session_id
    if session is not None and session != ctx.correcting_session:
        raise RuleViolation(
            Rule.GROUP_SESSION,
            f"meeting {meeting.meeting_id} is part of group session {session} (with "
            f"{', '.join(repr(a) for a in meeting.attendees)}): correct the session on every "
            "relationship present at once (CorrectGroupSession), or it would be split",
        )
    if command.held_at is not None and ctx.enrolled is not None and meeting.attendees:
        _attendees(state, meeting.attendees, ctx, check_aware("held_at", command.held_at))


def _accept(command: AcceptPairing, state: RelationshipState, meta: Meta) -> Events:
    return (
        PairingAccepted(
            **meta, accepted_by=_participant(state, "accepted_by", command.accepted_by)
        ),
    )


def _decline(command: DeclinePairing, state: RelationshipState, meta: Meta) -> Events:
    return (
        PairingDeclined(
            **meta,
            declined_by=_participant(state, "declined_by", command.declined_by),
            reason=check_enum("reason", command.reason, DeclineReason),
            explanation=check_text("explanation", command.explanation),
        ),
    )


def _agree_expectations(command: AgreeExpectations, state: RelationshipState, meta: Meta) -> Events:
    not_before(
        "AgreeExpectations",
        meta["occurred_at"],
        state.expectations_since,
        "the expectations in force were agreed",
    )
    return (
        ExpectationsAgreed(**meta, expectations=check_titles("expectations", command.expectations)),
    )


def _set_goal(command: SetGoal, state: RelationshipState, meta: Meta) -> Events:
    return (
        GoalSet(
            **meta,
            goal_id=_new_id("goal_id", command.goal_id, state.goal),
            title=check_title("title", command.title),
            focus_area=check_enum("focus_area", command.focus_area, FocusArea),
            success_measure=check_text("success_measure", command.success_measure),
            target_date=check_date("target_date", command.target_date),
        ),
    )


_GOAL_DETAILS: dict[str, Callable[[str, Any], Any]] = {
    "title": check_title,
    "focus_area": lambda field, value: check_enum(field, value, FocusArea),
    "success_measure": check_text,
    "target_date": check_date,
}
"""The details of a goal a revision may change, each with its check."""


def _given(command: RelationshipCommand, checks: dict[str, Callable[[str, Any], Any]]) -> Any:
    """Each value ``command`` gives (not None) of a field ``checks`` names, by its check."""
    return {
        field: check(field, getattr(command, field))
        for field, check in checks.items()
        if getattr(command, field) is not None
    }


def _revise_goal(command: ReviseGoal, state: RelationshipState, meta: Meta) -> Events:
    goal = _open_goal(state, command, meta)
    reason = check_text("reason", command.reason)
    revised = _given(command, _GOAL_DETAILS)
    if not revised:
        raise InvalidValue("revision", command, "at least one revised value")
    now = {field: getattr(goal, field) for field in _GOAL_DETAILS}
    changes_something(f"ReviseGoal of goal {goal.goal_id}", revised, now)
    return (GoalRevised(**meta, goal_id=goal.goal_id, **(now | revised), reason=reason),)


def _achieve_goal(command: AchieveGoal, state: RelationshipState, meta: Meta) -> Events:
    goal = _open_goal(state, command, meta)
    return (
        GoalAchieved(
            **meta, goal_id=goal.goal_id, evidence=check_text("evidence", command.evidence)
        ),
    )


def _abandon_goal(command: AbandonGoal, state: RelationshipState, meta: Meta) -> Events:
    goal = _open_goal(state, command, meta)
    return (
        GoalAbandoned(**meta, goal_id=goal.goal_id, reason=check_text("reason", command.reason)),
    )


def _add_activity(command: AddPlanActivity, state: RelationshipState, meta: Meta) -> Events:
    return (
        PlanActivityAdded(
            **meta,
            activity_id=_new_id("activity_id", command.activity_id, state.activity),
            description=check_text("description", command.description),
            due_date=check_date("due_date", command.due_date),
            goal_id=_planned_goal(state, command.goal_id, "AddPlanActivity", meta["occurred_at"]),
        ),
    )


def _complete_activity(
    command: CompletePlanActivity, state: RelationshipState, meta: Meta
) -> Events:
    activity_id = check_uuid("activity_id", command.activity_id)
    activity = state.activity(activity_id)
    if activity is None or activity.completed_at is not None:
        why = "was never added" if activity is None else "is already completed"
        raise RuleViolation(Rule.ACTIVITY_OPEN, f"plan activity {activity_id} {why}")
    not_before(
        "CompletePlanActivity",
        meta["occurred_at"],
        activity.added_at,
        f"plan activity {activity_id} was added",
    )
    return (
        PlanActivityCompleted(
            **meta, activity_id=activity_id, notes=check_text("notes", command.notes)
        ),
    )


def _set_milestone(command: SetMilestone, state: RelationshipState, meta: Meta) -> Events:
    return (
        MilestoneSet(
            **meta,
            milestone_id=_new_id("milestone_id", command.milestone_id, state.milestone),
            description=check_text("description", command.description),
            target_date=check_date("target_date", command.target_date),
            goal_id=_planned_goal(state, command.goal_id, "SetMilestone", meta["occurred_at"]),
        ),
    )


def _reach_milestone(command: ReachMilestone, state: RelationshipState, meta: Meta) -> Events:
    milestone_id = check_uuid("milestone_id", command.milestone_id)
    milestone = state.milestone(milestone_id)
    if milestone is None or milestone.reached_at is not None:
        why = "was never set" if milestone is None else "is already reached"
        raise RuleViolation(Rule.MILESTONE_OPEN, f"milestone {milestone_id} {why}")
    not_before(
        "ReachMilestone", meta["occurred_at"], milestone.set_at, f"milestone {milestone_id} was set"
    )
    return (
        MilestoneReached(
            **meta, milestone_id=milestone_id, notes=check_text("notes", command.notes)
        ),
    )


def _agree_schedule(command: AgreeSchedule, state: RelationshipState, meta: Meta) -> Events:
    if state.schedule is not None:
        raise RuleViolation(
            Rule.SCHEDULE_AGREED,
            f"a schedule ({state.schedule.cadence.describe()}) is already agreed; "
            "change it instead",
        )
    return (ScheduleAgreed(**meta, schedule=_check_schedule(command.schedule)),)


def _change_schedule(command: ChangeSchedule, state: RelationshipState, meta: Meta) -> Events:
    if state.schedule is None:
        raise RuleViolation(Rule.SCHEDULE_AGREED, "no schedule is agreed yet; agree one first")
    not_before(
        "ChangeSchedule",
        meta["occurred_at"],
        state.schedule_since,
        "the schedule was last changed" if state.schedule_changes else "the schedule was agreed",
    )
    schedule = _check_schedule(command.schedule)
    reason = check_text("reason", command.reason)
    changes_something(
        "ChangeSchedule", _schedule_values(schedule), _schedule_values(state.schedule)
    )
    return (ScheduleChanged(**meta, schedule=schedule, reason=reason),)


def _schedule_values(schedule: MeetingSchedule) -> dict[str, object]:
    """Each value of ``schedule`` by its field's name, its cadence in words."""
    return attrs.asdict(schedule, recurse=False) | {"cadence": schedule.cadence.describe()}


def _meeting_held(command: RecordMeetingHeld, state: RelationshipState, meta: Meta) -> Events:
    return (
        MeetingHeld(
            **meta,
            meeting_id=_new_id("meeting_id", command.meeting_id, _in_history(state, state.meeting)),
            duration_minutes=check_int(
                "duration_minutes", command.duration_minutes, 1, MEETING_MINUTES_MAX
            ),
            format=check_enum("format", command.format, MeetingFormat),
            topics=check_titles("topics", command.topics, allow_empty=True),
            # checked (each a label, each enrolled) by _prepare, which alone sees who is enrolled
            attendees=tuple(command.attendees),
            in_working_hours=in_working_hours(state, command.in_working_hours, meta["occurred_at"]),
        ),
    )


def in_working_hours(state: RelationshipState, given: object, held: datetime) -> bool:
    """Whether a meeting ``held`` then counts as held in working hours: as given, else as
    the schedule in force then says (before any schedule: in working hours)."""
    if given is not None:
        return check_bool("in_working_hours", given)
    return state.scheduled_in_working_hours(held)


def _meeting_missed(command: RecordMeetingMissed, state: RelationshipState, meta: Meta) -> Events:
    return (
        MeetingMissed(
            **meta,
            meeting_id=_new_id("meeting_id", command.meeting_id, _in_history(state, state.meeting)),
            missed_by=_participant(state, "missed_by", command.missed_by),
            reason=check_text("reason", command.reason),
        ),
    )


def _meeting_cancelled(
    command: RecordMeetingCancelled, state: RelationshipState, meta: Meta
) -> Events:
    return (
        MeetingCancelled(
            **meta,
            meeting_id=_new_id("meeting_id", command.meeting_id, _in_history(state, state.meeting)),
            cancelled_by=check_label("cancelled_by", command.cancelled_by),
            reason=check_text("reason", command.reason),
        ),
    )


_MEETING_VALUES: dict[str, Callable[[str, Any], Any]] = {
    "duration_minutes": lambda field, value: check_int(field, value, 1, MEETING_MINUTES_MAX),
    "format": lambda field, value: check_enum(field, value, MeetingFormat),
    "topics": lambda field, value: check_titles(field, value, allow_empty=True),
}
"""The values of a held meeting a correction may change but its date, each with its check."""


def _correct_meeting(command: CorrectMeetingRecord, state: RelationshipState, meta: Meta) -> Events:
    meeting_id = check_uuid("meeting_id", command.meeting_id)
    meeting = _whole(state).meeting(meeting_id)
    if meeting is None or meeting.outcome is not MeetingOutcome.HELD:
        why = "was never recorded" if meeting is None else f"was {meeting.outcome}, not held"
        raise RuleViolation(Rule.CORRECTION_TARGET, f"meeting {meeting_id} {why}")
    changes = (command.held_at, command.duration_minutes, command.format, command.topics)
    if all(change is None for change in changes):
        raise InvalidValue("correction", command, "at least one corrected value")
    corrected: dict[str, Any] = (
        {}
        if command.held_at is None
        else {"held_at": _moved_meeting(state, meeting_id, command.held_at, meta["recorded_at"])}
    )
    recorded: dict[str, Any] = {
        "held_at": meeting.occurred_at,
        "duration_minutes": meeting.duration_minutes,
        "format": meeting.format,
        "topics": meeting.topics,
    }
    latest = max(meeting.occurred_at, corrected.get("held_at", meeting.occurred_at))
    not_before(  # a record is corrected after the meeting
        "CorrectMeetingRecord", meta["occurred_at"], latest, f"meeting {meeting_id} was held"
    )
    corrected |= _given(command, _MEETING_VALUES)
    reason = check_text("reason", command.reason)
    changes_something(f"CorrectMeetingRecord of meeting {meeting_id}", corrected, recorded)
    return (
        MeetingRecordCorrected(
            **meta,
            corrects_event_id=meeting.recorded_by_event_id,
            meeting_id=meeting_id,
            **(recorded | corrected),
            reason=reason,
        ),
    )


def _moved_meeting(
    state: RelationshipState, meeting_id: UUID, held_at: object, now: datetime
) -> datetime:
    """A corrected meeting date, held to the rules of a new meeting (and not after the
    feedback already given about it)."""
    moved = check_past("held_at", held_at, now)
    what = f"the corrected meeting {meeting_id}"
    _when_meeting_possible(state, what, moved)
    first_feedback = min(
        (f.given_at for f in state.feedback if f.about_meeting_id == meeting_id), default=None
    )
    if first_feedback is not None and moved > first_feedback:
        raise out_of_time(
            what,
            moved,
            f"is after the feedback given about it on {_iso(first_feedback)}",
            f"up to {_iso(first_feedback)}",
        )
    return moved


def _give_feedback(command: GiveFeedback, state: RelationshipState, meta: Meta) -> Events:
    about_meeting = check_optional_uuid("about_meeting_id", command.about_meeting_id)
    if about_meeting is not None:
        meeting = _whole(state).meeting(about_meeting)
        if meeting is None:
            raise RuleViolation(
                Rule.REFERENCE_EXISTS, f"about_meeting_id {about_meeting}: no such meeting"
            )
        not_before(
            "GiveFeedback", meta["occurred_at"], meeting.occurred_at, f"meeting {about_meeting}"
        )
    giver = _participant(state, "from_person", command.from_person)
    receiver = _participant(state, "to_person", command.to_person)
    if giver == receiver:
        raise RuleViolation(
            Rule.PERSON_IN_RELATIONSHIP,
            f"from_person and to_person are both {giver!r}: feedback goes from one participant "
            "to the other (a self-assessment is a reflection)",
        )
    return (
        FeedbackGiven(
            **meta,
            feedback_id=_new_id(
                "feedback_id",
                command.feedback_id,
                _in_history(state, lambda i: any(x.feedback_id == i for x in state.feedback)),
            ),
            from_person=giver,
            to_person=receiver,
            kind=check_enum("kind", command.kind, FeedbackKind),
            about_goal_id=_goal_reference(
                state, "about_goal_id", command.about_goal_id, "GiveFeedback", meta["occurred_at"]
            ),
            about_meeting_id=about_meeting,
            text=check_text("text", command.text),
            private=check_bool("private", command.private),
        ),
    )


def _record_reflection(command: RecordReflection, state: RelationshipState, meta: Meta) -> Events:
    return (
        ReflectionRecorded(
            **meta,
            reflection_id=_new_id(
                "reflection_id",
                command.reflection_id,
                _in_history(state, lambda i: any(x.reflection_id == i for x in state.reflections)),
            ),
            ratings=_check_ratings(command.ratings),
            text=check_text("text", command.text),
            private=check_bool("private", command.private),
        ),
    )


def _evaluate(command: EvaluateProgress, state: RelationshipState, meta: Meta) -> Events:
    return (
        ProgressEvaluated(
            **meta,
            evaluation_id=_new_id(
                "evaluation_id",
                command.evaluation_id,
                _in_history(state, lambda i: any(x.evaluation_id == i for x in state.evaluations)),
            ),
            goal_progress=_check_goal_progress(state, command.goal_progress, meta["occurred_at"]),
            evidence=check_text("evidence", command.evidence),
            stakeholder_feedback=_check_stakeholders(command.stakeholder_feedback),
        ),
    )


def _pause(command: PauseRelationship, state: RelationshipState, meta: Meta) -> Events:
    return (RelationshipPaused(**meta, reason=check_text("reason", command.reason)),)


def _resume(command: ResumeRelationship, state: RelationshipState, meta: Meta) -> Events:
    return (RelationshipResumed(**meta),)


def _end(command: EndRelationship, state: RelationshipState, meta: Meta) -> Events:
    reason = check_enum("reason", command.reason, EndReason)
    _check_ending_role(state, reason, meta["actor"])
    return (
        RelationshipEnded(
            **meta,
            reason=reason,
            explanation=check_text("explanation", command.explanation),
        ),
    )


_HISTORY_IDS = frozenset({"meeting_id", "feedback_id", "reflection_id", "evaluation_id"})
"""The new ids whose uniqueness only the whole history can show."""


def needs_history(command: RelationshipCommand) -> bool:
    """Whether ``command`` must be decided on the relationship's whole state, with its
    meetings, feedback, reflections and evaluations (see
    :data:`.relationship_state.HISTORY_LEFT_OUT`): a correction, feedback about a meeting,
    a pause or an ending (they compare with the meetings' dates), and a command that gives
    its own id for a new meeting, feedback, reflection or evaluation (only the whole
    history shows it unused). ``command`` is as its caller gave it: an id left ``None`` is
    derived by the service from a fresh command id, and cannot be in use."""
    if isinstance(command, CorrectMeetingRecord | PauseRelationship | EndRelationship):
        return True
    if isinstance(command, GiveFeedback) and command.about_meeting_id is not None:
        return True
    created = created_field(type(command))
    return created in _HISTORY_IDS and getattr(command, created) is not None


RELATIONSHIP.handles(
    {
        AcceptPairing: _accept,
        DeclinePairing: _decline,
        AgreeExpectations: _agree_expectations,
        SetGoal: _set_goal,
        ReviseGoal: _revise_goal,
        AchieveGoal: _achieve_goal,
        AbandonGoal: _abandon_goal,
        AddPlanActivity: _add_activity,
        CompletePlanActivity: _complete_activity,
        SetMilestone: _set_milestone,
        ReachMilestone: _reach_milestone,
        AgreeSchedule: _agree_schedule,
        ChangeSchedule: _change_schedule,
        RecordMeetingHeld: _meeting_held,
        RecordMeetingMissed: _meeting_missed,
        RecordMeetingCancelled: _meeting_cancelled,
        CorrectMeetingRecord: _correct_meeting,
        GiveFeedback: _give_feedback,
        RecordReflection: _record_reflection,
        EvaluateProgress: _evaluate,
        PauseRelationship: _pause,
        ResumeRelationship: _resume,
        EndRelationship: _end,
    },
    prepare=_prepare,
    needs_history=needs_history,
)
