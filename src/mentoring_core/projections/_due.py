"""What is due in a store's programmes: :func:`due`, behind ``mentoring due``.

The shell around :func:`mentoring_core.reports.due_items`: it builds each programme's
live report (on one compliance projection, brought up to date by each report) and reads its
relationships' states, so that "due" and "overdue" are the report's own. At a moment
before the store's last record was recorded, the report is the one as of then and the
states are those recorded by then (:meth:`~mentoring_core.MentoringService.relationship_as_of`), the
programme's too: nothing recorded since counts.
"""

from __future__ import annotations

from datetime import datetime
from typing import cast
from uuid import UUID

from ..application import MentoringService
from ..audit.timeline import state_at
from ..domain.errors import InvalidValue
from ..domain.programme import ProgrammeState
from ..domain.relationship_state import RelationshipState
from ..domain.validation import check_now
from ..reports import DueItem, due_items, most_urgent_first
from ..reports._due import window_end
from ._projection import ComplianceProjection
from ._reports import recorded_after, report_at

MAX_WINDOW_DAYS = 3660
"""The longest look-ahead ``due`` takes: about ten years."""


def _concerns(
    programme: ProgrammeState, relationships: tuple[RelationshipState, ...], person: str | None
) -> bool:
    """Whether the programme has items due for ``person`` (None: anyone): they coordinate
    it, or are the mentor or mentee of one of its relationships (whether still enrolled or,
    as stores older than the rule refusing that hold, withdrawn while it stayed open)."""
    return (
        person is None
        or person in programme.coordinators
        or any(person in (r.mentor_id, r.mentee_id) for r in relationships)
    )


def _states(
    service: MentoringService, programme_id: UUID, as_of: datetime | None
) -> tuple[ProgrammeState, tuple[RelationshipState, ...]]:
    """The programme and its relationships now, or as recorded by ``as_of`` (a programme
    not yet created then has no id)."""
    if as_of is None:
        return service.programme(programme_id), service.relationships(programme_id)
    then = cast(ProgrammeState, state_at(service.history(programme_id), recorded_by=as_of))
    return then, tuple(service.relationship_as_of(r, as_of) for r in then.relationship_ids)


def check_within_days(within_days: object) -> int:
    """``within_days`` as :func:`due` takes it: a whole number of days, 0 to
    :data:`MAX_WINDOW_DAYS`."""
    if (
        isinstance(within_days, bool)
        or not isinstance(within_days, int)
        or not (0 <= within_days <= MAX_WINDOW_DAYS)
    ):
        raise InvalidValue(
            "within_days", within_days, f"a whole number of days, 0 to {MAX_WINDOW_DAYS}"
        )
    return within_days


def due(
    service: MentoringService,
    *,
    programme_id: UUID | None = None,
    person: str | None = None,
    within_days: int = 14,
    now: datetime | None = None,
) -> tuple[DueItem, ...]:
    """What is overdue now, or due within ``within_days`` days, most urgent first.

    ``programme_id``: one programme (default: every programme in the store).
    ``person``: what concerns them: every relationship of the programmes they
    coordinate, and the relationships in which they are the mentor or the mentee.
    ``now``: the moment to judge by (default: the service's clock); one before a record
    of the store was recorded judges by what was recorded by then, as the report as of then does
    (a programme created since is left out; asked for by ``programme_id``, it is refused
    as the report refuses it).
    """
    check_within_days(within_days)
    moment = check_now(service.now() if now is None else now)
    as_of = moment if recorded_after(service, moment) else None
    until = window_end(moment, within_days)
    if programme_id is not None:
        service.programme(programme_id)  # not found unless a programme
    asked = service.programme_ids() if programme_id is None else (programme_id,)
    projection = ComplianceProjection(service)  # one for all: each report catches it up
    found: list[DueItem] = []
    for recorded_id in asked:
        programme, relationships = _states(service, recorded_id, as_of)
        if programme.programme_id is None:  # created since as_of: the report refuses it
            if programme_id is None:
                continue
        elif not _concerns(programme, relationships, person):
            continue
        report = report_at(  # whether it is as of moment was told once, above
            service,
            recorded_id,
            start=None,
            end=None,
            as_of=as_of,
            now=moment,
            policy=None,
            projection=projection,
        )
        coordinates = person is not None and person in programme.coordinators
        found += due_items(
            report, relationships, until=until, person=None if coordinates else person
        )
    return most_urgent_first(found)
