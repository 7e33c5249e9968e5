"""Encryption of the whole store at rest, through eventsourcing's cipher.

Optional. The store's settings name a key file (``CIPHER_KEY_FILE``, never the URL);
the file holds a base64 AES key (16, 24 or 32 bytes; ``mentoring privacy
cipher-keygen`` writes a 32-byte one) and must be readable by its owner only. The
mapper then encrypts every stored event's and snapshot's state with AES-GCM
(``eventsourcing.cryptography:AESCipher``), and people's data keys in the key table are
wrapped with the same cipher (:class:`WrappedKeys`).

A store is encrypted or not from its first record on: when it is opened, the first
stored event tells which (:func:`check_at_rest`). A key for a store written in clear,
no key or a wrong key for an encrypted one are refused with a
:class:`StoreConfigurationError`, except that an encrypted store opened without its key
still opens, for what needs only the stored bytes (``audit verify``'s chain): reading
or writing anything through it raises the error (:class:`MissingKey`).
"""

from __future__ import annotations

import json
import stat
from base64 import b64decode
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path

import attrs
from eventsourcing.persistence import ApplicationRecorder, Cipher
from eventsourcing.utils import Environment

from ..domain.errors import StoreConfigurationError
from ..privacy.keys import KeyStore, PersonKey, new_key

KEY_FILE_SETTING = "CIPHER_KEY_FILE"
"""The store setting naming the key file (``MentoringService(url, cipher_key_file=...)``)."""
CIPHER_TOPIC = "eventsourcing.cryptography:AESCipher"
_GROUP_OR_OTHERS = 0o077


def new_cipher_key() -> str:
    """A new random 32-byte AES key in base64, the text of a key file."""
    from eventsourcing.cryptography import AESCipher  # here: as in read_key_file

    return AESCipher.create_key(32)


def read_key_file(path: Path) -> str:
    """The base64 key in ``path``, refused unless the file is its owner's only."""
    # here: it imports cryptography, which only a store encrypted at rest needs (and a
    # command that seals or opens someone's data: CachedKeys.aead)
    from eventsourcing.cryptography import AESCipher

    try:
        status = path.stat()
        # checked before reading: a device (/dev/zero) is endless, a FIFO blocks
        if not stat.S_ISREG(status.st_mode):
            raise StoreConfigurationError(
                f"the cipher key file {path} is not a regular file: a key file must be a "
                "regular file readable by its owner only (0600 or 0400)",
                "cipher_key_file",
            )
        if status.st_mode & _GROUP_OR_OTHERS:
            raise StoreConfigurationError(
                f"the cipher key file {path} has mode {stat.S_IMODE(status.st_mode):04o}: a "
                "key file must be readable by its owner only (0600 or 0400); "
                f"run chmod 600 {path}",
                "cipher_key_file",
            )
        text = path.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError) as error:
        reason = getattr(error, "strerror", None) or "not ASCII text"
        raise StoreConfigurationError(
            f"cannot read the cipher key file {path}: {reason}", "cipher_key_file"
        ) from None
    try:
        key = b64decode(text, validate=True)
    except ValueError:
        key = b""
    if len(key) not in AESCipher.KEY_SIZES:
        raise StoreConfigurationError(
            f"the cipher key file {path} holds no AES key: expected 16, 24 or 32 bytes in "
            "base64 (mentoring privacy cipher-keygen --out FILE writes one)",
            "cipher_key_file",
        )
    return text


def cipher_settings(settings: Mapping[str, str]) -> dict[str, str]:
    """The eventsourcing environment for ``settings``: the key file's key, never the URL's."""
    found = dict(settings)
    if "CIPHER_KEY" in found or "CIPHER_TOPIC" in found:
        raise StoreConfigurationError(
            "a store's cipher key is read from a key file only: give CIPHER_KEY_FILE "
            "(cipher_key_file=...), not CIPHER_KEY or CIPHER_TOPIC"
        )
    path = found.pop(KEY_FILE_SETTING, None)
    if path:
        found["CIPHER_TOPIC"] = CIPHER_TOPIC
        found["CIPHER_KEY"] = read_key_file(Path(path))
    return found


class MissingKey(Cipher):
    """The cipher of an encrypted store opened without its key: every use is refused."""

    MESSAGE = (
        "the store is encrypted at rest and no cipher key file was given "
        "(cipher_key_file=..., --cipher-key-file or MENTORING_CIPHER_KEY_FILE): nothing can "
        "be read or recorded; the chain can still be verified"
    )

    def __init__(self, environment: Environment | None = None) -> None:
        pass

    def encrypt(self, plaintext: bytes) -> bytes:
        raise StoreConfigurationError(self.MESSAGE, "cipher_key_file")

    def decrypt(self, ciphertext: bytes) -> bytes:
        raise StoreConfigurationError(self.MESSAGE, "cipher_key_file")


def _is_clear(state: bytes) -> bool:
    try:
        return isinstance(json.loads(state), dict)
    except ValueError:
        return False


def check_at_rest(recorder: ApplicationRecorder, cipher: Cipher | None) -> Cipher | None:
    """The cipher to use for the store ``recorder`` holds: ``cipher`` if it matches how the
    store's first record was written, :class:`MissingKey` for an encrypted store opened
    without one; refused if a key is given for a clear store, or does not open it."""
    first = recorder.select_notifications(None, 1)
    if not first:
        return cipher
    state = first[0].state
    if cipher is None:
        return None if _is_clear(state) else MissingKey()
    if _is_clear(state):
        raise StoreConfigurationError(
            "a cipher key file was given, but this store was written without encryption at "
            "rest (its records are in clear): open it without the key file; to encrypt it, "
            "record its facts again in a new store opened with the key (docs/privacy.md)",
            "cipher_key_file",
        )
    try:
        cipher.decrypt(state)
    except ValueError:
        raise StoreConfigurationError(
            "the cipher key file's key does not open this store (wrong key, or the store's "
            "first record is damaged: audit verify tells which)",
            "cipher_key_file",
        ) from None
    return cipher


@attrs.define
class WrappedKeys:
    """A key store whose data keys are stored encrypted with the store's cipher."""

    store: KeyStore
    cipher: Cipher

    def _open(self, row: PersonKey | None) -> PersonKey | None:
        if row is None or row.key is None:
            return row
        try:
            key = self.cipher.decrypt(row.key)
        except ValueError:
            raise StoreConfigurationError(
                f"the data key of {row.person_id!r} in the key table does not open with the "
                "store's cipher key (a wrong key file, or a key table of another store)",
                "cipher_key_file",
            ) from None
        return attrs.evolve(row, key=key)

    def _wrap(self, row: PersonKey) -> PersonKey:
        return row if row.key is None else attrs.evolve(row, key=self.cipher.encrypt(row.key))

    def get(self, person_id: str) -> PersonKey | None:
        return self._open(self.store.get(person_id))

    def create(self, person_id: str) -> PersonKey:
        found = self.get(person_id)
        if found is not None:
            return found
        self.store.restore(
            self._wrap(PersonKey(person_id=person_id, key=new_key(), created_at=datetime.now(UTC)))
        )
        row = self.get(person_id)  # another process may have created it first: its key wins
        assert row is not None  # just restored, and rows are never deleted
        return row

    def destroy(self, person_id: str, at: datetime) -> bool:
        return self.store.destroy(person_id, at)

    def rows(self) -> list[PersonKey]:
        return [r for r in map(self._open, self.store.rows()) if r is not None]

    def restore(self, row: PersonKey) -> None:
        self.store.restore(self._wrap(row))

    def scrub(self) -> tuple[str, ...]:
        return self.store.scrub()
