"""The PostgreSQL recorder that writes chain links in the events' transaction.

The recorder's insert is the project's own SQL (eventsourcing's insert runs its own
transaction): it locks the events table (EXCLUSIVE mode, as eventsourcing does) before
it inserts, so links computed after the insert, in the same transaction, follow the
global order with no gaps. The encoding is :mod:`mentoring_core.audit.chain`'s; what
may be stored, and how a link is read back, are the core's (``ChainLinker``,
``chain_row``), shared with the other stores.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any, cast
from uuid import UUID

import psycopg
from eventsourcing.persistence import Notification, StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore
from psycopg.rows import tuple_row
from psycopg.sql import SQL, Identifier

from mentoring_core import StoreConfigurationError
from mentoring_core.extend import (
    CHAIN_TABLE,
    COMMAND_INDEX,
    NOTED_TABLE,
    POSITIONS_KWARG,
    AggregateSpan,
    ChainedRecorder,
    ChainLinker,
    ChainRow,
    DamagedRow,
    RecordHead,
    chain_row,
    check_read_versions,
    events_of,
    given_command_ids,
    log_page_filter,
    loose_event,
    notifications_of,
    spans_of,
    versions_filter,
)

from .retrying import retried_after_a_cut

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


def _uuid_object(value: Any) -> UUID | None:
    """An id as the ``uuid`` column gives it back: a UUID object (its only form)."""
    return value if isinstance(value, UUID) else None


def _as_found(value: Any) -> Any:
    """An aggregate id as the ``uuid`` column gives it: already a UUID."""
    return value


_RECORD = "originator_id, originator_version, topic, state"
"""The columns of a stored record, as eventsourcing reads them."""


def _uuid_or_none(value: Any) -> UUID | None:
    """An aggregate id as the ``uuid`` column gives it (always a UUID: None is for a
    column of another type, which the library never makes)."""
    return value if type(value) is UUID else None


def _as_tuples(curs: psycopg.Cursor[Any]) -> psycopg.Cursor[tuple[Any, ...]]:
    """``curs``, giving its rows as tuples: eventsourcing's connections make a dict of each
    row, which the reads of whole pages (the log's heads, the chain) would only turn
    into a tuple. For this cursor alone: each transaction has a cursor of its own."""
    plain = cast("psycopg.Cursor[tuple[Any, ...]]", curs)
    plain.row_factory = tuple_row
    return plain


def upgrade_chain_table(conn: psycopg.Connection[Any], schema: str) -> None:
    """Give a chain table made before link encodings its ``encoding`` column (its links
    are all encoding 1), one made before command ids were kept beside the links its
    ``command_id`` column (its events' commands not known), the index that finds them
    and the table of noted versions; only what is missing, so that a role that may only
    read is not asked to alter anything. The caller holds the store's advisory lock."""
    columns = {
        row[0]
        for row in conn.execute(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_schema = %s AND table_name = %s",
            (schema, CHAIN_TABLE),
        ).fetchall()
    }
    table = Identifier(schema), Identifier(CHAIN_TABLE)
    if "encoding" not in columns:
        conn.execute(
            SQL(
                "ALTER TABLE {}.{} ADD COLUMN IF NOT EXISTS encoding integer NOT NULL DEFAULT 1"
            ).format(*table)
        )
    if "command_id" not in columns:
        add = SQL("ALTER TABLE {}.{} ADD COLUMN IF NOT EXISTS command_id uuid")
        conn.execute(add.format(*table))
    if _missing(conn, schema, COMMAND_INDEX):
        conn.execute(
            SQL(
                "CREATE INDEX IF NOT EXISTS {} ON {}.{} "
                "(originator_id, command_id, originator_version) WHERE command_id IS NOT NULL"
            ).format(Identifier(COMMAND_INDEX), *table)
        )
    if _missing(conn, schema, NOTED_TABLE):
        conn.execute(
            SQL(
                "CREATE TABLE IF NOT EXISTS {}.{} "
                "(originator_id uuid PRIMARY KEY, version bigint NOT NULL)"
            ).format(Identifier(schema), Identifier(NOTED_TABLE))
        )


def _missing(conn: psycopg.Connection[Any], schema: str, name: str) -> bool:
    """Whether ``schema`` has no table or index called ``name``."""
    found = conn.execute("SELECT to_regclass(%s)", (f"{schema}.{name}",)).fetchone()
    return found is None or found[0] is None


class ChainedPostgresApplicationRecorder(PostgresApplicationRecorder, ChainedRecorder):
    """eventsourcing's PostgreSQL recorder plus the ``mentoring_chain`` table."""

    checks_read_versions = True

    def __init__(self, datastore: PostgresDatastore, *, events_table_name: str = "stored_events"):
        if datastore.enable_db_functions:
            raise StoreConfigurationError(
                "POSTGRES_ENABLE_DB_FUNCTIONS is set: eventsourcing would create a database "
                "function that stores events with no chain link; mentoring-core stores "
                "events and their links together, so it refuses that setting"
            )
        super().__init__(datastore, events_table_name=events_table_name)
        self._chain = Identifier(datastore.schema), Identifier(CHAIN_TABLE)
        self._noted = Identifier(datastore.schema), Identifier(NOTED_TABLE)
        self._events = Identifier(datastore.schema), Identifier(events_table_name)
        self._qualified_events = f"{datastore.schema}.{events_table_name}"
        # Rows go in the batch's order (WITH ORDINALITY ... ORDER BY), so under the
        # table lock their notification ids follow that order with no gaps between.
        self._insert = SQL(
            "INSERT INTO {}.{} (originator_id, originator_version, topic, state) "
            "SELECT i, v, t, s FROM unnest(%s::{}[], %s::bigint[], %s::text[], %s::bytea[]) "
            "WITH ORDINALITY AS b(i, v, t, s, n) ORDER BY n "
            "RETURNING originator_id, originator_version, notification_id"
        ).format(*self._events, Identifier(datastore.originator_id_type))
        # An import keeping its source's log positions gives the notification ids.
        self._insert_at = SQL(
            "INSERT INTO {}.{} (originator_id, originator_version, topic, state, "
            "notification_id) SELECT i, v, t, s, p FROM unnest(%s::{}[], %s::bigint[], "
            "%s::text[], %s::bytea[], %s::bigint[]) WITH ORDINALITY AS b(i, v, t, s, p, n) "
            "ORDER BY n RETURNING originator_id, originator_version, notification_id"
        ).format(*self._events, Identifier(datastore.originator_id_type))
        self._composed: dict[str, Any] | None = None
        self._select_last = SQL(
            "SELECT sequence, hash, encoding FROM {}.{} ORDER BY sequence DESC LIMIT 1"
        ).format(*self._chain)
        self._select_head = SQL(
            "SELECT sequence, hash, encoding, (SELECT hash FROM {}.{} WHERE originator_id=%s "
            "AND originator_version=%s) AS before FROM {}.{} ORDER BY sequence DESC LIMIT 1"
        ).format(*self._chain, *self._chain)
        self.sql_create_statements.append(
            SQL(
                "CREATE TABLE IF NOT EXISTS {}.{} ("
                "sequence bigint PRIMARY KEY, "
                "notification_id bigint NOT NULL UNIQUE, "
                "originator_id uuid NOT NULL, "
                "originator_version bigint NOT NULL, "
                "recorded_at text NOT NULL, "
                "hash text NOT NULL, "
                "encoding integer NOT NULL DEFAULT 1, "
                "command_id uuid, "
                "UNIQUE (originator_id, originator_version))"
            ).format(*self._chain)
        )

    @retried_after_a_cut
    def insert_events(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        # eventsourcing's public insert_events runs its own transaction, and the hooks
        # inside it are private; the events and their links must commit together, so
        # this piece of SQL is the project's own: in one transaction, take the lock
        # eventsourcing takes (EXCLUSIVE on the events table, so notification ids commit
        # in the order they are issued), NOTIFY its channel (subscriptions listen there),
        # read the chain's head, INSERT into the table and columns eventsourcing creates,
        # then write the links. As eventsourcing's own recorder does, the statements go
        # in psycopg's pipeline mode: BEGIN, the lock, the head and the insert in one
        # round trip, the links and the COMMIT in another (psycopg's transaction() would
        # wait for the server at its start and twice at its end). A clashing (originator_id,
        # originator_version) raises IntegrityError and rolls everything back, as does
        # a batch the linker refuses.
        admitted = ChainLinker.admit(stored_events, **kwargs)
        if not admitted:
            return []
        ids: list[int] = []
        with self.datastore.get_connection() as conn:
            assert conn.autocommit  # the pool's connections: BEGIN and COMMIT are ours
            try:
                with conn.pipeline():  # sends what is queued, and waits, at its end
                    conn.execute("BEGIN")  # queued with the rest: psycopg's transaction()
                    ids = self._insert_linked(conn, admitted, **kwargs)  # waits once
                    conn.execute("COMMIT")
            except Exception:
                conn.rollback()  # nothing of the batch stays: events and links alike
                raise
        return ids

    def _insert_linked(
        self, conn: psycopg.Connection[Any], admitted: Sequence[StoredEvent], **kwargs: Any
    ) -> list[int]:
        """Lock, insert ``admitted`` and their links on ``conn`` (in a transaction, in
        pipeline mode); their notification ids."""
        statements = self._statements(conn)
        curs, head_curs = conn.cursor(), conn.cursor()
        for lock in statements["lock"]:
            curs.execute(lock, prepare=True)
        before = ChainLinker.head_key(admitted)
        head_curs.execute(statements["head"], before or (None, None), prepare=True)
        # the first fetch sends all of the above and waits: one round trip
        ids = self._insert_rows(curs, statements, admitted, kwargs.get(POSITIONS_KWARG))
        head = head_curs.fetchone()

        def last_versions(aggregate_ids: list[UUID]) -> dict[UUID, int]:
            # the table lock is held: no writer stores between this read and the commit
            curs.execute(statements["versions"], (aggregate_ids,))
            return {row["originator_id"]: row["version"] for row in curs.fetchall()}

        check_read_versions(last_versions, **kwargs)

        def aggregate_hash(aggregate_id: UUID, version: int) -> str | None:
            curs.execute(statements["hash"], (aggregate_id, version), prepare=True)
            row = curs.fetchone()
            return None if row is None else str(row["hash"])

        last = None if head is None else (head["sequence"], head["hash"], head["encoding"])
        found = None if head is None else head["before"]
        linker = ChainLinker.from_head(admitted, lambda _: (last, found), aggregate_hash)
        rows = linker.links(admitted, ids, **kwargs)
        commands = given_command_ids(len(rows), **kwargs)
        curs.executemany(
            statements["link"],
            [(*row, command) for row, command in zip(rows, commands, strict=True)],
        )
        return ids

    def _statements(self, conn: psycopg.Connection[Any]) -> dict[str, Any]:
        """The insert's statements as text, composed once (composing them on every
        command took about a tenth of the recorder's time on a profile)."""
        if self._composed is None:
            link = SQL(
                "INSERT INTO {}.{} (sequence, notification_id, originator_id, "
                "originator_version, recorded_at, hash, encoding, command_id) "
                "VALUES (%s,%s,%s,%s,%s,%s,%s,%s)"
            ).format(*self._chain)
            found = SQL(
                "SELECT hash FROM {}.{} WHERE originator_id=%s AND originator_version=%s"
            ).format(*self._chain)
            versions = SQL(
                "SELECT originator_id, max(originator_version) AS version FROM {}.{} "
                "WHERE originator_id = ANY(%s::uuid[]) GROUP BY originator_id"
            ).format(*self._chain)
            lock = (
                SQL("SET LOCAL lock_timeout = '{}s'").format(self.datastore.lock_timeout),
                SQL("LOCK TABLE {}.{} IN EXCLUSIVE MODE").format(*self._events),
                SQL("NOTIFY {}").format(Identifier(self.channel_name)),
            )
            self._composed = {
                "lock": [q.as_string(conn) for q in lock],
                "head": self._select_head.as_string(conn),
                "hash": found.as_string(conn),
                "versions": versions.as_string(conn),
                "link": link.as_string(conn),
                "insert": self._insert.as_string(conn),
                "insert_at": self._insert_at.as_string(conn),
            }
        return self._composed

    def _insert_rows(
        self,
        curs: Any,
        statements: dict[str, Any],
        admitted: Sequence[StoredEvent],
        positions: Sequence[int] | None,
    ) -> list[int]:
        """Insert the events in bounded statements (at ``positions`` if given; the
        notification id sequence then moves past them); their notification ids."""
        by_key: dict[tuple[str, int], int] = {}
        start = 0
        for chunk in _chunks(admitted):
            columns = (
                [e.originator_id for e in chunk],
                [e.originator_version for e in chunk],
                [e.topic for e in chunk],
                [e.state for e in chunk],
            )
            if positions is None:
                curs.execute(statements["insert"], columns, prepare=True)
            else:
                curs.execute(
                    statements["insert_at"],
                    (*columns, list(positions[start : start + len(chunk)])),
                )
            start += len(chunk)
            by_key.update(
                ((str(row["originator_id"]), row["originator_version"]), row["notification_id"])
                for row in curs.fetchall()
            )
        if positions is not None:
            curs.execute(
                SQL("SELECT setval(pg_get_serial_sequence(%s, 'notification_id'), %s)"),
                (self._qualified_events, max(positions)),
            )
        return [by_key[(str(e.originator_id), e.originator_version)] for e in admitted]

    @retried_after_a_cut
    def command_versions(
        self, aggregate_id: UUID, command_id: UUID, after: int
    ) -> tuple[list[int], list[int]]:
        with self.datastore.transaction(commit=False) as curs:
            rows = _as_tuples(curs)
            rows.execute(
                SQL(
                    "SELECT originator_version, false FROM {}.{} WHERE originator_id=%s "
                    "AND command_id=%s AND originator_version > %s UNION ALL "
                    "SELECT originator_version, true FROM {}.{} WHERE originator_id=%s "
                    "AND command_id IS NULL AND originator_version > greatest(%s, coalesce(("
                    "SELECT version FROM {}.{} WHERE originator_id=%s), 0)) ORDER BY 1"
                ).format(*self._chain, *self._chain, *self._noted),
                (aggregate_id, command_id, after, aggregate_id, after, aggregate_id),
            )
            found = rows.fetchall()
        return [v for v, unknown in found if not unknown], [v for v, unknown in found if unknown]

    @retried_after_a_cut
    def kept_commands(self, aggregate_id: UUID) -> dict[int, UUID]:
        with self.datastore.transaction(commit=False) as curs:
            rows = _as_tuples(curs)
            rows.execute(
                SQL(
                    "SELECT originator_version, command_id FROM {}.{} "
                    "WHERE originator_id=%s AND command_id IS NOT NULL"
                ).format(*self._chain),
                (aggregate_id,),
            )
            return dict(rows.fetchall())

    @retried_after_a_cut
    def noted_version(self, aggregate_id: UUID) -> int:
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(
                SQL("SELECT version FROM {}.{} WHERE originator_id=%s").format(*self._noted),
                (aggregate_id,),
            )
            row = curs.fetchone()
            return 0 if row is None else int(row["version"])

    @retried_after_a_cut
    def note_commands(self, aggregate_id: UUID, command_ids: Mapping[int, UUID]) -> None:
        if not command_ids:
            return
        with self.datastore.transaction(commit=True) as curs:
            curs.executemany(
                SQL(
                    "UPDATE {}.{} SET command_id=%s WHERE originator_id=%s "
                    "AND originator_version=%s AND command_id IS NULL"
                ).format(*self._chain),
                [(command, aggregate_id, version) for version, command in command_ids.items()],
            )
            curs.execute(
                SQL(
                    "INSERT INTO {}.{} AS n VALUES (%s, %s) ON CONFLICT (originator_id) "
                    "DO UPDATE SET version = greatest(n.version, excluded.version)"
                ).format(*self._noted),
                (aggregate_id, max(command_ids)),
            )

    @retried_after_a_cut
    def last_link(self) -> tuple[int, str] | None:
        with self.datastore.transaction(commit=False) as curs:
            last = self._last_link_on(curs)
            return None if last is None else (last[0], last[1])

    @retried_after_a_cut
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

    def _last_link_on(self, curs: Any) -> tuple[int, str, int] | None:
        """The newest link's sequence, hash and encoding, read in the transaction of ``curs``."""
        curs.execute(self._select_last)
        row = curs.fetchone()
        return None if row is None else (row["sequence"], row["hash"], row["encoding"])

    @retried_after_a_cut
    def select_chain(self, after_sequence: int, limit: int) -> Sequence[ChainRow | DamagedRow]:
        return self._links("k.sequence > %s", (after_sequence, limit))

    @retried_after_a_cut
    def select_stray_links(self, limit: int) -> Sequence[ChainRow | DamagedRow]:
        return self._links("k.sequence < 1", (limit,))

    def _links(self, where: str, params: tuple[int, ...]) -> list[ChainRow | DamagedRow]:
        """The links ``where`` holds (a condition on the link ``k``), in order, up to the
        limit that ends ``params``, each with its event."""
        with self.datastore.transaction(commit=False) as curs:
            rows = _as_tuples(curs)
            rows.execute(
                SQL(
                    "SELECT k.sequence, k.notification_id AS k_position, "
                    "k.originator_id AS k_id, k.originator_version AS k_version, "
                    "k.recorded_at, k.hash, k.encoding, e.notification_id, "
                    "e.originator_id, e.originator_version, e.topic, e.state "
                    "FROM {}.{} k LEFT JOIN {}.{} e ON e.notification_id = k.notification_id "
                    "WHERE " + where + " ORDER BY k.sequence LIMIT %s"
                ).format(*self._chain, *self._events),
                params,
            )
            return [chain_row(row, _uuid_object) for row in rows.fetchall()]

    @retried_after_a_cut
    def select_notifications(
        self,
        start: int | None,
        limit: int,
        stop: int | None = None,
        topics: Sequence[str] = (),
        *,
        inclusive_of_start: bool = True,
    ) -> Sequence[Notification]:
        # eventsourcing's statement (prepared, on a connection of the pool), its rows read
        # as tuples and its records made by notifications_of, where eventsourcing makes a
        # dict of each row and builds each record through the dataclass's __init__: the
        # raw read of the log about a fifth quicker.
        where, params = log_page_filter(
            "%s", "notification_id", start, stop, topics, inclusive_of_start, topics_as_array=True
        )
        statement = SQL(
            "SELECT notification_id, originator_id, originator_version, topic, state "
            "FROM {}.{} " + where + "ORDER BY notification_id LIMIT %s"
        ).format(*self._events)
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            rows = _as_tuples(curs)
            rows.execute(statement, [*params, limit], prepare=True)
            return notifications_of(rows.fetchall(), _as_found)

    @retried_after_a_cut
    def select_events(
        self,
        originator_id: UUID | str,
        *,
        gt: int | None = None,
        lte: int | None = None,
        desc: bool = False,
        limit: int | None = None,
    ) -> Sequence[StoredEvent]:
        # As select_notifications: eventsourcing's statement, read quicker.
        rows = self._aggregate_rows(_RECORD, originator_id, gt, lte, desc, limit)
        return events_of(rows, _as_found)

    def _aggregate_rows(
        self,
        columns: str,
        originator_id: UUID | str,
        gt: int | None,
        lte: int | None,
        desc: bool,
        limit: int | None,
    ) -> list[tuple[Any, ...]]:
        """The ``columns`` of ``originator_id``'s records, as eventsourcing's
        ``select_events`` selects them (``gt``, ``lte``, ``desc``, ``limit``)."""
        rest, params = versions_filter("%s", gt, lte, desc, limit)
        statement = SQL("SELECT " + columns + " FROM {}.{} WHERE originator_id=%s " + rest).format(
            *self._events
        )
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            rows = _as_tuples(curs)
            rows.execute(statement, [originator_id, *params], prepare=True)
            return rows.fetchall()

    @retried_after_a_cut
    def select_spans(self) -> Sequence[AggregateSpan] | None:
        with self.datastore.transaction(commit=False) as curs:
            rows = _as_tuples(curs)
            rows.execute(
                SQL(
                    "SELECT s.*, e.topic FROM (SELECT originator_id, MIN(notification_id) "
                    "AS first, COUNT(*), MIN(originator_version), MAX(originator_version) "
                    "FROM {0}.{1} GROUP BY originator_id) s "
                    "JOIN {0}.{1} e ON e.notification_id = s.first ORDER BY s.first"
                ).format(*self._events)
            )
            return spans_of(rows.fetchall(), _uuid_or_none)

    @retried_after_a_cut
    def select_placed(
        self, originator_id: UUID, *, gt: int | None, limit: int
    ) -> Sequence[Notification]:
        rows = self._aggregate_rows(
            "notification_id, " + _RECORD, originator_id, gt, None, False, limit
        )
        return notifications_of(rows, _as_found)

    @retried_after_a_cut
    def select_heads(self, after: int, limit: int) -> Sequence[RecordHead]:
        with self.datastore.transaction(commit=False) as curs:
            rows = _as_tuples(curs)
            rows.execute(
                SQL(
                    "SELECT notification_id, originator_id, originator_version, topic "
                    "FROM {}.{} WHERE notification_id > %s ORDER BY notification_id LIMIT %s"
                ).format(*self._events),
                (after, limit),
            )
            return cast(list[RecordHead], rows.fetchall())

    @retried_after_a_cut
    def select_unchained(self, limit: int) -> Sequence[tuple[int, StoredEvent]]:
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(
                SQL(
                    "SELECT e.notification_id, e.originator_id, e.originator_version, e.topic, "
                    "e.state FROM {}.{} e LEFT JOIN {}.{} k "
                    "ON k.notification_id = e.notification_id AND k.sequence >= 1 "
                    "WHERE k.sequence IS NULL "
                    "ORDER BY e.notification_id LIMIT %s"
                ).format(*self._events, *self._chain),
                (limit,),
            )
            return [
                (
                    row["notification_id"],
                    loose_event(
                        row["originator_id"], row["originator_version"], row["topic"], row["state"]
                    ),
                )
                for row in curs.fetchall()
            ]
