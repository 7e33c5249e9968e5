"""Contract fixtures: every test here runs on memory, SQLite (a file) and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

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
def fresh_url(store_kind: str, tmp_path: Path) -> Iterator[str]:
    """A second, empty store of the same kind as ``store_url``."""
    if store_kind == "memory":
        yield "memory://"
    elif store_kind == "sqlite":
        yield f"sqlite:///{tmp_path / 'imported.db'}"
    else:
        with postgres_store_url("imported") as url:
            yield url


@pytest.fixture
def clock() -> SteppingClock:
    return SteppingClock()


def calls_of(monkeypatch: pytest.MonkeyPatch, target: Any, name: str) -> list[tuple[Any, ...]]:
    """The positional arguments of every call of ``target``'s method ``name`` from now on
    (the method still runs), as a list that grows as it is called."""
    calls: list[tuple[Any, ...]] = []
    method = getattr(target, name)

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls.append(args)
        return method(*args, **kwargs)

    monkeypatch.setattr(target, name, counted)
    return calls
