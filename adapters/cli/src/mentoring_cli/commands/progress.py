"""``mentoring goal``, ``plan`` and ``milestone``: what the mentee works towards, and how."""

from __future__ import annotations

from datetime import date
from typing import Annotated
from uuid import UUID

import typer

from mentoring_core.values import FocusArea

from .._options import (
    CommandIdOpt,
    ExpectedVersionOpt,
    JsonOpt,
    OccurredAtOpt,
    RelationshipArg,
    id_argument,
    id_option,
    new_id_option,
)
from .._parsing import enum_names, enum_parser, parse_date
from .._session import new_id, record

goal_app = typer.Typer(no_args_is_help=True)
plan_app = typer.Typer(no_args_is_help=True)
milestone_app = typer.Typer(no_args_is_help=True)

GoalArg = Annotated[UUID, id_argument("GOAL_ID", "The goal's id.")]
FOCUS_HELP = f"One of {enum_names(FocusArea)}."
DATE_HELP = "ISO 8601 date, e.g. 2026-06-30."
LinkedGoalOpt = Annotated[
    UUID | None, id_option("--goal", "GOAL_ID", "The goal it serves, if any.")
]


@goal_app.command("set")
def set_goal(
    ctx: typer.Context,
    relationship_id: RelationshipArg,
    title: Annotated[str, typer.Option("--title", help="The goal, in one line.")],
    focus_area: Annotated[
        FocusArea,
        typer.Option(
            "--focus-area", parser=enum_parser(FocusArea), metavar="NAME", help=FOCUS_HELP
        ),
    ],
    success_measure: Annotated[
        str, typer.Option("--success-measure", help="How everyone will know it is achieved.")
    ],
    target_date: Annotated[
        date, typer.Option("--target-date", parser=parse_date, metavar="DATE", help=DATE_HELP)
    ],
    goal_id: Annotated[UUID | None, new_id_option("goal")] = None,
    occurred_at: OccurredAtOpt = None,
    expected_version: ExpectedVersionOpt = None,
    command_id: CommandIdOpt = None,
    json_output: JsonOpt = False,
) -> None:
    """Set a development goal; prints its id."""
    record(
        ctx,
        json_output,
        command_id,
        lambda s, actor, command_id: s.set_goal(
            relationship_id,
            title,
            focus_area,
            success_measure,
            target_date,
            goal_id=goal_id or new_id(command_id, "goal"),
            actor=actor,
            command_id=command_id,
            occurred_at=occurred_at,
            expected_version=expected_version,
        ),
        created="goal",
    )


@goal_app.command("revise")
def revise_goal(
    ctx: typer.Context,
    relationship_id: RelationshipArg,
    goal_id: GoalArg,
    reason: Annotated[str, typer.Option("--reason", help="Why the goal changes.")],
    title: Annotated[str | None, typer.Option("--title", help="A new title.")] = None,
    focus_area: Annotated[
        FocusArea | None,
        typer.Option(
            "--focus-area", parser=enum_parser(FocusArea), metavar="NAME", help=FOCUS_HELP
        ),
    ] = None,
    success_measure: Annotated[
        str | None, typer.Option("--success-measure", help="A new success measure.")
    ] = None,
    target_date: Annotated[
        date | None,
        typer.Option("--target-date", parser=parse_date, metavar="DATE", help=DATE_HELP),
    ] = None,
    occurred_at: OccurredAtOpt = None,
    expected_version: ExpectedVersionOpt = None,
    command_id: CommandIdOpt = None,
    json_output: JsonOpt = False,
) -> None:
    """Revise an open goal; details not given stay as they are."""
    record(
        ctx,
        json_output,
        command_id,
        lambda s, actor, command_id: s.revise_goal(
            relationship_id,
            goal_id,
            reason,
            title=title,
            focus_area=focus_area,
            success_measure=success_measure,
            target_date=target_date,
            actor=actor,
            command_id=command_id,
            occurred_at=occurred_at,
            expected_version=expected_version,
        ),
    )


@goal_app.command("achieve")
def achieve_goal(
    ctx: typer.Context,
    relationship_id: RelationshipArg,
    goal_id: GoalArg,
    evidence: Annotated[str, typer.Option("--evidence", help="What shows it was achieved.")],
    occurred_at: OccurredAtOpt = None,
    expected_version: ExpectedVersionOpt = None,
    command_id: CommandIdOpt = None,
    json_output: JsonOpt = False,
) -> None:
    """Mark an open goal achieved."""
    record(
        ctx,
        json_output,
        command_id,
        lambda s, actor, command_id: s.achieve_goal(
            relationship_id,
            goal_id,
            evidence,
            actor=actor,
            command_id=command_id,
            occurred_at=occurred_at,
            expected_version=expected_version,
        ),
    )


@goal_app.command("abandon")
def abandon_goal(
    ctx: typer.Context,
    relationship_id: RelationshipArg,
    goal_id: GoalArg,
    reason: Annotated[str, typer.Option("--reason", help="Why it is given up.")],
    occurred_at: OccurredAtOpt = None,
    expected_version: ExpectedVersionOpt = None,
    command_id: CommandIdOpt = None,
    json_output: JsonOpt = False,
) -> None:
    """Give up an open goal."""
    record(
        ctx,
        json_output,
        command_id,
        lambda s, actor, command_id: s.abandon_goal(
            relationship_id,
            goal_id,
            reason,
            actor=actor,
            command_id=command_id,
            occurred_at=occurred_at,
            expected_version=expected_version,
        ),
    )


@plan_app.command("add")
def add_activity(
    ctx: typer.Context,
    relationship_id: RelationshipArg,
    description: Annotated[str, typer.Option("--description", help="What will be done.")],
    due_date: Annotated[
        date, typer.Option("--due-date", parser=parse_date, metavar="DATE", help=DATE_HELP)
    ],
    goal: LinkedGoalOpt = None,
    activity_id: Annotated[UUID | None, new_id_option("activity")] = None,
    occurred_at: OccurredAtOpt = None,
    expected_version: ExpectedVersionOpt = None,
    command_id: CommandIdOpt = None,
    json_output: JsonOpt = False,
) -> None:
    """Add an activity to the mentoring plan; prints its id."""
    record(
        ctx,
        json_output,
        command_id,
        lambda s, actor, command_id: s.add_plan_activity(
            relationship_id,
            description,
            due_date,
            goal_id=goal,
            activity_id=activity_id or new_id(command_id, "activity"),
            actor=actor,
            command_id=command_id,
            occurred_at=occurred_at,
            expected_version=expected_version,
        ),
        created="activity",
    )


@plan_app.command("complete")
def complete_activity(
    ctx: typer.Context,
    relationship_id: RelationshipArg,
    activity_id: Annotated[UUID, id_argument("ACTIVITY_ID", "The activity's id.")],
    notes: Annotated[str, typer.Option("--notes", help="How it went.")],
    occurred_at: OccurredAtOpt = None,
    expected_version: ExpectedVersionOpt = None,
    command_id: CommandIdOpt = None,
    json_output: JsonOpt = False,
) -> None:
    """Mark a plan activity done."""
    record(
        ctx,
        json_output,
        command_id,
        lambda s, actor, command_id: s.complete_plan_activity(
            relationship_id,
            activity_id,
            notes,
            actor=actor,
            command_id=command_id,
            occurred_at=occurred_at,
            expected_version=expected_version,
        ),
    )


@milestone_app.command("set")
def set_milestone(
    ctx: typer.Context,
    relationship_id: RelationshipArg,
    description: Annotated[str, typer.Option("--description", help="The milestone.")],
    target_date: Annotated[
        date, typer.Option("--target-date", parser=parse_date, metavar="DATE", help=DATE_HELP)
    ],
    goal: LinkedGoalOpt = None,
    milestone_id: Annotated[UUID | None, new_id_option("milestone")] = None,
    occurred_at: OccurredAtOpt = None,
    expected_version: ExpectedVersionOpt = None,
    command_id: CommandIdOpt = None,
    json_output: JsonOpt = False,
) -> None:
    """Set a milestone; prints its id."""
    record(
        ctx,
        json_output,
        command_id,
        lambda s, actor, command_id: s.set_milestone(
            relationship_id,
            description,
            target_date,
            goal_id=goal,
            milestone_id=milestone_id or new_id(command_id, "milestone"),
            actor=actor,
            command_id=command_id,
            occurred_at=occurred_at,
            expected_version=expected_version,
        ),
        created="milestone",
    )


@milestone_app.command("reach")
def reach_milestone(
    ctx: typer.Context,
    relationship_id: RelationshipArg,
    milestone_id: Annotated[UUID, id_argument("MILESTONE_ID", "The milestone's id.")],
    notes: Annotated[str, typer.Option("--notes", help="How it was reached.")],
    occurred_at: OccurredAtOpt = None,
    expected_version: ExpectedVersionOpt = None,
    command_id: CommandIdOpt = None,
    json_output: JsonOpt = False,
) -> None:
    """Mark a milestone reached."""
    record(
        ctx,
        json_output,
        command_id,
        lambda s, actor, command_id: s.reach_milestone(
            relationship_id,
            milestone_id,
            notes,
            actor=actor,
            command_id=command_id,
            occurred_at=occurred_at,
            expected_version=expected_version,
        ),
    )
