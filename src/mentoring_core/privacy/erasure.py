"""What an erasure did, and the personal data it could not reach (stores written before sealing)."""

from __future__ import annotations

import json
import zlib
from collections.abc import Callable, Iterable
from typing import Any
from uuid import UUID

import attrs
from eventsourcing.persistence import Notification

from ..domain.erasure import PersonalDataErased
from ..domain.events import EVENT_TYPES, Event
from ..domain.personal import RELATIONSHIP_MENTEE
from .sealing import OwnerOf, holds_nothing, personal_paths, sealed_people, slots


@attrs.frozen(kw_only=True)
class Erasure:
    """The outcome of :meth:`~mentoring_core.MentoringService.erase_person`."""

    person_id: str
    recorded: tuple[PersonalDataErased, ...]
    """The facts recorded: one per programme the person was enrolled in or appointed to,
    or whose records hold personal data of theirs under a field naming them."""
    key_destroyed: bool
    """False when the person had no live key (erased before, or nothing sealed about them)."""
    unsealed: tuple[str, ...]
    """Stored fields about the person written in clear before sealing existed (a value
    that holds nothing, :func:`~.sealing.holds_nothing`, is not one): the chain
    covers their bytes, so they cannot be removed without breaking it (see
    ``docs/privacy.md``, "Stores written before sealing"). Each as
    ``"<type> <aggregate> v<version>: <field>"``."""
    notes: tuple[str, ...]
    """What could not be made unrecoverable from the files, in words (empty: all was),
    and each record that could not be read while the programmes holding the person's
    data were looked for (damaged around the library)."""
    command_id: UUID | None = None
    """The erasure's command id (the caller's, or a fresh one)."""
    already_recorded: bool = False
    """True when the facts were recorded before: a retry with this command id, or a
    recorded erasure finished (its key not destroyed, nothing of theirs sealed since)."""

    @property
    def complete(self) -> bool:
        """Whether no plaintext about the person is left anywhere the library writes."""
        return not self.unsealed and not self.notes


def unsealed_fields(
    records: Iterable[Notification], owner_of: OwnerOf, person_id: str
) -> tuple[str, ...]:
    """The stored personal fields about ``person_id`` held in clear (written before sealing).

    Reads the records' JSON states as stored; a state that is not a JSON object is passed
    over, every one of a store with eventsourcing's own cipher or compressor (nothing in
    clear), a damaged one elsewhere (the records after it are still read)."""
    found: list[str] = []
    for record in records:
        cls = EVENT_TYPES.get(record.topic)
        paths = personal_paths(cls) if cls is not None else ()
        if not paths:
            continue
        try:
            data = json.loads(record.state)
        except ValueError:
            continue
        if not isinstance(data, dict):
            continue
        data["aggregate_id"] = str(record.originator_id)
        for path in paths:
            for where, container, name in slots(data, path):
                value = container.get(name)
                if holds_nothing(value) or isinstance(value, dict):
                    continue
                if owner_of(path.owner, data) == person_id:
                    found.append(
                        f"{record.topic} {record.originator_id} v{record.originator_version}: "
                        f"{where}"
                    )
    return tuple(found)


def owner_named_topics() -> tuple[str, ...]:
    """The stored type names of the events with a personal field whose person an event
    field names (``cancelled_by``, ``to_person``...), not a relationship's mentee: the
    records that may hold the texts of someone no programme enrolled or appointed."""
    return tuple(
        topic
        for topic, cls in EVENT_TYPES.items()
        if any(path.owner != RELATIONSHIP_MENTEE for path in personal_paths(cls))
    )


def sealing_topics() -> tuple[str, ...]:
    """The stored type names of the events with a personal field (which may be sealed)."""
    return tuple(topic for topic, cls in EVENT_TYPES.items() if personal_paths(cls))


def seals_for(
    records: Iterable[Notification], state_of: Callable[[Notification], bytes], person_id: str
) -> bool:
    """Whether one of ``records`` holds a field sealed under ``person_id``'s key, each
    record's JSON state read by ``state_of`` (opened, in a store encrypted at rest). A
    record that cannot be read counts as one: it may hold such a field."""
    for record in records:
        try:
            if person_id in sealed_people(state_of(record)):
                return True
        except (ValueError, zlib.error):
            return True
    return False


def holds_data_of(event: Event, person_id: str) -> bool:
    """Whether a personal field of ``event`` is ``person_id``'s by an event field naming
    them (the reason of a meeting they cancelled, feedback given to them...)."""
    return any(
        path.owner != RELATIONSHIP_MENTEE and getattr(event, path.owner, None) == person_id
        for path in personal_paths(type(event))
    )


NAMING_FIELDS = frozenset(
    {"person_id", "mentee_id", "mentor_id", "declined_by", "missed_by", "cancelled_by", "by"}
    | {"to_person", "from_person"}
)
"""The fields of a state (and of the records in it) that may name whose text a record
holds: every owner of a personal field (``mentoring_core.events.personal_owners``) as
the states keep it (a meeting's ``missed_by`` or ``cancelled_by`` as its ``by``), and
the pair."""


def named_people(state: Any) -> frozenset[str]:
    """Every person id ``state`` (a programme's or a relationship's, or anything of attrs
    classes, tuples and sets) names in a field of :data:`NAMING_FIELDS`, at any depth:
    among them, everyone whose texts it may hold. What a state read from a snapshot is
    checked against before it is written as a new snapshot."""
    found: set[str] = set()
    _named_in(state, found)
    return frozenset(found)


def _named_in(value: Any, found: set[str]) -> None:
    if isinstance(value, tuple | list | set | frozenset):
        for item in value:
            if not isinstance(item, str | int | float | UUID):
                _named_in(item, found)
        return
    if not attrs.has(type(value)):
        return
    for field in attrs.fields(type(value)):
        item = getattr(value, field.name)
        if isinstance(item, str):
            if field.name in NAMING_FIELDS:
                found.add(item)
        elif item is not None and not isinstance(item, int | float | UUID):
            _named_in(item, found)
