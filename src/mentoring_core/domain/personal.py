"""How event and value fields that hold personal data are marked.

A field is marked with attrs metadata under the key :data:`PERSONAL_DATA`, its
value a :class:`PersonalData` kind. Person ids and the recording ``actor`` (ids
chosen by the embedding product) are pseudonymous keys and are not marked: they
must survive erasure so that the audit trail stays whole.
"""

from __future__ import annotations

import enum
from typing import Any

import attrs

PERSONAL_DATA = "personal_data"


class PersonalData(enum.StrEnum):
    """The kinds of personal data a field can hold."""

    NAME = "name"
    FREE_TEXT = "free_text"
    CONTACT = "contact"


def personal(kind: PersonalData, **kwargs: Any) -> Any:
    """An attrs field marked as holding personal data of the given kind."""
    return attrs.field(metadata={PERSONAL_DATA: kind}, **kwargs)


def personal_fields(cls: type) -> dict[str, PersonalData]:
    """The names of the fields of an attrs class that hold personal data, with their kind."""
    return {
        f.name: f.metadata[PERSONAL_DATA] for f in attrs.fields(cls) if PERSONAL_DATA in f.metadata
    }
