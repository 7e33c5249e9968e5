"""Opening a relationship: the exact refusal of each pairing rule and each command field.

Riverside (``scenarios``): Ana (mentor, 12 years), Ben (mentee, 1.5), Carla (mentor,
7), Diego (mentor, 2), Elif (mentee, 4); a mentor needs 3 more years than the mentee.
"""

from __future__ import annotations

from decimal import Decimal

import attrs
import pytest
from scenarios import PROGRAMME_ID, RELATIONSHIP_ID, YESTERDAY, programme_history
from strategies import NOW, decision_context

from mentoring_core import InvalidValue, Rule, RuleViolation
from mentoring_core.domain import commands as cmd
from mentoring_core.domain import decide_pairing, evolve_relationship
from mentoring_core.domain.events import PairFormed, PairingProposed, RelationshipOpened
from mentoring_core.state import ProgrammeState, RelationshipState
from mentoring_core.values import Role

ANA_AND_BEN = cmd.OpenRelationship(
    relationship_id=RELATIONSHIP_ID, mentor_id="ana", mentee_id="ben", direct=True
)


def pair(
    command: cmd.OpenRelationship, programme: ProgrammeState | None = None
) -> tuple[PairFormed | PairingProposed, RelationshipOpened]:
    opening, registered = decide_pairing(
        command,
        programme or programme_history().state,
        RelationshipState(),
        decision_context(first_id=100),
    )
    return opening, registered  # type: ignore[return-value]


def refusal(
    command: cmd.OpenRelationship, programme: ProgrammeState | None = None
) -> RuleViolation:
    with pytest.raises(RuleViolation) as info:
        pair(command, programme)
    return info.value


def invalid(command: cmd.OpenRelationship) -> InvalidValue:
    with pytest.raises(InvalidValue) as info:
        pair(command)
    return info.value


class TestRuleMessages:
    def test_a_gap_below_the_minimum_names_both_people_the_gap_and_the_minimum(self) -> None:
        error = refusal(attrs.evolve(ANA_AND_BEN, mentor_id="diego", mentee_id="elif"))
        assert error.rule is Rule.EXPERIENCE_GAP
        assert error.detail == (
            "mentor 'diego' has 2 years of experience and mentee 'elif' has 4: a gap of -2 "
            "years, below the programme minimum of 3; give an override reason to pair them "
            "anyway"
        )

    def test_a_gap_just_below_the_minimum_is_refused(self) -> None:
        programme = programme_history(
            people=(("ana", Role.MENTOR, Decimal("4.49")), ("ben", Role.MENTEE, Decimal("1.5")))
        ).state
        error = refusal(ANA_AND_BEN, programme)
        assert error.rule is Rule.EXPERIENCE_GAP
        assert "a gap of 2.99 years" in error.detail

    def test_a_mentor_paired_with_herself_is_named(self) -> None:
        error = refusal(attrs.evolve(ANA_AND_BEN, mentee_id="ana"))
        assert (error.rule, error.detail) == (
            Rule.MENTOR_AND_MENTEE_DIFFER,
            "mentor and mentee are both 'ana'",
        )

    def test_a_worker_not_enrolled_is_named_with_the_programme(self) -> None:
        error = refusal(attrs.evolve(ANA_AND_BEN, mentee_id="gus"))
        assert (error.rule, error.detail) == (
            Rule.PARTICIPANT_ENROLLED,
            "'gus' is not enrolled in programme 'Riverside first-year mentoring'",
        )

    def test_a_worker_in_the_other_role_is_named_with_both_roles(self) -> None:
        error = refusal(attrs.evolve(ANA_AND_BEN, mentor_id="elif"))
        assert (error.rule, error.detail) == (
            Rule.PARTICIPANT_ROLE,
            "'elif' is enrolled in programme 'Riverside first-year mentoring' as mentee, "
            "not as mentor",
        )

    def test_a_missing_programme_is_said_to_be_missing(self) -> None:
        error = refusal(ANA_AND_BEN, ProgrammeState())
        assert (error.rule, error.detail) == (
            Rule.PROGRAMME_EXISTS,
            "the programme has not been created",
        )

    def test_an_existing_relationship_is_named_with_its_status(self) -> None:
        opening, _ = pair(ANA_AND_BEN)
        existing = evolve_relationship(RelationshipState(), opening)
        with pytest.raises(RuleViolation) as info:
            decide_pairing(
                ANA_AND_BEN, programme_history().state, existing, decision_context(first_id=100)
            )
        assert (info.value.rule, info.value.detail) == (
            Rule.RELATIONSHIP_ALREADY_STARTED,
            f"relationship {RELATIONSHIP_ID} already exists (active)",
        )


class TestCommandFields:
    def test_ids_of_200_characters_are_accepted(self) -> None:
        mentor, mentee = "m" * 200, "n" * 200
        programme = programme_history(
            people=((mentor, Role.MENTOR, Decimal(10)), (mentee, Role.MENTEE, Decimal(1)))
        ).state
        opening, registered = pair(
            attrs.evolve(ANA_AND_BEN, mentor_id=mentor, mentee_id=mentee), programme
        )
        assert (opening.mentor_id, opening.mentee_id) == (mentor, mentee)
        assert (registered.mentor_id, registered.mentee_id) == (mentor, mentee)

    @pytest.mark.parametrize(
        ("change", "field", "expected"),
        [
            ({"mentor_id": "a" * 201}, "mentor_id", "at most 200 characters, got 201"),
            ({"mentor_id": None}, "mentor_id", "a text"),
            ({"mentee_id": ""}, "mentee_id", "a non-blank text"),
            ({"mentee_id": "ben\tsmith"}, "mentee_id", "a single line without control characters"),
            ({"relationship_id": str(RELATIONSHIP_ID)}, "relationship_id", "a UUID"),
            ({"direct": None}, "direct", "true or false"),
            (
                {"gap_override_reason": "Approved\x00"},
                "gap_override_reason",
                "no control characters other than line breaks and tabs",
            ),
            (
                {"gap_override_reason": "x" * 20_001},
                "gap_override_reason",
                "at most 20000 characters, got 20001",
            ),
            ({"occurred_at": NOW.replace(tzinfo=None)}, "occurred_at", "naive"),
        ],
    )
    def test_a_bad_field_is_refused_and_named(
        self, change: dict[str, object], field: str, expected: str
    ) -> None:
        error = invalid(attrs.evolve(ANA_AND_BEN, **change))
        assert error.field == field
        assert expected in error.expected

    def test_a_bad_field_is_refused_even_when_the_pair_is_wrong_too(self) -> None:
        """Field checks come before the rules that need the people: Gus is not enrolled."""
        error = invalid(attrs.evolve(ANA_AND_BEN, mentor_id="gus", gap_override_reason=" "))
        assert error.field == "gap_override_reason"

    def test_an_override_on_a_sufficient_gap_is_recorded_as_given(self) -> None:
        reason = "Both asked for each other"
        opening, _ = pair(attrs.evolve(ANA_AND_BEN, gap_override_reason=reason))
        assert opening.gap_override_reason == reason

    def test_a_multi_line_override_reason_is_kept(self) -> None:
        reason = "Approved by the lead.\nDiego ran the youth justice team for 10 years."
        opening, _ = pair(
            attrs.evolve(
                ANA_AND_BEN, mentor_id="diego", mentee_id="elif", gap_override_reason=reason
            )
        )
        assert opening.gap_override_reason == reason


class TestBothEvents:
    def test_a_proposal_and_its_record_in_the_programme_share_the_moment(self) -> None:
        programme = programme_history().state
        opening, registered = pair(
            attrs.evolve(ANA_AND_BEN, direct=False, occurred_at=YESTERDAY), programme
        )
        assert opening == PairingProposed(
            event_id=opening.event_id,
            aggregate_id=RELATIONSHIP_ID,
            version=1,
            occurred_at=YESTERDAY,
            recorded_at=NOW,
            actor="coordinator.cleo",
            programme_id=PROGRAMME_ID,
            mentor_id="ana",
            mentee_id="ben",
            mentor_experience_years=Decimal(12),
            mentee_experience_years=Decimal("1.5"),
            gap_override_reason=None,
            suggestion_rank=1,
        )
        assert (registered.aggregate_id, registered.version) == (
            PROGRAMME_ID,
            programme.version + 1,
        )
        assert (registered.occurred_at, registered.recorded_at) == (YESTERDAY, NOW)
        assert registered.relationship_id == RELATIONSHIP_ID
        assert opening.event_id != registered.event_id

    def test_the_experience_recorded_is_the_current_enrolments(self) -> None:
        history = programme_history()
        history.record(cmd.WithdrawParticipant(person_id="ben", reason="Break"))
        history.record(
            cmd.EnrolParticipant(person_id="ben", role=Role.MENTEE, experience_years=Decimal(2))
        )
        opening, _ = pair(ANA_AND_BEN, history.state)
        assert opening.mentee_experience_years == Decimal(2)
