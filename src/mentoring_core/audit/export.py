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
     "chainrecordedat": "<the chain link's recording time>",
     "chainposition": <the event's notification id, its position in the store's log>,
     "chainencoding": <the encoding of the link's hash>}

The last six are extension attributes (lower-case letters and digits, as the
CloudEvents specification requires). ``data`` is the stored state bytes parsed as
JSON; the library writes them as compact UTF-8 JSON, so
``json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode()`` gives the
stored bytes back exactly. The export checks this for every record and refuses a
record where it does not hold (or whose state escapes a lone surrogate, no text), so
that an import stores the very same bytes and recomputes the very same chain hashes.

A whole export (and a one-aggregate export alike) ends with one more line, the
export trailer, so that a line removed, added or moved is refused on import::

    {"specversion": "1.0",
     "id": "<the trailer's sha256>",
     "source": "urn:mentoring-core:export",
     "type": "org.mentoring-core.ExportTrailer.v1",
     "datacontenttype": "application/json",
     "data": {"records": <how many event lines>,
              "aggregate": "<the one aggregate exported>" or null for the whole store,
              "last": {"sequence": ..., "hash": ..., "recorded_at": ...} or null,
              "sha256": "<SHA-256 of the event lines, each as UTF-8 ending in one \\n>"}}

``last`` is the last exported chain link: for a whole-store export, the store's
digest, which ``audit digest --sign-key`` signs. A file without a trailer (written
before it existed, its lines without ``chainposition`` and ``chainencoding``, which
came after it) still imports, reported as not sealed; a file whose lines carry them
and that has no trailer was cut short, and is refused, as is a file with no line.

The trailer has no key: whoever edits a line can recompute it. A whole-store export's
chain is recomputed from its lines; a partial export's only where a line's previous
record in the source is a line of the file too (the others bind a hash the file does
not hold), so a partial export is no evidence against such an editor.

Every attribute of an event line is derived from its event (``id``, ``source``,
``type``, ``subject``, ``time`` from its data and aggregate) or is its chain link's;
an import checks each against what it is derived from and refuses any other.

Exports stream: the chain is read page by page, so memory does not grow with the
store. The import reads and checks its file whole, writing nothing, then stores it in
one transaction (the file's events are held in memory meanwhile), and only then writes
the withheld key rows of the people it seals fields under whom the key store lacks.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
from collections.abc import Iterator
from datetime import datetime
from itertools import islice, pairwise
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any
from uuid import UUID

import attrs
from eventsourcing.persistence import ApplicationRecorder, IntegrityError, StoredEvent

from .._new_files import check_path
from .._strict_json import NamedTwice, UnreadableNumber, read_json
from ..domain.errors import (
    InvalidValue,
    MentoringError,
    NotFound,
    StoreConfigurationError,
    StoredEventError,
)
from ..domain.kinds import kind_of_topic
from ..domain.validation import check_after_and_limit, check_page_size
from ..privacy.keys import KeyStore
from ..privacy.sealing import (
    LoneSurrogate,
    check_unicode,
    compact_json,
    parse_json,
    sealed_people,
    withhold_keys,
)
from ..serialisation import MAX_EVENT_BYTES
from .chain import (
    DOMAIN_TAGS,
    GENESIS,
    Record,
    canonical_time,
    is_hash,
    link_hash,
    parse_canonical_time,
)
from .recorders import (
    ENCODINGS_KWARG,
    POSITIONS_KWARG,
    RECORDED_AT_KWARG,
    ChainedRecorder,
    ChainLinker,
    ChainRow,
    DamagedRow,
)
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
TRAILER_TYPE = f"{TYPE_PREFIX}ExportTrailer.v1"
"""The ``type`` of an export's last line, the trailer."""
TRAILER_SOURCE = f"{SOURCE_PREFIX}export"
MAX_POSITION = 2**63 - 1
"""The largest log position an import stores an event at: SQLite's largest rowid, and
PostgreSQL's largest ``bigint``."""
MAX_LINE_BYTES = 8 * MAX_EVENT_BYTES
"""Longest export line an import reads: an event's data, escaped as JSON text at worst
six bytes a byte, plus its envelope."""

_TYPE = re.compile(re.escape(TYPE_PREFIX) + r"([A-Za-z][A-Za-z0-9_]*)\.v([1-9][0-9]*)")


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
    """The file's events, now in the store."""
    batches: int
    """The transactions that stored them: 1 (0 for an export of an empty store, and for
    an import run again to finish one cut off after its events were stored, before its
    key rows, which writes those rows and nothing else: ``finished_earlier_import``)."""
    complete: bool
    """The file holds chain links 1, 2, 3... with none missing: a whole-store export.
    Only then can the imported chain (and the digest) equal the source's."""
    sealed: bool
    """The file ended with an export trailer that agrees with its lines (count, last
    link, SHA-256): no line is missing, added or moved. False for a file from before
    trailers, whose end could have been cut off unnoticed."""
    hashes_match: bool
    """Every imported record's chain hash equals the ``chainhash`` the export carried."""
    first_mismatch: int | None
    """The exported ``chainsequence`` of the first record whose hash differs, if any."""
    digest: Digest | None
    """The imported store's last link: its digest once ``verify`` passes."""
    finished_earlier_import: bool = False
    """The file's events were in the store already, from an import of it cut off before
    its key rows: this one wrote the missing key rows and nothing else (``batches`` 0)."""


ENCRYPTED_STORE = (
    "the store is encrypted at rest: an export carries the stored states as JSON, which an "
    "encrypted store does not hold, so it neither exports nor imports (copy the database "
    "with its key file instead; docs/privacy.md, Encryption at rest)"
)


def _recorder(service: MentoringService) -> ChainedRecorder:
    if service.store.encrypted:
        raise ExportError(ENCRYPTED_STORE)
    return service.store.recorder


def _kind(topic: str) -> str | None:
    """The name of the kind whose events ``topic`` names; None if no kind's."""
    kind = kind_of_topic(topic)
    return None if kind is None else kind.name


def _cloud_event(row: ChainRow | DamagedRow) -> dict[str, Any]:
    """One chain link and its stored event as a CloudEvent (a JSON-ready dict).

    Raises :class:`ExportError` if the link or its event is damaged, if the event is
    not where the link says, or if its stored state would not come back byte for byte
    from the parsed ``data``.
    """
    if isinstance(row, DamagedRow):
        raise ExportError(
            f"record {row.sequence} is damaged ({row.detail}); run 'mentoring audit verify'"
        )
    where = f"record {row.sequence} (aggregate {row.aggregate_id} version {row.version})"
    event = row.event
    if event is None or (event.originator_id, event.originator_version) != (
        row.aggregate_id,
        row.version,
    ):
        raise ExportError(
            f"{where} is not where its chain link says; run 'mentoring audit verify' to see why"
        )
    try:
        data = parse_json(event.state.decode())  # a lone surrogate is no UTF-8 text
    except ValueError as error:
        raise ExportError(f"{where}: its stored state is not UTF-8 JSON ({error})") from None
    if not isinstance(data, dict) or compact_json(data) != event.state:
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
        "chainposition": row.notification_id,
        "chainencoding": row.encoding,
    }


def _chain(
    recorder: ChainedRecorder, after: int, page_size: int
) -> Iterator[ChainRow | DamagedRow]:
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
    skipped and nothing twice. Streams: ``page_size`` links are read at a time (a whole
    number from 1 to 2**62, as ``limit``). One
    aggregate's export still reads the whole chain (the links are ordered globally),
    keeping only that aggregate's. Raises :class:`~mentoring_core.NotFound` if
    ``aggregate_id`` has no records.
    """
    start, wanted = check_after_and_limit(after, limit)
    size = check_page_size(page_size)
    recorder = _recorder(service)
    if aggregate_id is not None and not recorder.select_events(aggregate_id, limit=1):
        raise NotFound("programme or relationship", aggregate_id)
    return _cloud_events(recorder, start, aggregate_id, wanted, size)


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
        if aggregate_id is None or not isinstance(row, ChainRow) or row.aggregate_id == aggregate_id
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
    lines = hashlib.sha256()
    for doc in cloud_events(service, aggregate_id=aggregate_id):
        text = json.dumps(doc, separators=(",", ":"), ensure_ascii=False)
        out.write(text + "\n")
        lines.update(_lines_hash(text))
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
    trailer = _trailer(records, aggregate_id, digest, lines.hexdigest())
    out.write(json.dumps(trailer, separators=(",", ":"), ensure_ascii=False) + "\n")
    return ExportSummary(records=records, aggregate_id=aggregate_id, last=digest)


def _trailer(
    records: int, aggregate_id: UUID | None, last: Digest | None, sha256: str
) -> dict[str, Any]:
    """The export's last line: what an import checks the lines against."""
    return {
        "specversion": SPEC_VERSION,
        "id": sha256,
        "source": TRAILER_SOURCE,
        "type": TRAILER_TYPE,
        "datacontenttype": CONTENT_TYPE,
        "data": {
            "records": records,
            "aggregate": None if aggregate_id is None else str(aggregate_id),
            "last": None
            if last is None
            else {"sequence": last.sequence, "hash": last.hash, "recorded_at": last.recorded_at},
            "sha256": sha256,
        },
    }


@attrs.frozen
class _Line:
    number: int
    stored: StoredEvent
    recorded_at: datetime
    sequence: int
    hash: str
    position: int | None
    """The exported notification id (None in files written before it was exported)."""
    encoding: int

    def link(self) -> tuple[int, str, str]:
        """The exported link as the trailer names it: sequence, hash, recording time."""
        return (self.sequence, self.hash, canonical_time(self.recorded_at))


@attrs.frozen
class _Trailer:
    number: int
    records: int
    aggregate_id: UUID | None
    last: tuple[Any, Any, Any] | None
    sha256: str


def _field(doc: dict[str, Any], name: str, kind: type, number: int) -> Any:
    value = doc.get(name)
    if type(value) is not kind:
        raise ExportError(
            f"line {number}: '{name}' is {value!r}; expected a {kind.__name__} "
            "(is this a mentoring-core export?)"
        )
    return value


def _document(text: str, number: int) -> dict[str, Any]:
    """One export line as a CloudEvent's JSON object, envelope checked."""
    try:
        doc = check_unicode(text, read_json(text))
    except LoneSurrogate as error:
        raise ExportError(f"line {number}: {error}") from None
    except NamedTwice as twice:
        raise ExportError(
            f"line {number}: {twice.path!r} appears twice in one JSON object, which readers "
            "would take differently: the line was edited"
        ) from None
    except UnreadableNumber as unread:  # NaN, 1e400, an integer of 5,000 digits
        raise ExportError(f"line {number}: {unread}: the line was edited") from None
    except (ValueError, RecursionError) as error:  # RecursionError: nested too deeply
        raise ExportError(f"line {number}: not JSON ({error})") from None
    if not isinstance(doc, dict):
        raise ExportError(f"line {number}: not a JSON object")
    if doc.get("specversion") != SPEC_VERSION or doc.get("datacontenttype") != CONTENT_TYPE:
        raise ExportError(
            f"line {number}: not a CloudEvent {SPEC_VERSION} with {CONTENT_TYPE} data "
            f"(specversion {doc.get('specversion')!r}, "
            f"datacontenttype {doc.get('datacontenttype')!r})"
        )
    return doc


_EVENT_ATTRIBUTES = frozenset(
    (
        "specversion",
        "id",
        "source",
        "type",
        "subject",
        "time",
        "datacontenttype",
        "data",
        "aggregateversion",
        "chainsequence",
        "chainhash",
        "chainrecordedat",
        "chainposition",
        "chainencoding",
    )
)
"""Every attribute an export writes on an event line (:func:`_cloud_event`)."""
_TRAILER_ATTRIBUTES = frozenset(("specversion", "id", "source", "type", "datacontenttype", "data"))
"""Every attribute an export writes on its trailer (:func:`_trailer`)."""


def _only(doc: dict[str, Any], allowed: frozenset[str], number: int, what: str) -> None:
    """Refuse an attribute the export never writes on such a line."""
    unknown = sorted(set(doc) - allowed)
    if unknown:
        raise ExportError(
            f"line {number}: attribute {unknown[0]!r} is not one {what}: the line was edited"
        )


def _envelope(doc: dict[str, Any], number: int) -> tuple[str, dict[str, Any], UUID]:
    """An event line's topic, data and aggregate id, once every attribute derived from
    them (``type``, ``id``, ``subject``, ``source``, ``time``) is as the export derives it."""
    matched = _TYPE.fullmatch(_field(doc, "type", str, number))
    kind = None if matched is None else _kind(matched.group(1))
    if matched is None or kind is None:
        raise ExportError(f"line {number}: type {doc['type']!r} is not a mentoring-core event")
    topic = matched.group(1)
    data = _field(doc, "data", dict, number)
    try:
        aggregate_id = UUID(_field(doc, "subject", str, number))
    except ValueError:
        raise ExportError(f"line {number}: subject {doc['subject']!r} is not a UUID") from None
    class_version = data.get("class_version", 1)
    if type(class_version) is not int:
        raise ExportError(
            f"line {number}: its data's class_version {class_version!r} is not a whole number"
        )
    derived = {
        "type": f"{TYPE_PREFIX}{topic}.v{class_version}",
        "id": data.get("event_id"),
        "subject": str(aggregate_id),
        "source": f"{SOURCE_PREFIX}{kind}:{aggregate_id}",
        "time": data.get("occurred_at"),
    }
    for name, expected in derived.items():
        given = _field(doc, name, str, number)
        if given != expected:
            raise ExportError(
                f"line {number}: the envelope's {name} {given!r} disagrees with its data "
                f"({expected!r} expected): the line was edited"
            )
    return topic, data, aggregate_id


def _parse(doc: dict[str, Any], number: int) -> _Line:
    """One event line, checked, as the record to store and its exported link."""
    _only(doc, _EVENT_ATTRIBUTES, number, "an export writes")
    topic, data, aggregate_id = _envelope(doc, number)
    version = _field(doc, "aggregateversion", int, number)
    sequence = _field(doc, "chainsequence", int, number)
    hash_ = _field(doc, "chainhash", str, number)
    recorded_text = _field(doc, "chainrecordedat", str, number)
    if version < 1 or sequence < 1 or not is_hash(hash_):
        raise ExportError(f"line {number}: a bad aggregateversion, chainsequence or chainhash")
    recorded_at = parse_canonical_time(recorded_text)
    if recorded_at is None:
        raise ExportError(
            f"line {number}: chainrecordedat {recorded_text!r} is not a UTC time with "
            "microseconds as the chain writes it"
        )
    state = compact_json(data)
    if len(state) > MAX_EVENT_BYTES:
        raise ExportError(
            f"line {number}: its event is {len(state):,} bytes once stored, over the "
            f"{MAX_EVENT_BYTES:,} bytes a store can read back"
        )
    stored = StoredEvent(
        originator_id=aggregate_id, originator_version=version, topic=topic, state=state
    )
    position, encoding = _position(doc, number)
    return _Line(number, stored, recorded_at, sequence, hash_, position, encoding)


def _position(doc: dict[str, Any], number: int) -> tuple[int | None, int]:
    """A line's ``chainposition`` and ``chainencoding``; a line written before they were
    exported has neither, and its link is of encoding 1."""
    if "chainposition" not in doc and "chainencoding" not in doc:
        return None, 1
    position = _field(doc, "chainposition", int, number)
    encoding = _field(doc, "chainencoding", int, number)
    if not 1 <= position <= MAX_POSITION or encoding not in DOMAIN_TAGS:
        raise ExportError(f"line {number}: a bad chainposition or chainencoding")
    return position, encoding


def _check_encodings(lines: list[_Line]) -> None:
    """The lines' ``chainencoding`` rising (or staying) along the chain, as a store
    writes them: a fall is an edit of one of the two lines, named."""
    for before, line in pairwise(lines):
        if line.encoding < before.encoding:
            raise ExportError(
                f"line {line.number}: chainencoding {line.encoding} after line "
                f"{before.number}'s chainencoding {before.encoding}: an export's encodings "
                "only rise along the chain, so one of the two lines was edited"
            )


def _check_positions(lines: list[_Line]) -> None:
    """The lines' log positions as an export writes them: on every line or on none (a
    file from before they were exported), ascending with the chain records. A whole
    export is stored at them and its chain recomputed with them: checked here, the
    refusal names the line, where the store would refuse the batch (or, given them on
    some lines only, not use them, and re-create other hashes than the file's)."""
    for before, line in pairwise(lines):
        if before.position is None or line.position is None:
            if before.position != line.position:
                carries = "carries no" if line.position is None else "carries"
                other = "does" if line.position is None else "does not"
                raise ExportError(
                    f"line {line.number}: it {carries} chainposition and chainencoding, and "
                    f"line {before.number} {other}: an export writes them on every line or "
                    "on none, so the line was edited"
                )
        elif line.position <= before.position:
            raise ExportError(
                f"line {line.number}: chainposition {line.position} does not follow line "
                f"{before.number}'s {before.position}: an export's log positions ascend with "
                "its chain records"
            )


_TRAILER_KEYS = {"records", "aggregate", "last", "sha256"}
_LINK_KEYS = {"sequence", "hash", "recorded_at"}


def _parse_trailer(doc: dict[str, Any], number: int) -> _Trailer:
    """The export trailer, its fields of the right types (their values are checked later)."""
    _only(doc, _TRAILER_ATTRIBUTES, number, "an export's trailer has")
    if doc.get("source") != TRAILER_SOURCE:
        raise ExportError(
            f"line {number}: the export trailer's source {doc.get('source')!r} is not "
            f"{TRAILER_SOURCE!r}"
        )
    data = doc.get("data")
    damaged = ExportError(f"line {number}: the export trailer is not as 'audit export' writes it")
    if not isinstance(data, dict) or set(data) != _TRAILER_KEYS:
        raise damaged
    records, aggregate = data["records"], data["aggregate"]
    last, sha256 = data["last"], data["sha256"]
    if type(records) is not int or not isinstance(sha256, str) or doc.get("id") != sha256:
        raise damaged
    if last is not None and (
        not isinstance(last, dict) or set(last) != _LINK_KEYS or type(last["sequence"]) is not int
    ):  # 11.0 or true would compare equal to the last line's 11 or 1
        raise damaged
    try:
        aggregate_id = None if aggregate is None else UUID(str(aggregate))
    except ValueError:
        raise damaged from None
    link = None if last is None else (last["sequence"], last["hash"], last["recorded_at"])
    return _Trailer(number, records, aggregate_id, link, sha256)


def _texts(path: Path) -> Iterator[tuple[int, str]]:
    """Each line's number and text, blank lines left out; a line no export holds is refused."""
    # Each line is decoded on its own: a text-mode file decodes ahead in chunks, so
    # its error would not say which line holds the bad bytes. A line is read at most
    # MAX_LINE_BYTES at a time, so a file with no line breaks cannot fill the memory.
    with path.open("rb") as lines:
        number = 0
        while raw := lines.readline(MAX_LINE_BYTES + 1):
            number += 1
            if len(raw) > MAX_LINE_BYTES:
                raise ExportError(
                    f"line {number}: longer than {MAX_LINE_BYTES:,} bytes, which no event "
                    "a store can read back needs"
                )
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError as error:
                raise ExportError(f"line {number}: not UTF-8 text ({error.reason})") from None
            if text.strip():
                yield number, text


def _lines_hash(text: str) -> bytes:
    """What a line adds to the trailer's ``sha256``: its text without its line break, then one."""
    return text.rstrip("\r\n").encode("utf-8") + b"\n"


@attrs.define
class _Export:
    """An export file read whole: its event lines and its trailer (if it has one)."""

    lines: list[_Line] = attrs.Factory(list)
    trailer: _Trailer | None = None
    sha256: str = ""
    """The SHA-256 of the event lines (as the trailer's ``sha256`` is computed)."""


def _read(path: Path) -> _Export:
    """Every line parsed and checked on its own, the trailer last if there is one."""
    export = _Export()
    digest = hashlib.sha256()
    for number, text in _texts(path):
        if export.trailer is not None:
            raise ExportError(
                f"line {number}: a line after the export trailer (line {export.trailer.number})"
            )
        doc = _document(text, number)
        if doc.get("type") == TRAILER_TYPE:
            export.trailer = _parse_trailer(doc, number)
        else:
            export.lines.append(_parse(doc, number))
            digest.update(_lines_hash(text))
    export.sha256 = digest.hexdigest()
    return export


def _check_order(lines: list[_Line]) -> bool:
    """Links ascending, each aggregate's versions 1, 2, 3... in order. True if the links
    are 1, 2, 3... (a whole-store export)."""
    previous = 0
    complete = True
    versions: dict[UUID, int] = {}
    for line in lines:
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


def _check_trailer(export: _Export) -> None:
    """The trailer's count, last link, lines hash and aggregate agree with the lines."""
    trailer, lines = export.trailer, export.lines
    assert trailer is not None
    where = f"line {trailer.number}: the export trailer"
    if trailer.records != len(lines):
        raise ExportError(
            f"{where} counts {trailer.records} records but the file holds {len(lines)}: "
            "a line was removed or added"
        )
    if trailer.last != (lines[-1].link() if lines else None):
        raise ExportError(f"{where} names another last chain link than the last line's")
    if trailer.sha256 != export.sha256:
        raise ExportError(
            f"{where} does not match the lines before it (sha256): a line was changed, "
            "added, removed or moved"
        )
    strays = [line for line in lines if line.stored.originator_id != trailer.aggregate_id]
    if trailer.aggregate_id is not None and strays:
        raise ExportError(
            f"line {strays[0].number}: not an event of aggregate {trailer.aggregate_id}, "
            "the only one the export trailer names"
        )


def _check_hashes(lines: list[_Line]) -> None:
    """Recompute the chain of a whole-store export and refuse the first line whose
    ``chainhash`` differs: it was edited, or its source store does not verify."""
    links = ChainLinker(lambda: None, lambda _aggregate, _version: None).links(
        [line.stored for line in lines],
        [line.position or line.sequence for line in lines],
        **_link_kwargs(lines),
    )  # refuses an encoding that falls along the file: _check_encodings refused it first
    for line, link in zip(lines, links, strict=True):
        if link[5] != line.hash:
            raise _edited(line)


def _edited(line: _Line) -> ExportError:
    """The refusal of a line whose ``chainhash`` is not the one recomputed."""
    return ExportError(
        f"line {line.number}: its chainhash is not the hash of its record and the "
        "lines before it: the line was edited, or the source store does not verify"
    )


def _check_runs(lines: list[_Line]) -> None:
    """A partial export: recompute the ``chainhash`` of every line whose ``previous``
    (the link of record ``chainsequence`` - 1; none for record 1) is a line of the file
    too, and refuse the first that differs. Its ``aggregate_previous`` is the previous
    line of its aggregate (versions 1, 2, 3... are checked). Another line's hash binds a
    hash the file does not hold: it cannot be checked."""
    hashes = {line.sequence: line.hash for line in lines}
    latest: dict[UUID, str] = {}
    for line in lines:
        aggregate_id = UUID(str(line.stored.originator_id))
        aggregate_previous = latest.get(aggregate_id, GENESIS)
        latest[aggregate_id] = line.hash
        previous = GENESIS if line.sequence == 1 else hashes.get(line.sequence - 1)
        if previous is not None and _link_hash(line, previous, aggregate_previous) != line.hash:
            raise _edited(line)


def _link_hash(line: _Line, previous: str, aggregate_previous: str) -> str:
    """The hash of ``line``'s link, as its source store computed it."""
    record = Record(
        sequence=line.sequence,
        notification_id=line.position or line.sequence,  # not bound in encoding 1
        aggregate_id=UUID(str(line.stored.originator_id)),
        version=line.stored.originator_version,
        topic=line.stored.topic,
        state=line.stored.state,
        recorded_at=canonical_time(line.recorded_at),
    )
    return link_hash(record, previous, aggregate_previous, line.encoding)


def _link_kwargs(lines: list[_Line]) -> dict[str, Any]:
    """The ``insert_events`` keywords that re-create a whole export's links as they were:
    recording times, encodings and (if the file has them) log positions."""
    kwargs: dict[str, Any] = {
        RECORDED_AT_KWARG: [line.recorded_at for line in lines],
        ENCODINGS_KWARG: [line.encoding for line in lines],
    }
    if all(line.position is not None for line in lines):
        kwargs[POSITIONS_KWARG] = [line.position for line in lines]
    return kwargs


def _check_readable(service: MentoringService, lines: list[_Line]) -> frozenset[str]:
    """Every event decodes as the store will read it back (strict types, the size cap).

    Returns the people the events' sealed fields are under whom the key store holds no
    row of: their withheld rows are written once the events are stored, not here (a
    check writes nothing). A line sealed under such a person has its sealed fields'
    form checked but none opened, as the withheld row will have them read (as erased);
    any other line is read as it will be, its fields opened where a live key is here."""
    keys = service.store.keys.store
    held: dict[str, bool] = {}
    for line in lines:
        people = sealed_people(line.stored.state)
        for person in people - held.keys():
            held[person] = _has_row(keys, person, line.number)
        try:
            service.store.decode(line.stored, personal=all(held[p] for p in people))
        except StoredEventError as error:
            raise ExportError(
                f"line {line.number}: its event could not be read back: {error.reason}"
            ) from None
    return frozenset(person for person, here in held.items() if not here)


def _has_row(keys: KeyStore, person: str, number: int) -> bool:
    """Whether the key store holds a row (live, destroyed or withheld) of ``person``."""
    try:
        return keys.get(person) is not None
    except InvalidValue:
        raise ExportError(
            f"line {number}: a sealed field is under {person!r}, which is not a person id"
        ) from None


def _stored_count(recorder: ApplicationRecorder) -> int:
    return recorder.max_notification_id() or 0


@attrs.frozen
class _Checked:
    """An export file read whole and checked, nothing written yet."""

    lines: list[_Line]
    sealed: bool
    complete: bool
    withheld: frozenset[str]
    """The people its sealed fields are under whom the key store holds no row of."""


def _check(service: MentoringService, path: Path) -> _Checked:
    """Read ``path`` whole and check it as :func:`import_events` does, writing nothing."""
    export = _read(path)
    if export.trailer is not None:
        _check_trailer(export)
    complete = _check_order(export.lines)
    if export.trailer is not None and export.trailer.aggregate_id is None and not complete:
        raise ExportError(
            f"line {export.trailer.number}: the export trailer says a whole-store export, "
            "but chain records are missing from it"
        )
    _check_encodings(export.lines)  # before the chain is re-created, which would refuse
    if complete:  # a fall naming the aggregate and its version, not the line
        _check_hashes(export.lines)
    else:
        _check_runs(export.lines)
    _check_positions(export.lines)  # after the hashes: a line edited alone is named first
    withheld = _check_readable(service, export.lines)
    if export.trailer is None:
        _check_unsealed(export.lines)
    return _Checked(export.lines, export.trailer is not None, complete, withheld)


def _check_unsealed(lines: list[_Line]) -> None:
    """A file without trailer: refused if empty, or if its lines are of an export that
    writes one (``chainposition`` and ``chainencoding`` came after the trailer), so
    that its end was cut off; a file from before trailers passes."""
    if not lines:
        raise ExportError(
            "the file holds no line of an export: nothing to import (an export ends with "
            "its trailer, even one of an empty store)"
        )
    if any(line.position is not None for line in lines):
        raise ExportError(
            f"line {lines[-1].number}: the last line read, and no export trailer follows "
            "it: the file was cut short (an export whose lines carry chainposition and "
            "chainencoding always ends with its trailer); nothing was imported"
        )


def import_events(service: MentoringService, path: str | os.PathLike[str]) -> ImportSummary:
    """Load an export into the service's store, which must be empty: all of it, or nothing.

    The file is read and checked whole before anything is written: every line sound and
    in chain order, every attribute as the export derives it from its event; the
    trailer (if the file has one) agreeing with the lines' count, last link and
    SHA-256; a whole-store export's chain recomputed, every hash as exported (a partial
    export's, where a line's previous record is a line of the file); every event
    decoded as the store will read it back, within the size cap; and a file without
    trailer neither empty nor cut short (its lines written by an export that writes
    one). All records are then stored in one transaction, in chain order, each with its
    exported recording time, so the store recomputes the same chain: after a whole-store
    import ``verify`` passes and the digest equals the source's. Then a withheld key row
    is written for each person the file's sealed fields are under whom the key store
    holds no row of (the key store is not in the events' transaction), and the new
    links are read back and compared with the exported hashes.

    Raises :class:`StoreNotEmpty` if the store holds records, :class:`ExportError` if
    the file is not a sound export or the store refuses it; either way nothing is
    written, in the events or the keys. Should the key rows fail once the events are
    stored (:class:`ExportError` says so), or the process be killed between the two,
    importing the same file again writes them and nothing else (``batches`` 0), where
    a store that holds records is otherwise refused; its summary says so
    (``finished_earlier_import``). The whole file is held in memory while it is stored.
    ``path`` is a text or a path object, else :class:`~mentoring_core.InvalidValue`.
    """
    path = check_path("path", path)
    recorder = _recorder(service)
    held = _stored_count(recorder)
    if held or recorder.last_link() is not None:
        return _finish(service, path, held)
    checked = _check(service, path)
    _store(recorder, checked.lines, checked.complete)
    _withhold(service, checked)
    _log.info("imported %s lines of %s in one transaction", len(checked.lines), path)
    return _summary(recorder, checked, 1 if checked.lines else 0)


def _summary(
    recorder: ChainedRecorder, checked: _Checked, batches: int, finished: bool = False
) -> ImportSummary:
    """The summary of an import whose events are stored (by ``batches`` transactions;
    ``finished``: by an earlier import of the file, cut off before its key rows)."""
    first_mismatch = _first_mismatch(recorder, checked.lines)
    return ImportSummary(
        records=len(checked.lines),
        batches=batches,
        complete=checked.complete,
        sealed=checked.sealed,
        hashes_match=first_mismatch is None,
        first_mismatch=first_mismatch,
        digest=_last_digest(recorder),
        finished_earlier_import=finished,
    )


def _withhold(service: MentoringService, checked: _Checked) -> None:
    """Write the withheld key rows of ``checked.withheld``, the file's events stored."""
    if not checked.withheld:
        return
    try:
        withhold_keys(service.store.keys.store, checked.withheld)
    except Exception as error:  # whatever the key store raised, the events are stored
        raise ExportError(
            f"the file's {len(checked.lines)} events were stored, but not the withheld key "
            f"rows of the people its sealed fields are under ({error}): import the same "
            "file again to write them (nothing else is written), or copy the source's keys "
            "(mentoring privacy copy-keys); until then their personal fields are refused "
            "as under lost keys"
        ) from error


def _finish(service: MentoringService, path: Path, held: int) -> ImportSummary:
    """``path`` imported again into a store that holds records: refused
    (:class:`StoreNotEmpty`), unless the store holds the file's events and nothing else
    while the key store lacks rows of people the file's sealed fields are under (this
    very import, cut off once its events were stored): those rows are then written."""
    recorder = service.store.recorder
    last = recorder.last_link()
    if last is None or not _as_many_lines(path, last[0]):
        raise StoreNotEmpty(held)
    try:
        checked = _check(service, path)
    except (ExportError, OSError):
        raise StoreNotEmpty(held) from None
    if not checked.withheld or not _holds_only(recorder, checked.lines):
        raise StoreNotEmpty(held)
    _withhold(service, checked)
    _log.info("wrote the key rows of an import of %s cut off before them", path)
    return _summary(recorder, checked, 0, finished=True)


def _as_many_lines(path: Path, links: int) -> bool:
    """Whether ``path`` has ``links`` event lines (and a trailer, or none), counted
    without parsing them: another file is refused quickly."""
    try:
        count = sum(1 for _ in _texts(path))
    except (ExportError, OSError):
        return False
    return count in (links, links + 1)


def _record(event: StoredEvent) -> tuple[UUID, int, str, bytes]:
    return (
        UUID(str(event.originator_id)),
        event.originator_version,
        event.topic,
        bytes(event.state),
    )


def _holds_only(recorder: ChainedRecorder, lines: list[_Line]) -> bool:
    """Whether the store's chain links are the lines' events, one each and in order, and
    the store holds no other record."""
    links = _chain(recorder, 0, PAGE_SIZE)
    for line in lines:
        link = next(links, None)
        if not isinstance(link, ChainRow) or link.event is None:
            return False
        if _record(link.event) != _record(line.stored):
            return False
    return next(links, None) is None and not recorder.select_unchained(1)


def _store(recorder: ChainedRecorder, lines: list[_Line], complete: bool) -> None:
    """Store ``lines`` in one transaction with their recording times (a whole export:
    with their encodings and log positions too)."""
    if not lines:
        return
    try:
        recorder.insert_events(
            [line.stored for line in lines],
            **(
                _link_kwargs(lines)
                if complete
                else {RECORDED_AT_KWARG: [line.recorded_at for line in lines]}
            ),
        )
    except (IntegrityError, StoreConfigurationError) as error:
        raise ExportError(
            f"the store refused lines {lines[0].number} to {lines[-1].number}, and nothing "
            f"of the file was stored: {error}"
        ) from None


def _first_mismatch(recorder: ChainedRecorder, lines: list[_Line]) -> int | None:
    """The exported ``chainsequence`` of the first line whose new link's hash differs.

    The file's links are the chain's first: another writer may have added more since
    the transaction, which are not the file's; a line whose link is gone (removed
    around the library since) was not re-created as exported either."""
    links = _chain(recorder, 0, PAGE_SIZE)
    for line in lines:
        link = next(links, None)
        if not isinstance(link, ChainRow) or link.hash != line.hash:
            return line.sequence
    return None


def _last_digest(recorder: ChainedRecorder) -> Digest | None:
    """The store's last link, as a digest; None if the store has none."""
    last = recorder.last_link()
    if last is None:
        return None
    (row,) = recorder.select_chain(last[0] - 1, 1)
    if isinstance(row, DamagedRow):
        return None
    return Digest(sequence=row.sequence, hash=row.hash, recorded_at=row.recorded_at)
