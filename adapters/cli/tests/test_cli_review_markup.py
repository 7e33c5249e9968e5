"""Stored texts and help are printed as written, never read as Rich markup.

Rich reads ``[erased]`` (and any ``[word]``) as a style tag and prints nothing for it:
``programme show`` showed an erased person's name and contact blank, ``pair show`` an
erased goal's title and expectations blank, and ``mentoring privacy --help`` read
"every text ... reads as ; ids". Every text of the store (and of the help) now shows
literally, brackets and all, in the text output (not only ``--json``).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from cli_harness import Cli

PROGRAMME = "9b2f3c1e-6d0a-4f7e-8a51-3c2d1e0f9a10"
ERASED_PAIR = "5d1e7a2c-9f3b-4c8d-a6e0-1b2c3d4e5f60"
KEPT_PAIR = "6e2f8b3d-0a4c-4d9e-b7f1-2c3d4e5f6a71"
BRACKETED_TITLE = "Chair a [bold]family[/bold] case [conference]"


def _ok(cli: Cli, *args: str) -> None:
    run = cli.run(*args)
    assert run.code == 0, str(run)


@pytest.fixture(scope="module")
def erased(tmp_path_factory: pytest.TempPathFactory) -> Cli:
    """noah (a mentee with a name, a contact, a goal and expectations) erased; grace kept,
    with a goal title full of brackets. Only read by the tests."""
    folder = tmp_path_factory.mktemp("erased")
    cli = Cli(f"sqlite:///{folder / 'store.db'}", folder)
    _ok(cli, "programme", "create", "--name", "P", "--organisation", "O", "--id", PROGRAMME)
    _ok(cli, "programme", "enrol", PROGRAMME, "--person", "amara", "--role", "mentor",
        "--experience-years", "14", "--name", "Amara [lead]")  # fmt: skip
    for person, pair in (("noah", ERASED_PAIR), ("grace", KEPT_PAIR)):
        _ok(cli, "programme", "enrol", PROGRAMME, "--person", person, "--role", "mentee",
            "--experience-years", "1", "--name", f"{person.title()} X",
            "--contact", f"{person}@example.org")  # fmt: skip
        _ok(cli, "pair", "form", PROGRAMME, "--mentor", "amara", "--mentee", person, "--id", pair)
        _ok(cli, "expectations", "agree", pair, "--expectation", f"Meet {person} weekly")
    for pair, title in ((ERASED_PAIR, "Noah's goal"), (KEPT_PAIR, BRACKETED_TITLE)):
        _ok(cli, "goal", "set", pair, "--title", title, "--focus-area", "communication",
            "--success-measure", "Two chaired", "--target-date", "2026-01-31")  # fmt: skip
    _ok(cli, "privacy", "erase", "noah", "--reason", "DSAR-10")
    return cli


def _row(text: str, first: str) -> str:
    """The line of a table whose first cell is ``first``."""
    found = [line for line in text.splitlines() if line.lstrip("│┃ ").startswith(first + " ")]
    assert len(found) == 1, text
    return found[0]


def test_programme_show_prints_an_erased_name_and_contact_as_erased(erased: Cli) -> None:
    shown = erased.run("programme", "show", PROGRAMME)
    assert shown.code == 0, str(shown)
    assert _row(shown.stdout, "noah").count("[erased]") == 2, shown.stdout
    assert "Amara [lead]" in _row(shown.stdout, "amara"), shown.stdout


def test_pair_show_prints_an_erased_goal_and_expectations_as_erased(erased: Cli) -> None:
    shown = erased.run("pair", "show", ERASED_PAIR)
    assert shown.code == 0, str(shown)
    assert "expectations  [erased]" in shown.stdout, shown.stdout
    goal_rows = [line for line in shown.stdout.splitlines() if "communication" in line]
    assert goal_rows and all("[erased]" in line for line in goal_rows), shown.stdout
    assert "next due:" in shown.stdout and "([erased])" in shown.stdout, shown.stdout


@pytest.mark.parametrize(
    "args",
    [
        ["pair", "show", KEPT_PAIR],
        ["history", KEPT_PAIR],
        ["due", "--within", "3650"],
        ["audit", "timeline", KEPT_PAIR],
        ["audit", "state-at", KEPT_PAIR, "--version", "3"],  # a view built in _render
    ],
    ids=lambda args: " ".join(args[:2]),
)
def test_a_stored_text_with_brackets_is_shown_as_written(erased: Cli, args: list[str]) -> None:
    shown = erased.run(*args)
    assert shown.code == 0, str(shown)
    assert "[bold]family[/bold] case [conference]" in shown.stdout.replace("\n", ""), shown.stdout


def test_history_and_due_show_erased_texts_as_erased(erased: Cli) -> None:
    history = erased.run("history", ERASED_PAIR)
    assert history.code == 0 and "title: [erased]" in history.stdout, str(history)
    assert "Meet noah" not in history.stdout
    due = erased.run("due", "--within", "3650")
    assert due.code == 0 and "[erased]" in due.stdout, str(due)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["privacy", "--help"], "reads as [erased]; ids"),
        (["privacy", "erase", "--help"], "reads as [erased]; ids"),
        (["privacy", "copy-keys", "--help"], "read as [erased] until"),
    ],
)
def test_help_shows_brackets_as_written(tmp_path: Path, args: list[str], expected: str) -> None:
    shown = Cli("memory://", tmp_path).run(*args, store=False)
    assert shown.code == 0, str(shown)
    flat = " ".join(line.strip("│ ") for line in shown.stdout.splitlines())
    assert expected in " ".join(flat.split()), shown.stdout


@pytest.mark.parametrize(
    "args", [["programme", "enrol", "--help"], ["pair", "show", "--help"], ["history", "--help"]]
)
def test_help_names_an_argument_s_type_not_the_function_that_reads_it(
    tmp_path: Path, args: list[str]
) -> None:
    """An id argument's type read ``<parse_uuid>`` in 44 commands' help: the name of the
    function that reads it, which means nothing to the reader."""
    shown = Cli("memory://", tmp_path).run(*args, store=False)
    assert shown.code == 0, str(shown)
    assert "parse_" not in shown.stdout, shown.stdout
