"""Retention on the report scenario: Carla and Dan's relationship ended when Dan withdrew
on 20 February 2026; Ana and Ben are still paired, Eve's proposal is open."""

from __future__ import annotations

from datetime import date

import pytest
from report_scenario import PROGRAMME, SettableClock, record

from mentoring_core import InvalidValue, MentoringService
from mentoring_core.events import ErasureRule, PersonalDataErased
from mentoring_core.privacy.retention import apply_retention, due_for_erasure


@pytest.fixture
def service() -> MentoringService:
    clock = SettableClock()
    service = MentoringService("memory://", clock=clock)
    record(service, clock)
    return service


def test_nobody_is_due_before_the_period_runs_out(service: MentoringService) -> None:
    assert due_for_erasure(service, 1, date(2027, 2, 19)) == ()


def test_those_whose_last_relationship_ended_are_due_and_erased_once(
    service: MentoringService,
) -> None:
    due = due_for_erasure(service, 1, date(2027, 2, 20))
    assert [(d.person_id, d.last_ended, d.due_on) for d in due] == [
        ("carla", date(2026, 2, 20), date(2027, 2, 20)),
        ("dan", date(2026, 2, 20), date(2027, 2, 20)),
    ]
    erased = apply_retention(service, due, 1, actor="dpo")
    assert [e.person_id for e in erased] == ["carla", "dan"]
    recorded = [e for e in service.history(PROGRAMME) if isinstance(e, PersonalDataErased)]
    assert {(e.person_id, e.rule) for e in recorded} == {
        ("carla", ErasureRule.RETENTION),
        ("dan", ErasureRule.RETENTION),
    }
    assert recorded[0].reason == "retention: 1 years after 2026-02-20"
    assert due_for_erasure(service, 1, date(2030, 1, 1)) == ()  # Ana, Ben, Eve: still open


def test_a_retention_period_out_of_range_is_refused(service: MentoringService) -> None:
    with pytest.raises(InvalidValue, match="years"):
        due_for_erasure(service, 0, date(2027, 1, 1))
