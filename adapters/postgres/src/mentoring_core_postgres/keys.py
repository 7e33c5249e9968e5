"""People's data keys on PostgreSQL: table ``mentoring_keys`` in the store's schema.

The same rows as the core's SQLite key store (see ``mentoring_core.privacy.keys``): a
live key, or a tombstone once destroyed. Erasure's scrub empties the snapshots table
(``TRUNCATE``: a new file, the old one unlinked) and rewrites the key table
(``VACUUM FULL``), so that neither a destroyed key nor a snapshot's plaintext remains in
the table files; the events themselves hold only ciphertext.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from eventsourcing.persistence import AggregateRecorder
from eventsourcing.postgres import PostgresAggregateRecorder, PostgresDatastore
from psycopg.sql import SQL, Identifier

from mentoring_core import StoreConfigurationError
from mentoring_core.extend import (
    APPLICATION_NAME,
    KEYS_TABLE,
    MARK,
    ChainedRecorder,
    PersonKey,
    check_person,
    lost_keys_message,
    new_key,
    restore_wins,
)


class PostgresKeyStore:
    """The key store of a PostgreSQL store, through the events' datastore."""

    def __init__(self, datastore: PostgresDatastore, snapshots: AggregateRecorder | None) -> None:
        self.datastore = datastore
        self._snapshots = snapshots
        self._table = SQL("{}.{}").format(Identifier(datastore.schema), Identifier(KEYS_TABLE))

    def create_table(self) -> None:
        """Create the key table, refusing a store whose events hold sealed fields but whose
        key table is gone (the keys were lost). Processes opening a fresh store at once
        take turns (an advisory lock), so that only one creates it."""
        name = f"{self.datastore.schema}.{KEYS_TABLE}"
        events = SQL("{}.{}").format(
            Identifier(self.datastore.schema), Identifier(f"{APPLICATION_NAME}_events")
        )
        with self.datastore.transaction(commit=True) as c:
            c.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (f"mentoring-core:{name}",))
            c.execute("SELECT to_regclass(%s) AS found", (name,))
            row = c.fetchone()
            if row is not None and row["found"] is not None:
                return
            c.execute(
                SQL(
                    "SELECT 1 AS sealed FROM {} WHERE position(%s::bytea in state) > 0 LIMIT 1"
                ).format(events),
                (f'"{MARK}"'.encode(),),
            )
            if c.fetchone() is not None:
                raise StoreConfigurationError(lost_keys_message(name))
            c.execute(
                SQL(
                    "CREATE TABLE {} (person_id text PRIMARY KEY, key bytea, "
                    "created_at timestamptz NOT NULL, destroyed_at timestamptz)"
                ).format(self._table)
            )

    @staticmethod
    def _row(person_id: str, row: dict[str, Any]) -> PersonKey:
        key = row["key"]
        return PersonKey(
            person_id=person_id,
            key=None if key is None else bytes(key),
            created_at=row["created_at"],
            destroyed_at=row["destroyed_at"],
        )

    def get(self, person_id: str) -> PersonKey | None:
        with self.datastore.transaction(commit=False) as c:
            c.execute(
                SQL("SELECT key, created_at, destroyed_at FROM {} WHERE person_id = %s").format(
                    self._table
                ),
                (check_person(person_id),),
            )
            row = c.fetchone()
        return None if row is None else self._row(person_id, row)

    def create(self, person_id: str) -> PersonKey:
        with self.datastore.transaction(commit=True) as c:
            c.execute(
                SQL(
                    "INSERT INTO {} (person_id, key, created_at) VALUES (%s, %s, %s) "
                    "ON CONFLICT (person_id) DO NOTHING"
                ).format(self._table),
                (check_person(person_id), new_key(), datetime.now(UTC)),
            )
        row = self.get(person_id)
        assert row is not None  # just inserted, and rows are never deleted
        return row

    def destroy(self, person_id: str, at: datetime) -> bool:
        with self.datastore.transaction(commit=True) as c:
            c.execute(
                SQL(
                    "SELECT key IS NOT NULL AS live, destroyed_at IS NOT NULL AS gone FROM {} "
                    "WHERE person_id = %s FOR UPDATE"
                ).format(self._table),
                (check_person(person_id),),
            )
            row = c.fetchone()
            if row is not None and row["gone"]:
                return False
            c.execute(
                SQL(
                    "INSERT INTO {0} (person_id, key, created_at, destroyed_at) "
                    "VALUES (%s, NULL, %s, %s) ON CONFLICT (person_id) DO UPDATE SET "
                    "key = NULL, destroyed_at = EXCLUDED.destroyed_at"
                ).format(self._table),
                (person_id, at, at),
            )
        return row is not None and bool(row["live"])

    def rows(self) -> list[PersonKey]:
        with self.datastore.transaction(commit=False) as c:
            c.execute(
                SQL("SELECT person_id, key, created_at, destroyed_at FROM {}").format(self._table)
            )
            return [self._row(r["person_id"], r) for r in c.fetchall()]

    def restore(self, row: PersonKey) -> None:
        with self.datastore.transaction(commit=True) as c:
            c.execute(
                SQL(
                    "INSERT INTO {} AS k (person_id, key, created_at, destroyed_at) "
                    "VALUES (%s, %s, %s, %s) ON CONFLICT (person_id) DO UPDATE SET "
                    + restore_wins("k")
                ).format(self._table),
                (check_person(row.person_id), row.key, row.created_at, row.destroyed_at),
            )

    def scrub(self) -> tuple[str, ...]:
        # The pool's connections are in autocommit mode: VACUUM runs outside a transaction.
        with self.datastore.get_connection() as conn:
            if isinstance(self._snapshots, PostgresAggregateRecorder):
                table = Identifier(self._snapshots.events_table_name)
                schema = Identifier(self.datastore.schema)
                conn.execute(SQL("TRUNCATE {}.{}").format(schema, table))
            conn.execute(SQL("VACUUM FULL {}").format(self._table))
        return ()


def postgres_keys(
    recorder: ChainedRecorder, snapshots: AggregateRecorder | None
) -> PostgresKeyStore:
    """The key store beside a PostgreSQL store's events (table created if needed)."""
    datastore = getattr(recorder, "datastore", None)
    if not isinstance(datastore, PostgresDatastore):
        raise StoreConfigurationError(f"not a PostgreSQL recorder: {type(recorder).__qualname__}")
    keys = PostgresKeyStore(datastore, snapshots)
    keys.create_table()
    return keys
