"""What ``decide`` needs from outside the domain: who records, the clock's now, new ids.

The domain never reads a clock or draws a random id itself; the application
passes them in, so the same inputs always give the same events.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any
from uuid import UUID

import attrs

from .validation import check_actor, check_aware, check_optional_uuid, check_past


@attrs.frozen(kw_only=True)
class Attendance:
    """A held meeting of a relationship attended by someone other than its pair."""

    meeting_id: UUID
    held_at: datetime
    """When it was held, as corrected."""


@attrs.frozen(kw_only=True)
class RelationshipRef:
    """A relationship of a programme, as a programme decision needs to know it: open
    (proposed, active or paused), or closed (ended or declined) at ``closed_at``."""

    relationship_id: UUID
    mentor_id: str
    mentee_id: str
    status: str
    opened_at: datetime | None = None
    """When it was proposed or formed (a reminder about it is dated no earlier)."""
    closed_at: datetime | None = None
    """When it ended or was declined; None while it is open."""
    last_attended: Mapping[str, Attendance] = attrs.field(factory=dict, hash=False)
    """The latest of its held meetings each person named here attended, besides the pair.
    When withdrawing someone, the service names them here wherever a meeting they
    attended may be dated on or after the withdrawal (``attended_until``); elsewhere none
    can refuse it, and it is left empty."""


@attrs.frozen(kw_only=True)
class DecisionContext:
    """The recording actor, the current time and a source of fresh event ids."""

    actor: str
    now: datetime
    new_id: Callable[[], UUID]
    command_id: UUID | None = None
    """The caller's idempotency key for this command, recorded on each of its events."""
    relationships: tuple[RelationshipRef, ...] | None = None
    """The programme's relationships, open and closed, when withdrawing a participant, or
    the relationship a reminder is about: the service loads them; None: not known, and
    not checked."""
    correcting_session: UUID | None = None
    """The group session whose meetings are being corrected together (``CorrectGroupSession``):
    a correction of a group session's meeting is refused unless it is this one's."""
    enrolled: frozenset[str] | None = None
    """The people enrolled in the relationship's programme when the meeting took place, for a
    command naming others than the pair (meeting attendees): the service loads them; without
    them only the mentor and mentee may be named."""


def event_metadata(
    ctx: DecisionContext, aggregate_id: UUID, version: int, occurred_at: datetime | None
) -> dict[str, Any]:
    """The fields every event carries, checked: actor, ``occurred_at`` not after now."""
    now = check_aware("clock", ctx.now)
    return {
        "event_id": ctx.new_id(),
        "aggregate_id": aggregate_id,
        "version": version,
        "occurred_at": check_past("occurred_at", now if occurred_at is None else occurred_at, now),
        "recorded_at": now,
        "actor": check_actor("actor", ctx.actor),
        "command_id": check_optional_uuid("command_id", ctx.command_id),
    }
