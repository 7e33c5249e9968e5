"""``mentoring match``: which mentors suit a mentee, ranked and explained."""

from __future__ import annotations

import shlex
from typing import TYPE_CHECKING, Annotated
from uuid import UUID

import typer

from mentoring_core.extend import CONVERTER

from .._options import JsonOpt, id_option
from .._render import print_whole, suggestion_table
from .._session import Output, open_service

if TYPE_CHECKING:
    from rich.console import Console

    from mentoring_core.matching import MentorSuggestion

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
        print_whole(console, suggestion_table(suggestions))
        console.print(_hint(programme_id, mentee, suggestions[0]), markup=False, soft_wrap=True)

    out.emit(
        lambda: {
            "programme_id": str(programme_id),
            "mentee_id": mentee,
            "suggestions": [CONVERTER.unstructure(s) for s in suggestions],
        },
        show,
    )


def _hint(programme_id: UUID, mentee: str, first: MentorSuggestion) -> str:
    """How to pair the mentee with the first suggestion so that the pairing is accepted;
    if the first is full, every mentor is (the full rank last), and no pairing would be."""
    if first.full:
        return (
            f"Every mentor is full (max_mentees_per_mentor {first.capacity}): end one of their "
            f"relationships or raise the limit in the programme's policy before pairing {mentee}."
        )
    mentor, mentee_word = shlex.quote(first.mentor_id), shlex.quote(mentee)  # as a shell reads
    command = f"mentoring pair form {programme_id} --mentor {mentor} --mentee {mentee_word}"
    if first.meets_minimum_gap:
        return f"Pair with the first: {command} (with another, add --reason)."
    return (
        f"Pair with the first: {command} --gap-override-reason REASON (their lead of "
        f"{first.experience_gap_years} years is below the minimum of {first.minimum_gap_years}; "
        "with another, add --reason)."
    )
