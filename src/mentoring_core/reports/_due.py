"""What is due: the next meetings and reviews, and the goals, plan activities and
milestones with a date, of a programme's relationships, overdue first.

Pure. Meetings and reviews come from the compliance report's own figures
(``next_meeting_due``, ``meeting_overdue``, ``next_review_due``, ``review_overdue``),
so "due" and "overdue" mean exactly what they mean in the report; goals, plan
activities and milestones come from the relationships' states, by the report's rule
for goals: a dated item still open is overdue once its day (UTC) is over.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, timedelta
from uuid import UUID

import attrs

from ..domain.relationship_state import RelationshipState
from ..domain.values import GoalStatus
from ._figures import ComplianceReport, RelationshipFigures
from ._schedule import day_ended_by, end_of_day
from ._trends import pursued


class DueKind(enum.StrEnum):
    """What is due."""

    MEETING = "meeting"
    REVIEW = "review"
    GOAL = "goal"
    PLAN_ACTIVITY = "plan activity"
    MILESTONE = "milestone"


@attrs.frozen(kw_only=True)
class DueItem:
    """One thing due in a relationship."""

    kind: DueKind
    programme_id: UUID
    relationship_id: UUID
    mentor_id: str
    mentee_id: str
    what: str
    """The goal's title, the activity's or milestone's description; for a meeting or a
    review, the cadence it follows."""
    due: datetime
    """When it is (or was) due, in UTC; a dated item is due at the end of its day."""
    overdue: bool
    item_id: UUID | None = None
    """The goal's, activity's or milestone's id; None for a meeting or a review."""
    agreed_cadence: str | None = None
    """For a meeting, the cadence the pair agreed, when one is in force (the meeting's
    date follows the policy's, ``what``, when a policy is in force); None otherwise."""


def window_end(now: datetime, within_days: int) -> datetime:
    """When the window of what falls due "within ``within_days`` days" of ``now`` ends:
    the end of the day (UTC) ``within_days`` days after ``now``'s, so that what falls due
    on that day is in it (everything falls due at the end of a day); 0: today's end."""
    return end_of_day((now.astimezone(UTC) + timedelta(days=within_days)).date())


def dated_day(kind: str, due: datetime) -> date | None:
    """The day an item due (``kind``, a :class:`DueKind` value) falls due on, when
    ``due`` is the moment it does (:func:`end_of_day`): the day before that midnight (a
    goal's target date, a meeting's due day). None for a quiet relationship, which
    became quiet at a moment, and for any other moment."""
    try:
        DueKind(kind)
    except ValueError:
        return None
    return day_ended_by(due)


def _scheduled(programme_id: UUID, row: RelationshipFigures) -> Iterable[DueItem]:
    cadence = row.policy_cadence or row.agreed_cadence or "the programme's policy"
    for kind, what, due, overdue, agreed in (
        (DueKind.MEETING, cadence, row.next_meeting_due, row.meeting_overdue, row.agreed_cadence),
        (DueKind.REVIEW, "progress review", row.next_review_due, row.review_overdue, None),
    ):
        if due is not None:
            yield DueItem(
                kind=kind,
                programme_id=programme_id,
                relationship_id=row.relationship_id,
                mentor_id=row.mentor_id,
                mentee_id=row.mentee_id,
                what=what,
                due=due,
                overdue=overdue,
                agreed_cadence=agreed,
            )


def _dated(programme_id: UUID, state: RelationshipState, as_of: datetime) -> Iterable[DueItem]:
    """The relationship's open goals, activities and milestones still :func:`pursued`."""
    assert state.relationship_id is not None
    goals: dict[UUID | None, GoalStatus] = {g.goal_id: g.status for g in state.goals}
    open_items: list[tuple[DueKind, str, date, UUID, GoalStatus | None]] = [
        *((DueKind.GOAL, g.title, g.target_date, g.goal_id, g.status) for g in state.goals),
        *(
            (DueKind.PLAN_ACTIVITY, a.description, a.due_date, a.activity_id, goals.get(a.goal_id))
            for a in state.plan
            if a.completed_at is None
        ),
        *(
            (DueKind.MILESTONE, m.description, m.target_date, m.milestone_id, goals.get(m.goal_id))
            for m in state.milestones
            if m.reached_at is None
        ),
    ]
    for kind, what, day, item_id, goal in open_items:
        if not pursued(state.status, goal):
            continue
        due = end_of_day(day)
        yield DueItem(
            kind=kind,
            programme_id=programme_id,
            relationship_id=state.relationship_id,
            mentor_id=state.mentor_id,
            mentee_id=state.mentee_id,
            what=what,
            due=due,
            overdue=due <= as_of,
            item_id=item_id,
        )


def due_items(
    report: ComplianceReport,
    relationships: Sequence[RelationshipState],
    *,
    until: datetime,
    person: str | None = None,
) -> tuple[DueItem, ...]:
    """What is overdue at the report's moment, or due by ``until``, in the report's
    programme, most urgent first (overdue by how long ago, then by when due).

    ``relationships``: the states of the programme's relationships (the dated items
    come from them: those still :func:`pursued`). ``person``: only
    the relationships in which they are the mentor or the mentee.
    """
    programme_id = report.programme.programme_id
    as_of = report.as_of.astimezone(UTC)
    found = [
        *(item for row in report.relationships for item in _scheduled(programme_id, row)),
        *(
            item
            for state in relationships
            if state.relationship_id is not None
            for item in _dated(programme_id, state, as_of)
        ),
    ]
    return most_urgent_first(
        item
        for item in found
        if (item.overdue or item.due <= until)
        and (person is None or person in (item.mentor_id, item.mentee_id))
    )


def most_urgent_first(items: Iterable[DueItem]) -> tuple[DueItem, ...]:
    """Overdue items first, the longest overdue first; then the others by when due."""
    return tuple(sorted(items, key=lambda i: (not i.overdue, i.due, i.kind.value, i.what)))
