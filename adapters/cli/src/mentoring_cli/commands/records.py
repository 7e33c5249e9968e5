"""``mentoring feedback``, ``reflection`` and ``evaluation``: guidance, self-assessment, review."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

import typer

from mentoring_core.values import (
    FeedbackKind,
    FocusArea,
    GoalProgress,
    ProgressStatus,
    Rating,
    StakeholderFeedback,
)

from .._options import (
    CommandIdOpt,
    ExpectedVersionOpt,
    JsonOpt,
    OccurredAtOpt,
    RelationshipArg,
    id_option,
    new_id_option,
)
from .._parsing import (
    enum_names,
    enum_parser,
    parse_goal_progress,
    parse_rating,
    parse_stakeholder,
)
from .._session import new_id, record

_PrivateOpt = Annotated[
    bool,
    typer.Option(
        "--private",
        help="Private to the pair: withheld from the programme's coordinators by the HTTP "
        "API (docs/http.md).",
    ),
]

feedback_app = typer.Typer(no_args_is_help=True)
reflection_app = typer.Typer(no_args_is_help=True)
evaluation_app = typer.Typer(no_args_is_help=True)


@feedback_app.command("give")
def give(
    ctx: typer.Context,
    relationship_id: RelationshipArg,
    from_person: Annotated[str, typer.Option("--from", help="Person id of who gives it.")],
    to_person: Annotated[str, typer.Option("--to", help="Person id of who receives it.")],
    kind: Annotated[
        FeedbackKind,
        typer.Option(
            "--kind",
            parser=enum_parser(FeedbackKind),
            metavar="NAME",
            help=f"One of {enum_names(FeedbackKind)}.",
        ),
    ],
    text: Annotated[str, typer.Option("--text", help="The feedback.")],
    goal: Annotated[UUID | None, id_option("--goal", "GOAL_ID", "The goal it is about.")] = None,
    meeting: Annotated[
        UUID | None, id_option("--meeting", "MEETING_ID", "The meeting it is about.")
    ] = None,
    feedback_id: Annotated[UUID | None, new_id_option("feedback")] = None,
    private: _PrivateOpt = False,
    occurred_at: OccurredAtOpt = None,
    expected_version: ExpectedVersionOpt = None,
    command_id: CommandIdOpt = None,
    json_output: JsonOpt = False,
) -> None:
    """Record feedback given, about a goal, a meeting, or in general."""
    record(
        ctx,
        json_output,
        command_id,
        lambda s, actor, command_id: s.give_feedback(
            relationship_id,
            from_person,
            to_person,
            kind,
            text,
            about_goal_id=goal,
            about_meeting_id=meeting,
            feedback_id=feedback_id or new_id(command_id, "feedback"),
            private=private,
            actor=actor,
            command_id=command_id,
            occurred_at=occurred_at,
            expected_version=expected_version,
        ),
        created="feedback",
    )


@reflection_app.command("record")
def record_reflection(
    ctx: typer.Context,
    relationship_id: RelationshipArg,
    rating: Annotated[
        list[Rating],
        typer.Option(
            "--rating",
            parser=parse_rating,
            metavar="FOCUS_AREA=SCORE",
            help=f"A score from 1 to 5 in one focus area ({enum_names(FocusArea)}); repeat, "
            "each area once.",
            show_default=False,
        ),
    ],
    text: Annotated[str, typer.Option("--text", help="The mentee's reflection.")],
    reflection_id: Annotated[UUID | None, new_id_option("reflection")] = None,
    private: _PrivateOpt = False,
    occurred_at: OccurredAtOpt = None,
    expected_version: ExpectedVersionOpt = None,
    command_id: CommandIdOpt = None,
    json_output: JsonOpt = False,
) -> None:
    """Record the mentee's self-assessment."""
    record(
        ctx,
        json_output,
        command_id,
        lambda s, actor, command_id: s.record_reflection(
            relationship_id,
            rating,
            text,
            reflection_id=reflection_id or new_id(command_id, "reflection"),
            private=private,
            actor=actor,
            command_id=command_id,
            occurred_at=occurred_at,
            expected_version=expected_version,
        ),
        created="reflection",
    )


@evaluation_app.command("record")
def record_evaluation(
    ctx: typer.Context,
    relationship_id: RelationshipArg,
    evidence: Annotated[str, typer.Option("--evidence", help="What the judgement rests on.")],
    progress: Annotated[
        list[GoalProgress] | None,
        typer.Option(
            "--progress",
            parser=parse_goal_progress,
            metavar="GOAL_ID=STATUS",
            help=f"One goal's status ({enum_names(ProgressStatus)}); repeat for each goal.",
            show_default=False,
        ),
    ] = None,
    stakeholder: Annotated[
        list[StakeholderFeedback] | None,
        typer.Option(
            "--stakeholder",
            parser=parse_stakeholder,
            metavar="SOURCE=TEXT",
            help="What someone outside the pair said, e.g. 'team leader=Much more confident "
            "on calls'; repeat.",
            show_default=False,
        ),
    ] = None,
    evaluation_id: Annotated[UUID | None, new_id_option("evaluation")] = None,
    occurred_at: OccurredAtOpt = None,
    expected_version: ExpectedVersionOpt = None,
    command_id: CommandIdOpt = None,
    json_output: JsonOpt = False,
) -> None:
    """Record a review of progress against the goals."""
    record(
        ctx,
        json_output,
        command_id,
        lambda s, actor, command_id: s.evaluate_progress(
            relationship_id,
            progress or (),
            evidence,
            stakeholder_feedback=stakeholder or (),
            evaluation_id=evaluation_id or new_id(command_id, "evaluation"),
            actor=actor,
            command_id=command_id,
            occurred_at=occurred_at,
            expected_version=expected_version,
        ),
        created="evaluation",
    )
