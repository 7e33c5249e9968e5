"""The report as JSON or CSV text; ``_html`` does HTML. Pure: text in, text out, no files.

Field names and columns are listed in ``docs/reports.md``; a test fails when the
page and :data:`CSV_COLUMNS` or the JSON fields disagree.
"""

from __future__ import annotations

import csv
import enum
import io
import json
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

import cattrs
import msgspec
from cattrs.preconf.json import make_converter

from ..domain.errors import InvalidValue
from ._figures import ComplianceReport, RelationshipFigures
from ._numbers import hours


class ReportFormat(enum.StrEnum):
    """The forms a report can be written in."""

    HTML = "html"
    CSV = "csv"
    JSON = "json"


def report_format(
    value: object, allowed: tuple[ReportFormat, ...] = tuple(ReportFormat)
) -> ReportFormat:
    """``value`` (a :class:`ReportFormat`, or its value as text) as one of the formats
    ``allowed``; else :class:`~mentoring_core.InvalidValue` naming ``format`` and listing
    them, as :func:`~mentoring_core.domain.validation.check_enum` does."""
    chosen = next((f for f in allowed if value == f.value), None)
    if chosen is None:
        raise InvalidValue("format", value, f"one of {', '.join(allowed)}")
    return chosen


def make_report_converter() -> cattrs.Converter:
    """The converter from report objects to JSON-safe values; every hook is registered here.

    Percentages and day counts are Decimals rounded to one place; in JSON they
    are numbers, so a reader gets ``85.7``, not ``"85.7"``.
    """
    converter = make_converter()
    converter.register_unstructure_hook(UUID, str)
    converter.register_unstructure_hook(datetime, datetime.isoformat)
    converter.register_unstructure_hook(date, date.isoformat)
    converter.register_unstructure_hook(Decimal, float)
    return converter


REPORT_CONVERTER = make_report_converter()


def report_to_dict(report: ComplianceReport) -> dict[str, Any]:
    """The report as the JSON document's object."""
    data: dict[str, Any] = REPORT_CONVERTER.unstructure(report)
    return data


def render_json(report: ComplianceReport) -> str:
    return indented_json(report_to_dict(report)) + "\n"


def indented_json(value: Any) -> str:
    """``json.dumps(value, indent=2, ensure_ascii=False)``, the same text, quicker for a
    large value: ``json.dumps`` with an indent writes in Python, not with its C encoder
    (3 seconds for the 60 MB report of 2,000 relationships over two years), so the value
    is written compact by the C encoder, then indented by ``msgspec``'s formatter, in C
    too (1.6 seconds in all, with the conversion to JSON values). A lone surrogate (a
    text the domain refuses, but a report built by hand may hold) goes through both as it
    came (``surrogatepass``), as ``json.dumps`` writes it. NaN and infinities, which no
    figure is but a report built by hand may hold, are written by ``json.dumps`` alone, as
    ``NaN`` and ``Infinity`` (which are not JSON, and which the formatter refuses)."""
    try:
        compact = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    except ValueError:  # NaN or an infinity (or a list that holds itself: the same error)
        return json.dumps(value, indent=2, ensure_ascii=False)
    indented = msgspec.json.format(compact.encode("utf-8", "surrogatepass"), indent=2)
    return indented.decode("utf-8", "surrogatepass")


FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")
"""First characters that make a spreadsheet read a cell as a formula (OWASP's list, with
the line feed and the full-width forms of ``= + - @`` that some spreadsheets accept)."""


def neutralise(text: str) -> str:
    """``text`` as a CSV text cell that no spreadsheet runs as a formula.

    The OWASP rule against CSV injection: a cell that starts with a formula trigger
    (``=``, ``+``, ``-``, ``@``, tab, carriage return...) is prefixed with a single
    quote, which spreadsheets show as the start of literal text. So is one that starts
    with a single quote itself, so that every cell written with a leading quote has one
    more than its text: a reader strips one and has the text (``-x`` and ``'-x`` were
    both written ``'-x``, two people's ids read as one).
    """
    return "'" + text if text.startswith(_QUOTED) else text


_QUOTED = (*FORMULA_TRIGGERS, "'")


def _cell(value: object) -> str:
    """A CSV cell: empty for None, ``true``/``false``, ISO 8601 times, plain numbers;
    recorded text (person ids, names) neutralised by :func:`neutralise`."""
    match value:
        case None:
            return ""
        case bool():
            return "true" if value else "false"
        case datetime() | date():
            return value.isoformat()
        case enum.Enum():  # the columns' enums are StrEnums: their value, never a formula
            return str(value.value)
        case str():
            return neutralise(value)
        case _:  # numbers and ids, written by the report itself: a negative stays a number
            return str(value)


Column = tuple[str, Callable[[ComplianceReport, RelationshipFigures], object]]

CSV_COLUMNS: tuple[Column, ...] = (
    ("programme_id", lambda r, f: r.programme.programme_id),
    ("period_start", lambda r, f: r.period.start),
    ("period_end", lambda r, f: r.period.end),
    ("as_of", lambda r, f: r.as_of),
    ("relationship_id", lambda r, f: f.relationship_id),
    ("mentor_id", lambda r, f: f.mentor_id),
    ("mentee_id", lambda r, f: f.mentee_id),
    ("status", lambda r, f: f.status),
    ("end_reason", lambda r, f: f.end_reason),
    ("proposed_at", lambda r, f: f.proposed_at),
    ("formed_at", lambda r, f: f.formed_at),
    ("ended_at", lambda r, f: f.ended_at),
    ("policy_cadence", lambda r, f: f.policy_cadence),
    ("agreed_cadence", lambda r, f: f.agreed_cadence),
    ("expected_meetings", lambda r, f: f.expected_meetings),
    ("met_meetings", lambda r, f: f.met_meetings),
    ("adherence_pct", lambda r, f: f.adherence_pct),
    ("expected_meetings_agreed", lambda r, f: f.expected_meetings_agreed),
    ("met_meetings_agreed", lambda r, f: f.met_meetings_agreed),
    ("adherence_agreed_pct", lambda r, f: f.adherence_agreed_pct),
    ("meetings_held", lambda r, f: f.meetings_held),
    ("meetings_missed", lambda r, f: f.meetings_missed),
    ("meetings_cancelled", lambda r, f: f.meetings_cancelled),
    ("short_meetings", lambda r, f: f.short_meetings),
    ("mentoring_hours", lambda r, f: hours(f.mentoring_minutes)),
    ("longest_gap_days", lambda r, f: f.longest_gap and f.longest_gap.days),
    ("longest_gap_start", lambda r, f: f.longest_gap and f.longest_gap.start),
    ("longest_gap_end", lambda r, f: f.longest_gap and f.longest_gap.end),
    ("paused_days", lambda r, f: f.paused_days),
    ("meeting_overdue", lambda r, f: f.meeting_overdue),
    ("next_meeting_due", lambda r, f: f.next_meeting_due),
    ("days_to_first_meeting", lambda r, f: f.days_to_first_meeting),
    ("goals_set", lambda r, f: f.goals_set),
    ("goals_achieved", lambda r, f: f.goals_achieved),
    ("goals_abandoned", lambda r, f: f.goals_abandoned),
    ("goals_overdue", lambda r, f: f.goals_overdue),
    ("days_to_first_goal", lambda r, f: f.days_to_first_goal),
    ("feedback_given", lambda r, f: f.feedback_given),
    ("reflections_recorded", lambda r, f: f.reflections_recorded),
    ("reviews_due", lambda r, f: f.reviews_due),
    ("reviews_met", lambda r, f: f.reviews_met),
    ("reviews_done", lambda r, f: f.reviews_done),
    ("review_overdue", lambda r, f: f.review_overdue),
    ("next_review_due", lambda r, f: f.next_review_due),
    ("activities_late", lambda r, f: f.activities_late),
    ("milestones_late", lambda r, f: f.milestones_late),
    ("rating_first", lambda r, f: f.rating_first),
    ("rating_latest", lambda r, f: f.rating_latest),
    ("rating_change", lambda r, f: f.rating_change),
    ("rating_trend", lambda r, f: f.rating_trend),
    ("goal_progress_first_pct", lambda r, f: f.goal_progress_first_pct),
    ("goal_progress_latest_pct", lambda r, f: f.goal_progress_latest_pct),
    ("goal_progress_change", lambda r, f: f.goal_progress_change),
    ("goal_progress_trend", lambda r, f: f.goal_progress_trend),
    ("personal_data_past_due", lambda r, f: r.programme.personal_data_past_due),
)
"""One row per relationship; ``docs/reports.md`` defines each column."""


def render_csv(report: ComplianceReport) -> str:
    """One header row, then one row per relationship (RFC 4180: CRLF line ends)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(name for name, _ in CSV_COLUMNS)
    for figures in report.relationships:
        writer.writerow(_cell(value(report, figures)) for _, value in CSV_COLUMNS)
    return out.getvalue()
