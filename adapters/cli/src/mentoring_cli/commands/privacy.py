"""``mentoring privacy``: erasing a person's personal data (see docs/privacy.md)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from mentoring_core import InvalidValue, MentoringService, StoreConfigurationError, redact
from mentoring_core.privacy import Erasure, ErasureRule, copy_keys
from mentoring_core.privacy.access import subject_access
from mentoring_core.privacy.retention import RetentionDue, apply_retention, due_for_erasure
from mentoring_core.store import new_cipher_key

from .._files import STDOUT, check_target, create_files
from .._options import CommandIdOpt, JsonOpt, number_option
from .._parsing import WholeNumber, enum_parser, parse_period_day
from .._session import (
    Output,
    Refused,
    from_the_store,
    kept_files,
    open_service,
    refuse_missing,
    settings,
    url_settings,
)

if TYPE_CHECKING:
    from rich.console import Console

app = typer.Typer(no_args_is_help=True)

_RuleOpt = Annotated[
    ErasureRule,
    typer.Option(
        "--rule",
        parser=enum_parser(ErasureRule),
        metavar="request|retention",
        help="Under which rule: the person's request (the default) or the retention period.",
    ),
]


_NO_LIVE_KEY = (
    "none live here (erased before, or withheld by an import: now marked erased, so no "
    "copy of the keys opens their texts here)"
)


def _show_erasure(console: Console, erasure: Erasure) -> None:
    person = erasure.person_id
    console.print(
        f"Erased the personal data of {person}: recorded on {len(erasure.recorded)} "
        f"programme(s); key {'destroyed' if erasure.key_destroyed else _NO_LIVE_KEY}.",
        markup=False,
    )
    if erasure.unsealed:
        console.print(
            f"{len(erasure.unsealed)} stored fields about {person} were written in clear "
            "before sealing and stay readable (removing them would break the audit "
            "chain); see docs/privacy.md, 'Stores written before sealing':",
            markup=False,
        )
        for where in erasure.unsealed:
            console.print(f"  {where}", markup=False)
    for note in erasure.notes:
        console.print(f"Not done: {note}", markup=False)
    if erasure.already_recorded and erasure.recorded:
        first = erasure.recorded[0]
        console.print(
            f"Already recorded: the erasure of {person} under the rule {first.rule} "
            f"({first.reason}) was recorded before; it is finished now.",
            markup=False,
        )
    console.print(f"command id: {erasure.command_id}")


@app.command("erase")
def erase(
    ctx: typer.Context,
    person: Annotated[str, typer.Argument(metavar="ID", help="The person's id.")],
    reason: Annotated[
        str,
        typer.Option(
            "--reason",
            help="Why: a reference such as the request's number (not itself personal data).",
        ),
    ],
    rule: _RuleOpt = ErasureRule.REQUEST,
    command_id: CommandIdOpt = None,
    json_output: JsonOpt = False,
) -> None:
    """Erase a person's personal data: their key is destroyed, so every text about them
    reads as [erased]; ids, dates, durations and figures stay, and the audit chain still
    verifies. Recorded on every programme they were enrolled in or appointed to, or whose
    records hold their personal data (a meeting they cancelled)."""
    out = Output(json_output)
    actor = settings(ctx).recording_actor
    with open_service(ctx, writes=True) as service:
        try:
            erasure = service.erase_person(
                person, reason, actor=actor, rule=rule, command_id=command_id
            )
        except InvalidValue as error:
            if error.field != "person_id":
                raise
            raise Refused(f"{person!r} cannot be erased here: expected {error.expected}") from None

    out.emit(
        lambda: {
            "person_id": person,
            "rule": str(erasure.recorded[0].rule if erasure.recorded else rule),
            "recorded": [str(e.aggregate_id) for e in erasure.recorded],
            "key_destroyed": erasure.key_destroyed,
            "unsealed": list(erasure.unsealed),
            "notes": list(erasure.notes),
            "complete": erasure.complete,
            "command_id": str(erasure.command_id),
            "already_recorded": erasure.already_recorded,
        },
        lambda console: _show_erasure(console, erasure),
    )
    if erasure.notes:  # a scheduled erasure must not pass for done
        raise Refused(
            f"the erasure of {person!r} is not finished (above); run it again with "
            f"--command-id {erasure.command_id} once that is remedied"
        )


@app.command("export-person")
def export_person(
    ctx: typer.Context,
    person: Annotated[str, typer.Argument(metavar="ID", help="The person's id.")],
    out: Annotated[
        Path, typer.Option("--out", metavar="PATH", help="Where to write the JSON; - for stdout.")
    ] = STDOUT,
) -> None:
    """Write everything the store holds about one person, opened, as JSON (a subject
    access request): the events of their relationships, every event naming them or
    recorded by them, and when their key was created and destroyed (never the key).
    A file is created readable by its owner only, and never replaces one."""
    to_stdout = out == STDOUT
    keep = kept_files(ctx)
    if not to_stdout:
        check_target(out, "--out", keep=keep, replace=False)
    with open_service(ctx) as service:
        document = subject_access(service, person, service.now())
    text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    if to_stdout:
        typer.echo(text, nl=False)
        return
    create_files([(out, text.encode(), "--out")], keep=keep)  # owner-only: personal data
    typer.echo(f"Wrote {len(document['events'])} events about {person} to {out} (owner-only).")


_YearsOpt = Annotated[
    int | None,
    number_option(
        "--years",
        WholeNumber(),
        "N",
        "Override: keep personal data N years after a person's last role ended (a "
        "relationship ended, they withdrew, or were relieved as a coordinator) in every "
        "programme, instead of each programme's policy (retain_personal_data_years).",
    ),
]


def _retention_document(
    as_of: date,
    years: int | None,
    apply: bool,
    due: Sequence[RetentionDue],
    erased: Sequence[Erasure],
    notes: list[str],
) -> dict[str, Any]:
    """``privacy retention``'s JSON document."""
    return {
        "as_of": as_of.isoformat(),
        "years": years,
        "applied": apply,
        "due": [
            {
                "person_id": d.person_id,
                "last_ended": d.last_ended.isoformat(),
                "years": d.years,
                "due_on": d.due_on.isoformat(),
            }
            for d in due
        ],
        "finished": [e.person_id for e in erased if e.already_recorded],
        "unsealed": [where for e in erased for where in e.unsealed],
        "notes": notes,
    }


@app.command("retention")
def retention(
    ctx: typer.Context,
    as_of: Annotated[
        date,
        typer.Option("--as-of", parser=parse_period_day, metavar="DATE", help="The day (UTC)."),
    ],
    years: _YearsOpt = None,
    apply: Annotated[
        bool, typer.Option("--apply", help="Erase everyone due (rule: retention).")
    ] = False,
    json_output: JsonOpt = False,
) -> None:
    """List the people whose retention period (each programme's policy, or --years) has
    run out on a day; with --apply, erase them (each recorded as PersonalDataErased under
    the retention rule, or an erasure recorded before finished)."""
    out = Output(json_output)
    actor = settings(ctx).recording_actor
    with open_service(ctx, writes=apply) as service:
        today = service.now().astimezone(UTC).date()
        if apply and as_of > today:  # apply_retention refuses it too, naming each person
            raise InvalidValue(
                "as_of", as_of, f"a day not after today ({today}) with --apply: no erasure "
                "before a period has run out, as an erasure cannot be undone",
            )  # fmt: skip
        due = due_for_erasure(service, as_of, years)
        erased = apply_retention(service, due, actor=actor) if apply else ()
    notes = list(dict.fromkeys(note for e in erased for note in e.notes))  # the store's, once

    def show(console: Console) -> None:
        verb = "Erased" if apply else "Due for erasure"
        period = (
            "each programme's policy" if years is None else f"{years} years for every programme"
        )
        console.print(
            f"{verb} on {as_of.isoformat()} under {period}: {len(due)} people.", markup=False
        )
        for d in due:
            console.print(
                f"  {d.person_id}: last ended {d.last_ended}, kept {d.years} years, due {d.due_on}",
                markup=False,
            )
        for erasure in erased:
            if erasure.already_recorded:
                finished = "an erasure recorded before, finished now; none recorded again"
                console.print(f"  {erasure.person_id}: {finished}", markup=False)
            for where in erasure.unsealed:
                console.print(f"  stays readable (stored before sealing): {where}", markup=False)
        for note in notes:
            console.print(f"Not done: {note}", markup=False)

    out.emit(lambda: _retention_document(as_of, years, apply, due, erased, notes), show)
    if notes:  # a scheduled erasure must not pass for done
        raise Refused(
            "the erasures are recorded and the keys destroyed, but the store's clean-up is "
            "not finished (above); once that is remedied, erase one of them again "
            "('privacy erase ID'), which runs it again"
        )


@app.command("copy-keys")
def copy_keys_(
    ctx: typer.Context,
    to: Annotated[
        str,
        typer.Option(
            "--to", metavar="URL", help="The store to copy the keys into (it must exist)."
        ),
    ],
    json_output: JsonOpt = False,
) -> None:
    """Copy people's data keys from the store to another, e.g. the copy an audit import
    made (an export carries no key, so the copy's texts read as [erased] until then). A
    destroyed key is copied as destroyed, and never brought back to life."""
    out = Output(json_output)
    try:  # a bad URL is refused naming --to, a missing store creating nothing
        refuse_missing(to, then="import into it first", option="--to")
    except StoreConfigurationError as error:
        if from_the_store(error.__cause__):
            raise  # its server down, not its URL: the store failing (exit 1)
        raise typer.BadParameter(str(error), param_hint="'--to'") from None
    with open_service(ctx) as source:
        with url_settings(to, "--to"):  # ?pool_size=abc: a usage error naming --to
            target = MentoringService(to)
        with target:
            copied = copy_keys(source.store.keys.store, target.store.keys.store)
    out.emit(
        lambda: {"copied": copied, "to": redact(to)},
        lambda console: console.print(
            f"Copied {copied} people's keys to {redact(to)}.", markup=False
        ),
    )


CIPHER_KEY_WARNING = (
    "Keep the key file away from the store and back it up apart from it: without it "
    "nothing in the store can be read again."
)


@app.command("cipher-keygen")
def cipher_keygen(
    ctx: typer.Context,
    out: Annotated[
        Path,
        typer.Option("--out", metavar="FILE", dir_okay=False, help="Where to write the key."),
    ],
    json_output: JsonOpt = False,
) -> None:
    """Write a new key file for encrypting a store at rest (32 random bytes in base64),
    readable by you only; an existing file is never overwritten. Use it with
    --cipher-key-file when the store is created, and every time it is opened."""
    key = (new_cipher_key() + "\n").encode()
    create_files([(out, key, "--out")], keep=kept_files(ctx, cipher_key=False))
    Output(json_output).emit(
        lambda: {"key_file": str(out), "warning": CIPHER_KEY_WARNING},
        lambda console: console.print(
            f"Wrote the cipher key file {out} (owner-only). {CIPHER_KEY_WARNING}", markup=False
        ),
    )
