"""The HTML report's page and tables: what each documented section shows, in order, escaped.

``docs/reports.md`` (HTML): one self-contained page with the summary table
(``#summary``), the two charts, the per-relationship table (``#relationships``,
rows with an overdue meeting or review highlighted and marked OVERDUE), retention
and mentors' load. The reports are built by hand (``html_page``), so every value
expected here is the one put in.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from html_page import Node, cells, page_of, relationship, report, retention, table

from mentoring_core.domain.values import EndReason, RelationshipStatus
from mentoring_core.reports import (
    Gap,
    MentorLoad,
    StatusCounts,
)

DASH = "\N{EN DASH}"


def summary_rows(page: Node) -> dict[str, Node]:
    head, rows = table(page.by_id("summary"))
    assert head == ["Figure", "Value"]
    return {row.find_all("td")[0].text: row for row in rows}


def summary(page: Node) -> dict[str, str]:
    return {label: row.find_all("td")[1].text for label, row in summary_rows(page).items()}


class TestPage:
    def test_is_an_english_utf8_document_titled_by_the_programme(self) -> None:
        page = page_of(report())
        assert page.attrs["doctype"].lower() == "doctype html"
        html = page.child("html")
        assert html.attrs["lang"] == "en"
        head = html.child("head")
        assert any(m.attrs.get("charset") == "utf-8" for m in head.find_all("meta"))
        assert head.child("title").text == "Compliance report: First year"
        assert html.child("body").child("h1").text == "Compliance report: First year"

    def test_sections_come_in_the_documented_order(self) -> None:
        body = page_of(report(relationship(1))).child("html").child("body")
        headings = [h.text for h in body.children if h.tag == "h2"]
        assert headings == [
            "Summary",
            "Adherence to expected meetings",
            "Mentoring hours",
            "Relationships",
            "Plans and trends",
            "Retention and load",
            "Meeting timelines",
        ]
        order = [n.attrs.get("id") or n.attrs.get("class") for n in body.iter()]
        landmarks = [
            "summary",
            "adherence-chart",
            "hours-chart",
            "relationships",
            "rating-chart",
            "goal-progress-chart",
            "trend-chart",
            "trends",
            "retention",
            "mentor-load",
            "timeline",
        ]
        positions = [order.index(name) for name in landmarks]
        assert positions == sorted(positions)

    def test_the_heading_line_names_organisation_period_moment_and_policy(self) -> None:
        page = page_of(report(organisation="Riverside Care"))
        meta = page.find_all("p", "meta")[0].text
        assert "Riverside Care" in meta
        assert "period 2026-01-01 to 2026-12-31 (UTC)" in meta
        assert "as of\n2026-07-01 00:00 UTC" in meta
        assert "policy:\nweekly meetings of at least 60 minutes" in meta
        assert "a policy given for this report" not in meta

    def test_a_policy_given_for_the_report_says_so(self) -> None:
        meta = page_of(report(policy_given=True)).find_all("p", "meta")[0].text
        assert meta.endswith(
            "weekly meetings of at least 60 minutes"
            " (a policy given for this report, not the recorded one)"
        )

    def test_without_a_policy_it_says_none_is_in_force(self) -> None:
        meta = page_of(report(policy=None)).find_all("p", "meta")[0].text
        assert meta.endswith("policy:\nno policy in force")

    def test_what_it_shows_is_escaped(self) -> None:
        hostile = report(
            relationship(1, mentor_id="<em>m</em>", mentee_id="a&b"),
            name="<b>x</b>",
            organisation="<u>o</u>",
            policy="<s>p</s>",
            mentor_load=(MentorLoad(mentor_id="<em>m</em>", active_mentees=1),),
        )
        page = page_of(hostile)
        tags = {n.tag for n in page.iter()}
        assert not tags & {"b", "em", "u", "s"}
        assert page.child("html").child("head").child("title").text == "Compliance report: <b>x</b>"
        meta = page.find_all("p", "meta")[0].text
        assert "<u>o</u>" in meta and "<s>p</s>" in meta
        _, rows = table(page.by_id("relationships"))
        assert cells(rows[0])[:2] == ["<em>m</em>", "a&b"]
        _, load = table(page.by_id("mentor-load"))
        assert cells(load[0]) == ["<em>m</em>", "1"]
        h3 = page.find_all("div", "timeline")[0].child("h3").text
        assert h3.startswith("<em>m</em> → a&b ")

    def test_has_no_stray_text_between_its_elements(self) -> None:
        due = datetime(2026, 6, 1, 10, 0, tzinfo=UTC)
        page = page_of(
            report(
                relationship(1, meeting_overdue=True, next_meeting_due=due),
                relationship(2),
                mentor_load=(
                    MentorLoad(mentor_id="ana", active_mentees=1),
                    MentorLoad(mentor_id="eve", active_mentees=0),
                ),
            )
        )
        containers = {"body", "svg", "table", "thead", "tbody", "tr", "div"}
        stray = [
            (n.tag, n.own_text)
            for n in page.iter()
            if (n.tag in containers or "legend" in n.classes) and n.own_text.strip()
        ]
        assert stray == []


class TestWithoutExpectedMeetings:
    def sentence(self, count: int) -> str:
        body = page_of(report(without_expected_meetings=count)).child("html").child("body")
        paragraphs = [p.text for p in body.children if p.tag == "p" and not p.classes]
        return " ".join(paragraphs[0].split())

    def test_counts_the_relationships_with_nothing_expected(self) -> None:
        assert self.sentence(2) == (
            "2 relationships had no meeting expected in the period (not formed, paused "
            "throughout, or no policy in force)."
        )

    def test_says_relationship_for_one(self) -> None:
        assert self.sentence(1).startswith("1 relationship had no meeting expected")

    def test_says_relationships_for_none(self) -> None:
        assert self.sentence(0).startswith("0 relationships had no meeting expected")


class TestSummary:
    def test_shows_every_programme_figure_by_its_label(self) -> None:
        page = page_of(
            report(
                relationships=StatusCounts(
                    proposed=1,
                    active=2,
                    paused=3,
                    declined=4,
                    completed=5,
                    withdrawn=6,
                    rematched=7,
                    left_organisation=19,
                    total=47,
                ),
                meetings_held=11,
                meetings_missed=12,
                meetings_cancelled=13,
                short_meetings=14,
                mentoring_minutes=330,
                meetings_overdue=15,
                reviews_overdue=16,
                days_to_first_meeting_median=Decimal("3.5"),
                days_to_first_meeting_p90=Decimal("12.0"),
                awaiting_first_meeting=17,
                personal_data_past_due=18,
                activities_late=20,
                milestones_late=21,
            )
        )
        assert summary(page) == {
            "Relationships": "47",
            "Proposed / active / paused": "1 / 2 / 3",
            "Completed / withdrawn / re-matched": "5 / 6 / 7",
            "Declined proposals": "4",
            "Ended because someone left the organisation": "19",
            "Meetings held / missed / cancelled": "11 / 12 / 13",
            "Held meetings shorter than the minimum": "14",
            "Mentoring hours": "5.5",
            "Relationships overdue for a meeting": "15",
            "Relationships overdue for a progress review": "16",
            "Days from pairing to first meeting: median / 90th percentile": "3.5 / 12.0",
            "Formed in the period, still without a first meeting": "17",
            "Late plan activities / milestones": "20 / 21",
            "People past the retention period for personal data": "18",
        }

    def test_past_due_says_when_the_policy_sets_no_retention_period(self) -> None:
        label = "People past the retention period for personal data"
        assert summary(page_of(report(personal_data_past_due=None)))[label] == "no period set"
        assert summary(page_of(report(personal_data_past_due=0)))[label] == "0"

    def test_hours_are_minutes_over_sixty_to_one_decimal(self) -> None:
        assert summary(page_of(report(mentoring_minutes=20)))["Mentoring hours"] == "0.3"
        assert summary(page_of(report(mentoring_minutes=0)))["Mentoring hours"] == "0.0"
        assert summary(page_of(report(mentoring_minutes=90)))["Mentoring hours"] == "1.5"
        # half up, as every figure of the reports (0.25 and 2.25 read 0.2 and 2.2)
        assert summary(page_of(report(mentoring_minutes=15)))["Mentoring hours"] == "0.3"
        assert summary(page_of(report(mentoring_minutes=135)))["Mentoring hours"] == "2.3"

    def test_days_to_first_meeting_show_a_dash_when_none_met(self) -> None:
        label = "Days from pairing to first meeting: median / 90th percentile"
        assert summary(page_of(report()))[label] == f"{DASH} / {DASH}"

    def test_overdue_rows_are_highlighted_only_when_some_are_overdue(self) -> None:
        rows = summary_rows(
            page_of(report(meetings_overdue=1, reviews_overdue=0, short_meetings=3))
        )
        flagged = {label for label, row in rows.items() if "flagged" in row.classes}
        assert flagged == {"Relationships overdue for a meeting"}
        rows = summary_rows(page_of(report(meetings_overdue=0, reviews_overdue=2)))
        flagged = {label for label, row in rows.items() if "flagged" in row.classes}
        assert flagged == {"Relationships overdue for a progress review"}
        rows = summary_rows(page_of(report()))
        assert not any(row.classes for row in rows.values())

    def test_values_are_numeric_cells_and_labels_are_not(self) -> None:
        for row in summary_rows(page_of(report())).values():
            label, value = row.find_all("td")
            assert "num" not in label.classes and "num" in value.classes

    def test_has_its_caption(self) -> None:
        assert page_of(report()).by_id("summary").child("caption").text == "Programme summary"


RELATIONSHIP_HEAD = [
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
]


def relationship_rows(page: Node) -> list[dict[str, str]]:
    head, rows = table(page.by_id("relationships"))
    assert head == RELATIONSHIP_HEAD
    return [dict(zip(head, cells(row), strict=True)) for row in rows]


class TestRelationshipsTable:
    def test_shows_each_figure_under_its_heading(self) -> None:
        figures = relationship(
            1,
            mentor_id="ana",
            mentee_id="ben",
            formed_at=datetime(2026, 1, 5, 10, 0, tzinfo=UTC),
            expected_meetings=7,
            met_meetings=5,
            adherence_pct=Decimal("71.4"),
            adherence_agreed_pct=Decimal("80.0"),
            meetings_held=6,
            meetings_missed=2,
            meetings_cancelled=3,
            short_meetings=1,
            mentoring_minutes=315,
            longest_gap=Gap(
                days=Decimal("29.0"),
                start=datetime(2026, 2, 1, tzinfo=UTC),
                end=datetime(2026, 3, 2, tzinfo=UTC),
            ),
            next_meeting_due=datetime(2026, 7, 8, 10, 0, tzinfo=UTC),
            reviews_due=4,
            reviews_met=3,
            next_review_due=datetime(2026, 7, 20, 9, 30, tzinfo=UTC),
            goals_set=8,
            goals_achieved=2,
            goals_overdue=1,
        )
        [row] = relationship_rows(page_of(report(figures)))
        assert row == {
            "Mentor": "ana",
            "Mentee": "ben",
            "Status": "active",
            "Formed": "2026-01-05 10:00",
            "Expected (policy)": "7",
            "Met": "5",
            "Adherence": "71.4%",
            "Adherence (agreed)": "80.0%",
            "Held": "6",
            "Missed": "2",
            "Cancelled": "3",
            "Short": "1",
            "Hours": "5.3",  # 315 minutes, 5.25 hours: half up, as the CSV's 5.25 reads
            "Longest gap (days)": "29.0",
            "Next meeting due": "2026-07-08 10:00",
            "Reviews due / met": "4 / 3",
            "Next review due": "2026-07-20 09:30",
            "Goals set / achieved / overdue": "8 / 2 / 1",
        }

    def test_what_is_not_there_shows_as_a_dash(self) -> None:
        proposal = relationship(
            2, status=RelationshipStatus.PROPOSED, formed_at=None, mentoring_minutes=0
        )
        [row] = relationship_rows(page_of(report(proposal)))
        for heading in (
            "Formed",
            "Adherence",
            "Adherence (agreed)",
            "Longest gap (days)",
            "Next meeting due",
            "Next review due",
        ):
            assert row[heading] == DASH, heading
        assert (row["Status"], row["Hours"]) == ("proposed", "0.0")

    def test_an_ended_relationship_says_why(self) -> None:
        ended = relationship(
            3,
            status=RelationshipStatus.ENDED,
            end_reason=EndReason.WITHDRAWN_BY_MENTEE,
            ended_at=datetime(2026, 2, 20, 10, 0, tzinfo=UTC),
        )
        [row] = relationship_rows(page_of(report(ended)))
        assert row["Status"] == "ended (withdrawn_by_mentee)"

    def test_overdue_meetings_and_reviews_are_marked_and_the_row_highlighted(self) -> None:
        due = datetime(2026, 6, 2, tzinfo=UTC)  # by the end of 1 June: shown as that day
        figures = (
            relationship(1, meeting_overdue=True, next_meeting_due=due, next_review_due=due),
            relationship(2, review_overdue=True, next_meeting_due=due, next_review_due=due),
            relationship(3, next_meeting_due=due, next_review_due=due),
        )
        page = page_of(report(*figures))
        _, rows = table(page.by_id("relationships"))
        assert ["flagged" in row.classes for row in rows] == [True, True, False]
        marks = [
            [
                (td.own_text.strip(), [s.text for s in td.find_all("span", "flag")])
                for td in row.find_all("td")
                if td.find_all("span")
            ]
            for row in rows
        ]
        next_meeting, next_review = 14, 16
        assert [cells(row)[next_meeting] for row in rows] == [
            "2026-06-01 OVERDUE",
            "2026-06-01",
            "2026-06-01",
        ]
        assert [cells(row)[next_review] for row in rows] == [
            "2026-06-01",
            "2026-06-01 OVERDUE",
            "2026-06-01",
        ]
        assert marks == [
            [("2026-06-01", ["OVERDUE"])],
            [("2026-06-01", ["OVERDUE"])],
            [],
        ]

    def test_counts_are_numeric_cells_and_words_are_not(self) -> None:
        _, [row] = table(page_of(report(relationship(1))).by_id("relationships"))
        numeric = [i for i, td in enumerate(row.find_all("td")) if "num" in td.classes]
        assert numeric == list(range(4, 14))
        assert all(td.classes in ([], ["num"]) for td in row.find_all("td"))

    def test_every_relationship_is_a_row_in_the_reports_order(self) -> None:
        figures = [relationship(n, mentor_id=f"m{n}") for n in (3, 1, 2)]
        figures.append(relationship(4, mentor_id="m4", formed_at=None))
        rows = relationship_rows(page_of(report(*figures)))
        assert [r["Mentor"] for r in rows] == ["m3", "m1", "m2", "m4"]

    def test_sits_in_a_scrolling_box_with_its_caption(self) -> None:
        node = page_of(report()).by_id("relationships")
        assert node.parent is not None and node.parent.classes == ["wide"]
        assert node.child("caption").text == "Relationships (OVERDUE marks what is late today)"
        headings = node.child("thead").find_all("th")
        assert {th.attrs["scope"] for th in headings} == {"col"}


class TestRetentionAndLoad:
    def test_retention_shows_each_horizon(self) -> None:
        page = page_of(
            report(
                retention=(
                    retention(3, 4, 2, Decimal("50.0"), left=1, stayers_pct=Decimal("66.7")),
                    retention(6, 3, 1, Decimal("33.3")),
                    retention(12, 0, 0, None),
                )
            )
        )
        node = page.by_id("retention")
        head, rows = table(node)
        assert head == [
            "After",
            "Cohort",
            "Retained",
            "Retained %",
            "Not retained: left the organisation",
            "Retained % of those who stayed",
        ]
        assert [cells(r) for r in rows] == [
            ["3 months", "4", "2", "50.0%", "1", "66.7%"],
            ["6 months", "3", "1", "33.3%", "0", "33.3%"],
            ["12 months", "0", "0", DASH, "0", DASH],
        ]
        assert node.child("caption").text == (
            "Mentees still in mentoring (or completed) after their pairing"
        )
        numeric = [[("num" in td.classes) for td in r.find_all("td")] for r in rows]
        assert numeric == [[False, True, True, True, True, True]] * 3
        assert not any(r.classes for r in rows)

    def test_load_shows_each_mentor_in_the_reports_order(self) -> None:
        load = (
            MentorLoad(mentor_id="zoe", active_mentees=3),
            MentorLoad(mentor_id="ana", active_mentees=1),
        )
        node = page_of(report(mentor_load=load)).by_id("mentor-load")
        head, rows = table(node)
        assert head == ["Mentor", "Active mentees"]
        assert [cells(r) for r in rows] == [["zoe", "3"], ["ana", "1"]]
        assert node.child("caption").text == "Mentors' load (active mentees each)"
        numeric = [[("num" in td.classes) for td in r.find_all("td")] for r in rows]
        assert numeric == [[False, True]] * 2

    def test_empty_tables_keep_their_headings(self) -> None:
        page = page_of(report(mentor_load=(), retention=()))
        assert table(page.by_id("mentor-load")) == (["Mentor", "Active mentees"], [])
        assert table(page.by_id("retention"))[1] == []
