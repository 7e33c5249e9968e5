"""``mentoring audit``: an auditor's tools on a store.

Timelines, states as of a version or a moment, and what changed between two points;
a whole-store replay; digests (optionally signed) and verification of the hash chain
against them; export to CloudEvents JSON Lines and import into an empty store; and a
key pair for signing digests. See ``docs/audit.md``.

``verify`` and ``replay`` report a negative finding with exit status 1 and one
``error:`` line on stderr; with ``--json`` their document is still printed on stdout,
with ``"ok": false``, so that a script gets the details.
"""

from __future__ import annotations

import json
import sys
import tempfile
from collections.abc import Mapping, Sequence
from datetime import datetime
from itertools import takewhile
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any
from uuid import UUID

import attrs
import typer

from mentoring_core import Event, MentoringService, TimeAxis
from mentoring_core.audit import (
    AUTO_EVENTS_PER_WORKER,
    MAX_AUTO_WORKERS,
    MAX_REPLAY_WORKERS,
    Digest,
    DigestError,
    ReplayProgress,
    ReplayReport,
    State,
    Verification,
    check_signature,
    diff,
    dump_digest,
    generate_key_pair,
    happened_by,
    load_digest,
    replay,
    sign,
    state_at,
    timeline,
)
from mentoring_core.extend import CONVERTER, check_not_future
from mentoring_core.state import ProgrammeState, RelationshipState

from .._files import (
    STDOUT,
    Kept,
    check_source,
    check_target,
    create_files,
    output_stream,
    write_output,
)
from .._options import JsonOpt, id_argument, id_option, number_option, refuse_alone
from .._parsing import MOMENT_FORMS, WholeNumber, enum_parser, parse_moment
from .._render import add_texts, print_whole, programme_view, relationship_view, when
from .._session import (
    Output,
    Refused,
    created_store,
    kept_files,
    open_service,
    settings,
    sqlite_path,
)

if TYPE_CHECKING:
    from rich.console import Console

    from mentoring_core.audit import ImportSummary
    from mentoring_core.audit.derived import DerivedCheck

app = typer.Typer(no_args_is_help=True)

AggregateArg = Annotated[
    UUID, id_argument("RELATIONSHIP_ID", "The relationship's id (a programme's id works too).")
]
AxisOpt = Annotated[
    TimeAxis,
    typer.Option(
        "--axis",
        parser=enum_parser(TimeAxis),
        metavar="NAME",
        help="For moments: 'recorded' (what the records showed then; the default) or "
        "'occurred' (what had happened by then, including facts recorded later).",
    ),
]


def _workers(text: str) -> int | str:
    """``auto``, or a number of processes (its range is the core's rule)."""
    if text.strip().lower() == "auto":
        return "auto"
    try:
        return int(text)
    except ValueError:
        raise typer.BadParameter(
            f"{text!r}; expected a whole number from 1 to {MAX_REPLAY_WORKERS}, or auto"
        ) from None


WorkersOpt = Annotated[
    Any,
    typer.Option(
        "--workers",
        parser=_workers,
        metavar="N|auto",
        help=f"Rebuild the aggregates in N processes (1 to {MAX_REPLAY_WORKERS}): the same "
        "report, sooner on a machine with N cores. 'auto' (the default): one for each "
        f"{AUTO_EVENTS_PER_WORKER:,} events of the log, up to the cores this process may "
        f"use and {MAX_AUTO_WORKERS}; none below {2 * AUTO_EVENTS_PER_WORKER:,} events, "
        "where the replay stays in this process (as it does for a store in memory).",
    ),
]
KEY_WARNING = (
    "Keep the private key away from the store it protects (not in the database, not beside "
    "its file, not in its backups): whoever holds it can sign a digest of a rewritten history."
)


@attrs.frozen
class Point:
    """A point in a history: a version, or a moment on the chosen time axis."""

    at: int | datetime


def parse_point(text: str) -> Point:
    """A version number (``12``) or a moment (``2026-03-04``, ``2026-03-04T10:00Z``); a
    date and time refused as a moment (no offset, out of range) is refused for that."""
    stripped = text.strip()
    if stripped.isdigit():
        return Point(int(stripped))
    try:
        return Point(parse_moment(stripped))
    except typer.BadParameter:
        if _reads_as_a_moment(stripped):
            raise  # parse_moment's own reason: no time zone, or out of range
        raise typer.BadParameter(
            f"{text!r} is neither a version number nor a moment; expected a version such as "
            f"12, or {MOMENT_FORMS}"
        ) from None


def _reads_as_a_moment(text: str) -> bool:
    """Whether ``text`` is ISO 8601 date-and-time text (with or without an offset)."""
    try:
        datetime.fromisoformat(text)
    except ValueError:
        return False
    return True


def _read_text(path: Path, option: str) -> str:
    """A small text file given on the command line, or a usage error naming it."""
    check_source(path, option)
    try:
        return path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as error:
        raise typer.BadParameter(
            f"{path} is not UTF-8 text (byte {error.start}), so not a digest file",
            param_hint=f"'{option}'",
        ) from None
    except OSError as error:
        raise typer.BadParameter(
            f"cannot read {path}: {error.strerror or error}", param_hint=f"'{option}'"
        ) from None


def escape(text: str) -> str:
    """``text`` shown as it is: square brackets in recorded data are not Rich markup."""
    from rich.markup import escape as rich_escape

    return rich_escape(text)


def _state(events: Sequence[Event], point: Point, axis: TimeAxis) -> State:
    at = point.at
    if isinstance(at, int):
        return state_at(events, version=at)
    if axis is TimeAxis.RECORDED:
        return state_at(events, recorded_by=at)
    return state_at(events, occurred_by=at)


def _applied(events: Sequence[Event], point: Point, axis: TimeAxis) -> int:
    """How many of the events the state at ``point`` folds in."""
    at = point.at
    if isinstance(at, int):
        return sum(1 for e in events if e.version <= at)
    if axis is TimeAxis.RECORDED:  # as state_at: the events up to the first recorded later
        return sum(1 for _ in takewhile(lambda e: e.recorded_at <= at, events))
    return len(happened_by(events, at))


def _label(point: Point, axis: TimeAxis) -> str:
    at = point.at
    if isinstance(at, int):
        return f"as of version {at}"
    if axis is TimeAxis.RECORDED:
        return f"as the records stood at {at.isoformat()} (axis: recorded)"
    return f"as things had happened by {at.isoformat()} (axis: occurred)"


def _point_document(point: Point, axis: TimeAxis) -> dict[str, Any]:
    at = point.at
    if isinstance(at, int):
        return {"version": at}
    return {"at": at.isoformat(), "axis": axis.value}


def _history(
    ctx: typer.Context, aggregate_id: UUID, points: Mapping[str, Point]
) -> tuple[Event, ...]:
    """The aggregate's events, once each of ``points`` (by its option's name) is checked:
    a moment not after now (what is recorded until then would change the state at it),
    a version one of the aggregate's."""
    with open_service(ctx, trust_snapshots=False) as service:
        for option, point in points.items():
            if not isinstance(point.at, int):
                check_not_future(option, point.at, service.now())
        events = service.history(aggregate_id)
    last = events[-1].version
    for point in points.values():
        at = point.at
        if isinstance(at, int) and not 0 <= at <= last:
            raise Refused(f"{aggregate_id} has versions 0 to {last}; there is no version {at}")
    return events


def _kind(state: State) -> str:
    return "programme" if isinstance(state, ProgrammeState) else "relationship"


def _view(state: State) -> Any:
    if isinstance(state, RelationshipState):
        return relationship_view(state)
    return programme_view(state)


# --- reading histories ---------------------------------------------------------------


@app.command("timeline")
def timeline_command(
    ctx: typer.Context, aggregate_id: AggregateArg, json_output: JsonOpt = False
) -> None:
    """Tell a history in domain words: when each fact occurred, when it was recorded, by whom."""
    out = Output(json_output)
    with open_service(ctx, trust_snapshots=False) as service:
        entries = timeline(service.history(aggregate_id))

    def show(console: Console) -> None:
        from rich.table import Table

        table = Table(title=f"Timeline of {aggregate_id}", title_justify="left")
        table.add_column("v", justify="right")
        for column in ("occurred", "recorded", "actor"):
            table.add_column(column, no_wrap=True)
        table.add_column("what happened", overflow="fold")
        for e in entries:
            add_texts(
                table,
                str(e.version),
                when(e.occurred_at),
                when(e.recorded_at),
                e.actor,
                e.description,
            )
        print_whole(console, table)

    out.emit(
        lambda: {
            "aggregate_id": str(aggregate_id),
            "entries": [
                {
                    "version": e.version,
                    "type": e.event_type,
                    "occurred_at": e.occurred_at.isoformat(),
                    "recorded_at": e.recorded_at.isoformat(),
                    "actor": e.actor,
                    "description": e.description,
                }
                for e in entries
            ],
        },
        show,
    )


@app.command("state-at")
def state_at_command(
    ctx: typer.Context,
    aggregate_id: AggregateArg,
    at: Annotated[
        datetime | None,
        typer.Option(
            "--at",
            parser=parse_moment,
            metavar="WHEN",
            help=f"The moment ({MOMENT_FORMS}); see --axis.",
        ),
    ] = None,
    axis: AxisOpt = TimeAxis.RECORDED,
    version: Annotated[
        int | None,
        number_option("--version", WholeNumber(0), "N", "The state after its first N events."),
    ] = None,
    json_output: JsonOpt = False,
) -> None:
    """The full state as it stood at a moment (--at, on the --axis) or a version (--version)."""
    if at is not None and version is None:
        point = Point(at)
    elif version is not None and at is None:
        point = Point(version)
    else:
        raise typer.BadParameter("give exactly one of --at WHEN and --version N")
    refuse_alone(ctx, "--axis", "--at", with_it=at is not None)
    out = Output(json_output)
    events = _history(ctx, aggregate_id, {"at": point})
    state = _state(events, point, axis)
    applied = _applied(events, point, axis)
    label = _label(point, axis)

    def show(console: Console) -> None:
        console.print(f"[bold]{_kind(state).capitalize()} {aggregate_id} {label}")
        if applied == 0:
            console.print("No events by then: it did not exist yet.")
        else:
            console.print(f"{applied} of its {len(events)} events applied.")
            print_whole(console, _view(state))

    out.emit(
        lambda: {
            "aggregate_id": str(aggregate_id),
            "kind": _kind(state),
            "as_of": _point_document(point, axis),
            "events_applied": applied,
            "state": CONVERTER.unstructure(state),
        },
        show,
    )


def _shown(value: Any) -> str:
    if value is None:
        return "-"
    if value == []:
        return "(none)"
    return str(value)


@app.command("diff")
def diff_command(
    ctx: typer.Context,
    aggregate_id: AggregateArg,
    from_: Annotated[
        Point,
        typer.Option(
            "--from",
            parser=parse_point,
            metavar="POINT",
            help=f"A version number, or a moment ({MOMENT_FORMS}) on the --axis.",
        ),
    ],
    to: Annotated[
        Point,
        typer.Option("--to", parser=parse_point, metavar="POINT", help="As --from."),
    ],
    axis: AxisOpt = TimeAxis.RECORDED,
    json_output: JsonOpt = False,
) -> None:
    """What changed in the state between two points (versions or moments)."""
    moment = isinstance(from_.at, datetime) or isinstance(to.at, datetime)
    refuse_alone(ctx, "--axis", "a moment in --from or --to", with_it=moment)
    out = Output(json_output)
    events = _history(ctx, aggregate_id, {"from": from_, "to": to})
    before, after = _state(events, from_, axis), _state(events, to, axis)
    changes = diff(before, after)
    counts = (_applied(events, from_, axis), _applied(events, to, axis))

    def show(console: Console) -> None:
        from rich.table import Table

        console.print(f"[bold]Changes to {aggregate_id}")
        console.print(f"from {_label(from_, axis)}: {counts[0]} events")
        console.print(f"to   {_label(to, axis)}: {counts[1]} events")
        if not changes:
            console.print("No change.")
            return
        table = Table()
        for column in ("field", "before", "after"):
            table.add_column(column, overflow="fold")
        for change in changes:
            add_texts(table, change.path, _shown(change.before), _shown(change.after))
        print_whole(console, table)

    out.emit(
        lambda: {
            "aggregate_id": str(aggregate_id),
            "from": {**_point_document(from_, axis), "events_applied": counts[0]},
            "to": {**_point_document(to, axis), "events_applied": counts[1]},
            "changes": [{"path": c.path, "before": c.before, "after": c.after} for c in changes],
        },
        show,
    )


# --- the whole store ------------------------------------------------------------------


def _replay_document(report: ReplayReport) -> dict[str, Any]:
    return {
        "ok": report.ok,
        "events": report.events,
        "events_by_type": dict(report.by_type),
        "aggregates": dict(report.aggregates),
        "rebuilt": report.rebuilt,
        "decode_failures": {
            "count": report.decode_failure_count,
            "first": [
                {
                    "notification_id": f.notification_id,
                    "aggregate_id": str(f.aggregate_id),
                    "version": f.version,
                    "type": f.topic,
                    "reason": f.reason,
                }
                for f in report.decode_failures
            ],
        },
        "version_gaps": {
            "count": report.gap_count,
            "first": [
                {
                    "notification_id": g.notification_id,
                    "aggregate_id": str(g.aggregate_id),
                    "expected": g.expected,
                    "found": g.found,
                }
                for g in report.gaps
            ],
        },
        "rebuild_failures": {
            "count": report.rebuild_failure_count,
            "first": [
                {"aggregate_id": str(f.aggregate_id), "reason": f.reason}
                for f in report.rebuild_failures
            ],
        },
    }


def _show_replay(console: Console, report: ReplayReport) -> None:
    from rich.table import Table

    kinds = ", ".join(f"{n} {kind}{'' if n == 1 else 's'}" for kind, n in report.aggregates.items())
    console.print(
        f"Replayed {report.events} events of {sum(report.aggregates.values())} aggregates"
        + (f" ({kinds})" if kinds else "")
        + f"; {report.rebuilt} rebuilt from their first event."
    )
    table = Table(title="Events by type", title_justify="left")
    table.add_column("type")
    table.add_column("events", justify="right")
    for name, count in report.by_type.items():
        table.add_row(escape(name), str(count))
    console.print(table)
    for f in report.decode_failures:
        console.print(
            f"cannot decode: {f.topic} of {f.aggregate_id} version {f.version} "
            f"(notification {f.notification_id}): {f.reason}",
            markup=False,
        )
    for g in report.gaps:
        found = g.found if type(g.found) is int else repr(g.found)  # as stored, around us
        console.print(
            f"version gap: {g.aggregate_id} has version {found} where {g.expected} was "
            f"expected (notification {g.notification_id})",
            markup=False,
        )
    for r in report.rebuild_failures:
        console.print(f"not rebuilt: {r.aggregate_id}: {r.reason}", markup=False)


@app.command("replay")
def replay_command(
    ctx: typer.Context, workers: WorkersOpt = "auto", json_output: JsonOpt = False
) -> None:
    """Read every event of the store in order, rebuild every aggregate, and count them.

    Reports events by type, aggregates by kind, and every event that cannot be decoded
    or breaks its history's version order (exit 1 if any). Memory stays constant
    however long the log.
    """
    out = Output(json_output)
    with open_service(ctx, trust_snapshots=False) as service:
        if out.interactive:
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

            with Progress(
                TextColumn("[bold]{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                console=out.console,
                transient=True,
            ) as bar:
                task = bar.add_task("Reading events", total=None)

                def advance(step: ReplayProgress) -> None:
                    description = "Reading events" if step.phase == "reading" else "Rebuilding"
                    bar.update(task, description=description, completed=step.done, total=step.total)

                report = replay(service, progress=advance, workers=workers)
        else:
            report = replay(service, workers=workers)
    out.emit(lambda: _replay_document(report), lambda console: _show_replay(console, report))
    if not report.ok:
        raise Refused(
            f"the replay found {report.decode_failure_count} events that cannot be decoded, "
            f"{report.gap_count} version gaps and {report.rebuild_failure_count} aggregates "
            "that could not be rebuilt"
        )


def _digest_document(digest: Digest | None) -> dict[str, Any] | None:
    if digest is None:
        return None
    return {"sequence": digest.sequence, "hash": digest.hash, "recorded_at": digest.recorded_at}


@app.command("digest")
def digest_command(
    ctx: typer.Context,
    sign_key: Annotated[
        Path | None,
        typer.Option(
            "--sign-key",
            metavar="PEM",
            exists=True,
            dir_okay=False,
            help="Sign the digest with this Ed25519 private key (see 'audit keygen'). Keep the "
            "key away from the store.",
        ),
    ] = None,
    out_file: Annotated[
        Path | None,
        typer.Option("--out", metavar="FILE", dir_okay=False, help="Write it here (-: print)."),
    ] = None,
    json_output: JsonOpt = False,
) -> None:
    """Print (or write) a digest of the whole history: the last record's position and hash.

    Keep it outside the store; 'audit verify --against' later proves that the history
    up to it is unchanged. The store is verified first: a store that does not verify
    gets no digest.
    """
    out = Output(json_output)
    if out_file == STDOUT:
        out_file = None
    keep = _digest_files(ctx, sign_key, out_file)
    with open_service(ctx, trust_snapshots=False) as service:
        verification = service.verify()
    if not verification.ok:
        raise Refused(f"the store does not verify, so no digest is given: {verification.finding}")
    digest = verification.digest
    if digest is None:
        raise Refused("the store holds no records: there is nothing to digest yet")
    try:
        signature = None if sign_key is None else sign(digest, sign_key.read_bytes())
    except DigestError as error:  # sign() refuses only the key
        raise typer.BadParameter(f"{sign_key}: {error}", param_hint="'--sign-key'") from None
    text = dump_digest(digest, signature)
    if out_file is not None:
        write_output(out_file, text + "\n", keep=keep)

    def show(console: Console) -> None:
        if out_file is None:
            console.out(text, highlight=False)
            return
        signed = "signed" if signature is not None else "not signed"
        console.print(
            f"Digest of records 1 to {digest.sequence} ({signed}) written to {out_file}: "
            f"hash {digest.hash}, last recorded {digest.recorded_at}.",
            markup=False,
        )

    out.emit(lambda: json.loads(text), show)


def _digest_files(
    ctx: typer.Context, sign_key: Path | None, out_file: Path | None
) -> tuple[Kept, ...]:
    """Check the digest's key and output before anything is done; the files its output
    never replaces (the store's, and the key that signs it)."""
    keep = kept_files(ctx)
    if sign_key is not None:
        check_source(sign_key, "--sign-key")
        keep += (Kept(sign_key, "the private key of --sign-key"),)
    if out_file is not None:
        check_target(out_file, "--out", keep=keep)
    return keep


def _derived(service: MentoringService) -> DerivedCheck | str:
    """The derived data checked against the events; why not, for a store encrypted at rest
    opened without its key (its chain is verified from the stored bytes alone)."""
    from mentoring_core.audit.derived import check_derived  # only verify checks it

    locked = service.store.locked
    return check_derived(service) if locked is None else f"derived data NOT checked: {locked}"


def _derived_document(derived: DerivedCheck | str | None) -> dict[str, Any] | str | None:
    if derived is None or isinstance(derived, str):
        return derived
    return {
        "ok": derived.ok,
        "aggregates": derived.aggregates,
        "snapshots": derived.snapshots,
        "snapshots_passed_over": derived.passed_over,
        "rows": derived.rows,
        "difference_count": derived.difference_count,
        "differences": [
            {
                "what": d.what,
                "aggregate_id": str(d.aggregate_id),
                "version": d.version,
                "detail": d.detail,
            }
            for d in derived.differences
        ],
    }


def _verification_document(
    verification: Verification, signature: str, derived: DerivedCheck | str | None
) -> dict[str, Any]:
    finding = verification.finding
    return {
        "ok": verification.ok and (derived is None or isinstance(derived, str) or derived.ok),
        "records": verification.records,
        "digest": _digest_document(verification.digest),
        "against": _digest_document(verification.against),
        "signature": signature,
        "finding": None
        if finding is None
        else {
            "breach": finding.breach.value,
            "sequence": finding.sequence,
            "notification_id": finding.notification_id,
            "aggregate_id": None if finding.aggregate_id is None else str(finding.aggregate_id),
            "version": finding.version,
            "detail": finding.detail,
        },
        "derived": _derived_document(derived),
    }


SIGNATURE_NOTES = {
    "checked": "The digest's signature was checked with the public key.",
    "not checked": "The digest is signed, but its signature was NOT checked: pass "
    "--public-key PEM to check it.",
    "unsigned": "The digest is not signed.",
    "none": "",
}


_AgainstOpt = Annotated[
    Path | None,
    typer.Option(
        "--against",
        metavar="DIGEST_FILE",
        exists=True,
        dir_okay=False,
        help="A digest taken earlier (see 'audit digest'): prove the history up to it is "
        "unchanged and everything after it extends it.",
    ),
]
_PublicKeyOpt = Annotated[
    Path | None,
    typer.Option(
        "--public-key",
        metavar="PEM",
        exists=True,
        dir_okay=False,
        help="Check the digest's signature with this Ed25519 public key.",
    ),
]


def _digest_to_check(against: Path | None, public_key: Path | None) -> tuple[Digest | None, str]:
    """The digest to verify against, if any, and its signature's state (a SIGNATURE_NOTES key).

    A signature is checked when a public key is given; a bad one refuses the digest.
    """
    if against is None:
        return None, "none"
    try:
        digest, signature = load_digest(_read_text(against, "--against"))
    except DigestError as error:
        raise typer.BadParameter(f"{against}: {error}", param_hint="'--against'") from None
    if signature is None:
        if public_key is not None:
            raise Refused(f"the digest {against} is not signed, so it cannot be checked")
        return digest, "unsigned"
    if public_key is None:
        return digest, "not checked"
    check_source(public_key, "--public-key")
    try:
        check_signature(digest, signature, public_key.read_bytes())
    except DigestError as error:
        if "does not match" in str(error):  # a finding, not a bad key file
            raise
        raise typer.BadParameter(f"{public_key}: {error}", param_hint="'--public-key'") from None
    return digest, "checked"


def _show_verification(
    console: Console,
    verification: Verification,
    digest: Digest | None,
    signature_state: str,
    derived: DerivedCheck | str,
) -> None:
    last = verification.digest
    if last is None:
        console.print("The store holds no records.")
    else:
        console.print(
            f"Verified: the chain of {verification.records} records is intact; the last, "
            f"record {last.sequence}, has hash {last.hash} (recorded {last.recorded_at})."
        )
    if digest is not None:
        console.print(
            f"The history up to the digest's record {digest.sequence} is unchanged; "
            f"{verification.records - digest.sequence} records were added since."
        )
    if SIGNATURE_NOTES[signature_state]:
        console.print(SIGNATURE_NOTES[signature_state])
    if isinstance(derived, str):
        console.print(derived[0].upper() + derived[1:], markup=False)
        return
    passed_over = (
        f" ({derived.passed_over} of an older schema passed over)" if derived.passed_over else ""
    )
    console.print(
        f"Derived data checked: {derived.aggregates} aggregates rebuilt from their events; "
        f"{derived.snapshots} snapshots{passed_over} and {derived.rows} read-model rows agree "
        "with them."
    )


@app.command("verify")
def verify_command(
    ctx: typer.Context,
    against: _AgainstOpt = None,
    public_key: _PublicKeyOpt = None,
    json_output: JsonOpt = False,
) -> None:
    """Re-read the whole store, check its hash chain and what is derived from it; exit 1
    naming the first breach or difference.

    Detects a record changed, deleted, inserted around the library, reordered, and
    (against a digest) the end cut off or the whole history rewritten. Then rebuilds
    every aggregate from its events and compares each snapshot and read-model row.
    """
    if public_key is not None and against is None:
        raise typer.BadParameter("--public-key checks a digest's signature: give --against too")
    digest, signature_state = _digest_to_check(against, public_key)
    out = Output(json_output)
    with open_service(ctx, trust_snapshots=False) as service:
        verification = service.verify(against=digest)
        derived = _derived(service) if verification.ok else None
    if isinstance(derived, str) or (derived is not None and derived.ok):
        out.emit(
            lambda: _verification_document(verification, signature_state, derived),
            lambda console: _show_verification(
                console, verification, digest, signature_state, derived
            ),
        )
        return
    if out.json:
        out.document(_verification_document(verification, signature_state, derived))
    if derived is None:
        raise Refused(f"the store does not verify: {verification.finding}")
    raise Refused(
        f"the store's derived data does not match its events ({derived.difference_count} "
        f"differences); first: {derived.differences[0]}"
    )


# --- export, import, keys --------------------------------------------------------------


@app.command("export")
def export_command(
    ctx: typer.Context,
    out_file: Annotated[
        Path,
        typer.Option(
            "--out",
            metavar="FILE",
            dir_okay=False,
            help="The JSON Lines file to write (replaced if it exists); - for stdout (then "
            "nothing else is printed there).",
        ),
    ],
    relationship: Annotated[
        UUID | None,
        id_option(
            "--relationship",
            "RELATIONSHIP_ID",
            "Export only this relationship's history (a programme's id works too).",
        ),
    ] = None,
    json_output: JsonOpt = False,
) -> None:
    """Write the history as CloudEvents 1.0 JSON Lines, one event per line, in chain order.

    Each line carries the event's stored data and its chain link (chainsequence,
    chainhash, chainrecordedat), so an import rebuilds the very same chain.
    """
    from mentoring_core.audit import export_events  # here: the other commands need none

    out = Output(json_output)
    if out_file == STDOUT:
        with open_service(ctx, trust_snapshots=False) as service:
            export_events(service, sys.stdout, aggregate_id=relationship)
        return
    keep = kept_files(ctx)
    check_target(out_file, "--out", keep=keep)
    with (
        open_service(ctx, trust_snapshots=False) as service,
        output_stream(out_file, keep=keep) as stream,
    ):
        summary = export_events(service, stream, aggregate_id=relationship)
    what = "the whole store" if relationship is None else f"{relationship}"

    def show(console: Console) -> None:
        console.print(f"Exported {summary.records} events of {what} to {out_file}.", markup=False)
        if summary.last is not None:
            console.print(
                f"The last is chain record {summary.last.sequence}, hash {summary.last.hash}."
            )

    out.emit(
        lambda: {
            "out": str(out_file),
            "records": summary.records,
            "aggregate_id": None if relationship is None else str(relationship),
            "last": _digest_document(summary.last),
        },
        show,
    )


def _import_document(summary: ImportSummary) -> dict[str, Any]:
    return {
        "records": summary.records,
        "batches": summary.batches,
        "complete": summary.complete,
        "sealed": summary.sealed,
        "hashes_match": summary.hashes_match,
        "first_mismatch": summary.first_mismatch,
        "digest": _digest_document(summary.digest),
        "finished_earlier_import": summary.finished_earlier_import,
    }


def _import_report(summary: ImportSummary) -> list[str]:
    """What an import tells people: what it stored, and what the file proved."""
    transactions = "transaction" if summary.batches == 1 else "transactions"
    report = [
        f"The file's {summary.records} events were already in the store, from an import of "
        "it cut off before its key rows: the missing key rows were written, and nothing else."
        if summary.finished_earlier_import
        else f"Imported {summary.records} events in {summary.batches} {transactions}.",
        "The export's trailer matches: no line is missing, added or moved."
        if summary.sealed
        else "The file has no export trailer (an export from before trailers): a line "
        "missing at its end could not be detected.",
    ]
    if summary.hashes_match:
        report.append("Every chain hash equals the export's.")
    elif summary.complete:
        report.append(
            f"Chain hashes differ from the export's from record {summary.first_mismatch}."
        )
    else:
        report.append(
            "A partial export starts a new chain: its hashes differ from the source store's, "
            "as expected. Its trailer guards against damage, not against an edit by someone "
            "who recomputes it: for that, export the whole store and verify the copy against "
            "a signed digest (docs/audit.md)."
        )
    if summary.digest is not None:
        digest = summary.digest
        report.append(f"The store's last record is {digest.sequence}, hash {digest.hash}.")
    return report


@app.command("import")
def import_command(
    ctx: typer.Context,
    file: Annotated[
        Path,
        typer.Argument(
            metavar="FILE",
            exists=True,
            dir_okay=False,
            help="An export written by 'audit export'.",
            show_default=False,
        ),
    ],
    json_output: JsonOpt = False,
) -> None:
    """Load an export into the store given by --store, which must be empty: all of it, or nothing.

    The file is checked whole first (its trailer, every line, a whole export's chain
    hashes, every event readable); then it is stored in one transaction. Each event
    keeps its original recording time, so the store rebuilds the same hash chain:
    after importing a whole-store export, 'audit verify' passes and 'audit digest'
    equals the source store's. A SQLite store created for a refused import is removed.
    Run again, it finishes an import cut off before its people's key rows.
    """
    from mentoring_core.audit import import_events  # here: the other commands need none

    out = Output(json_output)
    check_source(file, "FILE", limit=None)  # an export may be large, never endless
    with created_store(ctx, trust_snapshots=False) as service:
        summary = import_events(service, file)

    def show(console: Console) -> None:
        for sentence in _import_report(summary):
            console.print(sentence, markup=False)

    out.emit(lambda: _import_document(summary), show)
    if summary.complete and not summary.hashes_match:
        raise Refused(
            f"imported, but the chain hash of record {summary.first_mismatch} differs from the "
            "export's: the export was altered, or its source store does not verify"
        )


@app.command("keygen")
def keygen_command(
    ctx: typer.Context,
    private: Annotated[
        Path,
        typer.Option(
            "--private", metavar="PEM", dir_okay=False, help="Where to write the private key."
        ),
    ],
    public: Annotated[
        Path,
        typer.Option(
            "--public", metavar="PEM", dir_okay=False, help="Where to write the public key."
        ),
    ],
    json_output: JsonOpt = False,
) -> None:
    """Write a new Ed25519 key pair for signing digests (the private key readable by you only).

    Keep the private key away from the store; give the public key to whoever checks.
    """
    if private.absolute() == public.absolute():
        raise typer.BadParameter("--private and --public must be two different files")
    targets = ((private, "--private"), (public, "--public"))
    keep = kept_files(ctx)
    for path, option in targets:
        check_target(path, option, keep=keep, replace=False)
    with tempfile.TemporaryDirectory(prefix=".keygen-", dir=private.parent) as folder:
        made = (Path(folder) / "private.pem", Path(folder) / "public.pem")
        generate_key_pair(*made)
        keys = [made[0].read_bytes(), made[1].read_bytes()]
    made_keys = [(path, key, option) for (path, option), key in zip(targets, keys, strict=True)]
    create_files(made_keys, keep=keep)
    store_file = sqlite_path(settings(ctx).store_url)
    beside = (
        store_file is not None and Path(store_file).resolve().parent == private.resolve().parent
    )
    warning = KEY_WARNING + (
        f" {private} is in the same folder as the store {store_file}: move it." if beside else ""
    )
    out = Output(json_output)

    def show(console: Console) -> None:
        console.print(f"Wrote the private key {private} and the public key {public}.", markup=False)
        console.print(f"[bold]{escape(warning)}")

    out.emit(lambda: {"private": str(private), "public": str(public), "warning": warning}, show)
