"""Group sessions in the figures: which held meetings a window holds, a session once.

A group session is recorded as a meeting of every relationship present, all with its
``group_session_id`` (``domain/group.py``): each counts for its relationship (the mentee's
participation, the cadence), the session once for the mentor's and the programme's hours.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from uuid import UUID

from ..domain.values import MeetingOutcome
from ._facts import MeetingFact, RelationshipFacts

Holds = Callable[[datetime], bool]
"""Whether a moment is in the window a figure counts."""


def held_in(facts: RelationshipFacts, holds: Holds) -> tuple[MeetingFact, ...]:
    """The held meetings of a relationship whose time the window holds."""
    return tuple(m for m in facts.meetings if m.outcome is MeetingOutcome.HELD and holds(m.at))


def counted_once(
    relationships: Iterable[RelationshipFacts], holds: Holds
) -> tuple[MeetingFact, ...]:
    """The held meetings in the window, a group session once (its first relationship's
    record, in the order given): what the mentor's and the programme's hours count."""
    seen: set[UUID] = set()
    once = []
    for facts in relationships:
        for meeting in held_in(facts, holds):
            session = meeting.group_session_id
            if session is not None:
                if session in seen:
                    continue
                seen.add(session)
            once.append(meeting)
    return tuple(once)


def repeated_session_minutes(relationships: Iterable[RelationshipFacts], holds: Holds) -> int:
    """The minutes of group sessions beyond their first relationship present: what a sum over
    relationships counts more than once."""
    relationships = tuple(relationships)
    every = sum(m.minutes or 0 for r in relationships for m in held_in(r, holds))
    return every - sum(m.minutes or 0 for m in counted_once(relationships, holds))
