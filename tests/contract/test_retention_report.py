"""The compliance report's ``personal_data_past_due`` on every store: the same count as the
retention command's list on the same store and day, as the store stood at the report's
moment, and ``null`` while the policy sets no retention period.

The report scenario: Carla and Dan's relationship ended on 20 February 2026 (Dan withdrew
from it), and here both also leave the programme then (a person still enrolled is never
due); Ana and Ben are still paired, Eve's proposal is open."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import attrs
import pytest
from report_scenario import PAIR_A, POLICY, PROGRAMME, SettableClock, record

from mentoring_core import InvalidValue, MentoringService
from mentoring_core.privacy.retention import apply_retention, due_for_erasure
from mentoring_core.privacy.retention import past_due as retention_past_due
from mentoring_core.projections import build_compliance_report, write_compliance_report

KEPT_FROM = datetime(2026, 5, 1, 9, tzinfo=UTC)
"""When the one-year retention policy was set."""
PARTED = datetime(2026, 2, 20, 10, tzinfo=UTC)
"""When Carla and Dan's relationship ended, and they withdrew."""
DUE_DAY = datetime(2027, 2, 20, 12, tzinfo=UTC)
LATER = datetime(2027, 3, 1, 12, tzinfo=UTC)


@pytest.fixture
def settable() -> SettableClock:
    return SettableClock()


@pytest.fixture
def service(store_url: str, settable: SettableClock) -> Iterator[MentoringService]:
    clock = settable
    with MentoringService(store_url, clock=clock) as service:
        record(service, clock)
        for person in ("carla", "dan"):
            service.withdraw(PROGRAMME, person, "left", actor="coord", occurred_at=PARTED)
        clock.now = KEPT_FROM
        policy = attrs.evolve(POLICY, retain_personal_data_years=1)
        service.set_policy(PROGRAMME, policy, actor="coord")
        yield service


def past_due(service: MentoringService, moment: datetime) -> int | None:
    report = build_compliance_report(service, PROGRAMME, as_of=moment, now=LATER)
    return report.programme.personal_data_past_due


def test_the_report_counts_exactly_the_retention_commands_list(
    service: MentoringService,
) -> None:
    for moment in (KEPT_FROM, DUE_DAY, LATER):
        listed = due_for_erasure(service, moment.date())
        assert past_due(service, moment) == len(listed)
        live = build_compliance_report(service, PROGRAMME, now=moment)
        assert live.programme.personal_data_past_due == len(listed)
    assert past_due(service, DUE_DAY) == 2  # Carla and Dan


def test_before_the_policy_set_a_period_the_figure_is_null_in_every_format(
    service: MentoringService,
) -> None:
    before = datetime(2026, 4, 30, tzinfo=UTC)
    assert past_due(service, before) is None
    text = write_compliance_report(service, PROGRAMME, format="json", as_of=before, now=LATER)
    assert json.loads(text)["programme"]["personal_data_past_due"] is None
    rows = write_compliance_report(service, PROGRAMME, format="csv", as_of=LATER, now=LATER)
    header, first = (line.split(",") for line in rows.splitlines()[:2])
    assert first[header.index("personal_data_past_due")] == "2"


def test_people_erased_by_the_reports_moment_are_no_longer_past_due(
    service: MentoringService, settable: SettableClock
) -> None:
    settable.now = LATER
    apply_retention(service, due_for_erasure(service, LATER.date()), actor="dpo")
    assert due_for_erasure(service, LATER.date()) == ()
    live = build_compliance_report(service, PROGRAMME, now=LATER)
    assert live.programme.personal_data_past_due == 0
    assert past_due(service, DUE_DAY) == 2  # as the store stood then, before the erasure


def test_a_coordinator_relieved_is_counted_as_the_retention_commands_list_does(
    service: MentoringService, settable: SettableClock
) -> None:
    """Kim, never enrolled, coordinated the programme until 10 February 2026: due with
    Carla and Dan a year after, and counted in the report's figure as in the list."""
    appointed, relieved = datetime(2026, 1, 5, tzinfo=UTC), datetime(2026, 2, 10, tzinfo=UTC)
    service.appoint_coordinator(PROGRAMME, "kim", actor="admin", occurred_at=appointed)
    service.relieve_coordinator(PROGRAMME, "kim", "left", actor="admin", occurred_at=relieved)
    listed = due_for_erasure(service, DUE_DAY.date())
    assert [d.person_id for d in listed] == ["carla", "dan", "kim"]
    assert past_due(service, DUE_DAY) == 3
    assert (
        build_compliance_report(service, PROGRAMME, now=DUE_DAY).programme.personal_data_past_due
        == 3
    )


def test_someone_with_no_role_who_cancelled_a_meeting_is_listed_counted_and_erased(
    service: MentoringService, settable: SettableClock
) -> None:
    """Fay, never enrolled nor appointed, cancelled a meeting of Ana and Ben's on 1
    February 2026, giving a reason the programme keeps: due a year after (before Carla
    and Dan), counted in the report's figure as in the list, and erased by the run."""
    cancelled = datetime(2026, 2, 1, 9, tzinfo=UTC)
    service.record_meeting_cancelled(
        PAIR_A, "fay", "Facilitator snowed in", actor="fay", occurred_at=cancelled
    )
    before = due_for_erasure(service, datetime(2027, 1, 31, tzinfo=UTC).date())
    assert "fay" not in [d.person_id for d in before]
    listed = due_for_erasure(service, DUE_DAY.date())
    assert [(d.person_id, d.last_ended.isoformat()) for d in listed] == [
        ("carla", "2026-02-20"),
        ("dan", "2026-02-20"),
        ("fay", "2026-02-01"),
    ]
    assert past_due(service, DUE_DAY) == 3
    settable.now = LATER
    apply_retention(service, listed, actor="dpo")
    reasons = [m.reason for m in service.relationship(PAIR_A).meetings if m.by == "fay"]
    assert reasons == ["[erased]"]
    assert due_for_erasure(service, LATER.date()) == ()


def test_a_programme_not_yet_created_by_the_moment_read_has_no_count(
    service: MentoringService,
) -> None:
    assert retention_past_due(service, PROGRAMME, LATER.date(), at=KEPT_FROM) == 2
    assert (
        retention_past_due(service, PROGRAMME, LATER.date(), at=datetime(2000, 1, 1, tzinfo=UTC))
        is None
    )


def test_no_one_is_erased_before_the_day_their_period_runs_out(
    service: MentoringService, settable: SettableClock
) -> None:
    """Listed as of a day still to come (Carla and Dan are due on 20 February 2027), they
    are not erased on an earlier day: an erasure cannot be undone, and a mistyped year
    would erase people years early. Nothing is erased then; on the day, both are."""
    listed = due_for_erasure(service, DUE_DAY.date())
    settable.now = DUE_DAY - timedelta(days=1)
    with pytest.raises(InvalidValue) as refused:
        apply_retention(service, listed, actor="dpo")
    assert (refused.value.field, refused.value.value) == ("due", date(2027, 2, 20))
    assert "not after today (2027-02-19)" in str(refused.value)
    assert due_for_erasure(service, DUE_DAY.date()) == listed  # no one erased
    settable.now = DUE_DAY
    assert [e.person_id for e in apply_retention(service, listed, actor="dpo")] == ["carla", "dan"]
