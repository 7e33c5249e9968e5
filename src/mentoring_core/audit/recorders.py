"""Event recorders that write each record's chain link in the same transaction as the record.

The links (see :mod:`.chain`) live in their own table, ``mentoring_chain``: one row per
stored event, holding its ``sequence``, the event's notification id, aggregate id and
version, the recording time, the hash and the hash's encoding. Because the link is
computed while the store's write lock is held (SQLite's single writer; PostgreSQL's
EXCLUSIVE table lock; in memory, the recorder's own lock), sequences follow the
store's global order with no gaps.

eventsourcing offers no public hook inside its insert transaction, so each recorder
here overrides the public ``insert_events`` and writes the events itself (the same
table and columns eventsourcing creates) together with their links. The SQLite
and PostgreSQL recorders also read the log and an aggregate's events themselves
(``select_notifications``, ``select_events``: the same statements and records, read
quicker, see :func:`notifications_of`).

What may be stored is checked once for every store, by :class:`ChainLinker` (no
version below 1, no version whose previous one has no link, ids that are UUIDs,
written in the one form readers query), and how a link is read back, by
:func:`chain_row` (a value the library never writes is a :class:`DamagedRow`, which
``verify`` reports instead of failing on it).

This module holds :class:`ChainedRecorder` (what every store's recorder is) and the
memory and SQLite recorders; the PostgreSQL one lives in the PostgreSQL adapter and
shares :class:`ChainedRecorder`, :class:`ChainLinker`, :func:`chain_row` and
:class:`ChainRow`.
"""

from __future__ import annotations

import functools
import re
import sqlite3
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from threading import RLock
from typing import Any, ClassVar, TypeVar, cast
from uuid import UUID

import attrs
from eventsourcing.persistence import ApplicationRecorder, InterfaceError, Notification, StoredEvent
from eventsourcing.popo import POPOApplicationRecorder, POPOFactory
from eventsourcing.sqlite import (
    SQLITE3_DEFAULT_LOCK_TIMEOUT,
    SQLiteApplicationRecorder,
    SQLiteConnection,
    SQLiteConnectionPool,
    SQLiteCursor,
    SQLiteDatastore,
    SQLiteFactory,
    SQLiteTransaction,
)

from .._sqlite_writing import writing_transaction
from ..domain.errors import StoreConfigurationError, StoredEventError
from .chain import (
    DOMAIN_TAGS,
    ENCODING,
    GENESIS,
    Record,
    canonical_time,
    is_hash,
    link_hash,
    parse_canonical_time,
)

CHAIN_TABLE = "mentoring_chain"
COMMAND_INDEX = "mentoring_chain_keyed"
"""The index of the command ids kept beside the links (only those kept: a partial index)."""
NOTED_TABLE = "mentoring_commands_noted"
"""Each aggregate's version up to which every link keeps its event's command id: links
after it without one are read to find a command (see :meth:`ChainedRecorder.command_versions`)."""
SQLITE_SYNCHRONOUS_FULL = 2
RECORDED_AT_KWARG = "chain_recorded_at"
"""``insert_events`` keyword: recording times to use instead of now (for imports)."""
ENCODINGS_KWARG = "chain_encodings"
"""``insert_events`` keyword: each event's link encoding instead of :data:`ENCODING`
(an import re-creating links of an older encoding)."""
POSITIONS_KWARG = "chain_positions"
"""``insert_events`` keyword: the notification ids to store the events at, ascending,
instead of the next ones (an import into an empty store keeping the source's log)."""
COMMAND_IDS_KWARG = "chain_command_ids"
"""``insert_events`` keyword: the id of the command that recorded each event, kept beside
its link so that a command is found by its id without reading its aggregate's history
(:meth:`ChainedRecorder.command_versions`). None for an event whose command is not
known (an import's records: it reads no event)."""
READ_VERSIONS_KWARG = "chain_read_versions"
"""``insert_events`` keyword: the aggregates the decision read and does not write, each
at the version it read (0: none stored), as ``{aggregate id: version}``. Each recorder
checks them with its write lock held (:func:`check_read_versions`), so that a rule
joining two aggregates (a withdrawal and the meetings the person attended) holds against
a writer who stored a change to the one read while the decision was being made."""
NO_COMMAND = UUID(int=0)
"""Kept as an event's command id when the event, read, named none (recorded before
events carried one): it is not read again to find a command."""

Link = tuple[int, int, UUID, int, str, str, int]
"""A new link as the recorders store it: (sequence, notification_id, aggregate_id,
version, recorded_at, hash, encoding)."""
_RECORD = "originator_id, originator_version, topic, state"
"""The columns of a stored record, as eventsourcing reads them."""

RecordHead = tuple[int, Any, int, str]
"""A stored record without its state: (notification id, aggregate id as the store holds
it (a UUID, or a SQLite store's text), version, topic)."""
AggregateSpan = tuple[UUID, int, int, int, int, str]
"""An aggregate's records as :meth:`ChainedRecorder.select_spans` counts them: (its id,
the position in the log of its first record, how many it has, its lowest version, its
highest version, its first record's topic)."""
Head = Callable[[tuple[UUID, int] | None], tuple[tuple[int, str, int] | None, str | None]]
"""``head(before)``: the last link's (sequence, hash, encoding) and the hash of the link
of ``before`` (an aggregate id and version; None: nothing to look up), in one statement."""


@attrs.frozen(kw_only=True)
class ChainRow:
    """A chain link as stored, with the event found at its notification id (if any)."""

    sequence: int
    notification_id: int
    aggregate_id: UUID
    version: int
    recorded_at: str
    hash: str
    encoding: int
    """The encoding its hash uses (see :mod:`.chain`)."""
    event: StoredEvent | None
    """The stored event now at ``notification_id``; None if it is gone."""


@attrs.frozen(kw_only=True)
class DamagedRow:
    """A chain link, or the event at its position, whose stored values the recorder
    could not have written: a wrong type or storage class, a NULL, an id not in the
    one form readers look it up by, a hash or time not in the chain's form."""

    sequence: int
    notification_id: int | None
    detail: str
    """What is wrong, naming the column and the value found."""


@attrs.frozen
class Misstored:
    """A command id kept beside a link, or a noted version, stored in a form the library
    never writes (:meth:`ChainedRecorder.kept_commands`, :meth:`ChainedRecorder.noted_version`):
    the service's lookups compare the stored value in the store's own terms, so it may hide
    a command from its retry; ``audit verify`` names it."""

    found: str
    """The value as found, as Python shows it."""
    written: str
    """How the recorder writes such a value."""


def _int(value: Any) -> int | None:
    return value if type(value) is int else None


def chain_row(
    values: Sequence[Any], canonical_id: Callable[[Any], UUID | None]
) -> ChainRow | DamagedRow:
    """A link and its event from the values a store read, checked as the recorders write them.

    ``values``: the link's sequence, notification_id, originator_id, originator_version,
    recorded_at, hash and encoding, then the event's position (None if no event is
    there), originator_id, originator_version, topic and state. ``canonical_id`` gives
    the UUID of an id value stored in the one form readers query it by, else None.
    """
    sequence, position, k_id, k_version, recorded_at, hash_, encoding = values[:7]
    e_position, e_id, e_version, topic, state = values[7:]
    notification_id = _int(position)
    aggregate_id = canonical_id(k_id)
    event_id = aggregate_id if e_id == k_id else canonical_id(e_id)  # read once, mostly
    checks = (
        (notification_id is not None and notification_id > 0, "link notification_id", position),
        (aggregate_id is not None, "link originator_id", k_id),
        ((_int(k_version) or 0) > 0, "link originator_version", k_version),
        (
            isinstance(recorded_at, str) and parse_canonical_time(recorded_at) is not None,
            "link recorded_at",
            recorded_at,
        ),
        (is_hash(hash_), "link hash", hash_),
        (_int(encoding) in DOMAIN_TAGS, "link encoding", encoding),
        (e_position is None or event_id is not None, "event originator_id", e_id),
        (e_position is None or (_int(e_version) or 0) > 0, "event originator_version", e_version),
        (e_position is None or isinstance(topic, str), "event topic", topic),
        (e_position is None or isinstance(state, bytes), "event state", state),
    )
    for sound, column, value in checks:
        if not sound:
            shown = repr(value if not isinstance(value, str | bytes) else value[:80])
            return DamagedRow(
                sequence=sequence,
                notification_id=notification_id,
                detail=f"its {column} is {shown} ({type(value).__name__}): not as the "
                "library writes it",
            )
    return ChainRow(
        sequence=sequence,
        notification_id=position,
        aggregate_id=cast(UUID, aggregate_id),
        version=k_version,
        recorded_at=recorded_at,
        hash=hash_,
        encoding=encoding,
        event=None
        if e_position is None
        else StoredEvent(
            originator_id=cast(UUID, event_id),
            originator_version=e_version,
            topic=topic,
            state=state,
        ),
    )


class ChainedRecorder(ApplicationRecorder, ABC):
    """An eventsourcing application recorder that also writes the hash chain.

    Every store's recorder is one (see :class:`mentoring_core.store.Store`): the
    verifier, the export and the import read the chain through these methods.
    """

    checks_read_versions: ClassVar[bool] = False
    """True for a recorder whose ``insert_events`` calls :func:`check_read_versions` with
    its write lock held, said by the class that defines that ``insert_events`` (a
    subclass that overrides it says so again: :func:`says_it_checks_read_versions`). A
    store whose recorder does not say so is refused: a rule that joins two aggregates (a
    withdrawal and the meetings the person attended, say) would otherwise not hold
    against two writers, and nothing would tell."""

    @abstractmethod
    def select_chain(self, after_sequence: int, limit: int) -> Sequence[ChainRow | DamagedRow]:
        """Up to ``limit`` links after ``after_sequence``, in order, each with its event
        (read with :func:`chain_row`: a link or event stored in a form the library never
        writes comes back as a :class:`DamagedRow`)."""

    @abstractmethod
    def select_stray_links(self, limit: int) -> Sequence[ChainRow | DamagedRow]:
        """Up to ``limit`` links numbered below 1, lowest first, each with its event (read
        as :meth:`select_chain` reads them): the recorders number links from 1, so such a
        link was written around the library, and a walk from 1 never reaches it."""

    @abstractmethod
    def select_unchained(self, limit: int) -> Sequence[tuple[int, StoredEvent]]:
        """Stored events (with notification ids) that no chain link numbered from 1
        covers: a link below 1 (:meth:`select_stray_links`) covers nothing."""

    @abstractmethod
    def last_link(self) -> tuple[int, str] | None:
        """The last link's sequence and hash, or None for an empty chain."""

    def select_heads(self, after: int, limit: int) -> Sequence[RecordHead]:
        """Up to ``limit`` stored records after notification id ``after``, in log order,
        without their states (see :data:`RecordHead`): for a pass over the whole log that
        reads no event, such as the first of :func:`mentoring_core.audit.replay`.

        This default reads the whole records; the library's recorders read only these
        columns (a fifth of the cost of a whole record on SQLite)."""
        return [
            (n.id, n.originator_id, n.originator_version, n.topic)
            for n in self.select_notifications(after, limit, inclusive_of_start=False)
        ]

    def select_spans(self) -> Sequence[AggregateSpan] | None:
        """Every aggregate's :data:`AggregateSpan`, in the order of their first records,
        counted by the database in one statement (on SQLite over its index of aggregates
        and versions: about a tenth of the cost of reading the heads of the whole log):
        for the first pass of :func:`mentoring_core.audit.replay`, whose second then
        reads each aggregate with :meth:`select_placed`. None where the records cannot be counted
        so: an aggregate id or a version stored in a form the library never writes (a record
        stored around it, which the replay's pass over the whole log, :meth:`select_heads`,
        then names). This default counts none: the replay reads the heads of the whole log."""
        return None

    def select_placed(
        self, originator_id: UUID, *, gt: int | None, limit: int
    ) -> Sequence[Notification]:
        """Up to ``limit`` of the records of ``originator_id`` after version ``gt`` (None:
        from the first), in the order of their versions, each with its position in the log
        (its notification id): what ``select_events`` gives, placed. A recorder reads
        them where its :meth:`select_spans` counts the aggregates; this default (for one
        that counts none) is never called."""
        raise NotImplementedError(f"{type(self).__name__} counts no spans: no placed reads")

    def command_versions(
        self, aggregate_id: UUID, command_id: UUID, after: int
    ) -> tuple[list[int], list[int]]:
        """The versions after ``after`` of ``aggregate_id``'s events whose links name
        ``command_id``, and those of its events whose command is not known (stored
        without :data:`COMMAND_IDS_KWARG`: by a command the service gave its id, an
        import, or before command ids were kept) and not yet noted: both ascending. The
        events must be read to confirm the first (the command id beside a link is outside
        its hash) and to find the command of the others (:meth:`note_commands` then
        keeps it, so that each is read once).

        This default knows no command: every version after ``after`` is the second kind,
        up to the aggregate's last; the library's recorders look the id up in an index,
        and the links without one after the version noted (:data:`NOTED_TABLE`) by their
        own key."""
        last = self.select_events(aggregate_id, desc=True, limit=1)
        end = last[0].originator_version if last else after
        return [], list(range(after + 1, end + 1))

    def note_commands(self, aggregate_id: UUID, command_ids: Mapping[int, UUID]) -> None:
        """Keep each event's command id, by version, beside the link of the event of
        ``aggregate_id`` at that version, where none is kept yet (:data:`NO_COMMAND` for
        an event that names none), and note that every link up to the highest of those
        versions keeps one: ``command_ids`` holds every version
        :meth:`command_versions` gave as not known, up to it. This default keeps nothing."""
        return None

    def kept_commands(self, aggregate_id: UUID) -> Mapping[int, UUID | Misstored]:
        """The command ids kept beside the links of ``aggregate_id``'s events, by version
        (a version whose command is not known is left out): what ``audit verify``
        compares with the events; one stored in a form the recorder never writes is a
        :class:`Misstored`. This default keeps none."""
        return {}

    def noted_version(self, aggregate_id: UUID) -> int | Misstored:
        """The version up to which every link of ``aggregate_id`` keeps its event's
        command id (:meth:`note_commands`): a link at or below it without one was changed
        around the library, and ``audit verify`` names it, as it names a noted version
        stored in a form the recorder never writes (a :class:`Misstored`). This default
        notes none: 0."""
        return 0

    def link_of(self, aggregate_id: UUID, version: int) -> str | None:
        """The hash of the link of ``aggregate_id`` at ``version``, or None if there is none.

        This default walks the chain; the library's recorders look the link up by its key.
        """
        after = 0
        while rows := self.select_chain(after, 1000):
            for row in rows:
                if isinstance(row, ChainRow) and (row.aggregate_id, row.version) == (
                    aggregate_id,
                    version,
                ):
                    return row.hash
            after = rows[-1].sequence
        return None


_R = TypeVar("_R", StoredEvent, Notification)
_NEW = object.__new__


def _stored_record(cls: type[_R], **fields: Any) -> _R:
    """An eventsourcing record (``StoredEvent``, or a ``Notification`` with its ``id``)
    holding ``fields``, made as pickle makes one: its fields set in its ``__dict__``.

    Why not its ``__init__``: the records are frozen dataclasses, whose ``__init__`` sets
    each field through ``object.__setattr__`` (0.77 against 0.32 microseconds a record
    here), and every replay, report and projection reads one per event. The records are
    equal to those eventsourcing's own reads give, field for field, whichever version of
    eventsourcing is installed: a contract test compares the two reads on every store
    (``tests/contract/test_chain_recorders.py``)."""
    record = _NEW(cls)
    record.__dict__.update(fields)
    return record


def log_page_filter(
    mark: str,
    position: str,
    start: int | None,
    stop: int | None,
    topics: Sequence[str],
    inclusive_of_start: bool,
    *,
    topics_as_array: bool = False,
) -> tuple[str, list[Any]]:
    """The ``WHERE`` clause (empty, or ending in a space) of a page of the log as
    eventsourcing's ``select_notifications`` selects it, and its parameters; ``mark`` is
    the driver's placeholder, ``position`` the column of notification ids.
    ``topics_as_array``: the topics as one parameter, ``topic = ANY(...)``, as
    eventsourcing asks PostgreSQL (any number of topics, where a parameter each would stop
    at the driver's limit); else a parameter each, ``topic IN (...)``, as it asks SQLite."""
    conditions: list[str] = []
    params: list[Any] = []
    if start is not None:
        conditions.append(f"{position}{'>=' if inclusive_of_start else '>'}{mark}")
        params.append(start)
    if stop is not None:
        conditions.append(f"{position}<={mark}")
        params.append(stop)
    if topics and topics_as_array:
        conditions.append(f"topic = ANY({mark})")
        params.append(list(topics))
    elif topics:
        conditions.append(f"topic IN ({','.join([mark] * len(topics))})")
        params.extend(topics)
    return (f"WHERE {' AND '.join(conditions)} " if conditions else ""), params


def versions_filter(
    mark: str, gt: int | None, lte: int | None, desc: bool, limit: int | None
) -> tuple[str, list[Any]]:
    """What follows ``WHERE originator_id=<mark> `` in eventsourcing's ``select_events``
    (versions, order and limit, ending in a space), and its parameters."""
    clause = ""
    params: list[Any] = []
    if gt is not None:
        clause += f"AND originator_version>{mark} "
        params.append(gt)
    if lte is not None:
        clause += f"AND originator_version<={mark} "
        params.append(lte)
    clause += f"ORDER BY originator_version {'DESC' if desc else 'ASC'} "
    if limit is not None:
        clause += f"LIMIT {mark} "
        params.append(limit)
    return clause, params


def notifications_of(rows: Sequence[Any], convert: Callable[[Any], Any]) -> list[Notification]:
    """The log's records from rows of (notification id, aggregate id as stored, version,
    topic, state), each id given to ``convert`` (the recorder's ``convert_originator_id``)."""
    return [
        _stored_record(
            Notification,
            originator_id=convert(stored_id),
            originator_version=version,
            topic=topic,
            state=state,
            id=position,
        )
        for position, stored_id, version, topic, state in rows
    ]


def events_of(rows: Sequence[Any], convert: Callable[[Any], Any]) -> list[StoredEvent]:
    """An aggregate's records from rows of (aggregate id as stored, version, topic, state)."""
    return [
        _stored_record(
            StoredEvent,
            originator_id=convert(stored_id),
            originator_version=version,
            topic=topic,
            state=state,
        )
        for stored_id, version, topic, state in rows
    ]


def spans_of(
    rows: Sequence[Any], aggregate_id: Callable[[Any], UUID | None]
) -> list[AggregateSpan] | None:
    """The :data:`AggregateSpan` of each row of (aggregate id as stored, first position,
    count, lowest version, highest version, first topic), ``aggregate_id`` giving the id
    of a stored one (None for one stored in a form the recorder never writes); None if
    any id is, or a number or the first topic is not of the type the library writes (see
    :meth:`ChainedRecorder.select_spans`; a version of another type between two whole
    ones passes MIN and MAX: a recorder whose columns take any type checks each)."""
    spans: list[AggregateSpan] = []
    for stored_id, first, count, lowest, highest, topic in rows:
        found = aggregate_id(stored_id)
        numbers = (first, count, lowest, highest)
        if found is None or any(type(n) is not int for n in numbers) or type(topic) is not str:
            return None
        spans.append((found, first, count, lowest, highest, topic))
    return spans


def loose_event(originator_id: Any, version: Any, topic: Any, state: Any) -> StoredEvent:
    """An event stored around the library, as found, for naming it: values of a wrong
    type are shown as text rather than refused (it is reported, never read)."""
    try:
        aggregate_id: UUID | str = (
            originator_id if isinstance(originator_id, UUID) else UUID(str(originator_id))
        )
    except ValueError:
        aggregate_id = repr(originator_id)
    return StoredEvent(
        originator_id=aggregate_id,
        originator_version=version if type(version) is int else 0,
        topic=topic if isinstance(topic, str) else repr(topic),
        state=state if isinstance(state, bytes) else repr(state).encode(),
    )


def as_uuid(value: Any) -> UUID:
    """An id as a UUID: itself if it is one (as :meth:`ChainLinker.admit` gives them, and
    the memory and PostgreSQL recorders give them back), else parsed from its text (as
    a SQLite recorder may give it)."""
    return value if type(value) is UUID else UUID(str(value))


def record_uuid(stored_id: Any, version: Any, topic: Any) -> UUID:
    """The aggregate id of a record read from the log, as a UUID; a ``StoredEventError``
    naming the record if its id is not one (a record stored around the library, which
    ``audit verify`` names as damaged): a reader stops there with that error, not with an
    error it cannot explain."""
    try:
        return as_uuid(stored_id)
    except ValueError:
        raise StoredEventError(
            repr(stored_id),
            version,
            topic,
            "its aggregate id is not a UUID (it was stored around the library: "
            "audit verify names the record)",
        ) from None


def record_aggregate_id(record: StoredEvent) -> UUID:
    """The aggregate id of a whole record read from the log (see :func:`record_uuid`)."""
    return record_uuid(record.originator_id, record.originator_version, record.topic)


def given_command_ids(count: int, **kwargs: Any) -> Sequence[UUID | None]:
    """The command id of each of ``count`` events an ``insert_events`` call was given
    (:data:`COMMAND_IDS_KWARG`; None for each when it gives none); :meth:`ChainLinker.admit`
    checked their number."""
    given: Sequence[UUID | None] | None = kwargs.get(COMMAND_IDS_KWARG)
    return [None] * count if given is None else given


def says_it_checks_read_versions(recorder_type: type[ChainedRecorder]) -> bool:
    """Whether ``recorder_type`` says it checks the versions a decision read
    (:attr:`ChainedRecorder.checks_read_versions`), and the class defining its
    ``insert_events`` says so itself: a subclass that overrides the ``insert_events`` of a
    recorder that says so, and says nothing itself, does not (its ``insert_events`` may
    not call :func:`check_read_versions`)."""
    owner = next(cls for cls in recorder_type.__mro__ if "insert_events" in vars(cls))
    return (
        recorder_type.checks_read_versions is True
        and vars(owner).get("checks_read_versions") is True
    )


class ReadVersionMoved(Exception):
    """An aggregate the decision read (:data:`READ_VERSIONS_KWARG`) moved on before its
    events were stored: nothing was stored."""

    def __init__(self, aggregate_id: UUID, read: int, stored: int) -> None:
        self.aggregate_id = aggregate_id
        self.read = read
        self.stored = stored
        super().__init__(
            f"aggregate {aggregate_id} was read at version {read} and is now at {stored}"
        )


def check_read_versions(
    last_versions: Callable[[list[UUID]], Mapping[UUID, int]], **kwargs: Any
) -> None:
    """Raise :class:`ReadVersionMoved` for the first aggregate of
    :data:`READ_VERSIONS_KWARG` no longer at the version read; ``last_versions(ids)``
    gives each stored one's last version, read with the store's write lock held."""
    read: Mapping[UUID, int] | None = kwargs.get(READ_VERSIONS_KWARG)
    if not read:
        return
    stored = last_versions(list(read))
    for aggregate_id, version in read.items():
        now = stored.get(aggregate_id, 0)
        if now != version:
            raise ReadVersionMoved(aggregate_id, version, now)


def _refuse(event: StoredEvent, reason: str) -> StoreConfigurationError:
    return StoreConfigurationError(
        f"the store refuses {event.topic!r} of aggregate {event.originator_id!s} at version "
        f"{event.originator_version!r}: {reason}; nothing was stored"
    )


class ChainLinker:
    """Computes the links of a batch of newly stored events, refusing what would bypass
    or break the chain. Every recorder, and the import's check, goes through it.

    ``last`` gives the last link's (sequence, hash, encoding); ``aggregate_hash`` the
    hash of an aggregate's link at a version, or None. Both read inside the writing
    transaction.
    """

    def __init__(
        self,
        last: Callable[[], tuple[int, str, int] | None],
        aggregate_hash: Callable[[UUID, int], str | None],
    ) -> None:
        self._last = last
        self._aggregate_hash = aggregate_hash

    @classmethod
    def from_head(
        cls,
        admitted: Sequence[StoredEvent],
        head: Head,
        aggregate_hash: Callable[[UUID, int], str | None],
    ) -> ChainLinker:
        """A linker whose first two reads, the last link and the link of the version
        before the batch's first event (all a one-event command needs), are one
        statement of the store, ``head``; any further link is read by ``aggregate_hash``.
        ``admitted``: the batch as :meth:`admit` gave it."""
        before = ChainLinker.head_key(admitted)
        last, found = head(before)

        def known_hash(aggregate_id: UUID, version: int) -> str | None:
            if (aggregate_id, version) == before:
                return found
            return aggregate_hash(aggregate_id, version)

        return cls(lambda: last, known_hash)

    @staticmethod
    def head_key(admitted: Sequence[StoredEvent]) -> tuple[UUID, int] | None:
        """What :meth:`from_head` asks ``head`` to look up for ``admitted``: the aggregate
        and version before the batch's first event, or None (a first version)."""
        first = admitted[0] if admitted else None
        if first is None or first.originator_version <= 1:
            return None
        return cast(UUID, first.originator_id), first.originator_version - 1

    @staticmethod
    def admit(stored: Sequence[StoredEvent], **kwargs: Any) -> list[StoredEvent]:
        """The events to store, each id as a :class:`~uuid.UUID` (written in its one
        canonical form); raises :class:`StoreConfigurationError` for an id that is not
        a UUID, a version below 1, or ``insert_events`` keywords that do not fit the batch.
        """
        admitted = []
        for event in stored:
            version = event.originator_version
            if type(version) is not int or version < 1:
                raise _refuse(event, "versions are whole numbers from 1")
            try:
                aggregate_id = (
                    event.originator_id
                    if isinstance(event.originator_id, UUID)
                    else UUID(event.originator_id)
                )
            except (TypeError, ValueError, AttributeError):
                raise _refuse(event, "an aggregate id must be a UUID") from None
            admitted.append(
                StoredEvent(
                    originator_id=aggregate_id,
                    originator_version=version,
                    topic=event.topic,
                    state=event.state,
                )
            )
        for name in (RECORDED_AT_KWARG, ENCODINGS_KWARG, POSITIONS_KWARG, COMMAND_IDS_KWARG):
            given = kwargs.get(name)
            if given is not None and len(given) != len(stored):
                raise StoreConfigurationError(
                    f"insert_events: {name} holds {len(given)} values for {len(stored)} events"
                )
        positions = kwargs.get(POSITIONS_KWARG)
        if positions is not None and not all(
            type(p) is int and 0 < p < q
            for p, q in zip(positions, [*positions[1:], 2**63], strict=True)
        ):
            raise StoreConfigurationError(f"insert_events: {POSITIONS_KWARG} must ascend from 1")
        return admitted

    def links(
        self, stored: Sequence[StoredEvent], notification_ids: Sequence[int], **kwargs: Any
    ) -> list[Link]:
        """The new links, in the batch's order.

        Raises :class:`StoreConfigurationError` (and the recorder stores nothing) for a
        version whose previous version has no link (never stored, or its link was
        removed: the store is damaged), or a link of an older encoding than the last.
        """
        times: Sequence[datetime] | None = kwargs.get(RECORDED_AT_KWARG)
        encodings: Sequence[int] = kwargs.get(ENCODINGS_KWARG) or [ENCODING] * len(stored)
        now = datetime.now(UTC)
        last = self._last()
        sequence, previous, newest = last if last is not None else (0, GENESIS, 1)
        in_batch: dict[tuple[UUID, int], str] = {}
        rows: list[Link] = []
        for i, (event, notification_id) in enumerate(zip(stored, notification_ids, strict=True)):
            sequence += 1
            aggregate_id = as_uuid(event.originator_id)
            version, encoding = event.originator_version, encodings[i]
            aggregate_previous = self._aggregate_previous(event, aggregate_id, in_batch)
            if encoding not in DOMAIN_TAGS or encoding < newest:
                raise _refuse(
                    event,
                    f"its link would use encoding {encoding!r} after a link of encoding "
                    f"{newest}: encodings may only rise along the chain",
                )
            newest = encoding
            recorded_at = canonical_time(times[i] if times is not None else now)
            record = Record(
                sequence=sequence,
                notification_id=notification_id,
                aggregate_id=aggregate_id,
                version=version,
                topic=event.topic,
                state=event.state,
                recorded_at=recorded_at,
            )
            previous = link_hash(record, previous, aggregate_previous, encoding)
            in_batch[(aggregate_id, version)] = previous
            rows.append(
                (sequence, notification_id, aggregate_id, version, recorded_at, previous, encoding)
            )
        return rows

    def _aggregate_previous(
        self, event: StoredEvent, aggregate_id: UUID, in_batch: dict[tuple[UUID, int], str]
    ) -> str:
        """The hash of the aggregate's link for the version before ``event``'s."""
        version = event.originator_version
        if version == 1:
            return GENESIS
        before = (aggregate_id, version - 1)
        found = in_batch.get(before) or self._aggregate_hash(*before)
        if found is None:
            raise _refuse(
                event,
                f"version {version - 1} of that aggregate has no chain link: either it was "
                "never stored (versions must follow one another) or its link was removed, "
                "and then the store is damaged: run 'mentoring audit verify'",
            )
        return found


# --- memory --------------------------------------------------------------------------


def _uuid_object(value: Any) -> UUID | None:
    """An id as the memory and PostgreSQL stores hold it: a UUID object, never text."""
    return value if isinstance(value, UUID) else None


class ChainedPOPOApplicationRecorder(POPOApplicationRecorder, ChainedRecorder):
    """The in-memory recorder, with its chain kept beside the events.

    eventsourcing's own lock is private, so the chain has a lock of its own, held
    around the whole public ``insert_events``: a batch's events and its links go in
    together, in notification order, and readers of the chain (which take the same
    lock) never see events without their links or links without their events. The
    links are computed before the events are stored (the ids a memory store gives
    are the next ones), so a refused batch leaves nothing behind.
    """

    checks_read_versions = True

    def __init__(self) -> None:
        super().__init__()
        self.chain: list[Link] = []
        self._chain_lock = RLock()
        self._by_aggregate: dict[tuple[UUID, int], str] = {}
        self._linker = ChainLinker(self._last, lambda a, v: self._by_aggregate.get((a, v)))
        self._unknown: dict[UUID, set[int]] = {}
        """The versions of each aggregate's events whose command is not known."""
        self._kept: dict[UUID, dict[int, UUID]] = {}
        """Each aggregate's command ids, by version."""

    def insert_events(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        with self._chain_lock:
            admitted = ChainLinker.admit(stored_events, **kwargs)
            first = (self.max_notification_id() or 0) + 1
            expected = list(range(first, first + len(admitted)))
            positions = kwargs.get(POSITIONS_KWARG)
            if positions is not None and list(positions) != expected:
                raise StoreConfigurationError(
                    f"a memory store numbers its events {first}, {first + 1}...; it cannot "
                    f"store them at notification ids {positions[0]}... as asked"
                )
            rows = self._linker.links(admitted, expected, **kwargs)
            check_read_versions(self._last_versions, **kwargs)
            ids = super().insert_events(admitted)
            assert ids is not None and list(ids) == expected
            for row in rows:
                self.chain.append(row)
                self._by_aggregate[(row[2], row[3])] = row[5]
            for event, command_id in zip(
                admitted, given_command_ids(len(admitted), **kwargs), strict=True
            ):
                aggregate_id = cast(UUID, event.originator_id)
                if command_id is None:
                    self._unknown.setdefault(aggregate_id, set()).add(event.originator_version)
                else:
                    self._keep(aggregate_id, event.originator_version, command_id)
            return ids

    def _last_versions(self, aggregate_ids: list[UUID]) -> dict[UUID, int]:
        found = ((a, self.select_events(a, desc=True, limit=1)) for a in aggregate_ids)
        return {a: last[0].originator_version for a, last in found if last}

    def _keep(self, aggregate_id: UUID, version: int, command_id: UUID) -> None:
        self._kept.setdefault(aggregate_id, {})[version] = command_id

    def kept_commands(self, aggregate_id: UUID) -> dict[int, UUID]:
        with self._chain_lock:
            return dict(self._kept.get(aggregate_id, {}))

    def command_versions(
        self, aggregate_id: UUID, command_id: UUID, after: int
    ) -> tuple[list[int], list[int]]:
        with self._chain_lock:
            kept = self._kept.get(aggregate_id, {})  # a memory store's: no index to keep
            return (
                sorted(v for v, c in kept.items() if c == command_id and v > after),
                sorted(v for v in self._unknown.get(aggregate_id, ()) if v > after),
            )

    def note_commands(self, aggregate_id: UUID, command_ids: Mapping[int, UUID]) -> None:
        with self._chain_lock:
            unknown = self._unknown.get(aggregate_id, set())
            for version, command_id in command_ids.items():
                if version in unknown:
                    unknown.discard(version)
                    self._keep(aggregate_id, version, command_id)

    def _last(self) -> tuple[int, str, int] | None:
        return (self.chain[-1][0], self.chain[-1][5], self.chain[-1][6]) if self.chain else None

    def last_link(self) -> tuple[int, str] | None:
        with self._chain_lock:
            return (self.chain[-1][0], self.chain[-1][5]) if self.chain else None

    def link_of(self, aggregate_id: UUID, version: int) -> str | None:
        with self._chain_lock:
            return self._by_aggregate.get((aggregate_id, version))

    def select_chain(self, after_sequence: int, limit: int) -> Sequence[ChainRow | DamagedRow]:
        with self._chain_lock:
            return [
                chain_row((s, n, a, v, t, h, e, *self._event_at(n)), _uuid_object)
                for s, n, a, v, t, h, e in self.chain[after_sequence : after_sequence + limit]
            ]

    def select_stray_links(self, limit: int) -> Sequence[ChainRow | DamagedRow]:
        with self._chain_lock:
            stray = sorted(link for link in self.chain if link[0] < 1)[:limit]
            return [chain_row((*link, *self._event_at(link[1])), _uuid_object) for link in stray]

    def _event_at(self, notification_id: int) -> tuple[Any, ...]:
        found = self.select_notifications(notification_id, 1)
        if not found or found[0].id != notification_id:
            return (None,) * 5
        event = found[0]
        return (
            event.id,
            event.originator_id,
            event.originator_version,
            event.topic,
            event.state,
        )

    def select_unchained(self, limit: int) -> Sequence[tuple[int, StoredEvent]]:
        with self._chain_lock:
            chained = {row[1] for row in self.chain if row[0] >= 1}
            found = []
            for n in self.select_notifications(1, len(chained) + limit + 1):
                if n.id not in chained:
                    found.append((n.id, n))
            return found[:limit]


class ChainedPOPOFactory(POPOFactory):
    """``memory://`` stores: eventsourcing's POPO persistence with the chained recorder."""

    def application_recorder(self) -> ApplicationRecorder:
        return ChainedPOPOApplicationRecorder()


# --- SQLite --------------------------------------------------------------------------


@contextmanager
def _reading(datastore: SQLiteDatastore) -> Iterator[SQLiteCursor]:
    """A cursor for one ``SELECT``, on a reader connection of ``datastore``'s pool (as
    eventsourcing's reads take one), giving its rows as tuples, with no transaction begun.

    eventsourcing reads between ``BEGIN`` and ``ROLLBACK``; its connections run in
    autocommit mode, where a lone ``SELECT`` is a read transaction of its own and sees
    one state of the store all the same: the pair only adds two statements, two thirds
    of the time of reading a cached aggregate's new events, as every command does. Rows
    as tuples: eventsourcing's connections give ``sqlite3.Row`` objects (read by name),
    which cost more to make, and then to turn into tuples, than the tuples themselves.
    sqlite3's errors are raised as eventsourcing's transactions raise them."""
    with datastore.get_connection(commit=False) as connection:
        cursor = connection.cursor()
        cursor.sqlite_cursor.row_factory = None
        try:
            yield cursor
        except sqlite3.Error as error:
            # eventsourcing's own translation into its PersistenceError classes (the
            # rollback it does first has nothing to roll back: no transaction was begun)
            SQLiteTransaction(connection, commit=False).__exit__(
                type(error), error, error.__traceback__
            )
            raise
        finally:
            cursor.sqlite_cursor.close()


_HEX_ID = re.compile("[0-9a-f]{32}")


_LINK_COLUMNS = "sequence, notification_id, originator_id, originator_version, recorded_at, hash"


def _last_versions(c: SQLiteCursor, aggregate_ids: list[UUID]) -> dict[UUID, int]:
    """Each of ``aggregate_ids`` stored, with its last version, read on ``c``."""
    found: dict[UUID, int] = {}
    for start in range(0, len(aggregate_ids), 500):  # bound each statement's parameters
        chunk = [a.hex for a in aggregate_ids[start : start + 500]]
        c.execute(
            f"SELECT originator_id, max(originator_version) FROM {CHAIN_TABLE} "
            f"WHERE originator_id IN ({','.join('?' * len(chunk))}) GROUP BY originator_id",
            chunk,
        )
        found.update((UUID(hex=a), v) for a, v in c.fetchall())
    return found


def _write_links(c: SQLiteCursor, rows: list[Link], commands: Sequence[UUID | None] | None) -> None:
    """Store the new links ``rows``, each with the id of the command that recorded its
    event (None: not known); none given (a command the service gave its id), the link is
    written as before the column existed (0.8 % of such a command's instructions less)."""
    if commands is None:
        c.executemany(
            f"INSERT INTO {CHAIN_TABLE} ({_LINK_COLUMNS}, encoding) VALUES (?,?,?,?,?,?,?)",
            [(s, n, a.hex, v, t, h, e) for s, n, a, v, t, h, e in rows],
        )
        return
    c.executemany(
        f"INSERT INTO {CHAIN_TABLE} ({_LINK_COLUMNS}, encoding, command_id) "
        "VALUES (?,?,?,?,?,?,?,?)",
        [
            (s, n, a.hex, v, t, h, e, None if command is None else command.hex)
            for (s, n, a, v, t, h, e), command in zip(rows, commands, strict=True)
        ],
    )


def _as_command_id(value: Any) -> UUID | Misstored:
    """A command id kept in a SQLite store: 32 lower-case hex digits, the text the
    service's lookup compares (:meth:`ChainedSQLiteApplicationRecorder.command_versions`);
    any other value, even another text of the same UUID, is :class:`Misstored`."""
    found = _hex_text(value)
    return Misstored(repr(value), "32 lower-case hex digits") if found is None else found


def _as_noted_version(value: Any) -> int | Misstored:
    """A noted version kept in a SQLite store: an integer, as SQL compares it with the
    versions (a BLOB or a text is above every number there, whatever it reads as)."""
    return value if type(value) is int else Misstored(repr(value), "an integer")


def _hex_text(value: Any) -> UUID | None:
    """An id as the SQLite store holds it: exactly 32 lower-case hex digits (``uuid.hex``),
    the text eventsourcing's readers look it up by; any other text of the same UUID hides
    the event from them."""
    if not isinstance(value, str) or _HEX_ID.fullmatch(value) is None:
        return None
    return UUID(hex=value)


class ChainedSQLiteApplicationRecorder(SQLiteApplicationRecorder, ChainedRecorder):
    """eventsourcing's SQLite recorder, writing chain links in the events' transaction.

    On a file it refuses to run unless the journal is WAL and ``synchronous`` is FULL
    (or EXTRA): a committed command must survive a crash or a power cut.
    """

    checks_read_versions = True

    _last_converted: tuple[Any, Any] = (None, None)
    """The last stored id converted to a UUID (always text), and the UUID; a NULL, as
    found, is None."""

    def convert_originator_id(self, originator_id: Any) -> Any:
        """A stored id as a UUID; one stored around the library in a form that is not a
        UUID (any text, a NULL) as found, so that the record fails as a record, where it
        is decoded or its id read (:func:`record_uuid`), not the whole page it is in.

        The rows of one aggregate's events all hold its id, and an aggregate's events
        come in runs in the log: the same text as the last one converted gives the same
        value again, unparsed (a third of the time of reading an aggregate's events). The
        pair is replaced whole, so threads sharing the recorder each read a matching one."""
        seen, converted = self._last_converted
        if originator_id == seen:
            return converted
        try:
            converted = super().convert_originator_id(originator_id)
        except (ValueError, TypeError, AttributeError):
            return originator_id
        self._last_converted = (originator_id, converted)
        return converted

    def create_table(self) -> None:
        super().create_table()
        self._upgrade_chain_table()
        if self.datastore.pool.is_sqlite_memory_mode:
            return
        with self.datastore.transaction(commit=False) as c:
            c.execute("PRAGMA journal_mode")
            journal = str(c.fetchone()[0]).lower()
            c.execute("PRAGMA synchronous")
            synchronous = int(c.fetchone()[0])
        if journal != "wal" or synchronous < SQLITE_SYNCHRONOUS_FULL:
            raise StoreConfigurationError(
                f"SQLite store {self.datastore.pool.db_name!r} runs with journal_mode={journal} "
                f"and synchronous={synchronous}; mentoring-core needs WAL and FULL (2) or more"
            )

    def _upgrade_chain_table(self) -> None:
        """Give a chain table made before link encodings its ``encoding`` column (its
        links are all encoding 1), and one made before command ids were kept beside the
        links its ``command_id`` column (its events' commands not known), the index that
        finds them and the table of noted versions. Only what is missing, in a write
        transaction that looks again, so two processes opening the store do it once; a
        read-only store is opened through a copy (see the CLI), never altered. The write
        transaction holds the write lock from its start (:func:`writing_transaction`):
        begun as eventsourcing begins one, a write after its reads was refused at once
        when another process had committed in between."""
        with self.datastore.transaction(commit=False) as c:
            if not self._chain_table_changes(c):
                return
        with writing_transaction(self.datastore) as c:
            for change in self._chain_table_changes(c):
                c.execute(change)

    def _chain_table_changes(self, c: SQLiteCursor) -> list[str]:
        """The statements that would bring the chain table to this version's columns and
        indexes (none: it has them)."""
        c.execute(f"SELECT name FROM pragma_table_info('{CHAIN_TABLE}')")
        columns = {row[0] for row in c.fetchall()}
        c.execute(
            "SELECT name FROM sqlite_master WHERE name IN (?, ?)", (COMMAND_INDEX, NOTED_TABLE)
        )
        made = {row[0] for row in c.fetchall()}
        changes = []
        if "encoding" not in columns:
            changes.append(
                f"ALTER TABLE {CHAIN_TABLE} ADD COLUMN encoding INTEGER NOT NULL DEFAULT 1"
            )
        if "command_id" not in columns:
            changes.append(f"ALTER TABLE {CHAIN_TABLE} ADD COLUMN command_id TEXT")
        if COMMAND_INDEX not in made:
            changes.append(
                f"CREATE INDEX IF NOT EXISTS {COMMAND_INDEX} ON {CHAIN_TABLE} "
                "(originator_id, command_id, originator_version) WHERE command_id IS NOT NULL"
            )
        if NOTED_TABLE not in made:
            changes.append(
                f"CREATE TABLE IF NOT EXISTS {NOTED_TABLE} (originator_id TEXT PRIMARY KEY, "
                "version INTEGER NOT NULL) WITHOUT ROWID"
            )
        return changes

    def construct_create_table_statements(self) -> list[str]:
        return [
            *super().construct_create_table_statements(),
            f"CREATE TABLE IF NOT EXISTS {CHAIN_TABLE} ("
            "sequence INTEGER PRIMARY KEY, "
            "notification_id INTEGER NOT NULL UNIQUE, "
            "originator_id TEXT NOT NULL, "
            "originator_version INTEGER NOT NULL, "
            "recorded_at TEXT NOT NULL, "
            "hash TEXT NOT NULL, "
            "encoding INTEGER NOT NULL DEFAULT 1, "
            "command_id TEXT, "
            "UNIQUE (originator_id, originator_version))",
        ]

    def insert_events(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        # eventsourcing's public insert_events opens and commits its own transaction, and
        # its per-cursor insert is private; the events and their links must commit
        # together, so this INSERT (into the table and columns eventsourcing creates) is
        # the project's own, in a write transaction taken through the datastore's public
        # transaction(). SQLite's single writer keeps rowids (notification ids) in commit
        # order; a clashing (originator_id, originator_version) raises IntegrityError and
        # rolls back events and links alike, as does a batch the linker refuses.
        admitted = ChainLinker.admit(stored_events, **kwargs)
        positions: Sequence[int | None] = kwargs.get(POSITIONS_KWARG) or [None] * len(admitted)
        with self.datastore.transaction(commit=True) as c:
            ids: list[int] = []
            for event, position in zip(admitted, positions, strict=True):
                c.execute(
                    f"INSERT INTO {self.events_table_name} "
                    "(rowid, originator_id, originator_version, topic, state) VALUES (?,?,?,?,?)",
                    (
                        position,
                        cast(UUID, event.originator_id).hex,
                        event.originator_version,
                        event.topic,
                        event.state,
                    ),
                )
                ids.append(int(c.lastrowid))

            def head(
                before: tuple[UUID, int] | None,
            ) -> tuple[tuple[int, str, int] | None, str | None]:
                c.execute(
                    f"SELECT sequence, hash, encoding, (SELECT hash FROM {CHAIN_TABLE} "
                    "WHERE originator_id=? AND originator_version=?) "
                    f"FROM {CHAIN_TABLE} ORDER BY sequence DESC LIMIT 1",
                    (None, None) if before is None else (before[0].hex, before[1]),
                )
                row = c.fetchone()
                return (None, None) if row is None else ((row[0], row[1], row[2]), row[3])

            def aggregate_hash(aggregate_id: UUID, version: int) -> str | None:
                c.execute(
                    f"SELECT hash FROM {CHAIN_TABLE} "
                    "WHERE originator_id=? AND originator_version=?",
                    (aggregate_id.hex, version),
                )
                row = c.fetchone()
                return None if row is None else str(row[0])

            # after the inserts: the write lock is held, and the reads see every commit
            check_read_versions(functools.partial(_last_versions, c), **kwargs)
            linker = ChainLinker.from_head(admitted, head, aggregate_hash)
            rows = linker.links(admitted, ids, **kwargs)
            _write_links(c, rows, kwargs.get(COMMAND_IDS_KWARG))
        return ids

    def command_versions(
        self, aggregate_id: UUID, command_id: UUID, after: int
    ) -> tuple[list[int], list[int]]:
        stored_id = aggregate_id.hex
        with _reading(self.datastore) as c:
            # the kept ids by their index; the links without one after the noted version
            # by the links' own key (those written since a command with an id last looked)
            c.execute(
                f"SELECT originator_version, 0 FROM {CHAIN_TABLE} INDEXED BY {COMMAND_INDEX} "
                "WHERE originator_id=? AND command_id=? AND originator_version > ? UNION ALL "
                f"SELECT originator_version, 1 FROM {CHAIN_TABLE} WHERE originator_id=? "
                "AND command_id IS NULL AND originator_version > max(?, coalesce((SELECT "
                f"version FROM {NOTED_TABLE} WHERE originator_id=?), 0)) ORDER BY 1",
                (stored_id, command_id.hex, after, stored_id, after, stored_id),
            )
            rows = c.fetchall()
        return [v for v, unknown in rows if not unknown], [v for v, unknown in rows if unknown]

    def kept_commands(self, aggregate_id: UUID) -> dict[int, UUID | Misstored]:
        with _reading(self.datastore) as c:
            c.execute(
                f"SELECT originator_version, command_id FROM {CHAIN_TABLE} "
                "WHERE originator_id=? AND command_id IS NOT NULL",
                (aggregate_id.hex,),
            )
            return {version: _as_command_id(text) for version, text in c.fetchall()}

    def noted_version(self, aggregate_id: UUID) -> int | Misstored:
        with _reading(self.datastore) as c:
            c.execute(
                f"SELECT version FROM {NOTED_TABLE} WHERE originator_id=?", (aggregate_id.hex,)
            )
            row = c.fetchone()
            return 0 if row is None else _as_noted_version(row[0])

    def note_commands(self, aggregate_id: UUID, command_ids: Mapping[int, UUID]) -> None:
        if not command_ids:
            return
        with self.datastore.transaction(commit=True) as c:
            c.executemany(
                f"UPDATE {CHAIN_TABLE} SET command_id=? "
                "WHERE originator_id=? AND originator_version=? AND command_id IS NULL",
                [(cid.hex, aggregate_id.hex, v) for v, cid in command_ids.items()],
            )
            c.execute(
                f"INSERT INTO {NOTED_TABLE} VALUES (?, ?) ON CONFLICT (originator_id) "
                "DO UPDATE SET version = max(version, excluded.version)",
                (aggregate_id.hex, max(command_ids)),
            )

    def last_link(self) -> tuple[int, str] | None:
        with _reading(self.datastore) as c:
            c.execute(f"SELECT sequence, hash FROM {CHAIN_TABLE} ORDER BY sequence DESC LIMIT 1")
            row = c.fetchone()
            return None if row is None else (row[0], row[1])

    def link_of(self, aggregate_id: UUID, version: int) -> str | None:
        with _reading(self.datastore) as c:
            c.execute(
                f"SELECT hash FROM {CHAIN_TABLE} WHERE originator_id=? AND originator_version=?",
                (aggregate_id.hex, version),
            )
            row = c.fetchone()
            return None if row is None else str(row[0])

    def select_chain(self, after_sequence: int, limit: int) -> Sequence[ChainRow | DamagedRow]:
        return self._links("k.sequence > ?", (after_sequence, limit))

    def select_stray_links(self, limit: int) -> Sequence[ChainRow | DamagedRow]:
        return self._links("k.sequence < 1", (limit,))

    def _links(self, where: str, params: tuple[int, ...]) -> list[ChainRow | DamagedRow]:
        """The links ``where`` holds (a condition on the link ``k``), in order, up to the
        limit that ends ``params``, each with its event."""
        with _reading(self.datastore) as c:
            c.execute(
                f"SELECT k.sequence, k.notification_id, k.originator_id, k.originator_version, "
                f"k.recorded_at, k.hash, k.encoding, e.rowid, e.originator_id, "
                f"e.originator_version, e.topic, e.state "
                f"FROM {CHAIN_TABLE} k LEFT JOIN {self.events_table_name} e "
                f"ON e.rowid = k.notification_id "
                f"WHERE {where} ORDER BY k.sequence LIMIT ?",
                params,
            )
            return [chain_row(row, _hex_text) for row in c.fetchall()]

    def select_notifications(
        self,
        start: int | None,
        limit: int,
        stop: int | None = None,
        topics: Sequence[str] = (),
        *,
        inclusive_of_start: bool = True,
    ) -> Sequence[Notification]:
        # eventsourcing's statement, its rows read as tuples and its records made by
        # notifications_of: a page of the log, which every replay, report and projection
        # reads, in about two thirds of the time.
        where, params = log_page_filter("?", "rowid", start, stop, topics, inclusive_of_start)
        with _reading(self.datastore) as c:
            c.execute(
                f"SELECT rowid, originator_id, originator_version, topic, state "
                f"FROM {self.events_table_name} {where}ORDER BY rowid LIMIT ?",
                [*params, limit],
            )
            return notifications_of(c.fetchall(), self.convert_originator_id)

    def select_events(
        self,
        originator_id: UUID | str,
        *,
        gt: int | None = None,
        lte: int | None = None,
        desc: bool = False,
        limit: int | None = None,
    ) -> Sequence[StoredEvent]:
        # As select_notifications: eventsourcing's statement, read quicker (every
        # command loads its aggregate through it).
        rows = self._aggregate_rows(_RECORD, originator_id, gt, lte, desc, limit)
        return events_of(rows, self.convert_originator_id)

    def _aggregate_rows(
        self,
        columns: str,
        originator_id: UUID | str,
        gt: int | None,
        lte: int | None,
        desc: bool,
        limit: int | None,
    ) -> list[Any]:
        """The ``columns`` of ``originator_id``'s records, as eventsourcing's
        ``select_events`` selects them (``gt``, ``lte``, ``desc``, ``limit``)."""
        rest, params = versions_filter("?", gt, lte, desc, limit)
        stored_id = originator_id.hex if isinstance(originator_id, UUID) else originator_id
        with _reading(self.datastore) as c:
            c.execute(
                f"SELECT {columns} FROM {self.events_table_name} WHERE originator_id=? {rest}",
                [stored_id, *params],
            )
            rows: list[Any] = c.fetchall()
            return rows

    def select_spans(self) -> Sequence[AggregateSpan] | None:
        with _reading(self.datastore) as c:
            # SQLite keeps a value of any type in any column: a version that is not an
            # integer (a real between two whole ones, a NULL) passes MIN and MAX, so each
            # aggregate's are counted too (its index holds them: still one scan of it)
            c.execute(
                f"SELECT s.originator_id, s.first, s.records, s.lowest, s.highest, e.topic, "
                f"s.odd FROM (SELECT originator_id, MIN(rowid) AS first, COUNT(*) AS records, "
                f"MIN(originator_version) AS lowest, MAX(originator_version) AS highest, "
                f"SUM(typeof(originator_version) <> 'integer') AS odd "
                f"FROM {self.events_table_name} GROUP BY originator_id) s "
                f"JOIN {self.events_table_name} e ON e.rowid = s.first ORDER BY s.first"
            )
            rows = c.fetchall()
            if any(row[-1] for row in rows):
                return None
            return spans_of([row[:-1] for row in rows], _hex_text)

    def select_placed(
        self, originator_id: UUID, *, gt: int | None, limit: int
    ) -> Sequence[Notification]:
        rows = self._aggregate_rows(f"rowid, {_RECORD}", originator_id, gt, None, False, limit)
        return notifications_of(rows, self.convert_originator_id)

    def select_heads(self, after: int, limit: int) -> Sequence[RecordHead]:
        with _reading(self.datastore) as c:
            c.execute(
                f"SELECT rowid, originator_id, originator_version, topic "
                f"FROM {self.events_table_name} WHERE rowid > ? ORDER BY rowid LIMIT ?",
                (after, limit),
            )
            return cast(list[RecordHead], c.fetchall())

    def select_unchained(self, limit: int) -> Sequence[tuple[int, StoredEvent]]:
        with _reading(self.datastore) as c:
            c.execute(
                f"SELECT e.rowid, e.originator_id, e.originator_version, e.topic, e.state "
                f"FROM {self.events_table_name} e LEFT JOIN {CHAIN_TABLE} k "
                f"ON k.notification_id = e.rowid AND k.sequence >= 1 WHERE k.sequence IS NULL "
                f"ORDER BY e.rowid LIMIT ?",
                (limit,),
            )
            return [(row[0], loose_event(*row[1:])) for row in c.fetchall()]


STATEMENTS_KEPT = 128
"""Prepared statements each SQLite connection keeps (sqlite3's default)."""


class _StatementKeepingPool(SQLiteConnectionPool):
    """eventsourcing's SQLite connection pool, its connections keeping
    :data:`STATEMENTS_KEPT` prepared statements.

    eventsourcing opens each connection with ``cached_statements=True``, which sqlite3
    reads as a cache of one statement: every statement of a command (``BEGIN``, the
    insert, the chain's head, the link, a read) was compiled again each time it ran,
    after the one before it, about 20 µs each. A connection is opened as eventsourcing
    opens it (which also puts a file into WAL mode), then again with the same arguments
    and the larger cache; the first is closed."""

    def _create_connection(self) -> SQLiteConnection:
        as_eventsourcing_opens = super()._create_connection()
        try:
            opened = sqlite3.connect(
                database=self.db_name,
                uri=True,
                check_same_thread=False,
                isolation_level=None,
                cached_statements=STATEMENTS_KEPT,
                timeout=self.lock_timeout or SQLITE3_DEFAULT_LOCK_TIMEOUT,
            )
        except sqlite3.Error as error:
            raise InterfaceError(error) from error
        finally:
            as_eventsourcing_opens.close()
        opened.row_factory = sqlite3.Row
        return SQLiteConnection(sqlite_conn=opened, max_age=self.max_age)


def keep_statements(datastore: SQLiteDatastore) -> None:
    """Give ``datastore`` (before its first use) a pool whose connections keep their
    prepared statements (:class:`_StatementKeepingPool`), with the settings of the pool
    eventsourcing made for it: for every SQLite file the library opens (a store, a key
    store file)."""
    made = datastore.pool  # no connection is opened before the first use
    datastore.pool = _StatementKeepingPool(
        db_name=made.db_name,
        lock_timeout=made.lock_timeout,
        pool_size=made.pool_size,
        max_overflow=made.max_overflow,
        pool_timeout=made.pool_timeout,
        max_age=made.max_age,
        pre_ping=made.pre_ping,
    )
    made.close()


class ChainedSQLiteFactory(SQLiteFactory):
    """``sqlite:///`` stores: eventsourcing's SQLite persistence, its connections
    keeping their prepared statements (:func:`keep_statements`)."""

    def __init__(self, env: Any) -> None:
        super().__init__(env)
        keep_statements(self.datastore)
