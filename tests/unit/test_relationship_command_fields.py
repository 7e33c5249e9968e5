"""Every field of every relationship command refuses a bad value, naming the field.

A refused field raises ``InvalidValue`` whose ``field`` is the command's field
(``ratings[1].score`` for an item) and whose ``expected`` says what the domain
accepts; nothing is recorded. The limits hold exactly at their bounds: person
ids up to 200 characters (``ID_MAX``), titles, topics and sources up to 500
(``TITLE_MAX``), meetings from 1 minute to a day, scores from 1 to 5.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

import attrs
import pytest
from scenarios import (
    ACTIVITY_ID,
    GOAL_ID,
    HOUR_ONE_ON_ONE,
    MEETING_ID,
    MILESTONE_ID,
    SET_LISTENING_GOAL,
    WEEKLY_HOUR,
    History,
    programme_history,
    relationship_history,
)
from strategies import NOW

from mentoring_core.domain import commands as cmd
from mentoring_core.domain.errors import shown
from mentoring_core.domain.values import Role
from mentoring_core.values import (
    Cadence,
    DeclineReason,
    EndReason,
    FeedbackKind,
    FocusArea,
    GoalProgress,
    MeetingFormat,
    ProgressStatus,
    Rating,
    StakeholderFeedback,
)

NEW_ID = UUID("7e570000-0000-4000-8000-000000000001")
PERSON_200 = "p" * 200
PERSON_201 = "p" * 201
TITLE_500 = "t" * 500
TITLE_501 = "t" * 501

FOCUS_AREAS = "one of " + ", ".join(str(m.value) for m in FocusArea)
MEETING_FORMATS = "one of " + ", ".join(str(m.value) for m in MeetingFormat)
PROGRESS = "one of " + ", ".join(str(m.value) for m in ProgressStatus)
FEEDBACK_KINDS = "one of " + ", ".join(str(m.value) for m in FeedbackKind)
DECLINE_REASONS = "one of " + ", ".join(str(m.value) for m in DeclineReason)
END_REASONS = "one of " + ", ".join(str(m.value) for m in EndReason)
A_MEETING = "a whole number from 1 to 1440"


def proposed() -> History:
    """Ana and Ben proposed to each other, not yet answered."""
    return relationship_history(direct=False)


def working() -> History:
    """Ana and Ben with a goal, an open activity and milestone, a weekly hour and a meeting."""
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


def _with_200(direct: bool) -> History:
    """Ana and a mentee whose id is 200 characters long (people named must be participants)."""
    people = ((PERSON_200, Role.MENTEE, Decimal(1)), ("ana", Role.MENTOR, Decimal(12)))
    return relationship_history(
        mentee=PERSON_200, direct=direct, programme=programme_history(people=people)
    )


def proposed_200() -> History:
    return _with_200(direct=False)


def working_200() -> History:
    return _with_200(direct=True)


REVISE = cmd.ReviseGoal(goal_id=GOAL_ID, reason="Refocused after the review")
ADD_ACTIVITY = cmd.AddPlanActivity(
    activity_id=NEW_ID, description="Read the guide", due_date=date(2025, 4, 1)
)
SET_MILESTONE = cmd.SetMilestone(
    milestone_id=NEW_ID, description="Second meeting led", target_date=date(2025, 6, 1)
)
MISSED = cmd.RecordMeetingMissed(meeting_id=NEW_ID, missed_by="ben", reason="On a call-out")
CANCELLED = cmd.RecordMeetingCancelled(meeting_id=NEW_ID, cancelled_by="ana", reason="Ana ill")
CORRECTION = cmd.CorrectMeetingRecord(meeting_id=MEETING_ID, reason="Logged wrongly")
FEEDBACK = cmd.GiveFeedback(
    feedback_id=NEW_ID,
    from_person="ana",
    to_person="ben",
    kind=FeedbackKind.RECOGNITION,
    text="You let the family speak first.",
)
REFLECTION = cmd.RecordReflection(
    reflection_id=NEW_ID,
    ratings=(Rating(focus_area=FocusArea.COMMUNICATION, score=3),),
    text="I still rush to fill silences.",
)
EVALUATION = cmd.EvaluateProgress(
    evaluation_id=NEW_ID,
    goal_progress=(GoalProgress(goal_id=GOAL_ID, status=ProgressStatus.ON_TRACK),),
    evidence="Ben led one family meeting",
)

Case = tuple[Callable[[], History], Any, str, str]

BAD_FIELDS: list[Case] = [
    (proposed, cmd.AcceptPairing(accepted_by=None), "accepted_by", "a text"),
    (
        proposed,
        cmd.AcceptPairing(accepted_by=PERSON_201),
        "accepted_by",
        "at most 200 characters, got 201",
    ),
    (
        proposed,
        cmd.DeclinePairing(declined_by="", reason=DeclineReason.OTHER, explanation="Busy"),
        "declined_by",
        "a non-blank text",
    ),
    (
        proposed,
        cmd.DeclinePairing(declined_by="ben", reason="busy", explanation="Busy"),
        "reason",
        DECLINE_REASONS,
    ),
    (
        proposed,
        cmd.DeclinePairing(declined_by="ben", reason=DeclineReason.OTHER, explanation=" "),
        "explanation",
        "a non-blank text",
    ),
    (working, cmd.AgreeExpectations(expectations=None), "expectations", "a list"),
    (working, attrs.evolve(SET_LISTENING_GOAL, goal_id="g"), "goal_id", "a UUID"),
    (
        working,
        attrs.evolve(SET_LISTENING_GOAL, goal_id=NEW_ID, title=TITLE_501),
        "title",
        "at most 500 characters, got 501",
    ),
    (working, attrs.evolve(REVISE, goal_id=str(GOAL_ID)), "goal_id", "a UUID"),
    (working, attrs.evolve(REVISE, title=TITLE_501), "title", "at most 500 characters, got 501"),
    (
        working,
        attrs.evolve(REVISE, title="Two\nlines"),
        "title",
        "a single line without control, line-separator or text-direction characters",
    ),
    (working, attrs.evolve(REVISE, focus_area="wellbeing"), "focus_area", FOCUS_AREAS),
    (working, attrs.evolve(REVISE, success_measure=""), "success_measure", "a non-blank text"),
    (
        working,
        attrs.evolve(REVISE, target_date="2025-09-01"),
        "target_date",
        "a date (a calendar day, not a datetime)",
    ),
    (working, attrs.evolve(REVISE, reason=None), "reason", "a text"),
    (working, cmd.AchieveGoal(goal_id=GOAL_ID, evidence=None), "evidence", "a text"),
    (working, cmd.AbandonGoal(goal_id="g", reason="Moved team"), "goal_id", "a UUID"),
    (working, cmd.AbandonGoal(goal_id=GOAL_ID, reason=""), "reason", "a non-blank text"),
    (working, attrs.evolve(ADD_ACTIVITY, activity_id="a"), "activity_id", "a UUID"),
    (working, attrs.evolve(ADD_ACTIVITY, description=" "), "description", "a non-blank text"),
    (
        working,
        attrs.evolve(ADD_ACTIVITY, due_date=NOW),
        "due_date",
        "a date (a calendar day, not a datetime)",
    ),
    (working, attrs.evolve(ADD_ACTIVITY, goal_id=str(GOAL_ID)), "goal_id", "a UUID"),
    (
        working,
        cmd.CompletePlanActivity(activity_id=str(ACTIVITY_ID), notes="Done"),
        "activity_id",
        "a UUID",
    ),
    (
        working,
        cmd.CompletePlanActivity(activity_id=ACTIVITY_ID, notes=""),
        "notes",
        "a non-blank text",
    ),
    (working, attrs.evolve(SET_MILESTONE, milestone_id=7), "milestone_id", "a UUID"),
    (working, attrs.evolve(SET_MILESTONE, description=""), "description", "a non-blank text"),
    (
        working,
        attrs.evolve(SET_MILESTONE, target_date=date(1949, 12, 31)),
        "target_date",
        "a date from 1950-01-01 to 2200-01-01",
    ),
    (working, attrs.evolve(SET_MILESTONE, goal_id="g"), "goal_id", "a UUID"),
    (
        working,
        cmd.ReachMilestone(milestone_id=str(MILESTONE_ID), notes="Went well"),
        "milestone_id",
        "a UUID",
    ),
    (
        working,
        cmd.ReachMilestone(milestone_id=MILESTONE_ID, notes=None),
        "notes",
        "a text",
    ),
    (
        working,
        cmd.ChangeSchedule(schedule="fortnightly", reason="Moved"),
        "schedule",
        "a MeetingSchedule",
    ),
    (
        working,
        cmd.ChangeSchedule(schedule=WEEKLY_HOUR, reason=""),
        "reason",
        "a non-blank text",
    ),
    (
        working,
        attrs.evolve(HOUR_ONE_ON_ONE, meeting_id=str(NEW_ID)),
        "meeting_id",
        "a UUID",
    ),
    (
        working,
        attrs.evolve(HOUR_ONE_ON_ONE, meeting_id=NEW_ID, format="video"),
        "format",
        MEETING_FORMATS,
    ),
    (
        working,
        attrs.evolve(HOUR_ONE_ON_ONE, meeting_id=NEW_ID, topics=(TITLE_501,)),
        "topics[0]",
        "at most 500 characters, got 501",
    ),
    (
        working,
        attrs.evolve(HOUR_ONE_ON_ONE, meeting_id=NEW_ID, attendees="carla"),
        "attendees",
        "a list",
    ),
    (working, attrs.evolve(MISSED, meeting_id="m"), "meeting_id", "a UUID"),
    (
        working,
        attrs.evolve(MISSED, missed_by=PERSON_201),
        "missed_by",
        "at most 200 characters, got 201",
    ),
    (working, attrs.evolve(MISSED, reason=" "), "reason", "a non-blank text"),
    (working, attrs.evolve(CANCELLED, meeting_id="m"), "meeting_id", "a UUID"),
    (
        working,
        attrs.evolve(CANCELLED, cancelled_by=PERSON_201),
        "cancelled_by",
        "at most 200 characters, got 201",
    ),
    (working, attrs.evolve(CANCELLED, reason=""), "reason", "a non-blank text"),
    (
        working,
        attrs.evolve(CORRECTION, meeting_id=str(MEETING_ID), duration_minutes=45),
        "meeting_id",
        "a UUID",
    ),
    (
        working,
        attrs.evolve(CORRECTION, held_at=datetime(1949, 12, 31, tzinfo=UTC)),
        "held_at",
        "a moment not before 1950-01-01",
    ),
    (
        working,
        attrs.evolve(CORRECTION, held_at=NOW + timedelta(seconds=1)),
        "held_at",
        f"a moment not after now ({NOW.isoformat()})",
    ),
    (working, attrs.evolve(CORRECTION, duration_minutes=1441), "duration_minutes", A_MEETING),
    (working, attrs.evolve(CORRECTION, duration_minutes="45"), "duration_minutes", A_MEETING),
    (working, attrs.evolve(CORRECTION, format="video"), "format", MEETING_FORMATS),
    (working, attrs.evolve(CORRECTION, topics=("ok", "")), "topics[1]", "a non-blank text"),
    (working, attrs.evolve(CORRECTION, topics=(), reason=None), "reason", "a text"),
    (working, attrs.evolve(FEEDBACK, feedback_id="f"), "feedback_id", "a UUID"),
    (
        working,
        attrs.evolve(FEEDBACK, from_person=PERSON_201),
        "from_person",
        "at most 200 characters, got 201",
    ),
    (
        working,
        attrs.evolve(FEEDBACK, to_person=PERSON_201),
        "to_person",
        "at most 200 characters, got 201",
    ),
    (working, attrs.evolve(FEEDBACK, kind="praise"), "kind", FEEDBACK_KINDS),
    (working, attrs.evolve(FEEDBACK, about_goal_id="g"), "about_goal_id", "a UUID"),
    (working, attrs.evolve(FEEDBACK, about_meeting_id="m"), "about_meeting_id", "a UUID"),
    (working, attrs.evolve(FEEDBACK, text=None), "text", "a text"),
    (working, attrs.evolve(REFLECTION, reflection_id="r"), "reflection_id", "a UUID"),
    (working, attrs.evolve(REFLECTION, ratings="communication: 3"), "ratings", "a list"),
    (working, attrs.evolve(REFLECTION, ratings=("3",)), "ratings[0]", "a Rating"),
    (
        working,
        attrs.evolve(
            REFLECTION,
            ratings=(
                Rating(focus_area=FocusArea.COMMUNICATION, score=3),
                Rating(focus_area=FocusArea.COMMUNICATION, score=4),
            ),
        ),
        "ratings[1].focus_area",
        "each focus area rated once",
    ),
    (
        working,
        attrs.evolve(REFLECTION, ratings=(Rating(focus_area=FocusArea.TEAMWORK, score=6),)),
        "ratings[0].score",
        "a whole number from 1 to 5",
    ),
    (working, attrs.evolve(REFLECTION, text=""), "text", "a non-blank text"),
    (working, attrs.evolve(EVALUATION, evaluation_id="e"), "evaluation_id", "a UUID"),
    (working, attrs.evolve(EVALUATION, goal_progress="on track"), "goal_progress", "a list"),
    (
        working,
        attrs.evolve(EVALUATION, goal_progress=("on track",)),
        "goal_progress[0]",
        "a GoalProgress",
    ),
    (
        working,
        attrs.evolve(
            EVALUATION,
            goal_progress=(GoalProgress(goal_id=str(GOAL_ID), status=ProgressStatus.ON_TRACK),),
        ),
        "goal_progress[0].goal_id",
        "a UUID",
    ),
    (
        working,
        attrs.evolve(EVALUATION, goal_progress=(GoalProgress(goal_id=GOAL_ID, status="on_track"),)),
        "goal_progress[0].status",
        PROGRESS,
    ),
    (
        working,
        attrs.evolve(
            EVALUATION,
            goal_progress=(
                GoalProgress(goal_id=GOAL_ID, status=ProgressStatus.ON_TRACK),
                GoalProgress(goal_id=GOAL_ID, status=ProgressStatus.OFF_TRACK),
            ),
        ),
        "goal_progress[1].goal_id",
        "each goal judged once",
    ),
    (working, attrs.evolve(EVALUATION, evidence=None), "evidence", "a text"),
    (
        working,
        attrs.evolve(EVALUATION, stakeholder_feedback="great"),
        "stakeholder_feedback",
        "a list",
    ),
    (
        working,
        attrs.evolve(EVALUATION, stakeholder_feedback=("great",)),
        "stakeholder_feedback[0]",
        "a StakeholderFeedback",
    ),
    (
        working,
        attrs.evolve(
            EVALUATION,
            stakeholder_feedback=(StakeholderFeedback(source=TITLE_501, text="Calmer"),),
        ),
        "stakeholder_feedback[0].source",
        "at most 500 characters, got 501",
    ),
    (
        working,
        attrs.evolve(
            EVALUATION,
            stakeholder_feedback=(StakeholderFeedback(source="team leader", text=None),),
        ),
        "stakeholder_feedback[0].text",
        "a text",
    ),
    (working, cmd.PauseRelationship(reason=None), "reason", "a text"),
    (
        working,
        cmd.EndRelationship(reason="completed", explanation="Done"),
        "reason",
        END_REASONS,
    ),
    (
        working,
        cmd.EndRelationship(reason=EndReason.COMPLETED, explanation=None),
        "explanation",
        "a text",
    ),
]


@pytest.mark.parametrize(
    ("start", "command", "field", "expected"),
    BAD_FIELDS,
    ids=[f"{type(case[1]).__name__}-{case[2]}" for case in BAD_FIELDS],
)
def test_a_bad_field_is_refused_by_name(
    start: Callable[[], History], command: Any, field: str, expected: str
) -> None:
    error = start().reject(command, field)
    assert error.expected == expected


# --- Bounds that are accepted --------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "command", "field"),
    [
        (proposed_200, cmd.AcceptPairing(accepted_by=PERSON_200), "accepted_by"),
        (
            proposed_200,
            cmd.DeclinePairing(
                declined_by=PERSON_200, reason=DeclineReason.OTHER, explanation="Busy"
            ),
            "declined_by",
        ),
        (working_200, attrs.evolve(MISSED, missed_by=PERSON_200), "missed_by"),
        (working, attrs.evolve(CANCELLED, cancelled_by=PERSON_200), "cancelled_by"),
        (
            working_200,
            attrs.evolve(FEEDBACK, from_person=PERSON_200, to_person="ana"),
            "from_person",
        ),
        (
            working_200,
            attrs.evolve(FEEDBACK, from_person="ana", to_person=PERSON_200),
            "to_person",
        ),
    ],
    ids=lambda value: value if isinstance(value, str) else "",
)
def test_a_person_id_of_200_characters_is_accepted(
    start: Callable[[], History], command: Any, field: str
) -> None:
    (event,) = start().record(command)
    assert getattr(event, field) == PERSON_200


def test_a_declined_pairing_of_201_characters_is_refused() -> None:
    error = proposed().reject(
        cmd.DeclinePairing(declined_by=PERSON_201, reason=DeclineReason.OTHER, explanation="x"),
        "declined_by",
    )
    assert error.expected == "at most 200 characters, got 201"


def test_a_goal_title_of_500_characters_is_accepted_when_set_and_revised() -> None:
    history = working()
    (set_event,) = history.record(attrs.evolve(SET_LISTENING_GOAL, goal_id=NEW_ID, title=TITLE_500))
    assert set_event.title == TITLE_500
    (revised,) = history.record(attrs.evolve(REVISE, title="r" * 500))
    assert revised.title == "r" * 500
    assert history.state.goal(GOAL_ID).title == "r" * 500


def test_topics_and_sources_of_500_characters_are_accepted() -> None:
    history = working()
    (held,) = history.record(
        attrs.evolve(HOUR_ONE_ON_ONE, meeting_id=NEW_ID, topics=(TITLE_500,), attendees=())
    )
    assert held.topics == (TITLE_500,)
    (evaluation,) = history.record(
        attrs.evolve(
            EVALUATION,
            stakeholder_feedback=(StakeholderFeedback(source=TITLE_500, text="Calmer"),),
        )
    )
    assert evaluation.stakeholder_feedback[0].source == TITLE_500


@pytest.mark.parametrize("minutes", [1, 1440])
def test_a_schedule_from_1_minute_to_a_day_is_agreed_and_changed(minutes: int) -> None:
    schedule = attrs.evolve(WEEKLY_HOUR, duration_minutes=minutes)
    history = relationship_history()
    (agreed,) = history.record(cmd.AgreeSchedule(schedule=schedule))
    assert agreed.schedule.duration_minutes == minutes
    fortnightly = attrs.evolve(schedule, cadence=Cadence.fortnightly())
    (changed,) = history.record(cmd.ChangeSchedule(schedule=fortnightly, reason="Fortnightly"))
    assert changed.schedule == fortnightly
    assert history.state.schedule_changes == 1


@pytest.mark.parametrize("minutes", [0, 1441])
def test_a_changed_schedule_still_lasts_from_1_minute_to_a_day(minutes: int) -> None:
    error = working().reject(
        cmd.ChangeSchedule(
            schedule=attrs.evolve(WEEKLY_HOUR, duration_minutes=minutes), reason="Longer"
        ),
        "schedule.duration_minutes",
    )
    assert error.expected == A_MEETING


@pytest.mark.parametrize("minutes", [1, 1440])
def test_a_correction_from_1_minute_to_a_day_is_accepted(minutes: int) -> None:
    history = working()
    (event,) = history.record(attrs.evolve(CORRECTION, duration_minutes=minutes))
    assert event.duration_minutes == minutes
    assert history.state.meeting(MEETING_ID).duration_minutes == minutes


def test_a_correction_to_a_meeting_held_right_now_is_accepted() -> None:
    history = working()
    (event,) = history.record(attrs.evolve(CORRECTION, held_at=NOW))
    assert event.held_at == NOW


@pytest.mark.parametrize("score", [1, 5])
def test_a_self_assessment_scores_from_1_to_5(score: int) -> None:
    ratings = (Rating(focus_area=FocusArea.TEAMWORK, score=score),)
    (event,) = working().record(attrs.evolve(REFLECTION, ratings=ratings))
    assert event.ratings == ratings


def test_a_self_assessment_rates_each_focus_area_once_but_may_rate_several() -> None:
    ratings = tuple(Rating(focus_area=area, score=3) for area in FocusArea)
    (event,) = working().record(attrs.evolve(REFLECTION, ratings=ratings))
    assert event.ratings == ratings


def test_an_evaluation_without_stakeholders_is_accepted() -> None:
    history = working()
    (event,) = history.record(attrs.evolve(EVALUATION, stakeholder_feedback=()))
    assert event.stakeholder_feedback == ()
    assert history.state.evaluations[0].stakeholder_feedback == ()


def test_an_evaluation_judges_each_of_several_goals_once() -> None:
    history = working()
    other = UUID("60a10000-0000-4000-8000-00000000000f")
    history.record(attrs.evolve(SET_LISTENING_GOAL, goal_id=other, title="Another goal"))
    progress = (
        GoalProgress(goal_id=GOAL_ID, status=ProgressStatus.ON_TRACK),
        GoalProgress(goal_id=other, status=ProgressStatus.AT_RISK),
    )
    (event,) = history.record(attrs.evolve(EVALUATION, goal_progress=progress))
    assert event.goal_progress == progress


def test_a_meeting_without_topics_or_attendees_is_accepted() -> None:
    history = working()
    (event,) = history.record(
        attrs.evolve(HOUR_ONE_ON_ONE, meeting_id=NEW_ID, topics=(), attendees=())
    )
    assert (event.topics, event.attendees) == ((), ())


# --- Titles are one line, and read as written -------------------------------------------

LINE_OR_DIRECTION = ["\u2028", "\u2029", "\u202a", "\u202e", "\u2066", "\u2069"]
"""Line and paragraph separators, and text-direction embeddings, overrides and isolates:
a title holding one was recorded (shown as two lines, or as another text: "\u202e" turns
what follows around, CVE-2021-42574)."""


def _code_point(character: str) -> str:
    """The character's id as U+XXXX: an id is made again each time the tests are
    collected, and one made by ``ascii`` is escaped once more at each collection in the
    same process (mutmut's clean run, after its listing, found none of them)."""
    return f"U+{ord(character):04X}"


@pytest.mark.parametrize("character", LINE_OR_DIRECTION, ids=_code_point)
def test_a_title_or_topic_breaking_the_line_or_turning_the_text_is_refused(
    character: str,
) -> None:
    text = f"Listening{character}skills"
    goal = attrs.evolve(SET_LISTENING_GOAL, goal_id=NEW_ID, title=text)
    working().reject(goal, "title", "text-direction")
    meeting = attrs.evolve(HOUR_ONE_ON_ONE, meeting_id=NEW_ID, topics=("caseload", text))
    working().reject(meeting, "topics[1]", "line-separator")
    expectations = cmd.AgreeExpectations(expectations=(text,))
    working().reject(expectations, "expectations[0]", "control")


def test_a_title_in_another_script_with_its_own_marks_is_accepted() -> None:
    """Right-to-left letters, and the left-to-right and right-to-left marks (U+200E,
    U+200F) that place text beside them, are not direction overrides."""
    title = "تحسين الاستماع\u200f (listening)"
    history = working()
    (event,) = history.record(attrs.evolve(SET_LISTENING_GOAL, goal_id=NEW_ID, title=title))
    assert event.title == title


# --- The refused value is handed back ------------------------------------------------

SAME_FOCUS_TWICE = (
    Rating(focus_area=FocusArea.COMMUNICATION, score=3),
    Rating(focus_area=FocusArea.COMMUNICATION, score=4),
)
SAME_GOAL_TWICE = (
    GoalProgress(goal_id=GOAL_ID, status=ProgressStatus.ON_TRACK),
    GoalProgress(goal_id=GOAL_ID, status=ProgressStatus.AT_RISK),
)


@pytest.mark.parametrize(
    ("command", "field", "value"),
    [
        (cmd.AgreeSchedule(schedule="weekly"), "schedule", "weekly"),
        (attrs.evolve(REFLECTION, ratings=("3", "4")), "ratings[0]", "3"),
        (
            attrs.evolve(REFLECTION, ratings=SAME_FOCUS_TWICE),
            "ratings[1].focus_area",
            FocusArea.COMMUNICATION,
        ),
        (attrs.evolve(EVALUATION, goal_progress=("on track",)), "goal_progress[0]", "on track"),
        (
            attrs.evolve(EVALUATION, goal_progress=SAME_GOAL_TWICE),
            "goal_progress[1].goal_id",
            GOAL_ID,
        ),
        (
            attrs.evolve(EVALUATION, stakeholder_feedback=("great",)),
            "stakeholder_feedback[0]",
            "great",
        ),
    ],
    ids=lambda value: value if isinstance(value, str) and "[" in value else None,
)
def test_the_refused_value_is_named(command: Any, field: str, value: object) -> None:
    history = relationship_history()
    history.record(SET_LISTENING_GOAL)
    error = history.reject(command, field, shown(value))
    assert error.value == value
