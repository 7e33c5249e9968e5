"""The follower's waker: woken by a store's listener, by the poll interval, or by stop."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

import pytest

from mentoring_core.store import Waker


def pushing(after: float) -> Callable[[Callable[[], bool], Callable[[], None], float], None]:
    """A listener that tells of one write ``after`` seconds in, then waits to be stopped."""

    def listen(stopping: Callable[[], bool], work: Callable[[], None], timeout: float) -> None:
        time.sleep(after)
        work()
        while not stopping():
            time.sleep(0.01)

    return listen


def test_a_write_told_by_the_store_wakes_the_wait_long_before_the_interval() -> None:
    with Waker(pushing(0.2), interval=30) as waker:
        started = time.monotonic()
        waker.wait(threading.Event())
        assert time.monotonic() - started < 5


def test_without_a_listener_the_wait_lasts_the_interval() -> None:
    with Waker(None, interval=0.3) as waker:
        started = time.monotonic()
        waker.wait(threading.Event())
        assert time.monotonic() - started >= 0.3


def test_stop_ends_the_wait_at_once() -> None:
    stop = threading.Event()
    threading.Timer(0.2, stop.set).start()
    with Waker(None, interval=30) as waker:
        started = time.monotonic()
        waker.wait(stop)
        assert time.monotonic() - started < 5


def test_a_failing_listener_is_logged_and_the_waker_polls_on(
    caplog: pytest.LogCaptureFixture,
) -> None:
    def broken(stopping: Callable[[], bool], work: Callable[[], None], timeout: float) -> None:
        raise OSError("connection lost")

    with caplog.at_level(logging.WARNING, logger="mentoring_core"), Waker(broken, 0.2) as waker:
        started = time.monotonic()
        waker.wait(threading.Event())
        assert time.monotonic() - started >= 0.2
    assert any("connection lost" in r.getMessage() for r in caplog.records)


def test_closing_the_waker_stops_its_listener() -> None:
    stopped = threading.Event()

    def listen(stopping: Callable[[], bool], work: Callable[[], None], timeout: float) -> None:
        while not stopping():
            time.sleep(0.01)
        stopped.set()

    with Waker(listen, interval=0.1):
        pass
    assert stopped.wait(2)
