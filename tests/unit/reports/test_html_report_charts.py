"""The HTML report's two bar charts: one bar per bucket or month, drawn to scale, labelled.

``docs/reports.md`` (HTML): the adherence distribution (``#adherence-chart``: the ten
buckets of the JSON's ``adherence``, the last one 90 to 100 including 100) and the
mentoring hours per month (``#hours-chart``), as inline SVG with tooltips as SVG
titles. The expected geometry is stated as properties of a chart (bars stand on the
axis, heights in proportion, equal bands, ticks from 0 to the top), worked out here.
"""

from __future__ import annotations

import pytest
from html_page import BUCKETS, Node, page_of, report

from mentoring_core.reports import AdherenceBucket, MonthFigures

DASH = "\N{EN DASH}"
SVG = "http://www.w3.org/2000/svg"


def chart(page: Node, ident: str) -> Node:
    svg = page.by_id(ident)
    assert svg.tag == "svg"
    return svg


def axes(svg: Node) -> tuple[Node, Node]:
    """The x axis (horizontal) and the y axis (vertical) lines."""
    lines = svg.find_all("line")
    assert len(lines) == 2
    x_axis = next(n for n in lines if n.attrs["y1"] == n.attrs["y2"])
    y_axis = next(n for n in lines if n.attrs["x1"] == n.attrs["x2"])
    return x_axis, y_axis


def bars(svg: Node) -> list[Node]:
    return svg.find_all("rect", "bar")


def tick_labels(svg: Node) -> list[Node]:
    return [t for t in svg.find_all("text") if t.attrs.get("text-anchor") == "end"]


def axis_labels(svg: Node) -> list[Node]:
    return [t for t in svg.find_all("text") if t.attrs.get("text-anchor") == "middle"]


def adherence(*counts: int) -> tuple[AdherenceBucket, ...]:
    """The ten buckets with these counts, from 0-9 up (the rest none)."""
    return tuple(
        AdherenceBucket(low=b.low, high=b.high, count=c)
        for b, c in zip(BUCKETS, counts + (0,) * (10 - len(counts)), strict=True)
    )


def months(*minutes: int, year: int = 2026) -> tuple[MonthFigures, ...]:
    return tuple(
        MonthFigures(month=f"{year + i // 12}-{i % 12 + 1:02d}", mentoring_minutes=m)
        for i, m in enumerate(minutes)
    )


class TestAdherenceChart:
    def test_is_an_accessible_inline_svg_titled_by_what_it_shows(self) -> None:
        svg = chart(page_of(report()), "adherence-chart")
        title = "Relationships by adherence to the policy's expected meetings (%)"
        assert svg.attrs["xmlns"] == SVG and svg.attrs["role"] == "img"
        assert svg.attrs["aria-label"] == title
        assert svg.child("title").text == title
        assert "relationships" in [t.text for t in svg.find_all("text")]

    def test_has_one_bar_per_bucket_with_its_count(self) -> None:
        svg = chart(
            page_of(report(adherence=adherence(2, 0, 0, 1, 0, 0, 0, 3, 0, 5))), "adherence-chart"
        )
        assert [b.child("title").text for b in bars(svg)] == [
            f"0{DASH}9: 2",
            f"10{DASH}19: 0",
            f"20{DASH}29: 0",
            f"30{DASH}39: 1",
            f"40{DASH}49: 0",
            f"50{DASH}59: 0",
            f"60{DASH}69: 0",
            f"70{DASH}79: 3",
            f"80{DASH}89: 0",
            f"90{DASH}100: 5",
        ]
        labels = [t.text for t in axis_labels(svg)]
        assert labels[0] == f"0{DASH}9" and labels[-1] == f"90{DASH}100" and len(labels) == 10

    def test_counts_get_whole_number_ticks_up_to_a_multiple_of_four(self) -> None:
        svg = chart(page_of(report(adherence=adherence(5, 2))), "adherence-chart")
        assert [t.text for t in tick_labels(svg)] == ["0", "2", "4", "6", "8"]
        svg = chart(page_of(report(adherence=adherence(4))), "adherence-chart")
        assert [t.text for t in tick_labels(svg)] == ["0", "1", "2", "3", "4"]

    def test_with_no_relationships_the_scale_still_counts_to_four(self) -> None:
        svg = chart(page_of(report()), "adherence-chart")
        assert [t.text for t in tick_labels(svg)] == ["0", "1", "2", "3", "4"]
        assert {b.num("height") for b in bars(svg)} == {0.0}


class TestHoursChart:
    def test_is_an_accessible_inline_svg_titled_by_what_it_shows(self) -> None:
        svg = chart(page_of(report(months=months(60))), "hours-chart")
        assert svg.attrs["xmlns"] == SVG and svg.attrs["role"] == "img"
        assert svg.attrs["aria-label"] == "Mentoring hours per month"
        assert svg.child("title").text == "Mentoring hours per month"
        assert "hours" in [t.text for t in svg.find_all("text")]

    def test_has_one_bar_per_month_in_hours_to_one_decimal(self) -> None:
        svg = chart(page_of(report(months=months(90, 20, 0, 150, 300))), "hours-chart")
        assert [b.child("title").text for b in bars(svg)] == [
            "2026-01: 1.5",
            "2026-02: 0.3",
            "2026-03: 0",
            "2026-04: 2.5",
            "2026-05: 5",
        ]
        assert [t.text for t in axis_labels(svg)] == [
            "2026-01",
            "2026-02",
            "2026-03",
            "2026-04",
            "2026-05",
        ]

    def test_fractional_hours_scale_to_the_highest_month(self) -> None:
        svg = chart(page_of(report(months=months(90, 30))), "hours-chart")
        assert [t.text for t in tick_labels(svg)] == ["0", "0.375", "0.75", "1.12", "1.5"]

    def test_whole_hours_get_whole_number_ticks(self) -> None:
        svg = chart(page_of(report(months=months(120, 0))), "hours-chart")
        assert [t.text for t in tick_labels(svg)] == ["0", "1", "2", "3", "4"]

    def test_labels_every_month_up_to_two_years_of_bars(self) -> None:
        svg = chart(page_of(report(months=months(*[60] * 47, year=2023))), "hours-chart")
        assert len(axis_labels(svg)) == 47 and len(bars(svg)) == 47

    def test_labels_every_other_month_from_four_years(self) -> None:
        shown = months(*[60] * 48, year=2022)
        svg = chart(page_of(report(months=shown)), "hours-chart")
        assert [t.text for t in axis_labels(svg)] == [m.month for m in shown[::2]]
        assert len(bars(svg)) == 48


SCENES = {
    "adherence": report(adherence=adherence(2, 0, 1, 0, 0, 0, 0, 3, 0, 6)),
    "hours": report(months=months(90, 30, 0, 45, 200)),
    "one month": report(months=months(60)),
}


@pytest.mark.parametrize("scene", SCENES)
class TestDrawnToScale:
    def svg(self, scene: str) -> Node:
        ident = "adherence-chart" if scene == "adherence" else "hours-chart"
        return chart(page_of(SCENES[scene]), ident)

    def test_fits_its_drawing_area(self, scene: str) -> None:
        svg = self.svg(scene)
        width, height = svg.num("width"), svg.num("height")
        assert svg.attrs["viewbox"] == f"0 0 {svg.attrs['width']} {svg.attrs['height']}"
        for node in svg.iter():
            for name in ("x", "x1", "x2"):
                if name in node.attrs:
                    assert 0 <= node.num(name) <= width, (node.tag, name)
            for name in ("y", "y1", "y2"):
                if name in node.attrs:
                    assert 0 < node.num(name) <= height, (node.tag, name)
        x_axis, y_axis = axes(svg)
        assert x_axis.attrs["stroke"] and y_axis.attrs["stroke"]
        assert y_axis.num("x1") == x_axis.num("x1") and y_axis.num("y2") == x_axis.num("y1")
        assert y_axis.num("y1") < y_axis.num("y2")
        unit = [t for t in svg.find_all("text") if "text-anchor" not in t.attrs]
        assert len(unit) == 1 and unit[0].num("y") < y_axis.num("y1")

    def test_bars_stand_on_the_axis_in_proportion_to_their_values(self, scene: str) -> None:
        svg = self.svg(scene)
        x_axis, y_axis = axes(svg)
        base, top = x_axis.num("y1"), y_axis.num("y1")
        ticks = tick_labels(svg)
        peak = float(ticks[-1].text)
        for bar in bars(svg):
            value = float(bar.child("title").text.rsplit(": ", 1)[1])
            assert bar.num("y") + bar.num("height") == pytest.approx(base, abs=0.11)
            assert bar.num("height") == pytest.approx((base - top) * value / peak, abs=0.06)

    def test_bars_are_centred_in_equal_bands_along_the_axis(self, scene: str) -> None:
        svg = self.svg(scene)
        x_axis, _ = axes(svg)
        start, length = x_axis.num("x1"), x_axis.num("x2") - x_axis.num("x1")
        drawn = bars(svg)
        band = length / len(drawn)
        for i, bar in enumerate(drawn):
            centre = bar.num("x") + bar.num("width") / 2
            assert centre == pytest.approx(start + (i + 0.5) * band, abs=0.11)
            assert bar.num("width") == pytest.approx(0.7 * band, abs=0.06)

    def test_axis_labels_sit_under_their_bars(self, scene: str) -> None:
        svg = self.svg(scene)
        x_axis, _ = axes(svg)
        for bar, label in zip(bars(svg), axis_labels(svg), strict=True):
            centre = bar.num("x") + bar.num("width") / 2
            assert label.num("x") == pytest.approx(centre, abs=0.11)
            assert label.text == bar.child("title").text.rsplit(": ", 1)[0]
            assert x_axis.num("y1") < label.num("y") < svg.num("height")

    def test_five_ticks_from_zero_to_the_top_level_with_their_heights(self, scene: str) -> None:
        svg = self.svg(scene)
        x_axis, y_axis = axes(svg)
        base, top = x_axis.num("y1"), y_axis.num("y1")
        ticks = tick_labels(svg)
        assert len(ticks) == 5 and float(ticks[0].text) == 0
        for i, tick in enumerate(ticks):
            level = base - (base - top) * i / 4
            assert tick.num("y") - 4 == pytest.approx(level, abs=0.06)
            assert tick.num("x") < y_axis.num("x1")
