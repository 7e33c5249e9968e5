"""``check_derived``: every snapshot and read-model row compared with its events (issue 11, 4).

Snapshots and the compliance read model are outside the hash chain: a forged snapshot
or an edited read-model row used to pass ``verify`` and ``replay`` while changing the
mentor shown or the live report. Each tampering here is written around the library
(straight into the snapshots recorder, or by raw SQL into the read model's table) and
must be named, by aggregate and version, with what differs.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any, cast
from uuid import UUID

import attrs
import pytest
from eventsourcing.persistence import StoredEvent

from mentoring_core import MentoringService
from mentoring_core.audit.derived import (
    EVENTS,
    MAX_REPORTED,
    READ_MODEL,
    SNAPSHOT,
    DerivedCheck,
    Difference,
    _Check,
    check_derived,
)
from mentoring_core.extend import kind_named
from mentoring_core.projections import ComplianceProjection
from mentoring_core.serialisation import SNAPSHOT_SCHEMA, Snapshot
from mentoring_core.store._views import ComplianceView, MemoryComplianceView
from mentoring_core.values import MeetingFormat

from .test_audit_replay_findings import around_the_library
from .test_service_contract import FIRST_MEETING, Seeded, eventsourced, seed
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
        link = service.store.recorder.link_of(seeded.relationship, version)
        named = only(check_derived(service))
    assert named.startswith(f"{SNAPSHOT} of {seeded.relationship} at version {version}: ")
    assert named.endswith(
        f"records chain hash {'0' * 64}, but the stored link is {link}: "
        "it belongs to no stored history (loading refuses it)"
    )


@pytest.mark.parametrize("interval", [3, 1000], ids=["in-a-later-run", "in-the-first-run"])
def test_an_event_its_aggregate_cannot_take_is_named_by_its_version(
    store_url: str, interval: int
) -> None:
    """Folded a run at a time; the run that cannot be folded is applied again one event
    at a time, to name the event."""
    with MentoringService(store_url, snapshot_interval=interval) as service:
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
            return "compliance_facts_v5"
        return raw.events.replace("mentoring_events", "mentoring_compliance_facts_v5")

    def row_of(self, run: Any, raw: RawStore, aggregate_id: UUID) -> Any:
        """The kind, version and facts of ``aggregate_id``'s row."""
        (row,) = run(
            f"SELECT kind, version, facts FROM {self.facts_table(raw)} WHERE aggregate_id = ?",
            str(aggregate_id),
        )
        return row

    def add_row(
        self, run: Any, raw: RawStore, aggregate_id: UUID, programme_id: UUID, row: Any
    ) -> None:
        """A row written around the library: ``row``'s kind, version and facts under
        ``aggregate_id`` and ``programme_id``."""
        run(
            f"INSERT INTO {self.facts_table(raw)} VALUES (?, ?, ?, ?, ?)",
            str(aggregate_id),
            str(programme_id),
            *row,
        )

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
            row = self.row_of(run, raw, seeded.relationship)
            run(
                f"DELETE FROM {self.facts_table(raw)} WHERE aggregate_id = ?",
                str(seeded.relationship),
            )
            self.add_row(run, raw, stranger, seeded.programme, row)
        with MentoringService(store_url) as service:
            check = check_derived(service)
            version = service.relationship(seeded.relationship).version
        named = [str(d) for d in check.differences]
        assert check.difference_count == 2, named
        assert named[0] == (
            f"{READ_MODEL} of {seeded.relationship} at version {version}: no row, though the "
            f"read model's position covers its events up to version {version}"
        )
        assert named[1].startswith(f"{READ_MODEL} of {stranger} at version ")
        assert named[1].endswith(
            f"a row under programme {seeded.programme} for an aggregate with no events"
        )
        assert check.rows == 2  # the programme's row, and the row of no aggregate

    def test_a_row_behind_the_read_models_position_and_a_row_unreadable_are_named(
        self, store_url: str
    ) -> None:
        raw = RawStore(store_url)
        with MentoringService(store_url) as service:
            seeded = busy(service)
            ComplianceProjection(service).catch_up()
            version = service.relationship(seeded.relationship).version
            programme_version = service.programme(seeded.programme).version
        with raw.sql() as run:
            run(
                f"UPDATE {self.facts_table(raw)} SET version = version - 1, programme_id = ? "
                "WHERE aggregate_id = ?",
                str(UUID(int=80)),
                str(seeded.relationship),
            )
            run(
                f"UPDATE {self.facts_table(raw)} SET facts = 'not json' WHERE aggregate_id = ?",
                str(seeded.programme),
            )
        with MentoringService(store_url) as service:
            check = check_derived(service)
        named = [str(d) for d in check.differences]
        assert named[0].startswith(
            f"{READ_MODEL} of {seeded.programme} at version {programme_version}: "
            "its facts cannot be read: "
        )
        assert named[1].startswith(
            f"{READ_MODEL} of {seeded.relationship} at version {version - 1}: "
            "differs from what its events give in: programme_id, facts ("
        )
        assert named[2] == (
            f"{READ_MODEL} of {seeded.relationship} at version {version - 1}: the row stands at "
            f"version {version - 1}, but the read model's position covers version {version}"
        )
        assert check.difference_count == 3

    def test_a_row_behind_a_position_short_of_its_last_event_is_named(self, store_url: str) -> None:
        """The position covers some of the relationship's events, not its last: its row
        must still reach the highest version the position covers (an older row put back,
        true to the version it names, is behind)."""
        raw = RawStore(store_url)
        with MentoringService(store_url) as service:
            seeded = busy(service)
            projection = ComplianceProjection(service)
            projection.catch_up()
            older = service.relationship(seeded.relationship).version
            with raw.sql() as run:
                row = self.row_of(run, raw, seeded.relationship)
            service.pause(seeded.relationship, "leave", actor="ana")
            projection.catch_up()
            covered = service.relationship(seeded.relationship).version
            service.resume(seeded.relationship, actor="ana")  # past the position
        with raw.sql() as run:
            run(
                f"DELETE FROM {self.facts_table(raw)} WHERE aggregate_id = ?",
                str(seeded.relationship),
            )
            self.add_row(run, raw, seeded.relationship, seeded.programme, row)
        with MentoringService(store_url) as service:
            named = only(check_derived(service))
        assert named == (
            f"{READ_MODEL} of {seeded.relationship} at version {older}: the row stands at "
            f"version {older}, but the read model's position covers version {covered}"
        )

    def test_a_missing_row_of_an_aggregate_covered_in_part_is_named(self, store_url: str) -> None:
        raw = RawStore(store_url)
        with MentoringService(store_url) as service:
            seeded = busy(service)
            ComplianceProjection(service).catch_up()
            covered = service.relationship(seeded.relationship).version
            service.pause(seeded.relationship, "leave", actor="ana")  # past the position
        with raw.sql() as run:
            run(
                f"DELETE FROM {self.facts_table(raw)} WHERE aggregate_id = ?",
                str(seeded.relationship),
            )
        with MentoringService(store_url) as service:
            named = only(check_derived(service))
        assert named == (
            f"{READ_MODEL} of {seeded.relationship} at version {covered + 1}: no row, though "
            f"the read model's position covers its events up to version {covered}"
        )

    def test_a_row_past_its_history_and_a_row_under_a_later_programme_are_named(
        self, store_url: str
    ) -> None:
        raw = RawStore(store_url)
        with MentoringService(store_url) as service:
            seeded = busy(service)
            later = service.create_programme("Later", "Org", actor="coord").id
            ComplianceProjection(service).catch_up()
            version = service.relationship(seeded.relationship).version
        stranger = UUID(int=78)
        with raw.sql() as run:
            row = self.row_of(run, raw, seeded.relationship)
            run(
                f"UPDATE {self.facts_table(raw)} SET version = version + 5 WHERE aggregate_id = ?",
                str(seeded.relationship),
            )
            # under the programme created after the relationship: the check goes on past it
            self.add_row(run, raw, stranger, later, row)
        with MentoringService(store_url) as service:
            check = check_derived(service)
        assert [str(d) for d in check.differences] == [
            f"{READ_MODEL} of {seeded.relationship} at version {version + 5}: a row at a "
            f"version its history does not reach (it ends at version {version})",
            f"{READ_MODEL} of {stranger} at version {row[1]}: a row under programme {later} "
            "for an aggregate with no events",
        ]
        assert check.rows == 4  # two programmes' rows, the row past its history, the stray


def snapshot_at(
    service: MentoringService,
    seeded: Seeded,
    version: int,
    state: Any,
    chain_hash: str | None = None,
) -> None:
    """A snapshot of the relationship holding ``state`` at ``version``, written straight
    into the snapshots store."""
    snapshots = eventsourced(service).snapshots
    assert snapshots is not None
    taken = Snapshot(
        aggregate_id=seeded.relationship,
        version=version,
        taken_at=FIRST_MEETING,
        state=state,
        chain_hash=chain_hash,
    )
    snapshots.put([cast(Any, taken)])


def test_a_snapshot_past_its_history_is_named_and_counted(store_url: str, store_kind: str) -> None:
    if store_kind == "memory":
        pytest.skip("a memory store lives and dies with its service")
    with MentoringService(store_url, snapshot_interval=1000) as service:
        seeded = busy(service)
        state = service.relationship(seeded.relationship)
        for past in (3, 4):
            version = state.version + past
            snapshot_at(service, seeded, version, attrs.evolve(state, version=version))
        check = check_derived(service)
    assert [str(d) for d in check.differences] == [
        f"{SNAPSHOT} of {seeded.relationship} at version {state.version + past}: taken at a "
        f"version its history does not reach (it ends at version {state.version})"
        for past in (3, 4)
    ]
    assert check.snapshots == 2


def test_an_unreadable_snapshot_is_passed_over_and_the_next_is_still_compared(
    store_url: str, store_kind: str
) -> None:
    if store_kind == "memory":
        pytest.skip("a memory store lives and dies with its service")
    with MentoringService(store_url, snapshot_interval=3) as service:
        seeded = busy(service)
        snapshots = eventsourced(service).snapshots
        assert snapshots is not None
        stored = snapshots.recorder.select_events(seeded.relationship)
        assert len(stored) >= 2
        first = stored[0]
        # two of an older schema, which cannot be read, first in version order
        snapshots.recorder.insert_events(
            [
                StoredEvent(
                    originator_id=first.originator_id,
                    originator_version=version,
                    topic=first.topic.replace(f":{SNAPSHOT_SCHEMA}", f":{SNAPSHOT_SCHEMA - 1}"),
                    state=b"{}",
                )
                for version in (-1, 0)
            ]
        )
        check = check_derived(service)
        programme_snapshots = len(snapshots.recorder.select_events(seeded.programme))
    assert check.ok, check.differences
    assert check.passed_over == 2
    assert check.snapshots == len(stored) + programme_snapshots


def test_a_record_of_an_unknown_type_is_named_as_not_rebuilt(store_url: str) -> None:
    with MentoringService(store_url) as service:
        seed(service)
        stranger = UUID(int=79)
        service.store.recorder.insert_events(
            [StoredEvent(originator_id=stranger, originator_version=1, topic="Nope", state=b"{}")]
        )
        check = check_derived(service)
    (difference,) = check.differences
    assert (difference.what, difference.aggregate_id, difference.version) == (EVENTS, stranger, 1)
    assert str(difference) == (
        f"{EVENTS} of {stranger} at version 1: cannot be rebuilt: unknown event type"
    )


def test_a_difference_without_a_version_is_told_without_one() -> None:
    difference = Difference(what=EVENTS, aggregate_id=UUID(int=1), version=None, detail="why")
    assert str(difference) == f"{EVENTS} of {UUID(int=1)}: why"


def test_the_first_hundred_differences_are_described_and_all_are_counted() -> None:
    check = _Check(cast(Any, None), None)
    for n in range(MAX_REPORTED + 1):
        check.differ(EVENTS, UUID(int=n), n, "why")
    assert check.count == MAX_REPORTED + 1
    assert [d.version for d in check.found] == list(range(MAX_REPORTED))


def test_a_check_a_page_of_one_at_a_time_finds_the_same(store_url: str) -> None:
    with MentoringService(store_url, snapshot_interval=3) as service:
        busy(service)
        ComplianceProjection(service).catch_up()
        paged = check_derived(service, page_size=1)
        whole = check_derived(service)
    assert paged == whole and paged.ok, paged.differences


def test_a_gap_in_a_history_is_named(store_url: str) -> None:
    with MentoringService(store_url) as service:
        seeded = busy(service)
        recorder = service.store.recorder
        version = service.relationship(seeded.relationship).version
        (last,) = recorder.select_events(seeded.relationship, gt=version - 1)
        around_the_library(  # the store's recorder refuses the gap
            recorder,
            [
                StoredEvent(
                    originator_id=seeded.relationship,
                    originator_version=version + 2,
                    topic=last.topic,
                    state=last.state,
                )
            ],
        )
        named = only(check_derived(service))
    assert named == (
        f"{EVENTS} of {seeded.relationship} at version {version + 1}: cannot be rebuilt: "
        f"version {version + 2} follows version {version}"
    )


@pytest.mark.parametrize("case", ["mentors", "programme"])
def test_a_snapshot_differing_is_named_with_what_differs(
    store_url: str, store_kind: str, case: str
) -> None:
    if store_kind == "memory":
        pytest.skip("a memory store lives and dies with its service")
    with MentoringService(store_url, snapshot_interval=1000) as service:
        seeded = busy(service)
        state = service.relationship(seeded.relationship)
        link = service.store.recorder.link_of(seeded.relationship, state.version)
        if case == "mentors":
            wrong: Any = attrs.evolve(
                kind_named("relationship").without_history(state),  # as snapshots hold it
                mentor_id="mallory",
                mentee_id="trudy",
            )
            expected = "mentor_id, mentee_id"
        else:
            wrong = attrs.evolve(service.programme(seeded.programme), version=state.version)
            expected = "a ProgrammeState where the events give a RelationshipState"
        snapshot_at(service, seeded, state.version, wrong, link)
        named = only(check_derived(service))
    assert named == (
        f"{SNAPSHOT} of {seeded.relationship} at version {state.version}: "
        f"differs from the state its events give in: {expected}"
    )


def test_a_record_at_version_0_is_not_folded(store_url: str) -> None:
    """As the replay (which names it as a gap), the check folds a history from version 1:
    a record stored around the library at version 0 is not part of it."""
    with MentoringService(store_url) as service:
        seeded = busy(service)
        recorder = service.store.recorder
        (first,) = recorder.select_events(seeded.relationship, limit=1)
        around_the_library(
            recorder,
            [
                StoredEvent(
                    originator_id=seeded.relationship,
                    originator_version=0,
                    topic=first.topic,
                    state=first.state,
                )
            ],
        )
        check = check_derived(service)
    assert check.ok, check.differences
    assert check.aggregates == 2


def test_a_view_listing_its_programmes_rows_only_has_a_stray_row_named(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A third party's view may leave ``stored_keys`` to its default, which lists the rows
    of the programmes it is given: the check gives it every programme of the log (found
    by their events' kind), so a row under one for an aggregate with no events is named."""
    monkeypatch.setattr(MemoryComplianceView, "stored_keys", ComplianceView.stored_keys)
    stranger = UUID(int=79)
    with MentoringService("memory://") as service:
        seeded = busy(service)
        ComplianceProjection(service).catch_up()
        view = service.store.compliance_view()
        (row,) = view.select_facts([seeded.relationship])
        view.save_rows([attrs.evolve(row, aggregate_id=stranger)])
        named = only(check_derived(service))
    assert named == (
        f"{READ_MODEL} of {stranger} at version {row.version}: a row under programme "
        f"{seeded.programme} for an aggregate with no events"
    )


def test_a_last_covered_version_stored_as_null_covers_nothing(tmp_path: Path) -> None:
    """The relationship's last record, which the position covers, has its version made
    NULL and its row set two versions back (both around the library): the check names
    what differs, and never compares a version with the NULL (a TypeError, before)."""
    url = f"sqlite:///{tmp_path / 'store.db'}"
    with MentoringService(url) as service:
        seeded = busy(service)
        ComplianceProjection(service).catch_up()
        last = service.relationship(seeded.relationship).version
    raw = RawStore(url)
    with raw.sql() as run:
        run(
            "UPDATE stored_events SET originator_version = NULL "
            "WHERE originator_id = ? AND originator_version = ?",
            seeded.relationship.hex,
            last,
        )
        run(
            "UPDATE compliance_facts_v5 SET version = ? WHERE aggregate_id = ?",
            last - 2,
            str(seeded.relationship),
        )
    with MentoringService(url) as service:
        check = check_derived(service)
    named = [str(d) for d in check.differences]
    assert check.difference_count == 2, named
    assert named[0].startswith(
        f"{READ_MODEL} of {seeded.relationship} at version {last - 2}: "
        "differs from what its events give in: "
    )
    assert named[1] == (
        f"{READ_MODEL} of {seeded.relationship} at version {last - 2}: the row stands at "
        f"version {last - 2}, but the read model's position covers version {last - 1}"
    )
