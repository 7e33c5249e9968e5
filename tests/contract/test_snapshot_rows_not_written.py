"""A row among the snapshots that is no snapshot of any schema the library wrote is named
by ``audit verify``; only a snapshot of a known older schema is passed over.

Reproduced before the fix: a snapshot's state replaced by bytes that are no JSON, by
NULL or by a TEXT, or its topic by one naming no snapshot (``os:system``), was counted
as "of an older schema passed over", and the store checked clean.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from eventsourcing.persistence import StoredEvent

from mentoring_core import MentoringService
from mentoring_core.audit.derived import SNAPSHOT, check_derived
from mentoring_core.serialisation import SNAPSHOT_SCHEMA

from .test_derived_checked import busy
from .test_service_contract import Seeded, eventsourced
from .test_tamper_evidence import RawStore

CURRENT = f"Snapshot:RelationshipState:{SNAPSHOT_SCHEMA}"


@pytest.fixture
def snapshotted(store_url: str, store_kind: str) -> Iterator[tuple[MentoringService, Seeded]]:
    if store_kind == "memory":
        pytest.skip("a memory store lives and dies with its service")
    with MentoringService(store_url, snapshot_interval=1000) as service:
        yield service, busy(service)


def put(service: MentoringService, seeded: Seeded, topic: str, state: bytes) -> None:
    """A record at version 3 of the relationship written straight into the snapshots."""
    snapshots = eventsourced(service).snapshots
    assert snapshots is not None
    snapshots.recorder.insert_events(
        [
            StoredEvent(
                originator_id=seeded.relationship, originator_version=3, topic=topic, state=state
            )
        ]
    )


@pytest.mark.parametrize(
    ("topic", "state", "reason"),
    [
        pytest.param(CURRENT, b"\x00\xff", "UnicodeDecodeError", id="garbage"),
        pytest.param(CURRENT, b"{}", "ISO 8601", id="empty-object-of-this-schema"),
        pytest.param("os:system", b"{}", "unknown event type", id="topic-of-no-snapshot"),
        pytest.param("Snapshot:RelationshipState:0", b"{}", "unknown or older", id="schema-0"),
        pytest.param(
            "Snapshot:RelationshipState:5",
            b"[]",
            "expected a JSON object",
            id="older-not-an-object",
        ),
    ],
)
def test_a_row_that_is_no_snapshot_is_named(
    snapshotted: tuple[MentoringService, Seeded], topic: str, state: bytes, reason: str
) -> None:
    service, seeded = snapshotted
    put(service, seeded, topic, state)
    check = check_derived(service)
    assert check.passed_over == 0
    assert check.difference_count == 1, check.differences
    named = str(check.differences[0])
    assert named.startswith(f"{SNAPSHOT} of {seeded.relationship} at version 3: not written by ")
    assert "no snapshot of any schema the library wrote" in named, named
    assert reason in named, named


def test_a_snapshot_of_an_older_schema_is_passed_over(
    snapshotted: tuple[MentoringService, Seeded],
) -> None:
    service, seeded = snapshotted
    put(service, seeded, f"Snapshot:RelationshipState:{SNAPSHOT_SCHEMA - 1}", b'{"state": {}}')
    check = check_derived(service)
    assert check.ok, check.differences
    assert check.passed_over == 1


@pytest.mark.parametrize("stored", ["NULL", "CAST(state AS TEXT)"])
def test_a_snapshot_state_stored_as_no_blob_is_named(store_url: str, stored: str) -> None:
    if not store_url.startswith("sqlite"):
        pytest.skip("SQLite's column takes any value; PostgreSQL's is a bytea NOT NULL")
    with MentoringService(store_url, snapshot_interval=1) as service:
        seeded = busy(service)
    with RawStore(store_url).sql() as run:
        run(
            f"UPDATE stored_snapshots SET state = {stored} "
            "WHERE originator_id = ? AND originator_version = 3",
            seeded.relationship.hex,
        )
    with MentoringService(store_url) as service:
        check = check_derived(service)
    assert check.passed_over == 0
    assert [d.version for d in check.differences] == [3], check.differences
    assert "no snapshot of any schema the library wrote" in str(check.differences[0])
    assert seeded.relationship == check.differences[0].aggregate_id
