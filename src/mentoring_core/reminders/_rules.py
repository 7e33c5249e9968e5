"""Which reminders are owed: pure, from what is due, the relationships' last meetings,
the clock and the reminders already issued (``docs/cli.md``, "Reminders").

A reminder's id is derived from the person, the reason and the due item, so the same
item never gives the same person two reminders for the same reason, however often and
in whatever order the rules are asked; a new due date (a meeting held moves the next
one) is a new item.
"""

from __future__ import annotations

from collections.abc import Container, Iterable, Mapping
from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid5

import attrs

from ..domain.events import ReminderIssued
from ..domain.relationship_state import RelationshipState
from ..domain.values import MeetingOutcome, RelationshipStatus, ReminderReason
from ..reports import DueItem, dated_day
from ..reports._due import window_end

NAMESPACE = UUID("5d0c4a52-8a53-4b7e-9d0e-6f1f4c1b2a77")
"""The UUID namespace of reminder ids (a uuid5 of the reminder's key)."""

QUIET_ITEM = "relationship"
"""The item a reminder of a quiet relationship is about."""


@attrs.frozen(kw_only=True)
class Quiet:
    """An active relationship and when its mentor and mentee last met (or were paired)."""

    programme_id: UUID
    relationship_id: UUID
    mentor_id: str
    mentee_id: str
    last_met: datetime


@attrs.frozen(kw_only=True)
class Reminder:
    """One reminder owed to one person."""

    reminder_id: UUID
    person_id: str
    reason: ReminderReason
    programme_id: UUID
    relationship_id: UUID
    item: str
    """What is due (a ``DueKind`` value), or ``relationship`` when it is quiet."""
    due: datetime
    """When it is (or was) due, UTC; for a quiet relationship, when it became quiet."""


def reminder_id(
    person_id: str,
    reason: ReminderReason,
    relationship_id: UUID,
    item: str,
    due: datetime,
    what: str = "",
) -> UUID:
    """The stable id of the reminder to ``person_id`` for ``reason`` about one due item
    (``what`` tells two items of one kind and date apart: a goal's, activity's or
    milestone's id, a meeting's or review's cadence; never a personal text, whose hash
    anyone holding the store could confirm a guess against)."""
    moment = due.astimezone(UTC).isoformat()
    key = "\x1f".join((person_id, reason.value, str(relationship_id), item, moment, what))
    return uuid5(NAMESPACE, key)


def quiet(states: Iterable[RelationshipState]) -> tuple[Quiet, ...]:
    """The active relationships with when their pair last met: their latest meeting
    held, else when they were paired."""
    found = []
    for state in states:
        if state.status is not RelationshipStatus.ACTIVE or state.relationship_id is None:
            continue
        held = [m.occurred_at for m in state.meetings if m.outcome is MeetingOutcome.HELD]
        since = max(held, default=state.formed_at)
        if since is None or state.programme_id is None:
            continue
        found.append(
            Quiet(
                programme_id=state.programme_id,
                relationship_id=state.relationship_id,
                mentor_id=state.mentor_id,
                mentee_id=state.mentee_id,
                last_met=since,
            )
        )
    return tuple(found)


def _issued_by_text(
    source: DueItem | Quiet, person: str, reason: ReminderReason, already: Container[UUID]
) -> bool:
    """Whether a dated item's reminder was issued under the id earlier releases gave
    it, from the item's text (its title or description) where its id now stands."""
    if not isinstance(source, DueItem) or source.item_id is None:
        return False
    by_text = reminder_id(
        person, reason, source.relationship_id, source.kind.value, source.due, source.what
    )
    return by_text in already


def _told_apart_by(item: DueItem) -> str:
    """What a due item's reminder id holds beyond its kind and date: a dated item's id;
    a meeting's agreed cadence, else its ``what`` (as every release named it, though its
    ``what`` is now the policy's cadence when both are in force: an id issued stays
    issued); a review's ``what``."""
    if item.item_id is not None:
        return str(item.item_id)
    return item.agreed_cadence or item.what


def owed(
    items: Iterable[DueItem],
    relationships: Iterable[Quiet],
    *,
    now: datetime,
    within_days: int,
    quiet_days: int | None,
    already: Container[UUID] = frozenset(),
) -> tuple[Reminder, ...]:
    """The reminders owed now, each once, none of ``already`` (the ids issued before).

    To the mentor and the mentee of each item: ``overdue`` once it is overdue, ``due
    soon`` when it falls due within ``within_days`` days; ``quiet`` when they have not
    met for ``quiet_days`` days (None: never). In the order of ``items``, then the quiet
    relationships.
    """
    until = window_end(now, within_days)
    candidates: list[tuple[DueItem | Quiet, ReminderReason, str, datetime, str]] = []
    for item in items:
        if item.overdue or item.due <= until:
            reason = ReminderReason.OVERDUE if item.overdue else ReminderReason.DUE_SOON
            what = _told_apart_by(item)
            candidates.append((item, reason, item.kind.value, item.due, what))
    if quiet_days is not None:
        period = timedelta(days=quiet_days)
        for pair in relationships:
            became = pair.last_met.astimezone(UTC) + period
            if became <= now:
                candidates.append((pair, ReminderReason.QUIET, QUIET_ITEM, became, ""))
    chosen: dict[UUID, Reminder] = {}
    for source, reason, item_kind, due, what in candidates:
        for person in (source.mentor_id, source.mentee_id):
            rid = reminder_id(person, reason, source.relationship_id, item_kind, due, what)
            if rid in already or rid in chosen or _issued_by_text(source, person, reason, already):
                continue
            chosen[rid] = Reminder(
                reminder_id=rid,
                person_id=person,
                reason=reason,
                programme_id=source.programme_id,
                relationship_id=source.relationship_id,
                item=item_kind,
                due=due.astimezone(UTC),
            )
    return tuple(chosen.values())


@attrs.frozen(kw_only=True)
class Notice:
    """What a notifier sends: one issued reminder, to one person."""

    reminder_id: UUID
    """The id the receiver sees, the same on every attempt (so it can drop a repeat)."""
    person_id: str
    address: str | None
    """The contact recorded when the person was enrolled, if any."""
    subject: str
    text: str
    payload: Mapping[str, object]
    """The reminder as JSON-safe values (a webhook's body)."""


_SAYS = {
    ReminderReason.DUE_SOON: "is due",
    ReminderReason.OVERDUE: "is overdue: it was due",
    ReminderReason.QUIET: "has been quiet: no meeting held since",
}


def notice(
    issued: ReminderIssued,
    *,
    programme_name: str,
    mentor_id: str,
    mentee_id: str,
    address: str | None,
) -> Notice:
    """The message for an issued reminder, built from the recorded fact alone (and the
    pair's ids), so that sending it again sends the same message."""
    due = issued.due.astimezone(UTC)
    quiet_since = issued.reason is ReminderReason.QUIET
    subject_of = (
        f"your relationship ({mentor_id} mentoring {mentee_id})"
        if quiet_since
        else f"A {issued.item} in your relationship ({mentor_id} mentoring {mentee_id})"
    )
    day = dated_day(issued.item, due)  # what is due: its day; a quiet pair: a moment
    when = f"{due:%Y-%m-%d %H:%M} UTC" if day is None else day.isoformat()
    said = when if day is None else f"on {day.isoformat()} (by the end of that day, UTC)"
    text = (
        f"Hello {issued.person_id},\n\n"
        f"{subject_of[0].upper()}{subject_of[1:]} in {programme_name} "
        f"{_SAYS[issued.reason]} {said}.\n\n"
        f"Reminder {issued.reminder_id}\n"
    )
    return Notice(
        reminder_id=issued.reminder_id,
        person_id=issued.person_id,
        address=address,
        subject=f"Reminder ({issued.reason.value}): {issued.item}, {when}",
        text=text,
        payload={
            "type": "reminder",
            "reminder_id": str(issued.reminder_id),
            "person_id": issued.person_id,
            "reason": issued.reason.value,
            "item": issued.item,
            "due": due.isoformat(),
            "programme_id": str(issued.aggregate_id),
            "relationship_id": str(issued.relationship_id),
            "mentor_id": mentor_id,
            "mentee_id": mentee_id,
        },
    )
