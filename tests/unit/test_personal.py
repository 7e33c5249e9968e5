"""Which event fields hold personal data, so a later layer can encrypt or erase them."""

from __future__ import annotations

from typing import get_args, get_type_hints

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
from mentoring_core.events import EVENT_TYPES, PersonalData, personal_fields
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


def test_feedback_text_is_personal_free_text() -> None:
    marked = personal_fields(FeedbackGiven)
    assert marked["text"] is PersonalData.FREE_TEXT
    assert "from_person" not in marked
    assert "to_person" not in marked
    assert "feedback_id" not in marked


def test_the_recording_actor_is_an_identifier_kept_through_erasure() -> None:
    """Who recorded a fact is part of the audit trail: like person ids, it is not erased."""
    assert personal_fields(RelationshipResumed) == {}


@pytest.mark.parametrize(
    ("cls", "expected"),
    [
        (GoalSet, {"title", "success_measure"}),
        (MeetingHeld, {"topics"}),
        (ExpectationsAgreed, {"expectations"}),
        (PairFormed, {"gap_override_reason"}),
        (ParticipantEnrolled, set()),
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


@pytest.mark.parametrize("name", sorted(EVENT_TYPES))
def test_free_text_fields_are_always_marked(name: str) -> None:
    cls = EVENT_TYPES[name]
    present = text_fields(cls) & FREE_TEXT_FIELDS
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
    classified = PERSON_ID_FIELDS | FREE_TEXT_FIELDS | {"actor", "name", "organisation"}
    texts = set().union(*(text_fields(cls) for cls in EVENT_TYPES.values()))
    assert texts == classified
