"""Recording and reading through the HTTP API, against the same work through the Python API.

``mentoring serve`` runs in a process of its own on a SQLite file; one client (one
kept-alive connection, a development token) records meetings as the mentor, then reads
the relationship back, one request after another. The baseline does the same through
``MentoringService`` on another SQLite file, in this process. Reported as operations/s
and a ratio (HTTP / Python): what the token check, the policy, the JSON and the network
add to each command and read.

Run with ``nox -s bench -- bench_http.py`` (``-- --commands N`` after it to change the size).
"""

from __future__ import annotations

import argparse
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import UUID

import httpx
from mentoring_http.tokens import generate_key_pair, issue_token

from mentoring_core import MentoringService
from mentoring_core.values import MeetingFormat, Role

START = datetime(2020, 1, 1, tzinfo=UTC)
ISSUER, AUDIENCE = "https://login.bench.test", "mentoring-api"


def rate(count: int, work: Callable[[int], object]) -> float:
    started = time.perf_counter()
    for i in range(count):
        work(i)
    return count / (time.perf_counter() - started)


def seeded_pair(url: str) -> UUID:
    """A programme with its coordinator, and ana (mentor) paired with ben (mentee)."""
    before = START - timedelta(days=1)  # every fact dated: the meetings are in 2020
    with MentoringService(url) as service:
        programme = service.create_programme(
            "Bench", "Bench Org", actor="admin", occurred_at=before
        ).id
        service.appoint_coordinator(programme, "coord", actor="admin", occurred_at=before)
        service.enrol(programme, "ana", Role.MENTOR, 12, actor="coord", occurred_at=before)
        service.enrol(programme, "ben", Role.MENTEE, 1, actor="coord", occurred_at=before)
        return service.form_pair(programme, "ana", "ben", actor="coord", occurred_at=START).id


def python_rates(url: str, commands: int) -> tuple[float, float]:
    pair = seeded_pair(url)
    with MentoringService(url) as service:
        recording = rate(
            commands,
            lambda i: service.record_meeting_held(
                pair, 60, MeetingFormat.ONE_ON_ONE, ["caseload"], actor="ana",
                occurred_at=START + timedelta(minutes=i),
            ),
        )  # fmt: skip
        reading = rate(commands, lambda i: service.relationship(pair))
    return recording, reading


def http_rates(folder: Path, commands: int) -> tuple[float, float]:
    url = f"sqlite:///{folder / 'http.db'}"
    pair = seeded_pair(url)
    private, jwks = generate_key_pair(folder / "keys")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "mentoring_cli", "--store", url, "serve", "--port", str(port),
         "--jwks", str(jwks), "--issuer", ISSUER, "--audience", AUDIENCE],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    token = issue_token(
        private, subject="ana", roles=[], issuer=ISSUER, audience=AUDIENCE, lifetime_seconds=3600
    )
    headers = {"Authorization": f"Bearer {token}"}
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", headers=headers) as client:
            _wait(client)
            path = f"/relationships/{pair}"

            def record(i: int) -> None:
                body = {"duration_minutes": 60, "format": "one_on_one", "topics": ["caseload"],
                        "occurred_at": (START + timedelta(minutes=i)).isoformat()}  # fmt: skip
                client.post(f"{path}/meetings", json=body).raise_for_status()

            recording = rate(commands, record)
            reading = rate(commands, lambda i: client.get(path).raise_for_status())
    finally:
        server.terminate()
        server.wait(30)
    return recording, reading


def _wait(client: httpx.Client) -> None:
    for _ in range(300):
        try:
            client.get("/schema/openapi.json").raise_for_status()
            return
        except httpx.TransportError:
            time.sleep(0.1)
    raise SystemExit("the server did not start")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--commands", type=int, default=1000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        python = python_rates(f"sqlite:///{Path(folder) / 'python.db'}", args.commands)
        http = http_rates(Path(folder), args.commands)
    print(f"through HTTP and through the Python API, SQLite (file), {args.commands} each:")
    for name, ours, baseline in zip(("recording meetings", "reading the relationship"),
                                    http, python, strict=True):  # fmt: skip
        print(f"  {name:<26} HTTP {ours:7.0f}/s  Python {baseline:7.0f}/s  "
              f"ratio HTTP / Python {ours / baseline:5.2f}")  # fmt: skip


if __name__ == "__main__":
    main()
