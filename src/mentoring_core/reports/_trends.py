"""Late plan items, and trends of self-assessment ratings and goal progress.

Pure functions of one relationship's facts (and of the relationships' figures, for
the programme), like the rest of the report; ``docs/reports.md`` ("Plans and
trends") defines every figure.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import Protocol, TypedDict, TypeVar
from uuid import UUID

import attrs

from ..domain.values import GoalStatus, ProgressStatus, RelationshipStatus
from ._facts import EvaluationFact, PlanItemFact, RelationshipFacts, SelfAssessmentFact
from ._numbers import mean, month_key, percent

_Measured = TypeVar("_Measured", SelfAssessmentFact, EvaluationFact)


class Trend(enum.StrEnum):
    """Which way a figure went from the first measure of the period to the latest."""

    IMPROVING = "improving"
    STEADY = "steady"
    DECLINING = "declining"


@attrs.frozen(kw_only=True)
class TrendMonth:
    """Self-assessment scores and goal judgements of one calendar month (UTC) of the period."""

    month: str
    """``YYYY-MM``."""
    scores: int = 0
    """Scores given in the month's self-assessments (one per focus area rated)."""
    score_total: int = 0
    rating_mean: Decimal | None = None
    """``score_total`` ÷ ``scores``, two decimals."""
    goals_judged: int = 0
    """Goal judgements in the month's progress evaluations."""
    goals_on_track: int = 0
    goals_on_track_pct: Decimal | None = None
    """``goals_on_track`` ÷ ``goals_judged``, in percent, one decimal."""


@attrs.frozen(kw_only=True)
class TrendShares:
    """How many relationships' trend went each way, and their shares of those with a trend."""

    improving: int = 0
    steady: int = 0
    declining: int = 0
    improving_pct: Decimal | None = None
    steady_pct: Decimal | None = None
    declining_pct: Decimal | None = None


class PlanTrendFigures(TypedDict):
    """One relationship's late plan items and trends (fields of ``RelationshipFigures``)."""

    activities_late: int
    milestones_late: int
    rating_first: Decimal | None
    rating_latest: Decimal | None
    rating_change: Decimal | None
    rating_trend: Trend | None
    goal_progress_first_pct: Decimal | None
    goal_progress_latest_pct: Decimal | None
    goal_progress_change: Decimal | None
    goal_progress_trend: Trend | None
    trend_months: tuple[TrendMonth, ...]


class _HasPlanTrends(Protocol):
    """What the programme's figures read of each relationship's."""

    @property
    def activities_late(self) -> int: ...
    @property
    def milestones_late(self) -> int: ...
    @property
    def rating_trend(self) -> Trend | None: ...
    @property
    def goal_progress_trend(self) -> Trend | None: ...
    @property
    def trend_months(self) -> tuple[TrendMonth, ...]: ...


class ProgrammePlanTrends(TypedDict):
    """The programme's late plan items and trends (fields of ``ProgrammeFigures``)."""

    activities_late: int
    milestones_late: int
    rating_trends: TrendShares
    goal_progress_trends: TrendShares
    trend_months: tuple[TrendMonth, ...]


_LIVE = frozenset({RelationshipStatus.ACTIVE, RelationshipStatus.PAUSED})
"""The relationships whose plan items can be late: those not ended (nor never formed)."""


def _late(facts: RelationshipFacts, items: Iterable[PlanItemFact], as_of: datetime) -> int:
    """Items not done whose due date is before the report's day (UTC), still
    :func:`pursued` at the report's moment."""
    today = as_of.astimezone(UTC).date()
    goals: dict[UUID | None, GoalStatus] = {g.goal_id: g.status for g in facts.goals}
    return sum(
        i.done_at is None and i.due_date < today and pursued(facts.status, goals.get(i.goal_id))
        for i in items
    )


def pursued(relationship: RelationshipStatus, goal: GoalStatus | None) -> bool:
    """Whether a goal, or a plan activity or milestone toward a goal (None: toward none),
    is still pursued, so that it can be due or late: the relationship is active or paused
    (not ended, nor never formed) and the goal is open. Work toward a goal achieved or
    abandoned is left with it: reaching the goal, or giving it up, ends the steps toward
    it, done or not (``docs/reports.md``, "Plans and trends")."""
    return relationship in _LIVE and goal in (None, GoalStatus.OPEN)


def _rating(assessment: SelfAssessmentFact) -> Decimal | None:
    return mean(sum(assessment.scores), len(assessment.scores))


def _on_track(evaluation: EvaluationFact) -> Decimal | None:
    judged = evaluation.judgements
    return percent(sum(j is ProgressStatus.ON_TRACK for j in judged), len(judged))


def _first_latest(
    measures: Sequence[Decimal],
) -> tuple[Decimal | None, Decimal | None, Decimal | None, Trend | None]:
    """The first and latest measures, the change between them and its direction (a change
    needs two measures)."""
    if not measures:
        return None, None, None, None
    first, latest = measures[0], measures[-1]
    if len(measures) < 2:
        return first, latest, None, None
    change = latest - first
    trend = Trend.IMPROVING if change > 0 else Trend.DECLINING if change < 0 else Trend.STEADY
    return first, latest, change, trend


def _measures(
    found: Iterable[_Measured], measure: Callable[[_Measured], Decimal | None]
) -> list[Decimal]:
    """Each measure of ``found`` (already in the window), by when it took place."""
    values = (measure(f) for f in sorted(found, key=lambda f: f.at))
    return [v for v in values if v is not None]


def _months(
    keys: Sequence[str],
    assessments: Sequence[SelfAssessmentFact],
    evaluations: Sequence[EvaluationFact],
) -> tuple[TrendMonth, ...]:
    """Each month of ``keys`` with the scores and judgements given in it."""
    scores: dict[str, list[int]] = {}
    for a in assessments:
        scores.setdefault(month_key(a.at), []).extend(a.scores)
    judged: dict[str, list[ProgressStatus]] = {}
    for e in evaluations:
        judged.setdefault(month_key(e.at), []).extend(e.judgements)
    return tuple(
        _trend_month(
            key,
            len(scores.get(key, ())),
            sum(scores.get(key, ())),
            len(judged.get(key, ())),
            sum(j is ProgressStatus.ON_TRACK for j in judged.get(key, ())),
        )
        for key in keys
    )


def _trend_month(key: str, scores: int, total: int, judged: int, on_track: int) -> TrendMonth:
    return TrendMonth(
        month=key,
        scores=scores,
        score_total=total,
        rating_mean=mean(total, scores),
        goals_judged=judged,
        goals_on_track=on_track,
        goals_on_track_pct=percent(on_track, judged),
    )


def plan_trend_figures(
    facts: RelationshipFacts,
    holds: Callable[[datetime], bool],
    as_of: datetime,
    months: Sequence[str],
) -> PlanTrendFigures:
    """One relationship's figures: late items at ``as_of`` (the report's moment), trends
    over the measures taken at moments ``holds`` accepts (the period, up to the report's
    moment), month by month over ``months``."""
    assessments = [a for a in facts.self_assessments if holds(a.at)]
    evaluations = [e for e in facts.evaluations if holds(e.at)]
    rating = _first_latest(_measures(assessments, _rating))
    progress = _first_latest(_measures(evaluations, _on_track))
    return PlanTrendFigures(
        activities_late=_late(facts, facts.activities, as_of),
        milestones_late=_late(facts, facts.milestones, as_of),
        rating_first=rating[0],
        rating_latest=rating[1],
        rating_change=rating[2],
        rating_trend=rating[3],
        goal_progress_first_pct=progress[0],
        goal_progress_latest_pct=progress[1],
        goal_progress_change=progress[2],
        goal_progress_trend=progress[3],
        trend_months=_months(months, assessments, evaluations),
    )


def _shares(trends: Sequence[Trend | None]) -> TrendShares:
    counts = {t: sum(found is t for found in trends) for t in Trend}
    whole = sum(counts.values())
    return TrendShares(
        improving=counts[Trend.IMPROVING],
        steady=counts[Trend.STEADY],
        declining=counts[Trend.DECLINING],
        improving_pct=percent(counts[Trend.IMPROVING], whole),
        steady_pct=percent(counts[Trend.STEADY], whole),
        declining_pct=percent(counts[Trend.DECLINING], whole),
    )


def _pooled_months(figures: Sequence[_HasPlanTrends]) -> tuple[TrendMonth, ...]:
    """Every relationship's months added up (means of all the scores, not of the means)."""
    totals: dict[str, tuple[int, int, int, int]] = {}
    for f in figures:
        for m in f.trend_months:
            s, t, j, o = totals.get(m.month, (0, 0, 0, 0))
            totals[m.month] = (
                s + m.scores,
                t + m.score_total,
                j + m.goals_judged,
                o + m.goals_on_track,
            )
    return tuple(_trend_month(key, *totals[key]) for key in sorted(totals))


def programme_plan_trends(figures: Sequence[_HasPlanTrends]) -> ProgrammePlanTrends:
    """The programme's figures, from its relationships' figures."""
    return ProgrammePlanTrends(
        activities_late=sum(f.activities_late for f in figures),
        milestones_late=sum(f.milestones_late for f in figures),
        rating_trends=_shares([f.rating_trend for f in figures]),
        goal_progress_trends=_shares([f.goal_progress_trend for f in figures]),
        trend_months=_pooled_months(figures),
    )
