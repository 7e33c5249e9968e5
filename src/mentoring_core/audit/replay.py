"""Replaying a whole store: every event read back, every aggregate rebuilt, all counted.

Two passes, so that memory does not grow with the number of events, and each event
decoded once:

1. The global log, in recording order, a page at a time, without the records' states
   (:meth:`~mentoring_core.extend.ChainedRecorder.select_heads`): every record is
   counted and checked to follow its aggregate's previous version, and each
   aggregate's kind is told from its first record's topic. Only each aggregate's last
   version (an int) is kept.
2. Each aggregate in turn: its records are read a page at a time, each decoded by the
   store (:meth:`~mentoring_core.store.Store.decode`; a failure is counted and the
   walk goes on), counted by type, and folded with the pure folds of the domain, a page
   at a time (``Decider.fold``), from nothing (no snapshot, no cache); the state is
   checked to reach the aggregate's last version, then dropped.

An event that cannot be decoded is kept (its aggregate, version and why) until its
position in the log is looked up, after the second pass, by reading again, without
decoding, the records of the topics that failed: the failures are listed in log
order, as the first pass meets them. Should the second pass not reach every record
the first counted (a record stored around the library, under an aggregate id in a
form the recorder does not look up), the log is decoded again, in order, to count
every record by type.

Memory is thus one page of records, one aggregate's state, an int per aggregate and
an entry per undecodable event, whatever the length of the log
(``benchmarks/bench_replay.py`` measures it).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any
from uuid import UUID

import attrs

from ..domain.errors import StoredEventError
from ..domain.events import Event
from ..domain.kinds import kind_of, kind_of_topic
from .recorders import record_aggregate_id, record_uuid
from .timeline import State, apply, fold_at_once

if TYPE_CHECKING:  # the service imports this package: no import at run time
    from eventsourcing.persistence import StoredEvent

    from ..application import MentoringService
    from ..store import Store

PAGE_SIZE = 1000
MAX_REPORTED = 100
"""At most this many decode failures, version gaps and rebuild failures are described;
all are counted."""
READING = "reading"
REBUILDING = "rebuilding"


@attrs.frozen(kw_only=True)
class ReplayProgress:
    """How far a replay has got: ``phase`` is ``"reading"`` then ``"rebuilding"``."""

    phase: str
    done: int
    """Events read (first phase) or aggregates rebuilt (second phase) so far."""
    total: int
    """Roughly how many there are: the last notification id (ids may have gaps), then
    the number of aggregates."""


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
    found: int


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
    """What decoding the records found: each decoded event's type, and the failures."""

    records: int = 0
    by_type: Counter[str] = attrs.Factory(Counter)
    unreadable: dict[tuple[UUID, int], str] = attrs.Factory(dict)
    """Why each record that cannot be decoded cannot, by aggregate id and version."""
    topics: set[str] = attrs.Factory(set)
    """The topics of those records."""
    names: dict[str, str] = attrs.Factory(dict)
    """The type name of the events decoded from each topic."""

    def decode(self, store: Store, record: StoredEvent, aggregate_id: UUID) -> Event | str:
        """The event ``record`` holds, counted by type; else why not, counted as a failure."""
        self.records += 1
        try:
            event = store.decode(record)
        except StoredEventError as error:
            self.unreadable[(aggregate_id, record.originator_version)] = error.reason
            self.topics.add(record.topic)
            return f"version {error.version} cannot be read ({error.reason})"
        name = type(event).__name__
        self.by_type[name] += 1
        self.names[record.topic] = name
        return event

    def most_common(self, first_of: Mapping[str, int]) -> dict[str, int]:
        """Events by type, most frequent first; types counted alike in the order their
        topics first appear in the log."""
        first = {
            name: min(first_of.get(t, math.inf) for t, n in self.names.items() if n == name)
            for name in self.by_type
        }
        return dict(sorted(self.by_type.items(), key=lambda item: (-item[1], first[item[0]])))


def replay(
    service: MentoringService,
    *,
    progress: Callable[[ReplayProgress], None] | None = None,
    page_size: int = PAGE_SIZE,
) -> ReplayReport:
    """Read every event of the store, rebuild every aggregate, and report what was found.

    ``progress`` is called after each page read and after each aggregate rebuilt. The
    store should not be written to meanwhile: events recorded during a replay may be
    counted in one pass and not the other.
    """
    report = progress or (lambda _: None)
    findings = _Findings()
    store = service.store
    log = _read_log(store, findings, report, page_size)
    decoded = _Decoded()
    rebuilt = _rebuild_all(store, log.last_version, decoded, findings, report, page_size)
    if decoded.records != log.events:
        decoded = _decode_log(store, page_size)
    _list_unreadable(store, decoded, findings, page_size)
    return _report(log, decoded, rebuilt, findings)


def _read_log(
    store: Store, findings: _Findings, report: Callable[[ReplayProgress], None], page_size: int
) -> _Log:
    """The first pass: every record of the global log counted and checked, without its
    state (:meth:`~mentoring_core.extend.ChainedRecorder.select_heads`)."""
    log = _Log()
    recorder = store.recorder
    total = recorder.max_notification_id() or 0
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
    last_version: dict[UUID, int],
    decoded: _Decoded,
    findings: _Findings,
    report: Callable[[ReplayProgress], None],
    page_size: int,
) -> int:
    """The second pass: each aggregate decoded and folded in turn; how many were rebuilt."""
    rebuilt = 0
    aggregates = len(last_version)
    for done, (aggregate_id, version) in enumerate(last_version.items(), start=1):
        failure = _rebuild(store, aggregate_id, version, decoded, page_size)
        if failure is None:
            rebuilt += 1
        else:
            findings.add("rebuild", RebuildFailure(aggregate_id=aggregate_id, reason=failure))
        report(ReplayProgress(phase=REBUILDING, done=done, total=aggregates))
    return rebuilt


def _rebuild(
    store: Store, aggregate_id: UUID, last_version: int, decoded: _Decoded, page_size: int
) -> str | None:
    """Decode every record of one aggregate, and fold its events from version 1, a page at
    a time; None if the fold reached ``last_version``, else why not.

    Records at versions below 1 (stored around the library) are decoded and counted, not
    folded; after a failure, the remaining records are still decoded and counted."""
    state: State | None = None
    version = 0
    failure: str | None = None
    after: int | None = None
    while page := store.recorder.select_events(aggregate_id, gt=after, limit=page_size):
        batch: list[Event] = []
        decode, append, expected = decoded.decode, batch.append, version + 1
        for stored in page:
            event = decode(store, stored, aggregate_id)
            if failure is not None or stored.originator_version < 1:
                continue
            if isinstance(event, str):
                failure = event
            elif event.version != expected:
                failure = f"version {event.version} follows version {expected - 1}"
            else:
                append(event)
                expected += 1
        if batch:
            state, unfolded = _fold_page(state, batch)
            version = batch[-1].version
            failure = unfolded or failure  # the earlier of the two
        after = page[-1].originator_version
    if failure is None and version != last_version:
        failure = f"its history ends at version {version}, where the log reached {last_version}"
    return failure


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
    for record in store.records(topics=sorted(decoded.topics), page_size=page_size):
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
