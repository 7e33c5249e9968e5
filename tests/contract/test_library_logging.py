"""What the library does quietly on its own is told through the standard ``logging`` module.

Loggers are named after the modules (``mentoring_core.application``, ...), under the
``mentoring_core`` logger, which has a ``NullHandler``: nothing shows unless the
embedding application configures logging.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

import pytest
from eventsourcing.persistence import StoredEvent, Tracking

from mentoring_core import MentoringService
from mentoring_core.audit import export_events, import_events
from mentoring_core.projections import ComplianceProjection
from mentoring_core.store import StoredFacts

from .test_service_contract import eventsourced, fold, seed


def messages(caplog: pytest.LogCaptureFixture, logger: str) -> list[tuple[int, str]]:
    return [(r.levelno, r.getMessage()) for r in caplog.records if r.name == logger]


def test_the_library_shows_nothing_unless_the_application_configures_logging() -> None:
    handlers = logging.getLogger("mentoring_core").handlers
    assert any(isinstance(h, logging.NullHandler) for h in handlers)


def test_an_unreadable_snapshot_passed_over_is_a_warning(
    store_url: str, store_kind: str, caplog: pytest.LogCaptureFixture
) -> None:
    if store_kind == "memory":
        pytest.skip("a memory store lives and dies with its service")
    with MentoringService(store_url, snapshot_interval=None) as service:
        seeded = seed(service)
        history = service.history(seeded.relationship)
    with MentoringService(store_url, snapshot_interval=3) as service:
        snapshots = eventsourced(service).snapshots
        assert snapshots is not None
        snapshots.recorder.insert_events(
            [
                StoredEvent(
                    originator_id=seeded.relationship,
                    originator_version=4,
                    topic="Snapshot:RelationshipState:0",
                    state=b"{}",
                )
            ]
        )
        with caplog.at_level(logging.WARNING, logger="mentoring_core"):
            # decided on the snapshot's state (readers fold the events, never a snapshot)
            service.agree_expectations(seeded.relationship, ["Meet weekly"], actor="ana")
        assert service.relationship(seeded.relationship) == fold(
            service.history(seeded.relationship)
        )
        assert len(service.history(seeded.relationship)) == len(history) + 1
    ((level, message),) = messages(caplog, "mentoring_core.application")
    assert level == logging.WARNING
    assert message.startswith(
        f"passed over an unreadable snapshot of relationship {seeded.relationship} ("
    )
    assert message.endswith("); folding its events instead")
    assert "Snapshot:RelationshipState:0" in message


def test_a_projection_overtaken_by_another_says_where_it_went_on_from(
    store_url: str, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    with MentoringService(store_url) as service:
        seed(service)
        first = ComplianceProjection(service, batch_size=3)
        second = ComplianceProjection(service, batch_size=5)
        save = first.view.save_facts

        def overtaken(rows: Sequence[StoredFacts], tracking: Tracking) -> None:
            monkeypatch.setattr(first.view, "save_facts", save)
            second.catch_up(limit=5)
            save(rows, tracking)

        monkeypatch.setattr(first.view, "save_facts", overtaken)
        with caplog.at_level(logging.INFO, logger="mentoring_core"):
            first.catch_up(limit=3)
        positions = [position for position, _ in service.read(limit=5)]
    ((level, message),) = messages(caplog, "mentoring_core.projections._projection")
    assert level == logging.INFO
    assert message == (
        f"another projection stored the read model up to {positions[4]} first; "
        f"dropped this one's position {positions[2]} (its rows stand) and went on from there"
    )


def test_an_import_is_told_once_it_is_stored(
    store_url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "export.jsonl"
    with MentoringService("memory://") as source:
        seed(source)
        with path.open("w", encoding="utf-8") as out:
            exported = export_events(source, out).records
    with MentoringService(store_url) as service, caplog.at_level(logging.INFO, "mentoring_core"):
        import_events(service, path)
    told = messages(caplog, "mentoring_core.audit.export")
    assert told == [(logging.INFO, f"imported {exported} lines of {path} in one transaction")]
