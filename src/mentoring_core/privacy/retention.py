"""Applying the programmes' retention periods to a store: who is due, and erasing them.

The rule itself is :func:`mentoring_core.domain.retention.retention_due`; this module
gathers the states it reads and leaves out the people already erased: whose key was
destroyed, or whose erasure is recorded with no role of theirs started since
(:func:`~mentoring_core.domain.retention.erased_since`), whatever their key store holds.
The compliance report's ``personal_data_past_due`` counts :func:`due_for_erasure`'s list too.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING
from uuid import UUID

from ..audit.timeline import state_at
from ..domain.erasure import PersonalDataErased
from ..domain.errors import InvalidValue
from ..domain.events import EVENT_TYPES, Event
from ..domain.personal import ErasureRule
from ..domain.programme import ProgrammeState
from ..domain.relationship_state import RelationshipState
from ..domain.retention import (
    STARTING,
    RetentionDue,
    erased_since,
    people_held,
    retention_due,
)
from ..domain.validation import check_aware
from ..domain.values import ProgrammePolicy
from .erasure import Erasure

if TYPE_CHECKING:  # the service imports this package: no import at run time
    from ..application import MentoringService

__all__ = ["RetentionDue", "apply_retention", "due_for_erasure", "past_due"]

_States = tuple[tuple[ProgrammeState, tuple[RelationshipState, ...]], ...]


def _states(service: MentoringService, at: datetime | None) -> _States:
    """Every programme and its relationships now (the service's states, their personal
    fields opened: a key lost for someone never erased is refused, as on any read), or
    as recorded by ``at`` (folded from histories read without opening personal fields:
    the rule reads ids and dates)."""
    if at is None:
        return tuple(
            (p, service.relationships(p.programme_id))
            for p in service.programmes()
            if p.programme_id is not None
        )
    states = []
    for programme_id in service.programme_ids():
        then = state_at(service.history(programme_id, personal=False), recorded_by=at)
        if isinstance(then, ProgrammeState) and then.exists:
            relationships = (
                state_at(service.history(r, personal=False), recorded_by=at)
                for r in then.relationship_ids
            )
            opened = tuple(
                r for r in relationships if isinstance(r, RelationshipState) and r.version
            )
            states.append((then, opened))
    return tuple(states)


def due_for_erasure(
    service: MentoringService, as_of: date, years: int | None = None, *, at: datetime | None = None
) -> tuple[RetentionDue, ...]:
    """The people of the store whose personal data is due for erasure on ``as_of``, under
    each programme's policy or ``years`` for every programme when given (see
    :mod:`mentoring_core.domain.retention`), less those already erased: whose key was
    destroyed, or whose erasure is recorded with no role of theirs started since (by
    ``at``; a key row lost, or withheld by an import, does not make them due again).
    ``at``: the store as recorded by that moment (its states and erasures then); default:
    now. A person never erased whose key an import withheld is listed: their texts here
    open once the key is copied in, and erasing them destroys the withheld row so that it
    never is."""
    at = None if at is None else check_aware("at", at)
    return _unerased(service, retention_due(_states(service, at), as_of, years), at)


def _unerased(
    service: MentoringService, due: tuple[RetentionDue, ...], at: datetime | None
) -> tuple[RetentionDue, ...]:
    """``due`` less the people whose key was destroyed, and those whose erasure is
    recorded with no role of theirs started since (by ``at``)."""
    keys = service.store.keys.store

    def destroyed(person_id: str) -> bool:
        row = keys.get(person_id)
        destroyed = None if row is None else row.destroyed_at
        return destroyed is not None and (at is None or destroyed <= at)

    left = tuple(d for d in due if not destroyed(d.person_id))
    if not left:
        return left  # the log is not read for no one
    erased = erased_since(_erasures_and_starts(service, at))
    return tuple(d for d in left if d.person_id not in erased)


def _erasures_and_starts(service: MentoringService, at: datetime | None) -> Iterator[Event]:
    """The recorded erasures, and the events that start a role (:data:`STARTING`), in log
    order, as recorded by ``at`` (all when None), their personal fields left unopened."""
    wanted = {PersonalDataErased, *STARTING}
    topics = [topic for topic, cls in EVENT_TYPES.items() if cls in wanted]
    for record in service.store.records(topics=topics):
        event = service.store.decode(record, personal=False)
        if at is None or event.recorded_at <= at:
            yield event


def sets_period(policy: ProgrammePolicy | None) -> bool:
    """Whether a programme's policy (None: none set yet) sets a retention period."""
    return policy is not None and policy.retain_personal_data_years is not None


def past_due(
    service: MentoringService, programme_id: UUID, as_of: date, *, at: datetime | None = None
) -> int | None:
    """How many people whose data the programme holds (:func:`people_held`: enrolled,
    appointed a coordinator, or who cancelled one of its meetings) are in
    :func:`due_for_erasure`'s list on ``as_of``, the store now or as recorded by ``at``;
    None when the programme's policy (then) sets no retention period."""
    states = _states(service, at)
    mine = next((s for s in states if s[0].programme_id == programme_id), None)
    if mine is None or not sets_period(mine[0].policy):
        return None
    people = people_held(*mine)
    due = _unerased(service, retention_due(states, as_of), at)
    return sum(d.person_id in people for d in due)


def apply_retention(
    service: MentoringService, due: tuple[RetentionDue, ...], *, actor: str
) -> tuple[Erasure, ...]:
    """Erase everyone ``due`` under the retention rule, one after the other. Each must be
    due by today (the service's clock, UTC): one due later is refused before anyone is
    erased (:class:`~mentoring_core.InvalidValue` naming ``due`` and the day), as an
    erasure cannot be undone and a list made as of a day to come is a forecast."""
    today = service.now().astimezone(UTC).date()
    for d in due:
        if d.due_on > today:
            raise InvalidValue(
                "due",
                d.due_on,
                f"a day not after today ({today.isoformat()}): {d.person_id} is due on "
                f"{d.due_on.isoformat()}, and an erasure cannot be undone",
            )
    return tuple(
        service.erase_person(
            d.person_id,
            f"retention: {d.years} years after {d.last_ended.isoformat()}",
            actor=actor,
            rule=ErasureRule.RETENTION,
        )
        for d in due
    )
