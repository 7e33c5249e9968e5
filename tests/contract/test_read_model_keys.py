"""Read-model rows filed under a key the library never writes (review of the audit, 1).

The read model keeps one row per aggregate, keyed by the canonical text of its id
(SQLite: ``str(uuid)``; PostgreSQL: a ``uuid`` column). A row written around the library
under another spelling of a real aggregate's id (upper case, no dashes, ``urn:uuid:``),
with forged facts, used to be shown by the live reports (the SQLite view parsed keys
leniently, and the last programme row read won) while ``audit verify`` compared only
the row under the canonical key and said every row agreed. The readers now take only
rows stored as the library writes them, and only the programme's own row as its facts;
``audit verify`` names every row it did not compare, by its key as stored.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID

import psycopg
import pytest

from mentoring_core import MentoringService
from mentoring_core.audit.derived import READ_MODEL, DerivedCheck, check_derived
from mentoring_core.projections import ComplianceProjection

from .test_derived_checked import busy
from .test_service_contract import Seeded
from .test_tamper_evidence import RawStore

ALIASES: dict[str, Callable[[UUID], str]] = {
    "upper-hex": lambda u: u.hex.upper(),
    "hex": lambda u: u.hex,
    "urn": lambda u: u.urn,
    "braces": lambda u: "{" + str(u) + "}",
    "upper": lambda u: str(u).upper(),
}
FORGED_NAME = "Forged programme"


def facts_table(raw: RawStore) -> str:
    if raw.is_sqlite:
        return "compliance_facts_v5"
    return raw.events.replace("mentoring_events", "mentoring_compliance_facts_v5")


def projected(store_url: str) -> Seeded:
    with MentoringService(store_url) as service:
        seeded = busy(service)
        ComplianceProjection(service).catch_up()
    return seeded


def copy_row(run: Any, raw: RawStore, of: UUID, key: Any, **changes: Any) -> None:
    """A row written around the library under ``key``: ``of``'s row, its facts' texts
    replaced (``{old: new}``), its programme id ``programme`` if given."""
    (row,) = run(
        f"SELECT programme_id, kind, version, facts FROM {facts_table(raw)} WHERE aggregate_id = ?",
        str(of),
    )
    programme_id, kind, version, facts = row
    for old, new in changes.get("texts", {}).items():
        facts = facts.replace(old, new)
    programme_id = changes.get("programme", programme_id)
    run(
        f"INSERT INTO {facts_table(raw)} VALUES (?, ?, ?, ?, ?)",
        key,
        str(programme_id),
        kind,
        version,
        facts,
    )


def shown(store_url: str, programme: UUID) -> tuple[str, list[str]]:
    """The programme's name and its relationships' mentors, as the live reports read them."""
    with MentoringService(store_url) as service:
        facts, relationships = ComplianceProjection(service).programme_facts(programme)
    return facts.name, [r.mentor_id for r in relationships]


def checked(store_url: str) -> DerivedCheck:
    with MentoringService(store_url) as service:
        assert service.verify().ok  # the chain does not cover the read model
        return check_derived(service)


def named(check: DerivedCheck) -> list[str]:
    return [str(d) for d in check.differences]


@pytest.fixture(params=["sqlite"])
def store_kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.mark.parametrize("alias", ALIASES)
def test_a_relationship_row_under_another_spelling_is_not_shown_and_is_named(
    store_url: str, alias: str
) -> None:
    seeded = projected(store_url)
    raw = RawStore(store_url)
    key = ALIASES[alias](seeded.relationship)
    with raw.sql() as run:
        copy_row(run, raw, seeded.relationship, key, texts={'"ana"': '"ghost"'})
    assert shown(store_url, seeded.programme) == ("New workers 2026", ["ana"])
    check = checked(store_url)
    assert check.difference_count == 1, named(check)
    (difference,) = check.differences
    assert (difference.what, difference.aggregate_id) == (READ_MODEL, key)
    assert difference.detail == (
        f"a row keyed {key!r}, not the text the library writes for an id (it spells "
        f"aggregate {seeded.relationship}; the library writes {str(seeded.relationship)!r}): "
        "no reader takes it, and it was not compared with the events"
    )
    assert check.rows == 3  # the two rows compared, and this one


@pytest.mark.parametrize("alias", ["urn", "upper"])
def test_a_programme_row_under_another_spelling_is_not_taken_and_is_named(
    store_url: str, alias: str
) -> None:
    seeded = projected(store_url)
    raw = RawStore(store_url)
    key = ALIASES[alias](seeded.programme)
    with raw.sql() as run:
        copy_row(run, raw, seeded.programme, key, texts={"New workers 2026": FORGED_NAME})
    assert shown(store_url, seeded.programme) == ("New workers 2026", ["ana"])
    (difference,) = checked(store_url).differences
    assert difference.aggregate_id == key
    assert f"it spells aggregate {seeded.programme}" in difference.detail


def test_a_row_keyed_by_no_uuid_at_all_is_passed_over_and_named(store_url: str) -> None:
    seeded = projected(store_url)
    raw = RawStore(store_url)
    with raw.sql() as run:
        copy_row(run, raw, seeded.relationship, "not-a-uuid", texts={'"ana"': '"ghost"'})
        copy_row(run, raw, seeded.relationship, b"\x01\x02", texts={'"ana"': '"ghost"'})
    assert shown(store_url, seeded.programme) == ("New workers 2026", ["ana"])
    check = checked(store_url)
    assert [(d.aggregate_id, d.detail) for d in check.differences] == [
        (
            shown_as,
            f"a row keyed {key!r}, not the text the library writes for an id: no reader "
            "takes it, and it was not compared with the events",
        )
        for key, shown_as in (("not-a-uuid", "not-a-uuid"), (b"\x01\x02", repr(b"\x01\x02")))
    ]


def test_a_row_whose_programme_is_spelt_otherwise_is_named(store_url: str) -> None:
    """Under its canonical key, so compared; but filed under another spelling of its
    programme's id, which the reports look rows up by: they no longer show it."""
    seeded = projected(store_url)
    raw = RawStore(store_url)
    spelt = seeded.programme.hex.upper()
    with raw.sql() as run:
        run(
            f"UPDATE {facts_table(raw)} SET programme_id = ? WHERE aggregate_id = ?",
            spelt,
            str(seeded.relationship),
        )
    assert shown(store_url, seeded.programme) == ("New workers 2026", [])
    check = checked(store_url)
    assert [(d.what, d.aggregate_id, d.detail) for d in check.differences] == [
        (
            READ_MODEL,
            seeded.relationship,
            f"its programme_id is {spelt!r}, not the text the library writes for an id (the "
            f"library writes {str(seeded.programme)!r}): the reports of its programme do not "
            "find the row",
        )
    ]


class TestOnEveryDatabase:
    @pytest.fixture(params=["sqlite", "postgres"])
    def store_kind(self, request: pytest.FixtureRequest) -> str:
        return str(request.param)

    def test_a_programme_row_under_another_key_is_not_taken_as_the_programmes(
        self, store_url: str
    ) -> None:
        """A row of a programme's facts under its programme, keyed by an id of no
        aggregate that sorts after the programme's own: the last one read used to win."""
        seeded = projected(store_url)
        raw = RawStore(store_url)
        stranger = UUID("ffffffff-ffff-4fff-8fff-ffffffffffff")
        with raw.sql() as run:
            copy_row(run, raw, seeded.programme, str(stranger), texts={"New workers": "Forged"})
        assert shown(store_url, seeded.programme) == ("New workers 2026", ["ana"])
        assert named(checked(store_url)) == [
            f"{READ_MODEL} of {stranger} at version {self.version(store_url, seeded)}: a row "
            f"under programme {seeded.programme} for an aggregate with no events"
        ]

    @staticmethod
    def version(store_url: str, seeded: Seeded) -> int:
        with MentoringService(store_url) as service:
            return service.programme(seeded.programme).version

    def test_a_row_under_a_programme_of_no_events_is_named(self, store_url: str) -> None:
        seeded = projected(store_url)
        raw = RawStore(store_url)
        stranger, nowhere = UUID(int=91), UUID(int=92)
        with raw.sql() as run:
            copy_row(run, raw, seeded.relationship, str(stranger), programme=nowhere)
        check = checked(store_url)
        assert [(d.aggregate_id, d.detail) for d in check.differences] == [
            (stranger, f"a row under programme {nowhere} for an aggregate with no events")
        ]
        assert check.rows == 3

    @pytest.mark.parametrize("alias", ALIASES)
    def test_another_spelling_of_a_key_is_one_key_or_refused(
        self, store_url: str, store_kind: str, alias: str
    ) -> None:
        """PostgreSQL keeps the ids as ``uuid``: another spelling is the same key (the
        row's, which it may not hold twice) or no uuid at all; SQLite keeps the text."""
        if store_kind == "sqlite":
            pytest.skip("SQLite keeps any text: the tests above")
        seeded = projected(store_url)
        raw = RawStore(store_url)
        key = ALIASES[alias](seeded.relationship)
        with pytest.raises(psycopg.Error), raw.sql() as run:
            copy_row(run, raw, seeded.relationship, key, texts={'"ana"': '"ghost"'})
        assert shown(store_url, seeded.programme) == ("New workers 2026", ["ana"])
        assert checked(store_url).ok
