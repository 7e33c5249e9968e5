"""The compliance read model on PostgreSQL, in the events' schema, through their datastore,
and the LISTEN loop that wakes a follower on each insert."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any
from uuid import UUID

from eventsourcing.persistence import Tracking
from eventsourcing.postgres import (
    PostgresApplicationRecorder,
    PostgresDatastore,
    PostgresTrackingRecorder,
)
from psycopg.sql import SQL, Identifier

from mentoring_core import StoreConfigurationError
from mentoring_core.extend import (
    APPLICATION_NAME,
    FACTS_TABLE,
    TRACKING_TABLE,
    ChainedRecorder,
    ComplianceView,
    Listener,
    StoredFacts,
    stale_position,
)

from .retrying import retried_after_a_cut

KEYS_PAGE = 1000
"""Rows listed at a time by :meth:`PostgresComplianceView.stored_keys`."""


class PostgresComplianceView(PostgresTrackingRecorder, ComplianceView):
    """Tables ``<app>_compliance_facts_vN`` and ``<app>_compliance_tracking_vN``.

    Each statement of the project's own is made again on a new connection after a cut one
    (:mod:`.retrying`), as eventsourcing's tracking statements are: the reads, the tables'
    creation (``IF NOT EXISTS``), and the saves of rows (never over a higher version) and
    of the position, which a retry after its commit finds stale (stored), as it would
    another projector's."""

    def __init__(self, datastore: PostgresDatastore, *, prefix: str = APPLICATION_NAME) -> None:
        if not datastore.single_row_tracking:
            raise StoreConfigurationError("the compliance read model needs single-row tracking")
        super().__init__(datastore, tracking_table_name=f"{prefix}_{TRACKING_TABLE}")
        facts_table = f"{prefix}_{FACTS_TABLE}"
        self.check_identifier_length(facts_table)
        schema, table = Identifier(datastore.schema), Identifier(facts_table)
        self.sql_create_statements.append(
            SQL(
                "CREATE TABLE IF NOT EXISTS {0}.{1} (aggregate_id uuid PRIMARY KEY, "
                "programme_id uuid NOT NULL, kind text NOT NULL, version bigint NOT NULL, "
                "facts text NOT NULL)"
            ).format(schema, table)
        )
        self.sql_create_statements.append(
            SQL("CREATE INDEX IF NOT EXISTS {2} ON {0}.{1} (programme_id)").format(
                schema, table, Identifier(f"{facts_table}_programme_idx")
            )
        )
        self._upsert = SQL(
            "INSERT INTO {0}.{1} AS f (aggregate_id, programme_id, kind, version, facts) "
            "VALUES (%s, %s, %s, %s, %s) ON CONFLICT (aggregate_id) DO UPDATE SET "
            "programme_id = EXCLUDED.programme_id, kind = EXCLUDED.kind, "
            "version = EXCLUDED.version, facts = EXCLUDED.facts "
            "WHERE EXCLUDED.version > f.version"
        ).format(schema, table)
        # Insert the position, or move it forward; no row comes back (and the caller
        # raises) when the stored position is already at or past the new one.
        self._advance = SQL(
            "INSERT INTO {0}.{1} AS t (application_name, notification_id) VALUES (%s, %s) "
            "ON CONFLICT (application_name) DO UPDATE "
            "SET notification_id = EXCLUDED.notification_id "
            "WHERE t.notification_id < EXCLUDED.notification_id RETURNING t.notification_id"
        ).format(schema, Identifier(self.tracking_table_name))
        # The row eventsourcing writes in a tracking table it makes (single-row from the
        # start, as this one has always been), written where it is missing.
        self._migrated = SQL(
            "INSERT INTO {0}.{1} (application_name, notification_id) VALUES (%s, 1) "
            "ON CONFLICT (application_name) DO NOTHING"
        ).format(schema, Identifier(self.tracking_table_name))
        self._creation_lock = f"mentoring-core:{datastore.schema}.{facts_table}"
        self._made = SQL("SELECT {} AS made").format(
            SQL(" AND ").join([SQL("to_regclass(%s) IS NOT NULL")] * 3)
        )
        self._made_names = tuple(
            f"{datastore.schema}.{name}"
            for name in (self.tracking_table_name, facts_table, f"{facts_table}_programme_idx")
        )
        columns = "SELECT aggregate_id, programme_id, kind, version, facts FROM {0}.{1} "
        self._select_ids = SQL(columns + "WHERE aggregate_id = ANY(%s)").format(schema, table)
        self._select_programme = SQL(columns + "WHERE programme_id = %s").format(schema, table)
        self._select_keys = SQL(
            "SELECT aggregate_id, programme_id, version FROM {0}.{1} "
            "WHERE %s::uuid IS NULL OR aggregate_id > %s ORDER BY aggregate_id LIMIT %s"
        ).format(schema, table)

    @staticmethod
    def _row(row: dict[str, Any]) -> StoredFacts:
        return StoredFacts(
            aggregate_id=row["aggregate_id"],
            programme_id=row["programme_id"],
            kind=row["kind"],
            version=row["version"],
            facts=row["facts"],
        )

    @retried_after_a_cut
    def select_facts(self, aggregate_ids: Sequence[UUID]) -> list[StoredFacts]:
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(self._select_ids, (list(aggregate_ids),))
            return [self._row(row) for row in curs.fetchall()]

    @retried_after_a_cut
    def select_programme_facts(self, programme_id: UUID) -> list[StoredFacts]:
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(self._select_programme, (programme_id,))
            return [self._row(row) for row in curs.fetchall()]

    @retried_after_a_cut
    def create_table(self) -> None:
        """The read model's tables where one is missing, as eventsourcing makes them (and a
        new tracking table's migration row), in one transaction begun by an advisory lock:
        processes making them at once take turns, each finding what the one before made.
        eventsourcing's own creation takes no lock, and ``CREATE TABLE IF NOT EXISTS`` is
        not safe against another transaction making the same table: all but one process
        failed ("duplicate key value violates unique constraint pg_type_typname_nsp_index").
        Tables that are all there are left alone: nothing is written."""
        with self.datastore.transaction(commit=True) as curs:
            curs.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (self._creation_lock,))
            curs.execute(self._made, self._made_names)
            made = curs.fetchone()
            if made is not None and made["made"]:
                return
            for statement in self.sql_create_statements:
                curs.execute(statement, prepare=False)
            curs.execute(self._migrated, (self.table_migration_identifier,))

    def stored_keys(self, programme_ids: Iterable[UUID]) -> Iterator[tuple[Any, Any, Any]]:
        # every row, a page at a time in the order of its key (a uuid: it has no other form)
        after: UUID | None = None
        while True:
            rows = self._keys_page(after)
            for row in rows:
                yield row["aggregate_id"], row["programme_id"], row["version"]
            if len(rows) < KEYS_PAGE:
                return
            after = rows[-1]["aggregate_id"]

    @retried_after_a_cut
    def _keys_page(self, after: UUID | None) -> list[dict[str, Any]]:
        """The next page of :meth:`stored_keys`: the rows after the key ``after``."""
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(self._select_keys, (after, after, KEYS_PAGE))
            return curs.fetchall()

    def save_facts(self, rows: Sequence[StoredFacts], tracking: Tracking) -> None:
        self._save(rows, tracking)

    def save_rows(self, rows: Sequence[StoredFacts]) -> None:
        self._save(rows, None)

    @retried_after_a_cut
    def _save(self, rows: Sequence[StoredFacts], tracking: Tracking | None) -> None:
        """``rows``, and ``tracking`` where given, in one transaction (made again after a
        cut: the rows never replace higher versions, and a retry after a commit finds its
        position stored, as another projector's)."""
        params = [(r.aggregate_id, r.programme_id, r.kind, r.version, r.facts) for r in rows]
        # eventsourcing's tracking insert on a given cursor is private, so the position
        # is written here with the project's own statement, in the rows' transaction.
        with self.datastore.transaction(commit=True) as curs:
            if tracking is not None:
                # The position first: its row lock makes a racing projector wait, then
                # refuses whichever batch is no longer past the stored position.
                curs.execute(self._advance, (tracking.application_name, tracking.notification_id))
                if curs.fetchone() is None:
                    raise stale_position(tracking)
            if params:
                curs.executemany(self._upsert, params)


def postgres_view(recorder: ChainedRecorder) -> PostgresComplianceView:
    """The read model beside a PostgreSQL application recorder's events."""
    if not isinstance(recorder, PostgresApplicationRecorder):
        raise StoreConfigurationError(f"not a PostgreSQL recorder: {type(recorder).__qualname__}")
    view = PostgresComplianceView(recorder.datastore)
    view.create_table()
    return view


def notification_listener(recorder: ChainedRecorder) -> Listener:
    """For a PostgreSQL recorder, a loop that runs ``work`` whenever events are inserted.

    ``loop(stopping, work, timeout)`` LISTENs on the channel the recorder NOTIFYs
    on every insert, runs ``work`` at once and after each notification, and looks at
    ``stopping()`` at least every ``timeout`` seconds, returning when it is true.
    """
    if not isinstance(recorder, PostgresApplicationRecorder):
        raise StoreConfigurationError(f"not a PostgreSQL recorder: {type(recorder).__qualname__}")
    channel = recorder.channel_name

    def loop(stopping: Callable[[], bool], work: Callable[[], None], timeout: float) -> None:
        with recorder.datastore.get_connection() as conn:
            conn.execute(SQL("LISTEN {0}").format(Identifier(channel)))
            told = True  # at once: what was written before the LISTEN
            while not stopping():
                if told:
                    work()
                told = any(True for _ in conn.notifies(timeout=timeout, stop_after=1))

    return loop
