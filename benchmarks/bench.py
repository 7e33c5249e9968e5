"""Benchmarks of mentoring-core, each against a baseline run in the same process.

1. Recording meetings through ``MentoringService`` on a SQLite file, against the same
   work done with a plain ``eventsourcing`` Aggregate and Application on a SQLite file:
   load, decide, store one event per transaction, the two taking turns in blocks.
   Reported as commands/s and a ratio.
   The same pair on PostgreSQL (``--postgres URL``, default the local test server; each
   in a schema of its own, dropped afterwards; skipped if no server answers).
2. A command on a relationship of 10,000 events against one of 100 (target 4: within
   2x), each on a fresh service so no cache helps; snapshots (every 100 events) hold the
   state without its history. The same with a command id given (as an HTTP
   ``Idempotency-Key`` gives one), which the service looks for first. Reading each
   whole (every meeting) is timed too.
3. A programme command (an enrolment) on a fresh service, on a programme that issued and
   sent as many reminders against 100 (target 4's rule for the programme: its state
   must not grow with every reminder).

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
from uuid import UUID, uuid4

from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event
from mentoring_core_postgres import postgres_environment
from mentoring_core_postgres.testing import server_answers, throwaway_schema

from mentoring_core import MentoringService
from mentoring_core.values import MeetingFormat, ReminderReason, Role

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


def record_meeting(
    service: MentoringService, pair: UUID, i: int, command_id: UUID | None = None
) -> object:
    return service.record_meeting_held(
        pair,
        60,
        MeetingFormat.ONE_ON_ONE,
        ["caseload"],
        actor="ana",
        occurred_at=START + timedelta(minutes=i),
        command_id=command_id,
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


def timed_command(url: str, pair: UUID, i: int, command_id: UUID | None = None) -> float:
    """One meeting recorded on a fresh service (no cache): load, decide, store; with
    ``command_id``, as a command given its own id (an HTTP ``Idempotency-Key``), which
    the service first looks for among what was recorded."""
    with MentoringService(url, snapshot_interval=100) as fresh:
        started = time.perf_counter()
        record_meeting(fresh, pair, i, command_id)
        return time.perf_counter() - started


def timed_read(url: str, pair: UUID) -> float:
    """The whole relationship, every meeting in it, read on a fresh service."""
    with MentoringService(url, snapshot_interval=100) as fresh:
        started = time.perf_counter()
        state = fresh.relationship(pair)
        elapsed = time.perf_counter() - started
    assert len(state.meetings) > 0
    return elapsed


def bench_loading(folder: Path, events: int) -> None:
    """Target 4: a command on a relationship of ``events`` events costs about what it costs
    on one of 100 (snapshots every 100 events hold the state without its history)."""
    sizes = (100, events)
    pairs: dict[int, tuple[str, UUID]] = {}
    for size in sizes:
        url = f"sqlite:///{folder / f'long-{size}.db'}"
        with MentoringService(url, snapshot_interval=100) as service:
            pair = new_pair(service)
            for i in range(size - 1):
                record_meeting(service, pair, i)
        pairs[size] = (url, pair)
    command = {
        size: min(timed_command(url, pair, size + k) for k in range(5))
        for size, (url, pair) in pairs.items()
    }
    keyed = {
        size: min(timed_command(url, pair, size + 5 + k, uuid4()) for k in range(5))
        for size, (url, pair) in pairs.items()
    }
    read = {
        size: min(timed_read(url, pair) for _ in range(3)) for size, (url, pair) in pairs.items()
    }
    short, long = sizes
    print(
        "a relationship of 100 and of", events, "events, on SQLite (best of 5 or 3, fresh service):"
    )
    for size in sizes:
        print(
            f"  {size:6d} events: one command {command[size] * 1000:7.1f} ms, "
            f"with its own id {keyed[size] * 1000:7.1f} ms, "
            f"reading it whole {read[size] * 1000:7.1f} ms"
        )
    ratio = command[long] / command[short]
    print(f"  ratio command {long} / {short}  {ratio:8.2f}   (target 2.00 at most)")
    ratio = keyed[long] / keyed[short]
    print(f"  ratio command with its own id {long} / {short}  {ratio:8.2f}   (target 2.00 at most)")
    ratio = read[long] / read[short]
    print(f"  ratio reading {long} / {short}  {ratio:8.2f}   (no target: every meeting is read)")


def timed_enrolment(url: str, programme: UUID, k: int) -> float:
    """One enrolment on a fresh service (no cache): load the programme, decide, store."""
    with MentoringService(url, snapshot_interval=100) as fresh:
        started = time.perf_counter()
        fresh.enrol(programme, f"new-{k}", Role.MENTEE, 1, actor="bench")
        return time.perf_counter() - started


def bench_programme(folder: Path, reminders: int) -> None:
    """An enrolment on a fresh service, on a programme after ``reminders`` reminders issued
    and sent, against one after 100 (snapshots every 100 events)."""
    sizes = (100, reminders)
    enrolment: dict[int, float] = {}
    for size in sizes:
        url = f"sqlite:///{folder / f'reminders-{size}.db'}"
        with MentoringService(url, snapshot_interval=100) as service:
            pair = new_pair(service)
            programme = service.relationship(pair).programme_id
            assert programme is not None
            for i in range(size):
                reminder = uuid4()
                service.issue_reminder(
                    programme, reminder, "ana", pair, ReminderReason.OVERDUE, "goal",
                    START + timedelta(minutes=i), "email", actor="bench",
                )  # fmt: skip
                service.record_reminder_sent(programme, reminder, actor="bench")
        enrolment[size] = min(timed_enrolment(url, programme, k) for k in range(5))
    short, long = sizes
    print(f"a programme after 100 and after {reminders} reminders, on SQLite (best of 5):")
    for size in sizes:
        print(f"  {size:6d} reminders: an enrolment {enrolment[size] * 1000:7.1f} ms")
    ratio = enrolment[long] / enrolment[short]
    print(f"  ratio enrolment {long} / {short}  {ratio:8.2f}   (target 2.00 at most)")


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
        bench_programme(Path(folder), args.events)


if __name__ == "__main__":
    main()
