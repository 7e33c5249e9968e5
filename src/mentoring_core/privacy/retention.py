"""Applying a retention period to a store: who is due, and erasing them."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from ..domain.personal import ErasureRule
from ..domain.retention import RetentionDue, retention_due
from .erasure import Erasure

if TYPE_CHECKING:  # the service imports this package: no import at run time
    from ..application import MentoringService

__all__ = ["RetentionDue", "apply_retention", "due_for_erasure"]


def due_for_erasure(service: MentoringService, years: int, as_of: date) -> tuple[RetentionDue, ...]:
    """The people of the store whose personal data is due for erasure on ``as_of`` after
    ``years`` of retention (see :mod:`mentoring_core.domain.retention`), less those already
    erased."""
    programmes = [
        (p, service.relationships(p.programme_id))
        for p in service.programmes()
        if p.programme_id is not None
    ]
    keys = service.store.keys.store
    due = retention_due(programmes, years, as_of)
    return tuple(d for d in due if (row := keys.get(d.person_id)) is None or row.key is not None)


def apply_retention(
    service: MentoringService, due: tuple[RetentionDue, ...], years: int, *, actor: str
) -> tuple[Erasure, ...]:
    """Erase everyone ``due`` under the retention rule, one after the other."""
    return tuple(
        service.erase_person(
            d.person_id,
            f"retention: {years} years after {d.last_ended.isoformat()}",
            actor=actor,
            rule=ErasureRule.RETENTION,
        )
        for d in due
    )
