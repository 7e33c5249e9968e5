"""How the store grows: bytes per event and per relationship-year, and times at size.

1. A programme of ``--relationships`` pairs (default 8) over ``--weeks`` weeks (default
   52, a relationship-year) is recorded through ``MentoringService``, one command per
   transaction, each week of each pair: a meeting (held 85%, missed 8%, cancelled 7%),
   feedback, a reflection, a plan activity completed and one added, a goal set every
   eight weeks and one achieved, a progress review every thirteen; the schedule agreed in
   the first week. Personal fields are sealed, every event is chained, snapshots are
   taken every 100 events, and the compliance read model is brought up to date. This is
   done on a SQLite file and on PostgreSQL (twice: a small store and one to grow), and
   the size of every table is printed: bytes per event and per relationship-year.
2. The PostgreSQL store to grow is filled, in a throwaway schema, to ``--events`` events
   by copying that programme's events (its programme and its relationships) under new
   aggregate ids, server-side (``INSERT ... SELECT``), ids that other events name
   rewritten the same way, event ids kept (a sealed field's associated data binds its
   event's id, so the copies open with the template's keys). Each copy gets a chain link
   with the next sequence number, but **the copied links carry the template's hashes:
   the audit chain of the copies is not valid** (``verify`` would fail at the first
   copy; it is not run). Snapshots, keys and read model rows are not copied (the copies
   share the template's people).
3. At ``--project-at`` events (default: the smaller of ``--events`` and 1,000,000) the
   compliance projection catches up on every copied event (events/s), and then, as at
   ``--events``, against the small store in the same process, in alternating blocks:
   the time of recording one command, of reading one relationship (cold), and of the
   programme report by a straight fold (``as_of``) and (at ``--project-at`` only) from
   the read model.

Run with ``python benchmarks/bench_scale.py`` (``--events 10000000`` for the full run;
``--server postgresql://...`` for another server). Without a PostgreSQL server only the
SQLite sizes are measured.
"""

from __future__ import annotations

import argparse
import hashlib
import random
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from uuid import UUID

import psycopg
from mentoring_core_postgres.testing import server_answers, throwaway_schema
from psycopg import sql

from mentoring_core import MentoringService
from mentoring_core.projections import ComplianceProjection, build_compliance_report
from mentoring_core.reports import preset
from mentoring_core.values import (
    Cadence,
    FeedbackKind,
    FocusArea,
    MeetingFormat,
    MeetingSchedule,
    Participation,
    Rating,
    Role,
)

START = datetime(2024, 1, 1, 8, 0, tzinfo=UTC)
MENTEES_PER_MENTOR = 4
COPY_ROWS = 200_000
"""Events copied per statement (one transaction each)."""
BLOCKS = 5
"""Alternating blocks of timed work on the small and the large store."""
WEEKLY = MeetingSchedule(
    cadence=Cadence.weekly(), duration_minutes=90, format=MeetingFormat.ONE_ON_ONE
)


class Clock:
    """The service's clock: a minute on each time it is read, moved to each week's start."""

    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        self.now += timedelta(minutes=1)
        return self.now

    def week(self, week: int) -> None:
        self.now = max(self.now, START + timedelta(weeks=week))


@dataclass
class Pair:
    """One relationship of the programme, and what its next week needs to know."""

    id: UUID
    mentor: str
    mentee: str
    activity: UUID | None = None
    goals: list[UUID] = field(default_factory=list)


@dataclass
class Programme:
    id: UUID
    pairs: list[Pair]
    clock: Clock
    commands: int = 0


def open_programme(service: MentoringService, clock: Clock, relationships: int) -> Programme:
    policy = preset("asye-newly-qualified-social-worker").policy(
        participation=Participation.COMPULSORY, minimum_experience_gap_years=Decimal(2)
    )
    programme = service.create_programme("Scale", "Scale Org", actor="coord").id
    service.set_policy(programme, policy, actor="coord")
    mentors = max(1, relationships // MENTEES_PER_MENTOR)
    for m in range(mentors):
        service.enrol(programme, f"mentor-{m}", Role.MENTOR, 10, actor="coord")
    pairs = []
    for r in range(relationships):
        mentor, mentee = f"mentor-{r % mentors}", f"mentee-{r}"
        service.enrol(programme, mentee, Role.MENTEE, 1, actor="coord")
        pair = service.form_pair(programme, mentor, mentee, actor="coord").id
        service.agree_schedule(pair, WEEKLY, actor=mentor)
        pairs.append(Pair(pair, mentor, mentee))
    return Programme(programme, pairs, clock, 2 + mentors + 3 * relationships)


def meeting(service: MentoringService, pair: Pair, roll: float) -> None:
    if roll < 0.85:
        topics = ["caseload"]
        service.record_meeting_held(
            pair.id, 90, MeetingFormat.ONE_ON_ONE, topics, actor=pair.mentor
        )
    elif roll < 0.93:
        service.record_meeting_missed(pair.id, pair.mentee, "Ill", actor=pair.mentor)
    else:
        service.record_meeting_cancelled(pair.id, pair.mentor, "Busy", actor=pair.mentor)


def week_of(service: MentoringService, pair: Pair, week: int, rng: random.Random) -> int:
    """One pair's week, through the service; how many commands it recorded."""
    meeting(service, pair, rng.random())
    service.give_feedback(
        pair.id, pair.mentor, pair.mentee, FeedbackKind.CONSTRUCTIVE, "Keep notes shorter",
        actor=pair.mentor,
    )  # fmt: skip
    ratings = [Rating(focus_area=FocusArea.WELLBEING, score=rng.randint(1, 5))]
    service.record_reflection(pair.id, ratings, "A steady week", actor=pair.mentee)
    done = 3
    if pair.activity is not None:
        service.complete_plan_activity(pair.id, pair.activity, "Done", actor=pair.mentor)
        done += 1
    due = (START + timedelta(weeks=week + 2)).date()
    pair.activity = service.add_plan_activity(pair.id, "Shadow a visit", due, actor=pair.mentor).id
    if week % 8 == 1:
        target = (START + timedelta(weeks=week + 9)).date()
        goal = service.set_goal(
            pair.id, "Run a review", FocusArea.COMMUNICATION, "Two led", target, actor=pair.mentor
        )
        pair.goals.append(goal.id)
        done += 1
    if week % 8 == 7 and pair.goals:
        service.achieve_goal(pair.id, pair.goals.pop(0), "Led two", actor=pair.mentor)
        done += 1
    if week % 13 == 12:
        service.evaluate_progress(pair.id, (), "On track", actor=pair.mentor)
        done += 1
    return done + 1


def record_programme(
    service: MentoringService, clock: Clock, relationships: int, weeks: int
) -> Programme:
    """The programme's year (or ``weeks``), one command per transaction, and its read model;
    ``clock`` is the service's."""
    programme = open_programme(service, clock, relationships)
    rng = random.Random(7)
    for week in range(weeks):
        clock.week(week)
        for pair in programme.pairs:
            programme.commands += week_of(service, pair, week, rng)
    ComplianceProjection(service).catch_up()
    return programme


def open_service(url: str, stack: ExitStack) -> tuple[MentoringService, Clock]:
    clock = Clock()
    return stack.enter_context(MentoringService(url, clock=clock)), clock


def event_count(service: MentoringService) -> int:
    """The events in the store: the log's last position (the log has no gaps here: one
    writer at a time, no command refused)."""
    return service.store.recorder.max_notification_id() or 0


# --- Sizes ---------------------------------------------------------------------------


@dataclass
class Table:
    name: str
    rows: int
    heap: int
    other: int
    """TOAST, free-space and visibility maps (PostgreSQL); 0 on SQLite."""
    indexes: int

    @property
    def total(self) -> int:
        return self.heap + self.other + self.indexes


def sqlite_tables(path: Path) -> list[Table]:
    """Every table of a SQLite file: rows, its own pages and its indexes' (``dbstat``)."""
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        pages = dict(conn.execute("SELECT name, sum(pgsize) FROM dbstat GROUP BY name").fetchall())
        tables = []
        for name in sorted(names):
            indexes = conn.execute(
                "SELECT name FROM sqlite_master WHERE type='index' AND tbl_name=?", (name,)
            ).fetchall()
            rows = conn.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0]
            index_bytes = sum(pages.get(i[0], 0) for i in indexes)
            tables.append(Table(name, rows, pages.get(name, 0), 0, index_bytes))
    return tables


def postgres_tables(conn: psycopg.Connection[Any], schema: str) -> list[Table]:
    """Every table of ``schema``: exact rows, heap, TOAST and maps, indexes (bytes on disk)."""
    found = conn.execute(
        "SELECT c.relname, pg_relation_size(c.oid), pg_total_relation_size(c.oid), "
        "pg_indexes_size(c.oid) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = %s AND c.relkind = 'r' AND c.relname <> 'scale_unit' ORDER BY 1",
        (schema,),
    ).fetchall()
    tables = []
    for name, heap, total, indexes in found:
        query = sql.SQL("SELECT count(*) FROM {}.{}").format(
            sql.Identifier(schema), sql.Identifier(name)
        )
        row = conn.execute(query).fetchone()
        assert row is not None
        tables.append(Table(name, row[0], heap, total - heap - indexes, indexes))
    return tables


def print_tables(title: str, tables: list[Table], events: int, relationships: int) -> None:
    """Each table's size, and bytes per event of each (per event of the store, not per row)."""
    total = sum(t.total for t in tables)
    print(f"{title}: {events:,} events, {relationships:,} relationships")
    print(
        f"  {'table':<36} {'rows':>11} {'heap':>10} {'toast+maps':>10} {'indexes':>10} "
        f"{'total':>10} {'B/event':>8}"
    )
    for t in tables:
        print(
            f"  {t.name:<36} {t.rows:>11,} {mib(t.heap):>10} {mib(t.other):>10} "
            f"{mib(t.indexes):>10} {mib(t.total):>10} {t.total / events:>8,.0f}"
        )
    print(f"  {'all tables':<36} {'':>11} {'':>10} {'':>10} {'':>10} {mib(total):>10}")
    print(f"  bytes per event               {total / events:10,.0f}")
    print(f"  bytes per relationship-year   {total / relationships:10,.0f}")


def mib(size: int) -> str:
    return f"{size / 2**20:,.2f}M"


# --- Growing a PostgreSQL store ------------------------------------------------------


def connect(url: str) -> psycopg.Connection[Any]:
    parts = urlsplit(url)
    return psycopg.connect(
        host=parts.hostname, port=parts.port or 5432, user=parts.username or "postgres",
        password=parts.password or None, dbname=parts.path.lstrip("/"), autocommit=True,
    )  # fmt: skip


def schema_of(url: str) -> str:
    return url.rsplit("schema=", 1)[1]


def keep_unit(conn: psycopg.Connection[Any], schema: str) -> tuple[int, list[str]]:
    """The store's events and their links, as recorded, in ``scale_unit``; how many, and
    the aggregate ids (text) that some event names in its state."""
    s = sql.Identifier(schema)
    ids = [
        str(r[0])
        for r in conn.execute(
            sql.SQL("SELECT DISTINCT originator_id FROM {}.mentoring_events").format(s)
        ).fetchall()
    ]
    conn.execute(
        sql.SQL(
            "CREATE TABLE {0}.scale_unit AS SELECT row_number() OVER (ORDER BY e.notification_id) "
            "AS pos, e.originator_id, e.originator_version, e.topic, e.state, k.recorded_at, "
            "k.hash, k.encoding, convert_from(e.state, 'UTF8') ~ {1} AS refs "
            "FROM {0}.mentoring_events e JOIN {0}.mentoring_chain k USING (notification_id)"
        ).format(s, sql.Literal("|".join(ids)))
    )
    row = conn.execute(sql.SQL("SELECT count(*) FROM {}.scale_unit").format(s)).fetchone()
    assert row is not None
    return row[0], ids


def copy_statements(schema: str, ids: list[str]) -> tuple[sql.Composed, sql.Composed]:
    """Insert copies ``%(a)s`` to ``%(b)s`` of the unit: events, then chain links."""
    s = sql.Identifier(schema)
    text: sql.Composable = sql.SQL("convert_from(u.state, 'UTF8')")
    for old in ids:
        text = sql.SQL("replace({}, {}, md5(g::text || {})::uuid::text)").format(
            text, sql.Literal(old), sql.Literal(old)
        )
    new_id = sql.SQL("md5(g::text || u.originator_id::text)::uuid")
    offset = sql.SQL("(g - %(a)s::bigint) * %(unit)s::bigint + u.pos")
    source = sql.SQL(
        "FROM generate_series(%(a)s::bigint, %(b)s::bigint) g CROSS JOIN {}.scale_unit u"
    ).format(s)
    events = sql.SQL(
        "INSERT INTO {0}.mentoring_events (notification_id, originator_id, originator_version, "
        "topic, state) SELECT %(events)s::bigint + {1}, {2}, u.originator_version, u.topic, "
        "CASE WHEN u.refs THEN convert_to({3}, 'UTF8') ELSE u.state END {4} ORDER BY 1"
    ).format(s, offset, new_id, text, source)
    links = sql.SQL(
        "INSERT INTO {0}.mentoring_chain (sequence, notification_id, originator_id, "
        "originator_version, recorded_at, hash, encoding) SELECT %(links)s::bigint + {1}, "
        "%(events)s::bigint + {1}, {2}, u.originator_version, u.recorded_at, u.hash, u.encoding "
        "{3} ORDER BY 1"
    ).format(s, offset, new_id, source)
    return events, links


def grow(conn: psycopg.Connection[Any], schema: str, unit: tuple[int, list[str]], to: int) -> int:
    """Copy the unit until the store holds at least ``to`` events; the last copy's number."""
    size, ids = unit
    events_sql, links_sql = copy_statements(schema, ids)
    s = sql.Identifier(schema)
    started, last = time.perf_counter(), 0
    while True:
        row = conn.execute(
            sql.SQL(
                "SELECT (SELECT max(notification_id) FROM {0}.mentoring_events), "
                "(SELECT max(sequence) FROM {0}.mentoring_chain)"
            ).format(s)
        ).fetchone()
        assert row is not None
        have, links = row
        if have >= to:
            break
        copies = max(1, min(COPY_ROWS // size, -(-(to - have) // size)))
        first = have // size + 1  # a fresh number for each copy: never the same ids twice
        last = first + copies - 1
        params = {"a": first, "b": first + copies - 1, "unit": size, "events": have, "links": links}
        with conn.transaction():
            conn.execute(sql.SQL("LOCK TABLE {}.mentoring_events IN EXCLUSIVE MODE").format(s))
            conn.execute(events_sql, params)
            conn.execute(links_sql, params)
            conn.execute(
                "SELECT setval(pg_get_serial_sequence(%s, 'notification_id'), %s)",
                (f"{schema}.mentoring_events", have + copies * size),
            )
        print(
            f"    {have + copies * size:>12,} events  {time.perf_counter() - started:8.0f} s",
            flush=True,
        )
    conn.execute(sql.SQL("ANALYZE {}.mentoring_events").format(s))
    conn.execute(sql.SQL("ANALYZE {}.mentoring_chain").format(s))
    return last


# --- Timing --------------------------------------------------------------------------


@dataclass
class Store:
    """One PostgreSQL store being measured, with its programme."""

    service: MentoringService
    programme: Programme
    times: dict[str, list[float]] = field(default_factory=dict)

    def timed(self, name: str, work: Callable[[], object]) -> None:
        started = time.perf_counter()
        work()
        self.times.setdefault(name, []).append(time.perf_counter() - started)

    def median(self, name: str) -> float:
        return statistics.median(self.times[name])


def one_command(store: Store) -> Callable[[], object]:
    pair = store.programme.pairs[0]
    return lambda: store.service.record_meeting_held(
        pair.id, 60, MeetingFormat.VIDEO, ["caseload"], actor=pair.mentor
    )


def one_read(store: Store, pair_id: UUID) -> Callable[[], object]:
    """A cold read: with a version, eventsourcing's repository passes its cache by."""
    version = store.service.relationship(pair_id).version
    return lambda: store.service.relationship(pair_id, version=version)


def report_now(store: Store) -> Callable[[], object]:
    end = START + timedelta(weeks=60)
    return lambda: build_compliance_report(store.service, store.programme.id, now=end)


def report_by_fold(store: Store) -> Callable[[], object]:
    end = store.programme.clock.now
    return lambda: build_compliance_report(store.service, store.programme.id, as_of=end, now=end)


def alternate(
    small: Store,
    large: Store,
    work: dict[str, Callable[[Store], Callable[[], object]]],
    commands: int,
) -> None:
    """Each piece of ``work`` on both stores, in alternating blocks (``commands`` runs
    of a command per block, one of anything else)."""
    for _ in range(BLOCKS):
        for store in (small, large):
            for name, make in work.items():
                runs = commands if name == "record one command" else 1
                job = make(store)
                for _ in range(runs):
                    store.timed(name, job)


def print_ratios(small: Store, large: Store, sizes: tuple[int, int]) -> None:
    print(
        f"  {'median ms':<34} {f'{sizes[0]:,} events':>14} {f'{sizes[1]:,} events':>16} "
        f"{'ratio large / small':>20}"
    )
    for name in small.times:
        a, b = small.median(name) * 1000, large.median(name) * 1000
        print(f"  {name:<34} {a:>14.1f} {b:>16.1f} {b / a:>20.2f}")


def copy_id(copy: int, aggregate_id: UUID) -> UUID:
    """The id the copy numbered ``copy`` gives ``aggregate_id`` (as the SQL of the copy does)."""
    return UUID(hashlib.md5(f"{copy}{aggregate_id}".encode()).hexdigest())


def measure_sqlite(args: argparse.Namespace, folder: Path) -> None:
    path = folder / "scale.db"
    with ExitStack() as stack:
        service, clock = open_service(f"sqlite:///{path}", stack)
        started = time.perf_counter()
        programme = record_programme(service, clock, args.relationships, args.weeks)
        took = time.perf_counter() - started
        events = event_count(service)
    print(f"recorded {programme.commands:,} commands on SQLite in {took:.0f} s")
    print_tables("SQLite", sqlite_tables(path), events, args.relationships)


def measure_postgres(args: argparse.Namespace) -> None:
    with ExitStack() as stack:
        urls = [stack.enter_context(throwaway_schema(args.server, "scale")) for _ in range(2)]
        stores = []
        for url in urls:
            service, clock = open_service(url, stack)
            started = time.perf_counter()
            programme = record_programme(service, clock, args.relationships, args.weeks)
            stores.append(Store(service, programme))
            print(
                f"recorded {stores[-1].programme.commands:,} commands on PostgreSQL in "
                f"{time.perf_counter() - started:.0f} s"
            )
        small, large = stores
        conn = stack.enter_context(connect(args.server))
        grown = Grown(conn, schema_of(urls[1]), keep_unit(conn, schema_of(urls[1])), args)
        grown.print_tables("PostgreSQL", grown.unit[0])
        at = min(args.project_at or args.events, args.events)
        print(
            f"growing a PostgreSQL store to {at:,} events by copying {grown.unit[0]:,} at a time:"
        )
        last = grow(conn, grown.schema, grown.unit, at)
        grown.print_tables("PostgreSQL, grown", event_count(large.service))
        started = time.perf_counter()
        projected = ComplianceProjection(large.service).catch_up()
        took = time.perf_counter() - started
        print(
            f"the compliance projection caught up on {projected:,} events in {took:.0f} s: "
            f"{projected / took:,.0f} events/s"
        )
        grown.print_tables("PostgreSQL, grown, with its read model", event_count(large.service))
        times_at_size(small, large, args, last, read_model=True)
        if args.events > at:
            print(f"growing on to {args.events:,} events:")
            last = grow(conn, grown.schema, grown.unit, args.events)
            grown.print_tables("PostgreSQL, grown", event_count(large.service))
            times_at_size(small, large, args, last, read_model=False)


@dataclass
class Grown:
    """The PostgreSQL store being grown."""

    conn: psycopg.Connection[Any]
    schema: str
    unit: tuple[int, list[str]]
    args: argparse.Namespace

    def print_tables(self, title: str, events: int) -> None:
        """Its tables; relationships counted as the template's times the copies, so
        ``per relationship-year`` is per relationship-year of the template."""
        copies = events // self.unit[0]
        relationships = max(1, copies) * self.args.relationships
        print_tables(title, postgres_tables(self.conn, self.schema), events, relationships)


def times_at_size(
    small: Store, large: Store, args: argparse.Namespace, last_copy: int, *, read_model: bool
) -> None:
    size = event_count(large.service)
    work: dict[str, Callable[[Store], Callable[[], object]]] = {
        "record one command": one_command,
        "read a relationship (snapshot)": lambda s: one_read(s, s.programme.pairs[1].id),
        "programme report by a fold": report_by_fold,
    }
    if read_model:
        work["programme report, read model"] = report_now
    small.times.clear()
    large.times.clear()
    alternate(small, large, work, args.commands)
    print(f"times at {size:,} events, against the small store, {BLOCKS} alternating blocks:")
    print_ratios(small, large, (event_count(small.service), size))
    copy = copy_id(last_copy, large.programme.pairs[1].id)
    version = large.service.relationship(copy).version
    started = time.perf_counter()
    large.service.relationship(copy, version=version)
    took = (time.perf_counter() - started) * 1000
    print(f"  a copied relationship, the newest (no snapshot, {version} events): {took:.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--relationships", type=int, default=8)
    parser.add_argument("--weeks", type=int, default=52)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--project-at", type=int, default=1_000_000, help="0: at --events")
    parser.add_argument("--commands", type=int, default=10, help="commands per timed block")
    parser.add_argument("--server", default="postgresql://postgres@127.0.0.1:5432/test")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        measure_sqlite(args, Path(folder))
    if not server_answers(args.server):
        print(f"no PostgreSQL server answers at {args.server}: its part is skipped")
        return
    measure_postgres(args)


if __name__ == "__main__":
    main()
