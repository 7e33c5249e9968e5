"""Writers killed at random moments, and PostgreSQL connections cut mid-transaction.

Every command opens a relationship, which writes two events in one transaction (the
relationship's PairFormed and the programme's RelationshipOpened). After any crash each
command must be wholly present or wholly absent, SQLite's integrity check must pass and
the audit chain must verify. ``MENTORING_STRESS_KILLS`` sets the number of kills.
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit
from uuid import UUID, uuid5

import psycopg
import pytest
from eventsourcing.persistence import OperationalError
from eventsourcing.postgres import PostgresDatastore
from mentoring_core_postgres import retrying
from mentoring_core_postgres.testing import TEST_SERVER_URL, postgres_store_url

from mentoring_core import ErasureUnfinished, MentoringError, MentoringService, StoredEventError
from mentoring_core.audit import replay
from mentoring_core.audit.derived import check_derived
from mentoring_core.audit.verify import verify
from mentoring_core.domain.erasure import PersonalDataErased
from mentoring_core.domain.events import PairFormed, RelationshipOpened
from mentoring_core.privacy import ERASED
from mentoring_core.projections import ComplianceFollower, build_compliance_report
from mentoring_core.values import MeetingFormat, Role

from .test_concurrency import record_figures

KILLS = int(os.environ.get("MENTORING_STRESS_KILLS", "3"))
PROGRAMME = UUID("c4a5e000-0000-4000-8000-000000000001")

WRITER = """
import sys, uuid
from mentoring_core import MentoringService
from mentoring_core.values import MeetingFormat, Role
url, programme = sys.argv[1], uuid.UUID(sys.argv[2])
with MentoringService(url) as service:
    n = len(service.programme(programme).participants)
    print("ready", flush=True)
    while True:
        mentee = f"mentee-{n}"
        service.enrol(programme, mentee, Role.MENTEE, 0, actor="writer")
        service.form_pair(programme, "ana", mentee, actor="writer")
        n += 1
"""


@pytest.fixture(params=["sqlite", "postgres"])
def store_kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def check_whole(url: str) -> int:
    """Every opened relationship has both its events; returns how many there are.

    Read again while the log moves during the reading: PostgreSQL commits a transaction
    whose COMMIT it received before the writer was killed, and on a busy machine that
    can land after the writer's death is seen, between reading the events and reading
    the programme (both events of the command land together, in that one commit)."""
    with MentoringService(url) as service:
        recorder = service.store.recorder
        for _ in range(100):
            last = recorder.max_notification_id()
            decoded = [event for _, event in service.read()]
            listed = set(service.programme(PROGRAMME).relationship_ids)
            if recorder.max_notification_id() == last:
                break
            time.sleep(0.1)
        opened = {e.relationship_id for e in decoded if isinstance(e, RelationshipOpened)}
        formed = {e.aggregate_id for e in decoded if isinstance(e, PairFormed)}  # type: ignore[attr-defined]
        verified = service.verify()
    assert opened == formed == listed, "a command was stored in part"
    assert verified.ok, verified.finding
    return len(opened)


def sqlite_integrity(url: str) -> str:
    with sqlite3.connect(url.removeprefix("sqlite:///")) as conn:
        return str(conn.execute("PRAGMA integrity_check").fetchone()[0])


def test_writers_killed_at_random_moments_leave_whole_commands(
    store_url: str, store_kind: str
) -> None:
    with MentoringService(store_url) as service:
        service.create_programme("Crash", "Org", actor="coord", programme_id=PROGRAMME)
        service.enrol(PROGRAMME, "ana", Role.MENTOR, 20, actor="coord")
    rng = random.Random(20261123)
    counts = []
    for _ in range(KILLS):
        writer = subprocess.Popen(
            [sys.executable, "-c", WRITER, store_url, str(PROGRAMME)],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert writer.stdout is not None and writer.stdout.readline().strip() == "ready"
        time.sleep(rng.uniform(0.2, 1.0))
        writer.send_signal(signal.SIGKILL)
        writer.wait(timeout=30)
        counts.append(check_whole(store_url))
        if store_kind == "sqlite":
            assert sqlite_integrity(store_url) == "ok"
    record_figures("kill -9", store_kind, kills=KILLS, relationships_after_each=counts)
    assert counts == sorted(counts) and counts[-1] > 0


def ana_and_ben(service: MentoringService) -> UUID:
    """A programme with ana mentoring ben; their relationship's id."""
    service.create_programme("Cut", "Org", actor="coord", programme_id=PROGRAMME)
    service.enrol(PROGRAMME, "ana", Role.MENTOR, 20, actor="coord")
    service.enrol(PROGRAMME, "ben", Role.MENTEE, 0, actor="coord")
    return service.form_pair(PROGRAMME, "ana", "ben", actor="coord").id


def terminate_backends(url: str, pattern: str | None = None) -> int:
    """Cut every connection whose last query matches ``pattern`` (ILIKE), by default one
    that touched this test's schema; how many were cut."""
    schema = parse_qs(urlsplit(url).query)["schema"][0]
    with psycopg.connect(url.split("?")[0], autocommit=True) as conn:
        rows = conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE pid <> pg_backend_pid() AND query ILIKE %s",
            (pattern or f"%{schema}%",),
        ).fetchall()
    return len(rows)


def while_cutting(url: str, step: Callable[[], None]) -> int:
    """Run ``step`` again and again in a thread while this test's connections are cut
    ``KILLS * 3`` times, 0.15 s apart, and then on until at least ``KILLS`` were (a
    connection between statements shows ``COMMIT``, not the schema, so on a loaded
    machine a round can find none to cut: CI once cut none in nine), giving up after
    100 more rounds; how many connections were cut."""
    stop = threading.Event()

    def steps() -> None:
        while not stop.is_set():
            step()

    thread = threading.Thread(target=steps)
    thread.start()
    cut = 0
    for round_ in range(KILLS * 3 + 100):
        if round_ >= KILLS * 3 and cut >= KILLS:
            break
        time.sleep(0.15)
        cut += terminate_backends(url)
    stop.set()
    thread.join(timeout=60)
    return cut


def test_connections_cut_mid_transaction_fail_clearly_or_succeed_and_leave_nothing_partial(
    store_url: str, store_kind: str
) -> None:
    if store_kind != "postgres":
        pytest.skip("pg_terminate_backend is PostgreSQL's")
    outcomes: list[str] = []
    with MentoringService(store_url) as service:
        service.create_programme("Cut", "Org", actor="coord", programme_id=PROGRAMME)
        service.enrol(PROGRAMME, "ana", Role.MENTOR, 20, actor="coord")
        n = 0

        def write() -> None:
            nonlocal n
            mentee = f"mentee-{n}"
            try:
                service.enrol(
                    PROGRAMME,
                    mentee,
                    Role.MENTEE,
                    0,
                    actor="writer",
                    command_id=uuid5(PROGRAMME, f"enrol {n}"),
                )
                done = service.form_pair(
                    PROGRAMME,
                    "ana",
                    mentee,
                    actor="writer",
                    relationship_id=uuid5(PROGRAMME, f"pair {n}"),
                    command_id=uuid5(PROGRAMME, f"pair {n}"),
                )
                outcomes.append("already" if done.already_recorded else "stored")
                n += 1
            except MentoringError as error:  # a clear, typed error: try the same again
                outcomes.append(type(error).__name__)
            except Exception as error:
                outcomes.append(f"UNCLEAR {type(error).__name__}: {error}")
                n += 1

        cut = while_cutting(store_url, write)
    record_figures("pg_terminate_backend", store_kind, cuts=cut, outcomes=dict(Counter(outcomes)))
    assert cut > 0
    assert [o for o in outcomes if o.startswith("UNCLEAR")] == []
    assert check_whole(store_url) == outcomes.count("stored") + outcomes.count("already")


@pytest.mark.parametrize(
    "snapshot_interval", [100, 1], ids=["snapshots-every-100", "snapshots-every-event"]
)
def test_cut_connections_never_store_an_unacknowledged_or_duplicate_meeting(
    store_url: str, store_kind: str, snapshot_interval: int
) -> None:
    """Issue 11: with no command id given, a command stored just before its connection was
    cut came back as a conflict ("nothing was recorded"), and a retry stored it twice.
    Now the service's own command id is looked up: stored == acknowledged, exactly.

    A snapshot after every event: a cut while the snapshot was taken, after the command's
    events were committed, came back as an OperationalError, with the meeting stored."""
    if store_kind != "postgres":
        pytest.skip("pg_terminate_backend is PostgreSQL's")
    acknowledged: list[UUID] = []
    unclear: list[str] = []
    with MentoringService(store_url, snapshot_interval=snapshot_interval) as service:
        pair = ana_and_ben(service)

        def write() -> None:
            try:
                done = service.record_meeting_held(
                    pair, 30, MeetingFormat.VIDEO, ["cut"], actor="ana"
                )
                acknowledged.append(done.id)
            except MentoringError:
                pass  # refused with a clear error: not acknowledged, must not be stored
            except Exception as error:
                unclear.append(f"{type(error).__name__}: {error}")

        cut = while_cutting(store_url, write)
    with MentoringService(store_url) as reader:
        stored = [m.meeting_id for m in reader.relationship(pair).meetings]
    record_figures(
        "pg_terminate_backend, no command ids",
        store_kind,
        cuts=cut,
        acknowledged=len(acknowledged),
        stored=len(stored),
    )
    assert cut > 0
    assert unclear == []
    assert sorted(stored) == sorted(acknowledged), "stored and acknowledged meetings differ"


def test_a_snapshot_the_store_cannot_take_leaves_the_command_recorded_and_acknowledged(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A snapshot is taken after the command's events are committed: its failure (here the
    snapshots' table gone) is logged and skipped, never an error for a recorded command."""
    path = tmp_path / "store.db"
    with MentoringService(f"sqlite:///{path}", snapshot_interval=1) as service:
        pair = ana_and_ben(service)
        with sqlite3.connect(path) as conn:
            conn.execute("ALTER TABLE stored_snapshots RENAME TO snapshots_gone")
        done = service.record_meeting_held(pair, 30, MeetingFormat.VIDEO, ["x"], actor="ana")
        stored = [m.meeting_id for m in service.relationship(pair).meetings]
    assert stored == [done.id]
    assert f"skipped the snapshot of {pair} at version {done.version}: " in caplog.text
    assert "no such table: stored_snapshots" in caplog.text


def test_audits_reading_while_connections_are_cut_retry_and_finish(
    store_url: str, store_kind: str
) -> None:
    """`verify` and `replay` read through the store's own statements (the chain, the log's
    heads), which were not retried as eventsourcing's are: a cut connection came back as a
    raw OperationalError, in most rounds of this test."""
    if store_kind != "postgres":
        pytest.skip("pg_terminate_backend is PostgreSQL's")
    unclear: list[str] = []
    finished: list[bool] = []
    with MentoringService(store_url, snapshot_interval=5) as service:
        pair = ana_and_ben(service)
        for _ in range(20):
            service.record_meeting_held(pair, 30, MeetingFormat.VIDEO, ["read"], actor="ana")

        def read() -> None:
            try:
                finished.append(verify(service.store.recorder).ok and replay(service).ok)
            except Exception as error:
                unclear.append(f"{type(error).__name__}: {error}")

        cut = while_cutting(store_url, read)
    assert cut > 0
    assert unclear == []
    assert finished and all(finished)


class Cuts:
    """Cuts a PostgreSQL connection at a named moment: the connection the adapter's module
    ``module`` (``keys``: people's data keys, ``views``: the compliance read model) takes
    next from the pool is terminated on the server (``pg_terminate_backend``), ``times``
    times, before its first statement runs, which then meets a connection the server cut,
    as when the server or the network ends it mid-command."""

    def __init__(self) -> None:
        self.module = ""
        self.left = 0
        self.made = 0

    def arm(self, module: str, times: int = 1) -> None:
        self.module, self.left = f"mentoring_core_postgres/{module}.py", times

    def cut_if_armed(self, backend_pid: int) -> None:
        frame = sys._getframe(2)  # above contextmanager's __enter__: who asked for it
        while (
            frame.f_back is not None and "mentoring_core_postgres" not in frame.f_code.co_filename
        ):
            frame = frame.f_back  # eventsourcing's transaction(), the retry
        if self.left and frame.f_code.co_filename.endswith(self.module):
            self.left -= 1
            self.made += 1
            with psycopg.connect(TEST_SERVER_URL, autocommit=True) as admin:
                admin.execute("SELECT pg_terminate_backend(%s)", (backend_pid,))


@pytest.fixture
def cuts(monkeypatch: pytest.MonkeyPatch) -> Cuts:
    """:class:`Cuts`, on every PostgreSQL store the test opens; the adapter's retries
    after a cut are made at once (no wait between them)."""
    cutter = Cuts()
    original = PostgresDatastore.get_connection

    @contextmanager
    def get_connection(self: PostgresDatastore) -> Iterator[Any]:
        with original(self) as conn:
            cutter.cut_if_armed(conn.info.backend_pid)
            yield conn

    monkeypatch.setattr(PostgresDatastore, "get_connection", get_connection)
    monkeypatch.setattr(retrying, "WAIT", 0.0)
    return cutter


@pytest.fixture
def postgres_url() -> Iterator[str]:
    with postgres_store_url("cut") as url:
        yield url


def ana_ben_and_tim(service: MentoringService) -> UUID:
    """ana mentoring ben, and tim enrolled, all with a contact (sealed under their keys);
    the relationship's id."""
    service.create_programme("Cut", "Org", actor="coord", programme_id=PROGRAMME)
    for person, role in (("ana", Role.MENTOR), ("ben", Role.MENTEE), ("tim", Role.MENTEE)):
        service.enrol(PROGRAMME, person, role, 1, actor="coord", contact=f"{person}@example.org")
    return service.form_pair(PROGRAMME, "ana", "ben", actor="coord").id


def erasures_of(service: MentoringService, person_id: str) -> int:
    return sum(
        isinstance(e, PersonalDataErased) and e.person_id == person_id
        for e in service.history(PROGRAMME)
    )


def test_a_key_made_on_a_cut_connection_is_made_once_on_a_new_one(
    postgres_url: str, cuts: Cuts
) -> None:
    """The key store did not retry as the recorder does: enrolling someone with a contact
    (their key made) came back as a raw OperationalError, nothing enrolled."""
    with MentoringService(postgres_url) as service:
        ana_ben_and_tim(service)
        cuts.arm("keys")
        service.enrol(PROGRAMME, "cat", Role.MENTEE, 1, actor="coord", contact="cat@example.org")
        assert cuts.made == 1
    with MentoringService(postgres_url) as reader:
        cat = reader.programme(PROGRAMME).participant("cat")
        assert cat is not None and cat.contact == "cat@example.org"
        assert [row.person_id for row in reader.store.keys.store.rows()].count("cat") == 1


@pytest.mark.parametrize("check", ["report", "derived"])
def test_the_read_model_is_read_again_on_a_new_connection_after_a_cut(
    postgres_url: str, cuts: Cuts, check: str
) -> None:
    """The compliance read model did not retry: a report, and `audit verify`'s check of
    the derived data, came back as a raw OperationalError."""
    with MentoringService(postgres_url) as service:
        ana_ben_and_tim(service)
        build_compliance_report(service, PROGRAMME)  # the read model up to date
        cuts.arm("views")
        if check == "report":
            assert len(build_compliance_report(service, PROGRAMME).relationships) == 1
        else:
            assert check_derived(service).ok
        assert cuts.made == 1


def test_an_erasure_whose_key_destruction_is_cut_destroys_it_on_a_new_connection(
    postgres_url: str, cuts: Cuts, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The erasure was recorded, then the key's destruction met the cut: a raw error, the
    key live and tim's contact readable."""
    with MentoringService(postgres_url) as service:
        ana_ben_and_tim(service)
        keys = service.store.keys.store
        destroy = keys.destroy

        def cut_then_destroy(person_id: str, at: datetime) -> bool:
            cuts.arm("keys")
            return destroy(person_id, at)

        monkeypatch.setattr(keys, "destroy", cut_then_destroy)
        erasure = service.erase_person("tim", "DSAR-1", actor="dpo")
        assert cuts.made == 1
        assert erasure.key_destroyed and not erasure.already_recorded
    with MentoringService(postgres_url) as reader:
        assert reader.programme(PROGRAMME).participant("tim").contact == ERASED  # type: ignore[union-attr]
        assert erasures_of(reader, "tim") == 1
        assert check_derived(reader).ok


def test_an_erasure_whose_key_cannot_be_destroyed_says_so_and_erasing_again_finishes_it(
    postgres_url: str, cuts: Cuts, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every attempt at the key's destruction cut: the caller is told the erasure is
    recorded and the key not destroyed, and how to finish it; erasing again (with or
    without the command id) destroys the key and records no second erasure."""
    with MentoringService(postgres_url) as service:
        ana_ben_and_tim(service)
        keys = service.store.keys.store
        destroy = keys.destroy

        def never_destroyed(person_id: str, at: datetime) -> bool:
            cuts.arm("keys", times=1000)
            try:
                return destroy(person_id, at)
            finally:
                cuts.arm("keys", times=0)

        monkeypatch.setattr(keys, "destroy", never_destroyed)
        with pytest.raises(ErasureUnfinished) as raised:
            service.erase_person("tim", "DSAR-1", actor="dpo")
        assert cuts.made == retrying.ATTEMPTS
    recorded = raised.value.command_id
    assert raised.value.person_id == "tim" and recorded is not None
    assert str(raised.value) == (
        "the erasure of 'tim' is recorded, but their key was not destroyed (OperationalError: "
        "terminating connection due to administrator command): their personal data stays "
        f"readable until it is; erase them again with command id {recorded}, which destroys "
        "the key and records nothing again"
    )
    with MentoringService(postgres_url) as service:
        assert erasures_of(service, "tim") == 1
        assert not check_derived(service).ok  # the erasure recorded, the key live
        assert service.programme(PROGRAMME).participant("tim").contact == "tim@example.org"  # type: ignore[union-attr]
        again = service.erase_person("tim", "DSAR-1", actor="dpo")
        assert again.already_recorded and again.key_destroyed
        assert again.command_id == recorded
        assert [e.person_id for e in again.recorded] == ["tim"]
        assert erasures_of(service, "tim") == 1
        assert check_derived(service).ok
        assert service.programme(PROGRAMME).participant("tim").contact == ERASED  # type: ignore[union-attr]


def test_a_key_store_failing_while_sealed_fields_are_opened_is_a_store_failure(
    postgres_url: str, cuts: Cuts
) -> None:
    """A cut connection while a key was read to open a sealed field was reported as a
    damaged record ("StoredEventError: stored event 'ParticipantEnrolled' ... cannot be
    read"). Once cut, it is read on a new connection; a store that keeps failing is
    reported as the store's failure, never as an unreadable record."""
    with MentoringService(postgres_url) as service:
        ana_ben_and_tim(service)
    with MentoringService(postgres_url) as reader:
        cuts.arm("keys")
        assert reader.programme(PROGRAMME).participant("ben").contact == "ben@example.org"  # type: ignore[union-attr]
        assert cuts.made == 1
    with MentoringService(postgres_url) as reader:
        cuts.arm("keys", times=1000)
        with pytest.raises(OperationalError) as raised:
            reader.programme(PROGRAMME)
    assert not isinstance(raised.value, StoredEventError)


def test_the_derived_check_reports_a_failing_store_as_such_never_as_a_finding(
    postgres_url: str, cuts: Cuts
) -> None:
    """`audit verify`'s check of the derived data rebuilds every aggregate, opening its
    sealed fields: the key store failing there was named as an aggregate that "cannot be
    rebuilt", a finding about the history, when the store alone had failed."""
    with MentoringService(postgres_url) as service:
        ana_ben_and_tim(service)
    with MentoringService(postgres_url) as reader:
        cuts.arm("keys", times=1000)
        with pytest.raises(OperationalError):
            check_derived(reader)


def test_a_follower_whose_listening_connection_is_cut_goes_on_following(
    postgres_url: str,
) -> None:
    """The compliance follower's LISTEN connection cut, its thread ended with the error and
    the read model stood still until the follower was stopped (which raised it). It now
    says so in the log and goes on by polling, as a feed's follower does."""
    with MentoringService(postgres_url) as service:
        pair = ana_and_ben(service)
        recorder = service.store.recorder
        channel = recorder.channel_name  # type: ignore[attr-defined]  # a PostgreSQL recorder
        with ComplianceFollower(service, poll_interval=0.05) as follower:
            follower.wait(recorder.max_notification_id(), timeout=10)
            deadline = time.monotonic() + 10
            while not terminate_backends(postgres_url, f"LISTEN %{channel}%"):
                assert time.monotonic() < deadline, "no connection LISTENs"
                time.sleep(0.05)
            service.record_meeting_held(pair, 60, MeetingFormat.VIDEO, [], actor="ana")
            follower.wait(recorder.max_notification_id(), timeout=10)
        view = service.store.compliance_view()
        assert view.max_tracking_id(service.store.name) == recorder.max_notification_id()


def test_an_erasure_whose_key_destruction_answer_is_lost_says_the_key_was_destroyed(
    postgres_url: str, cuts: Cuts, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The key's destruction committed, then its answer was lost with the connection: the
    retry found the key already destroyed, and the erasure said ``key_destroyed`` false,
    as for a person who had no live key, although this erasure destroyed it."""
    with MentoringService(postgres_url) as service:
        ana_ben_and_tim(service)
        keys = service.store.keys.store
        datastore = keys.datastore  # type: ignore[attr-defined]  # PostgreSQL's key store
        transaction = datastore.transaction
        lost: list[bool] = []

        @contextmanager
        def answer_lost_once(*, commit: bool) -> Iterator[Any]:
            with transaction(commit=commit) as cursor:
                yield cursor
            if commit and not lost:  # committed, then the connection went
                lost.append(True)
                raise OperationalError("server closed the connection unexpectedly")

        destroy = keys.destroy

        def destroy_answer_lost(person_id: str, at: datetime) -> bool:
            monkeypatch.setattr(datastore, "transaction", answer_lost_once)
            try:
                return destroy(person_id, at)
            finally:
                monkeypatch.setattr(datastore, "transaction", transaction)

        monkeypatch.setattr(keys, "destroy", destroy_answer_lost)
        erasure = service.erase_person("tim", "DSAR-2", actor="dpo")
        assert lost == [True]
        assert erasure.key_destroyed, erasure
        row = keys.get("tim")
        assert row is not None and row.key is None
