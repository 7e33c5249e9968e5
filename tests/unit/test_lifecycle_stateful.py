"""Random sequences of valid and invalid commands against Ana and Ben's relationship.

The machine keeps its own simple model (status, goal statuses, meeting outcomes,
version) and predicts, for every command, whether the domain must accept it or
which rule or field it must refuse. Refused commands must leave the state as it
was; accepted ones must continue the version sequence. The invariants hold the
life-cycle rules over the whole history recorded so far.
"""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from typing import Any
from uuid import UUID

import pytest
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    invariant,
    multiple,
    precondition,
    rule,
)
from scenarios import relationship_history
from strategies import NOW, labels

from mentoring_core import InvalidValue, Rule, RuleViolation
from mentoring_core.domain import commands as cmd
from mentoring_core.domain.events import (
    MeetingCancelled,
    MeetingHeld,
    MeetingMissed,
    MeetingRecordCorrected,
    RelationshipEnded,
    RelationshipPaused,
    RelationshipResumed,
)
from mentoring_core.values import (
    EndReason,
    FeedbackKind,
    FocusArea,
    GoalStatus,
    MeetingFormat,
    MeetingOutcome,
    RelationshipStatus,
)

MEETING_EVENTS = (MeetingHeld, MeetingMissed, MeetingCancelled)
BAD_TITLES = ("", "   ", "Listen\nmore", "Listen\x07", "L" * 501)


class RelationshipLifecycle(RuleBasedStateMachine):
    goals = Bundle("goals")
    meetings = Bundle("meetings")

    def __init__(self) -> None:
        super().__init__()
        self.history = relationship_history()
        self.status = RelationshipStatus.ACTIVE
        self.goal_status: dict[UUID, GoalStatus] = {}
        self.meeting_outcomes: dict[UUID, MeetingOutcome] = {}
        self.version = 1
        self.ids = itertools.count(1)

    # --- The model's predictions --------------------------------------------------

    def new_id(self) -> UUID:
        return UUID(int=0x5000_0000 + next(self.ids))

    def status_rule(self, *, meeting: bool = False) -> Rule | None:
        """The life-cycle rule a command breaks in the current status, if any."""
        if self.status is RelationshipStatus.ENDED:
            return Rule.RELATIONSHIP_ENDED
        if meeting and self.status is RelationshipStatus.PAUSED:
            return Rule.NO_MEETINGS_WHILE_PAUSED
        return None

    def attempt(
        self, command: Any, *, rule: Rule | None = None, invalid: str | None = None
    ) -> bool:
        """Record ``command``, asserting the predicted outcome; True if it was recorded."""
        before, count = self.history.state, len(self.history.events)
        if rule is not None or invalid is not None:
            with pytest.raises(RuleViolation if rule is not None else InvalidValue) as info:
                self.history.record(command)
            if rule is not None:
                assert info.value.rule is rule, str(info.value)
            else:
                assert info.value.field == invalid, str(info.value)
            assert self.history.state is before
            assert len(self.history.events) == count
            return False
        new = self.history.record(command)
        assert [e.version for e in new] == list(
            range(self.version + 1, self.version + 1 + len(new))
        )
        assert all(e.aggregate_id == before.relationship_id for e in new)
        self.version += len(new)
        return True

    # --- Goals --------------------------------------------------------------------

    @rule(target=goals, title=st.one_of(labels(), st.sampled_from(BAD_TITLES)))
    def set_goal(self, title: str) -> Any:
        goal_id = self.new_id()
        command = cmd.SetGoal(
            goal_id=goal_id,
            title=title,
            focus_area=FocusArea.COMMUNICATION,
            success_measure="Ben leads a family meeting",
            target_date=date(2025, 6, 30),
        )
        expected = self.status_rule()
        if expected is not None:
            self.attempt(command, rule=expected)
            return multiple()
        if title in BAD_TITLES:
            self.attempt(command, invalid="title")
            return multiple()
        self.attempt(command)
        self.goal_status[goal_id] = GoalStatus.OPEN
        return goal_id

    @rule(goal=goals, achieved=st.booleans())
    def close_goal(self, goal: UUID, achieved: bool) -> None:
        command: Any = (
            cmd.AchieveGoal(goal_id=goal, evidence="Led the Okafor meeting")
            if achieved
            else cmd.AbandonGoal(goal_id=goal, reason="Moved to the night team")
        )
        expected = self.status_rule() or (
            None if self.goal_status[goal] is GoalStatus.OPEN else Rule.GOAL_EXISTS_AND_OPEN
        )
        if self.attempt(command, rule=expected):
            self.goal_status[goal] = GoalStatus.ACHIEVED if achieved else GoalStatus.ABANDONED

    @rule(goal=goals, days=st.integers(1, 400))
    def revise_goal(self, goal: UUID, days: int) -> None:
        target = date(2025, 6, 30) + timedelta(days=days)
        expected = self.status_rule() or (
            None if self.goal_status[goal] is GoalStatus.OPEN else Rule.GOAL_EXISTS_AND_OPEN
        )
        if self.attempt(
            cmd.ReviseGoal(goal_id=goal, reason="The family asked to wait", target_date=target),
            rule=expected,
        ):
            revised = self.history.state.goal(goal)
            assert revised is not None and revised.target_date == target

    @rule(goal_id=st.uuids(version=4), achieved=st.booleans())
    def close_a_goal_never_set(self, goal_id: UUID, achieved: bool) -> None:
        command: Any = (
            cmd.AchieveGoal(goal_id=goal_id, evidence="Done")
            if achieved
            else cmd.AbandonGoal(goal_id=goal_id, reason="Dropped")
        )
        self.attempt(command, rule=self.status_rule() or Rule.GOAL_EXISTS_AND_OPEN)

    # --- Meetings -----------------------------------------------------------------

    @rule(
        target=meetings,
        minutes=st.one_of(st.integers(1, 1440), st.sampled_from((0, -30, 1441, 10_000))),
        days_ago=st.integers(0, 20),
    )
    def hold_meeting(self, minutes: int, days_ago: int) -> Any:
        meeting_id = self.new_id()
        command = cmd.RecordMeetingHeld(
            meeting_id=meeting_id,
            occurred_at=NOW - timedelta(days=days_ago),
            duration_minutes=minutes,
            format=MeetingFormat.ONE_ON_ONE,
            topics=("handover notes",),
        )
        expected = self.status_rule(meeting=True)
        if expected is not None:
            self.attempt(command, rule=expected)
            return multiple()
        if not 1 <= minutes <= 1440:
            self.attempt(command, invalid="duration_minutes")
            return multiple()
        self.attempt(command)
        self.meeting_outcomes[meeting_id] = MeetingOutcome.HELD
        return meeting_id

    @rule(target=meetings, cancelled=st.booleans())
    def meeting_did_not_happen(self, cancelled: bool) -> Any:
        meeting_id = self.new_id()
        command: Any = (
            cmd.RecordMeetingCancelled(meeting_id=meeting_id, cancelled_by="ana", reason="Ill")
            if cancelled
            else cmd.RecordMeetingMissed(meeting_id=meeting_id, missed_by="ben", reason="Late")
        )
        expected = self.status_rule(meeting=True)
        if not self.attempt(command, rule=expected):
            return multiple()
        self.meeting_outcomes[meeting_id] = (
            MeetingOutcome.CANCELLED if cancelled else MeetingOutcome.MISSED
        )
        return meeting_id

    @rule(meeting=meetings)
    def record_the_same_meeting_again(self, meeting: UUID) -> None:
        command = cmd.RecordMeetingMissed(meeting_id=meeting, missed_by="ben", reason="Again")
        self.attempt(command, rule=self.status_rule(meeting=True) or Rule.UNIQUE_ID)

    @rule(seconds=st.integers(1, 10**7))
    def log_a_meeting_in_the_future(self, seconds: int) -> None:
        command = cmd.RecordMeetingHeld(
            meeting_id=self.new_id(),
            occurred_at=NOW + timedelta(seconds=seconds),
            duration_minutes=60,
            format=MeetingFormat.VIDEO,
            topics=(),
        )
        expected = self.status_rule(meeting=True)
        self.attempt(command, rule=expected, invalid=None if expected else "occurred_at")

    @rule(meeting=meetings, minutes=st.integers(1, 1440))
    def correct_meeting(self, meeting: UUID, minutes: int) -> None:
        held = self.meeting_outcomes[meeting] is MeetingOutcome.HELD
        command = cmd.CorrectMeetingRecord(
            meeting_id=meeting, duration_minutes=minutes, reason="Minutes misread"
        )
        if self.attempt(command, rule=None if held else Rule.CORRECTION_TARGET):
            corrected = self.history.state.meeting(meeting)
            assert corrected is not None and corrected.duration_minutes == minutes

    # --- Feedback -----------------------------------------------------------------

    @rule(goal=goals, meeting=meetings)
    def give_feedback(self, goal: UUID, meeting: UUID) -> None:
        command = cmd.GiveFeedback(
            feedback_id=self.new_id(),
            from_person="ana",
            to_person="ben",
            kind=FeedbackKind.CONSTRUCTIVE,
            text="Write the case note before the next visit.",
            about_goal_id=goal,
            about_meeting_id=meeting,
        )
        self.attempt(command, rule=self.status_rule())

    # --- Life cycle ---------------------------------------------------------------

    @rule()
    def pause(self) -> None:
        paused = self.status is RelationshipStatus.PAUSED
        expected = self.status_rule() or (Rule.RELATIONSHIP_NOT_PAUSED if paused else None)
        if self.attempt(cmd.PauseRelationship(reason="Annual leave"), rule=expected):
            self.status = RelationshipStatus.PAUSED

    @rule()
    def resume(self) -> None:
        paused = self.status is RelationshipStatus.PAUSED
        expected = self.status_rule() or (None if paused else Rule.RELATIONSHIP_PAUSED)
        if self.attempt(cmd.ResumeRelationship(), rule=expected):
            self.status = RelationshipStatus.ACTIVE

    @precondition(lambda self: self.version >= 5)
    @rule(reason=st.sampled_from(EndReason))
    def end(self, reason: EndReason) -> None:
        command = cmd.EndRelationship(reason=reason, explanation="Reviewed with the coordinator")
        if self.attempt(command, rule=self.status_rule()):
            self.status = RelationshipStatus.ENDED

    # --- Invariants ---------------------------------------------------------------

    @invariant()
    def version_is_the_number_of_events(self) -> None:
        events = self.history.events
        assert self.history.state.version == len(events) == self.version
        assert [e.version for e in events] == list(range(1, len(events) + 1))

    @invariant()
    def status_matches_the_model(self) -> None:
        assert self.history.state.status is self.status

    @invariant()
    def goal_statuses_match_the_model(self) -> None:
        assert {g.goal_id: g.status for g in self.history.state.goals} == self.goal_status

    @invariant()
    def meetings_match_the_model(self) -> None:
        state = self.history.state
        assert {m.meeting_id: m.outcome for m in state.meetings} == self.meeting_outcomes

    @invariant()
    def nothing_but_corrections_after_the_end(self) -> None:
        kinds = [type(e) for e in self.history.events]
        if RelationshipEnded in kinds:
            after = kinds[kinds.index(RelationshipEnded) + 1 :]
            assert all(kind is MeetingRecordCorrected for kind in after), after

    @invariant()
    def no_meeting_recorded_while_paused(self) -> None:
        paused = False
        for event in self.history.events:
            if isinstance(event, RelationshipPaused):
                paused = True
            elif isinstance(event, RelationshipResumed):
                paused = False
            elif isinstance(event, MEETING_EVENTS):
                assert not paused, event

    @invariant()
    def folding_from_scratch_gives_the_same_state(self) -> None:
        assert self.history.refold() == self.history.state


TestRelationshipLifecycle = RelationshipLifecycle.TestCase


def test_a_meeting_held_before_a_pause_can_be_corrected_after_the_end() -> None:
    """A fixed walk through the machine: pause, resume, end, then correct."""
    machine = RelationshipLifecycle()
    meeting = machine.hold_meeting(minutes=60, days_ago=3)
    goal = machine.set_goal(title="Run a family meeting")
    machine.pause()
    assert machine.hold_meeting(minutes=60, days_ago=0) == multiple()
    machine.resume()
    machine.give_feedback(goal=goal, meeting=meeting)
    machine.end(reason=EndReason.COMPLETED)
    machine.correct_meeting(meeting=meeting, minutes=45)
    machine.close_goal(goal=goal, achieved=True)
    assert [type(e).__name__ for e in machine.history.events[-2:]] == [
        "RelationshipEnded",
        "MeetingRecordCorrected",
    ]
    for check in (
        machine.version_is_the_number_of_events,
        machine.status_matches_the_model,
        machine.goal_statuses_match_the_model,
        machine.meetings_match_the_model,
        machine.nothing_but_corrections_after_the_end,
        machine.no_meeting_recorded_while_paused,
        machine.folding_from_scratch_gives_the_same_state,
    ):
        check()
    machine.teardown()
