"""Waiting for new events: woken by the store where it pushes, else after a poll interval."""

from __future__ import annotations

import logging
import threading
import time
from types import TracebackType

from ._port import Listener

_log = logging.getLogger(__name__)

_SLICE = 0.05
"""Seconds between looks at the caller's stop event while waiting."""
_LISTEN_SLICE = 1.0
"""Longest a listener waits for the store before it looks whether the waker was closed."""


class Waker:
    """Wakes a follower when the store tells of new events, at the latest every ``interval``.

    Where the store pushes (PostgreSQL's LISTEN/NOTIFY), its listener runs in a thread
    for as long as the waker is open and wakes :meth:`wait` at once on a write; where it
    does not (memory, SQLite), :meth:`wait` simply waits ``interval``. Should the listener
    fail (the connection lost), it is logged and the waker goes on polling.
    """

    def __init__(self, listener: Listener | None, interval: float) -> None:
        self._listener = listener
        self._interval = interval
        self._woken = threading.Event()
        self._closed = threading.Event()
        self._thread: threading.Thread | None = None

    def __enter__(self) -> Waker:
        if self._listener is not None:
            self._thread = threading.Thread(
                target=self._listen, name="mentoring-follow", daemon=True
            )
            self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._closed.set()
        if self._thread is not None:
            self._thread.join(_LISTEN_SLICE + 1)

    def _listen(self) -> None:
        assert self._listener is not None
        try:
            slice_ = min(self._interval, _LISTEN_SLICE)
            self._listener(self._closed.is_set, self._woken.set, slice_)
        except Exception as error:
            _log.warning("stopped listening for new events (%s); polling instead", error)

    def wait(self, stopping: threading.Event) -> None:
        """Return when the store tells of new events, ``stopping`` is set, or ``interval``
        has passed; what is told meanwhile is not lost (the next wait returns at once)."""
        deadline = time.monotonic() + self._interval
        while not stopping.is_set() and time.monotonic() < deadline:
            if self._woken.wait(min(_SLICE, max(deadline - time.monotonic(), 0))):
                break
        self._woken.clear()
