"""The read model's JSON form of the facts: the library's converter, with compact meetings.

Built on :func:`~mentoring_core.serialisation.make_event_converter` (the same hooks
for UUIDs, times, Decimals and enums), with one change: a meeting is stored as a
six-item array ``[meeting_id, outcome, at, minutes, in_working_hours,
group_session_id]`` instead of an object. A
relationship's facts are rewritten whenever a batch touches it, and meetings are
most of them, so this keeps rewriting and reading the read model fast.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any
from uuid import UUID

import cattrs

from ..domain.values import MeetingOutcome
from ..reports import MeetingFact, ProgrammeFacts, RelationshipFacts
from ..serialisation import make_event_converter

Facts = ProgrammeFacts | RelationshipFacts


def _meeting_to_list(meeting: MeetingFact) -> list[Any]:
    session = meeting.group_session_id
    return [
        str(meeting.meeting_id),
        meeting.outcome.value,
        meeting.at.isoformat(),
        meeting.minutes,
        meeting.in_working_hours,
        None if session is None else str(session),
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
    """The converter for the read model's facts; every hook it adds is registered here."""
    converter = make_event_converter()
    converter.register_unstructure_hook(MeetingFact, _meeting_to_list)
    converter.register_structure_hook(MeetingFact, _meeting_from_list)
    return converter


FACTS_CONVERTER = make_facts_converter()


def encode_facts(facts: Facts) -> str:
    """Facts as compact JSON text."""
    data = FACTS_CONVERTER.unstructure(facts)
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False)


def decode_facts(text: str, cls: type[Facts]) -> Facts:
    facts: Facts = FACTS_CONVERTER.structure(json.loads(text), cls)
    return facts
