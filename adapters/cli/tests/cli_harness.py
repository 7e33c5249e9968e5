"""The harness of the CLI tests: run the real ``mentoring`` executable, inspect a store."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from mentoring_core import MentoringService


def mentoring_executable() -> str:
    """The installed console script: next to this Python, else on PATH."""
    beside = Path(sys.executable).parent / "mentoring"
    if beside.exists():
        return str(beside)
    found = shutil.which("mentoring")
    if found is None:
        pytest.fail("the mentoring command is not installed: pip install -e adapters/cli")
    return found


ON_A_TERMINAL = """
import os, subprocess, sys
leader, follower = os.openpty()
with subprocess.Popen(
    sys.argv[1:], stdout=follower, stderr=follower, stdin=subprocess.DEVNULL
) as child:
    os.close(follower)
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the terminal closed: the command is done
            break
        if not chunk:
            break
        sys.stdout.buffer.write(chunk)
sys.exit(child.wait())
"""
"""A Python script that runs the command its arguments name with its stdout and stderr on a
pseudo-terminal, and writes what the command wrote there to its own stdout (``python -c
ON_A_TERMINAL mentoring ...``: a ``wrapper`` of :meth:`Cli.run`); its exit status is the
command's."""


def interrupted(
    command: Sequence[str], cwd: Path, under_way: Callable[[], bool], signum: signal.Signals
) -> tuple[int, str]:
    """Run ``command`` (in ``cwd``, actor ``tester``, zone UTC) and send it ``signum`` as
    soon as ``under_way()`` (polled until it is, for at most 60 s); its status and stderr.
    The test fails if the command ends before, or is still running 60 s after the signal."""
    environment = {**os.environ, "MENTORING_ACTOR": "tester", "TZ": "UTC"}
    process = subprocess.Popen(
        command, cwd=cwd, env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        deadline = time.monotonic() + 60
        while not under_way() and process.poll() is None:
            assert time.monotonic() < deadline, "the command was not under way within 60 s"
            time.sleep(0.01)
        assert process.poll() is None, process.communicate()
        process.send_signal(signum)
        _, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    return process.returncode, err


@dataclass(frozen=True)
class Run:
    """What one run of ``mentoring`` did."""

    args: tuple[str, ...]
    code: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        """stdout parsed as exactly one JSON document."""
        return json.loads(self.stdout)

    def __str__(self) -> str:
        return f"mentoring {' '.join(self.args)} -> {self.code}\n{self.stdout}\n{self.stderr}"


@dataclass(frozen=True)
class Cli:
    """Runs ``mentoring --store URL ...`` in a subprocess, as a person at a shell would."""

    store_url: str
    cwd: Path
    actor: str = "tester"

    def run(
        self,
        *args: str,
        actor: str | None = None,
        store: bool = True,
        env: dict[str, str] | None = None,
        wrapper: Sequence[str] = (),
    ) -> Run:
        """Run ``mentoring`` (through ``wrapper``, a command that ends by running its
        arguments, when given) with the store, the actor and ``args``."""
        options = ("--store", self.store_url) if store else ()
        if actor is not None:
            options += ("--actor", actor)
        full: Sequence[str] = (*options, *args)
        environment = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith("MENTORING_") and key not in ("FORCE_COLOR", "TTY_COMPATIBLE")
        }
        if environment.get("PYTHONPATH"):  # the command runs elsewhere: keep it on these sources
            environment["PYTHONPATH"] = os.pathsep.join(
                os.path.abspath(entry) for entry in environment["PYTHONPATH"].split(os.pathsep)
            )
        environment.update(
            {"MENTORING_ACTOR": self.actor, "TZ": "UTC", "COLUMNS": "200", **(env or {})}
        )
        done = subprocess.run(
            [*wrapper, mentoring_executable(), *full],
            cwd=self.cwd,
            env=environment,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        return Run(tuple(full), done.returncode, done.stdout, done.stderr)

    def ok(self, *args: str, actor: str | None = None) -> Any:
        """Run with --json, expect success, return the JSON document."""
        result = self.run(*args, "--json", actor=actor)
        assert result.code == 0, str(result)
        assert result.stderr == "", str(result)
        return result.json()


def event_count(store_url: str, key_store_file: Path | None = None) -> int:
    """How many events the store holds (its notification log's last id); a store whose
    keys are kept in a key store file is opened with it, as it must be."""
    with MentoringService(store_url, key_store_file=key_store_file) as service:
        return service.store.recorder.max_notification_id() or 0
