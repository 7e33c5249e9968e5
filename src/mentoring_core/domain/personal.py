"""How event and value fields that hold personal data are marked, and whose data it is.

A field is marked with attrs metadata under the key :data:`PERSONAL_DATA`, its
value a :class:`PersonalData` kind, and under :data:`PERSONAL_OWNER` the person the
data is about: the name of a field of the event that holds that person's id
(``"to_person"``, ``"person_id"``...), or :data:`RELATIONSHIP_MENTEE`, the mentee of the
relationship the event belongs to. The store encrypts each marked field under a key of
that person, so that destroying the key erases the field (see ``docs/privacy.md``).

Person ids and the recording ``actor`` (ids chosen by the embedding product) are
pseudonymous keys and are not marked: they must survive erasure so that the audit
trail stays whole.
"""

from __future__ import annotations

import enum
from typing import Any

import attrs

PERSONAL_DATA = "personal_data"
PERSONAL_OWNER = "personal_owner"
RELATIONSHIP_MENTEE = "relationship.mentee_id"
"""Owner of a relationship event's field about the mentoring itself (goals, plans,
meetings, reflections): the relationship's mentee, as its first event names them."""
ERASED = "[erased]"
"""What a text field whose person's key was destroyed reads as; a field holding several
texts reads as ``(ERASED,)``."""
SEALED = "[sealed]"
"""What a text field reads as to a reader that does not open sealed fields (the compliance
read model, which keeps no personal data); a field holding several texts reads as
``(SEALED,)``."""


class PersonalData(enum.StrEnum):
    """The kinds of personal data a field can hold."""

    NAME = "name"
    FREE_TEXT = "free_text"
    CONTACT = "contact"


def personal(kind: PersonalData, *, about: str, **kwargs: Any) -> Any:
    """An attrs field marked as holding personal data of ``kind`` about the person named by
    the event's field ``about`` (or :data:`RELATIONSHIP_MENTEE`)."""
    return attrs.field(metadata={PERSONAL_DATA: kind, PERSONAL_OWNER: about}, **kwargs)


def personal_fields(cls: type) -> dict[str, PersonalData]:
    """The names of the fields of an attrs class that hold personal data, with their kind."""
    return {
        f.name: f.metadata[PERSONAL_DATA] for f in attrs.fields(cls) if PERSONAL_DATA in f.metadata
    }


def personal_owners(cls: type) -> dict[str, str]:
    """The names of the fields of an attrs class that hold personal data, with whose it is
    (an event field naming a person, or :data:`RELATIONSHIP_MENTEE`)."""
    return {
        f.name: f.metadata[PERSONAL_OWNER] for f in attrs.fields(cls) if PERSONAL_DATA in f.metadata
    }


class ErasureRule(enum.StrEnum):
    """Under which rule a person's personal data was erased."""

    REQUEST = "request"
    """The person asked (right to erasure, GDPR article 17; APP 11.2)."""
    RETENTION = "retention"
    """The programme's retention period after their last role ended ran out."""
