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
    polled,
    restore_wins,
)

from .retrying import retried_after_a_cut


class PostgresKeyStore:
    """The key store of a PostgreSQL store, through the events' datastore. Each of its
    statements is made again on a new connection after a cut one (:mod:`.retrying`): each
    reads, or leaves the same rows however often it runs (a key made only where there is
    no row, a key destroyed, a row kept unless the stored one wins, the files rewritten)."""

    scrub_wait: float = 10.0
    """Seconds an erasure's scrub waits for transactions older than the key's destruction
    (a report reading, another process's long transaction) to end before it rewrites the
    key table; any still open are named in the erasure's notes."""

    def __init__(self, datastore: PostgresDatastore, snapshots: AggregateRecorder | None) -> None:
        self.datastore = datastore
        self._snapshots = snapshots
        self._table = SQL("{}.{}").format(Identifier(datastore.schema), Identifier(KEYS_TABLE))
        self._name = f"{datastore.schema}.{KEYS_TABLE}"

    @retried_after_a_cut
    def create_table(self) -> None:
        """Create the key table, refusing a store whose events hold sealed fields but whose
        key table is gone (the keys were lost). Processes opening a fresh store at once
        take turns (an advisory lock), so that only one creates it."""
        name = self._name
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
        """A row as the port gives it, its times in UTC: a ``timestamptz`` comes back in
        the session's zone (the server's ``TimeZone``, or the client's ``PGTZ``)."""
        key, destroyed = row["key"], row["destroyed_at"]
        return PersonKey(
            person_id=person_id,
            key=None if key is None else bytes(key),
            created_at=row["created_at"].astimezone(UTC),
            destroyed_at=None if destroyed is None else destroyed.astimezone(UTC),
        )

    @retried_after_a_cut
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
        self._insert_key(person_id)
        row = self.get(person_id)
        assert row is not None  # just inserted, and rows are never deleted
        return row

    @retried_after_a_cut
    def _insert_key(self, person_id: str) -> None:
        """A new key for the person, unless they have a row: a retry after a commit whose
        answer was lost makes no second key."""
        with self.datastore.transaction(commit=True) as c:
            c.execute(
                SQL(
                    "INSERT INTO {} (person_id, key, created_at) VALUES (%s, %s, %s) "
                    "ON CONFLICT (person_id) DO NOTHING"
                ).format(self._table),
                (check_person(person_id), new_key(), datetime.now(UTC)),
            )

    @retried_after_a_cut
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

    @retried_after_a_cut
    def rows(self) -> list[PersonKey]:
        with self.datastore.transaction(commit=False) as c:
            c.execute(
                SQL("SELECT person_id, key, created_at, destroyed_at FROM {}").format(self._table)
            )
            return [self._row(r["person_id"], r) for r in c.fetchall()]

    @retried_after_a_cut
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

    @retried_after_a_cut
    def scrub(self) -> tuple[str, ...]:
        # The pool's connections are in autocommit mode: VACUUM runs outside a transaction.
        with self.datastore.get_connection() as conn:
            if isinstance(self._snapshots, PostgresAggregateRecorder):
                table = Identifier(self._snapshots.events_table_name)
                schema = Identifier(self.datastore.schema)
                conn.execute(SQL("TRUNCATE {}.{}").format(schema, table))
            older = self._wait_for_older_snapshots(conn)
            conn.execute(SQL("VACUUM FULL {}").format(self._table))
        if not older:
            return ()
        return (
            f"the destroyed key's old row version may remain in the file of table {self._name} "
            f"while {', '.join(older)} still hold a snapshot from before it was destroyed "
            "(VACUUM FULL keeps what an open transaction could read): once they have ended, "
            "erase again with the same command id",
        )

    def _wait_for_older_snapshots(self, conn: Any) -> list[str]:
        """Wait up to :attr:`scrub_wait` seconds for every transaction that could still
        read a key destroyed before now to end; those that have not, in words."""
        horizon = conn.execute(
            "SELECT pg_snapshot_xmax(pg_current_snapshot())::xid AS next"
        ).fetchone()["next"]
        rows = polled(
            lambda: conn.execute(_OLDER_SNAPSHOTS, {"horizon": horizon}).fetchall(),
            self.scrub_wait,
        )
        return [f"{r['kind']} {r['name']}" for r in rows]


# What keeps a row version deleted before ``horizon`` (the next transaction id when the
# scrub began) readable, and so copied by VACUUM FULL: another session's snapshot
# (datname NULL: a standby's feedback through a WAL sender), a prepared transaction, a
# replication slot. Conservative: a plain VACUUM's snapshot is counted though it holds
# nothing back.
_OLDER_SNAPSHOTS = """
SELECT 'process' AS kind, pid::text AS name FROM pg_stat_activity
 WHERE pid <> pg_backend_pid() AND (datname = current_database() OR datname IS NULL)
   AND backend_xmin IS NOT NULL AND age(backend_xmin) > age(%(horizon)s::xid)
UNION ALL
SELECT 'prepared transaction', gid FROM pg_prepared_xacts
 WHERE database = current_database() AND age(transaction) > age(%(horizon)s::xid)
UNION ALL
SELECT 'replication slot', slot_name::text FROM pg_replication_slots
 WHERE xmin IS NOT NULL AND age(xmin) > age(%(horizon)s::xid)
"""


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
