"""Every endpoint with every role, and with every kind of bad token: the exact status.

Roles (columns): A administrator, U auditor, C the programme's coordinator, M the
relationship's mentor, E its mentee, D the mentor of another relationship in the same
programme, X someone with no part in it. Each case runs on a programme of its own,
seeded for it, so that what one case records cannot change another's answer.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

import pytest
from http_harness import Keys
from http_matrix import ADMIN, ENDPOINTS, Endpoint, Seeded, seed
from litestar.testing import TestClient
from mentoring_http.app import create_app
from mentoring_http.tokens import TokenVerifier
from token_mint import TokenMint

from mentoring_core import MentoringService
from mentoring_core import commands as c
from mentoring_core.values import Role

CALLERS = {
    "A": ("admin.ada", ("administrator",)),
    "U": ("aud.ito", ("auditor",)),
    "C": ("coord.rhea", ()),
    "M": ("ana", ()),
    "E": (None, ()),  # the mentee of the relationship the endpoint is on: ben or cy
    "D": ("dee", ()),
    "X": ("zed", ()),
}

EXPECTED: dict[str, str] = {
    # endpoint:            A   U   C   M   E   D   X
    "create programme": "201 403 403 403 403 403 403",
    "list programmes": "200 200 200 200 200 200 200",
    "read programme": "200 200 200 200 200 200 404",
    "programme history": "200 200 200 200 200 200 404",
    "appoint coordinator": "200 403 403 403 403 403 404",
    "relieve coordinator": "200 403 403 403 403 403 404",
    "set policy": "403 403 200 403 403 403 404",
    "enrol": "403 403 200 403 403 403 404",
    "update profile": "403 403 200 403 403 403 404",
    "withdraw": "403 403 200 403 403 403 404",
    "open relationship": "403 403 201 403 403 403 404",
    "group session": "403 403 201 201 403 403 404",  # as ana: ana or a coordinator
    "correct group session": "403 403 200 200 403 403 404",  # as ana: ana or a coordinator
    "recognise mentor": "403 403 200 403 403 403 404",
    "list relationships": "200 200 200 200 200 200 404",
    "suggest mentors": "403 403 200 403 403 403 404",
    "due": "200 200 200 200 200 200 404",
    "report json": "200 200 200 403 403 403 404",
    "report csv": "200 200 200 403 403 403 404",
    "report html": "200 200 200 403 403 403 404",
    "read relationship": "200 200 200 200 200 404 404",
    "relationship history": "200 200 200 200 200 404 404",
    "timeline": "200 200 200 200 200 404 404",
    "state as of": "200 200 200 200 200 404 404",
    "accept": "403 403 403 403 200 404 404",  # in cy's name: only cy
    "decline": "403 403 403 403 200 404 404",  # likewise
    "expectations": "403 403 200 200 200 404 404",
    "set goal": "403 403 201 201 201 404 404",
    "revise goal": "403 403 200 200 200 404 404",
    "achieve goal": "403 403 200 200 200 404 404",
    "abandon goal": "403 403 200 200 200 404 404",
    "add activity": "403 403 201 201 201 404 404",
    "complete activity": "403 403 200 200 200 404 404",
    "set milestone": "403 403 201 201 201 404 404",
    "reach milestone": "403 403 200 200 200 404 404",
    "agree schedule": "403 403 409 409 409 404 404",  # agreed already: the domain's rule
    "change schedule": "403 403 200 200 200 404 404",
    "meeting held": "403 403 201 201 201 404 404",
    "meeting missed": "403 403 201 201 201 404 404",
    "meeting cancelled": "403 403 201 201 201 404 404",
    "correct meeting": "403 403 200 200 200 404 404",
    "feedback": "403 403 201 403 201 404 404",  # ben's: ben or a coordinator
    "reflection": "403 403 403 403 201 404 404",
    "evaluation": "403 403 201 201 403 404 404",
    "pause": "403 403 200 200 200 404 404",
    "resume": "403 403 409 409 409 404 404",  # not paused: the domain's rule
    "end": "403 403 200 409 409 404 404",  # for the programme: not by a participant
    "audit verification": "200 200 403 403 403 403 403",
    "audit digest": "200 200 403 403 403 403 403",
    "event feed": "200 200 403 403 403 403 403",
    "event stream": "200 200 403 403 403 403 403",
    "erase person": "200 403 403 403 403 403 403",
    "personal data": "200 403 403 403 403 403 403",
}

BAD_TOKENS = (
    "no token",
    "expired",
    "wrong audience",
    "wrong issuer",
    "wrong signature",
    "alg none",
    "HMAC with the public key",
)


@pytest.fixture(scope="module")
def matrix(keys: Keys) -> Iterator[tuple[MentoringService, TestClient]]:  # type: ignore[type-arg]
    settings = keys.mint.settings()
    with (
        MentoringService("memory://") as service,
        TestClient(create_app(service, TokenVerifier(settings))) as client,
    ):
        yield service, client


def _send(client: Any, endpoint: Endpoint, seeded: Seeded, headers: dict[str, str]) -> int:
    path, body = endpoint.path(seeded), endpoint.body(seeded)
    if endpoint.name == "event stream":  # a stream does not end: its status only
        return asyncio.run(_stream_status(client.app, path, headers))
    answer = client.request(endpoint.method, path, json=body, headers=headers)
    if answer.status_code >= 400:
        assert answer.headers["content-type"] == "application/problem+json", answer.text
    return int(answer.status_code)


async def _stream_status(app: Any, path: str, headers: dict[str, str]) -> int:
    """The status a stream answers with; the client then leaves (the TestClient would
    wait for the end of the body, which a live stream never reaches)."""
    status: list[int] = []
    started = asyncio.Event()

    async def receive() -> dict[str, Any]:
        await started.wait()
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            status.append(message["status"])
            started.set()

    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET",
        "scheme": "http", "path": path, "raw_path": path.encode(), "query_string": b"",
        "root_path": "", "client": ("127.0.0.1", 1), "server": ("testserver", 80),
        "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
    }  # fmt: skip
    await asyncio.wait_for(app(scope, receive, send), 10)
    return status[0]


def _subject(column: str, endpoint: Endpoint) -> tuple[str, tuple[str, ...]]:
    subject, roles = CALLERS[column]
    if subject is None:
        subject = "cy" if endpoint.on == "proposed" else "ben"
    return subject, roles


def test_the_table_names_every_endpoint_the_app_serves(matrix: Any) -> None:
    service, client = matrix
    document = client.app.openapi_schema.to_schema()
    served = {  # each HEAD is its GET's (test_http_docs.py)
        (m.upper(), p) for p, item in document["paths"].items() for m in item if m != "head"
    }
    seeded = seed(service)
    names = {str(seeded.programme): "{programme_id}"}
    names |= {str(getattr(seeded, r)): "{relationship_id}" for r in ("active", "proposed")}
    names[seeded.person] = "{person_id}"
    tabled = set()
    for endpoint in ENDPOINTS:
        path = endpoint.path(seeded).split("?")[0]
        for value, name in names.items():
            path = path.replace(value, name)
        tabled.add((endpoint.method, path))
    assert tabled == served
    assert [e.name for e in ENDPOINTS] == list(EXPECTED)


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.name)
@pytest.mark.parametrize("column", list(CALLERS))
def test_each_role_gets_the_exact_status(
    matrix: Any, keys: Keys, endpoint: Endpoint, column: str
) -> None:
    service, client = matrix
    subject, roles = _subject(column, endpoint)
    expected = int(EXPECTED[endpoint.name].split()[list(CALLERS).index(column)])
    status = _send(client, endpoint, seed(service), keys.headers(subject, roles))
    assert status == expected, f"{endpoint.name} by {column} ({subject})"


def _bad_token(kind: str, mint: TokenMint) -> dict[str, str]:
    """An administrator's token gone bad in one way (none at all, for ``no token``)."""
    if kind == "no token":
        return {}
    make = {
        "expired": mint.expired,
        "wrong audience": mint.wrong_audience,
        "wrong issuer": mint.wrong_issuer,
        "wrong signature": mint.wrong_signature,
        "alg none": mint.alg_none,
        "HMAC with the public key": mint.hmac_with_public_key,
    }[kind]
    return {"Authorization": f"Bearer {make('admin.ada', 'administrator')}"}


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.name)
@pytest.mark.parametrize("kind", BAD_TOKENS)
def test_a_bad_token_is_401_everywhere(
    matrix: Any, keys: Keys, endpoint: Endpoint, kind: str
) -> None:
    service, client = matrix
    headers = _bad_token(kind, keys.mint)
    seeded = seed(service)
    path, body = endpoint.path(seeded), endpoint.body(seeded)
    answer = client.request(endpoint.method, path, json=body, headers=headers)
    assert answer.status_code == 401, answer.text
    assert answer.headers["www-authenticate"].startswith("Bearer")
    assert answer.headers["content-type"] == "application/problem+json"
    if kind != "no token":
        assert 'error="invalid_token"' in answer.headers["www-authenticate"]


BODIES: dict[str, Callable[[dict[str, Any]], bytes]] = {
    "a field it does not have": lambda body: json.dumps({**body, "titel": "x"}).encode(),
    "not JSON": lambda body: b"{not json",
    "not an object": lambda body: b"[]",
    "over the size limit": lambda body: b'{"reason": "' + b"x" * 70_000 + b'"}',
}


@pytest.fixture(scope="module")
def seeded_once(matrix: Any) -> Seeded:
    """One seeded programme, for cases that record nothing."""
    return seed(matrix[0])


@pytest.mark.parametrize(
    "endpoint", [e for e in ENDPOINTS if e.method != "GET"], ids=lambda e: e.name
)
@pytest.mark.parametrize("body", list(BODIES))
@pytest.mark.parametrize("kind", ["no token", "expired"])
def test_authentication_comes_before_the_body_is_read(
    matrix: Any, keys: Keys, seeded_once: Seeded, endpoint: Endpoint, body: str, kind: str
) -> None:
    """Whoever sends no token (or one that cannot be trusted) learns nothing of the
    command, its fields or its limits: 401, whatever the body."""
    _, client = matrix
    headers = {**_bad_token(kind, keys.mint), "Content-Type": "application/json"}
    content = BODIES[body](endpoint.body(seeded_once) or {})
    path = endpoint.path(seeded_once)
    answer = client.request(endpoint.method, path, content=content, headers=headers)
    assert answer.status_code == 401, answer.text
    assert answer.json()["type"] == "urn:mentoring:problem:unauthenticated"


def test_options_lists_a_paths_methods_without_a_token(matrix: Any, seeded_once: Seeded) -> None:
    """It says nothing of the records: the only request answered without a token."""
    _, client = matrix
    answer = client.options(f"/programmes/{seeded_once.programme}/participants")
    assert answer.status_code == 204
    assert set(answer.headers["allow"].split(", ")) == {"OPTIONS", "POST"}


def test_a_mentor_reading_another_relationship_gets_404_never_the_data(
    matrix: Any, keys: Keys
) -> None:
    service, client = matrix
    seeded = seed(service)
    for tail in ("", "/history", "/timeline", "/state?at=2030-01-01T00:00:00Z"):
        answer = client.get(f"/relationships/{seeded.other}{tail}", headers=keys.headers("ana"))
        assert answer.status_code == 404
        # Quoted, because a random UUID in the detail may hold the letters "dee".
        assert '"eve"' not in answer.text and '"dee"' not in answer.text
        assert answer.json()["detail"] == f"no relationship with id {seeded.other} is recorded"


def _as_made_up(answer: Any, named: UUID) -> tuple[int, str, dict[str, Any]]:
    """An answer with the id it names put as ``<id>``: to compare with a made-up id's."""
    text = answer.text.replace(str(named), "<id>")
    return answer.status_code, answer.headers["content-type"], json.loads(text)


def _programme_of_others(service: MentoringService) -> UUID:
    """A relationship of another programme, whose coordinator is coord.tia alone."""
    run = service.execute
    programme = run(c.CreateProgramme(name="Elsewhere", organisation="Care"), actor=ADMIN).id
    run(c.AppointCoordinator(programme_id=programme, person_id="coord.tia"), actor=ADMIN)
    for person, role in (("ana", Role.MENTOR), ("kit", Role.MENTEE)):
        enrolled = c.EnrolParticipant(
            programme_id=programme, person_id=person, role=role, experience_years=Decimal(5)
        )
        run(enrolled, actor=ADMIN)
    opened = c.OpenRelationship(
        programme_id=programme, mentor_id="ana", mentee_id="kit", direct=True
    )
    return run(opened, actor="coord.tia").id


@pytest.mark.parametrize("path", ["group-sessions", "group-session-corrections"])
@pytest.mark.parametrize(
    ("caller", "mentor", "hidden"),
    [("dee", "dee", "active"), ("coord.rhea", "ana", "elsewhere")],
    ids=["another pair's mentor", "a coordinator of another programme"],
)
def test_a_group_session_naming_a_relationship_the_caller_cannot_read_is_a_made_up_id(
    matrix: Any, keys: Keys, path: str, caller: str, mentor: str, hidden: str
) -> None:
    """Named in a group session (or its correction), a relationship the caller may not
    read is answered as an id never recorded is: not "mentored by 'ana', not by 'dee'",
    nor "not in programme ...", which would tell who mentors it, or that it exists."""
    service, client = matrix
    seeded = seed(service)
    own = {"dee": seeded.other, "coord.rhea": seeded.second}[caller]
    unreadable = _programme_of_others(service) if hidden == "elsewhere" else seeded.active
    body: dict[str, Any] = {"mentor_id": mentor, "duration_minutes": 30, "topics": ["x"]}
    if path == "group-session-corrections":
        body = {"session_id": str(seeded.session), "mentor_id": mentor, "reason": "Length",
                "duration_minutes": 50}  # fmt: skip
    url, headers = f"/programmes/{seeded.programme}/{path}", keys.headers(caller)
    made_up = uuid4()
    answers = [
        client.post(url, json={**body, "relationship_ids": [str(own), str(named)]}, headers=headers)
        for named in (unreadable, made_up)
    ]
    assert answers[1].status_code == 404, answers[1].text
    assert _as_made_up(answers[0], unreadable) == _as_made_up(answers[1], made_up)
