"""A mail server or webhook receiver that trickles its answer, a byte at a time, each
well within the sockets' timeout, held a reminder run for as long as it went on: and
the run holds its programme's reminder lock, so every later run found the programme
busy. Each send is now cut off once it has taken ``SEND_SECONDS`` in all; the reminder
stays issued and unsent, and the next run tries again.

The notifiers are driven here directly (their deadline shortened to a second), against
real servers on 127.0.0.1; the command runs them as it runs the others."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from uuid import uuid4

import pytest
from mentoring_cli import notifiers
from mentoring_cli.notifiers import SmtpNotifier, WebhookNotifier
from test_cli_review_reminder_receivers import answering

from mentoring_core.reminders import Notice, NotSent

NOTICE = Notice(
    reminder_id=uuid4(),
    person_id="mentor0",
    address="mentor0@northside.test",
    subject="Reminder (overdue): meeting",
    text="Hello mentor0,",
    payload={"type": "reminder"},
)


def _trickling(first: bytes, read_request: bool) -> Callable[[socket.socket], None]:
    """An answer: (the request read, for HTTP) ``first``, then a byte every 0.2 s for
    as long as the connection lasts."""

    def answer(connection: socket.socket) -> None:
        with connection:
            if read_request:
                connection.recv(65536)
            try:
                connection.sendall(first)
                for _ in range(300):
                    time.sleep(0.2)
                    connection.sendall(b"x")
            except OSError:  # the client cut it off
                return

    return answer


@pytest.fixture(autouse=True)
def a_second(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(notifiers, "SEND_SECONDS", 1.0)


def _refusal(send: Callable[[Notice], None]) -> tuple[str, float]:
    """What ``send`` raised (it must raise NotSent), and how long it took; a send that
    has not ended in 20 s fails the test rather than holding the suite."""
    found: list[BaseException] = []

    def run() -> None:
        try:
            send(NOTICE)
        except BaseException as error:
            found.append(error)

    started = time.monotonic()
    sending = threading.Thread(target=run, daemon=True)
    sending.start()
    sending.join(20)
    assert not sending.is_alive(), "the send was still going after 20 s"
    (error,) = found
    assert isinstance(error, NotSent), repr(error)
    return str(error), time.monotonic() - started


@pytest.fixture
def trickling_smtp() -> Iterator[int]:
    with answering(_trickling(b"220 mail.northside.test", read_request=False)) as url:
        yield int(url.rsplit(":", 1)[1].split("/")[0])


def test_a_mail_server_trickling_its_greeting_is_cut_off(trickling_smtp: int) -> None:
    notifier = SmtpNotifier(host="127.0.0.1", port=trickling_smtp, sender="r@northside.test")
    said, took = _refusal(notifier.send)
    assert took < 10
    assert said == (
        f"the mail server 127.0.0.1:{trickling_smtp} did not finish taking the e-mail within 1 s"
    )


@pytest.mark.parametrize(
    "first", [b"HTTP/1.1 2", b"HTTP/1.1 200 OK\r\nX-Slow: "], ids=["status", "headers"]
)
def test_a_receiver_trickling_its_answer_is_cut_off(first: bytes) -> None:
    with answering(_trickling(first, read_request=True)) as url:
        notifier = WebhookNotifier(url=url, key=b"k" * 32)
        said, took = _refusal(notifier.send)
    assert took < 10
    assert said == f"the webhook receiver {url} did not finish answering within 1 s"


def test_a_quick_send_is_not_cut_off_later() -> None:
    """The deadline ends with its send: a second send, after the first's second has
    passed, is not refused for it."""
    answered = b"HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n"

    def answer(connection: socket.socket) -> None:
        with connection:
            connection.recv(65536)
            connection.sendall(answered)

    with answering(answer) as url:
        notifier = WebhookNotifier(url=url, key=b"k" * 32)
        notifier.send(NOTICE)
        time.sleep(1.2)
        notifier.send(NOTICE)  # delivered: it would raise NotSent
