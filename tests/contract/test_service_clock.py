"""A service given a clock judges "now" by it: what is due, the live reports and the
reminders a run owes read the service's clock where no ``now`` is given (a clock
injected in tests, or a deployment's own time source), never the system's behind it."""

from __future__ import annotations

from datetime import UTC, date, datetime
from uuid import UUID

import pytest

from mentoring_core import InvalidValue, MentoringService
from mentoring_core.projections import build_compliance_report, build_mentor_time_report, due
from mentoring_core.reminders import Notice, remind
from mentoring_core.reports import DueKind, end_of_day
from mentoring_core.values import FocusArea, Role

NOW = datetime(2026, 3, 2, 10, tzinfo=UTC)
"""The service's time: a month before the goal is due (the system's is later, past it)."""
GOAL_DUE = date(2026, 4, 2)


@pytest.fixture
def pair(store_url: str) -> tuple[MentoringService, UUID, UUID]:
    if datetime.now(UTC) <= end_of_day(GOAL_DUE):
        pytest.skip("the system's clock must be past the goal's date to tell the clocks apart")
    service = MentoringService(store_url, clock=lambda: NOW)
    programme = service.create_programme("P", "Org", actor="coord").id
    service.enrol(programme, "ana", Role.MENTOR, 12, actor="coord")
    service.enrol(programme, "ben", Role.MENTEE, 1, actor="coord")
    pair = service.form_pair(programme, "ana", "ben", actor="coord").id
    service.set_goal(pair, "Visits", FocusArea.PROBLEM_SOLVING, "Three", GOAL_DUE, actor="ana")
    return service, programme, pair


def test_what_is_due_is_judged_by_the_services_clock(
    pair: tuple[MentoringService, UUID, UUID],
) -> None:
    service, _, _ = pair
    goals = [(i.due, i.overdue) for i in due(service, within_days=60) if i.kind is DueKind.GOAL]
    assert goals == [(end_of_day(GOAL_DUE), False)]
    assert due(service, within_days=60) == due(service, within_days=60, now=NOW)
    service.close()


def test_the_live_reports_describe_the_services_now(
    pair: tuple[MentoringService, UUID, UUID],
) -> None:
    service, programme, _ = pair
    report = build_compliance_report(service, programme)
    assert report.as_of == NOW
    assert [r.goals_overdue for r in report.relationships] == [0]
    time = build_mentor_time_report(
        service, programme, start=date(2026, 3, 1), end=date(2026, 3, 31)
    )
    assert time.as_of == NOW
    service.close()


class _Inbox:
    channel = "webhook"

    def __init__(self) -> None:
        self.received: list[Notice] = []

    def reaches(self, address: str | None) -> bool:
        return True

    def send(self, notice: Notice) -> None:
        self.received.append(notice)


def test_a_reminder_run_owes_what_is_due_by_the_services_clock(
    pair: tuple[MentoringService, UUID, UUID],
) -> None:
    service, programme, _ = pair
    inbox = _Inbox()
    run = remind(service, inbox, programme_id=programme, actor="reminders")
    assert (run.issued, inbox.received) == ((), [])  # the goal is a month away
    service.close()


FAR = datetime(9999, 12, 25, tzinfo=UTC)
"""A moment Python holds, but too near the calendar's end for a report to look ahead of it
(a next meeting due a cadence later, a due list's window of days)."""


@pytest.mark.parametrize("given", ["now", "clock"])
def test_a_moment_too_near_the_calendar_s_end_is_refused_by_name(
    store_url: str, given: str
) -> None:
    """Given as ``now`` or read from the service's clock, a moment in year 9999 is refused
    by the due list, the reports and a reminder run as ``now``, not met with the
    OverflowError or ValueError of a date past the calendar's last day."""
    clock = [NOW]
    service = MentoringService(store_url, clock=lambda: clock[0])
    programme = service.create_programme("P", "Org", actor="coord").id
    service.enrol(programme, "ana", Role.MENTOR, 12, actor="coord")
    service.enrol(programme, "ben", Role.MENTEE, 1, actor="coord")
    service.form_pair(programme, "ana", "ben", actor="coord")
    now = {"now": FAR} if given == "now" else {}
    if given == "clock":
        clock[0] = FAR
    calls = {
        "due": lambda: due(service, within_days=14, **now),
        "report": lambda: build_compliance_report(service, programme, **now),
        "mentor time": lambda: build_mentor_time_report(
            service, programme, start=date(2026, 3, 1), end=date(2026, 3, 31), **now
        ),
        "remind": lambda: remind(
            service, _Inbox(), programme_id=programme, actor="reminders", **now
        ),
    }
    before = service.store.recorder.max_notification_id()
    for name, call in calls.items():
        with pytest.raises(InvalidValue) as refused:
            call()
        assert str(refused.value).startswith("invalid now: 9999-12-25"), name
        assert "a moment before 9000-01-01" in str(refused.value), name
    assert service.store.recorder.max_notification_id() == before
    service.close()
