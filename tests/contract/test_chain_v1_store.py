"""A store and an export written before the chain's encoding v2 stay verifiable forever.

``tests/fixtures/chain-v1.sqlite`` and ``tests/fixtures/chain-v1.jsonl`` were written
by the code of commit 26446de (every link in encoding v1), with this script, run
with ``PYTHONPATH`` on that commit's sources::

    from datetime import UTC, date, datetime, timedelta
    from uuid import UUID

    from mentoring_core import MentoringService
    from mentoring_core.values import FeedbackKind, FocusArea, MeetingFormat, Role

    start = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    ids = iter(UUID(int=i) for i in range(1, 999)).__next__
    with MentoringService(
        "sqlite:///chain-v1.sqlite", snapshot_interval=4, new_id=ids
    ) as service:
        programme = service.create_programme(
            "Pilot", "Northside Care", actor="coord", occurred_at=start
        ).id
        service.enrol(programme, "ana", Role.MENTOR, 12, actor="coord", occurred_at=start)
        service.enrol(programme, "ben", Role.MENTEE, 1, actor="coord", occurred_at=start)
        service.enrol(programme, "cy", Role.MENTOR, 8, actor="coord", occurred_at=start)
        service.enrol(programme, "dee", Role.MENTEE, "0.5", actor="coord", occurred_at=start)
        first = service.form_pair(programme, "ana", "ben", actor="coord", occurred_at=start).id
        second = service.form_pair(programme, "cy", "dee", actor="coord", occurred_at=start).id
        goal = service.set_goal(
            first, "Boundaries", FocusArea.PROBLEM_SOLVING, "Three visits",
            date(2026, 9, 1), actor="ana",
        ).id
        for week in range(1, 5):
            for pair, mentor in ((first, "ana"), (second, "cy")):
                service.record_meeting_held(
                    pair, 45 + week, MeetingFormat.VIDEO, [f"week {week}"],
                    actor=mentor, occurred_at=start + timedelta(weeks=week),
                )
        service.give_feedback(
            first, "ana", "ben", FeedbackKind.RECOGNITION, "Calm", about_goal_id=goal, actor="ana"
        )
        service.record_meeting_missed(
            second, "dee", "sick", actor="cy", occurred_at=start + timedelta(weeks=5)
        )
        service.pause(second, "leave", actor="coord")

then ``PRAGMA wal_checkpoint(TRUNCATE)`` on the file, and
``mentoring --store sqlite:///chain-v1.sqlite audit export --out chain-v1.jsonl``.
The store holds 21 events (two pairs, a programme), 3 snapshots and the read model.
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path
from uuid import UUID

import pytest

from mentoring_core import MentoringService
from mentoring_core.audit import import_events
from mentoring_core.audit.derived import check_derived

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
STORE = FIXTURES / "chain-v1.sqlite"
EXPORT = FIXTURES / "chain-v1.jsonl"
ANA_AND_BEN = UUID("78a01a33-462b-5e8d-a727-98b2b2b0e158")
LAST_HASH = "513aba1aee5d93a56941c7a635e573177ec00e776e775272c434433d7c69a189"


@pytest.fixture
def old_store(tmp_path: Path) -> Path:
    copy = tmp_path / "chain-v1.sqlite"
    shutil.copyfile(STORE, copy)
    return copy


def test_the_v1_store_verifies_with_its_derived_data(old_store: Path) -> None:
    with MentoringService(f"sqlite:///{old_store}", trust_snapshots=False) as service:
        outcome = service.verify()
        derived = check_derived(service)
    assert outcome.ok, outcome.finding
    assert outcome.records == 21
    assert outcome.digest is not None and outcome.digest.hash == LAST_HASH
    assert derived.ok, derived


def test_audit_verify_passes_on_the_v1_store(old_store: Path) -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "mentoring_cli",
            "--store",
            f"sqlite:///{old_store}",
            "audit",
            "verify",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "the chain of 21 records is intact" in done.stdout.replace("\n", " ")
    assert LAST_HASH in done.stdout.replace("\n", "")


def test_the_v1_export_imports_with_the_same_hashes(store_url: str) -> None:
    with MentoringService(store_url) as service:
        summary = import_events(service, EXPORT)
        outcome = service.verify()
    assert (summary.records, summary.complete, summary.sealed) == (21, True, True)
    assert summary.hashes_match
    assert outcome.ok, outcome.finding
    assert outcome.digest is not None and outcome.digest.hash == LAST_HASH


def _change_a_state_byte(store: Path, rowid: int) -> None:
    with closing(sqlite3.connect(store)) as db:
        (state,) = db.execute(
            "SELECT state FROM stored_events WHERE rowid = ?", (rowid,)
        ).fetchone()
        changed = bytes([state[0] ^ 1]) + bytes(state[1:])
        db.execute("UPDATE stored_events SET state = ? WHERE rowid = ?", (changed, rowid))
        db.commit()


def test_a_changed_v1_record_is_not_said_to_have_a_moved_log_position(old_store: Path) -> None:
    """Encoding 1 does not bind the log position, so the finding does not offer it as a
    cause; a record chained in encoding 2 does (below)."""
    _change_a_state_byte(old_store, 3)
    with MentoringService(f"sqlite:///{old_store}", trust_snapshots=False) as service:
        finding = service.verify().finding
    assert finding is not None and finding.sequence == 3
    assert finding.detail.endswith(
        "differs from what was chained: its type, state or recording time was changed, "
        "or its link was"
    )


def test_a_changed_v2_record_names_the_log_position_as_a_possible_cause(old_store: Path) -> None:
    with MentoringService(f"sqlite:///{old_store}") as service:
        service.pause(ANA_AND_BEN, "leave", actor="ana")  # link 22, chained in encoding 2
    _change_a_state_byte(old_store, 22)
    with MentoringService(f"sqlite:///{old_store}", trust_snapshots=False) as service:
        finding = service.verify().finding
    assert finding is not None and finding.sequence == 22
    assert finding.detail.endswith(
        "differs from what was chained: its type, state, log position or recording time "
        "was changed, or its link was"
    )
