"""Benchmarks of mentoring-core, each against a baseline run in the same process.

1. Recording meetings through ``MentoringService`` on a SQLite file, against the same
   work done with a plain ``eventsourcing`` Aggregate and Application on a SQLite file:
   load, decide, store one event per transaction, the two taking turns in blocks.
   Reported as commands/s and a ratio.
   The same pair on PostgreSQL (``--postgres URL``, default the local test server; each
   in a schema of its own, dropped afterwards; skipped if no server answers).
2. Loading a relationship of 10,000 events from SQLite with snapshots (interval 100,
   spaced further past 1,000 events) and without, each in a fresh service so no cache
   helps.

Run with ``nox -s bench`` (``-- --commands N --events N --rounds N`` to change the sizes).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event
from mentoring_core_postgres import postgres_environment
from mentoring_core_postgres.testing import server_answers, throwaway_schema

from mentoring_core import MentoringService
from mentoring_core.values import MeetingFormat, Role

START = datetime(2020, 1, 1, tzinfo=UTC)
POSTGRES = "postgresql://postgres@127.0.0.1:5432/test"


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


def timed(work: Callable[[int], object], numbers: range) -> float:
    started = time.perf_counter()
    for i in numbers:
        work(i)
    return time.perf_counter() - started


def new_pair(service: MentoringService) -> UUID:
    # every fact dated at START: the timeline rule refuses a pair older than its programme
    programme = service.create_programme("Bench", "Bench Org", actor="bench", occurred_at=START).id
    service.enrol(programme, "ana", Role.MENTOR, 12, actor="bench", occurred_at=START)
    service.enrol(programme, "ben", Role.MENTEE, 1, actor="bench", occurred_at=START)
    return service.form_pair(programme, "ana", "ben", actor="bench", occurred_at=START).id


def record_meeting(service: MentoringService, pair: UUID, i: int) -> object:
    return service.record_meeting_held(
        pair,
        60,
        MeetingFormat.ONE_ON_ONE,
        ["caseload"],
        actor="ana",
        occurred_at=START + timedelta(minutes=i),
    )


@contextmanager
def service_commands(url: str) -> Iterator[Callable[[int], object]]:
    """Command ``i``: meeting ``i`` recorded through the service on the store ``url``."""
    with MentoringService(url) as service:
        pair = new_pair(service)
        yield lambda i: record_meeting(service, pair, i)


@contextmanager
def plain_commands(url: str) -> Iterator[Callable[[int], object]]:
    """The baseline on the store ``url`` names (SQLite file or PostgreSQL schema), with
    eventsourcing's own recorder and mapper."""
    if url.startswith("sqlite:///"):
        env: dict[str, Any] = {
            "PERSISTENCE_MODULE": "eventsourcing.sqlite",
            "SQLITE_DBNAME": url.removeprefix("sqlite:///"),
        }
    else:
        env = postgres_environment(url)
        del env["APPLICATION_RECORDER_TOPIC"]  # eventsourcing's own recorder
        env["CREATE_TABLE"] = "y"
    # The same cache settings as the service: no replay, no copy per command.
    env.update(AGGREGATE_CACHE_MAXSIZE="1000", DEEPCOPY_FROM_AGGREGATE_CACHE="n")
    plain = PlainApp(env=env)
    aggregate = PlainRelationship("ana", "ben")
    plain.save(aggregate)

    def plain_command(i: int) -> None:
        loaded: PlainRelationship = plain.repository.get(aggregate.id)
        loaded.record_meeting(UUID(int=i + 1), 60, "one_on_one")
        plain.save(loaded)

    try:
        yield plain_command
    finally:
        plain.close()


def bench_recording(
    where: str, fresh: Callable[[str], Iterator[str]], commands: int, rounds: int
) -> None:
    """Both on fresh stores (``fresh(name)`` gives a URL), taking turns: ``rounds`` blocks
    of ``commands / rounds`` commands each, the two swapping who goes first, with the times
    summed. The disk's fsync time varies from second to second (other work on the
    machine), and taking turns in short blocks gives both the same disk."""
    per = max(1, commands // rounds)
    spent = [0.0, 0.0]
    with (
        contextmanager(fresh)("service") as ours_url,
        contextmanager(fresh)("plain") as plain_url,
        service_commands(ours_url) as ours,
        plain_commands(plain_url) as plain,
    ):
        for n in range(rounds):
            numbers = range(n * per, (n + 1) * per)
            for side in (0, 1) if n % 2 == 0 else (1, 0):
                spent[side] += timed((ours, plain)[side], numbers)
    done = per * rounds
    print(
        f"recording meetings on {where}, {done} commands, one event each, "
        f"in {rounds} blocks taking turns:"
    )
    print(f"  mentoring-core service      {done / spent[0]:8.0f} commands/s")
    print(f"  plain eventsourcing         {done / spent[1]:8.0f} commands/s")
    print(f"  ratio service / plain       {spent[1] / spent[0]:8.2f}   (target 0.80)")


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
            record_meeting(service, pair, i)
    with_snapshots = min(timed_load(url, pair, 100) for _ in range(3))
    without = min(timed_load(url, pair, None) for _ in range(3))
    print(f"loading a relationship of {events} events from SQLite (best of 3, fresh service):")
    print(f"  with snapshots (interval 100) {with_snapshots * 1000:6.1f} ms")
    print(f"  without snapshots           {without * 1000:8.1f} ms")
    print(f"  ratio without / with        {without / with_snapshots:8.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--commands", type=int, default=2000)
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=20, help="blocks taking turns")
    parser.add_argument("--postgres", default=POSTGRES, help="server URL ('' to skip)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:

        def sqlite_files(name: str) -> Iterator[str]:
            yield f"sqlite:///{Path(folder) / name}.db"

        bench_recording("SQLite (file)", sqlite_files, args.commands, args.rounds)
        if args.postgres and server_answers(args.postgres):

            def schemas(name: str) -> Iterator[str]:
                with throwaway_schema(args.postgres, f"bench_{name}") as url:
                    yield url

            bench_recording("PostgreSQL", schemas, args.commands, args.rounds)
        else:
            print(f"recording on PostgreSQL: skipped, no server at {args.postgres!r}")
        bench_loading(Path(folder), args.events)


if __name__ == "__main__":
    main()
