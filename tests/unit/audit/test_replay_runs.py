"""How the replay's workers are handed the aggregates, and how what they decoded is put
together (the contract tests compare whole reports with and without workers)."""

from __future__ import annotations

from collections import Counter
from types import SimpleNamespace
from typing import Any
from uuid import UUID

from hypothesis import example, given
from hypothesis import strategies as st

from mentoring_core.audit import AUTO_EVENTS_PER_WORKER, MAX_AUTO_WORKERS
from mentoring_core.audit.replay import CHUNKS_PER_WORKER, _Decoded, _firsts, _runs, auto_workers
from mentoring_core.store import StoreOpening


@given(
    versions=st.lists(st.integers(min_value=0, max_value=5000), max_size=300),
    workers=st.integers(min_value=2, max_value=8),
)
@example(versions=[1, 1, 1], workers=2)  # a run of one event: each aggregate its own run
@example(versions=[1] * 40, workers=2)  # runs of exactly two events
@example(versions=[1] * 40, workers=3)  # 40 events for 24 runs: runs of one, not 1.67
def test_runs_hold_every_aggregate_once_in_order_in_about_equal_events(
    versions: list[int], workers: int
) -> None:
    last_version = {UUID(int=n): v for n, v in enumerate(versions)}
    runs = _runs(last_version, workers)
    assert [item for run in runs for item in run] == list(last_version.items())
    assert all(runs[:-1]) and (runs[-1] or not last_version)
    size = max(1, sum(versions) // (workers * CHUNKS_PER_WORKER))
    for run in runs[:-1]:  # each run stops at the first aggregate that reaches the size
        held = [max(v, 1) for _, v in run]
        assert sum(held) >= size > sum(held[:-1])


class GoalSet:
    pass


class MeetingHeld:
    pass


class FeedbackGiven:
    pass


def test_a_workers_decoding_is_added_to_what_was_decoded() -> None:
    first, second = UUID(int=1), UUID(int=2)
    here = _Decoded(
        records=3,
        by_type=Counter({GoalSet: 2, MeetingHeld: 1}),
        unreadable={(first, 4): "bad"},
        topics={"a:Bad"},
        types={"a:GoalSet": GoalSet, "a:MeetingHeld": MeetingHeld},
        first_of={"a:GoalSet": 3, "a:MeetingHeld": 9},
    )
    worker = _Decoded(
        records=5,
        by_type=Counter({GoalSet: 1, FeedbackGiven: 3}),
        unreadable={(second, 1): "worse"},
        topics={"a:Worse"},
        types={"a:FeedbackGiven": FeedbackGiven},
        first_of={"a:GoalSet": 5, "a:MeetingHeld": 2, "a:FeedbackGiven": 7},
        in_order=False,
    )
    here.merge(worker)
    assert here.records == 8
    assert here.by_type == Counter({GoalSet: 3, MeetingHeld: 1, FeedbackGiven: 3})
    assert here.unreadable == {(first, 4): "bad", (second, 1): "worse"}
    assert here.topics == {"a:Bad", "a:Worse"}
    assert here.types == {
        "a:GoalSet": GoalSet,
        "a:MeetingHeld": MeetingHeld,
        "a:FeedbackGiven": FeedbackGiven,
    }
    assert here.first_of == {"a:GoalSet": 3, "a:MeetingHeld": 2, "a:FeedbackGiven": 7}
    assert not here.in_order  # one worker found a history out of order
    assert here.most_common(here.first_of) == {"GoalSet": 3, "FeedbackGiven": 3, "MeetingHeld": 1}


def test_the_opening_handed_to_workers_never_shows_a_password() -> None:
    opening = StoreOpening("postgresql://ada:s3cret@db.example/mentoring", {"KEY": "v"})
    assert "s3cret" not in repr(opening)
    assert "postgresql://ada:***@db.example/mentoring" in repr(opening)
    assert opening.url.endswith(":s3cret@db.example/mentoring")  # the workers open it


@given(
    events=st.integers(min_value=0, max_value=10**9),
    cores=st.integers(min_value=1, max_value=256),
)
@example(events=2 * AUTO_EVENTS_PER_WORKER - 1, cores=2)  # one short of a second worker
@example(events=2 * AUTO_EVENTS_PER_WORKER, cores=2)
@example(events=10**9, cores=MAX_AUTO_WORKERS + 1)
def test_auto_workers_one_for_each_share_of_the_log_up_to_the_cores(
    events: int, cores: int
) -> None:
    workers = auto_workers(events, cores)
    assert 1 <= workers <= min(cores, MAX_AUTO_WORKERS)
    if workers > 1:  # each has its share of the log at least
        assert events >= workers * AUTO_EVENTS_PER_WORKER
    if workers < min(cores, MAX_AUTO_WORKERS):  # one more would have less than its share
        assert events < (workers + 1) * AUTO_EVENTS_PER_WORKER
    assert auto_workers(events + AUTO_EVENTS_PER_WORKER, cores) >= workers


def test_auto_workers_by_example() -> None:
    assert [auto_workers(n, 2) for n in (0, 99_999, 100_000, 10**7)] == [1, 1, 2, 2]
    assert [auto_workers(10**6, c) for c in (1, 4, 64)] == [1, 4, MAX_AUTO_WORKERS]


def test_a_pages_topics_are_noted_at_their_first_records_there() -> None:
    """Each topic of a page once, with its first record's index: its first position and
    its type are read there."""
    page: Any = [SimpleNamespace(topic=t) for t in ("a:GoalSet", "a:MeetingHeld", "a:GoalSet")]
    page += [SimpleNamespace(topic="a:FeedbackGiven"), SimpleNamespace(topic="a:MeetingHeld")]
    assert _firsts(page) == {"a:GoalSet": 0, "a:MeetingHeld": 1, "a:FeedbackGiven": 3}
    assert _firsts([]) == {}
