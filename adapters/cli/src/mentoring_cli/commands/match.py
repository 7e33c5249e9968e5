"""``mentoring match``: which mentors suit a mentee, ranked and explained."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated
from uuid import UUID

import typer

from mentoring_core.extend import CONVERTER

from .._options import JsonOpt, id_option
from .._render import suggestion_table
from .._session import Output, open_service

if TYPE_CHECKING:
    from rich.console import Console

app = typer.Typer(no_args_is_help=True)


@app.command("suggest")
def suggest(
    ctx: typer.Context,
    programme_id: Annotated[UUID, id_option("--programme", "PROGRAMME_ID", "The programme.")],
    mentee: Annotated[str, typer.Option("--mentee", help="The mentee's person id (enrolled).")],
    json_output: JsonOpt = False,
) -> None:
    """Rank the programme's mentors for a mentee: places free first, then the experience gap
    the policy asks for, then needs covered, load, gap in years and id; each rank explained."""
    out = Output(json_output)
    with open_service(ctx) as service:
        suggestions = service.suggest_mentors(programme_id, mentee)

    def show(console: Console) -> None:
        if not suggestions:
            console.print(f"No enrolled mentor can be suggested for {mentee}.", markup=False)
            return
        console.print(suggestion_table(suggestions), markup=False)
        console.print(
            f"Pair with the first: mentoring pair form {programme_id} --mentor "
            f"{suggestions[0].mentor_id} --mentee {mentee} (with another, add --reason).",
            markup=False,
        )

    out.emit(
        lambda: {
            "programme_id": str(programme_id),
            "mentee_id": mentee,
            "suggestions": [CONVERTER.unstructure(s) for s in suggestions],
        },
        show,
    )
