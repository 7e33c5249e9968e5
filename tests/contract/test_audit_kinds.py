"""Replay, export and the compliance read model ask the kinds registry which kind an event is.

``mentoring_core.domain.kinds`` is the one place that tells a programme's event from a
relationship's (issue 9). Replay counts aggregates by the kind's name, export names the
kind in each CloudEvent's ``source``, and the read model stores each kind's facts; an
event type that no kind owns (one registered by mistake) is ``unknown`` to replay,
refused by export and by the read model.
"""

from __future__ import annotations

import io
import json
from typing import Any
from uuid import UUID

import attrs
import pytest
from eventsourcing.persistence import StoredEvent

from mentoring_core import MentoringService
from mentoring_core.audit import cloud_events, export_events, replay
from mentoring_core.audit.export import ExportError, _kind
from mentoring_core.audit.replay import _kind_of
from mentoring_core.domain.errors import ReadModelError
from mentoring_core.domain.events import EVENT_TYPES, Event
from mentoring_core.domain.kinds import KINDS, kind_of
from mentoring_core.projections import ComplianceProjection, StoredFacts, decode_facts
from mentoring_core.projections._projection import _FACTS
from mentoring_core.reports import ProgrammeFacts, RelationshipFacts

from .test_service_contract import Seeded

STRAY_ID = UUID(int=99)


@attrs.frozen(kw_only=True)
class Stray(Event):
    """An event class registered as a stored type, but of no kind of aggregate."""


@pytest.fixture
def stray(
    seeded: tuple[MentoringService, Seeded], monkeypatch: pytest.MonkeyPatch
) -> tuple[MentoringService, Seeded]:
    """The seeded store plus one aggregate whose only event is a :class:`Stray`."""
    service, pair = seeded
    monkeypatch.setitem(EVENT_TYPES, "Stray", Stray)
    recorder = service.store.recorder
    (created,) = recorder.select_events(pair.programme, limit=1)
    fields = {f.name for f in attrs.fields(Event)} | {"class_version"}
    data = {k: v for k, v in json.loads(created.state).items() if k in fields}
    state = json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode()
    recorder.insert_events(
        [StoredEvent(originator_id=STRAY_ID, originator_version=1, topic="Stray", state=state)]
    )
    return service, pair


def test_every_stored_type_is_of_the_kind_the_registry_names() -> None:
    assert EVENT_TYPES
    for name, cls in EVENT_TYPES.items():
        assert _kind_of(name) == kind_of(cls).name
        assert _kind(name) == kind_of(cls).name


def test_a_type_name_no_library_class_has_is_of_no_kind() -> None:
    assert _kind_of("NoSuchEvent") == "unknown"
    assert _kind("NoSuchEvent") is None


def test_a_registered_type_that_no_kind_owns_is_of_no_kind(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(EVENT_TYPES, "Stray", Stray)
    assert _kind_of("Stray") == "unknown"
    assert _kind("Stray") is None


def test_replay_counts_each_kind_by_its_registered_name(
    seeded: tuple[MentoringService, Seeded],
) -> None:
    service, _ = seeded
    report = replay(service)
    assert report.ok
    assert set(report.aggregates) == {"programme", "relationship"}
    assert set(report.aggregates) == {kind.name for kind in KINDS}


def test_replay_counts_an_aggregate_of_no_kind_as_unknown_and_cannot_rebuild_it(
    stray: tuple[MentoringService, Seeded],
) -> None:
    service, _ = stray
    report = replay(service)
    assert dict(report.aggregates) == {"programme": 1, "relationship": 1, "unknown": 1}
    assert report.by_type["Stray"] == 1
    assert report.decode_failure_count == report.gap_count == 0
    assert report.rebuilt == 2
    (failure,) = report.rebuild_failures
    assert failure.aggregate_id == STRAY_ID
    assert failure.reason.startswith("version 1 cannot be applied: InvalidValue: ")
    assert "Stray" in failure.reason


def test_export_names_each_events_kind_in_its_source(
    seeded: tuple[MentoringService, Seeded],
) -> None:
    service, pair = seeded
    sources = {doc["subject"]: doc["source"] for doc in cloud_events(service)}
    assert sources == {
        str(pair.programme): f"urn:mentoring-core:programme:{pair.programme}",
        str(pair.relationship): f"urn:mentoring-core:relationship:{pair.relationship}",
    }


def test_export_refuses_an_event_of_no_kind(stray: tuple[MentoringService, Seeded]) -> None:
    service, _ = stray
    with pytest.raises(ExportError, match="'Stray' is not an event type this library knows"):
        export_events(service, io.StringIO())


def test_the_read_model_keeps_the_facts_of_every_kind() -> None:
    assert set(_FACTS) == set(KINDS)
    assert {kind.name: facts.type for kind, facts in _FACTS.items()} == {
        "programme": ProgrammeFacts,
        "relationship": RelationshipFacts,
    }


def _row(kind: str, facts: Any) -> StoredFacts:
    from mentoring_core.projections import encode_facts

    return StoredFacts(
        aggregate_id=UUID(int=2),
        programme_id=UUID(int=1),
        kind=kind,
        version=facts.version,
        facts=encode_facts(facts),
    )


def test_a_row_is_decoded_as_its_kinds_facts() -> None:
    programme = ProgrammeFacts(programme_id=UUID(int=1), version=3, name="P")
    relationship = RelationshipFacts(relationship_id=UUID(int=2), version=4)
    assert decode_facts(_row("programme", programme)) == programme
    assert decode_facts(_row("relationship", relationship)) == relationship
    # a kind no decider has is read as a relationship's, as before the registry
    assert decode_facts(_row("other", relationship)) == relationship


def test_the_projection_stores_each_kind_under_its_name(
    seeded: tuple[MentoringService, Seeded],
) -> None:
    service, pair = seeded
    projection = ComplianceProjection(service)
    projection.catch_up()
    rows = {
        row.aggregate_id: row
        for row in projection.view.select_facts([pair.programme, pair.relationship])
    }
    assert {r.kind for r in rows.values()} == {"programme", "relationship"}
    assert rows[pair.programme].kind == "programme"
    assert rows[pair.programme].programme_id == pair.programme
    assert rows[pair.relationship].kind == "relationship"
    assert rows[pair.relationship].programme_id == pair.programme


def test_the_projection_refuses_an_event_of_no_kind(
    stray: tuple[MentoringService, Seeded],
) -> None:
    service, _ = stray
    with pytest.raises(ReadModelError, match=f"cannot project Stray of {STRAY_ID}"):
        ComplianceProjection(service).catch_up()
