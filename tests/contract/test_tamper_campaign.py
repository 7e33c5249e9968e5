"""A tampering campaign: every kind of change an attacker with SQL access can make,
at random records, on SQLite and PostgreSQL; ``verify`` must name each one, and on
SQLite the standalone checker of ``docs/audit.md`` must say the same.

``MENTORING_STRESS_TAMPER_ROUNDS`` (default 1) sets how many times each kind is
tried, each time on a fresh store at a record drawn at random (seeded, so a run can
be repeated); ``MENTORING_STRESS_FIGURES`` names a file the counts are appended to.
Two kinds are tried that the chain cannot show without a digest, by design (a clean
cut of the end, a consistent rewrite): they must pass ``verify`` alone and be named
against the digest taken before.
"""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from mentoring_core_postgres.testing import postgres_store_url

from mentoring_core import MentoringService
from mentoring_core.audit.verify import Digest, Verification
from mentoring_core.values import MeetingFormat

from .test_concurrency import record_figures
from .test_service_contract import seed
from .test_tamper_evidence import RawStore

ROUNDS = int(os.environ.get("MENTORING_STRESS_TAMPER_ROUNDS", "1"))
GUIDE = Path(__file__).resolve().parents[2] / "docs" / "audit.md"
Run = Callable[..., list[Any]]


def at(raw: RawStore, run: Run, record: int) -> Any:
    """The log position of the event chained at ``record``."""
    return run(f"SELECT notification_id FROM {raw.chain} WHERE sequence = ?", record)[0][0]


def swap(run: Run, table: str, column: str, first: Any, second: Any) -> None:
    run(f"UPDATE {table} SET {column} = -1 WHERE {column} = ?", first)
    run(f"UPDATE {table} SET {column} = ? WHERE {column} = ?", first, second)
    run(f"UPDATE {table} SET {column} = ? WHERE {column} = -1", second)


def set_event(column: str, value: str) -> Callable[[RawStore, Run, int], None]:
    def change(raw: RawStore, run: Run, record: int) -> None:
        run(
            f"UPDATE {raw.events} SET {column} = {value} WHERE {raw.position} = ?",
            at(raw, run, record),
        )

    return change


def set_link(column: str, value: str) -> Callable[[RawStore, Run, int], None]:
    def change(raw: RawStore, run: Run, record: int) -> None:
        run(f"UPDATE {raw.chain} SET {column} = {value} WHERE sequence = ?", record)

    return change


def flip_a_byte(raw: RawStore, run: Run, record: int) -> None:
    position = at(raw, run, record)
    (state,) = run(f"SELECT state FROM {raw.events} WHERE {raw.position} = ?", position)[0]
    changed = bytes(state).replace(b'"', b"'", 1)
    run(f"UPDATE {raw.events} SET state = ? WHERE {raw.position} = ?", changed, position)


def delete_event(raw: RawStore, run: Run, record: int) -> None:
    run(f"DELETE FROM {raw.events} WHERE {raw.position} = ?", at(raw, run, record))


def insert_forged(raw: RawStore, run: Run, record: int) -> None:
    forged = f"{record:032x}" if raw.is_sqlite else f"00000000-0000-0000-0000-{record:012x}"
    run(
        f"INSERT INTO {raw.events} (originator_id, originator_version, topic, state) "
        "VALUES (?, 1, 'ProgrammeCreated', ?)",
        forged,
        b"{}",
    )


def swap_events(raw: RawStore, run: Run, record: int) -> None:
    swap(run, raw.events, raw.position, at(raw, run, record), at(raw, run, record + 1))


def swap_positions(raw: RawStore, run: Run, record: int) -> None:
    first, second = at(raw, run, record), at(raw, run, record + 1)
    swap(run, raw.events, raw.position, first, second)
    swap(run, raw.chain, "notification_id", first, second)


def downgrade(raw: RawStore, run: Run, record: int) -> None:
    run(f"UPDATE {raw.chain} SET encoding = 1 WHERE sequence = ?", record)
    raw.rechain(run)


def rewrite(raw: RawStore, run: Run, record: int) -> None:
    flip_a_byte(raw, run, record)
    raw.rechain(run)


def cut_the_end(raw: RawStore, run: Run, record: int) -> None:
    run(f"DELETE FROM {raw.events} WHERE {raw.position} >= ?", at(raw, run, record))
    run(f"DELETE FROM {raw.chain} WHERE sequence >= ?", record)


BOTH: dict[str, Callable[[RawStore, Run, int], None]] = {
    "state-byte": flip_a_byte,
    "topic": set_event("topic", "topic || 'X'"),
    "recorded-at": set_link("recorded_at", "'2020-01-01T00:00:00.000000+00:00'"),
    "recorded-at-form": set_link("recorded_at", "'2020-01-01 00:00:00'"),
    "delete-event": delete_event,
    "delete-link": set_link("sequence", "sequence + 1000"),
    "insert-forged": insert_forged,
    "swap-events": swap_events,
    "swap-events-and-positions": swap_positions,
    "downgrade-encoding": downgrade,
    "state-null": set_event("state", "NULL"),
    "hash-upper-case": set_link("hash", "upper(hash)"),
}
SQLITE_ONLY: dict[str, Callable[[RawStore, Run, int], None]] = {
    "id-upper-case": set_event("originator_id", "upper(originator_id)"),
    "id-urn": set_event("originator_id", "'urn:uuid:' || originator_id"),
    "link-id-upper-case": set_link("originator_id", "upper(originator_id)"),
    "state-as-text": set_event("state", "CAST(state AS TEXT)"),
    "state-as-integer": set_event("state", "7"),
    "version-as-real": set_event("originator_version", "originator_version + 0.5"),
}
AGAINST_A_DIGEST: dict[str, Callable[[RawStore, Run, int], None]] = {
    "cut-the-end": cut_the_end,
    "consistent-rewrite": rewrite,
}


@pytest.fixture(params=["sqlite", "postgres"])
def store_kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def fresh_stores(store_kind: str, tmp_path: Path) -> Iterator[Callable[[], str]]:
    """Fresh seeded stores: SQLite copies of one file, PostgreSQL new schemas."""
    template = tmp_path / "template.db"
    with MentoringService(f"sqlite:///{template}") as service:
        grow(service)
    made: list[Any] = []

    def fresh() -> str:
        if store_kind == "sqlite":
            copy = tmp_path / f"store-{len(made)}.db"
            shutil.copyfile(template, copy)
            made.append(copy)
            return f"sqlite:///{copy}"
        context = postgres_store_url("campaign")
        url = context.__enter__()
        made.append(context)
        with MentoringService(url) as service:
            grow(service)
        return url

    yield fresh
    for context in made:
        if not isinstance(context, Path):
            context.__exit__(None, None, None)


def grow(service: MentoringService) -> None:
    """The contract seed (11 records) and four more meetings: 15 records."""
    relationship = seed(service).relationship
    for week in range(4):
        service.record_meeting_held(
            relationship, 50 + week, MeetingFormat.VIDEO, [f"week {week}"], actor="ana"
        )


def standalone(url: str, tmp_path: Path, digest: Digest | None) -> subprocess.CompletedProcess[str]:
    blocks = GUIDE.read_text(encoding="utf-8").split("```python\n")[1:]
    (script,) = [b.split("```", 1)[0] for b in blocks if b.startswith("# verify_chain.py")]
    path = tmp_path / "verify_chain.py"
    path.write_text(script, encoding="utf-8")
    args = [] if digest is None else [str(digest.sequence), digest.hash]
    return subprocess.run(
        [sys.executable, "-I", str(path), url.removeprefix("sqlite:///"), *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def agrees(done: subprocess.CompletedProcess[str], outcome: Verification) -> bool:
    finding = outcome.finding
    if finding is None:
        return (
            done.returncode == 0
            and outcome.digest is not None
            and done.stdout == (f"ok {outcome.records} {outcome.digest.hash}\n")
        )
    where = (
        f"notification id {finding.notification_id}"
        if str(finding.breach) == "inserted"
        else f"record {finding.sequence}"
    )
    return done.returncode == 1 and done.stderr == f"{where}: {finding.breach}\n"


def test_every_tampering_is_detected(
    store_kind: str, fresh_stores: Callable[[], str], tmp_path: Path
) -> None:
    kinds = {**BOTH, **(SQLITE_ONLY if store_kind == "sqlite" else {}), **AGAINST_A_DIGEST}
    draw = random.Random(11)
    tried = detected = agreed = alone_passed = 0
    missed: list[str] = []
    for _ in range(ROUNDS):
        for name, tamper in kinds.items():
            url = fresh_stores()
            raw = RawStore(url)
            record = draw.randint(2, 14)
            with MentoringService(url, trust_snapshots=False) as service:
                digest = service.verify().digest
                with raw.sql() as run:
                    tamper(raw, run, record)
                alone = service.verify()
                outcome = service.verify(against=digest) if name in AGAINST_A_DIGEST else alone
            tried += 1
            detected += not outcome.ok
            if outcome.ok:
                missed.append(f"{name} at {record}")
            if name in AGAINST_A_DIGEST:
                alone_passed += alone.ok
            if store_kind == "sqlite":
                against = digest if name in AGAINST_A_DIGEST else None
                agreed += agrees(standalone(url, tmp_path, against), outcome)
    record_figures(
        "tampering",
        store_kind,
        kinds=len(kinds),
        tried=tried,
        detected=detected,
        checker_agreed=agreed if store_kind == "sqlite" else None,
        undetectable_alone_passed=alone_passed,
    )
    assert missed == []
    assert detected == tried == ROUNDS * len(kinds)
    assert alone_passed == ROUNDS * len(AGAINST_A_DIGEST)  # as documented: a digest is needed
    if store_kind == "sqlite":
        assert agreed == tried
