"""The cost of sealing personal data, as a ratio against the same events stored in clear.

Maps ``--events`` MeetingHeld events (three topics each) and FeedbackGiven events to
stored records and back with the store's mapper, once with a key store (every personal
field sealed with AES-256-GCM under its person's key, as stores do) and once without
(the clear form of stores written before sealing), in the same process. Reports each
as events/s and the ratio sealed/clear of the time taken, and the stored sizes.

Run with ``nox -s bench -- bench_sealing.py`` (``--events N`` to change the size).
"""

from __future__ import annotations

import argparse
import time
from datetime import UTC, datetime
from uuid import UUID, uuid4

from eventsourcing.persistence import JSONTranscoder

from mentoring_core.events import Event, FeedbackGiven, MeetingHeld
from mentoring_core.privacy import CachedKeys, MemoryKeyStore
from mentoring_core.serialisation import EventMapper
from mentoring_core.values import FeedbackKind, MeetingFormat

NOW = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
RELATIONSHIP = UUID(int=7)


def events(count: int) -> list[Event]:
    made: list[Event] = []
    for n in range(count):
        base = {
            "event_id": uuid4(),
            "aggregate_id": RELATIONSHIP,
            "version": n + 2,
            "occurred_at": NOW,
            "recorded_at": NOW,
            "actor": "ana",
        }
        if n % 2:
            made.append(
                FeedbackGiven(
                    **base,
                    feedback_id=uuid4(),
                    from_person="ana",
                    to_person="ben",
                    kind=FeedbackKind.RECOGNITION,
                    about_goal_id=None,
                    about_meeting_id=None,
                    text="Clear notes after the home visit, and a calm handover to the team.",
                )
            )
        else:
            made.append(
                MeetingHeld(
                    **base,
                    meeting_id=uuid4(),
                    duration_minutes=60,
                    format=MeetingFormat.ONE_ON_ONE,
                    topics=("caseload", "a difficult home visit", "supervision notes"),
                    attendees=(),
                )
            )
    return made


def run(mapper: EventMapper, items: list[Event]) -> tuple[float, int]:
    started = time.perf_counter()
    size = 0
    for item in items:
        stored = mapper.to_stored_event(item)
        size += len(stored.state)
        assert mapper.to_domain_event(stored) == item
    return time.perf_counter() - started, size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=20_000)
    count = parser.parse_args().events
    items = events(count)
    clear = EventMapper(transcoder=JSONTranscoder())
    sealed = EventMapper(transcoder=JSONTranscoder())
    sealed.use_keys(CachedKeys(MemoryKeyStore()), lambda _: "ben")
    run(sealed, items[:100])  # warm up (keys created, caches filled)
    clear_time, clear_size = run(clear, items)
    sealed_time, sealed_size = run(sealed, items)
    print(f"clear:  {count / clear_time:,.0f} events/s, {clear_size / count:,.0f} bytes/event")
    print(f"sealed: {count / sealed_time:,.0f} events/s, {sealed_size / count:,.0f} bytes/event")
    print(
        f"ratio sealed/clear: time {sealed_time / clear_time:.2f}, "
        f"size {sealed_size / clear_size:.2f}"
    )


if __name__ == "__main__":
    main()
