"""``mentoring audit import`` run again to finish an import cut off before its key rows
says what it did: the file's events were already in the store, and the missing key rows
were written (``"finished_earlier_import": true`` with ``--json``).

docs/audit.md, section 7: the events are stored in one transaction, then the withheld
key rows; an import cut off between the two (here: the key table refusing rows, as a
full disk does) is finished by importing the same file again, which writes the rows and
nothing else.

Issue: the second run printed "Imported 6 events in 0 transactions.", as if it had
imported the file, in no transaction.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from cli_harness import Cli, event_count
from test_cli_import_leaves_nothing import exported

from mentoring_core import MentoringService


@pytest.fixture
def export(tmp_path: Path) -> Path:
    return exported(tmp_path)


def cut_off(tmp_path: Path, export: Path, key_file: bool) -> Cli:
    """A store holding the export's events but none of its key rows: its import was
    refused by the key table once its events were stored."""
    keys = tmp_path / "keys.db" if key_file else None
    store = Cli(f"sqlite:///{tmp_path / 'copy.db'}", tmp_path)
    MentoringService(store.store_url, key_store_file=keys).close()
    table_file = keys or tmp_path / "copy.db"
    with sqlite3.connect(table_file) as db:
        db.execute(
            "CREATE TRIGGER refuse BEFORE INSERT ON mentoring_keys "
            "BEGIN SELECT RAISE(ABORT, 'no space left on device'); END"
        )
    refused = store.run(*options(keys), "audit", "import", str(export))
    assert refused.code == 1, str(refused)
    assert "the file's 6 events were stored, but not the withheld key rows" in refused.stderr
    with sqlite3.connect(table_file) as db:
        db.execute("DROP TRIGGER refuse")
    assert event_count(store.store_url, keys) == 6
    return store


def options(keys: Path | None) -> tuple[str, ...]:
    return () if keys is None else ("--key-store-file", str(keys))


@pytest.mark.parametrize("key_file", [False, True], ids=["keys-beside", "key-store-file"])
def test_finishing_an_import_says_the_events_were_there_and_the_key_rows_written(
    tmp_path: Path, export: Path, key_file: bool
) -> None:
    store = cut_off(tmp_path, export, key_file)
    keys = options(tmp_path / "keys.db" if key_file else None)
    finished = store.run(*keys, "audit", "import", str(export))
    assert finished.code == 0, str(finished)
    said = " ".join(finished.stdout.split())
    assert "0 transactions" not in said
    assert said.startswith(
        "The file's 6 events were already in the store, from an import of it cut off "
        "before its key rows: the missing key rows were written, and nothing else."
    ), said
    assert "The export's trailer matches" in said
    assert "Every chain hash equals the export's." in said
    again = store.run(*keys, "audit", "import", str(export))
    assert again.code == 1
    assert "already holds 6 records" in again.stderr  # nothing is left to finish


def test_the_json_document_says_it_finished_an_earlier_import(tmp_path: Path, export: Path) -> None:
    store = cut_off(tmp_path, export, key_file=False)
    document = store.ok("audit", "import", str(export))
    assert document["finished_earlier_import"] is True
    assert (document["records"], document["batches"]) == (6, 0)
    assert document["sealed"] and document["hashes_match"]


def test_a_whole_import_says_it_finished_no_earlier_one(tmp_path: Path, export: Path) -> None:
    document = Cli(f"sqlite:///{tmp_path / 'fresh.db'}", tmp_path).ok(
        "audit", "import", str(export)
    )
    assert document["finished_earlier_import"] is False
    assert (document["records"], document["batches"]) == (6, 1)
