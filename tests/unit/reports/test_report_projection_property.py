"""For random valid histories, the incremental projection reports what a straight fold reports.

Valid histories come from random commands sent to a memory store (refused ones are
simply not recorded). The projection is stopped midway and resumed by a new
projection on the same read model, with more events recorded in between; the
batch sizes are random too. A report produced live at a moment must also equal
the report asked for later ``as_of`` that moment.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any, cast
from uuid import UUID

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import cadence_tiers

from mentoring_core import MentoringError, MentoringService
from mentoring_core.events import ProgrammeEvent, RelationshipEvent
from mentoring_core.projections import (
    ComplianceProjection,
    MemoryComplianceView,
    build_compliance_report,
)
from mentoring_core.reports import (
    ComplianceReport,
    compliance_report,
    fold_programme_facts,
    fold_relationship_facts,
)
from mentoring_core.values import (
    Cadence,
    DeclineReason,
    EndReason,
    FeedbackKind,
    FocusArea,
    GoalProgress,
    MeetingFormat,
    MeetingSchedule,
    Participation,
    ProgrammePolicy,
    ProgressStatus,
    Rating,
    Role,
)

START = datetime(2025, 1, 6, 9, 0, tzinfo=UTC)
MENTORS = ("ana", "carla", "farid")
MENTEES = ("ben", "dan", "eve")
PROGRAMME = UUID(int=1)


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now


def policies() -> st.SearchStrategy[ProgrammePolicy]:
    """Valid policies whose pairing rules let anyone mentor anyone, as often as drawn."""
    return st.builds(
        ProgrammePolicy,
        cadence=cadence_tiers(),
        minimum_meeting_minutes=st.integers(15, 120),
        participation=st.just(Participation.VOLUNTARY),
        minimum_experience_gap_years=st.just(Decimal(0)),
        review_interval_days=st.integers(7, 120),
        max_mentees_per_mentor=st.none(),
        max_active_mentors_per_mentee=st.none(),
    )


OPERATIONS = st.one_of(
    st.tuples(st.just("pair"), st.integers(0, 2), st.integers(0, 2), st.booleans()),
    st.tuples(st.just("accept"), st.integers(0, 9)),
    st.tuples(st.just("decline"), st.integers(0, 9)),
    st.tuples(
        st.just("schedule"),
        st.integers(0, 9),
        st.sampled_from(
            (Cadence.weekly(), Cadence.fortnightly(), Cadence.monthly(), Cadence.every(10))
        ),
    ),
    st.tuples(st.just("held"), st.integers(0, 9), st.integers(10, 120)),
    st.tuples(st.just("held"), st.integers(0, 9), st.integers(10, 120)),
    st.tuples(st.just("held"), st.integers(0, 9), st.integers(10, 120)),
    st.tuples(st.just("missed"), st.integers(0, 9)),
    st.tuples(st.just("cancelled"), st.integers(0, 9)),
    st.tuples(st.just("correct"), st.integers(0, 9), st.integers(10, 120), st.integers(0, 48)),
    st.tuples(st.just("pause"), st.integers(0, 9)),
    st.tuples(st.just("resume"), st.integers(0, 9)),
    st.tuples(st.just("end"), st.integers(0, 9), st.sampled_from(EndReason)),
    st.tuples(st.just("goal"), st.integers(0, 9), st.integers(-30, 90)),
    st.tuples(st.just("achieve"), st.integers(0, 9)),
    st.tuples(st.just("abandon"), st.integers(0, 9)),
    st.tuples(st.just("feedback"), st.integers(0, 9)),
    st.tuples(st.just("reflect"), st.integers(0, 9), st.lists(st.integers(1, 5), max_size=3)),
    st.tuples(
        st.just("review"), st.integers(0, 9), st.lists(st.sampled_from(ProgressStatus), max_size=3)
    ),
    st.tuples(st.just("activity"), st.integers(0, 9), st.integers(-30, 60)),
    st.tuples(st.just("milestone"), st.integers(0, 9), st.integers(-30, 60)),
    st.tuples(st.just("complete"), st.integers(0, 9)),
    st.tuples(st.just("reach"), st.integers(0, 9)),
    st.tuples(st.just("policy"), policies()),
)
"""One command each, with indexes into the relationships opened so far."""

STEPS = st.tuples(OPERATIONS, st.integers(1, 120), st.integers(0, 100))
"""An operation, the hours the clock moves before it, and how far back (in % of those hours)
it happened."""


def apply(service: MentoringService, clock: Clock, step: tuple[Any, int, int]) -> None:
    """Send one random command; a refused one records nothing, which is what we want."""
    operation, hours, lag = step
    before = clock.now
    clock.now = before + timedelta(hours=hours)
    when = clock.now - timedelta(hours=hours * lag / 100)
    relationships = service.programme(PROGRAMME).relationship_ids
    kind, *args = operation
    kw: dict[str, Any] = {"actor": "coord", "occurred_at": when}
    try:
        if kind == "pair":
            mentor, mentee, direct = MENTORS[args[0]], MENTEES[args[1]], args[2]
            opener = service.form_pair if direct else service.propose_pairing
            opener(PROGRAMME, mentor, mentee, **kw)
            return
        if kind == "policy":
            service.set_policy(PROGRAMME, args[0], **kw)
            return
        if not relationships:
            return
        rel = relationships[args[0] % len(relationships)]
        state = service.relationship(rel)
        match kind:
            case "accept":
                service.accept_pairing(rel, state.mentee_id, **kw)
            case "decline":
                service.decline_pairing(rel, state.mentee_id, DeclineReason.OTHER, "No", **kw)
            case "schedule":
                schedule = MeetingSchedule(
                    cadence=args[1], duration_minutes=60, format=MeetingFormat.VIDEO
                )
                if state.schedule is None:
                    service.agree_schedule(rel, schedule, **kw)
                else:
                    service.change_schedule(rel, schedule, "Changed", **kw)
            case "held":
                service.record_meeting_held(rel, args[1], MeetingFormat.ONE_ON_ONE, [], **kw)
            case "missed":
                service.record_meeting_missed(rel, state.mentee_id, "Ill", **kw)
            case "cancelled":
                service.record_meeting_cancelled(rel, state.mentor_id, "Busy", **kw)
            case "correct":
                held = [m for m in state.meetings if m.outcome == "held"]
                if held:
                    target = held[-1]
                    service.correct_meeting_record(
                        rel,
                        target.meeting_id,
                        "Fix",
                        duration_minutes=args[1],
                        held_at=max(target.occurred_at - timedelta(hours=args[2]), START),
                        **kw,
                    )
            case "pause":
                service.pause(rel, "Leave", **kw)
            case "resume":
                service.resume(rel, **kw)
            case "end":
                service.end(rel, args[1], "Done", **kw)
            case "goal":
                target_date = (when + timedelta(days=args[1])).date()
                service.set_goal(rel, "Goal", FocusArea.TEAMWORK, "Done", target_date, **kw)
            case "achieve" | "abandon":
                if state.open_goals:
                    goal = state.open_goals[0].goal_id
                    if kind == "achieve":
                        service.achieve_goal(rel, goal, "Evidence", **kw)
                    else:
                        service.abandon_goal(rel, goal, "Moved on", **kw)
            case "feedback":
                service.give_feedback(
                    rel, state.mentor_id, state.mentee_id, FeedbackKind.RECOGNITION, "Good", **kw
                )
            case "reflect":
                areas = list(FocusArea)
                ratings = [
                    Rating(focus_area=areas[i], score=score) for i, score in enumerate(args[1])
                ]
                service.record_reflection(rel, ratings, "Fine", **kw)
            case "review":
                judged = [
                    GoalProgress(goal_id=goal.goal_id, status=status)
                    for goal, status in zip(state.open_goals, args[1], strict=False)
                ]
                service.evaluate_progress(rel, judged, "Evidence", **kw)
            case "activity" | "milestone":
                due = (when + timedelta(days=args[1])).date()
                if kind == "activity":
                    service.add_plan_activity(rel, "Shadow", due, **kw)
                else:
                    service.set_milestone(rel, "Lead one", due, **kw)
            case "complete" | "reach":
                _complete_one(service, rel, state, kind, kw)
    except MentoringError:
        pass


def _complete_one(
    service: MentoringService, rel: UUID, state: Any, kind: str, kw: dict[str, Any]
) -> None:
    """Complete the first open plan activity, or reach the first milestone not reached."""
    if kind == "complete":
        open_activities = [a for a in state.plan if a.completed_at is None]
        if open_activities:
            service.complete_plan_activity(rel, open_activities[0].activity_id, "Done", **kw)
    else:
        open_milestones = [m for m in state.milestones if m.reached_at is None]
        if open_milestones:
            service.reach_milestone(rel, open_milestones[0].milestone_id, "Done", **kw)


PAIRS = st.lists(
    st.tuples(st.integers(0, 2), st.integers(0, 2), st.sampled_from((True, True, False))),
    min_size=1,
    max_size=3,
    unique_by=lambda pair: (pair[0], pair[1]),  # a pair is not opened twice at once
)
"""The pairs opened at the start: mentor, mentee, formed directly (or only proposed)."""


def set_up(
    service: MentoringService, policy: ProgrammePolicy, pairs: list[tuple[int, int, bool]]
) -> None:
    service.create_programme("Property", "Org", programme_id=PROGRAMME, actor="coord")
    service.set_policy(PROGRAMME, policy, actor="coord")
    for person in MENTORS:
        service.enrol(PROGRAMME, person, Role.MENTOR, 10, actor="coord")
    for person in MENTEES:
        service.enrol(PROGRAMME, person, Role.MENTEE, 1, actor="coord")
    for mentor, mentee, direct in pairs:
        opener = service.form_pair if direct else service.propose_pairing
        opener(PROGRAMME, MENTORS[mentor], MENTEES[mentee], actor="coord")


def straight_fold(service: MentoringService, now: datetime) -> ComplianceReport:
    programme = fold_programme_facts(cast(list[ProgrammeEvent], service.history(PROGRAMME)))
    relationships = [
        fold_relationship_facts(cast(list[RelationshipEvent], service.history(r)))
        for r in programme.relationship_ids
    ]
    return compliance_report(programme, relationships, as_of=now)


def projected(projection: ComplianceProjection, now: datetime) -> ComplianceReport:
    return compliance_report(*projection.programme_facts(PROGRAMME), as_of=now)


@settings(suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(
    policy=policies(),
    pairs=PAIRS,
    first=st.lists(STEPS, min_size=8, max_size=40),
    second=st.lists(STEPS, min_size=1, max_size=40),
    stop_after=st.integers(0, 60),
    batch_sizes=st.tuples(st.integers(1, 7), st.integers(1, 50)),
)
def test_the_projection_reports_what_a_straight_fold_reports(
    policy: ProgrammePolicy,
    pairs: list[tuple[int, int, bool]],
    first: list[tuple[Any, int, int]],
    second: list[tuple[Any, int, int]],
    stop_after: int,
    batch_sizes: tuple[int, int],
) -> None:
    clock = Clock()
    with MentoringService("memory://", clock=clock, new_id=_counter()) as service:
        set_up(service, policy, pairs)
        for step in first:
            apply(service, clock, step)
        midway = clock.now
        view = MemoryComplianceView()
        stopped = ComplianceProjection(service, view=view, batch_size=batch_sizes[0])
        stopped.catch_up(limit=stop_after)
        live_then = build_compliance_report(service, PROGRAMME, now=midway)

        for step in second:
            apply(service, clock, step)
        clock.now += timedelta(hours=1)
        now = clock.now
        resumed = ComplianceProjection(service, view=view, batch_size=batch_sizes[1])
        resumed.catch_up()

        expected = straight_fold(service, now)
        assert projected(resumed, now) == expected
        assert resumed.position == service.store.recorder.max_notification_id()
        fresh = ComplianceProjection(service, view=MemoryComplianceView(), batch_size=1)
        fresh.catch_up()
        assert projected(fresh, now) == expected
        # An auditor asking later for the report as of ``midway`` gets the one produced then.
        assert build_compliance_report(service, PROGRAMME, as_of=midway, now=now) == live_then


def _counter() -> Any:
    count = iter(range(1000, 10**9))
    return lambda: UUID(int=next(count))
