"""The public event feed: ``service.read(after=...)`` and ``service.follow(after=...)``.

Every store keeps one log; the feed gives each event once, in the order stored, with
its position, and reading again from the last position seen resumes without a gap.
"""

from __future__ import annotations

import multiprocessing
import threading
import time
from datetime import UTC, datetime
from uuid import UUID

import pytest

from mentoring_core import InvalidValue, MentoringService
from mentoring_core.domain.events import (
    MeetingHeld,
    PairFormed,
    ProgrammeCreated,
    ProgrammeEvent,
    RelationshipEvent,
)
from mentoring_core.projections import ComplianceFollower
from mentoring_core.values import MeetingFormat, Role

from .conftest import SteppingClock

SPAWN = multiprocessing.get_context("spawn")
WRITERS, MEETINGS = 3, 12


STARTED = datetime(2026, 1, 1, tzinfo=UTC)
"""Before the meetings recorded (dated 5 January 2026): a meeting follows its pair."""


def a_pair(service: MentoringService, mentee: str = "ben") -> tuple[UUID, UUID]:
    programme = service.create_programme("Feed", "Org", actor="coord", occurred_at=STARTED).id
    service.enrol(programme, "ana", Role.MENTOR, 20, actor="coord", occurred_at=STARTED)
    service.enrol(programme, mentee, Role.MENTEE, 1, actor="coord", occurred_at=STARTED)
    pair = service.form_pair(programme, "ana", mentee, actor="coord", occurred_at=STARTED)
    return programme, pair.id


def meeting(service: MentoringService, pair: UUID, topic: str) -> None:
    service.record_meeting_held(
        pair,
        30,
        MeetingFormat.VIDEO,
        [topic],
        actor="ana",
        occurred_at=datetime(2026, 1, 5, tzinfo=UTC),
    )


def test_read_gives_every_event_in_the_order_stored_at_the_positions_recorded(
    store_url: str, clock: SteppingClock
) -> None:
    with MentoringService(store_url, clock=clock) as service:
        programme = service.create_programme("Feed", "Org", actor="coord")
        enrolled = service.enrol(programme.id, "ana", Role.MENTOR, 20, actor="coord")
        service.enrol(programme.id, "ben", Role.MENTEE, 1, actor="coord")
        formed = service.form_pair(programme.id, "ana", "ben", actor="coord")
        feed = list(service.read())

        positions = [position for position, _ in feed]
        assert positions == sorted(set(positions)), "positions increase, none repeated"
        assert [e for _, e in feed][:2] == [*programme.events, *enrolled.events]
        assert len(feed) == 3 + len(formed.events)
        by_position = dict(feed)
        for recorded in (programme, enrolled, formed):
            assert len(recorded.positions) == len(recorded.events)
            assert [by_position[p] for p in recorded.positions] == list(recorded.events)
        assert isinstance(feed[0][1], ProgrammeCreated)
        assert any(isinstance(e, PairFormed) for _, e in feed)


def test_read_resumes_after_a_position_keeps_kinds_and_stops_at_a_limit(
    store_url: str,
) -> None:
    with MentoringService(store_url) as service:
        _, pair = a_pair(service)
        for n in range(5):
            meeting(service, pair, f"topic {n}")
        everything = list(service.read())

        assert list(service.read(after=everything[2][0])) == everything[3:]
        assert list(service.read(after=everything[-1][0])) == []
        assert list(service.read(limit=4)) == everything[:4]
        assert list(service.read(after=everything[0][0], limit=2)) == everything[1:3]
        programme_only = list(service.read(kinds=["programme"]))
        relationship_only = list(service.read(kinds=["relationship"]))
        assert programme_only == [(p, e) for p, e in everything if isinstance(e, ProgrammeEvent)]
        assert relationship_only == [
            (p, e) for p, e in everything if isinstance(e, RelationshipEvent)
        ]
        assert sum(isinstance(e, MeetingHeld) for _, e in relationship_only) == 5
        both = list(service.read(kinds=["relationship", "programme"]))
        assert both == everything


@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        ({"after": -1}, "after"),
        ({"after": "3"}, "after"),
        ({"limit": 0}, "limit"),
        ({"kinds": "programme"}, "kinds"),
        ({"kinds": ["meeting"]}, "kinds"),
        ({"kinds": None}, "kinds"),
        ({"kinds": [["programme"]]}, "kinds"),
        ({"after": 10**30}, "after"),
    ],
)
def test_bad_feed_arguments_are_refused_by_name_before_anything_is_read(
    arguments: dict[str, object], field: str
) -> None:
    with MentoringService("memory://") as service:
        with pytest.raises(InvalidValue) as refused:
            service.read(**arguments)  # type: ignore[arg-type]
        assert refused.value.field == field
        if "limit" not in arguments:
            with pytest.raises(InvalidValue):
                service.follow(**arguments)  # type: ignore[arg-type]


@pytest.mark.parametrize("interval", [0, -1, float("nan"), float("inf"), "1", True])
def test_a_follower_polling_at_no_interval_is_refused_by_name(interval: object) -> None:
    """A wait of 0 or less returns at once: the follower would read the store in a busy
    loop; an endless one would never look again where no write wakes it."""
    with MentoringService("memory://") as service:
        with pytest.raises(InvalidValue) as refused:
            service.follow(poll_interval=interval)  # type: ignore[arg-type]
        assert refused.value.field == "poll_interval"
        assert "a finite number of seconds above 0" in str(refused.value)
        with pytest.raises(InvalidValue) as refused:
            ComplianceFollower(service, poll_interval=interval)  # type: ignore[arg-type]
        assert refused.value.field == "poll_interval"


def writer(url: str, pair: UUID, meetings: int) -> int:
    with MentoringService(url) as service:
        for n in range(meetings):
            meeting(service, pair, f"meeting {n}")
    return meetings


def test_a_reader_paging_and_a_follower_see_every_event_once_in_order_while_writers_write(
    store_url: str, store_kind: str
) -> None:
    with MentoringService(store_url) as service:
        pairs = [a_pair(service, f"mentee{n}")[1] for n in range(WRITERS)]
        before = len(list(service.read()))
        stop = threading.Event()
        followed: list[int] = []

        def follow() -> None:
            for position, _ in service.follow(stop=stop, poll_interval=0.01):
                followed.append(position)

        follower = threading.Thread(target=follow)
        follower.start()
        paged: list[int] = []
        if store_kind == "memory":  # one process: writers are threads
            threads = [threading.Thread(target=writer_in, args=(service, p)) for p in pairs]
            for thread in threads:
                thread.start()
            done = lambda: not any(t.is_alive() for t in threads)  # noqa: E731
        else:
            pool = SPAWN.Pool(WRITERS)
            pending = pool.starmap_async(writer, [(store_url, p, MEETINGS) for p in pairs])
            done = pending.ready
        try:
            while True:
                finished = done()  # read once more after the writers finish
                while page := list(service.read(after=paged[-1] if paged else 0, limit=7)):
                    paged.extend(position for position, _ in page)
                if finished:
                    break
        finally:
            if store_kind != "memory":
                pool.close()
                pool.join()
        stored = [position for position, _ in service.read()]
        while len(followed) < len(stored) and follower.is_alive():
            stop.wait(0.01)
        stop.set()
        follower.join(timeout=10)

    assert len(stored) == before + WRITERS * MEETINGS
    assert paged == stored, "the paging reader saw every event once, in order"
    assert followed == stored, "the follower saw every event once, in order"


def writer_in(service: MentoringService, pair: UUID) -> None:
    for n in range(MEETINGS):
        meeting(service, pair, f"meeting {n}")


LONG_POLL = 30.0
"""A poll interval far longer than any of these tests may take."""


def test_a_stopped_follower_returns_at_once_even_while_it_waits(store_url: str) -> None:
    with MentoringService(store_url) as service:
        a_pair(service)
        stop = threading.Event()
        seen: list[int] = []
        done = threading.Event()

        def follow() -> None:
            for position, _ in service.follow(stop=stop, poll_interval=LONG_POLL):
                seen.append(position)
            done.set()

        thread = threading.Thread(target=follow)
        thread.start()
        while len(seen) < 5:  # the four events of the pair, and the programme's record
            assert thread.is_alive()
            threading.Event().wait(0.01)
        stop.set()
        assert done.wait(5), "follow() kept waiting after stop was set"
        thread.join()


def test_on_postgresql_a_follower_is_woken_by_the_write_not_by_its_poll(
    store_kind: str, store_url: str
) -> None:
    if store_kind != "postgres":
        pytest.skip("only PostgreSQL tells followers of writes; the other stores are polled")
    with MentoringService(store_url) as service, MentoringService(store_url) as other:
        _, pair = a_pair(service)
        stop = threading.Event()
        followed = service.follow(stop=stop, poll_interval=LONG_POLL)
        initial = [next(followed) for _ in range(5)]
        assert len(initial) == 5
        writer = threading.Timer(0.5, meeting, (other, pair, "pushed"))
        started = time.monotonic()
        writer.start()
        _, event = next(followed)
        waited = time.monotonic() - started
        writer.join()
        assert isinstance(event, MeetingHeld) and event.topics == ("pushed",)
        assert waited < LONG_POLL / 2, f"woken after {waited:.1f}s: by the poll, not the write"
        stop.set()
        followed.close()
