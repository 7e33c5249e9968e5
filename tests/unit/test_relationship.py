"""A relationship's life: goals, plan, schedule, meetings, feedback, pauses, the end.

Ana (12 years in community support) mentors Ben (a year and a half in) in
Riverside's programme; the pair was formed 30 days before the tests' clock.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any
from uuid import UUID

import attrs
import pytest
from eventsourcing.persistence import JSONTranscoder
from hypothesis import given
from hypothesis import strategies as st
from scenarios import (
    ACTIVITY_ID,
    GOAL_ID,
    HOUR_ONE_ON_ONE,
    LAST_WEEK,
    MEETING_ID,
    MILESTONE_ID,
    OTHER_GOAL_ID,
    RELATIONSHIP_ID,
    SET_LISTENING_GOAL,
    UNKNOWN_ID,
    WEEKLY_HOUR,
    YESTERDAY,
    History,
    relationship_history,
)
from strategies import NOW, decision_context

from mentoring_core import MentoringError, Rule
from mentoring_core.domain import commands as cmd
from mentoring_core.domain import decide_relationship, evolve_relationship
from mentoring_core.domain.events import (
    GoalRevised,
    GoalSet,
    MeetingHeld,
    MeetingRecordCorrected,
    RelationshipEnded,
)
from mentoring_core.domain.kinds import RELATIONSHIP
from mentoring_core.serialisation import EventMapper
from mentoring_core.state import Feedback, Goal, Meeting, RelationshipState
from mentoring_core.values import (
    Cadence,
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

# --- Shared histories and commands ---------------------------------------------------

NEW_MEETING_ID = UUID("3ee70000-0000-4000-8000-000000000002")
ACTIVITY = cmd.AddPlanActivity(
    activity_id=ACTIVITY_ID,
    description="Shadow Ana at a family meeting on the Hill Street estate",
    due_date=date(2025, 4, 4),
    goal_id=GOAL_ID,
)
MILESTONE = cmd.SetMilestone(
    milestone_id=MILESTONE_ID,
    description="Ben leads his first family meeting",
    target_date=date(2025, 5, 2),
    goal_id=GOAL_ID,
)
FORTNIGHTLY_ON_VIDEO = MeetingSchedule(
    cadence=Cadence.fortnightly(), duration_minutes=90, format=MeetingFormat.VIDEO
)
EVALUATION = cmd.EvaluateProgress(
    evaluation_id=UUID(int=0xE1),
    goal_progress=(GoalProgress(goal_id=GOAL_ID, status=ProgressStatus.AT_RISK),),
    evidence="Ben led one meeting; the second was postponed by the family",
    stakeholder_feedback=(
        StakeholderFeedback(source="team leader", text="Ben is calmer on difficult calls"),
    ),
)

ONE_OF_EACH: tuple[cmd.RelationshipCommand, ...] = (
    cmd.AcceptPairing(accepted_by="ben"),
    cmd.DeclinePairing(
        declined_by="ben", reason=DeclineReason.SCHEDULE_CONFLICT, explanation="Night shifts"
    ),
    cmd.AgreeExpectations(expectations=("Ben brings one case a week", "Ana answers by Friday")),
    cmd.SetGoal(
        goal_id=OTHER_GOAL_ID,
        title="Finish a week without unpaid overtime",
        focus_area=FocusArea.WELLBEING,
        success_measure="Four weeks in a row with notes done in paid hours",
        target_date=date(2025, 9, 1),
    ),
    cmd.ReviseGoal(goal_id=GOAL_ID, reason="Family meetings moved online", title="Run it online"),
    cmd.AchieveGoal(goal_id=GOAL_ID, evidence="Led the Okafor family meeting on 12 March"),
    cmd.AbandonGoal(goal_id=GOAL_ID, reason="Ben moved to the night team"),
    cmd.AddPlanActivity(
        activity_id=UUID(int=0xA2),
        description="Read the de-escalation guide",
        due_date=date(2025, 4, 1),
    ),
    cmd.CompletePlanActivity(activity_id=ACTIVITY_ID, notes="Shadowed on 10 March"),
    cmd.SetMilestone(
        milestone_id=UUID(int=0xB2), description="Second meeting led", target_date=date(2025, 6, 1)
    ),
    cmd.ReachMilestone(milestone_id=MILESTONE_ID, notes="Went well"),
    cmd.AgreeSchedule(schedule=WEEKLY_HOUR),
    cmd.ChangeSchedule(schedule=FORTNIGHTLY_ON_VIDEO, reason="Ben moved to the north office"),
    cmd.RecordMeetingHeld(
        meeting_id=NEW_MEETING_ID,
        duration_minutes=45,
        format=MeetingFormat.PHONE,
        topics=("rota stress",),
    ),
    cmd.RecordMeetingMissed(
        meeting_id=UUID(int=0x3E1), missed_by="ben", reason="Called to an emergency placement"
    ),
    cmd.RecordMeetingCancelled(
        meeting_id=UUID(int=0x3E2), cancelled_by="ana", reason="Ana off sick"
    ),
    cmd.CorrectMeetingRecord(meeting_id=MEETING_ID, duration_minutes=45, reason="It was 45"),
    cmd.GiveFeedback(
        feedback_id=UUID(int=0xF1),
        from_person="ana",
        to_person="ben",
        kind=FeedbackKind.RECOGNITION,
        text="You let the family speak first.",
        about_goal_id=GOAL_ID,
        about_meeting_id=MEETING_ID,
    ),
    cmd.RecordReflection(
        reflection_id=UUID(int=0xC1),
        ratings=(Rating(focus_area=FocusArea.COMMUNICATION, score=3),),
        text="I still rush to fill silences.",
    ),
    EVALUATION,
    cmd.PauseRelationship(reason="Ana on three weeks' annual leave"),
    cmd.ResumeRelationship(),
    cmd.EndRelationship(reason=EndReason.COMPLETED, explanation="Both goals met"),
)
"""One example of every relationship command (most valid on :func:`busy`)."""


def example(cls: type[Any]) -> Any:
    """The example of command class ``cls`` in :data:`ONE_OF_EACH`."""
    (command,) = [c for c in ONE_OF_EACH if type(c) is cls]
    return command


def active() -> History:
    return relationship_history()


SET_AT = NOW - timedelta(days=10)
"""When busy()'s goal, activity and milestone were set: before they are closed or reached."""


def busy() -> History:
    """Ana and Ben three weeks in: expectations, a goal with a plan, a weekly hour, a meeting."""
    history = relationship_history()
    for command in (
        cmd.AgreeExpectations(expectations=("Meet weekly in paid hours",)),
        attrs.evolve(SET_LISTENING_GOAL, occurred_at=SET_AT),
        attrs.evolve(ACTIVITY, occurred_at=SET_AT),
        attrs.evolve(MILESTONE, occurred_at=SET_AT),
        cmd.AgreeSchedule(schedule=WEEKLY_HOUR),
        HOUR_ONE_ON_ONE,
    ):
        history.record(command)
    return history


PAUSED_AT = YESTERDAY + timedelta(hours=12)
"""After busy()'s meeting of yesterday: a pause cannot precede a recorded meeting."""


def paused() -> History:
    history = busy()
    history.record(cmd.PauseRelationship(reason="Ana on annual leave", occurred_at=PAUSED_AT))
    return history


def ended() -> History:
    history = busy()
    history.record(
        cmd.EndRelationship(
            reason=EndReason.WITHDRAWN_BY_MENTEE, explanation="Ben left the service"
        )
    )
    return history


def only(events: tuple[Any, ...]) -> Any:
    (event,) = events
    return event


def test_one_of_each_covers_every_relationship_command() -> None:
    every = {
        value
        for value in vars(cmd).values()
        if isinstance(value, type)
        and issubclass(value, cmd.RelationshipCommand)
        and value not in (cmd.RelationshipCommand, cmd.OpenRelationship)
    }
    assert {type(command) for command in ONE_OF_EACH} == every


# --- Features ------------------------------------------------------------------------


class TestAnUnopenedRelationship:
    @pytest.mark.parametrize("command", ONE_OF_EACH, ids=lambda c: type(c).__name__)
    def test_nothing_is_recorded_before_the_pair_is_opened(self, command: Any) -> None:
        history = History(
            decide_relationship, evolve_relationship, RelationshipState(), decision_context()
        )
        history.refuse(command, Rule.RELATIONSHIP_ACTIVE, "has not been opened")

    def test_a_programme_command_is_not_a_relationship_command(self) -> None:
        busy().reject(cmd.SetPolicy(policy=None), "command", "SetPolicy", "a relationship command")


class TestExpectations:
    def test_agreed_expectations_are_kept(self) -> None:
        history = active()
        event = only(
            history.record(
                cmd.AgreeExpectations(
                    expectations=["Meet weekly in paid hours", "Ben brings a real case"]
                )
            )
        )
        assert event.expectations == ("Meet weekly in paid hours", "Ben brings a real case")
        assert history.state.expectations == event.expectations

    def test_a_new_agreement_replaces_the_old_one(self) -> None:
        history = busy()
        history.record(cmd.AgreeExpectations(expectations=("Meet fortnightly",)))
        assert history.state.expectations == ("Meet fortnightly",)

    @pytest.mark.parametrize(
        ("expectations", "field", "named"),
        [
            ((), "expectations", "at least one item"),
            ("Meet weekly", "expectations", "a list"),
            (tuple(f"item {i}" for i in range(101)), "expectations", "at most 100 items"),
            (("Meet weekly", "Bring\na case"), "expectations[1]", "single line"),
            (("Meet weekly", ""), "expectations[1]", "non-blank"),
            (("x" * 501,), "expectations[0]", "at most 500 characters"),
        ],
    )
    def test_expectations_are_a_list_of_one_line_texts(
        self, expectations: object, field: str, named: str
    ) -> None:
        active().reject(cmd.AgreeExpectations(expectations=expectations), field, named)


class TestGoals:
    def test_a_goal_is_set_open(self) -> None:
        history = active()
        event = only(history.record(SET_LISTENING_GOAL))
        assert isinstance(event, GoalSet)
        assert (event.goal_id, event.title, event.target_date) == (
            GOAL_ID,
            "Run a family meeting without taking over",
            date(2025, 6, 30),
        )
        assert history.state.goals == (
            Goal(
                goal_id=GOAL_ID,
                title="Run a family meeting without taking over",
                focus_area=FocusArea.COMMUNICATION,
                success_measure="Ben leads two family meetings; Ana observes and gives feedback",
                target_date=date(2025, 6, 30),
                set_at=NOW,
            ),
        )
        assert history.state.open_goals == history.state.goals

    def test_a_goal_id_is_used_once(self) -> None:
        busy().refuse(
            attrs.evolve(SET_LISTENING_GOAL, title="Another goal"),
            Rule.UNIQUE_ID,
            "goal_id",
            GOAL_ID,
            "already used",
        )

    def test_a_revision_keeps_what_it_does_not_change(self) -> None:
        history = busy()
        event = only(
            history.record(
                cmd.ReviseGoal(
                    goal_id=GOAL_ID,
                    reason="The Okafor family asked to wait until after Easter",
                    target_date=date(2025, 7, 31),
                )
            )
        )
        assert isinstance(event, GoalRevised)
        assert event.title == SET_LISTENING_GOAL.title
        assert event.success_measure == SET_LISTENING_GOAL.success_measure
        assert event.focus_area is FocusArea.COMMUNICATION
        assert event.target_date == date(2025, 7, 31)
        goal = history.state.goal(GOAL_ID)
        assert goal is not None
        assert (goal.target_date, goal.revisions, goal.status) == (
            date(2025, 7, 31),
            1,
            GoalStatus.OPEN,
        )

    def test_every_detail_can_be_revised(self) -> None:
        history = busy()
        history.record(
            cmd.ReviseGoal(
                goal_id=GOAL_ID,
                reason="Refocused after the review",
                title="Keep calm on crisis calls",
                focus_area=FocusArea.WELLBEING,
                success_measure="Three crisis calls handled without escalation",
                target_date=date(2025, 8, 1),
            )
        )
        history.record(cmd.ReviseGoal(goal_id=GOAL_ID, reason="Typo", title="Keep calm on calls"))
        goal = history.state.goal(GOAL_ID)
        assert goal is not None
        assert (goal.title, goal.focus_area, goal.success_measure, goal.revisions) == (
            "Keep calm on calls",
            FocusArea.WELLBEING,
            "Three crisis calls handled without escalation",
            2,
        )

    @pytest.mark.parametrize(
        "given",
        [
            {"title": SET_LISTENING_GOAL.title},
            {"focus_area": FocusArea.COMMUNICATION, "target_date": date(2025, 6, 30)},
            {
                "title": SET_LISTENING_GOAL.title,
                "focus_area": SET_LISTENING_GOAL.focus_area,
                "success_measure": SET_LISTENING_GOAL.success_measure,
                "target_date": SET_LISTENING_GOAL.target_date,
            },
        ],
        ids=["title", "two", "all"],
    )
    def test_a_revision_that_changes_nothing_is_refused(self, given: dict[str, Any]) -> None:
        error = busy().refuse(
            cmd.ReviseGoal(goal_id=GOAL_ID, reason="Asked again", **given),
            Rule.CHANGES_SOMETHING,
            f"ReviseGoal of goal {GOAL_ID}",
            "changes nothing",
            *(f"{name} " for name in given),
            *(repr(v) if type(v) is str else str(v) for v in given.values()),
        )
        assert str(error).count(" as already recorded") == 1

    def test_a_revision_giving_nothing_to_change_is_refused(self) -> None:
        revision = cmd.ReviseGoal(goal_id=GOAL_ID, reason="Asked again")
        error = busy().reject(revision, "revision")
        assert (error.value, error.expected) == (revision, "at least one revised value")

    def test_a_revision_changing_one_of_the_values_it_gives_is_recorded(self) -> None:
        event = only(
            busy().record(
                cmd.ReviseGoal(
                    goal_id=GOAL_ID,
                    reason="Easter",
                    title=SET_LISTENING_GOAL.title,
                    target_date=date(2025, 7, 1),
                )
            )
        )
        assert (event.title, event.target_date) == (SET_LISTENING_GOAL.title, date(2025, 7, 1))

    def test_an_achieved_goal_is_closed_with_its_evidence(self) -> None:
        history = busy()
        history.record(
            cmd.AchieveGoal(
                goal_id=GOAL_ID, evidence="Led the Okafor meeting", occurred_at=YESTERDAY
            )
        )
        goal = history.state.goal(GOAL_ID)
        assert goal is not None
        assert (goal.status, goal.closed_at, goal.outcome_note) == (
            GoalStatus.ACHIEVED,
            YESTERDAY,
            "Led the Okafor meeting",
        )
        assert history.state.open_goals == ()

    def test_an_abandoned_goal_is_closed_with_its_reason(self) -> None:
        history = busy()
        history.record(cmd.AbandonGoal(goal_id=GOAL_ID, reason="Ben moved to the night team"))
        goal = history.state.goal(GOAL_ID)
        assert goal is not None
        assert (goal.status, goal.closed_at, goal.outcome_note) == (
            GoalStatus.ABANDONED,
            NOW,
            "Ben moved to the night team",
        )

    @pytest.mark.parametrize(
        "command",
        [
            cmd.ReviseGoal(goal_id=UNKNOWN_ID, reason="New date", target_date=date(2025, 9, 1)),
            cmd.AchieveGoal(goal_id=UNKNOWN_ID, evidence="Done"),
            cmd.AbandonGoal(goal_id=UNKNOWN_ID, reason="No longer needed"),
        ],
        ids=lambda c: type(c).__name__,
    )
    def test_only_a_goal_that_was_set_can_change(self, command: Any) -> None:
        busy().refuse(command, Rule.GOAL_EXISTS_AND_OPEN, UNKNOWN_ID, "was never set")

    @pytest.mark.parametrize(
        ("closing", "status"),
        [
            (cmd.AchieveGoal(goal_id=GOAL_ID, evidence="Led two meetings"), "achieved"),
            (cmd.AbandonGoal(goal_id=GOAL_ID, reason="Moved team"), "abandoned"),
        ],
    )
    @pytest.mark.parametrize(
        "command",
        [
            cmd.ReviseGoal(goal_id=GOAL_ID, reason="New date", target_date=date(2025, 9, 1)),
            cmd.AchieveGoal(goal_id=GOAL_ID, evidence="Done again"),
            cmd.AbandonGoal(goal_id=GOAL_ID, reason="Given up after all"),
        ],
        ids=lambda c: type(c).__name__,
    )
    def test_only_an_open_goal_can_change(self, closing: Any, status: str, command: Any) -> None:
        history = busy()
        history.record(closing)
        history.refuse(
            command,
            Rule.GOAL_EXISTS_AND_OPEN,
            GOAL_ID,
            "'Run a family meeting without taking over'",
            f"already {status}",
        )

    @pytest.mark.parametrize(
        ("change", "field", "named"),
        [
            ({"goal_id": "goal-1"}, "goal_id", "a UUID"),
            ({"title": ""}, "title", "non-blank"),
            ({"title": "Listen\x07 more"}, "title", "control characters"),
            ({"title": "Listen\nmore"}, "title", "single line"),
            ({"title": "L" * 501}, "title", "at most 500 characters, got 501"),
            ({"focus_area": "communication"}, "focus_area", "problem_solving"),
            ({"success_measure": "   "}, "success_measure", "non-blank"),
            ({"success_measure": "s" * 20_001}, "success_measure", "at most 20000"),
            ({"target_date": datetime(2025, 6, 30, tzinfo=UTC)}, "target_date", "a date"),
            ({"target_date": "2025-06-30"}, "target_date", "a date"),
            ({"target_date": date(2200, 1, 2)}, "target_date", "2200-01-01"),
            ({"target_date": date(1949, 12, 31)}, "target_date", "1950-01-01"),
        ],
    )
    def test_a_goal_is_checked(self, change: dict[str, Any], field: str, named: str) -> None:
        active().reject(attrs.evolve(SET_LISTENING_GOAL, **change), field, named)

    def test_a_success_measure_may_span_lines(self) -> None:
        measure = "Ben leads two meetings.\n\tAna observes both."
        event = only(active().record(attrs.evolve(SET_LISTENING_GOAL, success_measure=measure)))
        assert event.success_measure == measure

    @pytest.mark.parametrize(
        ("command", "field"),
        [
            (cmd.AchieveGoal(goal_id=GOAL_ID, evidence=""), "evidence"),
            (cmd.AbandonGoal(goal_id=GOAL_ID, reason="\x1b[31m"), "reason"),
            (cmd.ReviseGoal(goal_id=GOAL_ID, reason=" "), "reason"),
            (cmd.ReviseGoal(goal_id=GOAL_ID, reason="r", title=""), "title"),
            (cmd.AchieveGoal(goal_id=str(GOAL_ID), evidence="Done"), "goal_id"),
        ],
    )
    def test_goal_changes_are_checked(self, command: Any, field: str) -> None:
        busy().reject(command, field)


class TestPlan:
    def test_an_activity_is_added_and_completed(self) -> None:
        history = active()
        history.record(attrs.evolve(SET_LISTENING_GOAL, occurred_at=SET_AT))
        history.record(attrs.evolve(ACTIVITY, occurred_at=SET_AT))
        (activity,) = history.state.plan
        assert (activity.activity_id, activity.goal_id, activity.due_date) == (
            ACTIVITY_ID,
            GOAL_ID,
            date(2025, 4, 4),
        )
        assert activity.completed_at is None
        history.record(
            cmd.CompletePlanActivity(
                activity_id=ACTIVITY_ID, notes="Shadowed on 10 March", occurred_at=LAST_WEEK
            )
        )
        (activity,) = history.state.plan
        assert (activity.completed_at, activity.notes) == (LAST_WEEK, "Shadowed on 10 March")

    def test_an_activity_need_not_serve_a_goal(self) -> None:
        history = active()
        history.record(attrs.evolve(ACTIVITY, goal_id=None))
        assert history.state.plan[0].goal_id is None

    def test_an_activity_serves_a_goal_that_was_set(self) -> None:
        active().refuse(ACTIVITY, Rule.REFERENCE_EXISTS, "goal_id", GOAL_ID, "no such goal")

    def test_an_activity_id_is_used_once(self) -> None:
        busy().refuse(ACTIVITY, Rule.UNIQUE_ID, "activity_id", ACTIVITY_ID)

    def test_an_activity_is_completed_once(self) -> None:
        history = busy()
        history.record(cmd.CompletePlanActivity(activity_id=ACTIVITY_ID, notes="Done"))
        history.refuse(
            cmd.CompletePlanActivity(activity_id=ACTIVITY_ID, notes="Done again"),
            Rule.ACTIVITY_OPEN,
            ACTIVITY_ID,
            "already completed",
        )

    def test_only_an_added_activity_is_completed(self) -> None:
        busy().refuse(
            cmd.CompletePlanActivity(activity_id=UNKNOWN_ID, notes="Done"),
            Rule.ACTIVITY_OPEN,
            UNKNOWN_ID,
            "was never added",
        )

    def test_a_milestone_is_set_and_reached(self) -> None:
        history = busy()
        (milestone,) = history.state.milestones
        assert (milestone.milestone_id, milestone.target_date, milestone.reached_at) == (
            MILESTONE_ID,
            date(2025, 5, 2),
            None,
        )
        history.record(cmd.ReachMilestone(milestone_id=MILESTONE_ID, notes="Went well"))
        (milestone,) = history.state.milestones
        assert (milestone.reached_at, milestone.notes) == (NOW, "Went well")

    def test_a_milestone_is_reached_once(self) -> None:
        history = busy()
        history.record(cmd.ReachMilestone(milestone_id=MILESTONE_ID, notes="Went well"))
        history.refuse(
            cmd.ReachMilestone(milestone_id=MILESTONE_ID, notes="Again"),
            Rule.MILESTONE_OPEN,
            MILESTONE_ID,
            "already reached",
        )

    def test_only_a_set_milestone_is_reached(self) -> None:
        busy().refuse(
            cmd.ReachMilestone(milestone_id=UNKNOWN_ID, notes="Went well"),
            Rule.MILESTONE_OPEN,
            UNKNOWN_ID,
            "was never set",
        )

    def test_a_milestone_id_is_used_once(self) -> None:
        busy().refuse(MILESTONE, Rule.UNIQUE_ID, "milestone_id", MILESTONE_ID)

    def test_a_milestone_serves_a_goal_that_was_set(self) -> None:
        active().refuse(MILESTONE, Rule.REFERENCE_EXISTS, "goal_id", GOAL_ID)

    @pytest.mark.parametrize(
        ("command", "field"),
        [
            (attrs.evolve(ACTIVITY, description=""), "description"),
            (attrs.evolve(ACTIVITY, due_date=None), "due_date"),
            (attrs.evolve(ACTIVITY, goal_id="goal"), "goal_id"),
            (attrs.evolve(MILESTONE, target_date=date(2300, 1, 1)), "target_date"),
            (attrs.evolve(MILESTONE, description="\x00"), "description"),
            (cmd.CompletePlanActivity(activity_id=None, notes="n"), "activity_id"),
            (cmd.ReachMilestone(milestone_id=MILESTONE_ID, notes=""), "notes"),
        ],
    )
    def test_the_plan_is_checked(self, command: Any, field: str) -> None:
        history = active()
        history.record(SET_LISTENING_GOAL)
        history.record(attrs.evolve(MILESTONE, milestone_id=UUID(int=0xB9)))
        if isinstance(command, cmd.ReachMilestone):
            history.record(MILESTONE)
        history.reject(command, field)


class TestSchedule:
    def test_a_schedule_is_agreed(self) -> None:
        history = active()
        event = only(history.record(cmd.AgreeSchedule(schedule=WEEKLY_HOUR)))
        assert event.schedule == WEEKLY_HOUR
        assert history.state.schedule == WEEKLY_HOUR
        assert history.state.schedule_changes == 0

    def test_a_schedule_is_agreed_once_then_changed(self) -> None:
        busy().refuse(
            cmd.AgreeSchedule(schedule=FORTNIGHTLY_ON_VIDEO),
            Rule.SCHEDULE_AGREED,
            "(weekly) is already agreed",
            "change it instead",
        )

    def test_a_schedule_is_changed_with_a_reason(self) -> None:
        history = busy()
        event = only(
            history.record(
                cmd.ChangeSchedule(schedule=FORTNIGHTLY_ON_VIDEO, reason="Ben moved office")
            )
        )
        assert event.reason == "Ben moved office"
        assert history.state.schedule == FORTNIGHTLY_ON_VIDEO
        assert history.state.schedule_changes == 1

    def test_only_an_agreed_schedule_is_changed(self) -> None:
        active().refuse(
            cmd.ChangeSchedule(schedule=FORTNIGHTLY_ON_VIDEO, reason="Moved"),
            Rule.SCHEDULE_AGREED,
            "no schedule is agreed yet",
        )

    @pytest.mark.parametrize(
        ("schedule", "field", "named"),
        [
            (attrs.evolve(WEEKLY_HOUR, duration_minutes=0), "schedule.duration_minutes", "0"),
            (attrs.evolve(WEEKLY_HOUR, duration_minutes=1441), "schedule.duration_minutes", "1441"),
            (attrs.evolve(WEEKLY_HOUR, duration_minutes="60"), "schedule.duration_minutes", "'60'"),
            (
                attrs.evolve(WEEKLY_HOUR, cadence=Cadence.every(367)),
                "schedule.cadence.every_days",
                "367",
            ),
            (attrs.evolve(WEEKLY_HOUR, cadence="weekly"), "schedule.cadence", "a Cadence"),
            (attrs.evolve(WEEKLY_HOUR, format="video"), "schedule.format", "one_on_one"),
            (
                attrs.evolve(WEEKLY_HOUR, in_working_hours="yes"),
                "schedule.in_working_hours",
                "true or false",
            ),
            ("weekly on Tuesdays", "schedule", "a MeetingSchedule"),
        ],
    )
    def test_a_schedule_is_checked(self, schedule: Any, field: str, named: str) -> None:
        active().reject(cmd.AgreeSchedule(schedule=schedule), field, named)

    @pytest.mark.parametrize("changed", [False, True], ids=["as agreed", "as changed"])
    def test_a_change_to_the_schedule_in_force_is_refused(self, changed: bool) -> None:
        history, schedule = busy(), WEEKLY_HOUR
        if changed:
            history.record(cmd.ChangeSchedule(schedule=FORTNIGHTLY_ON_VIDEO, reason="Moved"))
            schedule = FORTNIGHTLY_ON_VIDEO
        history.refuse(
            cmd.ChangeSchedule(schedule=attrs.evolve(schedule), reason="Asked again"),
            Rule.CHANGES_SOMETHING,
            "ChangeSchedule changes nothing: it gives "
            f"cadence {schedule.cadence.describe()!r}, duration_minutes "
            f"{schedule.duration_minutes}, format {schedule.format}, in_working_hours True, "
            "as already recorded",
        )

    @pytest.mark.parametrize(
        "change",
        [
            {"cadence": Cadence.every(7)},
            {"duration_minutes": 61},
            {"format": MeetingFormat.VIDEO},
            {"in_working_hours": False},
        ],
        ids=lambda change: next(iter(change)),
    )
    def test_a_schedule_changing_one_value_is_recorded(self, change: dict[str, Any]) -> None:
        history = busy()
        changed = attrs.evolve(WEEKLY_HOUR, **change)
        only(history.record(cmd.ChangeSchedule(schedule=changed, reason="Rota")))
        assert (history.state.schedule, history.state.schedule_changes) == (changed, 1)

    def test_a_changed_schedule_is_checked_too(self) -> None:
        busy().reject(
            cmd.ChangeSchedule(schedule=attrs.evolve(WEEKLY_HOUR, duration_minutes=-1), reason="r"),
            "schedule.duration_minutes",
        )


class TestMeetings:
    def test_a_meeting_logged_the_next_day_keeps_when_it_happened(self) -> None:
        history = active()
        event = only(history.record(HOUR_ONE_ON_ONE))
        assert isinstance(event, MeetingHeld)
        assert (event.occurred_at, event.recorded_at) == (YESTERDAY, NOW)
        assert history.state.meetings == (
            Meeting(
                meeting_id=MEETING_ID,
                outcome=MeetingOutcome.HELD,
                occurred_at=YESTERDAY,
                recorded_by_event_id=event.event_id,
                duration_minutes=60,
                format=MeetingFormat.ONE_ON_ONE,
                topics=("handover notes", "a difficult home visit"),
                in_working_hours=True,  # no schedule: in working hours
            ),
        )

    def test_a_group_session_lists_who_else_came(self) -> None:
        history = active()
        history.ctx = attrs.evolve(history.ctx, enrolled=frozenset({"carla", "elif"}))
        history.record(
            attrs.evolve(
                HOUR_ONE_ON_ONE, format=MeetingFormat.GROUP, attendees=["carla", "elif"], topics=[]
            )
        )
        (meeting,) = history.state.meetings
        assert (meeting.format, meeting.attendees, meeting.topics) == (
            MeetingFormat.GROUP,
            ("carla", "elif"),
            (),
        )

    def test_a_missed_meeting_records_who_missed_it(self) -> None:
        history = active()
        history.record(
            cmd.RecordMeetingMissed(
                meeting_id=MEETING_ID,
                missed_by="ben",
                reason="Called to an emergency placement",
                occurred_at=LAST_WEEK,
            )
        )
        (meeting,) = history.state.meetings
        assert (meeting.outcome, meeting.by, meeting.reason, meeting.occurred_at) == (
            MeetingOutcome.MISSED,
            "ben",
            "Called to an emergency placement",
            LAST_WEEK,
        )
        assert meeting.duration_minutes is None

    def test_a_cancelled_meeting_records_who_called_it_off(self) -> None:
        history = active()
        history.record(
            cmd.RecordMeetingCancelled(meeting_id=MEETING_ID, cancelled_by="ana", reason="Sick")
        )
        (meeting,) = history.state.meetings
        assert (meeting.outcome, meeting.by, meeting.reason) == (
            MeetingOutcome.CANCELLED,
            "ana",
            "Sick",
        )

    @pytest.mark.parametrize(
        "command",
        [
            HOUR_ONE_ON_ONE,
            cmd.RecordMeetingMissed(meeting_id=MEETING_ID, missed_by="ben", reason="Late"),
            cmd.RecordMeetingCancelled(meeting_id=MEETING_ID, cancelled_by="ana", reason="Ill"),
        ],
        ids=lambda c: type(c).__name__,
    )
    def test_a_meeting_id_is_used_once(self, command: Any) -> None:
        busy().refuse(command, Rule.UNIQUE_ID, "meeting_id", MEETING_ID)

    @pytest.mark.parametrize("minutes", [0, -30, 1441, True, "60", 60.0, None])
    def test_a_meeting_lasts_from_1_minute_to_a_day(self, minutes: object) -> None:
        active().reject(
            attrs.evolve(HOUR_ONE_ON_ONE, duration_minutes=minutes),
            "duration_minutes",
            "from 1 to 1440",
            repr(minutes),
        )

    @pytest.mark.parametrize("minutes", [1, 1440])
    def test_the_shortest_and_longest_meetings_are_accepted(self, minutes: int) -> None:
        event = only(active().record(attrs.evolve(HOUR_ONE_ON_ONE, duration_minutes=minutes)))
        assert event.duration_minutes == minutes

    def test_a_meeting_cannot_be_logged_before_it_happens(self) -> None:
        tomorrow = NOW + timedelta(days=1)
        active().reject(
            attrs.evolve(HOUR_ONE_ON_ONE, occurred_at=tomorrow),
            "occurred_at",
            "not after now",
            NOW.isoformat(),
        )

    def test_a_meeting_time_needs_a_time_zone(self) -> None:
        active().reject(
            attrs.evolve(HOUR_ONE_ON_ONE, occurred_at=datetime(2025, 3, 13, 14, 0)),
            "occurred_at",
            "naive",
        )

    @pytest.mark.parametrize(
        ("change", "field"),
        [
            ({"topics": "handover notes"}, "topics"),
            ({"topics": ("handover\nnotes",)}, "topics[0]"),
            ({"topics": ("ok", "  ")}, "topics[1]"),
            ({"attendees": ("carla", "")}, "attendees[1]"),
            ({"attendees": None}, "attendees"),
            ({"format": "video"}, "format"),
            ({"meeting_id": 7}, "meeting_id"),
        ],
    )
    def test_a_meeting_is_checked(self, change: dict[str, Any], field: str) -> None:
        active().reject(attrs.evolve(HOUR_ONE_ON_ONE, **change), field)

    @pytest.mark.parametrize(
        ("command", "field"),
        [
            (cmd.RecordMeetingMissed(meeting_id=MEETING_ID, missed_by="", reason="r"), "missed_by"),
            (cmd.RecordMeetingMissed(meeting_id=MEETING_ID, missed_by="ben", reason=""), "reason"),
            (
                cmd.RecordMeetingCancelled(meeting_id=MEETING_ID, cancelled_by="a\rb", reason="r"),
                "cancelled_by",
            ),
        ],
    )
    def test_missed_and_cancelled_meetings_are_checked(self, command: Any, field: str) -> None:
        active().reject(command, field)


class TestPausing:
    def test_a_paused_relationship_remembers_since_when(self) -> None:
        state = paused().state
        assert state.status is RelationshipStatus.PAUSED
        assert state.paused_at == PAUSED_AT

    @pytest.mark.parametrize(
        "command",
        [
            attrs.evolve(HOUR_ONE_ON_ONE, meeting_id=NEW_MEETING_ID, occurred_at=None),
            cmd.RecordMeetingMissed(meeting_id=NEW_MEETING_ID, missed_by="ben", reason="Away"),
            cmd.RecordMeetingCancelled(
                meeting_id=NEW_MEETING_ID, cancelled_by="ana", reason="Away"
            ),
        ],
        ids=lambda c: type(c).__name__,
    )
    def test_no_meetings_are_recorded_while_paused(self, command: Any) -> None:
        paused().refuse(
            command,
            Rule.NO_MEETINGS_WHILE_PAUSED,
            RELATIONSHIP_ID,
            f"paused since {PAUSED_AT.isoformat()}",
            "resume it",
        )

    @pytest.mark.parametrize(
        "command",
        [
            example(cmd.SetGoal),
            example(cmd.AchieveGoal),
            example(cmd.CorrectMeetingRecord),
            example(cmd.GiveFeedback),
            example(cmd.RecordReflection),
            EVALUATION,
            example(cmd.ChangeSchedule),
        ],
        ids=lambda c: type(c).__name__,
    )
    def test_other_work_goes_on_while_paused(self, command: Any) -> None:
        history = paused()
        event = only(history.record(command))
        assert event.version == 9
        assert history.state.status is RelationshipStatus.PAUSED

    def test_a_resumed_relationship_meets_again(self) -> None:
        history = paused()
        history.record(cmd.ResumeRelationship())
        assert history.state.status is RelationshipStatus.ACTIVE
        assert history.state.paused_at is None
        history.record(attrs.evolve(HOUR_ONE_ON_ONE, meeting_id=NEW_MEETING_ID))
        assert len(history.state.meetings) == 2

    def test_a_paused_relationship_is_not_paused_again(self) -> None:
        paused().refuse(
            cmd.PauseRelationship(reason="More leave"),
            Rule.RELATIONSHIP_NOT_PAUSED,
            RELATIONSHIP_ID,
            "already paused",
        )

    def test_only_a_paused_relationship_resumes(self) -> None:
        busy().refuse(
            cmd.ResumeRelationship(),
            Rule.RELATIONSHIP_PAUSED,
            RELATIONSHIP_ID,
            "is active, not paused",
        )

    def test_a_pause_needs_a_reason(self) -> None:
        busy().reject(cmd.PauseRelationship(reason=""), "reason", "non-blank")


class TestEnding:
    def test_the_end_is_recorded_with_its_reason(self) -> None:
        history = ended()
        assert history.state.status is RelationshipStatus.ENDED
        ending = history.state.ended
        assert ending is not None
        assert (ending.reason, ending.explanation, ending.ended_at) == (
            EndReason.WITHDRAWN_BY_MENTEE,
            "Ben left the service",
            NOW,
        )

    def test_a_paused_relationship_can_end(self) -> None:
        history = paused()
        history.record(cmd.EndRelationship(reason=EndReason.REMATCHED, explanation="To Carla"))
        assert history.state.status is RelationshipStatus.ENDED
        assert history.state.paused_at is None

    @pytest.mark.parametrize(
        "command",
        [c for c in ONE_OF_EACH if not isinstance(c, cmd.CorrectMeetingRecord)],
        ids=lambda c: type(c).__name__,
    )
    def test_nothing_but_corrections_follow_the_end(self, command: Any) -> None:
        history = ended()
        if isinstance(command, cmd.AcceptPairing | cmd.DeclinePairing):
            history.refuse(command, Rule.PAIRING_PENDING, "ended, not a pending proposal")
        else:
            history.refuse(
                command,
                Rule.RELATIONSHIP_ENDED,
                RELATIONSHIP_ID,
                "ended (withdrawn_by_mentee)",
                NOW.isoformat(),
                "only corrections",
            )

    def test_a_past_meeting_can_still_be_corrected(self) -> None:
        history = ended()
        event = only(
            history.record(
                cmd.CorrectMeetingRecord(meeting_id=MEETING_ID, duration_minutes=50, reason="50")
            )
        )
        assert isinstance(event, MeetingRecordCorrected)
        assert history.state.meeting(MEETING_ID).duration_minutes == 50
        assert history.state.status is RelationshipStatus.ENDED

    @pytest.mark.parametrize(
        ("command", "field"),
        [
            (cmd.EndRelationship(reason="completed", explanation="Done"), "reason"),
            (cmd.EndRelationship(reason=EndReason.COMPLETED, explanation=""), "explanation"),
        ],
    )
    def test_the_end_is_checked(self, command: Any, field: str) -> None:
        busy().reject(command, field)


class TestCorrections:
    def test_the_state_shows_the_corrected_value(self) -> None:
        history = busy()
        history.record(
            cmd.CorrectMeetingRecord(
                meeting_id=MEETING_ID, duration_minutes=45, reason="Ana left at 45 minutes"
            )
        )
        meeting = history.state.meeting(MEETING_ID)
        assert meeting is not None
        assert meeting.duration_minutes == 45
        assert (meeting.format, meeting.topics, meeting.occurred_at) == (
            MeetingFormat.ONE_ON_ONE,
            ("handover notes", "a difficult home visit"),
            YESTERDAY,
        )

    def test_the_history_keeps_both_records_and_names_the_corrected_one(self) -> None:
        history = busy()
        history.record(
            cmd.CorrectMeetingRecord(meeting_id=MEETING_ID, duration_minutes=45, reason="45")
        )
        held = [e for e in history.events if isinstance(e, MeetingHeld)]
        corrections = [e for e in history.events if isinstance(e, MeetingRecordCorrected)]
        assert [e.duration_minutes for e in held] == [60]
        assert [e.duration_minutes for e in corrections] == [45]
        (correction,) = corrections
        assert correction.corrects_event_id == held[0].event_id
        assert correction.meeting_id == MEETING_ID
        assert correction.held_at == YESTERDAY
        meeting = history.state.meeting(MEETING_ID)
        assert meeting is not None
        assert meeting.recorded_by_event_id == held[0].event_id
        assert meeting.corrected_by_event_ids == (correction.event_id,)

    def test_every_value_of_a_meeting_can_be_corrected(self) -> None:
        history = busy()
        two_days_ago = NOW - timedelta(days=2)
        history.record(
            cmd.CorrectMeetingRecord(
                meeting_id=MEETING_ID,
                held_at=two_days_ago,
                duration_minutes=30,
                format=MeetingFormat.VIDEO,
                topics=["sleep", "rota"],
                reason="Logged against the wrong day",
            )
        )
        meeting = history.state.meeting(MEETING_ID)
        assert meeting is not None
        assert (meeting.occurred_at, meeting.duration_minutes, meeting.format, meeting.topics) == (
            two_days_ago,
            30,
            MeetingFormat.VIDEO,
            ("sleep", "rota"),
        )

    @pytest.mark.parametrize(
        "given",
        [
            {"duration_minutes": 60},
            {"held_at": YESTERDAY.astimezone(timezone(timedelta(hours=11)))},
            {"format": MeetingFormat.ONE_ON_ONE, "topics": list(HOUR_ONE_ON_ONE.topics)},
        ],
        ids=["duration", "held_at elsewhere", "format and topics"],
    )
    def test_a_correction_that_changes_nothing_is_refused(self, given: dict[str, Any]) -> None:
        busy().refuse(
            cmd.CorrectMeetingRecord(meeting_id=MEETING_ID, reason="Asked again", **given),
            Rule.CHANGES_SOMETHING,
            f"CorrectMeetingRecord of meeting {MEETING_ID} changes nothing: it gives ",
            *(f"{name} " for name in given),
            "as already recorded",
        )

    @pytest.mark.parametrize(
        "change",
        [
            {"held_at": YESTERDAY - timedelta(hours=1)},
            {"duration_minutes": 61},
            {"format": MeetingFormat.VIDEO},
            {"topics": ("handover notes",)},
        ],
        ids=lambda change: next(iter(change)),
    )
    def test_a_correction_changing_one_value_given_is_recorded(
        self, change: dict[str, Any]
    ) -> None:
        """Given with the duration as recorded (60): one value that differs is enough."""
        given = {"duration_minutes": 60, **change}
        command = cmd.CorrectMeetingRecord(meeting_id=MEETING_ID, reason="Typo", **given)
        event = only(busy().record(command))
        name, value = next(iter(change.items()))
        assert getattr(event, name) == value

    def test_a_second_correction_still_names_the_original_record(self) -> None:
        history = busy()
        held_event_id = history.events[-1].event_id
        first = only(
            history.record(
                cmd.CorrectMeetingRecord(meeting_id=MEETING_ID, duration_minutes=45, reason="a")
            )
        )
        second = only(
            history.record(cmd.CorrectMeetingRecord(meeting_id=MEETING_ID, topics=(), reason="b"))
        )
        assert first.corrects_event_id == second.corrects_event_id == held_event_id
        meeting = history.state.meeting(MEETING_ID)
        assert meeting is not None
        assert (meeting.duration_minutes, meeting.topics) == (45, ())
        assert meeting.corrected_by_event_ids == (first.event_id, second.event_id)

    def test_only_a_recorded_meeting_is_corrected(self) -> None:
        busy().refuse(
            cmd.CorrectMeetingRecord(meeting_id=UNKNOWN_ID, duration_minutes=45, reason="r"),
            Rule.CORRECTION_TARGET,
            UNKNOWN_ID,
            "was never recorded",
        )

    @pytest.mark.parametrize(
        ("record", "outcome"),
        [
            (
                cmd.RecordMeetingMissed(meeting_id=NEW_MEETING_ID, missed_by="ben", reason="r"),
                "missed",
            ),
            (
                cmd.RecordMeetingCancelled(
                    meeting_id=NEW_MEETING_ID, cancelled_by="ana", reason="r"
                ),
                "cancelled",
            ),
        ],
    )
    def test_only_a_held_meeting_is_corrected(self, record: Any, outcome: str) -> None:
        history = busy()
        history.record(record)
        history.refuse(
            cmd.CorrectMeetingRecord(meeting_id=NEW_MEETING_ID, duration_minutes=45, reason="r"),
            Rule.CORRECTION_TARGET,
            NEW_MEETING_ID,
            f"was {outcome}, not held",
        )

    def test_a_correction_corrects_something(self) -> None:
        busy().reject(
            cmd.CorrectMeetingRecord(meeting_id=MEETING_ID, reason="Nothing really"),
            "correction",
            "at least one corrected value",
        )

    @pytest.mark.parametrize(
        ("change", "field"),
        [
            ({"held_at": NOW + timedelta(hours=1)}, "held_at"),
            ({"held_at": datetime(2025, 3, 13, 10, 0)}, "held_at"),
            ({"duration_minutes": 0}, "duration_minutes"),
            ({"format": "group"}, "format"),
            ({"topics": "sleep"}, "topics"),
            ({"reason": ""}, "reason"),
        ],
    )
    def test_a_correction_is_checked(self, change: dict[str, Any], field: str) -> None:
        command = cmd.CorrectMeetingRecord(meeting_id=MEETING_ID, duration_minutes=45, reason="r")
        busy().reject(attrs.evolve(command, **change), field)


class TestFeedback:
    def test_feedback_about_a_goal_and_a_meeting_is_kept(self) -> None:
        history = busy()
        history.record(example(cmd.GiveFeedback))
        assert history.state.feedback == (
            Feedback(
                feedback_id=UUID(int=0xF1),
                from_person="ana",
                to_person="ben",
                kind=FeedbackKind.RECOGNITION,
                about_goal_id=GOAL_ID,
                about_meeting_id=MEETING_ID,
                text="You let the family speak first.",
                given_at=NOW,
            ),
        )

    def test_private_feedback_and_reflections_are_kept_private(self) -> None:
        history = busy()
        (given,) = history.record(attrs.evolve(example(cmd.GiveFeedback), private=True))
        (reflected,) = history.record(attrs.evolve(example(cmd.RecordReflection), private=True))
        assert given.private and reflected.private
        assert [f.private for f in history.state.feedback] == [True]
        assert [r.private for r in history.state.reflections] == [True]
        assert history.refold() == history.state

    def test_entries_are_not_private_unless_asked(self) -> None:
        history = busy()
        (given,) = history.record(example(cmd.GiveFeedback))
        (reflected,) = history.record(example(cmd.RecordReflection))
        assert not given.private and not reflected.private
        assert not history.state.feedback[0].private
        assert not history.state.reflections[0].private

    @pytest.mark.parametrize("private", [1, "yes", None])
    def test_private_is_a_boolean(self, private: object) -> None:
        busy().reject(attrs.evolve(example(cmd.GiveFeedback), private=private), "private")
        busy().reject(attrs.evolve(example(cmd.RecordReflection), private=private), "private")

    def test_general_feedback_needs_no_reference(self) -> None:
        history = active()
        history.record(
            cmd.GiveFeedback(
                feedback_id=UUID(int=0xF2),
                from_person="ana",
                to_person="ben",
                kind=FeedbackKind.CONSTRUCTIVE,
                text="Write the case note before the next visit.\nEvery time.",
            )
        )
        (feedback,) = history.state.feedback
        assert (feedback.about_goal_id, feedback.about_meeting_id) == (None, None)
        assert feedback.text.endswith("\nEvery time.")

    @pytest.mark.parametrize(
        ("change", "field", "what"),
        [
            ({"about_meeting_id": UNKNOWN_ID}, "about_meeting_id", "no such meeting"),
            ({"about_goal_id": UNKNOWN_ID}, "about_goal_id", "no such goal"),
        ],
    )
    def test_feedback_refers_to_what_exists(
        self, change: dict[str, Any], field: str, what: str
    ) -> None:
        busy().refuse(
            attrs.evolve(example(cmd.GiveFeedback), **change),
            Rule.REFERENCE_EXISTS,
            field,
            UNKNOWN_ID,
            what,
        )

    def test_a_feedback_id_is_used_once(self) -> None:
        history = busy()
        history.record(example(cmd.GiveFeedback))
        history.refuse(example(cmd.GiveFeedback), Rule.UNIQUE_ID, "feedback_id", UUID(int=0xF1))

    @pytest.mark.parametrize(
        ("change", "field", "named"),
        [
            ({"kind": "praise"}, "kind", "constructive, recognition"),
            ({"text": ""}, "text", "non-blank"),
            ({"text": "t" * 20_001}, "text", "at most 20000 characters, got 20001"),
            ({"text": "Well done\x1b[0m"}, "text", "control characters"),
            ({"from_person": "ana\n"}, "from_person", "single line"),
            ({"to_person": None}, "to_person", "a text"),
            ({"feedback_id": "f1"}, "feedback_id", "a UUID"),
            ({"about_goal_id": "g"}, "about_goal_id", "a UUID"),
        ],
    )
    def test_feedback_is_checked(self, change: dict[str, Any], field: str, named: str) -> None:
        busy().reject(attrs.evolve(example(cmd.GiveFeedback), **change), field, named)

    def test_a_free_text_of_20000_characters_is_accepted(self) -> None:
        event = only(busy().record(attrs.evolve(example(cmd.GiveFeedback), text="t" * 20_000)))
        assert len(event.text) == 20_000


class TestReflection:
    def test_a_self_assessment_is_kept(self) -> None:
        history = busy()
        ratings = [
            Rating(focus_area=FocusArea.COMMUNICATION, score=3),
            Rating(focus_area=FocusArea.WELLBEING, score=2),
        ]
        history.record(
            cmd.RecordReflection(
                reflection_id=UUID(int=0xC1), ratings=ratings, text="Tired but learning."
            )
        )
        (reflection,) = history.state.reflections
        assert reflection.ratings == tuple(ratings)
        assert (reflection.text, reflection.recorded_at) == ("Tired but learning.", NOW)

    @pytest.mark.parametrize(
        ("ratings", "field", "named"),
        [
            ((Rating(focus_area=FocusArea.TEAMWORK, score=0),), "ratings[0].score", "1 to 5"),
            ((Rating(focus_area=FocusArea.TEAMWORK, score=6),), "ratings[0].score", "1 to 5"),
            ((Rating(focus_area=FocusArea.TEAMWORK, score=4.5),), "ratings[0].score", "4.5"),
            ((Rating(focus_area="teamwork", score=4),), "ratings[0].focus_area", "teamwork"),
            (
                (
                    Rating(focus_area=FocusArea.TEAMWORK, score=4),
                    Rating(focus_area=FocusArea.TEAMWORK, score=2),
                ),
                "ratings[1].focus_area",
                "each focus area rated once",
            ),
            ((), "ratings", "at least one item"),
            (({"teamwork": 4},), "ratings[0]", "a Rating"),
        ],
    )
    def test_ratings_are_checked(self, ratings: Any, field: str, named: str) -> None:
        busy().reject(
            cmd.RecordReflection(reflection_id=UUID(int=0xC1), ratings=ratings, text="t"),
            field,
            named,
        )

    def test_a_reflection_id_is_used_once(self) -> None:
        history = busy()
        history.record(example(cmd.RecordReflection))
        history.refuse(
            example(cmd.RecordReflection), Rule.UNIQUE_ID, "reflection_id", UUID(int=0xC1)
        )


class TestEvaluation:
    def test_an_evaluation_is_kept_with_stakeholder_feedback(self) -> None:
        history = busy()
        history.record(EVALUATION)
        (evaluation,) = history.state.evaluations
        assert evaluation.goal_progress == (
            GoalProgress(goal_id=GOAL_ID, status=ProgressStatus.AT_RISK),
        )
        assert evaluation.stakeholder_feedback == (
            StakeholderFeedback(source="team leader", text="Ben is calmer on difficult calls"),
        )
        assert evaluation.evaluated_at == NOW

    def test_an_evaluation_judges_goals_that_were_set(self) -> None:
        busy().refuse(
            attrs.evolve(
                EVALUATION,
                goal_progress=(GoalProgress(goal_id=UNKNOWN_ID, status=ProgressStatus.ON_TRACK),),
            ),
            Rule.REFERENCE_EXISTS,
            "goal_progress[0].goal_id",
            UNKNOWN_ID,
        )

    def test_an_evaluation_id_is_used_once(self) -> None:
        history = busy()
        history.record(EVALUATION)
        history.refuse(EVALUATION, Rule.UNIQUE_ID, "evaluation_id", UUID(int=0xE1))

    @pytest.mark.parametrize(
        ("change", "field", "named"),
        [
            (
                {
                    "goal_progress": (
                        GoalProgress(goal_id=GOAL_ID, status=ProgressStatus.ON_TRACK),
                        GoalProgress(goal_id=GOAL_ID, status=ProgressStatus.AT_RISK),
                    )
                },
                "goal_progress[1].goal_id",
                "each goal judged once",
            ),
            (
                {"goal_progress": (GoalProgress(goal_id=GOAL_ID, status="on_track"),)},
                "goal_progress[0].status",
                "at_risk",
            ),
            ({"goal_progress": ("on track",)}, "goal_progress[0]", "a GoalProgress"),
            ({"evidence": " "}, "evidence", "non-blank"),
            (
                {"stakeholder_feedback": (StakeholderFeedback(source="team leader", text=""),)},
                "stakeholder_feedback[0].text",
                "non-blank",
            ),
            (
                {"stakeholder_feedback": (StakeholderFeedback(source="Mrs\nOkafor", text="t"),)},
                "stakeholder_feedback[0].source",
                "single line",
            ),
            (
                {"stakeholder_feedback": ("great",)},
                "stakeholder_feedback[0]",
                "StakeholderFeedback",
            ),
        ],
    )
    def test_an_evaluation_is_checked(self, change: dict[str, Any], field: str, named: str) -> None:
        busy().reject(attrs.evolve(EVALUATION, **change), field, named)

    def test_every_judgement_names_a_goal(self) -> None:
        """A GoalProgress without a goal id would be recorded but could never be read back."""
        busy().reject(
            attrs.evolve(
                EVALUATION,
                goal_progress=(GoalProgress(goal_id=None, status=ProgressStatus.ON_TRACK),),
            ),
            "goal_progress[0].goal_id",
        )

    def test_an_evaluation_may_judge_no_goal(self) -> None:
        event = only(active().record(attrs.evolve(EVALUATION, goal_progress=())))
        assert event.goal_progress == ()


class TestWhatIsAcceptedCanBeStored:
    mapper = EventMapper(transcoder=JSONTranscoder())

    @given(
        # st.text never draws surrogates, so the text is joined from single characters.
        st.lists(
            st.one_of(
                st.characters(),
                st.sampled_from(["\ud800", "\udfff", "\x00", "\x85", "\u2028", "\n", "\t"]),
            ),
            min_size=1,
            max_size=12,
        ).map("".join)
    )
    def test_any_feedback_text_that_decide_accepts_reads_back(self, text: str) -> None:
        state = busy().state
        try:
            (event,) = decide_relationship(
                attrs.evolve(example(cmd.GiveFeedback), text=text), state, decision_context()
            )
        except MentoringError:
            return
        assert self.mapper.to_domain_event(self.mapper.to_stored_event(event)) == event

    def test_a_lone_surrogate_is_refused(self) -> None:
        busy().reject(attrs.evolve(example(cmd.GiveFeedback), text="Well done \udc80"), "text")


# --- Decide and evolve ---------------------------------------------------------------


class TestDecideIsPure:
    @pytest.mark.parametrize("command", ONE_OF_EACH, ids=lambda c: type(c).__name__)
    def test_the_same_inputs_give_the_same_outcome(self, command: Any) -> None:
        state = busy().state

        def outcome() -> object:
            try:
                return decide_relationship(command, state, decision_context())
            except MentoringError as error:
                return (type(error), str(error))

        first = outcome()
        assert first == outcome()
        assert state == busy().state

    def test_ids_and_time_come_from_the_context(self) -> None:
        state = busy().state
        later = NOW + timedelta(days=3)
        event = only(
            decide_relationship(
                example(cmd.GiveFeedback),
                state,
                decision_context(now=later, actor="ana", first_id=77),
            )
        )
        assert (event.event_id, event.recorded_at, event.occurred_at, event.actor) == (
            UUID(int=77),
            later,
            later,
            "ana",
        )
        assert event.version == state.version + 1
        assert event.aggregate_id == RELATIONSHIP_ID

    def test_a_refused_command_returns_nothing_and_changes_nothing(self) -> None:
        history = busy()
        before = history.state
        with pytest.raises(MentoringError):
            history.record(cmd.ResumeRelationship())
        assert history.state is before
        assert len(history.events) == 7


NOT_IN_THE_STORY = (
    cmd.AcceptPairing,
    cmd.DeclinePairing,
    cmd.AgreeExpectations,
    cmd.AchieveGoal,
    cmd.AgreeSchedule,
    cmd.ResumeRelationship,
    cmd.EndRelationship,
)


def story() -> list[History]:
    """Histories that between them record every relationship event type."""
    proposed = relationship_history(direct=False)
    proposed.record(cmd.AcceptPairing(accepted_by="ben", occurred_at=NOW - timedelta(days=29)))
    for command in (
        cmd.AgreeExpectations(expectations=("Meet weekly in paid hours",)),
        SET_LISTENING_GOAL,
        ACTIVITY,
        MILESTONE,
        cmd.AgreeSchedule(schedule=WEEKLY_HOUR),
        HOUR_ONE_ON_ONE,
        *(c for c in ONE_OF_EACH if not isinstance(c, NOT_IN_THE_STORY)),
        cmd.ResumeRelationship(),
        cmd.AchieveGoal(goal_id=OTHER_GOAL_ID, evidence="Four weeks in a row"),
        cmd.RecordMeetingCancelled(meeting_id=UUID(int=0x3E3), cancelled_by="ben", reason="r"),
        example(cmd.EndRelationship),
    ):
        proposed.record(command)
    declined = relationship_history(direct=False)
    declined.record(example(cmd.DeclinePairing))
    return [proposed, declined, relationship_history()]


class TestEvolve:
    def test_the_story_records_every_relationship_event_type(self) -> None:
        recorded = {type(e) for history in story() for e in history.events}
        assert recorded == set(RELATIONSHIP.event_types)

    def test_every_event_changes_the_state(self) -> None:
        for history in story():
            state = RelationshipState()
            for event in history.events:
                after = evolve_relationship(state, event)
                assert after.version == event.version
                assert attrs.evolve(after, version=state.version) != state, event
                state = after

    def test_folding_again_gives_the_same_state(self) -> None:
        for history in story():
            assert history.refold() == history.state
            assert history.state.version == len(history.events)

    def test_the_story_ends_with_everything_in_the_state(self) -> None:
        state = story()[0].state
        assert state.status is RelationshipStatus.ENDED
        assert {g.goal_id: g.status for g in state.goals} == {
            GOAL_ID: GoalStatus.ABANDONED,
            OTHER_GOAL_ID: GoalStatus.ACHIEVED,
        }
        assert state.goal(GOAL_ID).revisions == 1
        assert len(state.plan) == 2 and state.activity(ACTIVITY_ID).completed_at == NOW
        assert len(state.milestones) == 2 and state.milestone(MILESTONE_ID).reached_at == NOW
        assert state.schedule == FORTNIGHTLY_ON_VIDEO and state.schedule_changes == 1
        assert [m.outcome for m in state.meetings] == [
            MeetingOutcome.HELD,
            MeetingOutcome.HELD,
            MeetingOutcome.MISSED,
            MeetingOutcome.CANCELLED,
            MeetingOutcome.CANCELLED,
        ]
        assert state.meeting(MEETING_ID).duration_minutes == 45
        assert len(state.feedback) == len(state.reflections) == len(state.evaluations) == 1
        assert state.expectations == ("Meet weekly in paid hours",)
        assert state.formed_at == NOW - timedelta(days=29) and state.proposed_at == NOW - timedelta(
            days=30
        )
        assert state.ended is not None and state.ended.reason is EndReason.COMPLETED

    def test_events_are_facts_and_are_not_checked(self) -> None:
        """Evolve folds what was recorded, even what decide would refuse today."""
        state = paused().state
        meeting = attrs.evolve(
            paused().events[-2], event_id=UUID(int=0x999), version=9, meeting_id=NEW_MEETING_ID
        )
        after = evolve_relationship(state, meeting)
        assert after.meeting(NEW_MEETING_ID) is not None
        assert after.status is RelationshipStatus.PAUSED

    def test_a_revision_changing_nothing_recorded_before_the_rule_still_folds(self) -> None:
        """A history may hold a GoalRevised that changed nothing (decided before the rule
        ``changes-something``): it folds as a revision, as it always did."""
        history = busy()
        revision = only(
            history.record(
                cmd.ReviseGoal(goal_id=GOAL_ID, reason="Easter", target_date=date(2025, 7, 31))
            )
        )
        again = attrs.evolve(
            revision, event_id=UUID(int=0x998), version=revision.version + 1, reason="Again"
        )
        history.apply(again)
        goal = history.state.goal(GOAL_ID)
        assert goal is not None
        assert (goal.title, goal.target_date, goal.revisions) == (
            SET_LISTENING_GOAL.title,
            date(2025, 7, 31),
            2,
        )
        assert history.state.version == again.version
        assert history.refold() == history.state

    @pytest.mark.parametrize(
        "command",
        [
            cmd.ChangeSchedule(schedule=FORTNIGHTLY_ON_VIDEO, reason="Moved"),
            cmd.CorrectMeetingRecord(meeting_id=MEETING_ID, duration_minutes=45, reason="45"),
        ],
        ids=lambda c: type(c).__name__,
    )
    def test_a_change_recorded_twice_before_the_rule_still_folds(self, command: Any) -> None:
        """The same schedule change or correction stored twice (the second changing
        nothing, decided before the rule ``changes-something``) folds as two."""
        history = busy()
        first = only(history.record(command))
        history.apply(attrs.evolve(first, event_id=UUID(int=0x997), version=first.version + 1))
        state = history.state
        assert state.schedule == (
            FORTNIGHTLY_ON_VIDEO if isinstance(command, cmd.ChangeSchedule) else WEEKLY_HOUR
        )
        meeting = state.meeting(MEETING_ID)
        assert meeting is not None
        if isinstance(command, cmd.ChangeSchedule):
            assert state.schedule_changes == 2
        else:
            assert (meeting.duration_minutes, len(meeting.corrected_by_event_ids)) == (45, 2)
        assert history.refold() == state

    def test_a_correction_after_the_end_keeps_it_ended(self) -> None:
        history = ended()
        history.record(example(cmd.CorrectMeetingRecord))
        assert history.state.status is RelationshipStatus.ENDED
        assert isinstance(history.events[-2], RelationshipEnded)
