"""The resources in process: commands recorded as the token's subject, ETags, If-Match,
Idempotency-Key, problem details, the body limit, the feed's cursors."""

from __future__ import annotations

import base64
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from http_harness import GOAL, Keys, enrol
from http_harness import pair as _pair
from litestar.testing import TestClient
from mentoring_http._problems import conflict

from mentoring_core import ConcurrencyConflict
from mentoring_core.commands import IssueReminder
from mentoring_core.values import ReminderReason

Client = TestClient  # type: ignore[type-arg]
GUIDE = Path(__file__).resolve().parents[3] / "docs" / "http.md"


def test_the_actor_is_the_token_subject_and_the_etag_the_version(client: Any, keys: Keys) -> None:
    _, relationship = _pair(client, keys)
    answer = client.post(
        f"/relationships/{relationship}/goals", json=GOAL, headers=keys.headers("ana")
    )
    assert answer.status_code == 201
    assert answer.headers["etag"] == '"2"'
    assert answer.json()["events"][0]["actor"] == "ana"
    read = client.get(f"/relationships/{relationship}", headers=keys.headers("ben"))
    assert read.headers["etag"] == '"2"'
    assert read.json()["goals"][0]["title"] == "Chair a case conference"


def test_if_match_on_an_old_version_is_412_and_records_nothing(client: Any, keys: Keys) -> None:
    _, relationship = _pair(client, keys)
    ana = keys.headers("ana", **{"If-Match": '"1"'})
    assert (
        client.post(f"/relationships/{relationship}/goals", json=GOAL, headers=ana).status_code
        == 201
    )
    again = client.post(f"/relationships/{relationship}/goals", json=GOAL, headers=ana)
    assert again.status_code == 412
    assert again.headers["content-type"] == "application/problem+json"
    assert again.json()["expected_version"] == 1 and again.json()["actual_version"] == 2
    assert client.get(f"/relationships/{relationship}", headers=ana).headers["etag"] == '"2"'


def test_the_same_idempotency_key_returns_the_first_answer(client: Any, keys: Keys) -> None:
    _, relationship = _pair(client, keys)
    ana = keys.headers("ana", **{"Idempotency-Key": "goal-1"})
    first = client.post(f"/relationships/{relationship}/goals", json=GOAL, headers=ana)
    second = client.post(f"/relationships/{relationship}/goals", json=GOAL, headers=ana)
    assert second.status_code == first.status_code == 201
    assert second.json() == first.json()
    assert second.headers["idempotent-replayed"] == "true"
    state = client.get(f"/relationships/{relationship}", headers=ana).json()
    assert len(state["goals"]) == 1


def test_a_key_names_one_request_to_one_resource(client: Any, keys: Keys) -> None:
    """The same key sent to another command, or to the same command on another
    programme, is another request: recorded, not answered with what the key recorded
    elsewhere (a goal's events for a pause, another programme's relationship)."""
    programme, relationship = _pair(client, keys)
    ana = keys.headers("ana", **{"Idempotency-Key": "k1"})
    goal = client.post(f"/relationships/{relationship}/goals", json=GOAL, headers=ana)
    pause = client.post(f"/relationships/{relationship}/pause", json={"reason": "x"}, headers=ana)
    assert goal.status_code == 201 and pause.status_code == 200, pause.text
    assert "idempotent-replayed" not in pause.headers
    assert pause.json()["events"][0]["type"] == "RelationshipPaused"
    other, _ = _pair(client, keys)
    coordinator = keys.headers("coord.rhea", **{"Idempotency-Key": "open-1"})
    enrol_cai = enrol("cai", "mentee", "0")
    opened = []
    for target in (programme, other):
        enrolled = client.post(
            f"/programmes/{target}/participants", json=enrol_cai, headers=keys.headers("coord.rhea")
        )
        assert enrolled.status_code == 200, enrolled.text
        answer = client.post(
            f"/programmes/{target}/relationships",
            json={"mentor_id": "ana", "mentee_id": "cai", "direct": True},
            headers=coordinator,
        )
        assert answer.status_code == 201 and "idempotent-replayed" not in answer.headers
        opened.append(answer.json()["id"])
    assert opened[0] != opened[1]
    for target, relationship_id in zip((programme, other), opened, strict=True):
        listed = client.get(f"/programmes/{target}/relationships", headers=coordinator).json()
        assert relationship_id in str(listed)


def test_a_group_session_retried_with_its_key_answers_every_meeting_it_recorded(
    client: Any, keys: Keys
) -> None:
    programme, first_pair = _pair(client, keys)
    coordinator = keys.headers("coord.rhea")
    enrolled = client.post(
        f"/programmes/{programme}/participants",
        json=enrol("eli", "mentee", "1"),
        headers=coordinator,
    )
    assert enrolled.status_code == 200, enrolled.text
    second_pair = client.post(
        f"/programmes/{programme}/relationships",
        json={"mentor_id": "ana", "mentee_id": "eli", "direct": True},
        headers=coordinator,
    ).json()["id"]
    session = {
        "mentor_id": "ana",
        "relationship_ids": [first_pair, second_pair],
        "duration_minutes": 60,
        "topics": ["caseload"],
    }
    ana = keys.headers("ana", **{"Idempotency-Key": "session-1"})
    first = client.post(f"/programmes/{programme}/group-sessions", json=session, headers=ana)
    assert first.status_code == 201, first.text
    assert len(first.json()["events"]) == 2
    second = client.post(f"/programmes/{programme}/group-sessions", json=session, headers=ana)
    assert second.headers["idempotent-replayed"] == "true"
    assert second.status_code == 201
    assert second.json() == first.json()


def test_correcting_one_meeting_of_a_group_session_is_refused_as_the_guide_says(
    client: Any, keys: Keys
) -> None:
    """A group session's meeting corrected alone breaks the domain's rule (409
    ``rule-violation``, ``group-session``), records nothing, and the guide says so."""
    programme, first_pair = _pair(client, keys)
    coordinator = keys.headers("coord.rhea")
    client.post(
        f"/programmes/{programme}/participants",
        json=enrol("eli", "mentee", "1"),
        headers=coordinator,
    )
    second_pair = client.post(
        f"/programmes/{programme}/relationships",
        json={"mentor_id": "ana", "mentee_id": "eli", "direct": True},
        headers=coordinator,
    ).json()["id"]
    ana = keys.headers("ana")
    session = {"mentor_id": "ana", "relationship_ids": [first_pair, second_pair],
               "duration_minutes": 60, "topics": ["caseload"]}  # fmt: skip
    recorded = client.post(f"/programmes/{programme}/group-sessions", json=session, headers=ana)
    meeting = recorded.json()["events"][0]["meeting_id"]
    correction = {"meeting_id": meeting, "reason": "Longer", "duration_minutes": 75}
    path = f"/relationships/{first_pair}/meeting-corrections"
    refused = client.post(path, json=correction, headers=ana)
    problem = refused.json()
    assert (refused.status_code, problem["rule"]) == (409, "group-session"), refused.text
    assert client.get(f"/relationships/{first_pair}", headers=ana).headers["etag"] == '"2"'
    said = re.search(
        r"one of its meetings alone is a (\d+) `([^`]+)`, `([^`]+)`",
        GUIDE.read_text(encoding="utf-8"),
    )
    assert said is not None
    assert said.groups() == ("409", problem["type"].rsplit(":", 1)[1], problem["rule"])


def test_creating_a_programme_with_an_id_in_use_is_a_rule_violation_not_a_race(
    client: Any, keys: Keys
) -> None:
    """A retry can never succeed: the answer says the id is in use (as opening a
    relationship under an id in use does), not "reload and retry"; a retry with the
    first request's Idempotency-Key still gets the first answer."""
    admin = keys.headers("admin.ada", ["administrator"])
    chosen = "0b7a3c52-6d1e-4f0a-9c2b-5e8d7f1a2b3c"
    body = {"name": "Pilot", "organisation": "Care", "programme_id": chosen}
    keyed = {**admin, "Idempotency-Key": "create-pilot"}
    assert client.post("/programmes", json=body, headers=keyed).status_code == 201
    for headers in (
        admin,
        keys.headers("admin.ada", ["administrator"], **{"Idempotency-Key": "k2"}),
    ):
        again = client.post("/programmes", json={**body, "name": "Other"}, headers=headers)
        assert again.status_code == 409, again.text
        assert again.json() == {
            "type": "urn:mentoring:problem:rule-violation",
            "title": "A rule of the domain forbids this",
            "status": 409,
            "detail": f"rule 'programme-already-created' broken: programme id {chosen} is "
            "already in use; give another (or none, for a new one)",
            "rule": "programme-already-created",
            "values": f"programme id {chosen} is already in use; give another (or none, "
            "for a new one)",
        }
    replayed = client.post("/programmes", json=body, headers=keyed)
    assert replayed.status_code == 201 and replayed.headers["idempotent-replayed"] == "true"
    history = client.get(f"/programmes/{chosen}/history", headers=admin).json()["events"]
    assert [(e["type"], e["name"]) for e in history] == [("ProgrammeCreated", "Pilot")]


def test_a_broken_rule_is_a_409_problem_naming_the_rule(client: Any, keys: Keys) -> None:
    _, relationship = _pair(client, keys)
    ana = keys.headers("ana")
    assert (
        client.post(
            f"/relationships/{relationship}/pause", json={"reason": "leave"}, headers=ana
        ).status_code
        == 200
    )
    again = client.post(
        f"/relationships/{relationship}/pause", json={"reason": "leave"}, headers=ana
    )
    assert again.status_code == 409
    problem = again.json()
    assert problem["type"] == "urn:mentoring:problem:rule-violation"
    assert problem["rule"] == "relationship-not-paused"
    assert relationship in problem["values"]


def test_bad_values_are_422_and_unreadable_bodies_400(client: Any, keys: Keys) -> None:
    _, relationship = _pair(client, keys)
    ana = keys.headers("ana")
    blank = client.post(
        f"/relationships/{relationship}/goals", json={**GOAL, "title": " "}, headers=ana
    )
    assert blank.status_code == 422
    assert blank.json()["field"] == "title"
    typed = client.post(
        f"/relationships/{relationship}/goals", json={**GOAL, "title": 3}, headers=ana
    )
    assert typed.status_code == 400
    assert typed.json()["errors"][0]["key"] == "title"
    other = client.post(
        f"/relationships/{relationship}/goals",
        json={**GOAL, "relationship_id": "3f2a6c1e-8b1d-4c1e-9a6b-2d9c0e7f5a11"},
        headers=ana,
    )
    assert other.status_code == 422


MEETING = {"duration_minutes": 60, "format": "one_on_one", "topics": ["caseload"]}
FEEDBACK = {"from_person": "ana", "to_person": "ben", "kind": "recognition", "text": "Well done"}
RATED = {"ratings": [{"focus_area": "wellbeing", "score": 3}], "text": "Better"}


@pytest.mark.parametrize(
    ("path", "speaker", "body", "key", "message"),
    [
        (
            "meetings",
            "ana",
            {**MEETING, "duration_minutes": "60"},
            "duration_minutes",
            "int`, got `str",
        ),
        (
            "meetings",
            "ana",
            {**MEETING, "duration_minutes": 60.0},
            "duration_minutes",
            "int`, got `float",
        ),
        (
            "meetings",
            "ana",
            {**MEETING, "in_working_hours": "true"},
            "in_working_hours",
            "bool | null`, got `str",
        ),
        ("feedback", "ana", {**FEEDBACK, "private": "true"}, "private", "bool`, got `str"),
        ("feedback", "ana", {**FEEDBACK, "private": 1}, "private", "bool`, got `int"),
        (
            "reflections",
            "ben",
            {**RATED, "ratings": [{"focus_area": "wellbeing", "score": "3"}]},
            "ratings[0].score",
            "int`, got `str",
        ),
    ],
)
def test_a_value_of_the_wrong_json_type_is_400_naming_it_and_records_nothing(
    client: Any, keys: Keys, path: str, speaker: str, body: dict[str, Any], key: str, message: str
) -> None:
    """docs/http.md, the 400 row: a wrong type is refused, never read as another one
    (``"private": "true"`` or ``1`` recorded as true, ``"60"`` as 60)."""
    _, relationship = _pair(client, keys)
    base = f"/relationships/{relationship}"
    refused = client.post(f"{base}/{path}", json=body, headers=keys.headers(speaker))
    assert refused.status_code == 400, refused.text
    wrong = f"Expected `{message}`"
    assert refused.json()["errors"] == [{"message": wrong, "key": key, "source": "body"}]
    assert refused.json()["detail"] == f"{key}: {wrong}"
    history = client.get(f"{base}/history", headers=keys.headers("ben")).json()["events"]
    assert [e["type"] for e in history] == ["PairFormed"]


def test_an_unknown_field_is_400_naming_it_and_records_nothing(client: Any, keys: Keys) -> None:
    """A misspelt field is not dropped: ``privat`` would record a private reflection as
    one the coordinator reads; ``actor`` is the token's subject, never the body's."""
    _, relationship = _pair(client, keys)
    base = f"/relationships/{relationship}"
    rating = {"focus_area": "communication", "score": 2}
    for extra in ({"privat": True}, {"actor": "someone.else"}):
        body = {"ratings": [rating], "text": "Nervous about court reports", **extra}
        refused = client.post(f"{base}/reflections", json=body, headers=keys.headers("ben"))
        assert refused.status_code == 400, refused.text
        problem = refused.json()
        (name,) = extra
        assert problem["type"].endswith(":malformed-request")
        assert problem["errors"] == [
            {"message": f"unknown field {name!r}", "key": name, "source": "body"}
        ]
        assert "private" in problem["detail"]  # the command's fields are named
    history = client.get(f"{base}/history", headers=keys.headers("ben")).json()
    assert "court reports" not in str(history)


@pytest.mark.parametrize(
    ("path", "speaker", "body", "missing"),
    [
        ("goals", "ana", {}, ["title", "focus_area", "success_measure", "target_date"]),
        ("goals", "ana", {**GOAL, "title": None}, []),
        (
            "reflections",
            "ben",
            {"ratings": [{"focus_area": "communication"}]},
            ["text", "ratings[0].score"],
        ),
        (
            "schedule",
            "ana",
            {"schedule": {"cadence": "weekly"}},
            ["schedule.duration_minutes", "schedule.format"],
        ),
    ],
)
def test_every_field_left_out_is_400_naming_each_where_it_belongs(
    client: Any, keys: Keys, path: str, speaker: str, body: dict[str, Any], missing: list[str]
) -> None:
    """docs/http.md, the 400 row: each required field left out is named in ``errors`` by
    its path (``ratings[0].score``), all at once, as unknown fields are: not the first
    one alone, keyed by what holds it (``data``, ``ratings[0]``), one per request."""
    _, relationship = _pair(client, keys)
    base = f"/relationships/{relationship}"
    method = client.put if path == "schedule" else client.post
    refused = method(f"{base}/{path}", json=body, headers=keys.headers(speaker))
    assert refused.status_code == 400, refused.text
    problem = refused.json()
    named = [e["key"] for e in problem["errors"] if e["message"].startswith("missing")]
    assert named == missing
    assert all(f"{field!r}" in problem["detail"] for field in missing)
    assert all(e["source"] == "body" for e in problem["errors"])
    history = client.get(f"{base}/history", headers=keys.headers("ben")).json()["events"]
    assert [e["type"] for e in history] == ["PairFormed"]


def test_a_command_without_a_body_is_400_asking_for_a_json_object(client: Any, keys: Keys) -> None:
    """docs/http.md, the 415 row: a request without a body is a 400, every command's body
    being JSON, ``{}`` at least; the answer says so (not Litestar's ``'data'``)."""
    _, relationship = _pair(client, keys)
    ana = keys.headers("ana")
    paused = client.post(
        f"/relationships/{relationship}/pause", json={"reason": "Leave"}, headers=ana
    )
    assert paused.is_success, paused.text
    for headers in (ana, {**ana, "Content-Type": "application/json"}):
        answer = client.post(f"/relationships/{relationship}/resumption", headers=headers)
        assert answer.status_code == 400
        assert answer.json()["type"] == "urn:mentoring:problem:malformed-request"
        assert answer.json()["detail"] == (
            "the request has no body: send a JSON object, {} at least, "
            "as Content-Type: application/json"
        )
    resumed = client.post(f"/relationships/{relationship}/resumption", json={}, headers=ana)
    assert resumed.status_code == 200, resumed.text


def test_a_body_over_the_limit_is_413(client: Any, keys: Keys) -> None:
    _, relationship = _pair(client, keys)
    answer = client.post(
        f"/relationships/{relationship}/goals",
        content=b'{"title": "' + b"x" * 70_000 + b'"}',
        headers={**keys.headers("ana"), "Content-Type": "application/json"},
    )
    assert answer.status_code == 413
    assert answer.headers["content-type"] == "application/problem+json"


def test_a_body_nested_deeper_than_the_decoder_goes_is_400_not_a_server_error(
    client: Any, keys: Keys
) -> None:
    _, relationship = _pair(client, keys)
    nested = b"[" * 30_000 + b"]" * 30_000  # within the size limit
    answer = client.post(
        f"/relationships/{relationship}/goals",
        content=nested,
        headers={**keys.headers("ana"), "Content-Type": "application/json"},
    )
    assert answer.status_code == 400
    assert answer.json()["detail"] == "the request body is nested too deeply to be read"


def test_the_feed_pages_with_opaque_cursors(client: Any, keys: Keys) -> None:
    _pair(client, keys)
    auditor = keys.headers("aud.ito", ["auditor"])
    first = client.get("/events?limit=2", headers=auditor).json()
    rest = client.get(f"/events?after={first['next']}", headers=auditor).json()
    types = [e["event"]["type"] for e in first["events"] + rest["events"]]
    assert types == [
        "ProgrammeCreated",
        "CoordinatorAppointed",
        "ParticipantEnrolled",
        "ParticipantEnrolled",
        "PairFormed",
        "RelationshipOpened",
    ]
    assert client.get(f"/events?after={rest['next']}", headers=auditor).json()["events"] == []
    bad = client.get("/events?after=not-a-cursor", headers=auditor)
    assert bad.status_code == 400


def encoded(text: str) -> str:
    """A cursor built by hand, as the feed's are: base64url of ``text``, unpadded."""
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def test_a_cursor_the_feed_never_gave_is_400_and_the_end_of_the_log_is_kept(
    client: Any, keys: Keys
) -> None:
    """docs/http.md, "The event feed": a cursor beyond the log's end (a client resuming
    after the store was restored from an older copy) would silently skip every event
    recorded up to it; a spelling the feed never writes is not one of its cursors."""
    _pair(client, keys)
    auditor = keys.headers("aud.ito", ["auditor"])
    end = client.get("/events?limit=1000", headers=auditor).json()["next"]
    assert client.get(f"/events?after={end}", headers=auditor).json() == {
        "events": [],
        "next": end,
    }
    last = int(base64.urlsafe_b64decode(end + "==").decode()[2:])
    for bad in (encoded(f"p:{last + 1}"), encoded("p:0000001"), encoded("p:+1"), "c D o x"):
        for path, headers in (
            (f"/events?after={bad}", auditor),
            ("/events/stream", {**auditor, "Last-Event-ID": bad}),
        ):
            answer = client.get(path, headers=headers)
            assert answer.status_code == 400, (bad, path)
            assert answer.json()["type"].endswith("bad-cursor")
    beyond = client.get(f"/events?after={encoded(f'p:{last + 1}')}", headers=auditor).json()
    assert f"the log ends at {end}" in beyond["detail"]


def test_no_stack_trace_on_an_unknown_path(client: Any, keys: Keys) -> None:
    answer = client.get("/nowhere", headers=keys.headers("ana"))
    assert answer.status_code == 404
    assert answer.headers["content-type"] == "application/problem+json"
    assert "Traceback" not in answer.text


def test_every_problem_of_a_type_has_the_same_title(client: Any, keys: Keys) -> None:
    """RFC 9457: the title is the kind of problem, not this occurrence; Litestar's own
    refusals (a body that is not JSON, an unknown path) say it as the API's do."""
    _, relationship = _pair(client, keys)
    ana = keys.headers("ana", **{"Content-Type": "application/json"})
    titles: dict[str, set[str]] = {}
    for answer in (
        client.post(f"/relationships/{relationship}/goals", content=b"{", headers=ana),
        client.post(f"/relationships/{relationship}/goals", json={}, headers=ana),
        client.post(
            f"/relationships/{relationship}/goals", json=GOAL, headers={**ana, "If-Match": "7"}
        ),
        client.get("/nowhere", headers=ana),
        client.get("/relationships/00000000-0000-0000-0000-000000000000", headers=ana),
    ):
        problem = answer.json()
        titles.setdefault(problem["type"], set()).add(problem["title"])
    assert titles == {
        "urn:mentoring:problem:malformed-request": {"The request cannot be read"},
        "urn:mentoring:problem:not-found": {"Not found"},
    }


def test_a_moment_beyond_utc_is_422_not_a_server_error(client: Any, keys: Keys) -> None:
    programme, relationship = _pair(client, keys)
    admin = keys.headers("admin.ada", ["administrator"])
    for path, field in (
        (f"/relationships/{relationship}/state?at=0001-01-01T00:00:00%2B14:00", "at"),
        (f"/relationships/{relationship}/state?at=9999-12-31T23:59:59-14:00", "at"),
        (
            f"/programmes/{programme}/reports/compliance.json?as_of=0001-01-01T00:00:00%2B14:00",
            "as_of",
        ),
    ):
        answer = client.get(path, headers=admin)
        assert answer.status_code == 422, path
        # refused by the library as any moment out of range is, naming the parameter
        assert answer.json()["type"] == "urn:mentoring:problem:invalid-value"
        assert answer.json()["field"] == field
        assert "within years 1 to 9999" in answer.json()["expected"]
    held = client.post(
        f"/relationships/{relationship}/meetings",
        json={"duration_minutes": 30, "format": "video", "topics": [],
              "occurred_at": "0001-01-01T00:00:00+14:00"},
        headers=keys.headers("ana"),
    )  # fmt: skip
    assert held.status_code == 422


def test_a_moment_after_now_is_refused_for_a_state_as_for_a_report(client: Any, keys: Keys) -> None:
    """The state "as of" a moment to come was answered (the current state, 200), where
    the report as of the same moment was refused."""
    programme, relationship = _pair(client, keys)
    admin = keys.headers("admin.ada", ["administrator"])
    answers = [
        client.get(path, headers=admin)
        for path in (
            f"/relationships/{relationship}/state?at=2999-01-01T00:00:00Z",
            f"/programmes/{programme}/reports/compliance.json?as_of=2999-01-01T00:00:00Z",
        )
    ]
    assert {a.status_code for a in answers} == {422}
    assert len({a.json()["type"] for a in answers}) == 1
    assert "a moment not after now" in answers[0].json()["detail"]


@pytest.mark.parametrize(
    ("query", "named"),
    [
        ("reports/compliance.json?to=9999-12-31", "to"),
        ("reports/compliance.csv?from=1900-01-01", "from"),
        ("reports/compliance.html?from=2026-05-02&to=2026-05-01", "from/to"),
        ("suggestions?mentee=%20", "mentee"),
    ],
)
def test_a_query_value_the_domain_refuses_is_named_as_the_query_names_it(
    client: Any, keys: Keys, query: str, named: str
) -> None:
    """The core names a report's period ``start``, ``end`` (``period`` for both) and a
    suggestion's mentee ``mentee_id``: the 422 named fields the request does not have."""
    programme, _ = _pair(client, keys)
    refused = client.get(f"/programmes/{programme}/{query}", headers=keys.headers("coord.rhea"))
    assert refused.status_code == 422, refused.text
    assert refused.json()["field"] == named
    assert refused.json()["detail"].startswith(f"invalid {named}: ")


def test_a_cursor_past_any_position_and_a_body_that_is_not_json_are_400(
    client: Any, keys: Keys
) -> None:
    _, relationship = _pair(client, keys)
    admin = keys.headers("admin.ada", ["administrator"])
    far = "cDo5OTk5OTk5OTk5OTk5OTk5OTk5OQ"  # "p:99999999999999999999"
    assert client.get(f"/events?after={far}", headers=admin).json()["type"].endswith("bad-cursor")
    broken = client.post(
        f"/relationships/{relationship}/goals",
        content=b"{not json",
        headers={**admin, "Content-Type": "application/json"},
    )
    assert broken.status_code == 400
    assert broken.json()["type"] == "urn:mentoring:problem:malformed-request"


def test_an_unexpected_error_is_a_bare_500_problem(
    client: Any, keys: Keys, service: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken() -> None:
        raise RuntimeError("secret detail of the database at /srv/data")

    monkeypatch.setattr(service, "programmes", broken)
    answer = client.get("/programmes", headers=keys.headers("aud.ito", ["auditor"]))
    assert answer.status_code == 500
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json() == {
        "type": "urn:mentoring:problem:internal-error",
        "title": "Internal error",
        "status": 500,
        "detail": "the server could not answer this request; the error was logged",
    }


def test_private_entries_are_withheld_from_the_coordinator_everywhere(
    client: Any, keys: Keys
) -> None:
    programme, relationship = _pair(client, keys)
    base = f"/relationships/{relationship}"
    rating = {"focus_area": "communication", "score": 2}
    reflection = {"ratings": [rating], "text": "Nervous about court reports", "private": True}
    assert client.post(
        f"{base}/reflections", json=reflection, headers=keys.headers("ben")
    ).is_success
    coordinator = keys.headers("coord.rhea")
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")  # everything recorded
    answers = [
        client.get(base, headers=coordinator),
        client.get(f"{base}/history", headers=coordinator),
        client.get(f"{base}/timeline", headers=coordinator),
        client.get(f"{base}/state?at={now}", headers=coordinator),
        client.get(f"/programmes/{programme}/relationships", headers=coordinator),
    ]
    assert [a.status_code for a in answers] == [200] * len(answers)
    seen_by_coordinator = [answer.text for answer in answers]
    assert all("court reports" not in text for text in seen_by_coordinator)
    assert "ReflectionRecorded" not in seen_by_coordinator[1]
    mentor = client.get(f"{base}/history", headers=keys.headers("ana")).text
    auditor = client.get(f"{base}/history", headers=keys.headers("aud.ito", ["auditor"])).text
    assert "court reports" in mentor and "court reports" in auditor


def test_a_private_reflection_counts_in_no_compliance_report(client: Any, keys: Keys) -> None:
    programme, relationship = _pair(client, keys)
    rating = {"focus_area": "wellbeing", "score": 1}
    reflection = {"ratings": [rating], "text": "Not coping", "private": True}
    ben = keys.headers("ben")
    assert client.post(
        f"/relationships/{relationship}/reflections", json=reflection, headers=ben
    ).is_success
    feedback = {"from_person": "ben", "to_person": "ana", "kind": "recognition", "text": "Kind"}
    assert client.post(
        f"/relationships/{relationship}/feedback", json={**feedback, "private": True}, headers=ben
    ).is_success

    def counted(subject: str, *roles: str) -> tuple[Any, ...]:
        read = client.get(
            f"/programmes/{programme}/reports/compliance.json", headers=keys.headers(subject, roles)
        )
        (row,) = read.json()["relationships"]
        return row["reflections_recorded"], row["feedback_given"], row["rating_latest"]

    assert counted("coord.rhea") == counted("aud.ito", "auditor") == (0, 0, None)
    shared = {**reflection, "private": False}
    client.post(f"/relationships/{relationship}/reflections", json=shared, headers=ben)
    assert counted("coord.rhea") == (1, 0, 1.0)


def test_a_participant_reads_of_the_programme_only_what_concerns_them(
    client: Any, keys: Keys
) -> None:
    programme, _ = _pair(client, keys)
    coordinator = keys.headers("coord.rhea")
    extra = {"person_id": "cy", "role": "mentee", "experience_years": "1"}
    client.post(f"/programmes/{programme}/participants", json=extra, headers=coordinator)
    history = client.get(f"/programmes/{programme}/history", headers=keys.headers("ben"))
    people = [e.get("person_id") for e in history.json()["events"]]
    assert "ben" in people and "cy" not in people
    everyone = client.get(f"/programmes/{programme}/history", headers=coordinator).json()
    assert "cy" in [e.get("person_id") for e in everyone["events"]]


def test_a_participant_reads_only_their_own_contact_details(client: Any, keys: Keys) -> None:
    programme, _ = _pair(client, keys)
    coordinator = keys.headers("coord.rhea")
    for person in ("cy", "dee"):
        body = {
            **enrol(person, "mentee", "1"),
            "display_name": f"{person.title()} Example",
            "contact": f"{person}@example.org",
        }
        added = client.post(f"/programmes/{programme}/participants", json=body, headers=coordinator)
        assert added.status_code == 200, added.text

    def contacts(subject: str, *roles: str) -> dict[str, tuple[str | None, str | None]]:
        read = client.get(f"/programmes/{programme}", headers=keys.headers(subject, roles))
        assert read.status_code == 200, read.text
        listed = client.get("/programmes", headers=keys.headers(subject, roles)).json()
        assert listed == [read.json()]
        return {
            p["person_id"]: (p["display_name"], p["contact"]) for p in read.json()["participants"]
        }

    everything = {
        "ana": (None, None),
        "ben": (None, None),
        "cy": ("Cy Example", "cy@example.org"),
        "dee": ("Dee Example", "dee@example.org"),
    }
    assert contacts("coord.rhea") == everything
    assert contacts("admin.ada", "administrator") == everything
    assert contacts("aud.ito", "auditor") == everything
    assert contacts("cy") == {**everything, "dee": ("Dee Example", None)}
    assert contacts("ana") == {
        **everything,
        "cy": ("Cy Example", None),
        "dee": ("Dee Example", None),
    }
    bad = {**enrol("eve", "mentee", "1"), "contact": "eve@example.org\n"}
    refused = client.post(f"/programmes/{programme}/participants", json=bad, headers=coordinator)
    assert refused.status_code == 422 and "contact" in refused.json()["detail"]


def test_a_participant_reads_only_their_own_unsent_reminders(
    client: Any, keys: Keys, service: Any
) -> None:
    programme, relationship = _pair(client, keys)
    coordinator = keys.headers("coord.rhea")
    for person, role in (("cy", "mentor"), ("dee", "mentee")):
        body = enrol(person, role, "10" if role == "mentor" else "1")
        client.post(f"/programmes/{programme}/participants", json=body, headers=coordinator)
    other = client.post(
        f"/programmes/{programme}/relationships",
        json={"mentor_id": "cy", "mentee_id": "dee", "direct": True},
        headers=coordinator,
    ).json()["id"]
    for n, (person, pair) in enumerate(
        (("ana", relationship), ("cy", other), ("ben", relationship))
    ):
        issue = IssueReminder(
            programme_id=UUID(programme),
            reminder_id=UUID(int=n + 1),
            person_id=person,
            relationship_id=UUID(pair),
            reason=ReminderReason.OVERDUE,
            item="goal",
            due=datetime.now(UTC) - timedelta(days=1),
            channel="webhook",
        )
        service.execute(issue, actor="coord.rhea")

    def reminded(subject: str) -> list[str]:
        read = client.get(f"/programmes/{programme}", headers=keys.headers(subject))
        assert client.get("/programmes", headers=keys.headers(subject)).json() == [read.json()]
        return [r["person_id"] for r in read.json()["reminders_unsent"]]

    assert reminded("coord.rhea") == ["ana", "cy", "ben"]
    assert reminded("ben") == ["ben"]
    assert reminded("dee") == []


def test_an_administrator_erases_a_person_and_reads_what_is_held_about_them(
    client: Any, keys: Keys
) -> None:
    programme, relationship = _pair(client, keys)
    admin = keys.headers("admin.ada", ["administrator"])
    goal = client.post(
        f"/relationships/{relationship}/goals", json=GOAL, headers=keys.headers("ana")
    )
    assert goal.status_code == 201, goal.text
    held = client.get("/people/ben/personal-data", headers=admin)
    assert held.status_code == 200 and held.headers["cache-control"] == "no-store"
    document = held.json()
    assert document["format"] == "mentoring-core-subject-access/1"
    assert document["key"]["destroyed_at"] is None
    titles = [e["title"] for e in document["events"] if e["type"] == "GoalSet"]
    assert titles == [GOAL["title"]]

    retry = {**admin, "Idempotency-Key": "dsar-2026-021"}
    body = {"reason": "DSAR-2026-021"}
    erased = client.post("/people/ben/erasure", json=body, headers=retry)
    assert erased.status_code == 200, erased.text
    answer = erased.json()
    assert answer["recorded"] == [programme] and answer["rule"] == "request"
    assert answer["key_destroyed"] and answer["complete"] and not answer["already_recorded"]
    again = client.post("/people/ben/erasure", json=body, headers=retry)
    assert again.status_code == 200 and again.headers["idempotent-replayed"] == "true"
    assert again.json()["already_recorded"] and again.json()["command_id"] == answer["command_id"]
    history = client.get(f"/programmes/{programme}/history", headers=admin).json()["events"]
    erasures = [e for e in history if e["type"] == "PersonalDataErased"]
    assert [(e["person_id"], e["actor"], e["reason"]) for e in erasures] == [
        ("ben", "admin.ada", "DSAR-2026-021")
    ]
    after = client.get("/people/ben/personal-data", headers=admin).json()
    assert after["key"]["destroyed_at"] is not None
    assert [e["title"] for e in after["events"] if e["type"] == "GoalSet"] == ["[erased]"]


@pytest.mark.parametrize("person_id", ["%00", "a" * 5000, "two%0Alines"])
def test_subject_access_for_an_id_no_person_can_have_is_422(
    client: Any, keys: Keys, person_id: str
) -> None:
    """As an erasure refuses it: not an empty document, which would read as 'nothing is
    held about them'."""
    answer = client.get(
        f"/people/{person_id}/personal-data", headers=keys.headers("admin.ada", ["administrator"])
    )
    assert answer.status_code == 422, answer.text
    assert answer.json()["field"] == "person_id"


def test_subject_access_for_a_person_no_event_names_is_404(client: Any, keys: Keys) -> None:
    """Not 200 with an empty document, which said nothing is held about someone whose id
    was mistyped; as ``mentoring privacy export-person`` refuses it."""
    _pair(client, keys)
    answer = client.get(
        "/people/zoe/personal-data", headers=keys.headers("admin.ada", ["administrator"])
    )
    assert answer.status_code == 404, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["detail"] == (
        "no person 'zoe' is recorded: no event of this store names them or was recorded "
        "by them, and it holds no key of theirs"
    )


@pytest.mark.parametrize(
    ("path", "body", "status", "said"),
    [
        ("/people/zoe/erasure", {"reason": "DSAR"}, 404, "no person 'zoe' is recorded"),
        ("/people/ben/erasure", {"reason": " "}, 422, "reason"),
        ("/people/ben/erasure", {"reason": "DSAR", "rule": "whim"}, 400, "rule"),
        ("/people/ben/erasure", {}, 400, "reason"),
        ("/people/ben/erasure", {"reason": "Sweep", "rul": "retention"}, 400, "'rul'"),
    ],
)
def test_a_bad_erasure_is_a_problem_and_erases_nothing(
    client: Any, keys: Keys, path: str, body: dict[str, str], status: int, said: str
) -> None:
    programme, _ = _pair(client, keys)
    admin = keys.headers("admin.ada", ["administrator"])
    refused = client.post(path, json=body, headers=admin)
    assert refused.status_code == status, refused.text
    assert refused.headers["content-type"] == "application/problem+json"
    assert said in refused.text
    history = client.get(f"/programmes/{programme}/history", headers=admin).json()["events"]
    assert "PersonalDataErased" not in {e["type"] for e in history}


def test_an_erasure_with_a_misspelt_field_is_400_naming_it_and_keeps_the_key(
    client: Any, keys: Keys
) -> None:
    """``rul`` is not dropped: the erasure would be recorded under the person's request
    (the default rule) where the retention period was meant, and the key destroyed."""
    _, relationship = _pair(client, keys)
    goal = client.post(
        f"/relationships/{relationship}/goals", json=GOAL, headers=keys.headers("ana")
    )
    assert goal.status_code == 201, goal.text
    admin = keys.headers("admin.ada", ["administrator"])
    body = {"reason": "retention sweep 2026", "rul": "retention"}
    refused = client.post("/people/ben/erasure", json=body, headers=admin)
    assert refused.status_code == 400, refused.text
    problem = refused.json()
    assert problem["type"] == "urn:mentoring:problem:malformed-request"
    assert problem["errors"] == [{"message": "unknown field 'rul'", "key": "rul", "source": "body"}]
    assert problem["detail"] == "ErasureRequest has no field 'rul'; its fields: reason, rule"
    held = client.get("/people/ben/personal-data", headers=admin).json()
    assert held["key"]["destroyed_at"] is None
    assert [e["title"] for e in held["events"] if e["type"] == "GoalSet"] == [GOAL["title"]]
    schemas = client.get("/schema/openapi.json").json()["components"]["schemas"]
    assert schemas["ErasureRequest"]["additionalProperties"] is False


def test_an_auditor_may_not_read_a_persons_data_and_is_told_the_rule(
    client: Any, keys: Keys
) -> None:
    _pair(client, keys)
    refused = client.get("/people/ben/personal-data", headers=keys.headers("aud.ito", ["auditor"]))
    assert refused.status_code == 403
    assert "only an administrator reads everything held about one person" in refused.text


def test_a_coordinator_asks_for_suggestions_and_pairs_against_them(client: Any, keys: Keys) -> None:
    """Issue 14, item 6: enrolment bodies carry expertise and needs; suggestions are ranked
    and explained; the opening records the rank and the reason for overriding it."""
    programme, _ = _pair(client, keys)
    coordinator = keys.headers("coord.rhea")
    for body in (
        {**enrol("cy", "mentor", "8"), "expertise": ["wellbeing"]},
        {**enrol("dee", "mentee", "0"), "development_needs": ["wellbeing"]},
    ):
        answer = client.post(
            f"/programmes/{programme}/participants", json=body, headers=coordinator
        )
        assert answer.status_code == 200, answer.text
    found = client.get(f"/programmes/{programme}/suggestions?mentee=dee", headers=coordinator)
    assert found.status_code == 200, found.text
    assert [(s["rank"], s["mentor_id"], s["covered_needs"]) for s in found.json()] == [
        (1, "cy", ["wellbeing"]),
        (2, "ana", []),
    ]
    assert found.json()[1]["explanation"].startswith("covers 0 of 1 needs (none);")
    opened = client.post(
        f"/programmes/{programme}/relationships",
        json={
            "mentor_id": "ana",
            "mentee_id": "dee",
            "direct": True,
            "suggestion_override_reason": "Same team",
        },
        headers=coordinator,
    )
    assert opened.status_code == 201, opened.text
    event = opened.json()["events"][0]
    assert (event["suggestion_rank"], event["suggestion_override_reason"]) == (2, "Same team")
    for who in ("ana", "ben"):  # participants do not see every mentor's load
        refused = client.get(
            f"/programmes/{programme}/suggestions?mentee=dee", headers=keys.headers(who)
        )
        assert refused.status_code == 403
    not_a_mentee = client.get(
        f"/programmes/{programme}/suggestions?mentee=ana", headers=coordinator
    )
    assert not_a_mentee.status_code == 409


def test_what_is_due_shows_each_caller_only_the_relationships_they_may_read(
    client: Any, keys: Keys
) -> None:
    """Issue 14, item 1 over HTTP: the due list of ``mentoring due``, filtered by reader."""
    programme, ours = _pair(client, keys)
    coordinator = keys.headers("coord.rhea")
    for body in (enrol("cy", "mentor", "9"), enrol("dee", "mentee", "1")):
        answer = client.post(
            f"/programmes/{programme}/participants", json=body, headers=coordinator
        )
        assert answer.status_code == 200, answer.text
    theirs = client.post(
        f"/programmes/{programme}/relationships",
        json={"mentor_id": "cy", "mentee_id": "dee", "direct": True},
        headers=coordinator,
    ).json()["id"]
    soon = (datetime.now(UTC) + timedelta(days=3)).date().isoformat()
    for relationship, mentor in ((ours, "ana"), (theirs, "cy")):
        goal = {**GOAL, "title": f"Goal of {mentor}", "target_date": soon}
        answer = client.post(
            f"/relationships/{relationship}/goals", json=goal, headers=keys.headers(mentor)
        )
        assert answer.status_code == 201, answer.text

    def goals(who: str, within: int = 14) -> set[tuple[str, str]]:
        answer = client.get(
            f"/programmes/{programme}/due?within={within}", headers=keys.headers(who)
        )
        assert answer.status_code == 200, answer.text
        return {(i["relationship_id"], i["what"]) for i in answer.json() if i["kind"] == "goal"}

    both = {(ours, "Goal of ana"), (theirs, "Goal of cy")}
    assert goals("coord.rhea") == both
    assert goals("ana") == goals("ben") == {(ours, "Goal of ana")}
    assert goals("dee") == {(theirs, "Goal of cy")}
    assert goals("coord.rhea", within=2) == set()  # due in 3 days: outside a 2-day window
    too_far = client.get(f"/programmes/{programme}/due?within=3661", headers=coordinator)
    assert too_far.status_code == 400
    assert (
        client.get(f"/programmes/{programme}/due", headers=keys.headers("zed")).status_code == 404
    )


@pytest.mark.parametrize("conditional", [False, True])
def test_a_conflict_on_another_resource_read_is_a_409_without_versions(conditional: bool) -> None:
    """A withdrawal refused because a relationship it read moved on: not a 412 (If-Match
    named the programme's version, which did not move), and no versions that a client
    would take for the programme's."""
    moved = UUID(int=7)
    problem = conflict(
        ConcurrencyConflict("relationship", moved, 4, 5, read=True), conditional=conditional
    )
    document = problem.document
    assert (document.status, document.type) == (409, "urn:mentoring:problem:conflict")
    assert (document.expected_version, document.actual_version) == (None, None)
    assert f"conflict on relationship {moved}: the decision read it at version 4" in document.detail
    own = conflict(ConcurrencyConflict("programme", moved, 4, 5), conditional=conditional)
    assert own.document.status == (412 if conditional else 409)
    assert (own.document.expected_version, own.document.actual_version) == (4, 5)


@pytest.mark.parametrize(
    ("path", "escape"),
    [
        ("/people/%ff/personal-data", "%ff"),
        ("/people/b%C3%A9n%e9/erasure", "%e9"),
        ("/programmes/%80", "%80"),
    ],
)
def test_a_path_whose_escapes_are_not_utf8_is_refused_naming_them(
    client: Any, keys: Keys, path: str, escape: str
) -> None:
    """A path is percent-encoded UTF-8 (RFC 3986, 2.5). The server read an escape that is
    not (``%ff``) as U+FFFD, the replacement character: ``/people/%ff`` and
    ``/people/%fe`` named one and the same person, "\\ufffd". Such a path is now a 400
    naming the escape, whatever it leads to, and nothing is read or recorded."""
    admin = keys.headers("admin.ada", ["administrator"])
    answer = client.request(
        "POST" if path.endswith("erasure") else "GET",
        path,
        json={"reason": "DSAR-1"} if path.endswith("erasure") else None,
        headers=admin,
    )
    assert answer.status_code == 400, answer.text
    problem = answer.json()
    assert problem["type"].endswith("bad-path")
    assert escape in problem["detail"]
    assert "UTF-8" in problem["detail"]
    assert answer.text.startswith('{"type":"urn:mentoring:problem:bad-path","title"')  # compact
