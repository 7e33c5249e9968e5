"""A read-only (0444) file given to ``--out`` is refused and left as it was.

The output is written beside the target and renamed over it, and a rename needs only
the folder to be writable: a process without CAP_DAC_OVERRIDE (any user but root, or
root with that capability dropped) silently replaced a file it could not write, where
``echo x > FILE`` is refused. Now a target the process may not write is refused (exit
2, naming the file and ``--out``) before the store is opened. As root the command runs
under ``setpriv`` without CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH, as an ordinary
user would be; root keeping them may write any file, so replaces it, as the shell does.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from cli_harness import Cli
from store_state import PROGRAMME, seed, store_state

DROPPED = "-dac_override,-dac_read_search"
SETPRIV = ("setpriv", f"--bounding-set={DROPPED}", f"--inh-caps={DROPPED}")


def _without_dac_override() -> tuple[str, ...]:
    """A wrapper that runs a command unable to write a file its mode forbids."""
    if os.geteuid() != 0:
        return ()
    if shutil.which("setpriv") is None:
        pytest.skip("running as root, and setpriv (util-linux) is missing to drop CAP_DAC_OVERRIDE")
    probe = subprocess.run([*SETPRIV, "true"], capture_output=True, check=False)
    if probe.returncode != 0:
        pytest.skip(f"setpriv cannot drop CAP_DAC_OVERRIDE here: {probe.stderr.decode().strip()}")
    return SETPRIV


OUTPUTS: dict[str, Callable[[Path], list[str]]] = {
    "report compliance": lambda out: [
        *("report", "compliance", "--programme", str(PROGRAMME)),
        *("--format", "csv", "--out", str(out)),
    ],
    "report mentor-time": lambda out: [
        *("report", "mentor-time", "--programme", str(PROGRAMME)),
        *("--from", "2026-01-01", "--to", "2026-01-31", "--out", str(out)),
    ],
    "audit export": lambda out: ["audit", "export", "--out", str(out)],
    "audit digest": lambda out: ["audit", "digest", "--out", str(out)],
}


@pytest.mark.parametrize("command", OUTPUTS)
def test_a_read_only_output_is_refused_and_left_as_it_was(
    tmp_path: Path, sqlite_url: str, command: str
) -> None:
    wrapper = _without_dac_override()
    seed(sqlite_url)
    cli = Cli(sqlite_url, tmp_path)
    target = tmp_path / "precious.csv"
    target.write_text("precious\n")
    target.chmod(0o444)
    inode = target.stat().st_ino
    store_before = store_state(sqlite_url)
    run = cli.run(*OUTPUTS[command](target), wrapper=wrapper)
    assert run.code == 2, str(run)
    assert run.stdout == "", str(run)
    assert run.stderr.startswith("error: Invalid value for '--out'"), str(run)
    assert str(target) in run.stderr and "read-only" in run.stderr, str(run)
    assert len(run.stderr.splitlines()) == 1, str(run)
    assert target.read_text() == "precious\n"
    assert target.stat().st_ino == inode and stat.S_IMODE(target.stat().st_mode) == 0o444
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []
    assert store_state(sqlite_url) == store_before


def test_a_writable_output_is_still_replaced_without_dac_override(
    tmp_path: Path, sqlite_url: str
) -> None:
    wrapper = _without_dac_override()
    seed(sqlite_url)
    target = tmp_path / "export.jsonl"
    target.write_text("old\n")
    target.chmod(0o640)
    run = Cli(sqlite_url, tmp_path).run(*OUTPUTS["audit export"](target), wrapper=wrapper)
    assert run.code == 0, str(run)
    assert target.read_text() != "old\n" and stat.S_IMODE(target.stat().st_mode) == 0o640
