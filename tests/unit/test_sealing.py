"""Sealed fields: their stored form, what they are bound to, and how they read once erased."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

import attrs
import pytest
from eventsourcing.persistence import JSONTranscoder, StoredEvent
from hypothesis import given, settings
from hypothesis import strategies as st

from mentoring_core import StoredEventError
from mentoring_core.events import ERASED, SEALED, FeedbackGiven, MeetingHeld, ProgressEvaluated
from mentoring_core.privacy import CachedKeys, MemoryKeyStore, associated_data
from mentoring_core.privacy.sealing import compact_text, parse_json
from mentoring_core.serialisation import EventMapper
from mentoring_core.values import (
    FeedbackKind,
    GoalProgress,
    MeetingFormat,
    ProgressStatus,
    StakeholderFeedback,
)

NOW = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
PAIR = UUID(int=7)


def meta(version: int = 2) -> dict[str, Any]:
    return {
        "event_id": uuid4(),
        "aggregate_id": PAIR,
        "version": version,
        "occurred_at": NOW,
        "recorded_at": NOW,
        "actor": "ana",
    }


def feedback(text: str = "Calm handover", to: str = "ben") -> FeedbackGiven:
    return FeedbackGiven(
        **meta(),
        feedback_id=uuid4(),
        from_person="ana",
        to_person=to,
        kind=FeedbackKind.RECOGNITION,
        about_goal_id=None,
        about_meeting_id=None,
        text=text,
    )


def meeting_held() -> MeetingHeld:
    return MeetingHeld(
        **meta(),
        meeting_id=uuid4(),
        duration_minutes=60,
        format=MeetingFormat.ONE_ON_ONE,
        topics=("caseload", "a difficult visit"),
        attendees=(),
    )


@pytest.fixture
def keys() -> MemoryKeyStore:
    return MemoryKeyStore()


@pytest.fixture
def mapper(keys: MemoryKeyStore) -> EventMapper:
    made = EventMapper(transcoder=JSONTranscoder())
    made.use_keys(CachedKeys(keys, seconds=0), lambda _: "ben")  # the pair's mentee is Ben
    return made


def flipped(text: str) -> str:
    """``text`` (base64) with its first character changed: still base64, other bytes."""
    return ("B" if text[0] == "A" else "A") + text[1:]


def edited(stored: StoredEvent, change: Callable[[dict[str, Any]], None]) -> StoredEvent:
    data = json.loads(stored.state)
    change(data)
    state = json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode()
    return StoredEvent(stored.originator_id, stored.originator_version, stored.topic, state)


def test_a_personal_field_is_stored_sealed_under_its_owners_key(mapper: EventMapper) -> None:
    event = feedback("Clear notes after the home visit", to="carla")
    stored = mapper.to_stored_event(event)
    sealed = json.loads(stored.state)["text"]
    assert set(sealed) == {"$personal", "key", "nonce", "ciphertext"}
    assert (sealed["$personal"], sealed["key"]) == (1, "carla")
    assert b"Clear notes" not in stored.state
    assert mapper.to_domain_event(stored) == event


def test_the_associated_data_names_the_event_the_field_and_the_person() -> None:
    event_id = "0d6e2b1c-0000-4000-8000-000000000001"
    assert associated_data(event_id, "topics", "ben") == (
        b"mentoring-core/personal/v1\n0d6e2b1c-0000-4000-8000-000000000001\ntopics\nben"
    )


def test_texts_in_a_list_of_values_are_sealed_each_in_its_place(mapper: EventMapper) -> None:
    event = ProgressEvaluated(
        **meta(),
        evaluation_id=uuid4(),
        goal_progress=(GoalProgress(goal_id=uuid4(), status=ProgressStatus.AT_RISK),),
        evidence="Missed two visits",
        stakeholder_feedback=(
            StakeholderFeedback(source="team leader", text="Needs support"),
            StakeholderFeedback(source="family", text="Kind and patient"),
        ),
    )
    stored = mapper.to_stored_event(event)
    data = json.loads(stored.state)
    assert [f["source"] for f in data["stakeholder_feedback"]] == ["team leader", "family"]
    assert all("$personal" in f["text"] for f in data["stakeholder_feedback"])
    assert mapper.to_domain_event(stored) == event
    swapped = edited(stored, lambda d: d["stakeholder_feedback"].reverse())
    with pytest.raises(StoredEventError, match=r"stakeholder_feedback\[0\]\.text.*does not open"):
        mapper.to_domain_event(swapped)


@pytest.mark.parametrize(
    ("change", "why"),
    [
        (lambda d: d["text"].update(key="dan"), "does not open"),
        (lambda d: d.update(event_id=str(uuid4())), "does not open"),
        (lambda d: d["text"].update(ciphertext=flipped(d["text"]["ciphertext"])), "does not open"),
        (lambda d: d["text"].update(nonce="not base64!"), "nonce is not base64"),
        (lambda d: d["text"].update({"$personal": 2}), "not a sealed field of version 1"),
        (lambda d: d["text"].update(extra=1), "a sealed field with keys"),
        (lambda d: d["text"].update({"$personal": True}), "not a sealed field of version 1"),
    ],
    ids=[
        "another person",
        "another event",
        "altered",
        "bad nonce",
        "unknown version",
        "extra",
        "marker true",
    ],
)
def test_a_sealed_field_opens_only_where_and_as_it_was_sealed(
    mapper: EventMapper, keys: MemoryKeyStore, change: Callable[[dict[str, Any]], None], why: str
) -> None:
    keys.create("dan")
    stored = edited(mapper.to_stored_event(feedback()), change)
    with pytest.raises(StoredEventError, match=why):
        mapper.to_domain_event(stored)


def test_once_the_key_is_destroyed_texts_read_as_erased(
    mapper: EventMapper, keys: MemoryKeyStore
) -> None:
    meeting = meeting_held()
    stored = [mapper.to_stored_event(e) for e in (meeting, feedback(to="ana"))]
    keys.destroy("ben", NOW)
    read_meeting, read_feedback = (mapper.to_domain_event(s) for s in stored)
    assert isinstance(read_meeting, MeetingHeld) and isinstance(read_feedback, FeedbackGiven)
    assert read_meeting.topics == (ERASED,) and read_meeting.duration_minutes == 60
    assert read_feedback.text == "Calm handover"  # to Ana: not Ben's


def test_read_closed_every_sealed_field_reads_as_sealed_and_nothing_else_changes(
    mapper: EventMapper,
) -> None:
    meeting = meeting_held()
    evaluation = ProgressEvaluated(
        **meta(),
        evaluation_id=uuid4(),
        goal_progress=(GoalProgress(goal_id=uuid4(), status=ProgressStatus.AT_RISK),),
        evidence="Missed two visits",
        stakeholder_feedback=(StakeholderFeedback(source="family", text="Kind and patient"),),
    )
    given = feedback()
    closed = [
        mapper.to_domain_event(mapper.to_stored_event(e), personal=False)
        for e in (meeting, evaluation, given)
    ]
    assert closed == [
        attrs.evolve(meeting, topics=(SEALED,)),
        attrs.evolve(
            evaluation,
            evidence=SEALED,
            stakeholder_feedback=(StakeholderFeedback(source="family", text=SEALED),),
        ),
        attrs.evolve(given, text=SEALED),
    ]
    assert mapper.to_domain_event(mapper.to_stored_event(given)) == given  # opened by default


@pytest.mark.parametrize(
    ("change", "why"),
    [
        (lambda d: d["text"].update({"$personal": 2}), "not a sealed field of version 1"),
        (lambda d: d["text"].update(extra=1), "a sealed field with keys"),
        (lambda d: d["text"].pop("key"), "not a sealed field of version 1"),
        (lambda d: d.update(text=7), "expected str"),
        (lambda d: d["text"].update({"$personal": True}), "not a sealed field of version 1"),
        (lambda d: d["text"].update({"$personal": 1.0}), "not a sealed field of version 1"),
    ],
    ids=["unknown version", "extra", "no person", "not text", "marker true", "marker 1.0"],
)
def test_read_closed_a_damaged_envelope_is_still_refused(
    mapper: EventMapper, change: Callable[[dict[str, Any]], None], why: str
) -> None:
    stored = edited(mapper.to_stored_event(feedback()), change)
    with pytest.raises(StoredEventError, match=why):
        mapper.to_domain_event(stored, personal=False)


def test_read_closed_no_key_is_looked_up_nor_ciphertext_opened(
    mapper: EventMapper, keys: MemoryKeyStore
) -> None:
    """Neither an altered ciphertext, a key destroyed, nor no key store at all changes
    what a closed reading gives: it opens nothing."""
    altered = edited(
        mapper.to_stored_event(feedback()),
        lambda d: d["text"].update(ciphertext=flipped(d["text"]["ciphertext"])),
    )
    with pytest.raises(StoredEventError, match="does not open"):
        mapper.to_domain_event(altered)
    keys.destroy("ben", NOW)
    without_keys = EventMapper(transcoder=JSONTranscoder())
    for reader in (mapper, without_keys):
        read = reader.to_domain_event(altered, personal=False)
        assert isinstance(read, FeedbackGiven) and read.text == SEALED


def test_a_store_without_a_key_store_reads_clear_fields_and_refuses_sealed_ones(
    mapper: EventMapper,
) -> None:
    clear = EventMapper(transcoder=JSONTranscoder())
    event = feedback()
    assert b"Calm handover" in clear.to_stored_event(event).state
    assert mapper.to_domain_event(clear.to_stored_event(event)) == event  # an old store
    with pytest.raises(Exception, match="no key store was given"):
        clear.to_domain_event(mapper.to_stored_event(event))


@settings(max_examples=300)
@given(
    st.one_of(
        st.text(max_size=40),
        st.recursive(
            st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
            lambda inner: (
                st.lists(inner, max_size=3)
                | st.dictionaries(st.text(max_size=4), inner, max_size=3)
            ),
            max_leaves=8,
        ).map(lambda value: json.dumps(value, separators=(",", ":"), ensure_ascii=False)),
    ),
    st.sampled_from(["", " ", "\n", "x", "}"]),
)
def test_parse_json_reads_and_refuses_exactly_as_json_loads(text: str, around: str) -> None:
    """The quick reader of stored JSON gives json.loads's value or its error, whitespace,
    trailing text, NaN and damaged text included (texts drawn here hold no lone surrogate,
    which it refuses: see below)."""
    for given_text in (text, around + text, text + around):
        try:
            expected: Any = ("value", json.loads(given_text))
        except ValueError as error:
            expected = ("error", type(error), str(error))
        try:
            found: Any = ("value", parse_json(given_text))
        except ValueError as error:
            found = ("error", type(error), str(error))
        assert repr(found) == repr(expected)


@pytest.mark.parametrize(
    ("text", "escape"),
    [
        ('"\\udc80"', "\\udc80"),
        ('{"actor":"far\\ud800id"}', "\\ud800"),
        ('{"far\\udfffid":1}', "\\udfff"),  # a key too
        ('["\\ud83d\\ud83d\\ude00"]', "\\ud83d"),  # a high half, then a whole pair
    ],
)
def test_parse_json_refuses_a_lone_surrogate_by_its_escape(text: str, escape: str) -> None:
    """JSON's syntax lets a text escape half a surrogate pair; what it reads is no Unicode
    text (UTF-8 cannot hold it), so it is refused, as msgspec refuses it."""
    with pytest.raises(ValueError, match=re.escape(escape) + ".*lone surrogate"):
        parse_json(text)


def test_parse_json_reads_an_escaped_pair_and_an_escaped_backslash() -> None:
    assert parse_json('["\\ud83d\\ude00","\\\\udc80"]') == ["\U0001f600", "\\udc80"]


class Tag(str):
    """A text of a subclass, as a str-based enum's value is written."""


@settings(max_examples=300)
@given(
    st.recursive(
        st.none()
        | st.booleans()
        | st.integers()
        | st.floats()
        | st.text(st.characters(), max_size=8)
        | st.text(max_size=4).map(Tag),
        lambda inner: (
            st.lists(inner, max_size=3)
            | st.lists(inner, max_size=3).map(tuple)
            | st.dictionaries(
                st.text(max_size=4) | st.integers() | st.floats() | st.booleans() | st.none(),
                inner,
                max_size=3,
            )
        ),
        max_leaves=8,
    )
)
def test_compact_text_writes_what_json_dumps_writes(value: Any) -> None:
    """Texts with any character (lone surrogates and control characters included), NaN
    and infinities, big ints, tuples, str subclasses and keys that are not texts; and a
    value JSON has no form of is refused with json.dumps's error."""
    assert compact_text(value) == json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    with pytest.raises(TypeError, match="Object of type UUID is not JSON serializable"):
        compact_text([value, UUID(int=1)])


def test_one_cipher_per_person_and_key_which_a_new_key_replaces() -> None:
    keys = CachedKeys(MemoryKeyStore())
    row = keys.create("ben")
    assert keys.aead(row) is keys.aead(keys.get("ben"))
    other = attrs.evolve(row, key=bytes(32))
    assert keys.aead(other) is not keys.aead(row)
    keys.forget()
    assert keys._aeads == {}


def test_no_key_is_made_for_a_person_whose_erasure_is_recorded_but_whose_row_is_gone() -> None:
    """Their tombstone is written back, destroyed when the erasure was recorded; the
    erasures are asked for only when a key is about to be made."""
    when = datetime(2026, 3, 1, 9, tzinfo=UTC)
    asked: list[str] = []

    def erased(person_id: str) -> datetime | None:
        asked.append(person_id)
        return when if person_id == "ben" else None

    store = MemoryKeyStore()
    keys = CachedKeys(store, seconds=0, erased=erased)
    row = keys.create("ben")
    assert row.key is None and row.destroyed_at == when
    assert store.get("ben") == row
    assert keys.create("ana").key is not None
    assert keys.create("ana").key is not None  # found: no erasure asked for
    assert asked == ["ben", "ana"]
