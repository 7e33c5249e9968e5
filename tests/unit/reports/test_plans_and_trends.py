"""Late plan items and the trends of ratings and goal progress, worked out by hand.

Every figure below follows "Plans and trends" in ``docs/reports.md``. The period is the
first quarter of 2026; the report describes 20 March 2026 at 12:00 UTC (``AS_OF``), so
its day is 20 March and the months it touches are January to March.

- R1 (ana and ben, formed 5 January): self-assessments on 20 December 2025 (before the
  period), 5 February (score 4: 4.00, recorded before the next one), 10 January (2 and 3:
  2.50), 20 January (no scores: no rating) and 15 March (3 and 4: 3.50): first 2.50,
  latest 3.50, change 1.00, improving. Evaluations on 31 January (on track, at risk:
  50.0), 28 February (no goal judged) and 10 March (on track, off track: 50.0): change
  0.0, steady. Activities due 19 March (open: late), 20 March (open: due today, not
  late), 1 February (completed 2 February) and 1 March (open: late); milestones due 10
  March, one open (late), one reached on 12 March.
- R2 (carla and dan, formed 12 January): self-assessments 15 January (5 and 5: 5.00)
  and 1 March (4: 4.00): change -1.00, declining. Evaluations 10 February (at risk:
  0.0) and 5 March (on track: 100.0): change 100.0, improving.
- R3 (ana and eve, formed 1 February): one self-assessment, 14 February (3: 3.00):
  first and latest 3.00, no change, no trend; no evaluation. An activity due 1 March,
  open, but R3 ended on 5 March: not late (nobody carries out an ended plan); the same
  for a paused relationship would be late.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

import attrs
import pytest

from mentoring_core.reports import (
    ComplianceReport,
    EvaluationFact,
    PlanItemFact,
    ProgrammeFacts,
    RelationshipFacts,
    RelationshipFigures,
    SelfAssessmentFact,
    Trend,
    TrendMonth,
    TrendShares,
    compliance_report,
)
from mentoring_core.values import EndReason, ProgressStatus, RelationshipStatus

PROGRAMME = UUID(int=0xC0DE)
AS_OF = datetime(2026, 3, 20, 12, 0, tzinfo=UTC)
ON, RISK, OFF = ProgressStatus.ON_TRACK, ProgressStatus.AT_RISK, ProgressStatus.OFF_TRACK


def at(month: int, day: int, year: int = 2026) -> datetime:
    return datetime(year, month, day, 10, 0, tzinfo=UTC)


def rated(moment: datetime, *scores: int) -> SelfAssessmentFact:
    return SelfAssessmentFact(at=moment, scores=scores)


def judged(moment: datetime, *judgements: ProgressStatus) -> EvaluationFact:
    return EvaluationFact(at=moment, judgements=judgements)


def item(n: int, due: date, done: datetime | None = None) -> PlanItemFact:
    return PlanItemFact(item_id=UUID(int=n), due_date=due, done_at=done)


def pair(n: int, mentor: str, mentee: str, formed: datetime, **facts: Any) -> RelationshipFacts:
    live = {"status": RelationshipStatus.ACTIVE, **facts}
    return RelationshipFacts(
        relationship_id=UUID(int=n),
        version=1,
        programme_id=PROGRAMME,
        mentor_id=mentor,
        mentee_id=mentee,
        proposed_at=formed,
        formed_at=formed,
        **live,
    )


R1 = pair(
    1,
    "ana",
    "ben",
    at(1, 5),
    self_assessments=(
        rated(at(12, 20, 2025), 1),
        rated(at(2, 5), 4),
        rated(at(1, 10), 2, 3),
        rated(at(1, 20)),
        rated(at(3, 15), 3, 4),
    ),
    evaluations=(judged(at(1, 31), ON, RISK), judged(at(2, 28)), judged(at(3, 10), ON, OFF)),
    activities=(
        item(11, date(2026, 3, 19)),
        item(12, date(2026, 3, 20)),
        item(13, date(2026, 2, 1), at(2, 2)),
        item(14, date(2026, 3, 1)),
    ),
    milestones=(item(21, date(2026, 3, 10)), item(22, date(2026, 3, 10), at(3, 12))),
)
R2 = pair(
    2,
    "carla",
    "dan",
    at(1, 12),
    self_assessments=(rated(at(1, 15), 5, 5), rated(at(3, 1), 4)),
    evaluations=(judged(at(2, 10), RISK), judged(at(3, 5), ON)),
)
R3 = pair(
    3,
    "ana",
    "eve",
    at(2, 1),
    self_assessments=(rated(at(2, 14), 3),),
    activities=(item(31, date(2026, 3, 1)),),
    status=RelationshipStatus.ENDED,
    ended_at=at(3, 5),
    end_reason=EndReason.COMPLETED,
)


def report_of(*relationships: RelationshipFacts) -> ComplianceReport:
    programme = ProgrammeFacts(
        programme_id=PROGRAMME,
        version=1,
        name="Northfield",
        organisation="Northfield Care",
        created_at=at(1, 1),
        relationship_ids=tuple(r.relationship_id for r in relationships if r.relationship_id),
    )
    return compliance_report(
        programme, relationships, as_of=AS_OF, start=date(2026, 1, 1), end=date(2026, 3, 31)
    )


@pytest.fixture
def report() -> ComplianceReport:
    return report_of(R1, R2, R3)


def figures(report: ComplianceReport, n: int) -> RelationshipFigures:
    return next(f for f in report.relationships if f.relationship_id == UUID(int=n))


def test_late_items_are_open_past_the_end_of_their_day(report: ComplianceReport) -> None:
    r1 = figures(report, 1)
    assert (r1.activities_late, r1.milestones_late) == (2, 1)
    assert (report.programme.activities_late, report.programme.milestones_late) == (2, 1)
    assert (figures(report, 2).activities_late, figures(report, 2).milestones_late) == (0, 0)
    assert figures(report, 3).activities_late == 0
    paused = attrs.evolve(R3, status=RelationshipStatus.PAUSED, ended_at=None, end_reason=None)
    assert figures(report_of(paused), 3).activities_late == 1


def test_the_rating_goes_from_the_first_to_the_latest_rated_self_assessment(
    report: ComplianceReport,
) -> None:
    r1, r2, r3 = (figures(report, n) for n in (1, 2, 3))
    assert (r1.rating_first, r1.rating_latest, r1.rating_change, r1.rating_trend) == (
        Decimal("2.50"),
        Decimal("3.50"),
        Decimal("1.00"),
        Trend.IMPROVING,
    )
    assert (r2.rating_first, r2.rating_latest, r2.rating_change, r2.rating_trend) == (
        Decimal("5.00"),
        Decimal("4.00"),
        Decimal("-1.00"),
        Trend.DECLINING,
    )
    assert (r3.rating_first, r3.rating_latest, r3.rating_change, r3.rating_trend) == (
        Decimal("3.00"),
        Decimal("3.00"),
        None,
        None,
    )


def test_goal_progress_goes_from_the_first_to_the_latest_on_track_share(
    report: ComplianceReport,
) -> None:
    r1, r2, r3 = (figures(report, n) for n in (1, 2, 3))
    assert (
        r1.goal_progress_first_pct,
        r1.goal_progress_latest_pct,
        r1.goal_progress_change,
        r1.goal_progress_trend,
    ) == (Decimal("50.0"), Decimal("50.0"), Decimal("0.0"), Trend.STEADY)
    assert (
        r2.goal_progress_first_pct,
        r2.goal_progress_latest_pct,
        r2.goal_progress_change,
        r2.goal_progress_trend,
    ) == (Decimal("0.0"), Decimal("100.0"), Decimal("100.0"), Trend.IMPROVING)
    assert (r3.goal_progress_first_pct, r3.goal_progress_trend) == (None, None)


def test_each_month_has_its_scores_and_judgements(report: ComplianceReport) -> None:
    assert figures(report, 1).trend_months == (
        TrendMonth(
            month="2026-01",
            scores=2,
            score_total=5,
            rating_mean=Decimal("2.50"),
            goals_judged=2,
            goals_on_track=1,
            goals_on_track_pct=Decimal("50.0"),
        ),
        TrendMonth(month="2026-02", scores=1, score_total=4, rating_mean=Decimal("4.00")),
        TrendMonth(
            month="2026-03",
            scores=2,
            score_total=7,
            rating_mean=Decimal("3.50"),
            goals_judged=2,
            goals_on_track=1,
            goals_on_track_pct=Decimal("50.0"),
        ),
    )


def test_the_programme_pools_the_months_and_counts_the_trends(report: ComplianceReport) -> None:
    p = report.programme
    assert p.rating_trends == TrendShares(
        improving=1,
        steady=0,
        declining=1,
        improving_pct=Decimal("50.0"),
        steady_pct=Decimal("0.0"),
        declining_pct=Decimal("50.0"),
    )
    assert p.goal_progress_trends == TrendShares(
        improving=1,
        steady=1,
        declining=0,
        improving_pct=Decimal("50.0"),
        steady_pct=Decimal("50.0"),
        declining_pct=Decimal("0.0"),
    )
    assert p.trend_months == (
        TrendMonth(
            month="2026-01",
            scores=4,
            score_total=15,
            rating_mean=Decimal("3.75"),
            goals_judged=2,
            goals_on_track=1,
            goals_on_track_pct=Decimal("50.0"),
        ),
        TrendMonth(
            month="2026-02",
            scores=2,
            score_total=7,
            rating_mean=Decimal("3.50"),
            goals_judged=1,
            goals_on_track=0,
            goals_on_track_pct=Decimal("0.0"),
        ),
        TrendMonth(
            month="2026-03",
            scores=3,
            score_total=11,
            rating_mean=Decimal("3.67"),
            goals_judged=3,
            goals_on_track=2,
            goals_on_track_pct=Decimal("66.7"),
        ),
    )


def test_a_rating_is_rounded_half_up_to_two_decimals() -> None:
    """Eight scores of 1, 1, 1, 1, 1, 1, 1, 2: 9 / 8 = 1.125, half up 1.13 (not 1.12)."""
    alone = pair(4, "ana", "fay", at(1, 5), self_assessments=(rated(at(1, 6), *[1] * 7, 2),))
    assert figures(report_of(alone), 4).rating_first == Decimal("1.13")


def test_without_any_trend_the_shares_are_empty() -> None:
    assert report_of(R3).programme.rating_trends == TrendShares()
