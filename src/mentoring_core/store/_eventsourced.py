"""The one concrete store: eventsourcing's Application, configured by a store URL.

Nothing outside the store layer sees eventsourcing's Application: the service and
everything above it use the :class:`~mentoring_core.store.Store` port.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from datetime import datetime
from pathlib import Path
from typing import cast
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.persistence import ApplicationRecorder, Mapper, Notification, StoredEvent
from eventsourcing.utils import Environment, EnvType

from ..audit.recorders import ChainedRecorder, says_it_checks_read_versions
from ..domain.erasure import PersonalDataErased
from ..domain.errors import StoreConfigurationError
from ..domain.events import Event
from ..domain.validation import check_page_size
from ..privacy.keys import CachedKeys, KeyStore
from ..serialisation import EventMapper
from ._cipher import MissingKey, WrappedKeys, check_at_rest, cipher_settings
from ._holds import check_hold_name, hold_in_process
from ._key_file import (
    KEY_STORE_FILE_SETTING,
    KeyFileStore,
    open_bound_key_file,
    refuse_keys_elsewhere,
)
from ._log import PAGE_SIZE, notifications
from ._port import Held, Listener, StoreBackend
from ._urls import APPLICATION_NAME, StoreOpening, backend_for
from ._views import ComplianceView


class EventSourcedStore(Application[UUID]):
    """eventsourcing's Application, configured only by the store URL's environment.

    Provides the :class:`~mentoring_core.store.Store` port; the service also loads and
    saves through eventsourcing's repository, event store and snapshots here.
    """

    name = APPLICATION_NAME
    recorder: ChainedRecorder
    mapper: EventMapper

    def __init__(self, backend: StoreBackend, env: EnvType, opening: StoreOpening) -> None:
        self.backend = backend
        self.opening = opening
        super().__init__(env=env)
        make_keys = backend.key_store
        if make_keys is None:
            raise StoreConfigurationError(
                "the store's backend keeps no key store (StoreBackend.key_store): personal "
                "data cannot be sealed, so the store is not opened"
            )
        self.mapper.cipher = check_at_rest(self.recorder, self.mapper.cipher)
        snapshots = None if self.snapshots is None else self.snapshots.recorder
        keys: KeyStore = make_keys(self.recorder, snapshots)
        self._key_file: KeyFileStore | None = None
        try:
            keys = self._kept_keys(keys)
        except StoreConfigurationError:
            super().close()  # the store's connections, opened for nothing
            raise
        if self.mapper.cipher is not None:
            keys = WrappedKeys(keys, self.mapper.cipher)
        self.keys = CachedKeys(keys, erased=self._erased)
        self.mapper.use_keys(self.keys, self._mentee_of)

    def _kept_keys(self, beside: KeyStore) -> KeyStore:
        """The key store of the store's people: the key file the settings name, bound to
        the store, or the store's own (``beside``), refused if the store says its keys
        are kept in a key file (see :mod:`._key_file`)."""
        key_file = self.env.get(KEY_STORE_FILE_SETTING)
        if not key_file:
            refuse_keys_elsewhere(beside)
            return beside
        empty = not self.recorder.select_notifications(None, 1)
        file = open_bound_key_file(Path(key_file), beside, store_empty=empty)
        self._key_file = KeyFileStore(file, beside)
        return self._key_file

    def _erased(self, person_id: str) -> datetime | None:
        """When the store recorded the person's last erasure, None if it records none (read
        only for a missing key)."""
        found = self.erasures(person_id)
        return found[-1][1].recorded_at if found else None

    def erasures(self, person_id: str) -> list[tuple[int, PersonalDataErased]]:
        """The person's recorded erasures (``PersonalDataErased``), each with its log
        position, in the log's order."""
        return [
            (record.id, event)
            for record in self.records(topics=[PersonalDataErased.__name__])
            if isinstance(event := self.decode(record), PersonalDataErased)
            and event.person_id == person_id
        ]

    def _mentee_of(self, relationship_id: UUID) -> str | None:
        """The mentee a stored relationship's first event names (None if it has none)."""
        first = self.recorder.select_events(relationship_id, limit=1)
        mentee = getattr(self.decode(first[0]), "mentee_id", None) if first else None
        return mentee if isinstance(mentee, str) else None

    def construct_env(self, name: str, env: EnvType | None = None) -> Environment:
        # Deliberately not os.environ: the store URL is the whole configuration.
        return Environment(name, dict(env or {}))

    def construct_mapper(self) -> Mapper[UUID]:
        return EventMapper(
            transcoder=self.construct_transcoder(),
            compressor=self.factory.compressor(),
            cipher=self.factory.cipher(),
        )

    def construct_recorder(self) -> ApplicationRecorder:
        recorder = super().construct_recorder()
        if not isinstance(recorder, ChainedRecorder):
            raise StoreConfigurationError(
                f"the store's recorder {type(recorder).__qualname__} writes no hash chain; "
                "a backend's recorder must be a mentoring_core.extend.ChainedRecorder"
            )
        if not says_it_checks_read_versions(type(recorder)):
            raise StoreConfigurationError(
                f"the store's recorder {type(recorder).__qualname__} does not say it checks "
                "the versions a decision read (checks_read_versions): without that check, "
                "two writers could break a rule joining two aggregates; its insert_events "
                "must call mentoring_core.extend.check_read_versions with its write lock held"
            )
        return recorder

    def close(self) -> None:
        super().close()
        if self._key_file is not None:
            self._key_file.close()

    def records(
        self, after: int = 0, *, topics: Sequence[str] = (), page_size: int = PAGE_SIZE
    ) -> Iterator[Notification]:
        size = check_page_size(page_size)
        return notifications(self.recorder, topics=topics, after=after, page_size=size)

    @property
    def encrypted(self) -> bool:
        return self.mapper.cipher is not None

    @property
    def locked(self) -> str | None:
        return MissingKey.MESSAGE if isinstance(self.mapper.cipher, MissingKey) else None

    def decode(self, record: StoredEvent, *, personal: bool = True) -> Event:
        return cast(Event, self.mapper.to_domain_event(record, personal=personal))

    def compliance_view(self) -> ComplianceView:
        return self.backend.compliance_view(self.recorder)

    def listener(self) -> Listener | None:
        make = self.backend.listener
        return None if make is None else make(self.recorder)

    def hold(self, name: str) -> AbstractContextManager[Held]:
        hold = self.backend.hold or hold_in_process
        return _as_held(hold(self.recorder, check_hold_name(name)))


@contextmanager
def _as_held(holding: AbstractContextManager[Held | bool]) -> Iterator[Held]:
    """``holding``'s block, giving a :class:`Held`: a backend written before it gives a
    bool, for a lock that goes with its block only (never lost before)."""
    with holding as held:
        yield held if isinstance(held, Held) else Held(bool(held))


def open_store(url: str, settings: Mapping[str, str] | None = None) -> EventSourcedStore:
    """Open the store at ``url``; ``settings`` add to (or override) its eventsourcing
    environment (cache size, snapshotting...). ``CIPHER_KEY_FILE`` names the key file of
    a store encrypted at rest (see :mod:`mentoring_core.store._cipher`), ``KEY_STORE_FILE``
    the SQLite file of people's data keys, apart from the events (:mod:`._key_file`)."""
    backend = backend_for(url)
    environment = {**backend.environment(url), **cipher_settings(settings or {})}
    if backend.prepare is not None:  # after the key file was read: a refused one creates nothing
        backend.prepare(url)
    return EventSourcedStore(backend, environment, StoreOpening(url, dict(settings or {})))
