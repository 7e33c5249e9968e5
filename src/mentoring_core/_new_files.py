"""A new file created whole or not at all, and never over another (keys, personal data).

The data is written to a temporary file in the target's folder, readable by its owner
only from its creation (``tempfile.mkstemp``), given its mode and flushed to disk, then
hard-linked into place: ``os.link`` never replaces a file, so one that is there by then
is left as it is (FileExistsError). A write cut short (a full disk, a file size limit)
leaves nothing at the target, and removes its temporary file. Where the file system has
no hard links, the file is created exclusively and written in place (and removed again
if that fails).
"""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from pathlib import Path

from .domain.errors import InvalidValue

OWNER_ONLY = 0o600
_NO_HARD_LINKS = frozenset({errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EMLINK})


def create_file(path: Path, data: bytes, mode: int = OWNER_ONLY) -> None:
    """Create ``path`` holding ``data``, whole, with ``mode``, and flush it and its folder
    to disk; FileExistsError if anything is there (a link is not followed), OSError if it
    cannot be written (nothing is left at ``path`` then)."""
    temporary = _temporary(path, data, mode)
    try:
        os.link(temporary, path)
    except OSError as error:
        if error.errno not in _NO_HARD_LINKS:
            raise
        _create_in_place(path, data, mode)
    finally:
        temporary.unlink(missing_ok=True)
    fsync_folder(path.parent)


def fsync_folder(folder: Path) -> None:
    """Flush ``folder``'s entries to disk (a file created or renamed in it), where the
    system allows it."""
    with contextlib.suppress(OSError):
        handle = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(handle)
        finally:
            os.close(handle)


def _temporary(path: Path, data: bytes, mode: int) -> Path:
    """``data`` in a new file beside ``path``, flushed to disk, with ``mode``."""
    handle, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    temporary = Path(name)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fchmod(stream.fileno(), mode)
            os.fsync(stream.fileno())
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return temporary


def _create_in_place(path: Path, data: bytes, mode: int) -> None:
    """Create ``path`` exclusively and write ``data`` to it (removed again on a failure)."""
    handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, mode)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            os.fchmod(stream.fileno(), mode)
            os.fsync(stream.fileno())
    except BaseException:
        path.unlink(missing_ok=True)
        raise


def check_path(field: str, value: object) -> Path:
    """A file's path given as a text or a path object (``os.PathLike`` of a text);
    anything else is :class:`InvalidValue` naming ``field``."""
    path = os.fspath(value) if isinstance(value, str | os.PathLike) else None
    if not isinstance(path, str):
        raise InvalidValue(field, value, "a file's path, a str or an os.PathLike of a str")
    return Path(path)
