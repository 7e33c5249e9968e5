"""Benchmarks of mentoring-core, each against a baseline run in the same process.

1. Recording meetings through ``MentoringService`` on a SQLite file, against the same
   work done with a plain ``eventsourcing`` Aggregate and Application on a SQLite file:
   load, decide, store one event per transaction. Reported as commands/s and a ratio.
   The same pair on PostgreSQL (``--postgres URL``, default the local test server; each
   in a schema of its own, dropped afterwards; skipped if no server answers).
2. Loading a relationship of 10,000 events from SQLite with snapshots (every 100
   events) and without, each in a fresh service so no cache helps.

Run with ``nox -s bench`` (``-- --commands N --events N`` to change the sizes).
"""

from __future__ import annotations

import argparse
import socket
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from uuid import UUID, uuid4

import psycopg
from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event
from mentoring_core_postgres import postgres_environment
from psycopg import sql

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


def service_rate(url: str, commands: int) -> float:
    with MentoringService(url) as service:
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


def plain_rate(url: str, commands: int) -> float:
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
        return rate(commands, plain_command)
    finally:
        plain.close()


def bench_recording(
    where: str, fresh: Callable[[str], Iterator[str]], commands: int, rounds: int
) -> None:
    """Alternate the two, a fresh store each round (``fresh(name)`` gives its URL), and
    keep each one's best round: the disk's fsync time varies from second to second, and
    alternating spreads it."""
    ours, baseline = 0.0, 0.0
    for n in range(rounds):
        with contextmanager(fresh)(f"service{n}") as url:
            ours = max(ours, service_rate(url, commands))
        with contextmanager(fresh)(f"plain{n}") as url:
            baseline = max(baseline, plain_rate(url, commands))
    print(f"recording meetings on {where}, {commands} commands, one event each, best of {rounds}:")
    print(f"  mentoring-core service      {ours:8.0f} commands/s")
    print(f"  plain eventsourcing         {baseline:8.0f} commands/s")
    print(f"  ratio service / plain       {ours / baseline:8.2f}   (target 0.80)")


def postgres_schemas(server: str) -> Callable[[str], Iterator[str]]:
    """Store URLs on ``server``, each a new schema dropped once the round is over."""
    parts = urlsplit(server)

    def fresh(name: str) -> Iterator[str]:
        schema = f"bench_{name}_{uuid4().hex[:8]}"
        try:
            yield f"{server}?schema={schema}"
        finally:
            with psycopg.connect(
                host=parts.hostname,
                port=parts.port or 5432,
                user=parts.username or "postgres",
                password=parts.password or None,
                dbname=parts.path.lstrip("/"),
                autocommit=True,
            ) as conn:
                conn.execute(
                    sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema))
                )

    return fresh


def server_answers(url: str) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 5432), 2):
            return True
    except OSError:
        return False


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
    parser.add_argument("--postgres", default=POSTGRES, help="server URL ('' to skip)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:

        def sqlite_files(name: str) -> Iterator[str]:
            yield f"sqlite:///{Path(folder) / name}.db"

        bench_recording("SQLite (file)", sqlite_files, args.commands, args.rounds)
        if args.postgres and server_answers(args.postgres):
            schemas = postgres_schemas(args.postgres)
            bench_recording("PostgreSQL", schemas, args.commands, args.rounds)
        else:
            print(f"recording on PostgreSQL: skipped, no server at {args.postgres!r}")
        bench_loading(Path(folder), args.events)


if __name__ == "__main__":
    main()
