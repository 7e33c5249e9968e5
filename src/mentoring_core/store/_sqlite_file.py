"""A SQLite store file, handled before SQLite opens it, as a careful Unix tool would.

- A store file that does not exist yet is created readable by its owner only (0600)
  before SQLite opens it; SQLite gives the ``-wal`` and ``-shm`` files it creates
  beside a database the database file's permissions, so they are 0600 too. (No umask
  is changed: that is process-wide, and a library shares its process.)
- A new store file appears already in WAL mode, never empty: it is made under a
  temporary name in the same folder, switched to WAL there, then linked into place
  (``os.link``, which never replaces a file that appeared meanwhile: the one there is
  then checked and opened) and the temporary name removed. eventsourcing switches a
  file to WAL on every new connection that finds it in another mode, which needs a
  lock SQLite's busy handler does not always wait for: processes opening a new, empty
  file at once failed with ``database is locked``. Where the file system has no hard
  links (or the temporary name cannot be made), the file is created empty, as before.
  The process preparing it holds a lock (``flock``) on its temporary file
  (``.NAME.new-XXXXXXXX``) until it has removed that name: one that a process killed
  meanwhile left (owner-only, holding no data, or once linked a second name of the store)
  is one nobody holds, and the next process preparing or opening the store removes it,
  with its ``-journal`` (SQLite's, while it switched it to WAL).
- A file that exists must be a regular file (opening a FIFO would wait for a writer
  forever) holding a mentoring store, or be empty: another application's SQLite
  database, or a file that is not SQLite at all, is refused before it is opened, so it
  is never changed (no new tables, its journal mode as it was).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import secrets
import sqlite3
import stat
from contextlib import closing
from pathlib import Path

from ..domain.errors import StoreConfigurationError

OWNER_ONLY = 0o600
_NEW_FILE = os.O_WRONLY | os.O_CREAT | os.O_EXCL
EVENTS_TABLE = "stored_events"
"""The table every mentoring store has (eventsourcing's): a file without it is not one."""
_COLUMNS = {EVENTS_TABLE: frozenset({"originator_id", "originator_version", "topic", "state"})}
"""The columns a table must have to be the one it is taken for: another application's
table that only shares the name (its own ``stored_events``) makes no mentoring store."""


def _read_only_uri(path: Path) -> str:
    # immutable when no writer can change it: no -shm is created beside it
    writable = os.access(path.absolute().parent, os.W_OK) and os.access(path, os.W_OK)
    return path.absolute().as_uri() + ("?mode=ro" if writable else "?mode=ro&immutable=1")


def _tables(path: Path, what: str, table: str) -> tuple[set[str], set[str]]:
    """The tables of the SQLite file at ``path``, and the columns of its ``table`` (none
    without it), read through a read-only connection."""
    try:
        with closing(sqlite3.connect(_read_only_uri(path), uri=True)) as db:
            rows = db.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
            columns = db.execute("SELECT name FROM pragma_table_info(?)", (table,)).fetchall()
    except sqlite3.DatabaseError as error:
        raise StoreConfigurationError(
            f"{path} is not a SQLite database ({error}), so not a {what}"
        ) from None
    return {str(name) for (name,) in rows}, {str(name) for (name,) in columns}


def check_sqlite_file(
    path: Path, table: str = EVENTS_TABLE, what: str = "mentoring store"
) -> set[str]:
    """Refuse ``path`` unless it is a mentoring store (a file holding ``table``, with the
    columns :data:`_COLUMNS` names for it: a key store file holds ``mentoring_keys``), or
    an empty (SQLite) file; the tables it holds
    (none when it is empty)."""
    try:
        status = path.stat()
    except OSError as error:
        raise StoreConfigurationError(
            f"cannot read the {what.removeprefix('mentoring ')} {path}: {error.strerror}"
        ) from None
    if not stat.S_ISREG(status.st_mode):
        raise StoreConfigurationError(f"{path} is not a regular file, so not a {what}")
    if status.st_size == 0:
        return set()
    found, columns = _tables(path, what, table)
    if found and (table not in found or not _COLUMNS.get(table, set()) <= columns):
        shown = ", ".join(sorted(found)[:5]) + (", ..." if len(found) > 5 else "")
        raise StoreConfigurationError(
            f"{path} is a SQLite database of another application (tables: {shown}), not a "
            f"{what}; it was left as it is"
        )
    return found


def prepare_sqlite_file(
    path: Path, table: str = EVENTS_TABLE, what: str = "mentoring store"
) -> None:
    """Create the store file at ``path`` owner-only and in WAL mode if it does not exist
    (:func:`_create_in_wal_mode`), else check it (see :func:`check_sqlite_file`); one that
    is there empty (made with ``touch``) is made owner-only before anything is written
    to it, as one the library creates is (its -wal and -shm get its mode). Temporary
    files a process killed while preparing it left are removed first."""
    _remove_abandoned(path)
    if not os.path.lexists(path):
        try:
            _create_in_wal_mode(path, what)
            return
        except FileExistsError:
            pass  # another process created it meanwhile: checked as any other
    if not check_sqlite_file(path, table, what) and path.stat().st_size == 0:
        _owner_only(path, what)


def _create_in_wal_mode(path: Path, what: str) -> None:
    """Make the file ``path`` owner-only and in WAL mode under a temporary name beside it,
    then link it into place; FileExistsError if a file is there by then (it is left as
    it is). Where the file system has no hard links, ``path`` is created empty.

    Between its making and its lock, the temporary file is one another process preparing
    the same store may take for abandoned and remove (:func:`_remove_abandoned`): it is
    then made again under a new name, up to :data:`_ATTEMPTS` times (else ``path`` is
    created empty), rather than ``path`` made empty at once, which every process opening
    it then switched to WAL, a lock SQLite does not always wait for."""
    for _ in range(_ATTEMPTS):
        temporary = path.with_name(f"{_temporary_prefix(path)}{secrets.token_hex(4)}")
        try:
            handle = os.open(temporary, _NEW_FILE, OWNER_ONLY)
        except OSError:  # no such folder, not writable, a name too long: said of path
            break
        try:
            fcntl.flock(handle, fcntl.LOCK_EX)  # held until the name is gone: not abandoned
            if _still_named(handle, temporary):
                _made_in_wal_mode(temporary, path, what)
                return
        finally:
            temporary.unlink(missing_ok=True)
            os.close(handle)
    _create_empty(path, what)


_ATTEMPTS = 8
"""Temporary files :func:`_create_in_wal_mode` makes before it gives up on WAL mode."""


def _still_named(handle: int, temporary: Path) -> bool:
    """Whether ``temporary`` still names the file open as ``handle`` (else another process
    removed it before ``handle`` was locked)."""
    try:
        return os.path.samestat(os.fstat(handle), temporary.lstat())
    except OSError:
        return False


def _made_in_wal_mode(temporary: Path, path: Path, what: str) -> None:
    """Put the locked, empty ``temporary`` in WAL mode and link it to ``path`` (see
    :func:`_create_in_wal_mode`)."""
    try:
        # mode=rw: never made anew (not owner-only) if another process removed it meanwhile
        uri = temporary.absolute().as_uri() + "?mode=rw"
        with closing(sqlite3.connect(uri, uri=True)) as db:
            db.execute("PRAGMA journal_mode=WAL")  # its header says WAL: no lock needed later
        os.link(temporary, path)
    except FileExistsError:
        raise
    except (OSError, sqlite3.Error):
        _create_empty(path, what)


def _temporary_prefix(path: Path) -> str:
    return f".{path.name}.new-"


def _remove_abandoned(path: Path) -> None:
    """Remove the temporary files of ``path`` (:func:`_create_in_wal_mode`) that no process
    holds a lock on (their maker was killed), with their -journal.

    One that is another name of the store file itself (its maker was killed after
    linking it) is removed without being opened: closing a file SQLite has open in this
    process would let go of SQLite's locks on it."""
    pattern = re.compile(re.escape(_temporary_prefix(path)) + "[0-9a-f]{8}")
    try:
        names = [e.name for e in os.scandir(path.parent) if pattern.fullmatch(e.name)]
        store = path.stat() if names and os.path.lexists(path) else None
    except OSError:  # the folder or the store cannot be read: opening it says so
        return
    for name in names:
        temporary = path.with_name(name)
        with contextlib.suppress(OSError):  # gone meanwhile, or not a file of ours
            found = temporary.lstat()
            if not stat.S_ISREG(found.st_mode):
                continue
            if store is not None and os.path.samestat(found, store):
                _remove_with_journal(temporary)
            else:
                _remove_unheld(temporary)


def _remove_unheld(temporary: Path) -> None:
    """Remove the temporary file ``temporary`` (and its -journal) unless a process
    holds a lock on it: the one still preparing it (BlockingIOError, left as it is)."""
    handle = os.open(temporary, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        _remove_with_journal(temporary)
    finally:
        os.close(handle)


def _remove_with_journal(temporary: Path) -> None:
    for suffix in ("", "-journal"):
        Path(f"{temporary}{suffix}").unlink(missing_ok=True)


def _create_empty(path: Path, what: str) -> None:
    """Create the empty store file ``path`` owner-only (FileExistsError if it exists)."""
    try:
        os.close(os.open(path, _NEW_FILE, OWNER_ONLY))
    except FileExistsError:
        raise
    except OSError as error:
        raise StoreConfigurationError(
            f"cannot create the {what.removeprefix('mentoring ')} {path}: {error.strerror}"
        ) from None


def _owner_only(path: Path, what: str) -> None:
    try:
        os.chmod(path, OWNER_ONLY)
    except OSError as error:
        raise StoreConfigurationError(
            f"cannot make the {what.removeprefix('mentoring ')} {path} readable by its owner "
            f"only: {error.strerror}"
        ) from None
