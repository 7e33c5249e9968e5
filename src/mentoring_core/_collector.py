"""Keeping what a long computation holds apart from the garbage collector's full
collections: a catch-up's facts while it folds, a report's facts while it computes, a
replay's aggregates while it rebuilds them."""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager

SPARE_COLLECTOR_FROM = 10_000
"""Events folded (by a catch-up, a replay, or into the facts a report reads) before what
is held is kept from full collections: a follower's small catch-ups, a small store's
replay and a small programme's report leave the collector alone (giving frozen objects
back moves all of them into the oldest generation, where cyclic garbage waits longest)."""


YOUNG_THRESHOLD = 10_000
"""The youngest generation's threshold while the collector is spared (CPython's default
is 700 objects the collector tracks, made and not yet freed). A page of a thousand events
read at once (several such objects each: the event, its ids, the record) then lives
and dies between two young collections, where at 700 each page was walked by several of
them, and what they found alive walked again by the next generation's: 3,148
instructions an event of a replay of 11,043 events (102,019 against 98,871, counted)."""


@contextmanager
def collector_spared() -> Iterator[Callable[[int], None]]:
    """A function that, given how many events have been folded, sets what is in memory
    now apart from the garbage collector's full collections until the block ends (from
    :data:`SPARE_COLLECTOR_FROM` events on).

    A projection holds the facts of every relationship it has folded (a replay, each
    aggregate's page of events and growing state, called after each aggregate) (every meeting,
    plan item and goal an object), and Python's full collections walk all of them, more
    often the more are made: at 1,100,000 events a quarter of a catch-up's time, and a
    third of a report's. Called after each page of a catch-up, or once a report has its
    facts, it moves what is held into CPython's permanent generation (``gc.freeze``), so
    a collection walks only what was made since; the block's end gives them back
    (``gc.unfreeze``). Both are process-wide: nothing is freed later than by reference
    counting, but garbage in reference cycles made meanwhile, by any thread, waits for
    the block's end. From then on too, the youngest generation is collected only every
    :data:`YOUNG_THRESHOLD` objects (its threshold is set back at the block's end, unless
    changed meanwhile; one already higher, or 0, is left as it is). Where the collector is
    off, or objects were frozen before (a server freezing its start-up state before it
    forks), it does nothing, so that nobody else's frozen objects are given back."""
    if not gc.isenabled() or gc.get_freeze_count():
        yield lambda folded: None
        return
    frozen = False
    before: tuple[int, int, int] | None = None

    def spare(folded: int) -> None:
        nonlocal frozen, before
        if folded >= SPARE_COLLECTOR_FROM:
            gc.freeze()
            frozen = True
            thresholds = gc.get_threshold()
            if before is None and 0 < thresholds[0] < YOUNG_THRESHOLD:
                before = thresholds
                gc.set_threshold(YOUNG_THRESHOLD, *thresholds[1:])

    try:
        yield spare
    finally:
        if frozen:
            gc.unfreeze()
        if before is not None and gc.get_threshold()[0] == YOUNG_THRESHOLD:
            gc.set_threshold(*before)
