"""A catch-up holds one aggregate's facts at a time: far less than the facts it folds,
which a catch-up held all at once before (a batch kept the facts of every aggregate it
touched until it committed, here every relationship).

The store is a SQLite file (its rows are on disk, not in the process), written by the
benchmark's generator: every relationship meets every week, so every stretch of the log
touches every relationship, as in ``benchmarks/bench_reports.py``'s memory section.
"""

from __future__ import annotations

import functools
import importlib
import importlib.util
import tracemalloc
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from mentoring_core import MentoringService
from mentoring_core.projections import ComplianceProjection

PROJECTION = importlib.import_module("mentoring_core.projections._projection")
RELATIONSHIPS = 128
WEEKS = 12


@functools.cache
def _generator() -> ModuleType:
    path = Path(__file__).parents[2] / "benchmarks" / "bench_reports.py"
    spec = importlib.util.spec_from_file_location("bench_reports_for_memory", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def service(tmp_path: Path) -> Iterator[MentoringService]:
    generate = _generator().generate
    generate(tmp_path / "warm.db", 2, 2, 7)
    with MentoringService(f"sqlite:///{tmp_path / 'warm.db'}") as warm:
        ComplianceProjection(warm).catch_up()  # what the first catch-up in a process makes
    generate(tmp_path / "store.db", RELATIONSHIPS, WEEKS, 7)
    with MentoringService(f"sqlite:///{tmp_path / 'store.db'}") as service:
        yield service


def _peak(call: Callable[[], Any]) -> tuple[Any, int]:
    """What ``call`` returns, and the peak of what it allocated (Python's allocations
    only: SQLite's own are outside tracemalloc)."""
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        done = call()
        return done, tracemalloc.get_traced_memory()[1] - before
    finally:
        tracemalloc.stop()


def test_a_catch_up_holds_far_less_than_the_facts_it_folds(
    service: MentoringService, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each row is written as soon as it is folded here: the rows waiting to be written
    are bounded by ``ROWS_BYTES`` of text, whatever the number of relationships, and at
    this size would be all of them. Before: the catch-up's peak was 1.7 times all the
    facts (what reading them all back holds)."""
    monkeypatch.setattr(PROJECTION, "ROWS_BYTES", 1)
    projection = ComplianceProjection(service, cache_size=0)
    folded, catch_up = _peak(projection.catch_up)
    assert folded > RELATIONSHIPS * WEEKS * 4
    programme_id = _generator().PROGRAMME
    (_, relationships), all_facts = _peak(lambda: projection.programme_facts(programme_id))
    assert len(relationships) == RELATIONSHIPS
    assert catch_up < all_facts / 2, (catch_up, all_facts)
