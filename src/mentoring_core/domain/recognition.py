"""Recognition of mentors' time: ``MentorRecognised``, recorded on the programme by a
coordinator (an allowance, time in lieu, a certificate...) and shown in the mentor-time
report (``docs/reports.md``, "Mentors' time")."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from .commands import RecogniseMentor
from .decider import Changes, Events, Meta
from .errors import InvalidValue, Rule, RuleViolation, out_of_time
from .events import MentorRecognised
from .programme import PROGRAMME, ProgrammeState, with_active
from .validation import check_date, check_enum, check_hundredths, check_label, check_text
from .values import RecognitionKind, Role

QUANTITY_MAX = Decimal(10_000_000)
"""The largest amount or number of hours one recognition records."""

_NEEDS = {RecognitionKind.ALLOWANCE: "amount", RecognitionKind.TIME_IN_LIEU: "hours"}
"""The quantity each kind must state; no other kind states it."""
_TAKEN_BY = {field: kind for kind, field in _NEEDS.items()}
"""The one kind that states each quantity."""


def _quantity(field: str, value: object) -> Decimal | None:
    """None, or a number from 0 to :data:`QUANTITY_MAX` with at most two decimal places."""
    if value is None:
        return None
    expected = f"a number from 0 to {QUANTITY_MAX} with at most two decimal places"
    return check_hundredths(field, value, QUANTITY_MAX, expected)


def _recognise(command: RecogniseMentor, state: ProgrammeState, meta: Meta) -> Events:
    person_id = check_label("person_id", command.person_id)
    if not any(p.person_id == person_id and p.role is Role.MENTOR for p in state.participants):
        raise RuleViolation(
            Rule.MENTOR_ENROLLED,
            f"{person_id!r} has never been enrolled as a mentor in programme {state.name!r}",
        )
    kind = check_enum("kind", command.kind, RecognitionKind)
    start = check_date("period_start", command.period_start)
    end = check_date("period_end", command.period_end)
    if end < start:
        raise InvalidValue("period_end", end, f"a day not before the period's first day ({start})")
    _check_enrolled_during(state, person_id, start, end, meta["occurred_at"])
    amount, hours = _quantities(kind, command)
    return (
        MentorRecognised(
            **meta,
            person_id=person_id,
            kind=kind,
            period_start=start,
            period_end=end,
            reason=check_text("reason", command.reason),
            amount=amount,
            hours=hours,
        ),
    )


def _quantities(
    kind: RecognitionKind, command: RecogniseMentor
) -> tuple[Decimal | None, Decimal | None]:
    """The amount and the hours recognised: the quantity ``kind`` needs is stated, one it
    does not take (it belongs to another kind) is not, and each is a valid quantity."""
    given = {"amount": command.amount, "hours": command.hours}
    needed = _NEEDS.get(kind)
    if needed is not None and given[needed] is None:
        raise InvalidValue(needed, None, f"the {needed} of the {kind} recognised")
    for field, value in given.items():
        if value is not None and _TAKEN_BY[field] is not kind:
            raise InvalidValue(
                field,
                value,
                f"none for a recognition of kind {kind} (only {_TAKEN_BY[field]} states {field})",
            )
    return _quantity("amount", command.amount), _quantity("hours", command.hours)


def _check_enrolled_during(
    state: ProgrammeState, person_id: str, start: date, end: date, at: datetime
) -> None:
    """The whole period lies within one of the person's enrolments as a mentor up to the
    recognition's date ``at``, by day (from the day enrolled to the day withdrawn, or to
    the day of ``at``): time already given as a mentor of the programme, not time before
    they joined, after they left or still to come."""
    windows = [
        (p.enrolled_at.date(), min(p.withdrawn_at or at, at).date())
        for p in state.participants
        if p.person_id == person_id and p.role is Role.MENTOR and p.enrolled_at <= at
    ]
    if any(first <= start and end <= last for first, last in windows):
        return
    allowed = " or ".join(f"{first} to {last}" for first, last in windows)
    raise out_of_time(
        "RecogniseMentor",
        at,
        f"for {start} to {end} falls outside the enrolments of {person_id!r} as a mentor in "
        f"programme {state.name!r} up to that date",
        f"a period within {allowed}" if allowed else _first_enrolled(state, person_id),
    )


def _first_enrolled(state: ProgrammeState, person_id: str) -> str:
    """When a recognition of ``person_id`` may first be dated: their first enrolment as a
    mentor (the caller knows there is one)."""
    first = min(
        p.enrolled_at
        for p in state.participants
        if p.person_id == person_id and p.role is Role.MENTOR
    )
    return f"a recognition dated from {first.isoformat()} on"


def _recognised(state: ProgrammeState, event: MentorRecognised) -> Changes:
    """The programme's state keeps no recognitions (the reports fold them from the events),
    only the latest first day recognised while the person's enrolment lasts, which their
    withdrawal may not precede (``Participant.recognised_from``): the period's first day,
    or the recognition's own if later (a period begun after it, recorded before the rule
    refused one, holds a withdrawal back to the recognition's date, not years ahead)."""
    enrolled = state.participant(event.person_id)
    if enrolled is None:
        return {}
    first = min(event.period_start, event.occurred_at.date())
    latest = enrolled.recognised_from
    if latest is not None and latest >= first:
        return {}
    return with_active(state, event.person_id, recognised_from=first)


PROGRAMME.handles({RecogniseMentor: _recognise})
PROGRAMME.folds({MentorRecognised: _recognised})
