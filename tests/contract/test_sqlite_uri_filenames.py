"""SQLite URI filenames in a store URL are refused, not opened around the file checks.

SQLite reads a name starting with ``file:`` as a URI (eventsourcing opens with
``uri=True``): ``sqlite:///file:other.db`` opened another application's ``other.db``
without the check that refuses it, ``sqlite:///file:fresh.db`` created a store with
the umask's permissions (and a stray empty ``file:fresh.db``), and
``sqlite:///file:m.db?mode=memory`` kept everything in memory, lost at the end. The
library refuses such URLs (and any query string: a SQLite URL takes none) with
StoreConfigurationError naming the URL and the accepted forms, touching no file; a
file whose name starts with ``file:`` is still reached as ``sqlite:///./file:NAME``.
"""

from __future__ import annotations

import sqlite3
import stat
from contextlib import closing
from pathlib import Path

import pytest

from mentoring_core import MentoringService, StoreConfigurationError
from mentoring_core.store import store_environment


def _foreign_database(path: Path) -> bytes:
    with closing(sqlite3.connect(path)) as db:
        db.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL)")
        db.commit()
    return path.read_bytes()


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


REFUSED = [
    "sqlite:///file:other.db",
    "sqlite:///file:fresh.db",
    "sqlite:///file:m.db?mode=memory",
    "sqlite:///file:other.db?mode=rwc&cache=shared",
    "sqlite:///FILE:other.db",
    "sqlite:///fresh.db?mode=memory",
    "sqlite:///other.db?immutable=1",
    "sqlite:///:memory:?cache=private",
]


@pytest.mark.parametrize("url", REFUSED)
def test_a_sqlite_uri_filename_is_refused_and_touches_no_file(
    url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    _foreign_database(tmp_path / "other.db")
    before = _files(tmp_path)
    with pytest.raises(StoreConfigurationError) as refused:
        MentoringService(url)
    message = str(refused.value)
    assert repr(url) in message
    assert "sqlite:///relative/path.db" in message and "sqlite:////absolute/path.db" in message
    with pytest.raises(StoreConfigurationError):
        store_environment(url)
    assert _files(tmp_path) == before


def test_a_file_named_file_colon_is_reached_by_a_path_sqlite_does_not_read_as_a_uri(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    _foreign_database(tmp_path / "file:other.db")
    before = _files(tmp_path)
    with pytest.raises(StoreConfigurationError, match="another application"):
        MentoringService("sqlite:///./file:other.db")
    assert _files(tmp_path) == before
    with MentoringService(f"sqlite:///{tmp_path / 'file:fresh.db'}") as service:
        service.create_programme(name="P", organisation="O", actor="coord")
    assert stat.S_IMODE((tmp_path / "file:fresh.db").stat().st_mode) == 0o600
    assert not (tmp_path / "fresh.db").exists()


def test_sqlite_in_memory_is_still_accepted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    with MentoringService("sqlite:///:memory:") as service:
        service.create_programme(name="P", organisation="O", actor="coord")
        assert len(service.programmes()) == 1
    assert list(tmp_path.iterdir()) == []
