"""Instructions per event of reading, replaying, projecting and recording, counted by
callgrind: ratios that do not move with the machine's load.

The timed benchmarks' ratios are taken in one process, but on a shared machine a path
and its baseline still meet different moments (the same projection code gave 0.91 and
0.73 of its baseline in two full runs of one day). The instructions a path executes do
not depend on the moment: the same code on the same store executes the same ones, run
after run. Each path here runs in a child process under ``valgrind --tool=callgrind``
with counting off until the store is open, then on (``callgrind_control``) around the
work alone, so start-up and imports are not counted (and with one hash seed, so that
sets and dicts of texts are laid out alike each run); the count divided by the events
read is the path's instructions per event, and a path's ratio is its baseline's count
over its own, as the timed benchmarks' ratios are rates over rates.

Instructions are not time: a cache miss, a system call's wait or a disk's fsync costs
none. The reading paths read a SQLite file the page cache holds and (the projection)
write its read model in a few large transactions, so their time is mostly instructions.
Recording waits for a commit (an fsync) on every command, which both sides wait for
alike: its count is the work of the processor alone, and its target is timed
(``bench.py``); where the disk is slow the timed ratio comes nearer 1 than the count's.

The store is ``bench_reports.py``'s (``--relationships`` pairs over ``--weeks``
weeks, about five events per pair per week; default 20 pairs over 104 weeks, about
11,000 events, so that each path runs in a minute or two under callgrind). Paths:

- ``decode``: reading and decoding the log, sealed fields opened: the baseline of issue
  15's target 3 (the replay and the projection at least 0.8 of it);
- ``closed``: the same with sealed fields closed, as the projection reads;
- ``replay``: ``mentoring_core.audit.replay`` of the whole store;
- ``projection``: the compliance projection from nothing (on a copy of the store);
- ``plain`` and ``recording``: 1,000 meetings recorded, one a command, on a new SQLite
  file, by ``bench.py``'s plain eventsourcing application and by the service (issue
  15's target 1, timed: the service at least 0.8 of plain eventsourcing's rate).

Run with ``python benchmarks/bench_instructions.py`` (``--paths decode replay`` for
some). Where valgrind is not installed it says so and measures nothing.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from bench import plain_commands, service_commands
from bench_reports import generate

from mentoring_core import MentoringService
from mentoring_core.audit import replay
from mentoring_core.projections import ComplianceProjection

PATHS = {
    "decode": "read and decode",
    "closed": "read, sealed fields closed",
    "replay": "audit.replay",
    "projection": "compliance projection",
    "plain": "recording, plain eventsourcing",
    "recording": "recording, the service",
}
RECORDING = ("plain", "recording")
"""The paths that record (a command each), where the others read (an event each)."""
BASELINES = {"replay": "decode", "projection": "decode", "recording": "plain"}
"""Each path with a target, and its baseline (run first): issue 15's targets 3 and 1."""
TARGET = 0.80
RECORDED = 1000
"""Meetings recorded, counted, after 100 not counted (the store and caches warmed)."""


def _count(on: bool) -> None:
    """Turn callgrind's counting of this process on or off."""
    subprocess.run(
        ["callgrind_control", "--instr=" + ("on" if on else "off"), str(os.getpid())],
        check=True,
        stdout=subprocess.DEVNULL,
    )


def child(path: str, store: Path) -> None:
    """Run ``path`` on ``store``, counted; print how many events it read (commands it
    recorded: the recording paths record on a new file beside ``store``)."""
    if path in RECORDING:
        commands = plain_commands if path == "plain" else service_commands
        with commands(f"sqlite:///{store.with_suffix('.recorded.db')}") as command:
            for i in range(100):
                command(i)
            _count(True)
            for i in range(100, 100 + RECORDED):
                command(i)
            _count(False)
        print(RECORDED)
        return
    with MentoringService(f"sqlite:///{store}", snapshot_interval=None) as service:
        _count(True)
        if path == "replay":
            events = replay(service).events
        elif path == "projection":
            events = ComplianceProjection(service).catch_up()
        else:
            events = 0
            for record in service.store.records():
                service.store.decode(record, personal=path == "decode")
                events += 1
        _count(False)
    print(events)


def counted(path: str, store: Path, folder: Path) -> tuple[int, int]:
    """Instructions ``path`` executed on ``store`` under callgrind, and events it read."""
    out = folder / f"callgrind-{path}.out"
    done = subprocess.run(
        ["valgrind", "--tool=callgrind", "--instr-atstart=no", f"--callgrind-out-file={out}",
         sys.executable, __file__, "--child", path, str(store)],
        check=True, capture_output=True, text=True, env={**os.environ, "PYTHONHASHSEED": "0"},
    )  # fmt: skip
    totals = re.search(r"^totals: (\d+)", out.read_text(), re.MULTILINE)
    assert totals is not None, f"no count in callgrind's output {out}"
    return int(totals.group(1)), int(done.stdout.split()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--relationships", type=int, default=20)
    parser.add_argument("--weeks", type=int, default=104)
    parser.add_argument("--paths", nargs="+", choices=PATHS, default=list(PATHS))
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child is not None:
        child(args.child[0], Path(args.child[1]))
        return
    missing = [tool for tool in ("valgrind", "callgrind_control") if shutil.which(tool) is None]
    if missing:
        print(f"instructions per event: not measured, {' and '.join(missing)} not installed")
        return
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary)
        store = folder / "reports.db"
        generate(store, args.relationships, args.weeks, seed=7)
        per_event: dict[str, float] = {}
        print("instructions per event (per command recorded), counted by callgrind, SQLite:")
        for path in [p for p in PATHS if p in args.paths]:  # the baseline first
            copy = folder / f"{path}.db"
            shutil.copy(store, copy)  # the projection writes its read model into it
            instructions, done = counted(path, copy, folder)
            per_event[path] = instructions / done
            unit = "commands" if path in RECORDING else "events"
            line = f"  {PATHS[path]:<32}{per_event[path]:10,.0f}   ({done:,} {unit})"
            baseline = BASELINES.get(path)
            if baseline in per_event:
                ratio = per_event[baseline] / per_event[path]
                line += f"   ratio to {PATHS[baseline]} {ratio:.2f} (target {TARGET:.2f})"
            print(line)


if __name__ == "__main__":
    main()
