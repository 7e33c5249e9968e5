"""A person erased, whose key row is then brought back live (a key store restored from a
backup taken after their key was made, before the erasure), enrolled again with new
personal data (sealed under that key), and erased again, by request or under the
retention rule: the second erasure is recorded, on every store, so that the audit trail
says when and why the new data was erased. An erasure whose key row is lost, with
nothing of theirs sealed since, is still finished without a second fact
(``test_erasure_unfinished.py`` for a key brought back with nothing sealed since). A
key row lost (not brought back) makes no new key: new personal data is refused
(``test_erasure_lost_tombstone.py``).

Ben, enrolled on 5 January 2026 with his name, was erased at his request on 1 March
2026; his key store file was restored from a backup older than that, and he was
enrolled again, with a name, on 1 April 2027."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from uuid import UUID

import attrs
import pytest
from report_scenario import POLICY, SettableClock

from mentoring_core import MentoringService
from mentoring_core.events import (
    ERASED,
    ErasureRule,
    ParticipantEnrolled,
    ParticipantWithdrawn,
    PersonalDataErased,
)
from mentoring_core.privacy.keys import PersonKey
from mentoring_core.privacy.retention import apply_retention, due_for_erasure
from mentoring_core.values import Role

from .test_encryption_at_rest import key_file
from .test_lost_keys import delete_keys

PROGRAMME = UUID(int=80)
ERASED_ON = datetime(2026, 3, 1, 9, tzinfo=UTC)
BACK = datetime(2027, 4, 1, 9, tzinfo=UTC)
LEFT = datetime(2027, 5, 3, 9, tzinfo=UTC)
FIRST = ("DSAR-2026-031", ErasureRule.REQUEST)


@pytest.fixture
def clock() -> SettableClock:
    return SettableClock()


@pytest.fixture
def backup() -> list[PersonKey]:
    """The key store's rows, as a backup taken between Ben's enrolment and his erasure."""
    return []


@pytest.fixture(params=["clear", "encrypted-at-rest"])
def erased(
    store_url: str,
    tmp_path: Path,
    clock: SettableClock,
    backup: list[PersonKey],
    request: pytest.FixtureRequest,
) -> Iterator[MentoringService]:
    """The store where Ben was erased, whose key row was then lost; its records in clear,
    or encrypted at rest (what is sealed since the erasure is read through the cipher)."""
    keys = tmp_path / "keys.db"
    cipher = key_file(tmp_path / "store.key") if request.param != "clear" else None
    clock.now = datetime(2026, 1, 5, 9, tzinfo=UTC)
    opened = MentoringService(store_url, clock=clock, key_store_file=keys, cipher_key_file=cipher)
    with opened as service:
        service.create_programme("Pilot", "Northside Care", actor="coord", programme_id=PROGRAMME)
        service.set_policy(PROGRAMME, attrs.evolve(POLICY, retain_personal_data_years=1), actor="c")
        service.enrol(PROGRAMME, "ben", Role.MENTEE, 1, actor="coord", display_name="Ben O")
        backup.extend(service.store.keys.store.rows())  # taken before the erasure
        clock.now = ERASED_ON
        service.erase_person("ben", FIRST[0], actor="dpo", rule=FIRST[1])
        service.withdraw(PROGRAMME, "ben", ERASED, actor="coord")
        delete_keys(f"sqlite:///{keys}", "WHERE person_id = 'ben'")  # a backup restored
        service.store.keys.forget()
        yield service


@pytest.fixture
def back(
    erased: MentoringService, clock: SettableClock, backup: list[PersonKey]
) -> MentoringService:
    """Ben's key row brought back live from the backup, and Ben enrolled again with a
    name: sealed under that key."""
    (row,) = backup
    erased.store.keys.store.restore(row)
    clock.now = BACK
    erased.enrol(PROGRAMME, "ben", Role.MENTEE, 1, actor="coord", display_name="Ben Okafor")
    assert erased.programme(PROGRAMME).participant("ben").display_name == "Ben Okafor"  # type: ignore[union-attr]
    return erased


def erasures(service: MentoringService) -> list[tuple[str, ErasureRule]]:
    return [
        (e.reason, e.rule)
        for e in service.history(PROGRAMME)
        if isinstance(e, PersonalDataErased) and e.person_id == "ben"
    ]


def test_erasing_again_by_request_data_sealed_under_a_key_brought_back_records_the_erasure(
    back: MentoringService,
) -> None:
    erasure = back.erase_person("ben", "DSAR-2027-044", actor="dpo")
    assert not erasure.already_recorded and erasure.key_destroyed
    assert [(e.reason, e.rule) for e in erasure.recorded] == [("DSAR-2027-044", "request")]
    assert erasures(back) == [FIRST, ("DSAR-2027-044", ErasureRule.REQUEST)]
    assert back.programme(PROGRAMME).participant("ben").display_name == ERASED  # type: ignore[union-attr]


def test_erasing_again_under_retention_data_sealed_under_a_key_brought_back_records_the_erasure(
    back: MentoringService, clock: SettableClock
) -> None:
    clock.now = LEFT
    back.withdraw(PROGRAMME, "ben", "Moved to Leeds", actor="coord")
    clock.now = datetime(2028, 5, 4, 9, tzinfo=UTC)
    (erasure,) = apply_retention(back, due_for_erasure(back, date(2028, 5, 4)), actor="dpo")
    assert not erasure.already_recorded and erasure.key_destroyed
    again = ("retention: 1 years after 2027-05-03", ErasureRule.RETENTION)
    assert erasures(back) == [FIRST, again]
    history = back.history(PROGRAMME)
    assert [e.reason for e in history if isinstance(e, ParticipantWithdrawn)] == [ERASED] * 2
    assert [e.display_name for e in history if isinstance(e, ParticipantEnrolled)] == [ERASED] * 2


def test_erasing_again_with_nothing_sealed_since_finishes_the_recorded_erasure(
    erased: MentoringService,
) -> None:
    erasure = erased.erase_person("ben", "DSAR-2027-044", actor="dpo")
    assert erasure.already_recorded
    assert [(e.reason, e.rule) for e in erasure.recorded] == [FIRST]
    assert erasures(erased) == [FIRST]
    row = erased.store.keys.store.get("ben")
    assert row is not None and row.destroyed_at is not None
