"""A PostgreSQL store's schema is opened as a SQLite store file is (cli.md, "Exit status
and errors"): only ``programme create``, ``demo``, ``audit import`` and ``serve`` create
one.

``history``, ``due``, ``report`` and ``audit verify`` on a URL whose ``?schema=`` was
mistyped created that schema and the library's tables in it, then reported that nothing
was there: empty schemas were left behind, and an auditor was told the store was empty.
Now such a command is refused (exit 1, naming the schema and the URL without its
password) and the schema stays absent. A schema that exists but holds none of the
library's tables (an empty ``public`` before the first ``programme create``) is opened,
its tables made, as an existing empty SQLite file is.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit
from uuid import UUID

import psycopg
import pytest
from cli_harness import Cli
from mentoring_core_postgres.testing import TEST_SERVER_URL, postgres_store_url
from psycopg import sql

from mentoring_core import redact

pytestmark = pytest.mark.postgres

SOMEONE = str(UUID(int=1))
READING = {
    "history": ("history", SOMEONE),
    "due": ("due",),
    "report": ("report", "compliance", "--programme", SOMEONE, "--format", "json"),
    "audit verify": ("audit", "verify"),
    "programme list": ("programme", "list"),
}
CREATE = ("programme", "create", "--name", "Pilot", "--organisation", "Northside Care")


def _schema_of(url: str) -> str:
    return url.rsplit("schema=", 1)[1]


def _schema_exists(schema: str) -> bool:
    with psycopg.connect(TEST_SERVER_URL) as conn:
        found = conn.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", (schema,))
        return found.fetchone() is not None


@pytest.fixture
def absent() -> Iterator[str]:
    """The URL of a schema nobody created, with a password in it (the server trusts
    the test user, so any password connects), dropped afterwards if anything made it."""
    with postgres_store_url("cli_absent") as url:
        parts = urlsplit(url)
        if parts.password is None:
            netloc = (
                f"{parts.username or 'postgres'}:topsecret@{parts.hostname}:{parts.port or 5432}"
            )
            url = parts._replace(netloc=netloc).geturl()
        assert not _schema_exists(_schema_of(url))
        yield url


@pytest.mark.parametrize("command", READING.values(), ids=list(READING))
def test_a_command_that_may_not_create_refuses_a_schema_that_does_not_exist(
    absent: str, tmp_path: Path, command: tuple[str, ...]
) -> None:
    schema = _schema_of(absent)
    result = Cli(absent, tmp_path).run(*command)
    assert result.code == 1, str(result)
    assert result.stdout == "", str(result)
    assert result.stderr == (
        f"error: no store at schema {schema} ({redact(absent)}): it does not exist; "
        "create a programme first, run 'mentoring demo', or pass --store\n"
    ), str(result)
    assert urlsplit(absent).password not in result.stderr
    assert not _schema_exists(schema)


def test_copy_keys_refuses_a_target_schema_that_does_not_exist(
    absent: str, sqlite_url: str, tmp_path: Path
) -> None:
    source = Cli(sqlite_url, tmp_path)
    assert source.run(*CREATE).code == 0
    result = source.run("privacy", "copy-keys", "--to", absent)
    assert result.code == 1, str(result)
    assert f"schema {_schema_of(absent)}" in result.stderr and "does not exist" in result.stderr
    assert not _schema_exists(_schema_of(absent))


def test_the_creating_commands_still_create_the_schema(absent: str, tmp_path: Path) -> None:
    cli = Cli(absent, tmp_path)
    created = cli.ok(*CREATE)
    assert _schema_exists(_schema_of(absent))
    listed = cli.ok("programme", "list")["programmes"]
    assert [p["programme_id"] for p in listed] == [created["aggregate_id"]]


def test_the_demo_creates_its_schema(absent: str, tmp_path: Path) -> None:
    result = Cli(absent, tmp_path).run("demo")
    assert result.code == 0, str(result)
    assert _schema_exists(_schema_of(absent))


def test_a_schema_that_exists_empty_is_opened_as_an_empty_store_file_is(
    absent: str, tmp_path: Path
) -> None:
    """An empty ``public`` before the first ``programme create``: read, then created into."""
    with psycopg.connect(TEST_SERVER_URL, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(_schema_of(absent))))
    cli = Cli(absent, tmp_path)
    assert cli.ok("programme", "list") == {"programmes": []}
    assert cli.run(*CREATE).code == 0
