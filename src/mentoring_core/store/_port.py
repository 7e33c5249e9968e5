"""The store port: what the service, audit and read models need from any store.

:class:`Store` is what a store offers once opened; :class:`StoreBackend` is what a
kind of store (memory, SQLite, an adapter's) registers to be opened by URL.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Protocol
from uuid import UUID

import attrs
from eventsourcing.persistence import AggregateRecorder, EventStore, Notification, StoredEvent

from ..audit.recorders import ChainedRecorder
from ..domain.events import Event
from ..privacy.keys import CachedKeys, KeyStore
from ._log import PAGE_SIZE
from ._views import ComplianceView

if TYPE_CHECKING:  # _urls imports this module
    from ._urls import StoreOpening

Listener = Callable[[Callable[[], bool], Callable[[], None], float], None]
"""``listen(stopping, work, timeout)``: runs ``work`` at once and again whenever the store
tells of new events, looking at ``stopping()`` at least every ``timeout`` seconds and
returning when it is true."""


def _never_lost() -> bool:
    return False


@attrs.frozen
class Held:
    """What :meth:`Store.hold` gives for its block: true when this caller holds the lock."""

    got: bool
    lost: Callable[[], bool] = _never_lost
    """Whether a lock held was let go since it was taken, though its block goes on (its
    connection to the store cut: the server lets a PostgreSQL advisory lock go with it),
    so that another caller may hold it now; never for a lock held in this process or on
    a file beside a SQLite store, which goes only with the block or the process."""

    def __bool__(self) -> bool:
        return self.got


class Store(Protocol):
    """An opened store: its log of events with the hash chain, and its read model."""

    @property
    def opening(self) -> StoreOpening:
        """How another process opens this store again (the replay's workers do)."""
        ...

    @property
    def name(self) -> str:
        """The application name the read model's positions are kept under."""
        ...

    @property
    def recorder(self) -> ChainedRecorder:
        """The recorder of every event and of the chain link written with it."""
        ...

    def records(
        self, after: int = 0, *, topics: Sequence[str] = (), page_size: int = PAGE_SIZE
    ) -> Iterator[Notification]:
        """Every stored record after log position ``after`` (of ``topics`` if given), in
        log order, read ``page_size`` at a time; nothing skipped, nothing twice. A
        ``page_size`` that is not a whole number from 1 to 2**62 is refused
        (:class:`~mentoring_core.InvalidValue`) when called, before anything is read."""
        ...

    @property
    def snapshots(self) -> EventStore[UUID] | None:
        """The snapshots (derived data, outside the chain); None when snapshotting is off."""
        ...

    @property
    def keys(self) -> CachedKeys:
        """People's data keys, which seal their personal data (never in an event)."""
        ...

    @property
    def encrypted(self) -> bool:
        """Whether the store is encrypted at rest (its records' states are ciphertext)."""
        ...

    @property
    def locked(self) -> str | None:
        """Why no record can be read (a store encrypted at rest opened without its key
        file), or None: the chain can be verified either way."""
        ...

    def decode(self, record: StoredEvent, *, personal: bool = True) -> Event:
        """The event a stored record holds (raises ``StoredEventError`` if it cannot).

        With ``personal`` false, its personal fields are not opened: each reads as
        ``SEALED`` once the form of its sealed envelope is checked (for a reader that
        keeps no personal data, such as the compliance read model)."""
        ...

    def compliance_view(self) -> ComplianceView:
        """The compliance read model kept beside this store's events."""
        ...

    def listener(self) -> Listener | None:
        """A loop woken by the store on each write, where the store can push; else None."""
        ...

    def hold(self, name: str) -> AbstractContextManager[Held]:
        """The lock ``name`` on this store for the block: a :class:`Held`, true if this
        caller holds it, false (at once, never waited for) if another thread or process
        does. Let go at the block's end, or with the holder's process however it ends
        (:attr:`Held.lost` tells whether it went before). ``name`` is lower-case letters,
        digits and hyphens."""
        ...

    def close(self) -> None:
        """Release the store's connections."""
        ...


@attrs.frozen(kw_only=True)
class StoreBackend:
    """A kind of store, as registered under the entry-point group ``mentoring_core.stores``.

    An adapter registers one object of this class per URL scheme (the entry point's
    value names the object, e.g. ``"my_adapter:BACKEND"``).
    """

    environment: Callable[[str], dict[str, str]]
    """Store URL -> eventsourcing environment. Its persistence module (an eventsourcing
    topic: eventsourcing's own configuration) must make a :class:`ChainedRecorder` the
    application recorder. Raises ``StoreConfigurationError`` for a URL it cannot open."""
    compliance_view: Callable[[ChainedRecorder], ComplianceView]
    """The compliance read model beside that recorder's events (tables created if needed)."""
    listener: Callable[[ChainedRecorder], Listener] | None = None
    """Where the store pushes (e.g. PostgreSQL's LISTEN/NOTIFY): a loop woken on writes."""
    prepare: Callable[[str], None] | None = None
    """Store URL -> nothing: run just before the store is opened, to make ready (or
    refuse, with ``StoreConfigurationError``) what the URL names, e.g. a SQLite file."""
    missing: Callable[[str], str | None] | None = None
    """Store URL -> where the store it names would be, if it is not there (``schema
    NAME``, a SQLite file's path), else None; creates nothing. Raises
    ``StoreConfigurationError`` for a URL it cannot open. Asked by
    :func:`~mentoring_core.store.missing_store`, for a caller that must not create a store
    (the CLI's commands that only read or change one). None: the store is always there,
    or opening it is the only way to tell (the memory store)."""
    key_store: Callable[[ChainedRecorder, AggregateRecorder | None], KeyStore] | None = None
    """People's data keys beside that recorder's events (table created if needed), given the
    snapshots' recorder (which erasure empties). A backend without one cannot be opened:
    personal data is never stored unsealed."""
    hold: Callable[[ChainedRecorder, str], AbstractContextManager[Held]] | None = None
    """(recorder, name) -> the lock ``name`` on the store for the block, as
    :meth:`Store.hold` says: one holder among every process using the store, let go with
    the holder's process. None: held among this process's threads only (the memory store,
    which no other process sees)."""
