"""The SQLite recorder's reads: each one ``SELECT`` with no transaction begun around it.

They must leave nothing open (a read transaction left open by a statement not reset
stops every checkpoint: the write-ahead log would grow without end) and fail as
eventsourcing's reads fail, with its errors, not sqlite3's.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from eventsourcing.persistence import OperationalError, StoredEvent

from mentoring_core import MentoringService

A = UUID("00000000-0000-4000-8000-00000000000a")
START = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)

READS: dict[str, Callable[[Any], object]] = {
    "select_events": lambda r: r.select_events(A),
    "select_events, last version": lambda r: r.select_events(A, desc=True, limit=1),
    "select_notifications": lambda r: r.select_notifications(1, 10),
    "select_heads": lambda r: r.select_heads(0, 10),
    "last_link": lambda r: r.last_link(),
    "link_of": lambda r: r.link_of(A, 1),
    "select_chain": lambda r: r.select_chain(0, 10),
    "select_unchained": lambda r: r.select_unchained(10),
}


@pytest.fixture
def store(tmp_path: Path) -> Iterator[tuple[Path, Any]]:
    path = tmp_path / "store.db"
    with MentoringService(f"sqlite:///{path}") as service:
        recorder = service.store.recorder
        recorder.insert_events(
            [
                StoredEvent(originator_id=A, originator_version=v, topic="T", state=b"{}")
                for v in (1, 2, 3)
            ],
            chain_recorded_at=[START + timedelta(minutes=v) for v in (1, 2, 3)],
        )
        yield path, recorder


@pytest.mark.parametrize("read", READS.values(), ids=READS.keys())
def test_a_read_leaves_no_transaction_open(
    store: tuple[Path, Any], read: Callable[[Any], object]
) -> None:
    path, recorder = store
    read(recorder)
    with sqlite3.connect(path) as other:
        busy, log, checkpointed = other.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    # busy 1: a reader still holds the log; after TRUNCATE, an empty log: 0 frames
    assert (busy, log, checkpointed) == (0, 0, 0)


@pytest.mark.parametrize("read", READS.values(), ids=READS.keys())
def test_a_read_of_a_store_without_its_tables_fails_as_eventsourcings_reads_fail(
    store: tuple[Path, Any], read: Callable[[Any], object]
) -> None:
    path, recorder = store
    with sqlite3.connect(path) as other:
        other.execute("DROP TABLE mentoring_chain")
        other.execute("DROP TABLE stored_events")
    with pytest.raises(OperationalError, match="no such table") as own:
        super(type(recorder), recorder).select_events(A)
    with pytest.raises(OperationalError, match="no such table") as ours:
        read(recorder)
    assert type(ours.value) is type(own.value)
    assert isinstance(ours.value.__cause__, sqlite3.OperationalError)


def test_the_stores_connections_are_opened_as_eventsourcing_opens_them(
    store: tuple[Path, Any],
) -> None:
    """Reopened to keep their prepared statements (``ChainedSQLiteFactory``), with
    everything else as eventsourcing's: autocommit, rows by name, a WAL file, usable
    from any thread, and waiting for another writer's lock rather than failing."""
    path, recorder = store
    pool = recorder.datastore.pool
    assert type(pool).__name__ == "_StatementKeepingPool"
    with recorder.datastore.get_connection(commit=False) as connection:
        raw = connection._sqlite_conn
        assert raw.isolation_level is None and raw.row_factory is sqlite3.Row
        assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        found: list[object] = []
        thread = threading.Thread(target=lambda: found.append(len(recorder.select_events(A))))
        thread.start()
        thread.join()
    assert found == [3]
    with sqlite3.connect(path, isolation_level=None, check_same_thread=False) as other:
        other.execute("BEGIN IMMEDIATE")  # holds the write lock
        release = threading.Timer(0.5, other.execute, ["COMMIT"])
        release.start()
        recorder.insert_events(
            [StoredEvent(originator_id=A, originator_version=4, topic="T", state=b"{}")]
        )
        release.join()
    assert [e.originator_version for e in recorder.select_events(A)] == [1, 2, 3, 4]
