"""HTTP itself, in process: what a body's Content-Type must say, the Allow header, 404s
on any path, If-Match where nothing has a version yet, the bearer challenge, and
moments that are text, never numbers."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any

import pytest
from http_harness import GOAL, Keys, pair
from mentoring_http._openapi import schema_references
from test_http_docs import document
from token_mint import b64

PROBLEM = "application/problem+json"
UNIX_SECONDS = 1764000000
"""2025-11-24T16:00:00Z as a number: what msgspec's lax mode reads as a moment."""
ISO_8601 = "ISO 8601 with an offset such as 2026-03-04T10:00:00+11:00"


def _goals(client: Any, keys: Keys, relationship: str) -> list[Any]:
    state = client.get(f"/relationships/{relationship}", headers=keys.headers("ana")).json()
    return list(state["goals"])


# A body's media type.


@pytest.mark.parametrize(
    "content_type",
    [
        None,
        "text/plain",
        "application/xml",
        "application/x-www-form-urlencoded",
        "text/json",
        "application/jsonx",
        "application/+json",
    ],
)
def test_a_body_not_sent_as_json_is_415_naming_both_types_and_records_nothing(
    client: Any, keys: Keys, content_type: str | None
) -> None:
    _, relationship = pair(client, keys)
    headers = {**keys.headers("ana"), **({"Content-Type": content_type} if content_type else {})}
    answer = client.post(
        f"/relationships/{relationship}/goals", content=json.dumps(GOAL).encode(), headers=headers
    )
    assert answer.status_code == 415, answer.text
    assert answer.headers["content-type"] == PROBLEM
    assert answer.headers["accept"] == "application/json"  # RFC 9110, 12.5.1
    problem = answer.json()
    assert problem["type"] == "urn:mentoring:problem:unsupported-media-type"
    assert problem["title"] == "Unsupported media type"
    received = "no Content-Type" if content_type is None else f"Content-Type {content_type!r}"
    assert problem["detail"] == (
        f"the body was sent with {received}; send it as application/json "
        "(or another JSON type, such as application/merge-patch+json)"
    )
    assert _goals(client, keys, relationship) == []


@pytest.mark.parametrize(
    "content_type",
    ["application/json", "application/json; charset=utf-8", "Application/JSON",
     "application/merge-patch+json"],
)  # fmt: skip
def test_a_body_sent_as_json_is_read(client: Any, keys: Keys, content_type: str) -> None:
    _, relationship = pair(client, keys)
    headers = keys.headers("ana", **{"Content-Type": content_type})
    answer = client.post(
        f"/relationships/{relationship}/goals", content=json.dumps(GOAL).encode(), headers=headers
    )
    assert answer.status_code == 201, answer.text


def test_every_body_is_refused_unless_json_and_only_once_the_token_is_trusted(
    client: Any, keys: Keys
) -> None:
    """A PUT command's body and an erasure's as a POST command's; without a trusted
    token the answer is a 401, whatever the body."""
    programme, relationship = pair(client, keys)
    text = {"Content-Type": "text/plain"}
    for path, method, who, body in (
        (f"/relationships/{relationship}/expectations", "PUT", keys.headers("ana"),
         {"expectations": ["Meet fortnightly"]}),
        ("/people/ben/erasure", "POST", keys.headers("admin.ada", ["administrator"]),
         {"reason": "DSAR-1"}),
    ):  # fmt: skip
        raw = json.dumps(body).encode()
        refused = client.request(method, path, content=raw, headers={**who, **text})
        assert refused.status_code == 415, refused.text
        nobody = client.request(method, path, content=raw, headers=text)
        assert nobody.status_code == 401, nobody.text
    admin = keys.headers("admin.ada", ["administrator"])
    recorded = [
        event["type"]
        for path in (f"/programmes/{programme}", f"/relationships/{relationship}")
        for event in client.get(f"{path}/history", headers=admin).json()["events"]
    ]
    assert "PersonalDataErased" not in recorded and "ExpectationsAgreed" not in recorded
    assert "RelationshipOpened" in recorded


def test_a_request_without_a_body_is_answered_as_before(client: Any, keys: Keys) -> None:
    """No body, no Content-Type: nothing was sent in another type, so no 415; every
    command reads a JSON body (``{}`` for a resumption), so it is the 400 of a body
    that is not JSON."""
    _, relationship = pair(client, keys)
    ana = keys.headers("ana")
    paused = client.post(f"/relationships/{relationship}/pause", json={"reason": "x"}, headers=ana)
    assert paused.status_code == 200, paused.text
    bare = client.post(f"/relationships/{relationship}/resumption", headers=ana)
    assert bare.status_code == 400, bare.text
    assert bare.json()["type"] == "urn:mentoring:problem:malformed-request"
    resumed = client.post(f"/relationships/{relationship}/resumption", json={}, headers=ana)
    assert resumed.status_code == 200, resumed.text


def test_the_document_lists_415_for_every_body() -> None:
    for path, item in document()["paths"].items():
        for method, operation in item.items():
            if "requestBody" in operation:
                assert "415" in operation["responses"], (method, path)


# Allow.

METHODS = ("get", "head", "post", "put", "patch", "delete", "options")


def _concrete(path: str, programme: str, relationship: str) -> str:
    return (
        path.replace("{programme_id}", programme)
        .replace("{relationship_id}", relationship)
        .replace("{person_id}", "ben")
    )


def test_every_allow_header_lists_exactly_the_methods_the_path_answers(
    client: Any, keys: Keys
) -> None:
    """OPTIONS and a 405 both say, for every path: its methods, HEAD beside GET, and
    OPTIONS. (Litestar's OPTIONS answer of a path whose methods were registered in two
    steps named only the first ones: ``OPTIONS, POST`` for ``/programmes``.)"""
    programme, relationship = pair(client, keys)
    paths = client.get("/schema/openapi.json").json()["paths"]
    expected = {
        _concrete(path, programme, relationship): {m.upper() for m in item if m in METHODS}
        | {"OPTIONS"}
        for path, item in paths.items()
    }
    expected["/schema/openapi.json"] = {"GET", "HEAD", "OPTIONS"}
    assert expected["/programmes"] == {"GET", "HEAD", "OPTIONS", "POST"}
    admin = keys.headers("admin.ada", ["administrator"])
    for path, methods in expected.items():
        options = client.options(path)
        assert options.status_code == 204, path
        assert set(options.headers["allow"].split(", ")) == methods, path
        refused = client.delete(path, headers=admin)
        assert refused.status_code == 405, path
        assert refused.headers["content-type"] == PROBLEM
        assert set(refused.headers["allow"].split(", ")) == methods, path


def test_each_method_an_allow_header_lists_is_answered(client: Any, keys: Keys) -> None:
    programme, _ = pair(client, keys)
    admin = keys.headers("admin.ada", ["administrator"])
    for path in ("/programmes", f"/programmes/{programme}/relationships"):
        for method in client.options(path).headers["allow"].split(", "):
            if method in ("GET", "HEAD"):
                assert client.request(method, path, headers=admin).status_code == 200, method


# Any unknown path.


_METHODS_OF_NO_PATH = ("HEAD", "OPTIONS", "POST", "DELETE")
"""Each answered 404, without Allow: nothing is there. (Where a route's path parameter
does not parse, ``/relationships/not-a-uuid``, a method the route does not take is
found first: a 405 listing the route's methods.)"""


@pytest.mark.parametrize(
    "path",
    ["/schema/swagger", "/schema/redoc", "/schema/elements", "/schema/rapidoc",
     "/schema/openapi.yaml", "/schema/anything", "/schema/a/b", "/nowhere",
     "/relationships/not-a-uuid", "/programmes/00000000-0000-0000-0000-000000000000/nothing"],
)  # fmt: skip
def test_every_unknown_path_is_a_404_problem(client: Any, keys: Keys, path: str) -> None:
    for headers in ({}, keys.headers("ana")):
        answer = client.get(path, headers=headers)
        assert answer.status_code == 404, answer.text
        assert answer.headers["content-type"] == PROBLEM
        assert answer.json() == {
            "type": "urn:mentoring:problem:not-found",
            "title": "Not found",
            "status": 404,
            "detail": "Not Found",
        }
        for method in _METHODS_OF_NO_PATH[: 2 if "not-a-uuid" in path else 4]:
            other = client.request(method, path, headers=headers)
            assert (other.status_code, other.headers["content-type"]) == (404, PROBLEM), method
            assert "allow" not in other.headers


# If-Match on a creation.


@pytest.mark.parametrize("if_match", ['"5"', '"0"', '"1"', "*", "not an etag"])
def test_if_match_on_creating_a_programme_is_400_and_creates_nothing(
    client: Any, keys: Keys, if_match: str
) -> None:
    """Creating a programme takes no If-Match (docs/http.md, "Versions"): there is no
    version yet to match. Ignoring it would create what the client made conditional."""
    admin = keys.headers("admin.ada", ["administrator"])
    body = {"name": "Pilot", "organisation": "Care"}
    answer = client.post("/programmes", json=body, headers={**admin, "If-Match": if_match})
    assert answer.status_code == 400, answer.text
    assert answer.headers["content-type"] == PROBLEM
    message = "If-Match is not taken on a creation: a new programme has no version to match"
    assert answer.json() == {
        "type": "urn:mentoring:problem:malformed-request",
        "title": "The request cannot be read",
        "status": 400,
        "detail": f"{message}; send the request without it",
        "errors": [{"message": message, "key": "If-Match", "source": "header"}],
    }
    assert client.get("/programmes", headers=admin).json() == []
    assert client.post("/programmes", json=body, headers=admin).status_code == 201


@pytest.mark.parametrize("if_match", ['"5"', '"1"', "*"])
def test_if_match_on_an_erasure_is_400_and_erases_nothing(
    client: Any, keys: Keys, if_match: str
) -> None:
    """An erasure takes no If-Match either: a person's data has no version to match.
    Ignoring it would erase, beyond undoing, what the client made conditional."""
    pair(client, keys)
    admin = keys.headers("admin.ada", ["administrator"])
    target, body = "/people/ben/erasure", {"reason": "DSAR-1"}
    answer = client.post(target, json=body, headers={**admin, "If-Match": if_match})
    assert answer.status_code == 400, answer.text
    message = "If-Match is not taken on an erasure: a person's data has no version to match"
    assert answer.json()["errors"] == [{"message": message, "key": "If-Match", "source": "header"}]
    held = client.get("/people/ben/personal-data", headers=admin).json()
    assert "PersonalDataErased" not in json.dumps(held)
    erased = client.post(target, json=body, headers=admin)
    assert erased.status_code == 200 and erased.json()["recorded"], erased.text


@pytest.mark.parametrize(
    ("header", "value", "message"),
    [
        ("If-Match", 'W/"3"', 'If-Match \'W/"3"\' is not one ETag of this API, such as "7"'),
        ("If-Match", "7", "If-Match '7' is not one ETag of this API, such as \"7\""),
        (
            "Idempotency-Key",
            "a b",
            "Idempotency-Key 'a b' is not 1 to 200 visible ASCII characters",
        ),
    ],
)
def test_a_malformed_header_is_400_naming_it_in_errors(
    client: Any, keys: Keys, header: str, value: str, message: str
) -> None:
    """docs/http.md, the 400 row: each part of the request that cannot be read is in
    ``errors``, a header with ``source: header``."""
    _, relationship = pair(client, keys)
    headers = keys.headers("ana", **{header: value})
    answer = client.post(f"/relationships/{relationship}/goals", json=GOAL, headers=headers)
    assert answer.status_code == 400, answer.text
    assert answer.json()["detail"] == message
    assert answer.json()["errors"] == [{"message": message, "key": header, "source": "header"}]
    state = client.get(f"/relationships/{relationship}", headers=keys.headers("ana")).json()
    assert state["goals"] == []


# The bearer challenge.


@pytest.mark.parametrize(
    "authorization",
    [None, "", "Basic YWRtaW46YWRtaW4=", "Token abc", "Digest username=x", "Bearer"],
)
def test_a_request_without_a_bearer_token_is_challenged_without_an_error_code(
    client: Any, authorization: str | None
) -> None:
    """RFC 6750, 3.1: a request without authentication in the bearer scheme (none, or
    another scheme) is told to authenticate, with no error code."""
    headers = {} if authorization is None else {"Authorization": authorization}
    answer = client.get("/programmes", headers=headers)
    assert answer.status_code == 401
    assert answer.headers["www-authenticate"] == 'Bearer realm="mentoring"'
    assert answer.headers["content-type"] == PROBLEM
    assert answer.json()["detail"] == (
        "this request needs a bearer token (Authorization: Bearer <token>)"
    )


@pytest.mark.parametrize("authorization", ["Bearer abc", "bearer a.b.c", "Bearer a b"])
def test_a_bearer_token_refused_is_challenged_with_invalid_token(
    client: Any, authorization: str
) -> None:
    answer = client.get("/programmes", headers={"Authorization": authorization})
    assert answer.status_code == 401
    challenge = answer.headers["www-authenticate"]
    assert challenge.startswith('Bearer realm="mentoring", error="invalid_token", ')
    assert "error_description=" in challenge


@pytest.mark.parametrize("name", ["\u20ac", "caf\u00e9", 'a"b\\c', "\u2028"])
def test_a_refusal_naming_what_the_token_says_is_challenged_in_printable_ascii(
    client: Any, name: str
) -> None:
    """A token's header naming a member twice is refused before its signature is
    checked, naming the member: anyone can send one. The challenge's error_description
    holds only what RFC 6750 (3) allows, printable ASCII without a quote or a backslash
    (a header cannot carry a euro sign at all: the answer was an error of the server);
    the problem's detail names the member as it was sent."""
    header = '{"alg": "EdDSA", "typ": "at+jwt", "kid": "k", %s: 1, %s: 2}' % (
        (json.dumps(name),) * 2
    )
    token = ".".join(b64(part.encode()) for part in (header, "{}", "x"))
    answer = client.get("/programmes", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 401, answer.text
    assert f"names {name!r} twice" in answer.json()["detail"]
    challenge = answer.headers["www-authenticate"]
    description = challenge.split('error_description="', 1)[1]
    assert description.endswith('"')
    assert re.fullmatch(r"[\x20\x21\x23-\x5b\x5d-\x7e]*", description[:-1]), challenge
    assert "twice (RFC 7515, section 4)" in description


# Moments are ISO 8601 text.


def _moment_fields(document: dict[str, Any], reference: dict[str, Any]) -> list[str]:
    name = reference["$ref"].rsplit("/", 1)[1]
    properties = document["components"]["schemas"][name]["properties"]
    return sorted(
        field for field, schema in properties.items() if "date-time" in json.dumps(schema)
    )


def _bodies_with_moments(document: dict[str, Any]) -> list[tuple[str, str, str]]:
    found = []
    for path, item in document["paths"].items():
        for method, operation in item.items():
            body = operation.get("requestBody", {}).get("content", {}).get("application/json")
            if body is not None:
                found.extend((method, path, f) for f in _moment_fields(document, body["schema"]))
    return found


@pytest.mark.parametrize("value", [UNIX_SECONDS, 1764000000.5, "1764000000", "1e9", -5])
def test_a_number_where_a_body_takes_a_moment_is_400_naming_the_field(
    client: Any, keys: Keys, value: object
) -> None:
    """Every command's every moment (occurred_at, held_at): msgspec's lax mode read a
    number, or a number in a string, as Unix seconds."""
    programme, relationship = pair(client, keys)
    document = client.get("/schema/openapi.json").json()
    cases = _bodies_with_moments(document)
    assert ("post", "/programmes", "occurred_at") in cases
    assert ("post", "/relationships/{relationship_id}/meeting-corrections", "held_at") in cases
    admin = keys.headers("admin.ada", ["administrator"])
    for method, path, field in cases:
        target = _concrete(path, programme, relationship)
        answer = client.request(method, target, json={field: value}, headers=admin)
        assert answer.status_code == 400, (path, field, answer.text)
        problem = answer.json()
        assert problem["type"] == "urn:mentoring:problem:malformed-request"
        said = f"{field} is a moment, {ISO_8601}, not {value!r}"
        assert problem["errors"] == [{"message": said, "key": field, "source": "body"}]
        assert problem["detail"] == said


def test_a_meeting_dated_by_a_number_records_nothing(client: Any, keys: Keys) -> None:
    _, relationship = pair(client, keys)
    meeting = {"duration_minutes": 30, "format": "one_on_one", "topics": ["x"]}
    ana = keys.headers("ana")
    base = f"/relationships/{relationship}"
    for value in (UNIX_SECONDS, str(UNIX_SECONDS)):
        answer = client.post(
            f"{base}/meetings", json={**meeting, "occurred_at": value}, headers=ana
        )
        assert answer.status_code == 400, answer.text
        assert answer.json()["errors"][0]["key"] == "occurred_at"
    assert client.get(base, headers=ana).json()["meetings"] == []
    text = {**meeting, "occurred_at": "2026-12-01T10:00:00+11:00"}
    assert client.post(f"{base}/meetings", json=text, headers=ana).status_code != 400


def _queries_with_moments(document: dict[str, Any]) -> list[tuple[str, str]]:
    return [
        (path, parameter["name"])
        for path, item in document["paths"].items()
        for parameter in item.get("get", {}).get("parameters", [])
        if parameter["in"] == "query" and "date-time" in json.dumps(parameter["schema"])
    ]


@pytest.mark.parametrize("value", [str(UNIX_SECONDS), "1764000000.0", "1e9", "-5"])
def test_a_number_where_a_query_takes_a_moment_is_400_naming_it(
    client: Any, keys: Keys, value: str
) -> None:
    programme, relationship = pair(client, keys)
    document = client.get("/schema/openapi.json").json()
    cases = _queries_with_moments(document)
    assert ("/relationships/{relationship_id}/state", "at") in cases
    assert ("/programmes/{programme_id}/reports/compliance.csv", "as_of") in cases
    admin = keys.headers("admin.ada", ["administrator"])
    for path, name in cases:
        target = _concrete(path, programme, relationship)
        answer = client.get(target, params={name: value}, headers=admin)
        assert answer.status_code == 400, (path, name, answer.text)
        problem = answer.json()
        said = f"{name} is a moment, {ISO_8601}, not {value!r}"
        assert problem["errors"] == [{"message": said, "key": name, "source": "query"}]
        now = datetime.now(UTC).isoformat()
        fine = client.get(target, params={name: now}, headers=admin)
        assert fine.status_code == 200, (path, fine.text)


def test_the_document_says_date_time_of_every_moment_a_body_takes() -> None:
    """The cases above are found in the document: it must say date-time of each."""
    fields = {field for _, _, field in _bodies_with_moments(document())}
    assert fields == {"occurred_at", "held_at"}


# A query parameter that cannot be read.

_NOT_A_DATE = "Invalid RFC3339 encoded date"


@pytest.mark.parametrize(
    ("target", "key", "message"),
    [
        ("/events?limit=abc", "limit", "Expected `int`, got `str`"),
        ("/events?limit=0", "limit", "Expected `int` >= 1"),
        ("/programmes/{p}/due?within=soon", "within", "Expected `int`, got `str`"),
        ("/programmes/{p}/reports/compliance.json?from=May", "from", _NOT_A_DATE),
        ("/programmes/{p}/reports/compliance.csv?to=June", "to", _NOT_A_DATE),
        (
            "/relationships/{r}/state?at=2026-01-01T00:00:00Z&axis=sideways",
            "axis",
            "Invalid enum value 'sideways'",
        ),
        ("/programmes/{p}/suggestions", "mentee", "Missing required query parameter 'mentee'"),
        ("/relationships/{r}/state", "at", "Missing required query parameter 'at'"),
    ],
)
def test_a_query_parameter_that_cannot_be_read_is_named_as_sent_in_errors(
    client: Any, keys: Keys, target: str, key: str, message: str
) -> None:
    """docs/http.md, the 400 row: ``errors`` names each part of the request that cannot
    be read by the name the client sends (``from``, never the handler's ``start``) and
    its source as the API's own refusals say it (``query``, never ``ParamType.QUERY``);
    a required parameter left out is named there too."""
    programme, relationship = pair(client, keys)
    admin = keys.headers("admin.ada", ["administrator"])
    answer = client.get(target.format(p=programme, r=relationship), headers=admin)
    assert answer.status_code == 400, answer.text
    (error,) = answer.json()["errors"]
    assert error == {"message": message, "key": key, "source": "query"}


@pytest.mark.parametrize(
    ("target", "key"),
    [
        ("/events?limit=1000&limit=1", "limit"),
        ("/programmes/{p}/suggestions?mentee=ben&mentee=zoe", "mentee"),
        (
            "/programmes/{p}/reports/compliance.json?from=2026-01-01&to=2026-02-01&from=2025-01-01",
            "from",
        ),
    ],
)
def test_a_query_parameter_given_twice_is_400_naming_it(
    client: Any, keys: Keys, target: str, key: str
) -> None:
    """Each query parameter of this API takes one value. Given twice, the last was taken
    and the first dropped without a word (a report for another period than the client
    read in its own URL); now the request is refused, naming the parameter. Without a
    trusted token it stays a 401: the token is checked first."""
    programme, _ = pair(client, keys)
    admin = keys.headers("admin.ada", ["administrator"])
    answer = client.get(target.format(p=programme), headers=admin)
    assert answer.status_code == 400, answer.text
    problem = answer.json()
    assert problem["type"].endswith("malformed-request")
    assert problem["errors"] == [
        {"message": "given 2 times: give it once", "key": key, "source": "query"}
    ]
    assert client.get(target.format(p=programme)).status_code == 401


@pytest.mark.parametrize(
    ("target", "key", "takes"),
    [
        (
            "/programmes/{p}/reports/compliance.json?form=2026-01-01&to=2026-02-01",
            "form",
            "'from', 'to', 'as_of'",
        ),
        ("/programmes/{p}/reports/compliance.csv?asof=2026-01-01T00:00:00Z", "asof", None),
        ("/relationships/{r}/state?t=2026-01-01T00:00:00Z", "t", "'at', 'axis'"),
        ("/programmes?limit=10", "limit", "none"),
        ("/events?after=&lmit=5", "lmit", "'after', 'limit'"),
    ],
)
def test_a_query_parameter_the_request_does_not_take_is_400_naming_it(
    client: Any, keys: Keys, target: str, key: str, takes: str | None
) -> None:
    """A misspelt parameter was dropped without a word: ``asof=`` gave today's report to
    an auditor who asked for one as it stood, ``form=`` a report from the first event.
    Now it is refused, naming it and the parameters the request takes (those the
    OpenAPI document gives it), as a body's unknown field is. Without a trusted token it
    stays a 401."""
    programme, relationship = pair(client, keys)
    admin = keys.headers("admin.ada", ["administrator"])
    for method in ("GET", "HEAD"):
        answer = client.request(method, target.format(p=programme, r=relationship), headers=admin)
        assert answer.status_code == 400, answer.text
    answer = client.get(target.format(p=programme, r=relationship), headers=admin)
    problem = answer.json()
    assert problem["type"].endswith("malformed-request")
    assert problem["errors"] == [
        {"message": f"unknown query parameter {key!r}", "key": key, "source": "query"}
    ]
    if takes is not None:
        assert problem["detail"].endswith(f"; it takes {takes}"), problem["detail"]
    assert client.get(target.format(p=programme, r=relationship)).status_code == 401


def test_every_query_parameter_the_document_gives_is_taken(client: Any, keys: Keys) -> None:
    """The other side: no parameter the document lists is refused as unknown."""
    programme, relationship = pair(client, keys)
    admin = keys.headers("admin.ada", ["administrator"])
    for path, operations in document()["paths"].items():
        for method, operation in operations.items():
            names = [p["name"] for p in operation.get("parameters", []) if p["in"] == "query"]
            if method != "get" or not names or path.endswith("/stream"):
                continue
            url = path.format(programme_id=programme, relationship_id=relationship)
            query = "&".join(f"{name}=x" for name in names)
            answer = client.get(f"{url}?{query}", headers=admin)
            errors = answer.json().get("errors", []) if answer.status_code == 400 else []
            assert not [e for e in errors if e["message"].startswith("unknown")], (url, errors)


# What the document says of bodies' members.


def test_the_document_closes_every_value_a_body_holds(client: Any, keys: Keys) -> None:
    """docs/http.md, the 400 row: a member a body's value does not have
    (``schedule.in_working_hour``) is refused as the body's own are, so the document
    says ``additionalProperties: false`` of the value's schema too (a client built from
    the document, or a fuzzer, would otherwise send it and be refused)."""
    served = document()
    schemas = served["components"]["schemas"]
    bodies = [
        operation["requestBody"]
        for item in served["paths"].values()
        for operation in item.values()
        if "requestBody" in operation
    ]
    held: set[str] = set()
    pending = schema_references(bodies)
    assert {"SetGoal", "ErasureRequest"} <= pending
    while pending:
        name = pending.pop()
        held.add(name)
        pending |= schema_references(schemas[name]) - held
    objects = {name for name in held if "properties" in schemas[name]}
    assert {"MeetingSchedule", "Rating", "ProgrammePolicy"} <= objects
    assert {n for n in objects if schemas[n].get("additionalProperties") is not False} == set()
    _, relationship = pair(client, keys)
    schedule = {"cadence": "weekly", "in_working_hour": True}
    refused = client.put(
        f"/relationships/{relationship}/schedule",
        json={"schedule": schedule},
        headers=keys.headers("ana"),
    )
    assert refused.status_code == 400, refused.text
    assert refused.json()["errors"][0]["key"] == "schedule.in_working_hour"


# A body's members, each named once.


@pytest.mark.parametrize(
    ("path", "method", "text", "key"),
    [
        (
            "/relationships/{r}/goals",
            "POST",
            '{"title": "Chair a case conference", "focus_area": "communication", '
            '"success_measure": "Chairs one unaided", "target_date": "2030-01-01", '
            '"target_date": "2031-01-01"}',
            "target_date",
        ),
        (
            "/relationships/{r}/schedule",
            "PUT",
            '{"schedule": {"cadence": "weekly", "cadence": "monthly"}}',
            "schedule.cadence",
        ),
    ],
)
def test_a_body_naming_a_member_twice_is_400_naming_it_and_records_nothing(
    client: Any, keys: Keys, path: str, method: str, text: str, key: str
) -> None:
    """RFC 8259 leaves a member named twice to each reader: the API took the last value
    (a target date of 2031 where a gateway that logged the first read 2030), as the
    import and the token checks never do. Now it is refused, naming the member."""
    _, relationship = pair(client, keys)
    before = client.get(f"/relationships/{relationship}/history", headers=keys.headers("ana"))
    answer = client.request(
        method,
        path.format(r=relationship),
        content=text.encode(),
        headers=keys.headers("ana", **{"Content-Type": "application/json"}),
    )
    assert answer.status_code == 400, answer.text
    problem = answer.json()
    assert problem["type"].endswith("malformed-request")
    assert problem["errors"] == [
        {"message": "named twice in one JSON object: name it once", "key": key, "source": "body"}
    ]
    after = client.get(f"/relationships/{relationship}/history", headers=keys.headers("ana"))
    assert after.json() == before.json()


TOO_LARGE = "a number too large for a 64-bit float, which readers take as infinity or refuse"
TOO_LONG = "an integer of 5000 digits, more than the 4300 Python converts"


@pytest.mark.parametrize(
    ("number", "key", "why"),
    [
        ("1e400", "schedule.duration_minutes", TOO_LARGE),
        ("-1e400", "schedule.duration_minutes", TOO_LARGE),
        ("9" * 5000, "schedule.duration_minutes", TOO_LONG),
        ("NaN", "schedule.duration_minutes", "NaN, which is not a JSON value"),
    ],
)
def test_a_number_readers_take_differently_is_400_naming_it_and_records_nothing(
    client: Any, keys: Keys, number: str, key: str, why: str
) -> None:
    """msgspec refuses a number beyond a 64-bit float or an integer of more than 4,300
    digits: the API answered "Number out of range - at `$[...][...]`", naming no member,
    where any other value it refuses is named."""
    _, relationship = pair(client, keys)
    before = client.get(f"/relationships/{relationship}/history", headers=keys.headers("ana"))
    text = (
        f'{{"schedule": {{"cadence": {{"kind": "weekly"}}, "duration_minutes": {number}, '
        '"format": "one_on_one"}}'
    )
    answer = client.put(
        f"/relationships/{relationship}/schedule",
        content=text.encode(),
        headers=keys.headers("ana", **{"Content-Type": "application/json"}),
    )
    assert answer.status_code == 400, answer.text
    problem = answer.json()
    assert problem["type"].endswith("malformed-request")
    assert problem["detail"] == f"in the body, {key!r} is {why}"
    assert problem["errors"] == [{"message": why, "key": key, "source": "body"}]
    after = client.get(f"/relationships/{relationship}/history", headers=keys.headers("ana"))
    assert after.json() == before.json()


# What a cache on the way may keep, and what a browser may make of an answer.

GUARDED = (
    "no-store",
    "nosniff",
    "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; "
    "frame-ancestors 'none'",
)


def _guarding(headers: Any) -> tuple[str | None, ...]:
    names = ("cache-control", "x-content-type-options", "content-security-policy")
    return tuple(headers.get(name) for name in names)


def test_every_answer_is_kept_by_no_cache_sniffed_or_framed(client: Any, keys: Keys) -> None:
    """Every read answers with personal data (names, contacts, feedback and reflections,
    opened) or about it, so none may be stored by a cache on the way or by a browser on
    a shared computer (RFC 9111, section 5.2.2.5): only the subject-access document said
    ``no-store``; a relationship's history, with its feedback, said nothing. Nor may a
    browser read a JSON answer holding a name such as ``<script>`` as a page
    (``nosniff``), run anything in one or frame it (the policy: the HTML report holds
    its style and its charts, and no script)."""
    programme, relationship = pair(client, keys)
    readers = [keys.headers("admin.ada", ["administrator", "auditor"]), keys.headers("coord.rhea")]
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    queries = {"suggestions": "?mentee=ben", "state": f"?at={now}"}
    read = []
    for path, operations in document()["paths"].items():
        if "get" not in operations or path.endswith("/stream"):
            continue
        url = path.format(programme_id=programme, relationship_id=relationship, person_id="ben")
        query = queries.get(path.rsplit("/", 1)[-1], "")
        answers = [client.get(url + query, headers=reader) for reader in readers]
        answer = next((a for a in answers if a.status_code == 200), answers[-1])
        assert answer.status_code == 200, (url, answer.text)
        read.append((url, _guarding(answer.headers)))
    assert len(read) > 15
    assert [(url, said) for url, said in read if said != GUARDED] == []
    for refused in (
        client.get(f"/relationships/{programme}", headers=readers[0]),  # 404
        client.get(f"/programmes/{programme}/suggestions?mentee=ben", headers=readers[0]),  # 403
        client.get("/programmes"),  # 401
        client.get("/people/%ff/personal-data", headers=readers[0]),  # 400, before routing
    ):
        assert refused.status_code >= 400 and _guarding(refused.headers) == GUARDED
