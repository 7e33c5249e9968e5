"""Personal data: people's data keys, sealed fields, erasure (see ``docs/privacy.md``)."""

from ..domain.personal import ERASED, RELATIONSHIP_MENTEE, SEALED, ErasureRule, personal_owners
from .erasure import Erasure
from .keys import (
    KEYS_TABLE,
    CachedKeys,
    KeyStore,
    MemoryKeyStore,
    PersonKey,
    SQLiteKeyStore,
    copy_keys,
)
from .sealing import MARK, associated_data

__all__ = [
    "ERASED",
    "KEYS_TABLE",
    "MARK",
    "RELATIONSHIP_MENTEE",
    "SEALED",
    "CachedKeys",
    "Erasure",
    "ErasureRule",
    "KeyStore",
    "MemoryKeyStore",
    "PersonKey",
    "SQLiteKeyStore",
    "associated_data",
    "copy_keys",
    "personal_owners",
]
