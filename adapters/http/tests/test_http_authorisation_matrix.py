"""Every endpoint with every role, and with every kind of bad token: the exact status.

Roles (columns): A administrator, U auditor, C the programme's coordinator, M the
relationship's mentor, E its mentee, D the mentor of another relationship in the same
programme, X someone with no part in it. Each case runs on a programme of its own,
seeded for it, so that what one case records cannot change another's answer.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
from http_harness import Keys
from http_matrix import ENDPOINTS, Endpoint, Seeded, seed
from litestar.testing import TestClient
from mentoring_http.app import create_app
from mentoring_http.tokens import TokenVerifier
from token_mint import TokenMint

from mentoring_core import MentoringService

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
