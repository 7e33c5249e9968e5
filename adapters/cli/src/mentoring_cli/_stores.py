"""SQLite store files as a careful Unix tool handles them.

- A store the CLI creates is readable by its owner only (0600), and so are the
  ``-wal`` and ``-shm`` files SQLite creates beside it.
- A file that is not a mentoring store (not SQLite, or another application's
  database) is refused before the store layer opens it, so it is never changed: no
  new tables, its journal mode as it was.
- A store that cannot be written (a read-only folder or file system, a read-only
  file) can still be read and audited: read commands work on a private copy taken
  in a temporary folder (the report's read model is built there, then thrown away);
  recording commands are refused with a clear message.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import stat
import tempfile
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

OWNER_ONLY = 0o600
EVENTS_TABLE = "stored_events"
"""The table every mentoring store has (eventsourcing's): a file without it is not one."""
COMPANIONS = ("-wal", "-shm", "-journal")


class StoreFileError(Exception):
    """A SQLite file that the command refuses to open (exit 1)."""


def _read_only_uri(path: Path, immutable: bool) -> str:
    return path.absolute().as_uri() + ("?mode=ro&immutable=1" if immutable else "?mode=ro")


def writable(path: Path) -> bool:
    """True when the store file and its folder can be written (a journal must be created)."""
    folder = path.absolute().parent
    return os.access(folder, os.W_OK) and os.access(path, os.W_OK)


def tables(path: Path) -> set[str]:
    """The tables of the SQLite file at ``path``, read through a read-only connection."""
    immutable = not writable(path)  # no writer can change it; no -shm can be created
    try:
        with closing(sqlite3.connect(_read_only_uri(path, immutable), uri=True)) as db:
            rows = db.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
    except sqlite3.DatabaseError as error:
        raise StoreFileError(
            f"{path} is not a SQLite database ({error}), so not a mentoring store; check --store"
        ) from None
    return {str(name) for (name,) in rows}


def check_store_file(path: Path) -> None:
    """Refuse ``path`` unless it is a mentoring store, or an empty SQLite database."""
    status = path.stat()
    if not stat.S_ISREG(status.st_mode):  # opening a FIFO would wait for a writer forever
        raise StoreFileError(f"{path} is not a regular file, so not a mentoring store")
    if status.st_size == 0:
        return
    found = tables(path)
    if found and EVENTS_TABLE not in found:
        shown = ", ".join(sorted(found)[:5]) + (", ..." if len(found) > 5 else "")
        raise StoreFileError(
            f"{path} is a SQLite database of another application (tables: {shown}), not a "
            "mentoring store; it was left as it is: check --store"
        )


def restrict(path: Path) -> None:
    """Make the store file and the files SQLite keeps beside it owner-only."""
    for candidate in (path, *(Path(f"{path}{suffix}") for suffix in COMPANIONS)):
        try:
            candidate.chmod(OWNER_ONLY)
        except FileNotFoundError:
            continue


@contextmanager
def created_private(path: Path) -> Iterator[None]:
    """While a store that does not exist yet is created at ``path``: owner-only files.

    The process's umask is 077 meanwhile (so no file is ever readable by others, not
    even for an instant), and the files are made 0600 afterwards whatever SQLite did.
    """
    if path.exists():
        yield
        return
    previous = os.umask(0o077)
    try:
        yield
    finally:
        os.umask(previous)
        restrict(path)


@contextmanager
def readable_copy(path: Path) -> Iterator[str]:
    """The URL of a private copy of the read-only store at ``path`` (and its ``-wal``).

    SQLite cannot open a store in WAL mode where it cannot create its ``-shm`` file;
    the copy, in a new 0700 temporary folder, can be read, verified and reported on,
    and is removed afterwards.
    """
    folder = Path(tempfile.mkdtemp(prefix="mentoring-read-only-"))
    try:
        copy = folder / "store.db"
        with created_private(copy):
            shutil.copyfile(path, copy)
            wal = Path(f"{path}-wal")
            if wal.exists():
                shutil.copyfile(wal, Path(f"{copy}-wal"))
        yield f"sqlite:///{copy}"
    finally:
        shutil.rmtree(folder, ignore_errors=True)
