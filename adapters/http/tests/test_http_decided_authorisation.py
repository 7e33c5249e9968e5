"""A command's caller is authorised on the very states its decision is taken on: a
coordinator relieved (by another writer) after the adapter looked at the programme but
before the core decided has their command refused, as if asked after the relief, not
recorded on the strength of the earlier look."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import attrs
import pytest
from http_harness import GOAL, Keys, enrol, pair
from litestar.testing import TestClient
from mentoring_http.app import create_app
from mentoring_http.tokens import TokenVerifier

from mentoring_core import MentoringService


@attrs.frozen
class Race:
    """The app on a service that, when it next draws an id (a command's own id, drawn
    once the request has passed the adapter's checks, before the core reads what it
    decides on), first runs what ``pending`` holds; ``other`` is another service on the
    same store: another writer."""

    client: Any
    other: MentoringService
    pending: list[Callable[[], object]]


@pytest.fixture
def race(tmp_path: Path, keys: Keys) -> Iterator[Race]:
    pending: list[Callable[[], object]] = []

    def racing_id() -> UUID:
        while pending:
            pending.pop()()
        return uuid4()

    url = f"sqlite:///{tmp_path / 'store.db'}"
    verifier = TokenVerifier(keys.mint.settings())
    with (
        MentoringService(url, new_id=racing_id) as service,
        MentoringService(url) as other,
        TestClient(create_app(service, verifier)) as client,
    ):
        yield Race(client, other, pending)


Request = Callable[[str, tuple[str, str]], tuple[str, dict[str, Any]]]
"""The path and body of a coordinator's request, given the programme and its two
relationships (ana with ben, ana with dov)."""


def _goal(programme: str, relationships: tuple[str, str]) -> tuple[str, dict[str, Any]]:
    return f"/relationships/{relationships[0]}/goals", GOAL


def _enrolment(programme: str, relationships: tuple[str, str]) -> tuple[str, dict[str, Any]]:
    return f"/programmes/{programme}/participants", enrol("eve", "mentee", "1")


def _opening(programme: str, relationships: tuple[str, str]) -> tuple[str, dict[str, Any]]:
    body = {"mentor_id": "ana", "mentee_id": "cai", "direct": True}
    return f"/programmes/{programme}/relationships", body


def _group_session(programme: str, relationships: tuple[str, str]) -> tuple[str, dict[str, Any]]:
    body = {
        "mentor_id": "ana",
        "relationship_ids": list(relationships),
        "duration_minutes": 60,
        "topics": ["Handover notes"],
    }
    return f"/programmes/{programme}/group-sessions", body


REQUESTS = {
    "a relationship's command": _goal,
    "a programme's command": _enrolment,
    "an opening": _opening,
    "a group session": _group_session,
}


@pytest.mark.parametrize("request_of", REQUESTS.values(), ids=list(REQUESTS))
def test_a_coordinator_relieved_while_their_command_is_decided_is_refused(
    race: Race, keys: Keys, request_of: Request
) -> None:
    programme, first = pair(race.client, keys)
    coordinator = keys.headers("coord.rhea")
    for mentee in ("dov", "cai"):
        enrolled = race.client.post(
            f"/programmes/{programme}/participants",
            json=enrol(mentee, "mentee", "1"),
            headers=coordinator,
        )
        assert enrolled.status_code == 200, enrolled.text
    opened = race.client.post(
        f"/programmes/{programme}/relationships",
        json={"mentor_id": "ana", "mentee_id": "dov", "direct": True},
        headers=coordinator,
    )
    assert opened.status_code == 201, opened.text
    relationships = (first, opened.json()["id"])

    def lengths() -> list[int]:
        ids = (programme, *relationships)
        return [len(race.other.history(UUID(i))) for i in ids]

    before = lengths()
    race.pending.append(
        lambda: race.other.relieve_coordinator(
            UUID(programme), "coord.rhea", "Left the team", actor="admin.ada"
        )
    )
    path, body = request_of(programme, relationships)
    answer = race.client.post(path, json=body, headers=coordinator)
    assert not race.pending, "the race did not run: the command was never decided"
    assert answer.status_code == 404, answer.text  # they hold no role in it any more
    assert answer.json()["type"] == "urn:mentoring:problem:not-found"
    collection, subject = path.split("/")[1:3]  # answered as an id never recorded is
    assert answer.json()["detail"] == f"no {collection[:-1]} with id {subject} is recorded"
    assert lengths() == [before[0] + 1, *before[1:]]  # the relief alone
