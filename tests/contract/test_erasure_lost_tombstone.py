"""A person erased whose key row (the tombstone) is then lost, a key store file restored
from a backup taken before they existed, is refused new personal data as if the
tombstone were there, on every store: sealing finds their erasure recorded, writes the
tombstone back and records nothing. Their old fields keep reading as erased; no new key
is made for them (one would be tried on those fields, which would no longer open).

Ben was enrolled in the first programme with his name, then erased at his request; his
key store file lost his row; he is then enrolled in a second programme."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from uuid import UUID

import pytest
from report_scenario import SettableClock

from mentoring_core import InvalidValue, MentoringService
from mentoring_core.audit.derived import check_derived
from mentoring_core.events import ERASED
from mentoring_core.values import Role

from .test_lost_keys import delete_keys

FIRST, SECOND = UUID(int=90), UUID(int=91)
ERASED_ON = datetime(2026, 3, 1, 9, tzinfo=UTC)


@pytest.fixture
def lost(store_url: str, tmp_path: Path) -> Iterator[MentoringService]:
    """The store where Ben was erased, and his key row then lost."""
    keys = tmp_path / "keys.db"
    clock = SettableClock()
    clock.now = datetime(2026, 1, 5, 9, tzinfo=UTC)
    with MentoringService(store_url, clock=clock, key_store_file=keys) as service:
        service.create_programme("Pilot", "Northside Care", actor="coord", programme_id=FIRST)
        service.create_programme("Second", "Northside Care", actor="coord", programme_id=SECOND)
        service.enrol(FIRST, "ben", Role.MENTEE, 1, actor="coord", display_name="Ben Okafor")
        clock.now = ERASED_ON
        service.erase_person("ben", "DSAR-2026-031", actor="dpo")
        delete_keys(f"sqlite:///{keys}", "WHERE person_id = 'ben'")  # a backup restored
        service.store.keys.forget()
        clock.now = datetime(2027, 4, 1, 9, tzinfo=UTC)
        yield service


def display_name(service: MentoringService, programme: UUID) -> str | None:
    participant = service.programme(programme).participant("ben")
    assert participant is not None
    return participant.display_name


def test_new_personal_data_of_an_erased_person_whose_key_row_is_lost_is_refused(
    lost: MentoringService,
) -> None:
    before = lost.history(SECOND)
    with pytest.raises(InvalidValue, match=r"'ben', whose personal data was erased at 2026-03-01"):
        lost.enrol(SECOND, "ben", Role.MENTEE, 1, actor="coord", display_name="Ben Okafor")
    assert lost.history(SECOND) == before  # nothing recorded
    row = lost.store.keys.store.get("ben")
    assert row is not None and row.key is None and row.destroyed_at == ERASED_ON
    assert display_name(lost, FIRST) == ERASED


def test_the_old_data_still_reads_as_erased_and_the_person_can_be_enrolled_without_it(
    lost: MentoringService,
) -> None:
    assert check_derived(lost).ok  # a missing row of someone erased is no difference
    with pytest.raises(InvalidValue):
        lost.enrol(SECOND, "ben", Role.MENTEE, 1, actor="coord", display_name="Ben Okafor")
    lost.enrol(SECOND, "ben", Role.MENTEE, 1, actor="coord")
    assert display_name(lost, FIRST) == ERASED
    assert display_name(lost, SECOND) is None
    assert check_derived(lost).ok
    erasure = lost.erase_person("ben", "DSAR-2027-044", actor="dpo")
    assert not erasure.key_destroyed
    assert display_name(lost, FIRST) == ERASED


def test_a_fresh_process_reads_the_first_programme_after_the_refusal(
    lost: MentoringService, store_url: str, tmp_path: Path
) -> None:
    """The tombstone written back is in the key store, not only in this process."""
    with pytest.raises(InvalidValue):
        lost.enrol(SECOND, "ben", Role.MENTEE, 1, actor="coord", display_name="Ben Okafor")
    if store_url == "memory://":
        return  # a memory store lives in its process only
    with MentoringService(store_url, key_store_file=tmp_path / "keys.db") as again:
        assert display_name(again, FIRST) == ERASED
        row = again.store.keys.store.get("ben")
        assert row is not None and row.destroyed_at == ERASED_ON
