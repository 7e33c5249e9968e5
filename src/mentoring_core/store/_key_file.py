"""People's data keys in a file of their own, apart from the events.

A store opened with the setting ``KEY_STORE_FILE`` (``MentoringService(url,
key_store_file=...)``, ``mentoring --key-store-file FILE``) keeps its key rows in the
table ``mentoring_keys`` of that SQLite file instead of beside its events, so that
the keys can be backed up, kept and destroyed apart from them. The file is created
owner-only (0600), as a SQLite store is, when the store holds no event yet (an empty
file there before is made owner-only too); a store that holds events and whose key file
is missing or empty is refused (the keys were lost, or the wrong file was named): nothing
is read as erased for want of a file, and nothing is written to it.

The store and its key file are bound to each other: on its first use, the file is given
a random id, which both record (row :data:`~mentoring_core.privacy.keys.KEY_STORE_ID_ROW`
of their key tables). The store is then refused when it is opened without a key file (it
would write new people's keys into its own table), or with a key file of another store
(its sealed fields would read as tampered), each time it is opened; nothing more is
checked per command. A store and its key file made before they were bound (neither
records an id) are bound the next time they are opened together.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path
from typing import NoReturn

import attrs
from eventsourcing.sqlite import SQLiteDatastore

from ..audit.recorders import keep_statements
from ..domain.errors import StoreConfigurationError
from ..privacy.keys import KEY_STORE_ID_ROW, KEYS_TABLE, KeyStore, PersonKey, SQLiteKeyStore
from ._sqlite_file import check_sqlite_file, prepare_sqlite_file

KEY_STORE_FILE_SETTING = "KEY_STORE_FILE"
"""The store setting naming the key store file (``MentoringService(url, key_store_file=...)``)."""
_LOCK_TIMEOUT_SECONDS = 30
_WHAT = "key store file"
_RESTORE = "restore the key file from its backup (docs/privacy.md, Keys)"


def open_key_file(path: Path, *, create: bool) -> SQLiteKeyStore:
    """The key store in the SQLite file ``path``, created owner-only if ``create`` allows
    and it does not exist or is empty; refused if it is missing or empty otherwise, or is
    another file."""
    try:
        if create:
            prepare_sqlite_file(path, KEYS_TABLE, _WHAT)
        else:
            _check_kept(path)
    except StoreConfigurationError as refused:  # its message names the file: the setting
        raise StoreConfigurationError(str(refused), "key_store_file") from None
    datastore = SQLiteDatastore(str(path), lock_timeout=_LOCK_TIMEOUT_SECONDS)
    keep_statements(datastore)
    keys = SQLiteKeyStore(datastore, None)
    keys.create_table()
    return keys


def _check_kept(path: Path) -> None:
    """Refuse the key file of a store that holds events unless it holds a key table."""
    if not path.exists():
        raise StoreConfigurationError(
            f"the key store file {path} does not exist, but the store holds events: its "
            f"people's keys were lost or another file was named; {_RESTORE}; a key store "
            "file is chosen when a store is created"
        )
    if KEYS_TABLE not in check_sqlite_file(path, KEYS_TABLE, _WHAT):
        raise StoreConfigurationError(
            f"the key store file {path} is empty (it holds no key table), but the store "
            "holds events: its people's keys were lost (a restore cut short, a file "
            f"emptied) or another file was named; {_RESTORE}; nothing was written to it"
        )


def refuse_keys_elsewhere(beside: KeyStore) -> None:
    """Refuse a store opened without a key file whose own key store (``beside``) says its
    keys are kept in one."""
    found = _recorded_id(beside)
    if found is not None:
        raise StoreConfigurationError(
            f"the store keeps its people's keys in a key store file (id {found.hex()}), "
            "and was opened without its key store file: give it (key_store_file=..., "
            "--key-store-file or MENTORING_KEY_STORE_FILE); nothing is read or recorded "
            "without it, so that no one's key is kept apart from the others'",
            "key_store_file",
        )


def open_bound_key_file(path: Path, beside: KeyStore, *, store_empty: bool) -> SQLiteKeyStore:
    """The key store in the file ``path`` (:func:`open_key_file`) of the store whose own key
    store is ``beside``, and which holds no event if ``store_empty``: refused unless they
    are bound to each other, or can be bound now (and then bound)."""
    keys = open_key_file(path, create=store_empty)
    try:
        found, held = _recorded_id(beside), _recorded_id(keys)
        fresh = store_empty and not keys.rows()
        key_store_id = _binding(found, held, fresh=fresh)
        if key_store_id is None:
            _refuse_binding(path, found, held)
        if key_store_id != held or key_store_id != found:
            _record_id(keys, key_store_id)
            # the id the file holds now: another process binding them at once may have
            # recorded its own there first, and both must then give the store that one
            _record_id(beside, _recorded_id(keys) or key_store_id)
            found, held = _recorded_id(beside), _recorded_id(keys)
            if found != held:  # another process bound one of them meanwhile
                _refuse_binding(path, found, held)
    except BaseException:
        keys.datastore.close()
        raise
    return keys


def _binding(found: bytes | None, held: bytes | None, *, fresh: bool) -> bytes | None:
    """The id the store and its key file are to record, given those they record (``found``,
    ``held``); ``fresh``: neither holds a key yet. None if they may not be bound."""
    if found == held:
        return found or os.urandom(16)  # bound, or neither recorded (made before binding)
    if held is None:
        return found if fresh else None  # a new key file for a store that holds no key
    return held if fresh and found is None else None  # a first binding cut short


def _refuse_binding(path: Path, found: bytes | None, held: bytes | None) -> NoReturn:
    """Refuse the key file ``path`` as not the key store of the store, which records the
    key store id ``found`` (the file records ``held``)."""
    if held is None:
        what = "records no store: it is a new or emptied key store file, or one of a store "
        what += "that has not been opened with it since key store files were bound to theirs"
    else:
        what = f"is the key store of another store (id {held.hex()})"
    if found is None:
        mine = "this store records no key store file (it is new, or kept its keys beside it)"
    else:
        mine = f"this store's key store file has id {found.hex()}: name it, or {_RESTORE}"
    raise StoreConfigurationError(f"the key store file {path} {what}; {mine}", "key_store_file")


def _recorded_id(keys: KeyStore) -> bytes | None:
    row = keys.get(KEY_STORE_ID_ROW)
    return None if row is None else row.key


def _record_id(keys: KeyStore, key_store_id: bytes) -> None:
    if _recorded_id(keys) is None:  # never replaced: the first recorded wins
        now = datetime.now(UTC)
        keys.restore(PersonKey(person_id=KEY_STORE_ID_ROW, key=key_store_id, created_at=now))


@attrs.define
class KeyFileStore:
    """A key store in its own file (``keys``), for a store whose own key store
    (``beside``, its table holding no key, only the file's id) still drops the
    snapshots and rewrites the store's files on erasure: :meth:`scrub` rewrites both."""

    keys: SQLiteKeyStore
    beside: KeyStore

    def get(self, person_id: str) -> PersonKey | None:
        return self.keys.get(person_id)

    def create(self, person_id: str) -> PersonKey:
        return self.keys.create(person_id)

    def destroy(self, person_id: str, at: datetime) -> bool:
        return self.keys.destroy(person_id, at)

    def rows(self) -> list[PersonKey]:
        return self.keys.rows()

    def restore(self, row: PersonKey) -> None:
        self.keys.restore(row)

    def scrub(self) -> tuple[str, ...]:
        return self.beside.scrub() + self.keys.scrub()

    def close(self) -> None:
        self.keys.datastore.close()
