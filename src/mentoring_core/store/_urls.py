"""Store URLs: which backend a URL selects, and the built-in backends.

Built in: ``memory://`` (nothing kept after the process ends) and
``sqlite:///relative/path.db`` or ``sqlite:////absolute/path.db`` (the embedded
default). Other schemes come from installed adapters that register a
:class:`~mentoring_core.store.StoreBackend` object under the entry-point group
``mentoring_core.stores`` (the PostgreSQL adapter in ``adapters/postgres`` registers
``postgresql`` and ``postgres``).
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlsplit

import attrs
from eventsourcing.persistence import AggregateRecorder
from eventsourcing.sqlite import SQLiteApplicationRecorder

from ..audit.recorders import ChainedRecorder
from ..domain.errors import StoreConfigurationError
from ..privacy.keys import MemoryKeyStore, SQLiteKeyStore
from ._holds import hold_beside_sqlite_file
from ._port import StoreBackend
from ._sqlite_file import prepare_sqlite_file
from ._views import MemoryComplianceView, SQLiteComplianceView

DEFAULT_STORE_URL = "sqlite:///mentoring.db"
APPLICATION_NAME = "mentoring"
"""The eventsourcing application name: PostgreSQL tables are ``mentoring_events`` etc."""
ENTRY_POINT_GROUP = "mentoring_core.stores"
SQLITE_LOCK_TIMEOUT_SECONDS = "30"


def _memory_environment(url: str) -> dict[str, str]:
    return {"PERSISTENCE_MODULE": "mentoring_core.audit.recorders:ChainedPOPOFactory"}


_MEMORY_VIEWS: weakref.WeakKeyDictionary[ChainedRecorder, MemoryComplianceView] = (
    weakref.WeakKeyDictionary()
)
"""A memory store's read model lives as long as the store's recorder, like its events."""


def _memory_view(recorder: ChainedRecorder) -> MemoryComplianceView:
    view = _MEMORY_VIEWS.get(recorder)
    if view is None:
        view = _MEMORY_VIEWS[recorder] = MemoryComplianceView()
    return view


_SQLITE_FORMS = "expected sqlite:///relative/path.db or sqlite:////absolute/path.db"


def _sqlite_path(url: str) -> str:
    """The file path of a ``sqlite:///`` URL, refusing what SQLite would not open as a plain
    file: a URI filename (``file:...``, whose query string may ask for an in-memory or
    read-only database) would be opened without the checks of the store file."""
    path = url.removeprefix("sqlite:///")
    if path == url or not path:
        raise StoreConfigurationError(f"store URL {url!r}: {_SQLITE_FORMS}")
    if path[:5].lower() == "file:" or "?" in path:
        raise StoreConfigurationError(
            f"store URL {url!r}: SQLite URI filenames (file:...) and query strings are not "
            f"accepted; {_SQLITE_FORMS} (a file whose name starts with file: as "
            "sqlite:///./file:NAME)"
        )
    return path


def _sqlite_in_memory(url: str) -> bool:
    """Whether a ``sqlite:///`` URL names SQLite's database in memory, not a file."""
    return _sqlite_path(url) == ":memory:"


def _sqlite_environment(url: str) -> dict[str, str]:
    path = _sqlite_path(url)
    if _sqlite_in_memory(url):
        path = "file::memory:?mode=memory&cache=shared"
    return {
        "PERSISTENCE_MODULE": "mentoring_core.audit.recorders:ChainedSQLiteFactory",
        "SQLITE_DBNAME": path,
        "SQLITE_LOCK_TIMEOUT": SQLITE_LOCK_TIMEOUT_SECONDS,
        "APPLICATION_RECORDER_TOPIC": (
            "mentoring_core.audit.recorders:ChainedSQLiteApplicationRecorder"
        ),
    }


def _sqlite_prepare(url: str) -> None:
    path = _sqlite_environment(url)["SQLITE_DBNAME"]
    if not path.startswith("file::memory:"):
        prepare_sqlite_file(Path(path))


def _sqlite_missing(url: str) -> str | None:
    path = _sqlite_path(url)
    return None if _sqlite_in_memory(url) or Path(path).exists() else path


def _sqlite_view(recorder: ChainedRecorder) -> SQLiteComplianceView:
    if not isinstance(recorder, SQLiteApplicationRecorder):
        raise StoreConfigurationError(f"not a SQLite recorder: {type(recorder).__qualname__}")
    view = SQLiteComplianceView(recorder.datastore)
    view.create_table()
    return view


_MEMORY_KEYS: weakref.WeakKeyDictionary[ChainedRecorder, MemoryKeyStore] = (
    weakref.WeakKeyDictionary()
)
"""A memory store's keys live as long as the store's recorder, like its events."""


def _memory_keys(recorder: ChainedRecorder, snapshots: AggregateRecorder | None) -> MemoryKeyStore:
    keys = _MEMORY_KEYS.get(recorder)
    if keys is None:
        keys = _MEMORY_KEYS[recorder] = MemoryKeyStore(snapshots)
    return keys


def _sqlite_keys(recorder: ChainedRecorder, snapshots: AggregateRecorder | None) -> SQLiteKeyStore:
    if not isinstance(recorder, SQLiteApplicationRecorder):
        raise StoreConfigurationError(f"not a SQLite recorder: {type(recorder).__qualname__}")
    keys = SQLiteKeyStore(recorder.datastore, snapshots)
    keys.create_table()
    return keys


MEMORY = StoreBackend(
    environment=_memory_environment, compliance_view=_memory_view, key_store=_memory_keys
)
"""``memory://``: eventsourcing's in-process recorder with the chain beside it."""
SQLITE = StoreBackend(
    environment=_sqlite_environment,
    compliance_view=_sqlite_view,
    prepare=_sqlite_prepare,
    missing=_sqlite_missing,
    key_store=_sqlite_keys,
    hold=hold_beside_sqlite_file,
)
"""``sqlite:///path.db``: eventsourcing's SQLite recorder, chain, read model and people's keys
in the file (created owner-only; a file that is not a mentoring store is refused, never
changed)."""
_BUILT_IN = {"memory": MEMORY, "sqlite": SQLITE}


def backend_for(url: str) -> StoreBackend:
    """The backend that opens ``url``, or a clear error if none does."""
    try:
        scheme = urlsplit(url).scheme.lower()
    except ValueError as error:  # an unclosed '[' (Invalid IPv6 URL)
        raise StoreConfigurationError(f"store URL {redact(url)!r}: {error}") from None
    if not scheme:
        raise StoreConfigurationError(
            f"store URL {url!r} has no scheme; use memory://, sqlite:///path.db or postgresql://..."
        )
    backend = _BUILT_IN.get(scheme)
    if backend is not None:
        return backend
    # here: importlib.metadata (and the email package it imports) is 3 per cent of every
    # command's start, and only a store of an adapter's scheme needs it
    from importlib.metadata import entry_points

    found = entry_points(group=ENTRY_POINT_GROUP, name=scheme)
    if not found:
        known = sorted({*_BUILT_IN, *(ep.name for ep in entry_points(group=ENTRY_POINT_GROUP))})
        hint = (
            " (install the adapter: pip install ./adapters/postgres)"
            if scheme.startswith("postgres")
            else ""
        )
        raise StoreConfigurationError(
            f"no store adapter for {scheme}:// URLs{hint}; available: {', '.join(known)}"
        )
    entry = next(iter(found))
    loaded = entry.load()
    if not isinstance(loaded, StoreBackend):
        raise StoreConfigurationError(
            f"the store adapter {entry.value!r} for {scheme}:// URLs is a "
            f"{type(loaded).__qualname__}, not a mentoring_core.extend.StoreBackend"
        )
    return loaded


def store_environment(url: str) -> dict[str, str]:
    """The eventsourcing environment for a store URL, or a clear error if it cannot be opened."""
    return backend_for(url).environment(url)


def missing_store(url: str) -> str | None:
    """Where the store ``url`` names would be, if it is not there yet (a SQLite file that
    does not exist, named by its path; a PostgreSQL schema that does not exist, ``schema
    NAME``), else None; creates nothing (opening the store would create it). An existing
    empty file or schema is there: opening it makes its tables. A URL the backend
    refuses raises ``StoreConfigurationError``; a backend that cannot tell without
    opening the store (:attr:`StoreBackend.missing` None) gives None."""
    missing = backend_for(url).missing
    return None if missing is None else missing(url)


def redact(url: str) -> str:
    """The URL with any password replaced, fit for logs and error messages."""
    try:
        parts = urlsplit(url)
    except ValueError:  # not a URL urllib splits (an unclosed '['): hide user:password@
        return re.sub(r"(://[^/@:]*:)[^/@]*@", r"\1***@", url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
    return parts._replace(netloc=netloc).geturl()


@attrs.frozen
class StoreOpening:
    """What opens a store again, in another process (:func:`~mentoring_core.store.open_store`
    with these): its URL and the settings it was opened with, which are its whole
    configuration (never the process's environment). A store held in one process's memory
    (``memory://``, SQLite's ``:memory:``) opens empty in another. Its ``repr`` hides the
    URL's password (:func:`redact`)."""

    url: str = attrs.field(repr=lambda url: repr(redact(url)))
    settings: Mapping[str, str]

    @property
    def in_memory(self) -> bool:
        """Whether the store is held in the opening process's memory (``memory://``,
        SQLite's ``:memory:``): another process would open another, empty store."""
        scheme = urlsplit(self.url).scheme
        return scheme == "memory" or (scheme == "sqlite" and _sqlite_in_memory(self.url))
