"""The memory store chains an event whose aggregate id is given as text like one given as a UUID."""

from __future__ import annotations

from uuid import UUID

from eventsourcing.persistence import StoredEvent

from mentoring_core.audit.recorders import ChainedPOPOApplicationRecorder
from mentoring_core.audit.verify import verify

A = UUID("00000000-0000-4000-8000-00000000000a")


def test_an_aggregate_id_given_as_text_is_chained_as_its_uuid() -> None:
    recorder = ChainedPOPOApplicationRecorder()
    recorder.insert_events(
        [StoredEvent(originator_id=str(A), originator_version=1, topic="T", state=b"{}")]
    )
    (row,) = recorder.select_chain(0, 10)
    assert row.aggregate_id == A
    assert isinstance(row.aggregate_id, UUID)
    assert verify(recorder).ok
