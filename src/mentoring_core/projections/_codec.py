"""The read model's JSON form of the facts: the library's converter, with compact meetings.

Built on :func:`~mentoring_core.serialisation.make_event_converter` (the same hooks
for UUIDs, times, Decimals and enums), with one change: a meeting is stored as a
six-item array ``[meeting_id, outcome, at, minutes, in_working_hours,
group_session_id]`` instead of an object. A
relationship's facts are rewritten whenever a catch-up moves it on, and meetings are
most of them, so this keeps rewriting and reading the read model fast.

The text is written by msgspec's JSON encoder (compiled code) from what
:data:`FACTS_CONVERTER` makes of the facts: the event converter's forms, except that
UUIDs, dates and times in UTC are left for the encoder to write. It writes them as the
event converter would, but for a time in UTC, which ends in ``Z`` rather than
``+00:00`` (the same moment read back; a time at any other offset is written by
``isoformat``, since the encoder would drop an offset's seconds). Turning UUIDs and
times into text in Python was most of a projection's encoding. Rows written before,
by ``json.dumps`` with ``+00:00``, read back the same.

:func:`encoded_facts` writes the same text, reusing what an earlier call for the same
aggregate wrote of the items still at the start of each list: a projection rewrites a
relationship's row whole at each catch-up that moves it on, which mostly adds items at
the end.
"""

from __future__ import annotations

import json
from array import array
from datetime import UTC, date, datetime
from operator import is_
from typing import Any
from uuid import UUID

import attrs
import cattrs
import msgspec

from ..domain.values import MeetingOutcome
from ..reports import MeetingFact, ProgrammeFacts, RelationshipFacts
from ..reports._facts import listed_item_types
from ..serialisation import make_event_converter

Facts = ProgrammeFacts | RelationshipFacts


def _utc_left(moment: datetime) -> datetime | str:
    """A time for the encoder: one in UTC as it is (written with ``Z``), any other as
    ``isoformat`` writes it (the encoder would drop an offset's seconds)."""
    return moment if moment.tzinfo is UTC else moment.isoformat()


def _meeting_to_list(meeting: MeetingFact) -> list[Any]:
    """A meeting's six-item array, its id, time and session left for the encoder."""
    return [
        meeting.meeting_id,
        meeting.outcome.value,
        _utc_left(meeting.at),
        meeting.minutes,
        meeting.in_working_hours,
        meeting.group_session_id,
    ]


def _meeting_from_list(value: Any, _: Any) -> MeetingFact:
    meeting_id, outcome, at, minutes, flag, session = value
    moment = datetime.fromisoformat(at)
    if moment.utcoffset() is None:
        raise ValueError(f"meeting time {at!r} has no time zone")
    if minutes is not None and type(minutes) is not int:
        raise TypeError(f"meeting minutes {minutes!r} is not an int")
    if flag is not None and type(flag) is not bool:
        raise TypeError(f"meeting working-hours flag {flag!r} is not a boolean")
    return MeetingFact(
        meeting_id=UUID(meeting_id),
        outcome=MeetingOutcome(outcome),
        at=moment,
        minutes=minutes,
        in_working_hours=flag,
        group_session_id=None if session is None else UUID(session),
    )


def make_facts_converter() -> cattrs.Converter:
    """The converter for the read model's facts; every hook it adds is registered here.

    It structures what ``json`` reads; it unstructures facts for :func:`_write`: as the
    event converter does, but for UUIDs, dates and times in UTC, left as they are for
    the encoder to write in compiled code."""
    converter = make_event_converter()
    converter.register_unstructure_hook(UUID, lambda value: value)
    converter.register_unstructure_hook(date, lambda value: value)
    converter.register_unstructure_hook(datetime, _utc_left)
    converter.register_unstructure_hook(MeetingFact, _meeting_to_list)
    converter.register_structure_hook(MeetingFact, _meeting_from_list)
    return converter


FACTS_CONVERTER = make_facts_converter()
_ENCODER = msgspec.json.Encoder()


def _write(value: Any) -> str:
    """``value``, as :data:`FACTS_CONVERTER` unstructures facts, as compact JSON text."""
    return _ENCODER.encode(value).decode()


_ITEM_TYPES = {cls: listed_item_types(cls) for cls in (ProgrammeFacts, RelationshipFacts)}


@attrs.frozen
class ListedItems:
    """A tuple field's items and their JSON texts, as :func:`encoded_facts` keeps them to
    reuse: the texts joined by commas, and where each item's text ends in them."""

    items: tuple[Any, ...]
    text: str
    ends: array[int]


def _listed(items: tuple[Any, ...], item_type: Any, before: ListedItems | None) -> ListedItems:
    """``items`` listed, the texts of those at the start that are the very objects at the
    same places ``before`` (immutable, and kept alive by it) reused: a catch-up mostly adds
    items at the end, and changes one near it (a plan item completed, a goal achieved)."""
    if before is None:
        text, ends = "", array("L")
    elif items is before.items:
        return before
    else:
        flags = list(map(is_, items, before.items))
        same = flags.index(False) if False in flags else len(flags)
        text = before.text[: before.ends[same - 1]] if same else ""
        ends = before.ends[:same]
    unstructure = FACTS_CONVERTER.get_unstructure_hook(item_type)  # what unstructure calls
    added = [_write(unstructure(item)) for item in items[len(ends) :]]
    length = len(text)
    for part in added:
        length += len(part) + (length > 0)  # a comma before each text but the first (never "")
        ends.append(length)
    return ListedItems(items, ",".join([text, *added] if text else added), ends)


@attrs.frozen
class EncodedFacts:
    """Facts' JSON text, and what :func:`encoded_facts` may reuse of it later."""

    text: str
    listed: dict[str, ListedItems]
    """Each tuple field's items, listed."""


def encoded_facts(facts: Facts, before: dict[str, ListedItems] | None = None) -> EncodedFacts:
    """``facts`` as :func:`encode_facts` writes them, reusing the texts of the items that
    ``before`` (an earlier result's ``listed``, for the same aggregate or anything else:
    only the very same objects are reused) holds at the start of each tuple field.

    The fields that are not tuples are written as they are; each tuple field as the
    encoder writes a list: ``[``, its items' texts joined by commas, ``]`` (and a field's
    name, an identifier, as it is): the same text as the encoder's of the whole facts."""
    item_types = _ITEM_TYPES[type(facts)]
    listed = {
        name: _listed(getattr(facts, name), item_type, None if before is None else before.get(name))
        for name, item_type in item_types.items()
    }
    emptied: dict[str, Any] = dict.fromkeys(item_types, ())
    plain = FACTS_CONVERTER.unstructure(attrs.evolve(facts, **emptied))
    members = [
        f'"{name}":[{listed[name].text}]' if name in listed else f'"{name}":{_write(value)}'
        for name, value in plain.items()
    ]
    return EncodedFacts(text="{" + ",".join(members) + "}", listed=listed)


def encode_facts(facts: Facts) -> str:
    """Facts as compact JSON text."""
    return encoded_facts(facts).text


def decode_facts(text: str, cls: type[Facts]) -> Facts:
    facts: Facts = FACTS_CONVERTER.structure(json.loads(text), cls)
    return facts
