"""Writing the files a command produces as a careful Unix tool does.

Every output (``--out``, ``audit keygen``'s keys) is checked before any work is
done: its folder must exist, and a target that exists must be a regular file, never
a symbolic link, a FIFO, a device or a folder (those are refused and left as they
are), and so is a file the process may not write (a rename would replace it all the
same). A file the command reads its store or its keys from (:class:`Kept`: the store
file, its ``-wal``, ``-shm`` and ``-journal`` files, the key store file, the cipher key
file) is refused too, by its name or under another (a hard link: the same file). The
text is then written to a temporary file in the target's folder, flushed to disk and
renamed over the target, so a reader sees the old file or the new one, never half of
one. Keys are created owner-only (0600) and never replace a file.
"""

from __future__ import annotations

import fnmatch
import os
import stat
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

import typer

from mentoring_core.extend import create_file, fsync_folder

STDOUT = Path("-")
"""``--out -``: write to standard output instead of a file."""


def _kind(mode: int) -> str:
    for test, name in (
        (stat.S_ISLNK, "a symbolic link"),
        (stat.S_ISDIR, "a folder"),
        (stat.S_ISFIFO, "a FIFO (named pipe)"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"),
    ):
        if test(mode):
            return name
    return "not a regular file"


def _refuse(option: str, message: str) -> typer.BadParameter:
    return typer.BadParameter(message, param_hint=f"'{option}'")


MAX_INPUT_BYTES = 16 * 1024 * 1024
"""The largest key, digest or secret file read (they are a few hundred bytes)."""


def check_source(path: Path, option: str, limit: int | None = MAX_INPUT_BYTES) -> None:
    """Refuse ``path`` as an input (exit 2) unless it is a regular file of at most ``limit``
    bytes: reading a device such as /dev/zero, or a FIFO nobody writes to, never ends."""
    try:
        found = path.stat()
    except OSError as error:
        raise _refuse(option, f"cannot read {path}: {error.strerror or error}") from None
    if not stat.S_ISREG(found.st_mode):
        raise _refuse(option, f"{path} is {_kind(found.st_mode)}; only a regular file is read")
    if limit is not None and found.st_size > limit:
        raise _refuse(option, f"{path} is larger than {limit} bytes, so not such a file")


@dataclass(frozen=True)
class Kept:
    """A file no output replaces: one the command reads its store or its keys from, or
    one the store's locks are held on."""

    path: Path
    what: str
    """What it is, for the refusal: "the store", "the key store file (--key-store-file)"..."""
    any_of: bool = False
    """Whether ``path``'s name is a pattern (``*``: any text) naming several files, such
    as the store's lock files ``<store>-<name>.lock``."""


def _placed(path: Path) -> Path:
    """Where the name ``path`` is: its folder with every symbolic link followed."""
    return path.absolute().parent.resolve() / path.name


def _kept(path: Path, found: os.stat_result | None, kept: Kept) -> bool:
    """Whether ``path`` (``found`` by lstat) names ``kept``: one file, or any of them."""
    if kept.any_of:
        named, pattern = _placed(path), _placed(kept.path)
        return named.parent == pattern.parent and fnmatch.fnmatchcase(named.name, pattern.name)
    return _same_file(path, found, kept.path)


def _same_file(path: Path, found: os.stat_result | None, kept: Path) -> bool:
    """Whether ``path`` (``found`` by lstat, None if missing) names the file ``kept``: the
    same file (device and inode: a hard link too) if both exist, else the same name."""
    try:
        other = kept.stat() if found is not None else None
    except OSError:
        other = None
    if found is not None and other is not None:
        return (found.st_dev, found.st_ino) == (other.st_dev, other.st_ino)
    return _placed(path) == _placed(kept)


def check_target(path: Path, option: str, *, keep: Sequence[Kept], replace: bool = True) -> None:
    """Refuse ``path`` as an output (exit 2) unless a regular file may be written there.

    Called before a command opens the store, so that nothing is done for an output
    that could not be written: a file the process may not write (0444) is refused, as
    the shell's ``>`` refuses it, and so is any file of ``keep`` (the command's store and
    key files: see :func:`mentoring_cli._session.kept_files`). ``replace=False`` also
    refuses an existing file.
    """
    try:
        found = path.lstat()
    except FileNotFoundError:
        found = None
    except OSError as error:
        raise _refuse(option, f"cannot use {path}: {error.strerror or error}") from None
    if found is not None and not stat.S_ISREG(found.st_mode):
        raise _refuse(
            option, f"{path} is {_kind(found.st_mode)}; only a regular file is written or replaced"
        )
    for kept in keep:
        if _kept(path, found, kept):
            raise _refuse(
                option,
                f"{path} is {kept.what} ({kept.path}); an output never replaces it: "
                "name another file",
            )
    if found is not None:
        if not replace:
            raise _refuse(option, f"{path} exists already; it is never overwritten")
        if not os.access(path, os.W_OK):  # a rename would replace it all the same
            raise _refuse(option, f"{path} is read-only for you; it is left as it is")
    folder = path.parent
    if not folder.is_dir():
        raise _refuse(option, f"the folder {folder} of {path} does not exist")


def _default_mode() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def _cannot_write(path: Path, option: str, error: OSError) -> typer.BadParameter:
    return _refuse(option, f"cannot write {path}: {error.strerror or error}")


@contextmanager
def output_stream(path: Path, option: str = "--out", *, keep: Sequence[Kept]) -> Iterator[TextIO]:
    """A text stream (UTF-8, newlines as written) whose content replaces ``path`` atomically
    when the block ends without an error; on an error ``path`` is left as it was.

    A replaced file keeps its permissions; a new one gets the usual ones (0666 less
    the umask). ``keep``: see :func:`check_target`.
    """
    check_target(path, option, keep=keep)
    try:
        mode = stat.S_IMODE(path.stat().st_mode) if path.exists() else _default_mode()
        handle, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as error:
        raise _cannot_write(path, option, error) from None
    temporary = Path(name)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            yield stream
            try:
                stream.flush()
                os.fchmod(stream.fileno(), mode)
                os.fsync(stream.fileno())
            except OSError as error:
                raise _cannot_write(path, option, error) from None
        check_target(path, option, keep=keep)  # nothing put a FIFO or a link there meanwhile
        try:
            os.replace(temporary, path)
        except OSError as error:
            raise _cannot_write(path, option, error) from None
    finally:
        temporary.unlink(missing_ok=True)
    fsync_folder(path.parent)


def write_output(path: Path, text: str, option: str = "--out", *, keep: Sequence[Kept]) -> None:
    """Write ``text`` to ``path`` atomically (see :func:`output_stream`)."""
    with output_stream(path, option, keep=keep) as stream:
        stream.write(text)


def create_files(files: Sequence[tuple[Path, bytes, str]], *, keep: Sequence[Kept]) -> None:
    """Create every ``(path, data, option)`` owner-only, each whole, all of them or none.

    No file is replaced: a path that exists (of any kind) is refused, and so is one of
    ``keep`` (see :func:`check_target`); if one cannot be created, those created before
    it are removed again (:func:`~mentoring_core.extend.create_file`).
    """
    for path, _, option in files:
        check_target(path, option, keep=keep, replace=False)
    created: list[Path] = []
    try:
        for path, data, option in files:
            try:
                create_file(path, data)
            except FileExistsError:
                raise _refuse(option, f"{path} exists already; it is never overwritten") from None
            except OSError as error:
                raise _cannot_write(path, option, error) from None
            created.append(path)
    except BaseException:
        for path in created:
            path.unlink(missing_ok=True)
        raise
