"""Event recorders that write each record's chain link in the same transaction as the record.

The links (see :mod:`.chain`) live in their own table, ``mentoring_chain``: one row per
stored event, holding its ``sequence``, the event's notification id, aggregate id and
version, the recording time and the hash. Because the link is computed while the
store's write lock is held (SQLite's single writer; PostgreSQL's EXCLUSIVE table lock;
in memory, the recorder's own lock), sequences follow the store's global order with no
gaps.

eventsourcing offers no public hook inside its insert transaction, so each recorder
here overrides only the public ``insert_events`` and writes the events itself (the
same table and columns eventsourcing creates) together with their links.

This module holds :class:`ChainedRecorder` (what every store's recorder is) and the
memory and SQLite recorders; the PostgreSQL one lives in the PostgreSQL adapter and
shares :class:`ChainedRecorder`, :class:`ChainLinker` and :class:`ChainRow`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from threading import RLock
from typing import Any
from uuid import UUID

import attrs
from eventsourcing.persistence import ApplicationRecorder, StoredEvent
from eventsourcing.popo import POPOApplicationRecorder, POPOFactory
from eventsourcing.sqlite import SQLiteApplicationRecorder

from ..domain.errors import StoreConfigurationError
from .chain import GENESIS, Record, canonical_time, link_hash

CHAIN_TABLE = "mentoring_chain"
SQLITE_SYNCHRONOUS_FULL = 2
RECORDED_AT_KWARG = "chain_recorded_at"
"""``insert_events`` keyword: recording times to use instead of now (for imports)."""


@attrs.frozen(kw_only=True)
class ChainRow:
    """A chain link as stored, with the event found at its notification id (if any)."""

    sequence: int
    notification_id: int
    aggregate_id: UUID
    version: int
    recorded_at: str
    hash: str
    event: StoredEvent | None
    """The stored event now at ``notification_id``; None if it is gone."""


class ChainedRecorder(ApplicationRecorder, ABC):
    """An eventsourcing application recorder that also writes the hash chain.

    Every store's recorder is one (see :class:`mentoring_core.store.Store`): the
    verifier, the export and the import read the chain through these methods.
    """

    @abstractmethod
    def select_chain(self, after_sequence: int, limit: int) -> Sequence[ChainRow]:
        """Up to ``limit`` links after ``after_sequence``, in order, each with its event."""

    @abstractmethod
    def select_unchained(self, limit: int) -> Sequence[tuple[int, StoredEvent]]:
        """Stored events (with notification ids) that no chain link covers."""

    @abstractmethod
    def last_link(self) -> tuple[int, str] | None:
        """The last link's sequence and hash, or None for an empty chain."""

    def link_of(self, aggregate_id: UUID, version: int) -> str | None:
        """The hash of the link of ``aggregate_id`` at ``version``, or None if there is none.

        This default walks the chain; the library's recorders look the link up by its key.
        """
        after = 0
        while rows := self.select_chain(after, 1000):
            for row in rows:
                if (row.aggregate_id, row.version) == (aggregate_id, version):
                    return row.hash
            after = rows[-1].sequence
        return None


def _as_uuid(value: UUID | str) -> UUID:
    return value if isinstance(value, UUID) else UUID(value)


class ChainLinker:
    """Computes the links of a batch of newly stored events.

    ``last`` gives the last link's (sequence, hash); ``aggregate_hash`` the hash of an
    aggregate's link at a version, or None. Both read inside the writing transaction.
    """

    def __init__(
        self,
        last: Callable[[], tuple[int, str] | None],
        aggregate_hash: Callable[[UUID, int], str | None],
    ) -> None:
        self._last = last
        self._aggregate_hash = aggregate_hash

    def links(
        self, stored: Sequence[StoredEvent], notification_ids: Sequence[int], **kwargs: Any
    ) -> list[tuple[int, int, UUID, int, str, str]]:
        """Rows (sequence, notification_id, aggregate_id, version, recorded_at, hash)."""
        times: Sequence[datetime] | None = kwargs.get(RECORDED_AT_KWARG)
        now = datetime.now(UTC)
        last = self._last()
        sequence, previous = last if last is not None else (0, GENESIS)
        in_batch: dict[tuple[UUID, int], str] = {}
        rows = []
        for i, (event, notification_id) in enumerate(zip(stored, notification_ids, strict=True)):
            sequence += 1
            aggregate_id = _as_uuid(event.originator_id)
            version = event.originator_version
            before = (aggregate_id, version - 1)
            aggregate_previous = (
                GENESIS
                if version <= 1
                else in_batch.get(before) or self._aggregate_hash(*before) or GENESIS
            )
            recorded_at = canonical_time(times[i] if times is not None else now)
            record = Record(
                sequence=sequence,
                aggregate_id=aggregate_id,
                version=version,
                topic=event.topic,
                state=event.state,
                recorded_at=recorded_at,
            )
            previous = link_hash(record, previous, aggregate_previous)
            in_batch[(aggregate_id, version)] = previous
            rows.append((sequence, notification_id, aggregate_id, version, recorded_at, previous))
        return rows


# --- memory --------------------------------------------------------------------------


class ChainedPOPOApplicationRecorder(POPOApplicationRecorder, ChainedRecorder):
    """The in-memory recorder, with its chain kept beside the events.

    eventsourcing's own lock is private, so the chain has a lock of its own, held
    around the whole public ``insert_events``: a batch's events and its links go in
    together, in notification order, and readers of the chain (which take the same
    lock) never see events without their links or links without their events.
    """

    def __init__(self) -> None:
        super().__init__()
        self.chain: list[tuple[int, int, UUID, int, str, str]] = []
        self._chain_lock = RLock()
        self._by_aggregate: dict[tuple[UUID, int], str] = {}
        self._linker = ChainLinker(self.last_link, lambda a, v: self._by_aggregate.get((a, v)))

    def insert_events(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        with self._chain_lock:
            ids = super().insert_events(stored_events, **kwargs)
            assert ids is not None
            for row in self._linker.links(stored_events, ids, **kwargs):
                self.chain.append(row)
                self._by_aggregate[(row[2], row[3])] = row[5]
            return ids

    def last_link(self) -> tuple[int, str] | None:
        with self._chain_lock:
            return (self.chain[-1][0], self.chain[-1][5]) if self.chain else None

    def link_of(self, aggregate_id: UUID, version: int) -> str | None:
        with self._chain_lock:
            return self._by_aggregate.get((aggregate_id, version))

    def select_chain(self, after_sequence: int, limit: int) -> Sequence[ChainRow]:
        with self._chain_lock:
            rows = self.chain[after_sequence : after_sequence + limit]
            return [
                ChainRow(
                    sequence=s,
                    notification_id=n,
                    aggregate_id=a,
                    version=v,
                    recorded_at=t,
                    hash=h,
                    event=self._event_at(n),
                )
                for s, n, a, v, t, h in rows
            ]

    def _event_at(self, notification_id: int) -> StoredEvent | None:
        found = self.select_notifications(notification_id, 1)
        return found[0] if found and found[0].id == notification_id else None

    def select_unchained(self, limit: int) -> Sequence[tuple[int, StoredEvent]]:
        with self._chain_lock:
            chained = {row[1] for row in self.chain}
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


class ChainedSQLiteApplicationRecorder(SQLiteApplicationRecorder, ChainedRecorder):
    """eventsourcing's SQLite recorder, writing chain links in the events' transaction.

    On a file it refuses to run unless the journal is WAL and ``synchronous`` is FULL
    (or EXTRA): a committed command must survive a crash or a power cut.
    """

    def create_table(self) -> None:
        super().create_table()
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
        # rolls back events and links alike.
        with self.datastore.transaction(commit=True) as c:
            ids: list[int] = []
            for event in stored_events:
                c.execute(
                    f"INSERT INTO {self.events_table_name} "
                    "(originator_id, originator_version, topic, state) VALUES (?,?,?,?)",
                    (
                        event.originator_id.hex
                        if isinstance(event.originator_id, UUID)
                        else event.originator_id,
                        event.originator_version,
                        event.topic,
                        event.state,
                    ),
                )
                ids.append(int(c.lastrowid))

            def last() -> tuple[int, str] | None:
                c.execute(
                    f"SELECT sequence, hash FROM {CHAIN_TABLE} ORDER BY sequence DESC LIMIT 1"
                )
                row = c.fetchone()
                return None if row is None else (row[0], row[1])

            def aggregate_hash(aggregate_id: UUID, version: int) -> str | None:
                c.execute(
                    f"SELECT hash FROM {CHAIN_TABLE} "
                    "WHERE originator_id=? AND originator_version=?",
                    (aggregate_id.hex, version),
                )
                row = c.fetchone()
                return None if row is None else str(row[0])

            rows = ChainLinker(last, aggregate_hash).links(stored_events, ids, **kwargs)
            c.executemany(
                f"INSERT INTO {CHAIN_TABLE} VALUES (?,?,?,?,?,?)",
                [(s, n, a.hex, v, t, h) for s, n, a, v, t, h in rows],
            )
        return ids

    def last_link(self) -> tuple[int, str] | None:
        with self.datastore.transaction(commit=False) as c:
            c.execute(f"SELECT sequence, hash FROM {CHAIN_TABLE} ORDER BY sequence DESC LIMIT 1")
            row = c.fetchone()
            return None if row is None else (row[0], row[1])

    def link_of(self, aggregate_id: UUID, version: int) -> str | None:
        with self.datastore.transaction(commit=False) as c:
            c.execute(
                f"SELECT hash FROM {CHAIN_TABLE} WHERE originator_id=? AND originator_version=?",
                (aggregate_id.hex, version),
            )
            row = c.fetchone()
            return None if row is None else str(row[0])

    def select_chain(self, after_sequence: int, limit: int) -> Sequence[ChainRow]:
        with self.datastore.transaction(commit=False) as c:
            c.execute(
                f"SELECT k.sequence, k.notification_id, k.originator_id AS k_id, "
                f"k.originator_version AS k_version, k.recorded_at, k.hash, "
                f"e.originator_id, e.originator_version, e.topic, e.state "
                f"FROM {CHAIN_TABLE} k LEFT JOIN {self.events_table_name} e "
                f"ON e.rowid = k.notification_id "
                f"WHERE k.sequence > ? ORDER BY k.sequence LIMIT ?",
                (after_sequence, limit),
            )
            return [
                ChainRow(
                    sequence=row[0],
                    notification_id=row[1],
                    aggregate_id=UUID(row[2]),
                    version=row[3],
                    recorded_at=row[4],
                    hash=row[5],
                    event=None
                    if row[6] is None
                    else StoredEvent(
                        originator_id=UUID(row[6]),
                        originator_version=row[7],
                        topic=row[8],
                        state=bytes(row[9]),
                    ),
                )
                for row in c.fetchall()
            ]

    def select_unchained(self, limit: int) -> Sequence[tuple[int, StoredEvent]]:
        with self.datastore.transaction(commit=False) as c:
            c.execute(
                f"SELECT e.rowid, e.originator_id, e.originator_version, e.topic, e.state "
                f"FROM {self.events_table_name} e LEFT JOIN {CHAIN_TABLE} k "
                f"ON k.notification_id = e.rowid WHERE k.sequence IS NULL "
                f"ORDER BY e.rowid LIMIT ?",
                (limit,),
            )
            return [
                (
                    row[0],
                    StoredEvent(
                        originator_id=UUID(row[1]),
                        originator_version=row[2],
                        topic=row[3],
                        state=bytes(row[4]),
                    ),
                )
                for row in c.fetchall()
            ]
