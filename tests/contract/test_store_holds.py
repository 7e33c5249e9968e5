"""A store's named locks (``Store.hold``): one holder among every thread and process
using the store, never waited for, let go at the block's end or with the holder's
process, however it ends. Reminder runs take one per programme."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from mentoring_core import InvalidValue, MentoringError, MentoringService

NAME = "reminders-4e951bbd-d97a-5ecf-95e8-4dda2de624bb"

_HOLDER = """
import sys, time
from mentoring_core import MentoringService
with MentoringService(sys.argv[1]) as service, service.store.hold(sys.argv[2]) as got:
    print("held" if got else "refused", flush=True)
    time.sleep(600)
"""


def _held_elsewhere(service: MentoringService, name: str = NAME) -> bool:
    """Whether another thread holds ``name`` (asked from a thread of this process)."""
    found: list[bool] = []

    def ask() -> None:
        with service.store.hold(name) as got:
            found.append(got)

    asking = threading.Thread(target=ask)
    asking.start()
    asking.join()
    return not found[0]


def test_one_holder_at_a_time_in_one_process(store_url: str) -> None:
    with MentoringService(store_url) as service:
        with service.store.hold(NAME) as got:
            assert got
            assert _held_elsewhere(service)
            with service.store.hold(NAME) as again:  # not re-entrant: the same thread too
                assert not again
            assert not _held_elsewhere(service, "reminders-another")
        assert not _held_elsewhere(service)
        with service.store.hold(NAME) as got_again:
            assert got_again


def test_a_refused_hold_leaves_the_holders_lock_alone(store_url: str) -> None:
    with MentoringService(store_url) as service, service.store.hold(NAME) as got:
        assert got
        with service.store.hold(NAME) as refused:
            assert not refused
        assert _held_elsewhere(service)  # the refusal's end let nothing go


@pytest.mark.parametrize(
    "name", ["", "Reminders", "../escape", "-first", "a b", "x" * 101, "reminders/1", 7, None]
)
def test_a_name_is_letters_digits_and_hyphens(store_url: str, name: object) -> None:
    with MentoringService(store_url) as service, pytest.raises(InvalidValue) as refused:
        service.store.hold(name)  # type: ignore[arg-type]
    assert refused.value.field == "name"


def _holder(store_url: str, tmp_path: Path) -> subprocess.Popen[str]:
    script = tmp_path / "holder.py"
    script.write_text(_HOLDER)
    process = subprocess.Popen(
        [sys.executable, str(script), store_url, NAME], stdout=subprocess.PIPE, text=True
    )
    assert process.stdout is not None
    assert process.stdout.readline().strip() == "held"
    return process


def test_another_process_holds_until_it_is_killed(
    store_url: str, store_kind: str, tmp_path: Path
) -> None:
    if store_kind == "memory":
        pytest.skip("a memory store is seen by one process only")
    with MentoringService(store_url):
        pass  # the store's tables made, before two processes open it
    holder = _holder(store_url, tmp_path)
    try:
        with MentoringService(store_url) as service:
            with service.store.hold(NAME) as got:
                assert not got
            with service.store.hold("reminders-another") as other:
                assert other
            os.kill(holder.pid, signal.SIGKILL)  # no release: the system lets it go
            holder.wait(timeout=30)
            deadline = time.monotonic() + 20  # PostgreSQL ends the session soon after
            while True:
                with service.store.hold(NAME) as got:
                    if got or time.monotonic() > deadline:
                        break
                time.sleep(0.1)
            assert got
    finally:
        holder.kill()
        holder.wait(timeout=30)


def test_a_link_or_a_folder_at_a_lock_files_place_is_refused_untouched(
    store_url: str, store_kind: str, tmp_path: Path
) -> None:
    if store_kind != "sqlite":
        pytest.skip("the lock files are a SQLite store's")
    store = store_url.removeprefix("sqlite:///")
    target = tmp_path / "precious.txt"
    target.write_text("kept\n")
    Path(f"{store}-{NAME}.lock").symlink_to(target)
    Path(f"{store}-reminders-elsewhere.lock").mkdir()
    with MentoringService(store_url) as service:
        for name in (NAME, "reminders-elsewhere"):
            with pytest.raises(MentoringError) as refused, service.store.hold(name):
                pass
            assert f"{store}-{name}.lock cannot be opened" in str(refused.value)
    assert target.read_text() == "kept\n" and oct(target.stat().st_mode & 0o777) != "0o600"


def test_a_backend_whose_hold_gives_a_bool_still_serves_a_reminder_run(tmp_path: Path) -> None:
    """``StoreBackend.hold`` gave a bool before ``Held``; a backend written then (its lock
    let go only with its block, as a file lock is) is still held, never lost, rather
    than failing the run with an AttributeError on ``lost``."""
    import contextlib
    from collections.abc import Iterator

    import attrs

    from mentoring_core.store._holds import hold_beside_sqlite_file

    @contextlib.contextmanager
    def holds_a_bool(recorder: object, name: str) -> Iterator[bool]:
        with hold_beside_sqlite_file(recorder, name) as held:  # type: ignore[arg-type]
            yield bool(held)

    with MentoringService(f"sqlite:///{tmp_path / 'store.db'}") as service:
        store = service.store
        store.backend = attrs.evolve(store.backend, hold=holds_a_bool)  # type: ignore[attr-defined]
        with store.hold(NAME) as held:
            assert held and not held.lost()
            with store.hold(NAME) as again:
                assert not again
