"""Erasing a person: their plaintext leaves the files, the chain and the figures stay.

Runs the report scenario (tests/report_scenario.py) on SQLite and PostgreSQL, gives
Ben (a mentee) and Ana (a mentor) text only they are the subject of, erases Ben, and
searches the whole database for it byte by byte.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import closing
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import psycopg
import pytest
from mentoring_core_postgres.keys import PostgresKeyStore
from mentoring_core_postgres.testing import TEST_SERVER_URL, postgres_store_url
from report_scenario import (
    AS_OF,
    BEN_CONTACT,
    BEN_NAME,
    PAIR_A,
    PROGRAMME,
    SettableClock,
    record,
)

from mentoring_core import InvalidValue, MentoringService, StoreConfigurationError, UnknownPerson
from mentoring_core.audit import timeline
from mentoring_core.audit.derived import check_derived
from mentoring_core.events import PersonalDataErased, ReflectionRecorded, RelationshipEnded
from mentoring_core.extend import KEYS_TABLE
from mentoring_core.privacy import ERASED, ErasureRule
from mentoring_core.projections import build_compliance_report
from mentoring_core.values import EndReason, FeedbackKind, FocusArea, Rating

BEN_SECRET = "Ben-private-goal-7f3a about his divorce"
BEN_REFLECTION = "Ben-reflection-91c2 struggling after the home visit"
ANA_FEEDBACK = "Ana-feedback-55d0 handled the escalation well"
RATINGS = [Rating(focus_area=FocusArea.WELLBEING, score=2)]


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'mentoring.db'}"
    else:
        with postgres_store_url("erasure") as url:
            yield url


def seeded(url: str) -> tuple[MentoringService, SettableClock]:
    clock = SettableClock()
    service = MentoringService(url, clock=clock, snapshot_interval=2)
    record(service, clock)
    service.set_goal(
        PAIR_A, BEN_SECRET, FocusArea.WELLBEING, "He says so", date(2026, 6, 1), actor="ana"
    )
    service.record_reflection(PAIR_A, RATINGS, BEN_REFLECTION, actor="ben")
    service.give_feedback(PAIR_A, "ben", "ana", FeedbackKind.RECOGNITION, ANA_FEEDBACK, actor="ben")
    return service, clock


def database_bytes(url: str) -> bytes:
    """Everything the database holds on disk for the store, after its erasure scrubbed it."""
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        with sqlite3.connect(path) as db:
            db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        wal = path.with_name(path.name + "-wal")
        return path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")
    schema = parse_qs(urlsplit(url).query)["schema"][0]
    found = b""
    with psycopg.connect(TEST_SERVER_URL, autocommit=True) as conn:
        conn.execute("CHECKPOINT")
        tables = conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = %s", (schema,)
        ).fetchall()
        for (table,) in tables:
            name = f'"{schema}"."{table}"'
            with conn.cursor().copy(f"COPY {name} TO STDOUT (FORMAT binary)") as copy:
                found += b"".join(bytes(block) for block in copy)
            (path,) = conn.execute("SELECT pg_relation_filepath(%s)", (name,)).fetchone() or ("",)
            found += conn.execute("SELECT pg_read_binary_file(%s)", (path,)).fetchone()[0]
    return found


def test_an_erased_persons_plaintext_and_key_leave_the_files_and_the_chain_still_verifies(
    store_url: str,
) -> None:
    service, _ = seeded(store_url)
    with service:
        digest = service.verify().digest
        before = build_compliance_report(service, PROGRAMME, now=AS_OF)
        ben_key = service.store.keys.store.get("ben")
        assert ben_key is not None and ben_key.key is not None
        stored = b"".join(r.state for r in service.store.records())
        assert BEN_SECRET.encode() not in stored and b'"$personal"' in stored  # events: sealed
        assert BEN_NAME.encode() not in stored and BEN_CONTACT.encode() not in stored
        assert service.programme(PROGRAMME).participants[1].contact == BEN_CONTACT

        erasure = service.erase_person("ben", "DSAR-2026-014", actor="dpo")

        assert erasure.key_destroyed and erasure.complete
        assert [type(e) for e in erasure.recorded] == [PersonalDataErased]
        assert erasure.recorded[0].rule is ErasureRule.REQUEST
        files = database_bytes(store_url)
        for text in (BEN_SECRET, BEN_REFLECTION, BEN_NAME, BEN_CONTACT):
            assert text.encode() not in files
        assert ben_key.key not in files
        assert service.verify(against=digest).ok
        assert check_derived(service).ok
        assert build_compliance_report(service, PROGRAMME, now=AS_OF) == before
        texts = {
            getattr(e, name, None) for e in service.history(PAIR_A) for name in ("title", "text")
        }
        assert BEN_SECRET not in texts and BEN_REFLECTION not in texts
        assert ERASED in texts and ANA_FEEDBACK in texts  # Ana's data is not Ben's
        assert any("erased" in entry.description for entry in timeline(service.history(PROGRAMME)))
        (ben,) = [p for p in service.programme(PROGRAMME).participants if p.person_id == "ben"]
        assert (ben.display_name, ben.contact) == (ERASED, ERASED)


def test_a_reopened_store_reads_the_erased_fields_as_erased(store_url: str) -> None:
    service, _ = seeded(store_url)
    with service:
        service.erase_person("ben", "DSAR-2026-014", actor="dpo")
    with MentoringService(store_url, trust_snapshots=False) as reopened:
        texts = [e.text for e in reopened.history(PAIR_A) if isinstance(e, ReflectionRecorded)]
        assert texts and set(texts) == {ERASED}
        assert reopened.verify().ok


def test_nothing_personal_is_recorded_about_an_erased_person(store_url: str) -> None:
    service, _ = seeded(store_url)
    with service:
        service.erase_person("ben", "DSAR-2026-014", actor="dpo")
        with pytest.raises(InvalidValue, match=r"erased at .*give the text as '\[erased\]'"):
            service.record_reflection(PAIR_A, RATINGS, "more about Ben", actor="ben")
        service.end(PAIR_A, EndReason.WITHDRAWN_BY_MENTEE, ERASED, actor="coord")  # the fact
        assert service.relationship(PAIR_A).ended is not None
        last = service.history(PAIR_A)[-1]
        assert isinstance(last, RelationshipEnded) and last.explanation == ERASED
        second = service.erase_person("ben", "DSAR-2026-014 again", actor="dpo")
        assert not second.key_destroyed


def test_a_person_enrolled_nowhere_is_not_erased(store_url: str) -> None:
    service, _ = seeded(store_url)
    with service, pytest.raises(UnknownPerson, match="no person 'zoe' is recorded"):
        service.erase_person("zoe", "DSAR-2026-015", actor="dpo")


def test_a_lost_key_table_is_refused_loudly(store_url: str) -> None:
    service, _ = seeded(store_url)
    service.close()
    if store_url.startswith("sqlite:///"):
        with sqlite3.connect(store_url.removeprefix("sqlite:///")) as db:
            db.execute("DROP TABLE mentoring_keys")
    else:
        schema = parse_qs(urlsplit(store_url).query)["schema"][0]
        with psycopg.connect(TEST_SERVER_URL, autocommit=True) as conn:
            conn.execute(f'DROP TABLE "{schema}".mentoring_keys')
    with pytest.raises(StoreConfigurationError, match="keys were lost"):
        MentoringService(store_url)


def test_a_sqlite_erasure_waiting_for_a_reader_lets_others_record_meanwhile(
    tmp_path: Path,
) -> None:
    """Its scrub waits for the connections still reading to end before it writes the
    write-ahead log back and truncates it; it held the store's write lock all the while
    (a checkpoint waiting so holds it), so every command recording meanwhile waited with
    it, up to 30 s. It now looks again every 50 ms, holding no lock in between."""
    path = tmp_path / "mentoring.db"
    service, _ = seeded(f"sqlite:///{path}")
    reader = sqlite3.connect(path)
    reader.execute("BEGIN")
    reader.execute("SELECT count(*) FROM sqlite_master").fetchone()  # a read snapshot held
    done: list[Any] = []
    erasing = threading.Thread(
        target=lambda: done.append(service.erase_person("ben", "DSAR-2026-018", actor="dpo"))
    )
    with service, MentoringService(f"sqlite:///{path}") as other:
        erasing.start()
        try:
            while not _key_destroyed(path, "ben"):
                time.sleep(0.01)
            time.sleep(0.5)  # the files rewritten (VACUUM): the scrub waits for the reader
            started = time.monotonic()
            other.create_programme(name="Meanwhile", organisation="O", actor="coord")
            waited = time.monotonic() - started
        finally:
            reader.rollback()
            reader.close()
            erasing.join()
    assert waited < 5, f"a command recording meanwhile waited {waited:.1f} s"
    assert done[0].complete and done[0].notes == ()


def _key_destroyed(path: Path, person_id: str) -> bool:
    with closing(sqlite3.connect(path)) as db:
        row = db.execute(
            f"SELECT key IS NULL FROM {KEYS_TABLE} WHERE person_id = ?", [person_id]
        ).fetchone()
    return bool(row and row[0])


@pytest.mark.postgres
def test_a_destroyed_keys_old_row_leaves_postgresql_once_an_older_reader_ends() -> None:
    # VACUUM FULL copies a row version some open transaction could still see: a reader
    # whose snapshot predates the key's destruction kept the key in the new file.
    with postgres_store_url("erasure") as url, psycopg.connect(TEST_SERVER_URL) as reader:
        service, _ = seeded(url)
        with service:
            reader.execute("BEGIN ISOLATION LEVEL REPEATABLE READ")
            reader.execute("SELECT 1").fetchone()  # holds a snapshot from before the erasure
            ben_key = service.store.keys.store.get("ben")
            assert ben_key is not None and ben_key.key is not None
            ended = threading.Timer(1.0, reader.rollback)
            ended.start()
            try:
                erasure = service.erase_person("ben", "DSAR-2026-016", actor="dpo")
            finally:
                ended.join()
            assert erasure.complete and erasure.notes == ()
            assert ben_key.key not in database_bytes(url)


@pytest.mark.postgres
def test_a_reader_older_than_the_erasure_that_stays_is_named_in_its_notes() -> None:
    with postgres_store_url("erasure") as url, psycopg.connect(TEST_SERVER_URL) as reader:
        service, _ = seeded(url)
        with service:
            keys = service.store.keys.store
            assert isinstance(keys, PostgresKeyStore)
            keys.scrub_wait = 0.3
            reader.execute("BEGIN ISOLATION LEVEL REPEATABLE READ")
            reader.execute("SELECT 1").fetchone()
            pid = reader.info.backend_pid
            erasure = service.erase_person("ben", "DSAR-2026-017", actor="dpo")
            assert not erasure.complete
            (note,) = erasure.notes
            assert f"process {pid}" in note and "same command id" in note
            reader.rollback()
            ben_key_row = keys.get("ben")
            assert ben_key_row is not None and ben_key_row.key is None
            for _ in range(20):  # a reader of another test, on the same server, may be open
                again = service.erase_person(
                    "ben", "DSAR-2026-017", actor="dpo", command_id=erasure.command_id
                )
                assert not any(f"process {pid}" in n for n in again.notes), again.notes
                if again.complete:
                    break
            assert again.already_recorded and again.complete
