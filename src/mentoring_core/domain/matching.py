"""Suggesting mentors for a mentee: a pure ranking of the programme's mentors.

Each enrolled mentor who could be paired with the mentee (not the mentee, no open
relationship with them already) is ranked by, in this order (a mentee who already has
the most mentors the policy allows is refused: no pairing with them would be accepted):

1. free capacity at all: a mentor who already carries the policy's
   ``max_mentees_per_mentor`` open relationships ranks after every mentor with a place free;
2. the experience gap: mentors whose lead over the mentee meets the programme's minimum
   rank before those below it (who could be paired only with a gap override reason);
3. fit: more of the mentee's development needs covered by the mentor's expertise first;
4. load: fewer open relationships carried first (so more places free);
5. the experience gap in years: a larger lead first;
6. the mentor's person id, alphabetically: ties are broken the same way every time.

``docs/cli.md`` ("Matching") states the same rules for people.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

import attrs

from .errors import Rule, RuleViolation
from .programme import Participant, ProgrammeState
from .relationship_state import RelationshipState
from .values import FocusArea, RelationshipStatus, Role

OPEN = (RelationshipStatus.PROPOSED, RelationshipStatus.ACTIVE, RelationshipStatus.PAUSED)
"""The statuses of a relationship that count against the capacity limits."""


@attrs.frozen(kw_only=True)
class MentorSuggestion:
    """One mentor's place in the ranking for a mentee, and why (every figure a field, so
    that the suggestion is its own document)."""

    rank: int
    """1 for the best suggestion, then 2, 3... (no two mentors share a rank)."""
    mentor_id: str
    covered_needs: tuple[FocusArea, ...]
    """The mentee's development needs the mentor has expertise in, in the mentee's order."""
    needs: int
    """How many development needs the mentee has recorded."""
    experience_gap_years: Decimal
    """The mentor's years of experience less the mentee's (may be negative)."""
    minimum_gap_years: Decimal
    """The programme's minimum gap (0 without a policy)."""
    meets_minimum_gap: bool
    open_mentees: int
    """Open (proposed, active or paused) relationships the mentor carries now."""
    capacity: int | None
    """The policy's ``max_mentees_per_mentor``; None: no limit."""
    free_places: int | None
    """Places left under the capacity limit; None: no limit."""
    full: bool
    """No place left: pairing this mentor would be refused."""
    explanation: str
    """Why the mentor ranks where they do, in words and numbers."""


def _plain(years: Decimal) -> Decimal:
    """``years`` without zeros ending its decimals (6.5 - 0.5 is 6, not 6.0; 13.50 is
    13.5), never in exponent notation: as years are given and shown elsewhere."""
    whole = years.to_integral_value()
    return whole.quantize(Decimal(1)) if years == whole else years.normalize()


def _suggestion(
    mentor: Participant, mentee: Participant, minimum: Decimal, open_: int, capacity: int | None
) -> MentorSuggestion:
    covered = tuple(n for n in mentee.development_needs if n in mentor.expertise)
    needs = len(mentee.development_needs)
    gap = _plain(mentor.experience_years - mentee.experience_years)
    free = None if capacity is None else max(capacity - open_, 0)
    if needs == 0:
        fit = "the mentee has no development needs recorded"
    else:
        fit = f"covers {len(covered)} of {needs} needs ({', '.join(covered) or 'none'})"
    gap_words = f"{gap} years more experience"
    if gap >= minimum:
        gap_words += f" (minimum {minimum})"
    else:
        gap_words += f", below the minimum of {minimum} (needs a gap override reason)"
    if capacity is None:
        load = f"carries {open_} mentee(s), no limit"
    elif free == 0:
        load = f"full: carries {open_} of {capacity} mentees"
    else:
        load = f"carries {open_} of {capacity} mentees ({free} free)"
    return MentorSuggestion(
        rank=0,
        mentor_id=mentor.person_id,
        covered_needs=covered,
        needs=needs,
        experience_gap_years=gap,
        minimum_gap_years=minimum,
        meets_minimum_gap=gap >= minimum,
        open_mentees=open_,
        capacity=capacity,
        free_places=free,
        full=free == 0,
        explanation=f"{fit}; {gap_words}; {load}",
    )


def enrolled_as(programme: ProgrammeState, person_id: str, role: Role) -> Participant:
    """The person's active enrolment in ``role``, or the rule it breaks."""
    participant = programme.participant(person_id)
    if participant is None:
        raise RuleViolation(
            Rule.PARTICIPANT_ENROLLED,
            f"{person_id!r} is not enrolled in programme {programme.name!r}",
        )
    if participant.role is not role:
        raise RuleViolation(
            Rule.PARTICIPANT_ROLE,
            f"{person_id!r} is enrolled in programme {programme.name!r} as {participant.role}, "
            f"not as {role}",
        )
    return participant


_LIMITS = {
    Role.MENTOR: ("mentees", "max_mentees_per_mentor", Rule.MENTOR_CAPACITY),
    Role.MENTEE: ("mentors", "max_active_mentors_per_mentee", Rule.MENTEE_MENTORS),
}


def check_limit(programme: ProgrammeState, role: Role, person_id: str, held: Sequence[str]) -> None:
    """The policy's limit of open relationships for a person in ``role``: refused, naming
    the limit and ``held`` (how each open relationship of theirs is named), once they
    hold as many as it allows."""
    policy = programme.policy
    others_are, field, rule = _LIMITS[role]
    limit = None if policy is None else getattr(policy, field)
    if limit is None or len(held) < limit:
        return
    raise RuleViolation(
        rule,
        f"{role} {person_id!r} already has {len(held)} open relationship(s) "
        f"({', '.join(held)}), the most programme {programme.name!r} allows ({limit} "
        f"{others_are} at once); end one or raise {field} in the programme's policy",
    )


def open_relationships(relationships: Sequence[RelationshipState]) -> list[RelationshipState]:
    return [r for r in relationships if r.status in OPEN]


def rank_mentors(
    programme: ProgrammeState, relationships: Sequence[RelationshipState], mentee_id: str
) -> tuple[MentorSuggestion, ...]:
    """Every mentor who could be paired with ``mentee_id``, best first (see the module).

    ``relationships``: the programme's relationships, for the mentors' loads and the pairs
    already open. Refuses a mentee who is not enrolled as one, or who already has the
    most mentors the policy allows (``max_active_mentors_per_mentee``).
    """
    mentee = enrolled_as(programme, mentee_id, Role.MENTEE)
    open_ = open_relationships(relationships)
    mine = [r for r in open_ if r.mentee_id == mentee_id]
    check_limit(programme, Role.MENTEE, mentee_id, [str(r.relationship_id) for r in mine])
    paired = {r.mentor_id for r in mine}
    capacity = None if programme.policy is None else programme.policy.max_mentees_per_mentor
    candidates = [
        _suggestion(
            mentor,
            mentee,
            programme.minimum_experience_gap_years,
            sum(1 for r in open_ if r.mentor_id == mentor.person_id),
            capacity,
        )
        for mentor in programme.participants
        if mentor.active and mentor.role is Role.MENTOR and mentor.person_id not in paired
    ]
    ordered = sorted(
        candidates,
        key=lambda s: (
            s.full,
            not s.meets_minimum_gap,
            -len(s.covered_needs),
            s.open_mentees,
            -s.experience_gap_years,
            s.mentor_id,
        ),
    )
    return tuple(attrs.evolve(s, rank=i) for i, s in enumerate(ordered, start=1))
