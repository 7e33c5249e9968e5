"""What is due in a store's programmes: :func:`due`, behind ``mentoring due``.

The shell around :func:`mentoring_core.reports.due_items`: it builds each programme's
live report (on one compliance projection, brought up to date by each report) and reads its
relationships' states, so that "due" and "overdue" are the report's own.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import UUID

from ..application import MentoringService
from ..domain.errors import InvalidValue
from ..domain.programme import ProgrammeState
from ..domain.validation import check_aware
from ..reports import DueItem, due_items, most_urgent_first
from ._projection import ComplianceProjection
from ._reports import build_compliance_report

MAX_WINDOW_DAYS = 3660
"""The longest look-ahead ``due`` takes: about ten years."""


def _concerns(programme: ProgrammeState, person: str | None) -> bool:
    return (
        person is None
        or person in programme.coordinators
        or programme.participant(person) is not None
    )


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
    ``now``: the moment to judge by (default: the service's clock).
    """
    check_within_days(within_days)
    moment = service.now() if now is None else now
    check_aware("now", moment)
    until = moment.astimezone(UTC) + timedelta(days=within_days)
    programmes = (
        service.programmes() if programme_id is None else (service.programme(programme_id),)
    )
    projection = ComplianceProjection(service)  # one for all: each report catches it up
    found: list[DueItem] = []
    for programme in programmes:
        recorded_id = programme.programme_id
        if recorded_id is None or not _concerns(programme, person):
            continue
        report = build_compliance_report(service, recorded_id, now=moment, projection=projection)
        coordinates = person is not None and person in programme.coordinators
        found += due_items(
            report,
            service.relationships(recorded_id),
            until=until,
            person=None if coordinates else person,
        )
    return most_urgent_first(found)
