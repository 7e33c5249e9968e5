"""Outputs are written as a careful Unix tool writes them (issue 11, item 6).

Every ``--out`` (and ``audit keygen``'s keys) is written to a temporary file in the
target's folder and renamed; a target that is a FIFO, a symbolic link or a folder is
refused (exit 2) and left as it was; a missing folder is refused before the store is
even opened; keygen writes both keys or neither, each 0600. The CSV report
neutralises cells a spreadsheet would run as a formula.
"""

from __future__ import annotations

import csv
import io
import os
import stat
from collections.abc import Callable
from pathlib import Path

import pytest
from cli_harness import Cli
from store_state import (
    HOSTILE_MENTEE,
    HOSTILE_MENTOR,
    PROGRAMME,
    RELATIONSHIP,
    seed,
    store_state,
)

pytestmark = pytest.mark.sqlite_only  # the input and files are the command's: see conftest


@pytest.fixture
def seeded(cli: Cli) -> Cli:
    seed(cli.store_url)
    return cli


def _report(out: Path) -> list[str]:
    return ["report", "compliance", "--programme", str(PROGRAMME), "--format", "csv",
            "--out", str(out)]  # fmt: skip


OUTPUTS: dict[str, Callable[[Path], list[str]]] = {
    "audit export": lambda out: ["audit", "export", "--out", str(out)],
    "audit export --relationship": lambda out: [
        *("audit", "export", "--relationship", str(RELATIONSHIP)),
        *("--out", str(out)),
    ],
    "audit digest": lambda out: ["audit", "digest", "--out", str(out)],
    "report compliance": _report,
}


def _fifo(path: Path) -> Callable[[], object]:
    os.mkfifo(path)
    return lambda: stat.S_ISFIFO(path.lstat().st_mode)


def _symlink(path: Path) -> Callable[[], object]:
    victim = path.parent / "victim.txt"
    victim.write_text("keep me\n")
    path.symlink_to(victim)
    return lambda: (os.readlink(path), victim.read_text())


def _folder(path: Path) -> Callable[[], object]:
    path.mkdir()
    (path / "inside.txt").write_text("keep me\n")
    return lambda: (path.is_dir(), sorted(p.name for p in path.iterdir()))


NON_REGULAR = {"FIFO": _fifo, "symbolic link": _symlink, "folder": _folder}


@pytest.mark.parametrize("kind", NON_REGULAR)
@pytest.mark.parametrize("command", OUTPUTS)
def test_a_non_regular_target_is_refused_and_left_as_it_was(
    seeded: Cli, tmp_path: Path, command: str, kind: str
) -> None:
    target = tmp_path / "target.out"
    look = NON_REGULAR[kind](target)
    before, store_before = look(), store_state(seeded.store_url)
    result = seeded.run(*OUTPUTS[command](target))
    assert result.code == 2, str(result)
    assert "'--out'" in result.stderr and str(target) in result.stderr, str(result)
    assert "regular file" in result.stderr or "is a directory" in result.stderr, str(result)
    assert "unexpected" not in result.stderr, str(result)
    assert result.stdout == "", str(result)
    assert look() == before
    assert store_state(seeded.store_url) == store_before


@pytest.mark.parametrize("command", OUTPUTS)
def test_a_missing_folder_is_refused_before_the_store_is_touched(
    seeded: Cli, tmp_path: Path, command: str
) -> None:
    """The report used to bring its read model up to date in the store, then fail."""
    store_before = store_state(seeded.store_url)
    target = tmp_path / "no such folder" / "out.txt"
    result = seeded.run(*OUTPUTS[command](target))
    assert result.code == 2, str(result)
    assert "does not exist" in result.stderr and "no such folder" in result.stderr, str(result)
    assert "unexpected" not in result.stderr, str(result)
    assert store_state(seeded.store_url) == store_before
    assert not target.parent.exists()


@pytest.mark.parametrize("command", OUTPUTS)
def test_an_output_replaces_a_regular_file_atomically_keeping_its_mode(
    seeded: Cli, tmp_path: Path, command: str
) -> None:
    target = tmp_path / "out.txt"
    target.write_text("old\n")
    target.chmod(0o640)
    old_inode = target.stat().st_ino
    result = seeded.run(*OUTPUTS[command](target))
    assert result.code == 0, str(result)
    assert target.read_text() != "old\n"
    assert target.stat().st_ino != old_inode  # renamed over, not rewritten in place
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_keygen_writes_both_keys_owner_only(tmp_path: Path, sqlite_url: str) -> None:
    cli = Cli(sqlite_url, tmp_path)
    keys = tmp_path / "keys"
    keys.mkdir()
    made = cli.ok("audit", "keygen", "--private", str(keys / "k.pem"), "--public",
                  str(keys / "k.pub.pem"))  # fmt: skip
    assert made["private"].endswith("k.pem")
    for name in ("k.pem", "k.pub.pem"):
        assert stat.S_IMODE((keys / name).stat().st_mode) == 0o600
    assert sorted(p.name for p in keys.iterdir()) == ["k.pem", "k.pub.pem"]


@pytest.mark.parametrize(
    "public_target", ["missing folder", "existing file", "FIFO", "folder", "same as private"]
)
def test_keygen_writes_both_keys_or_neither(
    tmp_path: Path, sqlite_url: str, public_target: str
) -> None:
    """It used to leave the private key behind when the public one could not be written."""
    cli = Cli(sqlite_url, tmp_path)
    keys = tmp_path / "keys"
    keys.mkdir()
    private = keys / "k.pem"
    public = {
        "missing folder": tmp_path / "nowhere" / "k.pub.pem",
        "existing file": keys / "k.pub.pem",
        "FIFO": keys / "k.pub.pem",
        "folder": keys / "k.pub.pem",
        "same as private": private,
    }[public_target]
    if public_target == "existing file":
        public.write_text("someone's key\n")
    elif public_target == "FIFO":
        os.mkfifo(public)
    elif public_target == "folder":
        public.mkdir()
    before = sorted(p.name for p in keys.iterdir())
    result = cli.run("audit", "keygen", "--private", str(private), "--public", str(public))
    assert result.code == 2, str(result)
    assert "unexpected" not in result.stderr and result.stderr.startswith("error: "), str(result)
    assert sorted(p.name for p in keys.iterdir()) == before
    assert not private.exists()
    if public_target == "existing file":
        assert public.read_text() == "someone's key\n"


def test_keygen_never_replaces_a_private_key(tmp_path: Path, sqlite_url: str) -> None:
    cli = Cli(sqlite_url, tmp_path)
    private, public = tmp_path / "k.pem", tmp_path / "k.pub.pem"
    private.write_text("the old key\n")
    result = cli.run("audit", "keygen", "--private", str(private), "--public", str(public))
    assert result.code == 2, str(result)
    assert "exists already" in result.stderr, str(result)
    assert private.read_text() == "the old key\n" and not public.exists()


def test_csv_cells_a_spreadsheet_would_run_are_neutralised(seeded: Cli, tmp_path: Path) -> None:
    """OWASP's CSV-injection rule: text starting with = + - @ tab or CR gets a leading quote."""
    out = tmp_path / "report.csv"
    assert seeded.run(*_report(out)).code == 0
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"), newline="")))
    assert [(r["mentor_id"], r["mentee_id"]) for r in rows] == [
        ("'" + HOSTILE_MENTOR, "'" + HOSTILE_MENTEE)
    ]
    for row in rows:  # no cell written from recorded text starts a formula
        for name, cell in row.items():
            assert not cell.startswith(("=", "+", "@", "\t", "\r")), (name, cell)
            if cell.startswith("-"):  # only a number the report computed may be negative
                float(cell)


def test_a_failed_export_leaves_the_old_file_and_no_temporary_file(
    seeded: Cli, tmp_path: Path
) -> None:
    target = tmp_path / "out.jsonl"
    target.write_text("the export of last week\n")
    unknown = "00000000-0000-0000-0000-000000000099"
    result = seeded.run("audit", "export", "--relationship", unknown, "--out", str(target))
    assert result.code == 1, str(result)
    assert target.read_text() == "the export of last week\n"
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_keys_are_created_whole_where_hard_links_are_not_allowed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mentoring_cli import _files

    def no_links(source: object, target: object) -> None:
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(_files.os, "link", no_links)
    first, second = tmp_path / "a.pem", tmp_path / "b.pem"
    _files.create_files([(first, b"one", "--private"), (second, b"two", "--public")], keep=())
    assert (first.read_bytes(), second.read_bytes()) == (b"one", b"two")
    assert {stat.S_IMODE(p.stat().st_mode) for p in (first, second)} == {0o600}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.pem", "b.pem"]
