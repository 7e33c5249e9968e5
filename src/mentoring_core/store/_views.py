"""The compliance read model's storage: folded facts per aggregate, and the position.

A view is an eventsourcing :class:`~eventsourcing.persistence.TrackingRecorder`
(so ``max_tracking_id``, ``has_tracking_id`` and ``wait`` work as eventsourcing
documents them) that also stores one row of facts per programme and
relationship. :meth:`ComplianceView.save_facts` writes the rows and the new
position in ONE transaction, with the project's own tracking statement (the
tracking recorder's insert on a given transaction is private to eventsourcing): it
refuses a position that is not past the stored one, so two projectors racing on
one read model cannot move it backwards. :meth:`ComplianceView.save_rows` writes rows
alone, ahead of the position (a catch-up folds one aggregate at a time, and stores the
position with its last rows). No row ever replaces one of a higher version, so a crash
or a lost race leaves each row at some version its aggregate reached, and none behind
the stored position.

Each store keeps its read model next to its events (memory in the process, SQLite in
the same file, PostgreSQL in the same schema): a store's backend makes it (see
:class:`mentoring_core.store.StoreBackend`); the PostgreSQL one is in the adapter.
"""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Sequence
from threading import RLock
from typing import Any
from uuid import UUID

import attrs
from eventsourcing.persistence import IntegrityError, Tracking, TrackingRecorder
from eventsourcing.popo import POPOTrackingRecorder
from eventsourcing.sqlite import SQLiteCursor, SQLiteDatastore, SQLiteTrackingRecorder

from ..domain.errors import StoreConfigurationError

_log = logging.getLogger(__name__)

FACTS_SCHEMA = 5
"""Raised whenever the stored facts change shape or meaning: a new version gets new
tables, rebuilt from the first event; the old tables can then be dropped. 3: meetings
keep their working-hours flag and group session, schedules their working hours,
programmes the recognitions of mentors' time. 4: private feedback and reflections are
left out (rows of version 3 counted them). 5: plan activities and milestones keep the
goal they are toward (work toward a goal closed is not late)."""
FACTS_TABLE = f"compliance_facts_v{FACTS_SCHEMA}"
TRACKING_TABLE = f"compliance_tracking_v{FACTS_SCHEMA}"


@attrs.frozen(kw_only=True)
class StoredFacts:
    """One row of the read model: an aggregate's facts as JSON, as of its ``version``."""

    aggregate_id: UUID
    programme_id: UUID
    """The programme itself for a programme row; the relationship's programme otherwise."""
    kind: str
    """``programme`` or ``relationship``."""
    version: int
    facts: str


StoredKey = tuple[Any, Any, Any]
"""Where a read-model row is filed, as stored: its key, its programme and its version
(texts in a SQLite store, UUIDs elsewhere; a value written around the library, of
whatever type it was stored as). :func:`stored_form_fault` says whether the library
could have written it."""


def canonical_id(value: Any) -> UUID | None:
    """The UUID ``value`` stands for if it is one, or its canonical text (``str(uuid)``,
    as the read model files its rows); else None (another spelling of a UUID, or none)."""
    if isinstance(value, UUID):
        return value
    if not isinstance(value, str) or len(value) != 36:
        return None
    try:
        parsed = UUID(value)
    except ValueError:
        return None
    return parsed if str(parsed) == value else None


def _any_spelling(value: Any) -> UUID | None:
    """The UUID a text spells in any form ``UUID()`` reads, or None."""
    try:
        return UUID(value) if isinstance(value, str) else None
    except ValueError:
        return None


def stored_form_fault(key: StoredKey) -> str | None:
    """Which value of a row filed as ``key`` the library did not write so (a key or
    programme not the canonical text of an id, a version not an integer), or None."""
    aggregate_id, programme_id, version = key
    if canonical_id(aggregate_id) is None:
        return "aggregate_id"
    if canonical_id(programme_id) is None:
        return "programme_id"
    return None if type(version) is int else "version"


class ComplianceView(TrackingRecorder, ABC):
    """Where the compliance facts and the last position processed are kept."""

    @abstractmethod
    def select_facts(self, aggregate_ids: Sequence[UUID]) -> list[StoredFacts]:
        """The stored rows of these aggregates (those that have one)."""

    @abstractmethod
    def select_programme_facts(self, programme_id: UUID) -> list[StoredFacts]:
        """The programme's row and the rows of its relationships."""

    @abstractmethod
    def save_facts(self, rows: Sequence[StoredFacts], tracking: Tracking) -> None:
        """Store ``rows`` and ``tracking`` in one transaction, or nothing.

        Raises eventsourcing's ``IntegrityError`` (storing nothing) when the
        stored position is already at or past ``tracking``. A row never replaces
        one of a higher version.
        """

    @abstractmethod
    def save_rows(self, rows: Sequence[StoredFacts]) -> None:
        """Store ``rows`` in one transaction, or nothing, leaving the position as it is:
        rows folded past the stored position, ahead of the one :meth:`save_facts` stores
        with the last of them. A row never replaces one of a higher version."""

    def stored_keys(self, programme_ids: Iterable[UUID]) -> Iterator[StoredKey]:
        """Where every stored row is filed, as stored (see :data:`StoredKey`), for
        ``audit verify`` to name each row it did not compare with the events.

        The library's views list every row of the table, whatever its key; this default
        (for a view that does not say more) lists the rows of ``programme_ids``, as
        :meth:`select_programme_facts` reads them."""
        for programme_id in programme_ids:
            for row in self.select_programme_facts(programme_id):
                yield row.aggregate_id, row.programme_id, row.version


def stale_position(tracking: Tracking) -> IntegrityError:
    """The refusal of a batch whose position is not past the stored one (another
    projection got there first)."""
    return IntegrityError(
        f"tracking {tracking.application_name} {tracking.notification_id} "
        "is not past the stored position"
    )


class MemoryComplianceView(POPOTrackingRecorder, ComplianceView):
    """The read model of a ``memory://`` store: kept in the process, like its events.

    eventsourcing's own lock is private, so the facts have a lock of their own, held
    by :meth:`save_facts` around the (public) tracking insert and the rows, and by
    :meth:`max_tracking_id`, so no reader sees a position without its rows.
    """

    def __init__(self) -> None:
        super().__init__()
        self._facts_lock = RLock()
        self._facts: dict[UUID, StoredFacts] = {}

    def max_tracking_id(self, application_name: str) -> int | None:
        with self._facts_lock:
            return super().max_tracking_id(application_name)

    def select_facts(self, aggregate_ids: Sequence[UUID]) -> list[StoredFacts]:
        with self._facts_lock:
            return [self._facts[i] for i in aggregate_ids if i in self._facts]

    def select_programme_facts(self, programme_id: UUID) -> list[StoredFacts]:
        with self._facts_lock:
            return [row for row in self._facts.values() if row.programme_id == programme_id]

    def stored_keys(self, programme_ids: Iterable[UUID]) -> Iterator[StoredKey]:
        with self._facts_lock:
            rows = list(self._facts.items())
        for key, row in rows:
            yield key, row.programme_id, row.version

    def save_facts(self, rows: Sequence[StoredFacts], tracking: Tracking) -> None:
        with self._facts_lock:
            # The position first: it raises IntegrityError, storing nothing, unless
            # ``tracking`` is past the stored position.
            self.insert_tracking(tracking)
            self.save_rows(rows)

    def save_rows(self, rows: Sequence[StoredFacts]) -> None:
        with self._facts_lock:
            for row in rows:
                stored = self._facts.get(row.aggregate_id)
                if stored is None or row.version > stored.version:
                    self._facts[row.aggregate_id] = row


_SQLITE_CHUNK = 500
"""Ids per ``IN (...)`` query: well under SQLite's limit on bound parameters."""


class SQLiteComplianceView(SQLiteTrackingRecorder, ComplianceView):
    """The read model of a SQLite store, in the same file (WAL), through the same datastore.

    eventsourcing names its SQLite tracking table ``tracking``; this one uses its
    own table so that other projections in the file keep their own positions.
    """

    def __init__(self, datastore: SQLiteDatastore) -> None:
        if not datastore.single_row_tracking:
            raise StoreConfigurationError("the compliance read model needs single-row tracking")
        super().__init__(datastore)
        self.insert_tracking_statement = (
            f"INSERT INTO {TRACKING_TABLE} VALUES (:application_name, :notification_id) "
            "ON CONFLICT (application_name) DO UPDATE SET notification_id = :notification_id "
            f"WHERE {TRACKING_TABLE}.notification_id < :notification_id "
            "RETURNING notification_id"
        )
        self.select_max_tracking_id_statement = (
            f"SELECT MAX(notification_id) FROM {TRACKING_TABLE} WHERE application_name=?"
        )
        self._upsert = (
            f"INSERT INTO {FACTS_TABLE} VALUES (?, ?, ?, ?, ?) ON CONFLICT (aggregate_id) DO "
            "UPDATE SET programme_id = excluded.programme_id, kind = excluded.kind, "
            "version = excluded.version, facts = excluded.facts "
            f"WHERE excluded.version > {FACTS_TABLE}.version"
        )
        self._columns = (
            f"SELECT aggregate_id, programme_id, kind, version, facts FROM {FACTS_TABLE}"
        )

    def construct_create_table_statements(self) -> list[str]:
        return [
            f"CREATE TABLE IF NOT EXISTS {TRACKING_TABLE} (application_name TEXT, "
            "notification_id INTEGER, PRIMARY KEY (application_name)) WITHOUT ROWID",
            f"CREATE TABLE IF NOT EXISTS {FACTS_TABLE} (aggregate_id TEXT PRIMARY KEY, "
            "programme_id TEXT NOT NULL, kind TEXT NOT NULL, version INTEGER NOT NULL, "
            "facts TEXT NOT NULL) WITHOUT ROWID",
            f"CREATE INDEX IF NOT EXISTS {FACTS_TABLE}_programme ON {FACTS_TABLE} (programme_id)",
        ]

    def _create_table(self, c: SQLiteCursor) -> None:
        # eventsourcing's own, finding no ``__migration__`` row in an existing table,
        # takes it for one of its older form (a row per position) and moves the rows
        # of the table it names ``tracking`` (not this one): "no such table". This
        # table has held one row per application since it was made, so a migration
        # row gone (deleted around the library, with the positions or not) is only
        # written again, as eventsourcing writes it in a new table; a position deleted
        # is read as none, and the projection folds the log again from its start.
        for statement in self.create_table_statements:
            c.execute(statement)
        if not self.tracking_migration_previous:
            c.execute(
                f"INSERT OR REPLACE INTO {TRACKING_TABLE} VALUES (?, 1)",
                (self.table_migration_identifier,),
            )
            self.tracking_migration_current = 1

    @staticmethod
    def _rows(rows: Iterable[Any]) -> list[StoredFacts]:
        """The rows whose key is the canonical text of an id and whose version is an
        integer; any other is passed over (with a warning: ``audit verify`` names it), never
        read as the aggregate it may spell. A programme id spelt otherwise is read (only
        :meth:`select_facts` meets one: the projection then files the row again as the
        library does), and ``audit verify`` names it too."""
        found = []
        for row in rows:
            aggregate_id, programme_id = canonical_id(row[0]), _any_spelling(row[1])
            if aggregate_id is None or programme_id is None or type(row[3]) is not int:
                fault = stored_form_fault((row[0], programme_id, row[3]))
                _log.warning(
                    "read model row %r passed over: its %s is %r, not as the library writes "
                    "it (audit verify names it)",
                    row[0],
                    fault,
                    row[("aggregate_id", "programme_id", "kind", "version").index(str(fault))],
                )
                continue
            found.append(
                StoredFacts(
                    aggregate_id=aggregate_id,
                    programme_id=programme_id,
                    kind=row[2],
                    version=row[3],
                    facts=row[4],
                )
            )
        return found

    def select_facts(self, aggregate_ids: Sequence[UUID]) -> list[StoredFacts]:
        ids = [str(i) for i in aggregate_ids]
        found: list[StoredFacts] = []
        with self.datastore.transaction(commit=False) as c:
            for at in range(0, len(ids), _SQLITE_CHUNK):
                chunk = ids[at : at + _SQLITE_CHUNK]
                marks = ",".join("?" * len(chunk))
                c.execute(f"{self._columns} WHERE aggregate_id IN ({marks})", chunk)
                found.extend(self._rows(c.fetchall()))
        return found

    def select_programme_facts(self, programme_id: UUID) -> list[StoredFacts]:
        with self.datastore.transaction(commit=False) as c:
            c.execute(f"{self._columns} WHERE programme_id = ?", [str(programme_id)])
            return self._rows(c.fetchall())

    def stored_keys(self, programme_ids: Iterable[UUID]) -> Iterator[StoredKey]:
        with self.datastore.transaction(commit=False) as c:
            c.execute(f"SELECT aggregate_id, programme_id, version FROM {FACTS_TABLE}")
            while rows := c.sqlite_cursor.fetchmany(_SQLITE_CHUNK):
                yield from ((key, programme, version) for key, programme, version in rows)

    def save_facts(self, rows: Sequence[StoredFacts], tracking: Tracking) -> None:
        self._save(rows, tracking)

    def save_rows(self, rows: Sequence[StoredFacts]) -> None:
        self._save(rows, None)

    def _save(self, rows: Sequence[StoredFacts], tracking: Tracking | None) -> None:
        """``rows``, and ``tracking`` where given, in one transaction."""
        params = [
            (str(r.aggregate_id), str(r.programme_id), r.kind, r.version, r.facts) for r in rows
        ]
        # eventsourcing's tracking insert on a given cursor is private, so the position
        # is written here with the project's own statement (insert_tracking_statement,
        # set above for this view's table), in the same transaction as the rows.
        with self.datastore.transaction(commit=True) as c:
            if tracking is not None:
                # The position first: it takes the write lock and refuses a stale batch early.
                c.execute(
                    self.insert_tracking_statement,
                    {
                        "application_name": tracking.application_name,
                        "notification_id": tracking.notification_id,
                    },
                )
                if c.fetchone() is None:
                    raise stale_position(tracking)
            c.executemany(self._upsert, params)
