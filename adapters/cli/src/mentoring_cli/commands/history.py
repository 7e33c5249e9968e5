"""``mentoring history``: everything that happened to a programme or relationship, in order."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

import typer

from .._options import JsonOpt, id_argument
from .._render import history_table, print_whole
from .._session import Output, event_document, open_service


def history(
    ctx: typer.Context,
    aggregate_id: Annotated[UUID, id_argument("ID", "A relationship's or a programme's id.")],
    json_output: JsonOpt = False,
) -> None:
    """Show every event of a relationship or a programme, in order.

    For each: its version, type, when it occurred, when it was recorded, who
    recorded it, and its own fields.
    """
    out = Output(json_output)
    with open_service(ctx) as service:
        events = service.history(aggregate_id)
    out.emit(
        lambda: {
            "aggregate_id": str(aggregate_id),
            "events": [event_document(e) for e in events],
        },
        lambda console: print_whole(console, history_table(aggregate_id, events)),
    )
