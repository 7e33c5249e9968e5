"""Replaying a whole store: every event read back, every aggregate rebuilt, all counted.

Two passes, so that memory does not grow with the number of events:

1. The global log, in recording order, a page at a time: every event is decoded by
   the store (:meth:`~mentoring_core.store.Store.decode`; a failure is counted and
   reported, and the walk goes on), counted by type, and checked to follow its
   aggregate's previous version. Only each aggregate's last version (an int) is kept.
2. Each aggregate in turn: its events are read a page at a time and folded with the
   pure ``evolve`` functions, from nothing (no snapshot, no cache); the state is
   checked to reach the aggregate's last version, then dropped.

Memory is thus one page of records, one aggregate's state and an int per aggregate,
whatever the length of the log (``benchmarks/bench_replay.py`` measures it).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any
from uuid import UUID

import attrs

from ..domain.errors import StoredEventError
from ..domain.kinds import kind_of, kind_of_topic
from .timeline import State, apply

if TYPE_CHECKING:  # the service imports this package: no import at run time
    from eventsourcing.persistence import Notification

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
    by_type: Counter[str] = attrs.Factory(Counter)
    by_kind: Counter[str] = attrs.Factory(Counter)
    last_version: dict[UUID, int] = attrs.Factory(dict)
    """Each aggregate's last version in the log, in the order of their first events."""


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
    log = _read_log(service.store, findings, report, page_size)
    rebuilt = _rebuild_all(service, log.last_version, findings, report, page_size)
    return _report(log, rebuilt, findings)


def _read_log(
    store: Store, findings: _Findings, report: Callable[[ReplayProgress], None], page_size: int
) -> _Log:
    """The first pass: every record of the global log decoded, counted and checked."""
    log = _Log()
    total = store.recorder.max_notification_id() or 0
    for record in store.records(page_size=page_size):
        log.events += 1
        aggregate_id = UUID(str(record.originator_id))
        _count_type(store, record, aggregate_id, log, findings)
        _check_version(record, aggregate_id, log, findings)
        if log.events % page_size == 0:
            report(ReplayProgress(phase=READING, done=log.events, total=max(total, log.events)))
    report(ReplayProgress(phase=READING, done=log.events, total=log.events))
    return log


def _count_type(
    store: Store, record: Notification, aggregate_id: UUID, log: _Log, findings: _Findings
) -> None:
    """Count ``record`` by its event's type, or as a decode failure."""
    try:
        event = store.decode(record)
        log.by_type[type(event).__name__] += 1
    except StoredEventError as error:
        findings.add(
            "decode",
            DecodeFailure(
                notification_id=record.id,
                aggregate_id=aggregate_id,
                version=record.originator_version,
                topic=record.topic,
                reason=error.reason,
            ),
        )


def _check_version(
    record: Notification, aggregate_id: UUID, log: _Log, findings: _Findings
) -> None:
    """Check ``record`` follows its aggregate's previous version; count a new aggregate."""
    previous = log.last_version.get(aggregate_id)
    if previous is None:
        log.by_kind[_kind_of(record.topic)] += 1
    expected = (previous or 0) + 1
    if record.originator_version != expected:
        findings.add(
            "gap",
            VersionGap(
                notification_id=record.id,
                aggregate_id=aggregate_id,
                expected=expected,
                found=record.originator_version,
            ),
        )
    log.last_version[aggregate_id] = max(record.originator_version, previous or 0)


def _rebuild_all(
    service: MentoringService,
    last_version: dict[UUID, int],
    findings: _Findings,
    report: Callable[[ReplayProgress], None],
    page_size: int,
) -> int:
    """The second pass: each aggregate folded in turn; how many were rebuilt."""
    rebuilt = 0
    aggregates = len(last_version)
    for done, (aggregate_id, version) in enumerate(last_version.items(), start=1):
        failure = _rebuild(service, aggregate_id, version, page_size)
        if failure is None:
            rebuilt += 1
        else:
            findings.add("rebuild", RebuildFailure(aggregate_id=aggregate_id, reason=failure))
        report(ReplayProgress(phase=REBUILDING, done=done, total=aggregates))
    return rebuilt


def _report(log: _Log, rebuilt: int, findings: _Findings) -> ReplayReport:
    return ReplayReport(
        events=log.events,
        by_type=dict(log.by_type.most_common()),
        aggregates=dict(sorted(log.by_kind.items())),
        rebuilt=rebuilt,
        decode_failure_count=findings.counts["decode"],
        decode_failures=tuple(findings.items["decode"]),
        gap_count=findings.counts["gap"],
        gaps=tuple(findings.items["gap"]),
        rebuild_failure_count=findings.counts["rebuild"],
        rebuild_failures=tuple(findings.items["rebuild"]),
    )


def _rebuild(
    service: MentoringService, aggregate_id: UUID, last_version: int, page_size: int
) -> str | None:
    """Fold one aggregate from its first event; None if it reached ``last_version``,
    else why not."""
    store = service.store
    state: State | None = None
    version = 0
    while page := store.recorder.select_events(aggregate_id, gt=version, limit=page_size):
        for stored in page:
            try:
                event = store.decode(stored)
            except StoredEventError as error:
                return f"version {error.version} cannot be read ({error.reason})"
            if event.version != version + 1:
                return f"version {event.version} follows version {version}"
            try:
                state = apply(kind_of(event).initial if state is None else state, event)
            except Exception as error:
                return f"version {event.version} cannot be applied: {type(error).__name__}: {error}"
            version = event.version
    if version != last_version:
        return f"its history ends at version {version}, where the log reached {last_version}"
    return None
