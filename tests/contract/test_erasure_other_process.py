"""An erasure made by another process is honoured by a running one (docs/privacy.md, Keys).

A running service (an HTTP server, a worker: ``running`` below) keeps the states it read,
opened texts and all. When another service on the same store, or ``mentoring privacy
erase`` in a process of its own, erases Ben:

- the running service shows none of Ben's texts once the keys it read have expired
  (``CachedKeys.seconds``, 30 s by default; lowered here to keep the tests short): its
  kept states do not outlive the keys that opened them;
- it never writes a snapshot holding Ben's texts, not even within those seconds: before a
  snapshot is written, the key store (not the cache) is asked whether the keys of the
  people whose texts it holds are live. The files hold none of Ben's texts, and the
  derived data (snapshots) agree with the events (no false tampering alarm).

Each runs on SQLite and PostgreSQL (a memory store lives in one service only).
"""

from __future__ import annotations

import logging
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from mentoring_core_postgres.testing import postgres_store_url
from report_scenario import (
    BEN_CONTACT,
    BEN_NAME,
    PAIR_A,
    PAIR_B,
    PAIR_C,
    PROGRAMME,
    SettableClock,
    record,
)

from mentoring_core import MentoringService
from mentoring_core.audit.derived import check_derived
from mentoring_core.privacy import ERASED
from mentoring_core.privacy.erasure import named_people
from mentoring_core.values import FeedbackKind, FocusArea, Rating, Role

from .conftest import calls_of
from .test_erasure import database_bytes

BEN_SECRET = "Ben-private-goal-2b9e about his debts"
BEN_REFLECTION = "Ben-reflection-e41d cried after the visit"
BEN_PLAN = "Ben-plan-0c7a shadow a senior worker on a home visit"
ANA_FEEDBACK = "Ana-feedback-7d13 calm in the escalation"
BEN_TEXTS = (BEN_SECRET, BEN_REFLECTION, BEN_PLAN, BEN_NAME, BEN_CONTACT)
SECONDS = 1.0
"""The key lifetime of the running service here (``KEY_CACHE_SECONDS``, 30, by default)."""
MENTORING = str(Path(sys.executable).with_name("mentoring"))


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'mentoring.db'}"
    else:
        with postgres_store_url("other_process") as url:
            yield url


def seed(url: str, snapshot_interval: int | None = 2) -> SettableClock:
    """The report scenario with texts only Ben is the subject of (and Ana's feedback),
    recorded by a service that takes a snapshot every ``snapshot_interval`` events; the
    clock then set to now, for every service and process after it."""
    clock = SettableClock()
    with MentoringService(url, clock=clock, snapshot_interval=snapshot_interval) as service:
        record(service, clock)
        service.set_goal(
            PAIR_A, BEN_SECRET, FocusArea.WELLBEING, "He says so", date(2026, 6, 1), actor="ana"
        )
        ratings = [Rating(focus_area=FocusArea.WELLBEING, score=2)]
        service.record_reflection(PAIR_A, ratings, BEN_REFLECTION, actor="ben")
        service.give_feedback(
            PAIR_A, "ben", "ana", FeedbackKind.RECOGNITION, ANA_FEEDBACK, actor="ben"
        )
    clock.now = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)
    return clock


def running(url: str, clock: SettableClock, *, seconds: float | None = None) -> MentoringService:
    """A long-running service (snapshots every 2 events) that has read Ben's texts: the
    relationship whole and the programme, and recorded a plan item for Ben (so the state
    it decides commands on is kept too)."""
    service = MentoringService(url, clock=clock, snapshot_interval=2)
    if seconds is not None:
        service.store.keys.seconds = seconds
    assert BEN_SECRET in [g.title for g in service.relationship(PAIR_A).goals]
    assert service.programme(PROGRAMME).participants[1].display_name == BEN_NAME
    service.add_plan_activity(PAIR_A, BEN_PLAN, date(2027, 1, 31), actor="ana")
    return service


def later(clock: SettableClock) -> None:
    clock.now += timedelta(minutes=1)


def record_facts(service: MentoringService, clock: SettableClock) -> None:
    """Facts holding no text about Ben, on his relationship and his programme, two of each:
    each crosses the service's snapshot interval once."""
    for person in ("fay", "gus"):
        later(clock)
        service.add_plan_activity(PAIR_A, ERASED, date(2027, 1, 31), actor="ana")
        service.enrol(PROGRAMME, person, Role.MENTEE, 1, actor="coord")


def assert_shows_nothing_of_ben(service: MentoringService) -> None:
    pair = service.relationship(PAIR_A)
    assert {g.title for g in pair.goals} == {ERASED}
    assert {a.description for a in pair.plan} == {ERASED}
    assert {r.text for r in pair.reflections} == {ERASED}
    assert ANA_FEEDBACK in [f.text for f in pair.feedback]  # Ana's, not Ben's
    ben = service.programme(PROGRAMME).participants[1]
    assert ben.person_id == "ben"
    assert (ben.display_name, ben.contact) == (ERASED, ERASED)


def assert_the_store_holds_nothing_of_ben(url: str) -> None:
    files = database_bytes(url)
    assert [text for text in BEN_TEXTS if text.encode() in files] == []
    with MentoringService(url) as reader:
        derived = check_derived(reader)
    assert derived.snapshots > 0
    # no snapshot differs from its events: no false alarm of tampering
    assert [d for d in derived.differences if d.what == "snapshot"] == []


def test_a_running_service_shows_no_text_of_a_person_another_erased_once_its_keys_expire(
    store_url: str,
) -> None:
    clock = seed(store_url)
    with (
        running(store_url, clock, seconds=SECONDS) as b,
        MentoringService(store_url, clock=clock) as a,
    ):
        later(clock)
        a.erase_person("ben", "DSAR-2026-020", actor="dpo")
        time.sleep(SECONDS * 1.5)

        assert_shows_nothing_of_ben(b)
        later(clock)
        record_facts(b, clock)
        assert_shows_nothing_of_ben(b)
    assert_the_store_holds_nothing_of_ben(store_url)


@pytest.mark.parametrize("snapshots", [2, None], ids=["read-from-snapshots", "folded-from-events"])
def test_a_running_service_writes_no_snapshot_of_a_person_another_erased(
    store_url: str, snapshots: int | None
) -> None:
    # the running service's states come from the snapshots the first wrote, or, when it
    # wrote none, from the events: it then knows whose keys opened them
    clock = seed(store_url, snapshot_interval=snapshots)
    with running(store_url, clock) as b, MentoringService(store_url, clock=clock) as a:
        later(clock)
        a.erase_person("ben", "DSAR-2026-021", actor="dpo")

        record_facts(b, clock)  # at once: well within the 30 s its keys are kept

        assert_shows_nothing_of_ben(a)
    assert_the_store_holds_nothing_of_ben(store_url)


def test_an_erasure_by_the_command_line_is_honoured_by_a_running_service(store_url: str) -> None:
    clock = seed(store_url)
    with running(store_url, clock, seconds=SECONDS) as b:
        erased = subprocess.run(
            [MENTORING, "--store", store_url, "privacy", "erase", "ben", "--reason", "DSAR-22"],
            capture_output=True,
            text=True,
            check=False,
        )
        assert erased.returncode == 0, erased.stderr
        later(clock)

        record_facts(b, clock)  # no snapshot of Ben's texts, even at once
        assert_the_store_holds_nothing_of_ben(store_url)
        time.sleep(SECONDS * 1.5)
        assert_shows_nothing_of_ben(b)  # and none shown once its keys expired


def test_a_snapshot_written_while_another_erases_is_dropped_again(
    store_url: str, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # The erasure runs between the running service's check of the keys and its writing of
    # the snapshot: its dropping of every snapshot comes before the snapshot is written.
    clock = seed(store_url)
    with running(store_url, clock) as b, MentoringService(store_url, clock=clock) as a:
        snapshots: Any = b.store.snapshots
        put = snapshots.put

        def erasing_first(items: Any, **kwargs: Any) -> Any:
            monkeypatch.setattr(snapshots, "put", put)  # once
            a.erase_person("ben", "DSAR-2026-023", actor="dpo")
            return put(items, **kwargs)

        monkeypatch.setattr(snapshots, "put", erasing_first)
        later(clock)
        with caplog.at_level(logging.WARNING, logger="mentoring_core.application"):
            b.add_plan_activity(PAIR_A, ERASED, date(2027, 1, 31), actor="ana")

        assert "dropped every snapshot again: ben erased" in caplog.text
        assert_shows_nothing_of_ben(b)  # its keys and states dropped, as the erasing one's
        record_facts(b, clock)  # snapshots taken again, clean
    assert_the_store_holds_nothing_of_ben(store_url)


def test_a_command_on_a_kept_state_reads_no_key_until_the_keys_are_due(
    store_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = seed(store_url)
    with MentoringService(store_url, clock=clock, snapshot_interval=None) as b:
        b.add_plan_activity(PAIR_A, "Ben-plan first", date(2027, 1, 31), actor="ana")
        reads = calls_of(monkeypatch, b.store.keys.store, "get")
        for _ in range(5):
            later(clock)
            b.add_plan_activity(PAIR_A, "Ben-plan more shadowing", date(2027, 1, 31), actor="ana")
        assert reads == []  # within the keys' lifetime, the kept state is used as it is

        b.store.keys.seconds = 0.2
        time.sleep(0.3)
        later(clock)
        b.add_plan_activity(PAIR_A, "Ben-plan again", date(2027, 1, 31), actor="ana")
        assert reads == [("ben",)]  # Ben's key read again, found live: the state is kept
        later(clock)
        b.add_plan_activity(PAIR_A, "Ben-plan and again", date(2027, 1, 31), actor="ana")
        assert reads == [("ben",)]


def test_every_person_whose_key_opens_a_states_text_is_named_in_it(tmp_path: Path) -> None:
    # A state read from a snapshot is checked against the people it names before it is
    # written as a new snapshot: they must include everyone whose texts it may hold.
    url = f"sqlite:///{tmp_path / 'named.db'}"
    seed(url)
    with MentoringService(url) as service:
        keys = service.store.keys
        states: list[tuple[Any, Any]] = [(PROGRAMME, service.programme)]
        states += [(pair, service.relationship) for pair in (PAIR_A, PAIR_B, PAIR_C)]
        found = {}
        for aggregate_id, read in states:
            _, opened = keys.sealing(lambda: service.history(aggregate_id))  # noqa: B023
            assert opened <= named_people(read(aggregate_id)), aggregate_id
            found[aggregate_id] = opened
    assert found[PROGRAMME] == {"ben"}  # his display name and contact
    assert found[PAIR_A] == {"ana", "ben"}  # his goals..., the feedback given to Ana
