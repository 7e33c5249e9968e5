"""A run of ``mentoring`` loads only the subcommand it runs (docs/performance.md, "The
mentoring command's start-up"): ``--help`` lists every subcommand from the table in
:data:`mentoring_cli.app.SUBCOMMANDS` without importing one, and a read command does not
import the HTTP server, the HTML templates, the reports or the audit tools.

What a run imported is what ``sys.modules`` holds as the command exits, in a subprocess
of its own; no time is asserted.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import typer
from mentoring_cli.app import SUBCOMMANDS, app, load
from store_state import PROGRAMME, pilot_programme

from mentoring_core import MentoringService

NEVER_FOR_A_READ = (
    "litestar",
    "jinja2",
    "mentoring_http",
    "mentoring_core.reports",
    "mentoring_core.audit.derived",
    "mentoring_cli.notifiers",
    "smtplib",
)
"""Packages a read command, or ``--help``, has no use for."""

PROBE = """
import atexit, os, sys

def write_down():
    with open(os.environ["MODULES_FILE"], "w") as found:
        found.write("\\n".join(sys.modules))

atexit.register(write_down)
from mentoring_cli.app import main
main(sys.argv[1:])
"""
"""The command run as the console script runs it, writing down the modules it imported."""


def imported(*args: str, cwd: Path, status: int = 0) -> set[str]:
    """The modules one run of ``mentoring ARGS`` imported (ending in ``status``)."""
    environment = {
        key: value for key, value in os.environ.items() if not key.startswith("MENTORING_")
    }
    if environment.get("PYTHONPATH"):  # the run is elsewhere: keep it on these sources
        environment["PYTHONPATH"] = os.pathsep.join(
            os.path.abspath(entry) for entry in environment["PYTHONPATH"].split(os.pathsep)
        )
    modules = cwd / "modules.txt"
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *args],
        cwd=cwd,
        env={**environment, "MENTORING_ACTOR": "tester", "MODULES_FILE": str(modules)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == status, done.stderr[-2000:]
    return set(modules.read_text().splitlines())


def loaded(modules: set[str], package: str) -> set[str]:
    return {name for name in modules if name == package or name.startswith(package + ".")}


@pytest.mark.parametrize(
    ("args", "status"), [(["--help"], 0), ([], 2)], ids=["help", "no-arguments"]
)
def test_the_root_help_lists_every_subcommand_and_imports_none(
    args: list[str], status: int, tmp_path: Path
) -> None:
    modules = imported(*args, cwd=tmp_path, status=status)
    assert loaded(modules, "mentoring_cli.commands") <= {"mentoring_cli.commands"}
    for package in NEVER_FOR_A_READ:
        assert not loaded(modules, package), package


READS = {  # a read command: the module it is defined in, and what of the above it needs
    ("history",): ("history", ()),
    ("audit", "timeline"): ("audit", ()),
    # its module's options are bounded by the projections' MAX_WINDOW_DAYS, and uses the
    # core's reminders: both import the reports package
    ("reminders", "list"): ("reminders", ("mentoring_core.reports",)),
}


@pytest.mark.parametrize("json", [False, True], ids=["text", "json"])
@pytest.mark.parametrize("command", list(READS), ids=" ".join)
def test_a_read_command_imports_only_its_own_module(
    command: tuple[str, ...], json: bool, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'mentoring.db'}"
    with MentoringService(url) as service:
        pilot_programme(service)
    options = ["--json"] if json else []
    module, needed = READS[command]
    modules = imported("--store", url, *command, str(PROGRAMME), *options, cwd=tmp_path)
    assert loaded(modules, "mentoring_cli.commands") == {
        "mentoring_cli.commands",
        f"mentoring_cli.commands.{module}",
    }
    for package in set(NEVER_FOR_A_READ) - set(needed):
        assert not loaded(modules, package), package
    assert bool(loaded(modules, "rich")) is not json  # --json never loads Rich


@pytest.mark.parametrize("name", list(SUBCOMMANDS))
def test_every_subcommand_of_the_table_loads_with_a_parser_and_its_line(name: str) -> None:
    command = load(name)
    assert command.name == name
    with command.make_context(name, ["--help"], resilient_parsing=True) as ctx:
        assert command.get_params(ctx)  # --help at least, and Typer parsed the signature
    summary = (command.help or "").split("\n\n", 1)[0].strip()
    assert summary == SUBCOMMANDS[name].line, "the table lists another line than the help"


def test_the_table_is_the_root_s_list_of_subcommands() -> None:
    root = typer.main.get_command(app)
    with root.make_context("mentoring", ["--help"], resilient_parsing=True) as ctx:
        assert root.list_commands(ctx) == list(SUBCOMMANDS)  # type: ignore[attr-defined]
        assert root.get_command(ctx, "nothing-of-the-kind") is None  # type: ignore[attr-defined]


INTERRUPTED_WHILE_LOADING = """
import sys

class Interrupt:  # Ctrl-C as it lands while the command line's modules are imported
    def find_spec(self, name, path=None, target=None):
        if name == "mentoring_cli.app":
            raise KeyboardInterrupt

sys.meta_path.insert(0, Interrupt())
from mentoring_cli._entry import main
sys.argv = ["mentoring", "programme", "list"]
main()
"""


def test_an_interrupt_while_the_command_loads_is_one_line_not_a_traceback() -> None:
    """Ctrl-C while the modules are still being imported (the first tenths of a second;
    raised here at that moment, as a signal cannot be timed to land there) ends the
    command as an interrupt later does: ``error: aborted``, status 1."""
    from mentoring_cli._entry import _ABORTED
    from mentoring_cli.app import EXIT_REFUSED

    run = subprocess.run(
        [sys.executable, "-c", INTERRUPTED_WHILE_LOADING],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (run.returncode, run.stderr) == (_ABORTED, "error: aborted\n")
    assert _ABORTED == EXIT_REFUSED
