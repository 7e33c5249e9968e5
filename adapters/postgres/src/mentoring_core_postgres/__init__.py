"""PostgreSQL store adapter for mentoring-core.

Registers ``postgresql://`` (and ``postgres://``) store URLs with the core:

    postgresql://USER[:PASSWORD]@HOST[:PORT]/DBNAME[?schema=NAME&pool_size=N&connect_timeout=S]

The events go to eventsourcing's PostgreSQL recorder (tables ``mentoring_events``
and ``mentoring_snapshots``, the hash chain in ``mentoring_chain``, the compliance read
model in ``mentoring_compliance_*``, people's data keys in ``mentoring_keys``) in schema
``schema`` (default ``public``). Opening the store creates the schema if it does not
exist, and the tables if it holds none, as a SQLite store file is created;
:func:`missing_schema` (the backend's ``missing``, which
``mentoring_core.store.missing_store`` asks) tells that the schema does not exist,
creating nothing, for a caller that must not create a store: the ``mentoring`` commands
other than ``programme create``, ``demo``, ``audit import`` and ``serve`` refuse it. A
schema name must be plain (lower-case letters, digits and ``_``, not starting with a
digit or ``pg_``) and at most 63 bytes, PostgreSQL's limit: anything else is refused
before the server is contacted, never truncated.
Passwords can also come from the standard ``PGPASSWORD`` environment variable or
``~/.pgpass`` (libpq's rules). :data:`BACKEND` is the object registered with the core.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import parse_qs, unquote, urlsplit

import psycopg
from eventsourcing.postgres import PostgresAggregateRecorder, PostgresFactory
from eventsourcing.utils import Environment
from psycopg import sql

from mentoring_core import StoreConfigurationError, redact
from mentoring_core.extend import APPLICATION_NAME, ChainedRecorder, Held, StoreBackend

from .chained import upgrade_chain_table
from .keys import PostgresKeyStore, postgres_keys
from .views import PostgresComplianceView, notification_listener, postgres_view

__all__ = [
    "BACKEND",
    "PostgresComplianceView",
    "PostgresKeyStore",
    "check_schema",
    "create_tables_once",
    "ensure_schema",
    "missing_schema",
    "postgres_environment",
]

_OPTIONS = {
    "schema": "POSTGRES_SCHEMA",
    "pool_size": "POSTGRES_POOL_SIZE",
    "max_overflow": "POSTGRES_MAX_OVERFLOW",
    "connect_timeout": "POSTGRES_CONNECT_TIMEOUT",
    "lock_timeout": "POSTGRES_LOCK_TIMEOUT",
}
MAX_SCHEMA_BYTES = 63
"""PostgreSQL's longest identifier (NAMEDATALEN - 1): a longer one is silently cut."""
_PLAIN_SCHEMA = re.compile(r"[a-z_][a-z0-9_]*")


def check_schema(url: str, schema: str) -> None:
    """Refuse a schema name PostgreSQL would cut short, reserve, or need quoting for."""
    where = f"store URL {redact(url)!r}: schema {schema!r}"
    size = len(schema.encode("utf-8"))
    if size > MAX_SCHEMA_BYTES:
        raise StoreConfigurationError(
            f"{where} is {size} bytes long; PostgreSQL keeps only the first "
            f"{MAX_SCHEMA_BYTES}, so two such names would share one store"
        )
    if not _PLAIN_SCHEMA.fullmatch(schema):
        raise StoreConfigurationError(
            f"{where} is not a plain name: use lower-case letters, digits and _, "
            "starting with a letter or _"
        )
    if schema.startswith("pg_"):
        raise StoreConfigurationError(f"{where}: PostgreSQL reserves names starting with pg_")


MAX_CONNECT_TIMEOUT_SECONDS = 3600


def check_connect_timeout(url: str, value: str) -> None:
    """Refuse a ``connect_timeout`` that is not whole seconds from 1 to an hour (libpq and
    the connection pool read 0, a negative or a huge one as "give up at once" or fail)."""
    seconds = re.fullmatch(r"[0-9]{1,4}", value)
    if seconds is None or not 1 <= int(value) <= MAX_CONNECT_TIMEOUT_SECONDS:
        raise StoreConfigurationError(
            f"store URL {redact(url)!r}: connect_timeout {value!r} is not a whole number "
            f"of seconds from 1 to {MAX_CONNECT_TIMEOUT_SECONDS}"
        )


def postgres_environment(url: str) -> dict[str, str]:
    """The eventsourcing environment for a ``postgresql://`` URL; creates the schema and
    the tables if needed."""
    env = _checked_environment(url)
    schema = env.get("POSTGRES_SCHEMA")
    if schema:
        ensure_schema(env, schema)
    create_tables_once(env)
    return env


def missing_schema(url: str) -> str | None:
    """``schema NAME`` if the schema a ``postgresql://`` URL names does not exist, else
    None (also for a URL naming none); creates nothing. A schema that exists but holds
    none of the store's tables is there: opening it makes them."""
    env = _checked_environment(url)
    schema = env.get("POSTGRES_SCHEMA")
    if not schema:
        return None
    with _connect(env) as conn:
        return None if _schema_exists(conn, schema) else f"schema {schema}"


def _checked_environment(url: str) -> dict[str, str]:
    """The eventsourcing environment for a ``postgresql://`` URL, checked before the
    server is contacted."""
    parts = urlsplit(url)
    dbname = unquote(parts.path.lstrip("/"))
    if not parts.hostname or not dbname:
        raise StoreConfigurationError(
            f"store URL {redact(url)!r}: expected postgresql://user@host:port/dbname"
        )
    env = {
        "PERSISTENCE_MODULE": "eventsourcing.postgres",
        "POSTGRES_DBNAME": dbname,
        "POSTGRES_HOST": parts.hostname,
        "POSTGRES_PORT": str(parts.port or 5432),
        "POSTGRES_USER": unquote(parts.username or "postgres"),
        "POSTGRES_PASSWORD": unquote(parts.password or ""),
        "POSTGRES_CONNECT_TIMEOUT": "10",
        "APPLICATION_RECORDER_TOPIC": (
            "mentoring_core_postgres.chained:ChainedPostgresApplicationRecorder"
        ),
    }
    for key, values in parse_qs(parts.query, keep_blank_values=True).items():
        if key not in _OPTIONS:
            raise StoreConfigurationError(
                f"store URL {redact(url)!r}: unknown option {key!r}; known: {', '.join(_OPTIONS)}"
            )
        env[_OPTIONS[key]] = values[-1]
    check_connect_timeout(url, env["POSTGRES_CONNECT_TIMEOUT"])
    schema = env.get("POSTGRES_SCHEMA")
    if schema:
        check_schema(url, schema)
    return env


def _conninfo(env: dict[str, str]) -> str:
    return psycopg.conninfo.make_conninfo(
        dbname=env["POSTGRES_DBNAME"],
        host=env["POSTGRES_HOST"],
        port=env["POSTGRES_PORT"],
        user=env["POSTGRES_USER"],
        password=env["POSTGRES_PASSWORD"] or None,
        connect_timeout=env["POSTGRES_CONNECT_TIMEOUT"],
    )


def create_tables_once(env: dict[str, str]) -> None:
    """Create the store's tables, one process at a time, then tell eventsourcing not to.

    eventsourcing creates tables (and replaces a function) each time an application
    starts; two processes doing that at once on a fresh database can fail with
    "tuple concurrently updated". An advisory lock serialises the creation, and the
    applications opened afterwards skip it (``CREATE_TABLE=n``). A chain table made
    before link encodings gets its ``encoding`` column here, under the same lock, and
    one made before command ids were kept its ``command_id`` column and index.
    """
    schema = env.get("POSTGRES_SCHEMA") or "public"
    key = f"mentoring-core:{schema}"
    marker = f"{schema}.{APPLICATION_NAME}_snapshots"
    with _connect(env) as conn:
        conn.execute("SELECT pg_advisory_lock(hashtext(%s))", (key,))
        try:
            row = conn.execute("SELECT to_regclass(%s)", (marker,)).fetchone()
            if row is None or row[0] is None:
                factory = PostgresFactory(
                    Environment(APPLICATION_NAME, {**env, "CREATE_TABLE": "y"})
                )
                try:
                    factory.application_recorder()
                    factory.aggregate_recorder("snapshots")
                finally:
                    factory.close()
            upgrade_chain_table(conn, schema)
        finally:
            conn.execute("SELECT pg_advisory_unlock(hashtext(%s))", (key,))
    env["CREATE_TABLE"] = "n"


def _connect(env: dict[str, str]) -> psycopg.Connection[tuple[object, ...]]:
    try:
        return psycopg.connect(_conninfo(env), autocommit=True)
    except psycopg.OperationalError as error:
        raise StoreConfigurationError(
            f"cannot connect to PostgreSQL at {env['POSTGRES_HOST']}:{env['POSTGRES_PORT']} "
            f"database {env['POSTGRES_DBNAME']!r}: {str(error).strip()}"
        ) from error


def ensure_schema(env: dict[str, str], schema: str) -> None:
    """Create ``schema`` if it does not exist; safe when several processes race to do it.

    Asked first, so that a store whose schema exists opens on a read-only server (a hot
    standby, or a role with ``default_transaction_read_only``), which refuses even
    ``CREATE SCHEMA IF NOT EXISTS``."""
    with _connect(env) as conn:
        if _schema_exists(conn, schema):
            return
        # Another process may create the schema between the check and the insert.
        with contextlib.suppress(psycopg.errors.UniqueViolation):
            conn.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(schema)))


def _schema_exists(conn: psycopg.Connection[tuple[object, ...]], schema: str) -> bool:
    found = conn.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", (schema,))
    return found.fetchone() is not None


@contextmanager
def hold_advisory_lock(recorder: ChainedRecorder, name: str) -> Iterator[Held]:
    """The lock ``name`` on the store (:meth:`mentoring_core.store.Store.hold`): an
    advisory lock of the session, on a pooled connection held for the block; the server
    lets it go when the connection ends (its process killed, the network lost), which
    :attr:`~mentoring_core.extend.Held.lost` then tells (a query on that connection
    fails)."""
    assert isinstance(recorder, PostgresAggregateRecorder)
    key = f"mentoring-core:{recorder.datastore.schema or 'public'}:{name}"
    with recorder.datastore.get_connection() as conn:
        row = conn.execute("SELECT pg_try_advisory_lock(hashtext(%s)) AS got", (key,)).fetchone()
        got = bool(row is not None and row["got"])

        def lost() -> bool:
            try:
                conn.execute("SELECT 1")
            except (psycopg.OperationalError, psycopg.InterfaceError):
                return True
            return False

        try:
            yield Held(got, lost)
        finally:
            if got:  # a lock whose connection is gone went with it
                with contextlib.suppress(psycopg.OperationalError, psycopg.InterfaceError):
                    conn.execute("SELECT pg_advisory_unlock(hashtext(%s))", (key,))


BACKEND = StoreBackend(
    environment=postgres_environment,
    compliance_view=postgres_view,
    listener=notification_listener,
    missing=missing_schema,
    key_store=postgres_keys,
    hold=hold_advisory_lock,
)
"""The PostgreSQL store backend, registered under ``mentoring_core.stores`` for
``postgresql://`` and ``postgres://`` URLs."""
