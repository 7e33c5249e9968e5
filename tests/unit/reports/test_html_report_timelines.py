"""The HTML report's meeting timelines: which are drawn, in what order, and what each mark means.

``docs/reports.md`` (HTML): one timeline per formed relationship (``svg.timeline``):
held meetings are green dots (amber when short), missed ones red crosses, cancelled
ones grey rings, against the expected dates (diamonds: green met, red not met) and
pauses (grey bands). At most 200 timelines, lowest adherence first; every
relationship is in the table.

A timeline runs from the period's start to its end or the report's moment, whichever
comes first. The reports here run from 1 January 2026 to the report's moment on
1 July (181 days), so a moment ``d`` days in lies ``10 + 880 * d / 181`` across the
900-wide drawing, between the axis' ends at 10 and 890.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from html_page import Node, page_of, relationship, report

from mentoring_core.domain.values import MeetingOutcome, RelationshipStatus
from mentoring_core.reports import MeetingMark, ReportPeriod, Slot, Span

DASH = "\N{EN DASH}"


def at(month: int, day: int, hour: int = 10, minute: int = 0, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def timelines(page: Node) -> list[Node]:
    return page.find_all("svg", "timeline")


def only_timeline(page: Node) -> Node:
    [svg] = timelines(page)
    return svg


def axis(svg: Node) -> Node:
    [line] = [n for n in svg.find_all("line") if n.attrs["y1"] == n.attrs["y2"]]
    return line


def ticks(svg: Node) -> list[Node]:
    return [n for n in svg.find_all("line") if n.attrs["x1"] == n.attrs["x2"]]


def month_labels(svg: Node) -> list[str]:
    return [t.text for t in svg.find_all("text")]


def rgb(colour: str) -> tuple[int, int, int]:
    assert colour.startswith("#") and len(colour) == 7, colour
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def hue(colour: str) -> str:
    """The colour in the docs' words: green, amber, red, grey or white."""
    if colour == "white":
        return "white"
    r, g, b = rgb(colour)
    if r == g == b:
        return "white" if r == 255 else "grey"
    if g > r and g > b:
        return "green"
    if r > g > b and g >= 0x80:
        return "amber"
    if r > 0x80 and g < 0x40 and b < 0x40:
        return "red"
    return colour


def moment_x(moment: datetime) -> float:
    """Where a moment lies on the timelines of ``report()``: 1 January to 1 July 2026."""
    start, end = datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 7, 1, tzinfo=UTC)
    offset = min(max((moment - start) / (end - start), 0.0), 1.0)
    return 10 + 880 * offset


def path_start(node: Node) -> tuple[float, float]:
    """The point a path's ``d`` moves to first."""
    move = node.attrs["d"].split(" l")[0]
    assert move.startswith("M")
    x, y = move[1:].split()
    return float(x), float(y)


class TestWhichTimelines:
    def test_every_formed_relationship_has_one_and_a_proposal_none(self) -> None:
        page = page_of(
            report(
                relationship(1, adherence_pct=Decimal("71.4"), mentor_id="ana", mentee_id="ben"),
                relationship(2, formed_at=None, status=RelationshipStatus.PROPOSED),
            )
        )
        blocks = page.find_all("div", "timeline")
        assert len(blocks) == 1 and len(timelines(page)) == 1
        assert blocks[0].child("h3").text == "ana → ben (71.4% adherence)"
        svg = blocks[0].child("svg")
        assert svg.attrs["aria-label"] == "Meeting timeline ana → ben"
        assert svg.child("title").text == "Meetings of ana → ben against expected dates"
        assert svg.attrs["xmlns"] == "http://www.w3.org/2000/svg" and svg.attrs["role"] == "img"

    def test_a_relationship_with_nothing_expected_shows_a_dash_for_adherence(self) -> None:
        page = page_of(report(relationship(1, mentor_id="ana", mentee_id="ben")))
        h3 = page.find_all("div", "timeline")[0].child("h3").text
        assert h3 == f"ana → ben ({DASH} adherence)"

    def test_lowest_adherence_first_then_by_id_and_nothing_expected_last(self) -> None:
        given = (
            relationship(4, adherence_pct=Decimal("50.0")),
            relationship(2, adherence_pct=None),
            relationship(1, adherence_pct=Decimal("50.0")),
            relationship(3, adherence_pct=Decimal("10.0")),
            relationship(6, adherence_pct=Decimal("0.5")),
            relationship(5, adherence_pct=Decimal("0.0")),
        )
        page = page_of(report(*given))
        shown = [b.child("h3").text.split(" → ")[0] for b in page.find_all("div", "timeline")]
        assert shown == ["mentor-5", "mentor-6", "mentor-3", "mentor-1", "mentor-4", "mentor-2"]

    def test_all_drawn_means_no_note(self) -> None:
        page = page_of(report(relationship(1), relationship(2)))
        body = page.child("html").child("body")
        assert not [p for p in body.children if p.tag == "p" and "Timelines of" in p.text]

    def test_at_most_the_limit_are_drawn_with_a_note_saying_so(self) -> None:
        given = [relationship(n, adherence_pct=Decimal(n)) for n in range(1, 5)]
        given.append(relationship(9, formed_at=None, status=RelationshipStatus.PROPOSED))
        page = page_of(report(*given), max_timelines=2)
        shown = [b.child("h3").text.split(" → ")[0] for b in page.find_all("div", "timeline")]
        assert shown == ["mentor-1", "mentor-2"]
        body = page.child("html").child("body")
        [note] = [p for p in body.children if p.tag == "p" and "Timelines of" in p.text]
        assert " ".join(note.text.split()) == (
            "Timelines of 2 of 5 relationships: those with the lowest adherence first "
            "(proposals never formed have none). Every relationship is in the table above."
        )

    def test_a_proposal_alone_is_reason_for_the_note(self) -> None:
        page = page_of(report(relationship(1), relationship(2, formed_at=None)))
        assert "Timelines of 1 of 2 relationships" in page.text

    def test_two_hundred_by_default(self) -> None:
        page = page_of(report(*(relationship(n) for n in range(201))))
        assert len(timelines(page)) == 200
        assert "Timelines of 200 of 201 relationships" in page.text


class TestLegend:
    def test_names_each_mark_in_its_colour(self) -> None:
        [legend] = page_of(report()).find_all("p", "legend")
        items = [
            (span.text, hue(span.child("i").attrs["style"].removeprefix("background:")))
            for span in legend.find_all("span")
        ]
        assert items == [
            ("held", "green"),
            ("held, shorter than the minimum", "amber"),
            ("missed", "red"),
            ("cancelled", "grey"),
            ("◇ expected, met", "green"),
            ("◇ expected, not met", "red"),
            ("paused", "grey"),
        ]
        assert all(span.child("i").classes == ["swatch"] for span in legend.find_all("span"))


def marks(*meetings: MeetingMark, **fields: object) -> Node:
    return only_timeline(page_of(report(relationship(1, meetings=meetings, **fields))))


class TestMeetings:
    def test_a_held_meeting_is_a_green_dot(self) -> None:
        svg = marks(MeetingMark(at=at(1, 12), outcome=MeetingOutcome.HELD, minutes=60, short=False))
        [dot] = svg.find_all("circle")
        assert dot.classes == ["meeting", "held"]
        assert hue(dot.attrs["fill"]) == "green"
        assert dot.child("title").text == "2026-01-12 10:00: held, 60 min"

    def test_a_short_meeting_is_an_amber_dot(self) -> None:
        svg = marks(
            MeetingMark(at=at(2, 3, 9, 30), outcome=MeetingOutcome.HELD, minutes=45, short=True)
        )
        [dot] = svg.find_all("circle")
        assert dot.classes == ["meeting", "held", "short"]
        assert hue(dot.attrs["fill"]) == "amber"
        assert (
            dot.child("title").text == "2026-02-03 09:30: held, 45 min (shorter than the minimum)"
        )

    def test_a_missed_meeting_is_a_red_cross(self) -> None:
        svg = marks(
            MeetingMark(at=at(3, 2), outcome=MeetingOutcome.MISSED, minutes=None, short=False)
        )
        [cross] = svg.find_all("path", "meeting")
        assert cross.classes == ["meeting", "missed"]
        assert hue(cross.attrs["stroke"]) == "red"
        assert cross.child("title").text == "2026-03-02 10:00: missed"
        assert not svg.find_all("circle")

    def test_a_cancelled_meeting_is_a_grey_ring(self) -> None:
        svg = marks(
            MeetingMark(at=at(3, 9), outcome=MeetingOutcome.CANCELLED, minutes=None, short=False)
        )
        [ring] = svg.find_all("circle")
        assert ring.classes == ["meeting", "cancelled"]
        assert hue(ring.attrs["fill"]) == "white" and hue(ring.attrs["stroke"]) == "grey"
        assert ring.child("title").text == "2026-03-09 10:00: cancelled"

    def test_meetings_sit_on_one_line_below_the_axis_at_their_moments(self) -> None:
        svg = marks(
            MeetingMark(at=at(1, 1, 0), outcome=MeetingOutcome.HELD, minutes=60, short=False),
            MeetingMark(at=at(4, 1, 12), outcome=MeetingOutcome.MISSED, minutes=None, short=False),
            MeetingMark(
                at=at(7, 1, 0), outcome=MeetingOutcome.CANCELLED, minutes=None, short=False
            ),
            MeetingMark(at=at(2, 10), outcome=MeetingOutcome.HELD, minutes=30, short=True),
        )
        line = axis(svg)
        assert (line.num("x1"), line.num("x2")) == (10, 890)
        held, cancelled, short = svg.find_all("circle")
        [missed] = svg.find_all("path", "missed")
        assert held.num("cx") == 10.0  # the period's start
        assert cancelled.num("cx") == 890.0  # the report's moment
        assert short.num("cx") == pytest.approx(moment_x(at(2, 10)), abs=0.06)
        cross_x, cross_y = path_start(missed)
        assert cross_x + 4 == pytest.approx(450.0, abs=0.06)  # half-way: 1 April, noon
        below = held.num("cy") - line.num("y1")
        assert below > 0
        assert cancelled.num("cy") == short.num("cy") == held.num("cy")
        assert cross_y + 4 == held.num("cy")


class TestExpectedDates:
    def test_met_is_a_green_diamond_and_not_met_a_red_one(self) -> None:
        slots = (
            Slot(start=at(1, 5), due=at(1, 12), met=True),
            Slot(start=at(1, 12), due=at(1, 19), met=False),
        )
        svg = marks(expected=slots)
        met, unmet = svg.find_all("path", "expected")
        assert met.classes == ["expected", "met"] and unmet.classes == ["expected", "unmet"]
        assert hue(met.attrs["stroke"]) == "green" and hue(unmet.attrs["stroke"]) == "red"
        assert met.child("title").text == "Expected by 2026-01-12: met"
        assert unmet.child("title").text == "Expected by 2026-01-19: not met"

    def test_diamonds_sit_above_the_axis_as_far_as_meetings_sit_below(self) -> None:
        svg = marks(
            MeetingMark(at=at(3, 2), outcome=MeetingOutcome.HELD, minutes=60, short=False),
            expected=(Slot(start=at(2, 23), due=at(3, 2), met=True),),
        )
        [diamond] = svg.find_all("path", "expected")
        [dot] = svg.find_all("circle")
        top_x, top_y = path_start(diamond)
        assert top_x == pytest.approx(moment_x(at(3, 2)), abs=0.06) == dot.num("cx")
        centre_y = top_y + 5  # the path draws a diamond 10 high from its top corner
        line_y = axis(svg).num("y1")
        assert line_y - centre_y == dot.num("cy") - line_y > 0


class TestPauses:
    def test_a_pause_is_a_grey_band_across_its_days(self) -> None:
        svg = marks(pauses=(Span(start=at(2, 20), end=at(3, 6)),))
        [band] = svg.find_all("rect", "pause")
        assert hue(band.attrs["fill"]) == "grey"
        assert band.child("title").text == "Paused 2026-02-20 to 2026-03-06"
        assert band.num("x") == pytest.approx(moment_x(at(2, 20)), abs=0.06)
        right = band.num("x") + band.num("width")
        assert right == pytest.approx(moment_x(at(3, 6)), abs=0.11)
        line_y = axis(svg).num("y1")
        assert band.num("y") < line_y < band.num("y") + band.num("height")

    def test_bands_are_cut_at_the_ends_of_the_timeline(self) -> None:
        svg = marks(
            pauses=(
                Span(start=at(12, 1, year=2025), end=at(1, 10, 0)),
                Span(start=at(6, 1, 0), end=at(8, 1, 0)),
            )
        )
        first, last = svg.find_all("rect", "pause")
        assert first.num("x") == 10.0
        assert first.num("width") == pytest.approx(880 * 9 / 181, abs=0.06)
        assert last.num("x") == pytest.approx(moment_x(at(6, 1, 0)), abs=0.06)
        assert last.num("x") + last.num("width") == pytest.approx(890.0, abs=0.11)

    def test_a_momentary_pause_still_shows(self) -> None:
        svg = marks(pauses=(Span(start=at(3, 1), end=at(3, 1)),))
        [band] = svg.find_all("rect", "pause")
        assert band.num("width") == 1.0

    def test_bands_lie_behind_the_axis_and_the_marks(self) -> None:
        svg = marks(
            MeetingMark(at=at(3, 2), outcome=MeetingOutcome.HELD, minutes=60, short=False),
            pauses=(Span(start=at(2, 20), end=at(3, 6)),),
        )
        order = [n.tag for n in svg.children if n.tag != "title"]
        assert order.index("rect") < order.index("line") < order.index("circle")


class TestMonths:
    def test_each_month_start_is_a_tick_across_the_axis_labelled_with_its_month(self) -> None:
        svg = marks()
        line_y = axis(svg).num("y1")
        drawn = ticks(svg)
        assert [t.num("x1") for t in drawn] == [
            pytest.approx(moment_x(datetime(2026, m, 1, tzinfo=UTC)), abs=0.06) for m in range(1, 7)
        ]
        assert drawn[0].num("x1") == 10.0
        for tick in drawn:
            assert line_y - tick.num("y1") == tick.num("y2") - line_y > 0
        assert month_labels(svg) == [
            "2026-01",
            "2026-02",
            "2026-03",
            "2026-04",
            "2026-05",
            "2026-06",
        ]
        for tick, label in zip(drawn, svg.find_all("text"), strict=True):
            assert label.num("x") - 2 == pytest.approx(tick.num("x1"), abs=0.06)
            assert line_y < label.num("y") < svg.num("height")

    def test_a_period_ending_before_the_report_ends_its_timeline(self) -> None:
        period = ReportPeriod(start=date(2026, 1, 1), end=date(2026, 3, 31))
        meeting = MeetingMark(
            at=at(3, 31, 12), outcome=MeetingOutcome.HELD, minutes=60, short=False
        )
        page = page_of(report(relationship(1, meetings=(meeting,)), period=period))
        svg = only_timeline(page)
        assert month_labels(svg) == ["2026-01", "2026-02", "2026-03"]
        [dot] = svg.find_all("circle")
        assert dot.num("cx") == pytest.approx(10 + 880 * (89.5 / 90), abs=0.06)

    def test_under_two_years_every_month_is_labelled(self) -> None:
        period = ReportPeriod(start=date(2025, 1, 1), end=date(2026, 12, 31))
        page = page_of(report(relationship(1), period=period, as_of=at(11, 1, 0)))
        svg = only_timeline(page)
        assert len(ticks(svg)) == 22 and len(month_labels(svg)) == 22
        assert svg.find_all("line")[0].num("x1") == 10.0

    def test_over_two_years_every_other_month_is_labelled(self) -> None:
        period = ReportPeriod(start=date(2025, 1, 1), end=date(2026, 11, 30))
        page = page_of(report(relationship(1), period=period, as_of=at(1, 1, 0, year=2027)))
        svg = only_timeline(page)
        assert len(ticks(svg)) == 23
        assert month_labels(svg) == [f"2025-{m:02d}" for m in range(1, 13, 2)] + [
            f"2026-{m:02d}" for m in range(1, 13, 2)
        ]

    def test_labels_count_from_the_first_whole_month(self) -> None:
        period = ReportPeriod(start=date(2025, 1, 15), end=date(2026, 12, 31))
        page = page_of(report(relationship(1), period=period, as_of=at(1, 1, 0, year=2027)))
        svg = only_timeline(page)
        assert len(ticks(svg)) == 23
        assert month_labels(svg) == [f"2025-{m:02d}" for m in range(2, 13, 2)] + [
            f"2026-{m:02d}" for m in range(2, 13, 2)
        ]


class TestDrawingArea:
    def test_everything_lies_inside_the_drawing(self) -> None:
        svg = marks(
            MeetingMark(at=at(1, 1, 0), outcome=MeetingOutcome.MISSED, minutes=None, short=False),
            MeetingMark(at=at(7, 1, 0), outcome=MeetingOutcome.HELD, minutes=60, short=True),
            expected=(Slot(start=at(6, 24, 0), due=at(7, 1, 0), met=False),),
            pauses=(Span(start=at(1, 1, 0), end=at(2, 1, 0)),),
        )
        width, height = svg.num("width"), svg.num("height")
        assert svg.attrs["viewbox"] == f"0 0 {svg.attrs['width']} {svg.attrs['height']}"
        assert (axis(svg).num("x1"), axis(svg).num("x2")) == (10, width - 10)
        for node in svg.iter():
            for name in ("x", "x1", "x2", "cx"):
                if name in node.attrs:
                    assert 0 <= node.num(name) <= width
            for name in ("y", "y1", "y2", "cy"):
                if name in node.attrs:
                    assert 0 <= node.num(name) <= height
            if "d" in node.attrs:
                x, y = path_start(node)
                assert 0 <= x <= width and 0 <= y <= height

    def test_a_report_a_second_into_the_period_still_draws_to_scale(self) -> None:
        start = datetime(2026, 1, 1, tzinfo=UTC)
        second = start + timedelta(seconds=1)
        meeting = MeetingMark(at=second, outcome=MeetingOutcome.HELD, minutes=60, short=False)
        page = page_of(report(relationship(1, meetings=(meeting,)), as_of=second))
        svg = only_timeline(page)
        [dot] = svg.find_all("circle")
        assert dot.num("cx") == 890.0
        assert [t.num("x1") for t in ticks(svg)] == [10.0] and month_labels(svg) == ["2026-01"]

    def test_a_report_a_microsecond_into_the_period_marks_its_month(self) -> None:
        start = datetime(2026, 1, 1, tzinfo=UTC)
        page = page_of(report(relationship(1), as_of=start + timedelta(microseconds=1)))
        svg = only_timeline(page)
        assert [t.num("x1") for t in ticks(svg)] == [10.0] and month_labels(svg) == ["2026-01"]

    def test_a_report_at_the_periods_first_moment_still_draws(self) -> None:
        start = datetime(2026, 1, 1, tzinfo=UTC)
        meeting = MeetingMark(at=start, outcome=MeetingOutcome.HELD, minutes=60, short=False)
        page = page_of(report(relationship(1, meetings=(meeting,)), as_of=start))
        svg = only_timeline(page)
        [dot] = svg.find_all("circle")
        assert dot.num("cx") == 10.0 and ticks(svg) == []
