"""The projection reads back the rows it just stored from the facts it built, not by
decoding them again; a row another projection moved on is decoded."""

from __future__ import annotations

import importlib
from collections.abc import Iterator

import pytest
from report_scenario import MIDWAY, PAIR_A, PROGRAMME, SettableClock, record

from mentoring_core import InvalidValue, MentoringService
from mentoring_core.projections import ComplianceProjection, decode_facts, encode_facts
from mentoring_core.values import FeedbackKind

PROJECTION = importlib.import_module("mentoring_core.projections._projection")


@pytest.fixture
def service(store_url: str) -> Iterator[MentoringService]:
    clock = SettableClock()
    with MentoringService(store_url, clock=clock) as service:
        record(service, clock, until=MIDWAY)
        yield service


def test_the_rows_a_projection_stored_are_not_decoded_again(
    service: MentoringService, monkeypatch: pytest.MonkeyPatch
) -> None:
    projection = ComplianceProjection(service)
    projection.catch_up()
    decoded = ComplianceProjection(service, view=projection.view).programme_facts(PROGRAMME)

    def refused(row: object) -> None:
        raise AssertionError(f"decoded {row}")

    monkeypatch.setattr(PROJECTION, "decode_facts", refused)
    assert projection.programme_facts(PROGRAMME) == decoded


def test_a_row_another_projection_moved_on_is_decoded(service: MentoringService) -> None:
    first = ComplianceProjection(service)
    first.catch_up()
    service.give_feedback(PAIR_A, "ana", "ben", FeedbackKind.RECOGNITION, "Clear", actor="ana")
    second = ComplianceProjection(service, view=first.view)
    second.catch_up()
    moved = {r.relationship_id: r.version for r in second.programme_facts(PROGRAMME)[1]}
    seen = {r.relationship_id: r.version for r in first.programme_facts(PROGRAMME)[1]}
    assert seen == moved
    assert moved[PAIR_A] == service.relationship(PAIR_A).version


def test_rows_written_batch_by_batch_are_the_facts_encoded_whole(store_url: str) -> None:
    """Each batch reuses the texts of the items its rows already held: with one event per
    batch, through a corrected meeting and an achieved goal (items changed in the middle of
    their tuples), every row is still exactly its facts encoded from nothing."""
    clock = SettableClock()
    with MentoringService(store_url, clock=clock) as service:
        record(service, clock)
        projection = ComplianceProjection(service, batch_size=1)
        assert projection.catch_up() > 30
        programme, relationships = projection.programme_facts(PROGRAMME)
        held = {programme.programme_id: programme} | {
            facts.relationship_id: facts for facts in relationships
        }
        rows = list(projection.view.select_programme_facts(PROGRAMME))
        assert {row.aggregate_id for row in rows} == set(held) and len(held) > 2
        for row in rows:
            assert row.facts == encode_facts(held[row.aggregate_id])
            assert decode_facts(row) == held[row.aggregate_id]


@pytest.mark.parametrize(
    ("setting", "value"),
    [("batch_size", 0), ("batch_size", True), ("batch_size", 2.5), ("cache_size", -1)],
)
def test_a_batch_or_cache_size_outside_its_range_is_refused_naming_it(
    service: MentoringService, setting: str, value: object
) -> None:
    """A plain ValueError named neither the setting nor the value, and True was a batch
    of one event."""
    with pytest.raises(InvalidValue) as refused:
        ComplianceProjection(service, **{setting: value})  # type: ignore[arg-type]
    assert (refused.value.field, refused.value.value) == (setting, value)
