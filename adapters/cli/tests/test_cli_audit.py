"""``mentoring audit`` end to end, through the real executable.

Export and import run on SQLite and on PostgreSQL (when available), each imported into
a fresh SQLite file: the copy verifies and its digest equals the source's. Tampering
with a SQLite row, and a signed digest altered after signing, are each caught with
exit status 1 and one line naming what broke. Each process start costs about half a
second, so each test runs a whole scenario against one store.
"""

from __future__ import annotations

import json
import re
import shlex
import sqlite3
import subprocess
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, cast
from uuid import UUID

import attrs
from cli_harness import Cli

from mentoring_core import MentoringService
from mentoring_core.projections import ComplianceProjection
from mentoring_core.serialisation import Snapshot
from mentoring_core.store import EventSourcedStore
from mentoring_core.values import FocusArea, MeetingFormat, Role

PROGRAMME = UUID(int=1)
RELATIONSHIP = UUID(int=2)
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
GUIDE = Path(__file__).resolve().parents[3] / "docs" / "audit.md"


def seed(url: str, start: datetime = START) -> None:
    """A pair, a goal and two meetings, each command recorded a day after the one before,
    from ``start``."""
    moments = (start + timedelta(days=n) for n in range(100))
    with MentoringService(url, clock=lambda: next(moments)) as service:
        before = start - timedelta(days=1)  # the programme and enrolments precede the pair
        service.create_programme(
            "Pilot", "Northside Care", actor="coord", programme_id=PROGRAMME, occurred_at=before
        )
        service.enrol(PROGRAMME, "ana", Role.MENTOR, 12, actor="coord", occurred_at=before)
        service.enrol(PROGRAMME, "ben", Role.MENTEE, 1, actor="coord", occurred_at=before)
        service.form_pair(
            PROGRAMME, "ana", "ben", actor="coord", relationship_id=RELATIONSHIP, occurred_at=start
        )
        service.set_goal(
            RELATIONSHIP,
            "Manage challenging behaviour",
            FocusArea.PROBLEM_SOLVING,
            "Uses de-escalation steps unprompted in three visits",
            date(2026, 9, 1),
            actor="ana",
        )
        for days in (4, 2):  # the second meeting is recorded late, after a later one
            service.record_meeting_held(
                RELATIONSHIP,
                60,
                MeetingFormat.ONE_ON_ONE,
                ["first visits"],
                actor="ana",
                occurred_at=start + timedelta(days=days),
            )


def test_an_export_imports_into_a_fresh_store_that_verifies_with_the_same_digest(
    cli: Cli, tmp_path: Path
) -> None:
    seed(cli.store_url)
    whole, one = tmp_path / "all.jsonl", tmp_path / "one.jsonl"
    exported = cli.ok("audit", "export", "--out", str(whole))
    assert exported["records"] == 8
    assert len(whole.read_text().splitlines()) == 9  # eight events and the trailer

    copy = Cli(f"sqlite:///{tmp_path / 'copy.db'}", tmp_path)
    imported = copy.ok("audit", "import", str(whole))
    assert imported["records"] == 8
    assert imported["complete"] and imported["sealed"] and imported["hashes_match"]
    assert copy.ok("audit", "verify")["ok"]
    source_digest = cli.ok("audit", "digest")
    assert copy.ok("audit", "digest") == source_digest
    assert source_digest["sequence"] == 8 and source_digest["hash"] == exported["last"]["hash"]

    if not cli.store_url.startswith("sqlite"):
        return  # the rest does not depend on the kind of source store: run it once
    again = copy.run("audit", "import", str(whole))
    assert again.code == 1
    assert again.stdout == ""
    assert "already holds 8 records" in again.stderr

    only = ("audit", "export", "--relationship", str(RELATIONSHIP), "--out", str(one))
    assert cli.ok(*only)["records"] == 4
    partial = Cli(f"sqlite:///{tmp_path / 'one.db'}", tmp_path)
    one_imported = partial.ok("audit", "import", str(one))
    assert (one_imported["records"], one_imported["complete"]) == (4, False)
    assert partial.ok("audit", "verify")["records"] == 4

    cut = tmp_path / "cut.jsonl"  # issue 11: one line removed imported with exit 0
    exported_lines = whole.read_text().splitlines(keepends=True)
    cut.write_text("".join(exported_lines[:3] + exported_lines[4:]))
    refused = Cli(f"sqlite:///{tmp_path / 'cut.db'}", tmp_path).run("audit", "import", str(cut))
    assert refused.code == 1
    assert refused.stdout == ""
    assert "counts 8 records but the file holds 7: a line was removed or added" in refused.stderr
    headed = tmp_path / "head.jsonl"  # head -n 8: the trailer cut off
    headed.write_text("".join(exported_lines[:-1]))
    short = Cli(f"sqlite:///{tmp_path / 'head.db'}", tmp_path).run("audit", "import", str(headed))
    assert short.code == 1
    assert "line 8: the last line read, and no export trailer follows it" in short.stderr
    assert not (tmp_path / "head.db").exists()  # the store it created is removed


def test_the_guides_first_steps_run_as_printed(sqlite_url: str, tmp_path: Path) -> None:
    """Steps 1 and 2 of the guide's worked example, each command as printed, in a folder
    of its own: the key pair is made, then a signed digest taken and kept beside it."""
    seed(sqlite_url)
    cli = Cli(sqlite_url, tmp_path)
    steps = GUIDE.read_text(encoding="utf-8").split("### 1. ")[1].split("### 3. ")[0]
    for command in re.findall(r"^\$ (.+)$", steps, re.M):
        program, *args = shlex.split(command)
        if program == "mentoring":
            done = cli.run(*args)
            assert done.code == 0, str(done)
        else:
            subprocess.run([program, *args], cwd=tmp_path, check=True, capture_output=True)
    assert (tmp_path / "keys" / "riverbend-2026-06-01.json").exists()


def test_a_changed_row_is_named_and_a_signed_digest_catches_an_edit(
    sqlite_url: str, tmp_path: Path
) -> None:
    seed(sqlite_url)
    cli = Cli(sqlite_url, tmp_path)
    keys = tmp_path / "keys"
    keys.mkdir()
    private, public = keys / "auditor.pem", keys / "auditor.pub.pem"
    made = cli.ok("audit", "keygen", "--private", str(private), "--public", str(public))
    assert "away from the store" in made["warning"]
    digest_file = keys / "digest.json"
    signed = cli.ok("audit", "digest", "--sign-key", str(private), "--out", str(digest_file))
    assert signed["signature"] and json.loads(digest_file.read_text()) == signed

    checked = cli.ok("audit", "verify", "--against", str(digest_file), "--public-key", str(public))
    assert (checked["ok"], checked["signature"]) == (True, "checked")
    unchecked = cli.run("audit", "verify", "--against", str(digest_file))
    assert unchecked.code == 0
    assert "signature was NOT checked: pass --public-key" in unchecked.stdout

    altered = keys / "altered.json"
    altered.write_text(json.dumps({**signed, "sequence": 7}))
    refused = cli.run("audit", "verify", "--against", str(altered), "--public-key", str(public))
    assert refused.code == 1
    assert refused.stdout == ""
    assert refused.stderr.startswith("error: the digest's signature does not match (record 7")

    with sqlite3.connect(sqlite_url.removeprefix("sqlite:///")) as db:
        (state,) = db.execute("SELECT state FROM stored_events WHERE rowid = 6").fetchone()
        db.execute(
            "UPDATE stored_events SET state = ? WHERE rowid = 6",
            (bytes(state).replace(b'"focus_area":"', b'"focus_area":"x'),),  # texts are sealed
        )
    broken = cli.run("audit", "verify")
    assert broken.code == 1
    assert broken.stdout == ""
    assert broken.stderr.count("\n") == 1
    assert broken.stderr.startswith(
        f"error: the store does not verify: changed: record 6 (aggregate {RELATIONSHIP} "
        "version 2) (GoalSet) differs from what was chained"
    )
    against = cli.run("audit", "verify", "--against", str(digest_file), "--json")
    assert against.code == 1
    finding = against.json()["finding"]
    assert (against.json()["ok"], finding["breach"], finding["sequence"]) == (False, "changed", 6)
    no_digest = cli.run("audit", "digest")
    assert no_digest.code == 1 and "does not verify, so no digest" in no_digest.stderr


def test_timeline_states_and_changes_of_a_relationship(sqlite_url: str, tmp_path: Path) -> None:
    seed(sqlite_url)
    cli = Cli(sqlite_url, tmp_path)
    rel = str(RELATIONSHIP)

    entries = cli.ok("audit", "timeline", rel)["entries"]
    assert [e["type"] for e in entries] == ["PairFormed", "GoalSet", "MeetingHeld", "MeetingHeld"]
    assert entries[1]["description"] == (
        "Goal 'Manage challenging behaviour' (problem_solving, due 2026-09-01) set by ana"
    )
    assert entries[1]["actor"] == "ana"
    text = cli.run("audit", "timeline", rel)
    assert text.code == 0 and "Goal 'Manage challenging behaviour'" in text.stdout

    # Recorded: day 3 was when the pair was formed (commands were recorded a day apart).
    recorded = cli.ok("audit", "state-at", rel, "--at", "2026-03-05T12:00Z")
    assert recorded["as_of"] == {"at": "2026-03-05T12:00:00+00:00", "axis": "recorded"}
    assert (recorded["events_applied"], recorded["state"]["goals"]) == (1, [])
    # Occurred: the late meeting of 4 March had happened by then, though recorded later.
    occurred = cli.ok("audit", "state-at", rel, "--at", "2026-03-05T12:00Z", "--axis", "occurred")
    assert occurred["as_of"]["axis"] == "occurred"
    assert len(occurred["state"]["meetings"]) == 1
    by_version = cli.ok("audit", "state-at", rel, "--version", "2")
    assert by_version["state"]["goals"][0]["title"] == "Manage challenging behaviour"

    changes = cli.ok("audit", "diff", rel, "--from", "1", "--to", "2026-03-07")["changes"]
    paths = [c["path"] for c in changes]
    assert paths[0] == "version"
    assert "goals[0].title" in paths
    assert all(not p.startswith("meetings") for p in paths)
    assert "goals" not in paths  # only the goal's own fields

    replayed = cli.ok("audit", "replay")
    assert (replayed["ok"], replayed["events"], replayed["rebuilt"]) == (True, 8, 2)
    assert replayed["aggregates"] == {"programme": 1, "relationship": 1}
    assert cli.ok("audit", "replay", "--workers", "2") == replayed  # in two processes
    assert cli.ok("audit", "replay", "--workers", "1") == replayed
    assert cli.ok("audit", "replay", "--workers", "Auto") == replayed
    for workers in ("0", "65", "many", "2.5"):
        refused = cli.run("audit", "replay", "--workers", workers)
        assert refused.code == 2 and "--workers" in refused.stderr, str(refused)
        assert "from 1 to 64, or" in refused.stderr, str(refused)

    for args, message in [
        (("state-at", rel), "give exactly one of --at WHEN and --version N"),
        (("diff", rel, "--from", "first", "--to", "2"), "neither a version number nor a moment"),
    ]:
        bad = cli.run("audit", *args)
        assert bad.code == 2, str(bad)
        assert message in bad.stderr
    assert cli.run("audit", "state-at", rel, "--version", "9").code == 1

    unknown = str(UUID(int=99))
    for args in (["timeline", unknown], ["export", "--relationship", unknown, "--out", "x.jsonl"]):
        refused = cli.run("audit", *args)
        assert refused.code == 1, str(refused)
        assert f"{unknown} is recorded" in refused.stderr
    assert not (tmp_path / "x.jsonl").exists()


def test_verify_names_a_forged_snapshot_and_an_edited_read_model_row(
    sqlite_url: str, tmp_path: Path
) -> None:
    cli = Cli(sqlite_url, tmp_path)
    seed(sqlite_url)
    honest = cli.ok("audit", "verify")
    assert honest["ok"] and honest["derived"]["ok"]
    assert honest["derived"]["aggregates"] == 2

    with MentoringService(sqlite_url) as service:
        ComplianceProjection(service).catch_up()
        state = service.relationship(RELATIONSHIP)
        snapshots = cast(EventSourcedStore, service.store).snapshots
        assert snapshots is not None
        link = service.store.recorder.link_of(RELATIONSHIP, state.version)
        forged = Snapshot(
            aggregate_id=RELATIONSHIP,
            version=state.version,
            taken_at=START,
            state=attrs.evolve(state, mentor_id="mallory"),
            chain_hash=link,
        )
        snapshots.put([cast(Any, forged)])
    refused = cli.run("audit", "verify")
    assert refused.code == 1, str(refused)
    assert refused.stdout == ""
    assert refused.stderr.count("\n") == 1
    assert f"snapshot of {RELATIONSHIP} at version {state.version}" in refused.stderr
    assert "mentor_id" in refused.stderr
    # The audit commands never read snapshots: what they show comes from the events.
    shown = cli.ok("audit", "state-at", str(RELATIONSHIP), "--version", str(state.version))
    assert "mallory" not in json.dumps(shown)
    assert cli.ok("audit", "replay")["ok"]

    with sqlite3.connect(sqlite_url.removeprefix("sqlite:///")) as db:
        db.execute("DELETE FROM stored_snapshots")
        db.execute(
            "UPDATE compliance_facts_v5 SET facts = REPLACE(facts, '\"ana\"', '\"eve\"') "
            "WHERE aggregate_id = ?",
            (str(RELATIONSHIP),),
        )
    db.close()
    edited = cli.run("audit", "verify", "--json")
    assert edited.code == 1, str(edited)
    document = edited.json()
    assert not document["ok"]
    (difference,) = document["derived"]["differences"]
    assert difference["what"] == "read model"
    assert difference["aggregate_id"] == str(RELATIONSHIP)
    assert difference["detail"] == "differs from what its events give in: facts (mentor_id)"
    assert f"read model of {RELATIONSHIP}" in edited.stderr


def test_audit_commands_report_a_damaged_store_and_leave_it_as_it_is(
    sqlite_url: str, tmp_path: Path
) -> None:
    """A state stored as TEXT made ``audit verify`` print "unexpected TypeError"; now
    verify, digest and export each name the record and column, exit 1, and every row
    of the store is as it was."""
    seed(sqlite_url)
    with sqlite3.connect(sqlite_url.removeprefix("sqlite:///")) as db:
        db.execute("UPDATE stored_events SET state = CAST(state AS TEXT) WHERE rowid = 5")
    path = sqlite_url.removeprefix("sqlite:///")
    with sqlite3.connect(path) as db:
        before = list(db.iterdump())
    cli = Cli(sqlite_url, tmp_path)
    for args in (
        ("audit", "verify"),
        ("audit", "digest"),
        ("audit", "export", "--out", str(tmp_path / "out.jsonl")),
    ):
        result = cli.run(*args)
        assert result.code == 1, str(result)
        assert "record 5" in result.stderr and "its event state is" in result.stderr
        assert "unexpected" not in result.stderr + result.stdout
    with sqlite3.connect(path) as db:
        assert list(db.iterdump()) == before
    assert not (tmp_path / "out.jsonl").exists()


def test_replay_names_versions_stored_as_no_number_without_a_traceback(
    sqlite_url: str, tmp_path: Path
) -> None:
    """A version stored as NULL, or as a text that looks like markup, made ``audit replay``
    print "unexpected TypeError"; now it names each as a gap, as stored, and exits 1."""
    seed(sqlite_url)
    with sqlite3.connect(sqlite_url.removeprefix("sqlite:///")) as db:
        for version, text in ((2, None), (3, "[bold]x")):
            db.execute(
                "UPDATE stored_events SET originator_version = ? "
                "WHERE originator_id = ? AND originator_version = ?",
                (text, RELATIONSHIP.hex, version),
            )
    result = Cli(sqlite_url, tmp_path).run("audit", "replay", "--workers", "1")
    assert result.code == 1, str(result)
    assert "unexpected" not in result.stderr + result.stdout
    assert f"version gap: {RELATIONSHIP} has version None where 2 was expected" in result.stdout
    assert f"version gap: {RELATIONSHIP} has version '[bold]x' where 2 was expected" in (
        result.stdout
    )


def test_verify_names_a_command_id_changed_beside_its_link(sqlite_url: str, tmp_path: Path) -> None:
    """The command ids kept beside the links (by which a retried command is found) are
    outside the chain: ``audit verify`` compares each with its event's."""
    cli = Cli(sqlite_url, tmp_path)
    seed(sqlite_url)
    assert cli.ok("audit", "verify")["derived"]["ok"]
    with sqlite3.connect(sqlite_url.removeprefix("sqlite:///")) as db:
        db.execute(
            "UPDATE mentoring_chain SET command_id = ? WHERE originator_id = ? "
            "AND originator_version = 2",
            (UUID(int=7).hex, RELATIONSHIP.hex),
        )
    db.close()
    edited = cli.run("audit", "verify", "--json")
    assert edited.code == 1, str(edited)
    (difference,) = edited.json()["derived"]["differences"]
    assert (difference["what"], difference["version"]) == ("command id", 2)
    assert str(UUID(int=7)) in difference["detail"]
    assert f"command id of {RELATIONSHIP} at version 2" in edited.stderr
