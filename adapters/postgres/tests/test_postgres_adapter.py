"""The PostgreSQL adapter: URL parsing, schema creation, and the core opening through it."""

from __future__ import annotations

import re
import subprocess
import sys
import uuid
from urllib.parse import quote

import psycopg
import pytest
from eventsourcing.persistence import PersistenceError, StoredEvent
from mentoring_core_postgres import BACKEND, PostgresComplianceView, postgres_environment
from mentoring_core_postgres.chained import _chunks
from mentoring_core_postgres.testing import TEST_SERVER_URL, postgres_store_url

from mentoring_core import MentoringService, StoreConfigurationError
from mentoring_core.extend import StoreBackend
from mentoring_core.projections import ComplianceProjection
from mentoring_core.store import backend_for, missing_store, store_environment


def test_the_core_finds_the_adapter_by_url_scheme(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("mentoring_core_postgres.ensure_schema", lambda env, schema: None)
    monkeypatch.setattr("mentoring_core_postgres.create_tables_once", lambda env: None)
    env = store_environment("postgresql://mc:s%40cret@db.example:6543/records?schema=audit")
    assert env["PERSISTENCE_MODULE"] == "eventsourcing.postgres"
    assert env["POSTGRES_HOST"] == "db.example"
    assert env["POSTGRES_PORT"] == "6543"
    assert env["POSTGRES_USER"] == "mc"
    assert env["POSTGRES_PASSWORD"] == "s@cret"
    assert env["POSTGRES_DBNAME"] == "records"
    assert env["POSTGRES_SCHEMA"] == "audit"


def test_unknown_options_are_refused_without_leaking_the_password() -> None:
    with pytest.raises(StoreConfigurationError) as raised:
        postgres_environment("postgresql://mc:topsecret@db.example/records?shema=x")
    assert "'shema'" in str(raised.value)
    assert "topsecret" not in str(raised.value)


def test_a_url_without_a_database_is_refused() -> None:
    with pytest.raises(StoreConfigurationError, match="expected postgresql://"):
        postgres_environment("postgresql://db.example")


def test_an_unreachable_server_is_a_clear_error() -> None:
    with pytest.raises(
        StoreConfigurationError, match=r"cannot connect to PostgreSQL at 127\.0\.0\.1:9 "
    ):
        postgres_environment(
            "postgresql://postgres@127.0.0.1:9/test?schema=nowhere&connect_timeout=2"
        )


def test_opening_a_store_creates_its_schema_and_tables() -> None:
    with postgres_store_url("adapter") as url:
        schema = url.rsplit("schema=", 1)[1]
        with MentoringService(url) as service:
            service.create_programme("Pilot", "Northside Care", actor="coordinator")
        with psycopg.connect(TEST_SERVER_URL) as conn:
            tables = {
                row[0]
                for row in conn.execute(
                    "SELECT table_name FROM information_schema.tables WHERE table_schema = %s",
                    (schema,),
                )
            }
        assert tables == {
            "mentoring_events",
            "mentoring_snapshots",
            "mentoring_chain",
            "mentoring_keys",
            "mentoring_commands_noted",
        }


OPEN_AND_WRITE = """
import sys
from mentoring_core import MentoringService
with MentoringService(sys.argv[1]) as service:
    service.create_programme("Race " + sys.argv[2], "Northside Care", actor="coordinator")
"""


def test_processes_opening_a_fresh_store_at_once_all_succeed() -> None:
    """Table creation is serialised: no 'tuple concurrently updated' on a fresh schema."""
    with postgres_store_url("race") as url:
        processes = [
            subprocess.Popen(
                [sys.executable, "-c", OPEN_AND_WRITE, url, str(n)],
                stderr=subprocess.PIPE,
                text=True,
            )
            for n in range(6)
        ]
        failures = [p.stderr.read() for p in processes if p.wait(timeout=120) != 0]  # type: ignore[union-attr]
        assert failures == []
        with MentoringService(url) as service:
            assert len(service.programmes()) == 6


OPEN_THEN_REPORT = """
import sys
from mentoring_core import MentoringService
from mentoring_core.projections import ComplianceProjection
with MentoringService(sys.argv[1]) as service:
    print("ready", flush=True)
    sys.stdin.readline()  # every process opened the store: now all make the read model
    ComplianceProjection(service).catch_up()
"""


def test_processes_making_a_store_s_read_model_at_once_all_succeed() -> None:
    """The read model's tables are made once, the others waiting: six processes bringing
    the read model of a store that has none (a fresh store, or one opened by a release
    with a new FACTS_SCHEMA) up to date at once all succeed. Each made them in its own
    transaction, and all but one failed: "duplicate key value violates unique constraint
    pg_type_typname_nsp_index" (CREATE TABLE IF NOT EXISTS is not safe against another
    transaction creating the table), told as an IntegrityError."""
    with postgres_store_url("views") as url:
        with MentoringService(url) as service:
            programme = service.create_programme("Pilot", "Northside Care", actor="coordinator")
        processes = [
            subprocess.Popen(
                [sys.executable, "-c", OPEN_THEN_REPORT, url],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(6)
        ]
        ready = [p.stdout.readline() for p in processes]  # type: ignore[union-attr]
        for p in processes:
            p.stdin.write("go\n")  # type: ignore[union-attr]
            p.stdin.flush()  # type: ignore[union-attr]
        failures = [p.communicate(timeout=120)[1] for p in processes if p.wait(timeout=120)]
        assert (ready, failures) == (["ready\n"] * 6, [])
        with MentoringService(url) as service:
            projection = ComplianceProjection(service)
            assert projection.catch_up() == 0  # brought up to date by the processes
            assert projection.programme_facts(programme.id)[0].name == "Pilot"


def test_the_adapter_registers_one_backend_object_for_both_schemes() -> None:
    assert backend_for("postgresql://mc@db.example/records") is BACKEND
    assert backend_for("postgres://mc@db.example/records") is BACKEND
    assert isinstance(BACKEND, StoreBackend)


def test_a_postgresql_store_keeps_its_read_model_and_pushes_writes() -> None:
    with postgres_store_url("port") as url, MentoringService(url) as service:
        assert isinstance(service.store.compliance_view(), PostgresComplianceView)
        assert service.store.listener() is not None


def _schemas() -> set[str]:
    with psycopg.connect(TEST_SERVER_URL) as conn:
        return {str(row[0]) for row in conn.execute("SELECT nspname FROM pg_namespace")}


@pytest.mark.parametrize(
    ("schema", "reason"),
    [
        ("s" * 64, "64 bytes long; PostgreSQL keeps only the first 63"),
        ("é" * 32, "64 bytes long; PostgreSQL keeps only the first 63"),
        ('evil"; DROP SCHEMA public CASCADE; --', "not a plain name"),
        ("Audit", "not a plain name"),
        ("1st", "not a plain name"),
        ("pg_audit", "PostgreSQL reserves names starting with pg_"),
    ],
    ids=["64-bytes", "64-bytes-in-32-letters", "hostile", "upper-case", "digit-first", "pg_"],
)
def test_a_schema_name_postgresql_would_change_or_refuse_is_refused_before_connecting(
    monkeypatch: pytest.MonkeyPatch, schema: str, reason: str
) -> None:
    """Issue 11: a long name was truncated (two URLs, one store); a hostile one created."""
    touched: list[str] = []
    monkeypatch.setattr("mentoring_core_postgres._connect", lambda env: touched.append("!"))
    url = f"postgresql://mc:topsecret@db.example/records?schema={quote(schema)}"
    with pytest.raises(StoreConfigurationError) as raised:
        postgres_environment(url)
    with pytest.raises(StoreConfigurationError, match=f"schema {re.escape(repr(schema))}"):
        missing_store(url)
    message = str(raised.value)
    assert f"schema {schema!r} is {reason}" in message or f"schema {schema!r}: {reason}" in message
    assert "topsecret" not in message
    assert touched == []


def test_a_63_byte_schema_name_is_accepted() -> None:
    with postgres_store_url("x") as url:
        schema = url.rsplit("schema=", 1)[1]
        longest = (schema + "_" + "x" * 63)[:63]
        url = url.replace(f"schema={schema}", f"schema={longest}")
        try:
            with MentoringService(url) as service:
                service.create_programme("Pilot", "Northside Care", actor="coordinator")
            assert longest in _schemas()
        finally:
            with psycopg.connect(TEST_SERVER_URL, autocommit=True) as conn:
                conn.execute(f'DROP SCHEMA IF EXISTS "{longest}" CASCADE')


def test_a_missing_schema_is_told_without_creating_it() -> None:
    """What a caller that must not create a store asks first (the CLI's reading
    commands); the Python API creates the schema, as it creates a SQLite file."""
    with postgres_store_url("missing") as url:
        schema = url.rsplit("schema=", 1)[1]
        assert missing_store(url) == f"schema {schema}"
        assert schema not in _schemas()
        with MentoringService(url):
            pass
        assert schema in _schemas()
        assert missing_store(url) is None
    assert missing_store(TEST_SERVER_URL) is None  # no ?schema=: the server's search_path


def test_a_refused_schema_is_never_created_on_the_server() -> None:
    with postgres_store_url("x") as url:
        schema = url.rsplit("schema=", 1)[1]
        long_name = schema + "_" + "y" * 64
        hostile = schema + '"; CREATE SCHEMA x; --'
        for name in (long_name, hostile):
            with pytest.raises(StoreConfigurationError):
                MentoringService(url.replace(f"schema={schema}", f"schema={quote(name)}"))
        found = {s for s in _schemas() if s.startswith(schema)}
        assert found == set()


def _event(n: int, size: int = 10) -> StoredEvent:
    return StoredEvent(
        originator_id=uuid.UUID(int=n + 1), originator_version=1, topic="T", state=b"x" * size
    )


def test_a_large_batch_goes_in_bounded_statements_in_its_order() -> None:
    events = [_event(n) for n in range(2345)]
    assert [len(c) for c in _chunks(events)] == [1000, 1000, 345]
    big = [_event(n, 6_000_000) for n in range(5)]
    assert [len(c) for c in _chunks(big)] == [2, 2, 1]  # at most 16 MB of states each
    assert [len(c) for c in _chunks([_event(0, 20_000_000)])] == [1]  # one alone may be more
    assert [e for c in _chunks(events) for e in c] == events
    assert list(_chunks([])) == []


def test_a_batch_of_several_statements_is_stored_whole_and_chained_in_order() -> None:
    with postgres_store_url("chunks") as url, MentoringService(url) as service:
        recorder = service.store.recorder
        ids = recorder.insert_events([_event(n) for n in range(2345)])
        assert ids is not None and list(ids) == list(range(ids[0], ids[0] + 2345))
        links = recorder.select_chain(0, 3000)
        assert [link.sequence for link in links] == list(range(1, 2346))
        assert [link.notification_id for link in links] == list(ids)
        assert [link.aggregate_id for link in links] == [uuid.UUID(int=n + 1) for n in range(2345)]


def test_a_store_opens_and_reads_on_a_read_only_server(monkeypatch: pytest.MonkeyPatch) -> None:
    """A hot standby refuses every write, even ``CREATE SCHEMA IF NOT EXISTS``: a store
    whose schema and tables exist opens there and reads, verifies and shows history."""
    with postgres_store_url("read_only") as url:
        with MentoringService(url) as service:
            programme = service.create_programme("Pilot", "Northside Care", actor="c").id
        with monkeypatch.context() as read_only:
            read_only.setenv("PGOPTIONS", "-c default_transaction_read_only=on")
            with MentoringService(url) as replica:
                assert replica.programme(programme).name == "Pilot"
                assert len(replica.history(programme)) == 1
                assert replica.verify().ok
                with pytest.raises(PersistenceError, match="INSERT in a read-only transaction"):
                    replica.create_programme("Other", "Northside Care", actor="c")


@pytest.mark.skipif(
    sys.implementation.name != "cpython", reason="psycopg has compiled wheels for CPython only"
)
def test_psycopg_reads_rows_with_its_compiled_implementation() -> None:
    # The adapter depends on psycopg[binary]: with the pure-Python implementation every
    # row read from the server is parsed in Python (a projection from PostgreSQL at 0.6
    # to 0.7 times the speed, docs/performance.md).
    assert psycopg.pq.__impl__ in ("binary", "c"), psycopg.pq.__impl__
