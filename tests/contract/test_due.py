"""What is due (issue 14, item 1): ``mentoring_core.projections.due`` agrees with the
compliance report it is built on, sorts the most urgent first, and keeps to the window
and the person asked about."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from mentoring_core import InvalidValue, MentoringService
from mentoring_core.projections import build_compliance_report, due
from mentoring_core.reports import DueKind, end_of_day

from .test_service_contract import seed


@pytest.fixture
def seeded(store_url: str) -> tuple[MentoringService, datetime]:
    service = MentoringService(store_url)
    seeded = seed(service)
    today = datetime.now(UTC).date()
    service.add_plan_activity(
        seeded.relationship, "Shadow a home visit", today + timedelta(days=5), actor="ana"
    )
    service.set_milestone(
        seeded.relationship, "First solo visit", today + timedelta(days=100), actor="ana"
    )
    return service, datetime.now(UTC)


def test_meetings_reviews_and_goals_due_are_the_reports_own(
    seeded: tuple[MentoringService, datetime],
) -> None:
    service, now = seeded
    items = due(service, now=now, within_days=3660)
    programme = service.programmes()[0].programme_id
    assert programme is not None
    report = build_compliance_report(service, programme, now=now)
    for row in report.relationships:
        mine = [i for i in items if i.relationship_id == row.relationship_id]
        meetings = [(i.due, i.overdue) for i in mine if i.kind is DueKind.MEETING]
        reviews = [(i.due, i.overdue) for i in mine if i.kind is DueKind.REVIEW]
        assert meetings == [(row.next_meeting_due, row.meeting_overdue)]
        assert reviews == (
            [] if row.next_review_due is None else [(row.next_review_due, row.review_overdue)]
        )
        overdue_goals = [i for i in mine if i.kind is DueKind.GOAL and i.overdue]
        assert len(overdue_goals) == row.goals_overdue == 1
    service.close()


def test_the_most_urgent_come_first_and_the_window_is_kept(
    seeded: tuple[MentoringService, datetime],
) -> None:
    service, now = seeded
    items = due(service, now=now, within_days=14)
    assert [i.overdue for i in items] == sorted((i.overdue for i in items), reverse=True)
    overdue = [i.due for i in items if i.overdue]
    upcoming = [i.due for i in items if not i.overdue]
    assert overdue == sorted(overdue) and upcoming == sorted(upcoming)
    kinds = {i.kind for i in items}
    assert DueKind.PLAN_ACTIVITY in kinds  # due in 5 days
    assert DueKind.MILESTONE not in kinds  # due in 100 days: outside the window
    assert all(i.overdue or i.due <= now + timedelta(days=14) for i in items)
    activity = next(i for i in items if i.kind is DueKind.PLAN_ACTIVITY)
    assert (activity.what, activity.due, activity.overdue) == (
        "Shadow a home visit",
        end_of_day(now.date() + timedelta(days=5)),
        False,
    )
    service.close()


def test_a_person_sees_their_relationships_and_a_stranger_nothing(
    seeded: tuple[MentoringService, datetime],
) -> None:
    service, now = seeded
    everything = due(service, now=now, within_days=3660)
    assert due(service, now=now, within_days=3660, person="ben") == everything
    assert due(service, now=now, within_days=3660, person="ana") == everything
    assert due(service, now=now, within_days=3660, person="someone.else") == ()
    service.close()


@pytest.mark.parametrize("days", [-1, 3661, True, 1.5])
def test_a_window_out_of_range_is_refused(days: object) -> None:
    with MentoringService("memory://") as service, pytest.raises(InvalidValue, match="within_days"):
        due(service, within_days=days)  # type: ignore[arg-type]
