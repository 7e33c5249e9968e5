"""Benchmarks of mentoring-core, each against a baseline run in the same process.

1. Recording meetings through ``MentoringService`` on a SQLite file, against the same
   work done with a plain ``eventsourcing`` Aggregate and Application on a SQLite file:
   load, decide, store one event per transaction. Reported as commands/s and a ratio.
2. Loading a relationship of 10,000 events from SQLite with snapshots (every 100
   events) and without, each in a fresh service so no cache helps.

Run with ``nox -s bench`` (``-- --commands N --events N`` to change the sizes).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event

from mentoring_core import MentoringService
from mentoring_core.values import MeetingFormat, Role

START = datetime(2020, 1, 1, tzinfo=UTC)


class PlainRelationship(Aggregate):
    """The baseline: eventsourcing's own aggregate, with its default mapper."""

    def __init__(self, mentor_id: str, mentee_id: str) -> None:
        self.mentor_id = mentor_id
        self.mentee_id = mentee_id
        self.meetings: list[tuple[UUID, int]] = []

    @event("MeetingHeld")
    def record_meeting(self, meeting_id: UUID, duration_minutes: int, format: str) -> None:
        self.meetings.append((meeting_id, duration_minutes))


class PlainApp(Application[UUID]):
    pass


def rate(count: int, work: Callable[[int], object]) -> float:
    started = time.perf_counter()
    for i in range(count):
        work(i)
    return count / (time.perf_counter() - started)


def new_pair(service: MentoringService) -> UUID:
    # every fact dated at START: the timeline rule refuses a pair older than its programme
    programme = service.create_programme("Bench", "Bench Org", actor="bench", occurred_at=START).id
    service.enrol(programme, "ana", Role.MENTOR, 12, actor="bench", occurred_at=START)
    service.enrol(programme, "ben", Role.MENTEE, 1, actor="bench", occurred_at=START)
    return service.form_pair(programme, "ana", "ben", actor="bench", occurred_at=START).id


def service_rate(path: Path, commands: int) -> float:
    with MentoringService(f"sqlite:///{path}") as service:
        pair = new_pair(service)
        return rate(
            commands,
            lambda i: service.record_meeting_held(
                pair,
                60,
                MeetingFormat.ONE_ON_ONE,
                ["caseload"],
                actor="ana",
                occurred_at=START + timedelta(minutes=i),
            ),
        )


def plain_rate(path: Path, commands: int) -> float:
    env: dict[str, Any] = {
        "PERSISTENCE_MODULE": "eventsourcing.sqlite",
        "SQLITE_DBNAME": str(path),
        # The same cache settings as the service: no replay, no copy per command.
        "AGGREGATE_CACHE_MAXSIZE": "1000",
        "DEEPCOPY_FROM_AGGREGATE_CACHE": "n",
    }
    plain = PlainApp(env=env)
    aggregate = PlainRelationship("ana", "ben")
    plain.save(aggregate)

    def plain_command(i: int) -> None:
        loaded: PlainRelationship = plain.repository.get(aggregate.id)
        loaded.record_meeting(UUID(int=i + 1), 60, "one_on_one")
        plain.save(loaded)

    try:
        return rate(commands, plain_command)
    finally:
        plain.close()


def bench_recording(folder: Path, commands: int, rounds: int) -> None:
    """Alternate the two, a fresh file each round, and keep each one's best round:
    the disk's fsync time varies from second to second, and alternating spreads it."""
    ours, baseline = 0.0, 0.0
    for n in range(rounds):
        ours = max(ours, service_rate(folder / f"service{n}.db", commands))
        baseline = max(baseline, plain_rate(folder / f"plain{n}.db", commands))
    print(
        f"recording meetings on SQLite (file), {commands} commands, one event each, "
        f"best of {rounds}:"
    )
    print(f"  mentoring-core service      {ours:8.0f} commands/s")
    print(f"  plain eventsourcing         {baseline:8.0f} commands/s")
    print(f"  ratio service / plain       {ours / baseline:8.2f}")


def timed_load(url: str, pair: UUID, snapshot_interval: int | None) -> float:
    with MentoringService(url, snapshot_interval=snapshot_interval) as fresh:
        started = time.perf_counter()
        state = fresh.relationship(pair)
        elapsed = time.perf_counter() - started
    assert len(state.meetings) > 0
    return elapsed


def bench_loading(folder: Path, events: int) -> None:
    url = f"sqlite:///{folder / 'long.db'}"
    with MentoringService(url, snapshot_interval=100) as service:
        pair = new_pair(service)
        for i in range(events - 1):
            service.record_meeting_held(
                pair,
                60,
                MeetingFormat.VIDEO,
                ["check-in"],
                actor="ana",
                occurred_at=START + timedelta(minutes=i),
            )
    with_snapshots = min(timed_load(url, pair, 100) for _ in range(3))
    without = min(timed_load(url, pair, None) for _ in range(3))
    print(f"loading a relationship of {events} events from SQLite (best of 3, fresh service):")
    print(f"  with snapshots every 100    {with_snapshots * 1000:8.1f} ms")
    print(f"  without snapshots           {without * 1000:8.1f} ms")
    print(f"  ratio without / with        {without / with_snapshots:8.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--commands", type=int, default=2000)
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        bench_recording(Path(folder), args.commands, args.rounds)
        bench_loading(Path(folder), args.events)


if __name__ == "__main__":
    main()
