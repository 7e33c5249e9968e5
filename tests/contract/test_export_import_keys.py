"""An import refused, or cut off, leaves the target store as it was, its key rows included.

docs/audit.md, section 7: every check of the file runs before anything is written; the
events are stored in one transaction, and only then the withheld key rows of the people
the file's sealed fields are under (the key store is another table, or another file:
not in the events' transaction). A refused import writes nothing at all; an import cut
off between the two leaves the events without those rows, and importing the file again
writes them.

Issue: an import refused at its last check ("its event could not be read back") left a
withheld row for every person of the file in an empty store, whose enrolment was then
refused ("...the key of ... was not copied into this store with the events it imported").
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest

from mentoring_core import MentoringService, StoreConfigurationError
from mentoring_core.audit import ExportError, StoreNotEmpty, cloud_events, import_events
from mentoring_core.privacy import ERASED
from mentoring_core.values import Role

from .test_export_attributes import rechain, sealed_lines, write
from .test_service_contract import seed, stored_count
from .test_tamper_evidence import RawStore

Doc = dict[str, Any]
NEW_PROGRAMME = UUID(int=11)


@pytest.fixture(scope="module")
def good_docs() -> list[Doc]:
    """The eleven CloudEvents of a seeded store, in chain order."""
    with MentoringService("memory://") as service:
        seed(service)
        return list(cloud_events(service))


def people(docs: list[Doc]) -> set[str]:
    """The people the file's sealed fields are under."""
    found = re.findall(r'"\$personal":1,"key":"([^"]+)"', json.dumps(docs, separators=(",", ":")))
    return set(found)


def unreadable_last(docs: list[Doc]) -> list[str]:
    """The export with its last event unreadable (``occurred_at``, and ``time`` with it,
    a text that is no time), the chain and the trailer recomputed: every check of the
    file passes but the last, whether its events read back."""
    docs = json.loads(json.dumps(docs))
    docs[-1]["data"]["occurred_at"] = docs[-1]["time"] = "12345"
    rechain(docs)
    return sealed_lines(docs)


def enrols_a_person_of_the_file(service: MentoringService, person: str) -> None:
    """Personal data about ``person`` can be recorded: no withheld row stands in the way."""
    service.create_programme(
        "Next year", "Northside Care", actor="coord", programme_id=NEW_PROGRAMME
    )
    service.enrol(NEW_PROGRAMME, person, Role.MENTEE, 1, display_name="B. Person", actor="coord")


UNREADABLE = r"^line 11: its event could not be read back: .*occurred_at"


def test_a_file_refused_at_its_last_check_leaves_no_key_row(
    store_url: str, tmp_path: Path, good_docs: list[Doc]
) -> None:
    path = write(tmp_path / "bad.jsonl", unreadable_last(good_docs))
    with MentoringService(store_url) as imported:
        with pytest.raises(ExportError, match=UNREADABLE):
            import_events(imported, path)
        assert stored_count(imported) == 0
        assert imported.store.keys.store.rows() == []
        for person in sorted(people(good_docs)):
            assert imported.store.keys.store.get(person) is None
        enrols_a_person_of_the_file(imported, sorted(people(good_docs))[0])


def test_a_file_the_memory_store_refuses_leaves_no_key_row(
    tmp_path: Path, good_docs: list[Doc]
) -> None:
    """A whole export whose log positions have a gap passes every check of the file, but
    a memory store, which numbers its events 1, 2, 3..., refuses to store it."""
    docs = json.loads(json.dumps(good_docs))
    for doc in docs[5:]:
        doc["chainposition"] += 1
    rechain(docs)
    path = write(tmp_path / "gap.jsonl", sealed_lines(docs))
    with MentoringService("memory://") as imported:
        with pytest.raises(ExportError, match=r"^the store refused lines 1 to 11, and nothing"):
            import_events(imported, path)
        assert stored_count(imported) == 0
        assert imported.store.keys.store.rows() == []
        enrols_a_person_of_the_file(imported, sorted(people(good_docs))[0])


@contextmanager
def refusing(url: str, table: str, file: Path | None = None) -> Iterator[None]:
    """The database itself refuses every row written into ``table`` ("events" or "keys")
    while this lasts: a trigger raising "no space left on device", as a full disk would
    (in ``file``, a SQLite key store file, if given)."""
    raw = RawStore(url)
    if file is not None or raw.is_sqlite:
        name = "stored_events" if table == "events" else "mentoring_keys"
        path = file or Path(url.removeprefix("sqlite:///"))
        with sqlite3.connect(path) as conn:
            conn.execute(
                f"CREATE TRIGGER refuse BEFORE INSERT ON {name} "
                "BEGIN SELECT RAISE(ABORT, 'no space left on device'); END"
            )
        yield
        with sqlite3.connect(path) as conn:
            conn.execute("DROP TRIGGER refuse")
        return
    schema = raw.events.split(".")[0]
    name = f"{schema}.mentoring_events" if table == "events" else f"{schema}.mentoring_keys"
    with raw.sql() as run:
        run(
            f"CREATE FUNCTION {schema}.refuse() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN RAISE EXCEPTION 'no space left on device' USING ERRCODE = '53100'; END $$"
        )
        run(
            f"CREATE TRIGGER refuse BEFORE INSERT ON {name} "
            f"FOR EACH ROW EXECUTE FUNCTION {schema}.refuse()"
        )
    yield
    with raw.sql() as run:
        run(f"DROP TRIGGER refuse ON {name}")
        run(f"DROP FUNCTION {schema}.refuse()")


def test_a_file_the_database_refuses_leaves_no_key_row(
    store_url: str, tmp_path: Path, good_docs: list[Doc]
) -> None:
    if store_url.startswith("memory"):
        pytest.skip("a memory store has no database to refuse a row")
    path = write(tmp_path / "export.jsonl", sealed_lines(good_docs))
    with MentoringService(store_url) as imported:
        with refusing(store_url, "events"), pytest.raises(Exception, match="no space left"):
            import_events(imported, path)
        assert stored_count(imported) == 0
        assert imported.store.keys.store.rows() == []
        enrols_a_person_of_the_file(imported, sorted(people(good_docs))[0])


def cut_off(docs: list[Doc]) -> str:
    """The refusal of an import whose key rows could not be written (its start)."""
    return (
        f"the file's {len(docs)} events were stored, but not the withheld key rows of the "
        "people its sealed fields are under (no space left on device"
    )


@contextmanager
def opened(url: str, key_file: Path | None) -> Iterator[MentoringService]:
    with MentoringService(url, key_store_file=key_file) as service:
        yield service


@pytest.mark.parametrize("key_file", [False, True], ids=["keys-beside", "key-store-file"])
def test_an_import_cut_off_before_its_key_rows_is_finished_by_importing_again(
    store_url: str, tmp_path: Path, good_docs: list[Doc], key_file: bool
) -> None:
    """The events are stored, then the key rows: a failure between the two (the key
    table refusing rows, as a full disk does) leaves the events without their people's
    rows, whose personal fields are then refused as lost keys (never shown as erased);
    importing the same file again writes the rows, and nothing else."""
    if store_url.startswith("memory"):
        pytest.skip("a memory store has no database to refuse a row")
    keys = tmp_path / "keys.db" if key_file else None
    path = write(tmp_path / "export.jsonl", sealed_lines(good_docs))
    relationship = UUID(good_docs[4]["subject"])
    with opened(store_url, keys) as imported:
        with (
            refusing(store_url, "keys", keys),
            pytest.raises(ExportError, match=f"^{re.escape(cut_off(good_docs))}"),
        ):
            import_events(imported, path)
        assert stored_count(imported) == 11
        assert imported.store.keys.store.rows() == []
        with pytest.raises(StoreConfigurationError, match="holds no key for 'ben'"):
            imported.history(relationship)
        outcome = imported.verify()  # the chain is whole; the rows are not in it
        assert outcome.ok, outcome.finding
        digest = outcome.digest
    with opened(store_url, keys) as imported:
        summary = import_events(imported, path)
        assert (summary.records, summary.batches, summary.complete) == (11, 0, True)
        assert (summary.sealed, summary.hashes_match, summary.digest) == (True, True, digest)
        assert {(r.person_id, r.withheld) for r in imported.store.keys.store.rows()} == {
            (person, True) for person in people(good_docs)
        }
        topics = [getattr(e, "topics", None) for e in imported.history(relationship)]
        assert (ERASED,) in topics
        assert imported.verify().ok
        with pytest.raises(StoreNotEmpty, match="already holds 11 records"):
            import_events(imported, path)  # done: nothing is left to finish


def test_a_store_written_since_an_import_was_cut_off_is_not_finished(
    tmp_path: Path, good_docs: list[Doc]
) -> None:
    """Only the very records of the file, and nothing since, are taken for its import."""
    url = f"sqlite:///{tmp_path / 'copy.db'}"
    path = write(tmp_path / "export.jsonl", sealed_lines(good_docs))
    with MentoringService(url) as imported:
        with refusing(url, "keys"), pytest.raises(ExportError):
            import_events(imported, path)
        imported.create_programme(
            "Next year", "Northside Care", actor="coord", programme_id=NEW_PROGRAMME
        )
        with pytest.raises(StoreNotEmpty, match="already holds 12 records"):
            import_events(imported, path)
        assert imported.store.keys.store.rows() == []
    other = write(tmp_path / "other.jsonl", sealed_lines(good_docs[:-1]))
    with MentoringService(f"sqlite:///{tmp_path / 'cut.db'}") as imported:
        with refusing(imported.store_url, "keys"), pytest.raises(ExportError):
            import_events(imported, path)
        with pytest.raises(StoreNotEmpty, match="already holds 11 records"):
            import_events(imported, other)  # another file: not this store's import
        assert imported.store.keys.store.rows() == []


def test_a_refusal_is_reported_before_a_store_that_holds_records(
    seeded: tuple[MentoringService, Any], tmp_path: Path
) -> None:
    """A store that holds records is refused as such, the file read or not."""
    service, _ = seeded
    missing = tmp_path / "missing.jsonl"
    with pytest.raises(StoreNotEmpty, match="already holds 11 records"):
        import_events(service, missing)
    broken = tmp_path / "broken.jsonl"
    broken.write_text("{not json\n", encoding="utf-8")
    with pytest.raises(StoreNotEmpty, match="already holds 11 records"):
        import_events(service, broken)
