"""The start-up of the ``mentoring`` command, as ratios against plain Python in the same run.

Each run is a new process, as at a shell: ``python -m mentoring_cli`` with the arguments
of a read command (``history --json`` and ``history`` as text, of a small programme), of
a recording command (``programme enrol --json``) and of ``--help``, against ``python -c
pass`` (the interpreter alone) and ``python -c "import mentoring_core"`` (the library
every command needs). The runs alternate, ``--rounds`` times; each figure is the
median. The store is a SQLite file in a temporary folder.

Run by ``nox -s bench``, or alone with ``python benchmarks/bench_cli_start_up.py``
(``--rounds N``); the figures mean most on an idle machine.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from uuid import UUID

from mentoring_core import MentoringService
from mentoring_core.values import Role

PROGRAMME = UUID(int=1)


def seeded(folder: Path) -> str:
    """A store holding a programme, two people and their pair."""
    url = f"sqlite:///{folder / 'mentoring.db'}"
    with MentoringService(url) as service:
        service.create_programme("Pilot", "Northside Care", actor="c", programme_id=PROGRAMME)
        service.enrol(PROGRAMME, "ana", Role.MENTOR, 10, actor="c")
        service.enrol(PROGRAMME, "ben", Role.MENTEE, 1, actor="c")
        service.form_pair(PROGRAMME, "ana", "ben", actor="c")
    return url


def enrol(n: int) -> tuple[str, ...]:
    """A recording command: enrol a new person (p0, p1...) in the programme."""
    person = ("--person", f"p{n}", "--role", "mentee", "--experience-years", "1")
    return ("programme", "enrol", str(PROGRAMME), *person, "--json")


def timed(args: Sequence[str], cwd: Path) -> float:
    """Seconds one process took, from start to exit (it must succeed)."""
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, *args],
        cwd=cwd,
        env={**os.environ, "MENTORING_ACTOR": "bench", "COLUMNS": "120"},
        capture_output=True,
        check=False,
    )
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed: {done.stderr.decode()[-2000:]}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=15)
    rounds = parser.parse_args().rounds
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        store = ("-m", "mentoring_cli", "--store", seeded(folder))
        enrolled = iter(range(rounds + 1))
        runs: dict[str, Callable[[], Sequence[str]]] = {
            "python -c pass": lambda: ("-c", "pass"),
            "import mentoring_core": lambda: ("-c", "import mentoring_core"),
            "mentoring --help": lambda: ("-m", "mentoring_cli", "--help"),
            "mentoring history --json": lambda: (*store, "history", str(PROGRAMME), "--json"),
            "mentoring history (text)": lambda: (*store, "history", str(PROGRAMME)),
            "mentoring programme enrol --json": lambda: (*store, *enrol(next(enrolled))),
        }
        for make in runs.values():  # warm up: compiled modules written, files cached
            timed(make(), folder)
        times: dict[str, list[float]] = {label: [] for label in runs}
        for _ in range(rounds):
            for label, make in runs.items():
                times[label].append(timed(make(), folder))
    median = {label: statistics.median(found) for label, found in times.items()}
    python, core = median["python -c pass"], median["import mentoring_core"]
    print(f"median of {rounds} runs each, one process per run")
    for label, seconds in median.items():
        print(f"{label:34} {seconds * 1000:7.0f} ms")
    for label in list(runs)[2:]:
        print(
            f"ratio {label} / python -c pass: {median[label] / python:.2f}; "
            f"/ import mentoring_core: {median[label] / core:.2f}"
        )


if __name__ == "__main__":
    main()
