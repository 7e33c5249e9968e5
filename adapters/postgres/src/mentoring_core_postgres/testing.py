"""Test support: a throw-away schema on a real PostgreSQL server, for any test suite.

Tests that need PostgreSQL call :func:`postgres_store_url`; it skips the test with
a clear reason when no server answers, except when the environment variable
``CI`` is set, where a missing server fails the test instead.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit

import psycopg
import pytest
from psycopg import sql

TEST_SERVER_URL = os.environ.get(
    "MENTORING_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)


def server_answers(url: str) -> bool:
    """Whether a server listens at ``url``'s host and port."""
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 5432), 2):
            return True
    except OSError:
        return False


@contextmanager
def throwaway_schema(server_url: str, label: str) -> Iterator[str]:
    """A store URL on ``server_url`` in a fresh, uniquely named schema, dropped afterwards."""
    schema = f"mc_{label}_{uuid.uuid4().hex[:12]}"
    try:
        yield f"{server_url}?schema={schema}"
    finally:
        parts = urlsplit(server_url)
        with psycopg.connect(
            host=parts.hostname,
            port=parts.port or 5432,
            user=parts.username or "postgres",
            password=parts.password or None,
            dbname=parts.path.lstrip("/"),
            autocommit=True,
        ) as conn:
            conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))


@contextmanager
def postgres_store_url(label: str = "test") -> Iterator[str]:
    """A store URL on a fresh, uniquely named schema, dropped afterwards."""
    if not server_answers(TEST_SERVER_URL):
        reason = f"no PostgreSQL server answers at {TEST_SERVER_URL}"
        if os.environ.get("CI"):
            pytest.fail(f"{reason}, and CI is set: PostgreSQL tests must run")
        pytest.skip(reason)
    with throwaway_schema(TEST_SERVER_URL, label) as url:
        yield url
