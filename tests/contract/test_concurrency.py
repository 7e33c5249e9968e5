"""Many writer processes on one relationship, and a follower reading the log meanwhile.

Sizes come from the environment so that ``nox -s stress`` can run them large:
``MENTORING_STRESS_WRITERS`` (K, default 8), ``MENTORING_STRESS_MEETINGS`` (M, default 25),
``MENTORING_STRESS_FIGURES`` (a file to append the measured figures to, as JSON lines).
"""

from __future__ import annotations

import json
import multiprocessing
import os
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import UUID, uuid5

import pytest

from mentoring_core import ConcurrencyConflict, MentoringService
from mentoring_core.values import MeetingFormat, Role

WRITERS = int(os.environ.get("MENTORING_STRESS_WRITERS", "8"))
MEETINGS = int(os.environ.get("MENTORING_STRESS_MEETINGS", "25"))
FIGURES = os.environ.get("MENTORING_STRESS_FIGURES")
SPAWN = multiprocessing.get_context("spawn")


@pytest.fixture(params=["sqlite", "postgres"])
def store_kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def record_figures(name: str, store: str, **figures: Any) -> None:
    if FIGURES:
        with Path(FIGURES).open("a") as out:
            out.write(json.dumps({"test": name, "store": store, **figures}) + "\n")


STARTED = datetime(2025, 12, 1, tzinfo=UTC)
"""Before the meetings the writers record (dated 1 January 2026)."""


def opened_pair(service: MentoringService, mentees: int = 1) -> list[UUID]:
    at = {"actor": "coord", "occurred_at": STARTED}
    programme = service.create_programme("Stress", "Load Org", **at).id
    service.enrol(programme, "ana", Role.MENTOR, 20, **at)
    pairs = []
    for n in range(mentees):
        service.enrol(programme, f"mentee{n}", Role.MENTEE, 0, **at)
        pairs.append(service.form_pair(programme, "ana", f"mentee{n}", **at).id)
    return pairs


def contending_writer(
    url: str, relationship: UUID, writer: int, meetings: int, own_ids: bool
) -> dict[str, Any]:
    """Append ``meetings`` meetings, retrying every conflict; report what each conflict said.

    ``own_ids``: the writer names each meeting (decided on the whole state, read from the
    store); else the service does (decided on its cached state, behind the store whenever
    another writer recorded since)."""
    conflicts, misnamed = 0, []
    with MentoringService(url) as service:
        for n in range(meetings):
            while True:
                try:
                    service.record_meeting_held(
                        relationship,
                        30,
                        MeetingFormat.PHONE,
                        [f"writer {writer} #{n}"],
                        actor=f"writer{writer}",
                        meeting_id=uuid5(relationship, f"{writer}/{n}") if own_ids else None,
                        occurred_at=datetime(2026, 1, 1, tzinfo=UTC),
                    )
                    break
                except ConcurrencyConflict as conflict:
                    conflicts += 1
                    misnamed += misnaming(conflict, "relationship", relationship)
    return {"conflicts": conflicts, "misnamed": misnamed}


def misnaming(conflict: ConcurrencyConflict, kind: str, aggregate_id: UUID) -> list[str]:
    """``conflict``'s text, if it does not name the aggregate, its kind and the version
    the command was decided at; else nothing."""
    named = (
        conflict.aggregate_id == aggregate_id
        and conflict.kind == kind
        and isinstance(conflict.expected_version, int)
        and str(aggregate_id) in str(conflict)
        and f"version {conflict.expected_version}" in str(conflict)
    )
    return [] if named else [str(conflict)]


def enrolling_writer(url: str, programme: UUID, writer: int, people: int) -> dict[str, Any]:
    """Enrol ``people`` people in ``programme``, retrying every conflict (each decided on the
    service's cached state of the programme, behind the store whenever another wrote)."""
    conflicts, misnamed = 0, []
    with MentoringService(url) as service:
        for n in range(people):
            while True:
                try:
                    service.enrol(programme, f"w{writer}-{n}", Role.MENTEE, 1, actor="coord")
                    break
                except ConcurrencyConflict as conflict:
                    conflicts += 1
                    misnamed += misnaming(conflict, "programme", programme)
    return {"conflicts": conflicts, "misnamed": misnamed}


def test_contending_writers_on_one_programme_lose_nothing(store_url: str, store_kind: str) -> None:
    with MentoringService(store_url) as service:
        programme = service.create_programme("Stress", "Load Org", actor="coord").id
    started = time.perf_counter()
    with SPAWN.Pool(WRITERS) as pool:
        reports = pool.starmap(
            enrolling_writer, [(store_url, programme, k, MEETINGS) for k in range(WRITERS)]
        )
    elapsed = time.perf_counter() - started
    with MentoringService(store_url) as service:
        history = service.history(programme)
        state = service.programme(programme)
        verified = service.verify()
    conflicts = sum(r["conflicts"] for r in reports)
    record_figures(
        "contention on a programme",
        store_kind,
        writers=WRITERS,
        enrolled_each=MEETINGS,
        stored=len(history) - 1,
        conflicts=conflicts,
        seconds=round(elapsed, 2),
    )
    assert len(history) == 1 + WRITERS * MEETINGS
    assert [e.version for e in history] == list(range(1, len(history) + 1))
    enrolled = {p.person_id for p in state.participants}
    assert enrolled == {f"w{k}-{n}" for k in range(WRITERS) for n in range(MEETINGS)}
    assert [r["misnamed"] for r in reports] == [[]] * WRITERS
    assert verified.ok, verified.finding


@pytest.mark.parametrize("own_ids", [True, False], ids=["own ids", "cached state"])
def test_contending_writers_lose_nothing_and_every_conflict_is_named(
    store_url: str, store_kind: str, own_ids: bool
) -> None:
    with MentoringService(store_url) as service:
        (relationship,) = opened_pair(service)
    started = time.perf_counter()
    with SPAWN.Pool(WRITERS) as pool:
        reports = pool.starmap(
            contending_writer,
            [(store_url, relationship, k, MEETINGS, own_ids) for k in range(WRITERS)],
        )
    elapsed = time.perf_counter() - started
    with MentoringService(store_url) as service:
        history = service.history(relationship)
        state = service.relationship(relationship)
        verified = service.verify()
    meetings = [e for e in history if type(e).__name__ == "MeetingHeld"]
    conflicts = sum(r["conflicts"] for r in reports)
    record_figures(
        "contention" if own_ids else "contention, cached state",
        store_kind,
        writers=WRITERS,
        meetings_each=MEETINGS,
        stored=len(meetings),
        conflicts=conflicts,
        seconds=round(elapsed, 2),
    )
    assert len(meetings) == WRITERS * MEETINGS
    assert [e.version for e in history] == list(range(1, len(history) + 1))
    assert len(state.meetings) == WRITERS * MEETINGS == len({m.meeting_id for m in state.meetings})
    assert [r["misnamed"] for r in reports] == [[]] * WRITERS
    assert verified.ok, verified.finding


def batch_writer(url: str, relationship: UUID, batches: int, size: int) -> int:
    """Record ``batches`` times ``size`` meetings; returns how many were stored."""
    stored = 0
    with MentoringService(url) as service:
        for b in range(batches):
            for n in range(size):
                service.record_meeting_held(
                    relationship,
                    45,
                    MeetingFormat.VIDEO,
                    [f"{b}/{n}"],
                    actor="writer",
                    occurred_at=datetime(2026, 1, 1, tzinfo=UTC),
                )
                stored += 1
    return stored


def test_a_follower_reading_the_log_meanwhile_sees_every_event_exactly_once(
    store_url: str, store_kind: str
) -> None:
    writers, batches, size = 4, max(2, MEETINGS // 5), 5
    with MentoringService(store_url) as service:
        pairs = opened_pair(service, mentees=writers)
        seen: list[tuple[UUID, int]] = []
        after = 0
        with SPAWN.Pool(writers) as pool:
            pending = pool.starmap_async(
                batch_writer, [(store_url, pair, batches, size) for pair in pairs]
            )
            while True:
                done = pending.ready()  # read once more after the writers finish
                while page := list(service.read(after, limit=7)):
                    seen.extend((event.aggregate_id, event.version) for _, event in page)
                    after = page[-1][0]
                if done:
                    break
                time.sleep(0.01)
            written = sum(pending.get())
        stored = [event for _, event in service.read()]
    counts = Counter(seen)
    record_figures("follower", store_kind, writers=writers, events_seen=len(seen))
    assert written == writers * batches * size
    assert max(counts.values()) == 1, "an event was seen twice"
    assert set(counts) == {(event.aggregate_id, event.version) for event in stored}
