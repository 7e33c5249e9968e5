"""Mentors' time reports of a service's programme: :func:`write_mentor_time_report`, behind
``mentoring report mentor-time`` (``docs/reports.md``, "Mentors' time")."""

from __future__ import annotations

import os
from datetime import date, datetime
from pathlib import Path
from uuid import UUID

from ..application import MentoringService
from ..domain.validation import check_now
from ..reports import MentorTimeReport, ReportFormat, mentor_time_report, render_mentor_time
from ..reports._render import report_format
from ..reports._time import MENTOR_TIME_FORMATS
from ._projection import ComplianceProjection
from ._reports import facts_at, recorded_after


def build_mentor_time_report(
    service: MentoringService,
    programme_id: UUID,
    *,
    start: date,
    end: date,
    now: datetime | None = None,
    projection: ComplianceProjection | None = None,
) -> MentorTimeReport:
    """The mentor-time report of a programme for the days ``start`` to ``end`` (UTC, both
    included), from the compliance read model brought up to date; ``now``: what counts as
    held by then (default: the service's clock, read after catching up). A ``now`` before
    a record of the store was recorded (:func:`~._reports.recorded_after`) reads the
    events recorded by then, as the compliance report does, not the read model, which
    holds what was recorded since (a recognition, a meeting recorded late)."""
    moment = None if now is None else check_now(now)
    as_of = moment if moment is not None and recorded_after(service, moment) else None
    programme, relationships = facts_at(service, programme_id, as_of, projection)
    moment = moment or check_now(service.now())  # the clock read after catching up
    return mentor_time_report(programme, relationships, start=start, end=end, as_of=moment)


def write_mentor_time_report(
    service: MentoringService,
    programme_id: UUID,
    *,
    start: date,
    end: date,
    format: ReportFormat | str,
    out: str | os.PathLike[str] | None = None,
    now: datetime | None = None,
) -> str:
    """Produce the report (:func:`build_mentor_time_report`), render it in ``format`` (``csv``:
    one row per mentor, or ``json``; another is refused, :class:`InvalidValue` naming
    ``format``, before the report is made), write it to ``out`` (UTF-8) if given, return
    the text."""
    chosen = report_format(format, MENTOR_TIME_FORMATS)
    report = build_mentor_time_report(service, programme_id, start=start, end=end, now=now)
    text = render_mentor_time(report, chosen)
    if out is not None:
        Path(out).write_text(text, encoding="utf-8", newline="")
    return text
