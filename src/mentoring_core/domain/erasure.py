"""Erasing a person's personal data, as a fact recorded on each programme naming them.

Erasure itself happens in the store (the person's data key is destroyed: every field
sealed under it reads as erased); this module decides the fact that records it, who
asked, why and under which rule, so that the audit trail shows it. Importing the
module registers the event type with the programme's decider.
"""

from __future__ import annotations

from collections.abc import Sequence

import attrs

from .context import DecisionContext, event_metadata
from .decider import Changes
from .errors import UnknownPerson
from .events import ProgrammeEvent
from .personal import ErasureRule
from .programme import PROGRAMME, ProgrammeState
from .validation import check_enum, check_label, check_text


@attrs.frozen(kw_only=True)
class PersonalDataErased(ProgrammeEvent):
    """A person's personal data was erased: their data key was destroyed, so every field
    sealed under it now reads as erased. Ids, dates, durations and outcomes stay."""

    person_id: str
    """The person whose personal data was erased (their pseudonymous id stays)."""
    rule: ErasureRule
    """Under which rule: the person's request, or the programme's retention period."""
    reason: str
    """Why, as the data-protection officer records it (a reference, not personal data)."""


def decide_erasure(
    programmes: Sequence[ProgrammeState],
    person_id: str,
    rule: ErasureRule,
    reason: str,
    ctx: DecisionContext,
) -> tuple[PersonalDataErased, ...]:
    """The facts recording the erasure: one on each of ``programmes``, those whose history
    names the person (enrolled, or appointed a coordinator, at some time) or whose records
    hold personal data of theirs (a meeting they cancelled, who need not be enrolled).
    Refused when there is none."""
    person = check_label("person_id", person_id)
    why = check_text("reason", reason)
    under = check_enum("rule", rule, ErasureRule)
    if not programmes:
        raise UnknownPerson(person)
    return tuple(
        PersonalDataErased(
            **event_metadata(ctx, p.programme_id, p.version + 1, None),
            person_id=person,
            rule=under,
            reason=why,
        )
        for p in programmes
        if p.programme_id is not None
    )


def _erased(state: ProgrammeState, event: PersonalDataErased) -> Changes:
    return {}  # the fact is for the audit trail: the programme's state is unchanged


PROGRAMME.folds({PersonalDataErased: _erased})
