"""What a store holds at the level of its files or tables, to show a command changed nothing."""

from __future__ import annotations

import hashlib
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit
from uuid import UUID

import psycopg
from psycopg import sql

from mentoring_core import MentoringService
from mentoring_core.values import Cadence, CadenceTier, Participation, ProgrammePolicy
from mentoring_core.values import Role as R

PROGRAMME = UUID(int=1)
RELATIONSHIP = UUID(int=2)
HOSTILE_MENTOR = '=cmd|" -C calc"!A0'
HOSTILE_MENTEE = "-2+3"


def pilot_programme(service: MentoringService) -> None:
    """Programme :data:`PROGRAMME`: fortnightly, compulsory, a minimum gap of 3 years."""
    service.create_programme("Pilot", "Northside Care", actor="c", programme_id=PROGRAMME)
    policy = ProgrammePolicy(
        cadence=(CadenceTier(cadence=Cadence.fortnightly()),),
        minimum_meeting_minutes=45,
        participation=Participation.COMPULSORY,
        minimum_experience_gap_years=Decimal(3),
        review_interval_days=42,
    )
    service.set_policy(PROGRAMME, policy, actor="c")


def seed(url: str) -> None:
    """A programme with a policy, two people with formula-like ids, and their relationship."""
    with MentoringService(url) as service:
        pilot_programme(service)
        service.enrol(PROGRAMME, HOSTILE_MENTOR, R.MENTOR, 10, actor="c")
        service.enrol(PROGRAMME, HOSTILE_MENTEE, R.MENTEE, 1, actor="c")
        service.form_pair(
            PROGRAMME, HOSTILE_MENTOR, HOSTILE_MENTEE, actor="c", relationship_id=RELATIONSHIP
        )


def _sqlite_files(path: Path) -> dict[str, str]:
    return {
        candidate.name: hashlib.sha256(candidate.read_bytes()).hexdigest()
        for candidate in sorted(path.parent.glob(path.name + "*"))
    }


def _postgres_tables(url: str) -> dict[str, Any]:
    parts = urlsplit(url)
    schema = parse_qs(parts.query)["schema"][0]
    with psycopg.connect(
        host=parts.hostname,
        port=parts.port or 5432,
        user=parts.username or "postgres",
        dbname=parts.path.lstrip("/"),
        autocommit=True,
    ) as conn:
        tables = [
            row[0]
            for row in conn.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = %s "
                "ORDER BY table_name",
                (schema,),
            )
        ]
        state: dict[str, Any] = {}
        for table in tables:
            query = sql.SQL("SELECT * FROM {}.{}").format(
                sql.Identifier(schema), sql.Identifier(table)
            )
            state[table] = sorted(repr(row) for row in conn.execute(query))
        return state


def store_state(url: str) -> Any:
    """Every file of a SQLite store (by hash), or every table and row of a PostgreSQL schema."""
    if url.startswith("sqlite:///"):
        return _sqlite_files(Path(url.removeprefix("sqlite:///").split("?", 1)[0]))
    return _postgres_tables(url)
