"""The recorders refuse settings and inputs that would bypass or break the hash chain.

One shared check (``ChainLinker.admit`` and ``ChainLinker.links``) serves the memory,
SQLite and PostgreSQL recorders alike: a version below 1, a version whose previous
version is not stored, or an id that is not a UUID is refused with a clear
``StoreConfigurationError`` and nothing (event or link) is stored. Reproduced before
the fix: each of these was stored and chained (version 0, a gap, any text id on
SQLite, where it was written as given and so hidden from readers).
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

import pytest
from eventsourcing.persistence import StoredEvent

from mentoring_core import MentoringService, StoreConfigurationError
from mentoring_core.store._eventsourced import open_store

from .test_service_contract import seed, stored_count

A = UUID("00000000-0000-4000-8000-00000000000a")


def event(originator_id: Any = A, version: Any = 1) -> StoredEvent:
    return StoredEvent(
        originator_id=originator_id, originator_version=version, topic="T", state=b"{}"
    )


@pytest.mark.parametrize(
    ("batch", "message"),
    [
        pytest.param(
            [event(version=0)], "at version 0: versions are whole numbers from 1", id="v0"
        ),
        pytest.param([event(version=-3)], "at version -3: versions are whole", id="negative"),
        pytest.param([event(version=True)], "at version True: versions are whole", id="bool"),
        pytest.param(
            [event(version=2)],
            "at version 2: version 1 of that aggregate has no chain link",
            id="gap-first",
        ),
        pytest.param(
            [event(), event(version=3)], "at version 3: version 2 of that", id="gap-in-batch"
        ),
        pytest.param(
            [event(originator_id="not-a-uuid")], "an aggregate id must be a UUID", id="text-id"
        ),
        pytest.param([event(originator_id=42)], "an aggregate id must be a UUID", id="int-id"),
    ],
)
def test_a_batch_that_would_break_the_chain_is_refused_whole(
    store_url: str, batch: list[StoredEvent], message: str
) -> None:
    with MentoringService(store_url) as service:
        seed(service)
        recorder: Any = service.store.recorder
        before = (stored_count(service), recorder.last_link())
        with pytest.raises(StoreConfigurationError, match=message) as refused:
            recorder.insert_events([event(UUID(int=77)), *batch])
        assert str(refused.value).startswith("the store refuses 'T' of aggregate ")
        assert str(refused.value).endswith("; nothing was stored")
        assert (stored_count(service), recorder.last_link()) == before
        assert list(recorder.select_events(A)) == []
        assert service.verify().ok


def test_a_gap_after_stored_versions_is_refused(store_url: str) -> None:
    with MentoringService(store_url) as service:
        recorder: Any = service.store.recorder
        recorder.insert_events([event(), event(version=2)])
        with pytest.raises(StoreConfigurationError, match="at version 4: version 3 of that"):
            recorder.insert_events([event(version=4)])
        recorder.insert_events([event(version=3)])
        assert [e.originator_version for e in recorder.select_events(A)] == [1, 2, 3]
        assert service.verify().ok


@pytest.mark.postgres
def test_postgresql_database_functions_are_refused_when_the_store_opens() -> None:
    """``POSTGRES_ENABLE_DB_FUNCTIONS`` makes eventsourcing create (and, in its own
    recorder, use) a database function that inserts events with no chain link;
    reproduced: the store opened and the function was created in its schema."""
    from mentoring_core_postgres.testing import postgres_store_url

    with postgres_store_url("dbfunctions") as url:
        message = "POSTGRES_ENABLE_DB_FUNCTIONS is set: eventsourcing would create a database"
        with pytest.raises(StoreConfigurationError, match=message):
            open_store(url, {"POSTGRES_ENABLE_DB_FUNCTIONS": "y"})
        with MentoringService(url) as service:  # the same store opens without it
            assert service.verify().ok
