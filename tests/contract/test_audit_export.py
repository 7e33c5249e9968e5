"""Export to CloudEvents JSON Lines and import into an empty store, on every store.

A whole-store export imported into a fresh store gives the very same chain: the same
digest, every hash as exported, and ``verify`` passes. Edited files and non-empty
stores are refused or reported, and nothing is stored from a file that is not sound.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from uuid import UUID

import pytest
from eventsourcing.persistence import StoredEvent

from mentoring_core import MentoringService, NotFound
from mentoring_core.audit import (
    ExportError,
    ImportSummary,
    StoreNotEmpty,
    cloud_events,
    export_events,
    import_events,
)
from mentoring_core.events import EVENT_TYPES
from mentoring_core.privacy import copy_keys
from mentoring_core.values import MeetingFormat

from .test_service_contract import Seeded, seed, stored_count
from .test_tamper_evidence import RawStore

EXTENSIONS = (
    "aggregateversion",
    "chainsequence",
    "chainhash",
    "chainrecordedat",
    "chainposition",
    "chainencoding",
)


@pytest.fixture
def source(store_url: str) -> Iterator[tuple[MentoringService, Seeded]]:
    with MentoringService(store_url) as service:
        yield service, seed(service)


def export_to(service: MentoringService, path: Path, aggregate_id: UUID | None = None) -> Path:
    with path.open("w", encoding="utf-8") as out:
        export_events(service, out, aggregate_id=aggregate_id)
    return path


def lines(path: Path) -> list[dict[str, object]]:
    """The event lines of an export, its trailer (checked to be there) left out."""
    docs = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert docs[-1]["type"] == "org.mentoring-core.ExportTrailer.v1"
    return docs[:-1]


class TestExport:
    def test_each_line_is_a_cloud_event_carrying_the_stored_bytes_and_chain_link(
        self, source: tuple[MentoringService, Seeded], tmp_path: Path
    ) -> None:
        service, seeded = source
        path = export_to(service, tmp_path / "export.jsonl")
        events = lines(path)
        assert len(events) == stored_count(service) == 11
        chain = service.store.recorder.select_chain(0, 100)  # type: ignore[attr-defined]
        for doc, link in zip(events, chain, strict=True):
            stored = link.event
            assert doc["specversion"] == "1.0"
            assert doc["datacontenttype"] == "application/json"
            assert doc["subject"] == str(link.aggregate_id)
            kind = "programme" if link.aggregate_id == seeded.programme else "relationship"
            assert doc["source"] == f"urn:mentoring-core:{kind}:{link.aggregate_id}"
            version = json.loads(stored.state)["class_version"]
            assert doc["type"] == f"org.mentoring-core.{stored.topic}.v{version}"
            data = doc["data"]
            assert isinstance(data, dict)
            assert doc["id"] == data["event_id"]
            assert doc["time"] == data["occurred_at"]
            compact = json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode()
            assert compact == stored.state
            assert (doc["aggregateversion"], doc["chainsequence"]) == (link.version, link.sequence)
            assert (doc["chainhash"], doc["chainrecordedat"]) == (link.hash, link.recorded_at)
            assert (doc["chainposition"], doc["chainencoding"]) == (link.notification_id, 2)
            for name in doc:
                assert re.fullmatch(r"[a-z0-9]+", name), name  # CloudEvents attribute names

    def test_one_relationship_exports_only_its_events_in_order(
        self, source: tuple[MentoringService, Seeded], tmp_path: Path
    ) -> None:
        service, seeded = source
        events = lines(export_to(service, tmp_path / "r.jsonl", seeded.relationship))
        assert {e["subject"] for e in events} == {str(seeded.relationship)}
        assert [e["aggregateversion"] for e in events] == list(range(1, 7))
        sequences = [e["chainsequence"] for e in events]
        assert sequences == sorted(sequences)

    def test_an_unknown_aggregate_is_not_found(
        self, source: tuple[MentoringService, Seeded]
    ) -> None:
        service, _ = source
        with pytest.raises(NotFound):
            export_events(service, io.StringIO(), aggregate_id=UUID(int=99))

    def test_a_record_whose_bytes_would_not_come_back_is_refused(self, store_url: str) -> None:
        with MentoringService(store_url) as service:
            seed(service)
            odd = StoredEvent(
                originator_id=UUID(int=7),
                originator_version=1,
                topic="ProgrammeCreated",
                state=b'{"event_id": "x", "occurred_at": "y"}',  # spaces: not the mapper's form
            )
            service.store.recorder.insert_events([odd])
            with pytest.raises(ExportError, match=r"record 12 \(aggregate .*0007 version 1\)"):
                export_events(service, io.StringIO())


class TestImport:
    def test_a_whole_store_export_imports_to_an_identical_chain(
        self, source: tuple[MentoringService, Seeded], fresh_url: str, tmp_path: Path
    ) -> None:
        service, seeded = source
        path = export_to(service, tmp_path / "export.jsonl")
        with MentoringService(fresh_url) as imported:
            copy_keys(service.store.keys.store, imported.store.keys.store)  # not in the export
            summary = import_events(imported, path)
            outcome = imported.verify()
            history = imported.history(seeded.relationship)
            relationship = imported.relationship(seeded.relationship)
        original = service.verify()
        assert outcome.ok, outcome.finding
        assert (summary.records, summary.batches) == (11, 1)
        assert (
            summary.complete
            and summary.sealed
            and summary.hashes_match
            and summary.first_mismatch is None
        )
        assert original.digest is not None
        assert summary.digest == outcome.digest == original.digest
        assert history == service.history(seeded.relationship)
        assert relationship == service.relationship(seeded.relationship)

    def test_one_relationship_imports_to_a_new_chain_that_verifies(
        self, source: tuple[MentoringService, Seeded], fresh_url: str, tmp_path: Path
    ) -> None:
        service, seeded = source
        path = export_to(service, tmp_path / "r.jsonl", seeded.relationship)
        with MentoringService(fresh_url) as imported:
            copy_keys(service.store.keys.store, imported.store.keys.store)  # not in the export
            summary = import_events(imported, path)
            assert imported.verify().ok
            assert imported.relationship(seeded.relationship) == service.relationship(
                seeded.relationship
            )
        assert summary.records == 6
        assert not summary.complete
        assert not summary.hashes_match  # a new chain: the first programme link is missing
        assert summary.first_mismatch == lines(path)[0]["chainsequence"] == 5  # at once

    def test_a_store_that_holds_records_is_refused(
        self, source: tuple[MentoringService, Seeded], tmp_path: Path
    ) -> None:
        service, _ = source
        path = export_to(service, tmp_path / "export.jsonl")
        with pytest.raises(StoreNotEmpty, match="already holds 11 records"):
            import_events(service, path)
        assert stored_count(service) == 11

    def test_a_bad_line_anywhere_stores_nothing(
        self, source: tuple[MentoringService, Seeded], fresh_url: str, tmp_path: Path
    ) -> None:
        service, _ = source
        path = export_to(service, tmp_path / "export.jsonl")
        text = path.read_text(encoding="utf-8").splitlines()
        text[-2] = text[-2].replace('"specversion":"1.0"', '"specversion":"0.3"')
        path.write_text("\n".join(text) + "\n", encoding="utf-8")
        with MentoringService(fresh_url) as imported:
            with pytest.raises(ExportError, match=r"line 11: not a CloudEvent 1\.0"):
                import_events(imported, path)
            assert stored_count(imported) == 0

    @pytest.mark.parametrize(
        ("edit", "message"),
        [
            (lambda d: d.update(type="org.mentoring-core.Forged.v1"), "not a mentoring-core event"),
            (lambda d: d.update(id="another"), "disagrees with its data"),
            (lambda d: d.update(chainrecordedat="2026-06-01T09:00:00Z"), "chainrecordedat"),
            (lambda d: d.update(aggregateversion=2), "version 1 was expected"),
            (lambda d: d.update(chainsequence=0), "bad aggregateversion, chainsequence"),
        ],
        ids=["type", "id", "time-form", "version", "sequence"],
    )
    def test_edited_envelopes_are_refused(
        self,
        source: tuple[MentoringService, Seeded],
        tmp_path: Path,
        edit: object,
        message: str,
    ) -> None:
        service, _ = source
        docs = list(cloud_events(service))
        edit(docs[0])  # type: ignore[operator]
        path = tmp_path / "edited.jsonl"
        path.write_text("".join(json.dumps(d) + "\n" for d in docs), encoding="utf-8")
        with MentoringService("memory://") as imported, pytest.raises(ExportError, match=message):
            import_events(imported, path)

    def test_edited_data_in_a_file_without_trailer_is_refused_by_its_hash(
        self, source: tuple[MentoringService, Seeded], fresh_url: str, tmp_path: Path
    ) -> None:
        """Issue 11: a tampered export stored its records, then exited 1."""
        service, _ = source
        docs = list(cloud_events(service))  # no trailer: as exports were written before
        data = docs[4]["data"]
        data["actor"] = "someone-else"
        path = tmp_path / "edited.jsonl"
        path.write_text("".join(json.dumps(d) + "\n" for d in docs), encoding="utf-8")
        message = (
            "^line 5: its chainhash is not the hash of its record and the lines before it: "
            "the line was edited, or the source store does not verify$"
        )
        with MentoringService(fresh_url) as imported:
            with pytest.raises(ExportError, match=message):
                import_events(imported, path)
            assert stored_count(imported) == 0

    def test_a_sqlite_log_with_a_gap_imports_each_event_at_its_exported_position(
        self, tmp_path: Path
    ) -> None:
        """A record written around the library, then removed, leaves a gap in the log.
        Encoding 2 binds each link's log position: the import checks the hashes with the
        exported positions and stores each event at its own, so the copy's chain is the
        source's (PostgreSQL's burned ids: test_chain_encodings)."""
        url = f"sqlite:///{tmp_path / 'source.db'}"
        raw = RawStore(url)
        with MentoringService(url) as source:
            seeded = seed(source)
            with raw.sql() as run:
                run(
                    "INSERT INTO stored_events (originator_id, originator_version, topic, state) "
                    "VALUES (NULL, NULL, NULL, NULL)"
                )
            source.record_meeting_held(
                seeded.relationship, 50, MeetingFormat.VIDEO, ["after"], actor="ana"
            )
            with raw.sql() as run:
                run("DELETE FROM stored_events WHERE rowid = 12")
            digest = source.verify().digest
            path = export_to(source, tmp_path / "gap.jsonl")
            chain = source.store.recorder.select_chain(0, 100)  # type: ignore[attr-defined]
            positions = [row.notification_id for row in chain]
            with MentoringService(f"sqlite:///{tmp_path / 'copy.db'}") as copied:
                copy_keys(source.store.keys.store, copied.store.keys.store)  # not in the export
                summary = import_events(copied, path)
                outcome = copied.verify(against=digest)
                rows = copied.store.recorder.select_chain(0, 100)  # type: ignore[attr-defined]
        assert positions == [*range(1, 12), 13]  # the gap
        assert digest is not None
        assert summary == ImportSummary(
            records=12,
            batches=1,
            complete=True,
            sealed=True,
            hashes_match=True,
            first_mismatch=None,
            digest=digest,
        )
        assert outcome.ok, outcome.finding
        assert [row.notification_id for row in rows] == positions

    def test_a_file_cut_before_its_trailer_is_refused(
        self, source: tuple[MentoringService, Seeded], fresh_url: str, tmp_path: Path
    ) -> None:
        """Lines with chainposition come of exports that write a trailer: this one was
        cut short (an export from before trailers: test_import_truncated)."""
        service, _ = source
        path = tmp_path / "cut.jsonl"
        path.write_text("".join(json.dumps(d) + "\n" for d in cloud_events(service)))
        with MentoringService(fresh_url) as imported:
            with pytest.raises(ExportError, match=r"^line 11: .*the file was cut short"):
                import_events(imported, path)
            assert stored_count(imported) == 0


def test_every_event_type_has_a_kind_for_its_source() -> None:
    from mentoring_core.events import ProgrammeEvent, RelationshipEvent

    for cls in EVENT_TYPES.values():
        assert issubclass(cls, ProgrammeEvent | RelationshipEvent), cls


def test_cloud_events_page_by_chain_sequence_like_the_feed(
    source: tuple[MentoringService, Seeded],
) -> None:
    service, seeded = source
    whole = list(cloud_events(service))
    paged: list[dict[str, object]] = []
    after = 0
    while page := list(cloud_events(service, after, limit=4)):
        assert len(page) <= 4
        paged.extend(page)
        after = int(page[-1]["chainsequence"])
    assert paged == whole
    assert [d["chainsequence"] for d in whole] == list(range(1, len(whole) + 1))
    mine = list(cloud_events(service, 3, aggregate_id=seeded.relationship, limit=2))
    assert [d["subject"] for d in mine] == [str(seeded.relationship)] * 2
    assert all(int(d["chainsequence"]) > 3 for d in mine)


TRAILER = "org.mentoring-core.ExportTrailer.v1"


def edit_lines(path: Path, change: Callable[[list[str]], None]) -> Path:
    text = path.read_text(encoding="utf-8").splitlines()
    change(text)
    path.write_text("".join(line + "\n" for line in text), encoding="utf-8")
    return path


def swap_with_sequences(text: list[str]) -> None:
    """Lines 3 and 4 change places, their chainsequence values too: still ascending."""
    third, fourth = json.loads(text[2]), json.loads(text[3])
    third["chainsequence"], fourth["chainsequence"] = 4, 3
    text[2], text[3] = json.dumps(fourth), json.dumps(third)


def inject(service: MentoringService, topic: str, state: bytes) -> None:
    """A record stored through the recorder alone: chained, never checked by the mapper."""
    stored = StoredEvent(originator_id=UUID(int=7), originator_version=1, topic=topic, state=state)
    service.store.recorder.insert_events([stored])


def created_state(service: MentoringService, programme: UUID, **changes: object) -> bytes:
    (created,) = service.store.recorder.select_events(programme, limit=1)
    data = {**json.loads(created.state), **changes}
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode()


class TestWholeImports:
    """Issue 11, item 5: an import is all or nothing, and a whole export is complete."""

    def test_an_export_ends_with_a_trailer_naming_count_last_link_and_lines_hash(
        self, source: tuple[MentoringService, Seeded], tmp_path: Path
    ) -> None:
        service, _ = source
        path = export_to(service, tmp_path / "export.jsonl")
        *events, trailer = path.read_text(encoding="utf-8").splitlines()
        doc = json.loads(trailer)
        digest = service.verify().digest
        assert digest is not None
        lines_hash = hashlib.sha256("".join(e + "\n" for e in events).encode()).hexdigest()
        assert doc == {
            "specversion": "1.0",
            "id": lines_hash,
            "source": "urn:mentoring-core:export",
            "type": TRAILER,
            "datacontenttype": "application/json",
            "data": {
                "records": 11,
                "aggregate": None,
                "last": {
                    "sequence": digest.sequence,
                    "hash": digest.hash,
                    "recorded_at": digest.recorded_at,
                },
                "sha256": lines_hash,
            },
        }

    @pytest.mark.parametrize(
        ("change", "message"),
        [
            (lambda t: t.pop(5), "counts 11 records but the file holds 10"),
            (lambda t: t.pop(10), "counts 11 records but the file holds 10"),
            (
                lambda t: t.insert(11, t[10].replace('"chainsequence":11', '"chainsequence":12')),
                "counts 11 records but the file holds 12",
            ),
            (swap_with_sequences, r"does not match the lines before it \(sha256\)"),
            (lambda t: t.append(t[0]), "line 13: a line after the export trailer"),
        ],
        ids=[
            "middle-line-missing",
            "last-line-missing",
            "line-added",
            "reordered",
            "after-trailer",
        ],
    )
    def test_a_missing_added_or_moved_line_is_refused_and_nothing_stored(
        self,
        source: tuple[MentoringService, Seeded],
        fresh_url: str,
        tmp_path: Path,
        change: Callable[[list[str]], None],
        message: str,
    ) -> None:
        service, _ = source
        path = edit_lines(export_to(service, tmp_path / "export.jsonl"), change)
        with MentoringService(fresh_url) as imported:
            with pytest.raises(ExportError, match=message):
                import_events(imported, path)
            assert stored_count(imported) == 0
            assert imported.store.recorder.last_link() is None  # type: ignore[attr-defined]

    def test_a_relationship_export_is_sealed_too(
        self, source: tuple[MentoringService, Seeded], tmp_path: Path
    ) -> None:
        service, seeded = source
        path = export_to(service, tmp_path / "r.jsonl", seeded.relationship)
        trailer = json.loads(path.read_text(encoding="utf-8").splitlines()[-1])
        assert trailer["data"]["aggregate"] == str(seeded.relationship)
        with MentoringService("memory://") as imported:
            assert import_events(imported, path).sealed
        edit_lines(path, lambda t: t.pop(2))
        with MentoringService("memory://") as imported:
            with pytest.raises(ExportError, match="counts 6 records but the file holds 5"):
                import_events(imported, path)
            assert stored_count(imported) == 0

    def test_an_unreadable_event_late_in_a_sound_file_stores_nothing(
        self, fresh_url: str, tmp_path: Path
    ) -> None:
        with MentoringService("memory://") as source:
            seeded = seed(source)
            inject(source, "ProgrammeCreated", created_state(source, seeded.programme, name=5))
            path = export_to(source, tmp_path / "export.jsonl")
        with MentoringService(fresh_url) as imported:
            with pytest.raises(ExportError, match=r"^line 12: its event could not be read back: "):
                import_events(imported, path)
            assert stored_count(imported) == 0

    @pytest.mark.parametrize(
        ("size", "message"),
        [
            (1_000_001, "its event is 1,000,001 bytes once stored, over the 1,000,000 bytes"),
            (8_500_000, "longer than 8,000,000 bytes, which no event a store can read back"),
        ],
        ids=["just-over", "8MB"],
    )
    def test_an_event_over_the_size_cap_late_in_the_file_is_refused_at_once(
        self, fresh_url: str, tmp_path: Path, size: int, message: str
    ) -> None:
        """Issue 11: on PostgreSQL an event of 8 MB or more hung the import."""
        with MentoringService("memory://") as source:
            seeded = seed(source)
            small = created_state(source, seeded.programme, name="")
            name = "x" * (size - len(small))
            inject(source, "ProgrammeCreated", created_state(source, seeded.programme, name=name))
            path = export_to(source, tmp_path / "export.jsonl")
        started = time.monotonic()
        with MentoringService(fresh_url) as imported:
            with pytest.raises(ExportError, match=f"^line 12: {message}"):
                import_events(imported, path)
            assert stored_count(imported) == 0
        assert time.monotonic() - started < 30

    def test_an_event_at_the_size_cap_imports_and_reads_back(
        self, fresh_url: str, tmp_path: Path
    ) -> None:
        with MentoringService("memory://") as source:
            seeded = seed(source)
            small = created_state(source, seeded.programme, name="")
            name = "x" * (1_000_000 - len(small))
            inject(source, "ProgrammeCreated", created_state(source, seeded.programme, name=name))
            path = export_to(source, tmp_path / "export.jsonl")
        started = time.monotonic()
        with MentoringService(fresh_url) as imported:
            summary = import_events(imported, path)
            assert imported.programme(UUID(int=7)).name == name
            assert imported.verify().ok
        assert (summary.records, summary.sealed, summary.hashes_match) == (12, True, True)
        assert time.monotonic() - started < 60
