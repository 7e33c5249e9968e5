"""``verify`` reports, never crashes on, a store whose values the library never writes.

Someone with access to the database can change a column's storage class (SQLite keeps
whatever it is given: ``CAST(state AS TEXT)``, an integer, a real version), store a
NULL where eventsourcing's tables allow one, an id that is not a UUID, a hash or a
recording time not in the chain's form. Reproduced before the fix on SQLite, with
the event at record 6 changed: ``CAST(state AS TEXT)`` and ``state = NULL`` made
``verify`` (and so ``audit verify``, "unexpected TypeError") crash with TypeError, a
non-UUID id with ValueError, ``topic = NULL`` with AttributeError, and a version of
2.5 was called ``reordered``. Now each is a ``changed`` breach naming the record, the
column and the value, and an export of such a store is refused with the same reason.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from mentoring_core_postgres.testing import postgres_store_url

from mentoring_core import MentoringService, StoredEventError
from mentoring_core.audit import ExportError, export_events, replay
from mentoring_core.audit.derived import check_derived
from mentoring_core.audit.verify import Breach
from mentoring_core.projections import ComplianceProjection

from .test_service_contract import seed
from .test_tamper_evidence import RawStore

RECORD = 6
"""The record every tampering here changes (its event and link)."""

EVENTS = "{events}"
CHAIN = "{chain}"
BOTH = [  # (id, table, SET clause, what the finding names)
    ("hash-upper-case", CHAIN, "hash = upper(hash)", "link hash"),
    ("hash-too-short", CHAIN, "hash = substr(hash, 1, 63)", "link hash"),
    ("hash-not-hex", CHAIN, "hash = 'X' || substr(hash, 2)", "link hash"),
    ("recorded-at-not-canonical", CHAIN, "recorded_at = '2026-06-01 09:00:00'", "link recorded_at"),
    (
        "recorded-at-not-utc",
        CHAIN,
        "recorded_at = '2026-06-01T19:00:00.000000+10:00'",
        "link recorded_at",
    ),
    ("encoding-unknown", CHAIN, "encoding = 3", "link encoding"),
    ("topic-null", EVENTS, "topic = NULL", "event topic"),
    ("state-null", EVENTS, "state = NULL", "event state"),
]
SQLITE_ONLY = [
    ("state-as-text", EVENTS, "state = CAST(state AS TEXT)", "event state"),
    ("state-as-integer", EVENTS, "state = 42", "event state"),
    ("version-as-text", EVENTS, "originator_version = 'three'", "event originator_version"),
    ("version-as-real", EVENTS, "originator_version = 2.5", "event originator_version"),
    ("version-null", EVENTS, "originator_version = NULL", "event originator_version"),
    ("id-not-a-uuid", EVENTS, "originator_id = 'not-a-uuid'", "event originator_id"),
    ("id-null", EVENTS, "originator_id = NULL", "event originator_id"),
    ("id-as-blob", EVENTS, "originator_id = CAST(originator_id AS BLOB)", "event originator_id"),
    ("link-id-not-a-uuid", CHAIN, "originator_id = 'x'", "link originator_id"),
    ("link-version-as-text", CHAIN, "originator_version = 'three'", "link originator_version"),
    ("link-version-as-real", CHAIN, "originator_version = 2.5", "link originator_version"),
    ("link-position-as-text", CHAIN, "notification_id = 'six'", "link notification_id"),
    ("encoding-as-text", CHAIN, "encoding = 'two'", "link encoding"),
]
CASES = [
    pytest.param(kind, table, change, named, id=f"{kind}-{name}")
    for kind, cases in (("sqlite", BOTH + SQLITE_ONLY), ("postgres", BOTH))
    for name, table, change, named in cases
]


@pytest.fixture
def odd_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    kind = request.node.callspec.params["kind"]
    if kind == "sqlite":
        yield f"sqlite:///{tmp_path / 'store.db'}"
    else:
        with postgres_store_url("oddities") as url:
            yield url


@pytest.mark.parametrize(("kind", "table", "change", "named"), CASES)
def test_an_odd_stored_value_is_a_breach_not_a_crash(
    odd_store: str, kind: str, table: str, change: str, named: str, tmp_path: Path
) -> None:
    raw = RawStore(odd_store)
    with MentoringService(odd_store, trust_snapshots=False) as service:
        seed(service)
        position = raw.positions()[RECORD - 1]
        name = raw.events if table == EVENTS else raw.chain
        where = f"{raw.position} = {position}" if table == EVENTS else f"sequence = {RECORD}"
        with raw.sql() as run:
            run(f"UPDATE {name} SET {change} WHERE {where}")
        outcome = service.verify()
        assert outcome.finding is not None
        assert outcome.finding.breach is Breach.CHANGED
        assert outcome.finding.sequence == RECORD
        assert f"record {RECORD}: its {named}" in outcome.finding.detail
        assert outcome.records == RECORD - 1
        with (
            pytest.raises(ExportError, match=f"^record {RECORD} is damaged"),
            (tmp_path / "out.jsonl").open("w", encoding="utf-8") as out,
        ):
            export_events(service, out)


@pytest.mark.parametrize(
    "values",
    [
        pytest.param("NULL, NULL, NULL, NULL", id="all-null"),
        pytest.param("'not-a-uuid', 'one', 7, 'text state'", id="wrong-types"),
    ],
)
def test_an_odd_event_written_around_the_library_is_named_inserted(
    tmp_path: Path, values: str
) -> None:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    raw = RawStore(url)
    with MentoringService(url) as service:
        seed(service)
        with raw.sql() as run:
            run(
                "INSERT INTO stored_events (originator_id, originator_version, topic, state) "
                f"VALUES ({values})"
            )
        finding = service.verify().finding
    assert finding is not None
    assert (finding.breach, finding.notification_id, finding.aggregate_id) == (
        Breach.INSERTED,
        12,
        None,
    )


@pytest.mark.parametrize(
    "stored_id",
    [
        pytest.param("'not-a-uuid'", id="text"),
        pytest.param("NULL", id="null"),
        pytest.param("CAST(originator_id AS BLOB)", id="blob"),
    ],
)
@pytest.mark.parametrize("record", [1, RECORD], ids=["programme-created", "record-6"])
def test_a_reader_of_the_log_stops_at_an_id_that_is_not_a_uuid_naming_the_record(
    tmp_path: Path, stored_id: str, record: int
) -> None:
    """Reproduced before the fix: the replay, the event feed, the projection, the derived
    checks and the list of programmes failed with ValueError or TypeError from a UUID's
    parsing ("unexpected ValueError" from the command line)."""
    url = f"sqlite:///{tmp_path / 'store.db'}"
    raw = RawStore(url)
    with MentoringService(url) as service:
        seed(service)
        position = raw.positions()[record - 1]
        (stored,) = service.store.recorder.select_notifications(position, 1)
        with raw.sql() as run:
            run(f"UPDATE {raw.events} SET originator_id = {stored_id} WHERE rowid = {position}")
            (value,) = run(f"SELECT originator_id FROM {raw.events} WHERE rowid = {position}")[0]
        found = repr(value)  # the id as stored: text, None or bytes
        reads = {
            "replay": lambda: replay(service),
            "read": lambda: list(service.read()),
            "project": lambda: ComplianceProjection(service).catch_up(),
            "check_derived": lambda: check_derived(service),
        }
        if record == 1:
            reads["programmes"] = service.programmes
        for name, read in reads.items():
            with pytest.raises(StoredEventError) as stopped:
                read()
            error = stopped.value
            assert (error.version, error.topic) == (stored.originator_version, stored.topic), name
            assert "cannot be read" in str(error), name
            if name != "read":  # the feed fails on decoding the record, the others on its id
                assert error.aggregate_id == found, name
                assert error.reason == (
                    "its aggregate id is not a UUID (it was stored around the library: "
                    "audit verify names the record)"
                ), name
