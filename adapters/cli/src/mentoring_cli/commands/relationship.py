"""``mentoring pair`` and ``mentoring expectations``: opening, running and ending relationships."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated
from uuid import UUID

import typer

from mentoring_core import InvalidValue, MentoringService, TimeAxis
from mentoring_core.extend import CONVERTER
from mentoring_core.values import DeclineReason, EndReason

from .._options import (
    CommandIdOpt,
    ExpectedVersionOpt,
    JsonOpt,
    OccurredAtOpt,
    ProgrammeArg,
    RelationshipArg,
    new_id_option,
    refuse_alone,
)
from .._parsing import MOMENT_FORMS, enum_names, enum_parser, parse_moment
from .._render import due_text, print_whole, relationship_list, relationship_view
from .._session import Output, new_id, open_service, record

if TYPE_CHECKING:
    from rich.console import Console

    from mentoring_core.reports import DueItem

pair_app = typer.Typer(no_args_is_help=True)
expectations_app = typer.Typer(no_args_is_help=True)

MentorOpt = Annotated[str, typer.Option("--mentor", help="The mentor's person id (enrolled).")]
MenteeOpt = Annotated[str, typer.Option("--mentee", help="The mentee's person id (enrolled).")]
OverrideOpt = Annotated[
    str | None,
    typer.Option(
        "--gap-override-reason",
        metavar="TEXT",
        help="Pair them although the mentor's experience lead is below the programme minimum, "
        "for this recorded reason.",
    ),
]
RelationshipIdOpt = Annotated[UUID | None, new_id_option("relationship")]
SuggestionReasonOpt = Annotated[
    str | None,
    typer.Option(
        "--reason",
        metavar="TEXT",
        help="Why this mentor rather than the first of 'match suggest' (recorded with the "
        "mentor's rank, which is recorded anyway).",
    ),
]


@pair_app.command("propose")
def propose(
    ctx: typer.Context,
    programme_id: ProgrammeArg,
    mentor: MentorOpt,
    mentee: MenteeOpt,
    gap_override_reason: OverrideOpt = None,
    reason: SuggestionReasonOpt = None,
    relationship_id: RelationshipIdOpt = None,
    occurred_at: OccurredAtOpt = None,
    command_id: CommandIdOpt = None,
    json_output: JsonOpt = False,
) -> None:
    """Propose a mentor to a mentee; the relationship starts when one of them accepts."""
    record(
        ctx,
        json_output,
        command_id,
        lambda s, actor, command_id: s.propose_pairing(
            programme_id,
            mentor,
            mentee,
            actor=actor,
            command_id=command_id,
            gap_override_reason=gap_override_reason,
            suggestion_override_reason=reason,
            relationship_id=relationship_id or new_id(command_id, "relationship"),
            occurred_at=occurred_at,
        ),
        created="relationship",
    )


@pair_app.command("accept")
def accept(
    ctx: typer.Context,
    relationship_id: RelationshipArg,
    by: Annotated[str, typer.Option("--by", help="Person id of who accepts.")],
    occurred_at: OccurredAtOpt = None,
    expected_version: ExpectedVersionOpt = None,
    command_id: CommandIdOpt = None,
    json_output: JsonOpt = False,
) -> None:
    """Accept a proposed pairing: the relationship becomes active."""
    record(
        ctx,
        json_output,
        command_id,
        lambda s, actor, command_id: s.accept_pairing(
            relationship_id,
            by,
            actor=actor,
            command_id=command_id,
            occurred_at=occurred_at,
            expected_version=expected_version,
        ),
    )


@pair_app.command("decline")
def decline(
    ctx: typer.Context,
    relationship_id: RelationshipArg,
    by: Annotated[str, typer.Option("--by", help="Person id of who declines.")],
    reason: Annotated[
        DeclineReason,
        typer.Option(
            "--reason",
            parser=enum_parser(DeclineReason),
            metavar="NAME",
            help=f"One of {enum_names(DeclineReason)}.",
        ),
    ],
    explanation: Annotated[str, typer.Option("--explanation", help="In their words.")],
    occurred_at: OccurredAtOpt = None,
    expected_version: ExpectedVersionOpt = None,
    command_id: CommandIdOpt = None,
    json_output: JsonOpt = False,
) -> None:
    """Decline a proposed pairing: the relationship never starts."""
    record(
        ctx,
        json_output,
        command_id,
        lambda s, actor, command_id: s.decline_pairing(
            relationship_id,
            by,
            reason,
            explanation,
            actor=actor,
            command_id=command_id,
            occurred_at=occurred_at,
            expected_version=expected_version,
        ),
    )


@pair_app.command("form")
def form(
    ctx: typer.Context,
    programme_id: ProgrammeArg,
    mentor: MentorOpt,
    mentee: MenteeOpt,
    gap_override_reason: OverrideOpt = None,
    reason: SuggestionReasonOpt = None,
    relationship_id: RelationshipIdOpt = None,
    occurred_at: OccurredAtOpt = None,
    command_id: CommandIdOpt = None,
    json_output: JsonOpt = False,
) -> None:
    """Form a pair directly (a coordinator's decision); the relationship is active at once."""
    record(
        ctx,
        json_output,
        command_id,
        lambda s, actor, command_id: s.form_pair(
            programme_id,
            mentor,
            mentee,
            actor=actor,
            command_id=command_id,
            gap_override_reason=gap_override_reason,
            suggestion_override_reason=reason,
            relationship_id=relationship_id or new_id(command_id, "relationship"),
            occurred_at=occurred_at,
        ),
        created="relationship",
    )


@pair_app.command("show")
def show(
    ctx: typer.Context,
    relationship_id: RelationshipArg,
    as_of: Annotated[
        datetime | None,
        typer.Option(
            "--as-of",
            parser=parse_moment,
            metavar="WHEN",
            help=f"Show it as it stood then ({MOMENT_FORMS}) instead of now.",
        ),
    ] = None,
    axis: Annotated[
        TimeAxis,
        typer.Option(
            "--axis",
            parser=enum_parser(TimeAxis),
            metavar="NAME",
            help="With --as-of: 'recorded' (what the records showed then) or 'occurred' (what "
            "had happened by then, including facts recorded later).",
        ),
    ] = TimeAxis.RECORDED,
    json_output: JsonOpt = False,
) -> None:
    """Show a relationship: status, people, schedule, goals, meetings (now or as of a moment)."""
    refuse_alone(ctx, "--axis", "--as-of", with_it=as_of is not None)
    out = Output(json_output)
    next_due: DueItem | None = None
    with open_service(ctx) as service:
        if as_of is None:
            state = service.relationship(relationship_id)
            if state.programme_id is not None:
                next_due = _next_due(service, state.programme_id).get(relationship_id)
        else:
            try:
                state = service.relationship_as_of(relationship_id, as_of, axis=axis)
            except InvalidValue as error:  # the core's "at" was given as --as-of
                raise InvalidValue("as_of", error.value, error.expected) from None

    def show_state(console: Console) -> None:
        if state.exists:
            print_whole(console, relationship_view(state))
            if next_due is not None:
                console.print(f"next due: {due_text(next_due)} ({next_due.what})", markup=False)
        else:
            console.print(
                f"Relationship {relationship_id} had no events {axis.value} by {as_of}.",
                markup=False,
            )

    document = CONVERTER.unstructure(state)
    out.emit(
        lambda: document if as_of else {**document, "next_due": CONVERTER.unstructure(next_due)},
        show_state,
    )


@pair_app.command("list")
def list_(ctx: typer.Context, programme_id: ProgrammeArg, json_output: JsonOpt = False) -> None:
    """List the relationships of a programme, oldest first, each with the most urgent
    thing due (see ``mentoring due``)."""
    out = Output(json_output)
    with open_service(ctx) as service:
        states = service.relationships(programme_id)
        next_due = _next_due(service, programme_id)
    out.emit(
        lambda: {
            "programme_id": str(programme_id),
            "relationships": [
                {
                    **CONVERTER.unstructure(s),
                    "next_due": CONVERTER.unstructure(
                        next_due.get(s.relationship_id) if s.relationship_id else None
                    ),
                }
                for s in states
            ],
        },
        lambda console: print_whole(console, relationship_list(states, next_due)),
    )


def _next_due(service: MentoringService, programme_id: UUID) -> dict[UUID, DueItem]:
    """Each relationship's most urgent item due (overdue, or the next), as ``mentoring
    due`` and the compliance report define them."""
    from mentoring_core.projections import MAX_WINDOW_DAYS, due  # only when shown

    found: dict[UUID, DueItem] = {}
    for item in due(service, programme_id=programme_id, within_days=MAX_WINDOW_DAYS):
        found.setdefault(item.relationship_id, item)
    return found


@pair_app.command("pause")
def pause(
    ctx: typer.Context,
    relationship_id: RelationshipArg,
    reason: Annotated[str, typer.Option("--reason", help="Why (leave, workload...).")],
    occurred_at: OccurredAtOpt = None,
    expected_version: ExpectedVersionOpt = None,
    command_id: CommandIdOpt = None,
    json_output: JsonOpt = False,
) -> None:
    """Pause a relationship; no meetings are recorded until it resumes."""
    record(
        ctx,
        json_output,
        command_id,
        lambda s, actor, command_id: s.pause(
            relationship_id,
            reason,
            actor=actor,
            command_id=command_id,
            occurred_at=occurred_at,
            expected_version=expected_version,
        ),
    )


@pair_app.command("resume")
def resume(
    ctx: typer.Context,
    relationship_id: RelationshipArg,
    occurred_at: OccurredAtOpt = None,
    expected_version: ExpectedVersionOpt = None,
    command_id: CommandIdOpt = None,
    json_output: JsonOpt = False,
) -> None:
    """Resume a paused relationship."""
    record(
        ctx,
        json_output,
        command_id,
        lambda s, actor, command_id: s.resume(
            relationship_id,
            actor=actor,
            command_id=command_id,
            occurred_at=occurred_at,
            expected_version=expected_version,
        ),
    )


@pair_app.command("end")
def end(
    ctx: typer.Context,
    relationship_id: RelationshipArg,
    reason: Annotated[
        EndReason,
        typer.Option(
            "--reason",
            parser=enum_parser(EndReason),
            metavar="NAME",
            help=f"One of {enum_names(EndReason)}.",
        ),
    ],
    explanation: Annotated[str, typer.Option("--explanation", help="What happened.")],
    occurred_at: OccurredAtOpt = None,
    expected_version: ExpectedVersionOpt = None,
    command_id: CommandIdOpt = None,
    json_output: JsonOpt = False,
) -> None:
    """End a relationship (completed, withdrawn, re-matched...); only corrections may follow."""
    record(
        ctx,
        json_output,
        command_id,
        lambda s, actor, command_id: s.end(
            relationship_id,
            reason,
            explanation,
            actor=actor,
            command_id=command_id,
            occurred_at=occurred_at,
            expected_version=expected_version,
        ),
    )


@expectations_app.command("agree")
def agree(
    ctx: typer.Context,
    relationship_id: RelationshipArg,
    expectation: Annotated[
        list[str],
        typer.Option(
            "--expectation",
            metavar="TEXT",
            help="One expectation; repeat the option for each. Replaces earlier agreements.",
            show_default=False,
        ),
    ],
    occurred_at: OccurredAtOpt = None,
    expected_version: ExpectedVersionOpt = None,
    command_id: CommandIdOpt = None,
    json_output: JsonOpt = False,
) -> None:
    """Record what mentor and mentee agreed to expect of each other."""
    record(
        ctx,
        json_output,
        command_id,
        lambda s, actor, command_id: s.agree_expectations(
            relationship_id,
            expectation,
            actor=actor,
            command_id=command_id,
            occurred_at=occurred_at,
            expected_version=expected_version,
        ),
    )
