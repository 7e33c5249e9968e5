"""The whole-store replay counts what is stored and names what cannot be read, on every store.

Memory staying constant as the log grows is measured by ``benchmarks/bench_replay.py``
(a million events); here the counts, the failures and the progress reports.
"""

from __future__ import annotations

import gc
import importlib
from typing import Any
from uuid import UUID

import pytest
from eventsourcing.persistence import StoredEvent

from mentoring_core import MentoringService
from mentoring_core.audit import ReplayProgress, replay

from .conftest import Replaying, calls_of
from .test_audit_replay_findings import around_the_library
from .test_service_contract import Seeded
from .test_tamper_evidence import RawStore

COLLECTOR = importlib.import_module("mentoring_core._collector")
REPLAY = importlib.import_module("mentoring_core.audit.replay")

SEEDED_TYPES = {
    "ParticipantEnrolled": 2,
    "ProgrammeCreated": 1,
    "PolicySet": 1,
    "PairFormed": 1,
    "RelationshipOpened": 1,
    "ScheduleAgreed": 1,
    "GoalSet": 1,
    "MeetingHeld": 1,
    "MeetingMissed": 1,
    "FeedbackGiven": 1,
}


def test_a_sound_store_replays_whole(
    seeded: tuple[MentoringService, Seeded], replaying: Replaying
) -> None:
    service, _ = seeded
    steps: list[ReplayProgress] = []
    report = replaying(service, progress=steps.append, page_size=4)
    assert report.ok
    assert report.events == 11
    assert dict(report.by_type) == SEEDED_TYPES
    assert next(iter(report.by_type)) == "ParticipantEnrolled"  # most frequent first
    assert dict(report.aggregates) == {"programme": 1, "relationship": 1}
    assert report.rebuilt == 2
    reading = [(s.done, s.total) for s in steps if s.phase == "reading"]
    rebuilding = [(s.done, s.total) for s in steps if s.phase == "rebuilding"]
    if service.store.recorder.select_spans() is None:  # a page of the log at a time
        assert reading == [(4, 11), (8, 11), (11, 11)]
    else:  # counted by the database, at once
        assert reading == [(11, 11)]
    assert rebuilding == [(1, 2), (2, 2)]


def test_progress_ends_at_the_records_read_when_the_log_has_holes(
    seeded: tuple[MentoringService, Seeded],
    replaying: Replaying,
) -> None:
    service, _ = seeded
    if service.store_url.startswith("memory"):
        pytest.skip("the memory store has no tables to reach around the library")
    raw = RawStore(service.store_url)
    with raw.sql() as run:  # the last position stays 11, with 10 records
        run(f"DELETE FROM {raw.events} WHERE {raw.position} = ?", raw.positions()[5])
    steps: list[ReplayProgress] = []
    report = replaying(service, progress=steps.append, page_size=4)
    assert report.events == 10
    reading = [(s.done, s.total) for s in steps if s.phase == "reading"]
    if service.store.recorder.select_spans() is None:  # a page of the log at a time
        assert reading == [(4, 11), (8, 11), (10, 11), (10, 10)]
    else:  # counted by the database, at once
        assert reading == [(10, 10)]


def test_an_unreadable_event_is_reported_and_the_replay_goes_on(
    seeded: tuple[MentoringService, Seeded],
    replaying: Replaying,
) -> None:
    service, pair = seeded
    bad = StoredEvent(
        originator_id=pair.relationship,
        originator_version=7,
        topic="MeetingHeld",
        state=b'{"forged":true}',
    )
    later = StoredEvent(
        originator_id=UUID(int=5),
        originator_version=1,
        topic="NoSuchEvent",
        state=b"{}",
    )
    service.store.recorder.insert_events([bad, later])
    report = replaying(service)
    assert not report.ok
    assert report.events == 13
    assert dict(report.by_type) == SEEDED_TYPES  # the rest was read
    assert report.decode_failure_count == 2
    first, second = report.decode_failures
    assert (first.aggregate_id, first.version, first.topic) == (pair.relationship, 7, "MeetingHeld")
    assert "forged" in first.reason
    assert (second.aggregate_id, second.topic, second.reason) == (
        UUID(int=5),
        "NoSuchEvent",
        "unknown event type",
    )
    assert dict(report.aggregates) == {"programme": 1, "relationship": 1, "unknown": 1}
    assert report.rebuilt == 1  # the programme; the relationship stops at version 7
    assert report.rebuild_failure_count == 2
    assert {f.aggregate_id for f in report.rebuild_failures} == {pair.relationship, UUID(int=5)}
    assert "version 7 cannot be read" in report.rebuild_failures[0].reason


def test_a_gap_in_a_history_is_reported(
    seeded: tuple[MentoringService, Seeded], replaying: Replaying
) -> None:
    service, pair = seeded
    (held,) = service.store.recorder.select_events(pair.relationship, gt=4, lte=5)
    skipped = StoredEvent(
        originator_id=pair.relationship,
        originator_version=9,
        topic=held.topic,
        state=held.state,
    )
    # The store's recorder refuses a version gap: written around the library.
    around_the_library(service.store.recorder, [skipped])
    report = replaying(service)
    assert report.decode_failure_count == 0
    assert report.gap_count == 1
    (gap,) = report.gaps
    assert (gap.aggregate_id, gap.expected, gap.found) == (pair.relationship, 7, 9)
    assert report.rebuild_failure_count == 1
    assert "version 9 follows version 6" in report.rebuild_failures[0].reason


def test_a_store_that_counts_its_aggregates_is_not_read_whole_first(
    seeded: tuple[MentoringService, Seeded], monkeypatch: pytest.MonkeyPatch
) -> None:
    """SQLite and PostgreSQL count each aggregate's records (``select_spans``): a sound
    store's replay then reads no heads of the log (a tenth of a replay's work); the
    memory store counts none, and its log is read."""
    service, _ = seeded
    heads = calls_of(monkeypatch, service.store.recorder, "select_heads")
    report = replay(service)
    assert report.ok and report.events == 11
    if service.store_url.startswith("memory"):
        assert heads
    else:
        assert heads == []


@pytest.mark.usefixtures("nothing_frozen")
def test_the_collector_is_spared_while_aggregates_are_rebuilt_and_given_back(
    seeded: tuple[MentoringService, Seeded], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past SPARE_COLLECTOR_FROM events folded, what the process holds is kept from the
    collector's full collections (``gc.freeze``) as the rebuild goes on, as a catch-up
    does; the replay gives it back when it ends."""
    service, _ = seeded
    monkeypatch.setattr(COLLECTOR, "SPARE_COLLECTOR_FROM", 1)
    frozen: list[int] = []

    def seen(step: ReplayProgress) -> None:
        if step.phase == "rebuilding":
            frozen.append(gc.get_freeze_count())

    assert gc.get_freeze_count() == 0
    assert replay(service, progress=seen).ok
    assert len(frozen) == 2 and all(frozen)
    assert gc.get_freeze_count() == 0


@pytest.mark.usefixtures("nothing_frozen")
def test_the_collector_is_left_alone_below_its_threshold(
    seeded: tuple[MentoringService, Seeded],
) -> None:
    service, _ = seeded
    frozen: list[int] = []
    replay(service, progress=lambda step: frozen.append(gc.get_freeze_count()))
    assert frozen and not any(frozen)  # 11 events: far below 10,000


@pytest.mark.usefixtures("nothing_frozen")
def test_the_collector_is_spared_from_the_rebuilds_start_for_a_store_of_as_many_events(
    seeded: tuple[MentoringService, Seeded], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The events to fold are known from the first pass: a store holding
    SPARE_COLLECTOR_FROM of them has the collector spared before its first aggregate is
    rebuilt, its young collections fewer, and both given back at the end."""
    service, _ = seeded
    monkeypatch.setattr(COLLECTOR, "SPARE_COLLECTOR_FROM", 11)  # the seeded store's events
    thresholds = gc.get_threshold()
    seen: list[tuple[int, int]] = []

    def rebuilding(*arguments: Any, **keywords: Any) -> str | None:
        seen.append((gc.get_freeze_count(), gc.get_threshold()[0]))
        return rebuild(*arguments, **keywords)

    rebuild = REPLAY._rebuild
    monkeypatch.setattr(REPLAY, "_rebuild", rebuilding)
    assert replay(service).ok
    assert len(seen) == 2 and all(frozen for frozen, _ in seen)
    assert {young for _, young in seen} == {max(thresholds[0], COLLECTOR.YOUNG_THRESHOLD)}
    assert gc.get_freeze_count() == 0 and gc.get_threshold() == thresholds
