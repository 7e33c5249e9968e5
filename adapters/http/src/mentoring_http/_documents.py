"""What responses hold besides the core's own states: recorded commands, events, pages.

States (:class:`~mentoring_core.state.ProgrammeState`,
:class:`~mentoring_core.state.RelationshipState`) and the audit's value classes are
answered as they are (Litestar speaks attrs); these classes shape the rest.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import attrs

from mentoring_core import Event, Recorded, event_to_dict


def event_document(event: Event) -> dict[str, Any]:
    """An event as JSON: ``type`` (its class name), then every field."""
    return {"type": type(event).__name__, **event_to_dict(event)}


@attrs.frozen(kw_only=True)
class RecordedDocument:
    """What a command recorded (or, repeated with its Idempotency-Key, had recorded)."""

    id: UUID
    """What the command created (a programme, relationship, goal, meeting...), else the
    programme or relationship it changed."""
    aggregate_id: UUID
    """The programme or relationship the command changed."""
    version: int
    """The version it is at after the command: its new ETag."""
    events: tuple[dict[str, Any], ...]
    """The events recorded, each with ``type`` and every field."""

    @classmethod
    def of(cls, recorded: Recorded) -> RecordedDocument:
        return cls(
            id=recorded.id,
            aggregate_id=recorded.aggregate_id,
            version=recorded.version,
            events=tuple(event_document(e) for e in recorded.events),
        )


@attrs.frozen(kw_only=True)
class HistoryDocument:
    """Every event of a programme or relationship the reader may see, in order."""

    aggregate_id: UUID
    version: int
    """The version the history is at (its ETag), counting events the reader may not see."""
    events: tuple[dict[str, Any], ...]


@attrs.frozen(kw_only=True)
class TimelineEntryDocument:
    """One event of a history, told in domain words."""

    version: int
    event_type: str
    occurred_at: datetime
    recorded_at: datetime
    actor: str
    description: str


@attrs.frozen(kw_only=True)
class FeedEvent:
    """One event of the store's log, with the cursor that reads on after it."""

    cursor: str
    """Pass as ``after`` (or as ``Last-Event-ID`` to the stream) to read what follows."""
    event: dict[str, Any]


@attrs.frozen(kw_only=True)
class FeedPage:
    """A page of the event feed."""

    events: tuple[FeedEvent, ...]
    next: str
    """The cursor to read the next page from (the same as ``after`` when nothing is new)."""


@attrs.frozen(kw_only=True)
class DigestDocument:
    """A digest of the store: the proof of its whole history so far (docs/audit.md)."""

    sequence: int
    hash: str
    recorded_at: str


@attrs.frozen(kw_only=True)
class FindingDocument:
    """The first record that breaks the chain."""

    breach: str
    sequence: int | None
    notification_id: int | None
    aggregate_id: UUID | None
    version: int | None
    detail: str


@attrs.frozen(kw_only=True)
class VerificationDocument:
    """The outcome of re-reading the whole hash chain."""

    ok: bool
    records: int
    digest: DigestDocument | None
    finding: FindingDocument | None
