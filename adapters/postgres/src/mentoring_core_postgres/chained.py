"""The PostgreSQL recorder that writes chain links in the events' transaction.

eventsourcing's PostgreSQL recorder locks the events table (EXCLUSIVE mode) before it
inserts, so links computed after the insert, in the same transaction, follow the
global order with no gaps. The encoding is :mod:`mentoring_core.audit.chain`'s.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore
from psycopg import Cursor
from psycopg.rows import DictRow
from psycopg.sql import SQL, Identifier

from mentoring_core.extend import CHAIN_TABLE, ChainLinker, ChainRow


class ChainedPostgresApplicationRecorder(PostgresApplicationRecorder):
    """eventsourcing's PostgreSQL recorder plus the ``mentoring_chain`` table."""

    def __init__(self, datastore: PostgresDatastore, *, events_table_name: str = "stored_events"):
        super().__init__(datastore, events_table_name=events_table_name)
        self._chain = Identifier(datastore.schema), Identifier(CHAIN_TABLE)
        self._events = Identifier(datastore.schema), Identifier(events_table_name)
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

    def _fetch_ids_after_insert_events(
        self, curs: Cursor[DictRow], stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        ids = super()._fetch_ids_after_insert_events(curs, stored_events, **kwargs)
        assert ids is not None

        def last() -> tuple[int, str] | None:
            curs.execute(
                SQL("SELECT sequence, hash FROM {}.{} ORDER BY sequence DESC LIMIT 1").format(
                    *self._chain
                )
            )
            row = curs.fetchone()
            return None if row is None else (row["sequence"], row["hash"])

        def aggregate_hash(aggregate_id: UUID, version: int) -> str | None:
            curs.execute(
                SQL(
                    "SELECT hash FROM {}.{} WHERE originator_id=%s AND originator_version=%s"
                ).format(*self._chain),
                (aggregate_id, version),
            )
            row = curs.fetchone()
            return None if row is None else str(row["hash"])

        rows = ChainLinker(last, aggregate_hash).links(stored_events, ids, **kwargs)
        curs.executemany(
            SQL("INSERT INTO {}.{} VALUES (%s,%s,%s,%s,%s,%s)").format(*self._chain), rows
        )
        return ids

    def last_link(self) -> tuple[int, str] | None:
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(
                SQL("SELECT sequence, hash FROM {}.{} ORDER BY sequence DESC LIMIT 1").format(
                    *self._chain
                )
            )
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
