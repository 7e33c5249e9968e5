"""Kept command ids and noted versions stored in a form the library never writes (review
of the audit, 2).

A SQLite store keeps each event's command id beside its link as 32 lower-case hex digits,
and each aggregate's noted version as an integer; the service finds a retried command by
comparing those stored values in SQL. Changed around the library into another form
(the same id in upper case, with dashes or braces, as a BLOB; a noted version stored as
a BLOB or a text), they hide the command from its retry, which records it again, while
``audit verify`` read them leniently (``UUID(hex=...)``, ``int(...)``) and said they
agreed, or stopped with an unexpected error. It now names each as a ``command id``
difference. (PostgreSQL keeps them as ``uuid`` and ``bigint``: no other form can be
stored there.)
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import pytest

from mentoring_core import MentoringService
from mentoring_core.audit.derived import COMMAND_ID, DerivedCheck, check_derived
from mentoring_core.extend import CHAIN_TABLE, NOTED_TABLE

from .conftest import SteppingClock
from .test_command_lookup import long_relationship
from .test_long_relationships import hold
from .test_service_contract import FIRST_MEETING

KEPT_FORMS: dict[str, Callable[[UUID], str | bytes]] = {
    "upper": lambda u: u.hex.upper(),
    "dashes": str,
    "braces": lambda u: "{" + str(u) + "}",
    "urn": lambda u: u.urn,
    "blob": lambda u: u.hex.encode(),
}
NOTED_FORMS: dict[str, Any] = {"blob": b"0", "text": "x", "real": 1.5, "blob-digits": b"12"}


@pytest.fixture
def clock() -> SteppingClock:
    return SteppingClock(FIRST_MEETING + timedelta(days=200))


def recorded(tmp_path: Path, clock: SteppingClock, command_id: UUID) -> tuple[str, UUID, int]:
    """A SQLite store's URL, its relationship, and the version of the event the command
    ``command_id`` recorded on it."""
    url = f"sqlite:///{tmp_path / 'store.db'}"
    with MentoringService(url, clock=clock) as service:
        seeded = long_relationship(service)
        version = hold(service, seeded.relationship, 100, command_id=command_id).version
        assert check_derived(service).ok
    return url, seeded.relationship, version


def checked(url: str, clock: SteppingClock) -> DerivedCheck:
    with MentoringService(url, clock=clock) as service:
        assert service.verify().ok  # the chain does not cover the kept ids
        return check_derived(service)


@pytest.mark.parametrize("form", KEPT_FORMS)
def test_a_kept_command_id_in_another_form_is_named(
    tmp_path: Path, clock: SteppingClock, form: str
) -> None:
    command_id = uuid4()
    url, relationship, version = recorded(tmp_path, clock, command_id)
    stored = KEPT_FORMS[form](command_id)
    with sqlite3.connect(tmp_path / "store.db") as db:
        db.execute(
            f"UPDATE {CHAIN_TABLE} SET command_id=? WHERE command_id=?", (stored, command_id.hex)
        )
    check = checked(url, clock)
    assert [(d.what, d.aggregate_id, d.version, d.detail) for d in check.differences] == [
        (
            COMMAND_ID,
            relationship,
            version,
            f"the command id kept beside its link is stored as {stored!r}, not as the library "
            "writes it (32 lower-case hex digits): a retry of its command does not find it "
            f"(the event's is {command_id})",
        )
    ]


@pytest.mark.parametrize("form", NOTED_FORMS)
def test_a_noted_version_in_another_form_is_named(
    tmp_path: Path, clock: SteppingClock, form: str
) -> None:
    """The link's kept id removed and the noted version stored as the BLOB x'30' (reads as
    0 with ``int``, compares above every number in SQL) hides the command; a text that is
    no number stopped ``audit verify`` with a ValueError."""
    command_id = uuid4()
    url, relationship, _ = recorded(tmp_path, clock, command_id)
    stored = NOTED_FORMS[form]
    with sqlite3.connect(tmp_path / "store.db") as db:
        db.execute(
            f"UPDATE {CHAIN_TABLE} SET command_id=NULL WHERE command_id=?", (command_id.hex,)
        )
        db.execute(
            f"INSERT OR REPLACE INTO {NOTED_TABLE} VALUES (?, ?)", (relationship.hex, stored)
        )
    check = checked(url, clock)
    assert [(d.what, d.aggregate_id, d.version, d.detail) for d in check.differences] == [
        (
            COMMAND_ID,
            relationship,
            None,
            f"its noted version is stored as {stored!r}, not as the library writes it (an "
            "integer): a retried command may not be found (the store compares the value as "
            "stored: a text or a BLOB is above every version)",
        )
    ]


def test_a_noted_version_that_is_no_number_is_named_and_the_check_goes_on(
    tmp_path: Path, clock: SteppingClock
) -> None:
    command_id = uuid4()
    url, relationship, _ = recorded(tmp_path, clock, command_id)
    with sqlite3.connect(tmp_path / "store.db") as db:
        db.execute(f"INSERT OR REPLACE INTO {NOTED_TABLE} VALUES (?, 'x')", (relationship.hex,))
    check = checked(url, clock)
    assert check.difference_count == 1
    assert check.aggregates == 2 and check.rows == 0
