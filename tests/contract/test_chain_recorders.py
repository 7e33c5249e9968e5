"""Every store's recorder chains what the library writes, and shows what was written around it.

The recorders are asked directly (as ``audit verify`` and ``audit export`` ask them):
the links they return name the right sequence, position, aggregate and version, with
the event found at that position; events stored around the library (raw SQL, or the
memory store's base recorder) are returned as unchained; a removed last event is named.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import pytest
from eventsourcing.persistence import IntegrityError, Notification, StoredEvent
from eventsourcing.popo import POPOApplicationRecorder

from mentoring_core import MentoringService
from mentoring_core.audit.chain import GENESIS, Record, link_hash
from mentoring_core.audit.verify import Breach, Finding
from mentoring_core.extend import READ_VERSIONS_KWARG, ReadVersionMoved

from .test_tamper_evidence import RawStore

A = UUID("00000000-0000-4000-8000-00000000000a")
B = UUID("00000000-0000-4000-8000-00000000000b")
FORGED = UUID("00000000-0000-4000-8000-0000000000ff")
START = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)

LIBRARY = [
    StoredEvent(originator_id=A, originator_version=1, topic="ProgrammeCreated", state=b"{}"),
    StoredEvent(originator_id=A, originator_version=2, topic="PolicySet", state=b'{"m":60}'),
    StoredEvent(originator_id=B, originator_version=1, topic="PairFormed", state=b'{"p":1}'),
]
FORGED_EVENT = StoredEvent(
    originator_id=FORGED, originator_version=1, topic="ProgrammeCreated", state=b'{"forged":1}'
)


@pytest.fixture
def service(store_url: str) -> Iterator[MentoringService]:
    with MentoringService(store_url) as opened:
        yield opened


def recorder_of(service: MentoringService) -> Any:
    return service.store.recorder


def record_through_the_library(service: MentoringService) -> None:
    recorder_of(service).insert_events(
        LIBRARY, chain_recorded_at=[START + timedelta(minutes=i) for i in range(len(LIBRARY))]
    )


def write_around_the_library(store_url: str, service: MentoringService) -> None:
    """Store FORGED_EVENT with no chain link, as someone with access to the store could."""
    if store_url.startswith("memory"):
        POPOApplicationRecorder.insert_events(recorder_of(service), [FORGED_EVENT])
        return
    raw = RawStore(store_url)
    with raw.sql() as run:
        run(
            f"INSERT INTO {raw.events} (originator_id, originator_version, topic, state) "
            "VALUES (?, ?, ?, ?)",
            FORGED.hex if raw.is_sqlite else str(FORGED),
            FORGED_EVENT.originator_version,
            FORGED_EVENT.topic,
            FORGED_EVENT.state,
        )


def positions(service: MentoringService) -> list[int]:
    return [n.id for n in recorder_of(service).select_notifications(1, 100)]


def eventsourcings_own(recorder: Any) -> Any:
    """The recorder, its methods as eventsourcing's own recorder class has them (the
    next class in its order of classes), not as the library's recorder overrides them."""
    return super(type(recorder), recorder)


def same_event(found: StoredEvent | None, expected: StoredEvent) -> bool:
    return found is not None and (
        UUID(str(found.originator_id)),
        found.originator_version,
        found.topic,
        bytes(found.state),
    ) == (
        UUID(str(expected.originator_id)),
        expected.originator_version,
        expected.topic,
        expected.state,
    )


def test_links_name_their_position_and_hold_the_event_found_there(
    store_url: str, service: MentoringService
) -> None:
    write_around_the_library(store_url, service)  # position 1 is covered by no link
    record_through_the_library(service)
    recorder = recorder_of(service)
    at = positions(service)
    rows = recorder.select_chain(0, 10)
    assert [(r.sequence, r.notification_id, r.aggregate_id, r.version) for r in rows] == [
        (1, at[1], A, 1),
        (2, at[2], A, 2),
        (3, at[3], B, 1),
    ]
    assert [r.recorded_at for r in rows] == [
        "2026-06-01T09:00:00.000000+00:00",
        "2026-06-01T09:01:00.000000+00:00",
        "2026-06-01T09:02:00.000000+00:00",
    ]
    for row, event in zip(rows, LIBRARY, strict=True):
        assert same_event(row.event, event), row
    previous = GENESIS
    for row, aggregate_previous in zip(rows, [GENESIS, rows[0].hash, GENESIS], strict=True):
        record = Record(
            sequence=row.sequence,
            notification_id=row.notification_id,
            aggregate_id=row.aggregate_id,
            version=row.version,
            topic=row.event.topic,
            state=bytes(row.event.state),
            recorded_at=row.recorded_at,
        )
        assert row.encoding == 2
        assert row.hash == link_hash(record, previous, aggregate_previous, 2)
        previous = row.hash
    assert recorder.last_link() == (3, rows[2].hash)
    assert [r.sequence for r in recorder.select_chain(1, 1)] == [2]


def test_an_event_written_before_the_librarys_first_is_inserted(
    store_url: str, service: MentoringService
) -> None:
    write_around_the_library(store_url, service)
    record_through_the_library(service)
    at = positions(service)
    unchained = recorder_of(service).select_unchained(10)
    assert [n for n, _ in unchained] == [at[0]]
    assert same_event(unchained[0][1], FORGED_EVENT)
    outcome = service.verify()
    assert outcome.records == 3
    assert outcome.finding == Finding(
        breach=Breach.INSERTED,
        sequence=None,
        notification_id=at[0],
        aggregate_id=FORGED,
        version=1,
        detail=f"ProgrammeCreated of aggregate {FORGED} version 1 at notification id {at[0]} "
        "is covered by no chain link: it was written around the library, or its link was removed",
    )


def test_an_event_written_after_the_librarys_last_is_inserted(
    store_url: str, service: MentoringService
) -> None:
    record_through_the_library(service)
    write_around_the_library(store_url, service)
    at = positions(service)
    unchained = recorder_of(service).select_unchained(1)
    assert [n for n, _ in unchained] == [at[3]]
    assert same_event(unchained[0][1], FORGED_EVENT)
    finding = service.verify().finding
    assert finding is not None
    assert (finding.breach, finding.notification_id, finding.aggregate_id, finding.version) == (
        Breach.INSERTED,
        at[3],
        FORGED,
        1,
    )


def test_a_store_with_every_event_chained_has_none_unchained(service: MentoringService) -> None:
    assert recorder_of(service).last_link() is None
    record_through_the_library(service)
    assert list(recorder_of(service).select_unchained(10)) == []
    assert service.verify().ok


def test_removing_the_last_event_is_named_deleted(
    store_url: str, service: MentoringService
) -> None:
    if store_url.startswith("memory"):
        # A memory store has no public way to lose an event: build the same store with
        # the last event missing, its events written around the library and the chain
        # (the recorder's own public list) copied from a whole store.
        with MentoringService(store_url) as whole:
            record_through_the_library(whole)
            last = positions(whole)[-1]
            links = list(recorder_of(whole).chain)
        POPOApplicationRecorder.insert_events(recorder_of(service), LIBRARY[:-1])
        recorder_of(service).chain.extend(links)
    else:
        record_through_the_library(service)
        last = positions(service)[-1]
        raw = RawStore(store_url)
        with raw.sql() as run:
            run(f"DELETE FROM {raw.events} WHERE {raw.position} = ?", last)
    assert recorder_of(service).select_chain(2, 10)[0].event is None
    assert service.verify().finding == Finding(
        breach=Breach.DELETED,
        sequence=3,
        notification_id=last,
        aggregate_id=B,
        version=1,
        detail=f"record 3 (aggregate {B} version 1) is gone from notification id {last}",
    )


def test_a_batch_gets_ascending_ids_in_its_order_and_a_clash_stores_nothing(
    service: MentoringService,
) -> None:
    """The recorders' insert is the project's own SQL: ids follow the batch, and a clashing
    (aggregate, version) raises IntegrityError with neither events nor links stored."""
    recorder = recorder_of(service)
    batch = [LIBRARY[2], LIBRARY[0], LIBRARY[1]]
    ids = recorder.insert_events(batch)
    assert list(ids) == sorted(ids) and len(set(ids)) == 3
    found = recorder.select_notifications(ids[0], 10)
    assert [n.id for n in found] == list(ids)
    for notification, event in zip(found, batch, strict=True):
        assert same_event(notification, event)
    assert [
        (r.notification_id, r.aggregate_id, r.version) for r in recorder.select_chain(0, 9)
    ] == [
        (ids[0], B, 1),
        (ids[1], A, 1),
        (ids[2], A, 2),
    ]
    new = StoredEvent(originator_id=FORGED, originator_version=1, topic="X", state=b"{}")
    with pytest.raises(IntegrityError):
        recorder.insert_events([new, LIBRARY[1]])
    assert positions(service) == list(ids)
    assert recorder.last_link() == (3, recorder.select_chain(2, 1)[0].hash)
    assert list(recorder.select_events(FORGED)) == []
    assert service.verify().ok


def test_heads_are_the_records_of_the_log_without_their_states(
    store_url: str, service: MentoringService
) -> None:
    write_around_the_library(store_url, service)  # unchained records are in the log too
    record_through_the_library(service)
    recorder = recorder_of(service)
    whole = recorder.select_notifications(1, 100)
    heads = recorder.select_heads(0, 100)
    assert [(p, UUID(str(a)), v, t) for p, a, v, t in heads] == [
        (n.id, UUID(str(n.originator_id)), n.originator_version, n.topic) for n in whole
    ]
    assert [h[0] for h in recorder.select_heads(whole[0].id, 2)] == [whole[1].id, whole[2].id]
    assert recorder.select_heads(whole[-1].id, 100) == []
    assert {type(h) for h in heads} == {tuple}  # as RecordHead says, whatever the store
    # reading rows as tuples is for that read alone: eventsourcing's own reads, by column
    # names, work next (on every connection of the store's pool, which hands them out in
    # turn)
    for _ in range(20):
        events = eventsourcings_own(recorder).select_events(A)
        assert len(events) == 2 and all(map(same_event, events, LIBRARY[:2]))
    assert recorder.select_chain(0, 1)[0].aggregate_id == A


def test_spans_count_each_aggregates_records_as_the_heads_of_the_log_do(
    store_url: str, service: MentoringService
) -> None:
    """SQLite and PostgreSQL count each aggregate's records themselves, for the replay's
    first pass: what the heads of the whole log say, in the order of first records; the
    memory store counts none (the replay reads its log)."""
    record_through_the_library(service)
    write_around_the_library(store_url, service)  # an aggregate of unchained records
    recorder_of(service).insert_events(
        [StoredEvent(originator_id=A, originator_version=3, topic="PolicySet", state=b"{}")]
    )
    recorder = recorder_of(service)
    spans = recorder.select_spans()
    if store_url.startswith("memory"):
        assert spans is None
        return
    expected: dict[UUID, tuple[int, int, int, int, str]] = {}
    for position, stored_id, version, topic in recorder.select_heads(0, 100):
        aggregate = UUID(str(stored_id))
        first, count, low, high, first_topic = expected.get(
            aggregate, (position, 0, version, version, topic)
        )
        expected[aggregate] = (first, count + 1, min(low, version), max(high, version), first_topic)
    assert spans == [(aggregate, *span) for aggregate, span in expected.items()]
    assert [span[:3] for span in spans] == [(A, 1, 3), (B, 3, 1), (FORGED, 4, 1)]
    assert all(type(span[0]) is UUID for span in spans)


@pytest.mark.parametrize(
    ("stored_id", "version"),
    [
        (str(FORGED), 1),  # the text of a UUID, not its 32 hex digits
        (FORGED.hex.upper(), 1),
        (FORGED.hex[:31], 1),
        (FORGED.hex, "x"),  # a version that is not a number
        (A.hex, 2.5),  # a real between two whole versions: MIN and MAX are whole
        (A.hex, None),  # as is a NULL's
    ],
)
def test_no_spans_are_counted_where_a_record_is_stored_in_a_form_never_written(
    store_url: str, service: MentoringService, stored_id: str, version: Any
) -> None:
    """A SQLite store holds ids as text: one stored in another form (around the library)
    is not found by the reads of an aggregate, nor a version that is not a number, so
    the replay must read the whole log to name them (PostgreSQL's columns are typed)."""
    if not store_url.startswith("sqlite"):
        pytest.skip("only a SQLite store's columns take a value of any form")
    record_through_the_library(service)
    recorder_of(service).insert_events(
        [StoredEvent(originator_id=A, originator_version=3, topic="PolicySet", state=b"{}")]
    )
    assert recorder_of(service).select_spans() is not None
    raw = RawStore(store_url)
    with raw.sql() as run:
        run(
            f"INSERT INTO {raw.events} (originator_id, originator_version, topic, state) "
            "VALUES (?, ?, ?, ?)",
            stored_id,
            version,
            "ProgrammeCreated",
            b"{}",
        )
    assert recorder_of(service).select_spans() is None


def test_placed_records_are_an_aggregates_events_each_with_its_position_in_the_log(
    store_url: str, service: MentoringService
) -> None:
    if store_url.startswith("memory"):
        pytest.skip("the memory store counts no spans, and so reads no records placed")
    record_through_the_library(service)
    recorder = recorder_of(service)
    recorder.insert_events(
        [StoredEvent(originator_id=A, originator_version=3, topic="PolicySet", state=b"{}")]
    )
    position = {
        (UUID(str(n.originator_id)), n.originator_version): n.id
        for n in recorder.select_notifications(1, 100)
    }
    compared = 0
    for aggregate, gt, limit in itertools.product((A, B, UUID(int=5)), (None, 0, 1, 2), (1, 2, 9)):
        placed = recorder.select_placed(aggregate, gt=gt, limit=limit)
        events = recorder.select_events(aggregate, gt=gt, limit=limit)
        assert [(p.originator_id, p.originator_version, p.topic, p.state) for p in placed] == [
            (e.originator_id, e.originator_version, e.topic, e.state) for e in events
        ]
        assert [p.id for p in placed] == [
            position[(aggregate, p.originator_version)] for p in placed
        ]
        assert {type(p) for p in placed} <= {Notification}
        compared += len(placed)
    assert compared > 20


def test_the_log_and_an_aggregate_read_as_eventsourcing_reads_them(
    store_url: str, service: MentoringService
) -> None:
    """A store's recorder may read pages of the log and an aggregate's events its own way
    (the SQLite one does, for speed): it gives the records eventsourcing's own reads give,
    of the same classes, with nothing more, for every argument eventsourcing takes."""
    write_around_the_library(store_url, service)
    record_through_the_library(service)
    recorder = recorder_of(service)
    own = eventsourcings_own(recorder)
    last = positions(service)[-1]
    topic_sets: list[tuple[str, ...]] = [
        (),
        ("PolicySet",),
        ("ProgrammeCreated", "PairFormed"),
        ("NoSuchTopic",),
    ]

    def same(ours: Any, theirs: Any) -> None:
        assert len(theirs) == len(ours)
        for mine, its in zip(ours, theirs, strict=True):
            assert type(mine) is type(its) and vars(mine) == vars(its), (mine, its)
            assert mine == its and hash(mine) == hash(its)

    compared = 0
    for start, limit, stop, topics, inclusive in itertools.product(
        (None, 0, 1, 2, last, last + 1),
        (1, 2, 100),
        (None, 2, last),
        topic_sets,
        (True, False),
    ):
        arguments: dict[str, Any] = {
            "stop": stop,
            "topics": topics,
            "inclusive_of_start": inclusive,
        }
        theirs = own.select_notifications(start, limit, **arguments)
        same(recorder.select_notifications(start, limit, **arguments), theirs)
        compared += len(theirs)
    # eventsourcing takes an aggregate id as a UUID or as the text the store holds it as
    as_text = A.hex if store_url.startswith("sqlite") else str(A)
    for aggregate_id, gt, lte, desc, limit in itertools.product(
        (A, B, FORGED, UUID(int=5), as_text),
        (None, 0, 1, 2),
        (None, 1, 2, 5),
        (False, True),
        (None, 1, 2),
    ):
        arguments = {"gt": gt, "lte": lte, "desc": desc, "limit": limit}
        theirs = own.select_events(aggregate_id, **arguments)
        same(recorder.select_events(aggregate_id, **arguments), theirs)
        compared += len(theirs)
    assert compared > 400  # the arguments find records, not only empty pages


def test_a_page_of_the_log_of_many_topics_reads_as_eventsourcing_reads_it(
    store_url: str, service: MentoringService
) -> None:
    """A topic filter longer than a driver takes parameters for (PostgreSQL: 65,535) is
    read as eventsourcing reads it: on PostgreSQL the topics go as one array, as
    eventsourcing sends them; elsewhere the outcome is eventsourcing's own."""
    record_through_the_library(service)
    recorder = recorder_of(service)
    topics = [f"NoSuchTopic{i}" for i in range(70_000)] + ["PolicySet"]

    def outcome(read: Any) -> Any:
        try:
            return [vars(record) for record in read(None, 10, topics=topics)]
        except Exception as error:  # the same refusal, if eventsourcing's refuses
            return type(error).__name__

    expected = outcome(eventsourcings_own(recorder).select_notifications)
    assert outcome(recorder.select_notifications) == expected
    if store_url.startswith("postgresql"):
        assert [record["topic"] for record in expected] == ["PolicySet"]


class TestReadVersions:
    """What a decision read of aggregates it does not write is checked with the store's
    write lock held (``READ_VERSIONS_KWARG``): still as read, the batch is stored; moved
    on, nothing of it is."""

    def test_aggregates_still_as_read_let_the_batch_in(self, service: MentoringService) -> None:
        record_through_the_library(service)
        never = [UUID(int=n) for n in range(1, 1201)]  # more than one statement's worth
        read = {A: 2, B: 1, **dict.fromkeys(never, 0)}
        recorder_of(service).insert_events([FORGED_EVENT], **{READ_VERSIONS_KWARG: read})
        assert [e.originator_id for e in recorder_of(service).select_events(FORGED)] == [FORGED]

    @pytest.mark.parametrize(
        ("aggregate", "read", "stored"), [(A, 1, 2), (B, 2, 1), (UUID(int=5), 1, 0), (B, 0, 1)]
    )
    def test_one_moved_on_refuses_the_batch_naming_it(
        self, service: MentoringService, aggregate: UUID, read: int, stored: int
    ) -> None:
        record_through_the_library(service)
        before = recorder_of(service).max_notification_id()
        versions = {**dict.fromkeys([UUID(int=n) for n in range(10, 1210)], 0), aggregate: read}
        with pytest.raises(ReadVersionMoved) as moved:
            recorder_of(service).insert_events([FORGED_EVENT], **{READ_VERSIONS_KWARG: versions})
        assert (moved.value.aggregate_id, moved.value.read, moved.value.stored) == (
            aggregate,
            read,
            stored,
        )
        assert recorder_of(service).max_notification_id() == before
        assert recorder_of(service).select_events(FORGED) == []
        assert service.verify().ok


def test_a_recorder_that_counts_no_spans_reads_none_placed(
    store_url: str, service: MentoringService
) -> None:
    if not store_url.startswith("memory"):
        pytest.skip("the SQLite and PostgreSQL recorders count spans, and read them placed")
    recorder = recorder_of(service)
    assert recorder.select_spans() is None
    with pytest.raises(NotImplementedError, match=type(recorder).__name__):
        recorder.select_placed(A, gt=None, limit=1)
