"""The library's SQLite store files (issue 11, item 6), without the CLI.

A store the library creates is owner-only (0600), its ``-wal`` and ``-shm`` too,
whatever the process's umask; a file that is not a mentoring store (another
application's database, a file that is not SQLite, a FIFO) is refused before SQLite
opens it, and left exactly as it was.
"""

from __future__ import annotations

import os
import re
import signal
import sqlite3
import stat
import subprocess
import sys
from collections.abc import Iterator
from contextlib import closing, contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest

from mentoring_core import MentoringService, StoreConfigurationError
from mentoring_core.store import _sqlite_file as sqlite_file
from mentoring_core.store._sqlite_file import prepare_sqlite_file

AT = datetime(2026, 3, 2, 9, tzinfo=UTC)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_store_the_library_creates_is_owner_only_even_under_a_lax_umask(tmp_path: Path) -> None:
    store = tmp_path / "made.db"
    previous = os.umask(0o002)
    try:
        service = MentoringService(f"sqlite:///{store}")
        service.create_programme(name="P", organisation="O", actor="coord", occurred_at=AT)
        made = {p.name: _mode(p) for p in tmp_path.iterdir()}
        service.close()
    finally:
        os.umask(previous)
    assert set(made) >= {"made.db", "made.db-wal"}
    assert set(made.values()) == {0o600}


def test_an_existing_store_keeps_its_permissions(tmp_path: Path) -> None:
    store = tmp_path / "shared.db"
    MentoringService(f"sqlite:///{store}").close()
    store.chmod(0o640)  # the owner chose to share it with a group
    MentoringService(f"sqlite:///{store}").close()
    assert _mode(store) == 0o640


def _foreign_database(path: Path) -> bytes:
    with closing(sqlite3.connect(path)) as db:
        db.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL)")
        db.execute("INSERT INTO invoices (total) VALUES (12.5)")
        db.commit()
    return path.read_bytes()


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (_foreign_database, "is a SQLite database of another application (tables: invoices)"),
        (
            lambda p: (p.write_bytes(b"not a database at all" * 100), p.read_bytes())[1],
            "is not a SQLite database",
        ),
    ],
    ids=["another-application", "not-sqlite"],
)
def test_a_file_that_is_not_a_mentoring_store_is_refused_and_left_as_it_was(
    tmp_path: Path, make: object, message: str
) -> None:
    path = tmp_path / "other.db"
    before = make(path)  # type: ignore[operator]
    with pytest.raises(StoreConfigurationError, match=re.escape(message)):
        MentoringService(f"sqlite:///{path}")
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["other.db"]  # no -wal, no -shm


def test_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.db"
    os.mkfifo(fifo)
    with pytest.raises(StoreConfigurationError, match="is not a regular file"):
        MentoringService(f"sqlite:///{fifo}")
    assert stat.S_ISFIFO(fifo.stat().st_mode)


def test_a_store_in_a_missing_folder_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(StoreConfigurationError, match=r"cannot create the store .*No such file"):
        MentoringService(f"sqlite:///{tmp_path / 'missing' / 'store.db'}")
    assert not (tmp_path / "missing").exists()


def test_an_empty_file_becomes_a_store_readable_by_its_owner_only(tmp_path: Path) -> None:
    """A file made beforehand (``touch``, under the usual umask: 0644) holds nothing yet:
    it becomes owner-only as a store the library creates, before personal data is
    written to it; it kept 0644, its -wal and -shm too."""
    store = tmp_path / "empty.db"
    store.touch(mode=0o644)
    store.chmod(0o644)
    service = MentoringService(f"sqlite:///{store}")
    service.create_programme(name="P", organisation="O", actor="coord", occurred_at=AT)
    assert len(service.programmes()) == 1
    service.close()
    assert {p.name: _mode(p) for p in tmp_path.iterdir()}["empty.db"] == 0o600


def test_a_new_store_file_appears_in_wal_mode_and_no_temporary_file_stays(tmp_path: Path) -> None:
    """No process opening a new store has to switch it to WAL (a lock SQLite does not
    always wait for): it appears in WAL mode (header bytes 18 and 19 are 2)."""
    store = tmp_path / "new.db"
    prepare_sqlite_file(store)
    assert store.read_bytes()[18:20] == b"\x02\x02"
    assert [p.name for p in tmp_path.iterdir()] == ["new.db"]
    assert _mode(store) == 0o600


def test_a_file_appearing_while_the_new_store_is_made_is_never_replaced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = tmp_path / "raced.db"
    linking = os.link

    def another_file_first(source: Path, target: Path) -> None:
        before.append(_foreign_database(store))
        linking(source, target)

    before: list[bytes] = []
    monkeypatch.setattr(os, "link", another_file_first)
    with pytest.raises(StoreConfigurationError, match="another application"):
        MentoringService(f"sqlite:///{store}")
    assert store.read_bytes() == before[0]
    assert [p.name for p in tmp_path.iterdir()] == ["raced.db"]


def test_without_hard_links_a_new_store_is_created_empty_as_before(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_hard_links(source: Path, target: Path) -> None:
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(os, "link", no_hard_links)
    store = tmp_path / "plain.db"
    with MentoringService(f"sqlite:///{store}") as service:
        service.create_programme(name="P", organisation="O", actor="coord", occurred_at=AT)
    assert _mode(store) == 0o600
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


STALLED = """
import os, sqlite3, sys, time
from pathlib import Path
from mentoring_core.store._sqlite_file import prepare_sqlite_file

connecting, linking = sqlite3.connect, os.link

def then_stall(*args, **kwargs):
    made = {"journal": connecting, "link": linking}[sys.argv[2]](*args, **kwargs)
    if sys.argv[2] == "journal":  # as when killed switching it to WAL: its -journal is there
        made.execute("BEGIN IMMEDIATE")
        made.execute("CREATE TABLE t (x)")
    print("stalled", flush=True)
    time.sleep(600)

if sys.argv[2] == "journal":
    sqlite3.connect = then_stall
else:
    os.link = then_stall
prepare_sqlite_file(Path(sys.argv[1]))
"""
"""A process preparing the new store file ``argv[1]`` that stops (to be killed) while it
writes to the temporary file (``journal``: its rollback journal made, as when switching it
to WAL), or once it has linked it into place (``link``). Only this child is changed: the
library is as shipped."""


@contextmanager
def _preparing(store: Path, stall: str) -> Iterator[subprocess.Popen[str]]:
    """A child process stalled preparing ``store`` (:data:`STALLED`), killed at the end."""
    child = subprocess.Popen(
        [sys.executable, "-c", STALLED, str(store), stall], stdout=subprocess.PIPE, text=True
    )
    try:
        assert child.stdout is not None and child.stdout.readline() == "stalled\n"
        yield child
    finally:
        child.kill()
        child.wait()


def _temporary_files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if ".new-" in p.name)


@pytest.mark.parametrize("stall", ["journal", "link"])
def test_the_temporary_file_of_a_process_killed_preparing_a_store_is_removed(
    tmp_path: Path, stall: str
) -> None:
    """A process killed (SIGKILL) while it made a new store left its temporary file, owner-
    only (and once it was linked, a second name of the store itself, holding all it holds
    afterwards); the next process to open the store removes it, and its -journal."""
    store = tmp_path / "new.db"
    with _preparing(store, stall) as child:
        child.send_signal(signal.SIGKILL)
        child.wait()
    left = _temporary_files(tmp_path)
    assert len(left) == {"journal": 2, "link": 1}[stall], left  # the test's premise
    with MentoringService(f"sqlite:///{store}") as service:
        service.create_programme(name="P", organisation="O", actor="coord", occurred_at=AT)
    assert _temporary_files(tmp_path) == []
    with MentoringService(f"sqlite:///{store}") as service:
        assert len(service.programmes()) == 1


def test_the_temporary_file_of_a_process_still_preparing_a_store_is_left_to_it(
    tmp_path: Path,
) -> None:
    store = tmp_path / "new.db"
    with _preparing(store, "journal"):
        made = _temporary_files(tmp_path)
        with MentoringService(f"sqlite:///{store}") as service:
            service.create_programme(name="P", organisation="O", actor="coord", occurred_at=AT)
        assert set(made) <= set(_temporary_files(tmp_path))


def test_a_store_file_whose_temporary_file_another_process_removed_is_made_again_in_wal_mode(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Between making its temporary file and locking it, a process preparing a new store
    leaves that file unlocked; another process preparing the same store, at that moment,
    took it for one a killed process abandoned and removed it. The first then made the
    store an empty file, not in WAL mode, which every process opening it at once then
    switched to WAL, some failing at once with ``database is locked`` (seen in the suite:
    ``test_sqlite_opened_at_once``). The interleaving is made here by running the other
    process's removal just before the first lock is taken."""
    store = tmp_path / "new.db"
    real_flock = sqlite_file.fcntl.flock
    removed: list[bool] = []

    def flock_after_another_removal(handle: int, operation: int) -> None:
        if not removed:
            removed.append(True)
            sqlite_file._remove_abandoned(store)  # as another process preparing the store
        real_flock(handle, operation)

    monkeypatch.setattr(sqlite_file.fcntl, "flock", flock_after_another_removal)
    prepare_sqlite_file(store)
    monkeypatch.undo()
    assert removed
    header = store.read_bytes()[:20]
    assert header[:16] == b"SQLite format 3\x00", "the store was made an empty file"
    assert header[18:20] == b"\x02\x02", "the store is not in WAL mode"
    assert not list(tmp_path.glob(".new.db.new-*")), "a temporary file was left"
