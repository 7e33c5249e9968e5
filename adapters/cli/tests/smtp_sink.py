"""A mail server for the tests, on 127.0.0.1: a handler keeping what it receives."""

from __future__ import annotations

import socket
from email import message_from_bytes
from typing import Any


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
