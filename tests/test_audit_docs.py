"""The audit guide keeps its promises: its standalone chain check agrees with ``verify``.

``docs/audit.md`` gives a script that checks a SQLite store's hash chain with the
standard library only, so that a third party need not trust this library. It is run
here, as printed, on a store written before chain encoding 2 (encoding 1), on a new
store, and on tampered copies of each: on every one it must say what ``verify`` says
(ok, or the same breach at the same record).
"""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from uuid import UUID

import pytest
from contract.test_tamper_evidence import RawStore
from mentoring_cli import _demo

import mentoring_core.audit
from mentoring_core import MentoringService
from mentoring_core.audit import derived
from mentoring_core.audit.verify import Breach, Digest, Verification
from mentoring_core.serialisation import SNAPSHOT_SCHEMA
from mentoring_core.values import MeetingFormat, Role

ROOT = Path(__file__).resolve().parent.parent
GUIDE = ROOT / "docs" / "audit.md"
V1_STORE = ROOT / "tests" / "fixtures" / "chain-v1.sqlite"


def standalone_script() -> str:
    blocks = GUIDE.read_text(encoding="utf-8").split("```python\n")[1:]
    (script,) = [b.split("```", 1)[0] for b in blocks if b.startswith("# verify_chain.py")]
    return script


def new_store(path: Path) -> Path:
    """A store written by the library now: 9 records, every link in encoding 2."""
    with MentoringService(f"sqlite:///{path}") as service:
        programme = service.create_programme("Pilot", "Northside Care", actor="coord").id
        service.enrol(programme, "ana", Role.MENTOR, 12, actor="coord")
        service.enrol(programme, "ben", Role.MENTEE, 1, actor="coord")
        pair = service.form_pair(programme, "ana", "ben", actor="coord").id
        for _ in range(4):
            service.record_meeting_held(pair, 60, MeetingFormat.VIDEO, ["caseload"], actor="ana")
    return path


def verified(path: Path, against: Digest | None = None) -> Verification:
    with MentoringService(f"sqlite:///{path}", trust_snapshots=False) as service:
        return service.verify(against=against)


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


def expected_output(outcome: Verification) -> tuple[int, str, str]:
    """What the standalone script must print for a store ``verify`` found so."""
    finding = outcome.finding
    if finding is None:
        assert outcome.digest is not None
        return (0, f"ok {outcome.records} {outcome.digest.hash}\n", "")
    if finding.breach is Breach.INSERTED and finding.sequence is None:
        return (1, "", f"notification id {finding.notification_id}: inserted\n")
    return (1, "", f"record {finding.sequence}: {finding.breach}\n")


def agree(tmp_path: Path, path: Path, against: Digest | None = None) -> Verification:
    """Run the script and ``verify`` on the store at ``path``; they must agree."""
    args = [] if against is None else [str(against.sequence), against.hash]
    done = check(tmp_path, str(path), *args)  # first: the script opens the file read-only
    outcome = verified(path, against)
    assert (done.returncode, done.stdout, done.stderr) == expected_output(outcome)
    return outcome


def sql(path: Path, *statements: str) -> None:
    with sqlite3.connect(path) as db:
        for statement in statements:
            db.execute(statement)


def swap(table: str, column: str, first: int, second: int) -> list[str]:
    return [
        f"UPDATE {table} SET {column} = -1 WHERE {column} = {first}",
        f"UPDATE {table} SET {column} = {first} WHERE {column} = {second}",
        f"UPDATE {table} SET {column} = {second} WHERE {column} = -1",
    ]


def downgrade(path: Path) -> None:
    """Link 5 re-chained in encoding 1, every hash made consistent again."""
    raw = RawStore(f"sqlite:///{path}")
    with raw.sql() as run:
        run("UPDATE mentoring_chain SET encoding = 1 WHERE sequence = 5")
        raw.rechain(run)


STATE_7 = "(SELECT state FROM stored_events WHERE rowid = 7)"
TAMPERINGS: dict[str, tuple[Callable[[Path], None], Breach, int | None]] = {
    "changed-state": (
        lambda p: sql(
            p,
            f"UPDATE stored_events SET state = CAST(replace(CAST({STATE_7} AS TEXT), "
            "'\"duration_minutes\":60', '\"duration_minutes\":90') AS BLOB) WHERE rowid = 7",
        ),
        Breach.CHANGED,
        7,
    ),
    "upper-case-id": (
        lambda p: sql(
            p, "UPDATE stored_events SET originator_id = upper(originator_id) WHERE rowid = 6"
        ),
        Breach.CHANGED,
        6,
    ),
    "urn-id-in-the-link": (
        lambda p: sql(
            p,
            "UPDATE mentoring_chain SET originator_id = 'urn:uuid:' || "
            "originator_id WHERE sequence = 3",
        ),
        Breach.CHANGED,
        3,
    ),
    "deleted-link": (
        lambda p: sql(p, "DELETE FROM mentoring_chain WHERE sequence = 4"),
        Breach.DELETED,
        4,
    ),
    "deleted-event": (
        lambda p: sql(p, "DELETE FROM stored_events WHERE rowid = 5"),
        Breach.DELETED,
        5,
    ),
    "swapped-notification-ids": (
        lambda p: sql(
            p,
            *swap("stored_events", "rowid", 6, 8),
            *swap("mentoring_chain", "notification_id", 6, 8),
        ),
        Breach.CHANGED,
        6,
    ),
    "swapped-events": (
        lambda p: sql(p, *swap("stored_events", "rowid", 6, 8)),
        Breach.REORDERED,
        6,
    ),
    "downgraded-encoding": (downgrade, Breach.DOWNGRADED, 5),
    "state-stored-as-text": (
        lambda p: sql(p, "UPDATE stored_events SET state = CAST(state AS TEXT) WHERE rowid = 2"),
        Breach.CHANGED,
        2,
    ),
    "hash-in-upper-case": (
        lambda p: sql(p, "UPDATE mentoring_chain SET hash = upper(hash) WHERE sequence = 8"),
        Breach.CHANGED,
        8,
    ),
    "event-behind-a-link-numbered-0": (
        lambda p: sql(p, "UPDATE mentoring_chain SET sequence = 0 WHERE sequence = 9"),
        Breach.INSERTED,
        0,
    ),
    "link-numbered-minus-1-at-the-next-position": (
        lambda p: sql(
            p,
            "INSERT INTO mentoring_chain (sequence, notification_id, originator_id, "
            "originator_version, recorded_at, hash, encoding) SELECT -1, 10, originator_id, "
            "999, recorded_at, hash, encoding FROM mentoring_chain WHERE sequence = 1",
        ),
        Breach.INSERTED,
        -1,
    ),
    "forged-insert": (
        lambda p: sql(
            p,
            "INSERT INTO stored_events (originator_id, originator_version, topic, state) "
            "VALUES ('00000000000000000000000000000042', 1, 'ProgrammeCreated', x'7b7d')",
        ),
        Breach.INSERTED,
        None,
    ),
}


@pytest.mark.parametrize("name", list(TAMPERINGS))
def test_the_standalone_check_agrees_with_verify_on_a_tampered_store(
    tmp_path: Path, name: str
) -> None:
    path = new_store(tmp_path / "store.db")
    assert agree(tmp_path, path).ok
    tamper, breach, sequence = TAMPERINGS[name]
    tamper(path)
    outcome = agree(tmp_path, path)
    assert outcome.finding is not None
    assert (outcome.finding.breach, outcome.finding.sequence) == (breach, sequence)


def test_the_standalone_check_agrees_with_verify_on_the_encoding_1_store(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    shutil.copyfile(V1_STORE, path)
    outcome = agree(tmp_path, path)
    assert outcome.ok and outcome.records == 21
    sql(path, "UPDATE stored_events SET topic = 'MeetingMissed' WHERE rowid = 11")
    outcome = agree(tmp_path, path)
    assert outcome.finding is not None
    assert (outcome.finding.breach, outcome.finding.sequence) == (Breach.CHANGED, 11)


def test_the_standalone_check_agrees_with_verify_against_a_digest(tmp_path: Path) -> None:
    path = new_store(tmp_path / "store.db")
    digest = verified(path).digest
    assert digest is not None
    assert agree(tmp_path, path, digest).ok
    forged = Digest(sequence=digest.sequence, hash="0" * 64, recorded_at=digest.recorded_at)
    outcome = agree(tmp_path, path, forged)
    assert outcome.finding is not None and outcome.finding.breach is Breach.REWRITTEN
    sql(
        path,
        "DELETE FROM stored_events WHERE rowid = 9",
        "DELETE FROM mentoring_chain WHERE sequence = 9",
    )
    outcome = agree(tmp_path, path, digest)
    assert outcome.finding is not None and outcome.finding.breach is Breach.TRUNCATED


def demo_store(path: Path) -> Path:
    """The demo store the guide's worked example is run on (``mentoring demo``)."""
    clock, options = _demo.demo_options()
    with MentoringService(f"sqlite:///{path}", **options) as service:
        _demo.run(service, clock, _demo.build_script())
    return path


def test_the_worked_examples_edit_is_caught_as_the_guide_shows(tmp_path: Path) -> None:
    """The guide's edit of a meeting's row, run on the demo store, is named as the guide
    shows it, and its export example is that record's line: an edit of another record (a
    demo that grew by an event) would change nothing the guide says, and verify pass."""
    guide = GUIDE.read_text(encoding="utf-8")
    (statement,) = re.findall(r'^\$ sqlite3 tampered\.db "(UPDATE stored_events .+)"$', guide, re.M)
    (shown,) = re.findall(r"^error: the store does not verify: (.+)$", guide, re.M)
    path = demo_store(tmp_path / "riverbend.db")
    sql(path, statement.replace('\\"', '"'))
    finding = verified(path).finding
    assert finding is not None and str(finding) == shown
    (line,) = re.findall(r"^in chain order\. Line (\d+) of the export above", guide, re.M)
    example = json.loads(
        guide.split(f"Line {line} of the export above, indented:")[1]
        .split("```")[1]
        .removeprefix("json")
    )
    assert int(line) == example["chainsequence"] == example["chainposition"] == finding.sequence
    with MentoringService(f"sqlite:///{path}") as service:
        recorded = service.history(UUID(example["subject"]))[example["aggregateversion"] - 1]
    assert (example["id"], example["data"]["command_id"]) == (
        str(recorded.event_id),
        str(recorded.command_id),
    )


def test_the_guide_names_every_kind_of_difference_verify_reports() -> None:
    """An auditor reading ``verify --json`` meets each ``what`` the guide lists, and no
    other: an erasure whose key is live is a difference too."""
    guide = " ".join(GUIDE.read_text(encoding="utf-8").split())
    (listed,) = re.findall(r"differences \(`what`: (.+?);", guide)
    kinds = {derived.SNAPSHOT, derived.READ_MODEL, derived.COMMAND_ID, derived.ERASURE}
    assert set(re.findall(r"`([^`]+)`", listed)) == {*kinds, derived.EVENTS}


def test_the_guide_names_the_snapshot_schema_written_and_those_passed_over() -> None:
    """The topic of a snapshot as written now, and the older schemas verify passes over
    (counted) rather than naming them as not written by the library."""
    guide = " ".join(GUIDE.read_text(encoding="utf-8").split())
    assert re.findall(r"topic `Snapshot:<State>:(\d+)`", guide) == [str(SNAPSHOT_SCHEMA)]
    newest_older = str(SNAPSHOT_SCHEMA - 1)
    assert re.findall(r"written before chain hashes, to (\d+)\)", guide) == [newest_older]
    assert re.findall(r"topic `Snapshot:<State>:<1 to (\d+)>`", guide) == [newest_older]


def test_the_standalone_check_uses_only_the_standard_library() -> None:
    imported = re.findall(r"^import (.+)$|^from (\S+) import", standalone_script(), re.M)
    modules = {m.strip() for found in imported for part in found for m in part.split(",") if m}
    assert modules == {"hashlib", "sqlite3", "sys"}


def test_every_audit_name_is_documented_in_the_api_page() -> None:
    page = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    audit_section = page.split("## Audit", 1)[1]
    documented = set(re.findall(r"`([A-Za-z_][A-Za-z0-9_]*)", audit_section))
    assert sorted(set(mentoring_core.audit.__all__) - documented) == []
