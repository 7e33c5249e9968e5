"""The store layer: the :class:`Store` port, the backends that open store URLs, the read model.

Between the domain (and its serialisation) and the service. A store URL selects a
:class:`StoreBackend` (``memory://`` and ``sqlite:///...`` built in, others found
through the entry-point group ``mentoring_core.stores``); :func:`open_store` opens it as
a :class:`Store`: the log of events with their hash chain (:attr:`Store.recorder`), the
decoding the event feed uses, the compliance read model, and ``close``. Only this
package touches eventsourcing's ``Application``.
"""

from ._cipher import KEY_FILE_SETTING, WrappedKeys, new_cipher_key, read_key_file
from ._eventsourced import EventSourcedStore, open_store
from ._feed import follow_events, read_events
from ._key_file import KEY_STORE_FILE_SETTING, open_key_file
from ._log import PAGE_SIZE
from ._port import Held, Listener, Store, StoreBackend
from ._sqlite_file import check_sqlite_file
from ._urls import (
    APPLICATION_NAME,
    DEFAULT_STORE_URL,
    ENTRY_POINT_GROUP,
    MEMORY,
    SQLITE,
    StoreOpening,
    backend_for,
    missing_store,
    redact,
    store_environment,
)
from ._views import (
    FACTS_SCHEMA,
    FACTS_TABLE,
    TRACKING_TABLE,
    ComplianceView,
    MemoryComplianceView,
    SQLiteComplianceView,
    StoredFacts,
    stale_position,
)
from ._waker import Waker

__all__ = [
    "APPLICATION_NAME",
    "DEFAULT_STORE_URL",
    "ENTRY_POINT_GROUP",
    "FACTS_SCHEMA",
    "FACTS_TABLE",
    "KEY_FILE_SETTING",
    "KEY_STORE_FILE_SETTING",
    "MEMORY",
    "PAGE_SIZE",
    "SQLITE",
    "TRACKING_TABLE",
    "ComplianceView",
    "EventSourcedStore",
    "Held",
    "Listener",
    "MemoryComplianceView",
    "SQLiteComplianceView",
    "Store",
    "StoreBackend",
    "StoreOpening",
    "StoredFacts",
    "Waker",
    "WrappedKeys",
    "backend_for",
    "check_sqlite_file",
    "follow_events",
    "missing_store",
    "new_cipher_key",
    "open_key_file",
    "open_store",
    "read_events",
    "read_key_file",
    "redact",
    "stale_position",
    "store_environment",
]
