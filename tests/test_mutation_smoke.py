"""A tiny run of ``nox -s mutants`` so its set-up never rots unnoticed (docs/testing.md).

The whole run takes about half an hour, so CI runs this instead: the project's own mutmut
settings on a copy of the project, narrowed to one small module and the one test file
that reaches it, then the kill-rate tool on what it found.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
COPIED = ["src", "tests", "docs", "tools", "README.md", "pyproject.toml", "noxfile.py"]
MODULE = "mentoring_core.domain._collections"
SOURCE = "src/mentoring_core/domain/_collections.py"
TESTS = "tests/unit/test_programme.py"

pytestmark = pytest.mark.slow


def narrowed_config(pyproject: str) -> str:
    """The project's mutmut settings cut down to ``SOURCE`` and the tests in ``TESTS``."""
    for key, value in (("only_mutate", SOURCE), ("pytest_add_cli_args_test_selection", TESTS)):
        setting = re.compile(rf"^{key} = \[.*?^\]", re.M | re.S)
        pyproject, count = setting.subn(f'{key} = ["{value}"]', pyproject)
        assert count == 1, f"pyproject.toml's [tool.mutmut] has no {key} to narrow"
    return pyproject


def test_a_small_mutation_run_kills_mutants_and_reports_a_rate(tmp_path: Path) -> None:
    mutmut = Path(sys.executable).with_name("mutmut")
    if not mutmut.exists():
        pytest.skip("mutmut is not installed: pip install -e '.[test]'")
    for name in COPIED:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, tmp_path / name)
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text(narrowed_config(pyproject.read_text(encoding="utf-8")), encoding="utf-8")
    env = {**os.environ, "HYPOTHESIS_PROFILE": "mutants"}

    run = subprocess.run(
        [str(mutmut), "run", "--max-children", "2", f"{MODULE}*"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]

    rates = subprocess.run(
        [sys.executable, "tools/mutation_kill_rates.py"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    row = next(line for line in rates.stdout.splitlines() if line.startswith(MODULE + " "))
    killed, survived, _equivalent, unchecked = (int(cell) for cell in row.split()[1:5])
    assert unchecked == 0, rates.stdout
    assert killed >= 5, rates.stdout
    assert row.split()[-1] == f"{100 * killed / (killed + survived):.1f}%"
