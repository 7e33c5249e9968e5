"""Helpers for the HTML report's tests: hand-built reports and the page parsed as a tree.

The reports here are built field by field (no fold, no figures code), so every
value the page shows is one the test chose. The page is read with the standard
``html.parser`` into a small tree, so tests look at elements, attributes and
text, never at the page's exact spelling.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from html.parser import HTMLParser
from typing import Any
from uuid import UUID

from attrs import Factory, define

from mentoring_core.domain.values import RelationshipStatus
from mentoring_core.reports import (
    RETENTION_MONTHS,
    AdherenceBucket,
    ComplianceReport,
    MentorLoad,
    ProgrammeFigures,
    RelationshipFigures,
    ReportPeriod,
    Retention,
    StatusCounts,
    TrendShares,
    render_html,
)

VOID = frozenset({"meta", "br", "hr", "img", "input", "link"})


@define
class Node:
    tag: str
    attrs: dict[str, str]
    children: list[Node] = Factory(list)
    parent: Node | None = None
    chunks: list[str | Node] = Factory(list)

    @property
    def text(self) -> str:
        """All the text inside, in order, with the entities decoded."""
        return "".join(c if isinstance(c, str) else c.text for c in self.chunks)

    @property
    def own_text(self) -> str:
        """The text directly inside, not inside child elements."""
        return "".join(c for c in self.chunks if isinstance(c, str))

    @property
    def classes(self) -> list[str]:
        return self.attrs.get("class", "").split()

    def iter(self) -> Iterator[Node]:
        yield self
        for child in self.children:
            yield from child.iter()

    def find_all(self, tag: str, cls: str | None = None) -> list[Node]:
        return [
            n
            for n in self.iter()
            if n is not self and n.tag == tag and (cls is None or cls in n.classes)
        ]

    def by_id(self, ident: str) -> Node:
        found = [n for n in self.iter() if n.attrs.get("id") == ident]
        assert len(found) == 1, ident
        return found[0]

    def child(self, tag: str) -> Node:
        found = [c for c in self.children if c.tag == tag]
        assert len(found) == 1, tag
        return found[0]

    def num(self, name: str) -> float:
        return float(self.attrs[name])


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", {})
        self.current = self.root
        self.doctype = ""

    def handle_decl(self, decl: str) -> None:
        self.doctype = decl

    def handle_starttag(self, tag: str, attributes: list[tuple[str, str | None]]) -> None:
        node = Node(tag, {k: v or "" for k, v in attributes}, parent=self.current)
        self.current.children.append(node)
        self.current.chunks.append(node)
        if tag not in VOID:
            self.current = node

    def handle_startendtag(self, tag: str, attributes: list[tuple[str, str | None]]) -> None:
        node = Node(tag, {k: v or "" for k, v in attributes}, parent=self.current)
        self.current.children.append(node)
        self.current.chunks.append(node)

    def handle_endtag(self, tag: str) -> None:
        assert self.current.tag == tag, f"</{tag}> closes <{self.current.tag}>"
        assert self.current.parent is not None
        self.current = self.current.parent

    def handle_data(self, data: str) -> None:
        self.current.chunks.append(data)


def parse(page: str) -> Node:
    """The page as a tree; fails when an element is closed out of order."""
    builder = _TreeBuilder()
    builder.feed(page)
    builder.close()
    assert builder.current is builder.root, "an element is left open"
    root = builder.root
    root.attrs["doctype"] = builder.doctype
    return root


def page_of(report: ComplianceReport, **kwargs: Any) -> Node:
    return parse(render_html(report, **kwargs))


def table(node: Node) -> tuple[list[str], list[Node]]:
    """A table's column headings and its body rows."""
    head = [th.text for th in node.child("thead").find_all("th")]
    rows = node.child("tbody").find_all("tr")
    return head, rows


def cells(row: Node) -> list[str]:
    return [td.text for td in row.find_all("td")]


# --- Hand-built reports -----------------------------------------------------------------

PERIOD = ReportPeriod(start=date(2026, 1, 1), end=date(2026, 12, 31))
AS_OF = datetime(2026, 7, 1, 0, 0, tzinfo=UTC)
"""Half-way through the year: the timelines run from 1 January to 1 July."""

BUCKETS = tuple(AdherenceBucket(low=low, high=low + 10, count=0) for low in range(0, 100, 10))


def relationship(n: int, **fields: Any) -> RelationshipFigures:
    """Relationship ``n``, formed on 5 January, with zero figures unless given."""
    values: dict[str, Any] = {
        "relationship_id": UUID(int=n),
        "mentor_id": f"mentor-{n}",
        "mentee_id": f"mentee-{n}",
        "status": RelationshipStatus.ACTIVE,
        "end_reason": None,
        "proposed_at": datetime(2026, 1, 5, 10, 0, tzinfo=UTC),
        "formed_at": datetime(2026, 1, 5, 10, 0, tzinfo=UTC),
        "ended_at": None,
        "policy_cadence": None,
        "agreed_cadence": None,
        "expected_meetings": 0,
        "met_meetings": 0,
        "adherence_pct": None,
        "expected_meetings_agreed": 0,
        "met_meetings_agreed": 0,
        "adherence_agreed_pct": None,
        "meetings_held": 0,
        "meetings_missed": 0,
        "meetings_cancelled": 0,
        "short_meetings": 0,
        "mentoring_minutes": 0,
        "longest_gap": None,
        "paused_days": Decimal(0),
        "meeting_overdue": False,
        "next_meeting_due": None,
        "days_to_first_meeting": None,
        "goals_set": 0,
        "goals_achieved": 0,
        "goals_abandoned": 0,
        "goals_overdue": 0,
        "days_to_first_goal": None,
        "feedback_given": 0,
        "reflections_recorded": 0,
        "reviews_due": 0,
        "reviews_met": 0,
        "reviews_done": 0,
        "review_overdue": False,
        "next_review_due": None,
        "activities_late": 0,
        "milestones_late": 0,
        "rating_first": None,
        "rating_latest": None,
        "rating_change": None,
        "rating_trend": None,
        "goal_progress_first_pct": None,
        "goal_progress_latest_pct": None,
        "goal_progress_change": None,
        "goal_progress_trend": None,
        "months": (),
        "trend_months": (),
        "expected": (),
        "meetings": (),
        "pauses": (),
    }
    values.update(fields)
    return RelationshipFigures(**values)


def retention(
    months: int,
    cohort: int = 0,
    retained: int = 0,
    pct: Decimal | None = None,
    *,
    left: int = 0,
    stayers_pct: Decimal | None = None,
) -> Retention:
    """A retention line; without leavers (``left``), the share retained of those who stayed
    is the share of the cohort (``pct``)."""
    return Retention(
        months=months,
        cohort=cohort,
        retained=retained,
        retained_pct=pct,
        left_organisation=left,
        retained_of_stayers_pct=pct if left == 0 else stayers_pct,
    )


def programme(**fields: Any) -> ProgrammeFigures:
    values: dict[str, Any] = {
        "programme_id": UUID(int=1000),
        "name": "First year",
        "organisation": "Riverside Care",
        "policy": "weekly meetings of at least 60 minutes",
        "relationships": StatusCounts(),
        "days_to_first_meeting_median": None,
        "days_to_first_meeting_p90": None,
        "first_meetings": 0,
        "awaiting_first_meeting": 0,
        "adherence": BUCKETS,
        "without_expected_meetings": 0,
        "retention": tuple(retention(months) for months in RETENTION_MONTHS),
        "mentor_load": (MentorLoad(mentor_id="mentor-1", active_mentees=0),),
        "meetings_overdue": 0,
        "reviews_overdue": 0,
        "meetings_held": 0,
        "meetings_missed": 0,
        "meetings_cancelled": 0,
        "short_meetings": 0,
        "mentoring_minutes": 0,
        "months": (),
        "activities_late": 0,
        "milestones_late": 0,
        "rating_trends": TrendShares(),
        "goal_progress_trends": TrendShares(),
        "trend_months": (),
    }
    values.update(fields)
    return ProgrammeFigures(**values)


def report(
    *relationships: RelationshipFigures,
    period: ReportPeriod = PERIOD,
    as_of: datetime = AS_OF,
    policy_given: bool = False,
    **programme_fields: Any,
) -> ComplianceReport:
    return ComplianceReport(
        as_of=as_of,
        period=period,
        policy_given=policy_given,
        programme=programme(**programme_fields),
        relationships=relationships,
    )
