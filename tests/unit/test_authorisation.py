"""The authorisation policy: who may do what, what they are told when refused, and what
private entries each may read (``docs/http.md``, "Who may do what")."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from mentoring_core import InvalidValue
from mentoring_core import commands as c
from mentoring_core.authorisation import (
    Act,
    Action,
    Allowed,
    Principal,
    Read,
    Refused,
    Role,
    may,
    may_read_event,
    permission_table,
    redact,
    redact_programme,
    roles_of,
)
from mentoring_core.domain import KINDS
from mentoring_core.events import (
    CoordinatorAppointed,
    CoordinatorRelieved,
    FeedbackGiven,
    GoalSet,
    ParticipantEnrolled,
    ParticipantWithdrawn,
    PolicySet,
    ProgrammeCreated,
    ReflectionRecorded,
    RelationshipOpened,
    ReminderIssued,
)
from mentoring_core.state import (
    Feedback,
    Participant,
    ProgrammeState,
    Reflection,
    RelationshipState,
)
from mentoring_core.values import (
    Cadence,
    CadenceTier,
    DeclineReason,
    FeedbackKind,
    FocusArea,
    Participation,
    ProgrammePolicy,
    Rating,
    RelationshipStatus,
    ReminderReason,
)
from mentoring_core.values import Role as Enrolled

AT = datetime(2026, 3, 2, 10, tzinfo=UTC)
POLICY = ProgrammePolicy(
    cadence=(CadenceTier(cadence=Cadence.weekly()),),
    minimum_meeting_minutes=30,
    participation=Participation.VOLUNTARY,
    minimum_experience_gap_years=Decimal(2),
    review_interval_days=60,
)
P_ID, Q_ID = UUID(int=1), UUID(int=2)
R_ID, R2_ID = UUID(int=11), UUID(int=12)


def enrolled(person: str, role: Enrolled) -> Participant:
    return Participant(person_id=person, role=role, experience_years=Decimal(3), enrolled_at=AT)


RIVERSIDE = ProgrammeState(
    programme_id=P_ID,
    version=9,
    name="Riverside",
    coordinators=frozenset({"coord.rhea"}),
    participants=(
        enrolled("ana", Enrolled.MENTOR),
        enrolled("ben", Enrolled.MENTEE),
        enrolled("cy", Enrolled.MENTOR),
        enrolled("dee", Enrolled.MENTEE),
    ),
    relationship_ids=(R_ID, R2_ID),
)
HILLTOP = ProgrammeState(
    programme_id=Q_ID, version=2, name="Hilltop", coordinators=frozenset({"coord.sol"})
)


def feedback(n: int, *, private: bool, source: str = "ana", to: str = "ben") -> Feedback:
    return Feedback(
        feedback_id=UUID(int=0xF00 + n),
        from_person=source,
        to_person=to,
        kind=FeedbackKind.CONSTRUCTIVE,
        about_goal_id=None,
        about_meeting_id=None,
        text=f"feedback {n}",
        given_at=AT,
        private=private,
    )


def reflection(n: int, *, private: bool) -> Reflection:
    return Reflection(
        reflection_id=UUID(int=0xC00 + n),
        ratings=(Rating(focus_area=FocusArea.WELLBEING, score=3),),
        text=f"reflection {n}",
        recorded_at=AT,
        private=private,
    )


ANA_AND_BEN = RelationshipState(
    relationship_id=R_ID,
    version=6,
    status=RelationshipStatus.ACTIVE,
    programme_id=P_ID,
    mentor_id="ana",
    mentee_id="ben",
    feedback=(feedback(1, private=False), feedback(2, private=True, source="ben", to="ana")),
    reflections=(reflection(1, private=True), reflection(2, private=False)),
)
CY_AND_DEE = attrs.evolve(
    ANA_AND_BEN, relationship_id=R2_ID, mentor_id="cy", mentee_id="dee", feedback=(), reflections=()
)

ADMIN = Principal(subject="admin.ida", roles=frozenset({Role.ADMINISTRATOR}))
AUDITOR = Principal(subject="aud.ola", roles=frozenset({Role.AUDITOR}))
COORDINATOR = Principal(subject="coord.rhea")
MENTOR = Principal(subject="ana")
MENTEE = Principal(subject="ben")
PRINCIPALS = {
    Role.ADMINISTRATOR: ADMIN,
    Role.AUDITOR: AUDITOR,
    Role.COORDINATOR: COORDINATOR,
    Role.MENTOR: MENTOR,
    Role.MENTEE: MENTEE,
}


def all_subclasses(cls: type) -> list[type]:
    found = []
    for sub in cls.__subclasses__():
        found += [sub, *all_subclasses(sub)]
    return found


COMMANDS = sorted(set(all_subclasses(c.Command)), key=lambda cls: cls.__name__)
RELATIONSHIP_LEVEL = {
    cls
    for cls in COMMANDS
    if issubclass(cls, c.RelationshipCommand) and cls is not c.OpenRelationship
}


def states_for(action: Action) -> dict[str, Any]:
    """The states the action concerns, as a caller passes them."""
    if action in RELATIONSHIP_LEVEL or action is Read.RELATIONSHIP:
        return {"programme": RIVERSIDE, "relationship": ANA_AND_BEN}
    if action in (
        c.CreateProgramme,
        Read.PROGRAMMES,
        Read.AUDIT,
        Read.FEED,
        Read.PERSONAL_DATA,
        Act.ERASE_PERSON,
    ):
        return {}
    return {"programme": RIVERSIDE}


A, U, C, M, E = Role
PAIR_OR_COORDINATOR = {C, M, E}
EXPECTED: dict[Action, set[Role]] = {
    c.CreateProgramme: {A},
    c.AppointCoordinator: {A},
    c.RelieveCoordinator: {A},
    c.SetPolicy: {C},
    c.EnrolParticipant: {C},
    c.UpdateProfile: {C},
    c.WithdrawParticipant: {C},
    c.OpenRelationship: {C},
    c.RecogniseMentor: {C},
    c.RecordGroupSession: {C, M},
    c.CorrectGroupSession: {C, M},
    c.IssueReminder: {C},
    c.RecordReminderSent: {C},
    c.AbandonReminder: {C},
    c.AcceptPairing: {M, E},
    c.DeclinePairing: {M, E},
    c.AgreeExpectations: PAIR_OR_COORDINATOR,
    c.SetGoal: PAIR_OR_COORDINATOR,
    c.ReviseGoal: PAIR_OR_COORDINATOR,
    c.AchieveGoal: PAIR_OR_COORDINATOR,
    c.AbandonGoal: PAIR_OR_COORDINATOR,
    c.AddPlanActivity: PAIR_OR_COORDINATOR,
    c.CompletePlanActivity: PAIR_OR_COORDINATOR,
    c.SetMilestone: PAIR_OR_COORDINATOR,
    c.ReachMilestone: PAIR_OR_COORDINATOR,
    c.AgreeSchedule: PAIR_OR_COORDINATOR,
    c.ChangeSchedule: PAIR_OR_COORDINATOR,
    c.RecordMeetingHeld: PAIR_OR_COORDINATOR,
    c.RecordMeetingMissed: PAIR_OR_COORDINATOR,
    c.RecordMeetingCancelled: PAIR_OR_COORDINATOR,
    c.CorrectMeetingRecord: PAIR_OR_COORDINATOR,
    c.GiveFeedback: PAIR_OR_COORDINATOR,
    c.RecordReflection: {E},
    c.EvaluateProgress: {C, M},
    c.PauseRelationship: PAIR_OR_COORDINATOR,
    c.ResumeRelationship: PAIR_OR_COORDINATOR,
    c.EndRelationship: PAIR_OR_COORDINATOR,
    Act.ERASE_PERSON: {A},
    Read.PROGRAMMES: {A, U, C, M, E},
    Read.PROGRAMME: {A, U, C, M, E},
    Read.RELATIONSHIPS: {A, U, C, M, E},
    Read.RELATIONSHIP: {A, U, C, M, E},
    Read.REPORT: {A, U, C},
    Read.SUGGESTIONS: {C},
    Read.AUDIT: {A, U},
    Read.FEED: {A, U},
    Read.PERSONAL_DATA: {A},
}
"""The rules, written out by hand: who may do each action in their own programme or
relationship."""


class TestTheRules:
    def test_every_command_the_domain_decides_and_every_read_has_its_rule_here(self) -> None:
        decided = {cls for kind in KINDS for cls in kind.command_types}
        decided.add(c.OpenRelationship)  # decided by decide_pairing, beside the two deciders
        decided.add(c.RecordGroupSession)  # decided by decide_group_session, likewise
        decided.add(c.CorrectGroupSession)  # decided by decide_group_correction, likewise
        assert set(EXPECTED) == decided | set(Read) | set(Act)

    @pytest.mark.parametrize("action", list(EXPECTED), ids=str)
    @pytest.mark.parametrize("role", list(Role), ids=str)
    def test_who_may_do_what(self, action: Action, role: Role) -> None:
        decision = may(PRINCIPALS[role], action, **states_for(action))
        assert bool(decision) is (role in EXPECTED[action]), decision

    @pytest.mark.parametrize("action", [*COMMANDS, *Read, *Act], ids=str)
    def test_every_action_by_every_principal_is_decided(self, action: Action) -> None:
        """Every Command subclass (bases and strays included) and every query, by every
        role and by someone with none, with and without the states: a decision, never
        an exception."""
        nobody = Principal(subject="zed")
        for principal in (*PRINCIPALS.values(), nobody):
            for states in (states_for(action), {}, {"programme": HILLTOP}):
                decision = may(principal, action, **states)
                assert isinstance(decision, Allowed | Refused)
                if isinstance(decision, Refused):
                    assert not decision
                    assert repr(principal.subject) in decision.reason
                else:
                    assert decision

    def test_a_command_no_rule_covers_is_refused_to_everyone(self) -> None:
        @attrs.frozen(kw_only=True)
        class DiscussCase(c.RelationshipCommand):
            topic: str

        for principal in (ADMIN, COORDINATOR, MENTOR, MENTEE):
            decision = may(principal, DiscussCase, programme=RIVERSIDE, relationship=ANA_AND_BEN)
            assert isinstance(decision, Refused)
            assert decision.reason.startswith(
                "no rule of the authorisation policy lets anyone record DiscussCase; "
            )
            assert not decision.conceal  # each holds a role in the relationship

    @pytest.mark.parametrize("action", ["SetGoal", None, 3, int, Allowed])
    def test_what_is_not_an_action_is_refused_as_invalid(self, action: object) -> None:
        with pytest.raises(
            InvalidValue, match="a command, a command class, a Read or an Act"
        ) as error:
            may(MENTOR, action, programme=RIVERSIDE)  # type: ignore[arg-type]
        assert (error.value.field, error.value.value) == ("action", action)
        assert (
            str(error.value)
            == f"invalid action: {action!r}; expected a command, a command class, a Read or an Act"
        )


class TestRefusals:
    def test_a_coordinator_recording_a_reflection_is_told_the_rule_and_their_role(self) -> None:
        decision = may(
            COORDINATOR, c.RecordReflection, programme=RIVERSIDE, relationship=ANA_AND_BEN
        )
        assert decision == Refused(
            reason="only the mentee records reflections; 'coord.rhea' is a coordinator of "
            "programme 'Riverside'",
            conceal=False,
        )

    def test_a_mentor_on_someone_elses_relationship_is_refused_and_it_stays_hidden(
        self,
    ) -> None:
        for action in (c.SetGoal, Read.RELATIONSHIP):
            decision = may(
                Principal(subject="cy"), action, programme=RIVERSIDE, relationship=ANA_AND_BEN
            )
            assert isinstance(decision, Refused)
            assert decision.conceal
            assert decision.reason.endswith(f"; 'cy' holds no role in relationship {R_ID}")

    def test_a_participant_refused_in_their_own_relationship_is_not_concealed(self) -> None:
        decision = may(MENTEE, c.EvaluateProgress, programme=RIVERSIDE, relationship=ANA_AND_BEN)
        assert decision == Refused(
            reason="progress is evaluated by the mentor or a coordinator of the programme; "
            f"'ben' is the mentee of relationship {R_ID}",
            conceal=False,
        )

    def test_an_enrolled_mentee_may_read_the_programme_but_not_enrol_in_it(self) -> None:
        assert may(MENTEE, Read.PROGRAMME, programme=RIVERSIDE)
        decision = may(MENTEE, c.EnrolParticipant, programme=RIVERSIDE)
        assert decision == Refused(
            reason="only a coordinator of the programme enrols participants; 'ben' is the "
            "mentee in programme 'Riverside'",
            conceal=False,
        )

    def test_someone_outside_the_programme_learns_nothing_of_it(self) -> None:
        for action in (Read.PROGRAMME, Read.RELATIONSHIPS, Read.REPORT, c.EnrolParticipant):
            decision = may(Principal(subject="zed"), action, programme=RIVERSIDE)
            assert decision == Refused(
                reason=f"{decision.reason.split(';')[0]}; 'zed' holds no role in programme "
                "'Riverside'",
                conceal=True,
            )

    def test_an_auditor_records_nothing_whatever_else_they_are(self) -> None:
        auditing_coordinator = Principal(
            subject="coord.rhea", roles=frozenset({Role.AUDITOR, Role.ADMINISTRATOR})
        )
        decision = may(auditing_coordinator, c.EnrolParticipant, programme=RIVERSIDE)
        assert decision == Refused(
            reason="an auditor records nothing; 'coord.rhea' is an administrator and an auditor "
            "and a coordinator of programme 'Riverside'",
            conceal=False,
        )
        assert not may(AUDITOR, c.CreateProgramme)

    def test_only_an_administrator_erases_or_reads_a_persons_data(self) -> None:
        both = Principal(subject="ida", roles=frozenset({Role.AUDITOR, Role.ADMINISTRATOR}))
        assert may(both, Act.ERASE_PERSON) == Refused(
            reason="an auditor records nothing; 'ida' is an administrator and an auditor",
            conceal=False,
        )
        assert may(both, Read.PERSONAL_DATA)
        assert may(ADMIN, Act.ERASE_PERSON) and may(ADMIN, Read.PERSONAL_DATA)
        assert may(AUDITOR, Read.PERSONAL_DATA) == Refused(
            reason="only an administrator reads everything held about one person (subject "
            "access); 'aud.ola' is an auditor",
            conceal=False,
        )
        assert may(COORDINATOR, Act.ERASE_PERSON, programme=RIVERSIDE) == Refused(
            reason="only an administrator erases a person's personal data; 'coord.rhea' is "
            "neither an administrator nor an auditor",
            conceal=False,
        )

    def test_creating_a_programme_needs_an_administrator(self) -> None:
        assert may(MENTOR, c.CreateProgramme) == Refused(
            reason="only an administrator creates programmes; 'ana' is neither an administrator "
            "nor an auditor",
            conceal=False,
        )

    def test_without_the_states_the_reason_says_so(self) -> None:
        decision = may(COORDINATOR, c.SetGoal)
        assert decision == Refused(
            reason="goals are recorded by the mentor, the mentee or a coordinator of the "
            "programme; 'coord.rhea' holds no role in the relationship",
            conceal=True,
        )
        decision = may(MENTOR, c.SetPolicy)
        assert decision == Refused(
            reason="only a coordinator of the programme sets its policy; 'ana' holds no role "
            "in the programme",
            conceal=True,
        )

    def test_organisation_wide_actions_ignore_roles_in_a_programme(self) -> None:
        for action in (c.CreateProgramme, Read.AUDIT, Read.FEED):
            decision = may(COORDINATOR, action, programme=RIVERSIDE)
            assert isinstance(decision, Refused)
            assert decision.reason.endswith(
                "; 'coord.rhea' is neither an administrator nor an auditor"
            )

    def test_the_feed_and_the_audit_are_refused_openly_to_others(self) -> None:
        for action in (Read.FEED, Read.AUDIT):
            decision = may(COORDINATOR, action)
            assert isinstance(decision, Refused)
            assert not decision.conceal


class TestRoles:
    def test_a_coordinator_of_another_programme_has_no_role_here(self) -> None:
        sol = Principal(subject="coord.sol")
        assert roles_of(sol, programme=RIVERSIDE) == frozenset()
        assert roles_of(sol, programme=HILLTOP) == {Role.COORDINATOR}
        decision = may(sol, c.SetGoal, programme=RIVERSIDE, relationship=ANA_AND_BEN)
        assert isinstance(decision, Refused) and decision.conceal

    def test_a_programme_that_is_not_the_relationships_gives_no_coordinator(self) -> None:
        """Passing a programme the caller coordinates with a relationship of another
        programme grants nothing."""
        sol = Principal(subject="coord.sol")
        assert roles_of(sol, programme=HILLTOP, relationship=ANA_AND_BEN) == frozenset()
        assert not may(sol, Read.RELATIONSHIP, programme=HILLTOP, relationship=ANA_AND_BEN)

    def test_without_the_programme_a_coordinator_is_not_recognised_on_a_relationship(
        self,
    ) -> None:
        decision = may(COORDINATOR, c.SetGoal, relationship=ANA_AND_BEN)
        assert isinstance(decision, Refused) and decision.conceal

    def test_only_administrator_and_auditor_come_from_the_principal(self) -> None:
        claims_everything = Principal(subject="zed", roles=frozenset(Role))
        assert roles_of(claims_everything, programme=RIVERSIDE, relationship=ANA_AND_BEN) == {
            Role.ADMINISTRATOR,
            Role.AUDITOR,
        }
        claims_coordinator = Principal(subject="zed", roles=frozenset({Role.COORDINATOR}))
        assert not may(claims_coordinator, c.EnrolParticipant, programme=RIVERSIDE)

    def test_roles_in_a_relationship_and_in_a_programme(self) -> None:
        assert roles_of(MENTOR, programme=RIVERSIDE, relationship=ANA_AND_BEN) == {Role.MENTOR}
        assert roles_of(MENTEE, relationship=ANA_AND_BEN) == {Role.MENTEE}
        assert roles_of(Principal(subject="cy"), relationship=ANA_AND_BEN) == frozenset()
        assert roles_of(Principal(subject="cy"), programme=RIVERSIDE) == {Role.MENTOR}
        assert roles_of(COORDINATOR, programme=RIVERSIDE, relationship=ANA_AND_BEN) == {
            Role.COORDINATOR
        }
        assert roles_of(ADMIN) == {Role.ADMINISTRATOR}
        assert roles_of(Principal(subject="")) == frozenset()

    def test_a_withdrawn_participant_no_longer_reads_the_programme_but_their_relationship(
        self,
    ) -> None:
        withdrawn = attrs.evolve(
            RIVERSIDE,
            participants=(attrs.evolve(RIVERSIDE.participants[1], withdrawn_at=AT),),
        )
        assert not may(MENTEE, Read.PROGRAMME, programme=withdrawn)
        assert may(MENTEE, Read.RELATIONSHIP, programme=withdrawn, relationship=ANA_AND_BEN)


class TestPrivateEntries:
    def test_a_coordinator_reads_the_relationship_without_its_private_entries(self) -> None:
        seen = redact(COORDINATOR, ANA_AND_BEN, programme=RIVERSIDE)
        assert seen.feedback == (ANA_AND_BEN.feedback[0],)
        assert seen.reflections == (ANA_AND_BEN.reflections[1],)
        assert attrs.evolve(seen, feedback=(), reflections=()) == attrs.evolve(
            ANA_AND_BEN, feedback=(), reflections=()
        )

    @pytest.mark.parametrize("principal", [ADMIN, AUDITOR, MENTOR, MENTEE], ids=repr)
    def test_the_pair_administrators_and_auditors_read_everything(
        self, principal: Principal
    ) -> None:
        assert redact(principal, ANA_AND_BEN, programme=RIVERSIDE) is ANA_AND_BEN

    def test_an_event_of_a_private_entry_is_withheld_from_a_coordinator(self) -> None:
        private = feedback_event(R_ID, private=True)
        states = {"programme": RIVERSIDE, "relationship": ANA_AND_BEN}
        assert not may_read_event(COORDINATOR, private, **states)
        assert may_read_event(COORDINATOR, attrs.evolve(private, private=False), **states)
        for principal in (MENTOR, MENTEE, ADMIN, AUDITOR):
            assert may_read_event(principal, private, **states)
        reflected = reflection_event(private=True)
        assert not may_read_event(COORDINATOR, reflected, **states)
        assert may_read_event(MENTEE, reflected, **states)

    def test_an_event_is_judged_by_its_own_relationship_not_the_state_passed(self) -> None:
        """A state of another relationship gives no role for this event."""
        other = feedback_event(R2_ID, private=False)
        assert not may_read_event(MENTOR, other, programme=RIVERSIDE, relationship=ANA_AND_BEN)
        assert may_read_event(
            Principal(subject="cy"), other, programme=RIVERSIDE, relationship=CY_AND_DEE
        )

    def test_the_feed_without_states(self) -> None:
        private = feedback_event(R_ID, private=True)
        assert may_read_event(AUDITOR, private)
        assert may_read_event(ADMIN, private)
        assert not may_read_event(MENTOR, private)  # no relationship given: nothing known
        assert may_read_event(
            COORDINATOR, attrs.evolve(private, private=False), programme=RIVERSIDE
        )

    def test_programme_events_follow_who_reads_the_programme(self) -> None:
        event = ParticipantEnrolled(
            **base_fields(P_ID), person_id="ben", role=Enrolled.MENTEE, experience_years=Decimal(1)
        )
        assert may_read_event(MENTEE, event, programme=RIVERSIDE)
        assert may_read_event(COORDINATOR, event, programme=RIVERSIDE)
        assert may_read_event(AUDITOR, event)
        assert not may_read_event(Principal(subject="zed"), event, programme=RIVERSIDE)
        assert not may_read_event(MENTEE, event, programme=HILLTOP)
        assert not may_read_event(Principal(subject="coord.sol"), event, programme=HILLTOP)

    def test_a_participant_reads_the_programmes_history_as_far_as_it_concerns_them(
        self,
    ) -> None:
        base = base_fields(P_ID)
        others = (
            ParticipantWithdrawn(**base, person_id="dee", reason="burnt out"),
            RelationshipOpened(**base, relationship_id=R2_ID, mentor_id="cy", mentee_id="dee"),
            CoordinatorRelieved(**base, person_id="coord.sol", reason="complaints"),
        )
        theirs = (
            ParticipantWithdrawn(**base, person_id="ben", reason="moved"),
            RelationshipOpened(**base, relationship_id=R_ID, mentor_id="ana", mentee_id="ben"),
        )
        everyone = (
            ProgrammeCreated(**base, name="Riverside", organisation="Northside"),
            PolicySet(**base, policy=POLICY),
            CoordinatorAppointed(**base, person_id="coord.rhea"),
        )
        for event in others:
            assert not may_read_event(MENTEE, event, programme=RIVERSIDE), event
            assert may_read_event(Principal(subject="dee"), event, programme=RIVERSIDE) is (
                not isinstance(event, CoordinatorRelieved)
            )
        for event in (*others, *theirs, *everyone):
            assert may_read_event(COORDINATOR, event, programme=RIVERSIDE)
            assert may_read_event(ADMIN, event)
            assert not may_read_event(Principal(subject="zed"), event, programme=RIVERSIDE)
        for event in (*theirs, *everyone):
            assert may_read_event(MENTEE, event, programme=RIVERSIDE), event
        assert may_read_event(MENTOR, theirs[1], programme=RIVERSIDE)  # ana mentors ben
        assert not may_read_event(MENTOR, theirs[0], programme=RIVERSIDE)  # ben's withdrawal

    def test_ordinary_events_are_read_by_whoever_reads_the_relationship(self) -> None:
        goal = GoalSet(
            **base_fields(R_ID),
            goal_id=UUID(int=5),
            title="Listen",
            focus_area=FocusArea.COMMUNICATION,
            success_measure="x",
            target_date=AT.date(),
        )
        states = {"programme": RIVERSIDE, "relationship": ANA_AND_BEN}
        for principal in PRINCIPALS.values():
            assert may_read_event(principal, goal, **states)
        assert not may_read_event(Principal(subject="cy"), goal, **states)


def base_fields(aggregate_id: UUID) -> dict[str, Any]:
    return {
        "event_id": UUID(int=99),
        "aggregate_id": aggregate_id,
        "version": 3,
        "occurred_at": AT,
        "recorded_at": AT,
        "actor": "ana",
    }


def feedback_event(relationship_id: UUID, *, private: bool) -> FeedbackGiven:
    return FeedbackGiven(
        **base_fields(relationship_id),
        feedback_id=UUID(int=0xF09),
        from_person="ana",
        to_person="ben",
        kind=FeedbackKind.RECOGNITION,
        about_goal_id=None,
        about_meeting_id=None,
        text="well done",
        private=private,
    )


def reflection_event(*, private: bool) -> ReflectionRecorded:
    return ReflectionRecorded(
        **base_fields(R_ID),
        reflection_id=UUID(int=0xC09),
        ratings=(),
        text="hard week",
        private=private,
    )


# --- properties ------------------------------------------------------------------------

PEOPLE = ("ana", "ben", "cy", "dee", "coord.rhea", "coord.sol", "ida")
people = st.sampled_from(PEOPLE)


@st.composite
def worlds(draw: st.DrawFn) -> tuple[ProgrammeState, RelationshipState]:
    """A programme with some coordinators and enrolments, and a relationship in it (or,
    sometimes, in another programme), with feedback and reflections, some private."""
    mentor, mentee = draw(st.lists(people, min_size=2, max_size=2, unique=True))
    programme = attrs.evolve(
        RIVERSIDE,
        coordinators=frozenset(draw(st.sets(people, max_size=3))),
        participants=tuple(
            enrolled(p, draw(st.sampled_from(Enrolled))) for p in draw(st.sets(people))
        ),
    )
    entries = draw(st.lists(st.booleans(), max_size=4))
    relationship = attrs.evolve(
        ANA_AND_BEN,
        programme_id=draw(st.sampled_from((P_ID, Q_ID))),
        mentor_id=mentor,
        mentee_id=mentee,
        feedback=tuple(
            feedback(i, private=p, source=mentor, to=mentee) for i, p in enumerate(entries)
        ),
        reflections=tuple(reflection(i, private=p) for i, p in enumerate(entries)),
    )
    return programme, relationship


token_roles = st.sets(st.sampled_from(Role)).map(frozenset)


@given(worlds(), people, token_roles, st.sampled_from([*COMMANDS]))
def test_an_auditor_is_never_allowed_a_command(
    world: tuple[ProgrammeState, RelationshipState],
    subject: str,
    roles: frozenset[Role],
    command: type[c.Command],
) -> None:
    programme, relationship = world
    auditor = Principal(subject=subject, roles=roles | {Role.AUDITOR})
    decision = may(auditor, command, programme=programme, relationship=relationship)
    assert isinstance(decision, Refused)
    assert not decision.conceal


@given(worlds(), people, st.sampled_from([*RELATIONSHIP_LEVEL, Read.RELATIONSHIP]))
def test_no_one_is_allowed_anything_on_a_relationship_they_have_no_part_in(
    world: tuple[ProgrammeState, RelationshipState], subject: str, action: Action
) -> None:
    programme, relationship = world
    outsider = subject not in (relationship.mentor_id, relationship.mentee_id) and (
        subject not in programme.coordinators or relationship.programme_id != programme.programme_id
    )
    decision = may(
        Principal(subject=subject), action, programme=programme, relationship=relationship
    )
    if outsider:
        assert isinstance(decision, Refused)
        assert decision.conceal
    elif isinstance(decision, Refused):
        assert not decision.conceal


@given(worlds(), people, token_roles)
def test_redact_never_shows_a_private_entry_to_anyone_but_the_pair_administrators_and_auditors(
    world: tuple[ProgrammeState, RelationshipState], subject: str, roles: frozenset[Role]
) -> None:
    programme, relationship = world
    principal = Principal(subject=subject, roles=roles)
    seen = redact(principal, relationship, programme=programme)
    privileged = subject in (relationship.mentor_id, relationship.mentee_id) or bool(
        roles & {Role.ADMINISTRATOR, Role.AUDITOR}
    )
    if privileged:
        assert seen == relationship
    else:
        assert not any(f.private for f in seen.feedback)
        assert not any(r.private for r in seen.reflections)
        assert [f for f in relationship.feedback if not f.private] == list(seen.feedback)
        assert [r for r in relationship.reflections if not r.private] == list(seen.reflections)


def with_contacts(programme: ProgrammeState) -> ProgrammeState:
    """``programme`` with every participant named and reachable."""
    return attrs.evolve(
        programme,
        participants=tuple(
            attrs.evolve(p, display_name=p.person_id.title(), contact=f"{p.person_id}@example.org")
            for p in programme.participants
        ),
    )


@pytest.mark.parametrize("principal", [ADMIN, AUDITOR, COORDINATOR], ids=str)
def test_administrators_auditors_and_coordinators_read_every_contact(
    principal: Principal,
) -> None:
    assert redact_programme(principal, with_contacts(RIVERSIDE)) == with_contacts(RIVERSIDE)


@pytest.mark.parametrize("principal", [MENTOR, MENTEE], ids=str)
def test_a_participant_reads_only_their_own_contact_and_everyones_name(
    principal: Principal,
) -> None:
    seen = redact_programme(principal, with_contacts(RIVERSIDE))
    assert {p.person_id: p.contact for p in seen.participants} == {
        "ana": None,
        "ben": None,
        "cy": None,
        "dee": None,
        principal.subject: f"{principal.subject}@example.org",
    }
    assert [p.display_name for p in seen.participants] == ["Ana", "Ben", "Cy", "Dee"]
    assert seen.participants[0].experience_years == RIVERSIDE.participants[0].experience_years


@pytest.mark.parametrize("principal", [MENTOR, MENTEE], ids=str)
def test_a_participant_reads_no_one_else_s_needs_or_past_enrolment(principal: Principal) -> None:
    """The programme's history withholds another's enrolment and withdrawal from a
    participant (:func:`may_read_event`); the state showed them anyway: another mentee's
    development needs, when someone's profile changed or their time was recognised, and
    who withdrew when."""
    dee = next(p for p in RIVERSIDE.participants if p.person_id == "dee")
    programme = attrs.evolve(
        with_contacts(RIVERSIDE),
        participants=tuple(
            attrs.evolve(
                p,
                development_needs=(FocusArea.WELLBEING,),
                profile_updated_at=dee.enrolled_at,
                recognised_from=dee.enrolled_at.date(),
                withdrawn_at=dee.enrolled_at if p.person_id == "cy" else None,
            )
            for p in with_contacts(RIVERSIDE).participants
        ),
    )
    seen = {p.person_id: p for p in redact_programme(principal, programme).participants}
    assert "cy" not in seen  # withdrawn: a fact about someone else
    own = seen.pop(principal.subject)
    assert own == programme.participant(principal.subject)
    for other in seen.values():
        assert (other.development_needs, other.profile_updated_at, other.recognised_from) == (
            (),
            None,
            None,
        )
        assert other.display_name == other.person_id.title()  # names and roles stay


def test_the_table_says_participants_read_no_one_elses_contact() -> None:
    (row,) = [line for line in permission_table().splitlines() if "`Read.PROGRAMME`" in line]
    assert row.count(PARTICIPANTS_READ) == 2


PARTICIPANTS_READ = (
    "yes: others' names, roles, experience and expertise only (no contact details, "
    "development needs or reminders; no one withdrawn)"
)


def reminder(n: int, person: str, relationship: UUID) -> ReminderIssued:
    return ReminderIssued(
        event_id=UUID(int=0xE00 + n),
        aggregate_id=P_ID,
        version=20 + n,
        occurred_at=AT,
        recorded_at=AT,
        actor="coord.rhea",
        reminder_id=UUID(int=0xD00 + n),
        person_id=person,
        relationship_id=relationship,
        reason=ReminderReason.OVERDUE,
        item="goal",
        due=AT,
        channel="webhook",
    )


WITH_REMINDERS = attrs.evolve(
    RIVERSIDE,
    reminders_unsent=(
        reminder(1, "ana", R_ID),
        reminder(2, "cy", R2_ID),
        reminder(3, "ben", R_ID),
        reminder(4, "dee", R2_ID),
    ),
)


@pytest.mark.parametrize("principal", [ADMIN, AUDITOR, COORDINATOR], ids=str)
def test_administrators_auditors_and_coordinators_read_every_unsent_reminder(
    principal: Principal,
) -> None:
    assert redact_programme(principal, WITH_REMINDERS) == WITH_REMINDERS


@pytest.mark.parametrize("principal", [MENTOR, MENTEE], ids=str)
def test_a_participant_reads_only_their_own_unsent_reminders(principal: Principal) -> None:
    """A reminder is a programme fact about the one reminded, as ``may_read_event`` reads
    it in the history: another's reminder names them, their overdue item, their pair."""
    seen = redact_programme(principal, WITH_REMINDERS)
    assert [r.person_id for r in seen.reminders_unsent] == [principal.subject]
    assert all(
        may_read_event(principal, r, programme=WITH_REMINDERS) == (r in seen.reminders_unsent)
        for r in WITH_REMINDERS.reminders_unsent
    )


@given(worlds(), people, token_roles, st.booleans())
def test_may_read_event_agrees_with_may_and_redact(
    world: tuple[ProgrammeState, RelationshipState],
    subject: str,
    roles: frozenset[Role],
    private: bool,
) -> None:
    programme, relationship = world
    principal = Principal(subject=subject, roles=roles)
    event = feedback_event(R_ID, private=private)
    entry = feedback(0, private=private)
    shown = redact(principal, attrs.evolve(relationship, feedback=(entry,)), programme=programme)
    readable = bool(
        may(principal, Read.RELATIONSHIP, programme=programme, relationship=relationship)
    )
    expected = readable and shown.feedback == (entry,)
    assert may_read_event(principal, event, programme=programme, relationship=relationship) is (
        expected
    )


def test_the_permission_table_is_the_rules() -> None:
    table = permission_table()
    rows = [line for line in table.splitlines() if line.startswith("| ")][2:]
    assert len(rows) == len(EXPECTED)
    for row, (action, allowed) in zip(rows, EXPECTED.items(), strict=True):
        cells = [cell.strip() for cell in row.strip("|").split("|")]
        label = (
            f"`{action.__name__}`"
            if isinstance(action, type)
            else f"`{type(action).__name__}.{action.name}`"
        )
        assert label in cells[0]
        said = {role for role, cell in zip(Role, cells[1:6], strict=True) if cell.startswith("yes")}
        assert said == allowed, row
    (relationship_row,) = [r for r in rows if "`Read.RELATIONSHIP`" in r]
    assert "| yes, without private entries |" in relationship_row


def _speaking(command_type: type[c.Command], person: str) -> c.Command:
    """A command of ``command_type`` on Ana and Ben's relationship in which ``person`` speaks."""
    on = {"relationship_id": R_ID}
    if command_type is c.AcceptPairing:
        return c.AcceptPairing(**on, accepted_by=person)
    if command_type is c.DeclinePairing:
        return c.DeclinePairing(
            **on, declined_by=person, reason=DeclineReason.SCHEDULE_CONFLICT, explanation="shifts"
        )
    other = "ben" if person == "ana" else "ana"
    return c.GiveFeedback(
        **on, from_person=person, to_person=other, kind=FeedbackKind.RECOGNITION, text="well done"
    )


SPEAKING = (c.AcceptPairing, c.DeclinePairing, c.GiveFeedback)


@pytest.mark.parametrize("command_type", SPEAKING, ids=lambda t: t.__name__)
@pytest.mark.parametrize(("caller", "named"), [(MENTOR, "ben"), (MENTEE, "ana")])
def test_a_participant_does_not_speak_for_the_other(
    command_type: type[c.Command], caller: Principal, named: str
) -> None:
    command = _speaking(command_type, named)
    field = {c.AcceptPairing: "accepted_by", c.DeclinePairing: "declined_by"}.get(
        command_type, "from_person"
    )
    assert may(caller, command, programme=RIVERSIDE, relationship=ANA_AND_BEN) == Refused(
        reason=f"a participant records {command_type.__name__} only in their own name: "
        f"{field} is {named!r}, but the caller is {caller.subject!r}",
        conceal=False,
    )
    # the class alone says nothing of who speaks, so it is allowed
    assert may(caller, command_type, programme=RIVERSIDE, relationship=ANA_AND_BEN)


@pytest.mark.parametrize("command_type", SPEAKING, ids=lambda t: t.__name__)
@pytest.mark.parametrize("caller", [MENTOR, MENTEE], ids=lambda p: p.subject)
def test_a_participant_speaks_in_their_own_name(
    command_type: type[c.Command], caller: Principal
) -> None:
    command = _speaking(command_type, caller.subject)
    assert may(caller, command, programme=RIVERSIDE, relationship=ANA_AND_BEN) == Allowed()


def test_a_coordinator_records_feedback_a_participant_gave() -> None:
    command = _speaking(c.GiveFeedback, "ben")
    assert may(COORDINATOR, command, programme=RIVERSIDE, relationship=ANA_AND_BEN) == Allowed()
    # without the programme the coordinator is not recognised, and the relationship is hidden
    refused = may(COORDINATOR, command, relationship=ANA_AND_BEN)
    assert isinstance(refused, Refused) and refused.conceal


def test_an_outsider_naming_a_participant_is_still_concealed() -> None:
    command = _speaking(c.AcceptPairing, "ana")
    refused = may(Principal(subject="cy"), command, programme=RIVERSIDE, relationship=ANA_AND_BEN)
    assert isinstance(refused, Refused) and refused.conceal


def _group_session(mentor: str) -> c.RecordGroupSession:
    return c.RecordGroupSession(
        programme_id=P_ID,
        mentor_id=mentor,
        relationship_ids=(R_ID, R2_ID),
        duration_minutes=60,
        topics=(),
    )


def test_a_mentor_records_a_group_session_only_as_its_mentor() -> None:
    assert may(MENTOR, _group_session("ana"), programme=RIVERSIDE) == Allowed()
    assert may(MENTOR, _group_session("cy"), programme=RIVERSIDE) == Refused(
        reason="a participant records RecordGroupSession only in their own name: "
        "mentor_id is 'cy', but the caller is 'ana'",
        conceal=False,
    )


def test_a_coordinator_records_any_mentors_group_session_and_a_mentee_none() -> None:
    assert may(Principal(subject="coord.rhea"), _group_session("cy"), programme=RIVERSIDE)
    refused = may(MENTEE, _group_session("ben"), programme=RIVERSIDE)
    assert isinstance(refused, Refused)
    assert refused.reason.startswith("a group session is recorded by its mentor")


def test_a_group_session_is_corrected_by_its_mentor_or_a_coordinator_only() -> None:
    def correction(mentor: str) -> c.CorrectGroupSession:
        return c.CorrectGroupSession(
            programme_id=P_ID,
            session_id=UUID(int=5),
            mentor_id=mentor,
            relationship_ids=(R_ID, R2_ID),
            reason="Wrong length",
            duration_minutes=50,
        )

    assert may(MENTOR, correction("ana"), programme=RIVERSIDE) == Allowed()
    assert isinstance(may(MENTOR, correction("cy"), programme=RIVERSIDE), Refused)
    assert may(Principal(subject="coord.rhea"), correction("cy"), programme=RIVERSIDE)
    refused = may(MENTEE, correction("ben"), programme=RIVERSIDE)
    assert isinstance(refused, Refused)
    assert refused.reason.startswith("a group session is corrected by its mentor")
