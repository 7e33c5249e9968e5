"""SQLite store files as a careful Unix tool handles them.

- A store is created readable by its owner only (0600), and so are the ``-wal`` and
  ``-shm`` files SQLite creates beside it (the library's SQLite store does it; the
  read-only copy below is made the same way).
- A file that is not a mentoring store (not SQLite, or another application's
  database) is refused before the store is opened (the library's check, run first so
  that a read-only store is read through a copy), so it is never changed.
- A store that cannot be written (a read-only folder or file system, a read-only
  file) can still be read and audited: read commands work on a private copy taken
  in a temporary folder (the report's read model is built there, then thrown away);
  recording commands are refused with a clear message.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from mentoring_core import StoreConfigurationError
from mentoring_core.store import check_sqlite_file

OWNER_ONLY = 0o600
COMPANIONS = ("-wal", "-shm", "-journal")


class StoreFileError(Exception):
    """A SQLite file that the command refuses to open (exit 1)."""


def writable(path: Path) -> bool:
    """True when the store file and its folder can be written (a journal must be created)."""
    folder = path.absolute().parent
    return os.access(folder, os.W_OK) and os.access(path, os.W_OK)


def check_store_file(path: Path) -> None:
    """Refuse ``path`` unless it is a mentoring store or an empty file (the library's
    check, run before the CLI decides whether to read the store through a copy)."""
    try:
        check_sqlite_file(path)
    except StoreConfigurationError as error:
        raise StoreFileError(f"{error}: check --store") from None


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
