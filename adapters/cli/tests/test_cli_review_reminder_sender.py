"""``reminders run --from`` takes one e-mail address, checked before anything is issued.

``--from "not an address"`` issued and sent every reminder owed with ``From: not an
address`` (and ``Message-ID`` on ``mentoring.invalid``). Now a sender that is not one
e-mail address is a usage error (exit 2, naming ``--from``): no reminder is issued or
sent, against a real SMTP server on 127.0.0.1.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from cli_harness import Cli
from smtp_sink import Mailbox
from test_cli_reminders import logged, seed

NOT_ONE_ADDRESS = [
    "not an address",
    "",
    "reminders@",
    "@northside.test",
    "a@northside.test, b@northside.test",
    "a@northside.test; b@northside.test",
    "a@northside.test b@northside.test",
    "reminders@northside.test\nBcc: everyone@northside.test",
    "rappels-réunion@northside.test",  # every e-mail would need a server taking SMTPUTF8
]


@pytest.mark.parametrize("sender", NOT_ONE_ADDRESS)
def test_a_sender_that_is_not_one_address_is_refused_before_anything_is_issued(
    tmp_path: Path, smtp: tuple[int, Mailbox], sender: str
) -> None:
    port, mailbox = smtp
    cli = Cli(f"sqlite:///{tmp_path / 'store.db'}", tmp_path)
    programme = seed(cli.store_url, 2)
    run = cli.run(
        *("reminders", "run", str(programme), "--smtp", f"127.0.0.1:{port}"),
        *("--from", sender),
    )
    assert run.code == 2, str(run)
    assert run.stdout == "", str(run)
    assert run.stderr.startswith("error: Invalid value for '--from'"), str(run)
    assert len(run.stderr.splitlines()) == 1, str(run)
    assert mailbox.messages == []
    assert logged(cli.store_url, programme) == ([], [])


@pytest.mark.parametrize(
    "sender",
    [
        "reminders@northside.test",
        "Reminders <reminders@northside.test>",
        '"Care, North" <r@n.test>',
    ],
)
def test_one_address_with_or_without_a_name_is_the_sender(
    tmp_path: Path, smtp: tuple[int, Mailbox], sender: str
) -> None:
    port, mailbox = smtp
    cli = Cli(f"sqlite:///{tmp_path / 'store.db'}", tmp_path)
    programme = seed(cli.store_url, 1)
    run = cli.ok(
        *("reminders", "run", str(programme), "--smtp", f"127.0.0.1:{port}"),
        *("--from", sender),
    )
    assert len(run["sent"]) == len(mailbox.messages) > 0
    assert {message["From"] for _, message in mailbox.messages} == {sender}
