"""The quick reader reads exactly the event the converter reads, and leaves the rest to it."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

import attrs
import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from eventsourcing.persistence import JSONTranscoder, StoredEvent
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import events

from mentoring_core import StoredEventError, quick_reading
from mentoring_core.domain.events import Event
from mentoring_core.events import ERASED, EVENT_TYPES, FeedbackGiven, MeetingHeld, ProgressEvaluated
from mentoring_core.privacy import CachedKeys, MemoryKeyStore
from mentoring_core.privacy.sealing import associated_data, personal_paths
from mentoring_core.serialisation import QUICK_READER, EventMapper
from mentoring_core.values import FeedbackKind, MeetingFormat

NOW = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
KEYS = MemoryKeyStore()
MAPPER = EventMapper(transcoder=JSONTranscoder())
MAPPER.use_keys(CachedKeys(KEYS, seconds=0), lambda _: "ben")  # every pair's mentee is Ben


def quick(record: StoredEvent, personal: bool = True) -> Event | None:
    """What the quick reader makes of ``record`` (None: left to the converter)."""
    return QUICK_READER.read(
        EVENT_TYPES[record.topic],
        MAPPER.stored_bytes(record),
        record.originator_id,
        record.originator_version,
        MAPPER.keys,
        personal=personal,
    )


def by_converter(record: StoredEvent, personal: bool = True) -> Event | Exception:
    """What the converter alone makes of ``record``: the event, or the error it raises."""
    try:
        cls, data = MAPPER.opened_state(record, MAPPER.stored_state(record), personal=personal)
        return MAPPER.structured_event(record, cls, data)
    except Exception as error:
        return error


def agree(record: StoredEvent, personal: bool = True) -> Event | None:
    """The quick reading, checked against the converter's: the same event, or none."""
    read, expected = quick(record, personal), by_converter(record, personal)
    if read is not None:  # the same values, of the same types (a str-based enum equals its text)
        assert read == expected and repr(read) == repr(expected)
    return read


def nested_personal(cls: type[Event]) -> bool:
    return any(path.inner is not None for path in personal_paths(cls))


@pytest.mark.parametrize("personal", [True, False], ids=["opened", "closed"])
@given(event=events())
def test_every_event_reads_as_the_converter_reads_it(event: Event, personal: bool) -> None:
    record = MAPPER.to_stored_event(event)
    read = agree(record, personal)
    if nested_personal(type(event)):
        assert read is None  # a personal field inside a list of values: the converter's
    else:
        assert read is not None
        if personal:
            assert read == event


def test_only_a_personal_field_inside_a_list_of_values_is_left_to_the_converter() -> None:
    assert [name for name, cls in EVENT_TYPES.items() if nested_personal(cls)] == [
        ProgressEvaluated.__name__
    ]


def feedback() -> FeedbackGiven:
    return FeedbackGiven(
        event_id=uuid4(),
        aggregate_id=UUID(int=7),
        version=2,
        occurred_at=NOW,
        recorded_at=NOW,
        actor="ana",
        feedback_id=uuid4(),
        from_person="ana",
        to_person="ben",
        kind=FeedbackKind.RECOGNITION,
        about_goal_id=None,
        about_meeting_id=None,
        text="Calm handover",
    )


def meeting() -> MeetingHeld:
    return MeetingHeld(
        event_id=uuid4(),
        aggregate_id=UUID(int=7),
        version=3,
        occurred_at=NOW,
        recorded_at=NOW,
        actor="ana",
        meeting_id=uuid4(),
        duration_minutes=60,
        format=MeetingFormat.ONE_ON_ONE,
        topics=("caseload",),
        attendees=(),
    )


def edited(event: Event, change: Callable[[dict[str, Any]], Any]) -> StoredEvent:
    stored = MAPPER.to_stored_event(event)
    data = json.loads(stored.state)
    change(data)
    state = json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode()
    return StoredEvent(stored.originator_id, stored.originator_version, stored.topic, state)


def raw(event: Event, find: bytes, put: bytes) -> StoredEvent:
    stored = MAPPER.to_stored_event(event)
    assert find in stored.state
    state = stored.state.replace(find, put, 1)
    return StoredEvent(stored.originator_id, stored.originator_version, stored.topic, state)


def resealed(event: Event, plaintext: bytes, field: str = "text") -> StoredEvent:
    """``event`` stored with its sealed ``field`` holding ``plaintext``, sealed as the
    library seals (under the same key, bound to the same event, place and person): what
    only a holder of the key could write."""

    def seal(data: dict[str, Any]) -> None:
        envelope = data[field]
        aead = AESGCM(KEYS.get(envelope["key"]).key)
        nonce = base64.b64decode(envelope["nonce"])
        bound = associated_data(data["event_id"], field, envelope["key"])
        envelope["ciphertext"] = base64.b64encode(aead.encrypt(nonce, plaintext, bound)).decode()

    return edited(event, seal)


def at(moment: str) -> Callable[[dict[str, Any]], Any]:
    return lambda data: data.update(occurred_at=moment)


LEFT_TO_THE_CONVERTER = {
    # forms the converter reads and the quick reader does not: the converter decides
    "an id in braces": lambda: edited(
        feedback(), lambda d: d.update(feedback_id="{" + d["feedback_id"] + "}")
    ),
    "an id as a URN": lambda: edited(
        feedback(), lambda d: d.update(feedback_id="urn:uuid:" + d["feedback_id"])
    ),
    # an event id (read as a text where sealed fields are opened, else as any other id)
    "an event id in braces": lambda: edited(
        feedback(), lambda d: d.update(event_id="{" + d["event_id"] + "}")
    ),
    "an event id's hyphens elsewhere": lambda: edited(
        feedback(), lambda d: d.update(event_id="-" + d["event_id"].replace("-", ""))
    ),
    "an event id without hyphens": lambda: edited(
        meeting(), lambda d: d.update(event_id=d["event_id"].replace("-", "").upper())
    ),
    "a seventh digit of a second": lambda: edited(
        feedback(), at("2026-06-01T09:00:00.9999995+00:00")
    ),
    "a comma before the fraction": lambda: edited(feedback(), at("2026-06-01T09:00:00,5+00:00")),
    "no seconds": lambda: edited(feedback(), at("2026-06-01T09:00+00:00")),
    "an older class version": lambda: edited(feedback(), lambda d: d.update(class_version=2)),
    "no class version": lambda: edited(feedback(), lambda d: d.pop("class_version")),
    "a text stored in clear": lambda: edited(feedback(), lambda d: d.update(text="In clear")),
    "an int beyond 64 bits": lambda: edited(meeting(), lambda d: d.update(duration_minutes=2**64)),
    # forms both refuse
    "an int of 5,000 digits": lambda: raw(
        meeting(), b'"duration_minutes":60', b'"duration_minutes":' + b"1" * 5000
    ),  # beyond Python's 4,300 digits: json and msgspec both refuse
    "an upper-case event id": lambda: edited(
        feedback(), lambda d: d.update(event_id=d["event_id"].upper())
    ),  # a sealed field is bound to the event id's text as stored
    "a lower-case t": lambda: edited(feedback(), at("2026-06-01t09:00:00+00:00")),
    "no time zone": lambda: edited(feedback(), at("2026-06-01T09:00:00")),
    "a digit string for an int": lambda: edited(
        meeting(), lambda d: d.update(duration_minutes="60")
    ),
    "true for an int": lambda: edited(meeting(), lambda d: d.update(duration_minutes=True)),
    "1.0 for an int": lambda: edited(meeting(), lambda d: d.update(duration_minutes=1.0)),
    "NaN for an int": lambda: raw(meeting(), b'"duration_minutes":60', b'"duration_minutes":NaN'),
    "a lone surrogate": lambda: raw(feedback(), b'"actor":"ana"', b'"actor":"\\ud800"'),
    "an extra key": lambda: edited(feedback(), lambda d: d.update(extra=1)),
    "the record's key repeated": lambda: edited(feedback(), lambda d: d.update(version=2)),
    "a missing key with a default": lambda: edited(feedback(), lambda d: d.pop("private")),
    "an unknown enum value": lambda: edited(feedback(), lambda d: d.update(kind="praise")),
    "a marker true": lambda: edited(feedback(), lambda d: d["text"].update({"$personal": True})),
    "a marker 1.0": lambda: edited(feedback(), lambda d: d["text"].update({"$personal": 1.0})),
    "a marker 2": lambda: edited(feedback(), lambda d: d["text"].update({"$personal": 2})),
    "an envelope's extra key": lambda: edited(feedback(), lambda d: d["text"].update(extra=1)),
    "a nonce that is an object": lambda: edited(feedback(), lambda d: d["text"].update(nonce={})),
    "an altered ciphertext": lambda: edited(
        feedback(), lambda d: d["text"].update(ciphertext="A" + d["text"]["ciphertext"][1:])
    ),
    "a nonce padded past its last group": lambda: edited(
        feedback(), lambda d: d["text"].update(nonce=d["text"]["nonce"] + "=")
    ),  # binascii's strict reading takes the padding; msgspec's does not
    # forms both refuse
    "a nonce that is not base64": lambda: edited(
        feedback(), lambda d: d["text"].update(nonce="*" + d["text"]["nonce"][1:])
    ),
    "a ciphertext that is not base64": lambda: edited(
        feedback(), lambda d: d["text"].update(ciphertext=d["text"]["ciphertext"] + "!")
    ),
    "a ciphertext base64 in the URL alphabet": lambda: edited(
        feedback(), lambda d: d["text"].update(ciphertext="-_" + d["text"]["ciphertext"][2:])
    ),
    "a sealed number": lambda: resealed(feedback(), b"12"),
    "a sealed list where a text belongs": lambda: resealed(feedback(), b'["a"]'),
    "a sealed text where a list belongs": lambda: resealed(meeting(), b'"a"', field="topics"),
    "a sealed list holding a number": lambda: resealed(meeting(), b'["a",1]', field="topics"),
    "a sealed lone surrogate": lambda: resealed(feedback(), b'"\\ud800"'),
    "a sealed text that is not UTF-8": lambda: resealed(feedback(), b'"\xff"'),
    "a sealed text with a BOM": lambda: resealed(feedback(), b'\xef\xbb\xbf"a"'),
    "a sealed text and more": lambda: resealed(feedback(), b'"a" "b"'),
    "a sealed null": lambda: resealed(feedback(), b"null"),
    # forms both read alike
    "a sealed text in spaces": lambda: resealed(feedback(), b' "a" '),
    "a sealed text with escapes": lambda: resealed(feedback(), b'"\\u00e9\\n\\ud83d\\ude00"'),
    "a sealed empty list": lambda: resealed(meeting(), b"[ ]", field="topics"),
    "a list where a text belongs": lambda: edited(feedback(), lambda d: d.update(text=["a"])),
    "a text where a list belongs": lambda: edited(meeting(), lambda d: d.update(topics="a")),
    "a duplicate key": lambda: raw(feedback(), b'"actor":"ana"', b'"actor":"ana","actor":"bo"'),
}


@pytest.mark.parametrize("personal", [True, False], ids=["opened", "closed"])
@pytest.mark.parametrize("name", sorted(LEFT_TO_THE_CONVERTER))
def test_an_odd_or_damaged_record_reads_as_the_converter_reads_it(
    name: str, personal: bool
) -> None:
    record = LEFT_TO_THE_CONVERTER[name]()
    read = agree(record, personal)
    expected = by_converter(record, personal)
    try:
        through_the_mapper: Event | Exception = MAPPER.to_domain_event(record, personal=personal)
    except StoredEventError as error:
        through_the_mapper = error
    if isinstance(expected, Exception):
        assert read is None and isinstance(through_the_mapper, StoredEventError)
    else:
        assert through_the_mapper == expected


@pytest.mark.parametrize(
    "name", ["a sealed text in spaces", "a sealed text with escapes", "a sealed empty list"]
)
def test_a_sealed_plaintext_json_reads_alike_is_read_without_the_converter(name: str) -> None:
    record = LEFT_TO_THE_CONVERTER[name]()
    read = agree(record)
    assert read is not None and read == by_converter(record)


def json_bytes(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False).encode("utf-8", "surrogatepass")


ANY_TEXT = st.text(st.characters(exclude_categories=()), max_size=6)  # lone surrogates too


@settings(max_examples=300)
@given(
    plaintext=st.one_of(
        st.binary(max_size=12),
        ANY_TEXT.map(json_bytes),
        st.lists(ANY_TEXT, max_size=3).map(json_bytes),
        st.lists(ANY_TEXT, max_size=3).map(lambda v: json.dumps(v).encode()),  # escaped
    )
)
def test_any_sealed_plaintext_reads_as_the_converter_reads_it(plaintext: bytes) -> None:
    """Whatever a holder of the key sealed (any bytes, any JSON), the quick reader reads
    the converter's event or leaves the record to it, for a text and a list of texts."""
    for record in (resealed(feedback(), plaintext), resealed(meeting(), plaintext, "topics")):
        read = agree(record)
        if isinstance(by_converter(record), Exception):
            assert read is None


BASE64 = st.text(alphabet="AQgw+/=-_ *\n\u00e9", max_size=24)


@settings(max_examples=300)
@given(nonce=BASE64, ciphertext=BASE64, where=st.integers(0, 24))
def test_any_nonce_and_ciphertext_read_as_the_converter_reads_them(
    nonce: str, ciphertext: str, where: int
) -> None:
    """A sealed field's base64 parts, altered anyhow (a text spliced into the real one):
    read as the converter reads them (binascii's strict reading), or left to it."""

    def alter(data: dict[str, Any]) -> None:
        envelope = data["text"]
        real_nonce, real_ciphertext = envelope["nonce"], envelope["ciphertext"]
        envelope["nonce"] = real_nonce[:where] + nonce + real_nonce[where:]
        envelope["ciphertext"] = real_ciphertext[:where] + ciphertext + real_ciphertext[where:]

    record = edited(feedback(), alter)
    read = agree(record)
    if isinstance(by_converter(record), Exception):
        assert read is None


def test_a_duplicate_key_reads_its_last_value_as_json_does() -> None:
    record = raw(feedback(), b'"actor":"ana"', b'"actor":"ana","actor":"bo"')
    read = quick(record)
    assert read is not None and read.actor == "bo"


def test_a_text_under_a_destroyed_key_reads_as_erased() -> None:
    KEYS.create("dora")
    record = MAPPER.to_stored_event(attrs.evolve(feedback(), to_person="dora"))
    KEYS.destroy("dora", NOW)
    read = agree(record)
    assert isinstance(read, FeedbackGiven) and read.text == ERASED


def refuse(*_: Any, **__: Any) -> Any:
    raise AssertionError("the converter read a record the quick reader reads")


def test_a_sound_record_is_read_without_the_converter(monkeypatch: pytest.MonkeyPatch) -> None:
    event = meeting()
    record = MAPPER.to_stored_event(event)
    monkeypatch.setattr(EventMapper, "stored_state", refuse)
    assert MAPPER.to_domain_event(record) == event


def test_a_list_of_texts_under_a_destroyed_key_reads_as_erased_without_the_converter(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    keys = MemoryKeyStore()  # its own: the mentee's key is destroyed
    mapper = EventMapper(transcoder=JSONTranscoder())
    mapper.use_keys(CachedKeys(keys, seconds=0), lambda _: "cleo")
    record = mapper.to_stored_event(meeting())
    keys.destroy("cleo", NOW)
    monkeypatch.setattr(EventMapper, "stored_state", refuse)
    read = mapper.to_domain_event(record)
    assert isinstance(read, MeetingHeld) and read.topics == (ERASED,)


@pytest.mark.parametrize("personal", [True, False], ids=["opened", "closed"])
def test_a_record_over_the_event_size_limit_is_refused_by_the_mapper_naming_it(
    monkeypatch: pytest.MonkeyPatch, personal: bool
) -> None:
    """The mapper gives the quick reader a stored state as it is, only within the reader's
    limit: a sound record one byte over it is refused, as it always was."""
    event = meeting()
    record = MAPPER.to_stored_event(event)
    assert MAPPER.to_domain_event(record, personal=personal).event_id == event.event_id
    monkeypatch.setattr("mentoring_core.serialisation.MAX_EVENT_BYTES", len(record.state) - 1)
    with pytest.raises(StoredEventError) as refused:
        MAPPER.to_domain_event(record, personal=personal)
    assert f"state of {len(record.state)} bytes exceeds the limit" in str(refused.value)


def test_a_class_whose_init_does_more_than_set_its_fields_is_left_to_the_converter(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Its events would be built without its ``__init__`` (a validator, say, not run)."""
    monkeypatch.setattr(quick_reading, "plain", lambda cls: cls is not FeedbackGiven)
    reader = quick_reading.QuickReader(QUICK_READER._hooks)  # its plans made anew
    for event, read in ((feedback(), False), (meeting(), True)):
        record = MAPPER.to_stored_event(event)
        cls = EVENT_TYPES[record.topic]
        made = reader.read(cls, record.state, record.originator_id, 3, MAPPER.keys)
        assert (made is not None) is read
