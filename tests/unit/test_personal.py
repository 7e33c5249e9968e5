"""Which event fields hold personal data, so a later layer can encrypt or erase them."""

from __future__ import annotations

from typing import get_args, get_origin, get_type_hints

import attrs
import pytest

from mentoring_core.domain.events import (
    ExpectationsAgreed,
    FeedbackGiven,
    GoalSet,
    MeetingHeld,
    PairFormed,
    ParticipantEnrolled,
    ProgrammeCreated,
    RelationshipResumed,
)
from mentoring_core.events import (
    EVENT_TYPES,
    PersonalData,
    RelationshipEvent,
    personal_fields,
    personal_owners,
)
from mentoring_core.privacy import RELATIONSHIP_MENTEE
from mentoring_core.values import StakeholderFeedback

PERSON_ID_FIELDS = frozenset(
    {
        "person_id",
        "mentor_id",
        "mentee_id",
        "accepted_by",
        "declined_by",
        "missed_by",
        "cancelled_by",
        "from_person",
        "to_person",
        "attendees",
    }
)
"""Pseudonymous keys chosen by the embedding product: they survive erasure."""

FREE_TEXT_FIELDS = frozenset(
    {
        "reason",
        "explanation",
        "gap_override_reason",
        "suggestion_override_reason",
        "expectations",
        "title",
        "success_measure",
        "evidence",
        "description",
        "notes",
        "topics",
        "text",
    }
)
"""Fields where people write about people: always personal free text."""

NAME_AND_CONTACT_FIELDS = frozenset({"display_name", "contact"})
"""Who a person is and how to reach them: personal names and contact details."""


def test_feedback_text_is_personal_free_text() -> None:
    marked = personal_fields(FeedbackGiven)
    assert marked["text"] is PersonalData.FREE_TEXT
    assert "from_person" not in marked
    assert "to_person" not in marked
    assert "feedback_id" not in marked


def test_an_enrolments_name_and_contact_are_the_persons() -> None:
    assert personal_fields(ParticipantEnrolled) == {
        "display_name": PersonalData.NAME,
        "contact": PersonalData.CONTACT,
    }
    assert personal_owners(ParticipantEnrolled) == dict.fromkeys(
        ("display_name", "contact"), "person_id"
    )


def test_the_recording_actor_is_an_identifier_kept_through_erasure() -> None:
    """Who recorded a fact is part of the audit trail: like person ids, it is not erased."""
    assert personal_fields(RelationshipResumed) == {}


@pytest.mark.parametrize(
    ("cls", "expected"),
    [
        (GoalSet, {"title", "success_measure"}),
        (MeetingHeld, {"topics"}),
        (ExpectationsAgreed, {"expectations"}),
        (PairFormed, {"gap_override_reason", "suggestion_override_reason"}),
        (ParticipantEnrolled, {"display_name", "contact"}),
        (ProgrammeCreated, set()),
    ],
    ids=lambda v: v.__name__ if isinstance(v, type) else "",
)
def test_exactly_the_personal_fields_are_marked(cls: type, expected: set[str]) -> None:
    assert set(personal_fields(cls)) == expected


@pytest.mark.parametrize("name", sorted(EVENT_TYPES))
def test_person_ids_are_never_marked(name: str) -> None:
    assert not set(personal_fields(EVENT_TYPES[name])) & PERSON_ID_FIELDS


def text_fields(cls: type) -> set[str]:
    """Fields holding a text or texts (``str``, ``str | None``, ``tuple[str, ...]``)."""
    return {name for name, hint in get_type_hints(cls).items() if str in (hint, *get_args(hint))}


KEPT_THROUGH_ERASURE = {"PersonalDataErased": {"reason"}}
"""Free text that must outlive the erasure it records: why a person's data was erased (a
reference such as a request number, which the docs say must not hold personal data)."""


@pytest.mark.parametrize("name", sorted(EVENT_TYPES))
def test_free_text_fields_are_always_marked(name: str) -> None:
    cls = EVENT_TYPES[name]
    present = text_fields(cls) & FREE_TEXT_FIELDS - KEPT_THROUGH_ERASURE.get(name, set())
    marked = personal_fields(cls)
    assert {field: marked.get(field) for field in present} == dict.fromkeys(
        present, PersonalData.FREE_TEXT
    )


def test_an_enumerated_reason_is_not_free_text() -> None:
    assert "reason" not in text_fields(EVENT_TYPES["RelationshipEnded"])
    assert "explanation" in text_fields(EVENT_TYPES["RelationshipEnded"])


def test_stakeholder_feedback_marks_its_text_not_its_source() -> None:
    assert personal_fields(StakeholderFeedback) == {"text": PersonalData.FREE_TEXT}


def test_a_class_without_marks_has_no_personal_fields() -> None:
    @attrs.frozen
    class Plain:
        person_id: str

    assert personal_fields(Plain) == {}


def test_every_text_field_of_every_event_is_classified() -> None:
    """A new text field must be added to one of the lists above, and so be decided on."""
    classified = PERSON_ID_FIELDS | FREE_TEXT_FIELDS | NAME_AND_CONTACT_FIELDS
    classified |= {"actor", "name", "organisation"}
    classified |= {"item", "channel"}  # a reminder's kind of item and channel: set by the code
    texts = set().union(*(text_fields(cls) for cls in EVENT_TYPES.values()))
    assert texts == classified


def _owners_of(cls: type) -> dict[str, str]:
    """Every personal field's owner, those of values in its lists included."""
    owners = dict(personal_owners(cls))
    for name, hint in get_type_hints(cls).items():
        inner = get_args(hint)[0] if get_origin(hint) is tuple else None
        if inner is not None and attrs.has(inner):
            owners.update({f"{name}[].{k}": v for k, v in personal_owners(inner).items()})
    return owners


@pytest.mark.parametrize("name", sorted(EVENT_TYPES))
def test_every_personal_field_names_whose_data_it_is(name: str) -> None:
    """Each is sealed under that person's key: an owner is a text field of the event naming
    a person, or the relationship's mentee (for relationship events only)."""
    cls = EVENT_TYPES[name]
    hints = get_type_hints(cls)
    for field, owner in _owners_of(cls).items():
        if owner == RELATIONSHIP_MENTEE:
            assert issubclass(cls, RelationshipEvent), (name, field)
        else:
            assert owner in PERSON_ID_FIELDS and hints[owner] is str, (name, field, owner)


def test_all_marked_fields_have_owners_and_most_are_the_mentees() -> None:
    owners = [o for cls in EVENT_TYPES.values() for o in _owners_of(cls).values()]
    assert len(owners) == 35  # 34 event fields and the stakeholder feedback's text
    assert owners.count(RELATIONSHIP_MENTEE) == 21
