"""Every field of the programme commands, at the edges of what it accepts.

Riverside's programme (``scenarios``) is created, given a policy and enrols its
workers; each field of those commands is checked before anything is recorded: the
last value accepted is recorded as given, the first one past it is refused with an
``InvalidValue`` naming the field, and nothing is recorded.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from uuid import UUID

import attrs
import pytest
from scenarios import POLICY, PROGRAMME_ID, YESTERDAY, History, programme_history
from strategies import NOW, decision_context

from mentoring_core import Rule
from mentoring_core.domain import commands as cmd
from mentoring_core.domain import decide_programme, evolve_programme
from mentoring_core.domain._collections import find, replace_where
from mentoring_core.state import ProgrammeState
from mentoring_core.values import Cadence, CadenceKind, CadenceTier, Role

CREATE = cmd.CreateProgramme(
    programme_id=PROGRAMME_ID, name="Riverside first-year mentoring", organisation="Riverside"
)


def created() -> History:
    history = History(decide_programme, evolve_programme, ProgrammeState(), decision_context())
    history.record(CREATE)
    return history


def policy_with(*tiers: CadenceTier, **change: object) -> cmd.SetPolicy:
    return cmd.SetPolicy(policy=attrs.evolve(POLICY, cadence=tiers or POLICY.cadence, **change))


class TestCreating:
    def test_an_organisation_name_of_500_characters_is_accepted(self) -> None:
        history = History(decide_programme, evolve_programme, ProgrammeState(), decision_context())
        (event,) = history.record(attrs.evolve(CREATE, organisation="O" * 500))
        assert event.organisation == "O" * 500
        assert history.state.organisation == "O" * 500

    def test_an_organisation_name_of_501_characters_is_refused(self) -> None:
        history = History(decide_programme, evolve_programme, ProgrammeState(), decision_context())
        history.reject(
            attrs.evolve(CREATE, organisation="O" * 501),
            "organisation",
            "at most 500 characters, got 501",
        )

    def test_a_second_creation_is_refused_naming_the_id_in_use(self) -> None:
        error = created().refuse(
            attrs.evolve(CREATE, name="Another name"), Rule.PROGRAMME_ALREADY_CREATED
        )
        assert error.detail == (
            f"programme id {PROGRAMME_ID} is already in use; give another (or none, for a new one)"
        )


class TestCadenceTiers:
    def test_the_first_tier_may_end_on_day_1(self) -> None:
        command = policy_with(
            CadenceTier(cadence=Cadence.weekly(), until_age_days=1),
            CadenceTier(cadence=Cadence.monthly()),
        )
        (event,) = created().record(command)
        assert event.policy.cadence[0].until_age_days == 1

    def test_a_tier_ending_on_day_0_is_refused(self) -> None:
        created().reject(
            policy_with(
                CadenceTier(cadence=Cadence.weekly(), until_age_days=0),
                CadenceTier(cadence=Cadence.monthly()),
            ),
            "policy.cadence[0].until_age_days",
            "a whole number from 1 to 3660",
        )

    def test_a_tier_may_end_on_day_3660_but_not_later(self) -> None:
        last = CadenceTier(cadence=Cadence.monthly())
        (event,) = created().record(
            policy_with(CadenceTier(cadence=Cadence.weekly(), until_age_days=3660), last)
        )
        assert event.policy.cadence[0].until_age_days == 3660
        created().reject(
            policy_with(CadenceTier(cadence=Cadence.weekly(), until_age_days=3661), last),
            "policy.cadence[0].until_age_days",
            "3661",
            "from 1 to 3660",
        )

    def test_each_tier_ends_at_least_a_day_after_the_one_before(self) -> None:
        tiers = (
            CadenceTier(cadence=Cadence.weekly(), until_age_days=28),
            CadenceTier(cadence=Cadence.fortnightly(), until_age_days=29),
            CadenceTier(cadence=Cadence.every(21), until_age_days=30),
            CadenceTier(cadence=Cadence.monthly()),
        )
        (event,) = created().record(policy_with(*tiers))
        assert event.policy.cadence == tiers
        created().reject(
            policy_with(tiers[0], attrs.evolve(tiers[1], until_age_days=27), tiers[3]),
            "policy.cadence[1].until_age_days",
            "from 29 to 3660",
        )

    def test_a_single_open_ended_tier_is_a_whole_policy(self) -> None:
        (event,) = created().record(policy_with(CadenceTier(cadence=Cadence.monthly())))
        assert event.policy.cadence == (CadenceTier(cadence=Cadence.monthly()),)

    def test_a_tier_needs_a_cadence(self) -> None:
        error = created().reject(
            policy_with(CadenceTier(cadence="weekly")), "policy.cadence[0].cadence"
        )
        assert (error.value, error.expected) == ("weekly", "a Cadence")

    def test_a_tier_must_be_a_cadence_tier(self) -> None:
        error = created().reject(
            policy_with(
                CadenceTier(cadence=Cadence.weekly(), until_age_days=28), Cadence.monthly()
            ),
            "policy.cadence[1]",
        )
        assert (error.value, error.expected) == (Cadence.monthly(), "a CadenceTier")

    def test_the_last_tier_is_open_ended(self) -> None:
        error = created().reject(
            policy_with(
                CadenceTier(cadence=Cadence.weekly(), until_age_days=28),
                CadenceTier(cadence=Cadence.monthly(), until_age_days=365),
            ),
            "policy.cadence[1].until_age_days",
        )
        assert (error.value, error.expected) == (
            365,
            "no end for the last tier, which holds from then on",
        )

    def test_a_policy_must_be_a_programme_policy(self) -> None:
        error = created().reject(cmd.SetPolicy(policy={"cadence": "weekly"}), "policy")
        assert (error.value, error.expected) == ({"cadence": "weekly"}, "a ProgrammePolicy")

    @pytest.mark.parametrize("days", [1, 366])
    def test_every_n_days_may_be_from_1_to_366(self, days: int) -> None:
        (event,) = created().record(policy_with(CadenceTier(cadence=Cadence.every(days))))
        assert event.policy.cadence[0].cadence == Cadence(
            kind=CadenceKind.EVERY_N_DAYS, every_days=days
        )

    @pytest.mark.parametrize("days", [367, None, "7"])
    def test_every_n_days_outside_1_to_366_is_refused(self, days: object) -> None:
        created().reject(
            policy_with(
                CadenceTier(cadence=Cadence(kind=CadenceKind.EVERY_N_DAYS, every_days=days))
            ),
            "policy.cadence[0].cadence.every_days",
            "a whole number from 1 to 366",
        )

    @pytest.mark.parametrize("kind", [CadenceKind.FORTNIGHTLY, CadenceKind.MONTHLY])
    def test_a_named_cadence_takes_no_number_of_days(self, kind: CadenceKind) -> None:
        error = created().reject(
            policy_with(CadenceTier(cadence=Cadence(kind=kind, every_days=14))),
            "policy.cadence[0].cadence.every_days",
            f"nothing for a {kind} cadence",
        )
        assert error.value == 14

    def test_a_later_tier_is_named_by_its_position(self) -> None:
        created().reject(
            policy_with(
                CadenceTier(cadence=Cadence.weekly(), until_age_days=90),
                CadenceTier(cadence=Cadence(kind=CadenceKind.MONTHLY, every_days=30)),
            ),
            "policy.cadence[1].cadence.every_days",
        )


class TestPolicyFigures:
    def test_the_largest_accepted_figures_are_recorded(self) -> None:
        command = policy_with(
            minimum_meeting_minutes=1440,
            minimum_experience_gap_years=Decimal(50),
            review_interval_days=730,
        )
        (event,) = created().record(command)
        assert (
            event.policy.minimum_meeting_minutes,
            event.policy.minimum_experience_gap_years,
            event.policy.review_interval_days,
        ) == (1440, Decimal(50), 730)

    def test_the_smallest_accepted_figures_are_recorded(self) -> None:
        command = policy_with(
            minimum_meeting_minutes=1, minimum_experience_gap_years=0, review_interval_days=1
        )
        (event,) = created().record(command)
        assert event.policy.minimum_meeting_minutes == 1
        assert event.policy.minimum_experience_gap_years == Decimal(0)
        assert event.policy.review_interval_days == 1

    def test_a_meeting_minimum_above_a_day_is_refused(self) -> None:
        created().reject(
            policy_with(minimum_meeting_minutes=1441),
            "policy.minimum_meeting_minutes",
            "a whole number from 1 to 1440",
        )

    def test_a_gap_above_50_years_is_refused(self) -> None:
        created().reject(
            policy_with(minimum_experience_gap_years="50.5"),
            "policy.minimum_experience_gap_years",
            "a number of years from 0 to 50 with at most two decimal places",
        )


class TestEnrolling:
    def test_a_person_id_of_200_characters_is_enrolled(self) -> None:
        history = created()
        person = "p" * 200
        history.record(cmd.EnrolParticipant(person_id=person, role=Role.MENTEE, experience_years=0))
        participant = history.state.participant(person)
        assert participant is not None
        assert participant.experience_years == Decimal(0)

    def test_80_years_of_experience_is_accepted(self) -> None:
        (event,) = created().record(
            cmd.EnrolParticipant(person_id="ana", role=Role.MENTOR, experience_years=80)
        )
        assert event.experience_years == Decimal(80)

    def test_a_display_name_and_a_contact_are_kept_in_the_participant(self) -> None:
        history = created()
        (event,) = history.record(
            cmd.EnrolParticipant(
                person_id="p-17",
                role=Role.MENTEE,
                experience_years=1,
                display_name="Ben Ashworth",
                contact="ben@example.org",
            )
        )
        assert (event.display_name, event.contact) == ("Ben Ashworth", "ben@example.org")
        participant = history.state.participant("p-17")
        assert participant is not None
        assert (participant.display_name, participant.contact) == (
            "Ben Ashworth",
            "ben@example.org",
        )

    def test_a_display_name_and_a_contact_are_optional(self) -> None:
        (event,) = created().record(
            cmd.EnrolParticipant(person_id="ana", role=Role.MENTOR, experience_years=3)
        )
        assert (event.display_name, event.contact) == (None, None)

    @pytest.mark.parametrize("field", ["display_name", "contact"])
    @pytest.mark.parametrize("value", ["", "  ", "Ben\nAshworth", "Ben\x00", "x" * 501, 7])
    def test_a_display_name_and_a_contact_are_one_line_texts(
        self, field: str, value: object
    ) -> None:
        given: dict[str, Any] = {field: value}
        created().reject(
            cmd.EnrolParticipant(person_id="ana", role=Role.MENTOR, experience_years=3, **given),
            field,
        )


class TestWithdrawing:
    @pytest.mark.parametrize("person_id", ["", "ben\n", "b" * 201, None])
    def test_the_person_id_is_checked_before_the_enrolment(self, person_id: object) -> None:
        programme_history().reject(
            cmd.WithdrawParticipant(person_id=person_id, reason="Left"), "person_id"
        )

    @pytest.mark.parametrize("reason", [None, "Left\x00", "x" * 20_001])
    def test_the_reason_is_a_text(self, reason: object) -> None:
        programme_history().reject(
            cmd.WithdrawParticipant(person_id="ben", reason=reason), "reason"
        )

    def test_only_the_current_enrolment_ends(self) -> None:
        history = programme_history()
        history.record(
            cmd.WithdrawParticipant(person_id="elif", reason="Leave", occurred_at=YESTERDAY)
        )
        history.record(
            cmd.EnrolParticipant(person_id="elif", role=Role.MENTOR, experience_years=Decimal(6))
        )
        history.record(cmd.WithdrawParticipant(person_id="elif", reason="Moved away"))
        elif_ = [p for p in history.state.participants if p.person_id == "elif"]
        assert [(p.role, p.withdrawn_at) for p in elif_] == [
            (Role.MENTEE, YESTERDAY),
            (Role.MENTOR, NOW),
        ]
        others = [p for p in history.state.participants if p.person_id != "elif"]
        assert all(p.active for p in others)
        assert len(others) == 4


@attrs.frozen
class _Item:
    item_id: UUID
    position: int


class TestTupleHelpers:
    def test_find_gives_the_last_item_selected(self) -> None:
        items = (("ana", 1), ("ben", 2), ("ana", 3))
        assert find(items, lambda item: item[0] == "ana") == ("ana", 3)
        assert find(items, lambda item: item[0] == "ben") == ("ben", 2)
        assert find(items, lambda item: item[0] == "gus") is None
        assert find((), lambda item: True) is None

    def test_replace_where_changes_only_the_items_selected(self) -> None:
        items = (1, 2, 3, 4)
        assert replace_where(items, lambda n: n % 2 == 0, lambda n: n * 10) == (1, 20, 3, 40)
        assert replace_where(items, lambda n: n > 9, lambda n: 0) == items


class TestRefusalDetails:
    def test_a_command_of_another_aggregate_is_not_a_programme_command(self) -> None:
        error = programme_history().reject(cmd.ResumeRelationship(), "command")
        assert error.expected == "a programme command"
        assert error.value == cmd.ResumeRelationship()

    def test_withdrawing_someone_not_enrolled_names_them_and_the_programme(self) -> None:
        error = programme_history().refuse(
            cmd.WithdrawParticipant(person_id="gus", reason="Never joined"),
            Rule.PARTICIPANT_ENROLLED,
        )
        assert error.detail == "'gus' is not enrolled in programme 'Riverside first-year mentoring'"

    def test_enrolling_someone_twice_names_their_current_role(self) -> None:
        error = programme_history().refuse(
            cmd.EnrolParticipant(person_id="ben", role=Role.MENTOR, experience_years=9),
            Rule.PARTICIPANT_NOT_ALREADY_ENROLLED,
        )
        assert error.detail == (
            "'ben' is already enrolled in programme 'Riverside first-year mentoring' as mentee"
        )

    def test_nothing_but_creation_before_the_programme_exists(self) -> None:
        history = History(decide_programme, evolve_programme, ProgrammeState(), decision_context())
        error = history.refuse(cmd.SetPolicy(policy=POLICY), Rule.PROGRAMME_EXISTS)
        assert error.detail == "the programme has not been created"
