"""``reminders run --smtp`` and the contacts recorded on enrolment: an e-mail reaches one
address, the contact's, or nobody; a contact is never a reason for a traceback.

A contact the notifier took for an address (``parseaddr`` found one) was not always one:
``mentor@[northside.test`` was issued a reminder, then building the e-mail raised
(AttributeError inside the header parser), so the run ended with a traceback; the
reminder stayed issued and unsent, and every later run, which sends those first, ended
the same way before reminding anyone. ``a@northside.test, b@northside.test`` had one
person's reminder mailed to two addresses. Now a recipient is what ``--from`` is, one
e-mail address (a local part in UTF-8 too, for a server that takes SMTPUTF8): anything
else is listed as not reminded and nothing is issued for it. Against a real SMTP server
on 127.0.0.1.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from uuid import UUID

import pytest
from cli_harness import Cli
from smtp_sink import Mailbox, free_port, running
from test_cli_reminders import logged, seed

from mentoring_core import MentoringService


def mail(cli: Cli, programme: UUID, port: int) -> tuple[str, ...]:
    return (
        *("reminders", "run", str(programme), "--smtp", f"127.0.0.1:{port}"),
        *("--from", "reminders@northside.test"),
    )


@pytest.mark.parametrize(
    "contact",
    [
        "mentor0@[northside.test",
        "mentor0@northside.test, boss@northside.test",
        "mentor0@northside.test <boss@northside.test>",
        '"mentor0@northside.test',
    ],
)
def test_a_contact_that_is_not_one_address_is_not_reminded(
    tmp_path: Path, smtp: tuple[int, Mailbox], contact: str
) -> None:
    port, mailbox = smtp
    cli = Cli(f"sqlite:///{tmp_path / 'store.db'}", tmp_path)
    programme = seed(cli.store_url, 1, contacts={"mentor0": contact})
    run = cli.run(*mail(cli, programme, port), "--json")
    assert run.code == 0 and run.stderr == "", str(run)
    assert run.json()["unreachable"] == ["mentor0"]
    assert [rcpts for rcpts, _ in mailbox.messages] == [["mentee0@northside.test"]] * 2
    issued, sent = logged(cli.store_url, programme)
    assert {e.person_id for e in issued} == {"mentee0"} and len(sent) == 2


@pytest.fixture
def smtputf8() -> Iterator[tuple[int, Mailbox]]:
    """A mail server on 127.0.0.1 that takes SMTPUTF8."""
    mailbox = Mailbox()
    with running(mailbox, enable_SMTPUTF8=True) as port:
        yield port, mailbox


def test_an_address_in_utf8_is_reached(tmp_path: Path, smtputf8: tuple[int, Mailbox]) -> None:
    port, mailbox = smtputf8
    cli = Cli(f"sqlite:///{tmp_path / 'store.db'}", tmp_path)
    programme = seed(cli.store_url, 1, contacts={"mentor0": "José Núñez <josé@northside.test>"})
    run = cli.ok(*mail(cli, programme, port))
    assert run["unreachable"] == [] and len(run["sent"]) == 4
    assert sorted(rcpts[0] for rcpts, _ in mailbox.messages) == [
        *["josé@northside.test"] * 2,
        *["mentee0@northside.test"] * 2,
    ]


def test_a_reminder_left_unsent_to_someone_no_longer_reachable_is_not_a_failure_each_run(
    tmp_path: Path, smtp: tuple[int, Mailbox]
) -> None:
    """Issued while the mail server was down, then the mentor's data erased: their
    reminders can never be mailed. They were a failure of every later run (exit 1 for
    ever, "the next run tries again"); now they are listed as not reminded, as a
    reminder owed to someone without an address is, and the runs succeed."""
    port, mailbox = smtp
    cli = Cli(f"sqlite:///{tmp_path / 'store.db'}", tmp_path)
    programme = seed(cli.store_url, 1)
    down = cli.run(*mail(cli, programme, free_port()))
    assert down.code == 1 and "4 reminder(s) could not be sent" in down.stderr, str(down)
    with MentoringService(cli.store_url) as service:
        service.erase_person("mentor0", "left the organisation", actor="dpo")
    for _ in range(2):
        run = cli.ok(*mail(cli, programme, port))
        assert run["failed"] == [] and run["unreachable"] == ["mentor0"], run
    assert [rcpts for rcpts, _ in mailbox.messages] == [["mentee0@northside.test"]] * 2
