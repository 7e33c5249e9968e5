"""Opening a relationship: who may mentor whom, and the experience-gap rule."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from uuid import UUID

import attrs
import pytest
from hypothesis import given
from scenarios import (
    PROGRAMME_ID,
    RELATIONSHIP_ID,
    programme_history,
    relationship_history,
)
from strategies import NOW, decision_context, experience_years

from mentoring_core import InvalidValue, Rule, RuleViolation
from mentoring_core.domain import commands as cmd
from mentoring_core.domain import decide_pairing, evolve_programme, evolve_relationship
from mentoring_core.domain.events import (
    PairFormed,
    PairingAccepted,
    PairingDeclined,
    PairingProposed,
    RelationshipOpened,
)
from mentoring_core.state import ProgrammeState, RelationshipState
from mentoring_core.values import DeclineReason, RelationshipStatus, Role

FORM_ANA_AND_BEN = cmd.OpenRelationship(
    relationship_id=RELATIONSHIP_ID, mentor_id="ana", mentee_id="ben", direct=True
)


def open_relationship(
    command: cmd.OpenRelationship,
    programme: ProgrammeState | None = None,
    relationship: RelationshipState | None = None,
) -> tuple[PairingProposed | PairFormed, RelationshipOpened]:
    opening, registered = decide_pairing(
        command,
        programme or programme_history().state,
        relationship or RelationshipState(),
        decision_context(first_id=100),
    )
    assert isinstance(opening, PairingProposed | PairFormed)
    assert isinstance(registered, RelationshipOpened)
    return opening, registered


def refused(
    command: cmd.OpenRelationship,
    rule: Rule,
    *named: object,
    programme: ProgrammeState | None = None,
    relationship: RelationshipState | None = None,
) -> RuleViolation:
    with pytest.raises(RuleViolation) as info:
        open_relationship(command, programme, relationship)
    assert info.value.rule is rule, str(info.value)
    for value in named:
        assert str(value) in str(info.value), (value, str(info.value))
    return info.value


def invalid(command: cmd.OpenRelationship, field: str, *named: object) -> InvalidValue:
    with pytest.raises(InvalidValue) as info:
        open_relationship(command)
    assert info.value.field == field, str(info.value)
    for value in named:
        assert str(value) in str(info.value), (value, str(info.value))
    return info.value


class TestFormingAPair:
    def test_a_coordinator_forms_ana_and_ben_directly(self) -> None:
        programme = programme_history().state
        opening, registered = open_relationship(FORM_ANA_AND_BEN, programme)
        assert opening == PairFormed(
            event_id=UUID(int=100),
            aggregate_id=RELATIONSHIP_ID,
            version=1,
            occurred_at=NOW,
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
        assert registered == RelationshipOpened(
            event_id=UUID(int=101),
            aggregate_id=PROGRAMME_ID,
            version=programme.version + 1,
            occurred_at=NOW,
            recorded_at=NOW,
            actor="coordinator.cleo",
            relationship_id=RELATIONSHIP_ID,
            mentor_id="ana",
            mentee_id="ben",
        )

    def test_the_formed_relationship_is_active(self) -> None:
        state = relationship_history().state
        assert state.status is RelationshipStatus.ACTIVE
        assert (state.relationship_id, state.programme_id) == (RELATIONSHIP_ID, PROGRAMME_ID)
        assert (state.mentor_id, state.mentee_id) == ("ana", "ben")
        assert (state.mentor_experience_years, state.mentee_experience_years) == (
            Decimal(12),
            Decimal("1.5"),
        )
        assert state.formed_at == state.proposed_at == NOW - timedelta(days=30)
        assert state.version == 1

    def test_the_programme_lists_its_relationship(self) -> None:
        programme = programme_history()
        relationship_history(programme=programme)
        assert programme.state.relationship_ids == (RELATIONSHIP_ID,)
        assert programme.state.version == 8


class TestProposingAPair:
    def test_a_proposal_waits_for_an_answer(self) -> None:
        opening, _ = open_relationship(attrs.evolve(FORM_ANA_AND_BEN, direct=False))
        assert isinstance(opening, PairingProposed)
        state = evolve_relationship(RelationshipState(), opening)
        assert state.status is RelationshipStatus.PROPOSED
        assert state.formed_at is None

    def test_an_accepted_proposal_is_active(self) -> None:
        history = relationship_history(direct=False)
        (event,) = history.record(cmd.AcceptPairing(accepted_by="ben"))
        assert isinstance(event, PairingAccepted)
        assert (event.accepted_by, event.version) == ("ben", 2)
        assert history.state.status is RelationshipStatus.ACTIVE
        assert history.state.formed_at == NOW

    def test_a_declined_proposal_never_starts(self) -> None:
        history = relationship_history(direct=False)
        (event,) = history.record(
            cmd.DeclinePairing(
                declined_by="ben",
                reason=DeclineReason.SCHEDULE_CONFLICT,
                explanation="Ana's team meets on Ben's days off",
            )
        )
        assert isinstance(event, PairingDeclined)
        declined = history.state.declined
        assert history.state.status is RelationshipStatus.DECLINED
        assert declined is not None
        assert (declined.declined_by, declined.reason, declined.explanation) == (
            "ben",
            DeclineReason.SCHEDULE_CONFLICT,
            "Ana's team meets on Ben's days off",
        )
        assert declined.declined_at == NOW

    @pytest.mark.parametrize(
        "command",
        [
            cmd.AcceptPairing(accepted_by="ben"),
            cmd.DeclinePairing(
                declined_by="ben", reason=DeclineReason.NOT_NEEDED, explanation="Changed my mind"
            ),
        ],
        ids=["accept", "decline"],
    )
    def test_an_answer_needs_a_pending_proposal(self, command: object) -> None:
        relationship_history().refuse(
            command, Rule.PAIRING_PENDING, RELATIONSHIP_ID, "active", "not a pending proposal"
        )

    def test_a_declined_pairing_cannot_be_accepted_later(self) -> None:
        history = relationship_history(direct=False)
        history.record(
            cmd.DeclinePairing(
                declined_by="ana", reason=DeclineReason.MENTOR_CAPACITY, explanation="Full"
            )
        )
        history.refuse(cmd.AcceptPairing(accepted_by="ben"), Rule.PAIRING_PENDING, "declined")

    def test_nothing_else_happens_while_the_proposal_is_pending(self) -> None:
        history = relationship_history(direct=False)
        history.refuse(cmd.PauseRelationship(reason="Leave"), Rule.RELATIONSHIP_ACTIVE, "proposed")

    def test_nothing_happens_to_a_declined_pairing(self) -> None:
        history = relationship_history(direct=False)
        history.record(
            cmd.DeclinePairing(
                declined_by="ben", reason=DeclineReason.PERSONAL_CONFLICT, explanation="Cousins"
            )
        )
        history.refuse(
            cmd.AgreeExpectations(expectations=("Weekly",)),
            Rule.RELATIONSHIP_ACTIVE,
            RELATIONSHIP_ID,
            "declined, not active",
        )

    @pytest.mark.parametrize(
        ("command", "field"),
        [
            (cmd.AcceptPairing(accepted_by=""), "accepted_by"),
            (
                cmd.DeclinePairing(declined_by="ben", reason="busy", explanation="Busy"),
                "reason",
            ),
            (
                cmd.DeclinePairing(
                    declined_by="ben", reason=DeclineReason.OTHER, explanation="\x00"
                ),
                "explanation",
            ),
        ],
    )
    def test_answers_are_checked(self, command: object, field: str) -> None:
        relationship_history(direct=False).reject(command, field)


class TestExperienceGap:
    """Riverside asks a mentor to have at least 3 more years of experience than the mentee."""

    def test_diego_with_two_years_cannot_mentor_elif_with_four(self) -> None:
        error = refused(
            cmd.OpenRelationship(
                relationship_id=RELATIONSHIP_ID, mentor_id="diego", mentee_id="elif", direct=True
            ),
            Rule.EXPERIENCE_GAP,
            "'diego' has 2 years",
            "'elif' has 4",
            "a gap of -2 years",
            "minimum of 3",
        )
        assert "override" in error.detail

    def test_an_override_with_a_reason_is_recorded(self) -> None:
        reason = "Diego worked 10 years in youth justice before joining; approved by the lead"
        history = relationship_history(mentor="diego", mentee="elif", override=reason)
        (opening,) = history.events
        assert isinstance(opening, PairFormed)
        assert opening.gap_override_reason == reason
        assert (opening.mentor_experience_years, opening.mentee_experience_years) == (
            Decimal(2),
            Decimal(4),
        )
        assert history.state.gap_override_reason == reason

    def test_a_proposal_records_the_override_too(self) -> None:
        opening, _ = open_relationship(
            cmd.OpenRelationship(
                relationship_id=RELATIONSHIP_ID,
                mentor_id="carla",
                mentee_id="elif",
                direct=False,
                gap_override_reason="Carla knows the rural teams",
            )
        )
        assert isinstance(opening, PairingProposed)
        assert opening.gap_override_reason == "Carla knows the rural teams"

    @pytest.mark.parametrize("reason", ["", "   ", 42])
    def test_an_override_needs_a_real_reason(self, reason: object) -> None:
        invalid(
            cmd.OpenRelationship(
                relationship_id=RELATIONSHIP_ID,
                mentor_id="diego",
                mentee_id="elif",
                direct=True,
                gap_override_reason=reason,
            ),
            "gap_override_reason",
        )

    def test_exactly_the_minimum_gap_is_enough(self) -> None:
        carla_and_elif = cmd.OpenRelationship(
            relationship_id=RELATIONSHIP_ID, mentor_id="carla", mentee_id="elif", direct=True
        )
        opening, _ = open_relationship(carla_and_elif)
        assert opening.gap_override_reason is None
        assert opening.mentor_experience_years - opening.mentee_experience_years == Decimal(3)

    def test_without_a_policy_a_mentor_needs_at_least_the_mentees_experience(self) -> None:
        programme = programme_history(
            policy=None,
            people=(
                ("diego", Role.MENTOR, Decimal(2)),
                ("elif", Role.MENTEE, Decimal(4)),
                ("farah", Role.MENTEE, Decimal(2)),
            ),
        ).state
        diego_and_elif = cmd.OpenRelationship(
            relationship_id=RELATIONSHIP_ID, mentor_id="diego", mentee_id="elif", direct=True
        )
        refused(diego_and_elif, Rule.EXPERIENCE_GAP, "minimum of 0", programme=programme)
        opening, _ = open_relationship(attrs.evolve(diego_and_elif, mentee_id="farah"), programme)
        assert opening.gap_override_reason is None

    @given(mentor_years=experience_years(), mentee_years=experience_years())
    def test_a_pairing_is_refused_exactly_when_the_gap_is_below_the_minimum(
        self, mentor_years: Decimal, mentee_years: Decimal
    ) -> None:
        programme = programme_history(
            people=(("ana", Role.MENTOR, mentor_years), ("ben", Role.MENTEE, mentee_years))
        ).state
        try:
            opening, _ = open_relationship(FORM_ANA_AND_BEN, programme)
        except RuleViolation as error:
            assert error.rule is Rule.EXPERIENCE_GAP
            assert mentor_years - mentee_years < Decimal(3)
        else:
            assert mentor_years - mentee_years >= Decimal(3)
            assert opening.mentor_experience_years == mentor_years


class TestWhoMayBePaired:
    def test_the_programme_must_exist(self) -> None:
        refused(
            FORM_ANA_AND_BEN,
            Rule.PROGRAMME_EXISTS,
            "has not been created",
            programme=ProgrammeState(),
        )

    def test_a_relationship_is_opened_once(self) -> None:
        existing = relationship_history().state
        refused(
            FORM_ANA_AND_BEN,
            Rule.RELATIONSHIP_ALREADY_STARTED,
            RELATIONSHIP_ID,
            "active",
            relationship=existing,
        )

    def test_another_programme_s_relationship_id_is_refused_without_its_status(self) -> None:
        existing = attrs.evolve(relationship_history().state, programme_id=UUID(int=99))
        error = refused(
            FORM_ANA_AND_BEN,
            Rule.RELATIONSHIP_ALREADY_STARTED,
            f"relationship id {RELATIONSHIP_ID} is already in use",
            relationship=existing,
        )
        assert "active" not in str(error) and str(UUID(int=99)) not in str(error)

    def test_nobody_mentors_themselves(self) -> None:
        refused(
            attrs.evolve(FORM_ANA_AND_BEN, mentee_id="ana"),
            Rule.MENTOR_AND_MENTEE_DIFFER,
            "both 'ana'",
        )

    def test_the_mentor_must_be_enrolled(self) -> None:
        refused(
            attrs.evolve(FORM_ANA_AND_BEN, mentor_id="gus"),
            Rule.PARTICIPANT_ENROLLED,
            "'gus' is not enrolled",
            "'Riverside first-year mentoring'",
        )

    def test_the_mentee_must_be_enrolled(self) -> None:
        refused(
            attrs.evolve(FORM_ANA_AND_BEN, mentee_id="hana"),
            Rule.PARTICIPANT_ENROLLED,
            "'hana' is not enrolled",
        )

    def test_a_withdrawn_worker_cannot_be_paired(self) -> None:
        programme = programme_history()
        programme.record(cmd.WithdrawParticipant(person_id="ben", reason="Left the service"))
        refused(FORM_ANA_AND_BEN, Rule.PARTICIPANT_ENROLLED, "'ben'", programme=programme.state)

    def test_a_mentee_cannot_mentor(self) -> None:
        refused(
            attrs.evolve(FORM_ANA_AND_BEN, mentor_id="elif"),
            Rule.PARTICIPANT_ROLE,
            "'elif'",
            "as mentee, not as mentor",
        )

    def test_a_mentor_cannot_be_mentored(self) -> None:
        refused(
            attrs.evolve(FORM_ANA_AND_BEN, mentee_id="carla"),
            Rule.PARTICIPANT_ROLE,
            "'carla'",
            "as mentor, not as mentee",
        )

    @pytest.mark.parametrize(
        ("change", "field"),
        [
            ({"relationship_id": "r-1"}, "relationship_id"),
            ({"relationship_id": None}, "relationship_id"),
            ({"mentor_id": ""}, "mentor_id"),
            ({"mentor_id": "ana\n"}, "mentor_id"),
            ({"mentee_id": "b" * 201}, "mentee_id"),
            ({"direct": "yes"}, "direct"),
            ({"direct": 1}, "direct"),
            ({"occurred_at": NOW + timedelta(minutes=5)}, "occurred_at"),
        ],
    )
    def test_the_command_is_checked(self, change: dict[str, object], field: str) -> None:
        invalid(attrs.evolve(FORM_ANA_AND_BEN, **change), field)


class TestPairingIsPure:
    def test_the_same_inputs_give_equal_events(self) -> None:
        programme = programme_history().state
        first = decide_pairing(FORM_ANA_AND_BEN, programme, RelationshipState(), decision_context())
        second = decide_pairing(
            FORM_ANA_AND_BEN, programme, RelationshipState(), decision_context()
        )
        assert first == second
        assert first[0].event_id != first[1].event_id

    def test_both_events_fold_into_their_aggregates(self) -> None:
        programme = programme_history()
        opening, registered = open_relationship(FORM_ANA_AND_BEN, programme.state)
        after = evolve_programme(programme.state, registered)
        assert after.relationship_ids == (RELATIONSHIP_ID,)
        assert evolve_relationship(RelationshipState(), opening).version == 1
