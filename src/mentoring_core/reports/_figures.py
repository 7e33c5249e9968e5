"""The compliance report: per-relationship and per-programme figures, computed from facts.

Everything here is a pure function of the facts, the period, the report's
moment and the policy: the same inputs give the same report, whether the facts
came from the read model or from a fold over the events recorded by then.
"""

from __future__ import annotations

import itertools
import math
from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import TypedDict
from uuid import UUID

import attrs

from ..domain.errors import InvalidValue
from ..domain.validation import EARLIEST, check_aware, check_day
from ..domain.values import (
    Cadence,
    EndReason,
    GoalStatus,
    MeetingOutcome,
    ProgrammePolicy,
    RelationshipStatus,
)
from ._facts import GoalFact, MeetingFact, PolicyFact, ProgrammeFacts, RelationshipFacts
from ._numbers import TENTH, month_key, percent
from ._schedule import (
    Slot,
    Span,
    Window,
    active_spans,
    add_months,
    agreed_at,
    end_of_day,
    in_force,
    next_due,
    overlap,
    policy_cadence,
    policy_change_points,
    review_cadence,
    slots,
)
from ._sessions import repeated_session_minutes
from ._trends import (
    Trend,
    TrendMonth,
    TrendShares,
    plan_trend_figures,
    programme_plan_trends,
    pursued,
)

REPORT_FORMAT_VERSION = 1
"""Raised whenever a field of the report changes meaning or is removed."""
RETENTION_MONTHS = (3, 6, 12)
ADHERENCE_BUCKETS = tuple((low, low + 10) for low in range(0, 100, 10))
"""Adherence ranges ``[low, high)``; the last one, 90 to 100, includes 100."""
COMPLETED = frozenset({EndReason.COMPLETED, EndReason.COMPLETED_EARLY})
WITHDRAWN = frozenset(
    {
        EndReason.WITHDRAWN_BY_MENTEE,
        EndReason.WITHDRAWN_BY_MENTOR,
        EndReason.CANCELLED_BY_PROGRAMME,
    }
)
_MICROSECONDS_PER_DAY = Decimal(86_400_000_000)
_EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)


# --- The report's shape ----------------------------------------------------------------


@attrs.frozen(kw_only=True)
class ReportPeriod:
    """The calendar days a report covers, both included, in UTC."""

    start: date
    end: date

    @property
    def starts_at(self) -> datetime:
        return datetime.combine(self.start, time(), UTC)

    @property
    def ends_before(self) -> datetime:
        """The first moment after the period: midnight UTC after its last day."""
        return end_of_day(self.end)


@attrs.frozen(kw_only=True)
class MonthFigures:
    """What happened in one calendar month (UTC) of the period."""

    month: str
    """``YYYY-MM``."""
    meetings_held: int = 0
    mentoring_minutes: int = 0
    feedback_given: int = 0
    reflections_recorded: int = 0


@attrs.frozen(kw_only=True)
class MeetingMark:
    """A meeting in the period, for the timeline."""

    at: datetime
    outcome: MeetingOutcome
    minutes: int | None
    short: bool
    """Held, but shorter than the policy's minimum."""


@attrs.frozen(kw_only=True)
class Gap:
    """The longest stretch of active time without a held meeting."""

    days: Decimal
    """Active days (pauses left out), to one decimal."""
    start: datetime
    end: datetime


@attrs.frozen(kw_only=True)
class RelationshipFigures:
    """One relationship's figures for the period, as of the report's moment."""

    relationship_id: UUID
    mentor_id: str
    mentee_id: str
    status: RelationshipStatus
    end_reason: EndReason | None
    proposed_at: datetime | None
    formed_at: datetime | None
    ended_at: datetime | None
    policy_cadence: str | None
    agreed_cadence: str | None
    expected_meetings: int
    met_meetings: int
    adherence_pct: Decimal | None
    expected_meetings_agreed: int
    met_meetings_agreed: int
    adherence_agreed_pct: Decimal | None
    meetings_held: int
    meetings_missed: int
    meetings_cancelled: int
    short_meetings: int
    mentoring_minutes: int
    longest_gap: Gap | None
    paused_days: Decimal
    meeting_overdue: bool
    next_meeting_due: datetime | None
    days_to_first_meeting: Decimal | None
    goals_set: int
    goals_achieved: int
    goals_abandoned: int
    goals_overdue: int
    days_to_first_goal: Decimal | None
    feedback_given: int
    reflections_recorded: int
    reviews_due: int
    reviews_met: int
    reviews_done: int
    review_overdue: bool
    next_review_due: datetime | None
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
    months: tuple[MonthFigures, ...]
    trend_months: tuple[TrendMonth, ...]
    """Self-assessment scores and goal judgements month by month."""
    expected: tuple[Slot, ...]
    """The policy's expected meetings due in the period, each met or not."""
    meetings: tuple[MeetingMark, ...]
    pauses: tuple[Span, ...]
    """Paused stretches within the period."""


@attrs.frozen(kw_only=True)
class StatusCounts:
    """How many relationships stand where, at the report's moment."""

    proposed: int = 0
    active: int = 0
    paused: int = 0
    declined: int = 0
    completed: int = 0
    withdrawn: int = 0
    rematched: int = 0
    left_organisation: int = 0
    total: int = 0


@attrs.frozen(kw_only=True)
class AdherenceBucket:
    """How many relationships' adherence falls in ``[low, high)`` percent (the last: to 100)."""

    low: int
    high: int
    count: int


@attrs.frozen(kw_only=True)
class Retention:
    """Of the mentees first paired at least ``months`` months before the report's moment, how
    many were still in mentoring (or had completed) ``months`` months after their pairing."""

    months: int
    cohort: int
    retained: int
    retained_pct: Decimal | None
    left_organisation: int
    """Of the cohort not retained, those whose last relationship by then ended because a
    member of the pair left the organisation."""
    retained_of_stayers_pct: Decimal | None
    """``retained`` of the cohort less ``left_organisation``, in percent."""


@attrs.frozen(kw_only=True)
class MentorLoad:
    mentor_id: str
    active_mentees: int


@attrs.frozen(kw_only=True)
class ProgrammeFigures:
    """The programme's figures for the period, as of the report's moment."""

    programme_id: UUID
    name: str
    organisation: str
    policy: str | None
    """The policy in force at the report's moment, described."""
    relationships: StatusCounts
    days_to_first_meeting_median: Decimal | None
    days_to_first_meeting_p90: Decimal | None
    first_meetings: int
    awaiting_first_meeting: int
    adherence: tuple[AdherenceBucket, ...]
    without_expected_meetings: int
    retention: tuple[Retention, ...]
    mentor_load: tuple[MentorLoad, ...]
    meetings_overdue: int
    reviews_overdue: int
    meetings_held: int
    meetings_missed: int
    meetings_cancelled: int
    short_meetings: int
    mentoring_minutes: int
    months: tuple[MonthFigures, ...]
    activities_late: int
    milestones_late: int
    rating_trends: TrendShares
    goal_progress_trends: TrendShares
    trend_months: tuple[TrendMonth, ...]
    personal_data_past_due: int | None = None
    """How many people the programme enrolled or appointed a coordinator are past their
    retention period at the report's moment, not yet erased; None when the policy then
    sets no period."""


@attrs.frozen(kw_only=True)
class ComplianceReport:
    """A programme's compliance report: what was expected, what happened, what is overdue."""

    format_version: int = REPORT_FORMAT_VERSION
    as_of: datetime
    """The moment the report describes: only events recorded by then count."""
    period: ReportPeriod
    policy_given: bool
    """True when the report checks a policy given for the report instead of the recorded one."""
    programme: ProgrammeFigures
    relationships: tuple[RelationshipFigures, ...]


# --- Small helpers -------------------------------------------------------------------


def days(delta: timedelta) -> Decimal:
    """A duration in days, to one decimal (half up)."""
    micro = Decimal(delta // timedelta(microseconds=1))
    return (micro / _MICROSECONDS_PER_DAY).quantize(TENTH, ROUND_HALF_UP)


def nearest_rank(values: Sequence[Decimal], pct: int) -> Decimal | None:
    """The ``pct``-th percentile by the nearest-rank method (no interpolation)."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(1, math.ceil(pct * len(ordered) / 100)) - 1]


def describe_cadence(cadence: Cadence | None) -> str | None:
    return None if cadence is None else cadence.describe()


def describe_policy(policy: ProgrammePolicy | None) -> str | None:
    """A policy in words, e.g. ``weekly to day 42, fortnightly to day 182, then monthly; ...``."""
    if policy is None:
        return None
    tiers = [
        f"{tier.cadence.describe()} to day {tier.until_age_days}"
        if tier.until_age_days is not None
        else ("then " if len(policy.cadence) > 1 else "") + tier.cadence.describe()
        for tier in policy.cadence
    ]
    return (
        f"{', '.join(tiers)}; meetings of at least {policy.minimum_meeting_minutes} minutes; "
        f"progress reviewed every {policy.review_interval_days} days"
    )


def months_between(start: datetime, end: datetime) -> tuple[str, ...]:
    """The ``YYYY-MM`` keys of every month that ``[start, end)`` touches."""
    if end <= start:
        return ()
    keys = []
    cursor = start.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    while cursor < end:
        keys.append(month_key(cursor))
        cursor = add_months(cursor, 1)
    return tuple(keys)


def resolve_period(
    start: date | None,
    end: date | None,
    programme: ProgrammeFacts,
    relationships: Iterable[RelationshipFacts],
    as_of: datetime,
) -> ReportPeriod:
    """The period asked for; by default from the programme's creation to the report's day."""
    start = None if start is None else check_day("start", start)
    end = None if end is None else check_day("end", end)
    if start is None:
        candidates = [programme.created_at] if programme.created_at else []
        candidates += [r.proposed_at for r in relationships if r.proposed_at is not None]
        start = min(candidates).astimezone(UTC).date() if candidates else as_of.date()
    if end is None:
        end = as_of.astimezone(UTC).date()
    if end >= date.max:  # the day after the period must still be a date
        raise InvalidValue("end", end, f"a date before {date.max.isoformat()}")
    if start < EARLIEST.date():  # no fact is dated before; each month would be figured
        raise InvalidValue("start", start, f"a date not before {EARLIEST.date().isoformat()}")
    if end < start:
        raise InvalidValue("period", (start, end), "a start on or before the end")
    return ReportPeriod(start=start, end=end)


# --- One relationship ----------------------------------------------------------------


def _pause_spans(facts: RelationshipFacts, as_of: datetime) -> tuple[Span, ...]:
    spans = (
        Span(p.paused_at, as_of if p.resumed_at is None else p.resumed_at) for p in facts.pauses
    )
    return tuple(s for s in spans if s.start < s.end)


def _longest_gap(
    facts: RelationshipFacts, held: Sequence[datetime], pauses: Sequence[Span], window: Window
) -> Gap | None:
    if facts.formed_at is None:
        return None
    start = max(window.start, facts.formed_at)
    end = window.end if facts.ended_at is None else min(window.end, facts.ended_at)
    if start >= end:
        return None
    points = [start, *(t for t in held if start < t < end), end]
    best: Gap | None = None
    best_length = timedelta(-1)
    for left, right in itertools.pairwise(points):
        length = right - left - overlap(Span(left, right), pauses)
        if length > best_length:
            best, best_length = Gap(days=days(length), start=left, end=right), length
    return best


def _months(
    keys: Sequence[str],
    held: Sequence[MeetingFact],
    feedback: Sequence[datetime],
    reflections: Sequence[datetime],
) -> tuple[MonthFigures, ...]:
    meetings = Counter(month_key(m.at) for m in held)
    minutes: Counter[str] = Counter()
    for m in held:
        minutes[month_key(m.at)] += m.minutes or 0
    given = Counter(month_key(t) for t in feedback)
    reflected = Counter(month_key(t) for t in reflections)
    return tuple(
        MonthFigures(
            month=key,
            meetings_held=meetings[key],
            mentoring_minutes=minutes[key],
            feedback_given=given[key],
            reflections_recorded=reflected[key],
        )
        for key in keys
    )


def _is_short(meeting: MeetingFact, policies: Sequence[PolicyFact]) -> bool:
    if meeting.outcome is not MeetingOutcome.HELD or meeting.minutes is None:
        return False
    policy = in_force(policies, meeting.at)
    return policy is not None and meeting.minutes < policy.minimum_meeting_minutes


def _days_after(start: datetime | None, moment: datetime | None) -> Decimal | None:
    """Days from ``start`` to ``moment`` (0 when before it); None when either is missing."""
    if start is None or moment is None:
        return None
    return days(max(moment - start, timedelta(0)))


def _paused_days(window: Window, pauses: Sequence[Span]) -> Decimal:
    if window.start < window.end:
        return days(overlap(Span(window.start, window.end), pauses))
    return Decimal("0.0")


def _closed_in(goals: Iterable[GoalFact], status: GoalStatus, window: Window) -> int:
    """How many of ``goals`` closed with ``status`` within the window."""
    return sum(
        g.status is status and g.closed_at is not None and window.holds(g.closed_at) for g in goals
    )


@attrs.frozen(kw_only=True)
class _Scope:
    """One relationship's facts and what each part of its figures is computed over."""

    facts: RelationshipFacts
    policies: Sequence[PolicyFact]
    window: Window
    spans: tuple[Span, ...]
    """The active stretches up to the report's moment."""
    pauses: tuple[Span, ...]
    """The paused stretches, one still under way ending at the report's moment."""
    held_times: tuple[datetime, ...]
    """When every held meeting took place, in or out of the window, in order."""
    in_period: tuple[MeetingFact, ...]
    """The meetings in the window, in order."""
    held: tuple[MeetingFact, ...]
    """The held meetings in the window, in order."""
    months: tuple[str, ...]
    """The ``YYYY-MM`` keys of the months the window touches."""
    feedback: tuple[datetime, ...]
    """When feedback was given in the window."""
    reflections: tuple[datetime, ...]
    """When a reflection was recorded in the window."""

    @property
    def as_of(self) -> datetime:
        return self.window.as_of

    @property
    def active(self) -> bool:
        return self.facts.status is RelationshipStatus.ACTIVE

    @property
    def agreed_now(self) -> Cadence | None:
        """The cadence the pair agreed that is in force at the report's moment."""
        return agreed_at(self.facts.schedules, self.as_of)


def _scope(
    facts: RelationshipFacts,
    policies: Sequence[PolicyFact],
    period: ReportPeriod,
    as_of: datetime,
) -> _Scope:
    window = Window(period.starts_at, period.ends_before, as_of)
    all_held = sorted(
        (m for m in facts.meetings if m.outcome is MeetingOutcome.HELD), key=lambda m: m.at
    )
    in_period = tuple(sorted((m for m in facts.meetings if window.holds(m.at)), key=lambda m: m.at))
    return _Scope(
        facts=facts,
        policies=policies,
        window=window,
        spans=active_spans(facts.formed_at, facts.ended_at, facts.pauses, as_of),
        pauses=_pause_spans(facts, as_of),
        held_times=tuple(m.at for m in all_held),
        in_period=in_period,
        held=tuple(m for m in in_period if m.outcome is MeetingOutcome.HELD),
        months=months_between(window.start, window.end),
        feedback=tuple(t for t in facts.feedback if window.holds(t)),
        reflections=tuple(t for t in facts.reflections if window.holds(t)),
    )


@attrs.frozen(kw_only=True)
class _Expected:
    """The slots due in the window, and the policy's cadence at the report's moment."""

    meetings: tuple[Slot, ...]
    """By the policy."""
    agreed: tuple[Slot, ...]
    """By the schedule the pair agreed."""
    reviews: tuple[Slot, ...]
    policy_now: Cadence | None


def _expected(scope: _Scope) -> _Expected:
    facts, spans, held_times = scope.facts, scope.spans, scope.held_times
    if facts.formed_at is None:
        return _Expected(meetings=(), agreed=(), reviews=(), policy_now=None)
    cadence_at = policy_cadence(scope.policies, facts.formed_at)
    changes = policy_change_points(scope.policies, facts.formed_at)
    schedule_changes = tuple(s.at for s in facts.schedules)
    policy_changes = tuple(p.at for p in scope.policies)
    agreed = slots(spans, lambda t: agreed_at(facts.schedules, t), schedule_changes, held_times)
    reviews = slots(spans, review_cadence(scope.policies), policy_changes, facts.reviews)
    return _Expected(
        meetings=scope.window.due(slots(spans, cadence_at, changes, held_times)),
        agreed=scope.window.due(agreed),
        reviews=scope.window.due(reviews),
        policy_now=cadence_at(scope.as_of),
    )


def _meeting_due(scope: _Scope, expected: _Expected) -> datetime | None:
    """When the next meeting is (or was) due; None unless active with a cadence."""
    cadence = expected.policy_now or scope.agreed_now
    if scope.active and cadence is not None:
        last_held = scope.held_times[-1] if scope.held_times else None
        return next_due(scope.spans, last_held, cadence, scope.as_of)
    return None


def _review_due(scope: _Scope) -> datetime | None:
    """When the next progress review is (or was) due; None unless active under a policy."""
    policy = in_force(scope.policies, scope.as_of)
    if scope.active and policy is not None:
        last_review = max(scope.facts.reviews, default=None)
        cadence = Cadence.every(policy.review_interval_days)
        return next_due(scope.spans, last_review, cadence, scope.as_of)
    return None


class _CadenceFigures(TypedDict):
    policy_cadence: str | None
    agreed_cadence: str | None
    expected_meetings: int
    met_meetings: int
    adherence_pct: Decimal | None
    expected_meetings_agreed: int
    met_meetings_agreed: int
    adherence_agreed_pct: Decimal | None


def _cadence_figures(scope: _Scope, expected: _Expected) -> _CadenceFigures:
    current = scope.active or scope.facts.status is RelationshipStatus.PAUSED
    met = sum(s.met for s in expected.meetings)
    met_agreed = sum(s.met for s in expected.agreed)
    return _CadenceFigures(
        policy_cadence=describe_cadence(expected.policy_now if current else None),
        agreed_cadence=describe_cadence(scope.agreed_now if current else None),
        expected_meetings=len(expected.meetings),
        met_meetings=met,
        adherence_pct=percent(met, len(expected.meetings)),
        expected_meetings_agreed=len(expected.agreed),
        met_meetings_agreed=met_agreed,
        adherence_agreed_pct=percent(met_agreed, len(expected.agreed)),
    )


class _MeetingFigures(TypedDict):
    meetings_held: int
    meetings_missed: int
    meetings_cancelled: int
    short_meetings: int
    mentoring_minutes: int
    longest_gap: Gap | None
    paused_days: Decimal
    meeting_overdue: bool
    next_meeting_due: datetime | None
    days_to_first_meeting: Decimal | None


def _meeting_figures(scope: _Scope, expected: _Expected) -> _MeetingFigures:
    in_period, held, held_times = scope.in_period, scope.held, scope.held_times
    due = _meeting_due(scope, expected)
    return _MeetingFigures(
        meetings_held=len(held),
        meetings_missed=sum(m.outcome is MeetingOutcome.MISSED for m in in_period),
        meetings_cancelled=sum(m.outcome is MeetingOutcome.CANCELLED for m in in_period),
        short_meetings=sum(_is_short(m, scope.policies) for m in held),
        mentoring_minutes=sum(m.minutes or 0 for m in held),
        longest_gap=_longest_gap(scope.facts, held_times, scope.pauses, scope.window),
        paused_days=_paused_days(scope.window, scope.pauses),
        meeting_overdue=due is not None and due <= scope.as_of,
        next_meeting_due=due,
        days_to_first_meeting=_days_after(
            scope.facts.formed_at, held_times[0] if held_times else None
        ),
    )


class _GoalFigures(TypedDict):
    goals_set: int
    goals_achieved: int
    goals_abandoned: int
    goals_overdue: int
    days_to_first_goal: Decimal | None


def _goal_figures(scope: _Scope) -> _GoalFigures:
    goals, window = scope.facts.goals, scope.window
    today = scope.as_of.date()
    return _GoalFigures(
        goals_set=sum(window.holds(g.set_at) for g in goals),
        goals_achieved=_closed_in(goals, GoalStatus.ACHIEVED, window),
        goals_abandoned=_closed_in(goals, GoalStatus.ABANDONED, window),
        goals_overdue=sum(
            pursued(scope.facts.status, g.status) and g.target_date < today for g in goals
        ),
        days_to_first_goal=_days_after(
            scope.facts.formed_at, min((g.set_at for g in goals), default=None)
        ),
    )


class _ReviewFigures(TypedDict):
    feedback_given: int
    reflections_recorded: int
    reviews_due: int
    reviews_met: int
    reviews_done: int
    review_overdue: bool
    next_review_due: datetime | None


def _review_figures(scope: _Scope, expected: _Expected) -> _ReviewFigures:
    """Feedback, self-assessments and progress reviews."""
    facts, window = scope.facts, scope.window
    due = _review_due(scope)
    return _ReviewFigures(
        feedback_given=len(scope.feedback),
        reflections_recorded=len(scope.reflections),
        reviews_due=len(expected.reviews),
        reviews_met=sum(s.met for s in expected.reviews),
        reviews_done=sum(window.holds(t) for t in facts.reviews),
        review_overdue=due is not None and due <= scope.as_of,
        next_review_due=due,
    )


class _Timeline(TypedDict):
    months: tuple[MonthFigures, ...]
    expected: tuple[Slot, ...]
    meetings: tuple[MeetingMark, ...]
    pauses: tuple[Span, ...]


def _timeline(scope: _Scope, expected: _Expected) -> _Timeline:
    """Month by month, and each expected meeting, meeting and pause in the window."""
    window, policies = scope.window, scope.policies
    return _Timeline(
        months=_months(scope.months, scope.held, scope.feedback, scope.reflections),
        expected=expected.meetings,
        meetings=tuple(
            MeetingMark(at=m.at, outcome=m.outcome, minutes=m.minutes, short=_is_short(m, policies))
            for m in scope.in_period
        ),
        pauses=tuple(
            Span(max(s.start, window.start), min(s.end, window.end))
            for s in scope.pauses
            if s.start < window.end and s.end > window.start
        ),
    )


def relationship_figures(
    facts: RelationshipFacts,
    policies: Sequence[PolicyFact],
    period: ReportPeriod,
    as_of: datetime,
) -> RelationshipFigures:
    """One relationship's figures: see ``docs/reports.md`` for each definition."""
    assert facts.relationship_id is not None
    scope = _scope(facts, policies, period, as_of)
    expected = _expected(scope)
    return RelationshipFigures(
        relationship_id=facts.relationship_id,
        mentor_id=facts.mentor_id,
        mentee_id=facts.mentee_id,
        status=facts.status,
        end_reason=facts.end_reason,
        proposed_at=facts.proposed_at,
        formed_at=facts.formed_at,
        ended_at=facts.ended_at,
        **_cadence_figures(scope, expected),
        **_meeting_figures(scope, expected),
        **_goal_figures(scope),
        **_review_figures(scope, expected),
        **_timeline(scope, expected),
        **plan_trend_figures(
            facts,
            scope.window.holds,
            as_of,
            scope.months,
        ),
    )


# --- The programme -------------------------------------------------------------------


def _status_counts(relationships: Sequence[RelationshipFacts]) -> StatusCounts:
    counts: Counter[str] = Counter()
    for facts in relationships:
        if facts.status is RelationshipStatus.ENDED:
            reason = facts.end_reason
            group = (
                "completed"
                if reason in COMPLETED
                else "withdrawn"
                if reason in WITHDRAWN
                else "left_organisation"
                if reason is EndReason.LEFT_ORGANISATION
                else "rematched"
            )
            counts[group] += 1
        elif facts.status is not RelationshipStatus.NEW:
            counts[str(facts.status)] += 1
    return StatusCounts(**counts, total=len(relationships))


def _retained_at(relationships: Sequence[RelationshipFacts], moment: datetime) -> bool:
    """In mentoring at ``moment`` (active or paused), or had completed a relationship by then."""
    for facts in relationships:
        if facts.formed_at is None or facts.formed_at > moment:
            continue
        if facts.ended_at is None or facts.ended_at > moment:
            return True
        if facts.end_reason in COMPLETED:
            return True
    return False


def _left_organisation_by(relationships: Sequence[RelationshipFacts], moment: datetime) -> bool:
    """The last relationship ended by ``moment`` ended because someone left the organisation."""
    ended = [f for f in relationships if f.ended_at is not None and f.ended_at <= moment]
    if not ended:
        return False
    last = max(ended, key=lambda f: f.ended_at or _EARLIEST)
    return last.end_reason is EndReason.LEFT_ORGANISATION


def _retention(
    relationships: Sequence[RelationshipFacts], period: ReportPeriod, as_of: datetime
) -> tuple[Retention, ...]:
    by_mentee: dict[str, list[RelationshipFacts]] = {}
    for facts in relationships:
        if facts.formed_at is not None:
            by_mentee.setdefault(facts.mentee_id, []).append(facts)
    first = {
        mentee: min(f.formed_at for f in mine if f.formed_at is not None)
        for mentee, mine in by_mentee.items()
    }
    found = []
    for months in RETENTION_MONTHS:
        cohort = retained = left = 0
        for mentee, paired in first.items():
            checkpoint = add_months(paired, months)
            if not (period.starts_at <= paired < period.ends_before) or checkpoint > as_of:
                continue
            cohort += 1
            if _retained_at(by_mentee[mentee], checkpoint):
                retained += 1
            else:
                left += _left_organisation_by(by_mentee[mentee], checkpoint)
        found.append(
            Retention(
                months=months,
                cohort=cohort,
                retained=retained,
                retained_pct=percent(retained, cohort),
                left_organisation=left,
                retained_of_stayers_pct=percent(retained, cohort - left),
            )
        )
    return tuple(found)


def _adherence(figures: Sequence[RelationshipFigures]) -> tuple[AdherenceBucket, ...]:
    counts = Counter[int]()
    for f in figures:
        if f.adherence_pct is not None:
            counts[min(int(f.adherence_pct // 10) * 10, 90)] += 1
    return tuple(
        AdherenceBucket(low=low, high=high, count=counts[low]) for low, high in ADHERENCE_BUCKETS
    )


def _sum_months(figures: Sequence[RelationshipFigures]) -> tuple[MonthFigures, ...]:
    totals: dict[str, MonthFigures] = {}
    for f in figures:
        for m in f.months:
            now = totals.get(m.month, MonthFigures(month=m.month))
            totals[m.month] = MonthFigures(
                month=m.month,
                meetings_held=now.meetings_held + m.meetings_held,
                mentoring_minutes=now.mentoring_minutes + m.mentoring_minutes,
                feedback_given=now.feedback_given + m.feedback_given,
                reflections_recorded=now.reflections_recorded + m.reflections_recorded,
            )
    return tuple(totals[key] for key in sorted(totals))


def _mentor_load(relationships: Sequence[RelationshipFacts]) -> tuple[MentorLoad, ...]:
    """Every mentor's active mentees, the busiest first (then by id)."""
    load = Counter(f.mentor_id for f in relationships if f.status is RelationshipStatus.ACTIVE)
    mentors = sorted({f.mentor_id for f in relationships}, key=lambda m: (-load[m], m))
    return tuple(MentorLoad(mentor_id=m, active_mentees=load[m]) for m in mentors)


def _in_report_order(relationships: Iterable[RelationshipFacts]) -> list[RelationshipFacts]:
    """The relationships that exist, by when they were proposed, then by id."""
    return sorted(
        (r for r in relationships if r.relationship_id is not None),
        key=lambda r: (r.proposed_at or _EARLIEST, str(r.relationship_id)),
    )


def _programme_figures(
    programme: ProgrammeFacts,
    facts: Sequence[RelationshipFacts],
    figures: Sequence[RelationshipFigures],
    policies: Sequence[PolicyFact],
    period: ReportPeriod,
    as_of: datetime,
) -> ProgrammeFigures:
    assert programme.programme_id is not None  # compliance_report refuses any other
    window = Window(period.starts_at, period.ends_before, as_of)
    formed_in_period = [f for f in figures if f.formed_at is not None and window.holds(f.formed_at)]
    first_meeting_days = [
        f.days_to_first_meeting for f in formed_in_period if f.days_to_first_meeting is not None
    ]
    return ProgrammeFigures(
        programme_id=programme.programme_id,
        name=programme.name,
        organisation=programme.organisation,
        policy=describe_policy(in_force(policies, as_of)),
        relationships=_status_counts(facts),
        days_to_first_meeting_median=nearest_rank(first_meeting_days, 50),
        days_to_first_meeting_p90=nearest_rank(first_meeting_days, 90),
        first_meetings=len(first_meeting_days),
        awaiting_first_meeting=sum(
            f.days_to_first_meeting is None and f.status is RelationshipStatus.ACTIVE
            for f in formed_in_period
        ),
        adherence=_adherence(figures),
        without_expected_meetings=sum(f.adherence_pct is None for f in figures),
        retention=_retention(facts, period, as_of),
        mentor_load=_mentor_load(facts),
        meetings_overdue=sum(f.meeting_overdue for f in figures),
        reviews_overdue=sum(f.review_overdue for f in figures),
        meetings_held=sum(f.meetings_held for f in figures),
        meetings_missed=sum(f.meetings_missed for f in figures),
        meetings_cancelled=sum(f.meetings_cancelled for f in figures),
        short_meetings=sum(f.short_meetings for f in figures),
        mentoring_minutes=sum(f.mentoring_minutes for f in figures)
        - repeated_session_minutes(facts, window.holds),
        months=_sum_months(figures),
        **programme_plan_trends(figures),
    )


def compliance_report(
    programme: ProgrammeFacts,
    relationships: Iterable[RelationshipFacts],
    *,
    as_of: datetime,
    start: date | None = None,
    end: date | None = None,
    policy: ProgrammePolicy | None = None,
    personal_data_past_due: int | None = None,
) -> ComplianceReport:
    """The report of ``programme`` from its facts and its relationships' facts.

    ``as_of`` is the moment described (aware); the facts must hold only events
    recorded by then. ``start``/``end`` bound the period (UTC days, both
    included). ``policy``, when given, is checked instead of the recorded
    policies, as if it had been in force from the start. ``personal_data_past_due``:
    the count of people past their retention period, counted by the caller
    (``mentoring_core.privacy.retention.past_due``), which reads more than facts.
    """
    if programme.programme_id is None:
        raise InvalidValue("programme", programme, "the facts of a created programme")
    as_of = check_aware("as_of", as_of)
    facts = _in_report_order(relationships)
    policies = programme.policies if policy is None else (PolicyFact(at=_EARLIEST, policy=policy),)
    period = resolve_period(start, end, programme, facts, as_of)
    figures = tuple(relationship_figures(f, policies, period, as_of) for f in facts)
    return ComplianceReport(
        as_of=as_of,
        period=period,
        policy_given=policy is not None,
        programme=attrs.evolve(
            _programme_figures(programme, facts, figures, policies, period, as_of),
            personal_data_past_due=personal_data_past_due,
        ),
        relationships=figures,
    )
