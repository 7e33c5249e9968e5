"""Several processes opening a brand-new SQLite store file at once all succeed.

Each round, six processes wait at a barrier, then each opens the same new file
(``MentoringService(url)``) and records one programme: every one must succeed, and
the store must then hold the six programmes. Before the fix, one to five of the six
failed with ``database is locked`` in most rounds: SQLite does not wait for its lock
timeout when a connection switches a new file to WAL mode, nor when a transaction
that read first then writes finds another process committed meanwhile.
"""

from __future__ import annotations

import multiprocessing
import traceback
from datetime import UTC, datetime
from pathlib import Path

from mentoring_core import MentoringService

PROCESSES = 6
ROUNDS = 6
AT = datetime(2026, 3, 2, 9, tzinfo=UTC)
SPAWN = multiprocessing.get_context("spawn")


def open_and_write(url: str, name: str, barrier: object, key_file: str | None) -> str:
    """Open the store at ``url`` when all the processes are ready, record one programme;
    the error it raised ("" if none)."""
    barrier.wait(timeout=60)  # type: ignore[attr-defined]
    try:
        with MentoringService(url, key_store_file=key_file) as service:
            service.create_programme(name=name, organisation="O", actor="coord", occurred_at=AT)
    except Exception:  # every failure is reported, not only the one expected
        return traceback.format_exc(limit=-12)
    return ""


def _round(folder: Path, key_file: bool) -> tuple[list[str], int]:
    url = f"sqlite:///{folder / 'new.db'}"
    keys = str(folder / "keys.db") if key_file else None
    with SPAWN.Manager() as manager, SPAWN.Pool(PROCESSES) as pool:
        barrier = manager.Barrier(PROCESSES)
        args = [(url, f"P{n}", barrier, keys) for n in range(PROCESSES)]
        errors = [e for e in pool.starmap(open_and_write, args) if e]
    with MentoringService(url, key_store_file=keys) as service:
        return errors, len(service.programmes())


def test_processes_opening_a_new_store_at_once_all_succeed(tmp_path: Path) -> None:
    for n in range(ROUNDS):
        folder = tmp_path / str(n)
        folder.mkdir()
        errors, programmes = _round(folder, key_file=n % 2 == 1)
        assert errors == [], f"round {n}: {len(errors)} of {PROCESSES} failed:\n" + "\n".join(
            errors
        )
        assert programmes == PROCESSES
