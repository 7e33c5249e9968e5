"""Every error message names an option the command has.

``programme create --id R`` (R a relationship's id) said "Invalid value for
'--programme-id'", ``pair form --id P`` "'--relationship-id'" (the option is ``--id``),
and recording a text about an erased person "Invalid value for '--FeedbackGiven'" (the
core names the field ``FeedbackGiven.text``). Checked end to end for those, and, for
every personal field of every event, that the option named is one of each recording
command's.
"""

from __future__ import annotations

import pytest
from cli_harness import Cli
from mentoring_cli.app import load, option_for
from mentoring_cli.catalogue import RECORDED_BY

from mentoring_core import events
from mentoring_core.privacy.sealing import personal_paths

PROGRAMME = "9b2f3c1e-6d0a-4f7e-8a51-3c2d1e0f9a10"
RELATIONSHIP = "5d1e7a2c-9f3b-4c8d-a6e0-1b2c3d4e5f60"
GOAL = ("--focus-area", "communication", "--success-measure", "s", "--target-date", "2026-12-30")


@pytest.fixture(scope="module")
def erased(tmp_path_factory: pytest.TempPathFactory) -> Cli:
    """A programme, amara (mentor) and grace (mentee, then erased), their relationship."""
    folder = tmp_path_factory.mktemp("names")
    cli = Cli(f"sqlite:///{folder / 'store.db'}", folder)
    for args in (
        ("programme", "create", "--name", "P", "--organisation", "O", "--id", PROGRAMME),
        ("programme", "enrol", PROGRAMME, "--person", "amara", "--role", "mentor",
         "--experience-years", "14"),
        ("programme", "enrol", PROGRAMME, "--person", "grace", "--role", "mentee",
         "--experience-years", "1", "--name", "Grace"),
        ("pair", "form", PROGRAMME, "--mentor", "amara", "--mentee", "grace", "--id", RELATIONSHIP),
        ("privacy", "erase", "grace", "--reason", "DSAR-1"),
    ):  # fmt: skip
        run = cli.run(*args)
        assert run.code == 0, str(run)
    return cli


CASES = {
    "programme create, a relationship's id": (
        ["programme", "create", "--name", "X", "--organisation", "Y", "--id", RELATIONSHIP],
        "--id",
    ),
    "pair form, a programme's id": (
        ["pair", "form", PROGRAMME, "--mentor", "amara", "--mentee", "grace", "--id", PROGRAMME],
        "--id",
    ),
    "pair propose, a programme's id": (
        [
            "pair",
            "propose",
            PROGRAMME,
            *("--mentor", "amara", "--mentee", "grace"),
            "--id",
            PROGRAMME,
        ],
        "--id",
    ),
    "feedback to an erased person": (
        [
            "feedback",
            "give",
            RELATIONSHIP,
            *("--from", "amara", "--to", "grace"),
            *("--kind", "recognition", "--text", "hello"),
        ],
        "--text",
    ),
    "reflection of an erased mentee": (
        ["reflection", "record", RELATIONSHIP, "--rating", "communication=3", "--text", "x"],
        "--text",
    ),
    "goal of an erased mentee": (["goal", "set", RELATIONSHIP, "--title", "T", *GOAL], "--title"),
}


@pytest.mark.parametrize("case", CASES)
def test_the_message_names_the_option_given(erased: Cli, case: str) -> None:
    args, option = CASES[case]
    run = erased.run(*args)
    assert run.code == 2, str(run)
    assert run.stderr.startswith(f"error: Invalid value for '{option}':"), str(run)


def _options(command: str) -> set[str]:
    group, _, name = command.partition(" ")
    found = load(group)
    clicked = found.commands[name] if name else found
    return {option for param in clicked.params for option in param.opts}


@pytest.mark.parametrize("event", sorted(RECORDED_BY))
def test_each_personal_field_is_named_as_an_option_of_the_commands_recording_it(
    event: str,
) -> None:
    cls = getattr(events, event)
    for path in personal_paths(cls):
        where = path.field if path.inner is None else f"{path.field}[0].{path.inner}"
        named = option_for(f"{event}.{where}").split(" (item", 1)[0]
        for command, _ in RECORDED_BY[event]:
            options = _options(command)
            assert set(named.split("/")) & options, (event, where, named, command)


def test_a_programme_id_in_use_is_refused_by_its_rule_not_as_a_race(erased: Cli) -> None:
    run = erased.run("programme", "create", "--name", "X", "--organisation", "Y", "--id", PROGRAMME)
    assert run.code == 1 and run.stdout == "", str(run)
    assert run.stderr == (
        f"error: rule 'programme-already-created' broken: programme id {PROGRAMME} is "
        "already in use; give another (or none, for a new one)\n"
    ), str(run)
