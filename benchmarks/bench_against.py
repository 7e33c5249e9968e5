"""Reading and decoding the log against the code of an earlier commit, in turns in the
same hour: a ratio that does not move with the machine's speed.

Issue 15's target 2 asks for 100,000 events a second read and decoded, "about 3x
today" (31,863 events/s on the day it was filed). This machine's speed moves with the
hour: the raw read of the same log ran at 233,821 events/s on one hour and 729,015 on
another, so an events-a-second figure says as much about the hour as about the code.
Here the code is compared with that of ``--against`` (default ``b0fec04``, the state of
the day the issue was filed, whose reading ran at 34,304 events/s that day): the
earlier commit's ``src`` and ``benchmarks`` are taken from git (``git archive``) into a
folder of their own, each checkout generates its own store of the same size with its
own generator (``bench_reports.generate``, the same seed), and the two then take turns,
``--rounds`` times (which goes first alternating from round to round), each turn a new
process that reads the raw log and then reads and decodes it (``bench_reports.read_log``,
every sealed field opened, best of five passes, in events a second of the process's CPU
time). Each round gives the ratio of the two readings: how many times the earlier code's
rate this code reads and decodes at, at the same moment; the median of the rounds' is
the result (a moment when another process loads the machine weighs on one round alone).

Run with ``python benchmarks/bench_against.py`` (``--against REV``, ``--relationships
100 --weeks 104`` for a store of about 55,000 events, ``--rounds 3``). It needs git and
the repository's history.
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PASSES = 5
FILED = "b0fec04"
"""The code of the day issue 15 was filed, against which its target 2 is "about 3x"."""


def child(tree: Path, store: Path, relationships: int, weeks: int) -> None:
    """In the process of one turn: generate ``store`` if it is not there yet, then read it
    raw and decoded ``PASSES`` times; print the count and the best rate of each, in
    events a second of this process's CPU time (which other processes on a shared machine
    stretch less than the wall clock)."""
    sys.path.insert(0, str(tree / "benchmarks"))
    import bench_reports  # the tree's own: the earlier commit's, or this one's

    from mentoring_core import MentoringService

    if not store.exists():
        bench_reports.generate(store, relationships, weeks, seed=7)
    best = {False: 0.0, True: 0.0}
    with MentoringService(f"sqlite:///{store}", snapshot_interval=None) as service:
        for _ in range(PASSES):
            for decode in best:
                started = time.process_time()
                events, _ = bench_reports.read_log(service, decode=decode)
                best[decode] = max(best[decode], events / (time.process_time() - started))
    print(events, best[False], best[True])


def earlier_tree(revision: str, folder: Path) -> Path:
    """``revision``'s ``src`` and ``benchmarks``, unpacked into ``folder``; exits saying
    why where git cannot give them."""
    if revision.startswith("-"):  # git would read it as an option
        raise SystemExit(f"--against {revision!r}: not a revision")
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", "--format=tar", revision, "src", "benchmarks"],
        check=False,
        capture_output=True,
    )
    if archive.returncode != 0:
        raise SystemExit(
            f"git gave no sources of {revision!r} ({archive.stderr.decode().strip()}): "
            "this benchmark needs a checkout with the repository's history"
        )
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        tar.extractall(folder, filter="data")
    return folder


def turn(tree: Path, store: Path, args: argparse.Namespace) -> tuple[int, float, float]:
    """One turn of ``tree``'s code on ``store``, in a new process: its sources first on
    the path, so the installed package (this checkout's) is not the one imported."""
    done = subprocess.run(
        [sys.executable, __file__, "--child", str(tree), str(store),
         "--relationships", str(args.relationships), "--weeks", str(args.weeks)],
        check=False, capture_output=True, text=True,
        env={**os.environ, "PYTHONPATH": str(tree / "src")},
    )  # fmt: skip
    if done.returncode != 0:
        raise SystemExit(f"a turn of the code in {tree} failed:\n{done.stderr[-2000:]}")
    events, raw, decoded = done.stdout.split()[-3:]
    return int(events), float(raw), float(decoded)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--against", default=FILED, help="the earlier commit")
    parser.add_argument("--relationships", type=int, default=100)
    parser.add_argument("--weeks", type=int, default=104)
    parser.add_argument("--rounds", type=int, default=3, help="turns of each side")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(Path(args.child[0]), Path(args.child[1]), args.relationships, args.weeks)
        return
    with tempfile.TemporaryDirectory() as folder:
        trees = {"earlier": earlier_tree(args.against, Path(folder) / "earlier"), "this": ROOT}
        print(
            f"reading and decoding against {args.against}, in turns ({args.rounds} each), "
            f"each its own store of {args.relationships} relationships over {args.weeks} weeks "
            "(events a second of CPU time, best of each turn's passes):"
        )
        ratios = []
        for round_ in range(args.rounds):
            sides = list(trees) if round_ % 2 == 0 else list(reversed(trees))
            decoded = {}
            for side in sides:
                events, raw, decoded[side] = turn(trees[side], Path(folder) / f"{side}.db", args)
                print(f"  {side:<8} {events:>10,} events  raw {raw:>10,.0f}/s  "
                      f"read and decode {decoded[side]:>10,.0f}/s")  # fmt: skip
            ratios.append(decoded["this"] / decoded["earlier"])
        print(f"  each round's ratio: {', '.join(f'{ratio:.2f}' for ratio in ratios)}")
        print(
            f"  ratio read and decode, this / {args.against}   {statistics.median(ratios):6.2f}"
            f"   (the median of the rounds'{'; target about 3' if args.against == FILED else ''})"
        )


if __name__ == "__main__":
    main()
