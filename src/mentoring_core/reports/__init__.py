"""Compliance reports: what each programme expects, what happened, and what is overdue.

Pure: no I/O and no eventsourcing here. The facts come from a fold over events
(:func:`fold_relationship_facts`, :func:`fold_programme_facts`) or from the
read model in :mod:`mentoring_core.projections`; :func:`compliance_report` turns
them into figures; :func:`render` writes the figures as HTML, CSV or JSON text.
``docs/reports.md`` defines every figure.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import imported_on_use

if TYPE_CHECKING:  # imported on first use: see __getattr__ below
    from ._due import DueItem, DueKind, dated_day, due_items, most_urgent_first
    from ._facts import (
        EvaluationFact,
        GoalFact,
        MeetingFact,
        PauseFact,
        PlanItemFact,
        PolicyFact,
        ProgrammeFacts,
        RecognitionFact,
        RelationshipFacts,
        ScheduleFact,
        SelfAssessmentFact,
        evolve_programme_facts,
        evolve_relationship_facts,
        fold_programme_facts,
        fold_relationship_facts,
        recorded_by,
    )
    from ._figures import (
        REPORT_FORMAT_VERSION,
        RETENTION_MONTHS,
        AdherenceBucket,
        ComplianceReport,
        Gap,
        MeetingMark,
        MentorLoad,
        MonthFigures,
        ProgrammeFigures,
        RelationshipFigures,
        ReportPeriod,
        Retention,
        StatusCounts,
        compliance_report,
        describe_policy,
    )
    from ._html import render_html
    from ._policies import PRESETS, PolicyPreset, preset
    from ._render import CSV_COLUMNS, ReportFormat, render_csv, render_json, report_to_dict
    from ._schedule import Slot, Span, add_months, end_of_day, step
    from ._time import (
        MENTOR_TIME_COLUMNS,
        MentorTime,
        MentorTimeReport,
        RelationshipTime,
        WorkingHours,
        mentor_time_report,
        render_mentor_time,
    )
    from ._trends import Trend, TrendMonth, TrendShares


def render(report: ComplianceReport, format: ReportFormat | str) -> str:
    """The report as text in ``format`` (``html``, ``csv`` or ``json``; else
    :class:`~mentoring_core.InvalidValue` naming ``format``)."""
    from ._html import render_html
    from ._render import ReportFormat, render_csv, render_json, report_format

    match report_format(format):
        case ReportFormat.HTML:
            return render_html(report)
        case ReportFormat.CSV:
            return render_csv(report)
        case ReportFormat.JSON:
            return render_json(report)


__all__ = [
    "CSV_COLUMNS",
    "MENTOR_TIME_COLUMNS",
    "PRESETS",
    "REPORT_FORMAT_VERSION",
    "RETENTION_MONTHS",
    "AdherenceBucket",
    "ComplianceReport",
    "DueItem",
    "DueKind",
    "EvaluationFact",
    "Gap",
    "GoalFact",
    "MeetingFact",
    "MeetingMark",
    "MentorLoad",
    "MentorTime",
    "MentorTimeReport",
    "MonthFigures",
    "PauseFact",
    "PlanItemFact",
    "PolicyFact",
    "PolicyPreset",
    "ProgrammeFacts",
    "ProgrammeFigures",
    "RecognitionFact",
    "RelationshipFacts",
    "RelationshipFigures",
    "RelationshipTime",
    "ReportFormat",
    "ReportPeriod",
    "Retention",
    "ScheduleFact",
    "SelfAssessmentFact",
    "Slot",
    "Span",
    "StatusCounts",
    "Trend",
    "TrendMonth",
    "TrendShares",
    "WorkingHours",
    "add_months",
    "compliance_report",
    "dated_day",
    "describe_policy",
    "due_items",
    "end_of_day",
    "evolve_programme_facts",
    "evolve_relationship_facts",
    "fold_programme_facts",
    "fold_relationship_facts",
    "mentor_time_report",
    "most_urgent_first",
    "preset",
    "recorded_by",
    "render",
    "render_csv",
    "render_html",
    "render_json",
    "render_mentor_time",
    "report_to_dict",
    "step",
]

# Every programme command imports this package for the policy presets (the names its
# --preset takes), which are a small part of it: the figures, facts and renderings are
# imported when first asked for, each name from the first of these modules defining it.
__getattr__ = imported_on_use(
    __name__,
    __all__,
    [
        "._policies",
        "._facts",
        "._schedule",
        "._trends",
        "._figures",
        "._render",
        "._html",
        "._due",
        "._time",
    ],
)
