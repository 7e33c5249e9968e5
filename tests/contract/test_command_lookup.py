"""A command given its own id (an HTTP ``Idempotency-Key``, the CLI's ``--command-id``)
costs the same whatever the length of the history it is recorded on (issue 15, target 4).

The service looks for an earlier attempt of the command before deciding it. It used to
read and decode every event of the aggregate to do so: 267 ms for a meeting recorded on
a relationship of 10,000 events against 0.8 ms without an id. The store now keeps each
event's command id beside its chain link, and the service reads only the events the
id names, and those whose command the store does not know yet (an import's, or a store's
from before), once: it then keeps theirs.
"""

from __future__ import annotations

import sqlite3
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from uuid import uuid4

import psycopg
import psycopg.sql
import pytest

from mentoring_core import InvalidValue, MentoringService, application
from mentoring_core.audit import export_events, import_events
from mentoring_core.audit.derived import check_derived
from mentoring_core.extend import CHAIN_TABLE, COMMAND_INDEX, NOTED_TABLE
from mentoring_core.privacy import copy_keys
from mentoring_core.values import FocusArea, MeetingFormat, Role

from .conftest import SteppingClock
from .test_long_relationships import hold
from .test_service_contract import FIRST_MEETING, Seeded, seed

MEETINGS = 30


@pytest.fixture
def clock() -> SteppingClock:
    """A clock after every date these tests give (the meetings' up to day 102)."""
    return SteppingClock(FIRST_MEETING + timedelta(days=200))


def rows_read(monkeypatch: pytest.MonkeyPatch, service: MentoringService) -> list[int]:
    """How many records each read of one aggregate's events returned, from now on."""
    recorder = service.store.recorder
    read = recorder.select_events
    counts: list[int] = []

    def counted(*args: Any, **kwargs: Any) -> Any:
        found = read(*args, **kwargs)
        counts.append(len(found))
        return found

    monkeypatch.setattr(recorder, "select_events", counted)
    return counts


def long_relationship(service: MentoringService) -> Seeded:
    seeded = seed(service)
    for day in range(3, 3 + MEETINGS):
        hold(service, seeded.relationship, day, command_id=uuid4())
    return seeded


def test_a_command_with_its_own_id_reads_no_history(
    store_url: str, clock: SteppingClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    with MentoringService(store_url, clock=clock) as service:
        seeded = long_relationship(service)
        counts = rows_read(monkeypatch, service)
        command_id = uuid4()
        first = hold(service, seeded.relationship, 100, command_id=command_id)
        assert sum(counts) == 0, counts  # the whole history (over 30 events) before
        again = hold(service, seeded.relationship, 100, command_id=command_id)
        assert sum(counts) == 1, counts  # the one event the command recorded
    assert again.already_recorded and not first.already_recorded
    assert again.events == first.events and again.version == first.version


def test_commands_given_no_id_are_read_once_by_the_next_that_has_one(
    store_url: str, clock: SteppingClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A command the service gave its id is stored without the index entry (one page
    less to write); the next command with its own id reads those written since one last
    looked, once, and keeps their ids: the id a command was given is still found."""
    with MentoringService(store_url, clock=clock) as service:
        seeded = long_relationship(service)
        unkeyed = [hold(service, seeded.relationship, day) for day in range(50, 60)]
        counts = rows_read(monkeypatch, service)
        hold(service, seeded.relationship, 60, command_id=uuid4())
        assert counts == [len(unkeyed)], counts  # the ten written since, once
        counts.clear()
        again = hold(service, seeded.relationship, 55, command_id=unkeyed[5].command_id)
        assert counts == [1], counts  # the one event its id names
    assert again.already_recorded and again.events == unkeyed[5].events


def test_an_id_given_to_another_relationship_is_not_taken_for_this_one(
    store_url: str, clock: SteppingClock
) -> None:
    with MentoringService(store_url, clock=clock) as service:
        seeded = long_relationship(service)
        command_id = uuid4()
        other = service.enrol(
            seeded.programme, "cy", Role.MENTEE, 1, actor="coord", command_id=command_id
        )
        assert not other.already_recorded
        recorded = hold(service, seeded.relationship, 100, command_id=command_id)
    assert not recorded.already_recorded and recorded.aggregate_id == seeded.relationship
    assert other.aggregate_id == seeded.programme


def test_an_imported_history_is_read_once_and_its_commands_then_kept(
    store_url: str,
    fresh_url: str,
    clock: SteppingClock,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """An import stores records without reading them: their commands are not known until
    a command with its own id looks among them, a page at a time, which then keeps them."""
    path = tmp_path / "export.jsonl"
    with MentoringService(store_url, clock=clock) as service:
        seeded = long_relationship(service)
        command_id = uuid4()
        first = hold(service, seeded.relationship, 100, command_id=command_id)
        with path.open("w", encoding="utf-8") as out:
            export_events(service, out)
        with MentoringService(fresh_url, clock=clock) as imported:
            copy_keys(service.store.keys.store, imported.store.keys.store)  # not exported
            import_events(imported, path)
            counts = rows_read(monkeypatch, imported)
            monkeypatch.setattr(application, "_NOTED_AT_ONCE", 10)
            again = hold(imported, seeded.relationship, 100, command_id=command_id)
            state, *pages = counts  # the state to decide on (no snapshot), then the look
            assert state > MEETINGS and sum(pages) == state, counts  # every event, once
            assert max(pages) <= 10, counts  # a page at a time
            counts.clear()
            once_more = hold(imported, seeded.relationship, 100, command_id=command_id)
            assert counts == [1]  # the command's one event
            new = hold(imported, seeded.relationship, 101, command_id=uuid4())
            assert sum(counts) <= 2, counts  # and at most the state to decide on
            assert imported.verify().ok  # keeping the commands changed no link
    assert again.already_recorded and once_more.already_recorded and not new.already_recorded
    assert again.events == once_more.events == first.events


def test_an_id_beside_a_link_is_believed_only_when_the_event_says_it(
    tmp_path: Path, clock: SteppingClock
) -> None:
    """The command id beside a link is outside its hash. Changed around the library, it
    makes no other command's event an answer (the event itself is read), ``audit verify``
    names it, and a service that trusts no derived data reads every event instead; one
    removed after the version noted is not known, and the event is read to find it
    again; one removed at or below it is named by ``audit verify`` too."""
    url = f"sqlite:///{tmp_path / 'store.db'}"
    with MentoringService(url, clock=clock) as service:
        seeded = long_relationship(service)
        mine, other, lost = uuid4(), uuid4(), uuid4()
        recorded = hold(service, seeded.relationship, 100, command_id=mine)
        hold(service, seeded.relationship, 101, command_id=other)
        forgotten = hold(service, seeded.relationship, 102, command_id=lost)
    with sqlite3.connect(tmp_path / "store.db") as db:
        db.execute(
            f"UPDATE {CHAIN_TABLE} SET command_id=? WHERE command_id=?", (other.hex, mine.hex)
        )
        db.execute(f"UPDATE {CHAIN_TABLE} SET command_id=NULL WHERE command_id=?", (lost.hex,))
        db.execute(
            f"UPDATE {CHAIN_TABLE} SET command_id=NULL WHERE originator_id=? "
            "AND originator_version=2",
            (seeded.relationship.hex,),
        )
    with MentoringService(url, clock=clock) as service:
        differences = check_derived(service).differences
        assert [(d.what, d.version) for d in differences] == [
            ("command id", 2),  # the seed's, noted by the first command with an id
            ("command id", recorded.version),
        ]
        again = hold(service, seeded.relationship, 102, command_id=lost)
        assert again.already_recorded and again.events == forgotten.events
        later = hold(service, seeded.relationship, 101, command_id=other)
        assert later.already_recorded and later.version == recorded.version + 1  # not mine
    with MentoringService(url, clock=clock, trust_snapshots=False) as untrusting:
        retried = hold(untrusting, seeded.relationship, 100, command_id=mine)
    assert retried.already_recorded and retried.events == recorded.events


def test_a_chain_table_from_before_gets_its_column_and_index(
    store_kind: str, store_url: str, clock: SteppingClock
) -> None:
    """A store whose chain table has no ``command_id`` column (made by an earlier
    release) gets it on opening, and its events' commands are found by reading them."""
    if store_kind == "memory":
        pytest.skip("a memory store is made anew by each service")
    with MentoringService(store_url, clock=clock) as service:
        seeded = long_relationship(service)
        command_id = uuid4()
        first = hold(service, seeded.relationship, 100, command_id=command_id)
    drop = [
        f"DROP INDEX {COMMAND_INDEX}",
        f"DROP TABLE {NOTED_TABLE}",
        f"ALTER TABLE {CHAIN_TABLE} DROP COLUMN command_id",
    ]
    if store_kind == "sqlite":
        with sqlite3.connect(store_url.removeprefix("sqlite:///")) as db:
            for statement in drop:
                db.execute(statement)
    else:
        server, schema = store_url.split("?schema=")
        with psycopg.connect(server, autocommit=True) as db:
            db.execute(
                psycopg.sql.SQL("SET search_path TO {}").format(psycopg.sql.Identifier(schema))
            )
            for statement in drop:
                db.execute(statement)
    with MentoringService(store_url, clock=clock) as service:
        again = hold(service, seeded.relationship, 100, command_id=command_id)
        assert service.verify().ok
    assert again.already_recorded and again.events == first.events


@pytest.mark.parametrize(
    ("aggregate_id", "command_id", "field"),
    [
        ("x" * 10_000, uuid4(), "aggregate_id"),
        (uuid4(), None, "command_id"),
        (uuid4(), 7, "command_id"),
    ],
)
def test_finding_a_command_names_a_bad_id(
    store_url: str, aggregate_id: Any, command_id: Any, field: str
) -> None:
    with MentoringService(store_url) as service, pytest.raises(InvalidValue) as refused:
        service.find_command(aggregate_id, command_id)
    assert refused.value.field == field


def test_finding_a_command_answers_what_it_recorded_there_only(
    store_url: str, clock: SteppingClock
) -> None:
    with MentoringService(store_url, clock=clock) as service:
        seeded = long_relationship(service)
        command_id = uuid4()
        recorded = hold(service, seeded.relationship, 100, command_id=command_id)
        found = service.find_command(seeded.relationship, command_id)
        assert service.find_command(seeded.programme, command_id) is None
        assert service.find_command(uuid4(), command_id) is None
    assert found is not None and found.already_recorded
    assert (found.events, found.version) == (recorded.events, recorded.version)
    assert found.id == recorded.id  # the meeting's, as the retry's answer gives it


def test_a_command_found_answers_with_the_id_it_created_as_a_retry_does(
    store_url: str, clock: SteppingClock
) -> None:
    """``find_command`` answers as a retry of the command is answered: with the id the
    command created (the goal's, the meeting's, the group session's), not the id of the
    programme or relationship it was looked for on; a command that creates none (an
    enrolment) with that of its programme."""
    with MentoringService(store_url, clock=clock) as service:
        seeded = seed(service)
        service.enrol(seeded.programme, "cy", Role.MENTEE, 1, actor="coord")
        other = service.form_pair(seeded.programme, "ana", "cy", actor="coord").id
        ids = [uuid4() for _ in range(4)]
        created = {
            "goal": service.set_goal(
                seeded.relationship,
                "Goal",
                FocusArea.OTHER,
                "Measure",
                date(2027, 1, 1),
                actor="ana",
                command_id=ids[0],
            ),
            "meeting": service.record_meeting_held(
                seeded.relationship,
                30,
                MeetingFormat.PHONE,
                ["t"],
                actor="ana",
                command_id=ids[1],
            ),
            "group session": service.record_group_session(
                seeded.programme,
                "ana",
                [seeded.relationship, other],
                60,
                ["t"],
                actor="ana",
                command_id=ids[2],
            ),
        }
        enrolled = service.enrol(
            seeded.programme, "dee", Role.MENTEE, 1, actor="coord", command_id=ids[3]
        )
        found = {
            "goal": service.find_command(seeded.relationship, ids[0]),
            "meeting": service.find_command(seeded.relationship, ids[1]),
            "group session": service.find_command(other, ids[2]),
        }
        found_enrolment = service.find_command(seeded.programme, ids[3])
    for name, recorded in created.items():
        answer = found[name]
        assert answer is not None and answer.id == recorded.id, name
    assert found_enrolment is not None and found_enrolment.id == enrolled.id == seeded.programme


def test_a_command_decided_on_an_older_state_keeps_the_noted_version_true(
    store_url: str, clock: SteppingClock
) -> None:
    """A second service decides a command on the state it cached before another service
    wrote: the store refuses it, and looking for an earlier attempt of it from the version
    it decided on must not note, as keeping their command ids, the links before it that
    it never read (audit verify would then name each as changed around the library)."""
    if store_url == "memory://":
        pytest.skip("a memory store is made anew by each service")
    with (
        MentoringService(store_url, clock=clock) as a,
        MentoringService(store_url, clock=clock) as b,
    ):
        programme = a.create_programme("P", "Org", actor="coord").id  # ids the service gave
        b.enrol(programme, "ana", Role.MENTOR, 9, actor="coord")  # b caches version 2
        a.enrol(programme, "ben", Role.MENTEE, 1, actor="coord")
        b.enrol(programme, "cy", Role.MENTEE, 1, actor="coord")  # on version 2: refused, again
        assert b.programme(programme).version == 4
        assert check_derived(b).differences == ()
