"""End to end: ``mentoring serve`` in a process of its own, on SQLite and on PostgreSQL,
driven through a whole programme over HTTP with a token for each role."""

from __future__ import annotations

import base64
import json
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
from http_harness import Keys, Server, enrol, serving
from mentoring_core_postgres.testing import TEST_SERVER_URL, postgres_store_url
from mentoring_http._feed import cursor
from mentoring_http.app import create_app
from mentoring_http.tokens import TokenVerifier
from psycopg import sql

from mentoring_core import MentoringService


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def server(request: pytest.FixtureRequest, tmp_path: Path, keys: Keys) -> Iterator[Server]:
    if request.param == "sqlite":
        served = Server(f"sqlite:///{tmp_path / 'store.db'}", keys, tmp_path)
        yield served
        served.stop()
        return
    with postgres_store_url("http") as url:
        served = Server(url, keys, tmp_path)
        yield served
        served.stop()


class Person:
    """Someone calling the API with their own token."""

    def __init__(self, server: Server, keys: Keys, subject: str, *roles: str) -> None:
        self.client = httpx.Client(base_url=server.base, headers=keys.headers(subject, roles))

    def post(self, path: str, body: dict[str, Any], status: int = 200, **headers: str) -> Any:
        answer = self.client.post(path, json=body, headers=headers)
        assert answer.status_code == status, answer.text
        return answer.json()

    def put(self, path: str, body: dict[str, Any], status: int = 200) -> Any:
        answer = self.client.put(path, json=body)
        assert answer.status_code == status, answer.text
        return answer.json()

    def get(self, path: str, status: int = 200) -> httpx.Response:
        answer = self.client.get(path)
        assert answer.status_code == status, answer.text
        return answer


POLICY = {
    "cadence": [{"cadence": {"kind": "fortnightly"}}],
    "minimum_meeting_minutes": 30,
    "participation": "voluntary",
    "minimum_experience_gap_years": "2",
    "review_interval_days": 90,
}


def _programme(admin: Person, coordinator: Person) -> tuple[str, str]:
    """A programme with three people and one proposed pairing, accepted by the mentee."""
    programme = admin.post("/programmes", {"name": "Pilot", "organisation": "Care"}, 201)["id"]
    admin.post(f"/programmes/{programme}/coordinators", {"person_id": "coord.rhea"})
    coordinator.put(f"/programmes/{programme}/policy", {"policy": POLICY})
    for person in (enrol("ana", "mentor", "12"), enrol("ben", "mentee", "1"),
                   enrol("cy", "mentee", "2")):  # fmt: skip
        coordinator.post(f"/programmes/{programme}/participants", person)
    opened = coordinator.post(
        f"/programmes/{programme}/relationships",
        {"mentor_id": "ana", "mentee_id": "ben", "direct": False},
        201,
    )
    return programme, opened["id"]


def test_a_whole_programme_through_the_served_api(server: Server, keys: Keys) -> None:
    admin = Person(server, keys, "admin.ada", "administrator")
    coordinator = Person(server, keys, "coord.rhea")
    mentor, mentee = Person(server, keys, "ana"), Person(server, keys, "ben")
    auditor, stranger = Person(server, keys, "aud.ito", "auditor"), Person(server, keys, "cy")
    programme, rel = _programme(admin, coordinator)
    base = f"/relationships/{rel}"
    mentee.post(f"{base}/acceptance", {"accepted_by": "ben"})
    mentor.put(f"{base}/expectations", {"expectations": ["Meet fortnightly"]})
    goal = mentor.post(f"{base}/goals", {
        "title": "Chair a case conference", "focus_area": "communication",
        "success_measure": "Chairs one unaided", "target_date": "2030-06-30",
    }, 201)["id"]  # fmt: skip
    mentor.put(f"{base}/schedule", {"schedule": {
        "cadence": {"kind": "fortnightly"}, "duration_minutes": 60, "format": "one_on_one",
    }})  # fmt: skip
    meeting = mentor.post(f"{base}/meetings", {
        "duration_minutes": 60, "format": "one_on_one", "topics": ["caseload"],
    }, 201)["id"]  # fmt: skip
    mentor.post(f"{base}/feedback", {
        "from_person": "ana", "to_person": "ben", "kind": "recognition",
        "text": "Clear handover notes", "about_meeting_id": meeting,
    }, 201)  # fmt: skip
    mentor.post(f"{base}/feedback", {
        "from_person": "ana", "to_person": "ben", "kind": "constructive",
        "text": "Between us: slow down at handovers", "private": True,
    }, 201)  # fmt: skip
    mentee.post(f"{base}/reflections", {
        "ratings": [{"focus_area": "communication", "score": 3}], "text": "More confident",
    }, 201)  # fmt: skip
    mentor.post(f"{base}/evaluations", {
        "goal_progress": [{"goal_id": goal, "status": "on_track"}], "evidence": "Chaired half",
    }, 201)  # fmt: skip
    mentor.post(f"{base}/pause", {"reason": "Annual leave"})
    mentor.post(f"{base}/resumption", {})
    coordinator.post(f"{base}/ending", {"reason": "completed", "explanation": "Goals met"})
    state = mentee.get(base)
    assert state.json()["status"] == "ended"
    assert state.headers["etag"] == f'"{len(mentee.get(f"{base}/history").json()["events"])}"'
    assert len(state.json()["feedback"]) == 2  # the pair reads the private feedback
    assert len(coordinator.get(base).json()["feedback"]) == 1  # the coordinator does not
    assert "slow down" not in coordinator.get(f"{base}/history").text
    mentee.post(f"{base}/reflections", {"ratings": [], "text": "Again"}, 409)  # ended
    mentor.post(f"{base}/reflections", {"ratings": [], "text": "Mine"}, 403)  # only the mentee
    assert stranger.get(base, 404).json()["type"] == "urn:mentoring:problem:not-found"
    history = auditor.get(f"{base}/history").json()["events"]
    assert [e["actor"] for e in history][:2] == ["coord.rhea", "ben"]
    assert auditor.get("/audit/verification").json()["ok"] is True
    assert auditor.get(f"/programmes/{programme}/reports/compliance.csv").text.startswith(
        "programme_id,"
    )
    feed = auditor.get("/events?limit=1000").json()["events"]
    assert feed[-1]["event"]["type"] == "RelationshipEnded"


def test_the_live_stream_sends_each_event_as_it_is_recorded(server: Server, keys: Keys) -> None:
    admin = Person(server, keys, "admin.ada", "administrator")
    auditor = keys.headers("aud.ito", ["auditor"])  # the stream is the whole store's feed
    seen: list[dict[str, Any]] = []
    opened = threading.Event()

    def listen() -> None:
        with httpx.stream(
            "GET", f"{server.base}/events/stream", headers=auditor, timeout=20
        ) as answer:
            assert answer.headers["content-type"].startswith("text/event-stream")
            opened.set()
            for line in answer.iter_lines():
                if line.startswith("data: "):
                    seen.append(json.loads(line[6:]))
                    if len(seen) == 2:
                        return

    listener = threading.Thread(target=listen)
    listener.start()
    assert opened.wait(10)
    admin.post("/programmes", {"name": "First", "organisation": "Care"}, 201)
    admin.post("/programmes", {"name": "Second", "organisation": "Care"}, 201)
    listener.join(20)
    assert [e["name"] for e in seen] == ["First", "Second"]


def test_the_live_stream_ends_when_its_token_expires(service: MentoringService, keys: Keys) -> None:
    """A token is checked when the stream opens, and the stream ends once the token is
    no longer accepted (its exp plus the leeway): nothing recorded later reaches it."""
    leeway = 1
    app = create_app(service, TokenVerifier(keys.mint.settings(leeway_seconds=leeway)))
    token = keys.mint.token("aud.ito", "auditor", lifetime_seconds=3)
    claims = json.loads(base64.urlsafe_b64decode(token.split(".")[1] + "=="))
    expires_at = claims["exp"] + leeway
    lines: list[str] = []
    ended: list[float] = []
    opened = threading.Event()

    def listen(base: str) -> None:
        bearer = {"Authorization": f"Bearer {token}"}
        with httpx.stream("GET", f"{base}/events/stream", headers=bearer, timeout=30) as answer:
            opened.set()
            lines.extend(line for line in answer.iter_lines() if line)
        ended.append(time.time())

    with serving(app) as base:
        admin = keys.headers("admin.ada", ["administrator"])
        listener = threading.Thread(target=listen, args=(base,), daemon=True)
        listener.start()
        assert opened.wait(10)
        body = {"name": "Before", "organisation": "Care"}
        assert httpx.post(f"{base}/programmes", json=body, headers=admin).status_code == 201
        time.sleep(max(0.0, expires_at - time.time()) + 0.3)
        body = {"name": "After", "organisation": "Care"}
        assert httpx.post(f"{base}/programmes", json=body, headers=admin).status_code == 201
        listener.join(5)
    names = [json.loads(line[6:])["name"] for line in lines if line.startswith("data: ")]
    assert names == ["Before"]
    assert ended and ended[0] - expires_at < 2, "the stream stayed open after the token expired"
    assert lines[-1] == ": token expired"


def test_the_server_stops_cleanly_on_an_interrupt(server: Server) -> None:
    assert server.stop() == 0


def test_the_server_stops_promptly_with_a_stream_open(server: Server, keys: Keys) -> None:
    auditor = keys.headers("aud.ito", ["auditor"])
    opened = threading.Event()

    def listen() -> None:
        try:
            with httpx.stream("GET", f"{server.base}/events/stream", headers=auditor, timeout=30):
                opened.set()
                threading.Event().wait(30)
        except httpx.HTTPError:
            pass

    threading.Thread(target=listen, daemon=True).start()
    assert opened.wait(10)
    started = time.monotonic()
    assert server.stop() == 0
    assert time.monotonic() - started < 10


def test_concurrent_requests_are_all_recorded_and_chained(server: Server, keys: Keys) -> None:
    admin = keys.headers("admin.ada", ["administrator"])

    def create(n: int) -> int:
        body = {"name": f"Programme {n}", "organisation": "Care"}
        return httpx.post(
            f"{server.base}/programmes", json=body, headers=admin, timeout=30
        ).status_code

    with ThreadPoolExecutor(8) as pool:
        assert list(pool.map(create, range(16))) == [201] * 16
    auditor = keys.headers("aud.ito", ["auditor"])
    verified = httpx.get(f"{server.base}/audit/verification", headers=auditor, timeout=30).json()
    assert verified["ok"] is True and verified["records"] == 16


def test_a_reconnecting_stream_resumes_after_its_last_event_id(server: Server, keys: Keys) -> None:
    admin = Person(server, keys, "admin.ada", "administrator")
    for name in ("First", "Second", "Third"):
        admin.post("/programmes", {"name": name, "organisation": "Care"}, 201)
    auditor = keys.headers("aud.ito", ["auditor"])
    page = httpx.get(f"{server.base}/events", headers=auditor, timeout=10).json()["events"]
    resume = {**auditor, "Last-Event-ID": page[0]["cursor"]}
    with httpx.stream("GET", f"{server.base}/events/stream", headers=resume, timeout=20) as answer:
        lines = answer.iter_lines()
        first_id = next(line for line in lines if line.startswith("id: "))
        first_data = next(line for line in lines if line.startswith("data: "))
    assert first_id == f"id: {page[1]['cursor']}"
    assert json.loads(first_data[6:])["name"] == "Second"


def test_head_answers_as_get_would_without_the_body(server: Server, keys: Keys) -> None:
    """RFC 9110 (9.3.2): a server that answers GET answers HEAD, with the same status and
    headers and no body. Litestar routes HEAD only to handlers declared for it: every
    read answered 405."""
    admin = Person(server, keys, "admin.ada", "administrator")
    auditor = httpx.Client(base_url=server.base, headers=keys.headers("aud.ito", ["auditor"]))
    programme = admin.post("/programmes", {"name": "Pilot", "organisation": "Care"}, 201)["id"]
    for path in (f"/programmes/{programme}", f"/programmes/{programme}/history"):
        got, head = admin.client.get(path), admin.client.head(path)
        assert (head.status_code, head.content) == (200, b""), head.text
        for name in ("content-type", "content-length", "etag"):
            assert head.headers.get(name) == got.headers.get(name), name
    missing = admin.client.head("/programmes/00000000-0000-4000-8000-000000000000")
    assert (missing.status_code, missing.content) == (404, b"")
    nobody = httpx.head(f"{server.base}/programmes/{programme}")
    assert nobody.status_code == 401
    refused = admin.client.head(f"/programmes/{programme}/participants")
    assert refused.status_code == 405
    assert set(refused.headers["allow"].split(", ")) == {"OPTIONS", "POST"}  # set order
    started = time.monotonic()
    stream = auditor.head("/events/stream", timeout=10)  # answered, not held open
    assert (stream.status_code, stream.content) == (200, b"")
    assert stream.headers["content-type"].startswith("text/event-stream")
    assert time.monotonic() - started < 5
    assert admin.client.get(f"/programmes/{programme}").status_code == 200  # still serving


@pytest.mark.postgres
@pytest.mark.parametrize("resume", [{}, {"Last-Event-ID": cursor(0)}], ids=["new", "resumed"])
def test_opening_a_stream_never_holds_up_the_other_requests(
    tmp_path: Path, keys: Keys, resume: dict[str, str]
) -> None:
    """The stream's handler runs on the server's event loop; it read the log's end there,
    so while the store was slow to answer (here: its table locked by another session),
    every other request waited for it, even one that never touches the store."""
    with postgres_store_url("http") as url:
        served = Server(url, keys, tmp_path)
        try:
            schema = url.rsplit("schema=", 1)[1]
            auditor = keys.headers("aud.ito", ["auditor"])
            with psycopg.connect(TEST_SERVER_URL) as locker:
                tables = locker.execute(
                    "SELECT table_name FROM information_schema.tables WHERE table_schema = %s",
                    (schema,),
                ).fetchall()
                for (table,) in tables:
                    locker.execute(
                        sql.SQL("LOCK TABLE {} IN ACCESS EXCLUSIVE MODE").format(
                            sql.Identifier(schema, table)
                        )
                    )
                with ThreadPoolExecutor(1) as pool:
                    pool.submit(
                        httpx.get,
                        f"{served.base}/events/stream",
                        headers={**auditor, **resume},
                        timeout=2,
                    )
                    time.sleep(0.5)  # the stream's request reaches the server first
                    schema_document = httpx.get(f"{served.base}/schema/openapi.json", timeout=3)
                    locker.rollback()  # the stream's read goes on, then times out here
            assert schema_document.status_code == 200
        finally:
            served.stop()


def test_a_path_whose_escapes_are_not_utf8_is_refused_by_the_server(
    server: Server, keys: Keys
) -> None:
    """As uvicorn hands the path over: decoded, ``%ff`` as U+FFFD, beside the raw one."""
    admin = keys.headers("admin.ada", ["administrator"])
    answer = httpx.get(f"{server.base}/people/%ff/personal-data", headers=admin, timeout=10)
    assert answer.status_code == 400, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    assert "'%ff' is not UTF-8" in answer.json()["detail"]
    fine = httpx.get(f"{server.base}/people/b%C3%A9n/personal-data", headers=admin, timeout=10)
    assert fine.status_code != 400, fine.text


def test_a_number_too_large_for_a_float_is_400_naming_the_member(
    server: Server, keys: Keys
) -> None:
    """The served API answered ``{"amount": 1e400}`` with "Number out of range - at
    `$[...]`", naming no member; now the member is named, as any other value refused."""
    admin = httpx.Client(base_url=server.base, headers=keys.headers("admin.ada", ["administrator"]))
    answer = admin.post(
        "/programmes",
        content=b'{"name": "Pilot", "organisation": "Care", "amount": 1e400}',
        headers={"Content-Type": "application/json"},
    )
    assert answer.status_code == 400, answer.text
    why = "a number too large for a 64-bit float, which readers take as infinity or refuse"
    assert answer.json()["errors"] == [{"message": why, "key": "amount", "source": "body"}]
    assert admin.get("/programmes").json() == []  # nothing recorded
