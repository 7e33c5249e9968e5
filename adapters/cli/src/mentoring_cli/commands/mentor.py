"""``mentoring mentor``: the recognition of mentors' time."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Any

import typer

from mentoring_core.values import RecognitionKind

from .._options import CommandIdOpt, ExpectedVersionOpt, JsonOpt, OccurredAtOpt, ProgrammeArg
from .._parsing import enum_names, enum_parser, parse_date, parse_quantity
from .._session import record

app = typer.Typer(no_args_is_help=True)

_QUANTITY_HELP = "A number with at most two decimals, e.g. 45 or 12.50."


_KindOpt = Annotated[
    RecognitionKind,
    typer.Option(
        "--kind",
        parser=enum_parser(RecognitionKind),
        metavar="NAME",
        help=f"One of {enum_names(RecognitionKind)}.",
    ),
]


def _day(flag: str, help_text: str) -> Any:
    return typer.Option(flag, parser=parse_date, metavar="DATE", help=help_text)


def _quantity(flag: str, help_text: str) -> Any:
    return typer.Option(
        flag, parser=parse_quantity, metavar="NUMBER", help=f"{help_text} {_QUANTITY_HELP}"
    )


@app.command("recognise")
def recognise(
    ctx: typer.Context,
    programme_id: ProgrammeArg,
    mentor: Annotated[str, typer.Option("--mentor", help="The mentor recognised.")],
    kind: _KindOpt,
    start: Annotated[date, _day("--from", "First day recognised.")],
    end: Annotated[date, _day("--to", "Last day recognised.")],
    reason: Annotated[str, typer.Option("--reason", help="What is recognised.")],
    amount: Annotated[
        Decimal | None, _quantity("--amount", "The sum paid (required for an allowance).")
    ] = None,
    hours: Annotated[
        Decimal | None, _quantity("--hours", "The hours given (required for time in lieu).")
    ] = None,
    occurred_at: OccurredAtOpt = None,
    expected_version: ExpectedVersionOpt = None,
    command_id: CommandIdOpt = None,
    json_output: JsonOpt = False,
) -> None:
    """Record how a mentor's time was recognised for a period (a coordinator's act)."""
    record(
        ctx,
        json_output,
        command_id,
        lambda s, actor, command_id: s.recognise_mentor(
            programme_id,
            mentor,
            kind,
            start,
            end,
            reason,
            amount=amount,
            hours=hours,
            actor=actor,
            command_id=command_id,
            occurred_at=occurred_at,
            expected_version=expected_version,
        ),
    )
