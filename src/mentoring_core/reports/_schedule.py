"""Expected meetings and reviews: the cadence in force at each moment, cut into slots.

The model, in one paragraph (``docs/reports.md`` says it at length): a
relationship is *active* from the moment the pair formed until it ended (or
until the report's moment), except while paused. Each stretch of active time is
cut where the cadence in force changes (a policy tier reached by the
relationship's age, a new policy, a new agreed schedule). Each piece is cut
into consecutive intervals of the cadence's length from its start; every
complete interval is a slot that expects one meeting by the end of the day (UTC)
it ends on (its *due* moment, the midnight after: whatever the hour the pair
meets that day) and is *met* when a meeting was held inside it. A pause stops
the clock: the slot under way when it starts is dropped, and slots start again
from the resumption.

All times are aware UTC datetimes; days are 24 hours; a month is a calendar
month (the same day of the next month, or its last day when shorter).
"""

from __future__ import annotations

import bisect
import calendar
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, date, datetime, time, timedelta

import attrs

from ..domain.values import Cadence, CadenceKind, ProgrammePolicy
from ._facts import PauseFact, PolicyFact, ScheduleFact

DAY = timedelta(days=1)

CadenceAt = Callable[[datetime], Cadence | None]
"""The cadence in force at a moment, or None when nothing is expected then."""


@attrs.frozen
class Span:
    """A stretch of time ``[start, end)``."""

    start: datetime
    end: datetime


@attrs.frozen(kw_only=True)
class Slot:
    """One expected meeting (or review): due at ``due``, met by one held in ``[start, due)``."""

    start: datetime
    due: datetime
    met: bool = False


@attrs.frozen
class Window:
    """The part of a report's period already past at the report's moment.

    It holds the moments from the period's first midnight, before the midnight
    after its last day, and not after the report's moment (a meeting due or held
    exactly then counts).
    """

    start: datetime
    ends_before: datetime
    as_of: datetime

    @property
    def end(self) -> datetime:
        return min(self.ends_before, self.as_of)

    def holds(self, moment: datetime) -> bool:
        return self.start <= moment < self.ends_before and moment <= self.as_of

    def due(self, found: Iterable[Slot]) -> tuple[Slot, ...]:
        """The slots of ``found`` due within the window: due at the end of one of its
        days (a slot due at the period's first midnight is the day before's), and not
        after the report's moment."""
        return tuple(
            s for s in found if self.start < s.due <= self.ends_before and s.due <= self.as_of
        )


def add_months(moment: datetime, months: int) -> datetime:
    """The same day and time ``months`` calendar months later (clamped to the month's end)."""
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    day = moment.day
    if day > 28:  # every month has 28 days: only a later day asks the calendar (slow)
        day = min(day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def step(start: datetime, cadence: Cadence, count: int) -> datetime:
    """The moment ``count`` cadence intervals after ``start``."""
    match cadence.kind:
        case CadenceKind.WEEKLY:
            return start + 7 * count * DAY
        case CadenceKind.FORTNIGHTLY:
            return start + 14 * count * DAY
        case CadenceKind.MONTHLY:
            return add_months(start, count)
        case _:
            return start + (cadence.every_days or 1) * count * DAY


def active_spans(
    formed_at: datetime | None,
    ended_at: datetime | None,
    pauses: Sequence[PauseFact],
    until: datetime,
) -> tuple[Span, ...]:
    """The stretches of active time up to ``until``: formed, not ended, not paused."""
    if formed_at is None:
        return ()
    end = until if ended_at is None else min(ended_at, until)
    spans: list[Span] = []
    start = formed_at
    for pause in sorted(pauses, key=lambda p: p.paused_at):
        if pause.paused_at > start:
            spans.append(Span(start, min(pause.paused_at, end)))
        if pause.resumed_at is None:
            start = end
            break
        start = max(start, pause.resumed_at)
    spans.append(Span(start, end))
    return tuple(span for span in spans if span.start < span.end)


def _segments(
    span: Span, cadence_at: CadenceAt, change_points: Sequence[datetime]
) -> list[tuple[datetime, datetime, Cadence | None]]:
    """``span`` cut where the cadence changes, each piece with its cadence."""
    inside = sorted({p for p in change_points if span.start < p < span.end})
    pieces: list[tuple[datetime, datetime, Cadence | None]] = []
    for start, end in zip([span.start, *inside], [*inside, span.end], strict=True):
        cadence = cadence_at(start)
        if pieces and pieces[-1][2] == cadence:
            pieces[-1] = (pieces[-1][0], end, cadence)
        else:
            pieces.append((start, end, cadence))
    return pieces


def end_of_day(day: date) -> datetime:
    """The moment ``day`` ends, UTC (the midnight after it): when whatever falls due on it
    (a meeting, a review, a goal, a plan activity, a milestone) is due."""
    return datetime.combine(day + DAY, time(), tzinfo=UTC)


def day_ended_by(moment: datetime) -> date | None:
    """The day ``moment`` ends (:func:`end_of_day`: the day before it, when it is a
    midnight UTC), or None for another moment."""
    at = moment.astimezone(UTC)
    day = (at - DAY).date()
    return day if end_of_day(day) == at else None


def slots(
    spans: Sequence[Span],
    cadence_at: CadenceAt,
    change_points: Sequence[datetime],
    done: Sequence[datetime],
) -> tuple[Slot, ...]:
    """Every complete slot in ``spans``, each marked met if a moment of ``done`` falls in it.

    A piece's slots are its cadence's intervals from its start; one counts when its
    interval ends by the end of its piece (six weekly meetings are due in the first six
    weeks). It is due at the end of the day (UTC) its interval ends on, and the next
    slot starts there: no slot starts before the one before it is due (a piece that
    starts on the day a slot of the last piece falls due starts its first slot then).
    """
    times = sorted(done)
    found: list[Slot] = []
    floor: datetime | None = None
    for span in spans:
        for start, end, cadence in _segments(span, cadence_at, change_points):
            if cadence is None:
                continue
            count = 1
            slot_start = start if floor is None else max(start, floor)
            while (interval_end := step(start, cadence, count)) <= end:
                due = end_of_day(interval_end.date())
                index = bisect.bisect_left(times, slot_start)
                met = index < len(times) and times[index] < due
                found.append(Slot(start=slot_start, due=due, met=met))
                slot_start = floor = due
                count += 1
    return tuple(found)


def in_force(facts: Sequence[PolicyFact], moment: datetime) -> ProgrammePolicy | None:
    """The policy in force at ``moment``: the latest to take effect by then (the last recorded
    wins a tie), or None before the first."""
    chosen: PolicyFact | None = None
    for fact in facts:
        if fact.at <= moment and (chosen is None or fact.at >= chosen.at):
            chosen = fact
    return None if chosen is None else chosen.policy


def agreed_at(schedules: Sequence[ScheduleFact], moment: datetime) -> Cadence | None:
    """The agreed cadence in force at ``moment``, or None before the first agreement."""
    chosen: ScheduleFact | None = None
    for fact in schedules:
        if fact.at <= moment and (chosen is None or fact.at >= chosen.at):
            chosen = fact
    return None if chosen is None else chosen.cadence


def policy_cadence(policies: Sequence[PolicyFact], formed_at: datetime) -> CadenceAt:
    """The policy's cadence at each moment, by the relationship's age in whole days."""

    def cadence_at(moment: datetime) -> Cadence | None:
        policy = in_force(policies, moment)
        if policy is None:
            return None
        return policy.cadence_at_age((moment - formed_at) // DAY)

    return cadence_at


def policy_change_points(
    policies: Sequence[PolicyFact], formed_at: datetime
) -> tuple[datetime, ...]:
    """Where the policy's cadence may change: each policy's start and each tier's age limit."""
    points = {fact.at for fact in policies}
    for fact in policies:
        for tier in fact.policy.cadence:
            if tier.until_age_days is not None:
                points.add(formed_at + tier.until_age_days * DAY)
    return tuple(sorted(points))


def review_cadence(policies: Sequence[PolicyFact]) -> CadenceAt:
    """Progress reviews are expected every ``review_interval_days`` of the policy in force."""

    def cadence_at(moment: datetime) -> Cadence | None:
        policy = in_force(policies, moment)
        return None if policy is None else Cadence.every(policy.review_interval_days)

    return cadence_at


def next_due(
    spans: Sequence[Span], last_done: datetime | None, cadence: Cadence, now: datetime
) -> datetime:
    """When the next meeting (or review) of a relationship active at ``now`` is due: by the
    end of the day one interval after the last one held, or after the start of the
    active stretch under way if that is later. A stretch that began exactly at ``now``
    (formed or resumed then) has no span yet: it is counted from ``now``."""
    anchor = spans[-1].start if spans and spans[-1].end == now else now
    if last_done is not None and last_done > anchor:
        anchor = last_done
    return end_of_day(step(anchor, cadence, 1).date())


def overlap(span: Span, others: Sequence[Span]) -> timedelta:
    """How much of ``span`` the ``others`` cover (they must not overlap each other)."""
    total = timedelta(0)
    for other in others:
        start, end = max(span.start, other.start), min(span.end, other.end)
        if start < end:
            total += end - start
    return total
