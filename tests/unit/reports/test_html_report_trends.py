"""The HTML report's "Plans and trends" section: three charts and a table (``docs/reports.md``).

The charts are the bar charts the other sections use (their geometry is tested in
``test_html_report_charts.py``); here: which bars are drawn, from which figures, and
that months without a measure are left out.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from html_page import Node, cells, page_of, relationship, report, table
from test_html_report_charts import axes, bars, chart, tick_labels

from mentoring_core.reports import Trend, TrendMonth, TrendShares

DASH = "\N{EN DASH}"

MONTHS = (
    TrendMonth(month="2026-01", scores=4, score_total=15, rating_mean=Decimal("3.75")),
    TrendMonth(
        month="2026-02",
        goals_judged=3,
        goals_on_track=2,
        goals_on_track_pct=Decimal("66.7"),
    ),
    TrendMonth(
        month="2026-03",
        scores=2,
        score_total=9,
        rating_mean=Decimal("4.50"),
        goals_judged=1,
        goals_on_track=0,
        goals_on_track_pct=Decimal("0.0"),
    ),
)


def titles(svg_bars: list[Node]) -> list[str]:
    return [b.child("title").text for b in svg_bars]


def test_the_rating_chart_has_a_bar_per_month_with_ratings_on_a_scale_to_5() -> None:
    svg = chart(page_of(report(trend_months=MONTHS)), "rating-chart")
    assert titles(bars(svg)) == ["2026-01: 3.75", "2026-03: 4.5"]
    assert [t.text for t in tick_labels(svg)] == ["0", "1.25", "2.5", "3.75", "5"]
    x_axis, y_axis = axes(svg)
    plot = x_axis.num("y1") - y_axis.num("y1")
    assert [b.num("height") for b in bars(svg)] == pytest.approx(
        [plot * 3.75 / 5, plot * 4.5 / 5], abs=0.06
    )


def test_the_goal_progress_chart_has_a_bar_per_month_with_judgements_to_100() -> None:
    svg = chart(page_of(report(trend_months=MONTHS)), "goal-progress-chart")
    assert titles(bars(svg)) == ["2026-02: 66.7", "2026-03: 0"]
    assert [t.text for t in tick_labels(svg)] == ["0", "25", "50", "75", "100"]


def test_the_trend_chart_counts_relationships_by_trend() -> None:
    page = page_of(
        report(
            rating_trends=TrendShares(improving=3, steady=1, declining=2),
            goal_progress_trends=TrendShares(improving=0, steady=4, declining=5),
        )
    )
    assert titles(bars(chart(page, "trend-chart"))) == [
        "ratings improving: 3",
        "ratings steady: 1",
        "ratings declining: 2",
        "goals improving: 0",
        "goals steady: 4",
        "goals declining: 5",
    ]


def test_the_trends_table_shows_each_formed_relationship_and_flags_late_items() -> None:
    improving = relationship(
        1,
        rating_first=Decimal("2.50"),
        rating_latest=Decimal("3.50"),
        rating_trend=Trend.IMPROVING,
        goal_progress_first_pct=Decimal("50.0"),
        goal_progress_latest_pct=Decimal("50.0"),
        goal_progress_trend=Trend.STEADY,
        activities_late=2,
        milestones_late=1,
    )
    quiet = relationship(2)
    proposed = relationship(3, formed_at=None)
    head, rows = table(page_of(report(improving, quiet, proposed)).by_id("trends"))
    assert head == [
        "Mentor",
        "Mentee",
        "Rating first / latest",
        "Rating trend",
        "On track first / latest",
        "Goal progress trend",
        "Late activities",
        "Late milestones",
    ]
    assert [cells(r) for r in rows] == [
        ["mentor-1", "mentee-1", "2.50 / 3.50", "improving", "50.0% / 50.0%", "steady",
         "2 LATE", "1"],
        ["mentor-2", "mentee-2", f"{DASH} / {DASH}", DASH, f"{DASH} / {DASH}", DASH, "0", "0"],
    ]  # fmt: skip
    assert [r.classes for r in rows] == [["flagged"], []]
