"""Random sequences of valid and invalid commands against Ana and Ben's relationship.

The machine keeps its own simple model (status, goal statuses, meeting outcomes,
version) and predicts, for every command, whether the domain must accept it or
which rule or field it must refuse. Refused commands must leave the state as it
was; accepted ones must continue the version sequence. The invariants hold the
life-cycle rules over the whole history recorded so far.
"""

from __future__ import annotations

import itertools
from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID

import attrs
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
from mentoring_core.domain.commands import created_field
from mentoring_core.domain.events import (
    MeetingCancelled,
    MeetingHeld,
    MeetingMissed,
    MeetingRecordCorrected,
    RelationshipEnded,
    RelationshipPaused,
    RelationshipResumed,
)
from mentoring_core.domain.relationship import decide_relationship, needs_history
from mentoring_core.domain.relationship_state import RELATIONSHIP
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


def moments() -> st.SearchStrategy[datetime]:
    """Backdated moments: from 35 days before now (before the pair was formed) to now."""
    return st.integers(0, 35 * 24 * 60).map(lambda minutes: NOW - timedelta(minutes=minutes))


class RelationshipLifecycle(RuleBasedStateMachine):
    goals = Bundle("goals")
    meetings = Bundle("meetings")

    def __init__(self) -> None:
        super().__init__()
        self.history = relationship_history()
        self.status = RelationshipStatus.ACTIVE
        self.goal_status: dict[UUID, GoalStatus] = {}
        self.goal_set_at: dict[UUID, datetime] = {}
        self.goal_closed_at: dict[UUID, datetime] = {}
        self.goal_target: dict[UUID, date] = {}
        self.goal_changed_at: dict[UUID, datetime] = {}
        """When each goal was set, last revised or had work planned toward it, at the
        latest: it is achieved or abandoned no earlier."""
        self.meeting_outcomes: dict[UUID, MeetingOutcome] = {}
        self.version = 1
        self.ids = itertools.count(1)
        # The timeline, kept independently of the domain's state:
        self.formed_at = NOW - timedelta(days=30)
        self.paused_since: datetime | None = None
        self.pauses: list[tuple[datetime, datetime]] = []
        self.latest_fact = self.formed_at
        self.meeting_dates: dict[UUID, datetime] = {}
        self.meeting_minutes: dict[UUID, int] = {}

    # --- The model's predictions --------------------------------------------------

    def new_id(self) -> UUID:
        return UUID(int=0x5000_0000 + next(self.ids))

    def status_rule(self) -> Rule | None:
        """The life-cycle rule a command breaks in the current status, if any."""
        if self.status is RelationshipStatus.ENDED:
            return Rule.RELATIONSHIP_ENDED
        return None

    def time_rule(self, at: datetime, *, meeting: bool = False) -> Rule | None:
        """The rule a fact dated ``at`` breaks (status first), if any."""
        if self.status is RelationshipStatus.ENDED:
            return Rule.RELATIONSHIP_ENDED
        if at < self.formed_at:
            return Rule.TIMELINE
        if meeting:
            if any(start < at < end for start, end in self.pauses):
                return Rule.TIMELINE
            if self.paused_since is not None and at > self.paused_since:
                return Rule.NO_MEETINGS_WHILE_PAUSED
        return None

    def fact(self, at: datetime) -> None:
        self.latest_fact = max(self.latest_fact, at)

    def attempt(
        self, command: Any, *, rule: Rule | None = None, invalid: str | None = None
    ) -> bool:
        """Record ``command``, asserting the predicted outcome; True if it was recorded."""
        before, count = self.history.state, len(self.history.events)
        self.check_decided_alike_without_history(command)
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

    def check_decided_alike_without_history(self, command: Any) -> None:
        """The service decides a command on the state without its history (what snapshots
        and its cache hold) unless ``needs_history`` says otherwise, for the command as the
        caller gave it: here, with the id it creates left to the service. Such a command
        must be decided alike on both states (same events, or the same refusal), except
        that only the whole history can show a given id already used."""
        creates = created_field(type(command))
        as_if_derived = command if creates is None else attrs.evolve(command, **{creates: None})
        if needs_history(as_if_derived):
            return
        whole = _outcome(command, self.history.state, self.history.ctx)
        if whole[:2] == ("refused", Rule.UNIQUE_ID):
            return
        bounded = _outcome(
            command, RELATIONSHIP.without_history(self.history.state), self.history.ctx
        )
        assert bounded == whole

    # --- Goals --------------------------------------------------------------------

    @rule(
        target=goals,
        title=st.one_of(labels(), st.sampled_from(BAD_TITLES)),
        at=st.one_of(st.just(NOW), moments()),
    )
    def set_goal(self, title: str, at: datetime = NOW) -> Any:
        goal_id = self.new_id()
        command = cmd.SetGoal(
            goal_id=goal_id,
            title=title,
            focus_area=FocusArea.COMMUNICATION,
            success_measure="Ben leads a family meeting",
            target_date=date(2025, 6, 30),
            occurred_at=at,
        )
        expected = self.time_rule(at)
        if expected is not None:
            self.attempt(command, rule=expected)
            return multiple()
        if title in BAD_TITLES:
            self.attempt(command, invalid="title")
            return multiple()
        self.attempt(command)
        self.fact(at)
        self.goal_status[goal_id] = GoalStatus.OPEN
        self.goal_set_at[goal_id] = at
        self.goal_changed_at[goal_id] = at
        self.goal_target[goal_id] = command.target_date
        return goal_id

    @rule(goal=goals, achieved=st.booleans(), at=st.one_of(st.just(NOW), moments()))
    def close_goal(self, goal: UUID, achieved: bool, at: datetime = NOW) -> None:
        command: Any = (
            cmd.AchieveGoal(goal_id=goal, evidence="Led the Okafor meeting", occurred_at=at)
            if achieved
            else cmd.AbandonGoal(goal_id=goal, reason="Moved to the night team", occurred_at=at)
        )
        expected = (
            self.time_rule(at)
            or (None if self.goal_status[goal] is GoalStatus.OPEN else Rule.GOAL_EXISTS_AND_OPEN)
            or (Rule.TIMELINE if at < self.goal_changed_at[goal] else None)
        )
        if self.attempt(command, rule=expected):
            self.fact(at)
            self.goal_status[goal] = GoalStatus.ACHIEVED if achieved else GoalStatus.ABANDONED
            self.goal_closed_at[goal] = at

    @rule(goal=goals, days=st.one_of(st.integers(0, 2), st.integers(0, 400)))
    def revise_goal(self, goal: UUID, days: int) -> None:
        """A new target date, or the one recorded (a revision that changes nothing)."""
        target = date(2025, 6, 30) + timedelta(days=days)
        expected = (
            self.status_rule()
            or (None if self.goal_status[goal] is GoalStatus.OPEN else Rule.GOAL_EXISTS_AND_OPEN)
            or (Rule.CHANGES_SOMETHING if target == self.goal_target[goal] else None)
        )
        if self.attempt(
            cmd.ReviseGoal(goal_id=goal, reason="The family asked to wait", target_date=target),
            rule=expected,
        ):
            self.fact(NOW)
            self.goal_changed_at[goal] = NOW
            self.goal_target[goal] = target
            revised = self.history.state.goal(goal)
            assert revised is not None and revised.target_date == target

    @rule(goal=goals, milestone=st.booleans(), at=st.one_of(st.just(NOW), moments()))
    def plan_for_goal(self, goal: UUID, milestone: bool, at: datetime = NOW) -> None:
        """A plan activity or milestone for ``goal``: dated while the goal was open."""
        command: Any = (
            cmd.SetMilestone(
                milestone_id=self.new_id(),
                description="First family meeting led",
                target_date=date(2025, 6, 30),
                goal_id=goal,
                occurred_at=at,
            )
            if milestone
            else cmd.AddPlanActivity(
                activity_id=self.new_id(),
                description="Shadow Ana at a family meeting",
                due_date=date(2025, 6, 30),
                goal_id=goal,
                occurred_at=at,
            )
        )
        closed = self.goal_closed_at.get(goal)
        outside = at < self.goal_set_at[goal] or (closed is not None and at > closed)
        expected = self.time_rule(at) or (Rule.TIMELINE if outside else None)
        if self.attempt(command, rule=expected):
            self.fact(at)
            self.goal_changed_at[goal] = max(self.goal_changed_at[goal], at)

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
        at=st.one_of(st.none(), moments()),
    )
    def hold_meeting(self, minutes: int, days_ago: int, at: datetime | None = None) -> Any:
        meeting_id = self.new_id()
        when = NOW - timedelta(days=days_ago) if at is None else at
        command = cmd.RecordMeetingHeld(
            meeting_id=meeting_id,
            occurred_at=when,
            duration_minutes=minutes,
            format=MeetingFormat.ONE_ON_ONE,
            topics=("handover notes",),
        )
        expected = self.time_rule(when, meeting=True)
        if expected is not None:
            self.attempt(command, rule=expected)
            return multiple()
        if not 1 <= minutes <= 1440:
            self.attempt(command, invalid="duration_minutes")
            return multiple()
        self.attempt(command)
        self.meeting_outcomes[meeting_id] = MeetingOutcome.HELD
        self.meeting_minutes[meeting_id] = minutes
        self.meeting_dates[meeting_id] = when
        return meeting_id

    @rule(target=meetings, cancelled=st.booleans(), at=st.one_of(st.just(NOW), moments()))
    def meeting_did_not_happen(self, cancelled: bool, at: datetime = NOW) -> Any:
        meeting_id = self.new_id()
        command: Any = (
            cmd.RecordMeetingCancelled(
                meeting_id=meeting_id, cancelled_by="ana", reason="Ill", occurred_at=at
            )
            if cancelled
            else cmd.RecordMeetingMissed(
                meeting_id=meeting_id, missed_by="ben", reason="Late", occurred_at=at
            )
        )
        expected = self.time_rule(at, meeting=True)
        if not self.attempt(command, rule=expected):
            return multiple()
        self.meeting_outcomes[meeting_id] = (
            MeetingOutcome.CANCELLED if cancelled else MeetingOutcome.MISSED
        )
        self.meeting_dates[meeting_id] = at
        return meeting_id

    @rule(meeting=meetings)
    def record_the_same_meeting_again(self, meeting: UUID) -> None:
        command = cmd.RecordMeetingMissed(meeting_id=meeting, missed_by="ben", reason="Again")
        self.attempt(command, rule=self.time_rule(NOW, meeting=True) or Rule.UNIQUE_ID)

    @rule(seconds=st.integers(1, 10**7))
    def log_a_meeting_in_the_future(self, seconds: int) -> None:
        command = cmd.RecordMeetingHeld(
            meeting_id=self.new_id(),
            occurred_at=NOW + timedelta(seconds=seconds),
            duration_minutes=60,
            format=MeetingFormat.VIDEO,
            topics=(),
        )
        expected = self.status_rule()
        self.attempt(command, rule=expected, invalid=None if expected else "occurred_at")

    @rule(meeting=meetings, minutes=st.integers(1, 1440))
    def correct_meeting(self, meeting: UUID, minutes: int) -> None:
        """A new duration, or the one recorded (a correction that changes nothing)."""
        held = self.meeting_outcomes[meeting] is MeetingOutcome.HELD
        command = cmd.CorrectMeetingRecord(
            meeting_id=meeting, duration_minutes=minutes, reason="Minutes misread"
        )
        expected = (
            Rule.CORRECTION_TARGET
            if not held
            else (Rule.CHANGES_SOMETHING if minutes == self.meeting_minutes[meeting] else None)
        )
        if self.attempt(command, rule=expected):
            self.meeting_minutes[meeting] = minutes
            corrected = self.history.state.meeting(meeting)
            assert corrected is not None and corrected.duration_minutes == minutes

    # --- Feedback -----------------------------------------------------------------

    @rule(goal=goals, meeting=meetings, at=st.one_of(st.just(NOW), moments()))
    def give_feedback(self, goal: UUID, meeting: UUID, at: datetime = NOW) -> None:
        command = cmd.GiveFeedback(
            feedback_id=self.new_id(),
            from_person="ana",
            to_person="ben",
            kind=FeedbackKind.CONSTRUCTIVE,
            text="Write the case note before the next visit.",
            about_goal_id=goal,
            about_meeting_id=meeting,
            occurred_at=at,
        )
        expected = self.time_rule(at) or (
            Rule.TIMELINE if at < max(self.meeting_dates[meeting], self.goal_set_at[goal]) else None
        )
        if self.attempt(command, rule=expected):
            self.fact(at)

    # --- Life cycle ---------------------------------------------------------------

    @rule(at=st.one_of(st.just(NOW), moments()))
    def pause(self, at: datetime = NOW) -> None:
        paused = self.status is RelationshipStatus.PAUSED
        earliest = max(
            [self.formed_at, *(end for _, end in self.pauses), *self.meeting_dates.values()]
        )
        expected = (
            self.status_rule()
            or (Rule.RELATIONSHIP_NOT_PAUSED if paused else None)
            or (Rule.TIMELINE if at < earliest else None)
        )
        if self.attempt(
            cmd.PauseRelationship(reason="Annual leave", occurred_at=at), rule=expected
        ):
            self.status = RelationshipStatus.PAUSED
            self.paused_since = at
            self.fact(at)

    @rule(at=st.one_of(st.just(NOW), moments()))
    def resume(self, at: datetime = NOW) -> None:
        since = self.paused_since
        expected = (
            self.status_rule()
            or (Rule.RELATIONSHIP_PAUSED if since is None else None)
            or (Rule.TIMELINE if since is not None and at < since else None)
        )
        if self.attempt(cmd.ResumeRelationship(occurred_at=at), rule=expected):
            assert since is not None
            self.status = RelationshipStatus.ACTIVE
            self.pauses.append((since, at))
            self.paused_since = None
            self.fact(at)

    @precondition(lambda self: self.version >= 5)
    @rule(reason=st.sampled_from(EndReason), at=st.one_of(st.just(NOW), moments()))
    def end(self, reason: EndReason, at: datetime = NOW) -> None:
        command = cmd.EndRelationship(
            reason=reason, explanation="Reviewed with the coordinator", occurred_at=at
        )
        earliest = max([self.latest_fact, *self.meeting_dates.values()])
        expected = self.status_rule() or (Rule.TIMELINE if at < earliest else None)
        if self.attempt(command, rule=expected):
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
    def every_meeting_falls_in_an_active_period(self) -> None:
        """Checked on the events alone, by replaying the life cycle in date order."""
        events = self.history.events
        formed = events[0].occurred_at
        periods: list[tuple[datetime, datetime]] = []
        start: datetime | None = None
        for event in events:
            if isinstance(event, RelationshipPaused):
                start = event.occurred_at
            elif isinstance(event, RelationshipResumed | RelationshipEnded) and start is not None:
                periods.append((start, event.occurred_at))
                start = None
        ended = next((e.occurred_at for e in events if isinstance(e, RelationshipEnded)), None)
        for event in events:
            if isinstance(event, MEETING_EVENTS):
                at = event.occurred_at
                assert at >= formed, event
                assert ended is None or at <= ended, event
                assert not any(s < at < e for s, e in periods), event
                assert start is None or at <= start, event

    @invariant()
    def folding_from_scratch_gives_the_same_state(self) -> None:
        assert self.history.refold() == self.history.state


TestRelationshipLifecycle = RelationshipLifecycle.TestCase


def _outcome(command: Any, state: Any, ctx: Any) -> tuple[object, ...]:
    """What deciding ``command`` gives, comparable across states: the events with their
    event ids left out (each decision takes new ones), or the refusal's rule or field and
    its text."""
    try:
        events = decide_relationship(command, state, ctx)
    except RuleViolation as refusal:
        return ("refused", refusal.rule, str(refusal))
    except InvalidValue as refusal:
        return ("invalid", refusal.field, str(refusal))
    return ("recorded", *(attrs.evolve(e, event_id=UUID(int=0)) for e in events))


def test_a_meeting_held_before_a_pause_can_be_corrected_after_the_end() -> None:
    """A fixed walk through the machine: pause, resume, end, then correct."""
    machine = RelationshipLifecycle()
    meeting = machine.hold_meeting(minutes=60, days_ago=3)
    goal = machine.set_goal(title="Run a family meeting")
    machine.pause(at=NOW - timedelta(days=1))
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
        machine.every_meeting_falls_in_an_active_period,
        machine.folding_from_scratch_gives_the_same_state,
    ):
        check()
    machine.teardown()


def test_a_revision_or_correction_to_the_value_recorded_is_refused() -> None:
    """A fixed walk: the model predicts the refusal of a revision or a correction that
    changes nothing, first of the value as first recorded, then as changed."""
    machine = RelationshipLifecycle()
    goal = machine.set_goal(title="Run a family meeting")
    meeting = machine.hold_meeting(minutes=60, days_ago=1)
    for days, minutes in ((0, 60), (5, 45), (5, 45)):
        machine.revise_goal(goal=goal, days=days)
        machine.correct_meeting(meeting=meeting, minutes=minutes)
    revised, corrected = machine.history.state.goal(goal), machine.history.state.meeting(meeting)
    assert revised is not None and revised.revisions == 1
    assert corrected is not None and len(corrected.corrected_by_event_ids) == 1
    machine.version_is_the_number_of_events()
