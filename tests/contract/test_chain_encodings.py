"""Chain encoding 2 binds what readers read: the log position, and the id in the one
form readers look it up by; old (encoding 1) links stay valid, but only before new ones.

Each tampering here passed ``verify`` with encoding 1 alone (reproduced before the
change): an id rewritten as another text of the same UUID hid the event from its
history; events moved to other log positions together with their links' positions
changed the order followers read; and nothing stopped a forger re-chaining a new link
in the old encoding, which does not bind the position.
"""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from eventsourcing.persistence import IntegrityError, StoredEvent
from mentoring_core_postgres.testing import postgres_store_url

from mentoring_core import MentoringService
from mentoring_core.audit import ExportError, export_events, import_events
from mentoring_core.audit.verify import Breach
from mentoring_core.privacy.keys import copy_keys
from mentoring_core.values import MeetingFormat

from .test_chain_v1_store import STORE as V1_STORE
from .test_service_contract import seed
from .test_tamper_evidence import RawStore

SQL_STORES = ["sqlite", "postgres"]
V1_PAIR = UUID("78a01a33-462b-5e8d-a727-98b2b2b0e158")
"""The first pair of the encoding 1 store (ana and ben)."""


@pytest.fixture(params=SQL_STORES)
def store_kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def breach_after(url: str, tamper: Callable[[RawStore, Callable[..., list[Any]]], None]) -> Any:
    """Seed a store at ``url``, tamper with it through raw SQL, and verify it."""
    raw = RawStore(url)
    with MentoringService(url) as service:
        seed(service)
        assert service.verify().ok
        with raw.sql() as run:
            tamper(raw, run)
        return service.verify().finding


def relationship_history(url: str, seeded_relationship: UUID) -> int:
    with MentoringService(url, trust_snapshots=False) as service:
        return len(service.history(seeded_relationship))


@pytest.mark.parametrize("form", ["upper", "urn", "dashes"])
@pytest.mark.parametrize("table", ["events", "chain"])
def test_an_id_rewritten_in_another_text_form_is_a_breach(
    tmp_path: Path, form: str, table: str
) -> None:
    url = f"sqlite:///{tmp_path / 'store.db'}"

    def rewrite(raw: RawStore, run: Callable[..., list[Any]]) -> None:
        name = raw.events if table == "events" else raw.chain
        where = "rowid" if table == "events" else "notification_id"
        ((text,),) = run(f"SELECT originator_id FROM {name} WHERE {where} = 6")
        other = {"upper": text.upper(), "urn": UUID(text).urn, "dashes": str(UUID(text))}[form]
        run(f"UPDATE {name} SET originator_id = ? WHERE {where} = 6", other)

    finding = breach_after(url, rewrite)
    assert finding is not None
    assert finding.breach is Breach.CHANGED
    assert finding.sequence == 6
    side = "event" if table == "events" else "link"
    assert f"its {side} originator_id is " in finding.detail
    assert "not as the library writes it" in finding.detail


def test_an_id_in_another_form_hides_the_event_from_readers(tmp_path: Path) -> None:
    """Why the form matters: readers look the id up by one text only."""
    url = f"sqlite:///{tmp_path / 'store.db'}"
    with MentoringService(url) as service:
        seeded = seed(service)
    before = relationship_history(url, seeded.relationship)
    with sqlite3.connect(tmp_path / "store.db") as db:
        db.execute(
            "UPDATE stored_events SET originator_id = upper(originator_id) "
            "WHERE originator_id = ? AND originator_version = 3",
            (seeded.relationship.hex,),
        )
    assert relationship_history(url, seeded.relationship) == before - 1


def test_events_moved_with_their_links_positions_are_a_breach(store_url: str) -> None:
    """Two events swap log positions, and their links' notification ids follow them:
    every link still finds its own event, but the log's order changed."""

    def swap(raw: RawStore, run: Callable[..., list[Any]]) -> None:
        first, second = raw.positions()[6], raw.positions()[8]
        for table, column in ((raw.events, raw.position), (raw.chain, "notification_id")):
            run(f"UPDATE {table} SET {column} = -1 WHERE {column} = ?", first)
            run(f"UPDATE {table} SET {column} = ? WHERE {column} = ?", first, second)
            run(f"UPDATE {table} SET {column} = ? WHERE {column} = -1", second)

    finding = breach_after(store_url, swap)
    assert finding is not None
    assert finding.breach is Breach.CHANGED
    assert finding.sequence == 7
    assert "log position" in finding.detail


def test_a_link_re_chained_in_the_old_encoding_is_a_downgrade(store_url: str) -> None:
    def downgrade(raw: RawStore, run: Callable[..., list[Any]]) -> None:
        run(f"UPDATE {raw.chain} SET encoding = 1 WHERE sequence = 9")
        raw.rechain(run)  # every hash consistent again, link 9 in encoding 1

    finding = breach_after(store_url, downgrade)
    assert finding is not None
    assert finding.breach is Breach.DOWNGRADED
    assert finding.sequence == 9
    assert "chained in encoding 1 after links of encoding 2" in finding.detail


def test_every_link_written_now_is_of_encoding_2(store_url: str) -> None:
    with MentoringService(store_url) as service:
        seed(service)
        rows = service.store.recorder.select_chain(0, 100)  # type: ignore[attr-defined]
    assert [row.encoding for row in rows] == [2] * 11


def test_a_text_id_is_stored_in_the_one_form_readers_use(store_url: str) -> None:
    aggregate = UUID("00000000-0000-4000-8000-00000000abcd")
    with MentoringService(store_url) as service:
        recorder: Any = service.store.recorder
        recorder.insert_events(
            [
                StoredEvent(
                    originator_id=str(aggregate).upper(),
                    originator_version=1,
                    topic="T",
                    state=b"{}",
                )
            ]
        )
        (found,) = recorder.select_events(aggregate)
        assert found.originator_version == 1
        assert service.verify().ok
    raw = RawStore(store_url)
    with raw.sql() as run:
        ((text,),) = run(f"SELECT originator_id FROM {raw.events}")
    assert str(text) == (aggregate.hex if raw.is_sqlite else str(aggregate))


def test_the_v1_store_grows_with_v2_links_after_its_v1_ones(tmp_path: Path) -> None:
    copy = tmp_path / "old.sqlite"
    shutil.copyfile(V1_STORE, copy)
    pair = V1_PAIR
    for _ in range(2):  # opening twice adds the column once
        with MentoringService(f"sqlite:///{copy}") as service:
            service.record_meeting_held(pair, 50, MeetingFormat.VIDEO, ["later"], actor="ana")
            outcome = service.verify()
            rows = service.store.recorder.select_chain(0, 100)  # type: ignore[attr-defined]
            assert outcome.ok, outcome.finding
    assert [row.encoding for row in rows] == [1] * 21 + [2, 2]
    with sqlite3.connect(copy) as db:
        columns = [r[1] for r in db.execute("PRAGMA table_info(mentoring_chain)")]
    assert columns.count("encoding") == 1


def test_a_grown_v1_store_exports_and_imports_to_the_same_chain(
    tmp_path: Path, store_url: str
) -> None:
    copy = tmp_path / "old.sqlite"
    shutil.copyfile(V1_STORE, copy)
    with MentoringService(f"sqlite:///{copy}") as source:
        source.record_meeting_held(V1_PAIR, 50, MeetingFormat.VIDEO, ["x"], actor="ana")
        digest = source.verify().digest
        with (tmp_path / "grown.jsonl").open("w", encoding="utf-8") as out:
            export_events(source, out)
    with MentoringService(store_url) as copied:
        summary = import_events(copied, tmp_path / "grown.jsonl")
        outcome = copied.verify(against=digest)
        rows = copied.store.recorder.select_chain(0, 100)  # type: ignore[attr-defined]
    assert summary.hashes_match
    assert outcome.ok, outcome.finding
    assert [row.encoding for row in rows] == [1] * 21 + [2]


@pytest.mark.postgres
def test_postgresql_log_positions_with_gaps_are_kept_by_an_import(tmp_path: Path) -> None:
    """A refused insert burns PostgreSQL ids, so its log has gaps. The import stores each
    event at its exported position, so the hashes (which bind it) still match; a memory
    store, which can only number 1, 2, 3..., refuses the file and stores nothing."""
    with postgres_store_url("gaps") as url, MentoringService(url) as source:
        seeded = seed(source)
        recorder: Any = source.store.recorder
        clash = StoredEvent(
            originator_id=seeded.relationship, originator_version=1, topic="T", state=b"{}"
        )
        with pytest.raises(IntegrityError):
            recorder.insert_events([clash])
        source.record_meeting_held(
            seeded.relationship, 50, MeetingFormat.VIDEO, ["after"], actor="ana"
        )
        digest = source.verify().digest
        with (tmp_path / "gaps.jsonl").open("w", encoding="utf-8") as out:
            export_events(source, out)
        positions = [row.notification_id for row in recorder.select_chain(0, 100)]
        assert positions[-1] == len(positions) + 1  # the gap
        with postgres_store_url("gapscopy") as other:
            for target in (f"sqlite:///{tmp_path / 'copy.db'}", other):
                with MentoringService(target) as copied:
                    # the export carries no keys: without them no new topic could be sealed
                    copy_keys(source.store.keys.store, copied.store.keys.store)
                    summary = import_events(copied, tmp_path / "gaps.jsonl")
                    outcome = copied.verify(against=digest)
                    rows = copied.store.recorder.select_chain(0, 100)  # type: ignore[attr-defined]
                    later = copied.record_meeting_held(
                        seeded.relationship, 50, MeetingFormat.VIDEO, ["x"], actor="a"
                    )  # the store numbers on after the imported positions
                    assert copied.verify().ok
                assert summary.hashes_match
                assert outcome.ok, outcome.finding
                assert [row.notification_id for row in rows] == positions
                assert later.positions == (positions[-1] + 1,)
    with MentoringService("memory://") as memory:
        with pytest.raises(ExportError, match="cannot store them at notification ids"):
            import_events(memory, tmp_path / "gaps.jsonl")
        assert memory.store.recorder.max_notification_id() is None  # type: ignore[attr-defined]


@pytest.mark.postgres
def test_a_postgresql_store_from_before_encodings_gets_its_column_and_grows() -> None:
    """A chain table made before encoding 2 (no ``encoding`` column, every link in
    encoding 1) is given the column when the store opens, its links counted as 1."""
    with postgres_store_url("v1") as url:
        raw = RawStore(url)
        with MentoringService(url) as service:
            seeded = seed(service)
        with raw.sql() as run:
            run(f"UPDATE {raw.chain} SET encoding = 1")
            raw.rechain(run)
            run(f"ALTER TABLE {raw.chain} DROP COLUMN encoding")
        for _ in range(2):  # a second opening finds the column there
            with MentoringService(url) as service:
                service.record_meeting_held(
                    seeded.relationship, 50, MeetingFormat.VIDEO, ["later"], actor="ana"
                )
                outcome = service.verify()
                rows = service.store.recorder.select_chain(0, 100)  # type: ignore[attr-defined]
            assert outcome.ok, outcome.finding
    assert [row.encoding for row in rows] == [1] * 11 + [2, 2]
