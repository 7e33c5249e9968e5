"""The options and arguments many commands share, declared once."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

import typer

from ._parsing import MOMENT_FORMS, Seconds, WholeNumber, parse_moment, parse_uuid

MAX_VERSION = 2**63 - 1
"""The largest version a store can hold (a signed 64-bit integer)."""

JsonOpt = Annotated[
    bool,
    typer.Option(
        "--json", help="Print exactly one JSON document on stdout instead of text for people."
    ),
]


def number_option(flag: str, parse: WholeNumber | Seconds, metavar: str, help_text: str) -> Any:
    """An option whose number ``parse`` reads, the help ending with the numbers it takes."""
    expected = parse.expected
    return typer.Option(
        flag,
        parser=parse,
        metavar=metavar,
        help=f"{help_text} {expected[0].upper()}{expected[1:]}.",
    )


ExpectedVersionOpt = Annotated[
    int | None,
    number_option(
        "--expected-version",
        WholeNumber(0, MAX_VERSION),
        "N",
        "The version you last saw; the command is refused (exit 1) if the history has moved "
        "on since.",
    ),
]


def id_argument(metavar: str, help_text: str) -> Any:
    """A required positional id (a UUID)."""
    return typer.Argument(metavar=metavar, help=help_text, parser=parse_uuid, show_default=False)


def id_option(flag: str, metavar: str, help_text: str) -> Any:
    """An optional id (a UUID) given by ``flag``."""
    return typer.Option(flag, metavar=metavar, help=help_text, parser=parse_uuid)


CommandIdOpt = Annotated[
    UUID | None,
    typer.Option(
        "--command-id",
        metavar="UUID",
        parser=parse_uuid,
        help="This command's identity (default: a fresh one, printed). Run it again with the "
        "same id after a lost answer (a timeout, a cut connection): it is reported as already "
        "recorded instead of being recorded twice.",
    ),
]
ProgrammeArg = Annotated[UUID, id_argument("PROGRAMME_ID", "The programme's id.")]
RelationshipArg = Annotated[UUID, id_argument("RELATIONSHIP_ID", "The relationship's id.")]


def new_id_option(thing: str) -> Any:
    """``--id``: choose the id of what a command creates, so that a retry cannot record it twice."""
    return id_option(
        "--id",
        "UUID",
        f"The new {thing}'s id (default: a fresh one). Retrying with the same id is refused "
        "instead of recording it twice.",
    )


def when_option(help_text: str) -> Any:
    """``--occurred-at`` with a command-specific meaning (e.g. when a meeting started)."""
    return typer.Option(
        "--occurred-at",
        parser=parse_moment,
        metavar="WHEN",
        help=f"{help_text}: {MOMENT_FORMS}. Default: now.",
    )


OccurredAtOpt = Annotated[
    datetime | None, when_option("When it happened in the world (never in the future)")
]


def refuse_alone(ctx: typer.Context, option: str, needed: str, *, with_it: bool) -> None:
    """Refuse ``option``, given on the command line, without ``needed`` (``with_it``
    says whether that was given): alone it would be ignored without a word, and the user
    believe it done. Bad usage (exit 2), to call before the store is opened."""
    name = next(param.name for param in ctx.command.params if option in param.opts)
    source = ctx.get_parameter_source(name) if name else None
    if with_it or source is None or source is type(source).DEFAULT:
        return
    raise typer.BadParameter(
        f"needs {needed}; alone it would do nothing", ctx=ctx, param_hint=f"'{option}'"
    )
