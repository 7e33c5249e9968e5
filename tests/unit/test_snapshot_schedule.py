"""When the service takes a snapshot (issue 15: a snapshot's cost grows with the history,
so a long one is snapshotted less often): every ``interval`` events at first, then spaced
by about a quarter of the history."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from mentoring_core.application import snapshot_due


def due_versions(interval: int, last: int) -> list[int]:
    return [v for v in range(1, last + 1) if snapshot_due(v - 1, v, interval)]


def test_short_histories_are_snapshotted_every_interval() -> None:
    assert due_versions(100, 999) == list(range(100, 1000, 100))
    assert due_versions(3, 999) == list(range(3, 1000, 3))


def test_long_histories_are_snapshotted_by_a_quarter_of_their_length() -> None:
    assert due_versions(100, 2000) == [*range(100, 1001, 100), 1200, 1400, 1600, 2000]
    assert due_versions(3, 1200)[-2:] == [999, 1152]
    assert due_versions(100, 12_800)[-3:] == [9600, 11_200, 12_800]


@given(interval=st.integers(1, 200), version=st.integers(1, 50_000))
def test_a_load_folds_at_most_a_quarter_of_the_history_after_its_snapshot(
    interval: int, version: int
) -> None:
    last = max((v for v in range(version, 0, -1) if snapshot_due(v - 1, v, interval)), default=0)
    assert version - last <= max(interval, version // 4)


@given(interval=st.integers(1, 50), start=st.integers(0, 5000), size=st.integers(1, 5))
def test_a_batch_crossing_a_due_version_takes_one(interval: int, start: int, size: int) -> None:
    crossed = any(snapshot_due(v - 1, v, interval) for v in range(start + 1, start + size + 1))
    assert snapshot_due(start, start + size, interval) == crossed
