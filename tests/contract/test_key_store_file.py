"""People's keys in a file of their own (``key_store_file``), apart from the events,
on SQLite and PostgreSQL stores."""

from __future__ import annotations

import sqlite3
import stat
from pathlib import Path

import pytest

from mentoring_core import MentoringService, StoreConfigurationError
from mentoring_core.events import ERASED

from .test_erasure import database_bytes
from .test_lost_keys import GOAL, PAIR, goals, paired, store_url

__all__ = ["store_url"]  # the fixture: SQLite and PostgreSQL


def test_keys_live_in_their_own_owner_only_file_and_not_beside_the_events(
    store_url: str, tmp_path: Path
) -> None:
    keys = tmp_path / "keys.db"
    with paired(store_url, key_store_file=keys) as service:
        live = {row.person_id: row.key for row in service.store.keys.store.rows()}
    assert set(live) == {"ben"} and all(live.values())
    assert stat.S_IMODE(keys.stat().st_mode) == 0o600
    with sqlite3.connect(keys) as db:
        assert db.execute("SELECT person_id FROM mentoring_keys").fetchall() == [("ben",)]
    assert all(key not in database_bytes(store_url) for key in live.values() if key)
    with MentoringService(store_url, key_store_file=keys) as service:
        assert goals(service) == {GOAL}


def test_the_store_opened_without_its_key_file_refuses_to_read_personal_data(
    store_url: str, tmp_path: Path
) -> None:
    paired(store_url, key_store_file=tmp_path / "keys.db").close()
    with (
        MentoringService(store_url, snapshot_interval=None) as service,
        pytest.raises(StoreConfigurationError, match="without its key store file"),
    ):
        service.history(PAIR)


def test_a_missing_key_file_of_a_store_with_events_is_refused_when_it_opens(
    store_url: str, tmp_path: Path
) -> None:
    keys = tmp_path / "keys.db"
    paired(store_url, key_store_file=keys).close()
    keys.unlink()
    with pytest.raises(StoreConfigurationError, match=r"keys.db does not exist.*restore"):
        MentoringService(store_url, key_store_file=keys)
    assert not keys.exists()  # nothing was created in its place


def test_another_applications_database_is_refused_as_a_key_file(
    store_url: str, tmp_path: Path
) -> None:
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as db:
        db.execute("CREATE TABLE invoices (id INTEGER)")
    with pytest.raises(StoreConfigurationError, match="not a key store file"):
        MentoringService(store_url, key_store_file=other)


def test_erasure_destroys_the_key_in_the_key_file_and_scrubs_it(
    store_url: str, tmp_path: Path
) -> None:
    keys = tmp_path / "keys.db"
    with paired(store_url, key_store_file=keys) as service:
        (row,) = service.store.keys.store.rows()
        assert row.key is not None
        erasure = service.erase_person("ben", "DSAR-2026-030", actor="dpo")
        assert erasure.key_destroyed and erasure.complete, erasure.notes
        assert goals(service) == {ERASED}
    files = b"".join(p.read_bytes() for p in tmp_path.glob("keys.db*"))
    assert row.key not in files


def test_the_key_files_connections_keep_their_statements_as_a_stores_do(
    store_url: str, tmp_path: Path
) -> None:
    """Every SQLite file the library opens gets the same pool (``keep_statements``),
    whatever the store's own engine."""
    with paired(store_url, key_store_file=tmp_path / "keys.db") as service:
        pool = service.store.keys.store.keys.datastore.pool
        assert type(pool).__name__ == "_StatementKeepingPool"
        assert [row.person_id for row in service.store.keys.store.rows()] == ["ben"]
