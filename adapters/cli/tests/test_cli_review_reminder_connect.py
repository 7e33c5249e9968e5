"""A send's connection phase inside its bound. The ``SEND_SECONDS`` cut off only the
sockets a send had connected: connecting itself (resolving the name, then trying each of
its addresses for up to ``TIMEOUT_SECONDS`` apiece) was outside it, so a server whose
address does not answer a connection held a run ``TIMEOUT_SECONDS`` per address, past
the bound the docs promise. Now the whole send, connecting included, ends within
``SEND_SECONDS``: the send is refused, saying so, and nothing is recorded as sent.

Real peers on 127.0.0.1, started here: one that never answers a connection (a listener
whose queue of connections is full, so the kernel drops what else comes), and one that
takes it and stays silent (the mail server's greeting never comes). The notifiers are
driven directly, and by a run of the core's ``remind``, their bound shortened to a
second (the command runs them as it runs the others)."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
from mentoring_cli import notifiers
from mentoring_cli.notifiers import SmtpNotifier, WebhookNotifier
from test_cli_reminders import logged, seed
from test_cli_review_reminder_trickle import _refusal

from mentoring_core import MentoringService
from mentoring_core.reminders import remind


@pytest.fixture(autouse=True)
def a_second(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(notifiers, "SEND_SECONDS", 1.0)


@pytest.fixture
def unanswered() -> Iterator[int]:
    """The port of a listener on 127.0.0.1 whose queue of connections is full: a
    connection to it is never answered (its SYN is dropped), until the test ends."""
    with ExitStack() as held:
        listener = held.enter_context(socket.socket())
        listener.bind(("127.0.0.1", 0))
        listener.listen(0)
        port = listener.getsockname()[1]
        for _ in range(8):
            probe = held.enter_context(socket.socket())
            probe.settimeout(0.3)
            try:
                probe.connect(("127.0.0.1", port))
            except TimeoutError:
                break  # the queue is full: the next connection hangs too
        else:
            pytest.skip("this kernel answers connections past a full listen queue")
        yield port


@pytest.fixture
def silent() -> Iterator[int]:
    """The port of a listener on 127.0.0.1 that takes connections and says nothing."""
    with socket.create_server(("127.0.0.1", 0)) as listener:
        yield listener.getsockname()[1]


def test_a_mail_server_that_does_not_answer_the_connection_is_cut_off(unanswered: int) -> None:
    notifier = SmtpNotifier(host="127.0.0.1", port=unanswered, sender="r@northside.test")
    said, took = _refusal(notifier.send)
    assert took < 3, took  # the connection's own timeout is TIMEOUT_SECONDS (10 s)
    assert said == (
        f"the mail server 127.0.0.1:{unanswered} did not finish taking the e-mail within 1 s"
    )


def test_a_mail_server_that_never_greets_is_cut_off(silent: int) -> None:
    notifier = SmtpNotifier(host="127.0.0.1", port=silent, sender="r@northside.test")
    said, took = _refusal(notifier.send)
    assert took < 3, took
    assert said == f"the mail server 127.0.0.1:{silent} did not finish taking the e-mail within 1 s"


def test_a_receiver_that_does_not_answer_the_connection_is_cut_off(unanswered: int) -> None:
    url = f"http://127.0.0.1:{unanswered}/hooks"
    said, took = _refusal(WebhookNotifier(url=url, key=b"k" * 32).send)
    assert took < 3, took
    assert said == f"the webhook receiver {url} did not finish answering within 1 s"


def test_a_run_whose_receiver_does_not_answer_records_nothing_as_sent(
    tmp_path: Path, unanswered: int
) -> None:
    """Each of the run's four reminders is issued, refused within the bound (the run
    took 10 s a reminder) and left unsent, for the next run."""
    url = f"sqlite:///{tmp_path / 'store.db'}"
    programme = seed(url, 1, contact=False)
    notifier = WebhookNotifier(url=f"http://127.0.0.1:{unanswered}/hooks", key=b"k" * 32)
    with MentoringService(url) as service:
        started = time.monotonic()
        run = remind(service, notifier, programme_id=programme, actor="reminders")
        took = time.monotonic() - started
        unsent = service.programme(programme).reminders_unsent
    assert took < 4 * 1 + 4, took
    issued, sent = logged(url, programme)
    assert len(run.issued) == len(issued) == len(unsent) == 4
    assert run.sent == () and sent == []
    assert len(run.failed) == 4
    assert all(f"{notifier.url} did not finish answering within 1 s" in f for f in run.failed)
