"""Retention: whose personal data has been kept long enough after their last relationship.

A person is due for erasure ``years`` after the latest of: the end of each of their
relationships (ended, or declined), and their withdrawal from each programme; and only
when none of their relationships is still open (proposed, active or paused) and every
programme they were enrolled in has such an end. A person enrolled but never paired
and never withdrawn is not due: nothing has ended yet.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime

import attrs

from .programme import ProgrammeState
from .relationship_state import RelationshipState
from .validation import check_int
from .values import RelationshipStatus

_OPEN = (RelationshipStatus.PROPOSED, RelationshipStatus.ACTIVE, RelationshipStatus.PAUSED)


@attrs.frozen(kw_only=True)
class RetentionDue:
    """A person whose retention period ran out."""

    person_id: str
    last_ended: date
    """The day their last relationship ended (or they withdrew), UTC."""
    due_on: date
    """The day the retention period ran out: ``last_ended`` plus the years."""


def _plus_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a year that has none
        return day.replace(year=day.year + years, day=28)


def _ends(person: str, relationships: Iterable[RelationshipState]) -> list[datetime] | None:
    """When each of the person's relationships ended; None if one is still open."""
    ends: list[datetime] = []
    for r in relationships:
        if person not in (r.mentor_id, r.mentee_id):
            continue
        if r.status in _OPEN:
            return None
        end = r.ended_at or (r.declined.declined_at if r.declined is not None else None)
        if end is not None:
            ends.append(end)
    return ends


def retention_due(
    programmes: Iterable[tuple[ProgrammeState, tuple[RelationshipState, ...]]],
    years: int,
    as_of: date,
) -> tuple[RetentionDue, ...]:
    """Everyone due for erasure on ``as_of`` after ``years`` of retention, by person id."""
    check_int("years", years, 1, 100)
    last: dict[str, datetime | None] = {}
    for programme, relationships in programmes:
        for person in {p.person_id for p in programme.participants}:
            ends = _ends(person, relationships)
            withdrawn = [
                p.withdrawn_at
                for p in programme.participants
                if p.person_id == person and p.withdrawn_at is not None
            ]
            if ends is None or not (ends or withdrawn):
                last[person] = None  # still open, or nothing ended yet: never due
            elif person not in last or last[person] is not None:
                latest = max([*ends, *withdrawn])
                earlier = last.get(person)
                last[person] = latest if earlier is None else max(earlier, latest)
    due = []
    for person, ended in sorted(last.items()):
        if ended is None:
            continue
        day = ended.astimezone(UTC).date()
        due_on = _plus_years(day, years)
        if due_on <= as_of:
            due.append(RetentionDue(person_id=person, last_ended=day, due_on=due_on))
    return tuple(due)
