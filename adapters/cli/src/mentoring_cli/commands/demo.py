"""``mentoring demo``: seed the demo programme and summarise it."""

from __future__ import annotations

import shlex
from typing import TYPE_CHECKING, Annotated, Any

import typer

from mentoring_core import DEFAULT_STORE_URL, redact
from mentoring_core.state import RelationshipState
from mentoring_core.values import GoalStatus

from .._options import JsonOpt
from .._render import meeting_counts, when
from .._session import Output, Settings, created_store, settings

if TYPE_CHECKING:  # the demo's data and Rich's progress bar load only when the demo runs
    from rich.console import Console
    from rich.table import Table

    from .._demo import RefusedPairing


def demo(
    ctx: typer.Context,
    store: Annotated[
        str | None,
        typer.Option(
            "--store",
            metavar="URL",
            help="Seed this store instead of the one given before the command.",
            show_default=False,
        ),
    ] = None,
    json_output: JsonOpt = False,
) -> None:
    """Seed a realistic demo programme (Feb-May 2026) and summarise its relationships.

    The content is fixed: ids, dates and recording times are the same in every
    run. A store that already holds the demo is refused (exit 1); nothing is
    recorded twice.
    """
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from .. import _demo

    url = store or settings(ctx).store_url
    out = Output(json_output)
    clock, options = _demo.demo_options()
    with created_store(ctx, url=url, whole=True, **options) as service:
        _demo.refuse_a_seeded_store(service, redact(url))
        script = _demo.build_script()
        with Progress(
            TextColumn("[bold]Seeding the demo"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.description}"),
            TimeElapsedColumn(),
            console=out.console,
            transient=True,
            disable=not out.interactive,
        ) as progress:
            task = progress.add_task("", total=len(script.steps))
            _demo.run(
                service,
                clock,
                script,
                lambda step: progress.update(task, advance=1, description=step.label),
            )
        programme = service.programme(_demo.PROGRAMME_ID)
        states = _demo.relationship_states(service)
    event_count = programme.version + sum(s.version for s in states)
    summary = _summary(redact(url), str(_demo.PROGRAMME_ID), event_count, script.refused, states)
    reopen = _global_options(url, settings(ctx))
    out.emit(lambda: summary, lambda console: _show(console, reopen, summary, states))


def _global_options(url: str, files: Settings) -> str:
    """The options before a command that open the demo's store again, as a shell reads
    them: ``--store`` (unless the default) and the key files given."""
    options = [] if url == DEFAULT_STORE_URL else ["--store", url]
    if files.cipher_key_file is not None:
        options += ["--cipher-key-file", str(files.cipher_key_file)]
    if files.key_store_file is not None:
        options += ["--key-store-file", str(files.key_store_file)]
    return "".join(f" {shlex.quote(option)}" for option in options)


def _summary(
    url: str,
    programme_id: str,
    event_count: int,
    refused: list[RefusedPairing],
    states: tuple[RelationshipState, ...],
) -> dict[str, Any]:
    from .._demo import ORGANISATION, PROGRAMME_NAME

    return {
        "store": url,
        "programme_id": programme_id,
        "programme": PROGRAMME_NAME,
        "organisation": ORGANISATION,
        "events_recorded": event_count,
        "refused_pairings": [
            {"mentor": r.mentor, "mentee": r.mentee, "rule": r.rule, "message": r.message}
            for r in refused
        ],
        "relationships": [
            {
                "relationship_id": str(s.relationship_id),
                "mentor": s.mentor_id,
                "mentee": s.mentee_id,
                "status": s.status.value,
                "ended": None if s.ended is None else s.ended.reason.value,
                "goals": [
                    {"title": g.title, "focus_area": g.focus_area.value, "status": g.status.value}
                    for g in s.goals
                ],
                "meetings": meeting_counts(s),
                "feedback": len(s.feedback),
                "reflections": len(s.reflections),
                "evaluations": len(s.evaluations),
            }
            for s in states
        ],
    }


_STATUS_STYLE = {
    GoalStatus.ACHIEVED: "green",
    GoalStatus.ABANDONED: "red",
    GoalStatus.OPEN: "yellow",
}


def _show(
    console: Console, reopen: str, summary: dict[str, Any], states: tuple[RelationshipState, ...]
) -> None:
    from rich.markup import escape  # texts and the store's path are shown as written

    console.print(
        f"[bold]{escape(summary['programme'])}[/] ({escape(summary['organisation'])}): "
        f"{summary['events_recorded']} events recorded in {escape(summary['store'])}"
    )
    console.print(f"Programme id: {summary['programme_id']}", markup=False)
    for refusal in summary["refused_pairings"]:
        console.print(
            f"[red]Refused pairing[/] {escape(refusal['mentor'])} → {escape(refusal['mentee'])}: "
            f"{escape(refusal['message'])}"
        )
    for state in states:
        console.print(_relationship_table(state))
    first = states[0].relationship_id
    console.print("Look closer:")
    for line in (f"pair list {summary['programme_id']}", f"pair show {first}", f"history {first}"):
        console.print(f"  mentoring{reopen} {line}", soft_wrap=True, markup=False)


def _relationship_table(state: RelationshipState) -> Table:
    from rich.markup import escape
    from rich.table import Table

    counts = meeting_counts(state)
    status = state.status.value
    if state.ended is not None:
        status += f" ({state.ended.reason.value}, {when(state.ended.ended_at)[:10]})"
    if state.declined is not None:
        status += f" ({state.declined.reason.value})"
    table = Table(
        title=escape(f"{state.mentor_id} → {state.mentee_id} · {status}"),
        title_justify="left",
        caption=(
            f"meetings: {counts['held']} held, {counts['missed']} missed, "
            f"{counts['cancelled']} cancelled · feedback {len(state.feedback)} · reflections "
            f"{len(state.reflections)} · evaluations {len(state.evaluations)} · "
            f"id {state.relationship_id}"
        ),
        caption_justify="left",
    )
    table.add_column("goal")
    table.add_column("focus area")
    table.add_column("status")
    for goal in state.goals:
        style = _STATUS_STYLE[goal.status]
        table.add_row(escape(goal.title), goal.focus_area.value, f"[{style}]{goal.status.value}[/]")
    if not state.goals:
        table.add_row("(none)", "", "")
    return table
