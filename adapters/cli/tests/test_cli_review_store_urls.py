"""A ``sqlite:///file:NAME`` store URL (a SQLite URI filename) is a bad ``--store``.

SQLite opens such a name as a URI, around every check of the store file: ``programme
list`` wrote mentoring tables into another application's ``other.db``, ``due`` created
a 0644 store (and a stray empty ``file:fresh.db``), and ``?mode=memory`` recorded into
memory and lost it. Now each is refused as a bad store URL (exit 2, one line naming
``--store`` and the accepted forms), and no file is created or changed.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from cli_harness import Cli


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    with closing(sqlite3.connect(tmp_path / "other.db")) as db:
        db.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL)")
        db.commit()
    return tmp_path


CASES = {
    "another application's database": ("sqlite:///file:other.db", ["programme", "list"]),
    "a read command": ("sqlite:///file:fresh.db", ["due"]),
    "an in-memory URI": (
        "sqlite:///file:m.db?mode=memory",
        ["programme", "create", "--name", "lost", "--organisation", "x"],
    ),
    "a query string": ("sqlite:///fresh.db?mode=memory", ["programme", "list"]),
    "demo": ("sqlite:///file:fresh.db", ["demo"]),
    "audit import": ("sqlite:///file:fresh.db", ["audit", "import", "other.db"]),
}


@pytest.mark.parametrize("case", CASES)
def test_a_sqlite_uri_filename_is_a_bad_store_and_touches_no_file(folder: Path, case: str) -> None:
    url, args = CASES[case]
    before = _files(folder)
    run = Cli(url, folder).run(*args)
    assert run.code == 2, str(run)
    assert run.stdout == "", str(run)
    lines = run.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: Invalid value for '--store'"), str(run)
    assert url in lines[0] and "sqlite:///relative/path.db" in lines[0]
    assert _files(folder) == before


def test_copy_keys_names_its_own_option_for_a_bad_target(folder: Path) -> None:
    store = f"sqlite:///{folder / 'source.db'}"
    cli = Cli(store, folder)
    assert cli.run("programme", "create", "--name", "P", "--organisation", "O").code == 0
    before = _files(folder)
    for target in ("sqlite:///file:other.db", "nonsense", "postgresql://pg@127.0.0.1:99999/db"):
        run = cli.run("privacy", "copy-keys", "--to", target)
        assert run.code == 2, str(run)
        assert run.stderr.startswith("error: Invalid value for '--to'"), str(run)
        assert _files(folder) == before
