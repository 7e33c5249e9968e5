"""Run the demo's reminders against a local mail server and show who got what.

``python tools/demo_reminders.py STORE_URL PROGRAMME_ID`` starts an SMTP sink (aiosmtpd)
on a free port of 127.0.0.1, runs ``mentoring reminders run PROGRAMME_ID --smtp ...
--once`` against it, prints each e-mail received (recipient and subject), then stops
the sink. Nothing leaves the machine. Used by ``nox -s demo``.
"""

from __future__ import annotations

import socket
import subprocess
import sys
from email import message_from_bytes
from typing import Any

from aiosmtpd.controller import Controller
from mentoring_cli._demo import EMAIL_DOMAIN

SENDER = f"coordinator@{EMAIL_DOMAIN}"


class Sink:
    """An aiosmtpd handler keeping each message's recipients and subject."""

    def __init__(self) -> None:
        self.received: list[tuple[str, str]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        subject = str(message_from_bytes(envelope.original_content)["Subject"])
        self.received.extend((to, subject) for to in envelope.rcpt_tos)
        return "250 OK"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def main(store: str, programme: str) -> int:
    sink = Sink()
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        command = [sys.executable, "-m", "mentoring_cli", "--store", store, "reminders", "run"]
        command += [programme, "--smtp", f"127.0.0.1:{port}", "--from", SENDER, "--once"]
        code = subprocess.run(command, check=False).returncode
    finally:
        controller.stop()
    print(f"The local mail server on 127.0.0.1:{port} received {len(sink.received)} e-mail(s):")
    for to, subject in sorted(sink.received):
        print(f"  {to}: {subject}")
    return code


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))
