"""``mentoring reminders``: send the reminders owed in a programme (by e-mail or signed
webhooks), and list those recorded (docs/cli.md, "Reminders")."""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Annotated, Any
from uuid import UUID

import typer

from mentoring_core import MentoringService
from mentoring_core.events import ReminderAbandoned, ReminderIssued, ReminderSent
from mentoring_core.projections import MAX_WINDOW_DAYS
from mentoring_core.reminders import Notifier, Run, follow_reminders, remind

from .._files import check_source
from .._options import (
    CommandIdOpt,
    JsonOpt,
    OccurredAtOpt,
    ProgrammeArg,
    id_argument,
    number_option,
    refuse_alone,
)
from .._parsing import Seconds, WholeNumber
from .._render import add_texts, due_when, keep_whole, print_whole, when
from .._session import Output, Refused, open_service, record, settings

if TYPE_CHECKING:
    from rich.console import Console

app = typer.Typer(no_args_is_help=True)


def _notifier(
    smtp: str | None, sender: str | None, webhook: str | None, secret_file: Path | None
) -> Notifier:
    from ..notifiers import (  # smtplib, urllib: run's
        SmtpNotifier,
        WebhookNotifier,
        host_fault,
        one_address,
        read_secret,
    )

    if (smtp is None) == (webhook is None):
        raise typer.BadParameter("give one of --smtp or --webhook", param_hint="'--smtp'")
    if smtp is not None:
        host, colon, port = smtp.rpartition(":")
        if not (colon and host and port.isdigit() and 0 < int(port) < 65536):
            raise typer.BadParameter(f"{smtp!r} is not HOST:PORT", param_hint="'--smtp'")
        unresolvable = host_fault(host)
        if unresolvable is not None:
            raise typer.BadParameter(f"{smtp!r}: {unresolvable}", param_hint="'--smtp'")
        if sender is None:
            raise typer.BadParameter("--smtp needs --from ADDRESS", param_hint="'--from'")
        if not one_address(sender):
            raise typer.BadParameter(
                f"{sender!r} is not one e-mail address; expected such as reminders@example.org "
                "or 'Reminders <reminders@example.org>'",
                param_hint="'--from'",
            )
        return SmtpNotifier(host=host, port=int(port), sender=sender)
    assert webhook is not None
    _check_webhook_url(webhook)
    if secret_file is None:
        raise typer.BadParameter(
            "--webhook needs --webhook-secret-file FILE", param_hint="'--webhook-secret-file'"
        )
    check_source(secret_file, "--webhook-secret-file")
    try:
        key = read_secret(secret_file)
    except (OSError, ValueError) as error:
        raise typer.BadParameter(
            f"{secret_file}: {error}", param_hint="'--webhook-secret-file'"
        ) from None
    return WebhookNotifier(url=webhook, key=key)


def _check_webhook_url(webhook: str) -> None:
    """Refuse a URL no request can be made to, before a reminder is issued for it."""
    from ..notifiers import webhook_url_fault

    why = webhook_url_fault(webhook)
    if why is not None:
        raise typer.BadParameter(why, param_hint="'--webhook'")


def _run_document(run: Run) -> dict[str, Any]:
    return {
        "issued": [str(i) for i in run.issued],
        "sent": [str(i) for i in run.sent],
        "sent_again": [str(i) for i in run.sent_again],
        "unreachable": sorted(set(run.unreachable)),
        "failed": list(run.failed),
        "left_unsent": [str(i) for i in run.left_unsent],
        "busy": run.busy,
    }


def _show_run(console: Console, run: Run) -> None:
    if run.busy:
        console.print(f"Nothing done: {_BUSY}.", markup=False)
        return
    again = f" ({len(run.sent_again)} sent again after an interruption)" if run.sent_again else ""
    console.print(
        f"Issued {len(run.issued)} reminder(s); sent {len(run.sent)}{again}.", markup=False
    )
    for person in sorted(set(run.unreachable)):
        console.print(
            f"Not reminded: no contact the notifier can use is recorded for {person}.", markup=False
        )
    for failure in run.failed:
        console.print(f"Not sent (the next run tries again): {failure}", markup=False)
    if run.left_unsent:
        console.print(
            f"Left unsent: {len(run.left_unsent)} reminder(s) issued on another channel, "
            "for a run on theirs (`reminders list` shows each one's).",
            markup=False,
        )


_BUSY = (
    "another reminder run of this programme is in progress on this store (a --follow, or "
    "a run not yet finished); it sends what is owed"
)
"""Why a run did nothing (:attr:`Run.busy`)."""


_WithinOpt = Annotated[
    int,
    number_option(
        "--within-days",
        WholeNumber(0, MAX_WINDOW_DAYS),
        "N",
        "Remind of what falls due in the next N days (and of what is overdue).",
    ),
]
_QuietOpt = Annotated[
    int | None,
    number_option(
        "--quiet-days",
        WholeNumber(1, MAX_WINDOW_DAYS),
        "N",
        "Also remind a pair who have not met for N days (default: never).",
    ),
]
_SmtpOpt = Annotated[
    str | None,
    typer.Option("--smtp", metavar="HOST:PORT", help="Send e-mails through this SMTP server."),
]
_FromOpt = Annotated[
    str | None,
    typer.Option("--from", metavar="ADDRESS", help="With --smtp: the e-mails' sender address."),
]
_WebhookOpt = Annotated[
    str | None,
    typer.Option("--webhook", metavar="URL", help="POST signed webhooks to this URL."),
]
_SecretOpt = Annotated[
    Path | None,
    typer.Option(
        "--webhook-secret-file",
        metavar="FILE",
        dir_okay=False,
        help="With --webhook: the signing secret, a file holding whsec_ and base64.",
    ),
]
_FollowOpt = Annotated[
    bool,
    typer.Option(
        "--follow/--once",
        help="Keep running: again on every change recorded in the store and every "
        "--interval seconds, until interrupted (default: one run, then exit).",
    ),
]
_IntervalOpt = Annotated[
    float,
    number_option(
        "--interval", Seconds(Decimal("0.1")), "SECONDS", "With --follow: run at least this often."
    ),
]


@app.command("run")
def run(
    ctx: typer.Context,
    programme_id: ProgrammeArg,
    within_days: _WithinOpt = 2,
    quiet_days: _QuietOpt = None,
    smtp: _SmtpOpt = None,
    sender: _FromOpt = None,
    webhook: _WebhookOpt = None,
    webhook_secret_file: _SecretOpt = None,
    follow: _FollowOpt = False,
    interval: _IntervalOpt = 60.0,
    json_output: JsonOpt = False,
) -> None:
    """Send the reminders owed in a programme to the mentor and the mentee of each due
    item: overdue, due within --within-days, and pairs quiet for --quiet-days. Each is
    recorded (ReminderIssued) before it is sent and marked (ReminderSent) after; a run
    first sends again, under the same id, what an interrupted run left unsent."""
    refuse_alone(ctx, "--interval", "--follow", with_it=follow)
    refuse_alone(ctx, "--from", "--smtp", with_it=smtp is not None)
    refuse_alone(ctx, "--webhook-secret-file", "--webhook", with_it=webhook is not None)
    notifier = _notifier(smtp, sender, webhook, webhook_secret_file)
    actor = settings(ctx).recording_actor
    out = Output(json_output)

    def show(outcome: Run) -> None:
        if out.json:
            out.document(_run_document(outcome))
        else:
            _show_run(out.console, outcome)

    options: dict[str, Any] = {
        "programme_id": programme_id,
        "actor": actor,
        "within_days": within_days,
        "quiet_days": quiet_days,
    }
    with open_service(ctx, writes=True) as service:
        service.programme(programme_id)  # refuses an unknown programme before anything runs
        if not follow:
            outcome = remind(service, notifier, **options)
            show(outcome)
            if outcome.busy:
                raise Refused(f"nothing sent: {_BUSY}")
            if outcome.failed:
                raise Refused(f"{len(outcome.failed)} reminder(s) could not be sent")
            return
        stop = threading.Event()
        with _stopping_on(stop, signal.SIGINT, signal.SIGTERM):
            follow_reminders(
                service, notifier, stop=stop, interval=interval, on_run=show, **options
            )


@contextmanager
def _stopping_on(stop: threading.Event, *signals: signal.Signals) -> Iterator[None]:
    """While inside, each of ``signals`` (Ctrl-C, a service manager's SIGTERM) only sets
    ``stop``: the follow ends at its next look (between reminders, or while waiting),
    never with an exception raised wherever the process is. The first such signal puts
    the earlier handlers back, so a second one interrupts at once as it would have. One
    ignored when the follow starts (SIGINT for a job a script started with ``&``) stays
    ignored, as every command keeps it."""
    earlier = {s: h for s in signals if (h := signal.getsignal(s)) is not signal.SIG_IGN}

    def restore() -> None:
        for number, handler in earlier.items():
            signal.signal(number, signal.SIG_DFL if handler is None else handler)

    def stopping(number: int, frame: FrameType | None) -> None:
        stop.set()
        restore()

    for number in earlier:
        signal.signal(number, stopping)
    try:
        yield
    finally:
        restore()


@app.command("abandon")
def abandon(
    ctx: typer.Context,
    programme_id: ProgrammeArg,
    reminder_id: Annotated[
        UUID, id_argument("REMINDER_ID", "The reminder ('reminders list' shows each one's).")
    ],
    reason: Annotated[
        str, typer.Option("--reason", help="Why it is given up (such as the server's refusal).")
    ],
    occurred_at: OccurredAtOpt = None,
    command_id: CommandIdOpt = None,
    json_output: JsonOpt = False,
) -> None:
    """Give up a reminder issued and not sent, that its channel refuses for good (such
    as an address that no longer exists): no run sends it again."""
    record(
        ctx,
        json_output,
        command_id,
        lambda s, actor, command_id: s.abandon_reminder(
            programme_id,
            reminder_id,
            reason,
            actor=actor,
            command_id=command_id,
            occurred_at=occurred_at,
        ),
    )


@app.command("list")
def list_reminders(
    ctx: typer.Context, programme_id: ProgrammeArg, json_output: JsonOpt = False
) -> None:
    """The reminders recorded in a programme: who was told what, when, and how."""
    out = Output(json_output)
    with open_service(ctx) as service:
        rows = _reminder_rows(service, programme_id)
    out.emit(lambda: {"reminders": rows}, lambda console: print_whole(console, _table(rows)))


def _reminder_rows(service: MentoringService, programme_id: UUID) -> list[dict[str, Any]]:
    rows: dict[UUID, dict[str, Any]] = {}
    for event in service.history(programme_id):
        if isinstance(event, ReminderIssued):
            rows[event.reminder_id] = {
                "reminder_id": str(event.reminder_id),
                "person_id": event.person_id,
                "reason": event.reason.value,
                "item": event.item,
                "due": event.due.isoformat(),
                "relationship_id": str(event.relationship_id),
                "channel": event.channel,
                "issued_at": event.recorded_at.isoformat(),
                "issued_by": event.actor,
                "sent_at": None,
                "after_interruption": False,
                "abandoned_at": None,
            }
        elif isinstance(event, ReminderSent):
            rows[event.reminder_id] |= {
                "sent_at": event.recorded_at.isoformat(),
                "after_interruption": event.after_interruption,
            }
        elif isinstance(event, ReminderAbandoned):
            rows[event.reminder_id] |= {"abandoned_at": event.recorded_at.isoformat()}
    return list(rows.values())


def _table(rows: list[dict[str, Any]]) -> Any:
    from datetime import datetime

    from rich.box import SIMPLE
    from rich.table import Table

    table = Table(title="Reminders", title_justify="left", box=SIMPLE, pad_edge=False)
    for column in ("issued", "to", "reason", "item", "due", "by", "sent", "reminder"):
        table.add_column(column)
    for row in rows:
        sent, abandoned = row["sent_at"], row["abandoned_at"]
        add_texts(
            table,
            when(datetime.fromisoformat(row["issued_at"])),
            row["person_id"],
            row["reason"],
            row["item"],
            due_when(row["item"], datetime.fromisoformat(row["due"])),
            row["channel"],
            (
                "not sent"
                if abandoned is None
                else f"abandoned {when(datetime.fromisoformat(abandoned))}"
            )
            if sent is None
            else when(datetime.fromisoformat(sent))
            + (" (again)" if row["after_interruption"] else ""),
            row["reminder_id"],
        )
    return keep_whole(table, "to", "reason", "by", "reminder")
