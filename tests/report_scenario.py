"""A small programme for the compliance report tests, with every figure worked out by hand.

Riverside Care's first-year programme expects weekly meetings for a pair's
first 28 days, then fortnightly ones, of at least 60 minutes, and a progress
review every 28 days. Everything happens at 10:00 UTC and is recorded an hour
later. The report is produced on 2026-04-15 at 12:00 UTC (``AS_OF``).

Ana mentors Ben from Monday 5 January (pair A). They agreed weekly meetings,
changed to fortnightly on 9 February, paused from 20 February to 6 March.
Carla mentors Dan from 12 January (pair B, proposed on the 10th) until Dan
withdrew on 20 February. Ana was proposed to Eve on 30 March (pair C); Eve has
not answered.

The worked figures are in ``tests/unit/reports/test_report_scenario.py``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

import attrs

from mentoring_core import MentoringService
from mentoring_core.values import (
    Cadence,
    CadenceTier,
    EndReason,
    FeedbackKind,
    FocusArea,
    MeetingFormat,
    MeetingSchedule,
    Participation,
    ProgrammePolicy,
    Rating,
    Role,
)

PROGRAMME = UUID("5a1e0000-0000-4000-8000-00000000c0de")
PAIR_A = UUID("a0a0b0b0-0000-4000-8000-00000000000a")
BEN_NAME = "Benedict Ashworth-9e1b"
"""Ben's display name: personal data, sealed under his key (erasure tests search for it)."""
BEN_CONTACT = "ben.ashworth-4c7d@example.org"
"""Ben's contact details: personal data, sealed under his key."""
PAIR_B = UUID("a0a0b0b0-0000-4000-8000-00000000000b")
PAIR_C = UUID("a0a0b0b0-0000-4000-8000-00000000000c")
GOAL_1 = UUID("60a10000-0000-4000-8000-000000000001")
GOAL_2 = UUID("60a10000-0000-4000-8000-000000000002")
CORRECTED_MEETING = UUID("3ee70000-0000-4000-8000-000000000010")

POLICY = ProgrammePolicy(
    cadence=(
        CadenceTier(cadence=Cadence.weekly(), until_age_days=28),
        CadenceTier(cadence=Cadence.fortnightly()),
    ),
    minimum_meeting_minutes=60,
    participation=Participation.COMPULSORY,
    minimum_experience_gap_years=Decimal(3),
    review_interval_days=28,
    max_active_mentors_per_mentee=2,  # the fold tests' second story pairs Ben and Eve again
)
WEEKLY = MeetingSchedule(
    cadence=Cadence.weekly(), duration_minutes=60, format=MeetingFormat.ONE_ON_ONE
)
FORTNIGHTLY = attrs.evolve(WEEKLY, cadence=Cadence.fortnightly())
AS_OF = datetime(2026, 4, 15, 12, 0, tzinfo=UTC)
MIDWAY = datetime(2026, 2, 15, 12, 0, tzinfo=UTC)
"""A moment between two steps, for reports as of the past."""


def at(month: int, day: int) -> datetime:
    return datetime(2026, month, day, 10, 0, tzinfo=UTC)


class SettableClock:
    """The service clock: each step sets it to an hour after the step happened."""

    def __init__(self) -> None:
        self.now = at(1, 1)

    def __call__(self) -> datetime:
        return self.now


Step = tuple[datetime, Callable[[MentoringService, datetime], Any]]


def _held(pair: UUID, minutes: int, meeting_id: UUID | None = None) -> Callable[..., Any]:
    return lambda s, t: s.record_meeting_held(
        pair,
        minutes,
        MeetingFormat.ONE_ON_ONE,
        ["caseload"],
        meeting_id=meeting_id,
        actor="coord",
        occurred_at=t,
    )


STEPS: tuple[Step, ...] = (
    (
        at(1, 1),
        lambda s, t: s.create_programme(
            "Riverside first-year",
            "Riverside Care",
            programme_id=PROGRAMME,
            actor="coord",
            occurred_at=t,
        ),
    ),
    (at(1, 1), lambda s, t: s.set_policy(PROGRAMME, POLICY, actor="coord", occurred_at=t)),
    (
        at(1, 1),
        lambda s, t: s.enrol(PROGRAMME, "ana", Role.MENTOR, 12, actor="coord", occurred_at=t),
    ),
    (
        at(1, 1),
        lambda s, t: s.enrol(
            PROGRAMME,
            "ben",
            Role.MENTEE,
            1,
            display_name=BEN_NAME,
            contact=BEN_CONTACT,
            actor="coord",
            occurred_at=t,
        ),
    ),
    (
        at(1, 1),
        lambda s, t: s.enrol(PROGRAMME, "carla", Role.MENTOR, 8, actor="coord", occurred_at=t),
    ),
    (
        at(1, 1),
        lambda s, t: s.enrol(PROGRAMME, "dan", Role.MENTEE, 2, actor="coord", occurred_at=t),
    ),
    (
        at(1, 1),
        lambda s, t: s.enrol(PROGRAMME, "eve", Role.MENTEE, "0.5", actor="coord", occurred_at=t),
    ),
    (
        at(1, 5),
        lambda s, t: s.form_pair(
            PROGRAMME, "ana", "ben", relationship_id=PAIR_A, actor="coord", occurred_at=t
        ),
    ),
    (at(1, 5), lambda s, t: s.agree_schedule(PAIR_A, WEEKLY, actor="ana", occurred_at=t)),
    (at(1, 8), _held(PAIR_A, 60)),
    (
        at(1, 10),
        lambda s, t: s.propose_pairing(
            PROGRAMME, "carla", "dan", relationship_id=PAIR_B, actor="coord", occurred_at=t
        ),
    ),
    (at(1, 12), lambda s, t: s.accept_pairing(PAIR_B, "dan", actor="dan", occurred_at=t)),
    (
        at(1, 12),
        lambda s, t: s.set_goal(
            PAIR_A,
            "Lead a family meeting",
            FocusArea.COMMUNICATION,
            "Leads two meetings",
            date(2026, 3, 31),
            goal_id=GOAL_1,
            actor="ana",
            occurred_at=t,
        ),
    ),
    (at(1, 13), _held(PAIR_B, 60)),
    (at(1, 15), _held(PAIR_A, 60)),
    (
        at(1, 15),
        lambda s, t: s.give_feedback(
            PAIR_A,
            "ana",
            "ben",
            FeedbackKind.RECOGNITION,
            "Clear notes",
            actor="ana",
            occurred_at=t,
        ),
    ),
    (
        at(1, 22),
        lambda s, t: s.record_meeting_missed(PAIR_A, "ben", "Sick", actor="ana", occurred_at=t),
    ),
    (at(1, 27), _held(PAIR_B, 60)),
    (at(1, 29), _held(PAIR_A, 45)),
    (
        at(1, 29),
        lambda s, t: s.record_reflection(
            PAIR_A,
            [Rating(focus_area=FocusArea.COMMUNICATION, score=3)],
            "Getting there",
            actor="ben",
            occurred_at=t,
        ),
    ),
    (
        at(2, 9),
        lambda s, t: s.change_schedule(
            PAIR_A, FORTNIGHTLY, "Settled in", actor="ana", occurred_at=t
        ),
    ),
    (at(2, 10), _held(PAIR_A, 30, CORRECTED_MEETING)),
    (
        at(2, 10),
        lambda s, t: s.set_goal(
            PAIR_A,
            "Write a care plan alone",
            FocusArea.PERFORMANCE,
            "Plan signed off",
            date(2026, 4, 1),
            goal_id=GOAL_2,
            actor="ana",
            occurred_at=t,
        ),
    ),
    (
        at(2, 10),
        lambda s, t: s.give_feedback(
            PAIR_A,
            "ana",
            "ben",
            FeedbackKind.CONSTRUCTIVE,
            "Shorter visits",
            actor="ana",
            occurred_at=t,
        ),
    ),
    (
        at(2, 11),
        lambda s, t: s.correct_meeting_record(
            PAIR_A,
            CORRECTED_MEETING,
            "Typed 30 for 60",
            duration_minutes=60,
            actor="ana",
            occurred_at=t,
        ),
    ),
    (
        at(2, 16),
        lambda s, t: s.evaluate_progress(PAIR_A, [], "On track", actor="ana", occurred_at=t),
    ),
    (at(2, 20), lambda s, t: s.pause(PAIR_A, "Ben on leave", actor="ana", occurred_at=t)),
    (
        at(2, 20),
        lambda s, t: s.end(
            PAIR_B, EndReason.WITHDRAWN_BY_MENTEE, "Changed team", actor="coord", occurred_at=t
        ),
    ),
    (at(3, 6), lambda s, t: s.resume(PAIR_A, actor="ana", occurred_at=t)),
    (
        at(3, 12),
        lambda s, t: s.record_meeting_cancelled(
            PAIR_A, "ana", "Court day", actor="ana", occurred_at=t
        ),
    ),
    (at(3, 25), _held(PAIR_A, 90)),
    (at(3, 25), lambda s, t: s.achieve_goal(PAIR_A, GOAL_1, "Led two", actor="ana", occurred_at=t)),
    (
        at(3, 25),
        lambda s, t: s.give_feedback(
            PAIR_A, "ben", "ana", FeedbackKind.RECOGNITION, "Thanks", actor="ben", occurred_at=t
        ),
    ),
    (
        at(3, 30),
        lambda s, t: s.propose_pairing(
            PROGRAMME, "ana", "eve", relationship_id=PAIR_C, actor="coord", occurred_at=t
        ),
    ),
)


def record(
    service: MentoringService,
    clock: SettableClock,
    *,
    after: datetime | None = None,
    until: datetime | None = None,
) -> None:
    """Record the steps that happened after ``after`` and by ``until``, each an hour later."""
    for moment, step in STEPS:
        if (after is None or moment > after) and (until is None or moment <= until):
            clock.now = moment + timedelta(hours=1)
            step(service, moment)
