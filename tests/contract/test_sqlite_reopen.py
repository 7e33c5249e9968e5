"""A SQLite file written by one process is read whole by another."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from mentoring_core import MentoringService, StoreConfigurationError, event_to_dict

from .test_service_contract import seed

READER = """
import json, sys, uuid
import pytest

from mentoring_core import MentoringService, StoreConfigurationError, event_to_dict
with MentoringService(sys.argv[1]) as service:
    history = service.history(uuid.UUID(sys.argv[2]))
    print(json.dumps([event_to_dict(e) for e in history]))
"""


def test_another_process_reopens_the_file_and_finds_the_full_history(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'kept.db'}"
    with MentoringService(url) as service:
        seeded = seed(service)
        written = [event_to_dict(e) for e in service.history(seeded.relationship)]

    result = subprocess.run(
        [sys.executable, "-c", READER, url, str(seeded.relationship)],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )

    assert json.loads(result.stdout) == written
    assert len(written) == 6


def test_a_sqlite_file_runs_with_wal_and_full_synchronous(tmp_path: Path) -> None:
    with MentoringService(f"sqlite:///{tmp_path / 'durable.db'}") as service:
        datastore = service.store.recorder.datastore  # type: ignore[attr-defined]
        with datastore.transaction(commit=False) as cursor:
            cursor.execute("PRAGMA journal_mode")
            assert cursor.fetchone()[0] == "wal"
            cursor.execute("PRAGMA synchronous")
            assert cursor.fetchone()[0] == 2


def test_a_sqlite_file_without_full_synchronous_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mentoring_core.audit import recorders

    monkeypatch.setattr(recorders, "SQLITE_SYNCHRONOUS_FULL", 3)  # pretend FULL is not enough
    with pytest.raises(StoreConfigurationError, match="synchronous=2"):
        MentoringService(f"sqlite:///{tmp_path / 'lax.db'}")
