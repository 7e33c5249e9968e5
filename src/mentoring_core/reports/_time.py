"""Time figures: mentors' hours (group sessions counted once), working hours, recognition.

Pure, like the compliance figures: computed from the same facts. ``docs/reports.md``,
"Mentors' time", defines every figure; :func:`mentor_time_report` computes them and
:func:`render_mentor_time` writes them as CSV (one row per mentor, for a payroll or HR
system) or JSON (everything).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from uuid import UUID

import attrs

from ..domain.errors import InvalidValue
from ..domain.validation import check_day
from ..domain.values import RecognitionKind, RelationshipStatus
from ._facts import MeetingFact, ProgrammeFacts, RecognitionFact, RelationshipFacts
from ._numbers import hours, percent
from ._render import REPORT_CONVERTER, ReportFormat, _cell, indented_json, report_format
from ._schedule import Window, end_of_day, in_force
from ._sessions import Holds, counted_once, held_in


@attrs.frozen(kw_only=True)
class WorkingHours:
    """Held meetings (and their minutes) in and out of paid working hours."""

    meetings: int
    minutes: int
    in_working_hours_meetings: int
    in_working_hours_minutes: int
    in_working_hours_meetings_pct: Decimal | None
    in_working_hours_minutes_pct: Decimal | None


def working_hours(meetings: Sequence[MeetingFact]) -> WorkingHours:
    """The working-hours figures of ``meetings`` (a meeting of unknown flag counts as in
    working hours, the default of a schedule)."""
    inside = [m for m in meetings if m.in_working_hours is not False]
    minutes = sum(m.minutes or 0 for m in meetings)
    inside_minutes = sum(m.minutes or 0 for m in inside)
    return WorkingHours(
        meetings=len(meetings),
        minutes=minutes,
        in_working_hours_meetings=len(inside),
        in_working_hours_minutes=inside_minutes,
        in_working_hours_meetings_pct=percent(len(inside), len(meetings)),
        in_working_hours_minutes_pct=percent(inside_minutes, minutes),
    )


@attrs.frozen(kw_only=True)
class RelationshipTime:
    """One relationship's meetings in the period: the mentee's participation."""

    relationship_id: UUID
    mentor_id: str
    mentee_id: str
    group_sessions: int
    """Held meetings that were part of a group session."""
    working_hours: WorkingHours


@attrs.frozen(kw_only=True)
class MentorTime:
    """One mentor's time in the period, and how it was recognised."""

    mentor_id: str
    one_on_one_meetings: int
    """Held meetings of one pair (any format but a group session)."""
    one_on_one_minutes: int
    group_sessions: int
    """Group sessions led, each counted once."""
    group_minutes: int
    minutes: int
    hours: Decimal
    in_working_hours_minutes: int
    outside_working_hours_minutes: int
    mentees_carried: int
    """Relationships formed by the period's end and not ended by then (not declined)."""
    capacity: int | None
    """The policy's ``max_mentees_per_mentor`` in force at the period's end (None: no limit)."""
    free_capacity: int | None
    allowance_amount: Decimal
    time_in_lieu_hours: Decimal
    certificates: int
    other_recognitions: int
    recognitions: tuple[RecognitionFact, ...]
    """The recognitions whose period ends within the report's period."""


@attrs.frozen(kw_only=True)
class MentorTimeReport:
    programme_id: UUID
    name: str
    period_start: date
    period_end: date
    as_of: datetime
    programme: WorkingHours
    """Every held meeting in the period, a group session counted once."""
    group_sessions: int
    mentors: tuple[MentorTime, ...]
    relationships: tuple[RelationshipTime, ...]


def _carried(relationships: Sequence[RelationshipFacts], end: datetime) -> int:
    return sum(
        r.formed_at is not None
        and r.formed_at <= end
        and (r.ended_at is None or r.ended_at > end)
        and r.status is not RelationshipStatus.DECLINED
        for r in relationships
    )


def _total(recognitions: Sequence[RecognitionFact], field: str) -> Decimal:
    return sum((getattr(r, field) or Decimal(0) for r in recognitions), Decimal(0))


def _mentor(
    mentor_id: str,
    relationships: Sequence[RelationshipFacts],
    programme: ProgrammeFacts,
    holds: Holds,
    period: tuple[date, date, datetime],
) -> MentorTime:
    start, end, last_moment = period
    once = counted_once(relationships, holds)
    group = [m for m in once if m.group_session_id is not None]
    alone = [m for m in once if m.group_session_id is None]
    figures = working_hours(once)
    policy = in_force(programme.policies, last_moment)
    capacity = None if policy is None else policy.max_mentees_per_mentor
    carried = _carried(relationships, last_moment)
    recognised = tuple(
        r
        for r in programme.recognitions
        if r.person_id == mentor_id and start <= r.period_end <= end
    )
    kinds = [r.kind for r in recognised]
    return MentorTime(
        mentor_id=mentor_id,
        one_on_one_meetings=len(alone),
        one_on_one_minutes=sum(m.minutes or 0 for m in alone),
        group_sessions=len(group),
        group_minutes=sum(m.minutes or 0 for m in group),
        minutes=figures.minutes,
        hours=hours(figures.minutes),
        in_working_hours_minutes=figures.in_working_hours_minutes,
        outside_working_hours_minutes=figures.minutes - figures.in_working_hours_minutes,
        mentees_carried=carried,
        capacity=capacity,
        free_capacity=None if capacity is None else capacity - carried,
        allowance_amount=_total(
            [r for r in recognised if r.kind is RecognitionKind.ALLOWANCE], "amount"
        ),
        time_in_lieu_hours=_total(
            [r for r in recognised if r.kind is RecognitionKind.TIME_IN_LIEU], "hours"
        ),
        certificates=kinds.count(RecognitionKind.CERTIFICATE),
        other_recognitions=kinds.count(RecognitionKind.OTHER),
        recognitions=recognised,
    )


def _period(start: object, end: object) -> tuple[date, date]:
    """The period's first and last days, checked."""
    first, last = check_day("period_start", start), check_day("period_end", end)
    if last < first:
        raise InvalidValue("period_end", last, f"a day not before the start ({first})")
    if last >= date.max:  # the day after the period must still be a date
        raise InvalidValue("period_end", last, f"a date before {date.max.isoformat()}")
    return first, last


def mentor_time_report(
    programme: ProgrammeFacts,
    relationships: Iterable[RelationshipFacts],
    *,
    start: date,
    end: date,
    as_of: datetime,
) -> MentorTimeReport:
    """The time figures of ``programme`` for the days ``start`` to ``end`` (UTC, both
    included), counting what was held by ``as_of``."""
    if programme.programme_id is None:
        raise InvalidValue("programme", programme, "the facts of a created programme")
    start, end = _period(start, end)
    window = Window(datetime.combine(start, time(), UTC), end_of_day(end), as_of)
    ordered = sorted(
        (r for r in relationships if r.relationship_id is not None),
        key=lambda r: (r.proposed_at or window.start, str(r.relationship_id)),
    )
    last_moment = min(window.ends_before - timedelta(microseconds=1), as_of)
    recognised = {r.person_id for r in programme.recognitions if start <= r.period_end <= end}
    mentors = sorted({r.mentor_id for r in ordered} | recognised)  # paired or recognised
    once = counted_once(ordered, window.holds)
    return MentorTimeReport(
        programme_id=programme.programme_id,
        name=programme.name,
        period_start=start,
        period_end=end,
        as_of=as_of,
        programme=working_hours(once),
        group_sessions=sum(m.group_session_id is not None for m in once),
        mentors=tuple(
            _mentor(
                m,
                [r for r in ordered if r.mentor_id == m],
                programme,
                window.holds,
                (start, end, last_moment),
            )
            for m in mentors
        ),
        relationships=tuple(
            RelationshipTime(
                relationship_id=r.relationship_id,
                mentor_id=r.mentor_id,
                mentee_id=r.mentee_id,
                group_sessions=sum(
                    m.group_session_id is not None for m in held_in(r, window.holds)
                ),
                working_hours=working_hours(held_in(r, window.holds)),
            )
            for r in ordered
            if r.relationship_id is not None
        ),
    )


MentorColumn = tuple[str, Callable[[MentorTimeReport, MentorTime], object]]

MENTOR_TIME_COLUMNS: tuple[MentorColumn, ...] = (
    ("programme_id", lambda r, m: r.programme_id),
    ("period_start", lambda r, m: r.period_start),
    ("period_end", lambda r, m: r.period_end),
    ("mentor_id", lambda r, m: m.mentor_id),
    ("one_on_one_meetings", lambda r, m: m.one_on_one_meetings),
    ("one_on_one_minutes", lambda r, m: m.one_on_one_minutes),
    ("group_sessions", lambda r, m: m.group_sessions),
    ("group_minutes", lambda r, m: m.group_minutes),
    ("total_minutes", lambda r, m: m.minutes),
    ("total_hours", lambda r, m: m.hours),
    ("in_working_hours_minutes", lambda r, m: m.in_working_hours_minutes),
    ("outside_working_hours_minutes", lambda r, m: m.outside_working_hours_minutes),
    ("mentees_carried", lambda r, m: m.mentees_carried),
    ("capacity", lambda r, m: m.capacity),
    ("free_capacity", lambda r, m: m.free_capacity),
    ("allowance_amount", lambda r, m: m.allowance_amount),
    ("time_in_lieu_hours", lambda r, m: m.time_in_lieu_hours),
    ("certificates", lambda r, m: m.certificates),
    ("other_recognitions", lambda r, m: m.other_recognitions),
)
"""The mentor-time CSV: one row per mentor; ``docs/reports.md`` defines each column."""


MENTOR_TIME_FORMATS = (ReportFormat.CSV, ReportFormat.JSON)
"""The forms the mentor-time report is written in."""


def render_mentor_time(report: MentorTimeReport, format: ReportFormat | str) -> str:
    """The report as CSV (one row per mentor, RFC 4180) or JSON (everything); another
    ``format`` is refused (:class:`~mentoring_core.InvalidValue` naming ``format``)."""
    match report_format(format, MENTOR_TIME_FORMATS):
        case ReportFormat.CSV:
            out = io.StringIO()
            writer = csv.writer(out)
            writer.writerow(name for name, _ in MENTOR_TIME_COLUMNS)
            for mentor in report.mentors:
                writer.writerow(_cell(value(report, mentor)) for _, value in MENTOR_TIME_COLUMNS)
            return out.getvalue()
        case ReportFormat.JSON:
            return indented_json(REPORT_CONVERTER.unstructure(report)) + "\n"
    raise AssertionError(format)  # report_format allowed only these
