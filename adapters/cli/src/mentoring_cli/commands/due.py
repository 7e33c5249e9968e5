"""``mentoring due``: what is overdue, or due soon, most urgent first."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

import typer

from mentoring_core.extend import CONVERTER
from mentoring_core.projections import MAX_WINDOW_DAYS
from mentoring_core.projections import due as due_items

from .._options import JsonOpt, id_option, number_option
from .._parsing import WholeNumber
from .._render import due_table, print_whole
from .._session import Output, open_service


def due(
    ctx: typer.Context,
    programme_id: Annotated[
        UUID | None, id_option("--programme", "ID", "Only this programme (default: every one).")
    ] = None,
    person: Annotated[
        str | None,
        typer.Option(
            "--person",
            metavar="ID",
            help="Only what concerns this person: every relationship of the programmes they "
            "coordinate, and those in which they are the mentor or the mentee.",
        ),
    ] = None,
    within: Annotated[
        int,
        number_option(
            "--within",
            WholeNumber(0, MAX_WINDOW_DAYS),
            "DAYS",
            "Also list what falls due in the next DAYS days.",
        ),
    ] = 14,
    json_output: JsonOpt = False,
) -> None:
    """List what is overdue, then what falls due within --within days, most urgent first:
    meetings by the cadence in force and progress reviews (as the compliance report
    counts them), goals, plan activities and milestones by their dates (due at the end
    of their day, UTC)."""
    out = Output(json_output)
    with open_service(ctx) as service:
        items = due_items(service, programme_id=programme_id, person=person, within_days=within)
    out.emit(
        lambda: {
            "within_days": within,
            "due": [CONVERTER.unstructure(i) for i in items],
        },
        lambda console: print_whole(console, due_table(items)),
    )
