"""``reminders run --webhook`` against receivers that do not answer 2xx as they should,
each a real server on 127.0.0.1.

A receiver answering a ``POST`` with a redirect (301, 302, 303) had urllib follow it as
a ``GET`` without the body, to wherever ``Location`` pointed (with the signature
headers), and a 2xx there was recorded as the reminder's delivery: the receiver never
had it, and no run sent it again. A receiver answering something that is not HTTP ended
the run with a traceback (``http.client.BadStatusLine``), with the reminder issued and
unsent (and a ``--follow`` ended). Now both are a refused send: the reminder stays
issued and unsent, the run says why (exit 1), and the next run tries again.

A receiver that answered 2xx and then held back the body it announced had the run wait
for that body: 10 seconds per reminder, then "could not be reached" though the receiver
had accepted it (so the next run sent it again); one that trickled its body held the run
for ever, past SIGTERM. The 2xx is the delivery: the body is not read.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest
from cli_harness import Cli
from test_cli_reminders import SECRET, logged, seed, serving


@pytest.fixture
def redirecting() -> Iterator[tuple[str, list[str]]]:
    """A receiver answering each POST with the status its path names (``/301``...) and a
    ``Location`` of ``/elsewhere``, and each GET with 200; the requests it had."""
    requests: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers["Content-Length"]))
            requests.append(f"POST {self.path}")
            self.send_response(int(self.path.strip("/")))
            self.send_header("Location", "/elsewhere")
            self.send_header("Content-Length", "0")
            self.end_headers()

        def do_GET(self) -> None:
            requests.append(f"GET {self.path}")
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    with serving(Handler) as url:
        yield url, requests


@contextmanager
def answering(answer: Callable[[socket.socket], None]) -> Iterator[str]:
    """A server on 127.0.0.1 that gives each connection to ``answer`` (in one thread, in
    turn), until the block ends; its URL."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.2)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                connection, _ = listener.accept()
            except TimeoutError:
                continue
            answer(connection)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}/hooks"
    finally:
        stop.set()
        thread.join(5)
        listener.close()


@pytest.fixture
def not_http() -> Iterator[str]:
    """A receiver that reads each request and answers a line that is not HTTP."""

    def answer(connection: socket.socket) -> None:
        with connection:
            connection.recv(65536)
            connection.sendall(b"this is not HTTP\r\n\r\n")

    with answering(answer) as url:
        yield url


@pytest.fixture
def stalling() -> Iterator[tuple[str, list[bytes]]]:
    """A receiver that reads each request, answers 200 announcing a body of 100 bytes,
    sends 3 and then nothing (the connection held open); the requests' bodies."""
    bodies: list[bytes] = []
    held: list[socket.socket] = []

    def answer(connection: socket.socket) -> None:
        request = connection.makefile("rb")
        length = 0
        while (line := request.readline()) not in (b"\r\n", b""):
            name, _, value = line.decode().partition(":")
            length = int(value) if name.lower() == "content-length" else length
        bodies.append(request.read(length))
        connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nabc")
        held.append(connection)

    try:
        with answering(answer) as url:
            yield url, bodies
    finally:
        for connection in held:
            connection.close()


def _secret(tmp_path: Path) -> tuple[str, str]:
    secret = tmp_path / "webhook.secret"
    secret.write_text(SECRET + "\n")
    return "--webhook-secret-file", str(secret)


@pytest.mark.parametrize("status", [301, 302, 303, 307])
def test_a_redirect_is_a_refused_send_not_followed(
    tmp_path: Path, redirecting: tuple[str, list[str]], status: int
) -> None:
    base, requests = redirecting
    cli = Cli(f"sqlite:///{tmp_path / 'store.db'}", tmp_path)
    programme = seed(cli.store_url, 1, contact=False)
    url = f"{base}/{status}"
    run = cli.run("reminders", "run", str(programme), "--webhook", url, *_secret(tmp_path))
    assert run.code == 1 and "4 reminder(s) could not be sent" in run.stderr, str(run)
    assert f"the webhook receiver {url} answered {status}" in run.stdout, str(run)
    assert "/elsewhere" in run.stdout, str(run)
    assert requests == [f"POST /{status}"] * 4  # nothing sent where Location pointed
    issued, sent = logged(cli.store_url, programme)
    assert len(issued) == 4 and sent == []


def test_an_answer_that_is_not_http_is_a_refused_send(tmp_path: Path, not_http: str) -> None:
    cli = Cli(f"sqlite:///{tmp_path / 'store.db'}", tmp_path)
    programme = seed(cli.store_url, 1, contact=False)
    run = cli.run("reminders", "run", str(programme), "--webhook", not_http, *_secret(tmp_path))
    assert run.code == 1 and "4 reminder(s) could not be sent" in run.stderr, str(run)
    assert "Traceback" not in run.stderr, str(run)
    assert f"the webhook receiver {not_http} gave an answer that is not HTTP" in run.stdout
    issued, sent = logged(cli.store_url, programme)
    assert len(issued) == 4 and sent == []


def test_a_2xx_is_delivery_whatever_follows_it(
    tmp_path: Path, stalling: tuple[str, list[bytes]]
) -> None:
    url, bodies = stalling
    cli = Cli(f"sqlite:///{tmp_path / 'store.db'}", tmp_path)
    programme = seed(cli.store_url, 1, contact=False)
    started = time.monotonic()
    run = cli.ok("reminders", "run", str(programme), "--webhook", url, *_secret(tmp_path))
    assert time.monotonic() - started < 10
    assert run["failed"] == [] and len(run["sent"]) == len(bodies) == 4
    issued, sent = logged(cli.store_url, programme)
    assert len(issued) == len(sent) == 4


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/hostname",
        "data:,hello",
        "ftp://127.0.0.1:1/x",
        "http://127.0.0.1:9/a\r\nX: y",
        "http://:9/x",
        "http://127.0.0.1:99999/x",
    ],
)
def test_a_webhook_notifier_made_by_a_program_takes_only_what_the_command_takes(
    url: str,
) -> None:
    """The command refuses such a --webhook (exit 2); a program making the notifier
    itself got urllib's other handlers (a file or data URL "answered", and the reminder
    was recorded as delivered), or a refused send at each reminder. The notifier is now
    refused when made, with the command's message."""
    from mentoring_cli.notifiers import WebhookNotifier

    with pytest.raises(ValueError, match="is not an http\\(s\\) URL") as refused:
        WebhookNotifier(url=url, key=b"k" * 32)
    assert str(refused.value).startswith(f"{url!r} is not an http(s) URL")


def test_a_receiver_s_words_reach_the_terminal_without_its_control_characters(
    tmp_path: Path,
) -> None:
    """A receiver chooses its answer's Location: an escape sequence in it (clearing the
    screen, or hiding the lines before) is shown escaped, not run by the terminal."""

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers["Content-Length"]))
            self.send_response(301)
            self.send_header("Location", "/x\x1b[2J\x1b[1A\x07")
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    cli = Cli(f"sqlite:///{tmp_path / 'store.db'}", tmp_path)
    programme = seed(cli.store_url, 1, contact=False)
    with serving(Handler) as url:
        run = cli.run("reminders", "run", str(programme), "--webhook", url, *_secret(tmp_path))
    assert run.code == 1, str(run)
    assert "answered 301" in run.stdout, str(run)
    assert "\x1b" not in run.stdout + run.stderr and "\x07" not in run.stdout, str(run)
    assert "/x\\x1b[2J\\x1b[1A\\x07" in run.stdout, str(run)
