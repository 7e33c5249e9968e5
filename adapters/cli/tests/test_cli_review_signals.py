"""SIGTERM ends a command as Ctrl-C does: its clean-up runs.

``audit export --out F`` killed by SIGTERM (what ``kill``, a service manager or a
container runtime sends) left its hidden partial temporary file ``.F.XXXX.tmp`` beside
``F``; SIGINT removed it. Now SIGTERM ends the command with one line on stderr, after
the same clean-up, and then by the signal itself (status 143 in a shell, as before: a
service manager sees the stop it asked for): ``F`` is left as it was, and no temporary
file stays. The real command runs in its own process and gets a real signal
while its output is being written: the only change to it here is that flushing the
temporary file to disk waits (a file's name cannot be timed otherwise), so that the
signal lands mid-write, every time.
"""

from __future__ import annotations

import signal
import sys
from pathlib import Path

import pytest
from cli_harness import interrupted
from store_state import PROGRAMME, seed

SLOW_FLUSH = """
import os, sys, time
from pathlib import Path

flush = os.fsync
marker = Path(sys.argv[1])

def slow(descriptor):  # flushing the output's temporary file waits: the signal lands then
    if os.readlink(f"/proc/self/fd/{descriptor}").endswith(".tmp"):
        marker.touch()
        time.sleep(60)
    flush(descriptor)

os.fsync = slow
from mentoring_cli._entry import main
sys.argv = ["mentoring", *sys.argv[2:]]
main()
"""

COMMANDS = {
    "audit export": ["audit", "export"],
    "report compliance": ["report", "compliance", "--programme", str(PROGRAMME)],
}


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc/self/fd (Linux)")
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=lambda s: s.name)
@pytest.mark.parametrize("command", COMMANDS)
def test_a_signal_mid_write_leaves_the_old_output_and_no_temporary_file(
    tmp_path: Path, command: str, signum: signal.Signals
) -> None:
    store = f"sqlite:///{tmp_path / 'store.db'}"
    seed(store)
    folder = tmp_path / "out"
    folder.mkdir()
    target = folder / "out.jsonl"
    target.write_text("old content\n")
    args = ["--store", store, *COMMANDS[command], "--out", str(target)]
    marker = tmp_path / "writing"
    command = [sys.executable, "-c", SLOW_FLUSH, str(marker), *args]
    code, err = interrupted(command, tmp_path, marker.exists, signum)
    expected = (
        (-signal.SIGTERM, "error: terminated\n")  # ended by the signal: 143 in a shell
        if signum == signal.SIGTERM
        else (1, "error: aborted\n")
    )
    assert (code, err.lstrip("\n")) == expected
    assert target.read_text() == "old content\n"
    assert sorted(p.name for p in folder.iterdir()) == ["out.jsonl"]
