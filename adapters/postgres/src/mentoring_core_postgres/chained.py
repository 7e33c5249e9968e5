"""The PostgreSQL recorder that writes chain links in the events' transaction.

The recorder's insert is the project's own SQL (eventsourcing's insert runs its own
transaction): it locks the events table (EXCLUSIVE mode, as eventsourcing does) before
it inserts, so links computed after the insert, in the same transaction, follow the
global order with no gaps. The encoding is :mod:`mentoring_core.audit.chain`'s.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any
from uuid import UUID

from eventsourcing.persistence import InterfaceError, OperationalError, StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore
from eventsourcing.utils import retry
from psycopg.sql import SQL, Identifier

from mentoring_core.extend import CHAIN_TABLE, ChainedRecorder, ChainLinker, ChainRow

CHUNK_ROWS = 1000
CHUNK_BYTES = 16_000_000
"""A large batch (an import) is sent in statements of at most this many rows and state
bytes, in one transaction: the parameters of one huge statement took about six times
the batch's size in memory."""


def _chunks(stored_events: Sequence[StoredEvent]) -> Iterator[Sequence[StoredEvent]]:
    """``stored_events`` in order, in slices of at most CHUNK_ROWS rows and (unless one
    event alone is larger) CHUNK_BYTES state bytes."""
    start, size = 0, 0
    for end, event in enumerate(stored_events):
        if end > start and (end - start >= CHUNK_ROWS or size + len(event.state) > CHUNK_BYTES):
            yield stored_events[start:end]
            start, size = end, 0
        size += len(event.state)
    if start < len(stored_events):
        yield stored_events[start:]


class ChainedPostgresApplicationRecorder(PostgresApplicationRecorder, ChainedRecorder):
    """eventsourcing's PostgreSQL recorder plus the ``mentoring_chain`` table."""

    def __init__(self, datastore: PostgresDatastore, *, events_table_name: str = "stored_events"):
        super().__init__(datastore, events_table_name=events_table_name)
        self._chain = Identifier(datastore.schema), Identifier(CHAIN_TABLE)
        self._events = Identifier(datastore.schema), Identifier(events_table_name)
        # Rows go in the batch's order (WITH ORDINALITY ... ORDER BY), so under the
        # table lock their notification ids follow that order with no gaps between.
        self._insert = SQL(
            "INSERT INTO {}.{} (originator_id, originator_version, topic, state) "
            "SELECT i, v, t, s FROM unnest(%s::{}[], %s::bigint[], %s::text[], %s::bytea[]) "
            "WITH ORDINALITY AS b(i, v, t, s, n) ORDER BY n "
            "RETURNING originator_id, originator_version, notification_id"
        ).format(*self._events, Identifier(datastore.originator_id_type))
        self._select_last = SQL(
            "SELECT sequence, hash FROM {}.{} ORDER BY sequence DESC LIMIT 1"
        ).format(*self._chain)
        self.sql_create_statements.append(
            SQL(
                "CREATE TABLE IF NOT EXISTS {}.{} ("
                "sequence bigint PRIMARY KEY, "
                "notification_id bigint NOT NULL UNIQUE, "
                "originator_id uuid NOT NULL, "
                "originator_version bigint NOT NULL, "
                "recorded_at text NOT NULL, "
                "hash text NOT NULL, "
                "UNIQUE (originator_id, originator_version))"
            ).format(*self._chain)
        )

    @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)
    def insert_events(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        # eventsourcing's public insert_events runs its own transaction, and the hooks
        # inside it are private; the events and their links must commit together, so
        # this piece of SQL is the project's own: in one transaction (the datastore's
        # public transaction()), take the lock eventsourcing takes (EXCLUSIVE on the
        # events table, so notification ids commit in the order they are issued), NOTIFY
        # its channel (subscriptions listen there), INSERT into the table and columns
        # eventsourcing creates, then write the links. A clashing (originator_id,
        # originator_version) raises IntegrityError and rolls everything back.
        if not stored_events:
            return []
        with self.datastore.transaction(commit=True) as curs:
            curs.execute(SQL("SET LOCAL lock_timeout = '{}s'").format(self.datastore.lock_timeout))
            curs.execute(SQL("LOCK TABLE {}.{} IN EXCLUSIVE MODE").format(*self._events))
            curs.execute(SQL("NOTIFY {}").format(Identifier(self.channel_name)))
            by_key: dict[tuple[str, int], int] = {}
            for chunk in _chunks(stored_events):
                curs.execute(self._insert, self._columns_of(chunk))
                by_key.update(
                    ((str(row["originator_id"]), row["originator_version"]), row["notification_id"])
                    for row in curs.fetchall()
                )
            ids = [by_key[(str(e.originator_id), e.originator_version)] for e in stored_events]

            def aggregate_hash(aggregate_id: UUID, version: int) -> str | None:
                curs.execute(
                    SQL(
                        "SELECT hash FROM {}.{} WHERE originator_id=%s AND originator_version=%s"
                    ).format(*self._chain),
                    (aggregate_id, version),
                )
                row = curs.fetchone()
                return None if row is None else str(row["hash"])

            rows = ChainLinker(lambda: self._last_link_on(curs), aggregate_hash).links(
                stored_events, ids, **kwargs
            )
            curs.executemany(
                SQL("INSERT INTO {}.{} VALUES (%s,%s,%s,%s,%s,%s)").format(*self._chain), rows
            )
        return ids

    @staticmethod
    def _columns_of(stored_events: Sequence[StoredEvent]) -> tuple[list[Any], ...]:
        return (
            [e.originator_id for e in stored_events],
            [e.originator_version for e in stored_events],
            [e.topic for e in stored_events],
            [e.state for e in stored_events],
        )

    def last_link(self) -> tuple[int, str] | None:
        with self.datastore.transaction(commit=False) as curs:
            return self._last_link_on(curs)

    def link_of(self, aggregate_id: UUID, version: int) -> str | None:
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(
                SQL(
                    "SELECT hash FROM {}.{} WHERE originator_id=%s AND originator_version=%s"
                ).format(*self._chain),
                (aggregate_id, version),
            )
            row = curs.fetchone()
            return None if row is None else str(row["hash"])

    def _last_link_on(self, curs: Any) -> tuple[int, str] | None:
        """The newest link's sequence and hash, read in the transaction of ``curs``."""
        curs.execute(self._select_last)
        row = curs.fetchone()
        return None if row is None else (row["sequence"], row["hash"])

    def select_chain(self, after_sequence: int, limit: int) -> Sequence[ChainRow]:
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(
                SQL(
                    "SELECT k.sequence, k.notification_id, k.originator_id AS k_id, "
                    "k.originator_version AS k_version, k.recorded_at, k.hash, "
                    "e.originator_id, e.originator_version, e.topic, e.state "
                    "FROM {}.{} k LEFT JOIN {}.{} e ON e.notification_id = k.notification_id "
                    "WHERE k.sequence > %s ORDER BY k.sequence LIMIT %s"
                ).format(*self._chain, *self._events),
                (after_sequence, limit),
            )
            return [
                ChainRow(
                    sequence=row["sequence"],
                    notification_id=row["notification_id"],
                    aggregate_id=row["k_id"],
                    version=row["k_version"],
                    recorded_at=row["recorded_at"],
                    hash=row["hash"],
                    event=None
                    if row["originator_id"] is None
                    else StoredEvent(
                        originator_id=row["originator_id"],
                        originator_version=row["originator_version"],
                        topic=row["topic"],
                        state=bytes(row["state"]),
                    ),
                )
                for row in curs.fetchall()
            ]

    def select_unchained(self, limit: int) -> Sequence[tuple[int, StoredEvent]]:
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(
                SQL(
                    "SELECT e.notification_id, e.originator_id, e.originator_version, e.topic, "
                    "e.state FROM {}.{} e LEFT JOIN {}.{} k "
                    "ON k.notification_id = e.notification_id WHERE k.sequence IS NULL "
                    "ORDER BY e.notification_id LIMIT %s"
                ).format(*self._events, *self._chain),
                (limit,),
            )
            return [
                (
                    row["notification_id"],
                    StoredEvent(
                        originator_id=row["originator_id"],
                        originator_version=row["originator_version"],
                        topic=row["topic"],
                        state=bytes(row["state"]),
                    ),
                )
                for row in curs.fetchall()
            ]
