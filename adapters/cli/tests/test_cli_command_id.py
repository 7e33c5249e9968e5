"""Every recording command has an identity (issue 11, item 2): ``--command-id``.

The CLI prints the command id it used (a fresh one when none is given); running the
command again with that id, after an answer that was lost, is reported as already
recorded and stores nothing new, including for the commands that create something
(their new id is derived from the command id unless ``--id`` is given).
"""

from __future__ import annotations

import re
from uuid import UUID, uuid4

import pytest
import typer
from cli_harness import Cli, event_count
from mentoring_cli import catalogue
from mentoring_cli.app import app
from store_state import HOSTILE_MENTOR, PROGRAMME, RELATIONSHIP, seed

COMMAND_ID_LINE = re.compile(r"^command id: ([0-9a-f-]{36})$", re.MULTILINE)


def test_every_recording_command_takes_a_command_id() -> None:
    root = typer.main.get_command(app)
    commands = {command for recorders in catalogue.RECORDED_BY.values() for command, _ in recorders}
    assert len(commands) == 38  # 29, programme appoint/relieve/profile, privacy erase,
    # reminders run and abandon, meeting group and group-correct, mentor recognise
    # `reminders run` records many reminders, each under its own stable id: a run repeated
    # records none twice (docs/cli.md, "Reminders"), with no command id to give.
    for path in sorted(commands - {"reminders run"}):
        group, name = path.split()
        command = root.commands[group].commands[name]  # type: ignore[attr-defined]
        options = {opt for param in command.params for opt in param.opts}
        assert "--command-id" in options, path


RETRIED = {
    "programme create": lambda: ["programme", "create", "--name", "Second", "--organisation", "X"],
    "programme enrol": lambda: [
        *("programme", "enrol", str(PROGRAMME), "--person", "dee"),
        *("--role", "mentor", "--experience-years", "12"),
    ],
    "pair propose": lambda: [
        *("pair", "propose", str(PROGRAMME)),
        *("--mentor", HOSTILE_MENTOR, "--mentee", "eve"),
    ],
    "goal set": lambda: [
        *("goal", "set", str(RELATIONSHIP), "--title", "Lead a huddle"),
        *("--focus-area", "teamwork", "--success-measure", "Four", "--target-date", "2027-06-30"),
    ],
    "meeting held": lambda: [
        *("meeting", "held", str(RELATIONSHIP), "--duration", "60", "--format", "video"),
    ],
    "pair pause": lambda: ["pair", "pause", str(RELATIONSHIP), "--reason", "leave"],
}


@pytest.fixture
def seeded(cli: Cli) -> Cli:
    seed(cli.store_url)
    from mentoring_core import MentoringService
    from mentoring_core.values import Role as R

    with MentoringService(cli.store_url) as service:
        service.enrol(PROGRAMME, "eve", R.MENTEE, 1, actor="c")
    return cli


@pytest.mark.parametrize("command", RETRIED)
def test_a_retry_with_the_printed_command_id_is_reported_already_recorded(
    seeded: Cli, command: str
) -> None:
    args = RETRIED[command]()
    first = seeded.run(*args)
    assert first.code == 0, str(first)
    assert first.stdout.startswith("Recorded "), str(first)
    printed = COMMAND_ID_LINE.findall(first.stdout)
    assert len(printed) == 1, str(first)
    command_id = UUID(printed[0])
    stored = event_count(seeded.store_url)

    again = seeded.run(*args, "--command-id", str(command_id))
    assert again.code == 0, str(again)
    assert again.stdout.startswith("Already recorded: "), str(again)
    assert "nothing new was stored" in again.stdout
    assert COMMAND_ID_LINE.findall(again.stdout) == [str(command_id)]
    assert event_count(seeded.store_url) == stored
    for label in ("programme id: ", "relationship id: ", "goal id: ", "meeting id: "):
        if label in first.stdout:  # the same new thing, not a second one
            assert first.stdout.split(label)[1][:36] == again.stdout.split(label)[1][:36]


def test_a_given_command_id_is_stored_with_the_events_and_retried_in_json(seeded: Cli) -> None:
    command_id = uuid4()
    args = [*RETRIED["goal set"](), "--command-id", str(command_id)]
    first = seeded.ok(*args)
    assert first["command_id"] == str(command_id) and first["already_recorded"] is False
    assert {e["command_id"] for e in first["events"]} == {str(command_id)}
    stored = event_count(seeded.store_url)
    again = seeded.ok(*args)
    assert again["command_id"] == str(command_id) and again["already_recorded"] is True
    assert again["id"] == first["id"] and again["version"] == first["version"]
    assert [e["type"] for e in again["events"]] == ["GoalSet"]
    assert event_count(seeded.store_url) == stored


def test_a_command_id_that_is_not_a_uuid_is_a_usage_error(seeded: Cli) -> None:
    stored = event_count(seeded.store_url)
    result = seeded.run(*RETRIED["pair pause"](), "--command-id", "again")
    assert result.code == 2, str(result)
    assert "'--command-id'" in result.stderr and "'again'" in result.stderr, str(result)
    assert event_count(seeded.store_url) == stored
