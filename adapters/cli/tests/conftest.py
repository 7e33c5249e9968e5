"""Fixtures of the CLI tests: a throw-away store, and the command run against it.

``store_url`` gives a fresh SQLite file, and a fresh PostgreSQL schema when the
PostgreSQL adapter is installed and a server answers on 127.0.0.1:5432. Without
them the PostgreSQL case is skipped, with the reason, unless the environment
variable ``CI`` is set: then it fails, so CI cannot pass without PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from cli_harness import Cli
from mentoring_core_postgres.testing import postgres_store_url
from smtp_sink import Mailbox, running


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """A test of a module marked ``sqlite_only`` runs on SQLite only: what it checks is the
    command line's handling of its input and files, which reaches every store through the
    same core (whose contract tests run on every store), and each PostgreSQL run of the
    command costs a schema and a connection (the suite's PostgreSQL half was a third of it)."""
    dropped = [
        item
        for item in items
        if item.get_closest_marker("sqlite_only") is not None
        and getattr(item, "callspec", None) is not None
        and item.callspec.params.get("store_url") == "postgresql"  # type: ignore[attr-defined]
    ]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        gone = set(dropped)
        items[:] = [item for item in items if item not in gone]


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A URL of an empty store: a SQLite file, or a fresh schema on PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'mentoring.db'}"
        return
    with postgres_store_url("cli") as url:
        yield url


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'mentoring.db'}"


@pytest.fixture
def cli(store_url: str, tmp_path: Path) -> Cli:
    return Cli(store_url, tmp_path)


@pytest.fixture
def smtp() -> Iterator[tuple[int, Mailbox]]:
    """A mail server on 127.0.0.1 keeping what it receives, and its port."""
    mailbox = Mailbox()
    with running(mailbox) as port:
        yield port, mailbox
