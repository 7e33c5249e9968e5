"""Snapshots are trusted only when they belong to the stored history (issue 11, item 4).

A snapshot written around the library (straight into the snapshots table) used to
change the mentor shown and the state commands were decided on. Now a snapshot records
the chain hash of the event it was taken at and is refused on load when that hash is
not the stored link's; ``trust_snapshots=False`` reads none at all.
"""

from __future__ import annotations

import logging
from typing import Any, cast

import attrs
import pytest

from mentoring_core import MentoringService
from mentoring_core.serialisation import Snapshot
from mentoring_core.state import RelationshipState

from .test_service_contract import Seeded, eventsourced, fold, seed


def forge(service: MentoringService, seeded: Seeded, chain_hash: str | None) -> int:
    """Write a snapshot naming 'mallory' as mentor, at the relationship's last version,
    straight into the snapshots store; returns that version."""
    state = service.relationship(seeded.relationship)
    snapshots = eventsourced(service).snapshots
    assert snapshots is not None
    forged = Snapshot(
        aggregate_id=seeded.relationship,
        version=state.version,
        taken_at=state.formed_at or state.proposed_at,  # type: ignore[arg-type]
        state=attrs.evolve(state, mentor_id="mallory"),
        chain_hash=chain_hash,
    )
    snapshots.put([cast(Any, forged)])
    return state.version


def true_state(service: MentoringService, seeded: Seeded) -> RelationshipState:
    return fold(service.history(seeded.relationship))


@pytest.mark.parametrize("chain_hash", [None, "0" * 64])
def test_a_snapshot_of_no_stored_history_is_refused_on_load(
    store_url: str, store_kind: str, chain_hash: str | None, caplog: pytest.LogCaptureFixture
) -> None:
    if store_kind == "memory":
        pytest.skip("a memory store lives and dies with its service")
    with MentoringService(store_url, snapshot_interval=1000) as service:
        seeded = seed(service)
        version = forge(service, seeded, chain_hash)
    with (
        MentoringService(store_url) as service,
        caplog.at_level(logging.WARNING, logger="mentoring_core"),
    ):
        state = service.relationship(seeded.relationship)
        assert state == true_state(service, seeded)
        assert state.mentor_id == "ana"
        # Commands are decided on the true state too (readers never read snapshots;
        # a command that needs no history does).
        service.agree_expectations(seeded.relationship, ["Meet weekly"], actor="ana")
        assert service.relationship(seeded.relationship).mentor_id == "ana"
        assert service.relationship(seeded.relationship, version=version).mentor_id == "ana"
    refused = [r.getMessage() for r in caplog.records if "refused the snapshot" in r.getMessage()]
    assert refused
    assert f"at version {version}" in refused[0]
    assert refused[0].endswith("folding its events instead")


def test_snapshots_taken_by_the_service_are_trusted_and_used(store_url: str) -> None:
    with MentoringService(store_url, snapshot_interval=3) as service:
        seeded = seed(service)
        snapshots = eventsourced(service).snapshots
        assert snapshots is not None
        taken = cast(list[Snapshot], list(snapshots.get(seeded.relationship)))
        links = [service.store.recorder.link_of(seeded.relationship, s.version) for s in taken]
        assert taken
        assert [s.chain_hash for s in taken] == links
        assert all(link is not None for link in links)


def test_a_snapshot_with_the_right_chain_hash_is_not_read_when_snapshots_are_not_trusted(
    store_url: str, store_kind: str
) -> None:
    if store_kind == "memory":
        pytest.skip("a memory store lives and dies with its service")
    with MentoringService(store_url, snapshot_interval=1000) as service:
        seeded = seed(service)
        last = service.relationship(seeded.relationship).version
        link = service.store.recorder.link_of(seeded.relationship, last)
        forge(service, seeded, link)
    with MentoringService(store_url, trust_snapshots=False) as service:
        assert service.relationship(seeded.relationship) == true_state(service, seeded)
        service.pause(seeded.relationship, "leave", actor="ana")
        assert service.relationship(seeded.relationship).mentor_id == "ana"
