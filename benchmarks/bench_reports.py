"""Benchmark of the compliance read model, against baselines run in the same process.

1. A SQLite store is generated in a child process: ``--relationships`` pairs (default
   2,000) over ``--weeks`` weeks (default 104) with about five events per pair per week
   (a meeting, feedback, a self-assessment, a plan activity added and one completed; goals,
   reviews, schedule changes, pauses and endings now and then): about 1,040,000 events.
   The events are decided by the pure domain functions and stored 5,000 at a time
   through the application's event store, not one command per transaction.
2. Baseline: reading the raw notification log (``select_notifications``, rows/s), then
   reading and decoding it into events; with ``--stages`` also where a decode's time goes
   per event (the raw read, the JSON, opening sealed fields, structuring).
3. The projection from nothing: events/s, and peak memory (growth of the process's peak
   resident set; with ``--tracemalloc`` also Python's own peak, at a cost in speed). The
   log is read and decoded again after it, and the ratios are taken against the faster
   of the two readings: on a machine shared with others, one reading alone can be slow
   or fast by a third.
4. A first live report: the projection from nothing, then the report from the facts it
   holds. The programme report from the read model by a new projection (catch up, read
   the rows, compute), as a second process would make it, and rendering it; against the
   same report by a straight fold of the programme's histories (``--as-of`` path;
   ``--no-fold`` skips it).
5. The projection against reading and decoding in turns (``--rounds``, default 3): each
   round reads and decodes the log, then projects a fresh copy of it from nothing, each
   by the process's CPU time; the median of the rounds' ratios.
6. The projection's memory as the log grows (target 3: flat): the same relationships
   over a quarter, a half and all of ``--weeks`` (stores generated in child processes,
   the whole one a copy of the store above made before it was projected), each projected
   from nothing alone in a new process, whose peak resident set's growth is printed
   with the events it folded; ``--no-memory`` skips it.

Run with ``nox -s bench`` or ``python benchmarks/bench_reports.py --relationships 200``.
"""

from __future__ import annotations

import argparse
import itertools
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, cast
from uuid import UUID

from mentoring_core import MentoringService
from mentoring_core.domain import (
    DecisionContext,
    decide_pairing,
    decide_programme,
    decide_relationship,
    evolve_programme,
    evolve_relationship,
)
from mentoring_core.domain import commands as c
from mentoring_core.projections import (
    DEFAULT_BATCH_SIZE,
    ComplianceProjection,
    build_compliance_report,
)
from mentoring_core.reports import preset, render
from mentoring_core.state import ProgrammeState, RelationshipState
from mentoring_core.store import EventSourcedStore
from mentoring_core.values import (
    Cadence,
    EndReason,
    FeedbackKind,
    FocusArea,
    MeetingFormat,
    MeetingSchedule,
    Participation,
    Rating,
    Role,
)

START = datetime(2024, 1, 1, 8, 0, tzinfo=UTC)
PROGRAMME = UUID(int=1)
MENTEES_PER_MENTOR = 4
FLUSH = 5000


# --- Generating the store (child process) --------------------------------------------


class Generator:
    """Decides every event with the domain's pure functions and stores them in batches."""

    def __init__(self, service: MentoringService, seed: int) -> None:
        self.events = cast(EventSourcedStore, service.store).events
        self.random = random.Random(seed)
        self.ids = itertools.count(10)
        self.buffer: list[Any] = []
        self.stored = 0
        self.programme = ProgrammeState()

    def context(self, at: datetime) -> DecisionContext:
        return DecisionContext(
            actor="bench", now=at + timedelta(hours=1), new_id=lambda: UUID(int=next(self.ids))
        )

    def keep(self, events: tuple[Any, ...]) -> None:
        self.buffer.extend(events)
        if len(self.buffer) >= FLUSH:
            self.flush()

    def flush(self) -> None:
        if self.buffer:
            self.events.put(self.buffer)
            self.stored += len(self.buffer)
            self.buffer = []

    def programme_command(self, command: Any, at: datetime) -> None:
        events = decide_programme(command, self.programme, self.context(at))
        for event in events:
            self.programme = evolve_programme(self.programme, event)
        self.keep(events)

    def relationship_command(
        self, state: RelationshipState, command: Any, at: datetime
    ) -> RelationshipState:
        events = decide_relationship(command, state, self.context(at))
        for event in events:
            state = evolve_relationship(state, event)
        self.keep(events)
        return state


def generate(path: Path, relationships: int, weeks: int, seed: int) -> None:
    with MentoringService(f"sqlite:///{path}", snapshot_interval=None) as service:
        gen = Generator(service, seed)
        policy = preset("asye-newly-qualified-social-worker").policy(
            participation=Participation.COMPULSORY, minimum_experience_gap_years=Decimal(2)
        )
        gen.programme_command(
            c.CreateProgramme(
                programme_id=PROGRAMME, name="Bench", organisation="Bench Org", occurred_at=START
            ),
            START,
        )
        gen.programme_command(c.SetPolicy(policy=policy, occurred_at=START), START)
        mentors = max(1, relationships // MENTEES_PER_MENTOR)
        for m in range(mentors):
            enrol = c.EnrolParticipant(
                person_id=f"mentor-{m}", role=Role.MENTOR, experience_years=10, occurred_at=START
            )
            gen.programme_command(enrol, START)
        states: list[RelationshipState] = []
        for r in range(relationships):
            at = START + timedelta(seconds=r)  # every pair formed within its first hour
            gen.programme_command(
                c.EnrolParticipant(
                    person_id=f"mentee-{r}", role=Role.MENTEE, experience_years=1, occurred_at=at
                ),
                at,
            )
            opening = c.OpenRelationship(
                relationship_id=UUID(int=1_000_000 + r),
                mentor_id=f"mentor-{r % mentors}",
                mentee_id=f"mentee-{r}",
                direct=True,
                occurred_at=at,
            )
            events = decide_pairing(opening, gen.programme, RelationshipState(), gen.context(at))
            gen.programme = evolve_programme(gen.programme, events[1])  # type: ignore[arg-type]
            states.append(evolve_relationship(RelationshipState(), events[0]))  # type: ignore[arg-type]
            gen.keep(events)
        for week in range(weeks):
            for r, state in enumerate(states):
                states[r] = week_of(gen, state, r, week)
        gen.flush()
        print(f"  generated {gen.stored:,} events", flush=True)


def week_of(gen: Generator, state: RelationshipState, r: int, week: int) -> RelationshipState:
    """About five events of one pair in one week."""
    if state.ended is not None:
        return state
    rng = gen.random
    base = START + timedelta(weeks=week, hours=1 + r % 40)
    t = itertools.count()

    def at() -> datetime:
        return base + timedelta(minutes=next(t))

    weekly = MeetingSchedule(
        cadence=Cadence.weekly(), duration_minutes=90, format=MeetingFormat.ONE_ON_ONE
    )
    if week == 0:
        state = gen.relationship_command(
            state, c.AgreeSchedule(schedule=weekly, occurred_at=base), base
        )
    if week == 26:
        fortnightly = MeetingSchedule(
            cadence=Cadence.fortnightly(), duration_minutes=90, format=MeetingFormat.VIDEO
        )
        when = at()
        state = gen.relationship_command(
            state, c.ChangeSchedule(schedule=fortnightly, reason="Settled", occurred_at=when), when
        )
    if r % 10 == 3 and week == 30:
        when = at()
        state = gen.relationship_command(
            state, c.PauseRelationship(reason="Leave", occurred_at=when), when
        )
    if r % 10 == 3 and week == 33:
        when = at()
        state = gen.relationship_command(state, c.ResumeRelationship(occurred_at=when), when)
    if state.paused_at is None:
        roll, when = rng.random(), at()
        meeting_id = UUID(int=next(gen.ids))
        meeting: Any
        if roll < 0.85:
            meeting = c.RecordMeetingHeld(
                meeting_id=meeting_id,
                duration_minutes=rng.choice((45, 60, 90, 90, 90)),
                format=MeetingFormat.ONE_ON_ONE,
                topics=("caseload",),
                attendees=(),
                occurred_at=when,
            )
        elif roll < 0.93:
            meeting = c.RecordMeetingMissed(
                meeting_id=meeting_id, missed_by=state.mentee_id, reason="Ill", occurred_at=when
            )
        else:
            meeting = c.RecordMeetingCancelled(
                meeting_id=meeting_id, cancelled_by=state.mentor_id, reason="Busy", occurred_at=when
            )
        state = gen.relationship_command(state, meeting, when)
    when = at()
    feedback = c.GiveFeedback(
        feedback_id=UUID(int=next(gen.ids)),
        from_person=state.mentor_id,
        to_person=state.mentee_id,
        kind=FeedbackKind.CONSTRUCTIVE,
        text="Keep notes shorter",
        about_goal_id=None,
        about_meeting_id=None,
        occurred_at=when,
    )
    state = gen.relationship_command(state, feedback, when)
    when = at()
    reflection = c.RecordReflection(
        reflection_id=UUID(int=next(gen.ids)),
        ratings=(Rating(focus_area=FocusArea.WELLBEING, score=rng.randint(1, 5)),),
        text="A steady week",
        occurred_at=when,
    )
    state = gen.relationship_command(state, reflection, when)
    open_activities = [a for a in state.plan[-1:] if a.completed_at is None]
    if open_activities:
        when = at()
        done = c.CompletePlanActivity(
            activity_id=open_activities[0].activity_id, notes="Done", occurred_at=when
        )
        state = gen.relationship_command(state, done, when)
    when = at()
    added = c.AddPlanActivity(
        activity_id=UUID(int=next(gen.ids)),
        description="Shadow a home visit",
        due_date=(when + timedelta(days=14)).date(),
        goal_id=None,
        occurred_at=when,
    )
    state = gen.relationship_command(state, added, when)
    if week % 8 == 1:
        when = at()
        goal = c.SetGoal(
            goal_id=UUID(int=next(gen.ids)),
            title="Run a review meeting",
            focus_area=FocusArea.COMMUNICATION,
            success_measure="Two meetings led",
            target_date=date.fromordinal(when.toordinal() + 60),
            occurred_at=when,
        )
        state = gen.relationship_command(state, goal, when)
    if week % 8 == 7 and state.open_goals:
        when = at()
        achieved = c.AchieveGoal(
            goal_id=state.open_goals[0].goal_id, evidence="Led two", occurred_at=when
        )
        state = gen.relationship_command(state, achieved, when)
    if week % 13 == 12:
        when = at()
        review = c.EvaluateProgress(
            evaluation_id=UUID(int=next(gen.ids)),
            goal_progress=(),
            evidence="On track",
            stakeholder_feedback=(),
            occurred_at=when,
        )
        state = gen.relationship_command(state, review, when)
    if r % 20 == 7 and week == 80:
        when = at()
        end = c.EndRelationship(
            reason=EndReason.WITHDRAWN_BY_MENTEE, explanation="Moved on", occurred_at=when
        )
        state = gen.relationship_command(state, end, when)
    return state


# --- Measuring (this process) --------------------------------------------------------


def high_water_kib(pid: str = "self") -> int | None:
    """A process's peak resident set so far, in KiB: Linux's ``VmHWM``, that of its
    program alone; None where it cannot be read (no ``/proc``, or the process is gone)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return None


def peak_rss_mb() -> float:
    """This process's peak resident set so far, in MB: its ``VmHWM``, where ``ru_maxrss``
    starts a child at the resident set its parent had when it started it (kept across the
    fork and the exec); ``ru_maxrss`` where there is no ``/proc`` (kilobytes on Linux, as
    ``VmHWM``)."""
    kib = high_water_kib()
    return (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss if kib is None else kib) / 1024


def read_log(service: MentoringService, decode: bool, personal: bool = True) -> tuple[int, float]:
    store = service.store
    recorder = store.recorder
    started, count, position = time.perf_counter(), 0, None
    while page := recorder.select_notifications(
        start=position, limit=1000, inclusive_of_start=False
    ):
        if decode:
            for notification in page:
                store.decode(notification, personal=personal)
        count += len(page)
        position = page[-1].id
    return count, time.perf_counter() - started


def decode_stages(service: MentoringService) -> None:
    """Each stage of the converter's reading over every record, page by page, then the
    mapper's whole decode of the same page (the quick reader first, the converter for what
    it leaves): microseconds of this process's CPU per event (not of the wall clock,
    which other processes on a shared machine stretch)."""
    store = cast(EventSourcedStore, service.store)
    mapper, recorder = store.mapper, store.recorder
    stages = ("raw read", "converter: JSON", "converter: opening", "converter: structuring")
    spent = dict.fromkeys((*stages, "whole"), 0.0)
    count, position = 0, None
    while True:
        times = [time.process_time()]
        page = recorder.select_notifications(start=position, limit=1000, inclusive_of_start=False)
        times.append(time.process_time())
        if not page:
            break
        states = [mapper.stored_state(record) for record in page]
        times.append(time.process_time())
        opened = [mapper.opened_state(r, state) for r, state in zip(page, states, strict=True)]
        times.append(time.process_time())
        for record, (cls, state) in zip(page, opened, strict=True):
            mapper.structured_event(record, cls, state)
        times.append(time.process_time())
        for record in page:
            store.decode(record)
        times.append(time.process_time())
        for stage, (start, stop) in zip(spent, itertools.pairwise(times), strict=True):
            spent[stage] += stop - start
        count += len(page)
        position = page[-1].id
    print(f"where a decode's time goes ({count:,} events, CPU microseconds per event):")
    for stage, seconds in spent.items():
        label = "whole decode (quick first)" if stage == "whole" else stage
        print(f"  {label:<28}{seconds / count * 1e6:10.1f}")
    converter = sum(spent[stage] for stage in stages[1:])
    print(f"  {'the converter alone':<28}{converter / count * 1e6:10.1f}")


def measure(path: Path, args: argparse.Namespace, end: datetime) -> None:
    url = f"sqlite:///{path}"
    with MentoringService(url, snapshot_interval=None) as service:
        rows, raw = read_log(service, decode=False)
        _, decoded = read_log(service, decode=True)
        _, closed = read_log(service, decode=True, personal=False)
        print(f"reading the notification log ({rows:,} events) from SQLite:")
        print(f"  raw select_notifications    {rows / raw:10,.0f} events/s")
        print(f"  read and decode             {rows / decoded:10,.0f} events/s   (target 100,000)")
        print(f"  ratio decode / raw          {raw / decoded:10.2f}")
        print(
            f"  read, sealed fields closed  {rows / closed:10,.0f} events/s   (as the projection)"
        )
        if args.stages:
            decode_stages(service)

        before = peak_rss_mb()
        if args.tracemalloc:
            tracemalloc.start()
        projection = ComplianceProjection(service, batch_size=args.batch)
        started = time.perf_counter()
        projected = projection.catch_up()
        elapsed = time.perf_counter() - started
        traced = tracemalloc.get_traced_memory()[1] / 2**20 if args.tracemalloc else None
        tracemalloc.stop()
        grown = peak_rss_mb() - before
        started = time.perf_counter()
        first = build_compliance_report(service, PROGRAMME, now=end, projection=projection)
        first_report = time.perf_counter() - started
        _, decoded_after = read_log(service, decode=True)
        _, closed_after = read_log(service, decode=True, personal=False)
        print("reading the log again, after the projection:")
        print(f"  read and decode             {rows / decoded_after:10,.0f} events/s")
        print(f"  read, sealed fields closed  {rows / closed_after:10,.0f} events/s")
        decoded, closed = min(decoded, decoded_after), min(closed, closed_after)
        print(f"projecting from nothing ({projected:,} events, {args.batch:,} per stretch):")
        print(f"  compliance projection       {projected / elapsed:10,.0f} events/s")
        print(
            f"  ratio to read and decode    {(projected / elapsed) / (rows / decoded):10.2f}"
            "   (target 0.80; the faster reading)"
        )
        print(f"  ratio to the closed reading {(projected / elapsed) / (rows / closed):10.2f}")
        print(f"  total                       {elapsed:10.1f} s   (1,000,000 events: target 30 s)")
        print(f"  peak RSS growth             {grown:10.0f} MB")
        if traced is not None:
            print(f"  tracemalloc peak            {traced:10.0f} MB")
        print("a first live report (the projection, then the report from the facts it holds):")
        print(f"  the report                  {first_report:10.2f} s")
        print(f"  total                       {elapsed + first_report:10.1f} s   (target 30 s)")

        started = time.perf_counter()
        report = build_compliance_report(service, PROGRAMME, now=end)
        from_model = time.perf_counter() - started
        assert report == first, "a new projection's report and the first one disagree"
        print(f"the programme report ({len(report.relationships):,} relationships):")
        print(f"  from the read model         {from_model:10.2f} s   (a new projection)")
        for fmt in ("json", "csv", "html"):
            started = time.perf_counter()
            text = render(report, fmt)
            print(
                f"  rendering {fmt:<4}              {time.perf_counter() - started:10.2f} s"
                f"  ({len(text) / 2**20:.1f} MB)"
            )
        if not args.no_fold:
            started = time.perf_counter()
            folded = build_compliance_report(service, PROGRAMME, as_of=end, now=end)
            fold_time = time.perf_counter() - started
            assert folded == report, "the read model and the fold disagree"
            print(f"  by a straight fold (as-of)  {fold_time:10.2f} s")
            print(f"  ratio fold / read model     {fold_time / from_model:10.1f}")


def projection_in_turns(folder: Path, whole: Path, rounds: int) -> None:
    """Target 3's ratio for the projection, in turns: each round reads and decodes the
    log, then projects a copy of it from nothing (``whole``, made before the store was
    projected, copied again for each round outside the time), each by this process's CPU
    time (which other processes of a shared machine stretch less than the wall clock); the
    median of the rounds' ratios. The runs above compare one projection with the faster
    of two readings around it, which a machine whose speed moves within minutes (it
    does, by up to a third here) tips either way."""
    print(f"the projection against read and decode, in turns ({rounds} rounds, CPU time):")
    ratios = []
    for _ in range(rounds):
        copy = folder / "in-turns.db"
        shutil.copyfile(whole, copy)
        with MentoringService(f"sqlite:///{copy}", snapshot_interval=None) as service:
            started = time.process_time()
            rows, _ = read_log(service, decode=True)
            reading = time.process_time() - started
            started = time.process_time()
            projected = ComplianceProjection(service).catch_up()
            projecting = time.process_time() - started
        for suffix in ("", "-wal", "-shm"):
            Path(f"{copy}{suffix}").unlink(missing_ok=True)
        ratios.append((projected / projecting) / (rows / reading))
        print(
            f"  read and decode {rows / reading:10,.0f} events/s"
            f"   projection {projected / projecting:10,.0f} events/s   ratio {ratios[-1]:.2f}"
        )
    print(
        f"  ratio projection / read and decode  {statistics.median(ratios):6.2f}"
        "   (the median of the rounds'; target 0.80)"
    )


def project_alone(path: Path) -> None:
    """Project ``path`` from nothing in this process (a child's, so that nothing else ran
    in it): print the events folded and the growth of the peak resident set (MB)."""
    with MentoringService(f"sqlite:///{path}", snapshot_interval=None) as service:
        before = peak_rss_mb()
        events = ComplianceProjection(service).catch_up()
        print(events, peak_rss_mb() - before)


def memory_as_the_log_grows(folder: Path, whole: Path, args: argparse.Namespace) -> None:
    """Target 3's flat memory, for the projection: its peak growth on stores of the same
    relationships over a quarter, a half and all of ``args.weeks`` (``whole``, a copy of
    the store made before it was projected)."""
    sizes = sorted({max(1, args.weeks // 4), max(1, args.weeks // 2)} - {args.weeks})
    print("the projection's memory as the log grows (each from nothing, alone in a process):")
    print("     weeks      events  peak growth MB   bytes an event")
    grown = []
    for weeks in [*sizes, args.weeks]:
        path = whole if weeks == args.weeks else folder / f"memory-{weeks}.db"
        if weeks != args.weeks:
            generate_in_child(path, args.relationships, weeks, args.seed)
        done = subprocess.run(
            [sys.executable, __file__, "--project-alone", str(path)],
            check=True, capture_output=True, text=True,
        )  # fmt: skip
        events, megabytes = done.stdout.split()[-2:]
        grown.append((weeks, int(events), float(megabytes)))
        print(
            f"  {weeks:>8} {int(events):>11,} {float(megabytes):>15.0f}"
            f" {float(megabytes) * 2**20 / max(1, int(events)):>16,.0f}"
        )
    (_, first_events, first_mb), (_, last_events, last_mb) = grown[0], grown[-1]
    print(
        f"  ratio of the peak growth, last / first  {last_mb / max(first_mb, 1):6.1f}"
        f"   for {last_events / max(first_events, 1):.1f} times the events   (target: flat, 1.0)"
    )


def generate_in_child(path: Path, relationships: int, weeks: int, seed: int) -> None:
    """Generate the store at ``path`` in a child process (its memory is not this one's)."""
    subprocess.run(
        [sys.executable, __file__, "--generate", str(path),
         "--relationships", str(relationships), "--weeks", str(weeks), "--seed", str(seed)],
        check=True,
    )  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--relationships", type=int, default=2000)
    parser.add_argument("--weeks", type=int, default=104)
    parser.add_argument(
        "--batch", type=int, default=DEFAULT_BATCH_SIZE, help="records of the log per stretch"
    )
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--tracemalloc", action="store_true")
    parser.add_argument(
        "--stages", action="store_true", help="print where a decode's time goes, per event"
    )
    parser.add_argument("--no-fold", action="store_true", help="skip the straight-fold baseline")
    parser.add_argument(
        "--no-memory", action="store_true", help="skip the projection's memory by size"
    )
    parser.add_argument(
        "--rounds", type=int, default=3, help="rounds of the projection against the reading"
    )
    parser.add_argument("--generate", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--project-alone", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.generate is not None:
        generate(args.generate, args.relationships, args.weeks, args.seed)
        return
    if args.project_alone is not None:
        project_alone(args.project_alone)
        return
    end = START + timedelta(weeks=args.weeks, days=1)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "reports.db"
        print(f"generating {args.relationships:,} relationships over {args.weeks} weeks...")
        started = time.perf_counter()
        generate_in_child(path, args.relationships, args.weeks, args.seed)
        print(f"  in {time.perf_counter() - started:.0f} s (a child process)")
        whole = Path(folder) / f"memory-{args.weeks}.db"
        shutil.copyfile(path, whole)  # before its read model is built
        measure(path, args, end)
        projection_in_turns(Path(folder), whole, args.rounds)
        if not args.no_memory:
            memory_as_the_log_grows(Path(folder), whole, args)


if __name__ == "__main__":
    main()
