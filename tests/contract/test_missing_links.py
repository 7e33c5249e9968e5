"""A missing chain link is a breach where it is, never blamed on the next honest record.

Reproduced before the fix: with the link of a relationship's last version deleted,
the next command on that relationship was recorded, its link computed with the
genesis hash in place of the missing one, and ``verify`` then named that new, honest
record (``reordered``: "follows version N-2"). Now the recorder refuses to write
after a missing link (the store is damaged; nothing is stored), and ``verify``
names the missing link itself.
"""

from __future__ import annotations

from uuid import UUID

import pytest

from mentoring_core import MentoringService, StoreConfigurationError
from mentoring_core.audit.verify import Breach
from mentoring_core.values import MeetingFormat, Role

from .test_service_contract import seed, stored_count
from .test_tamper_evidence import RawStore


@pytest.fixture(params=["sqlite", "postgres"])
def store_kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def last_link_of(raw: RawStore, aggregate: UUID) -> tuple[int, int]:
    """The sequence and version of ``aggregate``'s newest link."""
    with raw.sql() as run:
        rows = run(
            f"SELECT sequence, originator_version FROM {raw.chain} WHERE originator_id = ? "
            "ORDER BY originator_version DESC",
            aggregate.hex if raw.is_sqlite else aggregate,
        )
    return rows[0][0], rows[0][1]


def test_a_command_after_a_missing_link_is_refused_and_the_link_named(store_url: str) -> None:
    raw = RawStore(store_url)
    with MentoringService(store_url) as service:
        programme = seed(service).programme
        sequence, version = last_link_of(raw, programme)
        with raw.sql() as run:
            run(f"DELETE FROM {raw.chain} WHERE sequence = ?", sequence)
        before = stored_count(service)
        assert sequence < before  # a link within the chain: the next ones are honest
        message = (
            f"^the store refuses 'ParticipantEnrolled' of aggregate {programme} at version "
            f"{version + 1}: version {version} of that aggregate has no chain link: either it "
            "was never stored \\(versions must follow one another\\) or its link was removed, "
            "and then the store is damaged: run 'mentoring audit verify'; nothing was stored$"
        )
        with pytest.raises(StoreConfigurationError, match=message):
            service.enrol(programme, "cy", Role.MENTOR, 3, actor="coord")
        assert stored_count(service) == before
        finding = service.verify().finding
    assert finding is not None
    assert (finding.breach, finding.sequence) == (Breach.DELETED, sequence)
    assert finding.detail == (
        f"chain link {sequence} is gone (the chain goes from record {sequence - 1} "
        f"to record {sequence + 1})"
    )


def test_a_missing_last_link_leaves_its_event_unchained(store_url: str) -> None:
    """The end of the chain: an event whose link was removed cannot be told from one
    written around the library; both are named, and a command after it is refused."""
    raw = RawStore(store_url)
    with MentoringService(store_url) as service:
        relationship = seed(service).relationship
        sequence, _ = last_link_of(raw, relationship)
        assert sequence == stored_count(service)
        with raw.sql() as run:
            run(f"DELETE FROM {raw.chain} WHERE sequence = ?", sequence)
        with pytest.raises(StoreConfigurationError, match="has no chain link"):
            service.record_meeting_held(relationship, 60, MeetingFormat.VIDEO, ["x"], actor="ana")
        finding = service.verify().finding
    assert finding is not None
    assert (finding.breach, finding.notification_id) == (Breach.INSERTED, sequence)
    assert finding.detail.endswith("written around the library, or its link was removed")
