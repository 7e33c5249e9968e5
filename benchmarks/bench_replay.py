"""Whole-store replay on a SQLite file: time, and Python memory peak, as the log grows.

The store holds relationships of ``--per-relationship`` events each (meetings held and
missed, feedback, reflections, plan activities, goals, pauses...). One relationship is
recorded through ``MentoringService`` (the pure ``decide`` functions) in memory; its
stored records are then copied, with fresh aggregate ids (and its keys), straight into the
SQLite recorder in large batches (each batch one transaction, each record chained), so
a million events are written in seconds rather than hours.

For each size (``--sizes``, default 100,000 and 1,000,000 events) it reports the time
of ``mentoring_core.audit.replay``, its rate against reading and decoding the same log
in the same process (the baseline, issue 15's target: at least 0.8 of it; the two run
in turn ``--rounds`` times, default 3, and the best time of each is kept, so that a
busy moment of the machine weighs on neither alone; the same turns by this process's CPU
time, which other processes stretch less, give each round's ratio, and their median is
printed below) and, in a
second run under ``tracemalloc``, its peak of Python memory. The peak should stay
roughly the same as the log grows: replay keeps one page of records, one relationship's
state and an int per aggregate. ``audit verify`` of the same store is timed in the same
turns (no target: the auditor's other whole-store read, every link's hash computed again),
and so is the replay with ``--workers`` processes (default 2: the machine's cores),
whose report must be the single process's: its rate against the same baseline is
reported beside the other (the processor's work is the same or more, spread over the
cores; ``bench_instructions.py`` counts the single process's), with the largest peak
resident set of any worker process in those runs (each worker's own ``VmHWM``, sampled
from ``/proc`` while they run: a whole Python with the library imported, which should
stay the same as the log grows; ``getrusage`` of the children would count a spawned
worker from the resident set this large process had when it forked it).

Run with ``python benchmarks/bench_replay.py`` (``--sizes 100000 1000000``,
``--per-relationship 1000``, ``--rounds 3``, ``--workers 2``, ``--folder DIR`` to keep the
stores).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import threading
import time
import tracemalloc
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import UUID

from bench_reports import high_water_kib
from eventsourcing.persistence import StoredEvent

from mentoring_core import MentoringService
from mentoring_core.audit import ReplayReport, replay, verify
from mentoring_core.privacy.keys import PersonKey
from mentoring_core.values import FeedbackKind, FocusArea, MeetingFormat, Rating, Role

START = datetime(2020, 1, 6, 9, 0, tzinfo=UTC)
BATCH = 10_000


class Clock:
    """A clock one hour on each time it is read: every command is recorded later."""

    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        self.now += timedelta(hours=1)
        return self.now


def template(events: int) -> tuple[list[StoredEvent], list[PersonKey]]:
    """One relationship's stored records, ``events`` of them, recorded through the service,
    and the keys its personal fields are sealed under (a copy without them would be
    refused as a lost key store)."""
    clock = Clock()
    with MentoringService("memory://", clock=clock, snapshot_interval=None) as service:
        programme = service.create_programme("Bench", "Bench Org", actor="coord").id
        service.enrol(programme, "ana", Role.MENTOR, 12, actor="coord")
        service.enrol(programme, "ben", Role.MENTEE, 1, actor="coord")
        pair = service.form_pair(programme, "ana", "ben", actor="coord").id
        goal = service.set_goal(
            pair, "Lead a huddle", FocusArea.COMMUNICATION, "Leads four", START.date(), actor="ana"
        ).id
        version = service.relationship(pair).version
        step = 0
        while version < events:
            step += 1
            if step % 50 == 0:
                recorded = service.pause(pair, "leave", actor="ana")
                if recorded.version < events:
                    recorded = service.resume(pair, actor="ana")
            elif step % 10 == 0:
                recorded = service.record_meeting_missed(pair, "ben", "sick", actor="ana")
            elif step % 7 == 0:
                recorded = service.record_reflection(
                    pair, [Rating(focus_area=FocusArea.COMMUNICATION, score=3)], "ok", actor="ben"
                )
            elif step % 5 == 0:
                recorded = service.add_plan_activity(
                    pair, "Shadow a visit", START.date(), goal_id=goal, actor="ana"
                )
            elif step % 2 == 0:
                recorded = service.give_feedback(
                    pair, "ana", "ben", FeedbackKind.RECOGNITION, "Calm and clear", actor="ana"
                )
            else:
                recorded = service.record_meeting_held(
                    pair, 60, MeetingFormat.ONE_ON_ONE, ["caseload"], actor="ana"
                )
            version = recorded.version
        stored = service.store.recorder.select_events(pair)
        keys = service.store.keys.store.rows()
    return stored, keys


def copies(templates: list[StoredEvent], events: int) -> Iterator[StoredEvent]:
    """``events`` records: copies of ``templates`` under fresh relationship ids. The event
    ids stay: a sealed field's associated data binds its event's id, so the copies open
    with the template's keys, and neither replay nor reading needs them unique."""
    written = 0
    n = 0
    while True:
        n += 1
        aggregate_id = UUID(int=n << 64)
        for record in templates:
            if written == events:
                return
            yield StoredEvent(
                originator_id=aggregate_id,
                originator_version=record.originator_version,
                topic=record.topic,
                state=record.state,
            )
            written += 1


def fill(url: str, templates: list[StoredEvent], keys: list[PersonKey], events: int) -> float:
    started = time.perf_counter()
    with MentoringService(url) as service:
        for row in keys:
            service.store.keys.store.restore(row)
        recorder = service.store.recorder
        batch: list[StoredEvent] = []
        for record in copies(templates, events):
            batch.append(record)
            if len(batch) == BATCH:
                recorder.insert_events(batch)
                batch = []
        if batch:
            recorder.insert_events(batch)
    return time.perf_counter() - started


def run_replay(url: str, traced: bool, workers: int = 1) -> tuple[float, int, ReplayReport]:
    with MentoringService(url, snapshot_interval=None) as service:
        if traced:
            tracemalloc.start()
        started = time.perf_counter()
        report = replay(service, workers=workers)
        elapsed = time.perf_counter() - started
        peak = 0
        if traced:
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
    assert report.ok, report
    return elapsed, peak, report


class WorkersPeak:
    """The largest peak resident set (``VmHWM``, KiB) of this process's children while the
    block runs, read from ``/proc`` every 20 ms: each spawned worker's own, counted from
    its new program on (0 where there is no ``/proc``)."""

    def __init__(self) -> None:
        self.kib = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def __enter__(self) -> WorkersPeak:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        self._thread.join()

    def _sample(self) -> None:
        while not self._stop.wait(0.02):
            for children in Path("/proc/self/task").glob("*/children"):
                for pid in children.read_text().split():
                    self.kib = max(self.kib, high_water_kib(pid) or 0)  # 0: gone


def run_verify(url: str) -> float:
    """``audit verify`` of the whole chain; its time."""
    with MentoringService(url, snapshot_interval=None) as service:
        started = time.perf_counter()
        verification = verify(service.store.recorder)
        elapsed = time.perf_counter() - started
    assert verification.ok, verification
    return elapsed


def read_and_decode(url: str) -> float:
    """The baseline: every record of the log read, a page at a time, and decoded; events/s."""
    with MentoringService(url, snapshot_interval=None) as service:
        store = service.store
        started, count = time.perf_counter(), 0
        for record in store.records():
            store.decode(record)
            count += 1
        return count / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--per-relationship", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--folder", type=Path, default=None)
    args = parser.parse_args()
    templates, keys = template(args.per_relationship)
    with tempfile.TemporaryDirectory() as temporary:
        folder = args.folder or Path(temporary)
        folder.mkdir(parents=True, exist_ok=True)
        print(
            f"replaying SQLite stores of relationships of {len(templates)} events "
            f"({len({r.topic for r in templates})} event types):"
        )
        print(
            f"  {'events':>10} {'aggregates':>10} {'fill s':>8} {'replay s':>9} "
            f"{'events/s':>9} {'read+decode/s':>13} {'ratio':>6} {'peak MiB (tracemalloc)':>23} "
            f"{'verify s':>9} {'verify/s':>9} {'workers s':>9} {'ratio':>6} "
            f"{'worker RSS MiB':>14}"
        )
        for size in args.sizes:
            path = folder / f"replay-{size}.db"
            path.unlink(missing_ok=True)
            url = f"sqlite:///{path}"
            filled = fill(url, templates, keys, size)
            baseline, elapsed, verified = 0.0, float("inf"), float("inf")
            spread = float("inf")
            workers_peak = 0
            by_cpu = []  # each round's replay / read and decode, by this process's CPU time
            for _ in range(args.rounds):
                started = time.process_time()
                baseline = max(baseline, read_and_decode(url))
                reading = time.process_time() - started
                started = time.process_time()
                took, _, report = run_replay(url, traced=False)
                by_cpu.append(reading / (time.process_time() - started))
                elapsed = min(elapsed, took)
                verified = min(verified, run_verify(url))
                with WorkersPeak() as sampled:
                    took, _, by_workers = run_replay(url, traced=False, workers=args.workers)
                workers_peak = max(workers_peak, sampled.kib)
                assert by_workers == report, "the workers' report is not the single process's"
                spread = min(spread, took)
            _, peak, _ = run_replay(url, traced=True)
            assert report.events == size
            aggregates = sum(report.aggregates.values())
            print(
                f"  {size:>10,} {aggregates:>10,} {filled:>8.1f} {elapsed:>9.1f} "
                f"{size / elapsed:>9,.0f} {baseline:>13,.0f} {size / elapsed / baseline:>6.2f} "
                f"{peak / 2**20:>23.2f} {verified:>9.1f} {size / verified:>9,.0f} "
                f"{spread:>9.1f} {size / spread / baseline:>6.2f} "
                f"{workers_peak / 1024:>14.0f}"
            )
            rounds = ", ".join(f"{ratio:.2f}" for ratio in by_cpu)
            print(
                f"  {'':>10} by CPU time in the same turns: ratio {statistics.median(by_cpu):.2f}"
                f" (the median of the rounds' {rounds}; target 0.80)"
            )
        print("  ratio: replay / read and decode (target 0.80)")
        print(f"  workers: the replay with {args.workers} worker processes, its ratio to the same")
        print("  verify: audit verify of the same store, every link checked (no target)")


if __name__ == "__main__":
    main()
