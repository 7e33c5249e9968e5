"""``check_derived``: every snapshot and read-model row compared with its events (issue 11, 4).

Snapshots and the compliance read model are outside the hash chain: a forged snapshot
or an edited read-model row used to pass ``verify`` and ``replay`` while changing the
mentor shown or the live report. Each tampering here is written around the library
(straight into the snapshots recorder, or by raw SQL into the read model's table) and
must be named, by aggregate and version, with what differs.
"""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID

import pytest
from eventsourcing.persistence import StoredEvent

from mentoring_core import MentoringService
from mentoring_core.audit.derived import (
    EVENTS,
    READ_MODEL,
    SNAPSHOT,
    DerivedCheck,
    check_derived,
)
from mentoring_core.projections import ComplianceProjection
from mentoring_core.values import MeetingFormat

from .test_service_contract import FIRST_MEETING, Seeded, seed
from .test_tamper_evidence import RawStore
from .test_trusted_snapshots import forge


def busy(service: MentoringService) -> Seeded:
    """The seeded pair with eight more meetings (snapshots every 3 events are taken)."""
    seeded = seed(service)
    for week in range(8):
        service.record_meeting_held(
            seeded.relationship,
            60,
            MeetingFormat.ONE_ON_ONE,
            [f"week {week}"],
            actor="ana",
            occurred_at=FIRST_MEETING + timedelta(days=14 + 7 * week),
        )
    return seeded


def only(check: DerivedCheck) -> str:
    assert check.difference_count == 1, check.differences
    return str(check.differences[0])


def test_an_honest_store_checks_clean(store_url: str) -> None:
    with MentoringService(store_url, snapshot_interval=3) as service:
        busy(service)
        ComplianceProjection(service).catch_up()
        check = check_derived(service)
        assert service.verify().ok
    assert check.ok, check.differences
    assert check.aggregates == 2
    assert check.snapshots >= 4
    assert check.rows == 2
    assert check.passed_over == 0


def test_a_read_model_behind_its_events_is_not_a_difference(store_url: str) -> None:
    with MentoringService(store_url, snapshot_interval=3) as service:
        seeded = busy(service)
        ComplianceProjection(service).catch_up()
        service.pause(seeded.relationship, "leave", actor="ana")
        check = check_derived(service)
    assert check.ok, check.differences


def test_a_forged_snapshot_is_named_though_the_chain_verifies(
    store_url: str, store_kind: str
) -> None:
    if store_kind == "memory":
        pytest.skip("a memory store lives and dies with its service")
    with MentoringService(store_url, snapshot_interval=3) as service:
        seeded = busy(service)
        version = service.relationship(seeded.relationship).version
        forge(service, seeded, service.store.recorder.link_of(seeded.relationship, version))
    with MentoringService(store_url) as service:
        assert service.verify().ok  # the chain does not cover snapshots
        named = only(check_derived(service))
    assert named.startswith(f"{SNAPSHOT} of {seeded.relationship} at version {version}: ")
    assert "differs from the state its events give in: mentor_id" in named


def test_a_snapshot_of_no_stored_history_is_named(store_url: str, store_kind: str) -> None:
    if store_kind == "memory":
        pytest.skip("a memory store lives and dies with its service")
    with MentoringService(store_url, snapshot_interval=1000) as service:
        seeded = busy(service)
        version = forge(service, seeded, "0" * 64)
        named = only(check_derived(service))
    assert named.startswith(f"{SNAPSHOT} of {seeded.relationship} at version {version}: ")
    assert "records chain hash 000" in named
    assert "belongs to no stored history" in named


def test_an_event_its_aggregate_cannot_take_is_named_by_its_version(store_url: str) -> None:
    """Folded a run at a time; the run that cannot be folded is applied again one event
    at a time, to name the event."""
    with MentoringService(store_url, snapshot_interval=3) as service:
        seeded = busy(service)
        recorder = service.store.recorder
        (created,) = recorder.select_events(seeded.programme, limit=1)
        version = service.relationship(seeded.relationship).version + 1
        stray = StoredEvent(
            originator_id=seeded.relationship,
            originator_version=version,
            topic=created.topic,
            state=created.state,
        )
        recorder.insert_events([stray])
        named = only(check_derived(service))
    assert named == (
        f"{EVENTS} of {seeded.relationship} at version {version}: cannot be rebuilt: "
        "ProgrammeCreated does not belong to a RelationshipState"
    )


class TestReadModelRows:
    @pytest.fixture(params=["sqlite", "postgres"])
    def store_kind(self, request: pytest.FixtureRequest) -> str:
        return str(request.param)

    @staticmethod
    def facts_table(raw: RawStore) -> str:
        if raw.is_sqlite:
            return "compliance_facts_v3"
        return raw.events.replace("mentoring_events", "mentoring_compliance_facts_v3")

    def test_an_edited_row_changes_the_live_report_and_is_named(self, store_url: str) -> None:
        raw = RawStore(store_url)
        with MentoringService(store_url, snapshot_interval=3) as service:
            seeded = busy(service)
            projection = ComplianceProjection(service)
            projection.catch_up()
            version = service.relationship(seeded.relationship).version
        with raw.sql() as run:
            run(
                f"UPDATE {self.facts_table(raw)} SET facts = REPLACE(facts, '\"ana\"', "
                "'\"eve\"') WHERE aggregate_id = ?",
                str(seeded.relationship),
            )
        with MentoringService(store_url) as service:
            _, relationships = ComplianceProjection(service).programme_facts(seeded.programme)
            assert [r.mentor_id for r in relationships] == ["eve"]  # what the report shows
            assert service.verify().ok
            named = only(check_derived(service))
        assert named.startswith(f"{READ_MODEL} of {seeded.relationship} at version {version}: ")
        assert named.endswith("differs from what its events give in: facts (mentor_id)")

    def test_a_deleted_row_and_a_row_of_no_aggregate_are_named(self, store_url: str) -> None:
        raw = RawStore(store_url)
        with MentoringService(store_url) as service:
            seeded = busy(service)
            ComplianceProjection(service).catch_up()
        stranger = UUID(int=77)
        with raw.sql() as run:
            (row,) = run(
                f"SELECT kind, version, facts FROM {self.facts_table(raw)} WHERE aggregate_id = ?",
                str(seeded.relationship),
            )
            run(
                f"DELETE FROM {self.facts_table(raw)} WHERE aggregate_id = ?",
                str(seeded.relationship),
            )
            run(
                f"INSERT INTO {self.facts_table(raw)} VALUES (?, ?, ?, ?, ?)",
                str(stranger),
                str(seeded.programme),
                *row,
            )
        with MentoringService(store_url) as service:
            check = check_derived(service)
        named = [str(d) for d in check.differences]
        assert check.difference_count == 2, named
        assert named[0].startswith(f"{READ_MODEL} of {seeded.relationship} at version ")
        assert named[0].endswith("no row, though the read model's position covers its events")
        assert named[1].startswith(f"{READ_MODEL} of {stranger} at version ")
        assert named[1].endswith(
            f"a row under programme {seeded.programme} for an aggregate with no events"
        )
