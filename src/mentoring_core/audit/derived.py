"""Checking what is derived from the events: every snapshot and every read-model row.

Snapshots and the compliance read model are outside the hash chain, so the chain
cannot vouch for them. :func:`check_derived` rebuilds every aggregate from its events
(with the pure folds of the domain, a run of events at a time, and the read model's own
fold, no snapshot, no cache) and compares, at each version where one is stored:

- every readable snapshot: its state, and the chain hash it records (which must be
  the stored link of the event at its version); a snapshot past the end of its
  history differs too. Snapshots of an older schema, which loading passes over, are
  counted and not compared;
- every row of the compliance read model: its kind, programme, version and facts;
  a row must reach the highest version of its aggregate whose event the read model's
  position covers (rows may stand past the position, never behind it).
  Every row not compared differs, named by its key as stored: keyed otherwise than by
  the canonical text of an aggregate's id (another spelling of one, which the readers
  pass over, or no id at all), or by the id of an aggregate with no events; so does a
  row filed otherwise than the library files it (its programme spelt otherwise, which
  the reports of its programme miss; its version not an integer);
- every command id kept beside an event's chain link (by which a retried command is
  found, :meth:`~mentoring_core.extend.ChainedRecorder.command_versions`): the
  event's own (a link whose event's command is not known keeps none).

One aggregate is held at a time (plus an int per aggregate), as in the replay.
"""

from __future__ import annotations

from collections.abc import Iterator, Set
from typing import TYPE_CHECKING, Any, cast
from uuid import UUID

import attrs
from eventsourcing.persistence import StoredEvent

from ..domain.erasure import PersonalDataErased
from ..domain.errors import StoredEventError
from ..domain.events import Event
from ..domain.kinds import kind_of, kind_of_topic
from ..domain.programme import PROGRAMME
from ..domain.validation import check_page_size
from ..projections import StoredFacts, decode_facts
from ..projections._projection import Facts, _fold, _row
from ..serialisation import EventMapper, Snapshot, store_failed
from ..store._views import ComplianceView, canonical_id, stored_form_fault
from .recorders import NO_COMMAND, Misstored, record_aggregate_id
from .timeline import State, apply, fold_at_once

if TYPE_CHECKING:
    from ..application import MentoringService
    from ..store import Store

__all__ = ["DerivedCheck", "Difference", "check_derived"]

PAGE_SIZE = 1000
MAX_REPORTED = 100
"""At most this many differences are described; all are counted."""
SNAPSHOT = "snapshot"
READ_MODEL = "read model"
EVENTS = "events"
COMMAND_ID = "command id"
ERASURE = "erasure"


@attrs.frozen(kw_only=True)
class Difference:
    """A snapshot or read-model row that is not what the events give."""

    what: str
    """``"snapshot"``, ``"read model"``, ``"command id"`` (kept beside a link),
    ``"erasure"`` (an erasure recorded whose person's key is live), or ``"events"`` (an
    aggregate that cannot be rebuilt, so that what is derived from it cannot be
    checked)."""
    aggregate_id: UUID | str
    """The aggregate's id; for a read-model row whose key is not the canonical text of an
    id, the key as stored (text as it is, another value as Python shows it); for the read
    model's position, the name it is tracked under (the store's name)."""
    version: int | None
    detail: str

    def __str__(self) -> str:
        at = "" if self.version is None else f" at version {self.version}"
        return f"{self.what} of {self.aggregate_id}{at}: {self.detail}"


@attrs.frozen(kw_only=True)
class DerivedCheck:
    """The outcome of :func:`check_derived`."""

    aggregates: int
    """Aggregates rebuilt from their events."""
    snapshots: int
    """Snapshots compared."""
    passed_over: int
    """Snapshots that cannot be read (an older schema): loading passes them over too."""
    rows: int
    """Read-model rows compared."""
    difference_count: int
    differences: tuple[Difference, ...]
    """The first :data:`MAX_REPORTED` differences, in the order found."""

    @property
    def ok(self) -> bool:
        return self.difference_count == 0


@attrs.define
class _Aggregate:
    kind: str
    covered: int = 0
    """The highest version whose event the read model's position covers (0: none)."""


@attrs.define
class _Check:
    store: Store
    position: int | None
    aggregates: int = 0
    snapshots: int = 0
    passed_over: int = 0
    rows: int = 0
    count: int = 0
    found: list[Difference] = attrs.Factory(list)
    erased: dict[str, tuple[UUID, int]] = attrs.Factory(dict)
    """Each person whose erasure is recorded: where first (programme, version)."""

    def differ(self, what: str, aggregate_id: UUID | str, version: int | None, detail: str) -> None:
        self.count += 1
        if len(self.found) < MAX_REPORTED:
            self.found.append(
                Difference(what=what, aggregate_id=aggregate_id, version=version, detail=detail)
            )


def check_derived(service: MentoringService, *, page_size: int = PAGE_SIZE) -> DerivedCheck:
    """Rebuild every aggregate from its events; compare each snapshot and read-model row.

    The store should not be written to meanwhile (a row may then be caught between
    two batches of the read model and reported). ``page_size`` (events read at a time) is
    a whole number from 1 to 2**62, else :class:`~mentoring_core.InvalidValue` before
    anything is read.
    """
    page_size = check_page_size(page_size)
    store = service.store
    view = store.compliance_view()
    check = _Check(store, None)
    check.position = _position(check, view)
    aggregates = _aggregates(store, page_size, check.position)
    for aggregate_id, aggregate in aggregates.items():
        (row,) = view.select_facts([aggregate_id]) or (None,)
        _check_one(check, aggregate_id, aggregate, row, page_size)
    _check_stored_keys(check, view, aggregates)
    _check_erased_keys(check)
    return DerivedCheck(
        aggregates=check.aggregates,
        snapshots=check.snapshots,
        passed_over=check.passed_over,
        rows=check.rows,
        difference_count=check.count,
        differences=tuple(check.found),
    )


def _position(check: _Check, view: ComplianceView) -> int | None:
    """The read model's stored position; one not stored as the library writes it is
    named, and none is then taken as stored."""
    position: object = view.max_tracking_id(check.store.name)  # as stored, typed or not
    if position is None or type(position) is int:
        return position
    check.differ(
        READ_MODEL,
        check.store.name,
        None,
        f"its position is stored as {position!r} ({type(position).__name__}), not as the "
        "library writes it (an integer): the read model is not brought up to date past it "
        "(the store compares the value as stored: a text or a BLOB is above every "
        "notification id); rows were compared as if it had no position",
    )
    return None


def _check_erased_keys(check: _Check) -> None:
    """Every person whose erasure is recorded must have no live key: one live was never
    destroyed (the erasure stopped between recording it and destroying the key) or was
    brought back (a key store file restored from a copy taken before the erasure), and
    their texts read again."""
    keys = check.store.keys.store
    for person_id, (programme_id, version) in check.erased.items():
        row = keys.get(person_id)
        if row is not None and row.key is not None and row.destroyed_at is None:
            check.differ(
                ERASURE,
                programme_id,
                version,
                f"the erasure of {person_id!r} is recorded here, but their key is live (not "
                "destroyed, or restored from a copy): their personal data is readable; "
                "erase them again, which destroys the key",
            )


def _check_stored_keys(
    check: _Check, view: ComplianceView, aggregates: dict[UUID, _Aggregate]
) -> None:
    """Every row of the read model that was not compared above (its key not the
    canonical text of an aggregate's id), and every row filed otherwise than the library
    files it (which the readers pass over, or the reports of its programme miss)."""
    programmes = (a for a, aggregate in aggregates.items() if aggregate.kind == PROGRAMME.name)
    for key in view.stored_keys(programmes):
        stored_id, programme_id, version = key
        fault = stored_form_fault(key)
        aggregate_id = canonical_id(stored_id)
        if fault is None and aggregate_id in aggregates:
            continue
        at = version if type(version) is int else None
        if aggregate_id is None:
            check.rows += 1
            check.differ(READ_MODEL, _shown(stored_id), at, _misspelt(stored_id, aggregates))
        elif aggregate_id not in aggregates:
            check.rows += 1
            check.differ(
                READ_MODEL,
                aggregate_id,
                at,
                f"a row under programme {_shown(programme_id)} for an aggregate with no events",
            )
        else:
            check.differ(READ_MODEL, aggregate_id, at, _misfiled(fault, programme_id, version))


def _shown(value: Any) -> UUID | str:
    """A value as stored, to name it: a UUID or text as it is, anything else as Python
    shows it."""
    return value if isinstance(value, UUID | str) else repr(value)


def _misspelt(key: Any, aggregates: dict[UUID, _Aggregate]) -> str:
    """What is wrong with a read-model row keyed ``key``, not the canonical text of an id."""
    try:
        spelt: UUID | None = UUID(key) if isinstance(key, str) else None
    except ValueError:
        spelt = None
    if spelt is None:
        spells = ""
    elif spelt in aggregates:
        spells = f" (it spells aggregate {spelt}; the library writes {str(spelt)!r})"
    else:
        spells = f" (it spells {spelt}, the id of no aggregate)"
    return (
        f"a row keyed {key!r}, not the text the library writes for an id{spells}: no reader "
        "takes it, and it was not compared with the events"
    )


def _misfiled(fault: str | None, programme_id: Any, version: Any) -> str:
    """What is wrong with a row under an aggregate's key, filed otherwise than the library
    files it (its programme spelt otherwise, or its version not an integer)."""
    if fault == "version":
        return f"its version is {version!r}, not an integer: no reader takes the row"
    try:
        spelt = f"the library writes {str(UUID(programme_id))!r}"
    except (TypeError, ValueError, AttributeError):
        spelt = "it is no id at all"
    return (
        f"its programme_id is {programme_id!r}, not the text the library writes for an id "
        f"({spelt}): the reports of its programme do not find the row"
    )


def _aggregates(store: Store, page_size: int, position: int | None) -> dict[UUID, _Aggregate]:
    """Every aggregate of the log, with its kind and the highest version whose event
    ``position`` covers."""
    found: dict[UUID, _Aggregate] = {}
    for record in store.records(page_size=page_size):
        aggregate_id = record_aggregate_id(record)
        aggregate = found.get(aggregate_id)
        if aggregate is None:
            known = kind_of_topic(record.topic)
            kind = "unknown" if known is None else known.name
            aggregate = found[aggregate_id] = _Aggregate(kind)
        version = record.originator_version  # as stored: a write around the library
        if position is not None and record.id <= position and type(version) is int:
            aggregate.covered = version  # (a NULL or a text covers no version)
    return found


def _snapshots(check: _Check, aggregate_id: UUID) -> dict[int, Snapshot]:
    snapshots = check.store.snapshots
    if snapshots is None:
        return {}
    readable: dict[int, Snapshot] = {}
    for record in snapshots.recorder.select_events(aggregate_id):
        try:
            snapshot = cast(Snapshot, snapshots.mapper.to_domain_event(record))
        except StoredEventError as error:
            _unreadable(check, aggregate_id, record, error)
            continue
        readable[snapshot.version] = snapshot
    return readable


def _unreadable(
    check: _Check, aggregate_id: UUID, record: StoredEvent, error: StoredEventError
) -> None:
    """A snapshot that cannot be read: passed over if it is of an older schema (loading
    passes it over too), else named: the library never wrote it."""
    mapper = check.store.snapshots.mapper if check.store.snapshots is not None else None
    if isinstance(mapper, EventMapper) and mapper.of_an_older_snapshot_schema(record):
        check.passed_over += 1
        return
    version = record.originator_version
    check.differ(
        SNAPSHOT,
        aggregate_id,
        version if type(version) is int else None,
        f"not written by the library: {record.topic!r} is no snapshot of any schema the "
        f"library wrote ({error.reason})",
    )


def _events(store: Store, aggregate_id: UUID, page_size: int) -> Iterator[Event]:
    version = 0
    while page := store.recorder.select_events(aggregate_id, gt=version, limit=page_size):
        for stored in page:
            event = store.decode(stored)
            version = event.version
            yield event


def _runs(events: Iterator[Event], ends: Set[int], size: int) -> Iterator[list[Event]]:
    """``events`` in runs of at most ``size``, a run ending at each version of ``ends``
    (where the state is compared with a snapshot)."""
    run: list[Event] = []
    for event in events:
        run.append(event)
        if event.version in ends or len(run) == size:
            yield run
            run = []
    if run:
        yield run


def _check_one(
    check: _Check,
    aggregate_id: UUID,
    aggregate: _Aggregate,
    row: StoredFacts | None,
    page_size: int,
) -> None:
    snapshots = _snapshots(check, aggregate_id)
    kept = check.store.recorder.kept_commands(aggregate_id)
    noted = _noted(check, aggregate_id)
    state: State | None = None
    facts: Facts | None = None
    version = 0
    try:
        for run in _runs(_events(check.store, aggregate_id, page_size), set(snapshots), page_size):
            folded = fold_at_once(run, state)
            for event in run:
                if event.version != version + 1:
                    raise ValueError(f"version {event.version} follows version {version}")
                if folded is None:  # one at a time, to fail at the event that cannot be applied
                    state = apply(kind_of(event).initial if state is None else state, event)
                elif event is run[-1]:
                    state = folded
                facts = _fold(facts, event)
                version = event.version
                _compare_command(check, event, kept.get(version), noted)
                if isinstance(event, PersonalDataErased):
                    check.erased.setdefault(event.person_id, (aggregate_id, version))
                if version in snapshots:
                    # as snapshots hold it: without the history (see Decider.without_history)
                    taken = kind_of(event).without_history(state)
                    _compare_snapshot(check, snapshots.pop(version), taken)
                if row is not None and row.version == version:
                    _compare_row(check, aggregate_id, row, facts)
    except Exception as error:  # reported, and the walk goes on with the next aggregate
        if store_failed(error):  # the store's failure, not the aggregate's: not a finding
            raise
        reason = error.reason if isinstance(error, StoredEventError) else str(error)
        check.differ(EVENTS, aggregate_id, version + 1, f"cannot be rebuilt: {reason}")
        return
    check.aggregates += 1
    _check_ends(check, aggregate_id, aggregate, row, snapshots, version)


def _check_ends(
    check: _Check,
    aggregate_id: UUID,
    aggregate: _Aggregate,
    row: StoredFacts | None,
    snapshots: dict[int, Snapshot],
    version: int,
) -> None:
    """What the fold to ``version`` (the end of the history) did not meet: snapshots and
    a row past that end, and a row missing or behind the version the read model's
    position covers (the projection writes a row with or before the position that covers
    its events, and never takes a row back to a lower version)."""
    for snapshot in snapshots.values():
        check.snapshots += 1
        check.differ(
            SNAPSHOT,
            aggregate_id,
            snapshot.version,
            f"taken at a version its history does not reach (it ends at version {version})",
        )
    covered = aggregate.covered
    if row is None:
        if covered:
            check.differ(
                READ_MODEL,
                aggregate_id,
                version,
                "no row, though the read model's position covers its events up to version "
                f"{covered}",
            )
        return
    if row.version > version:
        check.rows += 1
        check.differ(
            READ_MODEL,
            aggregate_id,
            row.version,
            f"a row at a version its history does not reach (it ends at version {version})",
        )
    elif row.version < covered:
        check.differ(
            READ_MODEL,
            aggregate_id,
            row.version,
            f"the row stands at version {row.version}, but the read model's position covers "
            f"version {covered}",
        )


def _differing(stored: Any, rebuilt: Any) -> str:
    """The fields in which two states (or facts) differ, named."""
    if type(stored) is not type(rebuilt):
        return f"a {type(stored).__name__} where the events give a {type(rebuilt).__name__}"
    names = [
        f.name
        for f in attrs.fields(type(rebuilt))
        if getattr(stored, f.name) != getattr(rebuilt, f.name)
    ]
    return ", ".join(names)


def _noted(check: _Check, aggregate_id: UUID) -> int:
    """The aggregate's noted version; one not stored as the library writes it is named,
    and none is then taken as noted."""
    noted = check.store.recorder.noted_version(aggregate_id)
    if not isinstance(noted, Misstored):
        return noted
    check.differ(
        COMMAND_ID,
        aggregate_id,
        None,
        f"its noted version is stored as {noted.found}, not as the library writes it "
        f"({noted.written}): a retried command may not be found (the store compares the "
        "value as stored: a text or a BLOB is above every version)",
    )
    return 0


def _compare_command(
    check: _Check, event: Event, kept: UUID | Misstored | None, noted: int
) -> None:
    """The command id kept beside ``event``'s link (None: none kept) against its own; at
    or below the version ``noted`` (every link up to it keeps one), one must be kept."""
    if isinstance(kept, Misstored):
        check.differ(
            COMMAND_ID,
            event.aggregate_id,
            event.version,
            f"the command id kept beside its link is stored as {kept.found}, not as the "
            f"library writes it ({kept.written}): a retry of its command does not find it "
            f"(the event's is {event.command_id})",
        )
    elif kept is None and event.version <= noted:
        check.differ(
            COMMAND_ID,
            event.aggregate_id,
            event.version,
            f"no command id is kept beside its link, at or below version {noted}, up to "
            f"which every link keeps one (the event's is {event.command_id})",
        )
    elif kept is not None and kept != (event.command_id or NO_COMMAND):
        check.differ(
            COMMAND_ID,
            event.aggregate_id,
            event.version,
            f"the command id kept beside its link is {kept}; the event's is {event.command_id}",
        )


def _compare_snapshot(check: _Check, snapshot: Snapshot, state: State) -> None:
    check.snapshots += 1
    aggregate_id, version = snapshot.aggregate_id, snapshot.version
    link = check.store.recorder.link_of(aggregate_id, version)
    if snapshot.chain_hash != link:
        check.differ(
            SNAPSHOT,
            aggregate_id,
            version,
            f"records chain hash {snapshot.chain_hash}, but the stored link is {link}: "
            "it belongs to no stored history (loading refuses it)",
        )
    elif snapshot.state != state:
        check.differ(
            SNAPSHOT,
            aggregate_id,
            version,
            f"differs from the state its events give in: {_differing(snapshot.state, state)}",
        )


def _compare_row(check: _Check, aggregate_id: UUID, row: StoredFacts, facts: Facts) -> None:
    check.rows += 1
    # Its placement is compared here, its facts decoded below: the text is not re-encoded.
    expected = _row(aggregate_id, facts, row.facts)
    wrong = [
        name
        for name in ("programme_id", "kind", "version")
        if getattr(row, name) != getattr(expected, name)
    ]
    try:
        stored = decode_facts(row)
    except Exception as error:
        check.differ(READ_MODEL, aggregate_id, row.version, f"its facts cannot be read: {error}")
        return
    if stored != facts:
        wrong.append(f"facts ({_differing(stored, facts)})")
    if wrong:
        check.differ(
            READ_MODEL,
            aggregate_id,
            row.version,
            f"differs from what its events give in: {', '.join(wrong)}",
        )
