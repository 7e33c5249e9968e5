"""The read model's facts written item by item, reusing the texts of unchanged items,
are exactly the facts written whole by the encoder; they read back as the same facts,
at any offset, as do the rows written before, by ``json.dumps``."""

from __future__ import annotations

import json
import types
from array import array
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any, Union, get_args, get_origin
from uuid import UUID

import attrs
from hypothesis import given
from hypothesis import strategies as st
from strategies import aware_datetimes, cadences, programme_policies

from mentoring_core.projections import FACTS_CONVERTER, encode_facts
from mentoring_core.projections._codec import (
    _ITEM_TYPES,
    ListedItems,
    _write,
    decode_facts,
    encoded_facts,
)
from mentoring_core.reports import MeetingFact, ProgrammeFacts, RelationshipFacts
from mentoring_core.serialisation import make_event_converter
from mentoring_core.values import Cadence, MeetingOutcome, ProgrammePolicy

Facts = ProgrammeFacts | RelationshipFacts


def facts(cls: type[Facts]) -> st.SearchStrategy[Facts]:
    """Facts of ``cls`` with up to three items in each tuple (of any values: the text
    written is what is compared, not what the domain would accept)."""
    items = {
        name: st.lists(st.from_type(item_type), max_size=3).map(tuple)
        for name, item_type in _ITEM_TYPES[cls].items()
    }
    return st.builds(cls, **items)


def written_whole(facts: Facts) -> str:
    """The read model's text without reusing items: the encoder's text of it all at once."""
    return _write(FACTS_CONVERTER.unstructure(facts))


def _meeting_as_before(meeting: MeetingFact) -> list[Any]:
    session = meeting.group_session_id
    return [
        str(meeting.meeting_id),
        meeting.outcome.value,
        meeting.at.isoformat(),
        meeting.minutes,
        meeting.in_working_hours,
        None if session is None else str(session),
    ]


_BEFORE = make_event_converter()
_BEFORE.register_unstructure_hook(MeetingFact, _meeting_as_before)


def written_before(facts: Facts) -> str:
    """A row as the read model wrote it before the encoder: ``json.dumps`` of the event
    converter's forms, meetings as arrays (times in UTC ending in ``+00:00``)."""
    return json.dumps(_BEFORE.unstructure(facts), separators=(",", ":"), ensure_ascii=False)


MOMENTS = st.datetimes(
    timezones=st.just(UTC)
    | st.integers(-86_399, 86_399).map(lambda seconds: timezone(timedelta(seconds=seconds)))
)
"""Aware times, to the microsecond, at any offset to the second (``isoformat`` writes such
an offset and reads it back; an offset to the microsecond it does not, before or after)."""


_VALUES: dict[Any, st.SearchStrategy[Any]] = {
    datetime: MOMENTS,
    Decimal: st.decimals(allow_nan=False, allow_infinity=False),
    Cadence: cadences(),
    ProgrammePolicy: programme_policies(),
}
"""Values the facts hold of these types, as the domain makes them."""


def _complete(tp: Any) -> st.SearchStrategy[Any]:
    """Values of ``tp`` with every field of the facts' classes drawn (not only those
    without a default), each time aware (:data:`MOMENTS`)."""
    if tp in _VALUES:
        return _VALUES[tp]
    args = get_args(tp)
    if get_origin(tp) is tuple:
        return st.lists(_complete(args[0]), max_size=3).map(tuple)
    if get_origin(tp) in (Union, types.UnionType):
        return st.one_of(*(st.none() if a is type(None) else _complete(a) for a in args))
    if attrs.has(tp) and tp.__name__.endswith(("Fact", "Facts")):
        fields = attrs.fields(attrs.resolve_types(tp))
        return st.builds(tp, **{f.name: _complete(f.type) for f in fields})
    return st.from_type(tp)


@st.composite
def next_facts(draw: st.DrawFn, before: Facts) -> Facts:
    """``before`` with each tuple field rebuilt from its own items (kept, moved, repeated
    or dropped) and new ones, as batches append, correct and complete items."""
    fresh = draw(facts(type(before)))
    changes: dict[str, Any] = {}
    for name in _ITEM_TYPES[type(before)]:
        old, new = getattr(before, name), getattr(fresh, name)
        pool = list(old) + list(new)
        if not pool or draw(st.booleans()):
            continue  # the very tuple kept
        picks = draw(st.lists(st.integers(0, len(pool) - 1), max_size=len(pool) + 2))
        changes[name] = tuple(pool[pick] for pick in picks)
    return attrs.evolve(before, version=before.version + 1, **changes)


@st.composite
def histories(draw: st.DrawFn) -> list[Facts]:
    cls = draw(st.sampled_from([ProgrammeFacts, RelationshipFacts]))
    history = [draw(facts(cls))]
    for _ in range(draw(st.integers(1, 4))):
        history.append(draw(next_facts(history[-1])))
    return history


@given(histories())
def test_facts_written_reusing_earlier_texts_are_the_facts_written_whole(
    history: list[Facts],
) -> None:
    before = None
    for each in history:
        encoded = encoded_facts(each, before)
        assert encoded.text == written_whole(each) == encode_facts(each)
        before = encoded.listed


@given(facts(RelationshipFacts), facts(ProgrammeFacts))
def test_texts_of_other_facts_are_reused_only_for_the_same_items(
    relationship: RelationshipFacts, programme: ProgrammeFacts
) -> None:
    other = encoded_facts(relationship).listed
    assert encoded_facts(programme, other).text == written_whole(programme)
    assert encoded_facts(attrs.evolve(relationship, version=9), other).text == written_whole(
        attrs.evolve(relationship, version=9)
    )


@given(st.sampled_from([ProgrammeFacts, RelationshipFacts]).flatmap(_complete))
def test_facts_read_back_as_written_at_any_offset_as_do_rows_written_before(
    facts: Facts,
) -> None:
    """A time in UTC is written with ``Z``, any other by ``isoformat`` (the encoder would
    drop an offset's seconds): each reads back as the same moment."""
    cls = type(facts)
    assert decode_facts(encode_facts(facts), cls) == facts
    assert decode_facts(written_before(facts), cls) == facts


def test_a_time_in_utc_is_written_with_z_and_another_with_its_offset() -> None:
    utc = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
    odd = datetime(1900, 1, 1, 9, 30, tzinfo=timezone(timedelta(minutes=19, seconds=32)))
    text = encode_facts(RelationshipFacts(proposed_at=utc, feedback=(utc, odd)))
    assert '"proposed_at":"2026-03-02T09:30:00Z"' in text
    assert '"feedback":["2026-03-02T09:30:00Z","1900-01-01T09:30:00+00:19:32"]' in text


def item_text(meeting: MeetingFact) -> str:
    return _write(FACTS_CONVERTER.unstructure(meeting, MeetingFact))


@given(aware_datetimes())
def test_only_the_items_from_the_first_one_changed_on_are_encoded(at: datetime) -> None:
    """Texts kept for the same item objects are taken as they are (made up here, to show
    which were reused); from the first item that is not the same object on, each item is
    encoded."""
    first, second, third = (
        MeetingFact(meeting_id=UUID(int=n), outcome=MeetingOutcome.HELD, at=at) for n in range(3)
    )
    facts = RelationshipFacts(version=3, meetings=(first, second, third))
    kept = {"meetings": ListedItems(facts.meetings, "A,BB,C", array("L", [1, 4, 6]))}

    appended = encoded_facts(attrs.evolve(facts, meetings=(first, second, third, first)), kept)
    assert f'"meetings":[A,BB,C,{item_text(first)}]' in appended.text
    assert list(appended.listed["meetings"].ends) == [1, 4, 6, 7 + len(item_text(first))]

    corrected = attrs.evolve(second, minutes=45)
    changed = encoded_facts(attrs.evolve(facts, meetings=(first, corrected, third)), kept)
    assert f'"meetings":[A,{item_text(corrected)},{item_text(third)}]' in changed.text

    assert encoded_facts(facts, kept).listed["meetings"] is kept["meetings"]
    assert '"meetings":[]' in encoded_facts(attrs.evolve(facts, meetings=()), kept).text
