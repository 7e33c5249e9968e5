"""What a fuzzer may put in a stored record: a topic and state bytes, mostly near-valid.

Shared by the hypothesis test (tests/unit/test_stored_record_fuzz.py) and the atheris
target (tests/fuzz/atheris_stored_records.py).
"""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent

from mentoring_core import StoredEventError
from mentoring_core.domain.events import Event
from mentoring_core.events import EVENT_TYPES
from mentoring_core.serialisation import QUICK_READER, EventMapper, Snapshot

AGGREGATE = UUID("5a1e0000-0000-4000-8000-00000000f022")
TOPICS = (*EVENT_TYPES, "Snapshot:RelationshipState:1", "Snapshot:ProgrammeState:1", "os:system")


def mapper() -> EventMapper:
    return EventMapper(transcoder=None)  # type: ignore[arg-type]  # our mapper never uses it


def read(mapper: EventMapper, topic: str, state: bytes, version: int = 1) -> object | None:
    """Decode one record; only a valid event, a snapshot or StoredEventError may come out.

    The record is also read with its sealed fields closed (``personal=False``), which must
    refuse it in the same way or give the same event: what the fuzzer writes holds no
    sealed field that opens, so reading one closed changes nothing else."""
    record = StoredEvent(
        originator_id=AGGREGATE, originator_version=version, topic=topic, state=state
    )
    try:
        closed: object = mapper.to_domain_event(record, personal=False)
    except StoredEventError as error:
        closed = error
    try:
        decoded = mapper.to_domain_event(record)
    except StoredEventError as error:
        assert error.topic == topic
        assert error.version == version
        assert str(AGGREGATE) in str(error)
        assert isinstance(closed, StoredEventError) and str(closed) == str(error)
        return None
    assert closed == decoded
    for personal, event in ((False, closed), (True, decoded)):
        quick_and_converter_agree(mapper, record, event, personal)
    if isinstance(decoded, Snapshot):
        assert topic.startswith("Snapshot:")
        return decoded
    assert isinstance(decoded, EVENT_TYPES[topic])
    assert isinstance(decoded, Event)
    assert decoded.aggregate_id == AGGREGATE and decoded.version == version
    return decoded


def quick_and_converter_agree(
    mapper: EventMapper, record: StoredEvent, event: object, personal: bool
) -> None:
    """The quick reader, where it reads ``record`` at all, reads the event the converter
    reads (``event``, read through the mapper), with every value of the same type."""
    cls = EVENT_TYPES.get(record.topic)
    if cls is None:
        return
    quick = QUICK_READER.read(
        cls,
        mapper.stored_bytes(record),
        record.originator_id,
        record.originator_version,
        mapper.keys,
        personal=personal,
    )
    if quick is not None:
        found, data = mapper.opened_state(record, mapper.stored_state(record), personal=personal)
        assert quick == mapper.structured_event(record, found, data) == event
        assert repr(quick) == repr(event)  # the same types too (a str-based enum equals its text)


def mutate(document: Any, path: list[int], replacement: Any) -> Any:
    """``document`` with the value reached by following ``path`` (indexes into keys) replaced."""
    if not path or not isinstance(document, dict | list) or not document:
        return replacement
    keys = list(document) if isinstance(document, dict) else list(range(len(document)))
    key = keys[path[0] % len(keys)]
    copy: Any = dict(document) if isinstance(document, dict) else list(document)
    copy[key] = mutate(copy[key], path[1:], replacement)
    return copy


def encode(document: Any) -> bytes:
    return json.dumps(document, separators=(",", ":")).encode()
