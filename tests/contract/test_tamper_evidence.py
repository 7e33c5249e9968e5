"""Tampering with stored rows through raw SQL is detected and named; honest stores verify."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit
from uuid import UUID

import attrs
import psycopg
import pytest

from mentoring_core import MentoringService
from mentoring_core.audit import DigestError
from mentoring_core.audit.chain import GENESIS, Record, link_hash
from mentoring_core.audit.verify import Breach
from mentoring_core.values import MeetingFormat

from .test_service_contract import FIRST_MEETING, seed

SQL_STORES = ["sqlite", "postgres"]


class RawStore:
    """The store's tables, reached around the library the way an attacker would."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        if self.is_sqlite:
            self.events, self.chain, self.position = "stored_events", "mentoring_chain", "rowid"
        else:
            schema = parse_qs(urlsplit(url).query)["schema"][0]
            self.events = f"{schema}.mentoring_events"
            self.chain = f"{schema}.mentoring_chain"
            self.position = "notification_id"

    @contextmanager
    def sql(self) -> Iterator[Callable[..., list[Any]]]:
        if self.is_sqlite:
            conn: Any = sqlite3.connect(self.url.removeprefix("sqlite:///"))
            mark = "?"
        else:
            conn = psycopg.connect(self.url.split("?")[0])
            mark = "%s"

        def run(statement: str, *params: Any) -> list[Any]:
            cursor = conn.execute(statement.replace("?", mark), params)
            return list(cursor.fetchall()) if cursor.description else []

        try:
            yield run
            conn.commit()
        finally:
            conn.close()

    def positions(self) -> list[int]:
        with self.sql() as run:
            return [r[0] for r in run(f"SELECT {self.position} FROM {self.events} ORDER BY 1")]

    def rechain(self, run: Callable[..., list[Any]]) -> None:
        """Recompute every link from the rows as they now are: a consistent rewrite."""
        rows = run(
            f"SELECT k.sequence, k.notification_id, k.originator_id, k.originator_version, "
            f"k.recorded_at, k.encoding, e.topic, e.state FROM {self.chain} k "
            f"JOIN {self.events} e ON e.{self.position} = k.notification_id ORDER BY k.sequence"
        )
        previous, by_aggregate = GENESIS, {}
        for sequence, position, aggregate, version, recorded_at, encoding, topic, state in rows:
            aggregate_id = UUID(aggregate) if isinstance(aggregate, str) else aggregate
            record = Record(
                sequence=sequence,
                notification_id=position,
                aggregate_id=aggregate_id,
                version=version,
                topic=topic,
                state=bytes(state),
                recorded_at=recorded_at,
            )
            aggregate_previous = by_aggregate.get(aggregate_id, GENESIS)
            previous = link_hash(record, previous, aggregate_previous, encoding)
            by_aggregate[aggregate_id] = previous
            run(f"UPDATE {self.chain} SET hash = ? WHERE sequence = ?", previous, sequence)


@pytest.fixture(params=SQL_STORES)
def store_kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def raw(store_url: str) -> RawStore:
    return RawStore(store_url)


def seeded_store(url: str) -> MentoringService:
    service = MentoringService(url)
    seed(service)
    return service


def test_an_untouched_store_verifies(store_url: str) -> None:
    with MentoringService(store_url) as service:
        seed(service)
        outcome = service.verify()
    assert outcome.ok, outcome.finding
    assert outcome.digest is not None
    assert outcome.records == 11
    assert outcome.digest.sequence == 11


def test_recording_after_a_digest_still_verifies_against_it(store_url: str) -> None:
    with MentoringService(store_url) as service:
        seeded = seed(service)
        digest = service.verify().digest
        service.record_meeting_held(
            seeded.relationship,
            60,
            MeetingFormat.VIDEO,
            ["later"],
            actor="ana",
            occurred_at=FIRST_MEETING + timedelta(days=30),
        )
        outcome = service.verify(against=digest)
    assert outcome.ok, outcome.finding
    assert outcome.digest is not None and digest is not None
    assert outcome.digest.sequence == digest.sequence + 1


def test_a_digest_whose_time_was_edited_is_refused_naming_both_times(store_url: str) -> None:
    """The hash binds the link's recording time, so a digest whose hash is record N's but
    whose time is not was edited: refused, not reported as verified at a made-up time."""
    with MentoringService(store_url) as service:
        seed(service)
        digest = service.verify().digest
        assert digest is not None
        edited = attrs.evolve(digest, recorded_at="2020-01-01T00:00:00.000000+00:00")
        with pytest.raises(DigestError) as refused:
            service.verify(against=edited)
    assert str(refused.value) == (
        f"the digest's recorded_at 2020-01-01T00:00:00.000000+00:00 is not the recording "
        f"time of record {digest.sequence} ({digest.recorded_at}), whose hash it has: the "
        "digest was edited"
    )


@pytest.mark.parametrize(
    ("tamper", "breach", "named"),
    [
        pytest.param("byte", Breach.CHANGED, 5, id="one-byte-of-state"),
        pytest.param("time", Breach.CHANGED, 4, id="recorded-time"),
        pytest.param("delete", Breach.DELETED, 6, id="delete-an-event"),
        pytest.param("insert", Breach.INSERTED, None, id="insert-a-forged-event"),
        pytest.param("swap", Breach.REORDERED, 7, id="swap-two-events"),
    ],
)
def test_tampering_is_detected_and_named(
    store_url: str, raw: RawStore, tamper: str, breach: Breach, named: int | None
) -> None:
    with seeded_store(store_url) as service:
        positions = raw.positions()
        with raw.sql() as run:
            if tamper == "byte":
                (state,) = run(
                    f"SELECT state FROM {raw.events} WHERE {raw.position} = ?", positions[4]
                )[0]
                changed = bytes(state).replace(b"coord", b"cooRd", 1)
                assert changed != bytes(state)
                run(
                    f"UPDATE {raw.events} SET state = ? WHERE {raw.position} = ?",
                    changed,
                    positions[4],
                )
            elif tamper == "time":
                run(
                    f"UPDATE {raw.chain} SET recorded_at = ? WHERE sequence = 4",
                    "2020-01-01T00:00:00.000000+00:00",
                )
            elif tamper == "delete":
                run(f"DELETE FROM {raw.events} WHERE {raw.position} = ?", positions[5])
            elif tamper == "insert":
                run(
                    f"INSERT INTO {raw.events} (originator_id, originator_version, topic, state) "
                    "VALUES (?, ?, ?, ?)",
                    "00000000000000000000000000000042"
                    if raw.is_sqlite
                    else "00000000-0000-0000-0000-000000000042",
                    1,
                    "ProgrammeCreated",
                    b'{"forged":true}',
                )
            else:
                first, second = positions[6], positions[8]
                run(f"UPDATE {raw.events} SET {raw.position} = -1 WHERE {raw.position} = ?", first)
                run(
                    f"UPDATE {raw.events} SET {raw.position} = ? WHERE {raw.position} = ?",
                    first,
                    second,
                )
                run(f"UPDATE {raw.events} SET {raw.position} = ? WHERE {raw.position} = -1", second)
        outcome = service.verify()
    assert outcome.finding is not None
    assert outcome.finding.breach is breach, outcome.finding
    assert outcome.finding.sequence == named
    assert str(breach) in str(outcome.finding)


def test_truncating_the_tail_is_detected_against_the_digest(store_url: str, raw: RawStore) -> None:
    with seeded_store(store_url) as service:
        digest = service.verify().digest
        with raw.sql() as run:
            last = raw.positions()[-2:]
            for position in last:
                run(f"DELETE FROM {raw.events} WHERE {raw.position} = ?", position)
            run(f"DELETE FROM {raw.chain} WHERE sequence > 9")
        alone = service.verify()
        outcome = service.verify(against=digest)
    assert alone.ok  # without a digest kept outside, a clean cut cannot be seen
    assert outcome.finding is not None
    assert outcome.finding.breach is Breach.TRUNCATED
    assert "ends at record 9 but the digest covers 11" in outcome.finding.detail


def test_a_consistently_rewritten_chain_is_detected_against_the_digest(
    store_url: str, raw: RawStore
) -> None:
    with seeded_store(store_url) as service:
        digest = service.verify().digest
        assert digest is not None
        with raw.sql() as run:
            position = raw.positions()[3]
            (state,) = run(f"SELECT state FROM {raw.events} WHERE {raw.position} = ?", position)[0]
            run(
                f"UPDATE {raw.events} SET state = ? WHERE {raw.position} = ?",
                bytes(state).replace(b"coord", b"admin"),
                position,
            )
            raw.rechain(run)
        alone = service.verify()
        outcome = service.verify(against=digest)
    assert alone.ok  # the rewrite is self-consistent...
    assert outcome.finding is not None  # ...but not the history the auditor kept
    assert outcome.finding.breach is Breach.REWRITTEN
    assert outcome.finding.sequence == digest.sequence
    assert digest.hash in outcome.finding.detail
