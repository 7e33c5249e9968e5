"""A mail server for the tests, on 127.0.0.1: a handler keeping what it receives."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager
from email import message_from_bytes
from typing import Any

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Mailbox:
    """An aiosmtpd handler keeping every message delivered."""

    def __init__(self) -> None:
        self.messages: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = message_from_bytes(envelope.original_content)
        self.messages.append((list(envelope.rcpt_tos), message))
        return "250 OK"


@contextmanager
def running(mailbox: Mailbox, **options: Any) -> Iterator[int]:
    """An SMTP server on 127.0.0.1 delivering to ``mailbox`` (aiosmtpd's ``options``, such
    as ``enable_SMTPUTF8``), until the block ends; its port."""
    port = free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port, **options)
    controller.start()
    try:
        yield port
    finally:
        controller.stop()
