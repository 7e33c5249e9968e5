"""A store's history as CloudEvents 1.0 in JSON Lines, and back into an empty store.

An export holds one line per stored event, in chain order (the store's global order),
each a CloudEvent in the JSON format::

    {"specversion": "1.0",
     "id": "<the event's event_id>",
     "source": "urn:mentoring-core:<relationship|programme>:<aggregate id>",
     "type": "org.mentoring-core.<event type>.v<class_version>",
     "subject": "<aggregate id>",
     "time": "<occurred_at, RFC 3339>",
     "datacontenttype": "application/json",
     "data": {<the stored state, parsed>},
     "aggregateversion": <version>,
     "chainsequence": <the chain link's sequence>,
     "chainhash": "<the chain link's hash>",
     "chainrecordedat": "<the chain link's recording time>"}

The last four are extension attributes (lower-case letters and digits, as the
CloudEvents specification requires). ``data`` is the stored state bytes parsed as
JSON; the library writes them as compact UTF-8 JSON, so
``json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode()`` gives the
stored bytes back exactly. The export checks this for every record and refuses a
record where it does not hold, so that an import stores the very same bytes and
recomputes the very same chain hashes.

Exports stream: the chain is read page by page, so memory does not grow with the
store. The import reads its file twice (once to check it whole, once to store it),
keeping only each aggregate's last version between lines.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from datetime import datetime
from itertools import islice
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any
from uuid import UUID

import attrs
from eventsourcing.persistence import ApplicationRecorder, IntegrityError, StoredEvent

from ..domain.errors import MentoringError, NotFound
from ..domain.events import EVENT_TYPES
from ..domain.kinds import KINDS
from ..domain.validation import check_int
from .chain import canonical_time
from .recorders import RECORDED_AT_KWARG, ChainedRecorder, ChainRow
from .verify import Digest

if TYPE_CHECKING:  # the service imports this package: no import at run time
    from ..application import MentoringService

_log = logging.getLogger(__name__)

SPEC_VERSION = "1.0"
SOURCE_PREFIX = "urn:mentoring-core:"
"""A CloudEvent's ``source`` is this, the aggregate's kind, ``:`` and its id."""
TYPE_PREFIX = "org.mentoring-core."
"""A CloudEvent's ``type`` is this, the event type, ``.v`` and its class version."""
CONTENT_TYPE = "application/json"
PAGE_SIZE = 1000
IMPORT_BATCH_SIZE = 1000
"""Records stored per transaction by :func:`import_events`."""

_TYPE = re.compile(re.escape(TYPE_PREFIX) + r"([A-Za-z][A-Za-z0-9_]*)\.v([1-9][0-9]*)")
_HEX64 = re.compile(r"[0-9a-f]{64}")


class ExportError(MentoringError):
    """A record cannot be exported faithfully, or an export file cannot be imported."""


class StoreNotEmpty(MentoringError):
    """An import was pointed at a store that already holds records."""

    def __init__(self, records: int) -> None:
        self.records = records
        super().__init__(
            f"the store already holds {records} records; import only into an empty store "
            "(a new SQLite file, or a new PostgreSQL schema)"
        )


@attrs.frozen(kw_only=True)
class ExportSummary:
    """What :func:`export_events` wrote."""

    records: int
    aggregate_id: UUID | None
    """The one aggregate exported, or None for the whole store."""
    last: Digest | None
    """The last exported link (sequence, hash, recording time); None if nothing was exported.
    For a whole-store export of a store that verifies, this is the store's digest."""


@attrs.frozen(kw_only=True)
class ImportSummary:
    """What :func:`import_events` stored, and whether the chain came out the same."""

    records: int
    batches: int
    complete: bool
    """The file holds chain links 1, 2, 3... with none missing: a whole-store export.
    Only then can the imported chain (and the digest) equal the source's."""
    hashes_match: bool
    """Every imported record's chain hash equals the ``chainhash`` the export carried."""
    first_mismatch: int | None
    """The exported ``chainsequence`` of the first record whose hash differs, if any."""
    digest: Digest | None
    """The imported store's last link: its digest once ``verify`` passes."""


def _compact(data: Any) -> bytes:
    """JSON exactly as the library's mapper writes stored states."""
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode()


def _recorder(service: MentoringService) -> ChainedRecorder:
    return service.store.recorder


def _kind(topic: str) -> str | None:
    """The name of the kind whose events ``topic`` names; None if no kind's."""
    cls = EVENT_TYPES.get(topic)
    owners = [kind.name for kind in KINDS if cls is not None and kind.owns(cls)]
    return owners[0] if owners else None


def _cloud_event(row: ChainRow) -> dict[str, Any]:
    """One chain link and its stored event as a CloudEvent (a JSON-ready dict).

    Raises :class:`ExportError` if the event is not where the link says, or if its
    stored state would not come back byte for byte from the parsed ``data``.
    """
    where = f"record {row.sequence} (aggregate {row.aggregate_id} version {row.version})"
    event = row.event
    if event is None or (UUID(str(event.originator_id)), event.originator_version) != (
        row.aggregate_id,
        row.version,
    ):
        raise ExportError(
            f"{where} is not where its chain link says; run 'mentoring audit verify' to see why"
        )
    try:
        data = json.loads(event.state)
    except ValueError as error:
        raise ExportError(f"{where}: its stored state is not UTF-8 JSON ({error})") from None
    if not isinstance(data, dict) or _compact(data) != event.state:
        raise ExportError(
            f"{where}: its stored state is not a JSON object in the compact form the library "
            "writes, so the export could not give back its exact bytes"
        )
    kind = _kind(event.topic)
    if kind is None:
        raise ExportError(f"{where}: {event.topic!r} is not an event type this library knows")
    event_id, occurred_at = data.get("event_id"), data.get("occurred_at")
    class_version = data.get("class_version", 1)
    if not isinstance(event_id, str) or not isinstance(occurred_at, str):
        raise ExportError(f"{where}: its stored state has no event_id or occurred_at text")
    if type(class_version) is not int:
        raise ExportError(f"{where}: its class_version {class_version!r} is not a whole number")
    return {
        "specversion": SPEC_VERSION,
        "id": event_id,
        "source": f"{SOURCE_PREFIX}{kind}:{row.aggregate_id}",
        "type": f"{TYPE_PREFIX}{event.topic}.v{class_version}",
        "subject": str(row.aggregate_id),
        "time": occurred_at,
        "datacontenttype": CONTENT_TYPE,
        "data": data,
        "aggregateversion": row.version,
        "chainsequence": row.sequence,
        "chainhash": row.hash,
        "chainrecordedat": row.recorded_at,
    }


def _chain(recorder: ChainedRecorder, after: int, page_size: int) -> Iterator[ChainRow]:
    while rows := recorder.select_chain(after, page_size):
        yield from rows
        after = rows[-1].sequence


def cloud_events(
    service: MentoringService,
    after: int = 0,
    *,
    aggregate_id: UUID | None = None,
    limit: int | None = None,
    page_size: int = PAGE_SIZE,
) -> Iterator[dict[str, Any]]:
    """The chained records after chain sequence ``after`` as CloudEvents, in chain order;
    only ``aggregate_id``'s if given, at most ``limit`` of them.

    Pages like :meth:`~mentoring_core.MentoringService.read`: call again with the last
    document's ``chainsequence`` as ``after`` to get what was recorded since, nothing
    skipped and nothing twice. Streams: ``page_size`` links are read at a time. One
    aggregate's export still reads the whole chain (the links are ordered globally),
    keeping only that aggregate's. Raises :class:`~mentoring_core.NotFound` if
    ``aggregate_id`` has no records.
    """
    start = check_int("after", after, 0, 2**62)
    wanted = None if limit is None else check_int("limit", limit, 1, 2**62)
    recorder = _recorder(service)
    if aggregate_id is not None and not recorder.select_events(aggregate_id, limit=1):
        raise NotFound("programme or relationship", aggregate_id)
    return _cloud_events(recorder, start, aggregate_id, wanted, page_size)


def _cloud_events(
    recorder: ChainedRecorder,
    after: int,
    aggregate_id: UUID | None,
    limit: int | None,
    page_size: int,
) -> Iterator[dict[str, Any]]:
    chosen = (
        row
        for row in _chain(recorder, after, page_size)
        if aggregate_id is None or row.aggregate_id == aggregate_id
    )
    for row in chosen if limit is None else islice(chosen, limit):
        yield _cloud_event(row)


def export_events(
    service: MentoringService, out: IO[str], *, aggregate_id: UUID | None = None
) -> ExportSummary:
    """Write the store's history (or one aggregate's) to ``out`` as CloudEvents JSON Lines.

    The export reads what the chain covers; it does not verify the chain (run
    :func:`~mentoring_core.audit.verify` for that). Records written around the library,
    which no link covers, are not exported.
    """
    records = 0
    last: dict[str, Any] | None = None
    for doc in cloud_events(service, aggregate_id=aggregate_id):
        out.write(json.dumps(doc, separators=(",", ":"), ensure_ascii=False) + "\n")
        records += 1
        last = doc
    digest = (
        None
        if last is None
        else Digest(
            sequence=last["chainsequence"],
            hash=last["chainhash"],
            recorded_at=last["chainrecordedat"],
        )
    )
    return ExportSummary(records=records, aggregate_id=aggregate_id, last=digest)


@attrs.frozen
class _Line:
    number: int
    stored: StoredEvent
    recorded_at: datetime
    sequence: int
    hash: str


def _field(doc: dict[str, Any], name: str, kind: type, number: int) -> Any:
    value = doc.get(name)
    if type(value) is not kind:
        raise ExportError(
            f"line {number}: '{name}' is {value!r}; expected a {kind.__name__} "
            "(is this a mentoring-core export?)"
        )
    return value


def _chain_time(text: str) -> datetime | None:
    """A link's recording time, if ``text`` is exactly as the chain writes it."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.utcoffset() is None or canonical_time(moment) != text:
        return None
    return moment


def _parse(text: str, number: int) -> _Line:
    """One export line, checked, as the record to store and its exported link."""
    try:
        doc = json.loads(text)
    except ValueError as error:
        raise ExportError(f"line {number}: not JSON ({error})") from None
    if not isinstance(doc, dict):
        raise ExportError(f"line {number}: not a JSON object")
    if doc.get("specversion") != SPEC_VERSION or doc.get("datacontenttype") != CONTENT_TYPE:
        raise ExportError(
            f"line {number}: not a CloudEvent {SPEC_VERSION} with {CONTENT_TYPE} data"
        )
    matched = _TYPE.fullmatch(_field(doc, "type", str, number))
    if matched is None or matched.group(1) not in EVENT_TYPES:
        raise ExportError(f"line {number}: type {doc['type']!r} is not a mentoring-core event")
    data = _field(doc, "data", dict, number)
    if data.get("class_version", 1) != int(matched.group(2)) or doc.get("id") != data.get(
        "event_id"
    ):
        raise ExportError(
            f"line {number}: the envelope's type or id disagrees with its data: the line was edited"
        )
    try:
        aggregate_id = UUID(_field(doc, "subject", str, number))
    except ValueError:
        raise ExportError(f"line {number}: subject {doc['subject']!r} is not a UUID") from None
    version = _field(doc, "aggregateversion", int, number)
    sequence = _field(doc, "chainsequence", int, number)
    hash_ = _field(doc, "chainhash", str, number)
    recorded_text = _field(doc, "chainrecordedat", str, number)
    if version < 1 or sequence < 1 or not _HEX64.fullmatch(hash_):
        raise ExportError(f"line {number}: a bad aggregateversion, chainsequence or chainhash")
    recorded_at = _chain_time(recorded_text)
    if recorded_at is None:
        raise ExportError(
            f"line {number}: chainrecordedat {recorded_text!r} is not a UTC time with "
            "microseconds as the chain writes it"
        )
    stored = StoredEvent(
        originator_id=aggregate_id,
        originator_version=version,
        topic=matched.group(1),
        state=_compact(data),
    )
    return _Line(number, stored, recorded_at, sequence, hash_)


def _lines(path: Path) -> Iterator[_Line]:
    # Each line is decoded on its own: a text-mode file decodes ahead in chunks, so
    # its error would not say which line holds the bad bytes.
    with path.open("rb") as lines:
        for number, raw in enumerate(lines, start=1):
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError as error:
                raise ExportError(f"line {number}: not UTF-8 text ({error.reason})") from None
            if text.strip():
                yield _parse(text, number)


def _check_file(path: Path) -> bool:
    """Read the whole file once: every line sound, links ascending, each aggregate's
    versions 1, 2, 3... in order. True if the links are 1, 2, 3... (a whole-store export)."""
    previous = 0
    complete = True
    versions: dict[UUID, int] = {}
    for line in _lines(path):
        if line.sequence <= previous:
            raise ExportError(
                f"line {line.number}: chainsequence {line.sequence} does not follow "
                f"{previous}: the lines are not in chain order"
            )
        complete = complete and line.sequence == previous + 1
        previous = line.sequence
        aggregate_id = UUID(str(line.stored.originator_id))
        expected = versions.get(aggregate_id, 0) + 1
        if line.stored.originator_version != expected:
            raise ExportError(
                f"line {line.number}: aggregate {aggregate_id} version "
                f"{line.stored.originator_version} where version {expected} was expected"
            )
        versions[aggregate_id] = expected
    return complete


def _stored_count(recorder: ApplicationRecorder) -> int:
    return recorder.max_notification_id() or 0


def import_events(
    service: MentoringService, path: Path, *, batch_size: int = IMPORT_BATCH_SIZE
) -> ImportSummary:
    """Load an export into the service's store, which must be empty.

    The file is checked whole before anything is stored (a bad line stores nothing).
    Records are then stored in chain order, ``batch_size`` per transaction, each with
    its exported recording time, so the store recomputes the same chain: after a
    whole-store import ``verify`` passes and the digest equals the source's. Each
    batch's new links are read back and compared with the exported hashes.

    Raises :class:`StoreNotEmpty` if the store holds records, :class:`ExportError` if
    the file is not a sound export. Should storing fail part way (the store went
    away), the batches before stay stored: start again with an empty store.
    """
    recorder = _recorder(service)
    if _stored_count(recorder) or recorder.last_link() is not None:
        raise StoreNotEmpty(_stored_count(recorder))
    complete = _check_file(path)
    imported = _Imported()
    for batch in _batches(_lines(path), batch_size):
        _store_batch(recorder, batch, imported)
        _log.info(
            "imported lines %s to %s of %s (batch %s)",
            batch[0].number,
            batch[-1].number,
            path,
            imported.batches,
        )
    return ImportSummary(
        records=imported.records,
        batches=imported.batches,
        complete=complete,
        hashes_match=imported.first_mismatch is None,
        first_mismatch=imported.first_mismatch,
        digest=_last_digest(recorder),
    )


@attrs.define
class _Imported:
    """What an import has stored so far."""

    records: int = 0
    batches: int = 0
    first_mismatch: int | None = None
    """The exported ``chainsequence`` of the first record whose new hash differs."""


def _batches(lines: Iterator[_Line], batch_size: int) -> Iterator[list[_Line]]:
    """``lines`` in lists of ``batch_size`` (the last one shorter), each handed on as
    soon as it is full."""
    batch: list[_Line] = []
    for line in lines:
        batch.append(line)
        if len(batch) >= batch_size:
            yield batch
            batch = []
    if batch:
        yield batch


def _store_batch(recorder: ChainedRecorder, batch: list[_Line], imported: _Imported) -> None:
    """Store ``batch`` in one transaction with its recording times, then compare the
    new links' hashes with the exported ones."""
    try:
        recorder.insert_events(
            [line.stored for line in batch],
            **{RECORDED_AT_KWARG: [line.recorded_at for line in batch]},
        )
    except IntegrityError as error:
        raise ExportError(
            f"lines {batch[0].number} to {batch[-1].number} could not be stored: {error}"
        ) from None
    links = recorder.select_chain(imported.records, len(batch))
    for line, link in zip(batch, links, strict=True):
        if imported.first_mismatch is None and link.hash != line.hash:
            imported.first_mismatch = line.sequence
    imported.records += len(batch)
    imported.batches += 1


def _last_digest(recorder: ChainedRecorder) -> Digest | None:
    """The store's last link, as a digest; None if the store has none."""
    last = recorder.last_link()
    if last is None:
        return None
    (row,) = recorder.select_chain(last[0] - 1, 1)
    return Digest(sequence=row.sequence, hash=row.hash, recorded_at=row.recorded_at)
