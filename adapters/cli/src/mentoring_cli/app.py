"""The ``mentoring`` command: the root options, the command groups, and how failures end.

A run imports only the module of the subcommand it runs (:data:`SUBCOMMANDS`); a new
group or command under the root needs its line there.

Exit status: 0 done; 1 refused (a broken domain rule, an unknown programme or
relationship, a version conflict, a missing store, the store failing: a server down);
2 bad usage (a bad value, a missing option, an unknown name, a date in the future). A
failure prints one line on stderr, nothing on stdout, and records nothing. An
interrupted command ends after its clean-up: 1 for Ctrl-C (SIGINT); SIGTERM, then, by
the signal (143 in a shell).
"""

from __future__ import annotations

import importlib
import os
import re
import signal
import sys
from collections.abc import Iterator, Mapping, MutableMapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Annotated, Any
from urllib.parse import urlsplit

import typer
from typer.core import TyperCommand, TyperGroup
from typer.models import CommandInfo

from mentoring_core import (
    DEFAULT_STORE_URL,
    InvalidValue,
    MentoringError,
    StoreConfigurationError,
    redact,
)
from mentoring_core import commands as domain_commands
from mentoring_core.extend import shown

from ._session import (
    ACTOR_ENV,
    CIPHER_KEY_FILE_ENV,
    KEY_STORE_FILE_ENV,
    STORE_ENV,
    Interrupted,
    Refused,
    Settings,
    from_the_store,
)

EXIT_REFUSED = 1
EXIT_USAGE = 2
DEBUG_ENV = "MENTORING_DEBUG"
"""Set to 1 (that value only), failures show their traceback."""


@dataclass(frozen=True)
class Subcommand:
    """A subcommand of the root: where it is defined, and the line ``mentoring --help`` lists.

    ``attribute`` names, in the module ``mentoring_cli.commands.<module>``, a Typer app (a
    group, whose help is ``line``) or a function (a command, whose docstring's first
    paragraph is ``line``). The module is imported only when the subcommand runs.
    """

    module: str
    attribute: str
    line: str


SUBCOMMANDS: dict[str, Subcommand] = {
    "programme": Subcommand(
        "programme", "app", "Set up programmes, their policy and their participants."
    ),
    "pair": Subcommand(
        "relationship",
        "pair_app",
        "Propose, form, show, pause, resume and end mentor-mentee relationships.",
    ),
    "match": Subcommand("match", "app", "Suggest mentors for a mentee."),
    "expectations": Subcommand(
        "relationship", "expectations_app", "What mentor and mentee expect of each other."
    ),
    "goal": Subcommand("progress", "goal_app", "Set, revise, achieve and abandon goals."),
    "plan": Subcommand("progress", "plan_app", "Activities of the mentoring plan."),
    "milestone": Subcommand("progress", "milestone_app", "Milestones on the way to the goals."),
    "schedule": Subcommand("meetings", "schedule_app", "Agree and change the meeting schedule."),
    "meeting": Subcommand(
        "meetings",
        "meeting_app",
        "Record meetings held, missed or cancelled, and correct a record.",
    ),
    "mentor": Subcommand("mentor", "app", "Recognise mentors' time (allowances, time in lieu...)."),
    "feedback": Subcommand("records", "feedback_app", "Feedback from one person to another."),
    "reflection": Subcommand("records", "reflection_app", "The mentee's self-assessments."),
    "evaluation": Subcommand("records", "evaluation_app", "Reviews of progress against the goals."),
    "audit": Subcommand(
        "audit",
        "app",
        "Check that nothing recorded was changed, and read histories as auditors need them.",
    ),
    "report": Subcommand("report", "app", "Compliance reports built from the recorded events."),
    "privacy": Subcommand(
        "privacy", "app", "Personal data: erasure, retention, subject access, keys."
    ),
    "reminders": Subcommand(
        "reminders", "app", "Reminders of what is due: send them, list those sent."
    ),
    "token": Subcommand(
        "token", "app", "Development and demo access tokens for the HTTP API: NOT for production."
    ),
    "history": Subcommand(
        "history", "history", "Show every event of a relationship or a programme, in order."
    ),
    "due": Subcommand(
        "due",
        "due",
        "List what is overdue, then what falls due within --within days, most urgent first:\n"
        "meetings by the cadence in force and progress reviews (as the compliance report\n"
        "counts them), goals, plan activities and milestones by their dates (due at the end\n"
        "of their day, UTC).",
    ),
    "demo": Subcommand(
        "demo",
        "demo",
        "Seed a realistic demo programme (Feb-May 2026) and summarise its relationships.",
    ),
    "serve": Subcommand(
        "serve", "serve", "Serve the HTTP API on this store until interrupted (docs/http.md)."
    ),
}
"""The root's subcommands, in the order ``mentoring --help`` lists them."""


def load(name: str) -> Any:
    """The click command of the subcommand ``name``, its module imported now."""
    where = SUBCOMMANDS[name]
    module = importlib.import_module(f"{__package__}.commands.{where.module}")
    target = getattr(module, where.attribute)
    if isinstance(target, typer.Typer):
        command: Any = typer.main.get_group(target)
        command.help = where.line
    else:
        command = typer.main.get_command_from_info(
            CommandInfo(callback=target),
            pretty_exceptions_short=app.pretty_exceptions_short,
            rich_markup_mode=app.rich_markup_mode,
        )
    command.name = name
    _help_as_written(command)
    return command


_MARKUP_TAG = re.compile(r"(\\*)(\[[a-z#/@][^[]*?])")
"""What Rich's help would read as a markup tag (``[erased]``): rich.markup.escape's pattern."""


def _as_written(text: str | None) -> str | None:
    """``text`` with every ``[tag]`` escaped, so that Rich shows it as written."""
    if text is None:
        return None
    return _MARKUP_TAG.sub(lambda found: f"{found[1]}{found[1]}\\{found[2]}", text)


def _help_as_written(command: Any) -> None:
    """Escape the help texts of ``command``, its options and its subcommands: help is
    printed through Rich markup, which would drop ``[erased]`` from "reads as [erased]"."""
    command.help = _as_written(command.help)
    command.short_help = _as_written(command.short_help)
    for param in command.params:
        if isinstance(getattr(param, "help", None), str):
            param.help = _as_written(param.help)
    for sub in getattr(command, "commands", {}).values():
        _help_as_written(sub)


class _Commands(MutableMapping[str, Any]):
    """The root's subcommands, each loaded (:func:`load`) only when first used.

    Importing every command module, and Typer inspecting the signature of every
    command, would be most of a run's start-up.
    """

    def __init__(self, built: Mapping[str, Any]) -> None:
        self._built = dict(built)

    def __getitem__(self, name: str) -> Any:
        if name not in self._built and name in SUBCOMMANDS:
            self._built[name] = load(name)
        return self._built[name]

    def __setitem__(self, name: str, command: Any) -> None:
        self._built[name] = command

    def __delitem__(self, name: str) -> None:
        del self._built[name]

    def __iter__(self) -> Iterator[str]:
        return iter(dict.fromkeys([*SUBCOMMANDS, *self._built]))

    def __len__(self) -> int:
        return len({*SUBCOMMANDS, *self._built})


class _RootGroup(TyperGroup):
    """The root command: its subcommands are loaded lazily (see :class:`_Commands`), and its
    help lists each by its line in :data:`SUBCOMMANDS` without loading any."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.commands = _Commands(self.commands)
        self._listing = False

    def list_commands(self, ctx: Any) -> list[str]:
        return list(self.commands)

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        if self._listing and cmd_name in SUBCOMMANDS:
            return TyperCommand(cmd_name, help=SUBCOMMANDS[cmd_name].line)
        return super().get_command(ctx, cmd_name)

    def format_help(self, ctx: Any, formatter: Any) -> None:
        # ctx and formatter: Typer's own click types, which it does not export
        self._listing = True
        try:
            super().format_help(ctx, formatter)
        finally:
            self._listing = False


app = typer.Typer(
    name="mentoring",
    cls=_RootGroup,
    help="Record and inspect mentoring programmes and relationships, with their full history.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _checked_store(store: str) -> str:
    """``--store``, refused if it cannot be read as a URL."""
    try:
        urlsplit(store)
    except ValueError as error:  # an unclosed '[' (Invalid IPv6 URL)
        raise typer.BadParameter(
            f"store URL {redact(store)!r}: {error}", param_hint="'--store'"
        ) from None
    return store


def _checked_actor(actor: str | None) -> str | None:
    """``--actor``, refused with spaces around it: that would record another actor."""
    if actor is not None and actor != actor.strip():
        raise typer.BadParameter(
            f"{actor!r}; expected a name without spaces around it", param_hint="'--actor'"
        )
    return actor


@app.callback()
def root(
    ctx: typer.Context,
    store: Annotated[
        str,
        typer.Option(
            "--store",
            envvar=STORE_ENV,
            metavar="URL",
            callback=_checked_store,
            help="Where records are kept: sqlite:///path.db (relative to here), "
            "sqlite:////absolute/path.db, memory:// or postgresql://user@host/db.",
        ),
    ] = DEFAULT_STORE_URL,
    actor: Annotated[
        str | None,
        typer.Option(
            "--actor",
            envvar=ACTOR_ENV,
            metavar="NAME",
            callback=_checked_actor,
            help="Who records (kept with every event). Default: the OS user name.",
            show_default=False,
        ),
    ] = None,
    cipher_key_file: Annotated[
        Path | None,
        typer.Option(
            "--cipher-key-file",
            envvar=CIPHER_KEY_FILE_ENV,
            metavar="FILE",
            dir_okay=False,
            help="The key file of a store encrypted at rest (owner-only; see 'privacy "
            "cipher-keygen'). Never put a key in the store URL.",
            show_default=False,
        ),
    ] = None,
    key_store_file: Annotated[
        Path | None,
        typer.Option(
            "--key-store-file",
            envvar=KEY_STORE_FILE_ENV,
            metavar="FILE",
            dir_okay=False,
            help="A SQLite file keeping people's data keys apart from the events (created "
            "owner-only with a new store; back it up apart). Default: in the store.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Record and inspect mentoring programmes and relationships, with their full history."""
    ctx.obj = Settings(
        store_url=store,
        actor=actor,
        cipher_key_file=cipher_key_file,
        key_store_file=key_store_file,
    )


# Core field names whose command-line option is not simply --field-name.
_OPTION_FOR_FIELD = {
    "programme_id": "--id",  # a new programme's id in use (the others are arguments)
    "relationship_id": "--id",  # a new relationship's id in use
    "person_id": "--person",
    "mentor_id": "--mentor",
    "mentee_id": "--mentee",
    "display_name": "--name",
    "development_needs": "--need",
    "suggestion_override_reason": "--reason",
    "accepted_by": "--by",
    "declined_by": "--by",
    "missed_by": "--by",
    "cancelled_by": "--by",
    "expectations": "--expectation",
    "goal_id": "--goal",
    "about_goal_id": "--goal",
    "about_meeting_id": "--meeting",
    "duration_minutes": "--duration",
    "topics": "--topic",
    "attendees": "--attendee",
    "from_person": "--from",
    "to_person": "--to",
    "ratings": "--rating",
    "goal_progress": "--progress",
    "stakeholder_feedback": "--stakeholder",
    "correction": "--held-at/--duration/--format/--topic",
    "revision": "--title/--focus-area/--success-measure/--target-date",
    "relationship_ids": "--pair",
    "session_id": "--id",
    "in_working_hours": "--in-working-hours/--outside-working-hours",
    "period": "--from/--to",
    "period_start": "--from",
    "period_end": "--to",
    "schedule.cadence": "--cadence",
    "schedule.duration_minutes": "--duration",
    "schedule.format": "--format",
    "schedule.in_working_hours": "--outside-working-hours",
    "policy.cadence": "--cadence",
    "policy.minimum_meeting_minutes": "--minimum-meeting-minutes",
    "policy.participation": "--participation",
    "policy.minimum_experience_gap_years": "--minimum-experience-gap",
    "policy.review_interval_days": "--review-interval-days",
    "policy.max_mentees_per_mentor": "--max-mentees-per-mentor",
    "policy.max_active_mentors_per_mentee": "--max-mentors-per-mentee",
    "policy.retain_personal_data_years": "--retain-personal-data-years",
}


def option_for(field: str) -> str:
    """The command-line option a core field name (``ratings[1].score``) was given through;
    an event's field (``FeedbackGiven.text``: personal data about an erased person) is
    named by the field alone."""
    event, dot, rest = field.partition(".")
    if dot and event[:1].isupper():
        field = rest
    head = field.split("[", 1)[0]
    for key in (field, head, head.split(".", 1)[0]):
        if key in _OPTION_FOR_FIELD:
            option = _OPTION_FOR_FIELD[key]
            break
    else:
        option = "--" + head.split(".", 1)[0].replace("_", "-")
    if "[" in field:
        index = int(field.split("[", 1)[1].split("]", 1)[0])
        option += f" (item {index + 1})"
    if field.endswith(".until_age_days"):  # a policy tier's end: --cadence CADENCE,until=DAYS
        option += " until=DAYS"
    return option


_SETTING_OPTIONS: dict[str | None, str] = {
    "cipher_key_file": "--cipher-key-file",
    "key_store_file": "--key-store-file",
}
"""The option that gives each store setting a :class:`StoreConfigurationError` can name."""


def failure(error: BaseException) -> tuple[int, str] | None:
    """The exit status and one-line message for an error, or None if it is unexpected."""
    match error:
        case InvalidValue() if error.value is None or isinstance(
            error.value, domain_commands.Command
        ):  # a value not given (an allowance's --amount, a first tier's until=)
            return EXIT_USAGE, f"Missing {option_for(error.field)}: expected {error.expected}."
        case InvalidValue():
            return EXIT_USAGE, (
                f"Invalid value for '{option_for(error.field)}': {shown(error.value)}; "
                f"expected {error.expected}."
            )
        case StoreConfigurationError() if from_the_store(error.__cause__):
            return EXIT_REFUSED, f"the store failed: {error}"  # the server down, not the URL
        case StoreConfigurationError():
            option = _SETTING_OPTIONS.get(error.setting, "--store")
            return EXIT_USAGE, f"Invalid value for '{option}': {error}"
        case MentoringError() | Refused():  # RuleViolation, NotFound, ConcurrencyConflict...
            return EXIT_REFUSED, str(error)
        case typer.TyperException():
            message = error.format_message()
            command_path = getattr(getattr(error, "ctx", None), "command_path", None)
            if message.strip() and command_path:
                message += f" (see '{command_path} --help')"
            return error.exit_code, message
        case OverflowError():  # a number or a moment beyond what the store or Python holds
            return EXIT_USAGE, f"a value given is out of range: {error}"
        case UnicodeDecodeError():
            return EXIT_USAGE, f"a file given is not UTF-8 text: {error}"
        case _ if from_the_store(error):
            return EXIT_REFUSED, f"the store failed: {type(error).__name__}: {error}"
    return None


def _one_line(text: str) -> str:
    return text.replace("\r", " ").replace("\n", " ").strip()


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise Interrupted(signum)


@contextmanager
def _interruptible() -> Iterator[None]:
    """While inside, SIGINT and SIGTERM raise :class:`Interrupted` (one ignored by whoever
    started the process, as ``nohup`` or ``&`` do, stays ignored); SIGTERM's default
    would end the process at once, leaving partial files behind."""
    earlier = {number: signal.getsignal(number) for number in (signal.SIGINT, signal.SIGTERM)}
    try:
        for number, handler in earlier.items():
            if handler is not signal.SIG_IGN:
                signal.signal(number, _interrupt)
    except ValueError:  # not the main thread (an embedding program's): signals are its own
        earlier = {}
    try:
        yield
    finally:
        for number, handler in earlier.items():
            signal.signal(number, signal.SIG_DFL if handler is None else handler)


def _ended_by(stop: Interrupted) -> int:
    """Say why the command ended early, its clean-up done; its exit status: 1 for Ctrl-C.

    SIGTERM then ends the process by the signal itself, as it would have without the
    clean-up (a shell shows status 143): a service manager stopping ``serve`` or
    ``reminders`` sees the stop it asked for, not a failure."""
    if stop.signum == signal.SIGINT:
        sys.stderr.write("error: aborted\n")
        return EXIT_REFUSED
    sys.stderr.write("error: terminated\n")
    for stream in (sys.stdout, sys.stderr):
        with suppress(OSError, ValueError):  # a closed pipe, a closed stream
            stream.flush()
    signal.signal(stop.signum, signal.SIG_DFL)
    signal.raise_signal(stop.signum)
    return 128 + stop.signum  # the signal is blocked: the status a shell would show


def main(argv: Sequence[str] | None = None) -> None:
    """The console script: run one command and exit with its status."""
    command = typer.main.get_command(app)
    try:
        with _interruptible():
            status = command.main(
                args=list(sys.argv[1:] if argv is None else argv),
                prog_name="mentoring",
                standalone_mode=False,
            )
    except Interrupted as stop:
        sys.exit(_ended_by(stop))
    except typer.Abort:
        sys.stderr.write("error: aborted\n")
        sys.exit(EXIT_REFUSED)
    except Exception as error:
        if os.environ.get(DEBUG_ENV) == "1":
            raise
        known = failure(error)
        code, message = known or (
            EXIT_REFUSED,
            f"unexpected {type(error).__name__}: {error} (set {DEBUG_ENV}=1 for a traceback)",
        )
        if message.strip():
            sys.stderr.write(f"error: {_one_line(redact_urls(message))}\n")
        sys.exit(code)
    sys.exit(status if isinstance(status, int) else 0)


_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://[^\s'\"]+")


def redact_urls(message: str) -> str:
    """Hide the password of any store URL a message repeats."""
    return _URL.sub(lambda match: redact(match.group(0)), message)
