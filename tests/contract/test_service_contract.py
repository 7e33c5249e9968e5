"""The service's contract, identical on every store: what is recorded comes back whole."""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any, cast
from uuid import UUID, uuid4

import attrs
import pytest
from eventsourcing.persistence import StoredEvent

from mentoring_core import (
    ConcurrencyConflict,
    InvalidValue,
    MentoringService,
    NotFound,
    Rule,
    RuleViolation,
    TimeAxis,
    application,
)
from mentoring_core.domain import evolve_relationship
from mentoring_core.domain.events import GoalSet, MeetingHeld, MeetingRecordCorrected, PairFormed
from mentoring_core.projections import build_compliance_report
from mentoring_core.serialisation import SNAPSHOT_SCHEMA
from mentoring_core.state import RelationshipState
from mentoring_core.store import EventSourcedStore
from mentoring_core.values import (
    Cadence,
    CadenceTier,
    EndReason,
    FeedbackKind,
    FocusArea,
    GoalProgress,
    GoalStatus,
    MeetingFormat,
    MeetingSchedule,
    Participation,
    ProgrammePolicy,
    ProgressStatus,
    Rating,
    RelationshipStatus,
    Role,
    StakeholderFeedback,
)

from .conftest import SteppingClock, calls_of

POLICY = ProgrammePolicy(
    cadence=(
        CadenceTier(cadence=Cadence.weekly(), until_age_days=42),
        CadenceTier(cadence=Cadence.fortnightly(), until_age_days=182),
        CadenceTier(cadence=Cadence.monthly()),
    ),
    minimum_meeting_minutes=60,
    participation=Participation.COMPULSORY,
    minimum_experience_gap_years=Decimal(3),
    review_interval_days=90,
)
FIRST_MEETING = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


@attrs.frozen
class Seeded:
    programme: UUID
    relationship: UUID
    goal: UUID
    meeting: UUID


def seed(service: MentoringService) -> Seeded:
    """A programme with a pair, a goal, two meetings and some feedback."""
    started = FIRST_MEETING - timedelta(days=30)  # before the pair formed
    programme = service.create_programme(
        "New workers 2026", "Northside Care", actor="coord", occurred_at=started
    ).id
    service.set_policy(programme, POLICY, actor="coord")
    service.enrol(programme, "ana", Role.MENTOR, 12, actor="coord", occurred_at=started)
    service.enrol(programme, "ben", Role.MENTEE, "1.5", actor="coord", occurred_at=started)
    pair = service.form_pair(
        programme, "ana", "ben", actor="coord", occurred_at=FIRST_MEETING - timedelta(days=7)
    ).id
    service.agree_schedule(
        pair,
        MeetingSchedule(
            cadence=Cadence.weekly(), duration_minutes=60, format=MeetingFormat.ONE_ON_ONE
        ),
        actor="ana",
    )
    goal = service.set_goal(
        pair,
        "Manage challenging behaviour",
        FocusArea.PROBLEM_SOLVING,
        "Uses de-escalation steps unprompted in three visits",
        date(2026, 9, 1),
        actor="ana",
    ).id
    meeting = service.record_meeting_held(
        pair, 45, MeetingFormat.ONE_ON_ONE, ["first visits"], actor="ana", occurred_at=FIRST_MEETING
    ).id
    service.record_meeting_missed(
        pair, "ben", "sick", actor="ana", occurred_at=FIRST_MEETING + timedelta(days=7)
    )
    service.give_feedback(
        pair,
        "ana",
        "ben",
        FeedbackKind.RECOGNITION,
        "Calm with a distressed client",
        about_meeting_id=meeting,
        actor="ana",
    )
    return Seeded(programme, pair, goal, meeting)


def fold(events: tuple[object, ...]) -> RelationshipState:
    state = RelationshipState()
    for event in events:
        state = evolve_relationship(state, event)  # type: ignore[arg-type]
    return state


def enrol_zoe(service: MentoringService, seeded: Seeded) -> None:
    joined = FIRST_MEETING - timedelta(days=30)
    service.enrol(seeded.programme, "zoe", Role.MENTEE, 0, actor="coord", occurred_at=joined)


def zoe_attends(
    service: MentoringService,
    seeded: Seeded,
    held: datetime,
    meeting_id: UUID | None = None,
    command_id: UUID | None = None,
) -> UUID:
    """Zoe attends a meeting of Ana and Ben's held at ``held``; its id."""
    return service.record_meeting_held(
        seeded.relationship,
        60,
        MeetingFormat.ONE_ON_ONE,
        ["shadowing"],
        attendees=["zoe"],
        meeting_id=meeting_id,
        actor="ana",
        occurred_at=held,
        command_id=command_id,
    ).id


def withdraw_zoe(service: MentoringService, seeded: Seeded, at: datetime) -> None:
    service.withdraw(seeded.programme, "zoe", "Left", actor="coord", occurred_at=at)


def stored_count(service: MentoringService) -> int:
    return service.store.recorder.max_notification_id() or 0


def eventsourced(service: MentoringService) -> EventSourcedStore:
    """The service's store as the store layer's concrete class (its event and snapshot
    stores), for tests that reach under the service."""
    return cast(EventSourcedStore, service.store)


class TestRecordingAndReading:
    def test_a_whole_relationship_comes_back_from_the_store(
        self, store_url: str, clock: SteppingClock
    ) -> None:
        with MentoringService(store_url, clock=clock) as service:
            seeded = seed(service)
            service.record_reflection(
                seeded.relationship,
                [Rating(focus_area=FocusArea.COMMUNICATION, score=3)],
                "I rush my notes",
                actor="ben",
            )
            service.evaluate_progress(
                seeded.relationship,
                [GoalProgress(goal_id=seeded.goal, status=ProgressStatus.AT_RISK)],
                "Two incidents escalated",
                stakeholder_feedback=[StakeholderFeedback(source="team leader", text="Improving")],
                actor="coord",
            )
            state = service.relationship(seeded.relationship)
            history = service.history(seeded.relationship)

        assert state.status is RelationshipStatus.ACTIVE
        assert (state.mentor_id, state.mentee_id) == ("ana", "ben")
        assert [g.title for g in state.goals] == ["Manage challenging behaviour"]
        assert [m.outcome.value for m in state.meetings] == ["held", "missed"]
        assert state.feedback[0].about_meeting_id == seeded.meeting
        assert state.reflections[0].ratings[0].score == 3
        assert state.evaluations[0].goal_progress[0].status is ProgressStatus.AT_RISK
        assert state.schedule is not None and state.schedule.cadence == Cadence.weekly()
        assert [e.version for e in history] == list(range(1, len(history) + 1))
        assert len({e.event_id for e in history}) == len(history)
        assert all(e.recorded_at.tzinfo is not None for e in history)
        assert [e.actor for e in history][:2] == ["coord", "ana"]
        assert isinstance(history[0], PairFormed)
        assert state == fold(history)

    def test_a_new_service_on_the_same_store_reads_the_same_history(
        self, store_url: str, store_kind: str, clock: SteppingClock
    ) -> None:
        if store_kind == "memory":
            pytest.skip("a memory store lives and dies with its service")
        with MentoringService(store_url, clock=clock) as first:
            seeded = seed(first)
            written = first.history(seeded.relationship)
        with MentoringService(store_url) as second:
            assert second.history(seeded.relationship) == written
            assert second.relationships(seeded.programme)[0] == fold(written)

    def test_the_programme_lists_its_relationships(self, store_url: str) -> None:
        with MentoringService(store_url) as service:
            seeded = seed(service)
            service.enrol(seeded.programme, "cai", Role.MENTEE, 0, actor="coord")
            proposed = service.propose_pairing(seeded.programme, "ana", "cai", actor="coord").id
            listed = service.relationships(seeded.programme)
        assert [r.relationship_id for r in listed] == [seeded.relationship, proposed]
        assert [r.status for r in listed] == [
            RelationshipStatus.ACTIVE,
            RelationshipStatus.PROPOSED,
        ]

    def test_coordinators_are_appointed_and_relieved_through_the_named_methods(
        self, store_url: str
    ) -> None:
        with MentoringService(store_url, snapshot_interval=2) as service:
            seeded = seed(service)
            for person in ("coord.rhea", "coord.sol", "coord.tam"):
                service.appoint_coordinator(seeded.programme, person, actor="admin.ida")
            relieved = service.relieve_coordinator(
                seeded.programme, "coord.sol", "Moved to training", actor="admin.ida"
            )
            with pytest.raises(RuleViolation) as refused:
                service.relieve_coordinator(seeded.programme, "coord.sol", "Again", actor="x")
            state = service.programme(seeded.programme)
            history = service.history(seeded.programme)
        assert refused.value.rule is Rule.COORDINATOR_APPOINTED
        assert relieved.version == state.version == len(history)
        assert state.coordinators == frozenset({"coord.rhea", "coord.tam"})
        assert [type(e).__name__ for e in history[-4:]] == [
            "CoordinatorAppointed",
            "CoordinatorAppointed",
            "CoordinatorAppointed",
            "CoordinatorRelieved",
        ]
        assert {e.actor for e in history[-4:]} == {"admin.ida"}


class TestTimeTravel:
    def test_state_as_of_a_version(self, store_url: str) -> None:
        with MentoringService(store_url) as service:
            seeded = seed(service)
            before_goal = service.relationship(seeded.relationship, version=2)
        assert before_goal.version == 2
        assert before_goal.goals == ()
        assert before_goal.schedule is not None

    def test_state_as_of_a_recorded_time_and_an_occurred_time(
        self, store_url: str, clock: SteppingClock
    ) -> None:
        with MentoringService(store_url, clock=clock) as service:
            seeded = seed(service)
            history = service.history(seeded.relationship)
            goal_recorded = next(e for e in history if isinstance(e, GoalSet)).recorded_at
            by_record = service.relationship_as_of(seeded.relationship, goal_recorded)
            just_before = service.relationship_as_of(
                seeded.relationship, goal_recorded - timedelta(seconds=1)
            )
            by_occurrence = service.relationship_as_of(
                seeded.relationship, FIRST_MEETING + timedelta(hours=1), axis=TimeAxis.OCCURRED
            )
        assert [g.goal_id for g in by_record.goals] == [seeded.goal]
        assert by_record.meetings == ()
        assert just_before.goals == ()
        # The meeting happened on 2 March, long before it was recorded.
        assert [m.meeting_id for m in by_occurrence.meetings] == [seeded.meeting]

    def test_before_the_first_event_the_relationship_is_empty(self, store_url: str) -> None:
        with MentoringService(store_url) as service:
            seeded = seed(service)
            empty = service.relationship_as_of(
                seeded.relationship, datetime(2000, 1, 1, tzinfo=UTC)
            )
        assert empty.status is RelationshipStatus.NEW
        assert empty.version == 0

    @pytest.mark.parametrize("axis", list(TimeAxis))
    def test_a_moment_after_now_is_refused_as_a_reports_is(
        self, store_url: str, clock: SteppingClock, axis: TimeAxis
    ) -> None:
        """A state "as of" a moment still to come is not a state it stood in: what is
        recorded before that moment would change it. It was shown (the current state),
        where a report as of the same moment was refused."""
        with MentoringService(store_url, clock=clock) as service:
            seeded = seed(service)
            later = clock.now + timedelta(hours=1)
            with pytest.raises(InvalidValue, match="a moment not after now") as refused:
                service.relationship_as_of(seeded.relationship, later, axis=axis)
            with pytest.raises(InvalidValue, match="a moment not after now"):
                build_compliance_report(service, seeded.programme, as_of=later)
        assert refused.value.field == "at"
        assert refused.value.value == later

    @pytest.mark.parametrize("axis", ["recorded", "occurred", "bogus", None, 42])
    def test_an_axis_other_than_a_time_axis_is_refused_by_name(
        self, store_url: str, axis: object
    ) -> None:
        """Every other enumeration the API takes refuses what is not one of its members;
        the axis was read as OCCURRED whenever it was not RECORDED itself, so the text
        "recorded" (equal to ``TimeAxis.RECORDED``) gave the other axis's state."""
        with MentoringService(store_url) as service:
            seeded = seed(service)
            with pytest.raises(InvalidValue) as refused:
                service.relationship_as_of(seeded.relationship, service.now(), axis=axis)  # type: ignore[arg-type]
        assert refused.value.field == "axis"
        assert "one of recorded, occurred" in str(refused.value)


class TestCorrections:
    def test_a_corrected_meeting_shows_the_correction_and_keeps_both_records(
        self, store_url: str
    ) -> None:
        with MentoringService(store_url) as service:
            seeded = seed(service)
            service.correct_meeting_record(
                seeded.relationship,
                seeded.meeting,
                "It ran to 90 minutes",
                duration_minutes=90,
                actor="ana",
            )
            state = service.relationship(seeded.relationship)
            history = service.history(seeded.relationship)
        held = next(e for e in history if isinstance(e, MeetingHeld))
        correction = next(e for e in history if isinstance(e, MeetingRecordCorrected))
        assert held.duration_minutes == 45
        assert correction.corrects_event_id == held.event_id
        meeting = state.meeting(seeded.meeting)
        assert meeting is not None
        assert meeting.duration_minutes == 90
        assert meeting.corrected_by_event_ids == (correction.event_id,)


class TestRefusals:
    def test_a_refused_command_records_nothing(self, store_url: str) -> None:
        with MentoringService(store_url) as service:
            seeded = seed(service)
            before = stored_count(service)
            with pytest.raises(RuleViolation) as broken:
                service.achieve_goal(seeded.relationship, UUID(int=7), "done", actor="ana")
            with pytest.raises(InvalidValue):
                service.record_meeting_held(
                    seeded.relationship, 0, MeetingFormat.PHONE, [], actor="ana"
                )
            with pytest.raises(InvalidValue, match="occurred_at"):
                service.pause(
                    seeded.relationship,
                    "leave",
                    actor="ana",
                    occurred_at=datetime(2100, 1, 1, tzinfo=UTC),
                )
            with pytest.raises(RuleViolation, match="experience-gap"):
                service.enrol(seeded.programme, "dee", Role.MENTEE, 11, actor="coord")
                service.form_pair(seeded.programme, "ana", "dee", actor="coord")
            after_enrol = before + 1
            assert stored_count(service) == after_enrol
            assert broken.value.rule is Rule.GOAL_EXISTS_AND_OPEN

    def test_unknown_ids_are_not_found(self, store_url: str) -> None:
        with MentoringService(store_url) as service:
            seeded = seed(service)
            with pytest.raises(NotFound, match="relationship"):
                service.relationship(UUID(int=1))
            with pytest.raises(NotFound, match="relationship"):
                service.relationship(seeded.programme)
            with pytest.raises(NotFound, match="programme"):
                service.programme(seeded.relationship)
            with pytest.raises(NotFound):
                service.history(UUID(int=1))
            with pytest.raises(NotFound):
                service.pause(UUID(int=1), "leave", actor="ana")

    def test_an_opening_under_a_relationship_id_already_stored_is_refused_naming_it(
        self, store_url: str
    ) -> None:
        """Not a conflict to retry (a retry can never succeed): the rule, the id and the
        relationship's status; under another programme's relationship id too; under a
        programme's id, the id is refused as not new."""
        with MentoringService(store_url) as service:
            seeded = seed(service)
            other = service.create_programme("Other", "Org", actor="coord").id
            service.enrol(seeded.programme, "cai", Role.MENTEE, 0, actor="coord")
            service.enrol(other, "ana", Role.MENTOR, 12, actor="coord")
            service.enrol(other, "cai", Role.MENTEE, 0, actor="coord")
            before = stored_count(service)
            said = {
                seeded.programme: f"relationship {seeded.relationship} already exists (active)",
                # another programme's coordinator is not told its status or programme
                other: f"relationship id {seeded.relationship} is already in use; give another",
            }
            # given its version as expected (an If-Match of its ETag), as given none: it
            # was a conflict naming version 0, as if the id were free
            version = service.relationship(seeded.relationship).version
            for (programme, message), expected in itertools.product(said.items(), (None, version)):
                with pytest.raises(RuleViolation) as taken:
                    service.form_pair(
                        programme,
                        "ana",
                        "cai",
                        relationship_id=seeded.relationship,
                        actor="coord",
                        expected_version=expected,
                    )
                assert taken.value.rule is Rule.RELATIONSHIP_ALREADY_STARTED
                assert message in str(taken.value) and "active" not in str(taken.value).replace(
                    message, ""
                )
            with pytest.raises(InvalidValue, match="relationship_id") as programme_id:
                service.form_pair(
                    seeded.programme, "ana", "cai", relationship_id=other, actor="coord"
                )
            assert "a new id, not a programme's" in str(programme_id.value)
            assert stored_count(service) == before

    def test_a_withdrawal_is_not_dated_inside_a_relationship_ended_since(
        self, store_url: str
    ) -> None:
        """The service gives the decision every relationship of the programme, with when
        each closed: a withdrawal dated while one was still open is refused naming it."""
        with MentoringService(store_url) as service:
            seeded = seed(service)
            ending = service.end(seeded.relationship, EndReason.COMPLETED, "Done", actor="coord")
            ended = ending.events[0].occurred_at
            with pytest.raises(RuleViolation) as refused:
                service.withdraw(
                    seeded.programme,
                    "ben",
                    "Left",
                    actor="coord",
                    occurred_at=ended - timedelta(seconds=1),
                )
            service.withdraw(seeded.programme, "ben", "Left", actor="coord", occurred_at=ended)
            withdrawn = service.programme(seeded.programme).participant("ben") is None
        assert refused.value.rule is Rule.TIMELINE and withdrawn
        said = f"relationship {seeded.relationship} of 'ben' was ended on {ended.isoformat()}"
        assert said in str(refused.value)

    def test_a_withdrawal_is_dated_after_every_meeting_the_person_attended(
        self, store_url: str
    ) -> None:
        """Someone who attended another pair's meeting was enrolled when it took place: a
        withdrawal dated at or before it is refused, naming the meeting; once a correction
        moves the meeting earlier, a withdrawal between the two dates is true and recorded.
        With a snapshot after every event, so the decision sees states without history."""
        with MentoringService(store_url, snapshot_interval=1) as service:
            seeded = seed(service)
            held = FIRST_MEETING + timedelta(days=14)
            enrol_zoe(service, seeded)
            meeting = zoe_attends(service, seeded, held)
            service.record_meeting_held(  # a later meeting Zoe did not attend
                seeded.relationship,
                60,
                MeetingFormat.ONE_ON_ONE,
                ["caseload"],
                actor="ana",
                occurred_at=held + timedelta(days=7),
            )
            before = stored_count(service)
            refusals = []
            for at in (held - timedelta(days=1), held):
                with pytest.raises(RuleViolation) as refused:
                    withdraw_zoe(service, seeded, at)
                refusals.append(refused.value)
            refused_count = stored_count(service)
            moved = held - timedelta(days=2)
            service.correct_meeting_record(
                seeded.relationship, meeting, "Wrong day", held_at=moved, actor="ana"
            )
            withdraw_zoe(service, seeded, held - timedelta(days=1))
            withdrawn = service.programme(seeded.programme).participant("zoe") is None
        assert refused_count == before and withdrawn
        for error in refusals:
            assert error.rule is Rule.TIMELINE
            assert (
                f"is not after meeting {meeting} of relationship {seeded.relationship}, which "
                f"'zoe' attended on {held.isoformat()}; allowed after {held.isoformat()}"
            ) in str(error)

    def test_a_meeting_moved_later_moves_the_earliest_withdrawal_with_it(
        self, store_url: str
    ) -> None:
        """From states without history (a snapshot after every event), which cannot tell
        the moved meeting's attendees: the meeting's new date is the one that counts."""
        with MentoringService(store_url, snapshot_interval=1) as service:
            seeded = seed(service)
            held = FIRST_MEETING + timedelta(days=14)
            enrol_zoe(service, seeded)
            meeting = zoe_attends(service, seeded, held)
            later = held + timedelta(days=10)
            service.correct_meeting_record(
                seeded.relationship, meeting, "Wrong day", held_at=later, actor="ana"
            )
            with pytest.raises(RuleViolation) as refused:
                withdraw_zoe(service, seeded, held + timedelta(days=5))
            withdraw_zoe(service, seeded, later + timedelta(seconds=1))
            withdrawn = service.programme(seeded.programme).participant("zoe") is None
        assert f"which 'zoe' attended on {later.isoformat()}" in str(refused.value) and withdrawn

    def test_a_group_meeting_is_not_moved_to_before_an_attendee_was_enrolled(
        self, store_url: str
    ) -> None:
        with MentoringService(store_url) as service:
            seeded = seed(service)
            service.enrol(seeded.programme, "cai", Role.MENTEE, 0, actor="coord")
            second = service.form_pair(seeded.programme, "ana", "cai", actor="coord").id
            session = service.record_group_session(
                seeded.programme, "ana", [seeded.relationship, second], 60, ["x"], actor="ana"
            )
            with pytest.raises(RuleViolation) as refused:  # the session, on every pair
                service.correct_group_session(
                    seeded.programme,
                    session.id,
                    "ana",
                    [seeded.relationship, second],
                    "Wrong day",
                    held_at=FIRST_MEETING + timedelta(days=1),
                    actor="ana",
                )
        assert refused.value.rule is Rule.PARTICIPANT_ENROLLED
        assert "attendee 'cai'" in str(refused.value)

    def test_after_the_end_only_corrections_are_recorded(self, store_url: str) -> None:
        with MentoringService(store_url) as service:
            seeded = seed(service)
            service.end(seeded.relationship, EndReason.REMATCHED, "Moved team", actor="coord")
            with pytest.raises(RuleViolation, match="relationship-ended"):
                service.set_goal(
                    seeded.relationship, "x", FocusArea.OTHER, "y", date(2026, 9, 1), actor="ana"
                )
            service.correct_meeting_record(
                seeded.relationship,
                seeded.meeting,
                "wrong format",
                format=MeetingFormat.VIDEO,
                actor="coord",
            )
            state = service.relationship(seeded.relationship)
        assert state.status is RelationshipStatus.ENDED
        assert state.goals[0].status is GoalStatus.OPEN


class TestConcurrency:
    def test_a_stale_expected_version_is_refused_naming_relationship_and_versions(
        self, store_url: str
    ) -> None:
        with MentoringService(store_url) as service:
            seeded = seed(service)
            seen = service.relationship(seeded.relationship).version
            service.pause(seeded.relationship, "leave", actor="ana", expected_version=seen)
            with pytest.raises(ConcurrencyConflict) as conflict:
                service.resume(seeded.relationship, actor="ben", expected_version=seen)
        assert conflict.value.aggregate_id == seeded.relationship
        assert (conflict.value.expected_version, conflict.value.actual_version) == (seen, seen + 1)
        assert str(seeded.relationship) in str(conflict.value)

    def test_two_writers_deciding_at_once_one_wins_and_nothing_is_lost(
        self, store_url: str, store_kind: str
    ) -> None:
        """The loser, deciding on the state it read from the store at the version it
        expects, reaches the store after the winner: the store itself refuses it (given no
        expected version, it is decided again: test_unconditional_retry.py)."""
        with MentoringService(store_url) as winner:
            seeded = seed(winner)
            base = winner.relationship(seeded.relationship).version
            race: list[Callable[[], object]] = []

            def racing_clock() -> datetime:
                # Called while the loser decides, after it loaded the state.
                while race:
                    race.pop()()
                return datetime.now(UTC)

            loser = (
                winner
                if store_kind == "memory"
                else MentoringService(store_url, clock=racing_clock)
            )
            if loser is winner:
                winner._clock = racing_clock  # a memory store cannot be shared by two services
                winner._forget_states()  # the loser reads the state from the store
            race.append(
                lambda: winner.record_meeting_held(
                    seeded.relationship, 60, MeetingFormat.VIDEO, ["winner"], actor="ana"
                )
            )
            with pytest.raises(ConcurrencyConflict) as conflict:
                loser.record_meeting_held(
                    seeded.relationship,
                    60,
                    MeetingFormat.PHONE,
                    ["loser"],
                    actor="ben",
                    expected_version=base,
                )
            history = winner.history(seeded.relationship)
            if loser is not winner:
                loser.close()
        assert conflict.value.aggregate_id == seeded.relationship
        assert conflict.value.kind == "relationship"
        assert (conflict.value.expected_version, conflict.value.actual_version) == (base, base + 1)
        assert len(history) == base + 1
        assert history[-1].topics == ("winner",)  # type: ignore[attr-defined]

    def test_a_command_on_a_cached_state_meeting_a_newer_version_is_decided_again(
        self, store_url: str, store_kind: str
    ) -> None:
        """The loser decides on the state it cached, without reading the store; the
        winner's version, stored meanwhile, refuses its events, and the command is decided
        once more on the stored state: both recorded, in order, no conflict."""
        race: list[Callable[[], object]] = []

        def racing_clock() -> datetime:
            while race:  # called while the loser decides
                race.pop()()
            return datetime.now(UTC)

        with MentoringService(store_url, clock=racing_clock) as winner:
            seeded = seed(winner)
            loser = winner if store_kind == "memory" else MentoringService(store_url)
            if loser is not winner:
                loser._clock = racing_clock
                loser.record_meeting_held(  # its state now cached
                    seeded.relationship, 30, MeetingFormat.PHONE, ["loser's first"], actor="ben"
                )
            base = winner.relationship(seeded.relationship).version
            race.append(
                lambda: winner.record_meeting_held(
                    seeded.relationship, 60, MeetingFormat.VIDEO, ["winner"], actor="ana"
                )
            )
            recorded = loser.record_meeting_held(
                seeded.relationship, 60, MeetingFormat.PHONE, ["loser"], actor="ben"
            )
            history = winner.history(seeded.relationship)
            verified = winner.verify()
            if loser is not winner:
                loser.close()
        assert recorded.version == base + 2
        assert [e.topics for e in history[base:]] == [("winner",), ("loser",)]  # type: ignore[attr-defined]
        assert [e.version for e in history] == list(range(1, base + 3))
        assert verified.ok, verified.finding

    @pytest.mark.parametrize("loses", ["withdrawal", "meeting"])
    def test_a_rule_joining_two_aggregates_holds_against_a_writer_in_between(
        self, store_url: str, store_kind: str, loses: str
    ) -> None:
        """Zoe's withdrawal reads the meetings she attended; a meeting naming her, who was
        enrolled: each decided while the other is stored in between (as its event's id is
        drawn). The store refuses the one decided second, as the other aggregate moved on
        since it was read; decided again on what is stored, it breaks its rule, and
        nothing of it is recorded."""
        race: list[Callable[[], object]] = []

        def racing_id() -> UUID:
            while race:  # called while the loser decides, after it read the other aggregate
                race.pop()()
            return uuid4()

        held = FIRST_MEETING + timedelta(days=14)
        withdrawn = held - timedelta(days=1)
        with MentoringService(store_url) as winner:
            seeded = seed(winner)
            service = winner if store_kind == "memory" else MentoringService(store_url)
            enrol_zoe(service, seeded)
            service._forget_states()  # the loser reads both aggregates from the store
            service._new_id = racing_id  # a memory store cannot be shared by two services

            def meeting(by: MentoringService) -> Callable[[], object]:
                return lambda: zoe_attends(by, seeded, held, meeting_id=uuid4(), command_id=uuid4())

            def withdrawal(by: MentoringService) -> Callable[[], object]:
                return lambda: by.withdraw(
                    seeded.programme,
                    "zoe",
                    "Left",
                    actor="coord",
                    occurred_at=withdrawn,
                    command_id=uuid4(),
                )

            first, second = (
                (meeting, withdrawal) if loses == "withdrawal" else (withdrawal, meeting)
            )
            race.append(first(winner))
            with pytest.raises(RuleViolation) as refused:
                second(service)()
            enrolled = winner.programme(seeded.programme).participant("zoe") is not None
            attended = [m for m in winner.relationship(seeded.relationship).meetings if m.attendees]
            verified = winner.verify()
            if service is not winner:
                service.close()
        assert verified.ok, verified.finding
        if loses == "withdrawal":
            assert refused.value.rule is Rule.TIMELINE and "'zoe' attended on" in str(refused.value)
            assert enrolled and len(attended) == 1
        else:
            assert refused.value.rule is Rule.PARTICIPANT_ENROLLED
            assert not enrolled and not attended

    def test_a_group_session_decided_while_its_programme_moves_on_is_decided_again(
        self, store_url: str, store_kind: str
    ) -> None:
        """A group session reads its programme (who is enrolled): someone enrolled while it
        is decided, the store refuses its meetings, and it is decided once more on the
        stored programme and recorded, not answered with a conflict."""
        race: list[Callable[[], object]] = []

        def racing_id() -> UUID:
            while race:  # called while the session is decided, after it read the programme
                race.pop()()
            return uuid4()

        with MentoringService(store_url) as winner:
            seeded = seed(winner)
            winner.enrol(seeded.programme, "cai", Role.MENTEE, 0, actor="coord")
            second = winner.form_pair(seeded.programme, "ana", "cai", actor="coord").id
            service = winner if store_kind == "memory" else MentoringService(store_url)
            service._new_id = racing_id
            before = winner.programme(seeded.programme).version
            race.append(
                lambda: winner.enrol(seeded.programme, "dee", Role.MENTEE, 0, actor="coord")
            )
            session = service.record_group_session(
                seeded.programme,
                "ana",
                [seeded.relationship, second],
                60,
                ["handover"],
                actor="ana",
                session_id=uuid4(),
                command_id=uuid4(),
            )
            after = winner.programme(seeded.programme).version
            meetings = [
                m
                for r in (seeded.relationship, second)
                for m in winner.relationship(r).meetings
                if m.group_session_id == session.id
            ]
            if service is not winner:
                service.close()
        assert after == before + 1 and len(meetings) == 2

    def test_a_command_refused_on_a_cached_state_is_asked_again_of_the_stored_one(
        self, store_url: str, store_kind: str
    ) -> None:
        """A relationship paused in one service's cache, resumed by another: a meeting the
        cached state refuses is decided again on the stored state, and recorded; one the
        stored state refuses too raises, recording nothing."""
        if store_kind == "memory":
            pytest.skip("a memory store lives and dies with its service: no second service")
        with MentoringService(store_url) as one, MentoringService(store_url) as other:
            seeded = seed(one)
            one.pause(seeded.relationship, "leave", actor="ana")  # paused, in one's cache
            with pytest.raises(RuleViolation):
                one.record_meeting_held(
                    seeded.relationship, 60, MeetingFormat.VIDEO, ["paused"], actor="ana"
                )
            other.resume(seeded.relationship, actor="ana")
            recorded = one.record_meeting_held(
                seeded.relationship, 60, MeetingFormat.VIDEO, ["resumed"], actor="ana"
            )
            other.pause(seeded.relationship, "leave again", actor="ana")
            with pytest.raises(RuleViolation):  # cached: resumed; stored: paused
                one.record_meeting_held(
                    seeded.relationship, 60, MeetingFormat.VIDEO, ["paused again"], actor="ana"
                )
            history = one.history(seeded.relationship)
        assert recorded.version == history[-2].version
        assert [type(e).__name__ for e in history[-4:]] == [
            "RelationshipPaused",
            "RelationshipResumed",
            "MeetingHeld",
            "RelationshipPaused",
        ]

    def test_an_expected_version_beyond_the_cached_state_is_read_from_the_store(
        self, store_url: str, store_kind: str
    ) -> None:
        """A caller who saw a newer version than the service's cache holds is answered on
        the stored state; one who saw an older version than the store holds is refused,
        naming both, even if the cache still holds the version they saw."""
        if store_kind == "memory":
            pytest.skip("a memory store lives and dies with its service: no second service")
        with MentoringService(store_url) as one, MentoringService(store_url) as other:
            seeded = seed(one)
            seen = one.relationship(seeded.relationship).version  # one caches this version
            other.pause(seeded.relationship, "leave", actor="ana", expected_version=seen)
            resumed = one.resume(seeded.relationship, actor="ana", expected_version=seen + 1)
            other.pause(seeded.relationship, "leave", actor="ana")  # one's cache: seen + 2
            with pytest.raises(ConcurrencyConflict) as conflict:
                one.resume(seeded.relationship, actor="ana", expected_version=seen + 2)
        assert resumed.version == seen + 2
        assert (conflict.value.expected_version, conflict.value.actual_version) == (
            seen + 2,
            seen + 3,
        )

    def test_a_command_on_a_cached_state_reads_no_event_from_the_store(
        self, store_url: str, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        with MentoringService(store_url) as service:
            seeded = seed(service)
            reads = calls_of(monkeypatch, service.store.recorder, "select_events")
            service.record_meeting_held(
                seeded.relationship, 60, MeetingFormat.VIDEO, ["cached"], actor="ana"
            )
            assert reads == []
            service._forget_states()
            service.record_meeting_held(
                seeded.relationship, 60, MeetingFormat.VIDEO, ["read"], actor="ana"
            )
            assert reads != []  # nothing cached: the state is read from the store

    def test_a_programme_command_on_a_cached_state_reads_no_event_from_the_store(
        self, store_url: str, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """A programme's state is always whole, so its cached state is what a command on it
        needs: decided on it as a relationship's command is on its cached state."""
        with MentoringService(store_url) as service:
            seeded = seed(service)
            service.appoint_coordinator(seeded.programme, "zoe", actor="coord")  # cached
            reads = calls_of(monkeypatch, service.store.recorder, "select_events")
            service.appoint_coordinator(seeded.programme, "yan", actor="coord")
            assert reads == []
            service._forget_states()
            service.appoint_coordinator(seeded.programme, "xia", actor="coord")
            assert reads != []  # nothing cached: the state is read from the store
            assert service.programme(seeded.programme).coordinators >= {"zoe", "yan", "xia"}

    def test_a_programme_written_with_a_new_relationship_is_cached_at_its_new_version(
        self, store_url: str, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Opening a relationship writes its programme too: the programme's next command is
        decided on its state after that, stored at the first attempt (no clash to retry,
        no read)."""
        with MentoringService(store_url) as service:
            seeded = seed(service)
            service.enrol(seeded.programme, "cai", Role.MENTEE, 0, actor="coord")
            service.form_pair(seeded.programme, "ana", "cai", actor="coord")
            inserts = calls_of(monkeypatch, service.store.recorder, "insert_events")
            reads = calls_of(monkeypatch, service.store.recorder, "select_events")
            recorded = service.appoint_coordinator(seeded.programme, "zoe", actor="coord")
            assert (len(inserts), reads) == (1, [])
            history = service.history(seeded.programme)
        assert type(history[-2]).__name__ == "RelationshipOpened"
        assert recorded.version == history[-1].version == history[-2].version + 1

    def test_a_retried_opening_leaves_its_programme_cached_as_stored(self, store_url: str) -> None:
        """An opening retried with its command id is answered from the store: the
        programme's cached state is not moved on by the events decided again."""
        with MentoringService(store_url) as service:
            seeded = seed(service)
            service.enrol(seeded.programme, "cai", Role.MENTEE, 0, actor="coord")
            retry = uuid4()
            first = service.form_pair(
                seeded.programme, "ana", "cai", actor="coord", command_id=retry
            )
            again = service.form_pair(
                seeded.programme, "ana", "cai", actor="coord", command_id=retry
            )
            cached = service.programme(seeded.programme)
            appointed = service.appoint_coordinator(seeded.programme, "zoe", actor="coord")
            history = service.history(seeded.programme)
        assert again.already_recorded and again.id == first.id
        assert [e.event_id for e in again.events] == [e.event_id for e in first.events]
        assert [type(e).__name__ for e in first.events] == ["PairFormed", "RelationshipOpened"]
        assert list(cached.relationship_ids) == [seeded.relationship, first.id]
        assert cached.version == appointed.version - 1 == history[-2].version

    def test_an_opening_another_service_recorded_meanwhile_leaves_no_stale_programme(
        self, store_url: str, store_kind: str, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """An opening whose command id another service recorded while this one decided:
        answered from the store, and the programme's cached state is not moved on by the
        events this one decided (the store holds others), so its next command is decided
        on the programme as stored."""
        if store_kind == "memory":
            pytest.skip("a memory store lives and dies with its service: no second service")
        race: list[Callable[[], object]] = []

        def racing_clock() -> datetime:
            while race:  # called while the loser decides, after it looked for the command id
                race.pop()()
            return datetime.now(UTC)

        retry = uuid4()
        with MentoringService(store_url) as winner, MentoringService(store_url) as loser:
            seeded = seed(winner)
            winner.enrol(seeded.programme, "cai", Role.MENTEE, 0, actor="coord")
            loser.appoint_coordinator(seeded.programme, "zoe", actor="coord")  # loser caches it
            race.append(
                lambda: winner.form_pair(
                    seeded.programme, "ana", "cai", actor="coord", command_id=retry
                )
            )
            race.append(lambda: winner.appoint_coordinator(seeded.programme, "yan", actor="coord"))
            loser._clock = racing_clock
            again = loser.form_pair(seeded.programme, "ana", "cai", actor="coord", command_id=retry)
            inserts = calls_of(monkeypatch, loser.store.recorder, "insert_events")
            appointed = loser.appoint_coordinator(seeded.programme, "xia", actor="coord")
            history = winner.history(seeded.programme)
            verified = winner.verify()
        assert again.already_recorded
        assert [type(e).__name__ for e in history[-3:]] == [
            "CoordinatorAppointed",
            "RelationshipOpened",
            "CoordinatorAppointed",
        ]
        assert appointed.version == history[-1].version
        assert len(inserts) == 1, "decided on a stale cached programme, then again"
        assert verified.ok, verified.finding

    def test_a_programme_command_on_a_cached_state_meeting_a_newer_version_is_decided_again(
        self, store_url: str, store_kind: str
    ) -> None:
        if store_kind == "memory":
            pytest.skip("a memory store lives and dies with its service: no second service")
        race: list[Callable[[], object]] = []

        def racing_clock() -> datetime:
            while race:  # called while the loser decides
                race.pop()()
            return datetime.now(UTC)

        with MentoringService(store_url) as winner, MentoringService(store_url) as loser:
            seeded = seed(winner)
            loser.appoint_coordinator(seeded.programme, "zoe", actor="coord")  # loser caches it
            base = winner.programme(seeded.programme).version
            loser._clock = racing_clock
            race.append(lambda: winner.appoint_coordinator(seeded.programme, "yan", actor="coord"))
            recorded = loser.appoint_coordinator(seeded.programme, "xia", actor="coord")
            history = winner.history(seeded.programme)
            verified = winner.verify()
        assert recorded.version == base + 2
        assert [e.person_id for e in history[base:]] == ["yan", "xia"]  # type: ignore[attr-defined]
        assert [e.version for e in history] == list(range(1, base + 3))
        assert verified.ok, verified.finding

    def test_a_programme_command_refused_on_a_cached_state_is_asked_again_of_the_stored_one(
        self, store_url: str, store_kind: str
    ) -> None:
        """A coordinator appointed in one service's cache and relieved by another: appointed
        again by the first (its cache refuses, the store allows), recorded; relieved by
        the other, then by the first (its cache allows, the store refuses): refused."""
        if store_kind == "memory":
            pytest.skip("a memory store lives and dies with its service: no second service")
        with MentoringService(store_url) as one, MentoringService(store_url) as other:
            seeded = seed(one)
            one.appoint_coordinator(seeded.programme, "zoe", actor="coord")  # in one's cache
            other.relieve_coordinator(seeded.programme, "zoe", "moved on", actor="coord")
            appointed = one.appoint_coordinator(seeded.programme, "zoe", actor="coord")
            other.relieve_coordinator(seeded.programme, "zoe", "moved on again", actor="coord")
            with pytest.raises(RuleViolation) as refused:
                one.relieve_coordinator(seeded.programme, "zoe", "twice", actor="coord")
            history = one.history(seeded.programme)
        assert appointed.version == history[-2].version
        assert [type(e).__name__ for e in history[-4:]] == [
            "CoordinatorAppointed",
            "CoordinatorRelieved",
            "CoordinatorAppointed",
            "CoordinatorRelieved",
        ]
        assert "'zoe' is not a coordinator" in str(refused.value)

    def test_two_pairings_racing_on_one_programme_conflict_on_the_programme(
        self, store_url: str, store_kind: str
    ) -> None:
        with MentoringService(store_url) as service:
            seeded = seed(service)
            service.enrol(seeded.programme, "cai", Role.MENTEE, 0, actor="coord")
            base = service.programme(seeded.programme).version
            fired = []

            def racing_clock() -> datetime:
                if not fired:
                    fired.append(True)
                    service.propose_pairing(seeded.programme, "ana", "cai", actor="coord")
                return datetime.now(UTC)

            loser = (
                MentoringService(store_url, clock=racing_clock) if store_kind != "memory" else None
            )
            if loser is None:
                service._clock = racing_clock
            with pytest.raises(ConcurrencyConflict) as conflict:
                (loser or service).propose_pairing(seeded.programme, "ana", "cai", actor="coord2")
            if loser is not None:
                loser.close()
            assert len(service.relationships(seeded.programme)) == 2
        assert conflict.value.kind == "programme"
        assert conflict.value.aggregate_id == seeded.programme
        assert (conflict.value.expected_version, conflict.value.actual_version) == (base, base + 1)

    @staticmethod
    def _after_the_look(
        monkeypatch: pytest.MonkeyPatch,
        service: MentoringService,
        target: UUID,
        race: Any,
    ) -> None:
        """Run ``race`` (another attempt of the same command, committing) once, just after
        ``service`` first looks for an earlier attempt among ``target``'s events (by the
        command ids kept beside their links)."""
        recorder = service.store.recorder
        look = recorder.command_versions
        seen: list[bool] = []

        def look_then_race(aggregate_id: UUID, *args: Any, **kwargs: Any) -> Any:
            found = look(aggregate_id, *args, **kwargs)
            if aggregate_id == target and not seen:
                seen.append(True)
                race()
            return found

        monkeypatch.setattr(recorder, "command_versions", look_then_race)

    def test_a_pairing_retried_while_its_first_attempt_commits_is_answered_with_it(
        self, store_url: str, store_kind: str, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Two attempts of one opening (one key) at once: the second, having looked for the
        first and not found it, meets it stored; it is answered with it, never refused as
        a pair already open."""
        if store_kind == "memory":
            pytest.skip("a memory store lives and dies with its service: no second service")
        key, relationship = uuid4(), uuid4()
        with MentoringService(store_url) as first, MentoringService(store_url) as retry:
            seeded = seed(first)
            first.enrol(seeded.programme, "cai", Role.MENTEE, 0, actor="coord")

            def open_(service: MentoringService) -> Any:
                return service.form_pair(
                    seeded.programme,
                    "ana",
                    "cai",
                    relationship_id=relationship,
                    actor="coord",
                    command_id=key,
                )

            self._after_the_look(monkeypatch, retry, relationship, lambda: open_(first))
            answered = open_(retry)
            stored = first.relationships(seeded.programme)
        assert answered.already_recorded and answered.id == relationship
        assert [type(e).__name__ for e in answered.events] == ["PairFormed", "RelationshipOpened"]
        assert [r.relationship_id for r in stored].count(relationship) == 1

    def test_an_erasure_retried_while_its_first_attempt_commits_is_answered_with_it(
        self, store_url: str, store_kind: str, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        if store_kind == "memory":
            pytest.skip("a memory store lives and dies with its service: no second service")
        key = uuid4()
        with MentoringService(store_url) as first, MentoringService(store_url) as retry:
            seeded = seed(first)
            done: list[Any] = []

            def erase(service: MentoringService) -> Any:
                return service.erase_person("ben", "Request 42", actor="dpo", command_id=key)

            self._after_the_look(  # its programmes read, then the look for the key
                monkeypatch, retry, seeded.programme, lambda: done.append(erase(first))
            )
            answered = erase(retry)
            history = first.history(seeded.programme)
        erased = [e for e in history if type(e).__name__ == "PersonalDataErased"]
        assert answered.already_recorded and not done[0].already_recorded
        assert answered.recorded == done[0].recorded and len(erased) == 1

    def test_a_group_session_retried_while_its_first_attempt_commits_is_answered_with_it(
        self, store_url: str, store_kind: str, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        if store_kind == "memory":
            pytest.skip("a memory store lives and dies with its service: no second service")
        key, session = uuid4(), uuid4()
        with MentoringService(store_url) as first, MentoringService(store_url) as retry:
            seeded = seed(first)
            first.enrol(seeded.programme, "cai", Role.MENTEE, 0, actor="coord")
            second = first.form_pair(seeded.programme, "ana", "cai", actor="coord").id
            pairs = [seeded.relationship, second]

            def held(service: MentoringService) -> Any:
                return service.record_group_session(
                    seeded.programme,
                    "ana",
                    pairs,
                    60,
                    ["handovers"],
                    session_id=session,
                    actor="ana",
                    command_id=key,
                )

            self._after_the_look(monkeypatch, retry, seeded.relationship, lambda: held(first))
            answered = held(retry)
            meetings = [
                m for r in pairs for m in first.relationship(r).meetings if m.group_session_id
            ]
        assert answered.already_recorded and answered.id == session
        assert len(answered.events) == len(meetings) == 2


class TestSnapshots:
    def test_loading_from_snapshots_gives_the_same_state_as_folding_every_event(
        self, store_url: str
    ) -> None:
        with MentoringService(store_url, snapshot_interval=10) as service:
            seeded = seed(service)
            for day in range(30):
                service.record_meeting_held(
                    seeded.relationship,
                    60,
                    MeetingFormat.ONE_ON_ONE,
                    [f"week {day}"],
                    actor="ana",
                    occurred_at=FIRST_MEETING + timedelta(days=14 + day),
                )
            snapshots = eventsourced(service).snapshots
            assert snapshots is not None
            taken = list(snapshots.get(seeded.relationship))
            fresh = (
                MentoringService(store_url, snapshot_interval=10)
                if "memory" not in store_url
                else service
            )
            state = fresh.relationship(seeded.relationship)
            old = fresh.relationship(seeded.relationship, version=15)
            history = service.history(seeded.relationship)
            if fresh is not service:
                fresh.close()
        assert [s.version for s in taken] == [10, 20, 30]  # type: ignore[attr-defined]
        assert state == fold(history)
        assert old == fold(history[:15])

    def test_an_unreadable_snapshot_is_passed_over_and_the_events_are_folded(
        self, store_url: str, store_kind: str
    ) -> None:
        if store_kind == "memory":
            pytest.skip("a memory store lives and dies with its service")
        with MentoringService(store_url, snapshot_interval=None) as service:
            seeded = seed(service)
            history = service.history(seeded.relationship)
        with MentoringService(store_url, snapshot_interval=3) as service:
            snapshots = eventsourced(service).snapshots
            assert snapshots is not None
            stale = StoredEvent(
                originator_id=seeded.relationship,
                originator_version=4,
                topic="Snapshot:RelationshipState:0",
                state=b"{}",
            )
            snapshots.recorder.insert_events([stale])
            assert service.relationship(seeded.relationship) == fold(history)
            assert service.relationship(seeded.relationship, version=5) == fold(history[:5])

    def test_a_snapshot_passed_over_is_taken_again_by_the_next_command(
        self, store_url: str, store_kind: str, caplog: pytest.LogCaptureFixture
    ) -> None:
        """After an upgrade that changed the snapshots' schema, the latest snapshot of a
        relationship cannot be read: the first command recorded on it takes a new one,
        whatever the interval, so later loads (a new process for each CLI command) read
        it rather than fold every event until the interval is next crossed."""
        if store_kind == "memory":
            pytest.skip("a memory store lives and dies with its service")
        with MentoringService(store_url, snapshot_interval=None) as service:
            seeded = seed(service)
            version = service.relationship(seeded.relationship).version
        with MentoringService(store_url, snapshot_interval=100) as service:
            snapshots = eventsourced(service).snapshots
            assert snapshots is not None
            stale = StoredEvent(
                originator_id=seeded.relationship,
                originator_version=version,
                topic="Snapshot:RelationshipState:0",
                state=b"{}",
            )
            snapshots.recorder.insert_events([stale])
            with caplog.at_level(logging.WARNING, logger="mentoring_core"):
                service.record_meeting_held(
                    seeded.relationship, 60, MeetingFormat.PHONE, ["after"], actor="ana"
                )
            passed_over = "passed over an unreadable snapshot" in caplog.text
            taken = [
                (s.originator_version, s.topic)
                for s in snapshots.recorder.select_events(seeded.relationship)
            ]
        caplog.clear()
        with (
            MentoringService(store_url, snapshot_interval=100) as fresh,
            caplog.at_level(logging.WARNING, logger="mentoring_core"),
        ):
            again = fresh.record_meeting_held(  # loads the state from the snapshot
                seeded.relationship, 60, MeetingFormat.PHONE, ["again"], actor="ana"
            )
        assert passed_over
        assert taken == [
            (version, "Snapshot:RelationshipState:0"),
            (version + 1, f"Snapshot:RelationshipState:{SNAPSHOT_SCHEMA}"),
        ]
        assert "passed over" not in caplog.text and again.version == version + 2

    def test_the_aggregates_passed_over_remembered_are_bounded(
        self, store_url: str, store_kind: str, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """A long-running service that reads many aggregates after such an upgrade keeps
        only the latest it passed over (here one): the programme, passed over first, is
        forgotten and its next command takes no snapshot before the interval; the
        relationship, passed over last, takes one."""
        if store_kind == "memory":
            pytest.skip("a memory store lives and dies with its service")
        monkeypatch.setattr(application, "_PASSED_OVER_KEPT", 1)
        with MentoringService(store_url, snapshot_interval=None) as service:
            seeded = seed(service)
            versions = {
                seeded.programme: service.programme(seeded.programme).version,
                seeded.relationship: service.relationship(seeded.relationship).version,
            }
        with MentoringService(store_url, snapshot_interval=100) as service:
            snapshots = eventsourced(service).snapshots
            assert snapshots is not None
            snapshots.recorder.insert_events(
                [
                    StoredEvent(
                        originator_id=aggregate_id,
                        originator_version=version,
                        topic="Snapshot:Stale:0",
                        state=b"{}",
                    )
                    for aggregate_id, version in versions.items()
                ]
            )
            # reads the programme, then the pair (as a decision does), then refuses: ben
            # already has the one mentor the policy allows
            with pytest.raises(RuleViolation, match="mentee-mentors"):
                service.suggest_mentors(seeded.programme, "ben")
            service.enrol(seeded.programme, "cal", Role.MENTEE, 1, actor="coord")
            service.record_meeting_held(
                seeded.relationship, 60, MeetingFormat.PHONE, ["after"], actor="ana"
            )
            taken = {
                aggregate_id: [
                    s.originator_version for s in snapshots.recorder.select_events(aggregate_id)
                ]
                for aggregate_id in versions
            }
        assert taken == {
            seeded.programme: [versions[seeded.programme]],
            seeded.relationship: [versions[seeded.relationship], versions[seeded.relationship] + 1],
        }


class TestLostAcknowledgements:
    """A command stored whose acknowledgement never reached the caller, then retried."""

    def test_a_retried_command_id_is_reported_as_already_recorded(self, store_url: str) -> None:
        with MentoringService(store_url) as service:
            seeded = seed(service)
            seen = service.relationship(seeded.relationship).version
            command_id = UUID(int=99)
            first = service.pause(
                seeded.relationship,
                "leave",
                actor="ana",
                expected_version=seen,
                command_id=command_id,
            )
            before = stored_count(service)
            retry = service.pause(
                seeded.relationship,
                "leave",
                actor="ana",
                expected_version=seen,
                command_id=command_id,
            )
            assert stored_count(service) == before
        assert not first.already_recorded
        assert retry.already_recorded
        assert retry.version == first.version == seen + 1
        assert retry.events == first.events
        assert retry.events[0].command_id == command_id

    def test_a_commit_whose_answer_was_lost_inside_the_store_is_not_an_error(
        self, store_url: str
    ) -> None:
        """eventsourcing retries an insert after a connection error; the retry clashes with
        the first, committed attempt. With a command id, that is reported as recorded."""
        with MentoringService(store_url) as service:
            seeded = seed(service)
            store = eventsourced(service).events
            real_put = store.put

            def put_then_retry(events: Any, **kwargs: Any) -> Any:
                real_put(events, **kwargs)  # committed, but the answer is "lost"
                return real_put(events, **kwargs)  # the retry: IntegrityError

            store.put = put_then_retry  # type: ignore[method-assign]
            recorded = service.record_meeting_held(
                seeded.relationship,
                60,
                MeetingFormat.VIDEO,
                ["retried"],
                actor="ana",
                meeting_id=UUID(int=5),
                command_id=UUID(int=6),
            )
            # Without a command id, the service's own id finds the first attempt too: it was
            # reported as a conflict ("nothing was recorded, retry") and retried twice (issue 11).
            store.put = put_then_retry  # type: ignore[method-assign]
            unnamed = service.record_meeting_held(
                seeded.relationship, 60, MeetingFormat.VIDEO, ["no id"], actor="ana"
            )
            store.put = real_put  # type: ignore[method-assign]
            meetings = service.relationship(seeded.relationship).meetings
        assert recorded.already_recorded
        assert recorded.id == UUID(int=5)
        assert unnamed.already_recorded and unnamed.command_id is not None
        assert unnamed.id == unnamed.events[0].meeting_id
        assert [m.topics for m in meetings[-2:]] == [("retried",), ("no id",)]
