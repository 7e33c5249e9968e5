"""What every command shares: the global options, the opened store, and the output.

A command parses its own options (Typer does, before anything is opened), then
opens the store with :func:`open_service`, calls one method of
:class:`~mentoring_core.MentoringService` and hands the result to :class:`Output`.
Failures are not caught here: they rise to :func:`mentoring_cli.app.main`, which
turns each into one line on stderr and an exit status.
"""

from __future__ import annotations

import getpass
import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit
from uuid import UUID, uuid4, uuid5

import typer

from mentoring_core import (
    DEFAULT_STORE_URL,
    Event,
    MentoringService,
    Recorded,
    StoreConfigurationError,
    event_to_dict,
    redact,
)
from mentoring_core.extend import kind_of
from mentoring_core.store import missing_store, store_environment

from ._files import Kept
from ._stores import COMPANIONS, StoreFileError, check_store_file, readable_copy, writable

if TYPE_CHECKING:  # Rich is imported only when something is shown to people
    from rich.console import Console

PIPED_WIDTH = 120
"""Width of text written to a file or a pipe (Rich's default, 80, folds the ids)."""
ACTOR_ENV = "MENTORING_ACTOR"
STORE_ENV = "MENTORING_STORE"
CIPHER_KEY_FILE_ENV = "MENTORING_CIPHER_KEY_FILE"
KEY_STORE_FILE_ENV = "MENTORING_KEY_STORE_FILE"


class Interrupted(BaseException):
    """SIGINT (Ctrl-C) or SIGTERM arrived while a command ran: raised where the command
    was, like KeyboardInterrupt, so that its clean-up runs (an output's temporary file is
    removed, a transaction rolled back) before the command ends."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


class Refused(Exception):
    """The command cannot be carried out for a reason other than a domain rule (exit 1)."""


CREATE_FIRST = "create a programme first, run 'mentoring demo', or pass --store"


class StoreMissing(Refused):
    """A command that reads or changes existing records was pointed at a store that is not there."""

    def __init__(self, url: str, where: str, then: str = CREATE_FIRST) -> None:
        super().__init__(f"no store at {where} ({redact(url)}): it does not exist; {then}")


def refuse_missing(url: str, then: str = CREATE_FIRST, option: str = "--store") -> None:
    """Refuse the store ``url`` (given as ``option``) names unless it is there (a SQLite
    file, a PostgreSQL schema: :func:`~mentoring_core.store.missing_store`), creating
    nothing, so that a mistyped ``--store`` leaves no empty store behind; ``then`` says
    what to do instead."""
    with url_settings(url, option):
        where = missing_store(url)
    if where is not None:
        raise StoreMissing(url, where, then)


@dataclass(frozen=True)
class Settings:
    """The global options, as the root command parsed them."""

    store_url: str = DEFAULT_STORE_URL
    actor: str | None = None
    cipher_key_file: Path | None = None
    """The key file of a store encrypted at rest (--cipher-key-file)."""
    key_store_file: Path | None = None
    """The SQLite file of people's data keys, apart from the events (--key-store-file)."""

    @property
    def recording_actor(self) -> str:
        """Who records: --actor, else $MENTORING_ACTOR (Typer reads it), else the OS user.

        An audit trail never names an unknown actor: if none can be found, the
        command is refused as a usage error.
        """
        if self.actor is not None:
            return self.actor
        try:
            return getpass.getuser()
        except (OSError, KeyError):
            raise typer.BadParameter(
                "no actor given and the OS user name is unknown; pass --actor NAME or set "
                f"{ACTOR_ENV}",
                param_hint="'--actor'",
            ) from None


def settings(ctx: typer.Context) -> Settings:
    """The settings the root callback stored (defaults when a command runs on its own)."""
    found = ctx.find_root().obj
    return found if isinstance(found, Settings) else Settings()


def sqlite_path(url: str) -> str | None:
    """The file a ``sqlite:///`` store URL names, or None for other stores, in-memory SQLite
    and a URL the library refuses (opening it raises the library's StoreConfigurationError,
    a bad --store, before any file is touched: a SQLite URI filename ``file:...`` is one)."""
    if urlsplit(url).scheme.lower() != "sqlite":
        return None
    try:
        path = store_environment(url)["SQLITE_DBNAME"]
    except StoreConfigurationError:
        return None
    return None if path.startswith("file::memory:") else path


def _with_companions(path: Path, what: str) -> list[Kept]:
    """A SQLite file and the files SQLite keeps beside it."""
    return [
        Kept(path, what),
        *(Kept(Path(f"{path}{suffix}"), f"the {suffix} file of {what}") for suffix in COMPANIONS),
    ]


def kept_files(ctx: typer.Context, *, cipher_key: bool = True) -> tuple[Kept, ...]:
    """The files the global options name, which no output of a command replaces: a SQLite
    store's file, the key store file (each with its ``-wal``, ``-shm`` and ``-journal``
    files), the store's lock files (``<store>-<name>.lock``: a reminder run's) and,
    unless ``cipher_key`` is false (``privacy cipher-keygen`` writes it, never over a
    file), the cipher key file."""
    found = settings(ctx)
    store = sqlite_path(found.store_url)
    kept = [] if store is None else _with_companions(Path(store), "the store")
    if store is not None:  # replaced, a lock's file would let a second holder in
        kept.append(Kept(Path(f"{store}-*.lock"), "a lock file of the store", any_of=True))
    if found.key_store_file is not None:
        kept += _with_companions(found.key_store_file, "the key store file (--key-store-file)")
    if cipher_key and found.cipher_key_file is not None:
        kept.append(Kept(found.cipher_key_file, "the cipher key file (--cipher-key-file)"))
    return tuple(kept)


@contextmanager
def open_service(
    ctx: typer.Context,
    *,
    url: str | None = None,
    create: bool = False,
    writes: bool = False,
    **options: Any,
) -> Iterator[MentoringService]:
    r"""The service on the store the global options name (or ``url``: the demo's own
    ``--store``), closed afterwards.

    Unless ``create`` is set, the store must exist already (a SQLite file, a
    PostgreSQL schema: :func:`refuse_missing`), so that a mistyped ``--store`` or a
    command run in the wrong directory does not leave an empty database file or schema
    behind. A SQLite file is checked first (see
    :mod:`mentoring_cli._stores`): another application's database is refused
    untouched; a store created here is owner-only; a store that cannot be written is
    read through a private copy, unless the command ``writes`` (or ``create``\s).
    ``options`` are more of :class:`MentoringService`'s: with ``trust_snapshots=False``
    (the audit commands) no snapshot is read, every state is folded from its events.
    """
    files = settings(ctx)
    url = files.store_url if url is None else url
    if not create:
        refuse_missing(url)
    path = sqlite_path(url)
    if path is None:
        with service_on(url, files, **options) as service:
            yield service
        return
    store = Path(path)
    if create and not store.parent.is_dir():
        raise Refused(f"the folder {store.parent} of the store {path} does not exist")
    try:
        if store.exists():
            check_store_file(store)
            if not writable(store):
                if writes or create:
                    raise Refused(
                        f"the store {path} is read-only (it or its folder cannot be written): "
                        "nothing can be recorded there; read and audit commands still work"
                    )
                with (
                    readable_copy(store) as copy_url,
                    service_on(copy_url, files, **options) as service,
                ):
                    yield service
                return
    except StoreFileError as error:
        raise Refused(str(error)) from None
    with service_on(url, files, **options) as service:
        yield service


def _absent_files(url: str, found: Settings) -> list[Path]:
    """The files a command creating the store ``url`` would create: of the SQLite store and
    the key store file, each whose database file is not there (nor a link of that name),
    those not there yet."""
    named = (sqlite_path(url), found.key_store_file)
    return [
        Path(f"{database}{suffix}")
        for database in named
        if database is not None and not os.path.lexists(database)
        for suffix in ("", *COMPANIONS)
        if not os.path.lexists(f"{database}{suffix}")
    ]


@contextmanager
def created_store(
    ctx: typer.Context, *, url: str | None = None, whole: bool = False, **options: Any
) -> Iterator[MentoringService]:
    """The service on the store to record into, created if it is not there (as
    :func:`open_service` with ``create``). Should the command fail or be interrupted, the
    files this created are removed once the store is closed: if the store and its keys
    are empty then or, when the command's records are ``whole`` or nothing (the demo),
    if the store's own file was one of them. A store that holds anything else (another
    process's records; an import cut off before its key rows) is kept, as is every file
    that was there."""
    found = settings(ctx)
    url = found.store_url if url is None else url
    created = _absent_files(url, found)
    store = sqlite_path(url)
    new_store = whole and store is not None and Path(store) in created
    remove = False
    try:
        with open_service(ctx, url=url, create=True, **options) as service:
            try:
                yield service
            except BaseException:
                remove = new_store or _holds_nothing(service)
                raise
    except BaseException:
        if remove:
            for path in created:
                path.unlink(missing_ok=True)
        raise


def _holds_nothing(service: MentoringService) -> bool:
    """Whether the store holds no event and no key row (False if that cannot be read)."""
    try:
        events = service.store.recorder.max_notification_id()
        return not events and not service.store.keys.store.rows()
    except Exception:  # whatever went wrong, the files are kept
        return False


@contextmanager
def service_on(url: str, files: Settings, **options: Any) -> Iterator[MentoringService]:
    """The service on ``url`` with the key files the global options name (and ``options``,
    more of :class:`MentoringService`'s), closed afterwards; a setting it refuses is a
    usage error naming its option: a key file's (``StoreConfigurationError.setting``,
    named by :func:`~mentoring_cli.app.failure`), else ``--store`` (a URL's setting)."""
    with url_settings(url):
        service = MentoringService(
            url,
            cipher_key_file=files.cipher_key_file,
            key_store_file=files.key_store_file,
            **options,
        )
    try:
        yield service
    finally:
        service.close()


_STORE_LIBRARIES = frozenset({"eventsourcing", "psycopg", "psycopg_pool", "sqlite3"})


def from_the_store(error: BaseException | None) -> bool:
    """Whether ``error`` is the store's own (its server or file failing: exit 1), raised
    by a library that reaches it."""
    return error is not None and type(error).__module__.split(".")[0] in _STORE_LIBRARIES


@contextmanager
def url_settings(url: str, option: str = "--store") -> Iterator[None]:
    """A setting of ``url`` that eventsourcing or psycopg refuse while the block reads it
    (``?pool_size=abc``, port 99999: a plain OSError or ValueError, never a subclass) is a
    usage error naming ``option``."""
    try:
        yield
    except (OSError, ValueError) as error:
        if type(error) not in (OSError, ValueError):  # a subclass: not a setting of the URL
            raise
        raise typer.BadParameter(f"{redact(url)}: {error}", param_hint=f"'{option}'") from None


def event_document(event: Event) -> dict[str, Any]:
    """An event as JSON: its type name, then every field (mentoring_core.event_to_dict)."""
    return {"type": type(event).__name__, **event_to_dict(event)}


def recorded_document(recorded: Recorded, command_id: UUID | None = None) -> dict[str, Any]:
    return {
        "id": str(recorded.id),
        "aggregate_id": str(recorded.aggregate_id),
        "version": recorded.version,
        **({} if command_id is None else {"command_id": str(command_id)}),
        "already_recorded": recorded.already_recorded,
        "events": [event_document(e) for e in recorded.events],
    }


def new_id(command_id: UUID, thing: str) -> UUID:
    """The id of the ``thing`` a command creates when ``--id`` is not given.

    Derived from the command id (a name-based UUID), so that running the command again
    with the same ``--command-id`` names the same new programme, relationship, goal...
    and is found already recorded, instead of creating a second one.
    """
    return uuid5(command_id, thing)


class Output:
    """Where a command's result goes: one JSON document, or Rich text for people."""

    def __init__(self, json_output: bool) -> None:
        self.json = json_output
        self._console: Console | None = None

    @property
    def console(self) -> Console:
        """The Rich console on stdout (Rich is not even imported for --json)."""
        if self._console is None:
            from rich.console import Console

            console = Console(highlight=False)
            if not console.is_terminal and "COLUMNS" not in os.environ:
                console = Console(highlight=False, width=PIPED_WIDTH)
            self._console = console
        return self._console

    def document(self, doc: object) -> None:
        """Write ``doc`` as the one JSON document on stdout."""
        sys.stdout.write(json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
        sys.stdout.flush()

    def emit(self, doc: Callable[[], object], show: Callable[[Console], None]) -> None:
        """Write the JSON document with --json, else let ``show`` print for people."""
        if self.json:
            self.document(doc())
        else:
            show(self.console)

    def recorded(
        self, recorded: Recorded, created: str | None = None, command_id: UUID | None = None
    ) -> None:
        """Report what a recording command stored (or found already recorded)."""

        def show(console: Console) -> None:
            already = recorded.already_recorded
            each = "; ".join(_stored(*stored, already) for stored in _by_aggregate(recorded))
            line = (
                f"Already recorded: {each}; nothing new was stored."
                if already
                else f"Recorded {each}."
            )
            console.print(line, markup=False, soft_wrap=True)  # one line: the ids whole
            if created is not None and _holds(recorded):
                console.print(f"{created} id: {recorded.id}", markup=False)
            if command_id is not None:
                console.print(f"command id: {command_id}", markup=False)

        self.emit(lambda: recorded_document(recorded, command_id), show)

    @property
    def interactive(self) -> bool:
        """True when people watch a terminal: progress bars may be drawn."""
        return not self.json and self.console.is_terminal and os.environ.get("TERM") != "dumb"


def _holds(recorded: Recorded) -> bool:
    """Whether the events answered hold ``recorded.id`` (the aggregate's, or a field's):
    an id is printed as created only if the store holds it."""
    wanted = str(recorded.id)
    return wanted == str(recorded.aggregate_id) or any(
        wanted == str(value) for e in recorded.events for value in event_to_dict(e).values()
    )


def _by_aggregate(recorded: Recorded) -> list[tuple[str, str, UUID, int]]:
    """Each aggregate ``recorded`` stored events of (one, or each relationship of a group
    session), first the command's own: the events' type names, its kind, its id and its
    version after them."""
    found: dict[UUID, tuple[list[str], str, int]] = {}
    for event in recorded.events:
        names, kind, _ = found.get(event.aggregate_id, ([], kind_of(event).name, 0))
        found[event.aggregate_id] = ([*names, type(event).__name__], kind, event.version)
    if recorded.aggregate_id in found:  # the command's aggregate first, at its version
        names, kind, _ = found.pop(recorded.aggregate_id)
        found = {recorded.aggregate_id: (names, kind, recorded.version), **found}
    return [(", ".join(n), kind, aggregate, v) for aggregate, (n, kind, v) in found.items()]


def _stored(kinds: str, kind: str, aggregate: UUID, version: int, already: bool) -> str:
    """What one aggregate holds of a command: as stored now, or found stored before."""
    if already:
        return (
            f"{kinds} of this command id are in the history of {kind} {aggregate} "
            f"(version {version})"
        )
    return f"{kinds}: {kind} {aggregate} is now at version {version}"


def record(
    ctx: typer.Context,
    json_output: bool,
    command_id: UUID | None,
    action: Callable[[MentoringService, str, UUID], Recorded],
    *,
    created: str | None = None,
    create: bool = False,
) -> None:
    """Run one recording command: open the store, call ``action(service, actor, command_id)``
    and report, with the command id (``--command-id``, else a fresh one) that was used."""
    out = Output(json_output)
    actor = settings(ctx).recording_actor
    command = uuid4() if command_id is None else command_id
    with open_service(ctx, create=create, writes=True) as service:
        recorded = action(service, actor, command)
    used = getattr(recorded, "command_id", None)  # the service's own, once it returns one
    out.recorded(recorded, created, used if isinstance(used, UUID) else command)
