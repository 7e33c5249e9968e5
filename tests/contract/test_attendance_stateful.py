"""Random sequences of meetings naming attendees, corrections moving them, withdrawals and
enrolments again, through the service: no history it keeps has someone attend a meeting
while they were not enrolled.

Two aggregates hold the facts (the relationship its meetings, the programme who was
enrolled when), and each command reads the other's: a meeting naming attendees or moved
by a correction reads who was enrolled then; a withdrawal, the meetings the person
attended (``attended_until`` first, then the whole relationship where it may matter).
Every command is dated anywhere in the relationship's life, so back-dated withdrawals
meet meetings recorded before them, and corrections move meetings across withdrawals.
Commands may be refused (any rule); whatever is kept must hold the invariant. Run on a
memory store: the rules are the same on every store, and the store's own part (the
versions read, checked as the events are stored) has its contract tests.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from uuid import UUID

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from mentoring_core import MentoringService, Recorded, RuleViolation
from mentoring_core.values import MeetingFormat, MeetingOutcome, Role

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
OPENED = NOW - timedelta(days=100)
FORMED = NOW - timedelta(days=90)
ATTENDEES = ("zoe", "yan")
moments = st.integers(0, 15).map(lambda n: FORMED + timedelta(days=6 * n))
"""Few moments, six days apart across the pair's life: commands often fall on the same
one (a withdrawal at a meeting's very moment) or either side of another's."""


class Attendance(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.service = MentoringService("memory://", clock=lambda: NOW)
        service = self.service
        self.programme = service.create_programme(
            "Attendance", "Org", actor="coord", occurred_at=OPENED
        ).id
        service.enrol(self.programme, "ana", Role.MENTOR, 12, actor="coord", occurred_at=OPENED)
        service.enrol(self.programme, "ben", Role.MENTEE, 1, actor="coord", occurred_at=OPENED)
        for person in ATTENDEES:
            service.enrol(self.programme, person, Role.MENTEE, 0, actor="coord", occurred_at=OPENED)
        self.pair = service.form_pair(
            self.programme, "ana", "ben", actor="coord", occurred_at=FORMED
        ).id
        self.meetings: list[UUID] = []
        self.kept = {"meetings": 0, "moves": 0, "withdrawals": 0, "enrolments": 0}

    def teardown(self) -> None:
        self.service.close()

    def _record(self, counted: str, command: Callable[[], Recorded]) -> Recorded | None:
        """What ``command`` recorded, counted under ``counted``; None if a rule refused it."""
        try:
            recorded = command()
        except RuleViolation:
            return None
        self.kept[counted] += 1
        return recorded

    @rule(attendees=st.sets(st.sampled_from(ATTENDEES), min_size=1), at=moments)
    def record_a_meeting(self, attendees: set[str], at: datetime) -> None:
        recorded = self._record(
            "meetings",
            lambda: self.service.record_meeting_held(
                self.pair,
                60,
                MeetingFormat.ONE_ON_ONE,
                ["shadowing"],
                attendees=sorted(attendees),
                actor="ana",
                occurred_at=at,
            ),
        )
        if recorded is not None:
            self.meetings.append(recorded.id)

    @precondition(lambda self: bool(self.meetings))
    @rule(which=st.integers(0, 10**6), to=moments)
    def move_a_meeting(self, which: int, to: datetime) -> None:
        meeting = self.meetings[which % len(self.meetings)]
        self._record(
            "moves",
            lambda: self.service.correct_meeting_record(
                self.pair, meeting, "Wrong day", held_at=to, actor="ana"
            ),
        )

    @rule(person=st.sampled_from(ATTENDEES), at=moments)
    def withdraw(self, person: str, at: datetime) -> None:
        self._record(
            "withdrawals",
            lambda: self.service.withdraw(
                self.programme, person, "Left", actor="coord", occurred_at=at
            ),
        )

    @rule(person=st.sampled_from(ATTENDEES), at=moments)
    def enrol_again(self, person: str, at: datetime) -> None:
        self._record(
            "enrolments",
            lambda: self.service.enrol(
                self.programme, person, Role.MENTEE, 0, actor="coord", occurred_at=at
            ),
        )

    @invariant()
    def every_attendee_was_enrolled_when_the_meeting_was_held(self) -> None:
        participants = self.service.programme(self.programme).participants
        for meeting in self.service.relationship(self.pair).meetings:
            if meeting.outcome is not MeetingOutcome.HELD:
                continue
            for person in meeting.attendees:
                spans = [
                    (p.enrolled_at, p.withdrawn_at) for p in participants if p.person_id == person
                ]
                assert any(
                    start <= meeting.occurred_at and (end is None or meeting.occurred_at < end)
                    for start, end in spans
                ), (person, meeting.occurred_at, spans, self.kept)


Attendance.TestCase.settings = settings(stateful_step_count=30, deadline=None)
test_no_one_attends_a_meeting_while_not_enrolled = Attendance.TestCase
