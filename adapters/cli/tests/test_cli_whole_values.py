"""Text tables never cut an id, a person id, a status or a contact.

``pair list`` cut the relationship ids to ``4e951bbd-d97a-5ecf-95e8-4dda2d…`` and the
mentor's name to ``…`` (piped too; at 80 columns the mentor, mentee and status columns
disappeared), so ``pair list P | grep amara`` found none of amara's relationships;
``reminders list`` cut the reminder id that ``reminders abandon`` needs; ``programme
show`` cut contacts. Now such values are shown whole on a narrow terminal too (free
texts wrap instead, and a row wider than the terminal is left to it to wrap), and
piped output has whole rows, one a line.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator

import pytest
from cli_harness import ON_A_TERMINAL, Cli
from mentoring_cli import _demo
from smtp_sink import Mailbox, running

from mentoring_core import MentoringService

PROGRAMME = str(_demo.PROGRAMME_ID)

"""Runs its arguments with stdout on a pseudo-terminal, and copies what they wrote there."""

WIDTHS = ("piped", "piped, COLUMNS=80", "terminal of 80 columns", "terminal of 40 columns")


@pytest.fixture(scope="module")
def smtp_port() -> Iterator[int]:
    with running(Mailbox()) as port:
        yield port


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory, smtp_port: int) -> Cli:
    """The demo's store, with the reminders one run issued and sent."""
    folder = tmp_path_factory.mktemp("whole")
    cli = Cli(f"sqlite:///{folder / 'demo.db'}", folder)
    assert cli.run("demo").code == 0
    sent = cli.run("reminders", "run", PROGRAMME, "--smtp", f"127.0.0.1:{smtp_port}",
                   "--from", "coordinator@riverbend.example", "--once")  # fmt: skip
    assert sent.code == 0, str(sent)
    return cli


def _shown(cli: Cli, width: str, *args: str) -> str:
    """What ``mentoring ARGS`` writes at ``width`` ("piped": no COLUMNS, the CLI's choice)."""
    columns = width.removesuffix(" columns").rpartition(" ")[2].rpartition("=")[2]
    env = {"COLUMNS": columns, "TERM": "dumb"} if columns.isdigit() else {}
    if width.startswith("terminal"):
        wrapper = [sys.executable, "-c", ON_A_TERMINAL]
    else:
        wrapper = [] if env else ["env", "-u", "COLUMNS"]
    result = cli.run(*args, env=env, wrapper=wrapper)
    assert result.code == 0, str(result)
    return result.stdout.replace("\r\n", "\n")


@pytest.mark.parametrize("width", WIDTHS)
def test_pair_list_shows_whole_ids_people_and_statuses(demo: Cli, width: str) -> None:
    shown = _shown(demo, width, "pair", "list", PROGRAMME)
    assert "…" not in shown
    with MentoringService(demo.store_url) as service:
        states = service.relationships(_demo.PROGRAMME_ID)
    words = shown.split()
    for state in states:
        for value in (str(state.relationship_id), state.mentor_id, state.mentee_id):
            assert value in words, (value, shown)
        assert state.status.value in words, shown
    if width.startswith("piped"):  # one line a relationship: grep finds each
        amara = [line for line in shown.splitlines() if " amara " in line]
        mentored = [str(s.relationship_id) for s in states if s.mentor_id == "amara"]
        assert len(amara) == len(mentored) == 2, shown
        assert all(any(line.split()[0] == id_ for line in amara) for id_ in mentored), shown


@pytest.mark.parametrize("width", WIDTHS)
def test_reminders_list_shows_whole_reminder_ids_and_people(demo: Cli, width: str) -> None:
    shown = _shown(demo, width, "reminders", "list", PROGRAMME)
    reminders = demo.ok("reminders", "list", PROGRAMME)["reminders"]
    assert reminders
    words = shown.split()
    for reminder in reminders:
        assert reminder["reminder_id"] in words, shown
        assert reminder["person_id"] in words, shown
    assert "…" not in shown


@pytest.mark.parametrize("width", WIDTHS)
def test_programme_show_shows_whole_people_and_contacts(demo: Cli, width: str) -> None:
    shown = _shown(demo, width, "programme", "show", PROGRAMME)
    words = shown.replace("│", " ").split()
    for person in demo.ok("programme", "show", PROGRAMME)["participants"]:
        assert person["person_id"] in words, shown
        assert person["contact"] in words, shown
    assert "…" not in shown


def test_a_table_that_fits_the_terminal_keeps_to_its_width(demo: Cli) -> None:
    """Free texts wrap to the terminal when the whole values leave room for them."""
    shown = _shown(demo, "terminal of 200 columns", "reminders", "list", PROGRAMME)
    assert max(len(line) for line in shown.splitlines()) <= 200


@pytest.mark.parametrize("width", WIDTHS[:2])
def test_history_piped_shows_each_field_whole_on_its_line(demo: Cli, width: str) -> None:
    """Piped, ``history`` folded its details to 120 columns: ``reminder_id:`` on one line,
    the id split over the next two, so ``history P | grep ID`` found nothing."""
    shown = _shown(demo, width, "history", PROGRAMME)
    lines = shown.splitlines()
    for reminder in demo.ok("reminders", "list", PROGRAMME)["reminders"]:
        field = f"reminder_id: {reminder['reminder_id']}"
        assert any(field in line for line in lines), shown


@pytest.mark.parametrize("width", WIDTHS[:2])
def test_due_and_the_audit_tables_piped_keep_each_row_on_one_line(demo: Cli, width: str) -> None:
    """Piped, ``due`` wrapped a goal's title under its row, ``audit timeline`` each
    description and ``audit diff`` each long value over several lines: a ``grep`` for a
    mentee, an event or a text found half the row."""
    lines = _shown(demo, width, "due", "--programme", PROGRAMME).splitlines()
    for item in demo.ok("due", "--programme", PROGRAMME)["due"]:
        assert any(item["what"] in line and item["mentee_id"] in line for line in lines), lines
    lines = _shown(demo, width, "audit", "timeline", PROGRAMME).splitlines()
    for entry in demo.ok("audit", "timeline", PROGRAMME)["entries"]:
        assert any(entry["description"] in line for line in lines), (entry, lines)
    pair = "4e951bbd-d97a-5ecf-95e8-4dda2de624bb"  # Amara and Grace
    lines = _shown(demo, width, "audit", "diff", pair, "--from", "1", "--to", "20").splitlines()
    changes = demo.ok("audit", "diff", pair, "--from", "1", "--to", "20")["changes"]
    texts = [c for c in changes if isinstance(c["after"], str) and " " in c["after"]]
    assert texts
    for change in texts:
        assert any(change["path"] in line and change["after"] in line for line in lines), lines


@pytest.mark.parametrize("width", WIDTHS[:2])
def test_pair_show_and_programme_list_piped_keep_each_row_on_one_line(
    demo: Cli, width: str
) -> None:
    """Piped, ``pair show`` wrapped a goal's title and ``programme list`` a programme's
    name under their rows."""
    pair = "4e951bbd-d97a-5ecf-95e8-4dda2de624bb"  # Amara and Grace
    lines = _shown(demo, width, "pair", "show", pair).splitlines()
    for goal in demo.ok("pair", "show", pair)["goals"]:
        assert any(goal["goal_id"] in line and goal["title"] in line for line in lines), lines
    lines = _shown(demo, width, "programme", "list").splitlines()
    assert any(PROGRAMME in line and _demo.PROGRAMME_NAME in line for line in lines), lines
