"""Reading a store's whole log (every aggregate's events in recording order), page by page."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from eventsourcing.persistence import ApplicationRecorder, Notification

PAGE_SIZE = 1000


def notifications(
    recorder: ApplicationRecorder,
    *,
    topics: Sequence[str] = (),
    after: int = 0,
    page_size: int = PAGE_SIZE,
) -> Iterator[Notification]:
    """Every stored record after notification id ``after``, in order, optionally of ``topics``.

    Reads ``page_size`` records at a time, so memory stays constant however long the log.
    Notification ids may have gaps (PostgreSQL burns ids on rolled-back inserts).
    """
    while page := recorder.select_notifications(
        start=after, limit=page_size, topics=topics, inclusive_of_start=False
    ):
        yield from page
        after = page[-1].id
