"""The ``mentoring`` command: the root options, the command groups, and how failures end.

Exit status: 0 done; 1 refused (a broken domain rule, an unknown programme or
relationship, a version conflict, a missing store); 2 bad usage (a bad value,
a missing option, an unknown name, a date in the future). A failure prints one
line on stderr, nothing on stdout, and records nothing.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterator, Mapping, MutableMapping, Sequence
from datetime import date, datetime
from enum import Enum
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from mentoring_core import (
    DEFAULT_STORE_URL,
    InvalidValue,
    MentoringError,
    StoreConfigurationError,
    redact,
)
from mentoring_core import commands as domain_commands

from ._session import (
    ACTOR_ENV,
    CIPHER_KEY_FILE_ENV,
    KEY_STORE_FILE_ENV,
    STORE_ENV,
    Refused,
    Settings,
)
from .commands import (
    audit,
    demo,
    due,
    history,
    match,
    meetings,
    mentor,
    privacy,
    progress,
    records,
    relationship,
    reminders,
    report,
    serve,
    token,
)
from .commands import programme as programme_commands

EXIT_REFUSED = 1
EXIT_USAGE = 2
DEBUG_ENV = "MENTORING_DEBUG"

GROUPS: dict[str, typer.Typer] = {
    "programme": programme_commands.app,
    "pair": relationship.pair_app,
    "match": match.app,
    "expectations": relationship.expectations_app,
    "goal": progress.goal_app,
    "plan": progress.plan_app,
    "milestone": progress.milestone_app,
    "schedule": meetings.schedule_app,
    "meeting": meetings.meeting_app,
    "mentor": mentor.app,
    "feedback": records.feedback_app,
    "reflection": records.reflection_app,
    "evaluation": records.evaluation_app,
    "audit": audit.app,
    "report": report.app,
    "privacy": privacy.app,
    "reminders": reminders.app,
    "token": token.app,
}
"""The command groups under the root, by name."""


class _Commands(MutableMapping[str, Any]):
    """The root's subcommands, each group built from its Typer app only when first used.

    Typer inspects the signature of every command of a group when it builds it;
    building only the group a run needs saves a good part of every run's start-up.
    """

    def __init__(self, built: Mapping[str, Any]) -> None:
        self._built = dict(built)

    def __getitem__(self, name: str) -> Any:
        if name not in self._built and name in GROUPS:
            command = typer.main.get_group(GROUPS[name])
            command.name = name
            self._built[name] = command
        return self._built[name]

    def __setitem__(self, name: str, command: Any) -> None:
        self._built[name] = command

    def __delitem__(self, name: str) -> None:
        del self._built[name]

    def __iter__(self) -> Iterator[str]:
        return iter(dict.fromkeys([*GROUPS, *self._built]))

    def __len__(self) -> int:
        return len({*GROUPS, *self._built})


class _RootGroup(TyperGroup):
    """The root command, whose groups are built lazily (see :class:`_Commands`)."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.commands = _Commands(self.commands)


app = typer.Typer(
    name="mentoring",
    cls=_RootGroup,
    help="Record and inspect mentoring programmes and relationships, with their full history.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def root(
    ctx: typer.Context,
    store: Annotated[
        str,
        typer.Option(
            "--store",
            envvar=STORE_ENV,
            metavar="URL",
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


app.command("history")(history.history)
app.command("due")(due.due)
app.command("demo")(demo.demo)
app.command("serve")(serve.serve)

# Core field names whose command-line option is not simply --field-name.
_OPTION_FOR_FIELD = {
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
    "relationship_ids": "--pair",
    "session_id": "--id",
    "in_working_hours": "--in-working-hours/--outside-working-hours",
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
    """The command-line option a core field name (``ratings[1].score``) was given through."""
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
    return option


def _shown(value: Any) -> str:
    match value:
        case str():
            text = repr(value)
        case datetime() | date():
            text = value.isoformat()
        case Enum():
            text = str(value.value)
        case _:
            text = str(value)
    return text if len(text) <= 80 else text[:77] + "..."


def failure(error: BaseException) -> tuple[int, str] | None:
    """The exit status and one-line message for an error, or None if it is unexpected."""
    match error:
        case InvalidValue() if isinstance(error.value, domain_commands.Command):
            return EXIT_USAGE, f"Missing {option_for(error.field)}: expected {error.expected}."
        case InvalidValue():
            return EXIT_USAGE, (
                f"Invalid value for '{option_for(error.field)}': {_shown(error.value)}; "
                f"expected {error.expected}."
            )
        case StoreConfigurationError():
            return EXIT_USAGE, f"Invalid value for '--store': {error}"
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
        case _ if type(error).__module__.split(".")[0] in _STORE_LIBRARIES:
            return EXIT_REFUSED, f"the store failed: {type(error).__name__}: {error}"
    return None


_STORE_LIBRARIES = frozenset({"eventsourcing", "psycopg", "psycopg_pool", "sqlite3"})


def _one_line(text: str) -> str:
    return text.replace("\r", " ").replace("\n", " ").strip()


def main(argv: Sequence[str] | None = None) -> None:
    """The console script: run one command and exit with its status."""
    command = typer.main.get_command(app)
    try:
        status = command.main(
            args=list(sys.argv[1:] if argv is None else argv),
            prog_name="mentoring",
            standalone_mode=False,
        )
    except typer.Abort:
        sys.stderr.write("error: aborted\n")
        sys.exit(EXIT_REFUSED)
    except Exception as error:
        if os.environ.get(DEBUG_ENV):
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
