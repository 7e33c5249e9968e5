"""What a replay counts and names, on every store (docs/audit.md, section 6).

Aggregates are counted by kind; an event that cannot be folded into its history is
named with its version and why; each finding names the record's position in the
log; and the first 100 findings of each kind are listed while all are counted.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

import pytest
from eventsourcing.persistence import StoredEvent

from mentoring_core import MentoringService

from .conftest import Replaying
from .test_service_contract import Seeded, stored_count


def around_the_library(recorder: Any, events: list[StoredEvent]) -> None:
    """Store ``events`` with eventsourcing's own recorder (the chained one's base class),
    as an attacker could: the store's recorder refuses version gaps and version 0."""
    type(recorder).__bases__[0].insert_events(recorder, events)


def forge_a_meeting(service: MentoringService, pair: Seeded) -> str:
    """Store, after the seeded relationship's last event (version 6), a meeting held whose
    state no reader takes (``{"forged":true}``), as the store's own recorder would; its
    topic."""
    recorder = service.store.recorder
    (held,) = recorder.select_events(pair.relationship, gt=4, lte=5)
    recorder.insert_events(
        [
            StoredEvent(
                originator_id=pair.relationship,
                originator_version=7,
                topic=held.topic,
                state=b'{"forged":true}',
            )
        ]
    )
    return str(held.topic)


def test_aggregates_of_one_kind_are_all_counted(
    seeded: tuple[MentoringService, Seeded], replaying: Replaying
) -> None:
    service, pair = seeded
    recorder = service.store.recorder
    copy = [
        StoredEvent(
            originator_id=UUID(int=8),
            originator_version=e.originator_version,
            topic=e.topic,
            state=e.state,
        )
        for e in recorder.select_events(pair.relationship)
    ]
    recorder.insert_events(copy)
    report = replaying(service)
    assert report.ok
    assert report.events == 17
    assert dict(report.aggregates) == {"programme": 1, "relationship": 2}
    assert report.rebuilt == 3


@pytest.mark.parametrize("page_size", [1000, 6], ids=["in-a-page", "first-of-a-page"])
def test_an_event_of_the_wrong_kind_of_aggregate_is_named_as_not_applicable(
    seeded: tuple[MentoringService, Seeded],
    page_size: int,
    replaying: Replaying,
) -> None:
    service, pair = seeded
    recorder = service.store.recorder
    (created,) = recorder.select_events(pair.programme, limit=1)
    recorder.insert_events(
        [
            StoredEvent(
                originator_id=pair.relationship,
                originator_version=7,
                topic=created.topic,
                state=created.state,
            )
        ]
    )
    report = replaying(service, page_size=page_size)
    assert (report.decode_failure_count, report.gap_count) == (0, 0)
    assert report.by_type["ProgrammeCreated"] == 2
    assert report.rebuilt == 1
    (failure,) = report.rebuild_failures
    assert failure.aggregate_id == pair.relationship
    assert failure.reason == (
        "version 7 cannot be applied: TypeError: "
        "ProgrammeCreated does not belong to a RelationshipState"
    )


def test_findings_name_the_records_position_in_the_log(
    seeded: tuple[MentoringService, Seeded],
    replaying: Replaying,
) -> None:
    service, pair = seeded
    recorder = service.store.recorder
    recorder.insert_events(
        [StoredEvent(originator_id=UUID(int=5), originator_version=1, topic="Nope", state=b"{}")]
    )
    unreadable = stored_count(service)
    (held,) = recorder.select_events(pair.relationship, gt=4, lte=5)
    around_the_library(
        recorder,
        [
            StoredEvent(
                originator_id=pair.relationship,
                originator_version=9,
                topic=held.topic,
                state=held.state,
            )
        ],
    )
    skipped = stored_count(service)
    report = replaying(service)
    assert [f.notification_id for f in report.decode_failures] == [unreadable]
    assert [g.notification_id for g in report.gaps] == [skipped]


def test_the_first_hundred_findings_are_listed_and_all_are_counted(
    seeded: tuple[MentoringService, Seeded],
    replaying: Replaying,
) -> None:
    service, _ = seeded
    unknown = [
        StoredEvent(
            originator_id=UUID(int=1000 + i), originator_version=1, topic="Nope", state=b"{}"
        )
        for i in range(101)
    ]
    service.store.recorder.insert_events(unknown)
    report = replaying(service)
    assert report.decode_failure_count == 101
    assert [f.aggregate_id for f in report.decode_failures] == [
        UUID(int=1000 + i) for i in range(100)
    ]
    assert report.rebuild_failure_count == 101
    assert len(report.rebuild_failures) == 100
    assert dict(report.aggregates) == {"programme": 1, "relationship": 1, "unknown": 101}


def test_an_event_stored_at_version_0_is_one_gap_and_the_history_goes_on_from_it(
    seeded: tuple[MentoringService, Seeded],
    replaying: Replaying,
) -> None:
    service, pair = seeded
    recorder = service.store.recorder
    first, second = recorder.select_events(pair.relationship, lte=2)
    around_the_library(
        recorder,
        [
            StoredEvent(
                originator_id=UUID(int=9),
                originator_version=version,
                topic=stored.topic,
                state=stored.state,
            )
            for version, stored in ((0, first), (1, first), (2, second))
        ],
    )
    report = replaying(service)
    assert [(g.aggregate_id, g.expected, g.found) for g in report.gaps] == [(UUID(int=9), 1, 0)]
    assert report.rebuilt == 3  # its versions 1 and 2 fold: the stray version 0 is the one gap


def test_types_counted_alike_are_listed_in_the_order_the_log_first_holds_them(
    seeded: tuple[MentoringService, Seeded],
    replaying: Replaying,
) -> None:
    service, _ = seeded
    store = service.store
    in_log = [type(store.decode(record)).__name__ for record in store.records()]
    first_seen = list(dict.fromkeys(in_log))
    report = replaying(service)
    assert list(report.by_type) == sorted(first_seen, key=lambda name: -in_log.count(name))


def test_decode_failures_are_listed_in_log_order_whatever_the_order_of_aggregates(
    seeded: tuple[MentoringService, Seeded],
    replaying: Replaying,
) -> None:
    service, pair = seeded
    recorder = service.store.recorder
    # an aggregate first seen after the relationship, whose record fails first in the log
    recorder.insert_events(
        [StoredEvent(originator_id=UUID(int=5), originator_version=1, topic="Nope", state=b"{}")]
    )
    first = stored_count(service)
    forge_a_meeting(service, pair)
    report = replaying(service)
    assert report.decode_failure_count == 2
    assert [(f.notification_id, f.aggregate_id) for f in report.decode_failures] == [
        (first, UUID(int=5)),
        (stored_count(service), pair.relationship),
    ]
    assert "forged" in report.decode_failures[1].reason


def test_a_record_stored_under_an_id_the_recorder_does_not_look_up_is_still_counted(
    seeded: tuple[MentoringService, Seeded],
    replaying: Replaying,
) -> None:
    service, pair = seeded
    recorder = service.store.recorder
    (opened,) = recorder.select_events(pair.relationship, limit=1)
    stray = UUID(int=77)
    # the id as text, which SQLite's recorder never finds (it looks a UUID up by its
    # hex): the replay's second pass does not reach it, and the log is decoded again
    around_the_library(
        recorder,
        [
            StoredEvent(
                originator_id=str(stray),
                originator_version=1,
                topic=opened.topic,
                state=opened.state,
            )
        ],
    )
    report = replaying(service)
    assert report.events == 12
    assert sum(report.by_type.values()) == 12
    assert report.decode_failure_count == 0
    assert dict(report.aggregates) == {"programme": 1, "relationship": 2}
    if service.store_url.startswith("sqlite"):
        assert [(f.aggregate_id, f.reason) for f in report.rebuild_failures] == [
            (stray, "its history ends at version 0, where the log reached 1")
        ]
    else:  # the memory and PostgreSQL stores find the text as the id it spells
        assert report.rebuild_failure_count == 0


def test_an_unreadable_record_the_second_pass_cannot_reach_is_still_listed(
    seeded: tuple[MentoringService, Seeded],
    replaying: Replaying,
) -> None:
    service, _ = seeded
    stray = UUID(int=78)
    around_the_library(
        service.store.recorder,
        [StoredEvent(originator_id=str(stray), originator_version=1, topic="Nope", state=b"{}")],
    )
    report = replaying(service)
    assert report.decode_failure_count == 1
    assert [(f.notification_id, f.aggregate_id, f.topic) for f in report.decode_failures] == [
        (stored_count(service), stray, "Nope")
    ]


def test_a_version_stored_late_is_a_gap_and_the_history_still_reaches_the_last(
    seeded: tuple[MentoringService, Seeded],
    replaying: Replaying,
) -> None:
    """Versions stored out of order around the library: each one out of place is a gap,
    and the aggregate's last version is the highest in the log, which its rebuilt history
    reaches."""
    service, pair = seeded
    recorder = service.store.recorder
    *_, held = recorder.select_events(pair.relationship)
    last = held.originator_version
    for version in (last + 2, last + 1):
        around_the_library(
            recorder,
            [StoredEvent(pair.relationship, version, held.topic, held.state)],
        )
    report = replaying(service)
    assert [(g.expected, g.found) for g in report.gaps] == [
        (last + 1, last + 2),
        (last + 3, last + 1),
    ]
    # The memory store gives an aggregate's events in the order stored, so its history
    # stops at the late version; the others give them by version, and it is rebuilt.
    reasons = [f.reason for f in report.rebuild_failures]
    assert reasons in ([], [f"version {last + 2} follows version {last}"])
    assert report.rebuilt == 2 - len(reasons)


def test_an_unreadable_record_does_not_send_the_replay_through_the_log_again(
    seeded: tuple[MentoringService, Seeded],
    replaying: Replaying,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A page where one record fails is decoded again a record at a time, each counted
    once: the second pass reaches every record the first counted, so the log is not
    decoded again; only the failing topic's records are read, to place the failure."""
    service, pair = seeded
    held_topic = forge_a_meeting(service, pair)
    read = service.store.records
    topics_read: list[Any] = []

    def records(*args: Any, **kwargs: Any) -> Any:
        topics_read.append(kwargs.get("topics"))
        return read(*args, **kwargs)

    monkeypatch.setattr(service.store, "records", records)
    report = replaying(service, page_size=4)
    assert report.events == 12 and report.decode_failure_count == 1
    assert topics_read == [[held_topic]]
