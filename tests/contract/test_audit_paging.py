"""Replay and the CloudEvents feed read a page at a time, within the bounds they document.

Replay's second pass folds each aggregate from pages of ``page_size`` events, so that
memory holds one page whatever the length of a history (``audit/replay.py``); the
CloudEvents feed pages by chain sequence, and checks ``after`` and ``limit`` as the
service's event feed does (whole numbers, ``after`` from 0 and ``limit`` from 1, both
up to 2**62). Every reader given a ``page_size`` (replay, the derived data's check, the
CloudEvents feed, the store's log) refuses one that is not a whole number from 1 to
2**62 before reading anything: a page of 0 once read nothing, and replay and the check
said a full store held no event and was whole.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

import pytest

from mentoring_core import MentoringService
from mentoring_core.audit import cloud_events, replay
from mentoring_core.audit.derived import check_derived
from mentoring_core.domain.errors import InvalidValue

from .conftest import calls_of
from .test_service_contract import Seeded

HIGHEST = 2**62


def test_replay_folds_each_aggregate_a_page_at_a_time(
    seeded: tuple[MentoringService, Seeded], monkeypatch: pytest.MonkeyPatch
) -> None:
    service, pair = seeded
    recorder = service.store.recorder
    # a store that counts its aggregates reads each with its records' positions
    name = "select_events" if recorder.select_spans() is None else "select_placed"
    read = getattr(recorder, name)
    limits: dict[UUID, list[Any]] = {}

    def spy(aggregate_id: UUID, **kwargs: Any) -> Any:
        limits.setdefault(aggregate_id, []).append(kwargs.get("limit"))
        return read(aggregate_id, **kwargs)

    monkeypatch.setattr(recorder, name, spy)
    report = replay(service, page_size=3)
    assert report.ok and report.rebuilt == 2
    assert set(limits) == {pair.programme, pair.relationship}
    assert all(limit == 3 for calls in limits.values() for limit in calls)
    # the relationship's history is longer than a page, so it was read in several
    assert len(limits[pair.relationship]) > 2


@pytest.mark.parametrize("after", [-1, HIGHEST + 1, 1.0, True, "1"])
def test_cloud_events_refuse_a_position_out_of_bounds(
    seeded: tuple[MentoringService, Seeded], after: Any
) -> None:
    service, _ = seeded
    with pytest.raises(InvalidValue) as refused:
        cloud_events(service, after)
    assert refused.value.field == "after"
    assert refused.value.expected == f"a whole number from 0 to {HIGHEST}"


@pytest.mark.parametrize("limit", [0, -1, HIGHEST + 1, 2.0, True])
def test_cloud_events_refuse_a_limit_out_of_bounds(
    seeded: tuple[MentoringService, Seeded], limit: Any
) -> None:
    service, _ = seeded
    with pytest.raises(InvalidValue) as refused:
        cloud_events(service, limit=limit)
    assert refused.value.field == "limit"
    assert refused.value.expected == f"a whole number from 1 to {HIGHEST}"


def test_cloud_events_take_the_bounds_themselves(
    seeded: tuple[MentoringService, Seeded],
) -> None:
    service, _ = seeded
    whole = list(cloud_events(service))
    assert list(cloud_events(service, 0, limit=HIGHEST)) == whole
    assert list(cloud_events(service, HIGHEST)) == []
    (first,) = cloud_events(service, limit=1)
    assert first == whole[0]


def test_replay_reads_no_state_to_count_and_check_the_log(
    seeded: tuple[MentoringService, Seeded], monkeypatch: pytest.MonkeyPatch
) -> None:
    service, _ = seeded
    recorder = service.store.recorder
    whole = calls_of(monkeypatch, recorder, "select_notifications")
    report = replay(service)
    assert report.ok and report.events == 11
    # the memory store's heads are read through its whole records (the default); the
    # others read only the four columns of a head
    assert (whole != []) == service.store_url.startswith("memory")


PAGED_READERS = {
    "replay": lambda service, size: replay(service, page_size=size),
    "check_derived": lambda service, size: check_derived(service, page_size=size),
    "cloud_events": lambda service, size: list(cloud_events(service, page_size=size)),
    "Store.records": lambda service, size: list(service.store.records(page_size=size)),
}


@pytest.mark.parametrize("reader", PAGED_READERS)
@pytest.mark.parametrize("size", [0, -1, HIGHEST + 1, 2.0, True, "3"])
def test_every_paged_reader_refuses_a_page_size_out_of_bounds(
    seeded: tuple[MentoringService, Seeded],
    monkeypatch: pytest.MonkeyPatch,
    reader: str,
    size: Any,
) -> None:
    service, _ = seeded
    recorder = service.store.recorder
    reads = [
        calls_of(monkeypatch, recorder, name)
        for name in ("select_notifications", "select_heads", "select_chain", "select_events")
    ]
    with pytest.raises(InvalidValue) as refused:
        PAGED_READERS[reader](service, size)
    assert refused.value.field == "page_size"
    assert refused.value.expected == f"a whole number from 1 to {HIGHEST}"
    assert reads == [[], [], [], []]


@pytest.mark.parametrize("reader", PAGED_READERS)
def test_every_paged_reader_reads_the_whole_log_a_record_at_a_time(
    seeded: tuple[MentoringService, Seeded], reader: str
) -> None:
    service, _ = seeded
    assert PAGED_READERS[reader](service, 1) == PAGED_READERS[reader](service, 1000)
