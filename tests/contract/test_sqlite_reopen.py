"""A SQLite file written by one process is read whole by another."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from mentoring_core import MentoringService, event_to_dict

from .test_service_contract import seed

READER = """
import json, sys, uuid
from mentoring_core import MentoringService, event_to_dict
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
