"""audit verify names every kind of breach, with the record, its place and a plain detail.

The chain here is built by hand with the documented encoding (reference_chain), in a
recorder stand-in that serves the links and the stored events the way a store does;
each test then changes what one attacker could change and reads the finding.
Notification ids are the sequence plus 100, so that the two are never confused.
"""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

import attrs
import pytest
from eventsourcing.persistence import StoredEvent
from reference_chain import ZERO, reference_hash

from mentoring_core.audit.recorders import ChainRow
from mentoring_core.audit.verify import Breach, Digest, Finding, verify

A = UUID("00000000-0000-4000-8000-00000000000a")
B = UUID("00000000-0000-4000-8000-00000000000b")
FORGED = UUID("00000000-0000-4000-8000-0000000000ff")

HISTORY = [  # (aggregate, version, topic, state), in the store's order
    (A, 1, "ProgrammeCreated", b'{"name":"New workers"}'),
    (A, 2, "PolicySet", b'{"minimum_meeting_minutes":60}'),
    (B, 1, "PairFormed", b'{"mentor":"ana","mentee":"ben"}'),
    (A, 3, "ParticipantEnrolled", b'{"participant":"cy"}'),
    (B, 2, "MeetingHeld", b'{"duration_minutes":60}'),
]


def at(sequence: int) -> str:
    return f"2026-06-01T09:{sequence:02d}:00.000000+00:00"


def chain(history: Sequence[tuple[UUID, int, str, bytes]]) -> list[ChainRow]:
    """Honest links over ``history``: each fixes the one before and its aggregate's last."""
    rows, previous, by_aggregate = [], ZERO, {}
    for sequence, (aggregate, version, topic, state) in enumerate(history, start=1):
        hash_ = reference_hash(
            sequence,
            aggregate,
            version,
            topic,
            state,
            at(sequence),
            previous,
            by_aggregate.get(aggregate, ZERO),
            position=sequence + 100,
        )
        event = StoredEvent(
            originator_id=aggregate, originator_version=version, topic=topic, state=state
        )
        rows.append(
            ChainRow(
                sequence=sequence,
                notification_id=sequence + 100,
                aggregate_id=aggregate,
                version=version,
                recorded_at=at(sequence),
                hash=hash_,
                encoding=2,
                event=event,
            )
        )
        previous = by_aggregate[aggregate] = hash_
    return rows


@attrs.define
class Store:
    """What a store's recorder shows the verifier: its links, and events no link covers."""

    rows: list[ChainRow]
    unchained: list[tuple[int, StoredEvent]] = attrs.Factory(list)

    def select_chain(self, after_sequence: int, limit: int) -> Sequence[ChainRow]:
        return [row for row in self.rows if row.sequence > after_sequence][:limit]

    def select_stray_links(self, limit: int) -> Sequence[ChainRow]:
        stray = [row for row in self.rows if row.sequence < 1]
        return sorted(stray, key=lambda row: row.sequence)[:limit]

    def select_unchained(self, limit: int) -> Sequence[tuple[int, StoredEvent]]:
        return self.unchained[:limit]

    def last_link(self) -> tuple[int, str] | None:
        return (self.rows[-1].sequence, self.rows[-1].hash) if self.rows else None

    def replace(self, sequence: int, **changes: object) -> None:
        self.rows[sequence - 1] = attrs.evolve(self.rows[sequence - 1], **changes)


@pytest.fixture
def store() -> Store:
    return Store(chain(HISTORY))


def digest_of(row: ChainRow) -> Digest:
    return Digest(sequence=row.sequence, hash=row.hash, recorded_at=row.recorded_at)


def finding_of(store: Store, against: Digest | None = None) -> Finding:
    outcome = verify(store, against)
    assert not outcome.ok
    assert outcome.finding is not None
    return outcome.finding


# --- honest stores -------------------------------------------------------------------


def test_an_honest_chain_verifies_and_gives_its_digest(store: Store) -> None:
    outcome = verify(store)
    assert outcome.ok
    assert outcome.finding is None
    assert outcome.records == 5
    assert outcome.digest == Digest(sequence=5, hash=store.rows[4].hash, recorded_at=at(5))
    assert outcome.against is None


def test_an_empty_store_verifies_with_no_digest() -> None:
    outcome = verify(Store([]))
    assert outcome.ok
    assert outcome.records == 0
    assert outcome.digest is None


def test_a_digest_of_the_last_record_verifies_and_is_reported(store: Store) -> None:
    digest = digest_of(store.rows[4])
    outcome = verify(store, digest)
    assert outcome.ok, outcome.finding
    assert outcome.against == digest
    assert outcome.digest == digest


def test_a_digest_of_an_earlier_record_verifies_when_the_chain_extends_it(store: Store) -> None:
    outcome = verify(store, digest_of(store.rows[2]))
    assert outcome.ok, outcome.finding
    assert outcome.records == 5


# --- deleted -------------------------------------------------------------------------


def test_missing_chain_links_are_deleted_and_named_by_range(store: Store) -> None:
    """The finding names the first missing link, not the honest record after the gap."""
    del store.rows[1:3]
    finding = finding_of(store)
    assert finding == Finding(
        breach=Breach.DELETED,
        sequence=2,
        notification_id=None,
        aggregate_id=None,
        version=None,
        detail="chain links 2 to 3 are gone (the chain goes from record 1 to record 4)",
    )


def test_one_missing_chain_link_is_named_alone(store: Store) -> None:
    del store.rows[3]
    finding = finding_of(store)
    assert finding.breach is Breach.DELETED
    assert finding.sequence == 4
    assert finding.detail == "chain link 4 is gone (the chain goes from record 3 to record 5)"
    assert str(finding) == f"deleted: {finding.detail}"


def test_a_record_gone_from_its_position_is_deleted(store: Store) -> None:
    store.replace(5, event=None)
    finding = finding_of(store)
    assert finding == Finding(
        breach=Breach.DELETED,
        sequence=5,
        notification_id=105,
        aggregate_id=B,
        version=2,
        detail=f"record 5 (aggregate {B} version 2) is gone from notification id 105",
    )


# --- reordered -----------------------------------------------------------------------


def test_another_record_at_a_links_position_is_reordered(store: Store) -> None:
    store.replace(4, event=store.rows[4].event)  # B's version 2 now sits where A's 3 was
    finding = finding_of(store)
    assert finding == Finding(
        breach=Breach.REORDERED,
        sequence=4,
        notification_id=104,
        aggregate_id=A,
        version=3,
        detail=f"record 4 (aggregate {A} version 3) was expected at notification id 104, "
        f"but aggregate {B} version 2 is there",
    )


def test_a_version_chained_after_a_later_gap_in_its_aggregate_is_reordered() -> None:
    # A's version 3 is chained right after its version 1: version 2 is not before it.
    store = Store(chain([HISTORY[0], HISTORY[2], HISTORY[3]]))
    finding = finding_of(store)
    assert finding == Finding(
        breach=Breach.REORDERED,
        sequence=3,
        notification_id=103,
        aggregate_id=A,
        version=3,
        detail=f"record 3 (aggregate {A} version 3) follows version 1 of its aggregate "
        "in the chain",
    )


def test_a_later_version_chained_before_any_of_its_aggregate_is_reordered() -> None:
    store = Store(chain([HISTORY[0], HISTORY[4], HISTORY[2]]))  # B's 2 before B's 1
    finding = finding_of(store)
    assert finding == Finding(
        breach=Breach.REORDERED,
        sequence=2,
        notification_id=102,
        aggregate_id=B,
        version=2,
        detail=f"record 2 (aggregate {B} version 2) follows no earlier version of its "
        "aggregate in the chain",
    )


# --- changed -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "change",
    [
        pytest.param({"state": b'{"minimum_meeting_minutes":30}'}, id="state"),
        pytest.param({"topic": "PolicyRevised"}, id="type"),
    ],
)
def test_a_changed_record_is_named(store: Store, change: dict[str, object]) -> None:
    event = store.rows[1].event
    assert event is not None
    changed = StoredEvent(
        originator_id=event.originator_id,
        originator_version=event.originator_version,
        topic=str(change.get("topic", event.topic)),
        state=change.get("state", event.state),  # type: ignore[arg-type]
    )
    store.replace(2, event=changed)
    finding = finding_of(store)
    assert finding == Finding(
        breach=Breach.CHANGED,
        sequence=2,
        notification_id=102,
        aggregate_id=A,
        version=2,
        detail=f"record 2 (aggregate {A} version 2) ({changed.topic}) differs from what was "
        "chained: its type, state, log position or recording time was changed, or its link was",
    )


def test_a_changed_recording_time_is_named(store: Store) -> None:
    store.replace(3, recorded_at="2020-01-01T00:00:00.000000+00:00")
    finding = finding_of(store)
    assert finding.breach is Breach.CHANGED
    assert (finding.sequence, finding.notification_id) == (3, 103)
    assert finding.detail.startswith(f"record 3 (aggregate {B} version 1) (PairFormed) differs")


# --- against a digest: rewritten, truncated ------------------------------------------


def test_a_consistent_chain_that_is_not_the_digests_is_rewritten(store: Store) -> None:
    kept = Digest(sequence=3, hash="c" * 64, recorded_at=at(3))
    finding = finding_of(store, kept)
    assert finding == Finding(
        breach=Breach.REWRITTEN,
        sequence=3,
        notification_id=103,
        aggregate_id=B,
        version=1,
        detail=f"the chain is consistent, but record 3 has hash {store.rows[2].hash} where "
        f"the digest has {'c' * 64}: the history up to the digest was rewritten",
    )


def test_a_store_ending_before_the_digest_is_truncated(store: Store) -> None:
    kept = Digest(sequence=7, hash="c" * 64, recorded_at=at(7))
    outcome = verify(store, kept)
    assert outcome.finding == Finding(
        breach=Breach.TRUNCATED,
        sequence=5,
        notification_id=None,
        aggregate_id=None,
        version=None,
        detail="the store's chain ends at record 5 but the digest covers 7: "
        "records were removed from the end",
    )
    assert outcome.records == 5
    assert outcome.digest == digest_of(store.rows[4])
    assert outcome.against == kept


def test_an_emptied_store_is_truncated_against_a_digest() -> None:
    finding = finding_of(Store([]), Digest(sequence=1, hash="c" * 64, recorded_at=at(1)))
    assert finding.breach is Breach.TRUNCATED
    assert finding.sequence == 0
    assert "ends at record 0 but the digest covers 1" in finding.detail


# --- inserted ------------------------------------------------------------------------


def test_an_event_no_link_covers_is_inserted(store: Store) -> None:
    forged = StoredEvent(
        originator_id=FORGED, originator_version=1, topic="ProgrammeCreated", state=b"{}"
    )
    store.unchained.append((106, forged))
    outcome = verify(store)
    assert outcome.finding == Finding(
        breach=Breach.INSERTED,
        sequence=None,
        notification_id=106,
        aggregate_id=FORGED,
        version=1,
        detail=f"ProgrammeCreated of aggregate {FORGED} version 1 at notification id 106 is "
        "covered by no chain link: it was written around the library, or its link was removed",
    )
    assert outcome.records == 5  # the chain itself is whole
    assert outcome.digest == digest_of(store.rows[4])


def test_a_link_numbered_below_1_is_inserted_and_named_before_loose_events(
    store: Store,
) -> None:
    last = store.rows[4]
    store.rows.insert(0, attrs.evolve(last, sequence=-1, notification_id=106, event=None))
    store.rows.append(attrs.evolve(last, sequence=0, notification_id=107))
    store.unchained.append((108, last.event))  # type: ignore[arg-type]
    outcome = verify(store, digest_of(last))
    assert outcome.finding == Finding(
        breach=Breach.INSERTED,
        sequence=-1,
        notification_id=106,
        aggregate_id=last.aggregate_id,
        version=last.version,
        detail=f"chain link -1 (for aggregate {last.aggregate_id} version {last.version}, at "
        "notification id 106, where no event is stored) is numbered below 1: the library "
        "numbers its links from 1, so it was written around the library, and nothing it "
        "covers is checked",
    )
    assert outcome.records == 5  # the walk from 1 is whole


def test_the_first_break_is_the_one_named(store: Store) -> None:
    store.replace(4, event=None)
    store.replace(2, recorded_at="2020-01-01T00:00:00.000000+00:00")
    finding = finding_of(store)
    assert (finding.breach, finding.sequence) == (Breach.CHANGED, 2)
