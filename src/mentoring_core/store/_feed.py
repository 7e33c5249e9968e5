"""The event feed: a store's log read in order from a position, by kind, and followed."""

from __future__ import annotations

import threading
from collections.abc import Collection, Iterable, Iterator
from itertools import islice

from eventsourcing.persistence import Notification

from ..domain.errors import InvalidValue
from ..domain.events import Event
from ..domain.kinds import KINDS, kind_named
from ..domain.validation import check_after_and_limit, check_seconds, check_sequence
from ._log import PAGE_SIZE
from ._port import Store
from ._waker import Waker


def read_events(
    store: Store, after: int, kinds: Collection[str], limit: int | None
) -> Iterator[tuple[int, Event]]:
    """``(position, event)`` for each event stored after ``after``; see
    :meth:`~mentoring_core.MentoringService.read`. Arguments are checked at once."""
    start, wanted = check_after_and_limit(after, limit)
    page_size = PAGE_SIZE if wanted is None else min(PAGE_SIZE, wanted)
    records = store.records(start, topics=_topics(kinds), page_size=page_size)
    return _decoded(store, records if wanted is None else islice(records, wanted))


def follow_events(
    store: Store,
    after: int,
    kinds: Collection[str],
    stopping: threading.Event,
    interval: float,
) -> Iterator[tuple[int, Event]]:
    """What :func:`read_events` gives, then each new event as it is stored, until
    ``stopping`` is set; see :meth:`~mentoring_core.MentoringService.follow`."""
    read_events(store, after, kinds, None)  # refuses bad arguments now, not at the first event
    wait = check_seconds("poll_interval", interval)
    return _following(store, after, kinds, stopping, wait)


def _following(
    store: Store, after: int, kinds: Collection[str], stopping: threading.Event, interval: float
) -> Iterator[tuple[int, Event]]:
    with Waker(store.listener(), interval) as waker:
        while not stopping.is_set():
            for after, event in read_events(store, after, kinds, None):  # noqa: B020 (resume)
                yield after, event
                if stopping.is_set():
                    return
            waker.wait(stopping)


def _decoded(store: Store, records: Iterable[Notification]) -> Iterator[tuple[int, Event]]:
    for record in records:
        yield record.id, store.decode(record)


def _topics(kinds: Collection[str]) -> list[str]:
    """The stored type names of the events of ``kinds`` (every type when empty)."""
    items = check_sequence("kinds", kinds, allow_empty=True)
    names = [kind.name for kind in KINDS]
    if not all(isinstance(k, str) and k in names for k in items):
        raise InvalidValue("kinds", kinds, f"a list of {' or '.join(names)}")
    chosen = sorted({str(k) for k in items})
    return [t.__name__ for k in chosen for t in kind_named(k).event_types]
