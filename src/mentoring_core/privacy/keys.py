"""People's data keys, kept apart from the events: the port and the built-in key stores.

Every field holding personal data is stored encrypted under a data key of the person it
is about (see :mod:`.sealing`); destroying that key erases every such field at once
(crypto-shredding). A key store keeps one row per person: the key while it lives, and a
tombstone (no key, the time it was destroyed) once it is destroyed, so that a field
under a destroyed key reads as erased while a field under a key the store does not hold
(a lost key store) is an error, never silent garbage, unless the person's erasure is
recorded. An import without the keys writes *withheld* rows (no key, not destroyed):
its copy's fields read as erased until the keys are copied.

Key material never leaves the key store but to seal or open a field: it is not in any
event, snapshot, read model, export or log line. Memory stores keep keys in the process;
SQLite stores in the table ``mentoring_keys`` of the same file; the PostgreSQL adapter in
the same table of the store's schema; any store opened with a key store file in that
table of that SQLite file (``mentoring_core.store._key_file``).
"""

from __future__ import annotations

import math
import os
import threading
import time
from collections.abc import Callable, Collection
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Protocol, TypeVar
from uuid import UUID

import attrs
from eventsourcing.persistence import AggregateRecorder
from eventsourcing.popo import POPOAggregateRecorder
from eventsourcing.sqlite import SQLiteAggregateRecorder, SQLiteCursor, SQLiteDatastore

from .._sqlite_writing import writing_transaction
from ..domain.errors import InvalidValue, StoreConfigurationError

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

KEYS_TABLE = "mentoring_keys"
_T = TypeVar("_T")

KEY_BYTES = 32
"""AES-256: every data key is 32 random bytes."""
KEY_CACHE_SECONDS = 30.0
"""How long a process keeps a key it read before asking the key store again: a key
destroyed by another process is still used here for at most this long, and so is a state
holding texts opened under it (:class:`OpenedStates`)."""
KEY_STORE_ID_ROW = "\tkey store"
"""The row, not a person's, in which a store whose keys are kept in a key store file and
that file each hold the file's id (its ``key``): no person id holds a control character
(person ids are labels), and :meth:`SQLiteKeyStore.rows` leaves it out
(``mentoring_core.store._key_file``)."""
ROWS_AT_ONCE = 32
"""More people than this are checked against the key store in one query for every row
(:meth:`CachedKeys.fresh`), fewer with one query each."""


@attrs.frozen(kw_only=True, repr=False)
class PersonKey:
    """A person's row in the key store: the live key, or the time it was destroyed."""

    person_id: str
    key: bytes | None
    """The 32-byte data key; None once destroyed."""
    created_at: datetime
    destroyed_at: datetime | None = None

    @property
    def withheld(self) -> bool:
        """No key and not destroyed: a row an import wrote for a person whose key was not
        copied with the events (their fields read as erased until it is copied)."""
        return self.key is None and self.destroyed_at is None

    def __repr__(self) -> str:  # never the key itself, even in a traceback or a log line
        if self.key is not None:
            state = "live"
        elif self.withheld:
            state = "not copied here"
        else:
            state = f"destroyed at {self.destroyed_at}"
        return f"PersonKey({self.person_id!r}, {state})"


class KeyStore(Protocol):
    """Where people's data keys live (the port every store backend provides)."""

    def get(self, person_id: str) -> PersonKey | None:
        """The person's row (live or destroyed); None if the store never held one."""
        ...

    def create(self, person_id: str) -> PersonKey:
        """The person's row, with a new random key if there was none (a destroyed key is
        never replaced: its tombstone is returned)."""
        ...

    def destroy(self, person_id: str, at: datetime) -> bool:
        """Destroy the person's key, keeping a tombstone (also for a person the store holds
        no key of, or a withheld one); False if there was no live key."""
        ...

    def rows(self) -> list[PersonKey]:
        """Every person's row, live or destroyed (to back the keys up or copy them)."""
        ...

    def restore(self, row: PersonKey) -> None:
        """Keep ``row`` (from a backup or another store) unless the person's row is here
        already, and :func:`replaces` says it wins: a destroyed row always does (a key is
        never brought back to life), a live one wins over a withheld one."""
        ...

    def scrub(self) -> tuple[str, ...]:
        """Make what erasure freed unrecoverable from the files: drop every snapshot (they
        hold folded plaintext; they are taken again) and rewrite freed space. Returns
        what could not be done, in words (empty when all was done)."""
        ...


def replaces(row: PersonKey, here: PersonKey | None) -> bool:
    """Whether :meth:`KeyStore.restore` keeps ``row`` in place of the row ``here``."""
    if here is None:
        return True
    if row.destroyed_at is not None:
        return here.destroyed_at is None
    return here.withheld and row.key is not None


def new_key() -> bytes:
    """A fresh random data key."""
    return os.urandom(KEY_BYTES)


def _now() -> datetime:
    return datetime.now(UTC)


def check_person(person_id: object) -> str:
    if not isinstance(person_id, str) or not person_id.strip():
        raise InvalidValue("person_id", person_id, "a person id (non-empty text)")
    return person_id


class MemoryKeyStore:
    """The key store of a ``memory://`` store: kept in the process, like its events."""

    def __init__(self, snapshots: AggregateRecorder | None = None) -> None:
        self._rows: dict[str, PersonKey] = {}
        self._lock = threading.Lock()
        self._snapshots = snapshots

    def get(self, person_id: str) -> PersonKey | None:
        with self._lock:
            return self._rows.get(check_person(person_id))

    def create(self, person_id: str) -> PersonKey:
        with self._lock:
            row = self._rows.get(check_person(person_id))
            if row is None:
                row = self._rows[person_id] = PersonKey(
                    person_id=person_id, key=new_key(), created_at=_now()
                )
            return row

    def destroy(self, person_id: str, at: datetime) -> bool:
        with self._lock:
            row = self._rows.get(check_person(person_id))
            if row is not None and row.destroyed_at is not None:
                return False
            created = at if row is None else row.created_at
            self._rows[person_id] = PersonKey(
                person_id=person_id, key=None, created_at=created, destroyed_at=at
            )
            return row is not None and row.key is not None

    def rows(self) -> list[PersonKey]:
        with self._lock:
            return list(self._rows.values())

    def restore(self, row: PersonKey) -> None:
        with self._lock:
            if replaces(row, self._rows.get(check_person(row.person_id))):
                self._rows[row.person_id] = row

    def scrub(self) -> tuple[str, ...]:
        snapshots = self._snapshots
        if isinstance(snapshots, POPOAggregateRecorder):
            with snapshots._database_lock:  # eventsourcing offers no public delete
                snapshots._stored_events.clear()
                snapshots._stored_events_index.clear()
        return ()


def _parse_time(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)


class SQLiteKeyStore:
    """The key store of a SQLite store: table ``mentoring_keys`` in the same file."""

    scrub_wait: float = 10.0
    """Seconds an erasure's scrub waits for the connections still reading the file (a
    report, another process's long read) to end, so that the write-ahead log can be
    written back and truncated (:meth:`scrub`), as a PostgreSQL store's waits for
    transactions older than the key's destruction; it looks every 50 ms, holding no lock
    in between."""

    def __init__(self, datastore: SQLiteDatastore, snapshots: AggregateRecorder | None) -> None:
        self.datastore = datastore
        self._snapshots = snapshots

    def create_table(self) -> None:
        """Create the key table, refusing a store whose events hold sealed fields but whose
        key table is gone (the keys were lost: nothing could be read back). Looked for
        first in a read, as a store that has it needs no write lock; else made in a
        transaction holding the write lock from its start, which looks again (another
        process opening the store may have made it meanwhile)."""
        with self.datastore.transaction(commit=False) as c:
            if _has_key_table(c):
                return
        with writing_transaction(self.datastore) as c:
            if _has_key_table(c):
                return
            _refuse_lost_keys(c)
            c.execute(
                f"CREATE TABLE IF NOT EXISTS {KEYS_TABLE} (person_id TEXT PRIMARY KEY, "
                "key BLOB, created_at TEXT NOT NULL, destroyed_at TEXT) WITHOUT ROWID"
            )

    def get(self, person_id: str) -> PersonKey | None:
        with self.datastore.transaction(commit=False) as c:
            c.execute(
                f"SELECT key, created_at, destroyed_at FROM {KEYS_TABLE} WHERE person_id = ?",
                [check_person(person_id)],
            )
            row = c.fetchone()
        if row is None:
            return None
        return PersonKey(
            person_id=person_id,
            key=None if row[0] is None else bytes(row[0]),
            created_at=datetime.fromisoformat(row[1]),
            destroyed_at=_parse_time(row[2]),
        )

    def create(self, person_id: str) -> PersonKey:
        with self.datastore.transaction(commit=True) as c:
            c.execute(
                f"INSERT INTO {KEYS_TABLE} (person_id, key, created_at) VALUES (?, ?, ?) "
                "ON CONFLICT (person_id) DO NOTHING",
                [check_person(person_id), new_key(), _now().isoformat()],
            )
        row = self.get(person_id)
        assert row is not None  # just inserted, and rows are never deleted
        return row

    def destroy(self, person_id: str, at: datetime) -> bool:
        # the write lock from the start: the row read decides what is written
        with writing_transaction(self.datastore) as c:
            c.execute("PRAGMA secure_delete = ON")
            c.execute(
                f"SELECT key IS NOT NULL, destroyed_at IS NOT NULL FROM {KEYS_TABLE} "
                "WHERE person_id = ?",
                [check_person(person_id)],
            )
            row = c.fetchone()
            if row is not None and row[1]:
                return False
            c.execute(
                f"INSERT INTO {KEYS_TABLE} (person_id, key, created_at, destroyed_at) "
                "VALUES (?, NULL, ?, ?) ON CONFLICT (person_id) DO UPDATE SET key = NULL, "
                "destroyed_at = excluded.destroyed_at",
                [person_id, at.isoformat(), at.isoformat()],
            )
        return row is not None and bool(row[0])

    def rows(self) -> list[PersonKey]:
        with self.datastore.transaction(commit=False) as c:
            c.execute(
                f"SELECT person_id, key, created_at, destroyed_at FROM {KEYS_TABLE} "
                "WHERE person_id <> ?",
                [KEY_STORE_ID_ROW],
            )
            found = c.fetchall()
        return [
            PersonKey(
                person_id=r[0],
                key=None if r[1] is None else bytes(r[1]),
                created_at=datetime.fromisoformat(r[2]),
                destroyed_at=_parse_time(r[3]),
            )
            for r in found
        ]

    def restore(self, row: PersonKey) -> None:
        destroyed = None if row.destroyed_at is None else row.destroyed_at.isoformat()
        with self.datastore.transaction(commit=True) as c:
            c.execute(
                f"INSERT INTO {KEYS_TABLE} (person_id, key, created_at, destroyed_at) "
                f"VALUES (?, ?, ?, ?) ON CONFLICT (person_id) DO UPDATE SET "
                + restore_wins(KEYS_TABLE),
                [check_person(row.person_id), row.key, row.created_at.isoformat(), destroyed],
            )

    def scrub(self) -> tuple[str, ...]:
        snapshots = self._snapshots
        with self.datastore.transaction(commit=True) as c:
            c.execute("PRAGMA secure_delete = ON")
            if isinstance(snapshots, SQLiteAggregateRecorder):
                c.execute(f"DELETE FROM {snapshots.events_table_name}")
        if self.datastore.pool.is_sqlite_memory_mode:
            return ()
        # In autocommit mode, outside any transaction (as VACUUM must run); as the writer.
        with self.datastore.get_connection(commit=True) as connection:
            cursor = connection.cursor()
            cursor.execute("PRAGMA secure_delete = ON")
            cursor.execute("VACUUM")
            busy = self._truncate_log(cursor)
        if busy:
            return (
                "the write-ahead log could not be written back and truncated while other "
                "connections read the file: the file and its log may keep the freed pages (the "
                "destroyed key, the snapshots' texts) until they have ended and the erasure "
                "is run again",
            )
        return ()

    def _truncate_log(self, cursor: SQLiteCursor) -> bool:
        """Write the write-ahead log back into the file and truncate it, looking again every
        50 ms for up to :attr:`scrub_wait` seconds while connections still reading keep
        it; whether they still do. SQLite's busy handler is off meanwhile: a checkpoint
        waiting in it holds the write lock, and every command recording waited with it."""
        cursor.execute("PRAGMA busy_timeout")
        (milliseconds,) = cursor.fetchone()
        cursor.execute("PRAGMA busy_timeout = 0")

        def busy() -> bool:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            return bool(cursor.fetchone()[0])

        try:
            return polled(busy, self.scrub_wait)
        finally:
            cursor.execute(f"PRAGMA busy_timeout = {int(milliseconds)}")


def polled(look: Callable[[], _T], seconds: float) -> _T:
    """``look()``, asked again every 50 ms while its answer is true (something still in
    the way), for up to ``seconds``: its last answer. A scrub waits so for the readers
    that keep a destroyed key's old bytes (:meth:`SQLiteKeyStore.scrub`, PostgreSQL's)."""
    deadline = time.monotonic() + seconds
    while True:
        found = look()
        if not found or time.monotonic() >= deadline:
            return found
        time.sleep(0.05)


def restore_wins(here: str) -> str:
    """The ``DO UPDATE`` of :meth:`KeyStore.restore`'s upsert in SQL (SQLite and
    PostgreSQL), the row in the table named ``here``: :func:`replaces`."""
    return (
        "key = excluded.key, created_at = excluded.created_at, "
        f"destroyed_at = excluded.destroyed_at WHERE (excluded.destroyed_at IS NOT NULL AND "
        f"{here}.destroyed_at IS NULL) OR ({here}.key IS NULL AND {here}.destroyed_at IS NULL "
        "AND excluded.key IS NOT NULL)"
    )


def _has_key_table(cursor: SQLiteCursor) -> bool:
    cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name = ?", [KEYS_TABLE])
    return cursor.fetchone() is not None


def _refuse_lost_keys(cursor: SQLiteCursor) -> None:
    """Raise if the events table holds a sealed field (marker ``"$personal"``)."""
    cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'stored_events'")
    if cursor.fetchone() is None:
        return
    cursor.execute(
        "SELECT 1 FROM stored_events WHERE instr(state, CAST('\"$personal\"' AS BLOB)) LIMIT 1"
    )
    if cursor.fetchone() is not None:
        raise StoreConfigurationError(lost_keys_message(KEYS_TABLE))


def lost_keys_message(table: str) -> str:
    """The refusal of a store whose events are sealed under keys its key store lacks."""
    return (
        f"the store's events hold personal data sealed under people's keys, but its key "
        f"table {table} is missing: the keys were lost (restore {table} from the key "
        "backup, see docs/privacy.md); nothing personal could be read without them"
    )


def missing_key_message(person_id: str) -> str:
    """The refusal to read a field sealed under a key the key store does not hold, of a
    person never erased: the key store was lost, emptied or restored from an older backup."""
    return (
        f"personal data is sealed under the key of {person_id!r}, but the key store holds no key "
        f"for {person_id!r}, who was never erased: the key store was lost, emptied, or "
        "restored from a backup older than the key, or the store was opened without its key "
        "store file (key_store_file); restore the keys from their backup "
        "(see docs/privacy.md, Keys); nothing personal is shown as erased without an erasure"
    )


def copy_keys(source: KeyStore, target: KeyStore) -> int:
    """Copy every person's row from ``source`` to ``target`` (see :meth:`KeyStore.restore`),
    as an import into another store needs: the export carries no keys. Returns how many."""
    rows = source.rows()
    for row in rows:
        target.restore(row)
    return len(rows)


class _Collected(threading.local):
    """Each thread's set :meth:`CachedKeys.sealing` fills (None outside a call): a class
    attribute, so that reading it where a thread never set it raises no AttributeError
    (:func:`getattr` with a default makes one, a tenth of opening a sealed field)."""

    people: set[str] | None = None


class CachedKeys:
    """A key store's rows as one process reads them, kept ``KEY_CACHE_SECONDS``."""

    def __init__(
        self,
        store: KeyStore,
        seconds: float = KEY_CACHE_SECONDS,
        *,
        erased: Callable[[str], datetime | None] = lambda person_id: None,
    ) -> None:
        self.store = store
        self._seconds = seconds
        self._rows: dict[str, tuple[float, PersonKey]] = {}
        self._lock = threading.Lock()
        self._erased = erased
        self._known_erased: set[str] = set()
        self._aeads: dict[str, tuple[bytes, AESGCM]] = {}
        self._local = _Collected()
        """``people``: the set :meth:`sealing` fills in this thread (None outside one)."""

    @property
    def seconds(self) -> float:
        """How long a row read from the key store is used before it is read again (and so
        how long a state holding texts opened under it is kept unchecked:
        :class:`OpenedStates`). Lowered, it takes effect as rows are next looked up."""
        return self._seconds

    @seconds.setter
    def seconds(self, seconds: float) -> None:
        if not isinstance(seconds, int | float) or not 0 <= seconds < math.inf:
            raise InvalidValue("seconds", seconds, "a number of seconds, 0 or more")
        self._seconds = float(seconds)

    def erased(self, person_id: str) -> bool:
        """Whether the store records the person's erasure (``PersonalDataErased``): their
        key missing from the key store is then expected. Asked only for a missing key."""
        if person_id not in self._known_erased and self._erased(person_id) is not None:
            with self._lock:
                self._known_erased.add(person_id)  # an erasure is never undone
        return person_id in self._known_erased

    def _cached(self, person_id: str) -> PersonKey | None:
        found = self._rows.get(person_id)  # read without the lock: one dict read is atomic
        if found is None or time.monotonic() - found[0] > self._seconds:
            return None
        return found[1]

    def _keep(self, row: PersonKey) -> PersonKey:
        with self._lock:
            self._rows[row.person_id] = (time.monotonic(), row)
        return row

    def get(self, person_id: str) -> PersonKey | None:
        row = self._cached(person_id)
        if row is None:
            row = self.store.get(person_id)
            if row is not None:
                self._keep(row)
        return row

    def create(self, person_id: str) -> PersonKey:
        """The person's row, a new key made if the key store holds none (see
        :meth:`KeyStore.create`); but for a person whose erasure the store records, whose
        tombstone was lost (a key store restored from a backup older than the erasure),
        the tombstone written back, destroyed when the last erasure was recorded: no new
        key is made for them, under which their old fields would no longer read as
        erased, and :func:`~.sealing.seal_event` refuses their personal data."""
        row = self.get(person_id)
        if row is not None:
            return row
        erased_at = self._erased(person_id)  # read only when a key is to be made: rare
        if erased_at is not None:
            self.store.destroy(person_id, erased_at)
        return self._keep(self.store.create(person_id))

    def expires(self, person_id: str) -> float:
        """When (``time.monotonic()``) the person's cached row is to be read again from the
        key store; 0.0 if none is cached."""
        found = self._rows.get(person_id)
        return 0.0 if found is None else found[0] + self._seconds

    def fresh(self, people: Collection[str]) -> dict[str, PersonKey | None]:
        """The rows of ``people`` as the key store holds them now (not as cached: one query
        each, or one for every row when more than :data:`ROWS_AT_ONCE`), each cached afresh;
        None for a person it holds no row of."""
        if len(people) > ROWS_AT_ONCE:
            every = {row.person_id: row for row in self.store.rows()}
            found = {person_id: every.get(person_id) for person_id in people}
        else:
            found = {person_id: self.store.get(person_id) for person_id in people}
        for row in found.values():
            if row is not None:
                self._keep(row)
        return found

    def destroyed(self, people: Collection[str]) -> tuple[str, ...]:
        """Those of ``people`` whose key the key store holds destroyed now (read from the
        store, not the cache: :meth:`fresh`), in order."""
        rows = self.fresh(people)
        return tuple(sorted(p for p, row in rows.items() if row and row.destroyed_at is not None))

    def sealing(
        self, action: Callable[..., _T], *args: object, **kwargs: object
    ) -> tuple[_T, set[str]]:
        """``action(*args, **kwargs)``'s result, and the people whose live keys it opened or
        sealed a field with (:meth:`aead`) in this thread; an enclosing call's set gets them
        too. One call (not a context of three, nor a lambda): a command's every write goes
        through it."""
        local = self._local
        outer = local.people
        people: set[str] = set()
        local.people = people
        try:
            result = action(*args, **kwargs)
        finally:
            local.people = outer
        if outer is not None:
            outer |= people
        return result, people

    def aead(self, row: PersonKey) -> AESGCM:
        """The AES-GCM cipher of ``row``'s key (which must be set), built once per person
        and key (building one cost as much as opening a sealed field). A kept cipher is read
        without the lock; ciphers are built and kept only under the lock :meth:`forget`
        takes, as the cached keys are. The person is added to the set :meth:`sealing`
        fills in this thread, if one does."""
        assert row.key is not None
        collecting = self._local.people
        if collecting is not None:
            collecting.add(row.person_id)
        found = self._aeads.get(row.person_id)  # read without the lock, as :meth:`_cached`
        if found is not None and found[0] == row.key:
            return found[1]
        # here: cryptography is 2 per cent of every command's start, and only a command
        # that seals or opens someone's data needs it
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        with self._lock:
            found = self._aeads.get(row.person_id)
            if found is None or found[0] != row.key:
                found = self._aeads[row.person_id] = (row.key, AESGCM(row.key))
        return found[1]

    def forget(self) -> None:
        """Drop every cached key (after an erasure)."""
        with self._lock:
            self._rows.clear()
            self._aeads.clear()


@attrs.frozen
class _Opened:
    """What :class:`OpenedStates` knows of the kept states of one aggregate."""

    people: frozenset[str]
    """Whose live keys opened or sealed the texts they hold (read from their events)."""
    until: float
    """When (``time.monotonic()``) those people's keys are to be checked again: when the
    first of their cached rows is to be read again from the key store."""
    from_snapshot: bool
    """One of them was (partly) read from a snapshot, whose texts' people are not known."""
    reread_at: float
    """When a state read from a snapshot is to be read again from the store (math.inf
    when none is kept)."""


class Kept:
    """What :meth:`OpenedStates.verdict` says of an aggregate's kept states."""

    KEEP = "keep"
    """They may be used as they are."""
    REREAD = "reread"
    """The one without its history (``whole=False``) may hold texts read from a snapshot
    ``seconds`` or more ago: read it again from the store."""
    DROP = "drop"
    """Drop them all: nothing is known of them."""
    ERASED = "erased"
    """Drop them all: a key that opened their texts is no longer live (an erasure made by
    another process, which every state kept may be holding texts of)."""


class OpenedStates:
    """Whose texts the states a process keeps (its caches) hold, so that none is used
    longer than the keys that opened them are (:class:`CachedKeys`): an erasure in another
    process is honoured here within ``keys.seconds``.

    One entry per aggregate (``key``, its id) for all its kept states, at most ``size`` (beyond,
    the entry that last changed longest ago is forgotten: its states are then dropped the
    next time they are asked for, and read again from the store).
    A state read from a snapshot holds texts whose people are not known here: it is read
    again from the store ``keys.seconds`` after it was read (an erasure drops every
    snapshot), and checked against every person it names before it is written as a new
    snapshot (``MentoringService._snapshot``)."""

    def __init__(self, keys: CachedKeys, size: int) -> None:
        self.keys = keys
        self._size = size
        self._kept: dict[int, _Opened] = {}
        """By the aggregate id's ``int``: hashed in C (a UUID's ``__hash__`` is Python's)."""
        self._lock = threading.Lock()

    def note(self, key: UUID, people: Collection[str], *, from_snapshot: bool = False) -> None:
        """A state of ``key`` is kept, whose texts were opened or sealed (since the states
        noted before) with the live keys of ``people``; ``from_snapshot``: it was read from a
        snapshot."""
        keys = self.keys
        old = self._kept.get(key.int)
        if old is not None and not from_snapshot and old.people.issuperset(people):
            # as most commands note it: nothing new (read without the lock, as verdict);
            # each person's row cached no earlier than the entry's keys are due (a loop,
            # not all() of a generator: this runs at every command)
            rows, seconds, until = keys._rows, keys._seconds, old.until
            for person_id in people:
                row = rows.get(person_id)
                if row is None or row[0] + seconds < until:
                    break
            else:
                return
        until = min((keys.expires(p) for p in people), default=math.inf)
        reread_at = time.monotonic() + keys.seconds if from_snapshot else math.inf
        with self._lock:
            old = self._kept.pop(key.int, None)
            if old is None:
                new = _Opened(frozenset(people), until, from_snapshot, reread_at)
            else:
                new = _Opened(
                    old.people if old.people.issuperset(people) else old.people.union(people),
                    min(until, old.until),
                    old.from_snapshot or from_snapshot,
                    min(reread_at, old.reread_at),
                )
            self._kept[key.int] = new  # last: the most recently noted is forgotten last
            while len(self._kept) > self._size:
                del self._kept[next(iter(self._kept))]

    def kept(self, key: UUID) -> bool:
        """Whether ``key``'s kept state without its history may be used without asking
        anything more: the common case of :meth:`verdict` (``KEEP``), in one dictionary
        read and a clock read (a command on a cached state asks it every time)."""
        found = self._kept.get(key.int)
        if found is None:
            return False
        now = time.monotonic()
        return now < found.until and now < found.reread_at

    def verdict(self, key: UUID, *, whole: bool) -> str:
        """Whether ``key``'s kept states may be used (:class:`Kept`); ``whole``: the one
        asked for holds the whole history (never read from a snapshot). Reads the people's
        keys again (from the key store, as :class:`CachedKeys` does once a row is
        ``seconds`` old) when the first of them is due."""
        found = self._kept.get(key.int)
        if found is None:
            return Kept.DROP
        now = time.monotonic()
        if not whole and now >= found.reread_at:
            with self._lock:  # read again now; one read from a snapshot meanwhile, in time
                if self._kept.get(key.int) is found:
                    self._kept[key.int] = attrs.evolve(found, reread_at=now + self.keys.seconds)
            return Kept.REREAD
        if now < found.until:
            return Kept.KEEP
        until = math.inf
        for person_id in found.people:
            row = self.keys.get(person_id)
            if row is None or row.key is None:  # destroyed (or changed under us)
                self.drop(key)
                return Kept.ERASED
            until = min(until, self.keys.expires(person_id))
        with self._lock:
            if self._kept.get(key.int) is found:
                self._kept[key.int] = attrs.evolve(found, until=until)
        return Kept.KEEP

    def known(self, key: UUID) -> tuple[frozenset[str], bool]:
        """The people whose keys opened ``key``'s kept states' texts, and whether that is
        all of them (False: a state was read from a snapshot, or nothing is known)."""
        found = self._kept.get(key.int)
        if found is None:
            return frozenset(), False
        return found.people, not found.from_snapshot

    def drop(self, key: UUID) -> None:
        """Forget ``key`` (its states are dropped)."""
        with self._lock:
            self._kept.pop(key.int, None)

    def clear(self) -> None:
        """Forget every aggregate (every kept state is dropped)."""
        with self._lock:
            self._kept.clear()
