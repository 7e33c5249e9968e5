"""Contract fixtures: every test here runs on memory, SQLite (a file) and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from mentoring_core_postgres.testing import postgres_store_url

STORES = ["memory", "sqlite", "postgres"]


class SteppingClock:
    """A clock that starts at a fixed moment and moves one minute each time it is read."""

    def __init__(self, start: datetime = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)) -> None:
        self.now = start

    def __call__(self) -> datetime:
        self.now += timedelta(minutes=1)
        return self.now


@pytest.fixture(params=STORES)
def store_kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def store_url(store_kind: str, tmp_path: Path) -> Iterator[str]:
    if store_kind == "memory":
        yield "memory://"
    elif store_kind == "sqlite":
        yield f"sqlite:///{tmp_path / 'mentoring.db'}"
    else:
        with postgres_store_url("contract") as url:
            yield url


@pytest.fixture
def clock() -> SteppingClock:
    return SteppingClock()
