"""People's keys in a file of their own (``key_store_file``), apart from the events,
on SQLite and PostgreSQL stores."""

from __future__ import annotations

import sqlite3
import stat
from pathlib import Path

import pytest

from mentoring_core import MentoringService, StoreConfigurationError
from mentoring_core.audit.derived import check_derived
from mentoring_core.events import ERASED
from mentoring_core.privacy.keys import KEY_STORE_ID_ROW

from .test_encryption_at_rest import key_file
from .test_erasure import database_bytes
from .test_lost_keys import GOAL, delete_keys, goals, paired, store_url

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
        found = db.execute("SELECT person_id FROM mentoring_keys ORDER BY person_id")
        assert found.fetchall() == [(KEY_STORE_ID_ROW,), ("ben",)]  # and the file's id
    assert all(key not in database_bytes(store_url) for key in live.values() if key)
    with MentoringService(store_url, key_store_file=keys) as service:
        assert goals(service) == {GOAL}


@pytest.mark.parametrize("encrypted", [False, True], ids=["clear", "encrypted-at-rest"])
def test_the_store_opened_without_its_key_file_is_refused_and_writes_nothing(
    store_url: str, tmp_path: Path, encrypted: bool
) -> None:
    """Opened without its key store file, the store would read its own (empty) key table:
    a new person's key written there splits the keys, and no one could be erased after.
    It is refused when opened, naming the option to give."""
    cipher = key_file(tmp_path / "store.key") if encrypted else None
    keys = tmp_path / "keys.db"
    paired(store_url, cipher_key_file=cipher, key_store_file=keys).close()
    with pytest.raises(
        StoreConfigurationError, match=r"opened without its key store file.*--key-store-file"
    ):
        MentoringService(store_url, snapshot_interval=None, cipher_key_file=cipher)
    with MentoringService(store_url, cipher_key_file=cipher, key_store_file=keys) as service:
        assert goals(service) == {GOAL}
        erasure = service.erase_person("ben", "DSAR-2026-031", actor="dpo")
        assert erasure.key_destroyed and erasure.complete, erasure.notes
        assert check_derived(service).ok


@pytest.mark.parametrize("encrypted", [False, True], ids=["clear", "encrypted-at-rest"])
def test_another_stores_key_file_is_refused_by_name_not_taken_for_tampering(
    store_url: str, tmp_path: Path, encrypted: bool
) -> None:
    paired(store_url, key_store_file=tmp_path / "keys.db").close()
    other, other_keys = f"sqlite:///{tmp_path / 'other.db'}", tmp_path / "other-keys.db"
    cipher = key_file(tmp_path / "other.key") if encrypted else None
    paired(other, cipher_key_file=cipher, key_store_file=other_keys).close()
    before = other_keys.read_bytes()
    with pytest.raises(
        StoreConfigurationError, match=r"other-keys.db is the key store of another store"
    ):
        MentoringService(store_url, key_store_file=other_keys)
    assert other_keys.read_bytes() == before
    with MentoringService(store_url, key_store_file=tmp_path / "keys.db") as service:
        assert goals(service) == {GOAL}


def test_an_emptied_key_file_of_a_store_with_events_is_refused_and_left_empty(
    store_url: str, tmp_path: Path
) -> None:
    """A key file truncated (a failed restore) is a lost key store, as a missing one is:
    nothing is created in it, and no new key is written to it."""
    keys = tmp_path / "keys.db"
    paired(store_url, key_store_file=keys).close()
    keys.write_bytes(b"")
    with pytest.raises(StoreConfigurationError, match=r"keys.db is empty.*restore"):
        MentoringService(store_url, key_store_file=keys)
    assert keys.stat().st_size == 0
    assert sorted(p.name for p in tmp_path.glob("keys.db*")) == ["keys.db"]


def test_an_empty_key_file_made_beforehand_is_made_owner_only(
    store_url: str, tmp_path: Path
) -> None:
    keys = tmp_path / "keys.db"
    keys.touch()
    keys.chmod(0o644)
    with paired(store_url, key_store_file=keys) as service:
        assert [row.person_id for row in service.store.keys.store.rows()] == ["ben"]
        made = {p.name: stat.S_IMODE(p.stat().st_mode) for p in tmp_path.glob("keys.db*")}
    assert "keys.db" in made and set(made.values()) == {0o600}, made


def test_a_store_and_key_file_of_an_earlier_version_are_bound_when_next_opened(
    store_url: str, tmp_path: Path
) -> None:
    """A store and its key file written before they were bound (neither records the
    other) still open, and are bound then: opened without the file afterwards, the
    store is refused."""
    keys = tmp_path / "keys.db"
    paired(store_url, key_store_file=keys).close()
    delete_keys(store_url)  # the store's own key table: nothing else was kept there
    with sqlite3.connect(keys) as db:
        db.execute("DELETE FROM mentoring_keys WHERE person_id <> 'ben'")
    with MentoringService(store_url, key_store_file=keys) as service:
        assert goals(service) == {GOAL}
    with pytest.raises(StoreConfigurationError, match="opened without its key store file"):
        MentoringService(store_url)


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
