"""Store URLs: which eventsourcing persistence module a URL selects, and with what settings.

Built in: ``memory://`` (nothing kept after the process ends) and
``sqlite:///relative/path.db`` or ``sqlite:////absolute/path.db`` (the embedded
default). Other schemes come from installed adapters that register a function
under the entry-point group ``mentoring_core.stores`` (the PostgreSQL adapter in
``adapters/postgres`` registers ``postgresql`` and ``postgres``). Such a function
takes the URL and returns the eventsourcing environment for it; its application
recorder must write the audit hash chain (see :mod:`mentoring_core.audit.recorders`).
"""

from __future__ import annotations

from collections.abc import Callable
from importlib.metadata import entry_points
from urllib.parse import urlsplit

from .domain.errors import StoreConfigurationError

DEFAULT_STORE_URL = "sqlite:///mentoring.db"
APPLICATION_NAME = "mentoring"
"""The eventsourcing application name: PostgreSQL tables are ``mentoring_events`` etc."""
ENTRY_POINT_GROUP = "mentoring_core.stores"
SQLITE_LOCK_TIMEOUT_SECONDS = "30"

StoreOpener = Callable[[str], dict[str, str]]
"""What an adapter registers: store URL -> eventsourcing environment settings."""


def _memory(url: str) -> dict[str, str]:
    return {"PERSISTENCE_MODULE": "mentoring_core.audit.recorders:ChainedPOPOFactory"}


def _sqlite(url: str) -> dict[str, str]:
    path = url.removeprefix("sqlite:///")
    if path == url or not path:
        raise StoreConfigurationError(
            f"store URL {url!r}: expected sqlite:///relative/path.db or sqlite:////absolute/path.db"
        )
    if path == ":memory:":
        path = "file::memory:?mode=memory&cache=shared"
    return {
        "PERSISTENCE_MODULE": "eventsourcing.sqlite",
        "SQLITE_DBNAME": path,
        "SQLITE_LOCK_TIMEOUT": SQLITE_LOCK_TIMEOUT_SECONDS,
        "APPLICATION_RECORDER_TOPIC": (
            "mentoring_core.audit.recorders:ChainedSQLiteApplicationRecorder"
        ),
    }


_BUILT_IN: dict[str, StoreOpener] = {"memory": _memory, "sqlite": _sqlite}


def store_environment(url: str) -> dict[str, str]:
    """The eventsourcing environment for a store URL, or a clear error if it cannot be opened."""
    scheme = urlsplit(url).scheme.lower()
    if not scheme:
        raise StoreConfigurationError(
            f"store URL {url!r} has no scheme; use memory://, sqlite:///path.db or postgresql://..."
        )
    opener = _BUILT_IN.get(scheme)
    if opener is None:
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
        opener = next(iter(found)).load()
    return opener(url)


def redact(url: str) -> str:
    """The URL with any password replaced, fit for logs and error messages."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
    return parts._replace(netloc=netloc).geturl()
