"""The replay's second pass in worker processes: the same report (every test of
``test_audit_replay.py`` and ``test_audit_replay_findings.py`` runs both ways), made in
other processes where they can see the store, and clear errors where they cannot."""

from __future__ import annotations

import importlib
import multiprocessing
import os
import re
import signal
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from eventsourcing.persistence import StoredEvent

from mentoring_core import InvalidValue, MentoringError, MentoringService
from mentoring_core.audit import (
    MAX_AUTO_WORKERS,
    MAX_REPLAY_WORKERS,
    ReplayProgress,
    ReplayReport,
    replay,
)
from mentoring_core.domain.errors import StoreConfigurationError
from mentoring_core.store import StoreOpening

from .test_service_contract import Seeded

replay_module = importlib.import_module("mentoring_core.audit.replay")  # beneath the function
ENDED_HEAD = "a replay worker ended before rebuilding its aggregates ("
ENDED_TAIL = (
    "): killed (out of memory, a signal), or started by a script with no "
    '`if __name__ == "__main__":` block; replay again, or with one worker'
)


def test_workers_rebuild_in_other_processes_where_they_can_see_the_store(
    seeded: tuple[MentoringService, Seeded], store_kind: str
) -> None:
    service, _ = seeded
    children: list[int] = []

    def seen(step: ReplayProgress) -> None:
        if step.phase == "rebuilding":
            children.append(len(multiprocessing.active_children()))

    report = replay(service, progress=seen, workers=2)
    assert report == replay(service)
    assert report.ok and report.rebuilt == 2
    # a memory store opens empty in another process: no worker is started, and the
    # aggregates are rebuilt in this one
    assert children == ([0, 0] if store_kind == "memory" else [2, 2])


@pytest.mark.parametrize("workers", [0, -1, 65, True, 1.5, "2", None, "AUTO", "automatic"])
def test_workers_must_be_a_whole_number_of_processes(
    seeded: tuple[MentoringService, Seeded], workers: Any
) -> None:
    service, _ = seeded
    with pytest.raises(InvalidValue) as refused:
        replay(service, workers=workers)
    assert refused.value.field == "workers"
    assert refused.value.expected == f'a whole number from 1 to {MAX_REPLAY_WORKERS}, or "auto"'


def _workers_seen(service: MentoringService, workers: Any) -> tuple[ReplayReport, set[int]]:
    """The report, and how many worker processes were alive at each step of the replay:
    reading the log (they start before it is read) and rebuilding."""
    alive: set[int] = set()

    def seen(_: ReplayProgress) -> None:
        alive.add(len(multiprocessing.active_children()))

    return replay(service, progress=seen, workers=workers), alive


@pytest.mark.parametrize("url", ["memory://", "sqlite:///:memory:"])
@pytest.mark.parametrize("workers", [2, "auto"])
def test_no_worker_is_started_for_a_store_held_in_memory(
    url: str, workers: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from .test_service_contract import seed  # which imports conftest

    monkeypatch.setattr(replay_module, "AUTO_EVENTS_PER_WORKER", 1)  # auto: the cores'
    if workers == "auto" and len(os.sched_getaffinity(0)) < 2:
        pytest.skip("this process may use one core: auto starts no worker")
    with MentoringService(url) as service:
        seed(service)
        report, alive = _workers_seen(service, workers)
        assert report == replay(service) and report.ok
    assert alive == {0}  # another process would open another, empty store


def test_workers_that_find_another_store_leave_the_rebuild_to_this_process(
    seeded: tuple[MentoringService, Seeded], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A store other processes open as another, emptier one (an adapter's store held in
    memory, which its URL does not tell), found out once the workers have opened it."""
    service, _ = seeded
    other = f"sqlite:///{tmp_path / 'other.db'}"
    with MentoringService(other) as elsewhere:
        elsewhere.create_programme("P", "Org", actor="coord")  # one event, fewer than ours
    monkeypatch.setattr(service.store, "opening", StoreOpening(other, {}))
    steps: list[tuple[str, int]] = []

    def seen(step: ReplayProgress) -> None:
        steps.append((step.phase, len(multiprocessing.active_children())))

    report = replay(service, progress=seen, workers=2)
    assert report == replay(service) and report.ok and report.rebuilt == 2
    assert {alive for phase, alive in steps if phase == "reading"} == {2}  # started
    assert {alive for phase, alive in steps if phase == "rebuilding"} == {0}  # let go


def test_auto_starts_no_worker_for_a_short_log(seeded: tuple[MentoringService, Seeded]) -> None:
    service, _ = seeded
    report, alive = _workers_seen(service, "auto")
    assert report == replay(service) and alive == {0}


def test_auto_starts_a_worker_for_each_share_of_the_log(
    seeded: tuple[MentoringService, Seeded], store_kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    service, _ = seeded
    monkeypatch.setattr(replay_module, "AUTO_EVENTS_PER_WORKER", 2)  # the seed: 2 a share
    events = service.store.recorder.max_notification_id() or 0
    cores = len(os.sched_getaffinity(0))
    expected = min(events // 2, cores, MAX_AUTO_WORKERS)
    if expected < 2:
        pytest.skip(f"this process may use {cores} core(s): auto starts no worker")
    report, alive = _workers_seen(service, "auto")
    assert report == replay(service)
    # a memory store opens empty in another process: none started, rebuilt in this one
    assert alive == ({0} if store_kind == "memory" else {expected})


def _sqlite_file(service: MentoringService) -> Path:
    if not service.store_url.startswith("sqlite"):
        pytest.skip("a SQLite file is moved from under the workers")
    return Path(service.store_url.removeprefix("sqlite:///"))


def test_workers_that_cannot_open_the_store_say_why(
    seeded: tuple[MentoringService, Seeded],
) -> None:
    service, _ = seeded
    path = _sqlite_file(service)
    path.rename(path.with_suffix(".moved"))  # this process still reads it, by its handle
    path.mkdir()
    with pytest.raises(StoreConfigurationError) as raised:
        replay(service, workers=2)
    assert str(path) in str(raised.value)
    assert replay(service).ok  # in one process


def test_a_worker_killed_is_named_not_a_crash(tmp_path: Path) -> None:
    at = datetime(2026, 1, 5, 9, tzinfo=UTC)
    with MentoringService(f"sqlite:///{tmp_path / 'many.db'}") as service:
        for n in range(100):
            service.create_programme(f"P{n}", "Org", actor="coord", occurred_at=at)
        killed: list[int] = []

        def kill(step: ReplayProgress) -> None:  # at the first run's result: most are left
            if step.phase == "rebuilding" and not killed:
                for child in multiprocessing.active_children():
                    assert child.pid is not None
                    os.kill(child.pid, signal.SIGKILL)
                    killed.append(child.pid)

        ended = f"^{re.escape(ENDED_HEAD)}.+{re.escape(ENDED_TAIL)}$"
        with pytest.raises(MentoringError, match=ended):
            replay(service, progress=kill, workers=2, page_size=1)
        assert killed
        assert replay(service, workers=2).rebuilt == 100  # nothing was changed


def test_findings_beyond_a_workers_first_hundred_are_all_counted(
    seeded: tuple[MentoringService, Seeded],
) -> None:
    service, _ = seeded
    unknown = [
        StoredEvent(originator_id=UUID(int=1000 + i), originator_version=1, topic="No", state=b"")
        for i in range(2000)
    ]
    service.store.recorder.insert_events(unknown)  # each worker's run fails on over 100
    steps: list[ReplayProgress] = []
    report = replay(service, workers=2, progress=steps.append)
    assert report == replay(service)
    assert (report.decode_failure_count, report.rebuild_failure_count) == (2000, 2000)
    rebuilding = [(s.done, s.total) for s in steps if s.phase == "rebuilding"]
    assert rebuilding[-1] == (2002, 2002)  # failed aggregates are done too
    assert rebuilding == sorted(rebuilding) and len(rebuilding) > 2
    assert [f.aggregate_id for f in report.rebuild_failures] == [
        UUID(int=1000 + i) for i in range(100)
    ]


def test_a_script_without_a_main_block_is_told_why_its_workers_ended(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    with MentoringService(url) as service:
        service.create_programme("P", "Org", actor="coord")
    script = tmp_path / "unguarded.py"
    script.write_text(  # Python's spawn runs the script again in each worker
        "from mentoring_core import MentoringService\n"
        "from mentoring_core.audit import replay\n"
        f"with MentoringService({url!r}) as service:\n"
        "    print(replay(service, workers=2).events)\n"
    )
    run = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=120, cwd=tmp_path
    )
    assert run.returncode == 1
    # The error ends the traceback; multiprocessing's resource tracker, another process,
    # may print its warning of the broken pool's semaphores before or after it.
    head = f"mentoring_core.domain.errors.MentoringError: {ENDED_HEAD}"
    said = [line for line in run.stderr.splitlines() if line.startswith(head)]
    assert len(said) == 1, run.stderr
    assert said[0].endswith(ENDED_TAIL)
