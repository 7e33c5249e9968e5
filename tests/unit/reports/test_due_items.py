"""What is due (``mentoring_core.reports.due_items``), on a report and states built by
hand: no store. Each item names the programme it is due in, a dated item is overdue from
the very moment its day ends, and an item due at the very end of the window is in it."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from uuid import UUID

from report_scenario import POLICY

from mentoring_core.domain.relationship_state import (
    Goal,
    Milestone,
    PlanActivity,
    RelationshipState,
)
from mentoring_core.reports import (
    ComplianceReport,
    DueItem,
    DueKind,
    PolicyFact,
    ProgrammeFacts,
    RelationshipFacts,
    compliance_report,
    due_items,
    end_of_day,
)
from mentoring_core.reports._due import window_end
from mentoring_core.values import FocusArea, RelationshipStatus

PROGRAMME = UUID(int=0xD0E)
PAIR = UUID(int=0xAB)
FORMED = datetime(2026, 3, 2, 9, tzinfo=UTC)
AS_OF = datetime(2026, 3, 20, tzinfo=UTC)
"""Midnight at the start of 20 March: the moment an item dated 19 March falls due."""


def report() -> ComplianceReport:
    programme = ProgrammeFacts(
        programme_id=PROGRAMME,
        version=2,
        name="Quay",
        organisation="Quay Care",
        created_at=FORMED - timedelta(days=30),
        policies=(PolicyFact(at=FORMED - timedelta(days=30), policy=POLICY),),
        relationship_ids=(PAIR,),
    )
    pair = RelationshipFacts(
        relationship_id=PAIR,
        version=1,
        programme_id=PROGRAMME,
        mentor_id="ana",
        mentee_id="ben",
        status=RelationshipStatus.ACTIVE,
        proposed_at=FORMED,
        formed_at=FORMED,
    )
    return compliance_report(programme, (pair,), as_of=AS_OF)


def state() -> RelationshipState:
    """Ana and Ben's plan: a goal dated 19 March (due at ``AS_OF``), an activity dated
    25 March and a milestone dated 31 March."""
    return RelationshipState(
        relationship_id=PAIR,
        version=4,
        status=RelationshipStatus.ACTIVE,
        mentor_id="ana",
        mentee_id="ben",
        goals=(
            Goal(
                goal_id=UUID(int=1),
                title="Chair a case review",
                focus_area=FocusArea.COMMUNICATION,
                success_measure="chaired one",
                target_date=date(2026, 3, 19),
                set_at=FORMED,
            ),
        ),
        plan=(
            PlanActivity(
                activity_id=UUID(int=2),
                description="Shadow a review",
                due_date=date(2026, 3, 25),
                goal_id=UUID(int=1),
            ),
        ),
        milestones=(
            Milestone(
                milestone_id=UUID(int=3),
                description="First solo review",
                target_date=date(2026, 3, 31),
                goal_id=None,
            ),
        ),
    )


def dated(items: tuple[DueItem, ...]) -> list[tuple[DueKind, datetime, bool]]:
    return [(i.kind, i.due, i.overdue) for i in items if i.item_id is not None]


def test_every_item_names_the_programme_it_is_due_in() -> None:
    items = due_items(report(), (state(),), until=AS_OF + timedelta(days=30))
    assert {i.kind for i in items} == set(DueKind)  # meetings and reviews as well
    assert [i.programme_id for i in items] == [PROGRAMME] * len(items)


def test_a_dated_item_is_overdue_from_the_moment_its_day_ends() -> None:
    """The goal dated 19 March falls due at midnight starting 20 March, the report's very
    moment: it is overdue then, not only a microsecond later."""
    items = due_items(report(), (state(),), until=AS_OF)
    assert end_of_day(date(2026, 3, 19)) == AS_OF
    assert dated(items) == [(DueKind.GOAL, AS_OF, True)]


def test_an_item_due_at_the_very_end_of_the_window_is_in_it() -> None:
    """The activity dated 25 March falls due at midnight starting 26 March: asked up to
    that moment, it is listed; asked up to a microsecond before, it is not."""
    until = end_of_day(date(2026, 3, 25))
    assert dated(due_items(report(), (state(),), until=until)) == [
        (DueKind.GOAL, AS_OF, True),
        (DueKind.PLAN_ACTIVITY, until, False),
    ]
    earlier = until - timedelta(microseconds=1)
    assert dated(due_items(report(), (state(),), until=earlier)) == [(DueKind.GOAL, AS_OF, True)]


def test_the_window_of_what_falls_due_soon_ends_with_a_whole_day() -> None:
    """Everything falls due at the end of a day, so "within 14 days" of a Friday morning
    takes in what falls due on the fourteenth day after it; 0 takes in today's; the day
    is UTC's, whatever the zone ``now`` is given in."""
    friday = datetime(2025, 3, 14, 9, 30, tzinfo=UTC)
    assert window_end(friday, 0) == datetime(2025, 3, 15, tzinfo=UTC)
    assert window_end(friday, 14) == datetime(2025, 3, 29, tzinfo=UTC)
    late_in_new_york = datetime(2025, 3, 14, 23, 30, tzinfo=timezone(timedelta(hours=-4)))
    assert window_end(late_in_new_york, 0) == datetime(2025, 3, 16, tzinfo=UTC)
