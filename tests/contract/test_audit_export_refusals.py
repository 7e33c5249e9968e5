"""What an export summarises, and every record or line it refuses, in the words it uses.

docs/audit.md, section 7 and "The export format": an export holds the stored bytes
exactly (non-ASCII text included), ends at a chain link it names, and refuses a record
it could not give back; an import refuses a store that is not empty and a file that is
not a sound export, naming the line, before anything is stored.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from eventsourcing.persistence import StoredEvent

from mentoring_core import MentoringService, NotFound
from mentoring_core.audit import (
    Digest,
    ExportError,
    ExportSummary,
    ImportSummary,
    StoreNotEmpty,
    cloud_events,
    export_events,
    import_events,
)

from .test_service_contract import Seeded, seed, stored_count
from .test_tamper_evidence import RawStore

ODD = UUID(int=7)
"""The aggregate of records written straight into the store by these tests."""


def write(path: Path, docs: list[Any]) -> Path:
    path.write_text("".join(json.dumps(d) + "\n" for d in docs), encoding="utf-8")
    return path


def write_sealed(path: Path, docs: list[Any]) -> Path:
    """``docs`` as a whole export: their lines and a trailer that matches them (a file
    without trailer whose lines carry chainposition was cut short, and is refused)."""
    path.write_text("".join(line + "\n" for line in sealed(docs)), encoding="utf-8")
    return path


def insert(service: MentoringService, topic: str, state: bytes, version: int = 1) -> None:
    stored = StoredEvent(originator_id=ODD, originator_version=version, topic=topic, state=state)
    service.store.recorder.insert_events([stored])


def compact(data: Any) -> bytes:
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode()


class TestExportSummary:
    def test_a_whole_store_export_counts_its_lines_and_ends_at_the_stores_digest(
        self, seeded: tuple[MentoringService, Seeded]
    ) -> None:
        service, _ = seeded
        out = io.StringIO()
        summary = export_events(service, out)
        assert out.getvalue().count("\n") == 12  # eleven events and the trailer
        assert summary == ExportSummary(records=11, aggregate_id=None, last=service.verify().digest)

    def test_one_relationship_ends_at_its_own_last_link(
        self, seeded: tuple[MentoringService, Seeded]
    ) -> None:
        service, pair = seeded
        out = io.StringIO()
        summary = export_events(service, out, aggregate_id=pair.relationship)
        last = json.loads(out.getvalue().splitlines()[-2])
        assert summary.records == 6
        assert summary.aggregate_id == pair.relationship
        assert summary.last == Digest(
            sequence=last["chainsequence"],
            hash=last["chainhash"],
            recorded_at=last["chainrecordedat"],
        )
        assert summary.last.sequence == 11  # the relationship's last record is the store's last

    def test_an_empty_store_exports_nothing_and_names_no_link(self, store_url: str) -> None:
        with MentoringService(store_url) as service:
            out = io.StringIO()
            summary = export_events(service, out)
        assert [json.loads(out.getvalue())["data"]] == [
            {"records": 0, "aggregate": None, "last": None, "sha256": hashlib.sha256().hexdigest()}
        ]
        assert summary == ExportSummary(records=0, aggregate_id=None, last=None)

    def test_the_trailer_is_written_compact_like_the_event_lines(self, store_url: str) -> None:
        with MentoringService(store_url) as service:
            out = io.StringIO()
            export_events(service, out)
        empty = hashlib.sha256().hexdigest()
        assert out.getvalue() == (
            f'{{"specversion":"1.0","id":"{empty}","source":"urn:mentoring-core:export",'
            '"type":"org.mentoring-core.ExportTrailer.v1","datacontenttype":"application/json",'
            f'"data":{{"records":0,"aggregate":null,"last":null,"sha256":"{empty}"}}}}\n'
        )

    def test_non_ascii_text_is_exported_as_utf8_and_comes_back_byte_for_byte(
        self, store_url: str, tmp_path: Path
    ) -> None:
        with MentoringService(store_url) as service:
            service.create_programme("Jyväskylä first year", "Zoë's Care Co-op", actor="coord")
            path = tmp_path / "export.jsonl"
            with path.open("w", encoding="utf-8") as out:
                export_events(service, out)
            digest = service.verify().digest
        text = path.read_text(encoding="utf-8")
        assert "Jyväskylä first year" in text
        assert "Zoë's Care Co-op" in text
        with MentoringService("memory://") as imported:
            summary = import_events(imported, path)
        assert summary.hashes_match
        assert summary.digest == digest

    def test_an_unknown_aggregate_is_named_in_the_refusal(
        self, seeded: tuple[MentoringService, Seeded]
    ) -> None:
        service, _ = seeded
        unknown = UUID(int=99)
        message = f"^no programme or relationship with id {unknown} is recorded$"
        with pytest.raises(NotFound, match=message) as info:
            export_events(service, io.StringIO(), aggregate_id=unknown)
        assert info.value.aggregate_id == unknown


WHERE = "record 12 (aggregate 00000000-0000-0000-0000-000000000007 version 1)"


class TestRecordsThatCannotBeExported:
    @pytest.mark.parametrize(
        ("topic", "state", "message"),
        [
            (
                "ProgrammeCreated",
                b"[1]",
                f"{WHERE}: its stored state is not a JSON object in the compact form the "
                "library writes, so the export could not give back its exact bytes",
            ),
            (
                "Forged",
                b'{"event_id":"e","occurred_at":"t"}',
                f"{WHERE}: 'Forged' is not an event type this library knows",
            ),
            (
                "ProgrammeCreated",
                b'{"occurred_at":"t"}',
                f"{WHERE}: its stored state has no event_id or occurred_at text",
            ),
            (
                "ProgrammeCreated",
                b'{"event_id":"e"}',
                f"{WHERE}: its stored state has no event_id or occurred_at text",
            ),
            (
                "ProgrammeCreated",
                b'{"event_id":"e","occurred_at":"t","class_version":"2"}',
                f"{WHERE}: its class_version '2' is not a whole number",
            ),
        ],
        ids=["not-an-object", "unknown-type", "no-event-id", "no-occurred-at", "text-version"],
    )
    def test_a_record_that_would_not_come_back_is_refused_by_name(
        self, seeded: tuple[MentoringService, Seeded], topic: str, state: bytes, message: str
    ) -> None:
        service, _ = seeded
        insert(service, topic, state)
        with pytest.raises(ExportError, match=f"^{re.escape(message)}$"):
            export_events(service, io.StringIO())

    def test_a_record_that_is_not_utf8_json_is_refused_with_the_reason(
        self, seeded: tuple[MentoringService, Seeded]
    ) -> None:
        service, _ = seeded
        insert(service, "ProgrammeCreated", b"\xff\xfe{")
        pattern = f"^{re.escape(WHERE)}: its stored state is not UTF-8 JSON \\(.+\\)$"
        with pytest.raises(ExportError, match=pattern):
            export_events(service, io.StringIO())

    def test_a_record_holding_a_lone_surrogate_is_refused_by_name(
        self, seeded: tuple[MentoringService, Seeded]
    ) -> None:
        """The escape ``\\udc80`` is JSON, but what it reads is no text UTF-8 can hold: the
        export failed with "unexpected UnicodeEncodeError", naming no record."""
        service, pair = seeded
        (created,) = service.store.recorder.select_events(pair.programme, limit=1)
        state = created.state.replace(b'"actor":"', b'"actor":"far\\udc80', 1)
        assert state != created.state
        insert(service, "ProgrammeCreated", state)
        message = f"{WHERE}: its stored state is not UTF-8 JSON (the escape \\udc80"
        with pytest.raises(ExportError, match=f"^{re.escape(message)}.*lone surrogate"):
            export_events(service, io.StringIO())

    def test_a_record_stored_before_class_versions_exports_as_version_1(
        self, seeded: tuple[MentoringService, Seeded]
    ) -> None:
        service, pair = seeded
        (created,) = service.store.recorder.select_events(pair.programme, limit=1)
        data = json.loads(created.state)
        del data["class_version"], data["command_id"]
        insert(service, "ProgrammeCreated", compact(data))
        (doc,) = cloud_events(service, aggregate_id=ODD)
        assert doc["type"] == "org.mentoring-core.ProgrammeCreated.v1"
        assert doc["source"] == f"urn:mentoring-core:programme:{ODD}"

    def test_a_record_gone_from_under_its_link_is_refused(
        self, seeded: tuple[MentoringService, Seeded]
    ) -> None:
        service, _ = seeded
        if service.store_url.startswith("memory"):
            pytest.skip("the memory store has no tables to reach around the library")
        raw = RawStore(service.store_url)
        link = service.store.recorder.select_chain(5, 1)[0]  # type: ignore[attr-defined]
        with raw.sql() as run:
            run(f"DELETE FROM {raw.events} WHERE {raw.position} = ?", link.notification_id)
        where = f"record 6 (aggregate {link.aggregate_id} version {link.version})"
        message = (
            f"{where} is not where its chain link says; run 'mentoring audit verify' to see why"
        )
        with pytest.raises(ExportError, match=f"^{re.escape(message)}$"):
            export_events(service, io.StringIO())


@pytest.fixture(scope="module")
def good_docs() -> list[dict[str, Any]]:
    """The eleven CloudEvents of a seeded store, in chain order."""
    with MentoringService("memory://") as service:
        seed(service)
        return list(cloud_events(service))


def docs_of(good: list[dict[str, Any]]) -> list[dict[str, Any]]:
    copied: list[dict[str, Any]] = json.loads(json.dumps(good))
    return copied


class TestImportSummary:
    def test_a_store_that_holds_records_is_refused_with_how_many(
        self, seeded: tuple[MentoringService, Seeded], tmp_path: Path, good_docs: list[Any]
    ) -> None:
        service, _ = seeded
        path = write(tmp_path / "export.jsonl", docs_of(good_docs))
        message = (
            "the store already holds 11 records; import only into an empty store "
            "(a new SQLite file, or a new PostgreSQL schema)"
        )
        with pytest.raises(StoreNotEmpty, match=f"^{re.escape(message)}$") as info:
            import_events(service, path)
        assert info.value.records == 11

    def test_a_store_whose_links_are_gone_but_records_remain_is_not_empty(
        self, seeded: tuple[MentoringService, Seeded], tmp_path: Path, good_docs: list[Any]
    ) -> None:
        service, _ = seeded
        if service.store_url.startswith("memory"):
            pytest.skip("the memory store has no tables to reach around the library")
        raw = RawStore(service.store_url)
        with raw.sql() as run:
            run(f"DELETE FROM {raw.chain}")
        path = write(tmp_path / "export.jsonl", docs_of(good_docs))
        with pytest.raises(StoreNotEmpty):
            import_events(service, path)
        assert stored_count(service) == 11

    def test_records_are_stored_in_one_transaction(
        self, store_url: str, tmp_path: Path, good_docs: list[Any]
    ) -> None:
        path = write_sealed(tmp_path / "export.jsonl", docs_of(good_docs))
        with MentoringService(store_url) as service:
            summary = import_events(service, path)
        assert (summary.records, summary.batches) == (11, 1)
        assert summary.digest is not None and summary.digest.sequence == 11

    def test_an_empty_file_is_refused(self, store_url: str, tmp_path: Path) -> None:
        path = tmp_path / "empty.jsonl"
        path.write_text("\n", encoding="utf-8")
        with MentoringService(store_url) as service:
            with pytest.raises(ExportError, match=r"^the file holds no line of an export"):
                import_events(service, path)
            assert stored_count(service) == 0

    def test_an_empty_stores_export_imports_sealed_with_nothing_stored(
        self, store_url: str, tmp_path: Path
    ) -> None:
        path = tmp_path / "empty.jsonl"
        with MentoringService("memory://") as source, path.open("w", encoding="utf-8") as out:
            export_events(source, out)
        with MentoringService(store_url) as service:
            summary = import_events(service, path)
            assert stored_count(service) == 0
        assert summary == nothing_imported(sealed=True)

    def test_a_line_from_before_class_versions_is_read_as_version_1(
        self, tmp_path: Path, good_docs: list[Any]
    ) -> None:
        with MentoringService("memory://") as source:
            created = json.loads(compact(good_docs[0]["data"]))
            del created["class_version"], created["command_id"]
            insert(source, "ProgrammeCreated", compact(created))
            docs = list(cloud_events(source))
        assert docs[0]["type"] == "org.mentoring-core.ProgrammeCreated.v1"
        with MentoringService("memory://") as imported:
            summary = import_events(imported, write_sealed(tmp_path / "v1.jsonl", docs))
            assert imported.programme(ODD).name == "New workers 2026"
        assert (summary.records, summary.hashes_match) == (1, True)
        docs[0]["type"] = "org.mentoring-core.ProgrammeCreated.v2"
        with (
            MentoringService("memory://") as imported,
            pytest.raises(
                ExportError,
                match=r"^line 1: the envelope's type '.*\.v2' disagrees with its data "
                r"\('.*\.v1' expected\)",
            ),
        ):
            import_events(imported, write(tmp_path / "v2.jsonl", docs))


def nothing_imported(*, sealed: bool) -> ImportSummary:
    """The summary of an import that stored nothing, from a file with a trailer or not."""
    return ImportSummary(
        records=0,
        batches=0,
        complete=True,
        sealed=sealed,
        hashes_match=True,
        first_mismatch=None,
        digest=None,
    )


def put(name: str, value: Any) -> Callable[[dict[str, Any]], None]:
    return lambda doc: doc.__setitem__(name, value)


def drop(name: str) -> Callable[[dict[str, Any]], None]:
    return lambda doc: doc.__delitem__(name)


def expected(name: str, value: str, kind: str) -> str:
    return f"line 2: '{name}' is {value}; expected a {kind} (is this a mentoring-core export?)"


LINE_REFUSALS: list[tuple[str, Callable[[dict[str, Any]], None], str]] = [
    ("type", put("type", 5), expected("type", "5", "str")),
    ("data", put("data", []), expected("data", "[]", "dict")),
    ("subject", put("subject", 5), expected("subject", "5", "str")),
    ("aggregateversion", put("aggregateversion", "2"), expected("aggregateversion", "'2'", "int")),
    ("chainsequence", put("chainsequence", 2.0), expected("chainsequence", "2.0", "int")),
    ("chainhash", put("chainhash", 5), expected("chainhash", "5", "str")),
    ("chainrecordedat", put("chainrecordedat", 5), expected("chainrecordedat", "5", "str")),
    ("chainposition", put("chainposition", "2"), expected("chainposition", "'2'", "int")),
    ("chainencoding", put("chainencoding", 2.0), expected("chainencoding", "2.0", "int")),
    # a line has both or (written before they were exported) neither
    ("no-chainposition", drop("chainposition"), expected("chainposition", "None", "int")),
    ("no-chainencoding", drop("chainencoding"), expected("chainencoding", "None", "int")),
    ("position-0", put("chainposition", 0), "line 2: a bad chainposition or chainencoding"),
    ("encoding-3", put("chainencoding", 3), "line 2: a bad chainposition or chainencoding"),
    ("uuid", put("subject", "not-a-uuid"), "line 2: subject 'not-a-uuid' is not a UUID"),
    (
        "time-form",
        put("chainrecordedat", "2026-06-01T09:00:00Z"),
        "line 2: chainrecordedat '2026-06-01T09:00:00Z' is not a UTC time with microseconds "
        "as the chain writes it",
    ),
    (
        "order",
        put("chainsequence", 1),
        "line 2: chainsequence 1 does not follow 1: the lines are not in chain order",
    ),
]


@pytest.mark.parametrize(
    ("edit", "message"), [r[1:] for r in LINE_REFUSALS], ids=[r[0] for r in LINE_REFUSALS]
)
def test_an_edited_line_is_refused_by_its_number_and_field(
    tmp_path: Path,
    good_docs: list[Any],
    edit: Callable[[dict[str, Any]], None],
    message: str,
) -> None:
    docs = docs_of(good_docs)
    edit(docs[1])
    with MentoringService("memory://") as imported:
        with pytest.raises(ExportError, match=f"^{re.escape(message)}$"):
            import_events(imported, write(tmp_path / "edited.jsonl", docs))
        assert stored_count(imported) == 0


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("{not json", r"^line 2: not JSON \(.+\)$"),
        ("[1, 2]", r"^line 2: not a JSON object$"),
    ],
    ids=["not-json", "not-an-object"],
)
def test_a_line_that_is_not_a_json_object_is_refused_by_its_number(
    tmp_path: Path, good_docs: list[Any], line: str, message: str
) -> None:
    path = tmp_path / "broken.jsonl"
    path.write_text(json.dumps(good_docs[0]) + "\n" + line + "\n", encoding="utf-8")
    with MentoringService("memory://") as imported:
        with pytest.raises(ExportError, match=message):
            import_events(imported, path)
        assert stored_count(imported) == 0


def test_a_whole_export_whose_encodings_fall_is_refused_naming_the_line(
    tmp_path: Path, good_docs: list[Any]
) -> None:
    """Its chain could not be re-created, and the refusal named the aggregate and its
    version where the import's others name the line."""
    docs = docs_of(good_docs)
    docs[2]["chainencoding"] = 1  # after line 2's encoding 2
    message = (
        "line 3: chainencoding 1 after line 2's chainencoding 2: an export's encodings "
        "only rise along the chain, so one of the two lines was edited"
    )
    with MentoringService("memory://") as imported:
        with pytest.raises(ExportError, match=f"^{re.escape(message)}$"):
            import_events(imported, write(tmp_path / "fallen.jsonl", docs))
        assert stored_count(imported) == 0


MAX_LINE = 8_000_000
"""The longest line an import reads, in bytes with its line break: eight times the
largest event a store reads back (JSON escapes and the envelope)."""


def test_a_line_of_the_longest_length_is_read_and_one_byte_more_is_refused(
    tmp_path: Path, good_docs: list[Any]
) -> None:
    lines = sealed(good_docs)
    path = tmp_path / "long.jsonl"
    longest = lines[0].ljust(MAX_LINE - 1) + "\n"  # ASCII: a byte a character
    events = "".join(line + "\n" for line in lines[1:-1])
    trailer = json.loads(lines[-1])  # its SHA-256 over the padded line
    trailer["id"] = trailer["data"]["sha256"] = hashlib.sha256(
        (longest + events).encode()
    ).hexdigest()
    rest = events + json.dumps(trailer) + "\n"
    path.write_text(longest + rest, encoding="utf-8")
    with MentoringService("memory://") as imported:
        assert import_events(imported, path).records == 11
    path.write_text(" " + longest + rest, encoding="utf-8")
    message = "line 1: longer than 8,000,000 bytes, which no event a store can read back needs"
    with MentoringService("memory://") as imported:
        with pytest.raises(ExportError, match=f"^{re.escape(message)}$"):
            import_events(imported, path)
        assert stored_count(imported) == 0


def test_a_file_without_line_breaks_is_refused_having_read_one_line_of_it(
    tmp_path: Path,
) -> None:
    """A line is read at most 8,000,000 bytes at a time: a file of 32 MB without a line
    break is refused without being read whole."""
    path = tmp_path / "unbroken.jsonl"
    path.write_bytes(b"x" * (4 * MAX_LINE))
    message = "line 1: longer than 8,000,000 bytes, which no event a store can read back needs"
    with MentoringService("memory://") as imported:
        tracing = tracemalloc.is_tracing()
        tracemalloc.start()
        try:
            before, _ = tracemalloc.get_traced_memory()
            tracemalloc.reset_peak()
            with pytest.raises(ExportError, match=f"^{re.escape(message)}$"):
                import_events(imported, path)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            if not tracing:
                tracemalloc.stop()
    assert peak - before < 3 * MAX_LINE  # a line's worth and its buffer, not the file


def test_a_file_that_is_not_utf8_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "latin1.jsonl"
    path.write_bytes(b"\xff not text\n")
    with MentoringService("memory://") as imported:
        with pytest.raises(ExportError, match=r"^line 1: not UTF-8 text \(invalid start byte\)$"):
            import_events(imported, path)
        assert stored_count(imported) == 0


def test_a_line_that_is_not_utf8_is_named_by_its_own_number(
    tmp_path: Path, good_docs: list[Any]
) -> None:
    """The refusal names the line the bad byte is on, not the first line of the file."""
    path = tmp_path / "mixed.jsonl"
    good = "".join(json.dumps(d) + "\n" for d in good_docs[:2]).encode()
    path.write_bytes(good + b"\xff not text\n" + good)
    with MentoringService("memory://") as imported:
        with pytest.raises(ExportError, match=r"^line 3: not UTF-8 text \(invalid start byte\)$"):
            import_events(imported, path)
        assert stored_count(imported) == 0


def test_a_file_the_store_refuses_part_way_leaves_nothing_of_it(
    store_url: str, tmp_path: Path, good_docs: list[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another writer records into the store between the file's check and its second batch."""
    path = write_sealed(tmp_path / "export.jsonl", docs_of(good_docs))
    with MentoringService(store_url) as service:
        recorder_class = type(service.store.recorder)
        original = recorder_class.insert_events

        def insert_events(self: Any, events: list[StoredEvent], **kwargs: Any) -> Any:
            # someone else stored a line's aggregate version first (a version 1: the
            # store refuses a version whose previous version is not stored)
            late = next(e for e in events[1:] if e.originator_version == 1)
            rival = StoredEvent(
                originator_id=late.originator_id,
                originator_version=late.originator_version,
                topic=late.topic,
                state=late.state,
            )
            original(self, [rival])
            return original(self, events, **kwargs)

        monkeypatch.setattr(recorder_class, "insert_events", insert_events)
        message = r"^the store refused lines 1 to 11, and nothing of the file was stored: .+"
        with pytest.raises(ExportError, match=message):
            import_events(service, path)
        monkeypatch.undo()
        assert stored_count(service) == 1  # the rival alone: no line of the file
        assert [link.sequence for link in service.store.recorder.select_chain(0, 20)] == [1]


def test_a_record_another_writer_stores_after_the_import_is_not_taken_for_a_line(
    store_url: str, tmp_path: Path, good_docs: list[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another writer records into the store between the import's transaction and its
    reading back of the new links. Reproduced before the fix: the import had stored the
    whole file, then failed with ValueError ("zip() argument 2 is longer than argument 1")."""
    path = write_sealed(tmp_path / "export.jsonl", docs_of(good_docs))
    with MentoringService(store_url) as service:
        recorder_class = type(service.store.recorder)
        original = recorder_class.insert_events

        def insert_events(self: Any, events: list[StoredEvent], **kwargs: Any) -> Any:
            stored = original(self, events, **kwargs)
            if len(events) > 1:  # the import's transaction: someone else records next
                rival = StoredEvent(
                    originator_id=ODD,
                    originator_version=1,
                    topic=events[0].topic,
                    state=events[0].state,
                )
                original(self, [rival])
            return stored

        monkeypatch.setattr(recorder_class, "insert_events", insert_events)
        summary = import_events(service, path)
        monkeypatch.undo()
        assert stored_count(service) == 12
        (rival,) = service.store.recorder.select_chain(11, 20)  # type: ignore[attr-defined]
    assert rival.aggregate_id == ODD
    assert summary == ImportSummary(
        records=11,
        batches=1,
        complete=True,
        sealed=True,
        hashes_match=True,
        first_mismatch=None,
        digest=Digest(sequence=12, hash=rival.hash, recorded_at=rival.recorded_at),
    )


def test_a_line_whose_link_is_gone_when_read_back_is_a_mismatch(
    store_url: str, tmp_path: Path, good_docs: list[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Someone removes the last new link, around the library, between the import's
    transaction and its reading back of the new links: that line was not re-created as
    exported, and the summary says so (the lines compared stop at the chain's end)."""
    if store_url.startswith("memory"):
        pytest.skip("the memory store has no tables to reach around the library")
    path = write_sealed(tmp_path / "export.jsonl", docs_of(good_docs))
    raw = RawStore(store_url)
    with MentoringService(store_url) as service:
        recorder_class = type(service.store.recorder)
        original = recorder_class.insert_events

        def insert_events(self: Any, events: list[StoredEvent], **kwargs: Any) -> Any:
            stored = original(self, events, **kwargs)
            with raw.sql() as run:
                run(f"DELETE FROM {raw.chain} WHERE sequence = ?", len(events))
            return stored

        monkeypatch.setattr(recorder_class, "insert_events", insert_events)
        summary = import_events(service, path)
        monkeypatch.undo()
    assert (summary.records, summary.hashes_match, summary.first_mismatch) == (11, False, 11)


def test_a_line_holding_a_lone_surrogate_is_refused_by_its_number(
    tmp_path: Path, good_docs: list[Any]
) -> None:
    """``"actor":"\\udc80"`` (valid JSON, no Unicode text) failed the import with
    "unexpected UnicodeEncodeError", naming no line."""
    docs = docs_of(good_docs)
    docs[1]["data"]["actor"] = "\udc80"
    path = write(tmp_path / "edited.jsonl", docs)  # json.dumps escapes it: \udc80
    assert '"actor": "\\udc80"' in path.read_text(encoding="utf-8")
    with MentoringService("memory://") as imported:
        with pytest.raises(ExportError, match=r"^line 2: .*\\udc80.*lone surrogate"):
            import_events(imported, path)
        assert stored_count(imported) == 0


def sealed(
    docs: list[dict[str, Any]],
    envelope: dict[str, Any] | None = None,
    *,
    texts: dict[int, str] | None = None,
    **data: Any,
) -> list[str]:
    """``docs`` as export lines (``texts`` replacing some, by index) with a trailer whose
    SHA-256 matches them, as a forger can make it (it is not signed), and ``data`` (and
    ``envelope``, its attributes beside ``data``) changed in it."""
    lines = [json.dumps(d, separators=(",", ":"), ensure_ascii=False) for d in docs]
    lines = [(texts or {}).get(i, line) for i, line in enumerate(lines)]
    sha256 = hashlib.sha256("".join(line + "\n" for line in lines).encode()).hexdigest()
    last = docs[-1]
    trailer = {
        "specversion": "1.0",
        "id": sha256,
        "source": "urn:mentoring-core:export",
        "type": "org.mentoring-core.ExportTrailer.v1",
        "datacontenttype": "application/json",
        "data": {
            "records": len(docs),
            "aggregate": None,
            "last": {
                "sequence": last["chainsequence"],
                "hash": last["chainhash"],
                "recorded_at": last["chainrecordedat"],
            },
            "sha256": sha256,
            **data,
        },
        **(envelope or {}),
    }
    return [*lines, json.dumps(trailer)]


def link_of(doc: dict[str, Any]) -> dict[str, Any]:
    """An event line's chain link as the trailer names it."""
    return {
        "sequence": doc["chainsequence"],
        "hash": doc["chainhash"],
        "recorded_at": doc["chainrecordedat"],
    }


def spaced(lines: list[str]) -> list[str]:
    """The first line with two spaces after its JSON: the same event, another line."""
    return [lines[0] + "  ", *lines[1:]]


NOT_AS_WRITTEN = "line 12: the export trailer is not as 'audit export' writes it"


TRAILER_REFUSALS: list[tuple[str, Callable[[list[dict[str, Any]]], list[str]], str]] = [
    ("sound", lambda docs: sealed(docs), ""),
    ("records-as-text", lambda docs: sealed(docs, records="11"), NOT_AS_WRITTEN),
    ("id-not-its-sha256", lambda docs: sealed(docs, envelope={"id": "0" * 64}), NOT_AS_WRITTEN),
    (
        "last-with-another-key",
        lambda docs: sealed(docs, last={**link_of(docs[-1]), "signed": True}),
        NOT_AS_WRITTEN,
    ),
    (
        "last-sequence-as-a-real",
        lambda docs: sealed(docs, last={**link_of(docs[-1]), "sequence": 11.0}),
        NOT_AS_WRITTEN,
    ),
    (
        "a-line-counted-away",
        lambda docs: sealed(docs, records=10),
        "line 12: the export trailer counts 10 records but the file holds 11: a line was "
        "removed or added",
    ),
    (
        "trailing-spaces",
        lambda docs: spaced(sealed(docs)),
        "line 12: the export trailer does not match the lines before it (sha256): a line was "
        "changed, added, removed or moved",
    ),
    (
        "unknown-key",
        lambda docs: sealed(docs, signed=True),
        "line 12: the export trailer is not as 'audit export' writes it",
    ),
    (
        "bad-aggregate",
        lambda docs: sealed(docs, aggregate="not-a-uuid"),
        "line 12: the export trailer is not as 'audit export' writes it",
    ),
    (
        "other-last-link",
        lambda docs: sealed(docs, last={"sequence": 11, "hash": "0" * 64, "recorded_at": "x"}),
        "line 12: the export trailer names another last chain link than the last line's",
    ),
    (
        "whole-with-a-gap",
        lambda docs: sealed(docs[:5] + docs[6:]),
        "line 11: the export trailer says a whole-store export, but chain records are missing "
        "from it",
    ),
    (
        "stray-aggregate",
        lambda docs: sealed(docs, aggregate=docs[0]["subject"]),
        "line 5: not an event of aggregate {}, the only one the export trailer names",
    ),
]


@pytest.mark.parametrize(
    ("make", "message"), [r[1:] for r in TRAILER_REFUSALS], ids=[r[0] for r in TRAILER_REFUSALS]
)
def test_a_trailer_that_does_not_fit_its_lines_is_refused(
    tmp_path: Path,
    good_docs: list[Any],
    make: Callable[[list[dict[str, Any]]], list[str]],
    message: str,
) -> None:
    docs = docs_of(good_docs)
    path = tmp_path / "sealed.jsonl"
    path.write_text("".join(line + "\n" for line in make(docs)), encoding="utf-8")
    with MentoringService("memory://") as imported:
        if not message:
            assert import_events(imported, path).sealed
            return
        message = message.replace("{}", docs[0]["subject"])
        with pytest.raises(ExportError, match=f"^{re.escape(message)}$"):
            import_events(imported, path)
        assert stored_count(imported) == 0
