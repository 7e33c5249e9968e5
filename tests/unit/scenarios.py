"""The programme, people and relationships the unit tests share.

The Riverside Care Collective runs a voluntary mentoring programme for its
support workers: a mentor must have at least 3 more years of experience than
their mentee. Ana (12 years in community support) mentors Ben (a year and a
half in). Carla (7 years) and Diego (2 years) are mentors too; Elif (4 years)
is another mentee.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

import attrs
import pytest
from strategies import NOW, decision_context

from mentoring_core import InvalidValue, Rule, RuleViolation
from mentoring_core.domain import (
    DecisionContext,
    decide_pairing,
    decide_programme,
    decide_relationship,
    evolve_programme,
    evolve_relationship,
)
from mentoring_core.domain import commands as cmd
from mentoring_core.domain.kinds import kind_of
from mentoring_core.state import ProgrammeState, RelationshipState
from mentoring_core.values import (
    Cadence,
    CadenceTier,
    FocusArea,
    MeetingFormat,
    MeetingSchedule,
    Participation,
    ProgrammePolicy,
    Role,
)

PROGRAMME_ID = UUID("5a1e0000-0000-4000-8000-00000000c0de")
RELATIONSHIP_ID = UUID("a0a0b0b0-0000-4000-8000-000000000001")
GOAL_ID = UUID("60a10000-0000-4000-8000-000000000001")
OTHER_GOAL_ID = UUID("60a10000-0000-4000-8000-000000000002")
MEETING_ID = UUID("3ee70000-0000-4000-8000-000000000001")
ACTIVITY_ID = UUID("ac710000-0000-4000-8000-000000000001")
MILESTONE_ID = UUID("31e50000-0000-4000-8000-000000000001")
UNKNOWN_ID = UUID("deadbeef-0000-4000-8000-000000000000")

YESTERDAY = NOW - timedelta(days=1)
CREATED_AT = NOW - timedelta(days=60)
"""When Riverside's programme was created."""
ENROLLED_AT = CREATED_AT
"""When everyone in :data:`PEOPLE` was enrolled."""
LAST_WEEK = NOW - timedelta(days=7)

POLICY = ProgrammePolicy(
    cadence=(
        CadenceTier(cadence=Cadence.weekly(), until_age_days=90),
        CadenceTier(cadence=Cadence.fortnightly()),
    ),
    minimum_meeting_minutes=30,
    participation=Participation.VOLUNTARY,
    minimum_experience_gap_years=Decimal(3),
    review_interval_days=90,
)

PEOPLE: tuple[tuple[str, Role, Decimal], ...] = (
    ("ana", Role.MENTOR, Decimal(12)),
    ("ben", Role.MENTEE, Decimal("1.5")),
    ("carla", Role.MENTOR, Decimal(7)),
    ("diego", Role.MENTOR, Decimal(2)),
    ("elif", Role.MENTEE, Decimal(4)),
)

WEEKLY_HOUR = MeetingSchedule(
    cadence=Cadence.weekly(), duration_minutes=60, format=MeetingFormat.ONE_ON_ONE
)

SET_LISTENING_GOAL = cmd.SetGoal(
    goal_id=GOAL_ID,
    title="Run a family meeting without taking over",
    focus_area=FocusArea.COMMUNICATION,
    success_measure="Ben leads two family meetings; Ana observes and gives feedback",
    target_date=date(2025, 6, 30),
)

HOUR_ONE_ON_ONE = cmd.RecordMeetingHeld(
    meeting_id=MEETING_ID,
    occurred_at=YESTERDAY,
    duration_minutes=60,
    format=MeetingFormat.ONE_ON_ONE,
    topics=("handover notes", "a difficult home visit"),
)


@attrs.define
class History:
    """One aggregate's events and folded state; ``record`` decides then folds, as the service."""

    decide: Callable[..., tuple[Any, ...]]
    evolve: Callable[[Any, Any], Any]
    state: Any
    ctx: DecisionContext = attrs.field(factory=decision_context)
    events: list[Any] = attrs.field(factory=list)

    def record(self, command: Any) -> tuple[Any, ...]:
        new = self.decide(command, self.state, self.ctx)
        self.apply(*new)
        return new

    def apply(self, *events: Any) -> None:
        for event in events:
            self.state = self.evolve(self.state, event)
            self.events.append(event)

    def refuse(self, command: Any, rule: Rule, *named: object) -> RuleViolation:
        """Assert ``command`` breaks ``rule`` with a message naming ``named``; nothing recorded."""
        before, count = self.state, len(self.events)
        with pytest.raises(RuleViolation) as info:
            self.record(command)
        error = info.value
        assert error.rule is rule, str(error)
        for value in named:
            assert str(value) in str(error), (value, str(error))
        assert self.state == before
        assert len(self.events) == count
        return error

    def reject(self, command: Any, field: str, *named: object) -> InvalidValue:
        """Assert ``command`` has an invalid ``field`` (named in the message); nothing recorded."""
        before, count = self.state, len(self.events)
        with pytest.raises(InvalidValue) as info:
            self.record(command)
        error = info.value
        assert error.field == field, str(error)
        assert str(error).startswith(f"invalid {field}: ")
        for value in named:
            assert str(value) in str(error), (value, str(error))
        assert self.state == before
        assert len(self.events) == count
        return error

    def refold(self) -> Any:
        """The state folded again from nothing in one ``Decider.fold``, to compare with the
        one evolved event by event."""
        initial = type(self.state)()
        return kind_of(self.events[0]).fold(initial, self.events) if self.events else initial


def programme_history(
    ctx: DecisionContext | None = None,
    *,
    policy: ProgrammePolicy | None = POLICY,
    people: tuple[tuple[str, Role, Decimal], ...] = PEOPLE,
) -> History:
    """Riverside's programme: created, its policy set, everyone in :data:`PEOPLE` enrolled."""
    history = History(
        decide_programme, evolve_programme, ProgrammeState(), ctx or decision_context()
    )
    history.record(
        cmd.CreateProgramme(
            programme_id=PROGRAMME_ID,
            name="Riverside first-year mentoring",
            organisation="Riverside Care Collective",
            occurred_at=CREATED_AT,
        )
    )
    if policy is not None:
        history.record(cmd.SetPolicy(policy=policy, occurred_at=CREATED_AT))
    for person_id, role, years in people:
        history.record(
            cmd.EnrolParticipant(
                person_id=person_id,
                role=role,
                experience_years=years,
                occurred_at=ENROLLED_AT,  # before the pairs formed 30 days ago
            )
        )
    return history


def relationship_history(
    *,
    mentor: str = "ana",
    mentee: str = "ben",
    direct: bool = True,
    override: str | None = None,
    programme: History | None = None,
    ctx: DecisionContext | None = None,
    relationship_id: UUID = RELATIONSHIP_ID,
) -> History:
    """A relationship opened in Riverside's programme (formed directly unless ``direct=False``)."""
    ctx = ctx or decision_context(first_id=1000)
    programme = programme or programme_history(ctx)
    relationship = History(decide_relationship, evolve_relationship, RelationshipState(), ctx)
    opening, registered = decide_pairing(
        cmd.OpenRelationship(
            relationship_id=relationship_id,
            mentor_id=mentor,
            mentee_id=mentee,
            direct=direct,
            gap_override_reason=override,
            occurred_at=NOW - timedelta(days=30),
        ),
        programme.state,
        relationship.state,
        ctx,
    )
    relationship.apply(opening)
    programme.apply(registered)
    return relationship
