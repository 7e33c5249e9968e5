"""People's data keys in a file of their own, apart from the events.

A store opened with the setting ``KEY_STORE_FILE`` (``MentoringService(url,
key_store_file=...)``, ``mentoring --key-store-file FILE``) keeps its key rows in the
table ``mentoring_keys`` of that SQLite file instead of beside its events, so that
the keys can be backed up, kept and destroyed apart from them. The file is created
owner-only (0600), as a SQLite store is, when the store holds no event yet; a store
that holds events and whose key file is missing is refused (the keys were lost, or
the wrong file was named): nothing is read as erased for want of a file.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import attrs
from eventsourcing.sqlite import SQLiteDatastore

from ..audit.recorders import keep_statements
from ..domain.errors import StoreConfigurationError
from ..privacy.keys import KEYS_TABLE, KeyStore, PersonKey, SQLiteKeyStore
from ._sqlite_file import prepare_sqlite_file

KEY_STORE_FILE_SETTING = "KEY_STORE_FILE"
"""The store setting naming the key store file (``MentoringService(url, key_store_file=...)``)."""
_LOCK_TIMEOUT_SECONDS = 30


def open_key_file(path: Path, *, create: bool) -> SQLiteKeyStore:
    """The key store in the SQLite file ``path``, created owner-only if ``create`` allows
    and it does not exist; refused if it is missing otherwise, or is another file."""
    if not create and not path.exists():
        raise StoreConfigurationError(
            f"the key store file {path} does not exist, but the store holds events: its "
            "people's keys were lost or another file was named; restore the key file from "
            "its backup (docs/privacy.md, Keys); a key store file is chosen when a store is "
            "created"
        )
    prepare_sqlite_file(path, KEYS_TABLE, "key store file")
    datastore = SQLiteDatastore(str(path), lock_timeout=_LOCK_TIMEOUT_SECONDS)
    keep_statements(datastore)
    keys = SQLiteKeyStore(datastore, None)
    keys.create_table()
    return keys


@attrs.define
class KeyFileStore:
    """A key store in its own file (``keys``), for a store whose own key store
    (``beside``, its table left empty) still drops the snapshots and rewrites the
    store's files on erasure: :meth:`scrub` rewrites both."""

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
