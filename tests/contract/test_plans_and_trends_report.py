"""Late plan items, trends and leavers on every store: the live report (read model) is the
report folded from the events, and its figures are the ones worked out here from
``docs/reports.md``.

The report scenario (``report_scenario``), then in April 2026 (10:00 UTC, recorded an
hour later): Ana and Ben (pair A) add an activity due 10 April and one due 1 August, set
two milestones due 14 April and reach one on 9 April; Ben rates himself 4 and 5 on 2
April (4.50; his first, on 29 January, was 3: 3.00); their evaluations judge the care
plan goal on track on 3 April (100.0) and at risk on 8 April (0.0). Carla is paired with
Eve (pair D) on 4 April, they plan an activity due 5 April, and Eve leaves the
organisation on 6 April.

The report describes 1 August 2026 at 12:00 UTC (``NOW``), from 1 January:

- pair A: 1 late activity (the one due 10 April; the other is due today), 1 late
  milestone; rating 3.00 to 4.50, change 1.50, improving; on track 100.0 to 0.0
  (the evaluation of 16 February judged no goal), change -100.0, declining.
- pair D: its open activity is not late: the relationship has ended.
- retention: Ben (paired 5 January), Dan (12 January, withdrew 20 February) and Eve
  (4 April) are in the 3-month cohort: Ben is retained, Eve left the organisation:
  1 of 3 (33.3%), 1 of the 2 who stayed (50.0%). Eve's 6-month checkpoint (4 October)
  is after ``NOW``: 1 of 2 (Ben, Dan), none left.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import cast
from uuid import UUID

import pytest
from report_scenario import GOAL_2, PAIR_A, PROGRAMME, SettableClock, at, record

from mentoring_core import MentoringService
from mentoring_core.events import ProgrammeEvent, RelationshipEvent
from mentoring_core.projections import build_compliance_report, due, write_compliance_report
from mentoring_core.reports import (
    ComplianceReport,
    DueKind,
    Retention,
    Trend,
    TrendShares,
    compliance_report,
    fold_programme_facts,
    fold_relationship_facts,
)
from mentoring_core.values import EndReason, FocusArea, GoalProgress, ProgressStatus, Rating

PAIR_D = UUID("a0a0b0b0-0000-4000-8000-00000000000d")
ACTIVITY_LATE, ACTIVITY_TODAY = UUID(int=0xAC1), UUID(int=0xAC2)
MILESTONE_REACHED, MILESTONE_LATE = UUID(int=0x5E1), UUID(int=0x5E2)
NOW = datetime(2026, 8, 1, 12, 0, tzinfo=UTC)


def april(service: MentoringService, clock: SettableClock) -> None:
    def on(day: int, actor: str = "ana") -> dict[str, object]:
        clock.now = at(4, day) + timedelta(hours=1)
        return {"actor": actor, "occurred_at": at(4, day)}

    service.add_plan_activity(
        PAIR_A, "Shadow a review", date(2026, 4, 10), activity_id=ACTIVITY_LATE, **on(1)
    )
    service.add_plan_activity(
        PAIR_A, "Lead a review", date(2026, 8, 1), activity_id=ACTIVITY_TODAY, **on(1)
    )
    for milestone in (MILESTONE_REACHED, MILESTONE_LATE):
        service.set_milestone(
            PAIR_A, "First plan", date(2026, 4, 14), milestone_id=milestone, **on(1)
        )
    scores = [Rating(focus_area=FocusArea.COMMUNICATION, score=4)]
    scores.append(Rating(focus_area=FocusArea.TEAMWORK, score=5))
    service.record_reflection(PAIR_A, scores, "Better", **on(2, "ben"))
    for day, status in ((3, ProgressStatus.ON_TRACK), (8, ProgressStatus.AT_RISK)):
        judged = [GoalProgress(goal_id=GOAL_2, status=status)]
        service.evaluate_progress(PAIR_A, judged, "Plan drafts", **on(day))
    service.reach_milestone(PAIR_A, MILESTONE_REACHED, "Done", **on(9))
    service.form_pair(PROGRAMME, "carla", "eve", relationship_id=PAIR_D, **on(4, "coord"))
    service.add_plan_activity(PAIR_D, "Meet the team", date(2026, 4, 5), **on(4, "carla"))
    service.end(PAIR_D, EndReason.LEFT_ORGANISATION, "Moved away", **on(6, "coord"))


@pytest.fixture
def service(store_url: str) -> Iterator[MentoringService]:
    clock = SettableClock()
    with MentoringService(store_url, clock=clock) as service:
        record(service, clock)
        april(service, clock)
        yield service


def straight_fold(service: MentoringService) -> ComplianceReport:
    programme = fold_programme_facts(cast(list[ProgrammeEvent], service.history(PROGRAMME)))
    relationships = [
        fold_relationship_facts(cast(list[RelationshipEvent], service.history(r)))
        for r in programme.relationship_ids
    ]
    return compliance_report(programme, relationships, as_of=NOW)


def test_the_live_report_is_the_folded_one_with_the_worked_figures(
    service: MentoringService,
) -> None:
    report = build_compliance_report(service, PROGRAMME, now=NOW)
    assert report == straight_fold(service)
    a = next(f for f in report.relationships if f.relationship_id == PAIR_A)
    assert (a.activities_late, a.milestones_late) == (1, 1)
    assert (a.rating_first, a.rating_latest, a.rating_change, a.rating_trend) == (
        Decimal("3.00"),
        Decimal("4.50"),
        Decimal("1.50"),
        Trend.IMPROVING,
    )
    assert (
        a.goal_progress_first_pct,
        a.goal_progress_latest_pct,
        a.goal_progress_change,
        a.goal_progress_trend,
    ) == (Decimal("100.0"), Decimal("0.0"), Decimal("-100.0"), Trend.DECLINING)
    p = report.programme
    assert (p.activities_late, p.milestones_late) == (1, 1)
    assert p.rating_trends == TrendShares(
        improving=1,
        improving_pct=Decimal("100.0"),
        steady_pct=Decimal("0.0"),
        declining_pct=Decimal("0.0"),
    )
    assert (p.relationships.left_organisation, p.relationships.withdrawn) == (1, 1)
    assert p.retention[:2] == (
        Retention(
            months=3,
            cohort=3,
            retained=1,
            retained_pct=Decimal("33.3"),
            left_organisation=1,
            retained_of_stayers_pct=Decimal("50.0"),
        ),
        Retention(
            months=6,
            cohort=2,
            retained=1,
            retained_pct=Decimal("50.0"),
            left_organisation=0,
            retained_of_stayers_pct=Decimal("50.0"),
        ),
    )


def test_the_late_items_are_the_overdue_ones_mentoring_due_lists(
    service: MentoringService,
) -> None:
    items = due(service, programme_id=PROGRAMME, within_days=0, now=NOW)
    report = build_compliance_report(service, PROGRAMME, now=NOW)
    for row in report.relationships:
        mine = [i.kind for i in items if i.relationship_id == row.relationship_id and i.overdue]
        assert mine.count(DueKind.PLAN_ACTIVITY) == row.activities_late
        assert mine.count(DueKind.MILESTONE) == row.milestones_late
    d = next(f for f in report.relationships if f.relationship_id == PAIR_D)
    assert (d.activities_late, report.programme.activities_late) == (0, 1)


def test_a_report_as_of_a_moment_reproduces_the_live_one_then(
    service: MentoringService,
) -> None:
    live = write_compliance_report(service, PROGRAMME, format="json", now=NOW)
    assert write_compliance_report(service, PROGRAMME, format="json", as_of=NOW, now=NOW) == live


def test_csv_and_json_carry_the_new_figures(service: MentoringService) -> None:
    text = write_compliance_report(service, PROGRAMME, format="csv", now=NOW)
    row = next(r for r in csv.DictReader(io.StringIO(text)) if r["relationship_id"] == str(PAIR_A))
    assert {k: row[k] for k in row if k.startswith(("rating_", "goal_progress_", "activ"))} == {
        "rating_first": "3.00",
        "rating_latest": "4.50",
        "rating_change": "1.50",
        "rating_trend": "improving",
        "goal_progress_first_pct": "100.0",
        "goal_progress_latest_pct": "0.0",
        "goal_progress_change": "-100.0",
        "goal_progress_trend": "declining",
        "activities_late": "1",
    }
    ended = next(
        r for r in csv.DictReader(io.StringIO(text)) if r["relationship_id"] == str(PAIR_D)
    )
    assert ended["end_reason"] == "left_organisation"
    data = json.loads(write_compliance_report(service, PROGRAMME, format="json", now=NOW))
    assert data["programme"]["relationships"]["left_organisation"] == 1
    assert data["programme"]["retention"][0]["retained_of_stayers_pct"] == 50.0
    april_months = [m for m in data["programme"]["trend_months"] if m["month"] == "2026-04"]
    assert april_months == [
        {
            "month": "2026-04",
            "scores": 2,
            "score_total": 9,
            "rating_mean": 4.5,
            "goals_judged": 2,
            "goals_on_track": 1,
            "goals_on_track_pct": 50.0,
        }
    ]


GOAL_GIVEN_UP, GOAL_MET = UUID(int=0x60A3), UUID(int=0x60A4)


def test_work_toward_a_goal_closed_is_neither_due_nor_late(store_url: str) -> None:
    """An activity and a milestone toward a goal abandoned, and an activity toward one
    achieved, all open and due 11 April: late (and listed overdue) while the goals were
    open (12 April), neither once they are closed and recorded so (13 April), nor at
    ``NOW``; the items
    toward no goal stay as they were (on 12 and 13 April, the activity due 10 April is
    late, the milestone due 14 April not yet)."""
    clock = SettableClock()
    with MentoringService(store_url, clock=clock) as service:
        record(service, clock)
        april(service, clock)
        clock.now = at(4, 10) + timedelta(hours=1)
        on = {"actor": "ana", "occurred_at": at(4, 10)}
        for goal in (GOAL_GIVEN_UP, GOAL_MET):
            measure = "Two cases closed"
            area = FocusArea.PERFORMANCE
            service.set_goal(
                PAIR_A, "Close cases", area, measure, date(2026, 6, 30), goal_id=goal, **on
            )
            service.add_plan_activity(
                PAIR_A, "Read the cases", date(2026, 4, 11), goal_id=goal, **on
            )
        service.set_milestone(PAIR_A, "One closed", date(2026, 4, 11), goal_id=GOAL_GIVEN_UP, **on)
        clock.now = at(4, 13) + timedelta(hours=1)
        service.abandon_goal(
            PAIR_A, GOAL_GIVEN_UP, "Cases moved", actor="ana", occurred_at=at(4, 13)
        )
        service.achieve_goal(PAIR_A, GOAL_MET, "Closed two", actor="ana", occurred_at=at(4, 13))
        clock.now = NOW
        for moment, late in (
            (at(4, 12), (1 + 2, 1)),
            (at(4, 13) + timedelta(hours=2), (1, 0)),
            (NOW, (1, 1)),
        ):
            items = due(service, programme_id=PROGRAMME, within_days=0, now=moment)
            listed = [i.kind for i in items if i.relationship_id == PAIR_A and i.overdue]
            listed_late = (listed.count(DueKind.PLAN_ACTIVITY), listed.count(DueKind.MILESTONE))
            report = build_compliance_report(service, PROGRAMME, now=moment)
            a = next(f for f in report.relationships if f.relationship_id == PAIR_A)
            assert (a.activities_late, a.milestones_late) == listed_late == late, moment
