"""Named locks on a store (:meth:`EventSourcedStore.hold`): one holder at a time among
every thread and process using the store, let go at the end of the block or with the
holder's process (killed, crashed), never waited for.

The reminder runs of a programme take one, so that two runs never send the same
reminder at once (``docs/cli.md``, "Reminders"). Each backend holds them its own way:

- memory (and a SQLite database in memory): within this process, whose events no other
  process sees (:func:`hold_in_process`);
- a SQLite file: an operating-system lock (``flock``) on a file beside it, named
  ``<store>-<name>.lock`` (:func:`hold_beside_sqlite_file`), through the ``filelock``
  library, which the system lets go when the holder's process ends however it ends;
- PostgreSQL: an advisory lock on a connection held for the block (its adapter).
"""

from __future__ import annotations

import re
import threading
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from eventsourcing.sqlite import SQLiteAggregateRecorder

from ..audit.recorders import ChainedRecorder
from ..domain.errors import InvalidValue, MentoringError
from ._port import Held

_NAME = re.compile(r"[a-z0-9][a-z0-9-]{0,99}")

_HELD: weakref.WeakKeyDictionary[object, set[str]] = weakref.WeakKeyDictionary()
"""The names held in this process, by the recorder (a store's events) they are held on."""
_HELD_LOCK = threading.Lock()


def check_hold_name(name: object) -> str:
    """A lock's name: lower-case letters, digits and hyphens (it names a file beside a
    SQLite store), up to 100, starting with a letter or digit."""
    if not isinstance(name, str) or _NAME.fullmatch(name) is None:
        raise InvalidValue(
            "name",
            name,
            "up to 100 lower-case letters, digits and hyphens, not starting with a hyphen",
        )
    return name


@contextmanager
def hold_in_process(recorder: ChainedRecorder, name: str) -> Iterator[Held]:
    """``name`` held on ``recorder`` among this process's threads: held for the block, or
    not (at once) if another thread holds it."""
    with _HELD_LOCK:
        held = _HELD.setdefault(recorder, set())
        if name in held:
            got = False
        else:
            held.add(name)
            got = True
    try:
        yield Held(got)
    finally:
        if got:
            with _HELD_LOCK:
                held.discard(name)


@contextmanager
def hold_beside_sqlite_file(recorder: ChainedRecorder, name: str) -> Iterator[Held]:
    """``name`` held on a SQLite store: by a lock on the file ``<store>-<name>.lock``
    beside it (created owner-only, kept afterwards), held by this open file alone; in
    this process only for a database in memory."""
    assert isinstance(recorder, SQLiteAggregateRecorder)
    if recorder.datastore.pool.is_sqlite_memory_mode:
        with hold_in_process(recorder, name) as got:
            yield got
        return
    from filelock import FileLock, Timeout  # here: 20 ms of every import, for reminder runs

    path = Path(f"{recorder.datastore.pool.db_name}-{name}.lock")
    lock = FileLock(path, timeout=0, mode=0o600, fallback_to_soft=False)
    try:
        lock.acquire()
    except Timeout:
        yield Held(False)
        return
    except OSError as error:  # not a file there (a link is not followed), or not writable
        raise MentoringError(
            f"the lock {name!r} of the store cannot be held: its file {path} cannot be "
            f"opened ({error.strerror}); remove what is there (a new one is made)"
        ) from None
    try:
        yield Held(True)
    finally:
        lock.release()
