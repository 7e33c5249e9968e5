"""Subject access: everything a store holds about one person, opened, as one JSON document.

What a data-protection officer hands over when a person asks for their data (GDPR
article 15; APP 12): every event of the relationships the person is a mentor or mentee
of, every other event naming them (enrolment, withdrawal, feedback from or to them,
meetings they missed, cancelled or attended, declines) or recorded by them, and when
their data key was created and destroyed (never the key itself). Fields already erased
read as ``[erased]``. In an event included only because the person recorded it, every
field that is another person's personal data reads as :data:`WITHHELD` (GDPR article
15(4): the copy must not adversely affect the rights of others).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any
from uuid import UUID

from ..domain.errors import UnknownPerson
from ..domain.events import Event, PairFormed, PairingProposed, RelationshipEvent
from ..domain.validation import check_aware, check_label
from ..serialisation import event_to_dict
from .sealing import personal_paths, slots

if TYPE_CHECKING:  # the service imports this package: no import at run time
    from ..application import MentoringService

__all__ = ["FORMAT", "PERSON_FIELDS", "WITHHELD", "subject_access"]

FORMAT = "mentoring-core-subject-access/1"
PERSON_FIELDS = (
    "person_id",
    "mentor_id",
    "mentee_id",
    "accepted_by",
    "declined_by",
    "missed_by",
    "cancelled_by",
    "from_person",
    "to_person",
)
"""Event fields that hold one person's id (``attendees`` holds several)."""
WITHHELD = "[withheld: another person's personal data]"
"""What a field of another person's personal data reads as, in an event included only
because the person recorded it."""
_NOT_NAMED = (
    "no event of this store names them or was recorded by them, and it holds no key of theirs"
)
"""Why a subject access finds no one (:class:`~mentoring_core.UnknownPerson`)."""


def _why(event: Event, person_id: str, pairs: dict[UUID, tuple[str, str]]) -> list[str]:
    """Why the event is about the person: the fields naming them, their relationship, or
    their recording it; empty when it is not."""
    reasons = [f for f in PERSON_FIELDS if getattr(event, f, None) == person_id]
    if person_id in getattr(event, "attendees", ()):
        reasons.append("attendees")
    pair = pairs.get(event.aggregate_id)
    if isinstance(event, RelationshipEvent) and pair is not None and person_id in pair:
        reasons.append("mentor" if pair[0] == person_id else "mentee")
    if event.actor == person_id:
        reasons.append("actor")
    return sorted(set(reasons))


def _withhold_others(entry: dict[str, Any], event: Event) -> None:
    """Every personal field of ``entry`` (``event`` as a document) withheld, for an event
    the person only recorded: none is theirs. A field's owner is a field of
    :data:`PERSON_FIELDS`, which would have named them, or the relationship's mentee,
    which :func:`_why` would have named them as."""
    for path in personal_paths(type(event)):
        for _, container, key in slots(entry, path):
            if key in container:
                container[key] = [WITHHELD] if path.many else WITHHELD


def subject_access(service: MentoringService, person_id: str, now: datetime) -> dict[str, Any]:
    """The document: ``format``, ``person_id``, ``generated_at``, ``key`` (``created_at``
    and ``destroyed_at``, or null when the store holds none) and ``events`` (each event as
    in ``mentoring history --json``, with ``type``, ``aggregate_id``, ``version`` and
    ``about``: why it is about the person). An id no person can have (not a one-line
    label) is refused (:class:`~mentoring_core.InvalidValue`), as an erasure refuses it,
    and so is one that no event names and no key row is held for
    (:class:`~mentoring_core.UnknownPerson`): an empty document would say nothing is
    held about someone whose id was perhaps mistyped. A person erased is still named by
    their events. ``now`` (an aware moment) is written in UTC, as every time of the
    document is."""
    person_id = check_label("person_id", person_id)
    now = check_aware("now", now)
    pairs: dict[UUID, tuple[str, str]] = {}
    events: list[dict[str, Any]] = []
    for _, event in service.read():
        if isinstance(event, PairingProposed | PairFormed):
            pairs[event.aggregate_id] = (event.mentor_id, event.mentee_id)
        about = _why(event, person_id, pairs)
        if not about:
            continue
        entry = event_to_dict(event)
        if about == ["actor"]:  # recorded by them, about someone else
            _withhold_others(entry, event)
        events.append({"type": type(event).__name__, **entry, "about": about})
    row = service.store.keys.store.get(person_id)
    if not events and row is None:
        raise UnknownPerson(person_id, _NOT_NAMED)
    key = None
    if row is not None:
        destroyed = None if row.destroyed_at is None else row.destroyed_at.isoformat()
        key = {"created_at": row.created_at.isoformat(), "destroyed_at": destroyed}
    return {
        "format": FORMAT,
        "person_id": person_id,
        "generated_at": now.isoformat(),
        "key": key,
        "events": events,
    }
