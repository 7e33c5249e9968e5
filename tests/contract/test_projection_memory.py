"""A catch-up holds one aggregate's facts at a time: what it allocates does not grow with
the number of relationships it folds (nor so with the log, where the relationships run at
once), and what it keeps afterwards is bounded by the events their facts hold.

The stores are SQLite files (their rows are on disk, not in the process), written by the
benchmark's generator: every relationship meets every week, so every stretch of the log
touches every relationship, as in ``benchmarks/bench_reports.py``'s memory section.
"""

from __future__ import annotations

import importlib.util
import tracemalloc
from pathlib import Path
from types import ModuleType

import pytest

from mentoring_core import MentoringService
from mentoring_core.projections import ComplianceProjection

WEEKS = 6


def _generator() -> ModuleType:
    path = Path(__file__).parents[2] / "benchmarks" / "bench_reports.py"
    spec = importlib.util.spec_from_file_location("bench_reports_for_memory", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def stores(tmp_path_factory: pytest.TempPathFactory) -> dict[int, Path]:
    folder = tmp_path_factory.mktemp("memory")
    generate = _generator().generate
    made = {}
    for relationships in (8, 32):
        made[relationships] = folder / f"{relationships}.db"
        generate(made[relationships], relationships, WEEKS, 7)
    return made


def _peak_of_catch_up(path: Path, **settings: int) -> tuple[int, int]:
    """The events folded and the peak of what the catch-up allocated (Python's allocations
    only: SQLite's own are outside tracemalloc)."""
    with MentoringService(f"sqlite:///{path}") as service:
        projection = ComplianceProjection(service, **settings)
        tracemalloc.start()
        try:
            tracemalloc.reset_peak()
            before = tracemalloc.get_traced_memory()[0]
            folded = projection.catch_up()
            peak = tracemalloc.get_traced_memory()[1] - before
        finally:
            tracemalloc.stop()
    return folded, peak


def test_a_catch_up_holds_about_as_much_for_four_times_the_relationships(
    stores: dict[int, Path],
) -> None:
    """Before: the batch held every relationship's facts until it committed (peak growing
    with the relationships, about four times here)."""
    few_events, few = _peak_of_catch_up(stores[8], cache_size=0)
    many_events, many = _peak_of_catch_up(stores[32], cache_size=0)
    assert many_events > 3.5 * few_events
    assert many < 1.5 * few, (few, many)
