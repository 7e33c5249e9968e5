"""The docs agree with the code: the event catalogue is current, every command is documented."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import typer
from mentoring_cli import catalogue
from mentoring_cli.app import app

from mentoring_core import MentoringService, Recorded
from mentoring_core.events import EVENT_TYPES

DOCS = Path(__file__).resolve().parents[3] / "docs"


def command_paths() -> list[str]:
    """Every command of ``mentoring``, as typed after the program name."""
    root = typer.main.get_command(app)
    paths: list[str] = []
    for name, command in getattr(root, "commands", {}).items():
        children = getattr(command, "commands", None)
        paths += [f"{name} {child}" for child in children] if children else [name]
    return paths


def test_the_event_catalogue_is_generated_from_the_current_code() -> None:
    assert (DOCS / "events.md").read_text() == catalogue.render(), (
        "docs/events.md is out of date: run "
        "`python -m mentoring_cli.catalogue > docs/events.md` and commit the result"
    )


def test_the_catalogue_names_a_real_command_and_method_for_every_event() -> None:
    assert set(catalogue.RECORDED_BY) == set(EVENT_TYPES)
    paths = set(command_paths())
    for event_type, recorders in catalogue.RECORDED_BY.items():
        for command, method in recorders:
            assert command in paths, (event_type, command)
            assert callable(getattr(MentoringService, method, None)), (event_type, method)


def test_every_command_has_an_example_in_the_cli_guide() -> None:
    guide = (DOCS / "cli.md").read_text()
    examples = [
        line.strip() for line in guide.splitlines() if re.match(r"^\s*(\$ )?mentoring( |$)", line)
    ]
    for path in command_paths():
        pattern = re.compile(rf"^(\$ )?mentoring( --\S+ \S+)* {path}( |$)")
        assert any(pattern.match(line) for line in examples), f"no example of 'mentoring {path}'"


def test_every_recording_method_of_the_service_has_a_command() -> None:
    recorded_by = {
        method for recorders in catalogue.RECORDED_BY.values() for _, method in recorders
    }
    recording = {
        name
        for name, member in inspect.getmembers(MentoringService)
        # execute() is the path behind every named method, not a command of its own
        if not name.startswith("_")
        and name != "execute"
        and callable(member)
        and inspect.signature(member).return_annotation in ("Recorded", Recorded)
    }
    assert len(recording) == 38, sorted(recording)  # the named command methods
    missing = recording - recorded_by
    assert not missing, (
        f"MentoringService records with {sorted(missing)} but no mentoring command does: add "
        "a command, and its line in mentoring_cli.catalogue.RECORDED_BY"
    )
