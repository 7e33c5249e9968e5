"""Replaying a whole store: every event read back, every aggregate rebuilt, all counted.

Two passes, so that memory does not grow with the number of events, and each event
decoded once:

1. The aggregates. Where the store counts each one's records itself
   (:meth:`~mentoring_core.extend.ChainedRecorder.select_spans`: SQLite and PostgreSQL,
   in one statement) and every history's count of records, lowest and highest version
   say it holds each version from 1 to its last once, that count is the first pass: the
   records, each aggregate's kind (its first record's topic) and last version. Otherwise
   (a store that counts none, such as the memory store, or finds an id or version stored in a
   form the library never writes, or a version missing or below 1), the global
   log, in recording order, a page at a time, without the records' states
   (:meth:`~mentoring_core.extend.ChainedRecorder.select_heads`): every record is
   counted and checked to follow its aggregate's previous version, and each aggregate's
   kind is told from its first record's topic. Only each aggregate's last version (an
   int) is kept.
2. Each aggregate in turn: its records are read a page at a time (with their positions
   in the log, :meth:`~mentoring_core.extend.ChainedRecorder.select_placed`, where the
   store counted them: each topic's first position is noted, and whether the records
   follow their versions in the log), decoded by the store
   (:meth:`~mentoring_core.store.Store.decode`; a failure is counted and the walk goes
   on), counted by type, and folded with the pure folds of the domain, a page at a time
   (``Decider.fold``), from nothing (no snapshot, no cache); the state is checked to
   reach the aggregate's last version, then dropped. Where a counted store's records of
   an aggregate do not follow their versions in the log (stored around the library), the
   log is then read as in the first pass, which names each such gap.

An event that cannot be decoded is kept (its aggregate, version and why) until its
position in the log is looked up, after the second pass, by reading again, without
decoding, the records of the topics that failed: the failures are listed in log
order, as the first pass meets them. Should the second pass not reach every record
the first counted (a record stored around the library, under an aggregate id in a
form the recorder does not look up), the log is decoded again, in order, to count
every record by type.

Memory is thus one page of records, one aggregate's state, an int per aggregate, an
int per topic and an entry per undecodable event, whatever the length of the log
(``benchmarks/bench_replay.py`` measures it).

With ``workers`` above 1, the second pass runs in that many processes: each opens the
store again (:attr:`~mentoring_core.store.Store.opening`) and rebuilds runs of
aggregates, handed out in order; what they find is put together in that order, so the
report is the one a single process gives. For a store held in this process's memory
(:attr:`~mentoring_core.store.StoreOpening.in_memory`), which another process would open
empty, none is started: it is rebuilt here, as is a store the workers, once started,
find shorter than this one (an adapter's held in memory). With ``workers="auto"``, the
number is chosen from the log's length and the cores this process may use
(:func:`auto_workers`).
"""

from __future__ import annotations

import math
import os
from collections import Counter
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from functools import partial
from operator import attrgetter
from typing import TYPE_CHECKING, Any, Literal, cast
from uuid import UUID

import attrs

from .._collector import collector_spared
from ..domain.errors import InvalidValue, MentoringError, StoredEventError
from ..domain.events import Event
from ..domain.kinds import kind_of, kind_of_topic
from ..domain.validation import check_int, check_page_size
from .recorders import record_aggregate_id, record_uuid
from .timeline import State, apply, fold_at_once

if TYPE_CHECKING:  # the service imports this package: no import at run time
    from concurrent.futures import Future, ProcessPoolExecutor

    from eventsourcing.persistence import Notification, StoredEvent

    from ..application import MentoringService
    from ..store import Store, StoreOpening

PAGE_SIZE = 1000
MAX_REPORTED = 100
"""At most this many decode failures, version gaps and rebuild failures are described;
all are counted."""
READING = "reading"
REBUILDING = "rebuilding"
MAX_REPLAY_WORKERS = 64
"""The most worker processes a replay starts (each holds its own Python and store
connection; more than the machine's cores only share them)."""
AUTO_EVENTS_PER_WORKER = 50_000
"""With ``workers="auto"``, a worker for each this many events in the log: a worker's
start (a Python importing the library and opening the store, about 0.3 s of a core)
is repaid from about 45,000 events on two cores (``benchmarks/bench_replay.py``)."""
MAX_AUTO_WORKERS = 8
"""The most worker processes ``workers="auto"`` starts (each holds about 55 MiB)."""
CHUNKS_PER_WORKER = 8
"""With workers, the aggregates are handed out in about this many runs of equal events a
worker: workers finish together however unequal the histories, and progress moves."""


@attrs.frozen(kw_only=True)
class ReplayProgress:
    """How far a replay has got: ``phase`` is ``"reading"`` then ``"rebuilding"``."""

    phase: str
    done: int
    """Events read (first phase) or aggregates rebuilt (second phase) so far."""
    total: int
    """Roughly how many there are: the last notification id (ids may have gaps; the
    events counted, where the store counts them itself), then the number of
    aggregates."""


@attrs.frozen(kw_only=True)
class DecodeFailure:
    """A stored event that cannot be read as an event of this library."""

    notification_id: int
    aggregate_id: UUID
    version: int
    topic: str
    reason: str


@attrs.frozen(kw_only=True)
class VersionGap:
    """An event that does not follow its aggregate's previous version in the log."""

    notification_id: int
    aggregate_id: UUID
    expected: int
    found: object
    """The version as stored: an int, unless the record was stored around the library
    (a NULL, a text or a real in SQLite's column, which takes any value)."""


@attrs.frozen(kw_only=True)
class RebuildFailure:
    """An aggregate whose events could not all be folded into a state."""

    aggregate_id: UUID
    reason: str


@attrs.frozen(kw_only=True)
class ReplayReport:
    """What :func:`replay` read and rebuilt."""

    events: int
    """Every stored event read, decodable or not."""
    by_type: Mapping[str, int]
    """Decoded events by type name, most frequent first."""
    aggregates: Mapping[str, int]
    """Aggregates by kind, ``programme`` or ``relationship``, as the type of each one's
    first event in the log says (``unknown`` if that type is not one this library knows)."""
    rebuilt: int
    """Aggregates folded from their first to their last version."""
    decode_failure_count: int
    decode_failures: tuple[DecodeFailure, ...]
    """The first :data:`MAX_REPORTED` failures."""
    gap_count: int
    gaps: tuple[VersionGap, ...]
    rebuild_failure_count: int
    rebuild_failures: tuple[RebuildFailure, ...]

    @property
    def ok(self) -> bool:
        """Every event decoded, every history continuous, every aggregate rebuilt."""
        return not (self.decode_failure_count or self.gap_count or self.rebuild_failure_count)


def _kind_of(topic: str) -> str:
    """The name of the kind whose events ``topic`` names; ``unknown`` if no kind's."""
    kind = kind_of_topic(topic)
    return "unknown" if kind is None else kind.name


class _Findings:
    """Counts of each kind of problem, with the first few described."""

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()
        self.items: dict[str, list[Any]] = {"decode": [], "gap": [], "rebuild": []}

    def add(self, kind: str, item: Any) -> None:
        self.counts[kind] += 1
        if len(self.items[kind]) < MAX_REPORTED:
            self.items[kind].append(item)

    def merge(self, other: _Findings) -> None:
        """Add what ``other`` found (a worker's), as if found here after this."""
        for kind, items in other.items.items():
            for item in items:
                self.add(kind, item)
            self.counts[kind] += other.counts[kind] - len(items)  # counted, not described


@attrs.define
class _Log:
    """What the first pass, over the global log, found."""

    events: int = 0
    by_kind: Counter[str] = attrs.Factory(Counter)
    first_of: dict[str, int] = attrs.Factory(dict)
    """Each topic's first position among the records read (to order types counted alike)."""
    last_version: dict[UUID, int] = attrs.Factory(dict)
    """Each aggregate's last version in the log, in the order of their first events."""


@attrs.define
class _Decoded:
    """What decoding the records found: each decoded event's type, and the failures; with
    records read placed (:meth:`~mentoring_core.extend.ChainedRecorder.select_placed`),
    each topic's first position and whether every aggregate's records follow their
    versions in the log."""

    records: int = 0
    by_type: Counter[type] = attrs.Factory(Counter)
    unreadable: dict[tuple[UUID, int], str] = attrs.Factory(dict)
    """Why each record that cannot be decoded cannot, by aggregate id and version."""
    topics: set[str] = attrs.Factory(set)
    """The topics of those records."""
    types: dict[str, type] = attrs.Factory(dict)
    """The type of the events decoded from each topic (a topic names one class)."""
    first_of: dict[str, int] = attrs.Factory(dict)
    """Each topic's first position among the records read placed."""
    in_order: bool = True
    """False once an aggregate's records read placed do not follow their versions in the
    log (a gap there, which only the pass over the whole log can name)."""

    def decode(self, store: Store, record: StoredEvent, aggregate_id: UUID) -> Event | str:
        """The event ``record`` holds, counted by type; else why not, counted as a failure."""
        self.records += 1
        try:
            event = store.decode(record)
        except StoredEventError as error:
            self.unreadable[(aggregate_id, record.originator_version)] = error.reason
            self.topics.add(record.topic)
            return f"version {error.version} cannot be read ({error.reason})"
        self.by_type[type(event)] += 1
        self.types[record.topic] = type(event)
        return event

    def decode_page(
        self, store: Store, page: Sequence[StoredEvent], firsts: Firsts, expected: int
    ) -> list[Event] | None:
        """The events of ``page`` (its topics' ``firsts``), decoded and counted, if every
        record decodes and their versions run on from ``expected``; else None, nothing
        counted (the page is then decoded a record at a time, which says what fails)."""
        decode = store.decode
        try:
            events = [decode(record) for record in page]
        except StoredEventError:
            return None
        if list(map(_VERSION, events)) != list(range(expected, expected + len(events))):
            return None
        self.records += len(events)
        self.by_type.update(map(type, events))  # counted in C
        types = self.types
        for topic, at in firsts.items():  # a type a topic, not a type an event
            types[topic] = type(events[at])
        return events

    def place(self, page: Sequence[Notification], firsts: Firsts, after: int) -> int:
        """Note each topic's first position in ``page`` (records of one aggregate read placed,
        by version, the last before them at position ``after``; its topics' ``firsts``), and
        whether they follow their versions in the log; the last one's position."""
        positions: list[int] = list(map(_POSITION, page))
        if positions[0] < after or positions != sorted(positions):
            self.in_order = False
        _note_first(self.first_of, {topic: positions[at] for topic, at in firsts.items()})
        return positions[-1]

    def merge(self, other: _Decoded) -> None:
        """Add what ``other`` decoded (a worker's), as if decoded here after this."""
        self.records += other.records
        self.by_type.update(other.by_type)
        self.unreadable.update(other.unreadable)
        self.topics |= other.topics
        self.types.update(other.types)
        _note_first(self.first_of, other.first_of)
        self.in_order = self.in_order and other.in_order

    def most_common(self, first_of: Mapping[str, int]) -> dict[str, int]:
        """Events by type name, most frequent first; types counted alike in the order their
        topics first appear in the log."""
        counts: Counter[str] = Counter()
        for cls, count in self.by_type.items():
            counts[cls.__name__] += count
        names = {topic: cls.__name__ for topic, cls in self.types.items()}
        first = {
            name: min(first_of.get(t, math.inf) for t, n in names.items() if n == name)
            for name in counts
        }
        return dict(sorted(counts.items(), key=lambda item: (-item[1], first[item[0]])))


def _note_first(first_of: dict[str, int], found: Mapping[str, int]) -> None:
    """Keep in ``first_of`` each topic's first position: its own, or ``found``'s if
    earlier (or if it holds none)."""
    for topic, position in found.items():
        if position < first_of.get(topic, position + 1):
            first_of[topic] = position


Firsts = dict[str, int]
"""Each topic of a page of records, and the index of its first record there."""


def _firsts(page: Sequence[StoredEvent]) -> Firsts:
    """The topics of ``page``, each with its first record's index (the last a reversed walk
    leaves in the dict): read once a page for its first positions and its types, where
    each walked the page's topics, a type noted for every event (a quarter of the work
    of counting and placing a page)."""
    return dict(zip(map(_TOPIC, reversed(page)), range(len(page) - 1, -1, -1), strict=True))


_VERSION = attrgetter("version")
_TOPIC = attrgetter("topic")
_POSITION = attrgetter("id")


def auto_workers(events: int, cores: int) -> int:
    """How many processes ``workers="auto"`` rebuilds a log of ``events`` in: one for
    each :data:`AUTO_EVENTS_PER_WORKER` events, no more than ``cores`` and
    :data:`MAX_AUTO_WORKERS`, and at least one (this process, no worker started)."""
    return max(1, min(events // AUTO_EVENTS_PER_WORKER, cores, MAX_AUTO_WORKERS))


def _usable_cores() -> int:
    """The cores this process may run on (its affinity, where the system tells it)."""
    if hasattr(os, "sched_getaffinity"):  # Linux; not macOS or Windows
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def _workers(value: object, events: int) -> int:
    """The number of processes ``workers`` asks for, ``"auto"`` chosen for ``events``."""
    if value == "auto":
        return auto_workers(events, _usable_cores())
    try:
        return check_int("workers", value, 1, MAX_REPLAY_WORKERS)
    except InvalidValue as refused:
        raise InvalidValue("workers", value, f'{refused.expected}, or "auto"') from None


def replay(
    service: MentoringService,
    *,
    progress: Callable[[ReplayProgress], None] | None = None,
    page_size: int = PAGE_SIZE,
    workers: int | Literal["auto"] = 1,
) -> ReplayReport:
    """Read every event of the store, rebuild every aggregate, and report what was found.

    ``progress`` is called after each page of the log read (once, where the store counts
    its aggregates itself) and after each aggregate rebuilt (with ``workers`` above 1,
    after each run of aggregates); a history found out of order in the log, which is then
    read again to name its gaps, reports no more. ``workers`` processes rebuild
    the aggregates (the same report, sooner on a machine with as many cores; a script
    that replays with workers must start from an ``if __name__ == "__main__":`` block,
    as every use of Python's process pools must); ``"auto"`` chooses their number from
    the log's length (:func:`auto_workers`). The store should not be written to
    meanwhile: events recorded during a replay may be counted in one pass and not the
    other. ``page_size`` (records or events read at a time) is a whole number from 1 to
    2**62, else :class:`~mentoring_core.InvalidValue` before anything is read.
    """
    page_size = check_page_size(page_size)
    store = service.store
    last_id = store.recorder.max_notification_id() or 0
    processes = _workers(workers, last_id)
    report = progress or (lambda _: None)
    findings = _Findings()
    with _started(store, processes, last_id) as pool:  # they start while the log is read
        log = _count_spans(store, report)
        placed = log is not None
        if log is None:
            log = _read_log(store, findings, report, page_size, last_id)
        decoded = _Decoded()
        rebuilt = None
        if pool is not None:
            rebuilt = _rebuild_in_workers(
                pool, log.last_version, decoded, findings, report, page_size, placed
            )
        if rebuilt is None:
            rebuilt = _rebuild_all(
                store, log.last_version.items(), decoded, findings, report, page_size, placed
            )
    if placed:
        log.first_of = decoded.first_of
        if not decoded.in_order:  # a gap, which only the pass over the whole log names
            log = _read_log(store, findings, _unreported, page_size, last_id)
    if decoded.records != log.events:
        decoded = _decode_log(store, page_size)
    _list_unreadable(store, decoded, findings, page_size)
    return _report(log, decoded, rebuilt, findings)


def _count_spans(store: Store, report: Callable[[ReplayProgress], None]) -> _Log | None:
    """The first pass where the store counts each aggregate's records itself
    (:meth:`~mentoring_core.extend.ChainedRecorder.select_spans`) and every history holds
    each version from 1 to its last once: the records, the aggregates' kinds and their
    last versions; the topics' first positions are noted by the second pass, which also
    finds whether each history follows its versions in the log. None where the store
    cannot count them so, or a history has a version missing or below 1: the pass over
    the whole log (:func:`_read_log`) then names each gap."""
    spans = store.recorder.select_spans()
    if spans is None or any(low != 1 or high != count for _, _, count, low, high, _ in spans):
        return None
    log = _Log()
    for aggregate_id, _, count, _, last, topic in spans:
        log.events += count
        log.by_kind[_kind_of(topic)] += 1
        log.last_version[aggregate_id] = last
    report(ReplayProgress(phase=READING, done=log.events, total=log.events))
    return log


def _read_log(
    store: Store,
    findings: _Findings,
    report: Callable[[ReplayProgress], None],
    page_size: int,
    total: int,
) -> _Log:
    """The first pass: every record of the global log counted and checked, without its
    state (:meth:`~mentoring_core.extend.ChainedRecorder.select_heads`); ``total`` is the
    log's last notification id, for the progress."""
    log = _Log()
    recorder = store.recorder
    reported = None
    after = events = 0
    first_of, last_version, by_kind = log.first_of, log.last_version, log.by_kind
    while page := recorder.select_heads(after, page_size):
        ids: dict[Any, UUID] = {}  # each stored id parsed once a page
        for position, stored_id, version, topic in page:
            events += 1
            first_of.setdefault(topic, events)
            aggregate_id = ids.get(stored_id)
            if aggregate_id is None:
                aggregate_id = ids[stored_id] = record_uuid(stored_id, version, topic)
            previous = last_version.get(aggregate_id)
            if previous is None:
                by_kind[_kind_of(topic)] += 1
                previous = 0
            if version != previous + 1:
                findings.add(
                    "gap",
                    VersionGap(
                        notification_id=position,
                        aggregate_id=aggregate_id,
                        expected=previous + 1,
                        found=version,
                    ),
                )
                if not isinstance(version, int | float):  # no number: it moves nothing on
                    version = previous
            last_version[aggregate_id] = version if version > previous else previous
        log.events = events
        after = page[-1][0]
        reported = (log.events, max(total, log.events))
        report(ReplayProgress(phase=READING, done=reported[0], total=reported[1]))
    if reported != (log.events, log.events):  # the last id was beyond the last record
        report(ReplayProgress(phase=READING, done=log.events, total=log.events))
    return log


def _rebuild_all(
    store: Store,
    aggregates: Collection[tuple[UUID, int]],
    decoded: _Decoded,
    findings: _Findings,
    report: Callable[[ReplayProgress], None],
    page_size: int,
    placed: bool,
) -> int:
    """The second pass: each of ``aggregates`` (id, last version) decoded and folded in
    turn, its records read ``placed`` or not (see :func:`_rebuild`); how many were
    rebuilt. From :data:`~mentoring_core._collector.SPARE_COLLECTOR_FROM` events to fold
    (their last versions' sum), or records decoded (by this process, or by a worker of its
    own runs), the collector is spared (:func:`~mentoring_core._collector.collector_spared`)
    from the pass's start and after each aggregate until it ends: what the process holds is
    kept from its full collections, and its young collections are fewer. Each aggregate's
    page of events and growing state outlive the young collections at Python's default
    threshold, and walking them and all the process holds cost a fifth of a replay's
    time."""
    rebuilt = 0
    with collector_spared() as spare:
        spare(sum(version for _, version in aggregates))
        for done, (aggregate_id, version) in enumerate(aggregates, start=1):
            failure = _rebuild(store, aggregate_id, version, decoded, page_size, placed)
            if failure is None:
                rebuilt += 1
            else:
                findings.add("rebuild", RebuildFailure(aggregate_id=aggregate_id, reason=failure))
            spare(decoded.records)
            report(ReplayProgress(phase=REBUILDING, done=done, total=len(aggregates)))
    return rebuilt


@attrs.define
class _Run:
    """What a worker found rebuilding a run of aggregates."""

    rebuilt: int = 0
    findings: _Findings = attrs.Factory(_Findings)
    decoded: _Decoded = attrs.Factory(_Decoded)


_WORKER: dict[str, Any] = {}
"""In a worker process: the store it opened (``store``), else why it could not
(``error``), and whether it sees the log replayed (``shared``)."""


def _start_worker(opening: StoreOpening, last_id: int) -> None:
    """A worker's start: the store opened again; an error is raised by :func:`_ready`."""
    from ..store import open_store  # the store package imports this one

    try:
        store = _WORKER["store"] = open_store(opening.url, opening.settings)
        _WORKER["shared"] = (store.recorder.max_notification_id() or 0) >= last_id
    except Exception as error:  # raised again, in the replaying process, by _ready
        _WORKER["error"] = error


def _ready() -> bool:
    """In a worker: whether its store is the one replayed (else another, shorter one), or
    the error that kept it from opening the store."""
    if "error" in _WORKER:
        raise _WORKER["error"]
    return bool(_WORKER["shared"])


@attrs.frozen
class _Pool:
    """The worker processes, and whether each, once started, sees the store replayed."""

    executor: ProcessPoolExecutor
    ready: list[Future[bool]]


@contextmanager
def _started(store: Store, workers: int, last_id: int) -> Iterator[_Pool | None]:
    """``workers`` processes started (None for 1, or for a store held in this process's
    memory, which they would open empty), each opening the store again and checking it
    reaches ``last_id``, and let go at the end, their unfinished work cancelled."""
    if workers == 1 or store.opening.in_memory:
        yield None
        return
    # here: every command imports this module (through the service), few start workers
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    context = multiprocessing.get_context("spawn")  # a fork would share our connections
    with ProcessPoolExecutor(workers, context, _start_worker, (store.opening, last_id)) as pool:
        try:
            yield _Pool(pool, [pool.submit(_ready) for _ in range(workers)])
        finally:
            pool.shutdown(cancel_futures=True)


def _rebuild_run(aggregates: list[tuple[UUID, int]], page_size: int, placed: bool) -> _Run:
    """In a worker: ``aggregates`` rebuilt by :func:`_rebuild_all`."""
    run = _Run()
    run.rebuilt = _rebuild_all(
        _WORKER["store"], aggregates, run.decoded, run.findings, _unreported, page_size, placed
    )
    return run


def _unreported(_: ReplayProgress) -> None:
    """A worker's progress, which its runs' results report."""


def _runs(last_version: dict[UUID, int], workers: int) -> list[list[tuple[UUID, int]]]:
    """The aggregates in order, in runs of about equal numbers of events."""
    size = max(1, sum(last_version.values()) // (workers * CHUNKS_PER_WORKER))
    runs: list[list[tuple[UUID, int]]] = [[]]
    held = 0
    for item in last_version.items():
        if held >= size:
            runs.append([])
            held = 0
        runs[-1].append(item)
        held += max(item[1], 1)
    return runs


def _rebuild_in_workers(
    pool: _Pool,
    last_version: dict[UUID, int],
    decoded: _Decoded,
    findings: _Findings,
    report: Callable[[ReplayProgress], None],
    page_size: int,
    placed: bool,
) -> int | None:
    """The second pass in the ``pool``'s processes, runs of aggregates handed out in order
    and what they found put together in that order; how many aggregates were rebuilt, or
    None (nothing counted) if the workers' store is not this one (an adapter's held in
    memory)."""
    from concurrent.futures.process import BrokenProcessPool  # imported by _started

    runs = _runs(last_version, len(pool.ready))
    found: list[_Run] = []
    done = 0
    try:
        if not all(ready.result() for ready in pool.ready):
            pool.executor.shutdown()  # let go now: the aggregates are rebuilt here
            return None
        rebuild = partial(_rebuild_run, page_size=page_size, placed=placed)
        for run in pool.executor.map(rebuild, runs):
            found.append(run)
            done += run.rebuilt + run.findings.counts["rebuild"]  # its aggregates
            report(ReplayProgress(phase=REBUILDING, done=done, total=len(last_version)))
    except BrokenProcessPool as error:
        raise MentoringError(
            f"a replay worker ended before rebuilding its aggregates ({error}): killed (out "
            "of memory, a signal), or started by a script with no "
            '`if __name__ == "__main__":` block; replay again, or with one worker'
        ) from None
    for result in found:
        decoded.merge(result.decoded)
        findings.merge(result.findings)
    return sum(result.rebuilt for result in found)


def _rebuild(
    store: Store,
    aggregate_id: UUID,
    last_version: int,
    decoded: _Decoded,
    page_size: int,
    placed: bool,
) -> str | None:
    """Decode every record of one aggregate, and fold its events from version 1, a page at
    a time; None if the fold reached ``last_version``, else why not. ``placed``: the
    records are read with their positions in the log
    (:meth:`~mentoring_core.extend.ChainedRecorder.select_placed`), noted by
    :meth:`_Decoded.place`.

    Records at versions below 1 (stored around the library) are decoded and counted, not
    folded; after a failure, the remaining records are still decoded and counted."""
    recorder = store.recorder
    read = recorder.select_placed if placed else recorder.select_events
    state: State | None = None
    version = position = 0
    failure: str | None = None
    after: int | None = None
    while page := read(aggregate_id, gt=after, limit=page_size):
        firsts = _firsts(page)
        if placed:
            position = decoded.place(cast("Sequence[Notification]", page), firsts, position)
        events = None
        if failure is None:
            events = decoded.decode_page(store, page, firsts, version + 1)
        if events is None:
            events, failure = _one_at_a_time(store, page, aggregate_id, decoded, version, failure)
        if events:
            state, unfolded = _fold_page(state, events)
            version = events[-1].version
            failure = unfolded or failure  # the earlier of the two
        after = _past(page[-1].originator_version)
    if failure is None and version != last_version:
        failure = f"its history ends at version {version}, where the log reached {last_version}"
    return failure


def _one_at_a_time(
    store: Store,
    page: Sequence[StoredEvent],
    aggregate_id: UUID,
    decoded: _Decoded,
    version: int,
    failure: str | None,
) -> tuple[list[Event], str | None]:
    """The events of ``page`` to fold onto version ``version``, decoded and counted one at
    a time, up to the first that cannot be read or does not follow, and the failure
    (``failure`` if one came before: then none is to be folded)."""
    events: list[Event] = []
    expected = version + 1
    for stored in page:
        event = decoded.decode(store, stored, aggregate_id)
        if failure is not None or not _foldable(stored.originator_version):
            continue
        if isinstance(event, str):
            failure = event
        elif event.version != expected:
            failure = f"version {event.version} follows version {expected - 1}"
        else:
            events.append(event)
            expected += 1
    return events, failure


def _foldable(version: object) -> bool:
    """Whether a record at ``version`` as stored is folded: not below 1, nor a NULL or a
    text (stored around the library, in SQLite's column, which takes any value)."""
    return isinstance(version, int | float) and version >= 1


def _past(version: int | None) -> int:
    """The version to read an aggregate's records after, past a page ending at
    ``version`` as stored: a NULL (ordered first, and above no value) as the lowest
    version there can be."""
    return -(2**63) if version is None else version


def _fold_page(state: State | None, events: list[Event]) -> tuple[State | None, str | None]:
    """``events`` folded onto ``state`` (onto their kind's initial state if None) at once,
    and None; if that fails, folded again one at a time, to say which version cannot be
    applied."""
    folded = fold_at_once(events, state)
    if folded is not None:
        return folded, None
    for event in events:
        try:
            state = apply(kind_of(event).initial if state is None else state, event)
        except Exception as error:
            return state, (
                f"version {event.version} cannot be applied: {type(error).__name__}: {error}"
            )
    return state, None


def _decode_log(store: Store, page_size: int) -> _Decoded:
    """Every record of the global log decoded and counted, in log order: for a store whose
    second pass did not reach every record."""
    decoded = _Decoded()
    for record in store.records(page_size=page_size):
        decoded.decode(store, record, record_aggregate_id(record))
    return decoded


def _list_unreadable(store: Store, decoded: _Decoded, findings: _Findings, page_size: int) -> None:
    """Count the records that cannot be decoded, and describe the first few in log order,
    found by reading the records of their topics (not decoding them) in the log."""
    findings.counts["decode"] = len(decoded.unreadable)
    wanted = min(len(decoded.unreadable), MAX_REPORTED)
    listed = findings.items["decode"]
    if not wanted:
        return
    topics = decoded.topics
    # A record without a topic (a NULL, stored around the library) matches no filter by
    # topic: then the whole log is read to find it.
    filtered = sorted(topics) if all(isinstance(topic, str) for topic in topics) else []
    for record in store.records(topics=filtered, page_size=page_size):
        aggregate_id = record_aggregate_id(record)
        reason = decoded.unreadable.get((aggregate_id, record.originator_version))
        if reason is None:
            continue
        listed.append(
            DecodeFailure(
                notification_id=record.id,
                aggregate_id=aggregate_id,
                version=record.originator_version,
                topic=record.topic,
                reason=reason,
            )
        )
        if len(listed) == wanted:
            return


def _report(log: _Log, decoded: _Decoded, rebuilt: int, findings: _Findings) -> ReplayReport:
    return ReplayReport(
        events=log.events,
        by_type=decoded.most_common(log.first_of),
        aggregates=dict(sorted(log.by_kind.items())),
        rebuilt=rebuilt,
        decode_failure_count=findings.counts["decode"],
        decode_failures=tuple(findings.items["decode"]),
        gap_count=findings.counts["gap"],
        gaps=tuple(findings.items["gap"]),
        rebuild_failure_count=findings.counts["rebuild"],
        rebuild_failures=tuple(findings.items["rebuild"]),
    )
