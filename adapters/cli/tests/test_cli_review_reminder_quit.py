"""``reminders run --smtp``: an e-mail is delivered once the server accepted its data,
whatever it answers to the ``QUIT`` that follows.

The notifier quit through ``smtplib.SMTP``'s context manager, which raises when the
answer to ``QUIT`` is not 221: a server answering 421 there (shutting down, as servers
do) had every reminder it had accepted reported as not sent, left unsent, and mailed
again by the next run (marked ``after_interruption``). Now the answer to ``QUIT`` (or
its absence) changes nothing: each reminder accepted is mailed once and marked sent. Against a real
SMTP server on 127.0.0.1.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cli_harness import Cli
from smtp_sink import Mailbox, running
from test_cli_reminders import logged, seed


class Closing(Mailbox):
    """A mailbox whose server answers ``QUIT`` with 421."""

    async def handle_QUIT(self, server: Any, session: Any, envelope: Any) -> str:
        return "421 4.3.2 shutting down"


@pytest.fixture
def closing() -> Iterator[tuple[int, Mailbox]]:
    mailbox = Closing()
    with running(mailbox) as port:
        yield port, mailbox


def test_a_reminder_accepted_is_sent_whatever_the_answer_to_quit(
    tmp_path: Path, closing: tuple[int, Mailbox]
) -> None:
    port, mailbox = closing
    cli = Cli(f"sqlite:///{tmp_path / 'store.db'}", tmp_path)
    programme = seed(cli.store_url, 1)
    mail = (
        *("reminders", "run", str(programme), "--smtp", f"127.0.0.1:{port}"),
        *("--from", "reminders@northside.test"),
    )
    first = cli.ok(*mail)
    assert first["failed"] == [] and len(first["sent"]) == len(mailbox.messages) == 4
    again = cli.ok(*mail)
    assert again["sent"] == [] and len(mailbox.messages) == 4
    issued, sent = logged(cli.store_url, programme)
    assert len(issued) == len(sent) == 4 and not any(e.after_interruption for e in sent)
