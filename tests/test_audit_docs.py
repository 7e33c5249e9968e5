"""The audit guide keeps its promises: its standalone chain check works, its API names exist.

``docs/audit.md`` gives a script that checks a SQLite store's hash chain with the
standard library only, so that a third party need not trust this library. It is run
here, as printed, against a store written by the library: it must agree with
``verify`` on an honest store, and name a changed record and a forged digest.
"""

from __future__ import annotations

import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

import mentoring_core.audit
from mentoring_core import MentoringService
from mentoring_core.values import MeetingFormat, Role

ROOT = Path(__file__).resolve().parent.parent
GUIDE = ROOT / "docs" / "audit.md"


def standalone_script() -> str:
    blocks = GUIDE.read_text(encoding="utf-8").split("```python\n")[1:]
    (script,) = [b.split("```", 1)[0] for b in blocks if b.startswith("# verify_chain.py")]
    return script


@pytest.fixture
def store(tmp_path: Path) -> tuple[Path, MentoringService]:
    path = tmp_path / "store.db"
    service = MentoringService(f"sqlite:///{path}")
    programme = service.create_programme("Pilot", "Northside Care", actor="coord").id
    service.enrol(programme, "ana", Role.MENTOR, 12, actor="coord")
    service.enrol(programme, "ben", Role.MENTEE, 1, actor="coord")
    pair = service.form_pair(programme, "ana", "ben", actor="coord").id
    for _ in range(3):
        service.record_meeting_held(pair, 60, MeetingFormat.VIDEO, ["caseload"], actor="ana")
    return path, service


def check(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    script = tmp_path / "verify_chain.py"
    script.write_text(standalone_script(), encoding="utf-8")
    return subprocess.run(
        [sys.executable, "-I", str(script), *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_the_standalone_check_agrees_with_verify(
    store: tuple[Path, MentoringService], tmp_path: Path
) -> None:
    path, service = store
    digest = service.verify().digest
    assert digest is not None
    done = check(tmp_path, str(path), str(digest.sequence), digest.hash)
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout == f"ok 8 {digest.hash}\n"


def test_the_standalone_check_names_a_changed_record_and_a_rewritten_digest(
    store: tuple[Path, MentoringService], tmp_path: Path
) -> None:
    path, service = store
    digest = service.verify().digest
    assert digest is not None
    forged = check(tmp_path, str(path), str(digest.sequence), "0" * 64)
    assert (forged.returncode, forged.stderr) == (1, "record 8: not the digest's hash: rewritten\n")
    with sqlite3.connect(path) as db:
        (state,) = db.execute("SELECT state FROM stored_events WHERE rowid = 7").fetchone()
        db.execute(
            "UPDATE stored_events SET state = ? WHERE rowid = 7",
            (bytes(state).replace(b'"duration_minutes":60', b'"duration_minutes":90'),),
        )
    assert not service.verify().ok
    changed = check(tmp_path, str(path))
    assert (changed.returncode, changed.stderr) == (1, "record 7: changed\n")


def test_the_standalone_check_uses_only_the_standard_library() -> None:
    imported = re.findall(r"^import (.+)$|^from (\S+) import", standalone_script(), re.M)
    modules = {m.strip() for found in imported for part in found for m in part.split(",") if m}
    assert modules == {"hashlib", "sqlite3", "sys"}


def test_every_audit_name_is_documented_in_the_api_page() -> None:
    page = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    audit_section = page.split("## Audit", 1)[1]
    documented = set(re.findall(r"`([A-Za-z_][A-Za-z0-9_]*)", audit_section))
    assert sorted(set(mentoring_core.audit.__all__) - documented) == []


def test_the_standalone_check_names_a_forged_insert(
    store: tuple[Path, MentoringService], tmp_path: Path
) -> None:
    path, _ = store
    with sqlite3.connect(path) as db:
        db.execute(
            "INSERT INTO stored_events (originator_id, originator_version, topic, state) "
            "VALUES (?, 1, 'ProgrammeCreated', ?)",
            ("00000000000000000000000000000042", b'{"forged":true}'),
        )
    inserted = check(tmp_path, str(path))
    assert (inserted.returncode, inserted.stderr) == (
        1,
        "1 stored events are covered by no link: inserted\n",
    )
