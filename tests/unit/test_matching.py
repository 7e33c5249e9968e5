"""Suggesting mentors: the pure ranking, its explanations, its properties, and what a
pairing records of it (docs/cli.md, "Matching")."""

from __future__ import annotations

import itertools
from datetime import datetime
from decimal import Decimal
from uuid import UUID

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scenarios import PROGRAMME_ID, programme_history
from strategies import NOW, decision_context, experience_years, focus_area_sets

from mentoring_core import InvalidValue, Rule, RuleViolation
from mentoring_core.domain import commands as cmd
from mentoring_core.domain import decide_pairing, decide_programme
from mentoring_core.matching import MentorSuggestion, rank_mentors
from mentoring_core.state import Participant, ProgrammeState, RelationshipState
from mentoring_core.values import (
    Cadence,
    CadenceTier,
    FocusArea,
    Participation,
    ProgrammePolicy,
    RelationshipStatus,
    Role,
)

C, P, T, W = (
    FocusArea.COMMUNICATION,
    FocusArea.PROBLEM_SOLVING,
    FocusArea.TEAMWORK,
    FocusArea.WELLBEING,
)
ENROLLED = datetime(2025, 1, 6, tzinfo=NOW.tzinfo)


def policy(gap: str = "2", capacity: int | None = 2, mentors: int | None = 1) -> ProgrammePolicy:
    return ProgrammePolicy(
        cadence=(CadenceTier(cadence=Cadence.fortnightly()),),
        minimum_meeting_minutes=30,
        participation=Participation.COMPULSORY,
        minimum_experience_gap_years=Decimal(gap),
        review_interval_days=90,
        max_mentees_per_mentor=capacity,
        max_active_mentors_per_mentee=mentors,
    )


def participant(
    role: Role, person_id: str, years: int | Decimal, areas: tuple[FocusArea, ...]
) -> Participant:
    field = "expertise" if role is Role.MENTOR else "development_needs"
    fields: dict[str, object] = {field: areas}
    return Participant(
        person_id=person_id,
        role=role,
        experience_years=Decimal(years),
        enrolled_at=ENROLLED,
        **fields,  # type: ignore[arg-type]
    )


def mentor(person_id: str, years: int | Decimal, *expertise: FocusArea) -> Participant:
    return participant(Role.MENTOR, person_id, years, expertise)


def mentee(person_id: str, years: int | Decimal, *needs: FocusArea) -> Participant:
    return participant(Role.MENTEE, person_id, years, needs)


def programme(*people: Participant, with_policy: ProgrammePolicy | None = None) -> ProgrammeState:
    return ProgrammeState(
        programme_id=PROGRAMME_ID,
        version=1 + len(people),
        name="Riverside",
        policy=with_policy if with_policy is not None else policy(),
        participants=people,
    )


def carrying(
    mentor_id: str, mentee_id: str, status: RelationshipStatus = RelationshipStatus.ACTIVE
) -> RelationshipState:
    return RelationshipState(
        relationship_id=UUID(int=hash((mentor_id, mentee_id)) & 0xFFFF),
        version=1,
        status=status,
        programme_id=PROGRAMME_ID,
        mentor_id=mentor_id,
        mentee_id=mentee_id,
    )


def ranked_ids(ranking: tuple[MentorSuggestion, ...]) -> list[str]:
    return [s.mentor_id for s in ranking]


BEN = mentee("ben", 1, C, W, T)


class TestTheOrder:
    def test_more_needs_covered_ranks_first(self) -> None:
        state = programme(mentor("ana", 12, C), mentor("cy", 8, C, W), BEN)
        assert ranked_ids(rank_mentors(state, (), "ben")) == ["cy", "ana"]

    def test_at_equal_fit_the_lighter_load_ranks_first(self) -> None:
        state = programme(mentor("ana", 12, C), mentor("cy", 8, C), BEN, mentee("fay", 0))
        ranking = rank_mentors(state, (carrying("ana", "fay"),), "ben")
        assert ranked_ids(ranking) == ["cy", "ana"]
        assert [(s.open_mentees, s.free_places) for s in ranking] == [(0, 2), (1, 1)]

    def test_at_equal_fit_and_load_the_larger_gap_ranks_first(self) -> None:
        state = programme(mentor("ana", 12, C), mentor("cy", 8, C), BEN)
        assert ranked_ids(rank_mentors(state, (), "ben")) == ["ana", "cy"]

    def test_a_full_mentor_ranks_last_whatever_their_fit(self) -> None:
        state = programme(
            mentor("ana", 12, C, W, T), mentor("cy", 8), BEN, mentee("fay", 0), mentee("gus", 0)
        )
        ranking = rank_mentors(state, (carrying("ana", "fay"), carrying("ana", "gus")), "ben")
        assert ranked_ids(ranking) == ["cy", "ana"]
        assert ranking[1].full
        assert "full: carries 2 of 2 mentees" in ranking[1].explanation

    def test_a_gap_below_the_minimum_ranks_after_those_that_meet_it(self) -> None:
        state = programme(mentor("ana", 2, C, W, T), mentor("cy", 8), BEN)
        ranking = rank_mentors(state, (), "ben")
        assert ranked_ids(ranking) == ["cy", "ana"]
        assert not ranking[1].meets_minimum_gap
        assert "1 years more experience, below the minimum of 2" in ranking[1].explanation

    def test_ties_are_broken_by_person_id(self) -> None:
        state = programme(mentor("zoe", 8, C), mentor("ana", 8, C), mentor("cy", 8, C), BEN)
        assert ranked_ids(rank_mentors(state, (), "ben")) == ["ana", "cy", "zoe"]

    def test_ranks_count_from_one_without_sharing(self) -> None:
        state = programme(mentor("ana", 8), mentor("cy", 8), BEN)
        assert [s.rank for s in rank_mentors(state, (), "ben")] == [1, 2]


class TestWhoIsRanked:
    def test_withdrawn_mentors_and_mentees_are_not_candidates(self) -> None:
        gone = attrs.evolve(mentor("ana", 12, C), withdrawn_at=ENROLLED)
        state = programme(gone, mentor("cy", 8), BEN, mentee("fay", 0))
        assert ranked_ids(rank_mentors(state, (), "ben")) == ["cy"]

    def test_a_mentor_already_open_with_the_mentee_is_not_suggested_again(self) -> None:
        state = programme(mentor("ana", 12), mentor("cy", 8), BEN, with_policy=policy(mentors=2))
        proposed = carrying("ana", "ben", RelationshipStatus.PROPOSED)
        assert ranked_ids(rank_mentors(state, (proposed,), "ben")) == ["cy"]

    @pytest.mark.parametrize("status", [RelationshipStatus.PROPOSED, RelationshipStatus.PAUSED])
    def test_a_mentee_with_the_most_mentors_allowed_is_refused_naming_the_limit(
        self, status: RelationshipStatus
    ) -> None:
        state = programme(mentor("ana", 12), mentor("cy", 8), BEN)
        held = carrying("ana", "ben", status)
        with pytest.raises(RuleViolation) as info:
            rank_mentors(state, (held, carrying("cy", "fay")), "ben")
        assert info.value.rule is Rule.MENTEE_MENTORS
        assert str(info.value).startswith(
            f"rule 'mentee-mentors' broken: mentee 'ben' already has 1 open relationship(s) "
            f"({held.relationship_id}), the most programme 'Riverside' allows (1 mentors at "
            "once); end one or raise max_active_mentors_per_mentee in the programme's policy"
        )

    def test_without_a_limit_per_mentee_they_are_ranked_however_many_they_have(self) -> None:
        state = programme(mentor("ana", 12), mentor("cy", 8), BEN, with_policy=policy(mentors=None))
        assert ranked_ids(rank_mentors(state, (carrying("ana", "ben"),), "ben")) == ["cy"]

    def test_ended_relationships_carry_no_load(self) -> None:
        state = programme(mentor("ana", 12), BEN, mentee("fay", 0))
        ended = carrying("ana", "fay", RelationshipStatus.ENDED)
        (only,) = rank_mentors(state, (ended,), "ben")
        assert only.open_mentees == 0

    def test_no_capacity_limit_means_never_full(self) -> None:
        state = programme(mentor("ana", 12), BEN, with_policy=policy(capacity=None))
        (only,) = rank_mentors(state, (), "ben")
        assert (only.free_places, only.full) == (None, False)
        assert "carries 0 mentee(s), no limit" in only.explanation

    @pytest.mark.parametrize(
        ("person", "rule"), [("nobody", Rule.PARTICIPANT_ENROLLED), ("ana", Rule.PARTICIPANT_ROLE)]
    )
    def test_only_an_enrolled_mentee_gets_suggestions(self, person: str, rule: Rule) -> None:
        state = programme(mentor("ana", 12), BEN)
        with pytest.raises(RuleViolation) as info:
            rank_mentors(state, (), person)
        assert info.value.rule is rule and repr(person) in str(info.value)


class TestTheExplanation:
    def test_it_names_the_needs_covered_the_gap_and_the_load(self) -> None:
        state = programme(mentor("cy", 8, W, C), BEN)
        (only,) = rank_mentors(state, (), "ben")
        assert only.explanation == (
            "covers 2 of 3 needs (communication, wellbeing); 7 years more experience "
            "(minimum 2); carries 0 of 2 mentees (2 free)"
        )

    def test_a_mentee_without_needs_is_said_to_have_none(self) -> None:
        state = programme(mentor("cy", 8, W), mentee("ben", 1))
        (only,) = rank_mentors(state, (), "ben")
        assert only.explanation.startswith("the mentee has no development needs recorded;")


# --- properties ----------------------------------------------------------------------

MENTOR_IDS = ("ana", "cy", "dee", "eli", "fin")


@st.composite
def programmes(draw: st.DrawFn) -> tuple[ProgrammeState, tuple[RelationshipState, ...]]:
    """A programme of up to five mentors, the mentee ben and some other mentees' pairs."""
    mentors = [
        mentor(person, draw(experience_years()), *draw(focus_area_sets()))
        for person in draw(st.lists(st.sampled_from(MENTOR_IDS), unique=True, max_size=5))
    ]
    ben = mentee("ben", draw(experience_years()), *draw(focus_area_sets()))
    others = [mentee(f"m{i}", 0) for i in range(6)]
    capacity = draw(st.none() | st.integers(1, 3))
    gap = draw(st.sampled_from(["0", "2", "5"]))
    state = programme(*mentors, ben, *others, with_policy=policy(gap, capacity))
    pairs = draw(
        st.lists(
            st.tuples(
                st.sampled_from([m.person_id for m in mentors] or ["ana"]), st.integers(0, 5)
            ),
            max_size=8,
            unique=True,
        )
    )
    return state, tuple(carrying(m, f"m{i}") for m, i in pairs)


@given(programmes(), st.randoms())
def test_the_ranking_is_the_same_whatever_the_order_of_the_inputs(
    drawn: tuple[ProgrammeState, tuple[RelationshipState, ...]], random: st.Random
) -> None:
    state, relationships = drawn
    people, shuffled = list(state.participants), list(relationships)
    random.shuffle(people)
    random.shuffle(shuffled)
    again = rank_mentors(attrs.evolve(state, participants=tuple(people)), shuffled, "ben")
    assert again == rank_mentors(state, relationships, "ben")


@given(programmes())
def test_a_full_mentor_never_ranks_above_one_with_a_place_free(
    drawn: tuple[ProgrammeState, tuple[RelationshipState, ...]],
) -> None:
    ranking = rank_mentors(*drawn, "ben")
    fullness = [s.full for s in ranking]
    assert fullness == sorted(fullness)


@given(programmes())
def test_at_equal_fit_and_gap_standing_more_free_capacity_never_ranks_lower(
    drawn: tuple[ProgrammeState, tuple[RelationshipState, ...]],
) -> None:
    ranking = rank_mentors(*drawn, "ben")
    for better, worse in itertools.pairwise(ranking):
        same = (better.full, better.meets_minimum_gap, len(better.covered_needs)) == (
            worse.full,
            worse.meets_minimum_gap,
            len(worse.covered_needs),
        )
        if same:
            assert better.open_mentees <= worse.open_mentees


@given(programmes())
def test_every_eligible_mentor_is_ranked_once_and_covers_only_needs(
    drawn: tuple[ProgrammeState, tuple[RelationshipState, ...]],
) -> None:
    state, _ = drawn
    ranking = rank_mentors(*drawn, "ben")
    mentors = {p.person_id for p in state.participants if p.role is Role.MENTOR}
    assert sorted(ranked_ids(ranking)) == sorted(mentors)
    assert [s.rank for s in ranking] == list(range(1, len(ranking) + 1))
    needs = state.participant("ben").development_needs  # type: ignore[union-attr]
    for s in ranking:
        assert set(s.covered_needs) <= set(needs)
        assert s.needs == len(needs)


# --- what a pairing records ----------------------------------------------------------


def opening_of(state: ProgrammeState, mentor_id: str, reason: str | None = None) -> object:
    command = cmd.OpenRelationship(
        relationship_id=UUID(int=0xB1),
        mentor_id=mentor_id,
        mentee_id="ben",
        direct=True,
        suggestion_override_reason=reason,
    )
    opening, _ = decide_pairing(command, state, RelationshipState(), decision_context())
    return opening


class TestAPairingRecordsTheSuggestion:
    def state(self) -> ProgrammeState:
        return attrs.evolve(
            programme(mentor("ana", 12, C), mentor("cy", 8, C, W), BEN),
            created_at=ENROLLED,
        )

    def test_following_the_first_suggestion_records_rank_1(self) -> None:
        opening = opening_of(self.state(), "cy")
        assert (opening.suggestion_rank, opening.suggestion_override_reason) == (1, None)  # type: ignore[attr-defined]

    def test_overriding_it_records_the_rank_and_the_reason(self) -> None:
        opening = opening_of(self.state(), "ana", "Ben asked for someone on his site")
        assert (opening.suggestion_rank, opening.suggestion_override_reason) == (  # type: ignore[attr-defined]
            2,
            "Ben asked for someone on his site",
        )

    def test_a_blank_override_reason_is_refused(self) -> None:
        with pytest.raises(InvalidValue) as info:
            opening_of(self.state(), "ana", "  ")
        assert info.value.field == "suggestion_override_reason"


class TestEnrolmentRecordsFocusAreas:
    def enrol(self, role: Role, **areas: object) -> object:
        command = cmd.EnrolParticipant(
            person_id="hal", role=role, experience_years=Decimal(3), **areas
        )
        (event,) = decide_programme(command, programme_history().state, decision_context())
        return event

    def test_a_mentors_expertise_is_recorded(self) -> None:
        event = self.enrol(Role.MENTOR, expertise=(W, P))
        assert (event.expertise, event.development_needs) == ((W, P), ())  # type: ignore[attr-defined]

    def test_a_mentees_needs_are_recorded(self) -> None:
        event = self.enrol(Role.MENTEE, development_needs=(T,))
        assert event.development_needs == (T,)  # type: ignore[attr-defined]

    @pytest.mark.parametrize(
        ("role", "field"), [(Role.MENTEE, "expertise"), (Role.MENTOR, "development_needs")]
    )
    def test_the_other_roles_field_is_refused(self, role: Role, field: str) -> None:
        with pytest.raises(InvalidValue) as info:
            self.enrol(role, **{field: (C,)})
        assert info.value.field == field and f"nothing for a {role}" in info.value.expected

    @pytest.mark.parametrize(
        ("areas", "field"),
        [((C, C), "development_needs"), (("juggling",), "development_needs[0]")],
    )
    def test_repeated_or_unknown_areas_are_refused(self, areas: object, field: str) -> None:
        with pytest.raises(InvalidValue) as info:
            self.enrol(Role.MENTEE, development_needs=areas)
        assert info.value.field == field


class TestProfileUpdates:
    """ParticipantProfileUpdated: the whole profile after the change, folded into the state
    the ranking reads."""

    def update(self, **change: object) -> tuple[object, ProgrammeState]:
        history = programme_history()
        command = cmd.UpdateProfile(person_id="ben", **change)  # type: ignore[arg-type]
        (event,) = history.record(command)
        return event, history.state

    def test_a_mentees_needs_are_replaced_and_ranked_on(self) -> None:
        event, state = self.update(development_needs=(W, T))
        assert (event.expertise, event.development_needs) == ((), (W, T))  # type: ignore[attr-defined]
        assert state.participant("ben").development_needs == (W, T)  # type: ignore[union-attr]
        assert all(s.needs == 2 for s in rank_mentors(state, (), "ben"))

    def test_the_other_roles_list_is_refused(self) -> None:
        with pytest.raises(InvalidValue) as info:
            self.update(expertise=(C,))
        assert info.value.field == "expertise"

    def test_a_change_of_nothing_is_refused(self) -> None:
        with pytest.raises(InvalidValue) as info:
            self.update()
        assert "expertise or development needs" in info.value.expected

    def test_someone_not_enrolled_is_refused(self) -> None:
        command = cmd.UpdateProfile(person_id="nobody", development_needs=(C,))
        with pytest.raises(RuleViolation) as info:
            decide_programme(command, programme_history().state, decision_context())
        assert info.value.rule is Rule.PARTICIPANT_ENROLLED
