"""The relationship state keeps what each plan item serves: a milestone or activity names its goal.

Reports and the CLI show a plan grouped by goal, so the state folded from the
events must keep the goal each milestone and activity was set for (or none).
"""

from __future__ import annotations

from datetime import date
from uuid import UUID

from scenarios import GOAL_ID, SET_LISTENING_GOAL, relationship_history

from mentoring_core.domain import commands as cmd
from mentoring_core.state import RelationshipState

MILESTONE_FOR_GOAL = cmd.SetMilestone(
    milestone_id=UUID(int=0xB1),
    description="Ben leads his first family meeting",
    target_date=date(2025, 5, 2),
    goal_id=GOAL_ID,
)


def test_a_milestone_set_for_a_goal_keeps_its_goal() -> None:
    history = relationship_history()
    history.record(SET_LISTENING_GOAL)
    history.record(MILESTONE_FOR_GOAL)
    milestone = history.state.milestone(MILESTONE_FOR_GOAL.milestone_id)
    assert milestone is not None
    assert milestone.goal_id == GOAL_ID
    assert history.refold().milestones == history.state.milestones


def test_a_milestone_may_serve_no_goal() -> None:
    history = relationship_history()
    history.record(
        cmd.SetMilestone(
            milestone_id=MILESTONE_FOR_GOAL.milestone_id,
            description="Six months in the team",
            target_date=date(2025, 9, 1),
        )
    )
    (milestone,) = history.state.milestones
    assert milestone.goal_id is None


def test_a_relationship_without_events_does_not_exist() -> None:
    assert RelationshipState().exists is False
    assert relationship_history().state.exists is True
