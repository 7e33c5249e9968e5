"""Contract fixtures: every test here runs on memory, SQLite (a file) and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from mentoring_core_postgres.testing import postgres_store_url

from mentoring_core import MentoringService
from mentoring_core.audit import ReplayReport, replay

if TYPE_CHECKING:
    from .test_service_contract import Seeded

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


@contextmanager
def _empty_store(kind: str, tmp_path: Path, name: str) -> Iterator[str]:
    """The URL of a new, empty store of ``kind``, called ``name`` (its file or schema)."""
    if kind == "memory":
        yield "memory://"
    elif kind == "sqlite":
        yield f"sqlite:///{tmp_path / f'{name}.db'}"
    else:
        with postgres_store_url(name) as url:
            yield url


@pytest.fixture
def store_url(store_kind: str, tmp_path: Path) -> Iterator[str]:
    with _empty_store(store_kind, tmp_path, "contract") as url:
        yield url


@pytest.fixture
def fresh_url(store_kind: str, tmp_path: Path) -> Iterator[str]:
    """A second, empty store of the same kind as ``store_url``."""
    with _empty_store(store_kind, tmp_path, "imported") as url:
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


Replaying = Callable[..., ReplayReport]
"""``audit.replay`` with a number of workers given (the other arguments as replay's)."""


@pytest.fixture(
    params=[(1, True), (2, True), (1, False)],
    ids=["in one process", "with two workers", "reading the whole log"],
)
def replaying(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Replaying:
    """The replay in one process, then with two worker processes, then in one process
    reading the heads of the whole log where the store would count its aggregates itself
    (``select_spans``: SQLite and PostgreSQL): every finding of a replay test holds each
    way (a memory store starts no worker and counts none: rebuilt here, from the log)."""
    workers, counted = request.param

    def run(service: MentoringService, **arguments: Any) -> ReplayReport:
        if not counted:
            monkeypatch.setattr(service.store.recorder, "select_spans", lambda: None)
        return replay(service, workers=workers, **arguments)

    return run


@pytest.fixture
def seeded(store_url: str) -> Iterator[tuple[MentoringService, Seeded]]:
    """A service on ``store_url`` and what :func:`.test_service_contract.seed` recorded."""
    from .test_service_contract import seed  # which imports this module

    with MentoringService(store_url) as service:
        yield service, seed(service)
