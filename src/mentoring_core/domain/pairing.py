"""Opening a relationship: the rules of pairing, which need the programme's state."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from .commands import OpenRelationship
from .context import DecisionContext, event_metadata
from .errors import InvalidValue, Rule, RuleViolation
from .events import Event, PairFormed, PairingProposed, RelationshipOpened
from .matching import OPEN, check_limit, enrolled_as, rank_mentors
from .programme import Participant, ProgrammeState
from .relationship_state import RelationshipState
from .validation import (
    check_bool,
    check_label,
    check_optional_text,
    check_optional_uuid,
    check_uuid,
)
from .values import Role


def _check_opening_date(
    what: str, at: datetime, programme: ProgrammeState, *people: Participant
) -> None:
    """A pair cannot be proposed or formed before the programme or either enrolment."""
    facts = [(programme.created_at, f"programme {programme.name!r} was created")]
    facts += [(p.enrolled_at, f"{p.person_id!r} was enrolled") for p in people]
    for earliest, fact in facts:
        if earliest is not None and at < earliest:
            raise RuleViolation(
                Rule.TIMELINE,
                f"{what} dated {at.isoformat()} is before {fact} on {earliest.isoformat()}; "
                f"allowed from {max(e for e, _ in facts if e is not None).isoformat()} on",
            )


def _open_from(
    others: Sequence[RelationshipState], at: datetime
) -> list[tuple[RelationshipState, str]]:
    """The relationships open at ``at`` or at any time after it (open now, or ended or
    declined after ``at``), each with how a refusal names it: a relationship opened at
    ``at`` would be open alongside each of them."""
    found = []
    for r in others:
        if r.status in OPEN:
            found.append((r, str(r.relationship_id)))
            continue
        closed = r.closed_at
        if closed is not None and closed > at:
            until = f"open until it {r.status} on {closed.isoformat()}"
            found.append((r, f"{r.relationship_id} ({until})"))
    return found


def _check_capacity(
    programme: ProgrammeState,
    mentor_id: str,
    mentee_id: str,
    others: Sequence[RelationshipState],
    at: datetime,
) -> None:
    """No second relationship of the same pair open alongside the new one; the policy's
    limits per person, counting the relationships open at the opening's date ``at`` or
    after it (a pairing dated back inside an ended one would overlap it).

    ``others`` are the programme's relationships: the service loads them, since only
    they know whether they are still open (the programme records their opening, not
    their answers or endings). Two pairings decided at once both write the programme
    (``RelationshipOpened``), so the second is refused as a concurrency conflict and
    decided again: the limits cannot be overrun by a race.
    """
    open_ = _open_from(others, at)
    for r, named in open_:
        if (r.mentor_id, r.mentee_id) != (mentor_id, mentee_id):
            continue
        if r.status in OPEN:
            raise RuleViolation(
                Rule.PAIR_ALREADY_OPEN,
                f"mentor {mentor_id!r} and mentee {mentee_id!r} already have an open "
                f"relationship, {r.relationship_id} ({r.status}); end it before pairing "
                "them again",
            )
        raise RuleViolation(
            Rule.PAIR_ALREADY_OPEN,
            f"mentor {mentor_id!r} and mentee {mentee_id!r} already have an open "
            f"relationship at the pairing's date, {named}; the pairing is dated "
            f"{at.isoformat()}: date it from the first one's end on",
        )
    for role, person in ((Role.MENTOR, mentor_id), (Role.MENTEE, mentee_id)):
        held = [
            n for r, n in open_ if (r.mentor_id if role is Role.MENTOR else r.mentee_id) == person
        ]
        check_limit(programme, role, person, held)


def _check_gap(
    programme: ProgrammeState, mentor: Participant, mentee: Participant, override: str | None
) -> None:
    """The programme's minimum experience gap, unless an override reason is given."""
    gap = mentor.experience_years - mentee.experience_years
    minimum = programme.minimum_experience_gap_years
    if gap < minimum and override is None:
        raise RuleViolation(
            Rule.EXPERIENCE_GAP,
            f"mentor {mentor.person_id!r} has {mentor.experience_years} years of experience "
            f"and mentee {mentee.person_id!r} has {mentee.experience_years}: a gap of {gap} "
            f"years, below the programme minimum of {minimum}; give an override reason to "
            "pair them anyway",
        )


def _allowed_rank(
    programme: ProgrammeState,
    mentor: Participant,
    mentee: Participant,
    override: str | None,
    others: Sequence[RelationshipState],
    at: datetime,
) -> int:
    """The gap and capacity rules, then the mentor's rank among the suggestions for the
    mentee (recorded on the opening)."""
    _check_gap(programme, mentor, mentee, override)
    _check_capacity(programme, mentor.person_id, mentee.person_id, others, at)
    ranking = rank_mentors(programme, others, mentee.person_id)
    return next(s.rank for s in ranking if s.mentor_id == mentor.person_id)


def _check_new(relationship: RelationshipState, programme: ProgrammeState) -> None:
    """The relationship must not exist yet; one of another programme is not described
    (its status is not the caller's to see)."""
    if not relationship.exists:
        return
    if relationship.programme_id != programme.programme_id:
        raise RuleViolation(
            Rule.RELATIONSHIP_ALREADY_STARTED,
            f"relationship id {relationship.relationship_id} is already in use; give another "
            "(or none, for a new one)",
        )
    raise RuleViolation(
        Rule.RELATIONSHIP_ALREADY_STARTED,
        f"relationship {relationship.relationship_id} already exists ({relationship.status})",
    )


def decide_pairing(
    command: OpenRelationship,
    programme: ProgrammeState,
    relationship: RelationshipState,
    ctx: DecisionContext,
    others: Sequence[RelationshipState] = (),
) -> tuple[Event, ...]:
    """The first event of a new relationship and the programme's record of it.

    Both must be stored together (one transaction), so that a programme always
    knows all its relationships. ``others``: the programme's relationships so far, for
    the capacity and duplicate rules (the service passes them all).
    """
    if not programme.exists or programme.programme_id is None:
        raise RuleViolation(Rule.PROGRAMME_EXISTS, "the programme has not been created")
    _check_new(relationship, programme)
    named = check_optional_uuid("programme_id", command.programme_id)
    if named is not None and named != programme.programme_id:
        raise InvalidValue(
            "programme_id", named, f"the programme decided on, {programme.programme_id}"
        )
    relationship_id = check_uuid("relationship_id", command.relationship_id)
    mentor_id = check_label("mentor_id", command.mentor_id)
    mentee_id = check_label("mentee_id", command.mentee_id)
    override = check_optional_text("gap_override_reason", command.gap_override_reason)
    overrode = check_optional_text("suggestion_override_reason", command.suggestion_override_reason)
    if mentor_id == mentee_id:
        raise RuleViolation(
            Rule.MENTOR_AND_MENTEE_DIFFER, f"mentor and mentee are both {mentor_id!r}"
        )
    mentor = enrolled_as(programme, mentor_id, Role.MENTOR)
    mentee = enrolled_as(programme, mentee_id, Role.MENTEE)
    opening_class = PairFormed if check_bool("direct", command.direct) else PairingProposed
    meta = event_metadata(ctx, relationship_id, 1, command.occurred_at)
    _check_opening_date(opening_class.__name__, meta["occurred_at"], programme, mentor, mentee)
    rank = _allowed_rank(programme, mentor, mentee, override, others, meta["occurred_at"])
    opening = opening_class(
        **meta,
        programme_id=programme.programme_id,
        mentor_id=mentor_id,
        mentee_id=mentee_id,
        mentor_experience_years=mentor.experience_years,
        mentee_experience_years=mentee.experience_years,
        gap_override_reason=override,
        suggestion_rank=rank,
        suggestion_override_reason=overrode,
    )
    registered = RelationshipOpened(
        **event_metadata(ctx, programme.programme_id, programme.version + 1, command.occurred_at),
        relationship_id=relationship_id,
        mentor_id=mentor_id,
        mentee_id=mentee_id,
    )
    return (opening, registered)
