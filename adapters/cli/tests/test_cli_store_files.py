"""SQLite store files are handled as a careful Unix tool would (issue 11, item 6).

A store the CLI creates is owner-only (0600, its -wal and -shm too); another
application's SQLite file (or a file that is not SQLite) is refused and left exactly
as it was; a store on a read-only file system can still be read, verified and
reported on, and a recording command there is refused with a clear message.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import stat
import subprocess
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

import pytest
from cli_harness import Cli
from store_state import PROGRAMME, RELATIONSHIP, seed

ENROL = ("programme", "enrol", str(PROGRAMME), "--person", "zed", "--role", "mentor",
         "--experience-years", "10")  # fmt: skip


def _modes(folder: Path, name: str) -> dict[str, int]:
    return {p.name: stat.S_IMODE(p.stat().st_mode) for p in folder.glob(name + "*")}


def test_a_store_the_cli_creates_is_owner_only_with_its_wal_and_shm(tmp_path: Path) -> None:
    cli = Cli(f"sqlite:///{tmp_path / 'new.db'}", tmp_path)
    created = cli.ok("programme", "create", "--name", "P", "--organisation", "O")
    assert _modes(tmp_path, "new.db") == {"new.db": 0o600}
    # While another connection keeps the store open, SQLite keeps its -wal and -shm files.
    with closing(sqlite3.connect(tmp_path / "new.db")) as reader:
        reader.execute("SELECT count(*) FROM stored_events").fetchone()
        enrol = ("programme", "enrol", created["id"], "--person", "ana", "--role", "mentor")
        cli.ok(*enrol, "--experience-years", "9")
        modes = _modes(tmp_path, "new.db")
    assert set(modes) == {"new.db", "new.db-wal", "new.db-shm"}
    assert set(modes.values()) == {0o600}


@pytest.mark.parametrize(
    "command",
    [
        ["demo"],
        ["programme", "create", "--name", "P", "--organisation", "O"],
    ],
)
def test_every_command_that_creates_a_store_makes_it_owner_only(
    tmp_path: Path, command: list[str]
) -> None:
    cli = Cli(f"sqlite:///{tmp_path / 'made.db'}", tmp_path)
    assert cli.run(*command).code == 0
    assert set(_modes(tmp_path, "made.db").values()) == {0o600}


def test_an_imported_store_is_owner_only(tmp_path: Path) -> None:
    source = tmp_path / "source.db"
    seed(f"sqlite:///{source}")
    export = tmp_path / "export.jsonl"
    assert (
        Cli(f"sqlite:///{source}", tmp_path).run("audit", "export", "--out", str(export)).code == 0
    )
    result = Cli(f"sqlite:///{tmp_path / 'copy.db'}", tmp_path).run("audit", "import", str(export))
    assert result.code == 0, str(result)
    assert set(_modes(tmp_path, "copy.db").values()) == {0o600}


def _content(path: Path) -> str:
    if stat.S_ISFIFO(path.lstat().st_mode):
        return "a FIFO"
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _foreign(path: Path) -> None:
    with closing(sqlite3.connect(path)) as db:
        db.execute("CREATE TABLE contacts (id INTEGER PRIMARY KEY, name TEXT)")
        db.execute("INSERT INTO contacts (name) VALUES ('Ana')")
        db.commit()


def _foreign_events_table(path: Path) -> None:
    """Another application's database whose own event log is a table named as the store's."""
    with closing(sqlite3.connect(path)) as db:
        db.execute("CREATE TABLE stored_events (id INTEGER PRIMARY KEY, kind TEXT, body TEXT)")
        db.execute("INSERT INTO stored_events (kind, body) VALUES ('signup', '{}')")
        db.commit()


def _not_sqlite(path: Path) -> None:
    path.write_text("name,phone\nAna,555\n")


READ_AND_WRITE = {
    "programme list": ["programme", "list"],
    "history": ["history", str(RELATIONSHIP)],
    "pair show": ["pair", "show", str(RELATIONSHIP)],
    "audit verify": ["audit", "verify"],
    "audit digest": ["audit", "digest"],
    "audit replay": ["audit", "replay"],
    "audit timeline": ["audit", "timeline", str(RELATIONSHIP)],
    "report": ["report", "compliance", "--programme", str(PROGRAMME), "--out", "-"],
    "programme create": ["programme", "create", "--name", "P", "--organisation", "O"],
    "programme enrol": list(ENROL),
    "demo": ["demo"],
}


def _fifo(path: Path) -> None:
    os.mkfifo(path)


@pytest.mark.parametrize(
    "make",
    [_foreign, _foreign_events_table, _not_sqlite, _fifo],
    ids=["another app's DB", "its table named stored_events", "not SQLite", "FIFO"],
)
@pytest.mark.parametrize("command", READ_AND_WRITE)
def test_a_file_that_is_not_a_mentoring_store_is_refused_untouched(
    tmp_path: Path, command: str, make: Callable[[Path], None]
) -> None:
    """A read command used to add three tables to another app's file and switch it to WAL;
    one whose table is named ``stored_events`` (not eventsourcing's) was taken for a store,
    given the store's tables and WAL, then failed as "the store failed: OperationalError"."""
    folder = tmp_path / "data"
    folder.mkdir()
    other = folder / "other.db"
    make(other)
    before = _content(other)
    result = Cli(f"sqlite:///{other}", folder).run(*READ_AND_WRITE[command])
    assert result.code == 1, str(result)
    assert "not a mentoring store" in result.stderr and str(other) in result.stderr, str(result)
    assert result.stderr.count("\n") == 1 and "unexpected" not in result.stderr, str(result)
    assert _content(other) == before
    assert [p.name for p in folder.iterdir()] == ["other.db"]
    if make in (_foreign, _foreign_events_table):
        with closing(sqlite3.connect(f"{other.as_uri()}?mode=ro", uri=True)) as db:
            assert db.execute("PRAGMA journal_mode").fetchone() == ("delete",)
            names = db.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
            assert len(names) == 1


READ_ONLY_MOUNT = 'mount --bind "$0" "$0" && mount -o remount,ro,bind "$0" "$0" && exec "$@"'


def _read_only_wrapper(folder: Path) -> list[str]:
    """A command that runs its arguments with ``folder`` mounted read-only, or a skip.

    As root, file permissions do not stop a write: only a read-only file system does.
    """
    unshare = shutil.which("unshare")
    if unshare is None:
        pytest.skip("needs unshare(1) to mount a folder read-only")
    wrapper = [unshare, "-m", "sh", "-c", READ_ONLY_MOUNT, str(folder)]
    probe = subprocess.run(
        [*wrapper, "sh", "-c", f"! touch '{folder}/probe' 2>/dev/null"],
        capture_output=True,
        check=False,
    )
    if probe.returncode != 0:
        pytest.skip(f"cannot mount a folder read-only here: {probe.stderr.decode().strip()}")
    return wrapper


READS = {name: args for name, args in READ_AND_WRITE.items() if name in {
    "programme list", "history", "pair show", "audit verify", "audit digest", "audit replay",
    "audit timeline", "report",
}}  # fmt: skip


@pytest.fixture(scope="module")
def read_only_store(tmp_path_factory: pytest.TempPathFactory) -> tuple[Cli, list[str]]:
    folder = tmp_path_factory.mktemp("read-only")
    url = f"sqlite:///{folder / 'mentoring.db'}"
    seed(url)
    return Cli(url, folder), _read_only_wrapper(folder)


@pytest.mark.parametrize("command", READS)
def test_read_and_audit_commands_work_on_a_read_only_store(
    read_only_store: tuple[Cli, list[str]], command: str
) -> None:
    """They used to fail with "unable to open database file": WAL needs a -shm beside it."""
    cli, wrapper = read_only_store
    folder = cli.cwd
    args = [*READS[command], *([] if command in {"report"} else ["--json"])]
    writable = cli.run(*args)  # (the report brings the store's read model up to date)
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    read_only = cli.run(*args, wrapper=wrapper)
    assert read_only.code == 0, str(read_only)
    assert read_only.stderr == "", str(read_only)
    if command not in {"report", "audit replay"}:  # these name the moment they were made
        assert read_only.stdout == writable.stdout
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before


@pytest.mark.parametrize("command", [ENROL, ("demo",)], ids=["enrol", "demo"])
def test_a_recording_command_on_a_read_only_store_is_refused_clearly(
    read_only_store: tuple[Cli, list[str]], command: tuple[str, ...]
) -> None:
    """The demo used to open the store on its own: "the store failed: OperationalError"."""
    cli, wrapper = read_only_store
    folder = cli.cwd
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    result = cli.run(*command, wrapper=wrapper)
    assert result.code == 1, str(result)
    assert result.stderr.startswith("error: the store ") and "read-only" in result.stderr
    assert "unexpected" not in result.stderr and result.stderr.count("\n") == 1
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before


@pytest.mark.parametrize(
    "command", [("programme", "create", "--name", "P", "--organisation", "O"), ("demo",)]
)
def test_a_store_in_a_missing_folder_is_refused_alike(
    tmp_path: Path, command: tuple[str, ...]
) -> None:
    """The demo used to say "Invalid value for '--store': cannot create the store" (exit 2)."""
    path = tmp_path / "nowhere" / "new.db"
    result = Cli(f"sqlite:///{path}", tmp_path).run(*command)
    assert (result.code, result.stderr) == (
        1,
        f"error: the folder {path.parent} of the store {path} does not exist\n",
    ), str(result)
    assert not path.parent.exists()
