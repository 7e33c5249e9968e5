"""What the HTTP tests share: keys and tokens, and a programme driven through the API."""

from __future__ import annotations

import contextlib
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import attrs
import httpx
import uvicorn
from token_mint import TokenMint


@attrs.frozen
class Keys:
    """Request headers carrying tokens of the test identity provider (:class:`TokenMint`)."""

    mint: TokenMint

    def headers(self, subject: str, roles: Iterable[str] = (), **extra: str) -> dict[str, str]:
        return {"Authorization": self.mint.bearer(subject, *roles), **extra}


def enrol(person: str, role: str, years: str) -> dict[str, Any]:
    return {"person_id": person, "role": role, "experience_years": years}


def pair(client: Any, keys: Keys) -> tuple[str, str]:
    """A programme, its coordinator coord.rhea, and ana (mentor) paired with ben (mentee)."""
    admin = keys.headers("admin.ada", ["administrator"])
    created = client.post(
        "/programmes", json={"name": "Pilot", "organisation": "Care"}, headers=admin
    )
    assert created.status_code == 201, created.text
    programme = created.json()["id"]
    appointed = client.post(
        f"/programmes/{programme}/coordinators", json={"person_id": "coord.rhea"}, headers=admin
    )
    assert appointed.status_code == 200, appointed.text
    coordinator = keys.headers("coord.rhea")
    for body in (enrol("ana", "mentor", "10"), enrol("ben", "mentee", "1")):
        assert (
            client.post(
                f"/programmes/{programme}/participants", json=body, headers=coordinator
            ).status_code
            == 200
        )
    opened = client.post(
        f"/programmes/{programme}/relationships",
        json={"mentor_id": "ana", "mentee_id": "ben", "direct": True},
        headers=coordinator,
    )
    assert opened.status_code == 201, opened.text
    return programme, opened.json()["id"]


GOAL = {
    "title": "Chair a case conference",
    "focus_area": "communication",
    "success_measure": "Chairs one unaided",
    "target_date": "2030-01-01",
}


def free_port() -> int:
    """A TCP port nobody listens on at the moment, on 127.0.0.1."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class Server:
    """``mentoring --store URL serve`` in a process of its own, on a free local port."""

    def __init__(self, store_url: str, keys: Keys, folder: Path) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = folder / "server.log"
        command = [
            sys.executable, "-m", "mentoring_cli", "--store", store_url, "serve",
            "--host", "127.0.0.1", "--port", str(self.port),
            "--jwks", str(keys.mint.jwks), "--issuer", keys.mint.issuer,
            "--audience", keys.mint.audience,
        ]  # fmt: skip
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                command, cwd=folder, stdout=log, stderr=subprocess.STDOUT
            )
        self._wait()

    def _wait(self) -> None:
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"the server exited: {self.log.read_text()}")
            try:
                if httpx.get(f"{self.base}/schema/openapi.json", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                time.sleep(0.1)
        self.stop()
        raise AssertionError(f"the server did not answer in time: {self.log.read_text()}")

    def stop(self) -> int:
        """Interrupt the server as Ctrl-C would; its exit status."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode


STARTUP_SECONDS = 30.0


@contextlib.contextmanager
def serving(app: Any) -> Iterator[str]:
    """``app`` (an ASGI application built by the test, such as ``create_app`` with a
    verifier of its own settings) served by uvicorn in a thread of this process, on a
    free local port; yields its base URL, and stops it on leaving."""
    config = uvicorn.Config(
        app, host="127.0.0.1", port=free_port(), log_level="warning", timeout_graceful_shutdown=2
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="test-uvicorn", daemon=True)
    thread.start()
    deadline = time.monotonic() + STARTUP_SECONDS
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise AssertionError("the in-process server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{config.port}"
    finally:
        server.should_exit = True
        thread.join(15)
