"""The report as one self-contained HTML page: tables, and charts drawn as inline SVG.

No scripts, fonts, images or style sheets are fetched: the file can be opened
offline, attached to an email or archived with an audit. Tooltips are SVG
``<title>`` elements, which browsers show without JavaScript.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from datetime import datetime
from decimal import Decimal
from html import escape

from ..domain.values import MeetingOutcome
from ._figures import ComplianceReport, RelationshipFigures
from ._numbers import TENTH, hours
from ._schedule import Span, add_months, day_ended_by

MAX_TIMELINES = 200
"""Timelines drawn at most; the relationships with the lowest adherence come first."""

_CSS = """
body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5rem; color: #1b1b1b; }
h1 { font-size: 1.5rem; margin-bottom: 0.2rem; }
h2 { font-size: 1.15rem; margin-top: 2rem; border-bottom: 1px solid #ccc; }
p.meta { color: #555; margin-top: 0; }
table { border-collapse: collapse; margin: 0.5rem 0; }
th, td { border: 1px solid #ccc; padding: 0.2rem 0.45rem; text-align: left; }
th { background: #f2f2f2; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.flagged td { background: #fff1f0; }
span.flag { color: #b00020; font-weight: 600; }
div.wide { overflow-x: auto; max-width: 100%; }
#relationships { font-size: 12px; }
div.timeline { margin: 0.4rem 0 0.9rem; }
div.timeline h3 { font-size: 0.95rem; margin: 0; }
.legend span { margin-right: 1rem; }
.swatch { display: inline-block; width: 0.8rem; height: 0.8rem; vertical-align: middle;
  margin-right: 0.25rem; border: 1px solid #555; }
@media print { h2 { break-after: avoid; } div.timeline { break-inside: avoid; } }
"""

DASH = "\N{EN DASH}"
HELD, SHORT, MISSED, CANCELLED = "#1a7f37", "#d4a017", "#b00020", "#777777"
MET, UNMET, PAUSED = "#1a7f37", "#b00020", "#e4e4e4"


def _text(value: object) -> str:
    """A value as escaped text for a cell: dates and times short, None as a dash."""
    match value:
        case None:
            return DASH
        case datetime():
            return escape(value.strftime("%Y-%m-%d %H:%M"))
        case _:
            return escape(str(value))


def _due(moment: datetime | None) -> str:
    """When something is due, in a cell: the day it falls due on (it is due at that day's
    end, the midnight after it, which would read as the next day)."""
    day = None if moment is None else day_ended_by(moment)
    return _text(moment if day is None else day)


def _pct(value: Decimal | None) -> str:
    return DASH if value is None else f"{value}%"


def _hours(minutes: int) -> str:
    return str(hours(minutes, TENTH))


def _table(table_id: str, caption: str, head: Sequence[str], rows: Iterable[str]) -> str:
    header = "".join(f"<th scope='col'>{escape(h)}</th>" for h in head)
    return (
        f"<table id='{table_id}'><caption>{escape(caption)}</caption>"
        f"<thead><tr>{header}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )


def _row(cells: Iterable[str], *, flagged: bool = False, numeric: Sequence[int] = ()) -> str:
    tds = "".join(
        f"<td class='num'>{c}</td>" if i in numeric else f"<td>{c}</td>"
        for i, c in enumerate(cells)
    )
    return f"<tr class='flagged'>{tds}</tr>" if flagged else f"<tr>{tds}</tr>"


# --- Tables --------------------------------------------------------------------------


def _summary(report: ComplianceReport) -> str:
    p = report.programme
    s = p.relationships
    rows = [
        ("Relationships", s.total),
        ("Proposed / active / paused", f"{s.proposed} / {s.active} / {s.paused}"),
        ("Completed / withdrawn / re-matched", f"{s.completed} / {s.withdrawn} / {s.rematched}"),
        ("Declined proposals", s.declined),
        ("Ended because someone left the organisation", s.left_organisation),
        (
            "Meetings held / missed / cancelled",
            f"{p.meetings_held} / {p.meetings_missed} / {p.meetings_cancelled}",
        ),
        ("Held meetings shorter than the minimum", p.short_meetings),
        ("Mentoring hours", _hours(p.mentoring_minutes)),
        ("Relationships overdue for a meeting", p.meetings_overdue),
        ("Relationships overdue for a progress review", p.reviews_overdue),
        (
            "Days from pairing to first meeting: median / 90th percentile",
            f"{_text(p.days_to_first_meeting_median)} / {_text(p.days_to_first_meeting_p90)}",
        ),
        ("Formed in the period, still without a first meeting", p.awaiting_first_meeting),
        ("Late plan activities / milestones", f"{p.activities_late} / {p.milestones_late}"),
        (
            "People past the retention period for personal data",
            "no period set" if p.personal_data_past_due is None else p.personal_data_past_due,
        ),
    ]
    body = (
        _row(
            (escape(label), _text(value)),
            flagged=label.startswith("Relationships overdue") and value != 0,
            numeric=(1,),
        )
        for label, value in rows
    )
    return _table("summary", "Programme summary", ("Figure", "Value"), body)


def _relationships(report: ComplianceReport) -> str:
    head = (
        "Mentor",
        "Mentee",
        "Status",
        "Formed",
        "Expected (policy)",
        "Met",
        "Adherence",
        "Adherence (agreed)",
        "Held",
        "Missed",
        "Cancelled",
        "Short",
        "Hours",
        "Longest gap (days)",
        "Next meeting due",
        "Reviews due / met",
        "Next review due",
        "Goals set / achieved / overdue",
    )
    rows = []
    for f in report.relationships:
        status = str(f.status) if f.end_reason is None else f"ended ({f.end_reason})"
        due = _due(f.next_meeting_due) + (
            " <span class='flag'>OVERDUE</span>" if f.meeting_overdue else ""
        )
        review = _due(f.next_review_due) + (
            " <span class='flag'>OVERDUE</span>" if f.review_overdue else ""
        )
        cells = (
            _text(f.mentor_id),
            _text(f.mentee_id),
            _text(status),
            _text(f.formed_at),
            _text(f.expected_meetings),
            _text(f.met_meetings),
            _pct(f.adherence_pct),
            _pct(f.adherence_agreed_pct),
            _text(f.meetings_held),
            _text(f.meetings_missed),
            _text(f.meetings_cancelled),
            _text(f.short_meetings),
            _hours(f.mentoring_minutes),
            _text(f.longest_gap and f.longest_gap.days),
            due,
            f"{f.reviews_due} / {f.reviews_met}",
            review,
            f"{f.goals_set} / {f.goals_achieved} / {f.goals_overdue}",
        )
        rows.append(
            _row(
                cells,
                flagged=f.meeting_overdue or f.review_overdue,
                numeric=(4, 5, 6, 7, 8, 9, 10, 11, 12, 13),
            )
        )
    table = _table("relationships", "Relationships (OVERDUE marks what is late today)", head, rows)
    return f"<div class='wide'>{table}</div>"


def _retention(report: ComplianceReport) -> str:
    rows = (
        _row(
            (
                f"{r.months} months",
                _text(r.cohort),
                _text(r.retained),
                _pct(r.retained_pct),
                _text(r.left_organisation),
                _pct(r.retained_of_stayers_pct),
            ),
            numeric=(1, 2, 3, 4, 5),
        )
        for r in report.programme.retention
    )
    return _table(
        "retention",
        "Mentees still in mentoring (or completed) after their pairing",
        (
            "After",
            "Cohort",
            "Retained",
            "Retained %",
            "Not retained: left the organisation",
            "Retained % of those who stayed",
        ),
        rows,
    )


def _load(report: ComplianceReport) -> str:
    rows = (
        _row((_text(m.mentor_id), _text(m.active_mentees)), numeric=(1,))
        for m in report.programme.mentor_load
    )
    return _table(
        "mentor-load", "Mentors' load (active mentees each)", ("Mentor", "Active mentees"), rows
    )


# --- Charts --------------------------------------------------------------------------


def _bar_chart(
    chart_id: str,
    title: str,
    labels: Sequence[str],
    values: Sequence[float],
    unit: str,
    *,
    scale: float | None = None,
) -> str:
    """A vertical bar chart with a labelled axis; one ``<rect class='bar'>`` per value.

    The axis runs to ``scale`` when given (a measure with a fixed top, such as a score
    or a percentage), else to the largest value (rounded up to four whole ticks for
    counts)."""
    # The chart's size and margins are presentation: the tests pin what is drawn inside them.
    width, height, left, bottom, top = 720, 260, 48, 40, 24  # pragma: no mutate
    plot_w, plot_h = width - left - 12, height - bottom - top
    peak = max(values, default=0) or 1
    if scale is not None:
        peak = scale
    elif all(float(v).is_integer() for v in values):
        peak = 4 * math.ceil(peak / 4)  # whole-number ticks for counts
    band = plot_w / max(len(values), 1)
    parts = [
        f"<svg id='{chart_id}' xmlns='http://www.w3.org/2000/svg' role='img' "
        f"width='{width}' height='{height}' viewBox='0 0 {width} {height}' "
        f"aria-label='{escape(title)}'><title>{escape(title)}</title>",
        f"<line x1='{left}' y1='{top + plot_h}' x2='{left + plot_w}' y2='{top + plot_h}' "
        "stroke='#333'/>",
        f"<line x1='{left}' y1='{top}' x2='{left}' y2='{top + plot_h}' stroke='#333'/>",
        f"<text x='{left}' y='14' font-size='12'>{escape(unit)}</text>",
    ]
    for tick in range(5):
        value = peak * tick / 4
        y = top + plot_h - plot_h * tick / 4
        parts.append(
            f"<text x='{left - 6}' y='{y + 4:.1f}' font-size='11' text-anchor='end'>"
            f"{value:.3g}</text>"
        )
    skip = max(1, len(labels) // 24)
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        h = plot_h * value / peak
        x = left + i * band + band * 0.15
        parts.append(
            f"<rect class='bar' x='{x:.1f}' y='{top + plot_h - h:.1f}' width='{band * 0.7:.1f}' "
            f"height='{h:.1f}' fill='#3b6ea8'><title>{escape(label)}: {value:g}</title></rect>"
        )
        if i % skip == 0:
            parts.append(
                f"<text x='{x + band * 0.35:.1f}' y='{top + plot_h + 16}' font-size='11' "
                f"text-anchor='middle'>{escape(label)}</text>"
            )
    parts.append("</svg>")
    return "".join(parts)


def _adherence_chart(report: ComplianceReport) -> str:
    buckets = report.programme.adherence
    labels = [f"{b.low}{DASH}{min(b.high - 1, 99) if b.high < 100 else 100}" for b in buckets]
    return _bar_chart(
        "adherence-chart",
        "Relationships by adherence to the policy's expected meetings (%)",
        labels,
        [b.count for b in buckets],
        "relationships",
    )


def _hours_chart(report: ComplianceReport) -> str:
    months = report.programme.months
    return _bar_chart(
        "hours-chart",
        "Mentoring hours per month",
        [m.month for m in months],
        [float(hours(m.mentoring_minutes, TENTH)) for m in months],
        "hours",
    )


def _trend_charts(report: ComplianceReport) -> str:
    """Mean self-assessment score and share of goals on track per month (months without a
    measure left out), and the relationships by trend."""
    months = report.programme.trend_months
    rated = [m for m in months if m.rating_mean is not None]
    judged = [m for m in months if m.goals_on_track_pct is not None]
    ratings, progress = report.programme.rating_trends, report.programme.goal_progress_trends
    by_trend = (
        ("ratings improving", ratings.improving),
        ("ratings steady", ratings.steady),
        ("ratings declining", ratings.declining),
        ("goals improving", progress.improving),
        ("goals steady", progress.steady),
        ("goals declining", progress.declining),
    )
    return (
        _bar_chart(
            "rating-chart",
            "Mean self-assessment score per month (1 to 5)",
            [m.month for m in rated],
            [float(m.rating_mean or 0) for m in rated],
            "mean score",
            scale=5,
        )
        + _bar_chart(
            "goal-progress-chart",
            "Goals judged on track per month (%)",
            [m.month for m in judged],
            [float(m.goals_on_track_pct or 0) for m in judged],
            "% on track",
            scale=100,
        )
        + _bar_chart(
            "trend-chart",
            "Relationships by trend, first to latest measure of the period",
            [label for label, _ in by_trend],
            [count for _, count in by_trend],
            "relationships",
        )
    )


def _trends(report: ComplianceReport) -> str:
    head = (
        "Mentor",
        "Mentee",
        "Rating first / latest",
        "Rating trend",
        "On track first / latest",
        "Goal progress trend",
        "Late activities",
        "Late milestones",
    )
    rows = []
    for f in report.relationships:
        if f.formed_at is None:
            continue
        late = f.activities_late + f.milestones_late > 0
        cells = (
            _text(f.mentor_id),
            _text(f.mentee_id),
            f"{_text(f.rating_first)} / {_text(f.rating_latest)}",
            _text(f.rating_trend),
            f"{_pct(f.goal_progress_first_pct)} / {_pct(f.goal_progress_latest_pct)}",
            _text(f.goal_progress_trend),
            _text(f.activities_late) + (" <span class='flag'>LATE</span>" if late else ""),
            _text(f.milestones_late),
        )
        rows.append(_row(cells, flagged=late, numeric=(6, 7)))
    table = _table(
        "trends", "Trends and late plan items (LATE marks what is late today)", head, rows
    )
    return f"<div class='wide'>{table}</div>"


class _Scale:
    """Moments to x positions across a timeline."""

    def __init__(self, start: datetime, end: datetime, left: float, width: float) -> None:
        self.start, self.left, self.width = start, left, width
        self.seconds = max((end - start).total_seconds(), 1.0)

    def __call__(self, moment: datetime) -> float:
        offset = (moment - self.start).total_seconds() / self.seconds
        return self.left + self.width * min(max(offset, 0.0), 1.0)


def _timeline(report: ComplianceReport, f: RelationshipFigures) -> str:
    """One relationship's meetings (held, short, missed, cancelled) against its expected
    dates (met or not) and its pauses, across the period."""
    start = report.period.starts_at
    end = min(report.period.ends_before, report.as_of)
    width, height, left = 900, 58, 10
    x = _Scale(start, end, left, width - 2 * left)
    axis = 30  # pragma: no mutate (the axis' height in the drawing is presentation)
    label = f"{f.mentor_id} → {f.mentee_id}"
    parts = [
        f"<svg class='timeline' xmlns='http://www.w3.org/2000/svg' role='img' width='{width}' "
        f"height='{height}' viewBox='0 0 {width} {height}' "
        f"aria-label='Meeting timeline {escape(label)}'>"
        f"<title>Meetings of {escape(label)} against expected dates</title>"
    ]
    for pause in f.pauses:
        parts.append(_pause(x, pause, axis))
    parts.append(f"<line x1='{left}' y1='{axis}' x2='{width - left}' y2='{axis}' stroke='#999'/>")
    month = start.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    months = 0
    while month < end:
        if month >= start:
            parts.append(
                f"<line x1='{x(month):.1f}' y1='{axis - 4}' x2='{x(month):.1f}' "
                f"y2='{axis + 4}' stroke='#999'/>"
            )
            if months % max(1, _months_between(start, end) // 12) == 0:
                parts.append(
                    f"<text x='{x(month) + 2:.1f}' y='{height - 4}' font-size='10' "
                    f"fill='#555'>{month:%Y-%m}</text>"
                )
            months += 1
        month = add_months(month, 1)
    for slot in f.expected:
        colour = MET if slot.met else UNMET
        state = "met" if slot.met else "not met"
        cx = x(slot.due)
        parts.append(
            f"<path class='expected {'met' if slot.met else 'unmet'}' "
            f"d='M{cx:.1f} {axis - 15} l5 5 l-5 5 l-5 -5 z' fill='white' stroke='{colour}' "
            f"stroke-width='1.5'><title>Expected by {slot.due:%Y-%m-%d}: {state}</title></path>"
        )
    for meeting in f.meetings:
        parts.append(_meeting(x, meeting.at, meeting.outcome, meeting.minutes, meeting.short, axis))
    parts.append("</svg>")
    return "".join(parts)


def _months_between(start: datetime, end: datetime) -> int:
    return (end.year - start.year) * 12 + end.month - start.month + 1


def _pause(x: _Scale, pause: Span, axis: int) -> str:
    return (
        f"<rect class='pause' x='{x(pause.start):.1f}' y='{axis - 18}' "
        f"width='{max(x(pause.end) - x(pause.start), 1):.1f}' height='30' fill='{PAUSED}'>"
        f"<title>Paused {pause.start:%Y-%m-%d} to {pause.end:%Y-%m-%d}</title></rect>"
    )


def _meeting(
    x: _Scale, at: datetime, outcome: MeetingOutcome, minutes: int | None, short: bool, axis: int
) -> str:
    cx = x(at)
    when = f"{at:%Y-%m-%d %H:%M}"
    if outcome is MeetingOutcome.HELD:
        colour = SHORT if short else HELD
        note = f"held, {minutes} min" + (" (shorter than the minimum)" if short else "")
        return (
            f"<circle class='meeting held{' short' if short else ''}' cx='{cx:.1f}' "
            f"cy='{axis + 10}' r='4.5' fill='{colour}'><title>{when}: {note}</title></circle>"
        )
    if outcome is MeetingOutcome.MISSED:
        return (
            f"<path class='meeting missed' d='M{cx - 4:.1f} {axis + 6} l8 8 m0 -8 l-8 8' "
            f"stroke='{MISSED}' stroke-width='2'><title>{when}: missed</title></path>"
        )
    return (
        f"<circle class='meeting cancelled' cx='{cx:.1f}' cy='{axis + 10}' r='4' fill='white' "
        f"stroke='{CANCELLED}' stroke-width='1.5'><title>{when}: cancelled</title></circle>"
    )


def _legend() -> str:
    items = (
        (HELD, "held"),
        (SHORT, "held, shorter than the minimum"),
        (MISSED, "missed"),
        (CANCELLED, "cancelled"),
        (MET, "◇ expected, met"),
        (UNMET, "◇ expected, not met"),
        (PAUSED, "paused"),
    )
    spans = "".join(
        f"<span><i class='swatch' style='background:{c}'></i>{escape(t)}</span>" for c, t in items
    )
    return f"<p class='legend'>{spans}</p>"


def _timelines(report: ComplianceReport, limit: int) -> str:
    ranked = sorted(
        report.relationships,
        key=lambda f: (f.adherence_pct is None, f.adherence_pct or 0, str(f.relationship_id)),
    )
    shown = [f for f in ranked if f.formed_at is not None][:limit]
    note = ""
    if len(shown) < len(report.relationships):
        note = (
            f"<p>Timelines of {len(shown)} of {len(report.relationships)} relationships: those "
            "with the lowest adherence first (proposals never formed have none). Every "
            "relationship is in the table above.</p>"
        )
    blocks = "".join(
        f"<div class='timeline'><h3>{escape(f.mentor_id)} → {escape(f.mentee_id)} "
        f"({_pct(f.adherence_pct)} adherence)</h3>{_timeline(report, f)}</div>"
        for f in shown
    )
    return _legend() + note + blocks


def render_html(report: ComplianceReport, *, max_timelines: int = MAX_TIMELINES) -> str:
    """The whole page, in UTF-8 text."""
    p = report.programme
    period = f"{report.period.start} to {report.period.end}"
    policy = p.policy or "no policy in force"
    given = " (a policy given for this report, not the recorded one)" if report.policy_given else ""
    without = p.without_expected_meetings
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Compliance report: {escape(p.name)}</title>
<style>{_CSS}</style>
</head>
<body>
<h1>Compliance report: {escape(p.name)}</h1>
<p class="meta">{escape(p.organisation)} · period {escape(period)} (UTC) · as of
{report.as_of:%Y-%m-%d %H:%M} UTC, from the events recorded by then · policy:
{escape(policy)}{escape(given)}</p>
<h2>Summary</h2>
{_summary(report)}
<h2>Adherence to expected meetings</h2>
{_adherence_chart(report)}
<p>{without} relationship{"s" if without != 1 else ""} had no meeting expected in the period
(not formed, paused throughout, or no policy in force).</p>
<h2>Mentoring hours</h2>
{_hours_chart(report)}
<h2>Relationships</h2>
{_relationships(report)}
<h2>Plans and trends</h2>
{_trend_charts(report)}
{_trends(report)}
<h2>Retention and load</h2>
{_retention(report)}
{_load(report)}
<h2>Meeting timelines</h2>
{_timelines(report, max_timelines)}
</body>
</html>
"""
