"""The benchmarks run (issue 15: "a small benchmark smoke run ... so the benchmarks never
rot"): each script of ``benchmarks/`` at tiny sizes, in a folder of its own, with no
timing asserted, only that it finishes and prints the figure it exists for.

(``bench.py`` once failed for weeks unnoticed, after the timeline rule began refusing
its pair dated before its programme.)
"""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BENCHMARKS = ROOT / "benchmarks"

FILED = "b0fec04"
"""The commit ``bench_against.py`` compares with by default."""


TINY = {  # script: (arguments, a line every run prints)
    "bench.py": (["--commands", "20", "--events", "50", "--rounds", "1"], "ratio service / plain"),
    "bench_http.py": (["--commands", "5"], "ratio HTTP / Python"),
    "bench_against.py": (
        ["--relationships", "2", "--weeks", "2", "--rounds", "1"],
        f"ratio read and decode, this / {FILED}",
    ),
    "bench_replay.py": (
        ["--sizes", "100", "200", "--per-relationship", "20", "--rounds", "2"],
        "events/s",
    ),
    # 81 pairs: the 81st is formed after 09:00, its first week's hour (it once failed there)
    "bench_reports.py": (
        ["--relationships", "81", "--weeks", "1", "--stages", "--rounds", "1"],
        "ratio projection / read and decode",
    ),
    "bench_sealing.py": (["--events", "50"], "ratio sealed/clear"),
    "bench_cli_start_up.py": (["--rounds", "1"], "ratio mentoring history --json / python"),
    # the two paths of a ratio; "instructions per event" is printed with valgrind or without
    "bench_instructions.py": (
        ["--relationships", "2", "--weeks", "2", "--paths", "decode", "replay"],
        "instructions per event",
    ),
    "bench_scale.py": (
        ["--relationships", "2", "--weeks", "2", "--events", "300", "--project-at", "150"],
        "bytes per relationship-year",
    ),
}


def _has_commit(revision: str) -> bool:
    if shutil.which("git") is None:
        return False
    done = subprocess.run(
        ["git", "-C", str(ROOT), "cat-file", "-e", f"{revision}^{{commit}}"],
        capture_output=True,
        check=False,
    )
    return done.returncode == 0


def test_every_benchmark_has_a_smoke_run_and_is_in_nox_bench() -> None:
    scripts = {path.name for path in BENCHMARKS.glob("*.py")}
    assert scripts == set(TINY)
    noxfile = ast.parse((ROOT / "noxfile.py").read_text())
    listed = {
        node.value
        for node in ast.walk(noxfile)
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    }
    assert scripts <= listed, f"not run by nox -s bench: {sorted(scripts - listed)}"


@pytest.mark.parametrize("script", sorted(TINY))
def test_a_benchmark_runs_at_tiny_sizes(script: str, tmp_path: Path) -> None:
    arguments, figure = TINY[script]
    if script == "bench_against.py" and not _has_commit(FILED) and not os.environ.get("CI"):
        pytest.skip(f"this checkout lacks the repository's history ({FILED}), which it reads")
    if script == "bench_replay.py":
        arguments = [*arguments, "--folder", str(tmp_path / "stores")]
    done = subprocess.run(
        [sys.executable, str(BENCHMARKS / script), *arguments],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert figure in done.stdout, done.stdout[-2000:]
    if script == "bench_instructions.py" and shutil.which("valgrind"):  # else it says so
        assert "audit.replay" in done.stdout and "ratio to read and decode" in done.stdout
