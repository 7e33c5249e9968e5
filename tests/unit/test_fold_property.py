"""Property: folding many events at once (``Decider.fold``, one draft, the state built
once) gives, field for field, the state that ``evolve`` gives one event at a time; and
so do the report facts' draft (``RelationshipDraft``, which finds the items a completion
or correction names by where it saw each id) and their fold one event at a time.

Histories are drawn from every event type of the kind: events are facts, which a fold
never validates, so any sequence is one to fold. Their ids are drawn from a few, so that
later events name the goals, meetings, reminders and people of earlier ones (a goal
revised, a meeting corrected, a reminder sent after it was issued, a coordinator
relieved), and read what the draft grew so far.
"""

from __future__ import annotations

from functools import reduce
from typing import Any
from uuid import UUID

import attrs
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from strategies import NOW, events, histories

from mentoring_core.audit.timeline import fold, fold_at_once
from mentoring_core.domain import PROGRAMME, RELATIONSHIP
from mentoring_core.domain.decider import Decider
from mentoring_core.domain.events import (
    Event,
    MeetingHeld,
    MeetingRecordCorrected,
    ProgrammeCreated,
    ReminderIssued,
    ReminderSent,
)
from mentoring_core.reports import (
    RelationshipFacts,
    evolve_relationship_facts,
    fold_relationship_facts,
)
from mentoring_core.reports._facts import RelationshipDraft
from mentoring_core.values import MeetingOutcome, ReminderReason


def evolved(kind: Decider[Any], state: Any, history: list[Event]) -> Any:
    return reduce(kind.evolve, history, state)


def assert_same(folded: Any, expected: Any) -> None:
    """Equal field for field, and of the same types (a list is not a tuple, nor a set a
    frozenset, though a set equals a frozenset)."""
    assert folded == expected
    for field in attrs.fields(type(expected)):
        assert type(getattr(folded, field.name)) is type(getattr(expected, field.name)), field


kinds = st.sampled_from((RELATIONSHIP, PROGRAMME))


@settings(max_examples=300)
@given(data=st.data(), kind=kinds)
def test_a_fold_gives_what_evolving_event_by_event_gives(data: st.DataObject, kind: Any) -> None:
    history = data.draw(histories(kind))
    assert_same(kind.fold(kind.initial, history), evolved(kind, kind.initial, history))


@settings(max_examples=200)
@given(data=st.data(), kind=kinds)
def test_a_fold_split_anywhere_gives_the_same_state(data: st.DataObject, kind: Any) -> None:
    history = data.draw(histories(kind))
    split = data.draw(st.integers(0, len(history)))
    halves = kind.fold(kind.fold(kind.initial, history[:split]), history[split:])
    assert_same(halves, evolved(kind, kind.initial, history))


@settings(max_examples=100)
@given(data=st.data(), kind=kinds)
def test_a_fold_without_history_gives_the_fold_s_state_without_history(
    data: st.DataObject, kind: Any
) -> None:
    """What the service keeps after a command, built once."""
    history = data.draw(histories(kind))
    whole = kind.fold(kind.initial, history)
    assert_same(kind.fold(kind.initial, history, without_history=True), kind.without_history(whole))


@settings(max_examples=100)
@given(data=st.data())
def test_a_fold_from_a_state_without_history_gives_what_evolving_gives(
    data: st.DataObject,
) -> None:
    """As a command is decided: a snapshot's state, without its history, then the events."""
    history = data.draw(histories(RELATIONSHIP))
    split = data.draw(st.integers(0, len(history)))
    start = RELATIONSHIP.without_history(
        evolved(RELATIONSHIP, RELATIONSHIP.initial, history[:split])
    )
    assert_same(
        RELATIONSHIP.fold(start, history[split:]), evolved(RELATIONSHIP, start, history[split:])
    )


@settings(max_examples=100)
@given(data=st.data())
def test_a_state_without_history_is_its_own_without_history(data: st.DataObject) -> None:
    """Leaving out the history twice gives what once gives, and the second time the very
    state (a cached state reloaded with no new event is not copied); a state with any
    record of its history, or whole, is never returned as it is."""
    history = data.draw(histories(RELATIONSHIP))
    whole = evolved(RELATIONSHIP, RELATIONSHIP.initial, history)
    once = RELATIONSHIP.without_history(whole)
    assert once is not whole
    assert (once.meetings, once.feedback, once.reflections, once.evaluations) == ((), (), (), ())
    assert not once.complete
    assert RELATIONSHIP.without_history(once) is once
    split = data.draw(st.integers(0, len(history)))
    grown = RELATIONSHIP.fold(once, history[split:])
    if grown.meetings or grown.feedback or grown.reflections or grown.evaluations:
        assert RELATIONSHIP.without_history(grown) is not grown
    assert_same(
        RELATIONSHIP.without_history(grown),
        attrs.evolve(
            grown, meetings=(), feedback=(), reflections=(), evaluations=(), complete=False
        ),
    )


@settings(max_examples=200)
@given(data=st.data())
def test_no_meeting_with_attendees_is_later_than_attended_until(data: st.DataObject) -> None:
    """However the state was reached (a snapshot's, without its history, then the events),
    ``attended_until`` bounds every held meeting with attendees, as corrected: a
    withdrawal dated after it cannot fall before one of them (the service loads whole
    only the relationships where it may)."""
    drawn = data.draw(histories(RELATIONSHIP))
    attended = data.draw(events(MeetingHeld).filter(lambda e: bool(e.attendees)))
    moved = data.draw(events(MeetingRecordCorrected))  # the same meeting, moved anywhere
    first = data.draw(st.integers(0, len(drawn)))
    second = data.draw(st.integers(first, len(drawn)))
    named = attrs.evolve(moved, meeting_id=attended.meeting_id)
    placed = [*drawn[:first], attended, *drawn[first:second], named, *drawn[second:]]
    history = [attrs.evolve(e, version=v) for v, e in enumerate(placed, start=1)]
    split = data.draw(st.integers(0, len(history)))
    whole = evolved(RELATIONSHIP, RELATIONSHIP.initial, history)
    start = RELATIONSHIP.without_history(RELATIONSHIP.fold(RELATIONSHIP.initial, history[:split]))
    until = RELATIONSHIP.fold(start, history[split:]).attended_until
    assert until == whole.attended_until
    held = [m for m in whole.meetings if m.outcome is MeetingOutcome.HELD and m.attendees]
    for meeting in held:
        assert until is not None and meeting.occurred_at <= until
    for person in {p for m in held for p in m.attendees}:
        last = whole.last_attended(person)
        assert last is not None
        assert last.occurred_at == max(m.occurred_at for m in held if person in m.attendees)


@settings(max_examples=300)
@given(data=st.data())
def test_report_facts_folded_at_once_are_those_folded_event_by_event(
    data: st.DataObject,
) -> None:
    """One draft for a whole history (its places of items grown as items are added), one
    per event (places found afresh each time), and a draft started from facts folded
    so far (as a projection's next batch starts): the same facts, lists as tuples."""
    history = data.draw(histories(RELATIONSHIP))
    one_by_one = reduce(evolve_relationship_facts, history, RelationshipFacts())
    assert_same(fold_relationship_facts(history), one_by_one)
    split = data.draw(st.integers(0, len(history)))
    draft = RelationshipDraft(fold_relationship_facts(history[:split]))
    for event in history[split:]:
        draft.add(event)
    assert_same(draft.facts(), one_by_one)


@settings(max_examples=200)
@given(data=st.data(), kind=kinds)
def test_the_audit_folds_a_run_of_events_at_once(data: st.DataObject, kind: Any) -> None:
    """``audit.timeline.fold_at_once`` (the replay's pages, the derived checks' runs) gives
    the state one event at a time gives, from nothing or from a state so far; it answers
    None only where the events cannot be applied, and the caller then names the event."""
    history = data.draw(histories(kind))
    assume(history)
    assert_same(fold_at_once(history, None), evolved(kind, kind.initial, history))
    split = data.draw(st.integers(0, len(history) - 1))
    so_far = evolved(kind, kind.initial, history[:split])
    assert_same(fold_at_once(history[split:], so_far), evolved(kind, kind.initial, history))


@settings(max_examples=200)
@given(data=st.data(), kind=kinds)
def test_an_event_of_another_kind_is_not_folded_at_once(data: st.DataObject, kind: Any) -> None:
    """Even one whose fold names only fields the other kind's state has too (a mentor's
    recognition, an erasure): the state is not of its kind, so the caller names it."""
    other = RELATIONSHIP if kind is PROGRAMME else PROGRAMME
    event = data.draw(events(*kind.event_types))
    assert fold_at_once([event], other.initial) is None


def test_a_run_of_another_kind_is_not_folded_at_once() -> None:
    programme_events = reminders(2, sent=False)
    assert fold_at_once(programme_events, RELATIONSHIP.initial) is None
    with pytest.raises(TypeError, match="ProgrammeCreated does not belong to a RelationshipState"):
        fold(programme_events, RELATIONSHIP.initial)
    assert fold([], RELATIONSHIP.initial) is RELATIONSHIP.initial
    assert fold_at_once(programme_events[:1], None) == PROGRAMME.evolve(
        PROGRAMME.initial, programme_events[0]
    )


def reminders(count: int, *, sent: bool) -> list[Event]:
    """A programme created, then ``count`` reminders issued, every tenth one sent if ``sent``."""
    base = {"aggregate_id": UUID(int=7), "occurred_at": NOW, "recorded_at": NOW, "actor": "cleo"}
    history: list[Event] = [
        ProgrammeCreated(**base, event_id=UUID(int=1), version=1, name="P", organisation="O")
    ]
    for n in range(count):
        issued = ReminderIssued(
            **base,
            event_id=UUID(int=len(history) + 1),
            version=len(history) + 1,
            reminder_id=UUID(int=1000 + n),
            person_id="ben",
            relationship_id=UUID(int=8),
            reason=ReminderReason.OVERDUE,
            item="meeting",
            due=NOW,
            channel="email",
        )
        history.append(issued)
        if sent and n % 10 == 9:
            history.append(
                ReminderSent(
                    **base,
                    event_id=UUID(int=len(history) + 1),
                    version=len(history) + 1,
                    reminder_id=issued.reminder_id,
                    person_id="ben",
                    after_interruption=False,
                )
            )
    return history


def test_thirty_thousand_reminders_fold_into_one_state() -> None:
    """A long history folds in one draft (30,000 reminders took seconds event by event,
    each copying the reminders unsent); it gives what evolving gives on a shorter one."""
    short = reminders(300, sent=True)
    assert_same(
        PROGRAMME.fold(PROGRAMME.initial, short), evolved(PROGRAMME, PROGRAMME.initial, short)
    )
    long = reminders(30_000, sent=False)
    state = PROGRAMME.fold(PROGRAMME.initial, long)
    assert state.version == len(long) == 1 + 30_000
    assert state.reminders_unsent == tuple(long[1:])
