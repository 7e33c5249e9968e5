"""The programme aggregate: creating it, its policy, enrolling and withdrawing workers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any
from uuid import UUID

import attrs
import pytest
from hypothesis import given
from scenarios import POLICY, PROGRAMME_ID, YESTERDAY, History, programme_history
from strategies import NOW, decision_context, programme_policies

from mentoring_core import InvalidValue, Rule
from mentoring_core.domain import commands as cmd
from mentoring_core.domain import decide_programme, evolve_programme
from mentoring_core.domain.events import (
    CoordinatorAppointed,
    CoordinatorRelieved,
    ParticipantEnrolled,
    ParticipantWithdrawn,
    PolicySet,
    ProgrammeCreated,
    RelationshipOpened,
)
from mentoring_core.state import Participant, ProgrammeState
from mentoring_core.values import (
    Cadence,
    CadenceKind,
    CadenceTier,
    FocusArea,
    Participation,
    ProgrammePolicy,
    Role,
)

CREATE_RIVERSIDE = cmd.CreateProgramme(
    programme_id=PROGRAMME_ID,
    name="Riverside first-year mentoring",
    organisation="Riverside Care Collective",
)


def new_programme() -> History:
    return History(decide_programme, evolve_programme, ProgrammeState(), decision_context())


def created_programme() -> History:
    history = new_programme()
    history.record(CREATE_RIVERSIDE)
    return history


class TestCreatingAProgramme:
    def test_the_event_records_name_organisation_and_metadata(self) -> None:
        (event,) = new_programme().record(CREATE_RIVERSIDE)
        assert event == ProgrammeCreated(
            event_id=UUID(int=1),
            aggregate_id=PROGRAMME_ID,
            version=1,
            occurred_at=NOW,
            recorded_at=NOW,
            actor="coordinator.cleo",
            name="Riverside first-year mentoring",
            organisation="Riverside Care Collective",
        )

    def test_the_state_knows_the_programme(self) -> None:
        state = created_programme().state
        assert state.exists
        assert (state.programme_id, state.version) == (PROGRAMME_ID, 1)
        assert state.name == "Riverside first-year mentoring"
        assert state.organisation == "Riverside Care Collective"
        assert state.created_at == NOW
        assert state.policy is None
        assert state.minimum_experience_gap_years == Decimal(0)

    def test_a_programme_is_created_once(self) -> None:
        history = created_programme()
        history.refuse(
            attrs.evolve(CREATE_RIVERSIDE, name="Riverside again"),
            Rule.PROGRAMME_ALREADY_CREATED,
            PROGRAMME_ID,
            "is already in use",
        )

    @pytest.mark.parametrize(
        "command",
        [
            cmd.SetPolicy(policy=POLICY),
            cmd.EnrolParticipant(person_id="ana", role=Role.MENTOR, experience_years=Decimal(12)),
            cmd.WithdrawParticipant(person_id="ana", reason="Moved to another team"),
        ],
        ids=lambda c: type(c).__name__,
    )
    def test_nothing_happens_before_the_programme_exists(self, command: object) -> None:
        new_programme().refuse(command, Rule.PROGRAMME_EXISTS, "has not been created")

    @pytest.mark.parametrize(
        ("field", "value"),
        [
            ("name", ""),
            ("name", "   "),
            ("name", "Riverside\nmentoring"),
            ("name", "Riverside\x07"),
            ("name", "R" * 501),
            ("name", 42),
            ("organisation", "\t"),
            ("organisation", "Riverside\x9bCare"),
        ],
    )
    def test_names_are_non_blank_one_line_labels(self, field: str, value: object) -> None:
        command = attrs.evolve(CREATE_RIVERSIDE, **{field: value})
        new_programme().reject(command, field, repr(value)[:40])

    def test_a_name_of_500_characters_is_accepted(self) -> None:
        (event,) = new_programme().record(attrs.evolve(CREATE_RIVERSIDE, name="R" * 500))
        assert event.name == "R" * 500

    def test_the_programme_id_must_be_a_uuid(self) -> None:
        command = attrs.evolve(CREATE_RIVERSIDE, programme_id="riverside")
        new_programme().reject(command, "programme_id", "'riverside'")

    def test_a_text_that_cannot_be_stored_is_refused(self) -> None:
        """A lone surrogate passes ``str`` checks but cannot be encoded as UTF-8 to be stored."""
        command = attrs.evolve(CREATE_RIVERSIDE, name="Riverside \ud800")
        new_programme().reject(command, "name")

    def test_an_unknown_command_is_refused(self) -> None:
        history = created_programme()
        history.reject(cmd.ResumeRelationship(), "command", "ResumeRelationship")


class TestWhenThingsHappened:
    def test_occurred_at_defaults_to_the_clock(self) -> None:
        (event,) = new_programme().record(CREATE_RIVERSIDE)
        assert event.occurred_at == event.recorded_at == NOW

    def test_a_past_moment_is_kept_and_recorded_now(self) -> None:
        (event,) = new_programme().record(attrs.evolve(CREATE_RIVERSIDE, occurred_at=YESTERDAY))
        assert (event.occurred_at, event.recorded_at) == (YESTERDAY, NOW)

    def test_a_moment_in_another_zone_is_kept_in_utc(self) -> None:
        auckland = datetime(2025, 3, 14, 21, 0, tzinfo=timezone(timedelta(hours=13)))
        (event,) = new_programme().record(attrs.evolve(CREATE_RIVERSIDE, occurred_at=auckland))
        assert event.occurred_at == datetime(2025, 3, 14, 8, 0, tzinfo=UTC)
        assert event.occurred_at.utcoffset() == timedelta(0)

    def test_exactly_now_is_accepted(self) -> None:
        (event,) = new_programme().record(attrs.evolve(CREATE_RIVERSIDE, occurred_at=NOW))
        assert event.occurred_at == NOW

    def test_a_moment_after_the_clock_is_refused(self) -> None:
        tomorrow = NOW + timedelta(seconds=1)
        error = new_programme().reject(
            attrs.evolve(CREATE_RIVERSIDE, occurred_at=tomorrow), "occurred_at", NOW.isoformat()
        )
        assert error.value == tomorrow

    def test_a_naive_moment_is_refused(self) -> None:
        naive = datetime(2025, 3, 13, 9, 0)
        error = new_programme().reject(
            attrs.evolve(CREATE_RIVERSIDE, occurred_at=naive), "occurred_at", "naive"
        )
        assert error.value == naive

    def test_a_moment_before_1950_is_refused(self) -> None:
        new_programme().reject(
            attrs.evolve(CREATE_RIVERSIDE, occurred_at=datetime(1949, 12, 31, tzinfo=UTC)),
            "occurred_at",
            "1950-01-01",
        )

    def test_a_date_is_not_a_moment(self) -> None:
        new_programme().reject(
            attrs.evolve(CREATE_RIVERSIDE, occurred_at=NOW.date()), "occurred_at", "time zone"
        )

    def test_a_naive_clock_is_refused(self) -> None:
        history = new_programme()
        history.ctx = decision_context(now=datetime(2025, 3, 14, 9, 30))
        history.reject(CREATE_RIVERSIDE, "clock", "naive")

    @pytest.mark.parametrize("actor", ["", "  ", "cleo\nsmith", "c" * 201, None])
    def test_the_actor_is_a_one_line_label(self, actor: object) -> None:
        history = new_programme()
        history.ctx = decision_context(actor=actor)  # type: ignore[arg-type]
        history.reject(CREATE_RIVERSIDE, "actor")


class TestPolicy:
    def test_the_policy_is_recorded_and_in_force(self) -> None:
        history = created_programme()
        (event,) = history.record(cmd.SetPolicy(policy=POLICY))
        assert isinstance(event, PolicySet)
        assert (event.policy, event.version) == (POLICY, 2)
        assert history.state.policy == POLICY
        assert history.state.minimum_experience_gap_years == Decimal(3)

    def test_a_new_policy_replaces_the_old_one(self) -> None:
        history = created_programme()
        history.record(cmd.SetPolicy(policy=POLICY))
        compulsory = attrs.evolve(POLICY, participation=Participation.COMPULSORY)
        history.record(cmd.SetPolicy(policy=compulsory))
        assert history.state.policy == compulsory

    def test_the_policy_in_force_set_again_is_refused(self) -> None:
        history = programme_history()
        history.refuse(
            cmd.SetPolicy(policy=attrs.evolve(POLICY, minimum_experience_gap_years=Decimal("3.0"))),
            Rule.CHANGES_SOMETHING,
            "SetPolicy changes nothing: it gives cadence 'weekly until day 90', 'fortnightly', "
            "minimum_meeting_minutes 30, participation voluntary, minimum_experience_gap_years "
            "3.0, review_interval_days 90, max_active_mentors_per_mentee 1, as already recorded",
        )

    @pytest.mark.parametrize(
        "change",
        [
            {"cadence": (CadenceTier(cadence=Cadence.weekly()),)},
            {"minimum_meeting_minutes": 31},
            {"participation": Participation.COMPULSORY},
            {"minimum_experience_gap_years": Decimal("3.5")},
            {"review_interval_days": 91},
            {"max_mentees_per_mentor": 4},
            {"max_active_mentors_per_mentee": None},
            {"retain_personal_data_years": 6},
        ],
        ids=lambda change: next(iter(change)),
    )
    def test_a_policy_changing_one_value_is_recorded(self, change: dict[str, object]) -> None:
        history = programme_history()
        changed = attrs.evolve(POLICY, **change)
        history.record(cmd.SetPolicy(policy=changed))
        assert history.state.policy == changed

    @given(programme_policies())
    def test_any_valid_policy_is_accepted_as_given(self, policy: ProgrammePolicy) -> None:
        (event,) = decide_programme(
            cmd.SetPolicy(policy=policy), created_programme().state, decision_context()
        )
        assert event.policy == policy

    @pytest.mark.parametrize(
        ("age_days", "kind"),
        [(0, CadenceKind.WEEKLY), (89, CadenceKind.WEEKLY), (90, CadenceKind.FORTNIGHTLY)],
    )
    def test_the_cadence_depends_on_the_relationships_age(
        self, age_days: int, kind: CadenceKind
    ) -> None:
        assert POLICY.cadence_at_age(age_days).kind is kind

    def test_cadence_tiers_given_as_a_list_are_stored_as_a_tuple(self) -> None:
        listed = attrs.evolve(POLICY, cadence=list(POLICY.cadence))
        (event,) = created_programme().record(cmd.SetPolicy(policy=listed))
        assert event.policy.cadence == POLICY.cadence
        assert isinstance(event.policy.cadence, tuple)

    def test_a_gap_given_as_a_string_is_recorded_as_a_decimal(self) -> None:
        """``check_years`` accepts decimal strings; the event must hold the Decimal."""
        policy = attrs.evolve(POLICY, minimum_experience_gap_years="1.5")
        (event,) = created_programme().record(cmd.SetPolicy(policy=policy))
        assert event.policy.minimum_experience_gap_years == Decimal("1.5")
        assert isinstance(event.policy.minimum_experience_gap_years, Decimal)

    @pytest.mark.parametrize(
        ("change", "field", "named"),
        [
            ({"cadence": ()}, "policy.cadence", "at least one item"),
            ({"cadence": Cadence.weekly()}, "policy.cadence", "a list"),
            (
                {"cadence": (CadenceTier(cadence=Cadence.weekly(), until_age_days=90),)},
                "policy.cadence[0].until_age_days",
                "no end for the last tier, which holds from then on",
            ),
            (
                {
                    "cadence": (
                        CadenceTier(cadence=Cadence.weekly(), until_age_days=90),
                        CadenceTier(cadence=Cadence.fortnightly(), until_age_days=90),
                        CadenceTier(cadence=Cadence.monthly()),
                    )
                },
                "policy.cadence[1].until_age_days",
                "from 91 to 3660",
            ),
            (
                {"cadence": (CadenceTier(cadence=Cadence.weekly()), CadenceTier(cadence=None))},
                "policy.cadence[0].until_age_days",
                "None",
            ),
            ({"cadence": ("weekly",)}, "policy.cadence[0]", "a CadenceTier"),
            (
                {"cadence": (CadenceTier(cadence=Cadence.every(0)),)},
                "policy.cadence[0].cadence.every_days",
                "from 1 to 366",
            ),
            (
                {"cadence": (CadenceTier(cadence=Cadence(kind=CadenceKind.WEEKLY, every_days=7)),)},
                "policy.cadence[0].cadence.every_days",
                "nothing for a weekly cadence",
            ),
            (
                {"cadence": (CadenceTier(cadence=Cadence(kind="weekly")),)},
                "policy.cadence[0].cadence.kind",
                "one of weekly, fortnightly, monthly, every_n_days",
            ),
            ({"minimum_meeting_minutes": 0}, "policy.minimum_meeting_minutes", "from 1 to 1440"),
            ({"minimum_meeting_minutes": 30.0}, "policy.minimum_meeting_minutes", "30.0"),
            ({"participation": "voluntary"}, "policy.participation", "compulsory, voluntary"),
            (
                {"minimum_experience_gap_years": Decimal(-1)},
                "policy.minimum_experience_gap_years",
                "from 0 to 50",
            ),
            (
                {"minimum_experience_gap_years": Decimal(51)},
                "policy.minimum_experience_gap_years",
                "from 0 to 50",
            ),
            ({"review_interval_days": 0}, "policy.review_interval_days", "from 1 to 730"),
            ({"review_interval_days": 731}, "policy.review_interval_days", "731"),
        ],
    )
    def test_an_inconsistent_policy_is_refused(
        self, change: dict[str, object], field: str, named: str
    ) -> None:
        created_programme().reject(
            cmd.SetPolicy(policy=attrs.evolve(POLICY, **change)), field, named
        )

    def test_a_policy_must_be_a_policy(self) -> None:
        created_programme().reject(cmd.SetPolicy(policy="weekly"), "policy", "ProgrammePolicy")


class TestProfile:
    @pytest.mark.parametrize(
        ("person_id", "given", "shown"),
        [
            ("ana", {"expertise": ()}, "expertise nothing"),
            ("ben", {"development_needs": ()}, "development_needs nothing"),
            ("ben", {"expertise": None, "development_needs": []}, "development_needs nothing"),
        ],
    )
    def test_a_profile_update_that_changes_nothing_is_refused(
        self, person_id: str, given: dict[str, object], shown: str
    ) -> None:
        programme_history().refuse(
            cmd.UpdateProfile(person_id=person_id, **given),  # type: ignore[arg-type]
            Rule.CHANGES_SOMETHING,
            f"UpdateProfile of {person_id!r} changes nothing: it gives {shown}, as already",
        )

    def test_the_same_areas_given_again_are_refused(self) -> None:
        history = programme_history()
        areas = (FocusArea.WELLBEING, FocusArea.COMMUNICATION)
        history.record(cmd.UpdateProfile(person_id="ben", development_needs=areas))
        history.refuse(
            cmd.UpdateProfile(person_id="ben", development_needs=areas),
            Rule.CHANGES_SOMETHING,
            "development_needs wellbeing, communication",
        )
        history.record(cmd.UpdateProfile(person_id="ben", development_needs=areas[:1]))
        assert history.state.participant("ben").development_needs == areas[:1]


class TestEnrolment:
    def test_a_mentor_is_enrolled_with_her_experience(self) -> None:
        history = created_programme()
        (event,) = history.record(
            cmd.EnrolParticipant(person_id="ana", role=Role.MENTOR, experience_years=Decimal(12))
        )
        assert isinstance(event, ParticipantEnrolled)
        assert (event.person_id, event.role, event.experience_years) == (
            "ana",
            Role.MENTOR,
            Decimal(12),
        )
        assert history.state.participant("ana") == Participant(
            person_id="ana", role=Role.MENTOR, experience_years=Decimal(12), enrolled_at=NOW
        )

    @pytest.mark.parametrize(
        ("given_years", "recorded"),
        [(Decimal("1.5"), Decimal("1.5")), (2, Decimal(2)), ("0.75", Decimal("0.75"))],
    )
    def test_experience_is_recorded_as_a_decimal(
        self, given_years: object, recorded: Decimal
    ) -> None:
        (event,) = created_programme().record(
            cmd.EnrolParticipant(person_id="ben", role=Role.MENTEE, experience_years=given_years)
        )
        assert event.experience_years == recorded
        assert isinstance(event.experience_years, Decimal)

    @pytest.mark.parametrize(
        "years", [Decimal(-1), Decimal("80.01"), "many", "NaN", "Infinity", True, 1.5, None]
    )
    def test_experience_is_between_0_and_80_years(self, years: object) -> None:
        created_programme().reject(
            cmd.EnrolParticipant(person_id="ben", role=Role.MENTEE, experience_years=years),
            "experience_years",
            "from 0 to 80",
        )

    def test_the_role_is_a_role(self) -> None:
        created_programme().reject(
            cmd.EnrolParticipant(person_id="ben", role="mentee", experience_years=Decimal(1)),
            "role",
            "mentor, mentee",
        )

    @pytest.mark.parametrize("person_id", ["", "ben\tsmith", "b" * 201, 7])
    def test_the_person_id_is_a_short_label(self, person_id: object) -> None:
        created_programme().reject(
            cmd.EnrolParticipant(person_id=person_id, role=Role.MENTEE, experience_years=1),
            "person_id",
        )

    def test_a_worker_is_enrolled_once_at_a_time(self) -> None:
        history = programme_history()
        history.refuse(
            cmd.EnrolParticipant(person_id="ana", role=Role.MENTEE, experience_years=Decimal(1)),
            Rule.PARTICIPANT_NOT_ALREADY_ENROLLED,
            "'ana'",
            "'Riverside first-year mentoring'",
            "mentor",
        )

    def test_a_withdrawal_is_recorded_and_ends_the_enrolment(self) -> None:
        history = programme_history()
        (event,) = history.record(
            cmd.WithdrawParticipant(
                person_id="ben", reason="Left for a hospital role", occurred_at=YESTERDAY
            )
        )
        assert isinstance(event, ParticipantWithdrawn)
        assert (event.person_id, event.reason) == ("ben", "Left for a hospital role")
        assert history.state.participant("ben") is None
        (ben,) = [p for p in history.state.participants if p.person_id == "ben"]
        assert ben.withdrawn_at == YESTERDAY
        assert not ben.active

    def test_only_an_enrolled_worker_can_withdraw(self) -> None:
        programme_history().refuse(
            cmd.WithdrawParticipant(person_id="gus", reason="Never joined"),
            Rule.PARTICIPANT_ENROLLED,
            "'gus'",
            "'Riverside first-year mentoring'",
        )

    def test_a_withdrawn_worker_cannot_withdraw_again(self) -> None:
        history = programme_history()
        history.record(cmd.WithdrawParticipant(person_id="ben", reason="Left"))
        history.refuse(
            cmd.WithdrawParticipant(person_id="ben", reason="Left again"),
            Rule.PARTICIPANT_ENROLLED,
            "'ben'",
        )

    def test_a_withdrawal_needs_a_reason(self) -> None:
        programme_history().reject(
            cmd.WithdrawParticipant(person_id="ben", reason=" \n "), "reason", "non-blank"
        )

    def test_a_withdrawn_worker_may_enrol_again_in_a_new_role(self) -> None:
        history = programme_history()
        history.record(cmd.WithdrawParticipant(person_id="elif", reason="Maternity leave"))
        history.record(
            cmd.EnrolParticipant(person_id="elif", role=Role.MENTOR, experience_years=Decimal(6))
        )
        current = history.state.participant("elif")
        assert current is not None
        assert (current.role, current.experience_years) == (Role.MENTOR, Decimal(6))
        assert [p.role for p in history.state.participants if p.person_id == "elif"] == [
            Role.MENTEE,
            Role.MENTOR,
        ]


class TestEvolveProgramme:
    def test_versions_count_the_events(self) -> None:
        history = programme_history()
        assert [e.version for e in history.events] == list(range(1, 8))
        assert history.state.version == 7

    def test_a_relationship_opened_is_listed(self) -> None:
        state = programme_history().state
        event = RelationshipOpened(
            event_id=UUID(int=99),
            aggregate_id=PROGRAMME_ID,
            version=8,
            occurred_at=NOW,
            recorded_at=NOW,
            actor="cleo",
            relationship_id=UUID(int=5),
            mentor_id="ana",
            mentee_id="ben",
        )
        after = evolve_programme(state, event)
        assert after.relationship_ids == (UUID(int=5),)
        assert after.version == 8
        assert attrs.evolve(after, relationship_ids=(), version=7) == state

    def test_folding_again_gives_the_same_state(self) -> None:
        history = programme_history()
        assert history.refold() == history.state

    @pytest.mark.parametrize(
        "command",
        [
            cmd.SetPolicy(policy=attrs.evolve(POLICY, review_interval_days=30)),
            cmd.UpdateProfile(person_id="ben", development_needs=(FocusArea.TEAMWORK,)),
        ],
        ids=lambda c: type(c).__name__,
    )
    def test_a_change_recorded_twice_before_the_rule_still_folds(self, command: Any) -> None:
        """The same policy or profile stored twice (the second changing nothing, decided
        before the rule ``changes-something``) folds: the state is as after the first,
        dated by the second."""
        history = programme_history()
        (first,) = history.record(command)
        once = history.state
        again = attrs.evolve(first, event_id=UUID(int=0x996), version=first.version + 1)
        history.apply(again)
        if isinstance(command, cmd.SetPolicy):
            assert (history.state.policy, history.state.policy_set_at) == (
                once.policy,
                again.occurred_at,
            )
        else:
            assert history.state.participant("ben") == once.participant("ben")
        assert history.state.version == again.version
        assert history.refold() == history.state


class TestDecideIsPure:
    def test_the_same_inputs_give_equal_events(self) -> None:
        state = programme_history().state
        command = cmd.WithdrawParticipant(person_id="ben", reason="Left", occurred_at=YESTERDAY)
        first = decide_programme(command, state, decision_context())
        second = decide_programme(command, state, decision_context())
        assert first == second
        assert first[0].event_id == UUID(int=1)

    def test_a_refused_command_raises_and_changes_nothing(self) -> None:
        state = programme_history().state
        snapshot = attrs.evolve(state)
        with pytest.raises(InvalidValue):
            decide_programme(
                cmd.WithdrawParticipant(person_id="ben", reason=""), state, decision_context()
            )
        assert state == snapshot


class TestCoordinators:
    def test_an_appointment_is_recorded_and_makes_a_coordinator(self) -> None:
        history = created_programme()
        (event,) = history.record(cmd.AppointCoordinator(person_id="coord.rhea"))
        assert isinstance(event, CoordinatorAppointed)
        assert (event.person_id, event.version, event.actor) == (
            "coord.rhea",
            2,
            "coordinator.cleo",
        )
        history.record(cmd.AppointCoordinator(person_id="coord.sol"))
        assert history.state.coordinators == frozenset({"coord.rhea", "coord.sol"})
        assert history.refold() == history.state

    def test_someone_already_a_coordinator_is_not_appointed_again(self) -> None:
        history = created_programme()
        history.record(cmd.AppointCoordinator(person_id="coord.rhea"))
        history.refuse(
            cmd.AppointCoordinator(person_id="coord.rhea"),
            Rule.COORDINATOR_NOT_ALREADY_APPOINTED,
            "'coord.rhea' is already a coordinator of programme 'Riverside first-year mentoring'",
        )

    def test_relieving_ends_the_role_with_a_reason(self) -> None:
        history = created_programme()
        history.record(cmd.AppointCoordinator(person_id="coord.rhea"))
        history.record(cmd.AppointCoordinator(person_id="coord.sol"))
        (event,) = history.record(
            cmd.RelieveCoordinator(person_id="coord.rhea", reason="Moved to training")
        )
        assert isinstance(event, CoordinatorRelieved)
        assert (event.person_id, event.reason) == ("coord.rhea", "Moved to training")
        assert history.state.coordinators == frozenset({"coord.sol"})
        history.record(cmd.AppointCoordinator(person_id="coord.rhea"))  # appointed again later
        assert history.state.coordinators == frozenset({"coord.rhea", "coord.sol"})
        assert history.refold() == history.state

    def test_only_a_coordinator_is_relieved(self) -> None:
        history = created_programme()
        history.refuse(
            cmd.RelieveCoordinator(person_id="ana", reason="Never was one"),
            Rule.COORDINATOR_APPOINTED,
            "'ana' is not a coordinator of programme 'Riverside first-year mentoring' "
            "(its coordinators: nobody)",
        )
        history.record(cmd.AppointCoordinator(person_id="coord.sol"))
        history.record(cmd.AppointCoordinator(person_id="coord.rhea"))
        history.refuse(
            cmd.RelieveCoordinator(person_id="ana", reason="Never was one"),
            Rule.COORDINATOR_APPOINTED,
            "(its coordinators: 'coord.rhea', 'coord.sol')",
        )

    @pytest.mark.parametrize("person_id", ["", "rhea\tx", "r" * 201, 7])
    def test_the_person_id_is_a_short_label(self, person_id: object) -> None:
        created_programme().reject(cmd.AppointCoordinator(person_id=person_id), "person_id")
        created_programme().reject(
            cmd.RelieveCoordinator(person_id=person_id, reason="x"), "person_id"
        )

    def test_the_reason_is_a_text(self) -> None:
        history = created_programme()
        history.record(cmd.AppointCoordinator(person_id="coord.rhea"))
        history.reject(cmd.RelieveCoordinator(person_id="coord.rhea", reason=""), "reason")

    def test_a_coordinator_is_appointed_in_a_created_programme_only(self) -> None:
        new_programme().refuse(
            cmd.AppointCoordinator(person_id="coord.rhea"), Rule.PROGRAMME_EXISTS
        )
