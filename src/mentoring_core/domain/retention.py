"""Retention: whose personal data has been kept long enough after their last role ended.

Each programme's period is its policy's ``retain_personal_data_years`` (or the same
``years`` for every programme, when given as an override). The roles a programme's
state records are enrolments, coordinators' appointments and the relationships a person
is the mentor or mentee of. In one programme, a person's data is due for erasure that
many years after the latest end of their roles there: the end of each of their
relationships (ended, or declined), their withdrawal, and their relief as a coordinator.
Someone a programme holds personal data of without a role there (who cancelled one of
its meetings, giving a reason, and need not be enrolled) is due there that many years
after the last meeting of its they cancelled. A person is due when it is due in every
programme they were enrolled in, appointed to or cancelled a meeting of: the latest of
those days. A person is never due while they hold a role in any programme: one of their
relationships is still open (proposed, active or paused), they are enrolled (not
withdrawn), or they are a coordinator (appointed and not relieved); nor while a
programme of theirs sets no retention period (and none is given). Erasing a person
erases their data in every programme, so the longest-kept programme decides. A person
whose erasure is recorded is not due again (:func:`erased_since`), unless a role of
theirs started, or they cancelled a meeting, in an event recorded after it: what is
recorded about them since counts as for anyone.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime

import attrs

from .erasure import PersonalDataErased
from .events import (
    CoordinatorAppointed,
    Event,
    MeetingCancelled,
    ParticipantEnrolled,
    RelationshipOpened,
)
from .programme import ProgrammeState
from .relationship_state import RelationshipState
from .validation import check_day, check_int
from .values import MAX_RETENTION_YEARS, MeetingOutcome, RelationshipStatus

_OPEN = (RelationshipStatus.PROPOSED, RelationshipStatus.ACTIVE, RelationshipStatus.PAUSED)

STARTING: Mapping[type[Event], tuple[str, ...]] = {
    ParticipantEnrolled: ("person_id",),
    CoordinatorAppointed: ("person_id",),
    RelationshipOpened: ("mentor_id", "mentee_id"),
    MeetingCancelled: ("cancelled_by",),
}
"""The events that give a person a role the rule counts, or make a programme hold their
data without one (a meeting they cancelled), by the fields naming them."""


@attrs.frozen(kw_only=True)
class RetentionDue:
    """A person whose retention period ran out."""

    person_id: str
    last_ended: date
    """The day (UTC) their last role ended (a relationship ended, a withdrawal, a relief
    as a coordinator) in the programme that keeps their data longest; for someone with no
    role there, the day of the last meeting of its they cancelled."""
    years: int
    """That programme's retention period."""
    due_on: date
    """The day the retention period ran out: ``last_ended`` plus ``years``."""


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


def _cancellations(
    relationships: Iterable[RelationshipState], people: set[str]
) -> dict[str, list[datetime]]:
    """When each person not of ``people`` cancelled each meeting of ``relationships``."""
    found: dict[str, list[datetime]] = {}
    for r in relationships:
        for m in r.meetings:
            if m.outcome is MeetingOutcome.CANCELLED and m.by is not None and m.by not in people:
                found.setdefault(m.by, []).append(m.occurred_at)
    return found


def _due_in(
    programme: ProgrammeState,
    relationships: tuple[RelationshipState, ...],
    person: str,
    years: int | None,
) -> RetentionDue | None:
    """When the person's data is due for erasure as far as one programme goes; None: never.
    The person is one :func:`people_of` the programme: enrolled or appointed there."""
    ends = _ends(person, relationships)
    roles = [p.withdrawn_at for p in programme.participants if p.person_id == person] + [
        a.relieved_at for a in programme.appointments if a.person_id == person
    ]
    ended = [end for end in roles if end is not None]
    if years is None or ends is None or len(ended) < len(roles):
        return None  # no period, or a role held: a relationship open, enrolled, a coordinator
    return _due_after(person, [*ended, *ends], years)


def _due_after(person: str, ended: list[datetime], years: int) -> RetentionDue:
    """Due ``years`` after the latest of ``ended``."""
    day = max(ended).astimezone(UTC).date()
    return RetentionDue(
        person_id=person, last_ended=day, years=years, due_on=_plus_years(day, years)
    )


def people_of(programme: ProgrammeState) -> set[str]:
    """Everyone the programme ever enrolled or appointed a coordinator: the people whose
    roles there the retention rule counts."""
    return {p.person_id for p in programme.participants} | {
        a.person_id for a in programme.appointments
    }


def people_held(programme: ProgrammeState, relationships: Iterable[RelationshipState]) -> set[str]:
    """Everyone whose personal data the retention rule finds in the programme: its
    :func:`people_of`, and who cancelled one of its meetings without a role there."""
    people = people_of(programme)
    return people | _cancellations(relationships, people).keys()


def retention_due(
    programmes: Iterable[tuple[ProgrammeState, tuple[RelationshipState, ...]]],
    as_of: date,
    years: int | None = None,
) -> tuple[RetentionDue, ...]:
    """Everyone due for erasure on ``as_of``, by person id: under each programme's policy,
    or under ``years`` for every programme when given."""
    as_of = check_day("as_of", as_of)
    if years is not None:
        check_int("years", years, 1, MAX_RETENTION_YEARS)
    latest: dict[str, RetentionDue | None] = {}
    for programme, relationships in programmes:
        period = years
        if period is None and programme.policy is not None:
            period = programme.policy.retain_personal_data_years
        people = people_of(programme)
        found = {p: _due_in(programme, relationships, p, period) for p in people}
        for person, cancelled in _cancellations(relationships, people).items():
            found[person] = None if period is None else _due_after(person, cancelled, period)
        for person, here in sorted(found.items()):
            earlier = latest.get(person, here)
            if here is None or earlier is None:
                latest[person] = None  # never due in one programme: never due
            else:
                latest[person] = max(here, earlier, key=lambda d: d.due_on)
    return tuple(d for _, d in sorted(latest.items()) if d is not None and d.due_on <= as_of)


def erased_since(events: Iterable[Event]) -> set[str]:
    """The people whose erasure (:class:`PersonalDataErased`) is the last of ``events``
    (in the order recorded) that names them among the erasures and :data:`STARTING`'s
    events (others are passed over): erased, and no role started nor meeting cancelled
    since."""
    erased: set[str] = set()
    for event in events:
        if isinstance(event, PersonalDataErased):
            erased.add(event.person_id)
        else:
            erased.difference_update(getattr(event, f) for f in STARTING.get(type(event), ()))
    return erased
