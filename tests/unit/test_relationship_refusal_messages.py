"""The exact words of every refusal of a relationship command.

A refusal is read by a person (a CLI user, a log reader) as well as by code, so
each ``RuleViolation`` names its rule and states the values involved in one
sentence, and each ``InvalidValue`` that the decider raises itself says exactly
what it expected. Nothing is recorded when a command is refused.
"""

from __future__ import annotations

from datetime import date, timedelta
from uuid import UUID

import attrs
import pytest
from scenarios import (
    ACTIVITY_ID,
    GOAL_ID,
    HOUR_ONE_ON_ONE,
    MEETING_ID,
    MILESTONE_ID,
    RELATIONSHIP_ID,
    SET_LISTENING_GOAL,
    UNKNOWN_ID,
    WEEKLY_HOUR,
    History,
    relationship_history,
)
from strategies import NOW, decision_context

from mentoring_core import Rule
from mentoring_core.domain import commands as cmd
from mentoring_core.domain import decide_relationship, evolve_relationship
from mentoring_core.domain.events import GoalSet
from mentoring_core.state import RelationshipState
from mentoring_core.values import (
    Cadence,
    DeclineReason,
    EndReason,
    FeedbackKind,
    GoalProgress,
    MeetingFormat,
    MeetingSchedule,
    ProgressStatus,
    RelationshipStatus,
)

NEW_ID = UUID("7e570000-0000-4000-8000-000000000002")
FORTNIGHTLY = MeetingSchedule(
    cadence=Cadence.fortnightly(), duration_minutes=60, format=MeetingFormat.VIDEO
)


def working() -> History:
    history = relationship_history()
    for command in (
        SET_LISTENING_GOAL,
        cmd.AddPlanActivity(
            activity_id=ACTIVITY_ID, description="Shadow Ana", due_date=date(2025, 4, 4)
        ),
        cmd.SetMilestone(
            milestone_id=MILESTONE_ID, description="First meeting led", target_date=date(2025, 5, 2)
        ),
        cmd.AgreeSchedule(schedule=WEEKLY_HOUR),
        HOUR_ONE_ON_ONE,
    ):
        history.record(command)
    return history


def refused_with(history: History, command: object, rule: Rule, detail: str) -> None:
    error = history.refuse(command, rule)
    assert error.detail == detail
    assert str(error) == f"rule '{rule}' broken: {detail}"


# --- The life cycle ------------------------------------------------------------------


def test_an_unopened_relationship_says_so() -> None:
    history = History(
        decide_relationship, evolve_relationship, RelationshipState(), decision_context()
    )
    refused_with(
        history,
        cmd.AgreeExpectations(expectations=("Weekly",)),
        Rule.RELATIONSHIP_ACTIVE,
        "the relationship has not been opened",
    )


def test_a_history_that_does_not_begin_with_the_opening_is_not_an_opened_relationship() -> None:
    """Events are folded as facts; a stream missing its opening still opens nothing."""
    stray = GoalSet(
        event_id=UUID(int=1),
        aggregate_id=RELATIONSHIP_ID,
        version=1,
        occurred_at=NOW,
        recorded_at=NOW,
        actor="coordinator.cleo",
        goal_id=GOAL_ID,
        title="Stray",
        focus_area=SET_LISTENING_GOAL.focus_area,
        success_measure="s",
        target_date=date(2025, 6, 30),
    )
    state = evolve_relationship(RelationshipState(), stray)
    assert state.exists and state.relationship_id is None
    history = History(decide_relationship, evolve_relationship, state, decision_context())
    refused_with(
        history,
        cmd.AchieveGoal(goal_id=GOAL_ID, evidence="Done"),
        Rule.RELATIONSHIP_ACTIVE,
        "the relationship has not been opened",
    )


def test_an_answer_to_a_pairing_that_is_not_pending() -> None:
    refused_with(
        relationship_history(),
        cmd.AcceptPairing(accepted_by="ben"),
        Rule.PAIRING_PENDING,
        f"relationship {RELATIONSHIP_ID} is active, not a pending proposal",
    )


def test_work_on_a_pending_proposal() -> None:
    refused_with(
        relationship_history(direct=False),
        SET_LISTENING_GOAL,
        Rule.RELATIONSHIP_ACTIVE,
        f"relationship {RELATIONSHIP_ID} is proposed, not active",
    )


def test_work_after_the_end() -> None:
    history = working()
    history.record(cmd.EndRelationship(reason=EndReason.COMPLETED, explanation="Goals met"))
    refused_with(
        history,
        cmd.PauseRelationship(reason="Leave"),
        Rule.RELATIONSHIP_ENDED,
        f"relationship {RELATIONSHIP_ID} ended (completed) on {NOW.isoformat()}; "
        "only corrections of past records may follow",
    )


def test_a_meeting_while_paused() -> None:
    history = working()
    paused_at = NOW - timedelta(hours=1)  # after yesterday's meeting
    history.record(cmd.PauseRelationship(reason="Annual leave", occurred_at=paused_at))
    refused_with(
        history,
        attrs.evolve(HOUR_ONE_ON_ONE, meeting_id=NEW_ID, occurred_at=None),
        Rule.NO_MEETINGS_WHILE_PAUSED,
        f"relationship {RELATIONSHIP_ID} is paused since {paused_at.isoformat()}; "
        "resume it before recording meetings",
    )


def test_a_pause_of_a_paused_relationship() -> None:
    history = working()
    history.record(cmd.PauseRelationship(reason="Annual leave"))
    refused_with(
        history,
        cmd.PauseRelationship(reason="More leave"),
        Rule.RELATIONSHIP_NOT_PAUSED,
        f"relationship {RELATIONSHIP_ID} is already paused",
    )


def test_a_resumption_of_an_active_relationship() -> None:
    refused_with(
        working(),
        cmd.ResumeRelationship(),
        Rule.RELATIONSHIP_PAUSED,
        f"relationship {RELATIONSHIP_ID} is active, not paused",
    )


def test_a_paused_relationship_may_end_but_not_meet() -> None:
    history = working()
    history.record(cmd.PauseRelationship(reason="Annual leave"))
    assert history.state.status is RelationshipStatus.PAUSED
    (ended,) = history.record(
        cmd.EndRelationship(reason=EndReason.REMATCHED, explanation="To Carla")
    )
    assert ended.reason is EndReason.REMATCHED


# --- Ids and references --------------------------------------------------------------


@pytest.mark.parametrize(
    ("command", "field", "used"),
    [
        (SET_LISTENING_GOAL, "goal_id", GOAL_ID),
        (
            cmd.AddPlanActivity(
                activity_id=ACTIVITY_ID, description="d", due_date=date(2025, 5, 1)
            ),
            "activity_id",
            ACTIVITY_ID,
        ),
        (
            cmd.SetMilestone(
                milestone_id=MILESTONE_ID, description="d", target_date=date(2025, 5, 1)
            ),
            "milestone_id",
            MILESTONE_ID,
        ),
        (
            cmd.RecordMeetingMissed(meeting_id=MEETING_ID, missed_by="ben", reason="r"),
            "meeting_id",
            MEETING_ID,
        ),
    ],
    ids=lambda value: value if isinstance(value, str) else "",
)
def test_an_id_used_twice(command: object, field: str, used: UUID) -> None:
    refused_with(
        working(),
        command,
        Rule.UNIQUE_ID,
        f"{field} {used} is already used in this relationship",
    )


@pytest.mark.parametrize(
    ("first", "again", "field"),
    [
        (
            cmd.GiveFeedback(
                feedback_id=NEW_ID,
                from_person="ana",
                to_person="ben",
                kind=FeedbackKind.CONSTRUCTIVE,
                text="Write the note first.",
            ),
            cmd.GiveFeedback(
                feedback_id=NEW_ID,
                from_person="ben",
                to_person="ana",
                kind=FeedbackKind.RECOGNITION,
                text="Thanks.",
            ),
            "feedback_id",
        ),
        (
            cmd.EvaluateProgress(evaluation_id=NEW_ID, goal_progress=(), evidence="e"),
            cmd.EvaluateProgress(evaluation_id=NEW_ID, goal_progress=(), evidence="again"),
            "evaluation_id",
        ),
    ],
    ids=["feedback", "evaluation"],
)
def test_a_feedback_or_evaluation_id_used_twice_but_not_a_fresh_one(
    first: object, again: object, field: str
) -> None:
    history = working()
    history.record(first)
    refused_with(
        history, again, Rule.UNIQUE_ID, f"{field} {NEW_ID} is already used in this relationship"
    )
    fresh = attrs.evolve(again, **{field: UUID(int=0xF2E5)})
    (event,) = history.record(fresh)
    assert getattr(event, field) == UUID(int=0xF2E5)


def test_a_goal_that_was_never_set() -> None:
    refused_with(
        working(),
        cmd.AchieveGoal(goal_id=UNKNOWN_ID, evidence="Done"),
        Rule.GOAL_EXISTS_AND_OPEN,
        f"goal {UNKNOWN_ID} was never set",
    )


def test_a_goal_that_is_closed() -> None:
    history = working()
    history.record(cmd.AbandonGoal(goal_id=GOAL_ID, reason="Moved team"))
    refused_with(
        history,
        cmd.ReviseGoal(goal_id=GOAL_ID, reason="Try again", title="New"),
        Rule.GOAL_EXISTS_AND_OPEN,
        f"goal {GOAL_ID} ('Run a family meeting without taking over') is already abandoned",
    )


@pytest.mark.parametrize(
    ("command", "detail"),
    [
        (
            cmd.SetMilestone(
                milestone_id=NEW_ID,
                description="d",
                target_date=date(2025, 5, 1),
                goal_id=UNKNOWN_ID,
            ),
            f"goal_id {UNKNOWN_ID}: no such goal",
        ),
        (
            cmd.GiveFeedback(
                feedback_id=NEW_ID,
                from_person="ana",
                to_person="ben",
                kind=FeedbackKind.RECOGNITION,
                text="t",
                about_goal_id=UNKNOWN_ID,
            ),
            f"about_goal_id {UNKNOWN_ID}: no such goal",
        ),
        (
            cmd.GiveFeedback(
                feedback_id=NEW_ID,
                from_person="ana",
                to_person="ben",
                kind=FeedbackKind.RECOGNITION,
                text="t",
                about_meeting_id=UNKNOWN_ID,
            ),
            f"about_meeting_id {UNKNOWN_ID}: no such meeting",
        ),
        (
            cmd.EvaluateProgress(
                evaluation_id=NEW_ID,
                goal_progress=(
                    GoalProgress(goal_id=GOAL_ID, status=ProgressStatus.ON_TRACK),
                    GoalProgress(goal_id=UNKNOWN_ID, status=ProgressStatus.ON_TRACK),
                ),
                evidence="e",
            ),
            f"goal_progress[1].goal_id {UNKNOWN_ID}: no such goal",
        ),
    ],
    ids=["milestone", "feedback-goal", "feedback-meeting", "evaluation"],
)
def test_a_reference_to_nothing(command: object, detail: str) -> None:
    refused_with(working(), command, Rule.REFERENCE_EXISTS, detail)


# --- Plan, schedule, corrections -----------------------------------------------------


def test_an_activity_never_added_or_already_completed() -> None:
    history = working()
    refused_with(
        history,
        cmd.CompletePlanActivity(activity_id=UNKNOWN_ID, notes="n"),
        Rule.ACTIVITY_OPEN,
        f"plan activity {UNKNOWN_ID} was never added",
    )
    history.record(cmd.CompletePlanActivity(activity_id=ACTIVITY_ID, notes="Done"))
    refused_with(
        history,
        cmd.CompletePlanActivity(activity_id=ACTIVITY_ID, notes="Done again"),
        Rule.ACTIVITY_OPEN,
        f"plan activity {ACTIVITY_ID} is already completed",
    )


def test_a_milestone_never_set_or_already_reached() -> None:
    history = working()
    refused_with(
        history,
        cmd.ReachMilestone(milestone_id=UNKNOWN_ID, notes="n"),
        Rule.MILESTONE_OPEN,
        f"milestone {UNKNOWN_ID} was never set",
    )
    history.record(cmd.ReachMilestone(milestone_id=MILESTONE_ID, notes="Went well"))
    refused_with(
        history,
        cmd.ReachMilestone(milestone_id=MILESTONE_ID, notes="Again"),
        Rule.MILESTONE_OPEN,
        f"milestone {MILESTONE_ID} is already reached",
    )


def test_a_schedule_agreed_twice_or_changed_before_agreed() -> None:
    refused_with(
        working(),
        cmd.AgreeSchedule(schedule=FORTNIGHTLY),
        Rule.SCHEDULE_AGREED,
        "a schedule (weekly) is already agreed; change it instead",
    )
    refused_with(
        relationship_history(),
        cmd.ChangeSchedule(schedule=FORTNIGHTLY, reason="Moved"),
        Rule.SCHEDULE_AGREED,
        "no schedule is agreed yet; agree one first",
    )


def test_a_correction_of_a_meeting_never_recorded_or_not_held() -> None:
    history = working()
    refused_with(
        history,
        cmd.CorrectMeetingRecord(meeting_id=UNKNOWN_ID, duration_minutes=45, reason="r"),
        Rule.CORRECTION_TARGET,
        f"meeting {UNKNOWN_ID} was never recorded",
    )
    history.record(cmd.RecordMeetingCancelled(meeting_id=NEW_ID, cancelled_by="ana", reason="Ill"))
    refused_with(
        history,
        cmd.CorrectMeetingRecord(meeting_id=NEW_ID, duration_minutes=45, reason="r"),
        Rule.CORRECTION_TARGET,
        f"meeting {NEW_ID} was cancelled, not held",
    )


def test_a_correction_that_corrects_nothing() -> None:
    command = cmd.CorrectMeetingRecord(meeting_id=MEETING_ID, reason="Nothing really")
    error = working().reject(command, "correction")
    assert error.value is command
    assert error.expected == "at least one corrected value"


def test_a_command_of_another_aggregate() -> None:
    command = cmd.WithdrawParticipant(person_id="ben", reason="Left")
    error = working().reject(command, "command")
    assert error.value is command
    assert error.expected == "a relationship command"


def test_a_correction_keeps_what_it_does_not_correct() -> None:
    history = working()
    two_days_ago = NOW - timedelta(days=2)
    (event,) = history.record(
        cmd.CorrectMeetingRecord(meeting_id=MEETING_ID, held_at=two_days_ago, reason="Wrong day")
    )
    assert (event.held_at, event.duration_minutes, event.format, event.topics) == (
        two_days_ago,
        60,
        MeetingFormat.ONE_ON_ONE,
        ("handover notes", "a difficult home visit"),
    )
    (event,) = history.record(
        cmd.CorrectMeetingRecord(meeting_id=MEETING_ID, format=MeetingFormat.VIDEO, reason="Video")
    )
    assert (event.held_at, event.duration_minutes, event.format) == (
        two_days_ago,
        60,
        MeetingFormat.VIDEO,
    )


def test_a_declined_pairing_records_who_why_and_what_was_said() -> None:
    history = relationship_history(direct=False)
    (event,) = history.record(
        cmd.DeclinePairing(
            declined_by="ana", reason=DeclineReason.MENTOR_CAPACITY, explanation="Full"
        )
    )
    assert (event.declined_by, event.reason, event.explanation) == (
        "ana",
        DeclineReason.MENTOR_CAPACITY,
        "Full",
    )
