"""``reminders abandon``: a reminder whose channel refuses it for good (a mailbox that no
longer exists) was tried again by every run, each failing (``--once`` exiting 1 for
ever), with no way to give it up. A coordinator now abandons it: no run sends it again.
Against a real SMTP server on 127.0.0.1 that refuses one recipient with 550."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cli_harness import Cli
from smtp_sink import Mailbox, running
from test_cli_reminders import logged, seed

from mentoring_core import MentoringService
from mentoring_core.events import ReminderAbandoned

GONE = "mentee0@northside.test"


class Refusing(Mailbox):
    """A mailbox whose server refuses :data:`GONE` for good."""

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if address == GONE:
            return "550 5.1.1 mailbox unknown"
        envelope.rcpt_tos.append(address)
        return "250 OK"


@pytest.fixture
def refusing() -> Iterator[tuple[int, Mailbox]]:
    mailbox = Refusing()
    with running(mailbox) as port:
        yield port, mailbox


def test_a_reminder_refused_for_good_is_abandoned_and_not_tried_again(
    tmp_path: Path, refusing: tuple[int, Mailbox]
) -> None:
    port, mailbox = refusing
    cli = Cli(f"sqlite:///{tmp_path / 'store.db'}", tmp_path)
    programme = seed(cli.store_url, 1)
    mail = (
        *("reminders", "run", str(programme), "--smtp", f"127.0.0.1:{port}"),
        *("--from", "reminders@northside.test"),
    )
    first = cli.run(*mail, "--json")
    assert first.code == 1, str(first)
    said = (
        f"the mail server 127.0.0.1:{port} refused: mentee0@northside.test: 550 5.1.1 mailbox "
        "unknown (a refusal for good: 'mentoring reminders abandon' gives the reminder up)"
    )
    failed = json.loads(first.stdout)["failed"]
    assert len(failed) == 2 and all(f.endswith(f"to mentee0: {said}") for f in failed), failed
    assert len(mailbox.messages) == 2  # the mentor's two; the mentee's two refused
    again = cli.run(*mail)
    assert again.code == 1 and len(mailbox.messages) == 2  # tried again, refused again
    listed = cli.ok("reminders", "list", str(programme))["reminders"]
    unsent = [r["reminder_id"] for r in listed if r["sent_at"] is None]
    assert len(unsent) == 2 and all(
        r["person_id"] == "mentee0" for r in listed if r["reminder_id"] in unsent
    )
    for reminder in unsent:
        done = cli.ok("reminders", "abandon", str(programme), reminder, "--reason", "550: gone")
        assert done["events"][0]["type"] == "ReminderAbandoned"
        retried = cli.ok(
            *("reminders", "abandon", str(programme), reminder, "--reason", "550: gone"),
            *("--command-id", done["command_id"]),
        )
        assert retried["already_recorded"] is True  # a lost answer retried: nothing twice
    twice = cli.run("reminders", "abandon", str(programme), unsent[0], "--reason", "again")
    assert twice.code == 1 and "rule 'reminder-issued' broken" in twice.stderr, str(twice)
    assert "already recorded as sent or abandoned" in twice.stderr
    quiet = cli.run(*mail)
    assert quiet.code == 0 and "Not sent" not in quiet.stdout, str(quiet)
    assert len(mailbox.messages) == 2
    listed = cli.ok("reminders", "list", str(programme))["reminders"]
    assert sorted(r["reminder_id"] for r in listed if r["abandoned_at"]) == sorted(unsent)
    shown = cli.run("reminders", "list", str(programme))
    assert shown.stdout.count("abandoned ") == 2, shown.stdout
    issued, sent = logged(cli.store_url, programme)
    assert len(issued) == 4 and len(sent) == 2
    with MentoringService(cli.store_url) as service:
        history = service.history(programme)
    abandoned = [e for e in history if isinstance(e, ReminderAbandoned)]
    assert [(e.person_id, e.reason) for e in abandoned] == [("mentee0", "550: gone")] * 2


def test_abandoning_refuses_a_reminder_that_is_not_waiting(tmp_path: Path) -> None:
    cli = Cli(f"sqlite:///{tmp_path / 'store.db'}", tmp_path)
    programme = seed(cli.store_url, 1)
    unknown = "5b0c8a1e-2f3d-4e5f-8a9b-0c1d2e3f4a5b"
    refused = cli.run("reminders", "abandon", str(programme), unknown, "--reason", "gone")
    assert refused.code == 1 and f"reminder {unknown} is not waiting" in refused.stderr
    blank = cli.run("reminders", "abandon", str(programme), unknown, "--reason", "")
    assert blank.code == 2 and "Invalid value for '--reason'" in blank.stderr, str(blank)
    bad = cli.run("reminders", "abandon", str(programme), "r-1", "--reason", "gone")
    assert bad.code == 2 and "REMINDER_ID" in bad.stderr, str(bad)
