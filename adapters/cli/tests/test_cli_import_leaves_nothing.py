"""``mentoring audit import``: a refused import leaves no store it created behind, and an
export cut short, or an empty file, is refused.

docs/audit.md, section 7, and docs/cli.md: the import creates its SQLite store (and a
``--key-store-file``) when they do not exist; if the import is then refused, with
nothing stored, the files it created are removed (the store, its ``-wal`` and ``-shm``),
never a file that was there before, nor a store that holds the file's events (an import
cut off before its key rows, which importing again finishes).

Issues: ``head -n 100 demo.jsonl > trunc.jsonl`` and an empty file imported with exit 0;
every refused import into a store that did not exist left an empty store file behind.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from uuid import UUID

import pytest
from cli_harness import Cli, event_count

from mentoring_core import MentoringService
from mentoring_core.values import MeetingFormat, Role

PROGRAMME = UUID(int=1)
RELATIONSHIP = UUID(int=2)
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def seed(url: str) -> None:
    """Six events, the personal fields of two people sealed under their keys."""
    with MentoringService(url) as service:
        service.create_programme(
            "Pilot", "Northside Care", actor="coord", programme_id=PROGRAMME, occurred_at=START
        )
        for person, role in (("ana", Role.MENTOR), ("ben", Role.MENTEE)):
            service.enrol(
                PROGRAMME,
                person,
                role,
                5,
                display_name=person.title(),
                actor="coord",
                occurred_at=START,
            )
        service.form_pair(
            PROGRAMME,
            "ana",
            "ben",
            actor="coord",
            relationship_id=RELATIONSHIP,
            occurred_at=START,
        )
        service.record_meeting_held(
            RELATIONSHIP,
            60,
            MeetingFormat.VIDEO,
            ["first visit"],
            actor="ana",
            occurred_at=START,
        )


def exported(folder: Path) -> Path:
    """A whole-store export of :func:`seed`'s store, made in ``folder``: six event lines
    (the personal fields of two people sealed) and the trailer."""
    source = Cli(f"sqlite:///{folder / 'source.db'}", folder)
    seed(source.store_url)
    path = folder / "export.jsonl"
    assert source.ok("audit", "export", "--out", str(path))["records"] == 6
    return path


@pytest.fixture
def export(tmp_path: Path) -> Path:
    return exported(tmp_path)


def store_files(folder: Path, *names: str) -> list[str]:
    """The files of the SQLite databases ``names`` in ``folder`` (with -wal, -shm...)."""
    return sorted(p.name for name in names for p in folder.glob(f"{name}*"))


def cut_short(text: str, lines: int) -> bool:
    return (
        f"error: line {lines}: the last line read, and no export trailer follows it: the "
        "file was cut short" in " ".join(text.split())
    )


def test_an_export_cut_at_a_line_boundary_is_refused_and_leaves_no_store(
    export: Path, tmp_path: Path
) -> None:
    cut = tmp_path / "cut.jsonl"  # head -n 4 export.jsonl > cut.jsonl
    cut.write_text("".join(export.read_text().splitlines(keepends=True)[:4]))
    new = Cli(f"sqlite:///{tmp_path / 'new.db'}", tmp_path)
    refused = new.run("audit", "import", str(cut))
    assert refused.code == 1, str(refused)
    assert refused.stdout == ""
    assert cut_short(refused.stderr, 4), refused.stderr
    assert store_files(tmp_path, "new.db") == []


@pytest.mark.parametrize("text", ["", "\n"], ids=["0-bytes", "a-blank-line"])
def test_an_empty_file_is_refused_and_leaves_no_store(tmp_path: Path, text: str) -> None:
    empty = tmp_path / "empty.jsonl"
    empty.write_text(text)
    refused = Cli(f"sqlite:///{tmp_path / 'new.db'}", tmp_path).run("audit", "import", str(empty))
    assert refused.code == 1, str(refused)
    assert "error: the file holds no line of an export: nothing to import" in refused.stderr
    assert store_files(tmp_path, "new.db") == []


def edited(export: Path) -> str:
    """The export with one line's data edited (not its chainhash): refused by its hash."""
    lines = export.read_text().splitlines(keepends=True)
    lines[1] = lines[1].replace('"actor":"coord"', '"actor":"mallory"')
    return "".join(lines)


@pytest.mark.parametrize(
    "text",
    [lambda _: "{not json\n", edited, lambda e: e.read_text()[:-20]],
    ids=["not-json", "edited-line", "trailer-cut-in-its-middle"],
)
def test_any_refused_import_leaves_neither_the_store_nor_the_key_store_it_created(
    export: Path, tmp_path: Path, text: object
) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text(text(export))  # type: ignore[operator]
    keys = tmp_path / "new-keys.db"
    new = Cli(f"sqlite:///{tmp_path / 'new.db'}", tmp_path)
    refused = new.run("--key-store-file", str(keys), "audit", "import", str(bad))
    assert refused.code == 1, str(refused)
    assert refused.stderr.startswith("error: "), refused.stderr
    assert store_files(tmp_path, "new.db", "new-keys.db") == []


def test_a_refused_import_keeps_a_store_and_a_key_store_that_were_there(
    export: Path, tmp_path: Path
) -> None:
    url, keys = f"sqlite:///{tmp_path / 'there.db'}", tmp_path / "there-keys.db"
    MentoringService(url, key_store_file=keys).close()  # empty, but there before
    before = store_files(tmp_path, "there.db", "there-keys.db")
    assert "there.db" in before and "there-keys.db" in before
    bad = tmp_path / "bad.jsonl"
    bad.write_text(edited(export))
    refused = Cli(url, tmp_path).run("--key-store-file", str(keys), "audit", "import", str(bad))
    assert refused.code == 1, str(refused)
    assert store_files(tmp_path, "there.db", "there-keys.db") == before
    with MentoringService(url, key_store_file=keys) as service:  # still a store
        assert service.store.recorder.max_notification_id() in (None, 0)


def test_a_store_that_holds_records_is_refused_and_kept(export: Path, tmp_path: Path) -> None:
    source = Cli(f"sqlite:///{tmp_path / 'source.db'}", tmp_path)
    refused = source.run("audit", "import", str(export))
    assert refused.code == 1
    assert "already holds 6 records" in refused.stderr
    assert event_count(source.store_url) == 6


def test_an_import_cut_off_before_its_key_rows_keeps_the_store_it_created(
    export: Path, tmp_path: Path
) -> None:
    """The events are stored, then the key rows in the key store file, which refuses
    them: the new store holds the file's events and is kept, to be finished."""
    keys = tmp_path / "keys.db"
    MentoringService(f"sqlite:///{tmp_path / 'other.db'}", key_store_file=keys).close()
    with sqlite3.connect(keys) as db:
        db.execute(
            "CREATE TRIGGER refuse BEFORE INSERT ON mentoring_keys "
            "BEGIN SELECT RAISE(ABORT, 'no space left on device'); END"
        )
    new = Cli(f"sqlite:///{tmp_path / 'new.db'}", tmp_path)
    refused = new.run("--key-store-file", str(keys), "audit", "import", str(export))
    assert refused.code == 1, str(refused)
    assert "the file's 6 events were stored, but not the withheld key rows" in refused.stderr
    assert "new.db" in store_files(tmp_path, "new.db")
    assert event_count(new.store_url, keys) == 6


def test_a_line_holding_a_lone_surrogate_is_refused_by_its_number(
    export: Path, tmp_path: Path
) -> None:
    """``"actor":"\\udc80"`` (valid JSON, no Unicode text), the trailer recomputed as anyone
    can: the import failed with "unexpected UnicodeEncodeError", naming no line."""
    *lines, trailer_line = export.read_text().splitlines()
    lines[1] = lines[1].replace('"actor":"coord"', '"actor":"\\udc80"')
    assert "\\udc80" in lines[1]
    trailer = json.loads(trailer_line)
    trailer["id"] = trailer["data"]["sha256"] = hashlib.sha256(
        "".join(line + "\n" for line in lines).encode()
    ).hexdigest()
    bad = tmp_path / "bad.jsonl"
    bad.write_text("".join(line + "\n" for line in [*lines, json.dumps(trailer)]))
    refused = Cli(f"sqlite:///{tmp_path / 'new.db'}", tmp_path).run("audit", "import", str(bad))
    assert refused.code == 1, str(refused)
    assert refused.stderr.startswith("error: line 2: the escape \\udc80 is a lone surrogate")
    assert "unexpected" not in refused.stderr, str(refused)
    assert store_files(tmp_path, "new.db") == []
