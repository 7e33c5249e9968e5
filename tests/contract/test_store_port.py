"""The store port: every store URL opens through a StoreBackend object, and the service
reaches its store only as the Store port."""

from __future__ import annotations

from importlib.metadata import EntryPoint
from pathlib import Path
from typing import Any

import pytest

from mentoring_core import MentoringService, StoreConfigurationError
from mentoring_core.audit.recorders import ChainedRecorder, ChainedSQLiteApplicationRecorder
from mentoring_core.store import (
    MEMORY,
    SQLITE,
    MemoryComplianceView,
    SQLiteComplianceView,
    backend_for,
    missing_store,
    open_store,
)


def test_the_built_in_schemes_are_backend_objects(tmp_path: Path) -> None:
    assert backend_for("memory://") is MEMORY
    assert backend_for(f"sqlite:///{tmp_path / 'a.db'}") is SQLITE


def test_memory_and_sqlite_stores_keep_their_read_model_and_poll(tmp_path: Path) -> None:
    with MentoringService("memory://") as service:
        view = service.store.compliance_view()
        assert isinstance(view, MemoryComplianceView)
        assert service.store.compliance_view() is view  # lives as long as the events
        assert isinstance(service.store.recorder, ChainedRecorder)
        assert service.store.listener() is None
    with MentoringService(f"sqlite:///{tmp_path / 'a.db'}") as service:
        assert isinstance(service.store.compliance_view(), SQLiteComplianceView)
        assert service.store.listener() is None


def test_an_entry_point_that_is_not_a_backend_object_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    entry = EntryPoint(name="odd", value="os.path:join", group="mentoring_core.stores")

    def found(**selection: Any) -> list[EntryPoint]:
        return [entry] if selection.get("name") == "odd" else []

    monkeypatch.setattr("importlib.metadata.entry_points", found)
    with pytest.raises(StoreConfigurationError, match=r"not a .*\.StoreBackend"):
        backend_for("odd://somewhere")


def test_a_recorder_that_writes_no_chain_is_refused() -> None:
    with pytest.raises(StoreConfigurationError, match="writes no hash chain"):
        open_store("memory://", {"PERSISTENCE_MODULE": "eventsourcing.popo"})


class _Unchecked(ChainedSQLiteApplicationRecorder):
    """A third party's recorder that does not say it checks the versions a decision read."""

    checks_read_versions = False


class _Overriding(ChainedSQLiteApplicationRecorder):
    """A third party's recorder that overrides the ``insert_events`` of one that checks the
    read versions, and does not say its own does."""

    def insert_events(self, stored_events: Any, **kwargs: Any) -> Any:
        return super().insert_events(stored_events, **kwargs)


class _Declared(_Overriding):
    """The same, saying its ``insert_events`` checks them."""

    checks_read_versions = True

    def insert_events(self, stored_events: Any, **kwargs: Any) -> Any:
        return super().insert_events(stored_events, **kwargs)


@pytest.mark.parametrize("recorder", [_Unchecked, _Overriding])
def test_a_recorder_that_does_not_check_read_versions_is_refused(
    recorder: type, tmp_path: Path
) -> None:
    """Two writers could otherwise break a rule joining two aggregates, silently; a
    subclass overriding ``insert_events`` does not inherit its parent's word for it."""
    topic = f"{__name__}:{recorder.__qualname__}"
    url = f"sqlite:///{tmp_path / 'a.db'}"
    name = recorder.__qualname__
    with pytest.raises(StoreConfigurationError, match=rf"{name} does not say it checks"):
        open_store(url, {"APPLICATION_RECORDER_TOPIC": topic})


def test_a_subclass_saying_its_insert_events_checks_read_versions_opens(tmp_path: Path) -> None:
    topic = f"{__name__}:{_Declared.__qualname__}"
    store = open_store(f"sqlite:///{tmp_path / 'a.db'}", {"APPLICATION_RECORDER_TOPIC": topic})
    try:
        assert isinstance(store.recorder, _Declared)
    finally:
        store.close()


@pytest.mark.parametrize("scheme", ["memory", "sqlite"])
def test_the_built_in_recorders_check_read_versions(scheme: str, tmp_path: Path) -> None:
    url = "memory://" if scheme == "memory" else f"sqlite:///{tmp_path / 'a.db'}"
    with MentoringService(url) as service:
        recorder = service.store.recorder
        assert isinstance(recorder, ChainedRecorder) and recorder.checks_read_versions


def test_a_missing_store_is_told_without_creating_it(tmp_path: Path) -> None:
    """What a caller that must not create a store asks first (the CLI's reading
    commands): a SQLite file that is not there is named, and left uncreated."""
    absent = tmp_path / "typo.db"
    assert missing_store(f"sqlite:///{absent}") == str(absent)
    assert not absent.exists()
    absent.touch()  # an empty file is a store yet to be filled, as SQLite opens it
    assert missing_store(f"sqlite:///{absent}") is None
    assert missing_store("memory://") is None
    assert missing_store("sqlite:///:memory:") is None
    with pytest.raises(StoreConfigurationError, match="URI filenames"):
        missing_store(f"sqlite:///file:{absent}")
