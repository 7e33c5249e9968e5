"""The read model's facts written item by item, reusing the texts of unchanged items,
are exactly the facts written whole by the converter and ``json.dumps``."""

from __future__ import annotations

import json
from array import array
from datetime import datetime
from typing import Any
from uuid import UUID

import attrs
from hypothesis import given
from hypothesis import strategies as st
from strategies import aware_datetimes

from mentoring_core.projections import FACTS_CONVERTER, encode_facts
from mentoring_core.projections._codec import _ITEM_TYPES, ListedItems, encoded_facts
from mentoring_core.reports import MeetingFact, ProgrammeFacts, RelationshipFacts
from mentoring_core.values import MeetingOutcome

Facts = ProgrammeFacts | RelationshipFacts


def facts(cls: type[Facts]) -> st.SearchStrategy[Facts]:
    """Facts of ``cls`` with up to three items in each tuple (of any values: the text
    written is what is compared, not what the domain would accept)."""
    items = {
        name: st.lists(st.from_type(item_type), max_size=3).map(tuple)
        for name, item_type in _ITEM_TYPES[cls].items()
    }
    return st.builds(cls, **items)


def compact(data: Any) -> str:
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False)


def written_whole(facts: Facts) -> str:
    """The read model's text before items were reused: one ``json.dumps`` of it all."""
    return compact(FACTS_CONVERTER.unstructure(facts))


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


def item_text(meeting: MeetingFact) -> str:
    return compact(FACTS_CONVERTER.unstructure(meeting, MeetingFact))


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
